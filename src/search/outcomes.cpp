// Rankings of outcomes shared by the algorithms and the run's report, and the ask/tell checks.

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "hwnas/core/error.hpp"
#include "hwnas/search/algorithms.hpp"
#include "hwnas/search/pareto.hpp"
#include "outcome_values.hpp"

namespace hwnas::search {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

using detail::objectives_of;
using detail::violation_of;

}  // namespace

bool single_objective_better(const Outcome& a, const Outcome& b) {
  if (a.feasible != b.feasible) return a.feasible;
  if (!a.feasible) return violation_of(a) < violation_of(b);
  if (!std::isnan(a.reward) && !std::isnan(b.reward)) return a.reward > b.reward;
  const double accuracy_a = std::isnan(a.accuracy) ? -kInf : a.accuracy;
  const double accuracy_b = std::isnan(b.accuracy) ? -kInf : b.accuracy;
  return accuracy_a > accuracy_b;
}

bool constrained_dominates(const Outcome& a, const Outcome& b) {
  if (a.feasible != b.feasible) return a.feasible;
  if (!a.feasible) return violation_of(a) < violation_of(b);
  return dominates(objectives_of(a), objectives_of(b));
}

std::optional<std::size_t> best_single_objective(const std::vector<Outcome>& outcomes) {
  if (outcomes.empty()) return std::nullopt;
  std::size_t best = 0;
  for (std::size_t i = 1; i < outcomes.size(); ++i) {
    if (single_objective_better(outcomes[i], outcomes[best])) best = i;
  }
  return best;
}

std::vector<std::size_t> constrained_front(const std::vector<Outcome>& outcomes) {
  std::vector<std::size_t> feasible;
  std::vector<std::vector<double>> points;
  for (std::size_t i = 0; i < outcomes.size(); ++i) {
    if (!outcomes[i].feasible) continue;
    if (outcomes[i].objectives.empty()) {
      throw InputError("search", fmt::format("outcome {}", i),
                       "a feasible outcome has no objectives");
    }
    if (!points.empty() && outcomes[i].objectives.size() != points.front().size()) {
      throw InputError(
          "search", fmt::format("outcome {}", i),
          fmt::format("{} objectives, outcome {} has {}", outcomes[i].objectives.size(),
                      feasible.front(), points.front().size()));
    }
    feasible.push_back(i);
    points.push_back(objectives_of(outcomes[i]));
  }
  std::vector<std::size_t> front;
  if (!feasible.empty()) {
    for (const std::size_t k : pareto_front(points)) front.push_back(feasible[k]);
    return front;
  }
  double least = kInf;
  for (const auto& outcome : outcomes) least = std::min(least, violation_of(outcome));
  for (std::size_t i = 0; i < outcomes.size(); ++i) {
    if (violation_of(outcomes[i]) == least) front.push_back(i);
  }
  return front;
}

void check_ask(std::string_view algorithm, std::size_t count, bool awaiting_tell) {
  if (count == 0) {
    throw InputError(std::string(algorithm), "ask", "asked for 0 genotypes; ask for at least 1");
  }
  if (awaiting_tell) {
    throw InputError(std::string(algorithm), "ask",
                     "the outcomes of the last ask have not been told yet");
  }
}

void check_tell(std::string_view algorithm, bool awaiting_tell,
                const std::vector<space::Genotype>& asked, const std::vector<Outcome>& told) {
  const std::string where(algorithm);
  if (!awaiting_tell) throw InputError(where, "tell", "told outcomes without an ask");
  if (told.size() != asked.size()) {
    throw InputError(where, "tell",
                     fmt::format("told {} outcomes for the {} genotypes of the last ask",
                                 told.size(), asked.size()));
  }
  for (std::size_t i = 0; i < told.size(); ++i) {
    if (told[i].genotype != asked[i]) {
      throw InputError(where, "tell",
                       fmt::format("outcome {} is for genotype {}, but {} was asked", i,
                                   space::to_string(told[i].genotype), space::to_string(asked[i])));
    }
  }
}

}  // namespace hwnas::search
