#include "hwnas/map/candidates.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "hwnas/core/error.hpp"
#include "hwnas/io/device_yaml.hpp"
#include "hwnas/io/network_yaml.hpp"

namespace hwnas::map {
namespace {

const std::string kSource = HWNAS_SOURCE_DIR;

ir::Network lenet() {
  return io::read_network_file(kSource + "/examples/networks/lenet.yaml");
}

std::vector<std::string> names(const std::vector<Subgraph>& subgraphs) {
  std::vector<std::string> out;
  for (const auto& s : subgraphs) out.push_back(s.name);
  return out;
}

TEST(Partition, LayerPartitionOfLeNet) {
  const auto subgraphs = partition_network(lenet(), Partition::layer);
  EXPECT_EQ(names(subgraphs), (std::vector<std::string>{"conv1", "conv2", "fc1", "fc2", "fc3"}));
  EXPECT_EQ(subgraphs[0].layers, (std::vector<int>{0, 1, 2}));  // conv1, relu1, maxpool2
  EXPECT_EQ(subgraphs[4].layers, (std::vector<int>{10}));
}

TEST(Partition, BlockPartitionOfMobileNetV2) {
  const ir::Network net = io::read_network_file(kSource + "/examples/networks/mbv2.yaml");
  const auto blocks = partition_network(net, Partition::block);
  ASSERT_EQ(blocks.size(), 20u);  // stem, 17 inverted residuals b0..b16, head, classifier
  EXPECT_EQ(blocks[0].name, "stem");
  EXPECT_EQ(blocks[1].name, "b0");
  EXPECT_EQ(blocks[17].name, "b16");
  EXPECT_EQ(blocks[18].name, "head");
  EXPECT_EQ(blocks[19].name, "classifier");
  // b1: expand, bn, relu6, dw, bn, relu6, project, bn (stride 2: no residual add) = 8 layers.
  EXPECT_EQ(blocks[2].layers.size(), 8u);
  std::size_t total = 0;
  for (const auto& b : blocks) total += b.layers.size();
  EXPECT_EQ(total, net.layers.size());
}

TEST(Dataflow, ChosenFoldingReproducesTheEstimate) {
  const ir::Network net = lenet();
  const hw::Target target = io::load_target("xczu3eg");
  for (const Objective objective : {Objective::throughput, Objective::latency}) {
    CandidateOptions options;
    options.objective = objective;
    MappingProblem problem = dataflow_problem(net, target, options);
    prune_dominated(problem);
    const MappingResult r = solve_mapping_dp(problem);
    ASSERT_EQ(r.status, solve::Status::optimal);
    const cost::CostReport report =
        cost::estimate_dataflow(net, target, apply_foldings(net, problem, r.choice));
    std::int64_t stage_sum = 0;
    for (const auto& layer : report.layers) stage_sum += layer.cycles;
    if (objective == Objective::throughput) {
      EXPECT_EQ(r.objective_cycles, report.interval_cycles);
    } else {
      EXPECT_EQ(r.objective_cycles, stage_sum);
    }
    EXPECT_EQ(r.used.dsp, report.used.dsp);
    EXPECT_EQ(r.used.bram, report.used.bram);
    EXPECT_EQ(r.used.lut, report.used.lut);
    EXPECT_LE(report.used.dsp, target.device.budget.dsp);
  }
}

TEST(Dataflow, TighterBudgetsNeverSpeedUpTheOptimum) {
  const ir::Network net = lenet();
  hw::Target target = io::load_target("xczu3eg");
  CandidateOptions options;
  options.objective = Objective::throughput;
  double previous = 0;
  for (const double dsp : {360.0, 120.0, 40.0, 12.0}) {
    target.device.budget.dsp = dsp;
    MappingProblem problem = dataflow_problem(net, target, options);
    const MappingResult r = solve_mapping_dp(problem);
    ASSERT_EQ(r.status, solve::Status::optimal) << dsp;
    EXPECT_LE(r.used.dsp, dsp);
    EXPECT_GE(r.objective_cycles, previous) << dsp;
    previous = r.objective_cycles;
  }
}

TEST(Tiled, EngineSharesFitAndReproduceTheirTiling) {
  const ir::Network net = lenet();
  const hw::Target target = io::load_target("xczu3eg");
  CandidateOptions options;
  MappingProblem problem = tiled_problem(net, target, options);
  for (const auto& s : problem.subgraphs) EXPECT_FALSE(s.candidates.empty()) << s.name;
  prune_dominated(problem);
  const MappingResult r = solve_mapping_dp(problem);
  ASSERT_EQ(r.status, solve::Status::optimal);
  const cost::TiledProblem whole = cost::prepare_tiled(net, target, cost::TiledModel::halo);
  double cycles = 0;
  hw::Resources used;
  for (std::size_t s = 0; s < problem.subgraphs.size(); ++s) {
    const Candidate& c = problem.subgraphs[s].candidates[r.choice[s]];
    const cost::TiledProblem sub = cost::restrict_tiled(whole, problem.subgraphs[s].layers);
    cycles += static_cast<double>(cost::estimate_tiled(sub, c.tiled).latency_cycles);
    used += cost::tiled_resources(sub, c.tiled);
  }
  EXPECT_EQ(r.objective_cycles, cycles);
  EXPECT_EQ(r.used, used);
  EXPECT_LE(used.dsp, 360);
}

TEST(Accuracy, NoiseProxyByHand) {
  // One 1x1 conv 1 -> 2 channels on 2x2, no bias: 2 parameters, 8 output values.
  // At 8/8 the whole network's reference is (2 + 8) * 4^-8 = 10 * 4^-8, so 8/8 costs 1, and
  // w4/a8 costs (2 * 4^-4 + 8 * 4^-8) / (10 * 4^-8) = (2 * 256 + 8) / 10 = 52.
  ir::Network net;
  net.input = {1, 2, 2};
  ir::Layer conv;
  conv.kind = ir::LayerKind::conv;
  conv.out = 2;
  conv.bias = false;
  net.layers = {conv};
  ir::assign_default_names(net);
  const ir::NetworkStats stats = ir::analyze(net);
  const Subgraph all{"conv0", {0}, {}};
  EXPECT_DOUBLE_EQ(quantization_noise_cost(net, stats, all, {8, 8}), 1.0);
  EXPECT_DOUBLE_EQ(quantization_noise_cost(net, stats, all, {4, 8}), 52.0);
}

TEST(Accuracy, BudgetTradesBitsForSpeed) {
  const ir::Network net = lenet();
  const hw::Target target = io::load_target("xczu3eg");
  CandidateOptions options;
  options.objective = Objective::throughput;
  options.bits = {{4, 4}, {8, 8}};
  MappingProblem problem = dataflow_problem(net, target, options);
  // Exactly the 8/8 network's cost (1 by construction): every subgraph must stay at 8 bits.
  problem.accuracy_budget = 1.0 + 1e-9;
  const MappingResult strict = solve_mapping_dp(problem);
  ASSERT_EQ(strict.status, solve::Status::optimal);
  for (std::size_t s = 0; s < problem.subgraphs.size(); ++s) {
    EXPECT_EQ(problem.subgraphs[s].candidates[strict.choice[s]].bits, (ir::Bits{8, 8}));
  }
  // No accuracy limit: 4-bit LUT multipliers free the DSPs, so the optimum is no slower.
  problem.accuracy_budget.reset();
  const MappingResult free = solve_mapping_dp(problem);
  ASSERT_EQ(free.status, solve::Status::optimal);
  EXPECT_LE(free.objective_cycles, strict.objective_cycles);
  EXPECT_GT(free.accuracy_cost, strict.accuracy_cost);
  // Applying the bits gives a network with the chosen widths.
  const ir::Network quantized = apply_bits(net, problem, free.choice);
  const Candidate& first = problem.subgraphs[0].candidates[free.choice[0]];
  EXPECT_EQ(quantized.layers[0].bits, first.bits);
}

TEST(Accuracy, SensitivityTableNamesTheMissingEntry) {
  SensitivityTable table;
  table.source = "sens.csv";
  table.costs[{"conv1", 8, 8}] = 0.25;
  const ir::Network net = lenet();
  const ir::NetworkStats stats = ir::analyze(net);
  const Subgraph s{"conv1", {0}, {}};
  EXPECT_EQ(table(net, stats, s, {8, 8}), 0.25);
  try {
    table(net, stats, s, {4, 8});
    FAIL();
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(),
                 "sens.csv: conv1: no accuracy cost for weight bits 4 and activation bits 8");
  }
}

}  // namespace
}  // namespace hwnas::map
