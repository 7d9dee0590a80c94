#pragma once
// The FINN-style dataflow engine (DESIGN.md, "Hardware templates", item 2; the template HAO and
// Lu et al. build on): one engine per layer, all engines running at once as a pipeline, weights
// held on chip. A layer with weights becomes a matrix-vector unit folded by PE (output channels
// computed in parallel) and SIMD (inputs per output computed in parallel). Pools and adds
// become streaming units folded by PE alone (channels processed in parallel, the PE attribute
// of FINN's Pool_Batch, StreamingMaxPool, GlobalAccPool and AddStreams); the remaining layers
// vanish into the unit before them.
//
// Every cycle count below is per image; the report multiplies by the network's batch.
// Notation for a layer: M output channels (linear: output features), N input channels, g groups,
// P = PE, S = SIMD, K kernel, R x C output rows x columns, MW = (N/g)*K*K inputs per output
// (linear: the input features), W = the layer's weight bits, A = the bits of the activations it
// reads (the producing layer's bits.act; for the network input the layer's own bits.act; for an
// add, the widest of its inputs).
//
// Cycles (FINN's MVAU/VVAU folding, Umuroglu et al., "FINN", FPGA 2017; depthwise is g == N):
//   conv:    (M/P) * (MW/S) * R*C           linear: (M/P) * (MW/S)
//   maxpool, avgpool: R*C*channels * K*K / P   (one window element of P channels per cycle)
//   global_avgpool:   H_in*W_in*channels / P   (one input element of P channels per cycle)
//   add:              out elements * inputs / P (one element of P channels of one input per
//                     cycle)
//   P divides the channels (a streaming unit's output channels equal its input channels), so
//   every division is exact.
//   relu, relu6, batchnorm, flatten: 0, Bound::fused. FINN absorbs batch norm and activations
//     into the thresholds at the output of the unit before them, and a flatten only
//     reinterprets the stream.
// Every stage with cycles is Bound::compute: weights are on chip, so nothing waits for memory.
// If the weights do not fit on chip the design does not fit, which the report's `fits` says.
//
// Pipeline (hwnas's own formulation):
//   interval_cycles = batch * max_i cycles_i          (the slowest stage sets the pace)
//   latency_cycles  = sum_i fill_i + interval_cycles
//   fill_i = ceil(cycles_i * min(R_i, K_next) / R_i): the cycles stage i spends on the rows its
//     consumer needs before that consumer can start. K_next is the largest kernel of the
//     windowed layers (conv, maxpool, avgpool) reading layer i's output, looking through fused
//     layers; 1 when no windowed layer reads it. R_i is layer i's output height (1 for linear).
//
// Resources of a conv/linear engine:
//   DSP  = ceil(P*S * dsps_per_mac(device, W, A))                      (see primitives.hpp)
//   acc_bits = W + A + ceil(log2(MW))
//   LUT  = 300 + ceil(1.1 * P * (mult + (W+A)*(2S-1) + acc_bits)) + LUTRAM of its memories,
//          mult = S * lut_multiplier_luts(W, A) when multiplier_in_luts(device, W, A), else 0.
//          c0 = 300, c1 = 1.1 and the three terms are FINN's MatrixVectorActivation
//          lut_estimation (Blott et al., "FINN-R", ACM TRETS 2018), without its threshold
//          terms: hwnas does not cost the output requantisation (its (2^B - 1) threshold
//          count is meaningless for B > 8). The product is rounded up so that LUT counts stay
//          integers and sums of them are exact.
//   FF   = P * ((2S-1)*(W+A) + acc_bits): hwnas's own estimate, one register per operand of
//          each multiplier (S*(W+A)), one per adder-tree node at FINN's adder width
//          ((S-1)*(W+A)) and the accumulator, per PE.
//   Weight memory: depth = M*MW/(P*S) words of P*S*W bits (biases are not stored: FINN folds
//          them into the requantisation).
//   Sliding-window buffer (conv with K > 1 only): K input rows of the padded input width,
//          depth = ceil(K * (W_in + 2*pad) * N / S) words of S*A bits. hwnas's own simple form
//          of FINN's ConvolutionInputGenerator buffer.
//   Every memory goes to LUTRAM when depth <= kLutramMaxDepth (FINN's "const" memory mode
//   threshold), costing width * ceil(depth / device.lutram_bits_per_lut) LUTs (FINN's c2
//   term), else to block RAM: bram_blocks(device, depth, width). A device without LUTRAM
//   (lutram_bits_per_lut <= 0) always uses block RAM.
//
// Resources of a streaming unit (hwnas's own estimate; d = the datapath width of one channel,
// replicated P times; the control is shared):
//   LUT = kStreamControlLuts + P*d (one LUT per bit of a carry-chain comparator or adder)
//         + LUTRAM of its memories;  FF = kStreamControlFfs + P*d (the output register).
//   maxpool: d = A; avgpool: d = A + ceil(log2(K*K)); both with the sliding-window buffer
//     above for K > 1 with P channels side by side per word in place of S (depth =
//     K*(W_in + 2*pad)*N / P, width P*A), as FINN lowers pools to ConvolutionInputGenerator +
//     Pool_Batch. The 1/K^2 of avgpool goes into the next requantisation.
//   global_avgpool: d = A + ceil(log2(H_in*W_in)), plus one partial sum of d bits per channel,
//     P of them side by side per word (depth = channels / P, width P*d).
//   add: d = A + ceil(log2(inputs)). The FIFO that a real design needs on the shorter branch
//     of a residual connection is not modelled.
//
// What is not modelled: FIFOs between stages (including the residual branch FIFO above), the
// off-chip input/output DMA, the requantisation (thresholds) after each engine, the width
// conversion between stages of different PE (FINN's StreamingDataWidthConverter), and a
// streaming unit's own SIMD (window elements per cycle): its P is bounded by its channels, so
// a pool over few channels, or a global pool over a large map, can still set a floor under the
// interval.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "hwnas/cost/report.hpp"
#include "hwnas/hw/device.hpp"
#include "hwnas/ir/network.hpp"

namespace hwnas::cost {

// Control of a streaming unit: three 16-bit address counters (row, column, channel), one LUT
// and one FF per counter bit. hwnas's own estimate.
inline constexpr std::int64_t kStreamControlLuts = 48;
inline constexpr std::int64_t kStreamControlFfs = 48;
// Points balance_folding keeps per layer before it starts dropping the costliest (see there).
inline constexpr std::size_t kMaxParetoFront = 1024;

// Folding of one layer's engine. Conv and linear layers use both values. Streaming units
// (maxpool, avgpool, global_avgpool, add) use PE only and ignore SIMD, so that one default
// folding (as in an accelerator file) can apply to every layer. Fused layers (relu, relu6,
// batchnorm, flatten) ignore both.
struct Folding {
  // Output channels (linear: output features) computed in parallel; divides M. Streaming
  // units: channels processed in parallel; divides the layer's channels.
  int pe = 1;
  int simd = 1;  // inputs per output computed in parallel; divides MW = (N/g)*K*K (linear: in)
  bool operator==(const Folding&) const = default;
};

// One folding per IR layer, in the network's layer order.
struct DataflowConfig {
  std::vector<Folding> layers;
  bool operator==(const DataflowConfig&) const = default;
};

// The dataflow engine's cost for `network` on `target` with the given folding: per-layer
// cycles, bounds, engine resources and "PE=.. SIMD=.." configs; pipeline interval and latency;
// the summed resources against target.device.budget at target.board.clock_mhz. A layer's
// config reads "PE=.. SIMD=.." for conv/linear, "PE=.." for a streaming unit, "" when fused.
// Throws hwnas::InputError when the network's shapes do not work out (from ir::analyze), when
// `config` does not have one folding per layer ("<network>: dataflow config: ..."), or when a
// conv/linear or streaming-unit folding is invalid ("<network>: layer <name>: PE 3 does not
// divide the 4 output channels", "... PE 4 does not divide the 6 channels" for a pool or add).
// A design that does not fit the device is a result (report.fits == false), not an error.
CostReport estimate_dataflow(const ir::Network& network, const hw::Target& target,
                             const DataflowConfig& config);

// One layer's stage alone, as estimate_dataflow costs it: cycles for the whole batch, bound,
// resources of its engine. For callers that cost many foldings of a few layers (the mapping
// ILP's candidates). `stats` must be ir::analyze(network); an invalid folding throws
// hwnas::InputError as in estimate_dataflow.
struct DataflowStage {
  std::int64_t cycles = 0;
  Bound bound = Bound::compute;
  hw::Resources resources;
};
DataflowStage dataflow_stage(const ir::Network& network, const ir::NetworkStats& stats,
                             const hw::Device& device, int layer, const Folding& folding);

// Every valid folding of layer `layer`: for conv/linear all (PE, SIMD) with PE | M and
// SIMD | MW, ordered by PE then SIMD; for a streaming unit (PE, 1) for every PE dividing its
// channels, ascending; {{1, 1}} for a fused layer. `stats` must be ir::analyze(network).
// Throws std::out_of_range when `layer` is not an index into network.layers.
std::vector<Folding> valid_foldings(const ir::Network& network, const ir::NetworkStats& stats,
                                    int layer);

// The folding that gives the smallest pipeline interval among the foldings that fit
// target.device.budget, and among those the one using the smallest sum of device fractions
// (sum over resources of used / budget).
// Why not give each layer its cheapest folding within T and check the sum: with four resources
// there is no single cheapest folding (LUTRAM trades BRAM for LUTs, PE vs SIMD trades LUTs and
// FFs against window BRAM), so that greedy rule can miss a design that fits.
// Method: binary search over the candidate intervals T (every cycle count a stage can have:
// conv, linear and streaming units alike; at least the largest of the stages' smallest cycle
// counts). Whether some folding with every stage at most T cycles fits is decided exactly by a
// dynamic programme over the stages (the layers that are not fused) that keeps the Pareto front
// of the summed (DSP, BRAM, LUT, FF) vectors, dropping sums over the budget and options
// dominated within a stage. Fitting is monotone in T (a larger T only adds options), so the
// binary search finds the smallest fitting T. Exact while every front stays within
// kMaxParetoFront points; beyond that the front keeps the points with the smallest device
// fraction sum and the answer becomes a heuristic (still one that fits). Small networks stay
// exact; FINN's CNV on a ZCU102-sized budget exceeds the cap and takes under 0.1 s.
// When no folding fits, returns the all-ones folding (estimate_dataflow then reports
// fits == false with the shortfall). Throws hwnas::InputError when the network's shapes do not
// work out.
DataflowConfig balance_folding(const ir::Network& network, const hw::Target& target);

}  // namespace hwnas::cost
