#pragma once
// Synthetic search problems with answers known by enumeration, for the algorithm tests.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "hwnas/search/algorithm.hpp"
#include "hwnas/space/search_space.hpp"

namespace hwnas::search::testing {

using space::Genotype;

// `gene_count` genes of `values` values each, every gene always active. A genotype decodes to
// one linear layer whose width is the genotype's mixed-radix index plus one, so distinct
// genotypes decode to distinct networks, as the SearchSpace contract asks.
class GridSpace final : public space::SearchSpace {
 public:
  GridSpace(int gene_count, int values) : values_(values) {
    for (int g = 0; g < gene_count; ++g) genes_.push_back({"g" + std::to_string(g), values});
  }

  std::string_view kind() const override { return "grid"; }
  const std::string& name() const override { return name_; }
  const std::vector<space::Gene>& genes() const override { return genes_; }

  ir::Network decode(const Genotype& genotype) const override {
    space::check_genotype(*this, genotype);
    int index = 0;
    for (auto value = genotype.rbegin(); value != genotype.rend(); ++value) {
      index = index * values_ + *value;
    }
    ir::Layer fc;
    fc.kind = ir::LayerKind::linear;
    fc.name = "fc";
    fc.out = index + 1;
    return ir::Network{name_, ir::Shape{1, 1, 1}, 1, {fc}};
  }

  std::vector<bool> active_genes(const Genotype& genotype) const override {
    space::check_genotype(*this, genotype);
    return std::vector<bool>(genes_.size(), true);
  }

  std::string describe(const Genotype& genotype) const override {
    return space::to_string(genotype);
  }

  space::SpaceSize size() const override {
    double count = std::pow(values_, static_cast<double>(genes_.size()));
    return {std::to_string(static_cast<long long>(count)), std::log10(count)};
  }

 private:
  std::string name_ = "grid";
  int values_;
  std::vector<space::Gene> genes_;
};

// Every genotype of a space, in mixed-radix order (gene 0 fastest). Only for small spaces.
inline std::vector<Genotype> all_genotypes(const space::SearchSpace& space) {
  const auto& genes = space.genes();
  std::vector<Genotype> all;
  Genotype genotype(genes.size(), 0);
  while (true) {
    all.push_back(genotype);
    std::size_t g = 0;
    for (; g < genes.size(); ++g) {
      if (++genotype[g] < genes[g].cardinality) break;
      genotype[g] = 0;
    }
    if (g == genes.size()) return all;
  }
}

using Evaluate = std::function<Outcome(const Genotype&)>;

// One objective with a single best genotype: accuracy = 0.9 - sum_i weight_i * |g_i - target_i|,
// 1.0 nowhere, 0.9 only at the target. For a 6-gene, 4-value GridSpace.
inline const Genotype kTarget{1, 3, 0, 2, 3, 1};

inline Outcome target_outcome(const Genotype& genotype) {
  static const std::vector<double> weights{0.05, 0.04, 0.03, 0.06, 0.02, 0.035};
  double accuracy = 0.9;
  for (std::size_t g = 0; g < genotype.size(); ++g) {
    accuracy -= weights[g] * std::abs(genotype[g] - kTarget[g]);
  }
  Outcome outcome;
  outcome.genotype = genotype;
  outcome.feasible = true;
  outcome.accuracy = accuracy;
  outcome.objectives = {1 - accuracy};
  return outcome;
}

// Accuracy against latency, like a real space: for a 6-gene, 4-value GridSpace, raising gene i
// from v-1 to v adds kGains[i][v-1] to the accuracy (0.4 at all zeros) and 1 ms to the latency
// (2 ms at all zeros). The gains fall within each gene and all 18 differ, so for each latency
// the best accuracy comes from one genotype: the Pareto front of (1 - accuracy, latency) has 19
// points, one per latency 2..20 ms.
inline const std::vector<std::vector<double>> kGains{{0.070, 0.030, 0.010}, {0.045, 0.040, 0.005},
                                                     {0.080, 0.020, 0.015}, {0.050, 0.025, 0.012},
                                                     {0.060, 0.035, 0.008}, {0.055, 0.018, 0.016}};

struct TradeoffProblem {
  // A hard limit on latency: above it a genotype is infeasible with violation
  // (latency - limit) / limit. +inf = no limit.
  double latency_limit_ms = std::numeric_limits<double>::infinity();
  // Whether an infeasible genotype still reports its accuracy and objectives. A real pipeline
  // never trains one (NaN accuracy, but latency known); measuring it anyway makes the
  // infeasible region the most accurate one, a trap for an algorithm that ignores the limit.
  bool measure_infeasible = false;

  Outcome operator()(const Genotype& genotype) const {
    double accuracy = 0.4;
    double latency_ms = 2.0;
    for (std::size_t g = 0; g < genotype.size(); ++g) {
      for (int v = 0; v < genotype[g]; ++v) accuracy += kGains[g][static_cast<std::size_t>(v)];
      latency_ms += genotype[g];
    }
    Outcome outcome;
    outcome.genotype = genotype;
    outcome.latency_ms = latency_ms;
    outcome.feasible = latency_ms <= latency_limit_ms;
    outcome.violation = outcome.feasible ? 0.0 : (latency_ms - latency_limit_ms) / latency_limit_ms;
    if (outcome.feasible || measure_infeasible) {
      outcome.accuracy = accuracy;
      outcome.objectives = {1 - accuracy, latency_ms};
    }
    return outcome;
  }
};

// Asks and tells until `budget` outcomes are in, in asks of `batch` (the last one smaller when
// `batch` does not divide the budget). Every outcome, in the order asked.
inline std::vector<Outcome> run(Algorithm& algorithm, const Evaluate& evaluate, std::size_t budget,
                                std::size_t batch) {
  std::vector<Outcome> outcomes;
  while (outcomes.size() < budget) {
    const auto genotypes = algorithm.ask(std::min(batch, budget - outcomes.size()));
    std::vector<Outcome> told;
    for (const auto& genotype : genotypes) told.push_back(evaluate(genotype));
    algorithm.tell(told);
    outcomes.insert(outcomes.end(), told.begin(), told.end());
  }
  return outcomes;
}

// The number of outcomes evaluated up to and including the first with `genotype`; 0 if never.
inline std::size_t evaluations_to_reach(const std::vector<Outcome>& outcomes,
                                        const Genotype& genotype) {
  for (std::size_t i = 0; i < outcomes.size(); ++i) {
    if (outcomes[i].genotype == genotype) return i + 1;
  }
  return 0;
}

}  // namespace hwnas::search::testing
