#include "hwnas/solve/model.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

namespace hwnas::solve {
namespace {

using testing::ElementsAre;
using testing::IsEmpty;

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

TEST(Model, AddVariableReturnsIndicesAndBinaryGetsZeroOneBounds) {
  Model model;
  EXPECT_EQ(model.add_variable("x", VarType::integer, -2, 5, 3), 0);
  EXPECT_EQ(model.add_variable("b", VarType::binary, -7, 9, 1), 1);
  EXPECT_EQ(model.add_binary("c", 4), 2);
  const auto& vars = model.variables();
  ASSERT_EQ(vars.size(), 3u);
  EXPECT_EQ(vars[0].lower, -2);
  EXPECT_EQ(vars[0].upper, 5);
  EXPECT_EQ(vars[1].lower, 0);
  EXPECT_EQ(vars[1].upper, 1);
  EXPECT_EQ(vars[2].objective, 4);
  EXPECT_EQ(model.add_constraint("r", {{0, 1}, {1, 2}}, Sense::less_equal, 4), 0);
  EXPECT_THROW(model.set_objective_coef(3, 1), std::out_of_range);
}

TEST(Model, ObjectiveValueIncludesOffset) {
  Model model;
  model.add_variable("x", VarType::continuous, 0, 10, 2);
  model.add_binary("b", -3);
  model.set_objective_offset(1.5);
  // 2 * 4 - 3 * 1 + 1.5 = 6.5
  EXPECT_DOUBLE_EQ(model.objective_value({4, 1}), 6.5);
  EXPECT_THROW(model.objective_value({4}), std::invalid_argument);
}

TEST(Model, EnumsHaveNames) {
  EXPECT_EQ(to_string(VarType::binary), "binary");
  EXPECT_EQ(to_string(VarType::integer), "integer");
  EXPECT_EQ(to_string(VarType::continuous), "continuous");
  EXPECT_EQ(to_string(Sense::less_equal), "<=");
  EXPECT_EQ(to_string(Sense::greater_equal), ">=");
  EXPECT_EQ(to_string(Sense::equal), "=");
  EXPECT_EQ(to_string(ObjectiveSense::minimize), "minimize");
  EXPECT_EQ(to_string(ObjectiveSense::maximize), "maximize");
}

TEST(ModelCheck, WellFormedModelHasNoProblems) {
  Model model;
  const int x = model.add_variable("x", VarType::continuous, -kInf, kInf, 1);
  const int b = model.add_binary("b");
  model.add_constraint("r", {{x, 1}, {b, -2}}, Sense::equal, 0);
  model.add_constraint("empty", {}, Sense::less_equal, 1);
  EXPECT_THAT(model.check(), IsEmpty());
}

TEST(ModelCheck, NamesEachProblem) {
  Model model;
  model.add_variable("x", VarType::integer, 3, 1);                           // #0 lower > upper
  model.add_variable("y", VarType::continuous, kNaN, 1);                     // #1 NaN bound
  model.add_variable("z", VarType::continuous, kInf, kInf);                  // #2 lower +inf
  model.add_variable("w", VarType::continuous, -kInf, -kInf);                // #3 upper -inf
  model.add_variable("v", VarType::continuous, 0, 1, kInf);                  // #4 objective inf
  model.add_constraint("unknown", {{7, 1}, {-1, 2}}, Sense::less_equal, 1);  // #0
  model.add_constraint("coef", {{0, kNaN}}, Sense::less_equal, 1);           // #1
  model.add_constraint("rhs", {{0, 1}}, Sense::greater_equal, kInf);         // #2
  model.add_constraint("dup", {{0, 1}, {4, 1}, {0, 2}}, Sense::equal, 1);    // #3
  model.set_objective_offset(kNaN);
  EXPECT_THAT(
      model.check(),
      ElementsAre("variable 'x' (#0): lower bound 3 > upper bound 1",
                  "variable 'y' (#1): NaN bound (lower nan, upper 1)",
                  "variable 'z' (#2): lower bound is +inf",
                  "variable 'w' (#3): upper bound is -inf",
                  "variable 'v' (#4): non-finite objective coefficient inf",
                  "objective offset is non-finite: nan",
                  "constraint 'unknown' (#0) term 0: unknown variable index 7 (the model has 5 "
                  "variables)",
                  "constraint 'unknown' (#0) term 1: unknown variable index -1 (the model has 5 "
                  "variables)",
                  "constraint 'coef' (#1) term 0: non-finite coefficient nan for variable 'x'",
                  "constraint 'rhs' (#2): non-finite right-hand side inf",
                  "constraint 'dup' (#3): variable 'x' (#0) appears more than once"));
}

TEST(ModelCheck, SameVariableInDifferentConstraintsIsFine) {
  Model model;
  const int x = model.add_binary("x");
  model.add_constraint("a", {{x, 1}}, Sense::less_equal, 1);
  model.add_constraint("b", {{x, 1}}, Sense::less_equal, 1);
  EXPECT_THAT(model.check(), IsEmpty());
}

// x integer in [0, 4], b binary, y continuous in [-1, 1]; rows:
//   cap: 2x + 3b <= 10,  floor: x + y >= 2,  link: x - b = 1
Model small_model() {
  Model model;
  const int x = model.add_variable("x", VarType::integer, 0, 4);
  const int b = model.add_binary("b");
  const int y = model.add_variable("y", VarType::continuous, -1, 1);
  model.add_constraint("cap", {{x, 2}, {b, 3}}, Sense::less_equal, 10);
  model.add_constraint("floor", {{x, 1}, {y, 1}}, Sense::greater_equal, 2);
  model.add_constraint("link", {{x, 1}, {b, -1}}, Sense::equal, 1);
  return model;
}

TEST(Verify, FeasibleAssignmentHasNoViolations) {
  // 2*2 + 3*1 = 7 <= 10;  2 + 0 >= 2;  2 - 1 = 1.
  EXPECT_THAT(verify(small_model(), {2, 1, 0}), IsEmpty());
}

TEST(Verify, WrongLength) {
  EXPECT_THAT(verify(small_model(), {1, 0}),
              ElementsAre("assignment has 2 values for 3 variables"));
}

TEST(Verify, BoundsByAmount) {
  // x = 4.5 (integer, so also 0.5 from an integer); y = -1.25 below -1 by 0.25.
  // cap: 9 + 3 = 12 > 10 by 2; floor: 4.5 - 1.25 = 3.25 fine; link: 4.5 - 1 = 3.5 off by 2.5.
  EXPECT_THAT(verify(small_model(), {4.5, 1, -1.25}),
              ElementsAre("variable 'x' (#0) = 4.5: above its upper bound 4 by 0.5",
                          "variable 'x' (#0) = 4.5: integer, 0.5 from the nearest integer",
                          "variable 'y' (#2) = -1.25: below its lower bound -1 by 0.25",
                          "constraint 'cap' (#0): activity 12 <= 10 violated by 2",
                          "constraint 'link' (#2): activity 3.5 = 1 violated by 2.5"));
}

TEST(Verify, IntegralityOfBinaries) {
  // b = 0.5: cap 2*1.5 + 1.5 = 4.5 fine; floor 1.5 + 0.5 = 2 fine; link 1.5 - 0.5 = 1 fine.
  EXPECT_THAT(verify(small_model(), {1.5, 0.5, 0.5}),
              ElementsAre("variable 'x' (#0) = 1.5: integer, 0.5 from the nearest integer",
                          "variable 'b' (#1) = 0.5: binary, 0.5 from the nearest integer"));
}

TEST(Verify, GreaterEqualViolatedByAmount) {
  // x = 1, b = 0, y = 0.25: floor 1.25 >= 2 violated by 0.75; link 1 - 0 = 1 fine.
  EXPECT_THAT(verify(small_model(), {1, 0, 0.25}),
              ElementsAre("constraint 'floor' (#1): activity 1.25 >= 2 violated by 0.75"));
}

TEST(Verify, NonFiniteValues) {
  EXPECT_THAT(verify(small_model(), {2, 1, kNaN}),
              ElementsAre("variable 'y' (#2) = nan: not a finite value"));
}

TEST(Verify, ToleranceIsScaledByRightHandSide) {
  Model model;
  const int x = model.add_variable("x", VarType::continuous, 0, kInf);
  model.add_constraint("big", {{x, 1}}, Sense::less_equal, 1e6);
  // 1e6 + 0.5 exceeds 1e6 by 0.5 < 1e-6 * 1e6 = 1: accepted.
  EXPECT_THAT(verify(model, {1e6 + 0.5}), IsEmpty());
  // 1e6 + 2 exceeds it by 2 > 1: rejected.
  EXPECT_THAT(verify(model, {1e6 + 2}),
              ElementsAre("constraint 'big' (#0): activity 1e+06 <= 1e+06 violated by 2"));
  // With |rhs| <= 1 the tolerance stays 1e-6 absolute: 1 + 1e-5 is rejected.
  Model tight;
  const int y = tight.add_variable("y", VarType::continuous, 0, kInf);
  tight.add_constraint("small", {{y, 1}}, Sense::less_equal, 1);
  EXPECT_THAT(verify(tight, {1 + 1e-7}), IsEmpty());
  EXPECT_THAT(verify(tight, {1 + 1e-5}),
              ElementsAre("constraint 'small' (#0): activity 1.00001 <= 1 violated by 1e-05"));
  EXPECT_THAT(verify(tight, {1 + 1e-5}, 1e-4), IsEmpty());
}

TEST(Verify, IntegralityWithinToleranceIsAccepted) {
  Model model;
  model.add_binary("b");
  EXPECT_THAT(verify(model, {1 - 1e-8}), IsEmpty());
  EXPECT_THAT(verify(model, {1 - 1e-3}),
              ElementsAre("variable 'b' (#0) = 0.999: binary, 0.001 from the nearest integer"));
}

}  // namespace
}  // namespace hwnas::solve
