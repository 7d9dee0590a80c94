#include "hwnas/latency/features.hpp"

#include <algorithm>
#include <cstdint>

#include <fmt/format.h>

#include "hwnas/core/error.hpp"
#include "hwnas/cost/tiled.hpp"
#include "hwnas/io/device_yaml.hpp"

namespace hwnas::latency {

namespace {

// Every layer kind's name, from the IR's own list, so that a new kind gets a count without a
// change here.
std::vector<std::string> kind_names() {
  std::vector<std::string> names;
  const std::string all = ir::layer_kind_names();
  std::size_t start = 0;
  while (start < all.size()) {
    std::size_t end = all.find(", ", start);
    if (end == std::string::npos) end = all.size();
    names.push_back(all.substr(start, end - start));
    start = end + 2;
  }
  return names;
}

// Positions of the network features past the per-kind counts.
enum Extra : std::size_t {
  layers,
  conv_k1,
  conv_k3,
  conv_k5plus,
  conv_depthwise,
  conv_strided,
  add_inputs,
  macs,
  macs_conv_k1,
  macs_conv_k3,
  macs_conv_k5plus,
  macs_depthwise,
  macs_linear,
  max_layer_macs,
  params,
  weight_bytes,
  act_write_bytes,
  act_read_bytes,
  peak_act_bytes,
  elementwise_elements,
  live_layers,
  dead_layers,
  live_convs,
  dead_convs,
  live_pools,
  dead_pools,
  live_macs,
  dead_macs,
  depth,
  conv_depth,
  live_conv_k1,
  live_conv_k3plus,
  live_macs_conv_k1,
  live_adds,
  const_add_inputs,
  live_elementwise_elements,
  extra_count
};

constexpr const char* kExtraNames[] = {"layers",
                                       "conv_k1",
                                       "conv_k3",
                                       "conv_k5plus",
                                       "conv_depthwise",
                                       "conv_strided",
                                       "add_inputs",
                                       "macs",
                                       "macs_conv_k1",
                                       "macs_conv_k3",
                                       "macs_conv_k5plus",
                                       "macs_depthwise",
                                       "macs_linear",
                                       "max_layer_macs",
                                       "params",
                                       "weight_bytes",
                                       "act_write_bytes",
                                       "act_read_bytes",
                                       "peak_act_bytes",
                                       "elementwise_elements",
                                       "live_layers",
                                       "dead_layers",
                                       "live_convs",
                                       "dead_convs",
                                       "live_pools",
                                       "dead_pools",
                                       "live_macs",
                                       "dead_macs",
                                       "depth",
                                       "conv_depth",
                                       "live_conv_k1",
                                       "live_conv_k3plus",
                                       "live_macs_conv_k1",
                                       "live_adds",
                                       "const_add_inputs",
                                       "live_elementwise_elements"};
static_assert(std::size(kExtraNames) == Extra::extra_count);

bool is_pool(ir::LayerKind kind) {
  return kind == ir::LayerKind::maxpool || kind == ir::LayerKind::avgpool ||
         kind == ir::LayerKind::global_avgpool;
}

}  // namespace

const std::vector<std::string>& network_feature_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> n;
    for (const auto& kind : kind_names()) n.push_back("n_" + kind);
    for (const char* name : kExtraNames) n.emplace_back(name);
    return n;
  }();
  return names;
}

std::vector<float> network_features(const ir::Network& network) {
  const ir::NetworkStats stats = ir::analyze(network);
  static const std::vector<std::string> kinds = kind_names();
  const std::size_t n = network.layers.size();
  std::vector<double> f(kinds.size() + Extra::extra_count, 0.0);
  double* x = f.data() + kinds.size();

  // Liveness. A layer depends on the input when one of its producers is the input or depends on
  // it; a zero layer depends on nothing (its output is zeros whatever it reads). A layer is
  // needed when the output layer (the last) reads it, directly or through needed layers, except
  // through a zero layer, which needs nothing. Live = needed and input-dependent; the rest is
  // work a graph compiler can drop (or fold into constants).
  const std::optional<ir::LayerKind> zero_kind = ir::layer_kind_from_string("zero");
  auto is_zero = [&](const ir::Layer& l) { return zero_kind && l.kind == *zero_kind; };
  std::vector<char> depends(n, 0), needed(n, 0);
  for (std::size_t i = 0; i < n; ++i) {
    if (is_zero(network.layers[i])) continue;
    for (const int p : stats.layers[i].producers) {
      if (p == ir::kNetworkInput || depends[static_cast<std::size_t>(p)]) depends[i] = 1;
    }
  }
  if (n > 0) needed[n - 1] = 1;
  for (std::size_t i = n; i-- > 0;) {
    if (!needed[i] || is_zero(network.layers[i])) continue;
    for (const int p : stats.layers[i].producers) {
      if (p != ir::kNetworkInput) needed[static_cast<std::size_t>(p)] = 1;
    }
  }

  // Longest paths, over layers in order (producers come first).
  std::vector<double> path(n, 0.0), conv_path(n, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    const ir::Layer& layer = network.layers[i];
    const ir::LayerStats& s = stats.layers[i];
    const bool live = depends[i] && needed[i];
    double longest = 0, longest_conv = 0;
    for (const int p : s.producers) {
      if (p == ir::kNetworkInput) continue;
      longest = std::max(longest, path[static_cast<std::size_t>(p)]);
      longest_conv = std::max(longest_conv, conv_path[static_cast<std::size_t>(p)]);
    }
    path[i] = longest + (live && !ir::fuses_into_producer(layer.kind) ? 1 : 0);
    conv_path[i] = longest_conv + (live && layer.kind == ir::LayerKind::conv ? 1 : 0);

    const auto kind_it = std::find(kinds.begin(), kinds.end(), ir::to_string(layer.kind));
    if (kind_it != kinds.end()) f[static_cast<std::size_t>(kind_it - kinds.begin())] += 1;
    x[layers] += 1;
    x[live ? live_layers : dead_layers] += 1;
    const double bytes_per_act = layer.bits.act / 8.0;
    const double out_bytes = static_cast<double>(s.out.elements()) * bytes_per_act;
    x[act_write_bytes] += out_bytes;
    x[peak_act_bytes] = std::max(x[peak_act_bytes], out_bytes);
    for (const int p : s.producers) {
      const ir::Shape& in =
          p == ir::kNetworkInput ? network.input : stats.layers[static_cast<std::size_t>(p)].out;
      const int bits = p == ir::kNetworkInput
                           ? layer.bits.act
                           : network.layers[static_cast<std::size_t>(p)].bits.act;
      x[act_read_bytes] += static_cast<double>(in.elements()) * bits / 8.0;
    }
    x[weight_bytes] += static_cast<double>(s.weight_bits) / 8.0;
    x[params] += static_cast<double>(s.params);
    const double m = static_cast<double>(s.macs);
    x[macs] += m;
    x[max_layer_macs] = std::max(x[max_layer_macs], m);
    x[live ? live_macs : dead_macs] += m;
    if (layer.kind == ir::LayerKind::conv) {
      x[live ? live_convs : dead_convs] += 1;
      const bool depthwise = s.groups > 1 && s.groups == s.in.channels;
      if (depthwise) {
        x[conv_depthwise] += 1;
        x[macs_depthwise] += m;
      } else if (layer.kernel == 1) {
        x[conv_k1] += 1;
        x[macs_conv_k1] += m;
        if (live) {
          x[live_conv_k1] += 1;
          x[live_macs_conv_k1] += m;
        }
      } else if (layer.kernel <= 3) {
        x[conv_k3] += 1;
        x[macs_conv_k3] += m;
        if (live) x[live_conv_k3plus] += 1;
      } else {
        x[conv_k5plus] += 1;
        x[macs_conv_k5plus] += m;
        if (live) x[live_conv_k3plus] += 1;
      }
      if (layer.stride > 1) x[conv_strided] += 1;
    } else if (layer.kind == ir::LayerKind::linear) {
      x[macs_linear] += m;
    } else {
      if (is_pool(layer.kind)) x[live ? live_pools : dead_pools] += 1;
      if (layer.kind == ir::LayerKind::add) {
        x[add_inputs] += static_cast<double>(s.producers.size());
        // What a graph compiler leaves of a sum: the live inputs are added at run time; an
        // input computed from zeros alone is folded into a constant that is still added.
        int live_inputs = 0;
        for (const int p : s.producers) {
          if (p == ir::kNetworkInput) {
            ++live_inputs;
            continue;
          }
          const auto q = static_cast<std::size_t>(p);
          if (depends[q]) {
            ++live_inputs;
          } else if (live && !is_zero(network.layers[q])) {
            x[const_add_inputs] += 1;
          }
        }
        if (live && live_inputs >= 2) x[live_adds] += 1;
      }
      x[elementwise_elements] += static_cast<double>(s.out.elements());
      if (live) x[live_elementwise_elements] += static_cast<double>(s.out.elements());
    }
  }
  if (n > 0) {
    x[depth] = *std::max_element(path.begin(), path.end());
    x[conv_depth] = *std::max_element(conv_path.begin(), conv_path.end());
  }
  return std::vector<float>(f.begin(), f.end());
}

const std::vector<std::string>& analytic_feature_names() {
  static const std::vector<std::string> names = {"tiled_latency_ms", "tiled_compute_share"};
  return names;
}

std::vector<float> analytic_features(const ir::Network& network, const hw::Target& target) {
  const cost::TiledProblem problem = cost::prepare_tiled(network, target, cost::TiledModel::halo);
  const cost::TiledSearchResult best = cost::explore_tiled(problem, target.device.budget);
  const cost::CostReport tiled =
      cost::estimate_tiled(problem, best.found ? best.config : cost::TiledConfig{});
  double compute = 0;
  for (const auto& layer : tiled.layers) {
    if (layer.bound == cost::Bound::compute) compute += static_cast<double>(layer.cycles);
  }
  return {static_cast<float>(tiled.latency_ms),
          static_cast<float>(tiled.latency_cycles > 0
                                 ? compute / static_cast<double>(tiled.latency_cycles)
                                 : 0.0)};
}

std::vector<std::string> genotype_feature_names(const space::SearchSpace& space) {
  std::vector<std::string> names;
  for (const auto& gene : space.genes()) {
    for (int v = 0; v < gene.cardinality; ++v) names.push_back(fmt::format("{}={}", gene.name, v));
  }
  return names;
}

std::vector<float> genotype_features(const space::SearchSpace& space,
                                     const space::Genotype& genotype) {
  space::check_genotype(space, genotype);
  std::vector<float> f;
  const auto& genes = space.genes();
  for (std::size_t i = 0; i < genes.size(); ++i) {
    for (int v = 0; v < genes[i].cardinality; ++v) f.push_back(genotype[i] == v ? 1.0f : 0.0f);
  }
  return f;
}

Featurizer::Featurizer(FeatureOptions options, std::shared_ptr<const space::SearchSpace> space)
    : options_(options), space_(std::move(space)) {
  if (options_.genotype && !space_) {
    throw InputError("<latency features>", "space", "genotype features need a search space");
  }
  if (options_.network) {
    names_.insert(names_.end(), network_feature_names().begin(), network_feature_names().end());
  }
  if (options_.analytic) {
    target_ = io::load_target(kAnalyticDevice, kAnalyticBoard);
    names_.insert(names_.end(), analytic_feature_names().begin(), analytic_feature_names().end());
  }
  if (options_.genotype) {
    const auto g = genotype_feature_names(*space_);
    names_.insert(names_.end(), g.begin(), g.end());
  }
  if (names_.empty()) {
    throw InputError("<latency features>", "features", "at least one feature group is needed");
  }
}

std::vector<float> Featurizer::features(const ir::Network& network,
                                        const space::Genotype* genotype) const {
  std::vector<float> f;
  f.reserve(names_.size());
  if (options_.network) {
    const auto part = network_features(network);
    f.insert(f.end(), part.begin(), part.end());
  }
  if (options_.analytic) {
    const auto part = analytic_features(network, target_);
    f.insert(f.end(), part.begin(), part.end());
  }
  if (options_.genotype) {
    if (!genotype) {
      throw InputError(network.name, "genotype",
                       "this latency model needs the genotype as well as the network");
    }
    const auto part = genotype_features(*space_, *genotype);
    f.insert(f.end(), part.begin(), part.end());
  }
  return f;
}

}  // namespace hwnas::latency
