#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <string>
#include <thread>
#include <vector>

#include "hwnas/solve/model.hpp"
#include "hwnas/solve/solver.hpp"
#include "test_models.hpp"

namespace hwnas::solve {
namespace {

using testing::HasSubstr;
using testing::IsEmpty;
using namespace testing_models;

// ---- map_cbc_status: every row of the table in solver.hpp --------------------------------

struct MappingRow {
  int status;
  int secondary;
  bool proven_optimal;
  bool proven_infeasible;
  bool continuous_unbounded;
  bool has_solution;
  Status expected;
  const char* why;
};

class MapCbcStatus : public testing::TestWithParam<MappingRow> {};

TEST_P(MapCbcStatus, MapsAsDocumented) {
  const MappingRow& r = GetParam();
  EXPECT_EQ(to_string(map_cbc_status(r.status, r.secondary, r.proven_optimal, r.proven_infeasible,
                                     r.continuous_unbounded, r.has_solution)),
            to_string(r.expected))
      << r.why << " (status " << r.status << ", secondary " << r.secondary << ")";
}

constexpr bool T = true;
constexpr bool F = false;

// clang-format off
const MappingRow kMappingRows[] = {
    // status 0: the search finished
    {0, 0, T, F, F, T, Status::optimal, "finished, proven optimal"},
    {0, 2, T, F, F, T, Status::optimal, "finished on the allowable gap (how CBC reports it)"},
    {0, 0, F, F, F, T, Status::feasible, "finished with a solution but no optimality proof"},
    {0, 1, F, T, F, F, Status::infeasible, "proven infeasible"},
    {0, 1, F, F, F, F, Status::infeasible, "LP infeasible (secondary only)"},
    {0, 0, F, T, F, F, Status::infeasible, "proven infeasible (flag only)"},
    {0, 1, F, T, F, T, Status::abnormal, "infeasible, yet a solution"},
    {0, 7, F, F, T, F, Status::unbounded, "LP relaxation unbounded"},
    {0, 7, F, F, F, F, Status::unbounded, "LP unbounded (secondary only)"},
    {0, 0, F, F, T, F, Status::unbounded, "continuous unbounded (flag only)"},
    {0, 0, F, F, F, F, Status::abnormal, "finished with neither a solution nor a proof"},
    {0, 0, T, F, F, F, Status::abnormal, "proven optimal without a solution"},
    // status 1: stopped on a limit
    {1, 2, F, F, F, T, Status::optimal, "stopped on the requested gap"},
    {1, 2, F, F, F, F, Status::abnormal, "stopped on the gap without a solution"},
    {1, 3, F, F, F, T, Status::feasible, "node limit, with a solution"},
    {1, 3, F, F, F, F, Status::not_solved, "node limit, no solution"},
    {1, 4, F, F, F, T, Status::feasible, "time limit, with a solution"},
    {1, 4, F, F, F, F, Status::not_solved, "time limit, no solution"},
    {1, 5, F, F, F, T, Status::feasible, "user event, with a solution"},
    {1, 5, F, F, F, F, Status::not_solved, "user event, no solution"},
    {1, 6, F, F, F, T, Status::feasible, "solution limit, with a solution"},
    {1, 6, F, F, F, F, Status::not_solved, "solution limit, no solution"},
    {1, 8, F, F, F, T, Status::feasible, "iteration limit, with a solution"},
    {1, 8, F, F, F, F, Status::not_solved, "iteration limit, no solution"},
    {1, 0, F, F, F, T, Status::abnormal, "stopped, but 'completed'"},
    {1, 1, F, T, F, F, Status::abnormal, "stopped, but 'LP infeasible'"},
    {1, 7, F, F, T, F, Status::abnormal, "stopped, but 'LP unbounded'"},
    {1, -1, F, F, F, F, Status::abnormal, "stopped, secondary unset"},
    {1, 9, F, F, F, T, Status::abnormal, "stopped, unknown secondary"},
    // status 2: abandoned
    {2, -1, F, F, F, F, Status::abnormal, "abandoned (numerical trouble)"},
    {2, 0, F, F, F, T, Status::abnormal, "abandoned, even with a solution"},
    // status 5: user stop
    {5, 5, F, F, F, T, Status::feasible, "user stop, with a solution"},
    {5, 5, F, F, F, F, Status::not_solved, "user stop, no solution"},
    // status -1 and unknown
    {-1, -1, F, F, F, F, Status::abnormal, "never started"},
    {-1, -1, T, F, F, T, Status::abnormal, "never started, whatever the flags"},
    {3, 0, T, F, F, T, Status::abnormal, "unknown status 3"},
    {4, 0, F, F, F, F, Status::abnormal, "unknown status 4"},
    {42, 0, T, F, F, T, Status::abnormal, "unknown status 42"},
};
// clang-format on

INSTANTIATE_TEST_SUITE_P(EveryRow, MapCbcStatus, testing::ValuesIn(kMappingRows));

TEST(StatusNames, AreDistinct) {
  EXPECT_EQ(to_string(Status::optimal), "optimal");
  EXPECT_EQ(to_string(Status::feasible), "feasible");
  EXPECT_EQ(to_string(Status::infeasible), "infeasible");
  EXPECT_EQ(to_string(Status::unbounded), "unbounded");
  EXPECT_EQ(to_string(Status::not_solved), "not_solved");
  EXPECT_EQ(to_string(Status::invalid), "invalid");
  EXPECT_EQ(to_string(Status::abnormal), "abnormal");
}

// ---- solving -------------------------------------------------------------------------------

class Cbc : public testing::Test {
 protected:
  Solution solve(const Model& model, const SolveOptions& options = {}) {
    Solution s = solver_->solve(model, options);
    if (s.has_values()) {
      EXPECT_THAT(verify(model, s.values), IsEmpty()) << s.message;
    }
    return s;
  }
  std::unique_ptr<Solver> solver_ = make_cbc_solver();
};

TEST_F(Cbc, Name) {
  EXPECT_EQ(solver_->name(), "cbc");
}

TEST_F(Cbc, KnapsackMaximiseMatchesHandOptimum) {
  const Solution s = solve(knapsack());
  ASSERT_EQ(s.status, Status::optimal) << s.message;
  EXPECT_EQ(s.values, (std::vector<double>{0, 1, 0, 1}));  // {b, d}
  EXPECT_DOUBLE_EQ(s.objective, 21);
  EXPECT_NEAR(s.bound, 21, 1e-9);
  EXPECT_NEAR(s.gap, 0, 1e-9);
  EXPECT_GT(s.solve_ms, 0);
  EXPECT_THAT(s.message, HasSubstr("status 0, secondary 0 (completed) -> optimal"));
}

TEST_F(Cbc, MinimiseSetCover) {
  // Cover elements {1,2,3,4} with sets A={1,2} cost 3, B={2,3} cost 2, C={3,4} cost 3,
  // D={1,4} cost 2, E={1,2,3,4} cost 6. Pairs that cover: A+C = 6, B+D = 4; E alone = 6.
  // Optimum B+D = 4.
  Model model;
  const int a = model.add_binary("A", 3), b = model.add_binary("B", 2);
  const int c = model.add_binary("C", 3), d = model.add_binary("D", 2);
  const int e = model.add_binary("E", 6);
  model.add_constraint("e1", {{a, 1}, {d, 1}, {e, 1}}, Sense::greater_equal, 1);
  model.add_constraint("e2", {{a, 1}, {b, 1}, {e, 1}}, Sense::greater_equal, 1);
  model.add_constraint("e3", {{b, 1}, {c, 1}, {e, 1}}, Sense::greater_equal, 1);
  model.add_constraint("e4", {{c, 1}, {d, 1}, {e, 1}}, Sense::greater_equal, 1);
  const Solution s = solve(model);
  ASSERT_EQ(s.status, Status::optimal) << s.message;
  EXPECT_EQ(s.values, (std::vector<double>{0, 1, 0, 1, 0}));
  EXPECT_DOUBLE_EQ(s.objective, 4);
  EXPECT_LE(s.bound, s.objective);
}

TEST_F(Cbc, EqualityConstraintsAndOffset) {
  // min 3x + 2y + 10, x, y integer in [0, 10], x + y = 7, x - y = 1 -> x = 4, y = 3:
  // 12 + 6 + 10 = 28.
  Model model;
  const int x = model.add_variable("x", VarType::integer, 0, 10, 3);
  const int y = model.add_variable("y", VarType::integer, 0, 10, 2);
  model.add_constraint("sum", {{x, 1}, {y, 1}}, Sense::equal, 7);
  model.add_constraint("diff", {{x, 1}, {y, -1}}, Sense::equal, 1);
  model.set_objective_offset(10);
  const Solution s = solve(model);
  ASSERT_EQ(s.status, Status::optimal) << s.message;
  EXPECT_EQ(s.values, (std::vector<double>{4, 3}));
  EXPECT_DOUBLE_EQ(s.objective, 28);
  EXPECT_NEAR(s.bound, 28, 1e-6);
}

TEST_F(Cbc, MixedIntegerAndContinuous) {
  // min 2x + 5y, x integer >= 0, y continuous >= 0, x + 2y >= 3.5.
  // Per unit of cover x costs 2 and y 2.5, so x takes what it can: x = 3 leaves 0.5, y = 0.25:
  // 6 + 1.25 = 7.25. (x = 4: 8; x = 2, y = 0.75: 7.75; the LP optimum x = 3.5 gives 7.)
  Model model;
  const int x = model.add_variable("x", VarType::integer, 0, kInf, 2);
  const int y = model.add_variable("y", VarType::continuous, 0, kInf, 5);
  model.add_constraint("cover", {{x, 1}, {y, 2}}, Sense::greater_equal, 3.5);
  const Solution s = solve(model);
  ASSERT_EQ(s.status, Status::optimal) << s.message;
  EXPECT_EQ(s.values[0], 3);
  EXPECT_NEAR(s.values[1], 0.25, 1e-9);
  EXPECT_NEAR(s.objective, 7.25, 1e-9);
}

TEST_F(Cbc, PureLp) {
  // max 3x + 2y, x + y <= 4, x + 3y <= 6, x <= 3 (continuous, >= 0): vertices (0,0) 0,
  // (3,0) 9, (3,1) 11, (1.5,1.5) 7.5, (0,2) 4 -> (3, 1) with 11.
  Model model;
  const int x = model.add_variable("x", VarType::continuous, 0, 3, 3);
  const int y = model.add_variable("y", VarType::continuous, 0, kInf, 2);
  model.add_constraint("a", {{x, 1}, {y, 1}}, Sense::less_equal, 4);
  model.add_constraint("b", {{x, 1}, {y, 3}}, Sense::less_equal, 6);
  model.set_objective_sense(ObjectiveSense::maximize);
  const Solution s = solve(model);
  ASSERT_EQ(s.status, Status::optimal) << s.message;
  EXPECT_NEAR(s.values[0], 3, 1e-9);
  EXPECT_NEAR(s.values[1], 1, 1e-9);
  EXPECT_NEAR(s.objective, 11, 1e-9);
  EXPECT_THAT(s.message, HasSubstr("LP (no integer variables)"));
}

TEST_F(Cbc, InfeasibleMip) {
  // 2x + 2y = 1 with x, y integer: the LP relaxation is feasible (x = 0.5), the MIP is not.
  Model model;
  const int x = model.add_variable("x", VarType::integer, 0, 10, 1);
  const int y = model.add_variable("y", VarType::integer, 0, 10, 1);
  model.add_constraint("odd", {{x, 2}, {y, 2}}, Sense::equal, 1);
  const Solution s = solve(model);
  EXPECT_EQ(s.status, Status::infeasible) << s.message;
  EXPECT_THAT(s.message, HasSubstr("CBC 2.10"));
  EXPECT_TRUE(s.values.empty());
  EXPECT_EQ(s.bound, kInf);  // minimising: no solution, so the optimum is +inf
}

TEST_F(Cbc, SingletonRowsBecomeBounds) {
  // max x + y + z: x integer in [0, 10] with 3x <= 10 (x <= 3); y continuous in [0, 9] with
  // 4y <= 2 (y <= 0.5); z integer in [-5, 5] with -2z >= -3 (z <= 1.5, so 1). Optimum 4.5.
  Model model;
  const int x = model.add_variable("x", VarType::integer, 0, 10, 1);
  const int y = model.add_variable("y", VarType::continuous, 0, 9, 1);
  const int z = model.add_variable("z", VarType::integer, -5, 5, 1);
  model.add_constraint("x_cap", {{x, 3}}, Sense::less_equal, 10);
  model.add_constraint("y_cap", {{y, 4}, {x, 0}}, Sense::less_equal, 2);  // a zero term
  model.add_constraint("z_cap", {{z, -2}}, Sense::greater_equal, -3);
  model.add_constraint("nothing", {}, Sense::equal, 0);
  model.set_objective_sense(ObjectiveSense::maximize);
  const Solution s = solve(model);
  ASSERT_EQ(s.status, Status::optimal) << s.message;
  EXPECT_EQ(s.values[0], 3);
  EXPECT_NEAR(s.values[1], 0.5, 1e-9);
  EXPECT_EQ(s.values[2], 1);
  EXPECT_NEAR(s.objective, 4.5, 1e-9);
  EXPECT_THAT(s.message, HasSubstr("4 empty or singleton rows folded into bounds"));
}

TEST_F(Cbc, SingletonRowsCrossingWithinToleranceFixTheVariable) {
  // y >= 1 by its bound, y <= 0.9999999 by a row: 1e-7 over, within the 1e-6 tolerance.
  Model model;
  const int y = model.add_variable("y", VarType::continuous, 1, 5, 1);
  model.add_binary("b", 1);
  model.add_constraint("cap", {{y, 1}}, Sense::less_equal, 0.9999999);
  const Solution s = solve(model);
  ASSERT_EQ(s.status, Status::optimal) << s.message;
  EXPECT_EQ(s.values[0], 1);
}

TEST_F(Cbc, ShortRowsCanProveInfeasibilityBeforeCbc) {
  Model odd;
  const int x = odd.add_variable("x", VarType::integer, 0, 10, 1);
  odd.add_constraint("odd", {{x, 2}}, Sense::equal, 1);  // x = 0.5
  Solution s = solve(odd);
  EXPECT_EQ(s.status, Status::infeasible) << s.message;
  EXPECT_EQ(s.message,
            "infeasible before calling CBC: constraint 'odd' (#0) leaves variable 'x' (#0) no "
            "value");

  Model empty_row;
  empty_row.add_binary("b");
  empty_row.add_constraint("one", {{0, 0}}, Sense::greater_equal, 1);  // 0 >= 1
  s = solve(empty_row);
  EXPECT_EQ(s.status, Status::infeasible) << s.message;
  EXPECT_EQ(s.message,
            "infeasible before calling CBC: constraint 'one' (#0) has no nonzero terms: 0 >= 1 "
            "fails");
}

TEST_F(Cbc, InfeasibleLpRelaxation) {
  Model model;
  const int a = model.add_binary("a"), b = model.add_binary("b");
  model.add_constraint("three", {{a, 1}, {b, 1}}, Sense::greater_equal, 3);
  model.set_objective_sense(ObjectiveSense::maximize);
  const Solution s = solve(model);
  EXPECT_EQ(s.status, Status::infeasible) << s.message;
  EXPECT_EQ(s.bound, -kInf);  // maximising
}

TEST_F(Cbc, InfeasibleLp) {
  Model model;
  const int x = model.add_variable("x", VarType::continuous, 0, 1, 1);
  model.add_constraint("two", {{x, 1}}, Sense::greater_equal, 2);
  const Solution s = solve(model);
  EXPECT_EQ(s.status, Status::infeasible) << s.message;
}

TEST_F(Cbc, UnboundedLp) {
  // Clp alone says only "primal or dual infeasible"; the zero-objective solve finds x = 0
  // feasible, so the LP is unbounded.
  Model model;
  const int x = model.add_variable("x", VarType::continuous, 0, kInf, 1);
  const int y = model.add_variable("y", VarType::continuous, 0, kInf, 1);
  model.add_constraint("r", {{x, 1}, {y, -1}}, Sense::less_equal, 1);
  model.set_objective_sense(ObjectiveSense::maximize);
  const Solution s = solve(model);
  EXPECT_EQ(s.status, Status::unbounded) << s.message;
  EXPECT_EQ(s.bound, kInf);
}

TEST_F(Cbc, UnboundedMip) {
  // max x + y, x integer >= 0, y continuous >= 0, x - y <= 1.5: the LP relaxation is unbounded
  // and so is the MIP (x = y = k for any k). CBC 2.10.8 answers status 0, secondary 7
  // (LP relaxation unbounded), isContinuousUnbounded 1, no solution. A MIP whose relaxation is
  // unbounded but which has no integer point would get the same answer: CBC does not tell.
  Model model;
  const int x = model.add_variable("x", VarType::integer, 0, kInf, 1);
  const int y = model.add_variable("y", VarType::continuous, 0, kInf, 1);
  model.add_constraint("r", {{x, 1}, {y, -1}}, Sense::less_equal, 1.5);
  model.set_objective_sense(ObjectiveSense::maximize);
  const Solution s = solve(model);
  EXPECT_EQ(s.status, Status::unbounded) << s.message;
  EXPECT_THAT(s.message, HasSubstr("status 0, secondary 7 (LP unbounded)"));
  EXPECT_EQ(s.bound, kInf);
}

TEST_F(Cbc, UnboundedRelaxationHidesIntegerInfeasibility) {
  // 2x - 2z = 1 has no integer point, so this MIP is infeasible; but y is free to grow in the
  // LP relaxation, and CBC 2.10.8 stops there: status 0, secondary 7. Pinned, so that a CBC
  // that tells the two apart is noticed.
  Model model;
  const int x = model.add_variable("x", VarType::integer, 0, 10);
  const int z = model.add_variable("z", VarType::integer, 0, 10);
  model.add_variable("y", VarType::continuous, 0, kInf, 1);
  model.add_constraint("odd", {{x, 2}, {z, -2}}, Sense::equal, 1);
  model.set_objective_sense(ObjectiveSense::maximize);
  const Solution s = solve(model);
  EXPECT_EQ(s.status, Status::unbounded) << s.message;
  EXPECT_THAT(s.message, HasSubstr("status 0, secondary 7 (LP unbounded)"));
}

TEST_F(Cbc, UnboundedIntegerWithoutConstraints) {
  Model model;
  model.add_variable("x", VarType::integer, -kInf, 0, 1);
  const Solution s = solve(model);  // minimise x, x <= 0 integer
  EXPECT_EQ(s.status, Status::unbounded) << s.message;
}

TEST_F(Cbc, NoConstraints) {
  // max x - y, x integer in [0, 5], y integer in [-2, 3]: x = 5, y = -2 -> 7.
  Model model;
  model.add_variable("x", VarType::integer, 0, 5, 1);
  model.add_variable("y", VarType::integer, -2, 3, -1);
  model.set_objective_sense(ObjectiveSense::maximize);
  const Solution s = solve(model);
  ASSERT_EQ(s.status, Status::optimal) << s.message;
  EXPECT_EQ(s.values, (std::vector<double>{5, -2}));
  EXPECT_DOUBLE_EQ(s.objective, 7);
}

TEST_F(Cbc, NoVariables) {
  Model ok;
  ok.add_constraint("trivial", {}, Sense::less_equal, 1);  // 0 <= 1
  ok.set_objective_offset(4.5);
  Solution s = solve(ok);
  ASSERT_EQ(s.status, Status::optimal) << s.message;
  EXPECT_TRUE(s.values.empty());
  EXPECT_DOUBLE_EQ(s.objective, 4.5);
  EXPECT_DOUBLE_EQ(s.bound, 4.5);

  Model bad;
  bad.add_constraint("impossible", {}, Sense::greater_equal, 1);  // 0 >= 1
  s = solve(bad);
  EXPECT_EQ(s.status, Status::infeasible) << s.message;
  EXPECT_THAT(s.message, HasSubstr("constraint 'impossible' (#0): activity 0 >= 1 violated by 1"));

  s = solve(Model{});
  EXPECT_EQ(s.status, Status::optimal) << s.message;
  EXPECT_EQ(s.objective, 0);
}

TEST_F(Cbc, InvalidModelIsNotSolved) {
  Model model;
  const int x = model.add_variable("x", VarType::integer, 2, 1);
  model.add_constraint("r", {{x, 1}, {5, 1}}, Sense::less_equal, 1);
  const Solution s = solve(model);
  EXPECT_EQ(s.status, Status::invalid);
  EXPECT_FALSE(s.has_values());
  EXPECT_THAT(s.message, HasSubstr("variable 'x' (#0): lower bound 2 > upper bound 1"));
  EXPECT_THAT(s.message, HasSubstr("unknown variable index 5"));
}

TEST_F(Cbc, InvalidOptionsAreNotSolved) {
  SolveOptions options;
  options.time_limit_s = -1;
  options.relative_gap = std::nan("");
  const Solution s = solve(knapsack(), options);
  EXPECT_EQ(s.status, Status::invalid);
  EXPECT_THAT(s.message, HasSubstr("time_limit_s must be finite and >= 0 (0: none), got -1"));
  EXPECT_THAT(s.message, HasSubstr("relative_gap must be finite and >= 0, got nan"));
}

TEST_F(Cbc, TimeLimitOnHardInstanceNeverAbnormal) {
  SolveOptions options;
  options.time_limit_s = 0.05;
  const Model model = hard_knapsack(2024);
  const auto t0 = std::chrono::steady_clock::now();
  const Solution s = solve(model, options);
  const double elapsed_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_LT(elapsed_s, 2.0);
  EXPECT_TRUE(s.status == Status::feasible || s.status == Status::not_solved ||
              s.status == Status::optimal)
      << to_string(s.status) << ": " << s.message;
  if (s.has_values()) {
    EXPECT_GE(s.bound, s.objective);  // maximising
    EXPECT_GE(s.gap, 0);
  }
}

TEST_F(Cbc, RelativeGapStopsEarlyWithinTheGap) {
  SolveOptions options;
  options.relative_gap = 0.01;
  const Model model = choice_knapsack(7, 50, 16, /*correlated=*/true);
  const Solution s = solve(model, options);
  ASSERT_EQ(s.status, Status::optimal) << s.message;
  EXPECT_LE(s.bound, s.objective);
  EXPECT_LE(s.gap, 0.01 + 1e-9);
}

TEST_F(Cbc, FeasibleMipStartIsPassedAndNotWorsened) {
  SolveOptions options;
  options.start = {1, 0, 1, 0};  // {a, c}: weight 8, value 17
  const Solution s = solve(knapsack(), options);
  ASSERT_EQ(s.status, Status::optimal) << s.message;
  EXPECT_GE(s.objective, 17);
  EXPECT_DOUBLE_EQ(s.objective, 21);
  EXPECT_THAT(s.message, HasSubstr("MIP start passed to CBC"));
}

TEST_F(Cbc, InfeasibleMipStartIsIgnoredWithANote) {
  SolveOptions options;
  options.start = {1, 1, 0, 0};  // {a, b}: weight 11 > 10
  Solution s = solve(knapsack(), options);
  ASSERT_EQ(s.status, Status::optimal) << s.message;
  EXPECT_DOUBLE_EQ(s.objective, 21);
  EXPECT_THAT(s.message, HasSubstr("MIP start ignored, it is infeasible: constraint 'cap' (#0): "
                                   "activity 11 <= 10 violated by 1"));
  EXPECT_THAT(s.message, testing::Not(HasSubstr("MIP start passed")));

  options.start = {1, 0};
  s = solve(knapsack(), options);
  ASSERT_EQ(s.status, Status::optimal) << s.message;
  EXPECT_THAT(s.message,
              HasSubstr("MIP start ignored, it is infeasible: assignment has 2 values for 4 "
                        "variables"));
}

TEST_F(Cbc, PrintsNothingWhenLogIsOff) {
  SolveOptions quiet;
  SolveOptions with_start;
  with_start.start = {1, 0, 1, 0};
  SolveOptions limited;
  limited.time_limit_s = 0.02;
  Model unbounded_lp;
  unbounded_lp.add_variable("x", VarType::continuous, 0, kInf, 1);
  unbounded_lp.set_objective_sense(ObjectiveSense::maximize);
  Model infeasible_mip;
  const int x = infeasible_mip.add_variable("x", VarType::integer, 0, 9);
  const int y = infeasible_mip.add_variable("y", VarType::integer, 0, 9);
  infeasible_mip.add_constraint("odd", {{x, 2}, {y, 2}}, Sense::equal, 1);

  testing::internal::CaptureStdout();
  testing::internal::CaptureStderr();
  std::vector<Status> statuses;
  statuses.push_back(solver_->solve(knapsack(), quiet).status);
  statuses.push_back(solver_->solve(knapsack(), with_start).status);
  statuses.push_back(solver_->solve(hard_knapsack(5), limited).status);
  statuses.push_back(solver_->solve(unbounded_lp, quiet).status);
  statuses.push_back(solver_->solve(infeasible_mip, quiet).status);
  const std::string out = testing::internal::GetCapturedStdout();
  const std::string err = testing::internal::GetCapturedStderr();
  EXPECT_EQ(out, "");
  EXPECT_EQ(err, "");
  EXPECT_EQ(statuses[0], Status::optimal);
  EXPECT_EQ(statuses[1], Status::optimal);
  EXPECT_EQ(statuses[3], Status::unbounded);
  EXPECT_EQ(statuses[4], Status::infeasible);

  // The capture does see CBC when its log is on.
  SolveOptions loud;
  loud.log = true;
  testing::internal::CaptureStdout();
  const Solution s = solver_->solve(knapsack(), loud);
  const std::string log = testing::internal::GetCapturedStdout();
  EXPECT_EQ(s.status, Status::optimal);
  EXPECT_THAT(log, HasSubstr("CBC"));
}

TEST_F(Cbc, ConcurrentSolvesAreSafe) {
  // CBC 2.10 is not thread-safe (coin-or/Cbc#332); the back end serialises its calls.
  std::vector<std::thread> threads;
  std::vector<int> optimal(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([this, t, &optimal] {
      for (int i = 0; i < 10; ++i) {
        const Solution s = solver_->solve(knapsack());
        if (s.status == Status::optimal && s.objective == 21) ++optimal[t];
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(optimal, (std::vector<int>{10, 10, 10, 10}));
}

TEST_F(Cbc, ChoiceKnapsack50x16x3IsSolvedToProvenOptimality) {
  const Model model = choice_knapsack(1);
  const Solution s = solve(model);
  ASSERT_EQ(s.status, Status::optimal) << s.message;
  EXPECT_NEAR(s.gap, 0, 1e-9);
  double picked = 0;
  for (double v : s.values) picked += v;
  EXPECT_EQ(picked, 50);  // one candidate per group
  RecordProperty("solve_ms", std::to_string(s.solve_ms));
}

}  // namespace
}  // namespace hwnas::solve
