// NSGA-II (Deb et al. 2002) as ask/tell over genotypes, with constrained domination.
//
// Why not pagmo's nsga2 (Debian libpagmo-dev 2.18, installed): its only entry point is
// `population nsga2::evolve(population) const`, which runs whole generations and calls the
// problem's fitness itself (pagmo::problem::fitness, or a batch evaluator `bfe` over all
// offspring) from inside the loop. Our evaluations run outside the algorithm, on a thread pool,
// resumed from a store after a kill, one ask at a time; inverting that control would mean
// blocking evolve() on a callback per generation. Besides:
//  - evolve() throws for a problem with constraints ("Non linear constraints detected ...
//    cannot deal with them"), so hard limits would need Deb's constrained domination anyway;
//  - it needs a population of at least 5 and a multiple of 4, which the ask sizes of a run
//    need not respect;
//  - its variation operators are SBX crossover and polynomial mutation on real or rounded
//    integer variables, which treat gene value 2 as lying between 1 and 3; our genes are
//    categorical (indices into choice lists), and only the space knows which of them are
//    active (space::mutate changes an active one);
//  - it draws from std::mt19937 through std::shuffle and the standard distributions, whose
//    output is implementation-defined, where every hwnas search must replay exactly from a seed
//    (hwnas::Rng).
// The sorting and crowding distance are hwnas::search's own (pareto.hpp).

#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>
#include <numeric>
#include <set>

#include <fmt/format.h>

#include "hwnas/core/error.hpp"
#include "hwnas/core/rng.hpp"
#include "hwnas/search/algorithms.hpp"
#include "hwnas/search/pareto.hpp"
#include "outcome_values.hpp"

namespace hwnas::search {

namespace {

constexpr std::string_view kName = "nsga2";
// A genotype asked before is drawn again (sampled or bred) up to this many times before it is
// asked anyway: the objectives of a genotype never change, so a repeat teaches nothing and
// half of the offspring of a converged population would be repeats (measured on the
// synthetic tests). The bound only matters in a space nearly exhausted.
constexpr int kAttemptsForANewGenotype = 100;

void check_params(const Nsga2Params& params) {
  const std::string where(kName);
  if (params.population < 2) {
    throw InputError(where, "population",
                     fmt::format("must be at least 2 (two parents), got {}", params.population));
  }
  if (!(params.crossover_rate >= 0.0 && params.crossover_rate <= 1.0)) {
    throw InputError(where, "crossover_rate",
                     fmt::format("must be a probability in [0, 1], got {}", params.crossover_rate));
  }
  if (params.mutation_rate && !(*params.mutation_rate >= 0.0 && *params.mutation_rate <= 1.0)) {
    throw InputError(where, "mutation_rate",
                     fmt::format("must be a probability in [0, 1], got {}", *params.mutation_rate));
  }
}

struct Member {
  Outcome outcome;
  std::size_t rank = 0;  // front index under constrained domination, 0 = best
  double crowding = 0;   // within its front; larger = more isolated = preferred
};

using detail::objectives_of;
using detail::violation_of;

// Fronts under constrained domination, best first. Feasible outcomes dominate infeasible ones
// and among infeasible ones lower violation dominates, so the ranking is: the Pareto fronts of
// the feasible objectives, then one front per distinct violation, increasing.
std::vector<std::vector<std::size_t>> constrained_fronts(const std::vector<Outcome>& outcomes) {
  std::vector<std::size_t> feasible;
  std::vector<std::size_t> infeasible;
  std::vector<std::vector<double>> points;
  for (std::size_t i = 0; i < outcomes.size(); ++i) {
    if (outcomes[i].feasible) {
      feasible.push_back(i);
      points.push_back(objectives_of(outcomes[i]));
    } else {
      infeasible.push_back(i);
    }
  }
  std::vector<std::vector<std::size_t>> fronts;
  for (const auto& front : non_dominated_sort(points)) {
    std::vector<std::size_t> members;
    for (const std::size_t k : front) members.push_back(feasible[k]);
    fronts.push_back(std::move(members));
  }
  std::stable_sort(infeasible.begin(), infeasible.end(), [&](std::size_t a, std::size_t b) {
    return violation_of(outcomes[a]) < violation_of(outcomes[b]);
  });
  for (std::size_t i = 0; i < infeasible.size(); ++i) {
    if (i == 0 ||
        violation_of(outcomes[infeasible[i]]) != violation_of(outcomes[infeasible[i - 1]])) {
      fronts.emplace_back();
    }
    fronts.back().push_back(infeasible[i]);
  }
  return fronts;
}

// Crowding distance of each member of a front. The infeasible members of one front share one
// violation and may lack objectives; they are all equally crowded (0), so the tournament
// leaves them to chance.
std::vector<double> front_crowding(const std::vector<Outcome>& outcomes,
                                   const std::vector<std::size_t>& front) {
  if (!outcomes[front.front()].feasible) return std::vector<double>(front.size(), 0.0);
  std::vector<std::vector<double>> points;
  for (const std::size_t i : front) points.push_back(objectives_of(outcomes[i]));
  return crowding_distance(points);
}

class Nsga2 final : public Algorithm {
 public:
  Nsga2(const space::SearchSpace& space, std::uint64_t seed, const Nsga2Params& params)
      : space_(space),
        params_(params),
        mutation_rate_(params.mutation_rate.value_or(
            space.genes().empty() ? 0.0 : 1.0 / static_cast<double>(space.genes().size()))),
        rng_(seed) {}

  std::string_view name() const override { return kName; }

  std::vector<space::Genotype> ask(std::size_t count) override {
    check_ask(kName, count, awaiting_tell_);
    asked_.clear();
    for (std::size_t i = 0; i < count; ++i) {
      space::Genotype genotype;
      for (int attempt = 0; attempt < kAttemptsForANewGenotype; ++attempt) {
        genotype = population_.empty() ? space::sample(space_, rng_) : next_offspring();
        if (!asked_ever_.contains(genotype)) break;
      }
      asked_ever_.insert(genotype);
      asked_.push_back(std::move(genotype));
    }
    awaiting_tell_ = true;
    return asked_;
  }

  void tell(const std::vector<Outcome>& outcomes) override {
    check_tell(kName, awaiting_tell_, asked_, outcomes);
    std::size_t objective_count = objective_count_;
    for (std::size_t i = 0; i < outcomes.size(); ++i) {
      check_objectives(outcomes[i], i, objective_count);
    }
    objective_count_ = objective_count;
    awaiting_tell_ = false;
    generation_.insert(generation_.end(), outcomes.begin(), outcomes.end());
    if (generation_.size() >= params_.population) next_generation();
  }

 private:
  // `objective_count` is 0 until an outcome with objectives fixes it.
  static void check_objectives(const Outcome& outcome, std::size_t index,
                               std::size_t& objective_count) {
    const std::string where(kName);
    if (outcome.feasible && outcome.objectives.empty()) {
      throw InputError(where, fmt::format("outcome {}", index),
                       "a feasible outcome needs its objectives");
    }
    if (outcome.objectives.empty()) return;
    if (objective_count == 0) objective_count = outcome.objectives.size();
    if (outcome.objectives.size() != objective_count) {
      throw InputError(where, fmt::format("outcome {}", index),
                       fmt::format("{} objectives, earlier outcomes have {}",
                                   outcome.objectives.size(), objective_count));
    }
  }

  // Parents and offspring, each genotype once, ranked; the best `population` survive.
  void next_generation() {
    std::vector<Outcome> pool;
    std::set<space::Genotype> seen;
    // Kept once: copies of one genotype would fill the population with a single point and
    // waste its room (the objectives of a genotype never change).
    auto add = [&](const Outcome& outcome) {
      if (seen.insert(outcome.genotype).second) pool.push_back(outcome);
    };
    for (const auto& member : population_) add(member.outcome);
    for (const auto& outcome : generation_) add(outcome);
    generation_.clear();
    offspring_.clear();  // bred from the old population

    std::vector<Outcome> survivors;
    for (const auto& front : constrained_fronts(pool)) {
      if (survivors.size() == params_.population) break;
      std::vector<std::size_t> chosen = front;
      if (survivors.size() + front.size() > params_.population) {
        const std::vector<double> crowding = front_crowding(pool, front);
        std::vector<std::size_t> order(front.size());
        std::iota(order.begin(), order.end(), std::size_t{0});
        std::stable_sort(order.begin(), order.end(),
                         [&](std::size_t a, std::size_t b) { return crowding[a] > crowding[b]; });
        order.resize(params_.population - survivors.size());
        std::sort(order.begin(), order.end());
        chosen.clear();
        for (const std::size_t k : order) chosen.push_back(front[k]);
      }
      for (const std::size_t i : chosen) survivors.push_back(pool[i]);
    }

    // Rank and crowding as the survivors stand (the truncated front's crowding changes).
    population_.clear();
    const auto fronts = constrained_fronts(survivors);
    population_.resize(survivors.size());
    for (std::size_t rank = 0; rank < fronts.size(); ++rank) {
      const std::vector<double> crowding = front_crowding(survivors, fronts[rank]);
      for (std::size_t k = 0; k < fronts[rank].size(); ++k) {
        population_[fronts[rank][k]] = Member{survivors[fronts[rank][k]], rank, crowding[k]};
      }
    }
  }

  space::Genotype next_offspring() {
    if (offspring_.empty()) breed_pair();
    space::Genotype child = std::move(offspring_.front());
    offspring_.pop_front();
    return child;
  }

  // Binary tournament by Deb's crowded-comparison operator: lower rank, then larger crowding
  // distance; the first drawn wins a full tie.
  const Member& select_parent() {
    const auto last = static_cast<std::int64_t>(population_.size()) - 1;
    const Member& a = population_[static_cast<std::size_t>(rng_.uniform_int(0, last))];
    const Member& b = population_[static_cast<std::size_t>(rng_.uniform_int(0, last))];
    if (b.rank != a.rank) return b.rank < a.rank ? b : a;
    return b.crowding > a.crowding ? b : a;
  }

  void breed_pair() {
    const space::Genotype& parent_a = select_parent().outcome.genotype;
    const space::Genotype& parent_b = select_parent().outcome.genotype;
    space::Genotype first = parent_a;
    space::Genotype second = parent_b;
    if (rng_.bernoulli(params_.crossover_rate)) {
      // Uniform crossover: each gene goes to either child with even odds, the other child
      // getting the other parent's value.
      for (std::size_t g = 0; g < first.size(); ++g) {
        if (rng_.bernoulli(0.5)) std::swap(first[g], second[g]);
      }
    }
    for (space::Genotype* child : {&first, &second}) {
      mutate_genes(*child);
      // A child that is still a parent's network would spend an evaluation on nothing new.
      if (same_network(parent_a, *child) || same_network(parent_b, *child)) {
        *child = space::mutate(space_, *child, rng_, 0.0);
      }
      offspring_.push_back(std::move(*child));
    }
  }

  // Each gene redrawn among its other values with probability mutation_rate; unlike
  // space::mutate, possibly none, so that a crossover child can survive unchanged.
  void mutate_genes(space::Genotype& genotype) {
    const auto& genes = space_.genes();
    for (std::size_t g = 0; g < genes.size(); ++g) {
      if (genes[g].cardinality < 2 || !rng_.bernoulli(mutation_rate_)) continue;
      const int draw = static_cast<int>(rng_.uniform_int(0, genes[g].cardinality - 2));
      genotype[g] = draw >= genotype[g] ? draw + 1 : draw;
    }
  }

  // Whether `other` agrees with `genotype` on every gene active in `genotype`. (Which genes
  // are active depends only on the genes before them in decoding order, so `other` then has
  // the same active genes and decodes to the same network.)
  bool same_network(const space::Genotype& genotype, const space::Genotype& other) const {
    const std::vector<bool> active = space_.active_genes(genotype);
    for (std::size_t g = 0; g < genotype.size(); ++g) {
      if (active[g] && genotype[g] != other[g]) return false;
    }
    return true;
  }

  const space::SearchSpace& space_;
  Nsga2Params params_;
  double mutation_rate_;
  Rng rng_;
  std::vector<Member> population_;         // empty until generation 0 is told
  std::vector<Outcome> generation_;        // told since the last selection
  std::deque<space::Genotype> offspring_;  // bred, not yet asked
  std::size_t objective_count_ = 0;        // from the first outcome with objectives
  std::set<space::Genotype> asked_ever_;
  std::vector<space::Genotype> asked_;
  bool awaiting_tell_ = false;
};

}  // namespace

std::unique_ptr<Algorithm> make_nsga2(const space::SearchSpace& space, std::uint64_t seed,
                                      Nsga2Params params) {
  check_params(params);
  return std::make_unique<Nsga2>(space, seed, params);
}

}  // namespace hwnas::search
