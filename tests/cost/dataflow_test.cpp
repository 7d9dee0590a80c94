#include "hwnas/cost/dataflow.hpp"

#include <algorithm>
#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "hwnas/core/error.hpp"

namespace hwnas::cost {
namespace {

using ir::Layer;
using ir::LayerKind;
using ir::Network;

// An xczu3eg-like part on a 200 MHz board. BRAM18 aspects from UG573.
hw::Target zu3eg() {
  hw::Target target;
  target.device.name = "xczu3eg";
  target.device.dsp_kind = hw::DspKind::dsp48e2;
  target.device.budget = {360, 432, 70560, 141120};
  target.device.bram_aspects = {{1, 16384}, {2, 8192}, {4, 4096}, {9, 2048}, {18, 1024}, {36, 512}};
  target.device.lut_multiplier_max_bits = 4;
  target.device.lutram_bits_per_lut = 64;
  target.board.clock_mhz = 200;
  return target;
}

Layer conv(std::string name, int out, int kernel, int pad, int bits, int groups = 1) {
  Layer layer;
  layer.kind = LayerKind::conv;
  layer.name = std::move(name);
  layer.out = out;
  layer.kernel = kernel;
  layer.pad = pad;
  layer.groups = groups;
  layer.bits = {bits, bits};
  return layer;
}
Layer simple(std::string name, LayerKind kind, int bits = 8) {
  Layer layer;
  layer.kind = kind;
  layer.name = std::move(name);
  layer.bits = {bits, bits};
  return layer;
}
Layer pool(std::string name, int kernel) {
  Layer layer = simple(std::move(name), LayerKind::maxpool);
  layer.kernel = kernel;
  layer.stride = kernel;
  return layer;
}
Layer linear(std::string name, int out, int bits) {
  Layer layer = simple(std::move(name), LayerKind::linear, bits);
  layer.out = out;
  return layer;
}

Network single(ir::Shape input, Layer layer) {
  Network net;
  net.name = "net";
  net.input = input;
  net.layers = {std::move(layer)};
  return net;
}

DataflowConfig one(int pe, int simd) {
  return DataflowConfig{{Folding{pe, simd}}};
}

TEST(Dataflow, Conv3x3CyclesDspLutBram) {
  // conv 16x32x32 -> 32x32x32, K=3, pad 1, W = A = 8 bits, PE=2 SIMD=9.
  // MW = 16*3*3 = 144.
  const Network net = single({16, 32, 32}, conv("conv0", 32, 3, 1, 8));
  const CostReport r = estimate_dataflow(net, zu3eg(), one(2, 9));
  ASSERT_EQ(r.layers.size(), 1u);
  const LayerCost& c = r.layers[0];
  EXPECT_EQ(c.name, "conv0");
  EXPECT_EQ(c.kind, "conv");
  EXPECT_EQ(c.config, "PE=2 SIMD=9");
  EXPECT_EQ(c.bound, Bound::compute);
  // cycles = (32/2) * (144/9) * 32*32 = 16 * 16 * 1024 = 262,144
  EXPECT_EQ(c.cycles, 262144);
  // MACs = 32*32*32 * 144 = 4,718,592
  EXPECT_EQ(c.macs, 4718592);
  // DSP = 2*9 MACs * 0.5 (two INT8 MACs per DSP48E2) = 9
  EXPECT_DOUBLE_EQ(c.resources.dsp, 9);
  // acc_bits = 8 + 8 + ceil(log2 144) = 24; adder tree = 16 * (2*9 - 1) = 272; no LUT multipliers.
  // LUT = 300 + ceil(1.1 * 2 * (272 + 24)) = 300 + ceil(651.2) = 952; weights and window in BRAM.
  EXPECT_DOUBLE_EQ(c.resources.lut, 952);
  // Weights: depth 32*144/18 = 256, width 18*8 = 144 bits -> 512x36: 4 blocks.
  // Window: ceil(3 rows * 34 padded columns * 16 channels / 9) = ceil(181.3) = 182 words of
  // 9*8 = 72 bits -> 512x36: 2 blocks. Total 6.
  EXPECT_DOUBLE_EQ(c.resources.bram, 6);
  // FF = 2 * ((2*9 - 1) * 16 + 24) = 2 * 296 = 592
  EXPECT_DOUBLE_EQ(c.resources.ff, 592);

  EXPECT_EQ(r.engine, "dataflow");
  EXPECT_EQ(r.interval_cycles, 262144);
  // fill = ceil(262,144 * min(32, 1) / 32) = 8,192 (no consumer: one row); latency = 8,192 +
  // 262,144 = 270,336 cycles = 1.35168 ms at 200 MHz; throughput 200e6 / 262,144 fps.
  EXPECT_EQ(r.latency_cycles, 270336);
  EXPECT_NEAR(r.latency_ms, 1.35168, 1e-9);
  EXPECT_NEAR(r.throughput_fps, 200e6 / 262144, 1e-9);
  EXPECT_EQ(r.used, c.resources);
  EXPECT_TRUE(r.fits);
  EXPECT_EQ(r.config, "bottleneck=conv0");
}

TEST(Dataflow, FourBitConvUsesLutMultipliersAndLutram) {
  // conv 8x16x16 -> 16x16x16, K=3, pad 1, W = A = 4 bits, PE=4 SIMD=8. MW = 8*9 = 72.
  const Network net = single({8, 16, 16}, conv("conv0", 16, 3, 1, 4));
  const LayerCost c = estimate_dataflow(net, zu3eg(), one(4, 8)).layers[0];
  // cycles = (16/4) * (72/8) * 16*16 = 4 * 9 * 256 = 9,216
  EXPECT_EQ(c.cycles, 9216);
  EXPECT_DOUBLE_EQ(c.resources.dsp, 0);  // 4x4 bits <= lut_multiplier_max_bits
  // One 4x4 LUT multiplier: (2*ceil(8/6) - 1) * 8 = 24 LUTs; 8 of them per PE = 192.
  // adder tree = 8 * (2*8 - 1) = 120; acc_bits = 8 + ceil(log2 72) = 15.
  // MVAU = 300 + ceil(1.1 * 4 * (192 + 120 + 15)) = 300 + ceil(1438.8) = 1,739.
  // Weights: depth 16*72/32 = 36 <= 128 -> LUTRAM, width 32*4 = 128 bits * ceil(36/64) = 128.
  // Window: 3 * 18 * 8 / 8 = 54 words <= 128 -> LUTRAM, 8*4 = 32 bits * 1 = 32.
  // LUT = 1,739 + 128 + 32 = 1,899; no BRAM.
  EXPECT_DOUBLE_EQ(c.resources.lut, 1899);
  EXPECT_DOUBLE_EQ(c.resources.bram, 0);
  // FF = 4 * ((2*8 - 1) * 8 + 15) = 4 * 135 = 540
  EXPECT_DOUBLE_EQ(c.resources.ff, 540);
}

TEST(Dataflow, EightBitOnDsp48e2TakesHalfADspPerMac) {
  // linear 64 -> 10 features, W = A = 8 bits (the input's bits are the layer's own).
  const Network net = single({64, 1, 1}, linear("fc", 10, 8));
  const CostReport r = estimate_dataflow(net, zu3eg(), one(5, 16));
  const LayerCost& c = r.layers[0];
  // cycles = (10/5) * (64/16) = 8
  EXPECT_EQ(c.cycles, 8);
  // DSP = 5*16 / 2 = 40
  EXPECT_DOUBLE_EQ(c.resources.dsp, 40);
  // adder = 16 * 31 = 496; acc = 16 + 6 = 22; 300 + 1.1 * 5 * 518 = 300 + 2,849 (exact, no
  // rounding up from floating point); weights depth 10*64/80 = 8 -> LUTRAM 640 bits * 1.
  EXPECT_DOUBLE_EQ(c.resources.lut, 300 + 2849 + 640);
  EXPECT_DOUBLE_EQ(c.resources.ff, 5 * (31 * 16 + 22));
  // One 8-bit MAC still takes a whole DSP: ceil(0.5) = 1.
  EXPECT_DOUBLE_EQ(estimate_dataflow(net, zu3eg(), one(1, 1)).layers[0].resources.dsp, 1);
  // 16 bits: one DSP per MAC, 80.
  const Network wide = single({64, 1, 1}, linear("fc", 10, 16));
  EXPECT_DOUBLE_EQ(estimate_dataflow(wide, zu3eg(), one(5, 16)).layers[0].resources.dsp, 80);
}

TEST(Dataflow, DepthwiseConv) {
  // depthwise 3x3 on 32x16x16 (groups = channels, out = in), pad 1, 8 bits. MW = (32/32)*9 = 9.
  const Network net = single({32, 16, 16}, conv("dw", 0, 3, 1, 8, ir::kDepthwiseGroups));
  const LayerCost c = estimate_dataflow(net, zu3eg(), one(8, 3)).layers[0];
  // cycles = (32/8) * (9/3) * 256 = 3,072; MACs = 32 * 256 * 9 = 73,728
  EXPECT_EQ(c.cycles, 3072);
  EXPECT_EQ(c.macs, 73728);
  EXPECT_DOUBLE_EQ(c.resources.dsp, 12);  // 24 MACs / 2
  // adder = 16 * 5 = 80; acc = 16 + ceil(log2 9) = 20; 300 + 1.1 * 8 * 100 = 1,180.
  // Weights: depth 32*9/24 = 12 -> LUTRAM, 24*8 = 192 bits * 1 = 192 LUTs.
  // Window: 3 * 18 * 32 / 3 = 576 words of 24 bits -> 512x36: 1 * 2 = 2 BRAM18.
  EXPECT_DOUBLE_EQ(c.resources.lut, 1180 + 192);
  EXPECT_DOUBLE_EQ(c.resources.bram, 2);
  EXPECT_DOUBLE_EQ(c.resources.ff, 8 * (5 * 16 + 20));
  // SIMD must divide 9, not the 32 channels.
  EXPECT_THROW(estimate_dataflow(net, zu3eg(), one(8, 2)), InputError);
}

// conv0 (3x8x8 -> 4x8x8) relu1 maxpool2 (-> 4x4x4) conv3 (-> 8x4x4) flatten4 linear5 (128 -> 10)
Network small_net() {
  Network net;
  net.name = "small";
  net.input = {3, 8, 8};
  net.layers = {
      conv("conv0", 4, 3, 1, 8), simple("relu1", LayerKind::relu),       pool("maxpool2", 2),
      conv("conv3", 8, 3, 1, 8), simple("flatten4", LayerKind::flatten), linear("linear5", 10, 8)};
  return net;
}

DataflowConfig small_config(Folding conv0) {
  return DataflowConfig{{conv0, {}, {}, {2, 4}, {}, {1, 8}}};
}

TEST(Dataflow, PipelineIntervalIsSlowestStageLatencyIsFillsPlusSlowest) {
  Network net = small_net();
  const CostReport r = estimate_dataflow(net, zu3eg(), small_config({1, 3}));
  ASSERT_EQ(r.layers.size(), 6u);
  // conv0: MW 27, PE=1 SIMD=3: 4 * 9 * 64 = 2,304
  // relu1, flatten4: fused, 0
  // maxpool2: 4*4*4 outputs * 2*2 = 256
  // conv3: MW 36, PE=2 SIMD=4: 4 * 9 * 16 = 576
  // linear5: MW 128, PE=1 SIMD=8: 10 * 16 = 160
  const std::vector<std::int64_t> cycles{2304, 0, 256, 576, 0, 160};
  for (std::size_t i = 0; i < cycles.size(); ++i) EXPECT_EQ(r.layers[i].cycles, cycles[i]) << i;
  EXPECT_EQ(r.layers[1].bound, Bound::fused);
  EXPECT_EQ(r.layers[4].bound, Bound::fused);
  EXPECT_EQ(r.layers[2].bound, Bound::compute);
  EXPECT_EQ(r.layers[1].resources, hw::Resources{});
  // maxpool2: LUT = 48 control + 8 comparator + window (2 * 8 * 4 = 64 words of 8 bits ->
  // LUTRAM 8 LUTs) = 64; FF = 48 + 8 = 56.
  EXPECT_DOUBLE_EQ(r.layers[2].resources.lut, 64);
  EXPECT_DOUBLE_EQ(r.layers[2].resources.ff, 56);
  EXPECT_EQ(r.interval_cycles, 2304);
  EXPECT_EQ(r.config, "bottleneck=conv0");
  // Fills: conv0 feeds the 2x2 pool through relu1: ceil(2304 * 2/8) = 576; maxpool2 feeds the
  // 3x3 conv3: ceil(256 * 3/4) = 192; conv3 feeds linear5 through flatten4: ceil(576 * 1/4) =
  // 144; linear5 (1 row): 160. Sum 1,072; latency = 1,072 + 2,304 = 3,376.
  EXPECT_EQ(r.latency_cycles, 3376);

  // Batch 2: every stage takes twice as long, the fills (first image) stay: 1,072 + 4,608.
  net.batch = 2;
  const CostReport r2 = estimate_dataflow(net, zu3eg(), small_config({1, 3}));
  EXPECT_EQ(r2.interval_cycles, 4608);
  EXPECT_EQ(r2.latency_cycles, 5680);
  EXPECT_NEAR(r2.throughput_fps, 2 * 200e6 / 4608, 1e-9);

  // conv0 at PE=2 SIMD=9: 2 * 3 * 64 = 384 cycles; conv3 (576) is now the slowest.
  // Fills 96 + 192 + 144 + 160 = 592; latency 592 + 576 = 1,168.
  net.batch = 1;
  const CostReport r3 = estimate_dataflow(net, zu3eg(), small_config({2, 9}));
  EXPECT_EQ(r3.interval_cycles, 576);
  EXPECT_EQ(r3.latency_cycles, 1168);
  EXPECT_EQ(r3.config, "bottleneck=conv3");
}

TEST(Dataflow, AddAndGlobalPoolAreStreamingUnits) {
  // conv0 (1x1, 4 -> 4 on 4x4) ; add1 = input + conv0 ; global_avgpool2.
  Network net;
  net.input = {4, 4, 4};
  Layer add = simple("add1", LayerKind::add);
  add.inputs = {"input", "conv0"};
  net.layers = {conv("conv0", 4, 1, 0, 8), add, simple("gap2", LayerKind::global_avgpool)};
  const CostReport r = estimate_dataflow(net, zu3eg(), DataflowConfig{{{1, 1}, {}, {}}});
  // conv0: 4 * 4 * 16 = 256; add1: 64 elements * 2 inputs = 128; gap2: 64 inputs.
  EXPECT_EQ(r.layers[0].cycles, 256);
  EXPECT_EQ(r.layers[1].cycles, 128);
  EXPECT_EQ(r.layers[2].cycles, 64);
  // add1: 48 + (8 + ceil(log2 2)) = 57 LUTs. gap2: d = 8 + ceil(log2 16) = 12; 48 + 12 +
  // 4 partial sums of 12 bits in LUTRAM (12 LUTs) = 72 LUTs, 48 + 12 = 60 FFs.
  EXPECT_DOUBLE_EQ(r.layers[1].resources.lut, 57);
  EXPECT_DOUBLE_EQ(r.layers[2].resources.lut, 72);
  EXPECT_DOUBLE_EQ(r.layers[2].resources.ff, 60);
}

TEST(Dataflow, MaxpoolFoldsChannelsByPe) {
  // LeNet's first pool: 2x2 stride 2 on 6x28x28 -> 6x14x14, 8 bits (the network input's bits
  // are the layer's own). Window buffer: 2 rows * 28 columns * 6 channels = 336 values.
  const Network net = single({6, 28, 28}, pool("maxpool0", 2));
  // PE=1 (the model before streaming units had PE): 6*14*14 = 1,176 outputs * 4 = 4,704
  // cycles; LUT = 48 + 8 = 56, FF = 56; window 336 words of 8 bits -> 2Kx9: 1 BRAM18.
  const LayerCost p1 = estimate_dataflow(net, zu3eg(), one(1, 1)).layers[0];
  EXPECT_EQ(p1.cycles, 4704);
  EXPECT_DOUBLE_EQ(p1.resources.lut, 56);
  EXPECT_DOUBLE_EQ(p1.resources.ff, 56);
  EXPECT_DOUBLE_EQ(p1.resources.bram, 1);
  EXPECT_EQ(p1.config, "PE=1");

  // PE=2: 4,704 / 2 = 2,352 cycles. LUT = 48 + 2*8 = 64, FF = 48 + 2*8 = 64. Window: 336 / 2 =
  // 168 words (> 128: block RAM) of 2*8 = 16 bits -> 1Kx18: 1 BRAM18.
  const CostReport r2 = estimate_dataflow(net, zu3eg(), one(2, 1));
  const LayerCost& p2 = r2.layers[0];
  EXPECT_EQ(p2.cycles, 2352);
  EXPECT_EQ(p2.bound, Bound::compute);
  EXPECT_DOUBLE_EQ(p2.resources.lut, 64);
  EXPECT_DOUBLE_EQ(p2.resources.ff, 64);
  EXPECT_DOUBLE_EQ(p2.resources.bram, 1);
  EXPECT_DOUBLE_EQ(p2.resources.dsp, 0);
  EXPECT_EQ(p2.config, "PE=2");
  EXPECT_EQ(r2.interval_cycles, 2352);
  EXPECT_EQ(r2.config, "bottleneck=maxpool0");

  // PE=6: 784 cycles. Window: 56 words of 48 bits -> LUTRAM, 48 * ceil(56/64) = 48 LUTs.
  // LUT = 48 + 6*8 + 48 = 144; FF = 48 + 48 = 96; no BRAM.
  const LayerCost p6 = estimate_dataflow(net, zu3eg(), one(6, 1)).layers[0];
  EXPECT_EQ(p6.cycles, 784);
  EXPECT_DOUBLE_EQ(p6.resources.lut, 144);
  EXPECT_DOUBLE_EQ(p6.resources.ff, 96);
  EXPECT_DOUBLE_EQ(p6.resources.bram, 0);

  // SIMD is ignored for a streaming unit (documented on Folding): the same report as SIMD 1.
  const CostReport ignored = estimate_dataflow(net, zu3eg(), one(2, 3));
  EXPECT_EQ(ignored.layers[0].cycles, 2352);
  EXPECT_EQ(ignored.layers[0].resources, p2.resources);
  EXPECT_EQ(ignored.layers[0].config, "PE=2");
}

TEST(Dataflow, AvgpoolFoldsChannelsByPe) {
  // avgpool 2x2 stride 2 on 4x8x8 -> 4x4x4, 8 bits, PE=4.
  Layer layer = pool("avgpool0", 2);
  layer.kind = LayerKind::avgpool;
  const Network net = single({4, 8, 8}, layer);
  const LayerCost c = estimate_dataflow(net, zu3eg(), one(4, 1)).layers[0];
  // cycles = 4*4*4 outputs * 4 / 4 = 64. d = 8 + ceil(log2 4) = 10 per channel.
  // Window: 2 * 8 * 4 / 4 = 16 words of 4*8 = 32 bits -> LUTRAM, 32 LUTs.
  // LUT = 48 + 4*10 + 32 = 120; FF = 48 + 40 = 88.
  EXPECT_EQ(c.cycles, 64);
  EXPECT_DOUBLE_EQ(c.resources.lut, 120);
  EXPECT_DOUBLE_EQ(c.resources.ff, 88);
  EXPECT_DOUBLE_EQ(c.resources.bram, 0);
}

TEST(Dataflow, AddAndGlobalPoolFoldChannelsByPe) {
  // The network of AddAndGlobalPoolAreStreamingUnits with conv0 at PE=4 SIMD=4 (1 * 1 * 16 =
  // 16 cycles), add1 at PE=4, gap2 at PE=2.
  Network net;
  net.input = {4, 4, 4};
  Layer add = simple("add1", LayerKind::add);
  add.inputs = {"input", "conv0"};
  net.layers = {conv("conv0", 4, 1, 0, 8), add, simple("gap2", LayerKind::global_avgpool)};
  const CostReport r = estimate_dataflow(net, zu3eg(), DataflowConfig{{{4, 4}, {4, 1}, {2, 1}}});
  EXPECT_EQ(r.layers[0].cycles, 16);
  // add1: 64 elements * 2 inputs / 4 = 32 cycles; d = 8 + ceil(log2 2) = 9 per channel:
  // LUT = 48 + 4*9 = 84, FF = 84; no memory.
  EXPECT_EQ(r.layers[1].cycles, 32);
  EXPECT_DOUBLE_EQ(r.layers[1].resources.lut, 84);
  EXPECT_DOUBLE_EQ(r.layers[1].resources.ff, 84);
  EXPECT_EQ(r.layers[1].config, "PE=4");
  // gap2: 64 inputs / 2 = 32 cycles; d = 8 + ceil(log2 16) = 12 per channel. Partial sums:
  // 4 / 2 = 2 words of 2*12 = 24 bits -> LUTRAM, 24 * ceil(2/64) = 24 LUTs.
  // LUT = 48 + 2*12 + 24 = 96; FF = 48 + 24 = 72.
  EXPECT_EQ(r.layers[2].cycles, 32);
  EXPECT_DOUBLE_EQ(r.layers[2].resources.lut, 96);
  EXPECT_DOUBLE_EQ(r.layers[2].resources.ff, 72);
  EXPECT_DOUBLE_EQ(r.layers[2].resources.bram, 0);
  const ir::NetworkStats stats = ir::analyze(net);
  EXPECT_EQ(valid_foldings(net, stats, 1),
            (std::vector<Folding>{Folding{1, 1}, Folding{2, 1}, Folding{4, 1}}));
  EXPECT_EQ(valid_foldings(net, stats, 2), valid_foldings(net, stats, 1));
  // Both streaming units take 32 cycles; the first of the slowest is named.
  EXPECT_EQ(r.interval_cycles, 32);
  EXPECT_EQ(r.config, "bottleneck=add1");
}

TEST(Dataflow, InvalidFoldingNamesTheLayer) {
  const Network net = single({3, 8, 8}, conv("conv0", 4, 3, 1, 8));
  auto message = [&](const DataflowConfig& config) {
    try {
      estimate_dataflow(net, zu3eg(), config);
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(message(one(3, 1)), "net: layer conv0: PE 3 does not divide the 4 output channels");
  EXPECT_EQ(message(one(1, 4)),
            "net: layer conv0: SIMD 4 does not divide the 27 inputs per output (3 input channels "
            "/ 1 groups x 3x3 kernel)");
  EXPECT_EQ(message(one(0, 1)), "net: layer conv0: PE must be >= 1, got 0");
  EXPECT_EQ(message(DataflowConfig{{{1, 1}, {1, 1}}}),
            "net: dataflow config: has 2 foldings for 1 layers");

  const Network fc = single({64, 1, 1}, linear("fc", 10, 8));
  try {
    estimate_dataflow(fc, zu3eg(), one(1, 7));
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_EQ(e.key(), "layer fc");
    EXPECT_EQ(e.reason(), "SIMD 7 does not divide the 64 input features");
  }
  // Streaming units: PE must divide the channels; SIMD is ignored.
  const Network pooled = single({6, 28, 28}, pool("maxpool2", 2));
  auto pool_message = [&](const DataflowConfig& config) {
    try {
      estimate_dataflow(pooled, zu3eg(), config);
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(pool_message(one(4, 1)), "net: layer maxpool2: PE 4 does not divide the 6 channels");
  EXPECT_EQ(pool_message(one(0, 1)), "net: layer maxpool2: PE must be >= 1, got 0");
  EXPECT_EQ(pool_message(one(3, 0)), "no error");
  // Fused layers ignore their folding entirely.
  Network fused = pooled;
  fused.layers.insert(fused.layers.begin(), simple("relu0", LayerKind::relu));
  EXPECT_NO_THROW(estimate_dataflow(fused, zu3eg(), DataflowConfig{{{0, 7}, {6, 1}}}));

  // Bad shapes come from ir::analyze, also as InputError.
  Network bad = net;
  bad.layers[0].groups = 2;  // 3 input channels are not divisible by 2 groups
  EXPECT_THROW(estimate_dataflow(bad, zu3eg(), one(1, 1)), InputError);
}

TEST(Dataflow, ValidFoldingsAreDivisorPairs) {
  const Network net = small_net();
  const ir::NetworkStats stats = ir::analyze(net);
  // conv0: PE | 4 -> {1, 2, 4}; SIMD | 27 -> {1, 3, 9, 27}: 12 pairs ordered by PE then SIMD.
  const auto f = valid_foldings(net, stats, 0);
  ASSERT_EQ(f.size(), 12u);
  EXPECT_EQ(f.front(), (Folding{1, 1}));
  EXPECT_EQ(f[1], (Folding{1, 3}));
  EXPECT_EQ(f[4], (Folding{2, 1}));
  EXPECT_EQ(f.back(), (Folding{4, 27}));
  EXPECT_EQ(valid_foldings(net, stats, 1), std::vector<Folding>{Folding{}});  // relu1: fused
  EXPECT_EQ(valid_foldings(net, stats, 4), std::vector<Folding>{Folding{}});  // flatten4
  // maxpool2: PE | its 4 channels, SIMD always 1.
  EXPECT_EQ(valid_foldings(net, stats, 2),
            (std::vector<Folding>{Folding{1, 1}, Folding{2, 1}, Folding{4, 1}}));
  // linear5: PE | 10 -> 4 values; SIMD | 128 -> 8 values.
  EXPECT_EQ(valid_foldings(net, stats, 5).size(), 32u);
  EXPECT_THROW(valid_foldings(net, stats, 6), std::out_of_range);
}

// The mixed-precision network balance_folding is checked on: conv0 8-bit (DSPs), conv2 4-bit
// (LUT multipliers; relu1 outputs 4 bits), maxpool3 (a streaming unit folded by PE over its 8
// channels), flatten4, linear5 8-bit.
Network mixed_net() {
  Network net;
  net.name = "mixed";
  net.input = {3, 8, 8};
  net.layers = {
      conv("conv0", 4, 3, 1, 8), simple("relu1", LayerKind::relu, 4),    conv("conv2", 8, 3, 1, 4),
      pool("maxpool3", 2),       simple("flatten4", LayerKind::flatten), linear("linear5", 10, 8)};
  return net;
}

struct Choice {
  std::int64_t cycles;
  hw::Resources resources;
};

// Smallest interval over every combination of valid foldings that fits `budget`, or -1.
std::int64_t brute_force_interval(const Network& net, hw::Target target) {
  const ir::NetworkStats stats = ir::analyze(net);
  const int n = static_cast<int>(net.layers.size());
  DataflowConfig ones{std::vector<Folding>(n)};
  // A layer's cycles and resources depend only on its own folding, so measure each folding
  // once with the rest at one, then combine. Every stage is folded, the streaming units
  // (maxpool3) included; fused layers cost nothing.
  std::vector<int> folded;
  std::vector<std::vector<Choice>> choices;
  const hw::Resources budget = target.device.budget;
  target.device.budget = {1e9, 1e9, 1e9, 1e9};
  const CostReport base = estimate_dataflow(net, target, ones);
  for (int i = 0; i < n; ++i) {
    if (base.layers[i].bound == Bound::fused) {
      EXPECT_EQ(base.layers[i].resources, hw::Resources{});
      EXPECT_EQ(base.layers[i].cycles, 0);
      continue;
    }
    folded.push_back(i);
    choices.emplace_back();
    for (const Folding& f : valid_foldings(net, stats, i)) {
      DataflowConfig config = ones;
      config.layers[i] = f;
      const LayerCost c = estimate_dataflow(net, target, config).layers[i];
      choices.back().push_back({c.cycles, c.resources});
    }
  }
  std::int64_t best = -1;
  std::vector<std::size_t> at(folded.size(), 0);
  while (true) {
    hw::Resources used;
    std::int64_t interval = 0;
    for (std::size_t l = 0; l < folded.size(); ++l) {
      used += choices[l][at[l]].resources;
      interval = std::max(interval, choices[l][at[l]].cycles);
    }
    if (used.dsp <= budget.dsp && used.bram <= budget.bram && used.lut <= budget.lut &&
        used.ff <= budget.ff && (best < 0 || interval < best)) {
      best = interval;
    }
    std::size_t l = 0;
    while (l < at.size() && ++at[l] == choices[l].size()) at[l++] = 0;
    if (l == at.size()) break;
  }
  return best;
}

TEST(Dataflow, BalancedFoldingMatchesBruteForce) {
  const Network net = mixed_net();
  // conv0 12 x conv2 (PE | 8: 4, SIMD | 36: 9) 36 x maxpool3 (PE | 8) 4 x linear5 32 = 55,296
  // combinations per budget.
  const std::vector<hw::Resources> budgets{
      {360, 432, 70560, 141120},  // the whole xczu3eg: fastest design
      {8, 6, 4000, 4000},        {2, 4, 2500, 3000},   {20, 2, 6000, 2500},
      {4, 10, 3000, 10000},      {30, 30, 1800, 5000}, {40, 4, 10000, 5000},
      {30, 2, 8000, 3000},       {60, 0, 12000, 6000},  // no BRAM: every memory in LUTRAM
  };
  int strictly_between = 0;
  int below_pool_at_pe1 = 0;
  for (const auto& budget : budgets) {
    hw::Target target = zu3eg();
    target.device.budget = budget;
    const std::int64_t expected = brute_force_interval(net, target);
    ASSERT_GT(expected, 0) << "budget lut " << budget.lut << ": nothing fits; pick another";
    const DataflowConfig balanced = balance_folding(net, target);
    const CostReport r = estimate_dataflow(net, target, balanced);
    EXPECT_TRUE(r.fits) << "budget lut " << budget.lut;
    EXPECT_EQ(r.interval_cycles, expected) << "budget lut " << budget.lut;
    // All ones: conv0 4 * 27 * 64 = 6,912; conv2 8 * 36 * 64 = 18,432; maxpool3 8*4*4
    // outputs * 2*2 = 512; linear5 10 * 128 = 1,280. Fully unrolled, conv0 and conv2 take
    // 64 cycles (one per output pixel) and maxpool3 at PE=8 512 / 8 = 64.
    if (r.interval_cycles < 18432 && r.interval_cycles > 64) ++strictly_between;
    // Below 512 cycles the pool itself must run at PE >= 2.
    if (r.interval_cycles < 512) {
      ++below_pool_at_pe1;
      EXPECT_GE(balanced.layers[3].pe, 2) << "budget lut " << budget.lut;
    }
  }
  // The whole device reaches the 64-cycle floor, which needs maxpool3 at PE=8 (before
  // streaming units had PE, the pool's 512 cycles were the floor). The smaller budgets must
  // bind for the check to mean anything, and several must need a folded pool.
  const DataflowConfig fastest = balance_folding(net, zu3eg());
  EXPECT_EQ(estimate_dataflow(net, zu3eg(), fastest).interval_cycles, 64);
  EXPECT_EQ(fastest.layers[3], (Folding{8, 1}));
  EXPECT_GE(strictly_between, 6);
  EXPECT_GE(below_pool_at_pe1, 4);
}

TEST(Dataflow, BudgetBelowAllOnesGivesAllOnesThatDoesNotFit) {
  // The 3x3 conv of Conv3x3CyclesDspLutBram at PE = SIMD = 1:
  // LUT = 300 + ceil(1.1 * (16 * 1 + 24)) = 344, and the memories are in BRAM (weights 4,608 x 8
  // bits -> 2Kx9: 3 blocks; window 1,632 x 8 bits -> 1 block).
  const Network net = single({16, 32, 32}, conv("conv0", 32, 3, 1, 8));
  hw::Target target = zu3eg();
  target.device.budget.lut = 300;
  const DataflowConfig config = balance_folding(net, target);
  EXPECT_EQ(config, one(1, 1));
  const CostReport r = estimate_dataflow(net, target, config);
  EXPECT_FALSE(r.fits);
  EXPECT_DOUBLE_EQ(r.used.lut, 344);
  EXPECT_DOUBLE_EQ(r.used.bram, 4);
  EXPECT_DOUBLE_EQ(r.shortfall.lut, 44);
  EXPECT_DOUBLE_EQ(r.shortfall.dsp, 0);
  EXPECT_DOUBLE_EQ(r.shortfall.bram, 0);
  EXPECT_DOUBLE_EQ(r.shortfall.ff, 0);
}

}  // namespace
}  // namespace hwnas::cost
