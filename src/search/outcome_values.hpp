#pragma once
// An outcome's values as the rankings compare them: a NaN (not measured) counts as the worst,
// +inf, so that an unmeasured candidate never wins a comparison. Shared by the rankings of
// outcomes.cpp and NSGA-II's survivor selection.

#include <cmath>
#include <limits>
#include <vector>

#include "hwnas/search/algorithm.hpp"

namespace hwnas::search::detail {

inline double violation_of(const Outcome& outcome) {
  return std::isnan(outcome.violation) ? std::numeric_limits<double>::infinity()
                                       : outcome.violation;
}

inline std::vector<double> objectives_of(const Outcome& outcome) {
  std::vector<double> objectives = outcome.objectives;
  for (double& value : objectives) {
    if (std::isnan(value)) value = std::numeric_limits<double>::infinity();
  }
  return objectives;
}

}  // namespace hwnas::search::detail
