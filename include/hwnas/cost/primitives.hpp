#pragma once
// Resource costs of the building blocks both FPGA templates use: multipliers (DSP or LUT),
// memories (block RAM or LUTRAM). Every constant cites its source.

#include <cstdint>

#include "hwnas/hw/device.hpp"

namespace hwnas::cost {

// True when a weight_bits x act_bits multiplier is built from LUTs on this device (both
// operands at most device.lut_multiplier_max_bits wide).
bool multiplier_in_luts(const hw::Device& device, int weight_bits, int act_bits);

// DSP blocks one multiply-accumulate takes (fractional when several MACs share a block):
//  * 32 bits on either operand means fp32: 5 DSP48 (3 for the multiplier, 2 for the adder,
//    Xilinx PG060 Floating-Point Operator, "full DSP usage"), the figure Zhang et al. (FPGA'15)
//    used; 4 SB_MAC16 on iCE40 (24-bit mantissa product from 16x16 pieces; adder in LUTs).
//  * fixed point up to the multiplier's ports (25x18 DSP48E1, 27x18 DSP48E2, 16x16 SB_MAC16):
//    1 block; wider: ceil(wa/pa) x ceil(wb/pb) blocks.
//  * both operands <= 8 bits on DSP48E2: 0.5 (two MACs share one block through the pre-adder,
//    Xilinx WP487 "Deep Learning with INT8 Optimization").
//  * LUT multipliers (see multiplier_in_luts): 0.
double dsps_per_mac(const hw::Device& device, int weight_bits, int act_bits);

// LUTs of one LUT-built W x A multiplier: (2*ceil((W+A)/6) - 1) * (W+A), the term of FINN's
// MVAU LUT estimate (Blott et al., "FINN-R", ACM TRETS 2018; finn-hlslib cost model).
double lut_multiplier_luts(int weight_bits, int act_bits);

// Block RAMs that hold `depth` words of `width_bits`, using the cheapest of the device's
// aspect ratios (e.g. BRAM18: 16Kx1, 8Kx2, 4Kx4, 2Kx9, 1Kx18, 512x36; UG473/UG573).
// Zero when depth or width is zero.
std::int64_t bram_blocks(const hw::Device& device, std::int64_t depth, std::int64_t width_bits);

// Memories of at most this many words go to LUTRAM (FINN MatrixVectorActivation, mem_mode
// "const": calc_wmem() <= 128).
inline constexpr std::int64_t kLutramMaxDepth = 128;

// Where a memory of `depth` words of `width_bits` goes and what it costs: LUTRAM when
// depth <= kLutramMaxDepth and the device has it, width * ceil(depth / lutram_bits_per_lut)
// LUTs (FINN's c2 term); else bram_blocks(). Zero for an empty memory.
hw::Resources memory_cost(const hw::Device& device, std::int64_t depth, std::int64_t width_bits);

}  // namespace hwnas::cost
