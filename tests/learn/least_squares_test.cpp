#include "hwnas/learn/least_squares.hpp"

#include <gtest/gtest.h>

namespace hwnas::learn {
namespace {

TEST(LeastSquares, RecoversAnExactLinearModel) {
  // y = 2 + 3 a - 0.5 b on six points: the fit is exact up to the tiny ridge.
  std::vector<std::vector<double>> x;
  std::vector<double> y;
  for (double a = 0; a < 3; ++a) {
    for (double b = 0; b < 2; ++b) {
      x.push_back({1, a, b});
      y.push_back(2 + 3 * a - 0.5 * b);
    }
  }
  const auto w = least_squares(x, y);
  ASSERT_EQ(w.size(), 3u);
  EXPECT_NEAR(w[0], 2.0, 1e-4);
  EXPECT_NEAR(w[1], 3.0, 1e-4);
  EXPECT_NEAR(w[2], -0.5, 1e-4);
}

TEST(LeastSquares, TheBestFitOfNoisyPointsAndSingularColumns) {
  // y against (1, t) at t = 0, 1, 2 with y = 1, 2, 4: the normal equations give
  // slope 1.5 and intercept 5/6 (hand-solved: Sxx = 2, Sxy = 3).
  const auto w = least_squares({{1, 0}, {1, 1}, {1, 2}}, {1, 2, 4});
  EXPECT_NEAR(w[0], 5.0 / 6.0, 1e-4);
  EXPECT_NEAR(w[1], 1.5, 1e-4);
  // Two one-hot columns that sum to the intercept: singular without the ridge, still solved,
  // and the predictions are right even though the split between the columns is arbitrary.
  const std::vector<std::vector<double>> x = {{1, 1, 0}, {1, 0, 1}, {1, 1, 0}, {1, 0, 1}};
  const std::vector<double> y = {3, 5, 3, 5};
  const auto v = least_squares(x, y);
  for (std::size_t r = 0; r < x.size(); ++r) {
    EXPECT_NEAR(v[0] * x[r][0] + v[1] * x[r][1] + v[2] * x[r][2], y[r], 1e-4);
  }
  EXPECT_TRUE(least_squares({}, {}).empty());
}

}  // namespace
}  // namespace hwnas::learn
