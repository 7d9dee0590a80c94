#include "hwnas/tabular/tabular_evaluator.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <thread>

#include "../support/messages.hpp"
#include "hwnas/core/error.hpp"
#include "hwnas/space/layered_space.hpp"
#include "hwnas/space/nb201_space.hpp"

namespace hwnas::tabular {
namespace {

const std::string kRoot = std::string(HWNAS_SOURCE_DIR) + "/";

using testing::message_of;

struct Shared {
  Nb201Table table;
  std::shared_ptr<const space::SearchSpace> space;
  std::unique_ptr<TabularEvaluator> evaluator;
  double construct_s = 0;
};

const Shared& shared() {
  static const Shared s = [] {
    Shared s;
    s.table = read_nb201_table(kRoot + std::string(kNb201ArchsCsv));
    s.space = space::make_nb201_space();
    const auto start = std::chrono::steady_clock::now();
    s.evaluator = std::make_unique<TabularEvaluator>(s.table, *s.space);
    s.construct_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("TabularEvaluator: %zu archs decoded and keyed in %.2f s\n", s.table.archs.size(),
                s.construct_s);
    return s;
  }();
  return s;
}

TEST(TabularEvaluator, ReturnsTheTablesAccuracies) {
  const Shared& s = shared();
  ASSERT_EQ(s.evaluator->archs(), 15625u);
  // 374 archs share their network with another (space/nb201_space.hpp): 15,251 networks.
  EXPECT_EQ(s.evaluator->networks(), 15251u);
  // The best test accuracy, 91.52% at index 1459, from its decoded network.
  const Nb201Arch& best = s.table.archs[s.table.row_of_index(1459).value()];
  ir::Network network = s.space->decode(best.genotype);
  network.name = "any name";                            // the name is not part of the key
  ASSERT_EQ(s.evaluator->rows_of(network).size(), 1u);  // no other arch decodes like it
  const eval::Accuracy a = s.evaluator->evaluate(network);
  EXPECT_TRUE(a.ok);
  EXPECT_EQ(a.source, eval::AccuracySource::tabular);
  EXPECT_EQ(eval::to_string(a.source), "tabular");
  EXPECT_NEAR(a.test, 0.9152, 5e-5);
  EXPECT_DOUBLE_EQ(a.test, best.test_acc);
  EXPECT_DOUBLE_EQ(a.validation, best.valid_acc);
  // Index 0: 81.98% validation, 81.52% test.
  const eval::Accuracy a0 = s.evaluator->evaluate(
      s.space->decode(s.table.archs[s.table.row_of_index(0).value()].genotype));
  EXPECT_NEAR(a0.validation, 0.8198266666, 1e-9);
  EXPECT_NEAR(a0.test, 0.8152, 1e-9);
  EXPECT_NE(s.evaluator->describe().find("15625 archs"), std::string::npos);
}

TEST(TabularEvaluator, EveryRowFindsItself) {
  const Shared& s = shared();
  for (std::size_t r = 0; r < s.table.archs.size(); r += 97) {
    const auto rows = s.evaluator->rows_of(s.space->decode(s.table.archs[r].genotype));
    EXPECT_TRUE(std::find(rows.begin(), rows.end(), r) != rows.end()) << r;
  }
}

// Archs that decode to one network get the mean of their accuracies. With 1<-0 = skip_connect,
// (2<-0, 2<-1) = (skip_connect, none) and (none, skip_connect) both make node 2 the cell input.
TEST(TabularEvaluator, ArchsThatDecodeAlikeGetTheirMean) {
  const Shared& s = shared();
  const std::string a = "|skip_connect~0|+|skip_connect~0|none~1|+|nor_conv_3x3~0|none~1|none~2|";
  const std::string b = "|skip_connect~0|+|none~0|skip_connect~1|+|nor_conv_3x3~0|none~1|none~2|";
  const std::size_t ra = s.table.row_of_arch(a).value(), rb = s.table.row_of_arch(b).value();
  const ir::Network network = s.space->decode(s.table.archs[ra].genotype);
  ASSERT_EQ(network, s.space->decode(s.table.archs[rb].genotype));
  const auto rows = s.evaluator->rows_of(network);
  EXPECT_TRUE(std::find(rows.begin(), rows.end(), ra) != rows.end());
  EXPECT_TRUE(std::find(rows.begin(), rows.end(), rb) != rows.end());
  double valid = 0, test = 0;
  for (const std::size_t r : rows) {
    valid += s.table.archs[r].valid_acc;
    test += s.table.archs[r].test_acc;
  }
  const eval::Accuracy acc = s.evaluator->evaluate(network);
  EXPECT_NEAR(acc.validation, valid / static_cast<double>(rows.size()), 1e-12);
  EXPECT_NEAR(acc.test, test / static_cast<double>(rows.size()), 1e-12);
}

// Decoding the 15,625 archs (the space verifies each network with ir::try_analyze) is most of
// it: about 0.3 ms an arch on one loaded core, spread over the cores. A generous bound for a
// loaded 2-core machine.
TEST(TabularEvaluator, ConstructionTakesAFewSecondsAtMost) {
  EXPECT_LT(shared().construct_s, 10.0);
}

TEST(TabularEvaluator, ThreadsGetTheSameAnswers) {
  const Shared& s = shared();
  std::vector<double> serial, parallel(64);
  for (std::size_t i = 0; i < 64; ++i) {
    serial.push_back(s.evaluator->evaluate(s.space->decode(s.table.archs[i * 200].genotype)).test);
  }
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (std::size_t i = t; i < 64; i += 4) {
        parallel[i] = s.evaluator->evaluate(s.space->decode(s.table.archs[i * 200].genotype)).test;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(parallel, serial);
}

TEST(TabularEvaluator, UnknownNetworkIsBadInput) {
  const Shared& s = shared();
  ir::Network network = s.space->decode(s.table.archs[0].genotype);
  network.name = "mine";
  network.layers.back().out += 1;  // another classifier: not a NAS-Bench-201 network
  const std::string m = message_of([&] { s.evaluator->evaluate(network); });
  EXPECT_EQ(m.rfind("mine: network: not in the NAS-Bench-201 table (15625 archs from ", 0), 0u)
      << m;
}

TEST(TabularEvaluator, NeedsTheNb201Space) {
  Nb201Table table;
  table.archs_file = "t.csv";
  table.archs.push_back({});
  const auto layered = space::make_layered_space({});
  EXPECT_EQ(message_of([&] { TabularEvaluator(table, *layered); }),
            "t.csv: space: the NAS-Bench-201 table needs the nb201 space, not a 'layered' space");
}

}  // namespace
}  // namespace hwnas::tabular
