#include "hwnas/map/problem.hpp"

#include <gtest/gtest.h>

#include <fmt/format.h>

#include "hwnas/core/rng.hpp"
#include "random_problem.hpp"

namespace hwnas::map {
namespace {

Candidate cand(double cycles, double dsp, double bram, double lut, double acc = 0) {
  Candidate c;
  c.cycles = cycles;
  c.resources = {dsp, bram, lut, 0};
  c.accuracy_cost = acc;
  c.label = fmt::format("{}c/{}d", cycles, dsp);
  return c;
}

TEST(Prune, DropsDominatedAndDuplicateCandidates) {
  MappingProblem p;
  p.budget = {100, 100, 1000, 0};
  p.subgraphs = {{"s",
                  {},
                  {cand(10, 4, 1, 50),     // kept: fastest
                   cand(12, 4, 1, 50),     // dominated by the first (slower, same cost)
                   cand(20, 2, 1, 40),     // kept: cheaper
                   cand(20, 2, 1, 40),     // duplicate of the third
                   cand(30, 2, 2, 40),     // dominated by the third
                   cand(40, 1, 3, 60)}}};  // kept: fewest DSPs
  EXPECT_EQ(prune_dominated(p), 3);
  ASSERT_EQ(p.subgraphs[0].candidates.size(), 3u);
  EXPECT_EQ(p.subgraphs[0].candidates[0].cycles, 10);
  EXPECT_EQ(p.subgraphs[0].candidates[1].cycles, 20);
  EXPECT_EQ(p.subgraphs[0].candidates[2].cycles, 40);
}

TEST(Prune, AccuracyCostCountsOnlyWithABudget) {
  MappingProblem p;
  p.budget = {100, 100, 1000, 0};
  p.subgraphs = {{"s", {}, {cand(10, 4, 1, 50, 0.5), cand(10, 4, 1, 50, 0.1)}}};
  MappingProblem without = p;
  EXPECT_EQ(prune_dominated(without), 1);  // equal in what is limited: the first is kept
  EXPECT_EQ(without.subgraphs[0].candidates[0].accuracy_cost, 0.5);
  p.accuracy_budget = 1.0;
  EXPECT_EQ(prune_dominated(p), 1);  // the cheaper accuracy cost dominates
  EXPECT_EQ(p.subgraphs[0].candidates[0].accuracy_cost, 0.1);
}

MappingProblem hand_problem(Objective objective) {
  // Two subgraphs, DSP budget 10. Sequential optimum by hand:
  //   a0 (10 cycles, 8 DSP) + b1 (30, 2)  = 40 cycles, 10 DSP
  //   a1 (25, 3) + b0 (12, 7)             = 37 cycles, 10 DSP   <- best
  //   a1 + b1                             = 55 cycles, 5 DSP
  // Bottleneck optimum: max(25, 12) = 25 (a1 + b0) vs max(10, 30) = 30 -> 25.
  MappingProblem p;
  p.objective = objective;
  p.budget = {10, 100, 1e6, 0};
  p.subgraphs = {{"a", {}, {cand(10, 8, 0, 0), cand(25, 3, 0, 0)}},
                 {"b", {}, {cand(12, 7, 0, 0), cand(30, 2, 0, 0)}}};
  return p;
}

TEST(Solve, HandProblemByDpAndBruteForce) {
  for (const auto& r : {solve_mapping_dp(hand_problem(Objective::latency)),
                        solve_mapping_brute_force(hand_problem(Objective::latency))}) {
    EXPECT_EQ(r.status, solve::Status::optimal) << r.method;
    EXPECT_EQ(r.objective_cycles, 37) << r.method;
    EXPECT_EQ(r.choice, (std::vector<int>{1, 0})) << r.method;
    EXPECT_EQ(r.used.dsp, 10) << r.method;
  }
  for (const auto& r : {solve_mapping_dp(hand_problem(Objective::throughput)),
                        solve_mapping_brute_force(hand_problem(Objective::throughput))}) {
    EXPECT_EQ(r.objective_cycles, 25) << r.method;
  }
}

TEST(Diagnose, NamesTheShortResourceAndByHowMuch) {
  MappingProblem p = hand_problem(Objective::latency);
  p.budget.dsp = 4;  // the least any choice needs is 3 + 2 = 5
  const MappingResult r = solve_mapping_dp(p);
  EXPECT_EQ(r.status, solve::Status::infeasible);
  EXPECT_EQ(r.minimum.dsp, 5);
  EXPECT_EQ(r.shortfall.dsp, 1);
  EXPECT_EQ(r.message, "DSP needs at least 5, budget 4 (short by 1)");

  // Each resource fits on its own but not together: a needs (DSP 1, LUT 9) or (DSP 9, LUT 1).
  MappingProblem q;
  q.budget = {5, 100, 5, 0};
  q.subgraphs = {{"a", {}, {cand(1, 1, 0, 9), cand(1, 9, 0, 1)}}};
  const MappingResult r2 = solve_mapping_brute_force(q);
  EXPECT_EQ(r2.status, solve::Status::infeasible);
  EXPECT_EQ(r2.message,
            "every resource fits on its own (least DSP 1, BRAM 0, LUT 1), but no choice fits "
            "them all together");
}

TEST(Model, HasOneBinaryPerCandidateAndTheBottleneckVariable) {
  const solve::Model latency = build_model(hand_problem(Objective::latency));
  EXPECT_EQ(latency.variables().size(), 4u);
  EXPECT_EQ(latency.constraints().size(), 2u + 3u);  // one-of per subgraph + DSP, BRAM, LUT
  const solve::Model throughput = build_model(hand_problem(Objective::throughput));
  EXPECT_EQ(throughput.variables().size(), 5u);
  EXPECT_EQ(throughput.variables().back().name, "t");
  EXPECT_EQ(throughput.constraints().size(), 2u + 3u + 2u);
}

using testing::random_problem;

TEST(Solve, ParetoDpEqualsBruteForceOnRandomInstances) {
  Rng rng(17);
  int feasible = 0;
  for (int i = 0; i < 300; ++i) {
    const MappingProblem p = random_problem(rng, static_cast<int>(rng.uniform_int(1, 5)),
                                            static_cast<int>(rng.uniform_int(1, 6)), i % 2,
                                            i % 3 ? Objective::latency : Objective::throughput);
    const MappingResult brute = solve_mapping_brute_force(p);
    const MappingResult dp = solve_mapping_dp(p);
    ASSERT_EQ(dp.status, brute.status) << "instance " << i;
    if (brute.status != solve::Status::optimal) continue;
    ++feasible;
    EXPECT_EQ(dp.objective_cycles, brute.objective_cycles) << "instance " << i;
  }
  // Both outcomes must be common for the comparison to test them (111 of 300 are feasible).
  EXPECT_GT(feasible, 80);
  EXPECT_LT(feasible, 220);
}

}  // namespace
}  // namespace hwnas::map
