#include "hwnas/cost/dataflow.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>

#include <fmt/format.h>

#include "hwnas/core/error.hpp"
#include "hwnas/cost/primitives.hpp"

namespace hwnas::cost {

namespace {

using ir::LayerKind;

// FINN-R's MVAU LUT fit (Blott et al., ACM TRETS 2018): c0 + c1 * (...), c0 = 300, c1 = 1.1,
// kept as 11/10 so that the product can be rounded up in integers.
constexpr std::int64_t kMvauBaseLuts = 300;
constexpr std::int64_t kMvauScaleNum = 11;
constexpr std::int64_t kMvauScaleDen = 10;

std::int64_t ceil_div(std::int64_t a, std::int64_t b) {
  return (a + b - 1) / b;
}

// ceil(log2(x)) for x >= 1, in integers so that powers of two come out exact.
std::int64_t ceil_log2(std::int64_t x) {
  std::int64_t bits = 0;
  while ((std::int64_t{1} << bits) < x) ++bits;
  return bits;
}

std::string network_label(const ir::Network& network) {
  return network.name.empty() ? "<network>" : network.name;
}

// The name analyze() uses for a layer in its messages.
std::string layer_label(const ir::Network& network, int i) {
  const auto& name = network.layers[i].name;
  return name.empty() ? fmt::format("#{}", i) : name;
}

// Bits of the activations layer i reads (see the header).
int input_bits(const ir::Network& network, const ir::NetworkStats& stats, int i) {
  int bits = 0;
  for (int p : stats.layers[i].producers) {
    bits = std::max(
        bits, p == ir::kNetworkInput ? network.layers[i].bits.act : network.layers[p].bits.act);
  }
  return bits;
}

// The channels a streaming unit (maxpool, avgpool, global_avgpool, add) processes PE at a
// time: its output channels, which equal its input channels.
std::int64_t stream_channels(const ir::LayerStats& stats) {
  return stats.out.channels;
}

// M and MW of a conv or linear layer.
struct MatrixShape {
  std::int64_t rows = 0;  // M: output channels or features
  std::int64_t cols = 0;  // MW: inputs per output
};

MatrixShape matrix_shape(const ir::Layer& layer, const ir::LayerStats& stats) {
  if (layer.kind == LayerKind::linear) return {stats.out.channels, stats.in.elements()};
  return {stats.out.channels, (stats.in.channels / stats.groups) * layer.kernel *
                                  static_cast<std::int64_t>(layer.kernel)};
}

// K rows of the padded input, `parallel` channels side by side in one word.
hw::Resources window_buffer(const hw::Device& device, const ir::Layer& layer,
                            const ir::LayerStats& stats, std::int64_t parallel, int act_bits) {
  if (layer.kernel <= 1) return {};
  const std::int64_t padded_width = stats.in.width + 2 * static_cast<std::int64_t>(layer.pad);
  const std::int64_t words = layer.kernel * padded_width * stats.in.channels;
  return memory_cost(device, ceil_div(words, parallel), parallel * act_bits);
}

struct Stage {
  std::int64_t cycles = 0;  // per image
  Bound bound = Bound::compute;
  hw::Resources resources;
};

Stage matrix_stage(const ir::Network& network, const ir::NetworkStats& stats,
                   const hw::Device& device, int i, const Folding& folding) {
  const ir::Layer& layer = network.layers[i];
  const ir::LayerStats& ls = stats.layers[i];
  const auto [rows, cols] = matrix_shape(layer, ls);
  const std::int64_t pe = folding.pe;
  const std::int64_t simd = folding.simd;
  const std::int64_t w = layer.bits.weight;
  const int a_bits = input_bits(network, stats, i);
  const std::int64_t a = a_bits;

  Stage stage;
  const std::int64_t pixels = layer.kind == LayerKind::linear ? 1 : ls.out.height * ls.out.width;
  stage.cycles = (rows / pe) * (cols / simd) * pixels;

  hw::Resources& r = stage.resources;
  r.dsp =
      std::ceil(static_cast<double>(pe * simd) * dsps_per_mac(device, layer.bits.weight, a_bits));
  const std::int64_t mult_luts =
      multiplier_in_luts(device, layer.bits.weight, a_bits)
          ? simd * std::llround(lut_multiplier_luts(layer.bits.weight, a_bits))
          : 0;
  const std::int64_t adder_tree_luts = (w + a) * (2 * simd - 1);
  const std::int64_t acc_bits = w + a + ceil_log2(cols);
  r.lut = static_cast<double>(
      kMvauBaseLuts +
      ceil_div(kMvauScaleNum * pe * (mult_luts + adder_tree_luts + acc_bits), kMvauScaleDen));
  r.ff = static_cast<double>(pe * ((2 * simd - 1) * (w + a) + acc_bits));
  r += memory_cost(device, rows * cols / (pe * simd), pe * simd * w);
  if (layer.kind == LayerKind::conv) r += window_buffer(device, layer, ls, simd, a_bits);
  return stage;
}

// A streaming unit with `folding.pe` channels in parallel (SIMD is ignored), or a fused layer
// (folding ignored). PE must divide stream_channels (check_folding).
Stage stream_stage(const ir::Network& network, const ir::NetworkStats& stats,
                   const hw::Device& device, int i, const Folding& folding) {
  const ir::Layer& layer = network.layers[i];
  const ir::LayerStats& ls = stats.layers[i];
  Stage stage;
  if (ir::costs_nothing(layer.kind)) {
    stage.bound = Bound::fused;
    return stage;
  }
  const std::int64_t pe = folding.pe;
  const int a = input_bits(network, stats, i);
  std::int64_t datapath = a;  // per channel
  hw::Resources memory;
  switch (layer.kind) {
    case LayerKind::maxpool:
    case LayerKind::avgpool: {
      const std::int64_t window = layer.kernel * static_cast<std::int64_t>(layer.kernel);
      stage.cycles = ls.out.elements() * window / pe;
      if (layer.kind == LayerKind::avgpool) datapath += ceil_log2(window);
      memory = window_buffer(device, layer, ls, pe, a);
      break;
    }
    case LayerKind::global_avgpool:
      stage.cycles = ls.in.elements() / pe;
      datapath += ceil_log2(ls.in.height * ls.in.width);
      // One partial sum per channel, PE of them side by side in a word.
      memory = memory_cost(device, ls.in.channels / pe, pe * datapath);
      break;
    case LayerKind::add: {
      const auto inputs = static_cast<std::int64_t>(ls.producers.size());
      stage.cycles = ls.out.elements() * inputs / pe;
      datapath += ceil_log2(inputs);
      break;
    }
    default:
      break;
  }
  stage.resources.lut = static_cast<double>(kStreamControlLuts + pe * datapath);
  stage.resources.ff = static_cast<double>(kStreamControlFfs + pe * datapath);
  stage.resources += memory;
  return stage;
}

void check_folding(const ir::Network& network, const ir::NetworkStats& stats, int i,
                   const Folding& folding) {
  const ir::Layer& layer = network.layers[i];
  if (ir::costs_nothing(layer.kind)) return;  // folding ignored
  auto fail = [&](std::string reason) {
    throw InputError(network_label(network), "layer " + layer_label(network, i), std::move(reason));
  };
  if (folding.pe < 1) fail(fmt::format("PE must be >= 1, got {}", folding.pe));
  const ir::LayerStats& ls = stats.layers[i];
  if (!layer.has_weights()) {
    // A streaming unit: SIMD is ignored (see Folding).
    const std::int64_t channels = stream_channels(ls);
    if (channels % folding.pe != 0) {
      fail(fmt::format("PE {} does not divide the {} channels", folding.pe, channels));
    }
    return;
  }
  if (folding.simd < 1) fail(fmt::format("SIMD must be >= 1, got {}", folding.simd));
  const auto [rows, cols] = matrix_shape(layer, ls);
  const bool linear = layer.kind == LayerKind::linear;
  if (rows % folding.pe != 0) {
    fail(fmt::format("PE {} does not divide the {} output {}", folding.pe, rows,
                     linear ? "features" : "channels"));
  }
  if (cols % folding.simd != 0) {
    if (linear) {
      fail(fmt::format("SIMD {} does not divide the {} input features", folding.simd, cols));
    } else {
      fail(
          fmt::format("SIMD {} does not divide the {} inputs per output ({} input channels / {} "
                      "groups x {}x{} kernel)",
                      folding.simd, cols, ls.in.channels, ls.groups, layer.kernel, layer.kernel));
    }
  }
}

Stage stage_of(const ir::Network& network, const ir::NetworkStats& stats, const hw::Device& device,
               int i, const Folding& folding) {
  return network.layers[i].has_weights() ? matrix_stage(network, stats, device, i, folding)
                                         : stream_stage(network, stats, device, i, folding);
}

std::vector<std::int64_t> divisors(std::int64_t n) {
  std::vector<std::int64_t> small;
  std::vector<std::int64_t> large;
  for (std::int64_t d = 1; d * d <= n; ++d) {
    if (n % d != 0) continue;
    small.push_back(d);
    if (d != n / d) large.push_back(n / d);
  }
  small.insert(small.end(), large.rbegin(), large.rend());
  return small;
}

// ---- balance_folding: Pareto-front dynamic programme -------------------------------------

using Vec = std::array<double, 4>;  // dsp, bram, lut, ff

Vec to_vec(const hw::Resources& r) {
  return {r.dsp, r.bram, r.lut, r.ff};
}

bool within(const Vec& a, const Vec& b) {
  for (std::size_t d = 0; d < a.size(); ++d) {
    if (a[d] > b[d]) return false;
  }
  return true;
}

double fraction_sum(const Vec& used, const Vec& budget) {
  double sum = 0;
  for (std::size_t d = 0; d < used.size(); ++d) {
    if (budget[d] > 0) sum += used[d] / budget[d];
  }
  return sum;
}

struct Node {
  Vec sum;
  double score = 0;
  int parent = -1;  // index into the previous layer's front
  int option = -1;  // index into this layer's options
};

// Keeps the points no other point is at most in every resource (one of equal points), then,
// above kMaxParetoFront points, the ones with the smallest score.
std::vector<Node> pareto_front(std::vector<Node> nodes) {
  // A point's dominators sort before it lexicographically, so one pass over the sorted points
  // against the front kept so far finds them all.
  std::sort(nodes.begin(), nodes.end(), [](const Node& x, const Node& y) {
    return x.sum != y.sum ? x.sum < y.sum : x.score < y.score;
  });
  std::vector<Node> front;
  for (const Node& node : nodes) {
    const bool dominated = std::any_of(
        front.begin(), front.end(), [&](const Node& kept) { return within(kept.sum, node.sum); });
    if (!dominated) front.push_back(node);
  }
  if (front.size() > kMaxParetoFront) {
    std::nth_element(front.begin(), front.begin() + kMaxParetoFront, front.end(),
                     [](const Node& x, const Node& y) { return x.score < y.score; });
    front.resize(kMaxParetoFront);
  }
  return front;
}

struct Option {
  Folding folding;
  std::int64_t cycles = 0;
  Vec resources;
};

struct Balancer {
  std::vector<int> layers;                   // indices of the stages (every layer not fused)
  std::vector<std::vector<Option>> options;  // per entry of `layers`
  Vec budget;

  // The fitting choice (an option index per entry of `layers`) with every stage at most
  // `interval` cycles and the smallest fraction sum, or nullopt when none fits.
  std::optional<std::vector<int>> solve(std::int64_t interval) const {
    std::vector<std::vector<Node>> fronts;
    fronts.push_back({Node{Vec{}, 0, -1, -1}});
    for (std::size_t l = 0; l < layers.size(); ++l) {
      std::vector<Node> allowed;
      for (std::size_t o = 0; o < options[l].size(); ++o) {
        const Option& option = options[l][o];
        if (option.cycles > interval) continue;
        allowed.push_back(Node{option.resources, fraction_sum(option.resources, budget), -1,
                               static_cast<int>(o)});
      }
      allowed = pareto_front(std::move(allowed));
      std::vector<Node> next;
      const auto& previous = fronts.back();
      for (std::size_t p = 0; p < previous.size(); ++p) {
        for (const Node& option : allowed) {
          Vec sum = previous[p].sum;
          for (std::size_t d = 0; d < sum.size(); ++d) sum[d] += option.sum[d];
          if (!within(sum, budget)) continue;
          next.push_back(Node{sum, fraction_sum(sum, budget), static_cast<int>(p), option.option});
        }
      }
      if (next.empty()) return std::nullopt;
      fronts.push_back(pareto_front(std::move(next)));
    }
    const auto& last = fronts.back();
    int at = static_cast<int>(
        std::min_element(last.begin(), last.end(),
                         [](const Node& x, const Node& y) { return x.score < y.score; }) -
        last.begin());
    std::vector<int> choice(layers.size());
    for (std::size_t l = layers.size(); l > 0; --l) {
      const Node& node = fronts[l][at];
      choice[l - 1] = node.option;
      at = node.parent;
    }
    return choice;
  }
};

}  // namespace

std::vector<Folding> valid_foldings(const ir::Network& network, const ir::NetworkStats& stats,
                                    int layer) {
  if (layer < 0 || layer >= static_cast<int>(network.layers.size()) ||
      layer >= static_cast<int>(stats.layers.size())) {
    throw std::out_of_range(fmt::format("valid_foldings: layer index {} out of range", layer));
  }
  const ir::Layer& l = network.layers[layer];
  if (ir::costs_nothing(l.kind)) return {Folding{}};
  if (!l.has_weights()) {
    std::vector<Folding> foldings;
    for (std::int64_t pe : divisors(stream_channels(stats.layers[layer]))) {
      foldings.push_back(Folding{static_cast<int>(pe), 1});
    }
    return foldings;
  }
  const auto [rows, cols] = matrix_shape(l, stats.layers[layer]);
  std::vector<Folding> foldings;
  const auto simds = divisors(cols);
  for (std::int64_t pe : divisors(rows)) {
    for (std::int64_t simd : simds) {
      foldings.push_back(Folding{static_cast<int>(pe), static_cast<int>(simd)});
    }
  }
  return foldings;
}

DataflowStage dataflow_stage(const ir::Network& network, const ir::NetworkStats& stats,
                             const hw::Device& device, int layer, const Folding& folding) {
  check_folding(network, stats, layer, folding);
  const Stage stage = stage_of(network, stats, device, layer, folding);
  return {stage.cycles * network.batch, stage.bound, stage.resources};
}

CostReport estimate_dataflow(const ir::Network& network, const hw::Target& target,
                             const DataflowConfig& config) {
  const ir::NetworkStats stats = ir::analyze(network);
  const int n = static_cast<int>(network.layers.size());
  if (static_cast<int>(config.layers.size()) != n) {
    throw InputError(network_label(network), "dataflow config",
                     fmt::format("has {} foldings for {} layers", config.layers.size(), n));
  }
  for (int i = 0; i < n; ++i) check_folding(network, stats, i, config.layers[i]);

  CostReport report;
  report.engine = "dataflow";
  report.batch = network.batch;
  report.clock_mhz = target.board.clock_mhz;
  report.budget = target.device.budget;

  std::vector<Stage> stages;
  for (int i = 0; i < n; ++i) {
    stages.push_back(stage_of(network, stats, target.device, i, config.layers[i]));
  }

  // K_next per layer, last to first: consumers come after their producers.
  std::vector<std::vector<int>> consumers(n);
  for (int j = 0; j < n; ++j) {
    for (int p : stats.layers[j].producers) {
      if (p != ir::kNetworkInput) consumers[p].push_back(j);
    }
  }
  std::vector<std::int64_t> next_kernel(n, 1);
  for (int i = n - 1; i >= 0; --i) {
    for (int j : consumers[i]) {
      const ir::Layer& consumer = network.layers[j];
      std::int64_t window = 1;
      if (consumer.kind == LayerKind::conv || consumer.kind == LayerKind::maxpool ||
          consumer.kind == LayerKind::avgpool) {
        window = consumer.kernel;
      } else if (ir::fuses_into_producer(consumer.kind)) {
        window = next_kernel[j];
      }
      next_kernel[i] = std::max(next_kernel[i], window);
    }
  }

  std::int64_t slowest = 0;
  int bottleneck = 0;
  std::int64_t fill_sum = 0;
  for (int i = 0; i < n; ++i) {
    const ir::Layer& layer = network.layers[i];
    const Stage& stage = stages[i];
    LayerCost cost;
    cost.name = layer_label(network, i);
    cost.kind = std::string(ir::to_string(layer.kind));
    cost.cycles = stage.cycles * network.batch;
    cost.bound = stage.bound;
    cost.macs = stats.layers[i].macs * network.batch;
    cost.resources = stage.resources;
    if (layer.has_weights()) {
      cost.config = fmt::format("PE={} SIMD={}", config.layers[i].pe, config.layers[i].simd);
    } else if (!ir::costs_nothing(layer.kind)) {
      cost.config = fmt::format("PE={}", config.layers[i].pe);
    }
    report.layers.push_back(std::move(cost));
    report.used += stage.resources;

    const std::int64_t rows =
        layer.kind == LayerKind::linear ? 1 : std::max<std::int64_t>(1, stats.layers[i].out.height);
    fill_sum += ceil_div(stage.cycles * std::min(rows, next_kernel[i]), rows);
    if (stage.cycles > slowest) {
      slowest = stage.cycles;
      bottleneck = i;
    }
  }
  report.interval_cycles = slowest * network.batch;
  report.latency_cycles = fill_sum + report.interval_cycles;
  report.config = fmt::format("bottleneck={}", layer_label(network, bottleneck));
  finish_report(report);
  return report;
}

DataflowConfig balance_folding(const ir::Network& network, const hw::Target& target) {
  const ir::NetworkStats stats = ir::analyze(network);
  const int n = static_cast<int>(network.layers.size());
  DataflowConfig config;
  config.layers.assign(n, Folding{});

  Balancer balancer;
  balancer.budget = to_vec(target.device.budget);
  std::vector<std::int64_t> candidates;
  std::int64_t lowest = 0;  // no interval below the slowest stage at its fastest folding
  for (int i = 0; i < n; ++i) {
    if (ir::costs_nothing(network.layers[i].kind)) continue;  // no cycles, no resources
    balancer.layers.push_back(i);
    std::vector<Option> options;
    std::int64_t fastest = std::numeric_limits<std::int64_t>::max();
    for (const Folding& folding : valid_foldings(network, stats, i)) {
      const Stage stage = stage_of(network, stats, target.device, i, folding);
      options.push_back(Option{folding, stage.cycles, to_vec(stage.resources)});
      candidates.push_back(stage.cycles);
      fastest = std::min(fastest, stage.cycles);
    }
    lowest = std::max(lowest, fastest);
    balancer.options.push_back(std::move(options));
  }

  candidates.push_back(lowest);
  std::erase_if(candidates, [&](std::int64_t c) { return c < lowest; });
  std::sort(candidates.begin(), candidates.end());
  candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());

  // Fitting is monotone in the interval: find the first candidate that fits. `best` always
  // holds the choice for candidates[hi].
  std::optional<std::vector<int>> best = balancer.solve(candidates.back());
  if (!best) return config;
  std::size_t lo = 0;
  std::size_t hi = candidates.size() - 1;  // fits
  while (lo < hi) {
    const std::size_t mid = lo + (hi - lo) / 2;
    if (auto choice = balancer.solve(candidates[mid])) {
      hi = mid;
      best = std::move(choice);
    } else {
      lo = mid + 1;
    }
  }
  for (std::size_t l = 0; l < balancer.layers.size(); ++l) {
    config.layers[balancer.layers[l]] = balancer.options[l][(*best)[l]].folding;
  }
  return config;
}

}  // namespace hwnas::cost
