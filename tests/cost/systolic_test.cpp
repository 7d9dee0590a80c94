#include "hwnas/cost/systolic.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "hwnas/core/error.hpp"

namespace hwnas::cost {
namespace {

// data/accelerators/constants.yaml (Horowitz ISSCC 2014, 45 nm; sources there).
SystolicConstants horowitz() {
  SystolicConstants k;
  k.process_nm = 45;
  k.int8_mult_pj = 0.2;
  k.int32_mult_pj = 3.1;
  k.int8_add_pj = 0.03;
  k.int32_add_pj = 0.1;
  k.register_file_pj_per_64b = 3.5;
  k.sram_8kib_pj_per_64b = 10;
  k.sram_32kib_pj_per_64b = 20;
  k.sram_1mib_pj_per_64b = 100;
  k.dram_pj_per_64b = 1300;
  k.int8_mult_um2 = 282;
  k.int32_mult_um2 = 3495;
  k.int32_add_um2 = 137;
  k.flipflop_um2 = 4.522;
  k.sram_cell_um2 = 0.346;
  k.sram_array_efficiency = 0.5;
  return k;
}

// A tiny array: 2x2 PEs of 2 SIMD x 4 lanes = 32 MACs/cycle; Mt = X*S = 4, Kt = Y*L = 8.
// Local memory 8 KiB and global buffer 32 KiB sit exactly on Horowitz's 10 and 20 pJ points;
// 1 GB/s at 1000 MHz moves 1 byte per cycle.
SystolicConfig tiny() {
  SystolicConfig c;
  c.pe_x = 2;
  c.pe_y = 2;
  c.simd_units = 2;
  c.lanes = 4;
  c.local_memory_kib = 8;
  c.register_file_bytes = 64;
  c.global_buffer_kib = 32;
  c.bandwidth_gb_per_s = 1;
  c.clock_mhz = 1000;
  c.mac_bits = 8;
  return c;
}

ir::Layer conv(int out, int kernel, int stride, int pad, int groups = 1, ir::Bits bits = {8, 8}) {
  ir::Layer l;
  l.kind = ir::LayerKind::conv;
  l.out = out;
  l.kernel = kernel;
  l.stride = stride;
  l.pad = pad;
  l.groups = groups;
  l.bias = false;
  l.bits = bits;
  return l;
}
ir::Layer simple(ir::LayerKind kind, ir::Bits bits = {8, 8}) {
  ir::Layer l;
  l.kind = kind;
  l.bits = bits;
  return l;
}
ir::Network net(ir::Shape input, std::vector<ir::Layer> layers) {
  ir::Network n;
  n.name = "t";
  n.input = input;
  n.layers = std::move(layers);
  ir::assign_default_names(n);
  return n;
}

TEST(Systolic, ConvHandDerived) {
  // 4 -> 8 channels, 3x3, pad 1 on 8x8, int8: the GEMM M = 8, K = 4*9 = 36, N = 64.
  // Passes = ceil(8/4) * ceil(36/8) = 2 * 5 = 10; compute = 10 * max(64, S=2) + (2+2-2) = 642.
  // MACs = 64 * 8 * 36 = 18,432; utilisation = 18,432 / (642 * 32) = 0.897196.
  // Bytes: input 4*64 = 256, output 8*64 = 512 (768 <= 32 KiB: no spill); weights 8*36 = 288,
  // a PE's slice = 10 passes * 2*4 weights = 80 B <= 8 KiB: resident.
  // DRAM = 288 (weights once) + 256 (network input) + 512 (final output) = 1,056 bytes
  //      = 1,056 cycles at 1 byte/cycle > 642: memory-bound.
  const auto n = net({4, 8, 8}, {conv(8, 3, 1, 1)});
  const SystolicReport r = estimate_systolic(n, tiny(), horowitz());
  ASSERT_EQ(r.layers.size(), 1u);
  const SystolicLayerCost& l = r.layers[0];
  EXPECT_EQ(l.mapping, SystolicMapping::gemm);
  EXPECT_EQ(l.passes, 10);
  EXPECT_EQ(l.compute_cycles, 642);
  EXPECT_EQ(l.macs, 18432);
  EXPECT_NEAR(l.utilisation, 18432.0 / (642 * 32), 1e-12);
  EXPECT_EQ(l.traffic.dram_bytes, 1056);
  EXPECT_EQ(l.memory_cycles, 1056);
  EXPECT_EQ(l.cycles, 1056);
  EXPECT_EQ(l.bound, SystolicBound::memory);
  EXPECT_TRUE(l.weights_resident);
  EXPECT_FALSE(l.spills);
  EXPECT_EQ(r.total_cycles, 1056);
  EXPECT_NEAR(r.latency_ms, 1056 / 1e6, 1e-15);  // 1,056 cycles at 1 GHz = 1.056 us
  EXPECT_EQ(r.peak_macs_per_cycle, 32);
  EXPECT_TRUE(r.feasible) << r.reason;

  // Energy, pJ (8x8-bit MAC = 0.2 + 0.1 = 0.3 pJ; register file 3.5, local memory (8 KiB) 10,
  // global buffer (32 KiB) 20, DRAM 1,300 pJ per 64 bits):
  //   MAC  18,432 * 0.3                                       = 5,529.6
  //   RF   18,432 * (8 + 8 + 32) bits = 884,736 bits * 3.5/64  = 48,384
  //   LM   2,304 weight bits * (1 read + 1 write) = 4,608 * 10/64 = 720
  //   GB   input 2,048 bits * 2 m-tiles + output 4,096 + partial sums 2 * (5-1) * 8*64 * 32
  //        = 131,072 + activations to/from DRAM (256+512)*8 = 6,144 -> 145,408 bits * 20/64
  //                                                            = 45,440
  //   DRAM 1,056 * 8 = 8,448 bits * 1300/64                    = 171,600
  //   total                                                    = 271,673.6 pJ
  EXPECT_NEAR(l.energy.mac_pj, 5529.6, 1e-6);
  EXPECT_NEAR(l.energy.register_file_pj, 48384, 1e-6);
  EXPECT_NEAR(l.energy.local_memory_pj, 720, 1e-6);
  EXPECT_NEAR(l.energy.global_buffer_pj, 45440, 1e-6);
  EXPECT_NEAR(l.energy.dram_pj, 171600, 1e-6);
  EXPECT_NEAR(l.energy_pj, 271673.6, 1e-6);
  EXPECT_NEAR(r.energy_mj, 271673.6e-9, 1e-15);
  EXPECT_NEAR(l.traffic.register_file_bytes, 884736 / 8.0, 1e-9);
  EXPECT_NEAR(l.traffic.local_memory_bytes, 576, 1e-9);
  EXPECT_NEAR(l.traffic.global_buffer_bytes, 145408 / 8.0, 1e-9);

  // Area, mm^2: 4 PEs x 8 MACs x (282 + 137) um^2 = 13,408 um^2; register files
  // 4 x 64 B x 8 x 4.522 = 9,261.056 um^2; SRAM 8192 * 0.346 / 0.5 = 5,668.864 um^2 per KiB,
  // local 4 x 8 KiB and global 32 KiB: 181,403.648 um^2 each.
  EXPECT_NEAR(r.area.mac_mm2, 0.013408, 1e-12);
  EXPECT_NEAR(r.area.register_file_mm2, 0.009261056, 1e-12);
  EXPECT_NEAR(r.area.local_memory_mm2, 0.181403648, 1e-12);
  EXPECT_NEAR(r.area.global_buffer_mm2, 0.181403648, 1e-12);
  EXPECT_NEAR(r.area_mm2, 0.385476352, 1e-12);

  // Twice the bandwidth: 528 memory cycles < 642, compute-bound at 642 cycles.
  SystolicConfig fast = tiny();
  fast.bandwidth_gb_per_s = 2;
  const SystolicLayerCost f = estimate_systolic(n, fast, horowitz()).layers[0];
  EXPECT_EQ(f.memory_cycles, 528);
  EXPECT_EQ(f.cycles, 642);
  EXPECT_EQ(f.bound, SystolicBound::compute);
  EXPECT_NEAR(f.energy_pj, 271673.6, 1e-6);  // bandwidth changes time, not energy
}

TEST(Systolic, DepthwiseHandDerived) {
  // Depthwise 3x3 on 8 channels of 8x8, int8. 2*2*2 = 8 SIMD units take one channel each:
  // passes = ceil(8/8) = 1; 9 taps on 4 lanes = ceil(9/4) = 3 cycles per output pixel;
  // compute = 1 * 3 * 64 = 192 cycles. MACs = 64 * 8 * 9 = 4,608; utilisation =
  // 4,608 / (192 * 32) = 0.75.
  // DRAM: input 512 + output 512 + weights 72 = 1,096 bytes = 1,096 cycles: memory-bound.
  const auto n = net({8, 8, 8}, {conv(0, 3, 1, 1, ir::kDepthwiseGroups)});
  const SystolicReport r = estimate_systolic(n, tiny(), horowitz());
  const SystolicLayerCost& l = r.layers[0];
  EXPECT_EQ(l.mapping, SystolicMapping::depthwise);
  EXPECT_EQ(l.passes, 1);
  EXPECT_EQ(l.compute_cycles, 192);
  EXPECT_EQ(l.macs, 4608);
  EXPECT_NEAR(l.utilisation, 0.75, 1e-12);
  EXPECT_EQ(l.traffic.dram_bytes, 1096);
  EXPECT_EQ(l.cycles, 1096);
  EXPECT_EQ(l.bound, SystolicBound::memory);
  // Energy: MAC 4,608 * 0.3 = 1,382.4; RF 4,608 * 48 bits * 3.5/64 = 12,096;
  // LM 576 weight bits * 2 * 10/64 = 180; GB (4,096 in + 4,096 out + 8,192 to/from DRAM)
  // * 20/64 = 5,120; DRAM 8,768 bits * 1300/64 = 178,100. Total 196,878.4 pJ.
  EXPECT_NEAR(l.energy.mac_pj, 1382.4, 1e-6);
  EXPECT_NEAR(l.energy.register_file_pj, 12096, 1e-6);
  EXPECT_NEAR(l.energy.local_memory_pj, 180, 1e-6);
  EXPECT_NEAR(l.energy.global_buffer_pj, 5120, 1e-6);
  EXPECT_NEAR(l.energy.dram_pj, 178100, 1e-6);
  EXPECT_NEAR(l.energy_pj, 196878.4, 1e-6);

  // 8 GB/s: 1,096 / 8 = 137 memory cycles < 192: compute-bound.
  SystolicConfig fast = tiny();
  fast.bandwidth_gb_per_s = 8;
  const SystolicLayerCost f = estimate_systolic(n, fast, horowitz()).layers[0];
  EXPECT_EQ(f.memory_cycles, 137);
  EXPECT_EQ(f.cycles, 192);
  EXPECT_EQ(f.bound, SystolicBound::compute);
}

TEST(Systolic, ChainKeepsActivationsOnChipAndFusesElementwise) {
  // conv (4->8, 3x3) -> batchnorm -> relu -> conv 1x1 (8->8) -> global_avgpool.
  // The first conv's output (512 B) stays in the GB: only the network input, the weights and
  // the final output (8 B) touch DRAM.
  const auto n = net(
      {4, 8, 8}, {conv(8, 3, 1, 1), simple(ir::LayerKind::batchnorm), simple(ir::LayerKind::relu),
                  conv(8, 1, 1, 0), simple(ir::LayerKind::global_avgpool)});
  SystolicConfig fast = tiny();
  fast.bandwidth_gb_per_s = 100;
  const SystolicReport r = estimate_systolic(n, fast, horowitz());
  ASSERT_EQ(r.layers.size(), 5u);
  EXPECT_EQ(r.layers[0].traffic.dram_bytes, 288 + 256);  // weights + network input
  EXPECT_EQ(r.layers[1].mapping, SystolicMapping::none);
  EXPECT_EQ(r.layers[1].cycles, 0);
  EXPECT_EQ(r.layers[2].bound, SystolicBound::none);
  // 1x1 conv: M = 8, K = 8, N = 64: passes 2 * 1, compute 2 * 64 + 2 = 130; weights 64 B only.
  EXPECT_EQ(r.layers[3].compute_cycles, 130);
  EXPECT_EQ(r.layers[3].traffic.dram_bytes, 64);
  // Global average pool: 512 adds on 32 lanes = 16 cycles; writes its 8-byte output to DRAM.
  EXPECT_EQ(r.layers[4].mapping, SystolicMapping::elementwise);
  EXPECT_EQ(r.layers[4].ops, 512);
  EXPECT_EQ(r.layers[4].compute_cycles, 16);
  EXPECT_EQ(r.layers[4].traffic.dram_bytes, 8);
  EXPECT_NEAR(r.layers[4].energy.mac_pj, 512 * 0.03, 1e-9);  // 8-bit adds
  EXPECT_EQ(r.dram_bytes, 288 + 256 + 64 + 8);
}

TEST(Systolic, ZeroLayerCostsNothingAndIsReadOnChip) {
  // conv -> zero -> 1x1 conv: the zero layer has no cycles; the 1x1 conv reads its zeros on
  // chip, so its DRAM traffic is its 64 B of weights and the 512 B final output only.
  const auto n = net({4, 8, 8}, {conv(8, 3, 1, 1), simple(ir::LayerKind::zero), conv(8, 1, 1, 0)});
  const SystolicReport r = estimate_systolic(n, tiny(), horowitz());
  EXPECT_EQ(r.layers[1].mapping, SystolicMapping::none);
  EXPECT_EQ(r.layers[1].cycles, 0);
  EXPECT_EQ(r.layers[1].energy_pj, 0);
  EXPECT_EQ(r.layers[2].traffic.dram_bytes, 64 + 512);
  EXPECT_TRUE(r.feasible);
}

TEST(Systolic, SpillingLayerGoesThroughDram) {
  // 4 -> 8 channels 3x3 on 16x16: input 1,024 B + output 2,048 B > a 1 KiB GB: the layer spills
  // and runs in ceil(3,072 / 1,024) = 3 tiles; its minimal working set is 3 input rows
  // (3*16*4 = 192 B) + one output row (16*8 = 128 B) = 320 B, which fits.
  SystolicConfig c = tiny();
  c.global_buffer_kib = 1;
  const auto n = net({4, 16, 16}, {conv(8, 3, 1, 1), conv(8, 1, 1, 0)});
  const SystolicReport r = estimate_systolic(n, c, horowitz());
  EXPECT_TRUE(r.feasible) << r.reason;
  EXPECT_TRUE(r.layers[0].spills);
  EXPECT_EQ(r.layers[0].n_tiles, 3);
  // weights 288 (resident: read once) + input 1,024 + output 2,048.
  EXPECT_EQ(r.layers[0].traffic.dram_bytes, 288 + 1024 + 2048);
  // The 1x1 conv reads the spilled tensor back: 64 weights + 2,048 in + 2,048 out.
  EXPECT_EQ(r.layers[1].traffic.dram_bytes, 64 + 2048 + 2048);
}

TEST(Systolic, WeightsThatDoNotFitLocalMemoryStreamPerTile) {
  // linear 2048 -> 64, int8: 131,072 B of weights; passes ceil(64/4) * ceil(2048/8) = 4,096,
  // slice = 4,096 * 8 = 32 KiB > 8 KiB of local memory: not resident. Input 2,048 + output 64
  // B in a 1 KiB GB: 3 tiles, so the weights come from DRAM 3 times.
  ir::Layer fc = simple(ir::LayerKind::linear);
  fc.out = 64;
  fc.bias = false;
  SystolicConfig c = tiny();
  c.global_buffer_kib = 1;
  const auto n = net({2048, 1, 1}, {fc});
  const SystolicReport r = estimate_systolic(n, c, horowitz());
  const SystolicLayerCost& l = r.layers[0];
  EXPECT_EQ(l.passes, 4096);
  EXPECT_FALSE(l.weights_resident);
  EXPECT_EQ(l.n_tiles, 3);
  EXPECT_EQ(l.traffic.dram_bytes, 3 * 131072 + 2048 + 64);
  // N = batch = 1: a pass lasts max(1, S=2) = 2 cycles (loading the next weights).
  EXPECT_EQ(l.compute_cycles, 4096 * 2 + 2);
  // Linear's minimal working set is its whole input (2,048 B) + output (64 B) > 1 KiB.
  EXPECT_FALSE(r.feasible);
  EXPECT_EQ(r.reason,
            "layer linear0: the minimal working set, 2048 bytes of input rows + 64 bytes of one "
            "output row = 2112 bytes, exceeds the 1024-byte global buffer");

  // 64 KiB of local memory: resident, read once.
  c.local_memory_kib = 64;
  c.global_buffer_kib = 4;
  const SystolicLayerCost big = estimate_systolic(n, c, horowitz()).layers[0];
  EXPECT_TRUE(big.weights_resident);
  EXPECT_EQ(big.traffic.dram_bytes, 131072 + 2048 + 64);
}

TEST(Systolic, WideLayersTakeMorePassesOnNarrowMultipliers) {
  // 16-bit weights and activations on 8-bit multipliers: q = 2 * 2 = 4 passes of each tile.
  // The ConvHandDerived layer: 4 * 10 * 64 + 2 = 2,562 cycles. Its MAC energy:
  // 0.2 * (256/64)^(alpha/2) + 0.1 with alpha = ln(3.1/0.2)/ln 4.
  ir::Network n = net({4, 8, 8}, {conv(8, 3, 1, 1, 1, {16, 16})});
  n.layers[0].bits = {16, 16};
  SystolicConfig c = tiny();
  c.register_file_bytes = 64;  // tile 2 * 2 * 4 * 16 bits = 32 B
  const SystolicLayerCost l = estimate_systolic(n, c, horowitz()).layers[0];
  EXPECT_EQ(l.compute_cycles, 2562);
  const double alpha = std::log(3.1 / 0.2) / std::log(4.0);
  EXPECT_NEAR(mac_pj(horowitz(), 16, 16), 0.2 * std::pow(4.0, alpha / 2) + 0.1, 1e-12);
  EXPECT_NEAR(l.energy.mac_pj, 18432 * mac_pj(horowitz(), 16, 16), 1e-6);
  // 16-bit multipliers: one pass, 642 cycles again.
  c.mac_bits = 16;
  EXPECT_EQ(estimate_systolic(n, c, horowitz()).layers[0].compute_cycles, 642);
  // 32-bit multipliers would cost 3.1 + 0.1 pJ per MAC: the power law passes through both ends.
  EXPECT_NEAR(mac_pj(horowitz(), 32, 32), 3.2, 1e-12);
  EXPECT_NEAR(mac_pj(horowitz(), 8, 8), 0.3, 1e-12);
}

TEST(Systolic, SramEnergyInterpolatesHorowitzPoints) {
  const SystolicConstants k = horowitz();
  EXPECT_NEAR(sram_pj_per_64b(k, 8), 10, 1e-12);
  EXPECT_NEAR(sram_pj_per_64b(k, 32), 20, 1e-12);
  EXPECT_NEAR(sram_pj_per_64b(k, 1024), 100, 1e-9);
  EXPECT_NEAR(sram_pj_per_64b(k, 16), 10 * std::sqrt(2.0), 1e-12);  // slope 1/2 below 32 KiB
  EXPECT_LT(sram_pj_per_64b(k, 64), sram_pj_per_64b(k, 128));
}

TEST(Systolic, InfeasibleRegisterFileNamesTheLayerAndNumbers) {
  SystolicConfig c = tiny();
  c.register_file_bytes = 8;  // the tile needs 2 * 2 * 4 * 8 bits = 16 bytes
  const SystolicReport r = estimate_systolic(net({4, 8, 8}, {conv(8, 3, 1, 1)}), c, horowitz());
  EXPECT_FALSE(r.feasible);
  EXPECT_EQ(r.reason,
            "layer conv0: the double-buffered weight tile, 2 x 2 SIMD x 4 lanes x 8 bits = 16 "
            "bytes, exceeds the 8-byte register file");
  EXPECT_EQ(r.layers[0].problem.empty(), false);
  EXPECT_GT(r.total_cycles, 0);  // the report is still filled
}

TEST(Systolic, InfeasibleGlobalBufferNamesTheLayerAndNumbers) {
  // 64 channels x 64 wide x 3 rows = 12,288 B of input rows + 64 x 8 = 512 B of output row.
  SystolicConfig c = tiny();
  c.global_buffer_kib = 1;
  const SystolicReport r = estimate_systolic(net({64, 64, 64}, {conv(8, 3, 1, 1)}), c, horowitz());
  EXPECT_FALSE(r.feasible);
  EXPECT_EQ(r.reason,
            "layer conv0: the minimal working set, 12288 bytes of input rows + 512 bytes of one "
            "output row = 12800 bytes, exceeds the 1024-byte global buffer");
}

TEST(Systolic, BadConfigIsInputError) {
  SystolicConfig c = tiny();
  c.mac_bits = 4;
  try {
    estimate_systolic(net({4, 8, 8}, {conv(8, 3, 1, 1)}), c, horowitz());
    FAIL();
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "<accelerator>: mac_bits: expected 8 or 16, got 4");
  }
  c = tiny();
  c.pe_x = 0;
  EXPECT_THROW(check(c), InputError);
}

TEST(Systolic, DescribeAndPeak) {
  SystolicConfig c;  // the defaults: an Edge-TPU-class 4,096 MACs/cycle
  EXPECT_EQ(peak_macs_per_cycle(c), 4096);
  EXPECT_EQ(describe(c),
            "8x8 PE, 4 SIMD x 16 lanes, 64 KiB/PE, 512 B RF, 4 MiB GB, 8 GB/s, 500 MHz, int8");
  c.global_buffer_kib = 1536;
  c.bandwidth_gb_per_s = 12.8;
  EXPECT_NE(describe(c).find("1536 KiB GB, 12.8 GB/s"), std::string::npos);
}

// Random layers and configurations: the model's monotonic properties.
TEST(Systolic, MonotonicOverRandomLayersAndConfigs) {
  std::mt19937 rng(20240607);
  auto pick = [&](std::initializer_list<int> values) {
    std::vector<int> v(values);
    return v[std::uniform_int_distribution<std::size_t>(0, v.size() - 1)(rng)];
  };
  const SystolicConstants k = horowitz();
  for (int trial = 0; trial < 400; ++trial) {
    const int channels = pick({1, 3, 8, 16, 32, 96});
    const int size = pick({1, 4, 7, 14, 28});
    const int kernel = std::min(size, pick({1, 3, 5}));
    const ir::Bits bits{pick({4, 8, 16}), pick({4, 8, 16})};
    std::vector<ir::Layer> layers;
    const int kind = pick({0, 1, 2});
    if (kind == 0) {
      layers.push_back(conv(pick({8, 24, 64, 100}), kernel, pick({1, 2}), kernel / 2, 1, bits));
    } else if (kind == 1) {
      layers.push_back(conv(0, kernel, pick({1, 2}), kernel / 2, ir::kDepthwiseGroups, bits));
    } else {
      ir::Layer fc = simple(ir::LayerKind::linear, bits);
      fc.out = pick({10, 100, 1000});
      layers.push_back(fc);
    }
    layers.push_back(simple(ir::LayerKind::relu, bits));
    ir::Network n = net({channels, size, size}, layers);
    n.batch = pick({1, 2});

    SystolicConfig c;
    c.pe_x = pick({1, 2, 4, 8});
    c.pe_y = pick({1, 2, 4, 8});
    c.simd_units = pick({1, 2, 4});
    c.lanes = pick({4, 8, 16});
    c.local_memory_kib = pick({1, 4, 16, 64});
    c.register_file_bytes = 4096;
    c.global_buffer_kib = pick({1, 8, 64, 512});
    c.bandwidth_gb_per_s = pick({1, 2, 8});
    c.clock_mhz = pick({250, 500, 1000});
    c.mac_bits = pick({8, 16});
    const SystolicReport base = estimate_systolic(n, c, k);
    const std::string where = describe(c) + " on layer " + std::to_string(kind);

    for (const auto& l : base.layers) {
      EXPECT_EQ(l.cycles, std::max(l.compute_cycles, l.memory_cycles)) << where;
      EXPECT_LE(l.utilisation, 1.0 + 1e-12) << where;
      EXPECT_GE(l.energy_pj, 0) << where;
    }

    SystolicConfig more_bw = c;
    more_bw.bandwidth_gb_per_s *= 2;
    const SystolicReport bw = estimate_systolic(n, more_bw, k);
    for (std::size_t i = 0; i < base.layers.size(); ++i) {
      EXPECT_LE(bw.layers[i].cycles, base.layers[i].cycles) << where;
    }

    SystolicConfig bigger = c;
    (trial % 2 ? bigger.pe_x : bigger.simd_units) += 1;
    EXPECT_GE(peak_macs_per_cycle(bigger), peak_macs_per_cycle(c)) << where;
    EXPECT_GT(systolic_area(bigger, k).total_mm2(), systolic_area(c, k).total_mm2()) << where;

    SystolicConfig more_lm = c;
    more_lm.local_memory_kib *= 4;
    EXPECT_LE(estimate_systolic(n, more_lm, k).dram_bytes, base.dram_bytes) << where;

    SystolicConfig more_gb = c;
    more_gb.global_buffer_kib *= 4;
    const SystolicReport gb = estimate_systolic(n, more_gb, k);
    EXPECT_LE(gb.dram_bytes, base.dram_bytes) << where;
    if (base.feasible) EXPECT_TRUE(gb.feasible) << where;
  }
}

TEST(Systolic, SpaceGenesRoundTrip) {
  SystolicSpace space;
  space.default_config = tiny();
  const auto& names = systolic_parameter_names();
  ASSERT_EQ(names.size(), 10u);
  for (std::size_t i = 0; i < names.size(); ++i) {
    space.parameters.push_back({names[i], {systolic_parameter(tiny(), i)}});
  }
  space.parameters[0].values = {1, 2, 4, 8};  // pe_x
  space.parameters[7].values = {0.5, 1, 2};   // bandwidth_gb_per_s
  const auto genes = space.genes();
  ASSERT_EQ(genes.size(), 10u);
  EXPECT_EQ(genes[0], (std::pair<std::string, int>{"accel.pe_x", 4}));
  EXPECT_EQ(genes[7], (std::pair<std::string, int>{"accel.bandwidth_gb_per_s", 3}));
  EXPECT_EQ(genes[9], (std::pair<std::string, int>{"accel.mac_bits", 1}));
  EXPECT_DOUBLE_EQ(space.size(), 12);

  const std::vector<int> defaults = space.genes_for(space.default_config);
  EXPECT_EQ(defaults, (std::vector<int>{1, 0, 0, 0, 0, 0, 0, 1, 0, 0}));
  std::vector<int> g = defaults;
  g[0] = 3;
  g[7] = 0;
  const SystolicConfig c = space.config_for(g);
  EXPECT_EQ(c.pe_x, 8);
  EXPECT_DOUBLE_EQ(c.bandwidth_gb_per_s, 0.5);
  EXPECT_EQ(space.genes_for(c), g);

  g[0] = 4;
  try {
    space.config_for(g);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "<accelerator space>: accel.pe_x: gene value 4 out of 0..3");
  }
  SystolicConfig odd = tiny();
  odd.pe_x = 3;
  try {
    space.genes_for(odd);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "<accelerator space>: accel.pe_x: value 3 is not one of 1, 2, 4, 8");
  }
  EXPECT_THROW(space.config_for({0, 1}), InputError);
}

}  // namespace
}  // namespace hwnas::cost
