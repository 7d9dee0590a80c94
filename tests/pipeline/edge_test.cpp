// Searches on NAS-Bench-201 with table accuracy: NAHAS's three modes on the systolic edge
// accelerator, and a measured device's fitted latency model with MnasNet's soft reward.

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>

#include <fmt/format.h>

#include "hwnas/core/error.hpp"
#include "hwnas/io/systolic_yaml.hpp"
#include "hwnas/latency/model.hpp"
#include "hwnas/pipeline/cosearch.hpp"
#include "hwnas/pipeline/run.hpp"
#include "hwnas/space/nb201_space.hpp"
#include "hwnas/tabular/nb201_table.hpp"

namespace hwnas::pipeline {
namespace {

const std::string kRoot = std::string(HWNAS_SOURCE_DIR) + "/";
// NAS-Bench-201's most accurate cell on validation (index 6111).
const std::string kBestArch =
    "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|"
    "nor_conv_1x1~2|";

std::string folder(const std::string& name) {
  const std::string path = std::string(HWNAS_BINARY_DIR) + "/edge_test_" + name;
  std::filesystem::remove_all(path);
  std::filesystem::create_directories(path);
  return path;
}

std::string write(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
  return path;
}

const tabular::Nb201Table& table() {
  static const tabular::Nb201Table t =
      tabular::read_nb201_table(kRoot + std::string(tabular::kNb201ArchsCsv));
  return t;
}

std::string cosearch_run(const std::string& dir) {
  return write(dir + "/run.yaml", fmt::format(R"(name: co
space: {0}examples/spaces/nb201.yaml
hardware:
  template: systolic
  accelerator: {0}examples/accel/edge-default.yaml
  accelerator_space: {0}examples/accel/edge-space.yaml
  fixed_network: "3,3,3,1,3,2"
limits: {{latency_ms: 1.0, energy_mj: 2.0, area_mm2: 60}}
objectives: [accuracy, latency_ms, energy_mj]
accuracy: {{source: table, table: {0}data/nasbench201/archs_cifar10.csv}}
search: {{algorithm: evolution, candidates: 30, batch: 6, workers: 2, population: 10,
          tournament: 3, seed: 4}}
)",
                                              kRoot));
}

TEST(EdgeSearch, TheThreeModesSearchWhatTheySayAndMeetTheLimits) {
  const std::string dir = folder("modes");
  const std::string file = cosearch_run(dir);
  const cost::SystolicConfig fixed_accelerator =
      io::read_systolic_file(kRoot + "examples/accel/edge-default.yaml");
  const std::string fixed_yaml = io::to_yaml(fixed_accelerator);
  std::map<CoSearchMode, RunSummary> results;
  for (const CoSearchMode mode :
       {CoSearchMode::fixed_hw, CoSearchMode::fixed_net, CoSearchMode::joint}) {
    const RunConfig run = read_run_file(file, mode);
    ASSERT_EQ(run.mode, mode);
    const std::size_t accel_genes = run.systolic->space.genes().size();
    EXPECT_EQ(accel_genes, 10u);
    EXPECT_EQ(run.space->genes().size(), mode == CoSearchMode::fixed_hw    ? 6u
                                         : mode == CoSearchMode::fixed_net ? accel_genes
                                                                           : 6u + accel_genes);
    const RunSummary s = run_search(run, dir + "/" + std::string(to_string(mode)), false);
    ASSERT_EQ(s.candidates.size(), 30u);
    // hwnas report reads the run back in the mode it ran in, whatever the file says.
    EXPECT_EQ(stored_mode(dir + "/" + std::string(to_string(mode))), mode);
    std::set<std::string> networks, accelerators;
    int feasible = 0;
    for (const Candidate& c : s.candidates) {
      const std::string arch = c.description.substr(0, c.description.find(" | "));
      networks.insert(arch);
      accelerators.insert(c.hardware_yaml);
      ASSERT_TRUE(std::isfinite(c.energy_mj)) << c.reason;
      ASSERT_TRUE(std::isfinite(c.area_mm2)) << c.reason;
      if (!c.feasible()) continue;
      ++feasible;
      EXPECT_LE(c.latency_ms, 1.0);
      EXPECT_LE(c.energy_mj, 2.0);
      EXPECT_LE(c.area_mm2, 60);
      // Accuracy is the table's validation accuracy of the cell (test reported beside it).
      const auto row = table().row_of_arch(arch);
      ASSERT_TRUE(row.has_value()) << arch;
      EXPECT_NEAR(c.accuracy, table().archs[*row].valid_acc, 0.01) << arch;
      EXPECT_EQ(c.accuracy_source, "tabular");
    }
    EXPECT_GT(feasible, 0) << to_string(mode);
    if (mode == CoSearchMode::fixed_hw) {
      EXPECT_EQ(accelerators, std::set<std::string>{fixed_yaml});
      EXPECT_GT(networks.size(), 10u);
    } else if (mode == CoSearchMode::fixed_net) {
      EXPECT_EQ(networks, std::set<std::string>{kBestArch});
      EXPECT_GT(accelerators.size(), 10u);
    } else {
      EXPECT_GT(networks.size(), 10u);
      EXPECT_GT(accelerators.size(), 10u);
    }
    results[mode] = s;
  }
  // The fixed network is the table's most accurate: where fixed-net finds a feasible design,
  // nothing beats its accuracy.
  const auto& fixed_net = results[CoSearchMode::fixed_net];
  ASSERT_TRUE(fixed_net.best.has_value());
  EXPECT_NEAR(fixed_net.candidates[*fixed_net.best].accuracy, 0.9161, 5e-4);
}

TEST(EdgeSearch, EveryAlgorithmSearchesTheJointGenotype) {
  const std::string dir = folder("algorithms");
  const std::string base = cosearch_run(dir);
  std::ifstream in(base);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (const std::string algorithm : {"random", "nsga2", "fnas"}) {
    std::string variant = text;
    variant.replace(variant.find("algorithm: evolution"), 20, "algorithm: " + algorithm);
    const std::string file = write(dir + "/" + algorithm + ".yaml", variant);
    const RunConfig run = read_run_file(file, CoSearchMode::joint);
    const RunSummary s = run_search(run, dir + "/" + algorithm, false);
    ASSERT_EQ(s.candidates.size(), 30u) << algorithm;
    std::set<std::string> designs;
    for (const Candidate& c : s.candidates) {
      ASSERT_EQ(c.genotype.size(), 16u);  // 6 edges + 10 accelerator parameters
      designs.insert(c.description);
    }
    EXPECT_GT(designs.size(), 15u) << algorithm;
  }
}

TEST(EdgeSearch, AModeThatSearchesTheAcceleratorNeedsItsSpace) {
  const std::string dir = folder("needs_space");
  const std::string file =
      write(dir + "/run.yaml", fmt::format(R"(space: {0}examples/spaces/nb201.yaml
hardware: {{template: systolic, accelerator: {0}examples/accel/edge-default.yaml}}
reference: {{latency_ms: 1}}
accuracy: {{source: table, table: {0}data/nasbench201/archs_cifar10.csv}}
)",
                                           kRoot));
  EXPECT_EQ(read_run_file(file).mode, CoSearchMode::fixed_hw);
  try {
    read_run_file(file, CoSearchMode::joint);
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(e.key(), "hardware");
    EXPECT_NE(std::string(e.what()).find("give 'accelerator_space'"), std::string::npos);
  }
}

TEST(EdgeSearch, AMeasuredDevicesModelGivesTheLatencyAndTheSoftRewardRanks) {
  const std::string dir = folder("measured");
  // A latency model of the Edge TPU fitted on 100 of its measurements.
  const latency::SpaceSpec nb201 = latency::load_space("nb201");
  const tabular::Nb201Table& archs = table();
  const latency::Measurements tpu = latency::read_measurements(
      kRoot + std::string(tabular::kNb201HwCsv), *nb201.space, {"edgetpu", &archs});
  latency::FitOptions fit;
  fit.rows = 100;
  const latency::LatencyModel model = latency::LatencyModel::fit(tpu, nb201, fit);
  model.save(dir + "/edgetpu.model");

  const std::string file =
      write(dir + "/run.yaml", fmt::format(R"(space: {0}examples/spaces/nb201.yaml
hardware: {{template: measured, latency_model: edgetpu.model}}
limits: {{latency_ms: 1.0}}
accuracy: {{source: table, table: {0}data/nasbench201/archs_cifar10.csv}}
search: {{algorithm: evolution, candidates: 24, batch: 6, population: 8, tournament: 3, seed: 2,
          reward: {{target_ms: 1.0, alpha: -0.07, beta: -0.07}}}}
)",
                                           kRoot));
  const RunConfig run = read_run_file(file);
  ASSERT_TRUE(run.latency);
  const RunSummary s = run_search(run, dir + "/out", false);
  ASSERT_EQ(s.candidates.size(), 24u);
  const Candidate* best = nullptr;
  for (const Candidate& c : s.candidates) {
    EXPECT_NEAR(c.latency_ms, model.predict_ms(c.genotype), 1e-9);
    // The soft reward replaces the latency limit: nothing is rejected for latency.
    EXPECT_TRUE(c.feasible()) << c.reason;
    EXPECT_NEAR(c.reward, c.accuracy * std::pow(c.latency_ms / 1.0, -0.07), 1e-12);
    EXPECT_EQ(c.outcome.reward, c.reward);
    if (!best || c.reward > best->reward) best = &c;
  }
  ASSERT_TRUE(s.best.has_value());
  EXPECT_EQ(s.candidates[*s.best].seq, best->seq);

  // A model of another space is refused.
  const std::string layered = write(dir + "/layered.yaml", R"(space: layered
input: {channels: 1, height: 8, width: 8}
classes: 2
layers: {count: [1], kernel: [1], filters: [2, 4], stride: [1], pool: [none]}
)");
  const std::string other = write(dir + "/other.yaml", R"(space: layered.yaml
hardware: {template: measured, latency_model: edgetpu.model}
reference: {latency_ms: 1}
)");
  try {
    read_run_file(other);
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(e.key(), "hardware.latency_model");
    EXPECT_NE(std::string(e.what()).find("was fitted for a nb201 space of 6 genes"),
              std::string::npos)
        << e.what();
  }
  (void)layered;
}

TEST(SoftReward, MnasNetsFormula) {
  const SoftReward reward{.target_ms = 2.0, .alpha = -0.07, .beta = -0.5};
  // At the target: accuracy itself; faster: alpha applies; slower: beta.
  EXPECT_DOUBLE_EQ(soft_reward(reward, 0.8, 2.0), 0.8);
  EXPECT_NEAR(soft_reward(reward, 0.8, 1.0), 0.8 * std::pow(0.5, -0.07), 1e-15);  // 0.8399
  EXPECT_NEAR(soft_reward(reward, 0.8, 8.0), 0.8 * 0.5, 1e-15);                   // 4^-0.5
}

}  // namespace
}  // namespace hwnas::pipeline
