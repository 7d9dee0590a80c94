#pragma once
// Models shared by the solve tests: hand-solvable ones and seeded random ones.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "hwnas/core/rng.hpp"
#include "hwnas/solve/model.hpp"

namespace hwnas::solve::testing_models {

inline constexpr double kInf = std::numeric_limits<double>::infinity();

// 0/1 knapsack, capacity 10:
//   item   a   b   c   d
//   value 10  13   7   8
//   weight 5   6   3   4
// Every subset within 10: {a,c}=17 w8, {a,d}=18 w9, {b,c}=20 w9, {b,d}=21 w10, {c,d}=15 w7,
// {a,b} w11 and any triple (>= 12) do not fit. Optimum {b,d} = 21.
inline Model knapsack() {
  Model model;
  const double value[] = {10, 13, 7, 8};
  const double weight[] = {5, 6, 3, 4};
  const char* names[] = {"a", "b", "c", "d"};
  std::vector<Term> cap;
  for (int i = 0; i < 4; ++i) cap.push_back({model.add_binary(names[i], value[i]), weight[i]});
  model.add_constraint("cap", cap, Sense::less_equal, 10);
  model.set_objective_sense(ObjectiveSense::maximize);
  return model;
}

// Multi-dimensional 0/1 knapsack with strongly correlated weights (value = mean weight + 100),
// the classic hard case for branch and bound.
inline Model hard_knapsack(std::uint64_t seed, int items = 60, int dims = 5) {
  Rng rng(seed);
  Model model;
  std::vector<std::vector<double>> w(dims, std::vector<double>(items));
  std::vector<double> total(dims, 0);
  for (int j = 0; j < items; ++j) {
    double sum = 0;
    for (int d = 0; d < dims; ++d) {
      w[d][j] = static_cast<double>(rng.uniform_int(1, 1000));
      sum += w[d][j];
      total[d] += w[d][j];
    }
    model.add_binary("item" + std::to_string(j), sum / dims + 100);
  }
  for (int d = 0; d < dims; ++d) {
    std::vector<Term> terms;
    for (int j = 0; j < items; ++j) terms.push_back({j, w[d][j]});
    model.add_constraint("dim" + std::to_string(d), terms, Sense::less_equal, total[d] / 2);
  }
  model.set_objective_sense(ObjectiveSense::maximize);
  return model;
}

// Multiple-choice knapsack: `groups` layers, each picks one of `candidates` implementations
// (binary x[g][k], sum_k x[g][k] = 1), three resources (<= half-way between the cheapest and the
// dearest choice per group), minimise total latency. `correlated`: faster candidates use more
// resources (the realistic, hard case); otherwise resources and latency are independent.
inline Model choice_knapsack(std::uint64_t seed, int groups = 50, int candidates = 16,
                             bool correlated = false) {
  Rng rng(seed);
  Model model;
  constexpr int kResources = 3;
  std::vector<std::vector<Term>> resource(kResources);
  std::vector<double> low(kResources, 0), high(kResources, 0);
  for (int g = 0; g < groups; ++g) {
    std::vector<Term> pick;
    std::vector<double> lo(kResources, kInf), hi(kResources, 0);
    for (int k = 0; k < candidates; ++k) {
      const double speed = rng.uniform01();
      const double latency = 100 * (1.2 - speed) * (0.8 + 0.4 * rng.uniform01());
      const int x = model.add_binary("g" + std::to_string(g) + "k" + std::to_string(k), latency);
      pick.push_back({x, 1});
      const double size = correlated ? speed : rng.uniform01();
      for (int r = 0; r < kResources; ++r) {
        const double use = 10 + 90 * size * (0.7 + 0.6 * rng.uniform01());
        resource[r].push_back({x, use});
        lo[r] = std::min(lo[r], use);
        hi[r] = std::max(hi[r], use);
      }
    }
    model.add_constraint("pick" + std::to_string(g), pick, Sense::equal, 1);
    for (int r = 0; r < kResources; ++r) {
      low[r] += lo[r];
      high[r] += hi[r];
    }
  }
  for (int r = 0; r < kResources; ++r) {
    model.add_constraint("resource" + std::to_string(r), resource[r], Sense::less_equal,
                         (low[r] + high[r]) / 2);
  }
  return model;
}

// A small random pure-integer model for comparing solvers: 1..6 variables (binary, or integer
// in a range within [-3, 4]), 0..4 constraints with integer coefficients in [-5, 5] (some
// halves), right-hand sides mostly inside the activity range, sometimes outside (infeasible),
// objective coefficients in [-5, 5] (some halves), either sense.
struct RandomShape {
  int max_variables = 6;
  int max_constraints = 4;
  bool negative_bounds = true;  // integer ranges may start below 0
  bool halves = true;           // some coefficients are k + 0.5
};

inline Model random_small_model(Rng& rng, const RandomShape& shape = {}) {
  Model model;
  const int n = static_cast<int>(rng.uniform_int(1, shape.max_variables));
  const bool halves = shape.halves;
  auto coefficient = [&rng, halves] {
    const double c = static_cast<double>(rng.uniform_int(-5, 5));
    return halves && rng.bernoulli(0.2) ? c + 0.5 : c;
  };
  for (int j = 0; j < n; ++j) {
    const std::string name = "x" + std::to_string(j);
    if (rng.bernoulli(0.5)) {
      model.add_binary(name, coefficient());
    } else {
      const auto lo = rng.uniform_int(shape.negative_bounds ? -3 : 0, 1);
      const auto hi = lo + rng.uniform_int(0, 3);
      model.add_variable(name, VarType::integer, static_cast<double>(lo), static_cast<double>(hi),
                         coefficient());
    }
  }
  const int m = static_cast<int>(rng.uniform_int(0, shape.max_constraints));
  for (int i = 0; i < m; ++i) {
    std::vector<Term> terms;
    double min_activity = 0, max_activity = 0;
    for (int j = 0; j < n; ++j) {
      if (!rng.bernoulli(0.7)) continue;
      const double c = coefficient();
      if (c == 0) continue;
      terms.push_back({j, c});
      const auto& v = model.variables()[j];
      min_activity += std::min(c * v.lower, c * v.upper);
      max_activity += std::max(c * v.lower, c * v.upper);
    }
    const auto sense = static_cast<Sense>(rng.uniform_int(0, 2));
    // Mostly inside the activity range; sometimes just outside it, on the infeasible side.
    double rhs = std::round(min_activity + (max_activity - min_activity) * rng.uniform01());
    if (rng.bernoulli(0.1)) {
      rhs = sense == Sense::less_equal ? min_activity - 1 : max_activity + 1;
    } else if (sense == Sense::equal && rng.bernoulli(0.1)) {
      rhs += 0.5;  // often unreachable
    }
    model.add_constraint("r" + std::to_string(i), terms, sense, rhs);
  }
  model.set_objective_sense(rng.bernoulli(0.5) ? ObjectiveSense::minimize
                                               : ObjectiveSense::maximize);
  model.set_objective_offset(static_cast<double>(rng.uniform_int(-3, 3)));
  return model;
}

}  // namespace hwnas::solve::testing_models
