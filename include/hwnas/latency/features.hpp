#pragma once
// What the latency predictor sees of a candidate: a fixed-length vector of numbers in three
// groups, each optional (FeatureOptions).
//
//  * network — from the IR alone, any space: layers by kind (convolutions by kernel size,
//    depthwise, strided; pools; adds and their inputs; zero layers), MACs (total and by kind),
//    parameters, memory traffic in bytes (weights; activations written and read), and the
//    structure a compiler may exploit: layers whose output never reaches the network output, or
//    that do not depend on the input (they read only zeros), are counted apart as "dead"; what
//    is left live is counted again as a compiler runs it (live 1x1 and larger convs, sums of two
//    or more live maps, constants folded from zeros that are still added, live elementwise work).
//  * analytic — hwnas's tiled FPGA engine on a default target (xczu3eg on ultra96) at its best
//    (Tm, Tn, Tr, Tc) (explore_tiled): its latency in ms and the share of its cycles that are
//    compute-bound. A device's latency is not this engine's, but it weighs work and memory
//    traffic in a way trees can use. (The dataflow engine's balance_folding takes ~150 ms a
//    NAS-Bench-201 network, 250x the tiled search, too slow for a feature of 15,625 networks.)
//  * genotype — when a search space is given: one 0/1 feature per (gene, value), the network's
//    own description in its space (for nb201: the op on each of the cell's 6 edges).
//
// All functions are pure and thread-safe.

#include <memory>
#include <string>
#include <vector>

#include "hwnas/hw/device.hpp"
#include "hwnas/ir/network.hpp"
#include "hwnas/space/search_space.hpp"

namespace hwnas::latency {

struct FeatureOptions {
  bool network = true;
  bool analytic = true;
  bool genotype = true;
  bool operator==(const FeatureOptions&) const = default;
};

// The default target of the analytic features.
inline constexpr const char* kAnalyticDevice = "xczu3eg";
inline constexpr const char* kAnalyticBoard = "ultra96";

const std::vector<std::string>& network_feature_names();
// Throws hwnas::InputError for a network whose shapes do not work out.
std::vector<float> network_features(const ir::Network& network);

const std::vector<std::string>& analytic_feature_names();
std::vector<float> analytic_features(const ir::Network& network, const hw::Target& target);

// "<gene name>=<value>" for every gene and value of the space.
std::vector<std::string> genotype_feature_names(const space::SearchSpace& space);
// Throws InputError as space::check_genotype.
std::vector<float> genotype_features(const space::SearchSpace& space,
                                     const space::Genotype& genotype);

// The three groups together, as a fitted model uses them.
class Featurizer {
 public:
  // `space` may be null when options.genotype is false. Loads the analytic target (built-in
  // kAnalyticDevice on kAnalyticBoard) when options.analytic is set.
  Featurizer(FeatureOptions options, std::shared_ptr<const space::SearchSpace> space);

  const std::vector<std::string>& names() const { return names_; }
  const FeatureOptions& options() const { return options_; }
  // `genotype` may be null only when options.genotype is false; when given, it must be the
  // genotype `network` was decoded from. Throws InputError for a null genotype when the genotype
  // group is on, and as the group functions.
  std::vector<float> features(const ir::Network& network, const space::Genotype* genotype) const;

 private:
  FeatureOptions options_;
  std::shared_ptr<const space::SearchSpace> space_;
  hw::Target target_;
  std::vector<std::string> names_;
};

}  // namespace hwnas::latency
