#pragma once
// The tiled convolution engine of FNAS (Jiang et al., DAC 2019), after Zhang et al. (FPGA 2015):
// one Tm x Tn MAC array shared by every layer, double-buffered on-chip tiles of Tr x Tc output
// pixels. Per conv layer (batch B, M output / N input channels, R x C output, K x K kernel,
// stride S; Wp/Ip/Op words per cycle on the weight/input/output ports):
//
//   tW = ceil(Tm*Tn*K^2 / Wp)          load one weight tile
//   tI = ceil(Tn*Hin*Win / Ip)         load one input tile
//   tO = ceil(Tm*Tr*Tc / Op)           store one output tile
//   tComp = K^2*Tr*Tc                  compute on it (Tm*Tn MACs per cycle)
//   Lat1 = max(tI, tW, tComp)          the three overlap (double buffering)
//   Lat2 = max(ceil(N/Tn)*Lat1, tO)    accumulate over input channels; store overlaps
//   Lat  = B * ceil(R/Tr)*ceil(C/Tc)*ceil(M/Tm) * Lat2 cycles
//
// Two variants of the input tile:
//   * TiledModel::fnas — the published FNAS formula exactly: Hin x Win = Tr x Tc (no halo), and
//     Tm, Tn, Tr, Tc used as given even when a layer is smaller than the tile.
//   * TiledModel::halo (default) — the input tile a strided window really needs,
//     Hin = S*Tr'+K-S, Win = S*Tc'+K-S, and every tile clipped to the layer (Tr' = min(Tr, R),
//     likewise Tc, Tm, Tn): a 1x1-output linear layer does not pay for a 13x13 tile.
// Grouped convolutions run group by group (M/g outputs from N/g inputs, g times): depthwise
// layers use one input lane of the array, which is why they are slow on this engine.
// Linear layers are 1x1 convolutions on a 1x1 image. Pools and residual adds are memory passes
// (read every input word, write every output word, overlapped); ReLU, ReLU6, batch norm and
// flatten are fused into the producing layer's output stage and cost no cycles.
//
// Ports: a p-bit port carries floor(p/b) b-bit words per cycle. When the three ports together
// ask for more than the board's DRAM bandwidth (bits per cycle at the board clock), each is
// scaled down in proportion, and may then carry a fraction of a word per cycle.
//
// Resources (the engine is built for the widest weight and activation bits in the network):
//   DSP   = ceil(Tm*Tn * dsps_per_mac(bits))
//   BRAM  = 2 (double buffer) x [Tn input banks of Hin_max*Win_max words
//                               + Tm output banks of Tr*Tc partial sums (32-bit accumulators)]
//   LUT   = weight buffer (2 x Tn banks of K_max^2 words of Tm*b bits) placed by memory_cost():
//           LUTRAM when at most kLutramMaxDepth words deep, else BRAM; + LUT multipliers and their
//           adder tree when the bits are that narrow (FINN-R terms, see primitives.hpp); + fp32
//           adders' fabric (PG060: ~280 LUT/MAC);
//           + a fixed controller and AXI interface estimate (kControlLuts).
//   FF    = pipeline registers: Tm*Tn*(bits_w + bits_a) + Tm*32 accumulators + kControlFfs.
// The control constants are estimates of this project, to be checked against Yosys by the RTL
// path; the memory and DSP terms follow from the datasheets.

#include <cstdint>
#include <string>
#include <vector>

#include "hwnas/cost/report.hpp"
#include "hwnas/hw/device.hpp"
#include "hwnas/ir/network.hpp"

namespace hwnas::cost {

enum class TiledModel { halo, fnas };
std::string to_string(TiledModel model);

struct TiledConfig {
  int tm = 1;
  int tn = 1;
  int tr = 1;
  int tc = 1;
  bool operator==(const TiledConfig&) const = default;
};
std::string to_string(const TiledConfig& config);

inline constexpr double kControlLuts = 2000;  // controller, address generation, AXI masters
inline constexpr double kControlFfs = 3000;
inline constexpr int kAccumulatorBits = 32;  // partial sums (INT8/16 engines accumulate in 32 bits)
inline constexpr double kFp32FabricLutsPerMac = 280;  // PG060, fp32 mult + add, full DSP usage

// A network prepared for repeated tiled evaluation: per-layer dimensions, ports and the engine's
// bit widths, computed once. Build it with prepare_tiled(); evaluating a configuration on it is
// cheap (no allocation). Throws InputError for a network whose shapes do not work out.
struct TiledLayer {
  enum class Kind { mac, memory, fused } kind = Kind::fused;
  std::int64_t groups = 1, m = 1, n = 1, r = 1, c = 1, k = 1, s = 1;  // m, n per group
  std::int64_t in_words = 0, out_words = 0;  // memory passes: words read / written per image
  double wp = 1, ip = 1, op = 1;             // words per cycle on each port at this layer's bits
  int weight_bits = 16, in_bits = 16, out_bits = 16;
};
struct TiledProblem {
  std::vector<TiledLayer> layers;
  std::vector<std::string> names, kinds;
  std::vector<std::int64_t> macs;  // per image
  int batch = 1;
  TiledModel model = TiledModel::halo;
  int weight_bits = 16, act_bits = 16;  // widest in the network: what the array is built for
  std::int64_t max_kernel = 1, max_stride = 1;
  hw::Target target;
};
TiledProblem prepare_tiled(const ir::Network& network, const hw::Target& target, TiledModel model);
// The same problem for a subset of its layers (indices in order), as if those layers alone ran
// on an engine of their own: bit widths and kernel maxima are taken over the subset only.
TiledProblem restrict_tiled(const TiledProblem& problem, const std::vector<int>& layers);

struct TiledLayerCycles {
  std::int64_t cycles = 0;  // for the whole batch
  Bound bound = Bound::compute;
};
// One layer at one configuration. Precondition: all tiles >= 1.
TiledLayerCycles tiled_layer_cycles(const TiledProblem& problem, std::size_t layer,
                                    const TiledConfig& config);
hw::Resources tiled_resources(const TiledProblem& problem, const TiledConfig& config);
// The full report: per-layer cycles and bounds, totals, resources against the budget.
CostReport estimate_tiled(const TiledProblem& problem, const TiledConfig& config);

// Design-space exploration (Zhang et al. FPGA'15 style): the single (Tm, Tn, Tr, Tc) that
// minimises the network's latency with every resource within `budget`. Ties are broken by fewer
// DSPs, then BRAM, LUT, FF, then the smaller (Tm, Tn, Tr, Tc) in that order, so the answer is
// unique and equals exhaustive search over 1..max of each dimension (tests prove it).
//
// Pruning, all exact:
//  1. Within a run of Tm values that give every layer the same ceil(M/Tm), the smallest Tm has
//     no more cycles at any term and no more resources, so only Tm in {ceil(M_i/q)} are tried;
//     likewise Tn (N_i), Tr (R_i), Tc (C_i).
//  2. (Tm, Tn) pairs over the DSP budget are dropped.
//  3. Pairs are visited by a lower bound on latency, sum_i B*g*ceil(M/Tm)*ceil(N/Tn)*max(K^2*R*C,
//  tW),
//     and the search stops when the bound exceeds the best latency found.
//  4. Resources grow with Tr and Tc, so the scan over Tc stops at the first that exceeds the
//  budget.
//  5. A configuration's layer sum stops as soon as it exceeds the best latency.
struct TiledSearchResult {
  bool found = false;  // false: even Tm=Tn=Tr=Tc=1 exceeds the budget
  TiledConfig config;
  std::int64_t latency_cycles = 0;
  std::int64_t evaluated = 0;   // configurations whose latency was (partly) computed
  std::int64_t candidates = 0;  // size of the pruned candidate grid (after rule 1)
};
TiledSearchResult explore_tiled(const TiledProblem& problem, const hw::Resources& budget);
// Exhaustive reference over 1..max dimension of every tile (slow; for tests and the benchmark).
TiledSearchResult explore_tiled_exhaustive(const TiledProblem& problem,
                                           const hw::Resources& budget);

// FNAS's per-layer variant: each MAC layer gets its own best (Tm, Tn, Tr, Tc) under the budget
// (as if the engine were re-tiled per layer); the report sums the per-layer optima and uses the
// largest resources any layer needs. `configs` has one entry per IR layer (1,1,1,1 for layers
// that do not use the array).
struct TiledPerLayerResult {
  bool found = false;
  std::vector<TiledConfig> configs;
  CostReport report;
};
TiledPerLayerResult explore_tiled_per_layer(const TiledProblem& problem,
                                            const hw::Resources& budget);

}  // namespace hwnas::cost
