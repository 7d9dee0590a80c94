// One problem through several solvers: CBC against brute-force enumeration on seeded random
// small pure-integer models.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "hwnas/core/rng.hpp"
#include "hwnas/solve/model.hpp"
#include "hwnas/solve/solver.hpp"
#include "test_models.hpp"

namespace hwnas::solve {
namespace {

using testing::IsEmpty;

TEST(SolverAgreement, CbcMatchesEnumerationOnRandomSmallModels) {
  Rng rng(20240611);
  const auto cbc = make_cbc_solver();
  const auto enumeration = make_enumeration_solver();
  std::map<std::string, int> seen;
  constexpr int kModels = 200;
  for (int i = 0; i < kModels; ++i) {
    const Model model = testing_models::random_small_model(rng);
    ASSERT_THAT(model.check(), IsEmpty());
    const Solution want = enumeration->solve(model);
    const Solution got = cbc->solve(model);
    ++seen[to_string(want.status)];
    ASSERT_TRUE(want.status == Status::optimal || want.status == Status::infeasible)
        << "model " << i << ": " << want.message;
    ASSERT_EQ(to_string(got.status), to_string(want.status))
        << "model " << i << ": cbc says " << got.message << "; enumeration says "
        << want.message;
    if (want.status == Status::optimal) {
      EXPECT_NEAR(got.objective, want.objective, 1e-6) << "model " << i;
      EXPECT_THAT(verify(model, got.values), IsEmpty()) << "model " << i;
    }
  }
  // The generator must exercise both outcomes, or the comparison proves little.
  EXPECT_GE(seen["optimal"], kModels / 2);
  EXPECT_GE(seen["infeasible"], 10);
}

TEST(SolverAgreement, SameSeedSameModels) {
  Rng a(99), b(99);
  for (int i = 0; i < 20; ++i) {
    const Model x = testing_models::random_small_model(a);
    const Model y = testing_models::random_small_model(b);
    ASSERT_EQ(x.variables().size(), y.variables().size());
    ASSERT_EQ(x.constraints().size(), y.constraints().size());
    for (std::size_t c = 0; c < x.constraints().size(); ++c) {
      EXPECT_EQ(x.constraints()[c].rhs, y.constraints()[c].rhs);
    }
  }
}

}  // namespace
}  // namespace hwnas::solve
