#include "hwnas/cost/tiled.hpp"

#include <gtest/gtest.h>

#include "hwnas/core/rng.hpp"
#include "hwnas/cost/primitives.hpp"

namespace hwnas::cost {
namespace {

hw::Device zu3eg_like() {
  hw::Device d;
  d.name = "zu3eg-like";
  d.dsp_kind = hw::DspKind::dsp48e2;
  d.budget = {360, 432, 70560, 141120};
  d.bram_aspects = {{1, 16384}, {2, 8192}, {4, 4096}, {9, 2048}, {18, 1024}, {36, 512}};
  return d;
}
// 64-bit ports, DRAM fast enough never to throttle them: 4 words of 16 bits per cycle.
hw::Target target() {
  hw::Board b;
  b.name = "test";
  b.clock_mhz = 100;
  b.dram_gb_per_s = 100;
  b.weight_port_bits = b.input_port_bits = b.output_port_bits = 64;
  return {zu3eg_like(), b};
}

ir::Layer conv(int out, int kernel, int stride, int pad, ir::Bits bits = {}) {
  ir::Layer l;
  l.kind = ir::LayerKind::conv;
  l.out = out;
  l.kernel = kernel;
  l.stride = stride;
  l.pad = pad;
  l.bits = bits;
  return l;
}
ir::Network single(ir::Shape input, ir::Layer layer) {
  ir::Network n;
  n.name = "t";
  n.input = input;
  n.layers = {layer};
  ir::assign_default_names(n);
  return n;
}

TEST(Tiled, ComputeBoundConvHandDerived) {
  // 16 -> 32 channels, 3x3, stride 1, pad 1 on 16x16; Tm=8 Tn=4 Tr=8 Tc=8; 4 words/cycle.
  // halo input tile (1*8+3-1)^2 = 100: tI = ceil(4*100/4) = 100; tW = ceil(8*4*9/4) = 72;
  // tO = ceil(8*64/4) = 128; tComp = 9*64 = 576 -> Lat1 = 576 (compute);
  // Lat2 = max(ceil(16/4)*576, 128) = 2304; Lat = ceil(16/8)*ceil(16/8)*ceil(32/8)*2304 = 36,864.
  const auto problem =
      prepare_tiled(single({16, 16, 16}, conv(32, 3, 1, 1)), target(), TiledModel::halo);
  const TiledConfig config{8, 4, 8, 8};
  const auto lc = tiled_layer_cycles(problem, 0, config);
  EXPECT_EQ(lc.cycles, 36864);
  EXPECT_EQ(lc.bound, Bound::compute);
  // The FNAS model's input tile is 4*8*8/4 = 64 cycles, still under compute: same latency.
  const auto fnas =
      prepare_tiled(single({16, 16, 16}, conv(32, 3, 1, 1)), target(), TiledModel::fnas);
  EXPECT_EQ(tiled_layer_cycles(fnas, 0, config).cycles, 36864);

  // Resources: DSP = 8*4*1 = 32. Input banks: 100 words x 16 bits fit one BRAM18 (1Kx18),
  // 2 buffers x 4 banks = 8. Output banks: 64 x 32-bit fit one BRAM18 (512x36), 2 x 8 = 16.
  // Weights: depth 9 <= 64 -> LUTRAM, 2 x 4 banks x (8*16 bits) x ceil(9/64) = 1,024 LUTs;
  // + 2,000 control = 3,024. FF = 32*(16+16) + 8*32 + 3,000 = 4,280.
  const hw::Resources r = tiled_resources(problem, config);
  EXPECT_DOUBLE_EQ(r.dsp, 32);
  EXPECT_DOUBLE_EQ(r.bram, 24);
  EXPECT_DOUBLE_EQ(r.lut, 3024);
  EXPECT_DOUBLE_EQ(r.ff, 4280);

  const CostReport report = estimate_tiled(problem, config);
  EXPECT_EQ(report.latency_cycles, 36864);
  // 36,864 cycles at 100 MHz = 0.36864 ms; 1 / 0.36864 ms = 2,712.67 images/s.
  EXPECT_NEAR(report.latency_ms, 0.36864, 1e-9);
  EXPECT_NEAR(report.throughput_fps, 2712.673611, 1e-5);
  EXPECT_TRUE(report.fits);
}

TEST(Tiled, WeightBoundLinearAndTheFnasOvercount) {
  // linear 256 -> 10, Tm=8 Tn=4 Tr=Tc=8. halo: tiles clip to 1x1: tI = ceil(4/4) = 1,
  // tW = ceil(8*4/4) = 8, tO = ceil(8/4) = 2, tComp = 1 -> Lat1 = 8 (weight);
  // Lat2 = ceil(256/4)*8 = 512; Lat = ceil(10/8)*512 = 1,024.
  ir::Layer fc;
  fc.kind = ir::LayerKind::linear;
  fc.out = 10;
  const TiledConfig config{8, 4, 8, 8};
  const auto halo = prepare_tiled(single({256, 1, 1}, fc), target(), TiledModel::halo);
  EXPECT_EQ(tiled_layer_cycles(halo, 0, config).cycles, 1024);
  EXPECT_EQ(tiled_layer_cycles(halo, 0, config).bound, Bound::weight);
  // fnas uses the full 8x8 tile: tI = 4*64/4 = 64, tO = 8*64/4 = 128, tComp = 64 -> Lat1 = 64;
  // Lat2 = 64*64 = 4,096; Lat = 2*4,096 = 8,192.
  const auto fnas = prepare_tiled(single({256, 1, 1}, fc), target(), TiledModel::fnas);
  EXPECT_EQ(tiled_layer_cycles(fnas, 0, config).cycles, 8192);
}

TEST(Tiled, OutputBoundPointwise) {
  // 1x1 conv 2 -> 64 on 8x8, Tm=32 Tn=2 Tr=Tc=8: tI = ceil(2*64/4) = 32, tW = ceil(32*2/4) = 16,
  // tO = ceil(32*64/4) = 512, tComp = 64; Lat2 = max(1*64, 512) = 512 (output);
  // Lat = ceil(64/32)*512 = 1,024.
  const auto p = prepare_tiled(single({2, 8, 8}, conv(64, 1, 1, 0)), target(), TiledModel::halo);
  const auto lc = tiled_layer_cycles(p, 0, {32, 2, 8, 8});
  EXPECT_EQ(lc.cycles, 1024);
  EXPECT_EQ(lc.bound, Bound::output);
}

TEST(Tiled, InputBoundStridedHalo) {
  // 3x3 stride 2 pad 1, 8 -> 4 channels, 16x16 -> 8x8; Tm=4 Tn=8 Tr=Tc=8.
  // halo tile (2*8+3-2)^2 = 17^2 = 289: tI = ceil(8*289/4) = 578; tW = 72; tO = 64;
  // tComp = 576 -> input bound; Lat = 578.
  const auto p = prepare_tiled(single({8, 16, 16}, conv(4, 3, 2, 1)), target(), TiledModel::halo);
  const auto lc = tiled_layer_cycles(p, 0, {4, 8, 8, 8});
  EXPECT_EQ(lc.cycles, 578);
  EXPECT_EQ(lc.bound, Bound::input);
}

TEST(Tiled, NarrowBitsUseFewerDspsAndWiderPorts) {
  // 8-bit weights and activations on DSP48E2: two MACs per DSP (WP487): 32 MACs -> 16 DSPs.
  // Ports carry 64/8 = 8 words: tW = ceil(8*4*9/8) = 36.
  const auto p =
      prepare_tiled(single({16, 16, 16}, conv(32, 3, 1, 1, {8, 8})), target(), TiledModel::halo);
  EXPECT_DOUBLE_EQ(tiled_resources(p, {8, 4, 8, 8}).dsp, 16);
  EXPECT_DOUBLE_EQ(p.layers[0].wp, 8);
  // 4-bit: LUT multipliers, no DSPs; LUTs add (2*ceil(8/6)-1)*8 = 24 per MAC and the adder
  // tree 8*(2*4-1) = 56 per output lane: 32*24 + 8*56 = 1,216 more LUTs.
  const auto q =
      prepare_tiled(single({16, 16, 16}, conv(32, 3, 1, 1, {4, 4})), target(), TiledModel::halo);
  const hw::Resources r4 = tiled_resources(q, {8, 4, 8, 8});
  EXPECT_DOUBLE_EQ(r4.dsp, 0);
  // LUTRAM for 4-bit weights: 2*4*(8*4)*1 = 256; + 1,216 + 2,000 = 3,472.
  EXPECT_DOUBLE_EQ(r4.lut, 3472);
}

TEST(Tiled, DramBandwidthThrottlesPorts) {
  // 0.8 GB/s at 100 MHz = 64 bits per cycle for three 64-bit ports: each gets 64/3 = 21.33 bits,
  // i.e. floor(21.33/16) = 1 word of 16 bits per cycle.
  hw::Target t = target();
  t.board.dram_gb_per_s = 0.8;
  const auto p = prepare_tiled(single({16, 16, 16}, conv(32, 3, 1, 1)), t, TiledModel::halo);
  EXPECT_DOUBLE_EQ(p.layers[0].wp, 1);
  EXPECT_DOUBLE_EQ(p.layers[0].ip, 1);
}

TEST(Tiled, DepthwiseRunsGroupByGroup) {
  // depthwise 3x3 on 8 channels 8x8: per group M=N=1; Tm=4 Tn=4 Tr=Tc=8 clip to 1x1x8x8.
  // tI = ceil(1*10*10/4) = 25, tW = ceil(9/4) = 3, tO = ceil(64/4) = 16, tComp = 576;
  // Lat per group = 576; 8 groups -> 4,608 cycles.
  ir::Layer dw = conv(0, 3, 1, 1);
  dw.groups = ir::kDepthwiseGroups;
  const auto p = prepare_tiled(single({8, 8, 8}, dw), target(), TiledModel::halo);
  EXPECT_EQ(tiled_layer_cycles(p, 0, {4, 4, 8, 8}).cycles, 4608);
}

TEST(Tiled, PoolIsAMemoryPassAndReluIsFused) {
  ir::Network n;
  n.input = {4, 8, 8};
  ir::Layer relu;
  relu.kind = ir::LayerKind::relu;
  ir::Layer pool;
  pool.kind = ir::LayerKind::maxpool;
  pool.kernel = 2;
  pool.stride = 2;
  n.layers = {conv(4, 3, 1, 1), relu, pool};
  ir::assign_default_names(n);
  const auto p = prepare_tiled(n, target(), TiledModel::halo);
  EXPECT_EQ(tiled_layer_cycles(p, 1, {}).bound, Bound::fused);
  EXPECT_EQ(tiled_layer_cycles(p, 1, {}).cycles, 0);
  // read 4*8*8 = 256 words at 4/cycle = 64 cycles; write 64 words = 16 cycles -> 64 (input).
  EXPECT_EQ(tiled_layer_cycles(p, 2, {}).cycles, 64);
  EXPECT_EQ(tiled_layer_cycles(p, 2, {}).bound, Bound::input);
}

// Random small networks: the pruned DSE must return exactly the exhaustive optimum.
ir::Network random_network(Rng& rng) {
  ir::Network n;
  n.name = "random";
  const int size = static_cast<int>(rng.uniform_int(3, 9));
  n.input = {rng.uniform_int(1, 8), size, size};
  const int layers = static_cast<int>(rng.uniform_int(1, 3));
  for (int i = 0; i < layers; ++i) {
    const int k = static_cast<int>(rng.uniform_int(0, 1)) * 2 + 1;  // 1 or 3
    const int s = static_cast<int>(rng.uniform_int(1, 2));
    n.layers.push_back(conv(static_cast<int>(rng.uniform_int(1, 10)), k, s, k / 2));
  }
  if (rng.bernoulli(0.5)) {
    ir::Layer fc;
    fc.kind = ir::LayerKind::linear;
    fc.out = static_cast<int>(rng.uniform_int(1, 6));
    n.layers.push_back(fc);
  }
  ir::assign_default_names(n);
  return n;
}

TEST(TiledDse, EqualsExhaustiveSearchOnRandomSmallNetworks) {
  Rng rng(2024);
  int with_fit = 0;
  std::int64_t fast_total = 0, exhaustive_total = 0;
  for (int instance = 0; instance < 60; ++instance) {
    const ir::Network net = random_network(rng);
    hw::Target t = target();
    t.board.dram_gb_per_s = 0.2 + rng.uniform01() * 2;  // some instances memory bound
    const TiledModel model = instance % 2 ? TiledModel::fnas : TiledModel::halo;
    const auto problem = prepare_tiled(net, t, model);
    hw::Resources budget{static_cast<double>(rng.uniform_int(1, 40)),
                         static_cast<double>(rng.uniform_int(4, 60)), 4000 + rng.uniform01() * 3000,
                         1e6};
    const auto fast = explore_tiled(problem, budget);
    const auto exhaustive = explore_tiled_exhaustive(problem, budget);
    ASSERT_EQ(fast.found, exhaustive.found) << "instance " << instance;
    if (!fast.found) continue;
    ++with_fit;
    EXPECT_EQ(fast.latency_cycles, exhaustive.latency_cycles) << "instance " << instance;
    EXPECT_EQ(fast.config, exhaustive.config)
        << "instance " << instance << ": " << to_string(fast.config) << " vs "
        << to_string(exhaustive.config);
    EXPECT_LE(fast.evaluated, exhaustive.evaluated);
    fast_total += fast.evaluated;
    exhaustive_total += exhaustive.evaluated;
  }
  EXPECT_GT(with_fit, 40);  // the comparison must be about real optima, not empty answers
  EXPECT_LT(fast_total * 5,
            exhaustive_total);  // and the pruning must actually prune  // the comparison must be
                                // about real optima, not empty answers
}

TEST(TiledDse, NothingFitsIsAResult) {
  const auto problem =
      prepare_tiled(single({16, 16, 16}, conv(32, 3, 1, 1)), target(), TiledModel::halo);
  const auto result = explore_tiled(problem, {0, 432, 70560, 141120});
  EXPECT_FALSE(result.found);
}

TEST(TiledDse, PerLayerIsNoSlowerThanShared) {
  Rng rng(5);
  for (int i = 0; i < 10; ++i) {
    const auto problem = prepare_tiled(random_network(rng), target(), TiledModel::halo);
    const hw::Resources budget{16, 40, 20000, 1e6};
    const auto shared = explore_tiled(problem, budget);
    const auto per_layer = explore_tiled_per_layer(problem, budget);
    ASSERT_TRUE(shared.found && per_layer.found);
    EXPECT_LE(per_layer.report.latency_cycles, shared.latency_cycles);
  }
}

}  // namespace
}  // namespace hwnas::cost
