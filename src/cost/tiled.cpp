#include "hwnas/cost/tiled.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>
#include <tuple>

#include <fmt/format.h>

#include "hwnas/cost/primitives.hpp"

namespace hwnas::cost {

namespace {

using ir::LayerKind;

std::int64_t ceil_div(std::int64_t a, std::int64_t b) {
  return (a + b - 1) / b;
}
std::int64_t ceil_cycles(double work, double per_cycle) {
  return static_cast<std::int64_t>(std::ceil(work / per_cycle));
}

// Words per cycle a port of `port_bits` (after DRAM scaling) carries at `bits` per word.
double words_per_cycle(double port_bits, int bits) {
  return port_bits >= bits ? std::floor(port_bits / bits) : port_bits / bits;
}

// The (possibly clipped) tile dimensions a layer sees.
struct Tiles {
  std::int64_t tm, tn, tr, tc;
};
Tiles effective(const TiledLayer& layer, const TiledConfig& config, TiledModel model) {
  if (model == TiledModel::fnas) return {config.tm, config.tn, config.tr, config.tc};
  return {std::min<std::int64_t>(config.tm, layer.m), std::min<std::int64_t>(config.tn, layer.n),
          std::min<std::int64_t>(config.tr, layer.r), std::min<std::int64_t>(config.tc, layer.c)};
}

struct BufferDims {
  std::int64_t in_h = 1, in_w = 1, out_h = 1, out_w = 1;
};
BufferDims buffer_dims(const TiledProblem& problem, const TiledConfig& config) {
  BufferDims dims;
  for (const auto& layer : problem.layers) {
    if (layer.kind != TiledLayer::Kind::mac) continue;
    const Tiles t = effective(layer, config, problem.model);
    const bool halo = problem.model == TiledModel::halo;
    dims.in_h = std::max(dims.in_h, halo ? layer.s * t.tr + layer.k - layer.s : t.tr);
    dims.in_w = std::max(dims.in_w, halo ? layer.s * t.tc + layer.k - layer.s : t.tc);
    dims.out_h = std::max(dims.out_h, t.tr);
    dims.out_w = std::max(dims.out_w, t.tc);
  }
  return dims;
}

// Lexicographic order of the DSE: latency, then resources, then the tile sizes.
struct Candidate {
  std::int64_t latency;
  hw::Resources resources;
  TiledConfig config;
};
bool better(const Candidate& a, const Candidate& b) {
  return std::tie(a.latency, a.resources.dsp, a.resources.bram, a.resources.lut, a.resources.ff,
                  a.config.tm, a.config.tn, a.config.tr, a.config.tc) <
         std::tie(b.latency, b.resources.dsp, b.resources.bram, b.resources.lut, b.resources.ff,
                  b.config.tm, b.config.tn, b.config.tr, b.config.tc);
}
bool within(const hw::Resources& used, const hw::Resources& budget) {
  return used.dsp <= budget.dsp && used.bram <= budget.bram && used.lut <= budget.lut &&
         used.ff <= budget.ff;
}

// The search result for the best candidate found (none while its latency is still INT64_MAX).
TiledSearchResult with_best(TiledSearchResult result, const Candidate& best) {
  if (best.latency == INT64_MAX) return result;
  result.found = true;
  result.config = best.config;
  result.latency_cycles = best.latency;
  return result;
}

// Latency of the whole network, giving up (returning > limit) once it exceeds `limit`.
std::int64_t latency_up_to(const TiledProblem& problem, const TiledConfig& config,
                           std::int64_t limit) {
  std::int64_t total = 0;
  for (std::size_t i = 0; i < problem.layers.size(); ++i) {
    total += tiled_layer_cycles(problem, i, config).cycles;
    if (total > limit) return total;
  }
  return total;
}

// Minimal representatives of the classes of equal ceil(d/T) over all layer dimensions d.
std::vector<int> class_minima(const std::vector<std::int64_t>& dims) {
  std::set<int> values{1};
  for (std::int64_t d : dims) {
    // T = ceil(d/q) is the smallest T with ceil(d/T) <= q. Jumping q straight to the first
    // value with a smaller ceil(d/q) visits each class once: O(sqrt(d)) per dimension.
    for (std::int64_t q = 1;;) {
      const std::int64_t t = ceil_div(d, q);
      values.insert(static_cast<int>(t));
      if (t == 1) break;
      q = ceil_div(d, t - 1);
    }
  }
  return {values.begin(), values.end()};
}

// One layer's line of a report (without its configuration text).
LayerCost layer_cost(const TiledProblem& problem, std::size_t i, const TiledConfig& config) {
  const TiledLayerCycles lc = tiled_layer_cycles(problem, i, config);
  LayerCost cost;
  cost.name = problem.names[i];
  cost.kind = problem.kinds[i];
  cost.cycles = lc.cycles;
  cost.bound = lc.bound;
  cost.macs = problem.macs[i] * problem.batch;
  return cost;
}

// The array is built for the widest bits and the largest kernel and stride of its MAC layers.
void update_engine_widths(TiledProblem& problem) {
  problem.weight_bits = 1;
  problem.act_bits = 1;
  problem.max_kernel = 1;
  problem.max_stride = 1;
  for (const auto& t : problem.layers) {
    if (t.kind != TiledLayer::Kind::mac) continue;
    problem.weight_bits = std::max(problem.weight_bits, t.weight_bits);
    problem.act_bits = std::max({problem.act_bits, t.out_bits, t.in_bits});
    problem.max_kernel = std::max(problem.max_kernel, t.k);
    problem.max_stride = std::max(problem.max_stride, t.s);
  }
}

}  // namespace

std::string to_string(TiledModel model) {
  return model == TiledModel::fnas ? "fnas" : "halo";
}

std::string to_string(const TiledConfig& c) {
  return fmt::format("Tm={} Tn={} Tr={} Tc={}", c.tm, c.tn, c.tr, c.tc);
}

TiledProblem prepare_tiled(const ir::Network& network, const hw::Target& target, TiledModel model) {
  const ir::NetworkStats stats = ir::analyze(network);
  TiledProblem problem;
  problem.batch = network.batch;
  problem.model = model;
  problem.target = target;

  const auto& board = target.board;
  const double dram_bits_per_cycle = board.dram_gb_per_s * 8e9 / (board.clock_mhz * 1e6);
  const double port_total = board.weight_port_bits + board.input_port_bits + board.output_port_bits;
  const double scale = std::min(1.0, dram_bits_per_cycle / port_total);

  for (std::size_t i = 0; i < network.layers.size(); ++i) {
    const ir::Layer& layer = network.layers[i];
    const ir::LayerStats& s = stats.layers[i];
    const int producer = s.producers.front();
    const int in_bits =
        producer == ir::kNetworkInput ? layer.bits.act : network.layers[producer].bits.act;
    TiledLayer t;
    t.weight_bits = layer.bits.weight;
    t.in_bits = in_bits;
    t.out_bits = layer.bits.act;
    t.wp = words_per_cycle(board.weight_port_bits * scale, layer.bits.weight);
    t.ip = words_per_cycle(board.input_port_bits * scale, in_bits);
    t.op = words_per_cycle(board.output_port_bits * scale, layer.bits.act);
    switch (layer.kind) {
      case LayerKind::conv:
        t.kind = TiledLayer::Kind::mac;
        t.groups = s.groups;
        t.m = s.out.channels / s.groups;
        t.n = s.in.channels / s.groups;
        t.r = s.out.height;
        t.c = s.out.width;
        t.k = layer.kernel;
        t.s = layer.stride;
        break;
      case LayerKind::linear:
        t.kind = TiledLayer::Kind::mac;
        t.m = s.out.channels;
        t.n = s.in.elements();
        break;
      case LayerKind::maxpool:
      case LayerKind::avgpool:
      case LayerKind::global_avgpool:
      case LayerKind::add:
        t.kind = TiledLayer::Kind::memory;
        t.in_words = s.in.elements() * static_cast<std::int64_t>(s.producers.size());
        t.out_words = s.out.elements();
        break;
      case LayerKind::zero:  // a constant: nothing to compute, load or store
      default:
        t.kind = TiledLayer::Kind::fused;
        break;
    }
    problem.layers.push_back(t);
    problem.names.push_back(layer.name);
    problem.kinds.emplace_back(ir::to_string(layer.kind));
    problem.macs.push_back(s.macs);
  }
  update_engine_widths(problem);
  return problem;
}

TiledProblem restrict_tiled(const TiledProblem& problem, const std::vector<int>& layers) {
  TiledProblem sub = problem;
  sub.layers.clear();
  sub.names.clear();
  sub.kinds.clear();
  sub.macs.clear();
  for (int i : layers) {
    sub.layers.push_back(problem.layers.at(i));
    sub.names.push_back(problem.names.at(i));
    sub.kinds.push_back(problem.kinds.at(i));
    sub.macs.push_back(problem.macs.at(i));
  }
  update_engine_widths(sub);
  return sub;
}

TiledLayerCycles tiled_layer_cycles(const TiledProblem& problem, std::size_t index,
                                    const TiledConfig& config) {
  const TiledLayer& layer = problem.layers[index];
  switch (layer.kind) {
    case TiledLayer::Kind::fused:
      return {0, Bound::fused};
    case TiledLayer::Kind::memory: {
      const std::int64_t read = ceil_cycles(static_cast<double>(layer.in_words), layer.ip);
      const std::int64_t write = ceil_cycles(static_cast<double>(layer.out_words), layer.op);
      return {problem.batch * std::max(read, write), read >= write ? Bound::input : Bound::output};
    }
    case TiledLayer::Kind::mac:
      break;
  }
  const Tiles t = effective(layer, config, problem.model);
  const bool halo = problem.model == TiledModel::halo;
  const std::int64_t in_h = halo ? layer.s * t.tr + layer.k - layer.s : t.tr;
  const std::int64_t in_w = halo ? layer.s * t.tc + layer.k - layer.s : t.tc;
  const std::int64_t t_in = ceil_cycles(static_cast<double>(t.tn * in_h * in_w), layer.ip);
  const std::int64_t t_weight =
      ceil_cycles(static_cast<double>(t.tm * t.tn * layer.k * layer.k), layer.wp);
  const std::int64_t t_out = ceil_cycles(static_cast<double>(t.tm * t.tr * t.tc), layer.op);
  const std::int64_t t_comp = layer.k * layer.k * t.tr * t.tc;

  std::int64_t lat1 = t_comp;
  Bound bound = Bound::compute;
  if (t_in > lat1) lat1 = t_in, bound = Bound::input;
  if (t_weight > lat1) lat1 = t_weight, bound = Bound::weight;
  std::int64_t lat2 = ceil_div(layer.n, config.tn) * lat1;
  if (t_out > lat2) lat2 = t_out, bound = Bound::output;
  const std::int64_t tiles =
      ceil_div(layer.r, config.tr) * ceil_div(layer.c, config.tc) * ceil_div(layer.m, config.tm);
  return {problem.batch * layer.groups * tiles * lat2, bound};
}

hw::Resources tiled_resources(const TiledProblem& problem, const TiledConfig& config) {
  const hw::Device& device = problem.target.device;
  const int wb = problem.weight_bits;
  const int ab = problem.act_bits;
  const bool fp32 = wb >= 32 || ab >= 32;
  const double macs = static_cast<double>(config.tm) * config.tn;
  const BufferDims dims = buffer_dims(problem, config);

  hw::Resources r;
  r.dsp = std::ceil(macs * dsps_per_mac(device, wb, ab));
  r.bram = 2.0 * config.tn * bram_blocks(device, dims.in_h * dims.in_w, ab) +
           2.0 * config.tm * bram_blocks(device, dims.out_h * dims.out_w, kAccumulatorBits);
  const hw::Resources weight_bank = memory_cost(device, problem.max_kernel * problem.max_kernel,
                                                static_cast<std::int64_t>(config.tm) * wb);
  r.lut += 2.0 * config.tn * weight_bank.lut;
  r.bram += 2.0 * config.tn * weight_bank.bram;
  if (multiplier_in_luts(device, wb, ab)) {
    r.lut += macs * lut_multiplier_luts(wb, ab) +
             static_cast<double>(config.tm) * (wb + ab) * (2.0 * config.tn - 1);
  }
  if (fp32) r.lut += macs * kFp32FabricLutsPerMac;
  r.lut += kControlLuts;
  r.ff = macs * (wb + ab) + static_cast<double>(config.tm) * kAccumulatorBits + kControlFfs;
  return r;
}

CostReport estimate_tiled(const TiledProblem& problem, const TiledConfig& config) {
  CostReport report;
  report.engine = "tiled";
  report.config = to_string(config) + " (" + to_string(problem.model) + " model)";
  report.batch = problem.batch;
  report.clock_mhz = problem.target.board.clock_mhz;
  for (std::size_t i = 0; i < problem.layers.size(); ++i) {
    LayerCost cost = layer_cost(problem, i, config);
    if (problem.layers[i].groups > 1) {
      cost.config = fmt::format("groups={}", problem.layers[i].groups);
    }
    report.latency_cycles += cost.cycles;
    report.layers.push_back(std::move(cost));
  }
  report.interval_cycles = report.latency_cycles;
  report.used = tiled_resources(problem, config);
  report.budget = problem.target.device.budget;
  finish_report(report);
  return report;
}

TiledSearchResult explore_tiled(const TiledProblem& problem, const hw::Resources& budget) {
  std::vector<std::int64_t> ms, ns, rs, cs;
  for (const auto& layer : problem.layers) {
    if (layer.kind != TiledLayer::Kind::mac) continue;
    ms.push_back(layer.m);
    ns.push_back(layer.n);
    rs.push_back(layer.r);
    cs.push_back(layer.c);
  }
  TiledSearchResult result;
  const std::vector<int> tms = class_minima(ms), tns = class_minima(ns), trs = class_minima(rs),
                         tcs = class_minima(cs);
  result.candidates = static_cast<std::int64_t>(tms.size() * tns.size() * trs.size() * tcs.size());

  // Fixed cycles of the memory passes: the same for every configuration.
  std::int64_t fixed = 0;
  for (std::size_t i = 0; i < problem.layers.size(); ++i) {
    if (problem.layers[i].kind == TiledLayer::Kind::memory) {
      fixed += tiled_layer_cycles(problem, i, TiledConfig{}).cycles;
    }
  }

  struct Pair {
    std::int64_t bound;
    int tm, tn;
  };
  std::vector<Pair> pairs;
  const double dsp_per_mac =
      dsps_per_mac(problem.target.device, problem.weight_bits, problem.act_bits);
  for (int tm : tms) {
    for (int tn : tns) {
      if (std::ceil(static_cast<double>(tm) * tn * dsp_per_mac) > budget.dsp) break;
      std::int64_t bound = fixed;
      for (const auto& layer : problem.layers) {
        if (layer.kind != TiledLayer::Kind::mac) continue;
        const Tiles t = effective(layer, TiledConfig{tm, tn, 1, 1}, problem.model);
        const std::int64_t t_weight =
            ceil_cycles(static_cast<double>(t.tm * t.tn * layer.k * layer.k), layer.wp);
        bound += problem.batch * layer.groups * ceil_div(layer.m, tm) * ceil_div(layer.n, tn) *
                 std::max(layer.k * layer.k * layer.r * layer.c, t_weight);
      }
      pairs.push_back({bound, tm, tn});
    }
  }
  std::sort(pairs.begin(), pairs.end(), [](const Pair& a, const Pair& b) {
    return std::tie(a.bound, a.tm, a.tn) < std::tie(b.bound, b.tm, b.tn);
  });

  Candidate best{INT64_MAX, {}, {}};
  for (const Pair& pair : pairs) {
    if (pair.bound > best.latency) break;
    for (int tr : trs) {
      bool any_fit = false;
      for (int tc : tcs) {
        const TiledConfig config{pair.tm, pair.tn, tr, tc};
        const hw::Resources used = tiled_resources(problem, config);
        if (!within(used, budget)) break;  // resources only grow with Tc
        any_fit = true;
        ++result.evaluated;
        const std::int64_t latency = latency_up_to(problem, config, best.latency);
        const Candidate candidate{latency, used, config};
        if (latency <= best.latency && better(candidate, best)) best = candidate;
      }
      if (!any_fit) break;  // and with Tr
    }
  }
  return with_best(std::move(result), best);
}

TiledSearchResult explore_tiled_exhaustive(const TiledProblem& problem,
                                           const hw::Resources& budget) {
  std::int64_t max_m = 1, max_n = 1, max_r = 1, max_c = 1;
  for (const auto& layer : problem.layers) {
    if (layer.kind != TiledLayer::Kind::mac) continue;
    max_m = std::max(max_m, layer.m);
    max_n = std::max(max_n, layer.n);
    max_r = std::max(max_r, layer.r);
    max_c = std::max(max_c, layer.c);
  }
  TiledSearchResult result;
  result.candidates = max_m * max_n * max_r * max_c;
  Candidate best{INT64_MAX, {}, {}};
  for (int tm = 1; tm <= max_m; ++tm) {
    for (int tn = 1; tn <= max_n; ++tn) {
      for (int tr = 1; tr <= max_r; ++tr) {
        for (int tc = 1; tc <= max_c; ++tc) {
          const TiledConfig config{tm, tn, tr, tc};
          const hw::Resources used = tiled_resources(problem, config);
          if (!within(used, budget)) continue;
          ++result.evaluated;
          const Candidate candidate{latency_up_to(problem, config, INT64_MAX), used, config};
          if (better(candidate, best)) best = candidate;
        }
      }
    }
  }
  return with_best(std::move(result), best);
}

TiledPerLayerResult explore_tiled_per_layer(const TiledProblem& problem,
                                            const hw::Resources& budget) {
  TiledPerLayerResult result;
  result.found = true;
  result.configs.assign(problem.layers.size(), TiledConfig{});
  CostReport& report = result.report;
  report.engine = "tiled";
  report.config = "per-layer tiling (" + to_string(problem.model) + " model)";
  report.batch = problem.batch;
  report.clock_mhz = problem.target.board.clock_mhz;
  report.budget = problem.target.device.budget;
  for (std::size_t i = 0; i < problem.layers.size(); ++i) {
    if (problem.layers[i].kind == TiledLayer::Kind::mac) {
      // The layer alone, with the engine built for the whole network's bit widths and kernels.
      TiledProblem single = restrict_tiled(problem, {static_cast<int>(i)});
      single.weight_bits = problem.weight_bits;
      single.act_bits = problem.act_bits;
      single.max_kernel = problem.max_kernel;
      single.max_stride = problem.max_stride;
      const TiledSearchResult best = explore_tiled(single, budget);
      if (!best.found) {
        result.found = false;
      } else {
        result.configs[i] = best.config;
        const hw::Resources used = tiled_resources(single, best.config);
        report.used.dsp = std::max(report.used.dsp, used.dsp);
        report.used.bram = std::max(report.used.bram, used.bram);
        report.used.lut = std::max(report.used.lut, used.lut);
        report.used.ff = std::max(report.used.ff, used.ff);
      }
    }
    LayerCost cost = layer_cost(problem, i, result.configs[i]);
    if (problem.layers[i].kind == TiledLayer::Kind::mac) cost.config = to_string(result.configs[i]);
    report.latency_cycles += cost.cycles;
    report.layers.push_back(std::move(cost));
  }
  report.interval_cycles = report.latency_cycles;
  finish_report(report);
  return result;
}

}  // namespace hwnas::cost
