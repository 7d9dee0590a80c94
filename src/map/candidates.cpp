#include "hwnas/map/candidates.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include <fmt/format.h>

#include "hwnas/core/error.hpp"

namespace hwnas::map {

namespace {

using ir::LayerKind;

std::string prefix_of(const std::string& name) {
  const auto underscore = name.find('_');
  return underscore == std::string::npos ? name : name.substr(0, underscore);
}

// Sum of the device fractions a resource vector uses: how candidates are ranked for cheapness.
double fraction_sum(const hw::Resources& r, const hw::Resources& budget) {
  auto share = [](double used, double have) { return have > 0 ? used / have : used; };
  return share(r.dsp, budget.dsp) + share(r.bram, budget.bram) + share(r.lut, budget.lut);
}

// The network with `subgraph`'s layers at `bits` (weight-layer weights; every layer's outputs).
ir::Network with_bits(const ir::Network& network, const Subgraph& subgraph, ir::Bits bits) {
  ir::Network copy = network;
  for (int i : subgraph.layers) {
    copy.layers[i].bits.act = bits.act;
    if (copy.layers[i].has_weights() || copy.layers[i].kind == LayerKind::batchnorm) {
      copy.layers[i].bits.weight = bits.weight;
    }
  }
  return copy;
}

// Keeps at most `limit` candidates of one list, after dominance pruning: evenly spread over
// the list sorted by cycles, with the fastest and the cheapest always in. Counts what it
// removes in `problem`.
void thin(std::vector<Candidate>& cands, std::size_t limit, MappingProblem& problem) {
  problem.generated += static_cast<int>(cands.size());
  MappingProblem one;
  one.subgraphs.push_back({"", {}, std::move(cands)});
  one.budget = problem.budget;
  problem.dominated += prune_dominated(one);
  cands = std::move(one.subgraphs[0].candidates);
  std::sort(cands.begin(), cands.end(),
            [](const Candidate& a, const Candidate& b) { return a.cycles < b.cycles; });
  if (cands.size() <= limit || limit < 2) return;
  std::vector<Candidate> kept;
  for (std::size_t k = 0; k < limit; ++k) {
    // Index k of `limit` evenly spaced points from the first (fastest) to the last (cheapest:
    // after pruning, the slowest candidate is the one nothing undercuts in resources).
    const std::size_t index = k * (cands.size() - 1) / (limit - 1);
    kept.push_back(cands[index]);
  }
  problem.thinned += static_cast<int>(cands.size() - kept.size());
  cands = std::move(kept);
}

// One candidate list per bit-width option (or the network's own bits), concatenated.
template <class Generate>
MappingProblem build(const ir::Network& network, const hw::Target& target,
                     const CandidateOptions& options, const AccuracyCost& accuracy,
                     Generate&& generate) {
  const ir::NetworkStats stats = ir::analyze(network);
  MappingProblem problem;
  problem.choose_bits = !options.bits.empty();
  problem.subgraphs = partition_network(network, options.partition);
  problem.budget = target.device.budget;
  problem.objective = options.objective;
  for (auto& subgraph : problem.subgraphs) {
    std::vector<Candidate> all;
    if (options.bits.empty()) {
      std::vector<Candidate> list = generate(network, subgraph);
      for (auto& c : list) {
        c.bits = network.layers[subgraph.layers.front()].bits;
        for (int i : subgraph.layers) {
          if (network.layers[i].has_weights()) c.bits = network.layers[i].bits;
        }
      }
      thin(list, options.max_candidates, problem);
      all = std::move(list);
    } else {
      for (const ir::Bits bits : options.bits) {
        const ir::Network quantized = with_bits(network, subgraph, bits);
        const double cost = accuracy(network, stats, subgraph, bits);
        std::vector<Candidate> list = generate(quantized, subgraph);
        for (auto& c : list) {
          c.bits = bits;
          c.accuracy_cost = cost;
          c.label = fmt::format("w{}a{} {}", bits.weight, bits.act, c.label);
        }
        thin(list, options.max_candidates, problem);
        all.insert(all.end(), std::make_move_iterator(list.begin()),
                   std::make_move_iterator(list.end()));
      }
    }
    subgraph.candidates = std::move(all);
  }
  return problem;
}

}  // namespace

std::vector<Subgraph> partition_network(const ir::Network& network, Partition partition) {
  std::vector<Subgraph> subgraphs;
  bool has_weights = false;  // whether the current subgraph has its weight layer already
  for (int i = 0; i < static_cast<int>(network.layers.size()); ++i) {
    const ir::Layer& layer = network.layers[i];
    if (subgraphs.empty() || (layer.has_weights() && has_weights)) {
      subgraphs.push_back({layer.name, {}, {}});
      has_weights = false;
    }
    Subgraph& current = subgraphs.back();
    current.layers.push_back(i);
    if (layer.has_weights() && !has_weights) {
      current.name = layer.name;
      has_weights = true;
    }
  }
  if (partition == Partition::layer) return subgraphs;

  std::vector<Subgraph> blocks;
  for (auto& subgraph : subgraphs) {
    const std::string prefix = prefix_of(subgraph.name);
    if (!blocks.empty() && prefix_of(blocks.back().name) == prefix) {
      auto& layers = blocks.back().layers;
      layers.insert(layers.end(), subgraph.layers.begin(), subgraph.layers.end());
    } else {
      subgraph.name = prefix;
      blocks.push_back(std::move(subgraph));
    }
  }
  return blocks;
}

double quantization_noise_cost(const ir::Network& network, const ir::NetworkStats& stats,
                               const Subgraph& subgraph, ir::Bits bits) {
  double reference = 0;
  for (const auto& layer : stats.layers) {
    reference += static_cast<double>(layer.params + layer.out.elements());
  }
  reference *= std::pow(4.0, -8);
  double noise = 0;
  for (int i : subgraph.layers) {
    const auto& layer = stats.layers[i];
    noise += static_cast<double>(layer.params) * std::pow(4.0, -bits.weight) +
             static_cast<double>(layer.out.elements()) * std::pow(4.0, -bits.act);
  }
  (void)network;
  return reference > 0 ? noise / reference : 0.0;
}

double SensitivityTable::operator()(const ir::Network&, const ir::NetworkStats&,
                                    const Subgraph& subgraph, ir::Bits bits) const {
  const auto it = costs.find({subgraph.name, bits.weight, bits.act});
  if (it == costs.end()) {
    throw InputError(source, subgraph.name,
                     fmt::format("no accuracy cost for weight bits {} and activation bits {}",
                                 bits.weight, bits.act));
  }
  return it->second;
}

MappingProblem dataflow_problem(const ir::Network& network, const hw::Target& target,
                                const CandidateOptions& options, const AccuracyCost& accuracy) {
  const bool bottleneck = options.objective == Objective::throughput;
  auto generate = [&](const ir::Network& net, const Subgraph& subgraph) {
    const ir::NetworkStats stats = ir::analyze(net);
    struct Option {
      cost::Folding folding;
      cost::DataflowStage stage;
      double score;
    };
    std::vector<std::vector<Option>> options_per_layer;
    std::set<std::int64_t> levels;
    for (int i : subgraph.layers) {
      std::vector<Option> layer_options;
      if (ir::costs_nothing(net.layers[i].kind)) {
        layer_options.push_back({{}, {}, 0});
      } else {
        for (const cost::Folding& f : cost::valid_foldings(net, stats, i)) {
          const cost::DataflowStage stage = cost::dataflow_stage(net, stats, target.device, i, f);
          layer_options.push_back({f, stage, fraction_sum(stage.resources, target.device.budget)});
          levels.insert(stage.cycles);
        }
      }
      options_per_layer.push_back(std::move(layer_options));
    }
    if (levels.empty()) levels.insert(0);
    std::vector<Candidate> candidates;
    for (const std::int64_t level : levels) {
      Candidate c;
      bool possible = true;
      for (std::size_t k = 0; k < options_per_layer.size() && possible; ++k) {
        const Option* best = nullptr;
        for (const Option& o : options_per_layer[k]) {
          if (o.stage.cycles > level) continue;
          if (!best || o.score < best->score ||
              (o.score == best->score && o.stage.cycles < best->stage.cycles)) {
            best = &o;
          }
        }
        if (!best) {
          possible = false;
          break;
        }
        c.foldings.push_back(best->folding);
        c.resources += best->stage.resources;
        const double cycles = static_cast<double>(best->stage.cycles);
        c.cycles = bottleneck ? std::max(c.cycles, cycles) : c.cycles + cycles;
      }
      if (!possible) continue;
      std::vector<std::string> parts;
      for (std::size_t k = 0; k < subgraph.layers.size(); ++k) {
        const ir::Layer& layer = net.layers[subgraph.layers[k]];
        if (layer.has_weights()) {
          parts.push_back(
              fmt::format("{} PE={} SIMD={}", layer.name, c.foldings[k].pe, c.foldings[k].simd));
        } else if (!ir::costs_nothing(layer.kind) && c.foldings[k].pe > 1) {
          parts.push_back(fmt::format("{} PE={}", layer.name, c.foldings[k].pe));
        }
      }
      c.label = fmt::format("{}", fmt::join(parts, "; "));
      candidates.push_back(std::move(c));
    }
    return candidates;
  };
  return build(network, target, options, accuracy, generate);
}

MappingProblem tiled_problem(const ir::Network& network, const hw::Target& target,
                             const CandidateOptions& options, const AccuracyCost& accuracy) {
  const hw::Resources& budget = target.device.budget;
  auto generate = [&](const ir::Network& net, const Subgraph& subgraph) {
    const cost::TiledProblem whole = cost::prepare_tiled(net, target, options.tiled_model);
    const cost::TiledProblem sub = cost::restrict_tiled(whole, subgraph.layers);
    std::vector<Candidate> candidates;
    const double dsp_shares[] = {1.0 / 128, 1.0 / 64, 1.0 / 32, 1.0 / 16, 1.0 / 8,
                                 3.0 / 16,  1.0 / 4,  3.0 / 8,  1.0 / 2,  5.0 / 8,
                                 3.0 / 4,   7.0 / 8,  1.0};
    const double bram_shares[] = {1.0 / 32, 1.0 / 16, 1.0 / 8, 1.0 / 4, 1.0 / 2, 1.0};
    std::set<std::tuple<int, int, int, int>> seen;
    for (const double d : dsp_shares) {
      for (const double b : bram_shares) {
        const hw::Resources cap{std::floor(budget.dsp * d), std::floor(budget.bram * b), budget.lut,
                                budget.ff};
        const cost::TiledSearchResult best = cost::explore_tiled(sub, cap);
        if (!best.found) continue;
        const cost::TiledConfig& t = best.config;
        if (!seen.insert({t.tm, t.tn, t.tr, t.tc}).second) continue;
        Candidate c;
        c.tiled = t;
        c.cycles = static_cast<double>(best.latency_cycles);
        c.resources = cost::tiled_resources(sub, t);
        c.label = cost::to_string(t);
        candidates.push_back(std::move(c));
      }
    }
    return candidates;
  };
  MappingProblem problem = build(network, target, options, accuracy, generate);
  return problem;
}

ir::Network apply_bits(const ir::Network& network, const MappingProblem& problem,
                       const std::vector<int>& choice) {
  ir::Network out = network;
  if (!problem.choose_bits) return out;
  for (std::size_t s = 0; s < problem.subgraphs.size(); ++s) {
    out = with_bits(out, problem.subgraphs[s], problem.subgraphs[s].candidates[choice[s]].bits);
  }
  return out;
}

cost::DataflowConfig apply_foldings(const ir::Network& network, const MappingProblem& problem,
                                    const std::vector<int>& choice) {
  cost::DataflowConfig config;
  config.layers.assign(network.layers.size(), cost::Folding{});
  for (std::size_t s = 0; s < problem.subgraphs.size(); ++s) {
    const Subgraph& subgraph = problem.subgraphs[s];
    const Candidate& c = subgraph.candidates[choice[s]];
    for (std::size_t k = 0; k < subgraph.layers.size() && k < c.foldings.size(); ++k) {
      config.layers[subgraph.layers[k]] = c.foldings[k];
    }
  }
  return config;
}

}  // namespace hwnas::map
