#pragma once
// Random mapping problems for the property tests: a few subgraphs with a few candidates, and
// budgets around 40-140% of an average choice's needs, so that some bind and some instances
// are infeasible.

#include <string>

#include "hwnas/core/rng.hpp"
#include "hwnas/map/problem.hpp"

namespace hwnas::map::testing {

inline MappingProblem random_problem(Rng& rng, int subgraphs, int candidates, bool accuracy,
                                     Objective objective) {
  MappingProblem p;
  p.objective = objective;
  for (int s = 0; s < subgraphs; ++s) {
    Subgraph g{"s" + std::to_string(s), {}, {}};
    for (int c = 0; c < candidates; ++c) {
      Candidate k;
      k.cycles = static_cast<double>(rng.uniform_int(1, 1000));
      k.resources = {static_cast<double>(rng.uniform_int(0, 40)),
                     static_cast<double>(rng.uniform_int(0, 20)),
                     static_cast<double>(rng.uniform_int(50, 500)), 0};
      k.accuracy_cost = accuracy ? rng.uniform01() : 0.0;
      g.candidates.push_back(k);
    }
    p.subgraphs.push_back(std::move(g));
  }
  p.budget = {20.0 * subgraphs * (0.4 + rng.uniform01()),
              10.0 * subgraphs * (0.4 + rng.uniform01()),
              275.0 * subgraphs * (0.6 + rng.uniform01()), 0};
  if (accuracy) p.accuracy_budget = 0.5 * subgraphs * (0.4 + rng.uniform01());
  return p;
}

}  // namespace hwnas::map::testing
