#pragma once
// From a network and a device to a MappingProblem: cut the network into subgraphs and list each
// subgraph's candidate implementations on the chosen template, with bit-width options and their
// accuracy costs when the bit widths are free.

#include <functional>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "hwnas/cost/dataflow.hpp"
#include "hwnas/cost/tiled.hpp"
#include "hwnas/hw/device.hpp"
#include "hwnas/ir/network.hpp"
#include "hwnas/map/problem.hpp"

namespace hwnas::map {

enum class Partition {
  layer,  // a subgraph per weight layer (conv/linear) with the layers that follow it up to the
          // next weight layer (batch norm, activation, pool, add)
  block,  // consecutive per-layer subgraphs whose names share the prefix before the first '_'
          // merged: "b3_expand", "b3_dw", "b3_project", "b3_add" form block "b3" (the naming of
          // hwnas's decoded spaces and examples/networks/mbv2.yaml)
};

// The subgraphs (names and layer indices, no candidates yet). Layers before the first weight
// layer join the first subgraph. A subgraph is named after its first weight layer (layer
// partition) or its prefix (block partition).
std::vector<Subgraph> partition_network(const ir::Network& network, Partition partition);

// Accuracy cost of giving a subgraph's layers the bit widths `bits`.
using AccuracyCost = std::function<double(const ir::Network& network, const ir::NetworkStats& stats,
                                          const Subgraph& subgraph, ir::Bits bits)>;

// A proxy until trained sensitivities exist (issue 4): the quantization noise a subgraph adds,
// relative to the whole network at 8/8 bits. Uniform quantization to b bits adds noise power
// proportional to 4^-b per value (the step halves with every bit), so
//   cost = sum_{l in subgraph} (P_l * 4^-w + A_l * 4^-a) / sum_{l in network} (P_l + A_l) * 4^-8
// with P_l the layer's parameters and A_l its output values. The whole network at 8/8 costs 1;
// one bit less everywhere costs 4.
double quantization_noise_cost(const ir::Network& network, const ir::NetworkStats& stats,
                               const Subgraph& subgraph, ir::Bits bits);

// Costs measured elsewhere (HAO's sensitivity table): (subgraph name, weight bits, act bits) ->
// cost. Looking up a missing entry throws hwnas::InputError naming it.
struct SensitivityTable {
  std::string source;  // the file, for error messages
  std::map<std::tuple<std::string, int, int>, double> costs;
  double operator()(const ir::Network& network, const ir::NetworkStats& stats,
                    const Subgraph& subgraph, ir::Bits bits) const;
};

struct CandidateOptions {
  Partition partition = Partition::layer;
  Objective objective = Objective::latency;
  // Bit-width options given to every subgraph; empty = keep the network's own bit widths.
  std::vector<ir::Bits> bits;
  // At most this many candidates per subgraph and bit width (after dominance pruning, evenly
  // spread over the cycle range, the fastest and the cheapest always kept).
  std::size_t max_candidates = 64;
  cost::TiledModel tiled_model = cost::TiledModel::halo;
};

// Dataflow template: a candidate per achievable stage time T of the subgraph, each layer taking
// its cheapest folding (least sum of device fractions) with at most T cycles. Candidate cycles
// are the subgraph's slowest stage (throughput) or the sum of its stages (latency).
MappingProblem dataflow_problem(const ir::Network& network, const hw::Target& target,
                                const CandidateOptions& options,
                                const AccuracyCost& accuracy = quantization_noise_cost);

// Tiled template with engine shares: every subgraph gets a tiled engine of its own; candidates
// are the latency-optimal tilings of the subgraph (explore_tiled) under a ladder of DSP and
// BRAM shares of the device (1/128 .. 1 of the DSPs, 1/32 .. 1 of the BRAM).
MappingProblem tiled_problem(const ir::Network& network, const hw::Target& target,
                             const CandidateOptions& options,
                             const AccuracyCost& accuracy = quantization_noise_cost);

// The network with every subgraph's layers at its chosen candidate's bit widths.
ir::Network apply_bits(const ir::Network& network, const MappingProblem& problem,
                       const std::vector<int>& choice);
// The dataflow folding of a choice (one folding per network layer).
cost::DataflowConfig apply_foldings(const ir::Network& network, const MappingProblem& problem,
                                    const std::vector<int>& choice);

}  // namespace hwnas::map
