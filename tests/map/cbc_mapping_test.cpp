// The integer programme solved by CBC against the two independent exact methods.

#include <gtest/gtest.h>

#include "hwnas/core/rng.hpp"
#include "hwnas/map/problem.hpp"
#include "random_problem.hpp"

namespace hwnas::map {
namespace {

using testing::random_problem;

TEST(CbcMapping, EqualsBruteForceOnManyRandomInstances) {
  const auto cbc = solve::make_cbc_solver();
  Rng rng(2021);
  int optimal = 0, infeasible = 0;
  for (int i = 0; i < 200; ++i) {
    const Objective objective = i % 2 ? Objective::latency : Objective::throughput;
    MappingProblem p =
        random_problem(rng, static_cast<int>(rng.uniform_int(1, 4)),
                       static_cast<int>(rng.uniform_int(1, 6)), i % 3 == 0, objective);
    const MappingResult brute = solve_mapping_brute_force(p);
    const MappingResult ilp = solve_mapping(p, *cbc);
    ASSERT_EQ(ilp.status, brute.status) << "instance " << i << ": " << ilp.message;
    if (brute.status == solve::Status::optimal) {
      ++optimal;
      EXPECT_EQ(ilp.objective_cycles, brute.objective_cycles) << "instance " << i;
      EXPECT_LE(ilp.used.dsp, p.budget.dsp);
      EXPECT_LE(ilp.used.bram, p.budget.bram);
      EXPECT_LE(ilp.used.lut, p.budget.lut);
    } else {
      ++infeasible;
    }
    // Pruning dominated candidates never changes the optimum.
    MappingProblem pruned = p;
    prune_dominated(pruned);
    const MappingResult after = solve_mapping(pruned, *cbc);
    ASSERT_EQ(after.status, brute.status) << "instance " << i;
    if (after.status == solve::Status::optimal) {
      EXPECT_EQ(after.objective_cycles, brute.objective_cycles) << "instance " << i;
    }
  }
  // Both outcomes must be common for the comparison to test them (75 of 200 are optimal).
  EXPECT_GT(optimal, 50);
  EXPECT_GT(infeasible, 50);
}

TEST(CbcMapping, AgreesWithTheParetoDpOnMediumInstances) {
  const auto cbc = solve::make_cbc_solver();
  Rng rng(7);
  for (int i = 0; i < 12; ++i) {
    const Objective objective = i % 2 ? Objective::latency : Objective::throughput;
    // The latency DP keeps a Pareto front over four dimensions, which grows fast: 9 x 6 keeps
    // it to a second; the throughput DP only decides feasibility and takes 12 x 8 easily.
    MappingProblem p = objective == Objective::latency
                           ? random_problem(rng, 9, 6, i % 3 == 0, objective)
                           : random_problem(rng, 12, 8, i % 3 == 0, objective);
    prune_dominated(p);
    const MappingResult dp = solve_mapping_dp(p);
    const MappingResult ilp = solve_mapping(p, *cbc);
    ASSERT_EQ(ilp.status, dp.status) << "instance " << i << ": " << dp.message;
    if (dp.status == solve::Status::optimal) {
      EXPECT_EQ(ilp.objective_cycles, dp.objective_cycles) << "instance " << i;
    }
  }
}

}  // namespace
}  // namespace hwnas::map
