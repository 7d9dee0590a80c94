#include "hwnas/latency/model.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <thread>

#include "../support/messages.hpp"
#include "hwnas/core/error.hpp"
#include "hwnas/space/nb201_space.hpp"

namespace hwnas::latency {
namespace {

const std::string kRoot = std::string(HWNAS_SOURCE_DIR) + "/";

using testing::message_of;

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() /
          ("hwnas_latency_" + std::to_string(getpid()) + "_" + name))
      .string();
}
std::string write_temp(const std::string& name, const std::string& text) {
  const std::string path = temp_path(name);
  std::ofstream(path) << text;
  return path;
}

const tabular::Nb201Table& archs() {
  static const tabular::Nb201Table t =
      tabular::read_nb201_table(kRoot + std::string(tabular::kNb201ArchsCsv));
  return t;
}
const SpaceSpec& nb201() {
  static const SpaceSpec s = load_space("nb201");
  return s;
}
const Measurements& fpga() {
  static const Measurements m =
      read_measurements(kRoot + std::string(tabular::kNb201HwCsv), *nb201().space,
                        {.column = "fpga", .archs = &archs()});
  return m;
}

// The fixed split of the figures test: 200 rows to fit (seed 1), 500 others to judge (seed 2).
struct Fixed {
  LatencyModel model;
  Measurements test;
  double fit_s;
};
const Fixed& fixed() {
  // Never destroyed: XGBoost's own static state may be gone when static destructors run, and
  // freeing a booster then corrupts the heap at exit.
  static const Fixed& f = *new Fixed([] {
    const auto start = std::chrono::steady_clock::now();
    FitOptions options;
    options.rows = 200;
    options.seed = 1;
    LatencyModel model = LatencyModel::fit(fpga(), nb201(), options);
    const double fit_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::vector<std::size_t> fitted = draw_rows(fpga().rows.size(), 200, 1);
    Measurements test = fpga();
    test.rows.clear();
    for (const std::size_t r : draw_rows(fpga().rows.size(), 500, 2, fitted)) {
      test.rows.push_back(fpga().rows[r]);
    }
    return Fixed{std::move(model), std::move(test), fit_s};
  }());
  return f;
}

const std::string kArch0 =
    "|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|"
    "skip_connect~2|";
const std::string kArch1 =
    "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|"
    "skip_connect~2|";

TEST(Measurements, TheSharedDeviceFileByIndex) {
  const Measurements& m = fpga();
  EXPECT_EQ(m.column, "fpga_latency_ms");
  ASSERT_EQ(m.rows.size(), 15625u);
  EXPECT_EQ(m.skipped_blank, 0u);
  EXPECT_EQ(m.rows[0].index, 0);
  EXPECT_EQ(m.rows[0].line, 2u);
  EXPECT_NEAR(m.rows[0].latency_ms, 2.57296, 1e-9);
  EXPECT_EQ(arch_of(*nb201().space, m.rows[0].genotype), kArch0);
  const Measurements tpu = read_measurements(kRoot + std::string(tabular::kNb201HwCsv),
                                             *nb201().space, {"edgetpu", &archs()});
  EXPECT_EQ(tpu.rows.size(), 8787u);
  EXPECT_EQ(tpu.skipped_blank, 15625u - 8787u);
}

TEST(Measurements, ArchOnlyAndBothColumns) {
  const std::string arch_only =
      write_temp("m1.csv", "arch,latency_ms\n" + kArch1 + ",5.5\n" + kArch0 + ",\n");
  const Measurements a = read_measurements(arch_only, *nb201().space, {});
  ASSERT_EQ(a.rows.size(), 1u);
  EXPECT_EQ(a.skipped_blank, 1u);
  EXPECT_EQ(a.rows[0].index, -1);
  EXPECT_EQ(a.rows[0].genotype, archs().archs[1].genotype);
  const std::string both =
      write_temp("m2.csv", "index,arch,t_ms\n1," + kArch1 + ",5.5\n0," + kArch0 + ",1\n");
  const Measurements b = read_measurements(both, *nb201().space, {"t", &archs()});
  ASSERT_EQ(b.rows.size(), 2u);
  EXPECT_EQ(b.column, "t_ms");
}

TEST(Measurements, BadFilesNameLineAndColumn) {
  const auto& space = *nb201().space;
  const std::string no_key = write_temp("b1.csv", "idx,latency_ms\n0,1\n");
  EXPECT_EQ(
      message_of([&] {
        read_measurements(no_key, space, {"latency_ms", &archs()});
      }),
      no_key + ": line 1: needs a column 'index' or 'arch' (or both); columns: idx, latency_ms");
  const std::string no_latency = write_temp("b2.csv", "index,ms\n0,1\n");
  EXPECT_EQ(
      message_of([&] {
        read_measurements(no_latency, space, {"latency_ms", &archs()});
      }),
      no_latency + ": line 1: no latency column 'latency_ms' (use --column); columns: index, ms");
  const std::string no_table = write_temp("b3.csv", "index,latency_ms\n0,1\n");
  EXPECT_EQ(message_of([&] { read_measurements(no_table, space, {}); }),
            no_table +
                ": index: an 'index' column needs the archs table (--archs) to know the "
                "networks");
  const std::string negative = write_temp("b4.csv", "index,latency_ms\n0,1\n1,-2\n");
  EXPECT_EQ(message_of([&] {
              read_measurements(negative, space, {"latency_ms", &archs()});
            }),
            negative + ": line 3, column latency_ms: a latency must be positive, got -2");
  const std::string text = write_temp("b5.csv", "index,latency_ms\n0,slow\n");
  EXPECT_EQ(message_of([&] {
              read_measurements(text, space, {"latency_ms", &archs()});
            }),
            text + ": line 2, column latency_ms: expected a number, got 'slow'");
  const std::string unknown = write_temp("b6.csv", "arch,latency_ms\n|conv~0|,1\n");
  const std::string m = message_of([&] { read_measurements(unknown, space, {}); });
  EXPECT_EQ(
      m.rfind(unknown + ": line 2, column arch: unknown arch '|conv~0|' for the nb201 space", 0),
      0u)
      << m;
  const std::string outside = write_temp("b7.csv", "index,latency_ms\n15625,1\n");
  EXPECT_EQ(message_of([&] {
              read_measurements(outside, space, {"latency_ms", &archs()});
            }),
            outside + ": line 2, column index: index 15625 is not in " + archs().archs_file);
  const std::string mismatch = write_temp("b8.csv", "index,arch,latency_ms\n0," + kArch1 + ",1\n");
  EXPECT_EQ(message_of([&] {
              read_measurements(mismatch, space, {"latency_ms", &archs()});
            }),
            mismatch + ": line 2, column arch: arch '" + kArch1 + "' is not index 0's ('" + kArch0 +
                "' in " + archs().archs_file + ")");
  const std::string repeated = write_temp("b9.csv", "index,latency_ms\n0,1\n1,2\n0,3\n");
  EXPECT_EQ(message_of([&] {
              read_measurements(repeated, space, {"latency_ms", &archs()});
            }),
            repeated + ": line 4: the same network was measured on line 2");
}

TEST(DrawRows, SeededSortedAndExcluding) {
  const auto a = draw_rows(100, 10, 7);
  EXPECT_EQ(a, draw_rows(100, 10, 7));
  EXPECT_NE(a, draw_rows(100, 10, 8));
  EXPECT_TRUE(std::is_sorted(a.begin(), a.end()));
  const auto b = draw_rows(100, 90, 3, a);
  for (const std::size_t r : b) EXPECT_FALSE(std::binary_search(a.begin(), a.end(), r));
  EXPECT_EQ(draw_rows(5, 0, 1), (std::vector<std::size_t>{0, 1, 2, 3, 4}));
  EXPECT_EQ(message_of([] { draw_rows(5, 6, 1); }),
            "<measurements>: rows: 6 rows asked for, 5 available");
}

// The figures of a fixed small split, recomputed: fit on 200 FPGA rows (seed 1), judge on 500
// others (seed 2). Expected values from the first run of this test; the tolerances allow another
// XGBoost build's last bits, not a change of model.
TEST(LatencyModel, FiguresOnAFixedSplit) {
  const Fixed& f = fixed();
  EXPECT_EQ(f.model.info().at("rows"), 200);
  EXPECT_EQ(f.model.info().at("column"), "fpga_latency_ms");
  EXPECT_EQ(f.model.info().at("fitted").size(), 200u);
  const LatencyReport r = f.model.evaluate(f.test);
  EXPECT_EQ(r.left_out, 0u);
  ASSERT_EQ(r.metrics.n, 500u);
  std::printf("fit %.2f s; Spearman %.4f Kendall %.4f RMSE %.4f MAPE %.3f w5 %.3f w10 %.3f\n",
              f.fit_s, r.metrics.spearman, r.metrics.kendall_tau, r.metrics.rmse, r.metrics.mape,
              r.metrics.within_5, r.metrics.within_10);
  // HW-NAS-Bench's FPGA latencies are simulated and additive per op: cross-validation picks the
  // sum alone, which is exact (the Spearman is below 1 only through tied latencies).
  EXPECT_EQ(f.model.info().at("mode"), "sum");
  EXPECT_NEAR(r.metrics.spearman, 0.9992, 0.001);
  EXPECT_LT(r.metrics.mape, 0.01);
  EXPECT_EQ(r.metrics.within_10, 1.0);
  // The trees alone on the same split.
  FitOptions trees;
  trees.rows = 200;
  trees.seed = 1;
  trees.base = BaseMode::none;
  const LatencyReport t = LatencyModel::fit(fpga(), nb201(), trees).evaluate(f.test);
  std::printf("trees: Spearman %.4f MAPE %.3f w5 %.3f w10 %.3f\n", t.metrics.spearman,
              t.metrics.mape, t.metrics.within_5, t.metrics.within_10);
  EXPECT_NEAR(t.metrics.spearman, 0.9931, 0.005);
  EXPECT_NEAR(t.metrics.mape, 2.736, 0.3);
  EXPECT_NEAR(t.metrics.within_10, 0.946, 0.02);
  // Rows the model was fitted on are left out of an evaluation.
  Measurements mixed = f.test;
  for (const std::size_t r : draw_rows(fpga().rows.size(), 200, 1)) {
    if (mixed.rows.size() == 530) break;
    mixed.rows.push_back(fpga().rows[r]);
  }
  const LatencyReport again = f.model.evaluate(mixed);
  EXPECT_EQ(again.left_out, 30u);
  EXPECT_EQ(again.predicted_ms, r.predicted_ms);
}

TEST(LatencyModel, SaveLoadGivesIdenticalPredictions) {
  const Fixed& f = fixed();
  const std::string path = temp_path("fpga.model");
  f.model.save(path);
  const LatencyModel loaded = LatencyModel::load(path);
  EXPECT_EQ(loaded.info().at("column"), "fpga_latency_ms");
  EXPECT_EQ(loaded.info().at("rows"), 200);
  EXPECT_EQ(loaded.info().at("space"), "nb201");
  EXPECT_EQ(loaded.info().at("base"), f.model.info().at("base"));
  EXPECT_EQ(loaded.featurizer().names(), f.model.featurizer().names());
  std::vector<space::Genotype> genotypes;
  for (const auto& row : f.test.rows) genotypes.push_back(row.genotype);
  EXPECT_EQ(loaded.predict_ms(genotypes), f.model.predict_ms(genotypes));
  // One by one (network and genotype) equals the batch.
  const space::Genotype& g = genotypes.front();
  EXPECT_EQ(loaded.predict_ms(nb201().space->decode(g), &g), f.model.predict_ms(genotypes).front());
}

TEST(LatencyModel, PredictFromThreadsEqualsSerial) {
  const Fixed& f = fixed();
  std::vector<space::Genotype> genotypes;
  for (std::size_t i = 0; i < 40; ++i) genotypes.push_back(f.test.rows[i].genotype);
  const std::vector<double> serial = f.model.predict_ms(genotypes);
  std::vector<double> parallel(genotypes.size());
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (std::size_t i = static_cast<std::size_t>(t); i < genotypes.size(); i += 4) {
        parallel[i] = f.model.predict_ms(genotypes[i]);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(parallel, serial);
}

TEST(LatencyModel, LoadRejectsOtherFiles) {
  EXPECT_EQ(message_of([] {
              LatencyModel::load("/nonexistent/m.model");
            }).rfind("/nonexistent/m.model", 0),
            0u);
  // A plain regressor (an accuracy predictor's file) is not a latency model.
  learn::FeatureMatrix x;
  x.names = {"a"};
  for (int i = 0; i < 10; ++i) x.add_row({static_cast<float>(i)});
  const std::string path = temp_path("plain.model");
  learn::Regressor::fit(x, std::vector<float>(10, 1.0f), {.rounds = 2, .threads = 1}).save(path);
  EXPECT_EQ(message_of([&] { LatencyModel::load(path); }),
            path +
                ": metadata.format: not a latency model (expected format "
                "'hwnas-latency-model'; an accuracy predictor file?)");
}

// An exactly additive table: y = 1 + 2 [a=1] + 0.5 [b=1] ms. The least-squares sum recovers it
// (up to the tiny ridge), and clamps at half the smallest latency.
TEST(AdditiveBase, RecoversAnAdditiveTable) {
  learn::FeatureMatrix x;
  x.names = {"macs", "a=0", "a=1", "b=0", "b=1"};  // one-hot columns take over from "macs"
  std::vector<double> y;
  for (int rep = 0; rep < 3; ++rep) {
    for (int a = 0; a < 2; ++a) {
      for (int b = 0; b < 2; ++b) {
        x.add_row({100.0f * static_cast<float>(rep), a == 0 ? 1.0f : 0.0f, a == 1 ? 1.0f : 0.0f,
                   b == 0 ? 1.0f : 0.0f, b == 1 ? 1.0f : 0.0f});
        y.push_back(1 + 2 * a + 0.5 * b);
      }
    }
  }
  const AdditiveBase base = fit_additive_base(x, y);
  EXPECT_EQ(base.columns, (std::vector<std::string>{"a=0", "a=1", "b=0", "b=1"}));
  EXPECT_DOUBLE_EQ(base.floor_ms, 0.5);
  const std::vector<double> p = base.predict(x);
  for (std::size_t i = 0; i < y.size(); ++i) EXPECT_NEAR(p[i], y[i], 1e-3) << i;
  // Without one-hot columns the sum is over work and traffic.
  learn::FeatureMatrix plain;
  plain.names = {"macs", "layers", "other"};
  plain.add_row({1, 2, 3});
  EXPECT_EQ(fit_additive_base(plain, {1.0}).columns, (std::vector<std::string>{"macs", "layers"}));
}

TEST(LatencyModel, TooFewRows) {
  FitOptions options;
  options.rows = 5;
  EXPECT_EQ(message_of([&] { LatencyModel::fit(fpga(), nb201(), options); }),
            "<measurements>: rows: a latency model needs at least 10 measurements, got 5");
}

}  // namespace
}  // namespace hwnas::latency
