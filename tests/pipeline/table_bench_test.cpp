// The search benchmark with a known answer: the true front and its hypervolume on a hand-made
// table, and the algorithms scored against it.

#include "hwnas/pipeline/table_bench.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "hwnas/core/error.hpp"
#include "hwnas/space/layered_space.hpp"

namespace hwnas::pipeline {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Six networks: (accuracy, latency ms).
//   0 (0.90, 4)  front
//   1 (0.80, 2)  front
//   2 (0.70, 3)  dominated by 1
//   3 (0.95, ?)  not measured: never on the front, however accurate
//   4 (0.50, 1)  front
//   5 (0.80, 2)  equal to 1: only the first is kept
// Genotypes are those of six_network_space (below), or plain {i} where no space is needed.
std::vector<TablePoint> hand_table(const space::SearchSpace* space = nullptr) {
  std::vector<TablePoint> points = {{{0}, 0.90, 4.0},  {{1}, 0.80, 2.0}, {{2}, 0.70, 3.0},
                                    {{3}, 0.95, kNaN}, {{4}, 0.50, 1.0}, {{5}, 0.80, 2.0}};
  if (space != nullptr) {
    // The one gene with six values (the filters of the only layer) tells the networks apart.
    for (std::size_t i = 0; i < points.size(); ++i) {
      space::Genotype genotype(space->genes().size(), 0);
      for (std::size_t g = 0; g < genotype.size(); ++g) {
        if (space->genes()[g].cardinality == 6) genotype[g] = static_cast<int>(i);
      }
      points[i].genotype = genotype;
    }
  }
  return points;
}

TEST(TableBench, TrueFrontByEnumerationOnAHandMadeTable) {
  const auto points = hand_table();
  EXPECT_EQ(true_front(points), (std::vector<std::size_t>{0, 1, 4}));
  // Reference (accuracy 0, latency 5): in (1 - accuracy, latency) the front is (0.1, 4),
  // (0.2, 2), (0.5, 1) under the reference (1, 5). Sweep by latency from the reference:
  //   latency 4..5 covered by 1-acc 0.1..1: 0.9 * 1 = 0.9
  //   latency 2..4 covered by 0.2..1:       0.8 * 2 = 1.6
  //   latency 1..2 covered by 0.5..1:       0.5 * 1 = 0.5      total 3.0
  EXPECT_NEAR(table_hypervolume(points, true_front(points), 0.0, 5.0), 3.0, 1e-12);
  // A dominated point and the unmeasured one add nothing.
  EXPECT_NEAR(table_hypervolume(points, {0, 1, 2, 3, 4}, 0.0, 5.0), 3.0, 1e-12);
  // One point alone: (0.8, 2) -> 0.8 * 3.
  EXPECT_NEAR(table_hypervolume(points, {1}, 0.0, 5.0), 2.4, 1e-12);
}

// A layered space of six networks (one layer of 1..6 filters) stands in for a table's space.
std::shared_ptr<const space::SearchSpace> six_network_space() {
  space::LayeredSpaceSpec spec;
  spec.name = "six";
  spec.input = {1, 8, 8};
  spec.num_classes = 2;
  spec.layer_counts = {1};
  spec.kernels = {1};
  spec.filters = {1, 2, 3, 4, 5, 6};
  spec.strides = {1};
  spec.pools = {space::PoolChoice::none};
  return space::make_layered_space(spec);
}

TEST(TableBench, EveryAlgorithmReachesTheWholeFrontOfATinyTableAndSeedsRepeat) {
  const auto space = six_network_space();
  ASSERT_EQ(space->size().exact, "6");
  const auto points = hand_table(space.get());
  TableBenchOptions options;
  options.queries = {1, 30};
  options.seeds = 3;
  options.batch = 2;
  options.population = 4;
  options.tournament = 2;
  const TableBenchResult r = run_table_bench(*space, points, options);
  EXPECT_EQ(r.points, 5u);
  EXPECT_EQ(r.true_front_size, 3u);
  EXPECT_DOUBLE_EQ(r.latency_ref, 4.0);  // the largest measured latency
  // Against (0, 4): (0.2, 2) and (0.5, 1) count: 0.8 * 2 + 0.5 * 1 = 2.1 (the (0.1, 4) point
  // lies on the reference's latency and adds nothing).
  EXPECT_NEAR(r.true_hypervolume, 2.1, 1e-12);
  for (const auto& name : options.algorithms) {
    const auto& cells = r.cells.at(name);
    ASSERT_EQ(cells.size(), 2u);
    // One query finds at most one point: at most 0.8 * 2 / 2.1 of the volume.
    EXPECT_LE(cells[0].max, 1.6 / 2.1 + 1e-12) << name;
    // 30 queries on 6 networks find all three front points.
    EXPECT_NEAR(cells[1].min, 1.0, 1e-12) << name;
    EXPECT_EQ(cells[1].shares.size(), 3u);
  }
  // Same seeds, same shares.
  const TableBenchResult again = run_table_bench(*space, points, options);
  for (const auto& name : options.algorithms) {
    EXPECT_EQ(again.cells.at(name)[0].shares, r.cells.at(name)[0].shares) << name;
  }
}

TEST(TableBench, BadOptionsAndMissingGenotypesAreErrors) {
  const auto space = six_network_space();
  auto points = hand_table(space.get());
  TableBenchOptions options;
  options.queries = {20, 10};
  EXPECT_THROW(run_table_bench(*space, points, options), InputError);
  options.queries = {50};
  options.algorithms = {"simulated-annealing"};
  try {
    run_table_bench(*space, points, options);
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("unknown algorithm 'simulated-annealing'"),
              std::string::npos);
  }
  options.algorithms = {"random"};
  points.pop_back();  // genotype {5} is no longer in the table
  try {
    run_table_bench(*space, points, options);
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("is not in the table"), std::string::npos);
  }
}

}  // namespace
}  // namespace hwnas::pipeline
