// Benchmarks of the FPGA cost models (figures in the README, "Benchmarks").
//  * one layer's analytic evaluation (target < 100 ns);
//  * the tiled design-space exploration of a 20-layer network on xczu9eg (target < 50 ms),
//    with the exhaustive search on a small network measured in the same run for a ratio.

#include <benchmark/benchmark.h>

#include "hwnas/cost/dataflow.hpp"
#include "hwnas/cost/tiled.hpp"
#include "hwnas/io/device_yaml.hpp"
#include "hwnas/io/network_yaml.hpp"

namespace {

using namespace hwnas;

ir::Layer conv(int out, int kernel = 3) {
  ir::Layer l;
  l.kind = ir::LayerKind::conv;
  l.out = out;
  l.kernel = kernel;
  l.pad = kernel / 2;
  return l;
}
ir::Layer simple(ir::LayerKind kind, int kernel = 1) {
  ir::Layer l;
  l.kind = kind;
  l.kernel = kernel;
  l.stride = kernel;
  return l;
}

// A VGG-style ImageNet network with 20 weight layers: 17 3x3 convolutions in five stages
// (2, 2, 4, 4, 5 convs of 64..512 channels, each stage closed by a 2x2 max pool), then
// 4096-4096-1000 fully connected layers; 16-bit weights and activations.
ir::Network cnn20() {
  ir::Network net;
  net.name = "cnn20";
  net.input = {3, 224, 224};
  const int depth[] = {2, 2, 4, 4, 5};
  const int width[] = {64, 128, 256, 512, 512};
  for (int stage = 0; stage < 5; ++stage) {
    for (int i = 0; i < depth[stage]; ++i) {
      net.layers.push_back(conv(width[stage]));
      net.layers.push_back(simple(ir::LayerKind::relu));
    }
    net.layers.push_back(simple(ir::LayerKind::maxpool, 2));
  }
  for (int out : {4096, 4096, 1000}) {
    ir::Layer fc = simple(ir::LayerKind::linear);
    fc.out = out;
    net.layers.push_back(fc);
  }
  ir::assign_default_names(net);
  return net;
}

// LeNet's two convolutions alone: small enough for exhaustive search.
ir::Network lenet_convs() {
  ir::Network net;
  net.name = "lenet-convs";
  net.input = {1, 28, 28};
  ir::Layer c1 = conv(6, 5);
  ir::Layer c2 = conv(16, 5);
  c2.pad = 0;
  net.layers = {c1, simple(ir::LayerKind::maxpool, 2), c2};
  ir::assign_default_names(net);
  return net;
}

void BM_TiledLayerCycles(benchmark::State& state) {
  const auto problem =
      cost::prepare_tiled(cnn20(), io::load_target("xczu9eg"), cost::TiledModel::halo);
  const cost::TiledConfig config{64, 32, 14, 14};
  std::size_t layer = 0;  // the 3x3 conv 64 -> 64 on 224x224 (second layer of the network)
  for (std::size_t i = 0, convs = 0; i < problem.layers.size(); ++i) {
    if (problem.layers[i].kind == cost::TiledLayer::Kind::mac && ++convs == 2) layer = i;
  }
  for (auto _ : state) {
    benchmark::DoNotOptimize(cost::tiled_layer_cycles(problem, layer, config));
  }
}
BENCHMARK(BM_TiledLayerCycles);

void BM_TiledResources(benchmark::State& state) {
  const auto problem =
      cost::prepare_tiled(cnn20(), io::load_target("xczu9eg"), cost::TiledModel::halo);
  for (auto _ : state) {
    benchmark::DoNotOptimize(cost::tiled_resources(problem, {64, 32, 14, 14}));
  }
}
BENCHMARK(BM_TiledResources);

void BM_TiledDse_Cnn20_Xczu9eg(benchmark::State& state) {
  const hw::Target target = io::load_target("xczu9eg");
  const auto problem = cost::prepare_tiled(cnn20(), target, cost::TiledModel::halo);
  cost::TiledSearchResult result;
  for (auto _ : state) {
    result = cost::explore_tiled(problem, target.device.budget);
    benchmark::DoNotOptimize(result);
  }
  state.counters["evaluated"] = static_cast<double>(result.evaluated);
  state.counters["candidates"] = static_cast<double>(result.candidates);
  state.counters["latency_ms"] = result.latency_cycles / (target.board.clock_mhz * 1e3);
  state.SetLabel(cost::to_string(result.config));
}
BENCHMARK(BM_TiledDse_Cnn20_Xczu9eg)->Unit(benchmark::kMillisecond);

void BM_TiledDse_LeNetConvs(benchmark::State& state) {
  const hw::Target target = io::load_target("xc7z020");
  const auto problem = cost::prepare_tiled(lenet_convs(), target, cost::TiledModel::halo);
  cost::TiledSearchResult result;
  for (auto _ : state) {
    result = cost::explore_tiled(problem, target.device.budget);
    benchmark::DoNotOptimize(result);
  }
  state.counters["evaluated"] = static_cast<double>(result.evaluated);
  state.SetLabel(cost::to_string(result.config));
}
BENCHMARK(BM_TiledDse_LeNetConvs)->Unit(benchmark::kMicrosecond);

void BM_TiledExhaustive_LeNetConvs(benchmark::State& state) {
  const hw::Target target = io::load_target("xc7z020");
  const auto problem = cost::prepare_tiled(lenet_convs(), target, cost::TiledModel::halo);
  cost::TiledSearchResult result;
  for (auto _ : state) {
    result = cost::explore_tiled_exhaustive(problem, target.device.budget);
    benchmark::DoNotOptimize(result);
  }
  state.counters["evaluated"] = static_cast<double>(result.evaluated);
  state.SetLabel(cost::to_string(result.config));
}
BENCHMARK(BM_TiledExhaustive_LeNetConvs)->Unit(benchmark::kMicrosecond);

void BM_DataflowEstimate_MobileNetV2(benchmark::State& state) {
  const hw::Target target = io::load_target("xczu3eg");
  const ir::Network net = io::read_network_file(HWNAS_SOURCE_DIR "/examples/networks/mbv2.yaml");
  const cost::DataflowConfig config = cost::balance_folding(net, target);
  for (auto _ : state) benchmark::DoNotOptimize(cost::estimate_dataflow(net, target, config));
}
BENCHMARK(BM_DataflowEstimate_MobileNetV2)->Unit(benchmark::kMicrosecond);

void BM_DataflowBalance_LeNet(benchmark::State& state) {
  const hw::Target target = io::load_target("xczu3eg");
  const ir::Network net = io::read_network_file(HWNAS_SOURCE_DIR "/examples/networks/lenet.yaml");
  for (auto _ : state) benchmark::DoNotOptimize(cost::balance_folding(net, target));
}
BENCHMARK(BM_DataflowBalance_LeNet)->Unit(benchmark::kMillisecond);

// MobileNetV2's 8-bit weights need more BRAM than the xczu3eg has: the balancer has to prove
// that no folding fits.
void BM_DataflowBalance_MobileNetV2(benchmark::State& state) {
  const hw::Target target = io::load_target("xczu3eg");
  const ir::Network net = io::read_network_file(HWNAS_SOURCE_DIR "/examples/networks/mbv2.yaml");
  for (auto _ : state) benchmark::DoNotOptimize(cost::balance_folding(net, target));
}
BENCHMARK(BM_DataflowBalance_MobileNetV2)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
