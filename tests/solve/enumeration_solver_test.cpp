#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <vector>

#include "hwnas/solve/model.hpp"
#include "hwnas/solve/solver.hpp"
#include "test_models.hpp"

namespace hwnas::solve {
namespace {

using testing::HasSubstr;
using namespace testing_models;

TEST(Enumeration, KnapsackMatchesHandOptimum) {
  const Solution s = make_enumeration_solver()->solve(knapsack());
  ASSERT_EQ(s.status, Status::optimal) << s.message;
  EXPECT_EQ(s.values, (std::vector<double>{0, 1, 0, 1}));
  EXPECT_DOUBLE_EQ(s.objective, 21);
  EXPECT_DOUBLE_EQ(s.bound, 21);
  EXPECT_EQ(s.gap, 0);
  EXPECT_EQ(s.nodes, 16);  // 2^4 assignments
  EXPECT_EQ(make_enumeration_solver()->name(), "enumeration");
}

TEST(Enumeration, TiesGoToTheLexicographicallySmallestAssignment) {
  // Zero objective, x0 + x1 + x2 = 2 over binaries: (0,1,1) < (1,0,1) < (1,1,0).
  Model model;
  std::vector<Term> terms;
  for (int j = 0; j < 3; ++j) terms.push_back({model.add_binary("x" + std::to_string(j)), 1});
  model.add_constraint("two", terms, Sense::equal, 2);
  Solution s = make_enumeration_solver()->solve(model);
  ASSERT_EQ(s.status, Status::optimal);
  EXPECT_EQ(s.values, (std::vector<double>{0, 1, 1}));
  // Maximising x0 + x1 + x2 ties all three as well.
  for (int j = 0; j < 3; ++j) model.set_objective_coef(j, 1);
  model.set_objective_sense(ObjectiveSense::maximize);
  s = make_enumeration_solver()->solve(model);
  EXPECT_EQ(s.values, (std::vector<double>{0, 1, 1}));
  EXPECT_DOUBLE_EQ(s.objective, 2);
}

TEST(Enumeration, IntegerRangesIncludingNegatives) {
  // min (x - 2y) with x in [-3, 2], y in [-1, 1] integers, x + y >= -1:
  // y = 1 gives x - 2 with x >= -2: -4; y = 0: x >= -1: -1; y = -1: x >= 0: 2. Optimum (-2, 1).
  Model model;
  const int x = model.add_variable("x", VarType::integer, -3, 2, 1);
  const int y = model.add_variable("y", VarType::integer, -1, 1, -2);
  model.add_constraint("r", {{x, 1}, {y, 1}}, Sense::greater_equal, -1);
  const Solution s = make_enumeration_solver()->solve(model);
  ASSERT_EQ(s.status, Status::optimal);
  EXPECT_EQ(s.values, (std::vector<double>{-2, 1}));
  EXPECT_DOUBLE_EQ(s.objective, -4);
  EXPECT_EQ(s.nodes, 18);
}

TEST(Enumeration, Infeasible) {
  Model model;
  const int x = model.add_variable("x", VarType::integer, 0, 10);
  model.add_constraint("odd", {{x, 2}}, Sense::equal, 1);
  const Solution s = make_enumeration_solver()->solve(model);
  EXPECT_EQ(s.status, Status::infeasible);
  EXPECT_EQ(s.bound, kInf);
}

TEST(Enumeration, EmptyIntegerDomainIsInfeasible) {
  Model model;
  model.add_variable("x", VarType::integer, 0.2, 0.8);
  const Solution s = make_enumeration_solver()->solve(model);
  EXPECT_EQ(s.status, Status::infeasible);
  EXPECT_THAT(s.message, HasSubstr("variable 'x' (#0) has no integer in [0.2, 0.8]"));
}

TEST(Enumeration, RejectsContinuousAndUnboundedVariables) {
  Model model;
  model.add_variable("y", VarType::continuous, 0, 1);
  model.add_variable("z", VarType::integer, 0, kInf);
  const Solution s = make_enumeration_solver()->solve(model);
  EXPECT_EQ(s.status, Status::invalid);
  EXPECT_THAT(s.message, HasSubstr("enumeration needs binary or integer variables: variable 'y' "
                                   "(#0) is continuous"));
  EXPECT_THAT(s.message,
              HasSubstr("enumeration needs finite bounds: variable 'z' (#1) has bounds [0, inf]"));
}

TEST(Enumeration, RejectsTooManyAssignments) {
  Model model;
  for (int j = 0; j < 11; ++j) model.add_binary("b" + std::to_string(j));
  const Solution s = make_enumeration_solver(1000)->solve(model);
  EXPECT_EQ(s.status, Status::invalid);
  EXPECT_THAT(s.message, HasSubstr("enumeration: 2048 assignments exceed the limit of 1000"));
  EXPECT_EQ(make_enumeration_solver(2048)->solve(model).status, Status::optimal);
}

TEST(Enumeration, InvalidModel) {
  Model model;
  model.add_constraint("r", {{0, 1}}, Sense::less_equal, 1);
  const Solution s = make_enumeration_solver()->solve(model);
  EXPECT_EQ(s.status, Status::invalid);
  EXPECT_THAT(s.message, HasSubstr("unknown variable index 0 (the model has 0 variables)"));
}

TEST(Enumeration, TimeLimitGivesFeasibleOrNotSolved) {
  Model model;  // 2^22 assignments, far more than 1 ms of work
  std::vector<Term> terms;
  for (int j = 0; j < 22; ++j) terms.push_back({model.add_binary("b" + std::to_string(j), 1), 1});
  model.add_constraint("some", terms, Sense::less_equal, 3);
  model.set_objective_sense(ObjectiveSense::maximize);
  SolveOptions options;
  options.time_limit_s = 0.001;
  const Solution s = make_enumeration_solver()->solve(model, options);
  EXPECT_TRUE(s.status == Status::feasible || s.status == Status::not_solved) << s.message;
  EXPECT_THAT(s.message, HasSubstr("stopped on the time limit"));
  EXPECT_LT(s.nodes, std::int64_t{1} << 22);
}

}  // namespace
}  // namespace hwnas::solve
