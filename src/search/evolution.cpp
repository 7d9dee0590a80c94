// Regularized (aging) evolution, Real et al., AAAI 2019, Algorithm 1, as ask/tell.

#include <cmath>
#include <deque>

#include <fmt/format.h>

#include "hwnas/core/error.hpp"
#include "hwnas/core/rng.hpp"
#include "hwnas/search/algorithms.hpp"

namespace hwnas::search {

namespace {

constexpr std::string_view kName = "evolution";

void check_params(const EvolutionParams& params) {
  const std::string where(kName);
  if (params.population < 1) {
    throw InputError(where, "population", "must be at least 1, got 0");
  }
  if (params.tournament < 1 || params.tournament > params.population) {
    throw InputError(
        where, "tournament",
        fmt::format("must be in 1..population ({}), got {}", params.population, params.tournament));
  }
  if (!(params.mutation_rate >= 0.0 && params.mutation_rate <= 1.0)) {
    throw InputError(where, "mutation_rate",
                     fmt::format("must be a probability in [0, 1], got {}", params.mutation_rate));
  }
}

class RegularizedEvolution final : public Algorithm {
 public:
  RegularizedEvolution(const space::SearchSpace& space, std::uint64_t seed,
                       const EvolutionParams& params)
      : space_(space), params_(params), rng_(seed) {}

  std::string_view name() const override { return kName; }

  std::vector<space::Genotype> ask(std::size_t count) override {
    check_ask(kName, count, awaiting_tell_);
    asked_.clear();
    for (std::size_t i = 0; i < count; ++i) {
      if (asked_total_ < params_.population || population_.empty()) {
        asked_.push_back(space::sample(space_, rng_));
      } else {
        asked_.push_back(
            space::mutate(space_, tournament_winner().genotype, rng_, params_.mutation_rate));
      }
      ++asked_total_;
    }
    awaiting_tell_ = true;
    return asked_;
  }

  void tell(const std::vector<Outcome>& outcomes) override {
    check_tell(kName, awaiting_tell_, asked_, outcomes);
    awaiting_tell_ = false;
    for (const auto& outcome : outcomes) {
      population_.push_back(outcome);
      // Aging: the oldest dies, not the worst, so a lucky outcome cannot dominate the
      // population forever (Real et al.'s regularization).
      if (population_.size() > params_.population) population_.pop_front();
    }
  }

 private:
  // Sampled with replacement, as in Real et al.'s Algorithm 1; the first drawn wins ties.
  const Outcome& tournament_winner() {
    const auto last = static_cast<std::int64_t>(population_.size()) - 1;
    const Outcome* best = &population_[static_cast<std::size_t>(rng_.uniform_int(0, last))];
    for (std::size_t draw = 1; draw < params_.tournament; ++draw) {
      const Outcome& candidate = population_[static_cast<std::size_t>(rng_.uniform_int(0, last))];
      if (single_objective_better(candidate, *best)) best = &candidate;
    }
    return *best;
  }

  const space::SearchSpace& space_;
  EvolutionParams params_;
  Rng rng_;
  std::deque<Outcome> population_;  // oldest first
  std::size_t asked_total_ = 0;
  std::vector<space::Genotype> asked_;
  bool awaiting_tell_ = false;
};

}  // namespace

std::unique_ptr<Algorithm> make_regularized_evolution(const space::SearchSpace& space,
                                                      std::uint64_t seed, EvolutionParams params) {
  check_params(params);
  return std::make_unique<RegularizedEvolution>(space, seed, params);
}

}  // namespace hwnas::search
