// The rankings of outcomes and the ask/tell protocol checks.

#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "hwnas/core/error.hpp"
#include "hwnas/search/algorithms.hpp"
#include "synthetic.hpp"

namespace hwnas::search {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

std::string error_of(auto&& call) {
  try {
    call();
  } catch (const InputError& e) {
    return e.what();
  }
  return "no error";
}

Outcome feasible(double accuracy, std::vector<double> objectives = {}) {
  Outcome outcome;
  outcome.feasible = true;
  outcome.accuracy = accuracy;
  outcome.objectives = std::move(objectives);
  return outcome;
}

Outcome infeasible(double violation, double accuracy = kNaN, std::vector<double> objectives = {}) {
  Outcome outcome;
  outcome.feasible = false;
  outcome.violation = violation;
  outcome.accuracy = accuracy;
  outcome.objectives = std::move(objectives);
  return outcome;
}

TEST(SingleObjectiveBetter, FeasibleFirstThenAccuracyThenViolation) {
  // A feasible outcome beats an infeasible one, however accurate that one is.
  EXPECT_TRUE(single_objective_better(feasible(0.1), infeasible(0.01, 0.99)));
  EXPECT_FALSE(single_objective_better(infeasible(0.01, 0.99), feasible(0.1)));
  // Even a feasible one with no accuracy measured (NaN): the worst feasible, still feasible.
  EXPECT_TRUE(single_objective_better(feasible(kNaN), infeasible(0.01, 0.99)));
  EXPECT_TRUE(single_objective_better(feasible(0.0), feasible(kNaN)));
  EXPECT_FALSE(single_objective_better(feasible(kNaN), feasible(kNaN)));
  EXPECT_TRUE(single_objective_better(feasible(0.8), feasible(0.7)));
  EXPECT_FALSE(single_objective_better(feasible(0.7), feasible(0.7)));
  // Between infeasible ones the lower violation wins; accuracy plays no part.
  EXPECT_TRUE(single_objective_better(infeasible(0.1, 0.2), infeasible(0.5, 0.9)));
  EXPECT_TRUE(single_objective_better(infeasible(1e9), infeasible(kInf)));
  EXPECT_TRUE(single_objective_better(infeasible(1e9), infeasible(kNaN)));
}

TEST(SingleObjectiveBetter, ARewardOnBothSidesRanksInsteadOfAccuracy) {
  // MnasNet: a less accurate but much faster network can have the higher soft reward.
  Outcome accurate = feasible(0.9);
  accurate.reward = 0.85;
  Outcome fast = feasible(0.8);
  fast.reward = 0.86;
  EXPECT_TRUE(single_objective_better(fast, accurate));
  EXPECT_FALSE(single_objective_better(accurate, fast));
  // Feasibility still comes first, and without a reward on both sides accuracy decides.
  Outcome over = infeasible(0.1, 0.95);
  over.reward = 2.0;
  EXPECT_TRUE(single_objective_better(accurate, over));
  EXPECT_TRUE(single_objective_better(accurate, feasible(0.8)));
}

TEST(ConstrainedDominates, DebsRule) {
  EXPECT_TRUE(constrained_dominates(feasible(0.5, {0.5, 9}), infeasible(0.01, 0.9, {0.1, 1})));
  EXPECT_FALSE(constrained_dominates(infeasible(0.01, 0.9, {0.1, 1}), feasible(0.5, {0.5, 9})));
  EXPECT_TRUE(
      constrained_dominates(infeasible(0.2, 0.1, {0.9, 9}), infeasible(0.3, 0.9, {0.1, 1})));
  EXPECT_FALSE(constrained_dominates(infeasible(0.2), infeasible(0.2)));
  EXPECT_TRUE(constrained_dominates(feasible(0.9, {0.1, 2}), feasible(0.8, {0.2, 2})));
  EXPECT_FALSE(constrained_dominates(feasible(0.9, {0.1, 3}), feasible(0.8, {0.2, 2})));
  // NaN objective = +inf: the measured point dominates it.
  EXPECT_TRUE(constrained_dominates(feasible(0.9, {0.1, 2}), feasible(kNaN, {kNaN, 2})));
  EXPECT_FALSE(constrained_dominates(feasible(kNaN, {kNaN, 2}), feasible(0.9, {0.1, 2})));
  EXPECT_EQ(error_of([] {
              constrained_dominates(feasible(0.9, {0.1}), feasible(0.8, {0.2, 2}));
            }),
            "pareto: dominates: points of 1 and 2 objectives");
}

TEST(BestAndFront, NeverInfeasibleOnceAnyIsFeasible) {
  const std::vector<Outcome> outcomes{
      infeasible(0.01, 0.99, {0.01, 1}),  // best of all on paper, but misses a limit
      feasible(0.70, {0.30, 5}),          //
      feasible(0.80, {0.20, 8}),          //
      feasible(0.75, {0.25, 9}),          // dominated by the 0.80 one
      feasible(0.80, {0.20, 8}),          // repeats the 0.80 one: only the first is kept
      infeasible(kInf)};
  EXPECT_EQ(best_single_objective(outcomes), 2u);
  EXPECT_EQ(constrained_front(outcomes), (std::vector<std::size_t>{1, 2}));
  // With nothing feasible: the least violation, all of its holders.
  const std::vector<Outcome> none_feasible{infeasible(0.3), infeasible(0.1), infeasible(kInf),
                                           infeasible(0.1)};
  EXPECT_EQ(best_single_objective(none_feasible), 1u);
  EXPECT_EQ(constrained_front(none_feasible), (std::vector<std::size_t>{1, 3}));
  EXPECT_EQ(best_single_objective({}), std::nullopt);
  EXPECT_TRUE(constrained_front({}).empty());
  EXPECT_EQ(error_of([] {
              constrained_front({feasible(0.5, {0.5, 1}), feasible(0.5)});
            }),
            "search: outcome 1: a feasible outcome has no objectives");
  EXPECT_EQ(error_of([] {
              constrained_front({feasible(0.5, {0.5, 1}), feasible(0.5, {0.5})});
            }),
            "search: outcome 1: 1 objectives, outcome 0 has 2");
}

TEST(Protocol, EveryAlgorithmChecksAskAndTell) {
  const testing::GridSpace space(3, 2);
  std::vector<std::unique_ptr<Algorithm>> algorithms;
  algorithms.push_back(make_random_search(space, 1));
  algorithms.push_back(make_regularized_evolution(space, 1));
  algorithms.push_back(make_nsga2(space, 1));
  for (const auto& algorithm : algorithms) {
    const std::string name(algorithm->name());
    EXPECT_EQ(error_of([&] { algorithm->tell({}); }),
              name + ": tell: told outcomes without an ask");
    EXPECT_EQ(error_of([&] { algorithm->ask(0); }),
              name + ": ask: asked for 0 genotypes; ask for at least 1");
    const auto asked = algorithm->ask(2);
    ASSERT_EQ(asked.size(), 2u);
    EXPECT_EQ(error_of([&] { algorithm->ask(1); }),
              name + ": ask: the outcomes of the last ask have not been told yet");
    std::vector<Outcome> told{testing::target_outcome(asked[0])};
    EXPECT_EQ(error_of([&] { algorithm->tell(told); }),
              name + ": tell: told 1 outcomes for the 2 genotypes of the last ask");
    told.push_back(testing::target_outcome(asked[0]));
    if (asked[1] != asked[0]) {
      EXPECT_EQ(error_of([&] { algorithm->tell(told); }),
                name + ": tell: outcome 1 is for genotype " + space::to_string(asked[0]) +
                    ", but " + space::to_string(asked[1]) + " was asked");
    }
    told[1] = testing::target_outcome(asked[1]);
    algorithm->tell(told);  // a failed tell changes nothing: the right one is still accepted
    EXPECT_EQ(algorithm->ask(3).size(), 3u);
  }
}

TEST(Protocol, Nsga2ChecksObjectives) {
  const testing::GridSpace space(3, 2);
  const auto nsga2 = make_nsga2(space, 1);
  const auto asked = nsga2->ask(3);
  std::vector<Outcome> told;
  for (const auto& genotype : asked) {
    Outcome outcome = feasible(0.5, {0.5, 1});
    outcome.genotype = genotype;
    told.push_back(outcome);
  }
  told[1].objectives.clear();
  EXPECT_EQ(error_of([&] { nsga2->tell(told); }),
            "nsga2: outcome 1: a feasible outcome needs its objectives");
  told[1].objectives = {0.5, 1, 3};
  EXPECT_EQ(error_of([&] { nsga2->tell(told); }),
            "nsga2: outcome 1: 3 objectives, earlier outcomes have 2");
  // An infeasible outcome may come without objectives (never measured).
  told[1].objectives.clear();
  told[1].feasible = false;
  told[1].violation = kInf;
  nsga2->tell(told);
}

TEST(Params, BadValuesAreRejectedWithTheFieldNamed) {
  const testing::GridSpace space(3, 2);
  auto evolution = [&](EvolutionParams params) {
    return error_of([&] { make_regularized_evolution(space, 1, params); });
  };
  EXPECT_EQ(evolution({.population = 0}), "evolution: population: must be at least 1, got 0");
  EXPECT_EQ(evolution({.population = 4, .tournament = 5}),
            "evolution: tournament: must be in 1..population (4), got 5");
  EXPECT_EQ(evolution({.tournament = 0}),
            "evolution: tournament: must be in 1..population (20), got 0");
  EXPECT_EQ(evolution({.mutation_rate = 1.5}),
            "evolution: mutation_rate: must be a probability in [0, 1], got 1.5");
  EXPECT_EQ(evolution({.mutation_rate = kNaN}),
            "evolution: mutation_rate: must be a probability in [0, 1], got nan");
  EXPECT_EQ(evolution({.population = 1, .tournament = 1, .mutation_rate = 1.0}), "no error");

  auto nsga2 = [&](Nsga2Params params) { return error_of([&] { make_nsga2(space, 1, params); }); };
  EXPECT_EQ(nsga2({.population = 1}), "nsga2: population: must be at least 2 (two parents), got 1");
  EXPECT_EQ(nsga2({.crossover_rate = -0.1}),
            "nsga2: crossover_rate: must be a probability in [0, 1], got -0.1");
  EXPECT_EQ(nsga2({.mutation_rate = 2}),
            "nsga2: mutation_rate: must be a probability in [0, 1], got 2");
  EXPECT_EQ(nsga2({.population = 2, .crossover_rate = 0, .mutation_rate = 1}), "no error");
}

}  // namespace
}  // namespace hwnas::search
