#include "hwnas/learn/metrics.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <vector>

#include "hwnas/core/error.hpp"
#include "hwnas/core/rng.hpp"

namespace hwnas::learn {
namespace {

using testing::HasSubstr;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Runs `call`, expecting an InputError with this key and a message containing `text`.
template <typename Call>
void expect_input_error(Call call, const std::string& key, const std::string& text) {
  try {
    call();
    ADD_FAILURE() << "expected InputError (key " << key << ")";
  } catch (const InputError& e) {
    EXPECT_EQ(e.where(), "<metrics>");
    EXPECT_EQ(e.key(), key);
    EXPECT_THAT(e.what(), HasSubstr(text));
  }
}

// Kendall's tau-b by its definition, over all pairs: the reference for the O(n log n) version.
double kendall_tau_by_pairs(const std::vector<double>& a, const std::vector<double>& b) {
  std::int64_t concordant = 0, discordant = 0, tied_a = 0, tied_b = 0, pairs = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    for (std::size_t j = i + 1; j < a.size(); ++j) {
      ++pairs;
      const double da = a[i] - a[j];
      const double db = b[i] - b[j];
      if (da == 0) ++tied_a;
      if (db == 0) ++tied_b;
      if (da * db > 0) ++concordant;
      if (da * db < 0) ++discordant;
    }
  }
  return static_cast<double>(concordant - discordant) /
         std::sqrt(static_cast<double>(pairs - tied_a) * static_cast<double>(pairs - tied_b));
}

TEST(Spearman, TiesTakeAverageRanks) {
  // a = 1 2 2 3 4 -> ranks 1 2.5 2.5 4 5;   b = 2 1 3 3 5 -> ranks 2 1 3.5 3.5 5.
  // Both means are 3; deviations da = -2 -.5 -.5 1 2, db = -1 -2 .5 .5 2.
  // cov = 2 + 1 - .25 + .5 + 4 = 7.25; var_a = var_b = 4 + .25 + .25 + 1 + 4 = 9.5.
  // rho = 7.25 / 9.5 = 29 / 38.
  EXPECT_NEAR(spearman({1, 2, 2, 3, 4}, {2, 1, 3, 3, 5}), 29.0 / 38.0, 1e-12);
}

TEST(Spearman, TiesInBothInputs) {
  // a = 1 1 2 2 -> ranks 1.5 1.5 3.5 3.5;   b = 1 1 1 2 -> ranks 2 2 2 4. Means 2.5.
  // da = -1 -1 1 1, db = -.5 -.5 -.5 1.5: cov = .5 + .5 - .5 + 1.5 = 2, var_a = 4, var_b = 3.
  // rho = 2 / sqrt(12) = 1 / sqrt(3).
  EXPECT_NEAR(spearman({1, 1, 2, 2}, {1, 1, 1, 2}), 1 / std::sqrt(3.0), 1e-12);
}

TEST(Spearman, MonotoneGivesPlusOrMinusOneAndConstantGivesNaN) {
  EXPECT_DOUBLE_EQ(spearman({1, 2, 3, 10}, {-5, 0, 7, 7.5}), 1.0);
  EXPECT_DOUBLE_EQ(spearman({1, 2, 3, 10}, {4, 3, 2, 1}), -1.0);
  EXPECT_TRUE(std::isnan(spearman({1, 2, 3}, {5, 5, 5})));
}

TEST(Spearman, AgreesWithTheSquaredRankDifferenceFormulaWithoutTies) {
  // Without ties rho = 1 - 6 sum d^2 / (n (n^2 - 1)), d the rank differences: an independent
  // route to the same number. The values are permutations of 0..n-1, so they are their ranks - 1.
  const std::size_t n = 300;
  Rng rng(7);
  std::vector<double> a(n), b(n);
  std::iota(a.begin(), a.end(), 0.0);
  std::iota(b.begin(), b.end(), 0.0);
  for (std::size_t i = n - 1; i > 0; --i) {
    std::swap(a[i], a[static_cast<std::size_t>(rng.uniform_int(0, static_cast<std::int64_t>(i)))]);
    std::swap(b[i], b[static_cast<std::size_t>(rng.uniform_int(0, static_cast<std::int64_t>(i)))]);
  }
  double squared = 0;
  for (std::size_t i = 0; i < n; ++i) squared += (a[i] - b[i]) * (a[i] - b[i]);
  const double nd = static_cast<double>(n);
  EXPECT_NEAR(spearman(a, b), 1 - 6 * squared / (nd * (nd * nd - 1)), 1e-12);
}

TEST(KendallTau, TauBWithTiesInEachInput) {
  // a = 1 2 2 3 4, b = 2 1 3 3 5; the 10 pairs (i, j):
  //   (0,1) a up, b down: discordant      (1,2) tied in a
  //   (2,3) tied in b                     the other 7: concordant
  // tau-b = (7 - 1) / sqrt((10 - 1) (10 - 1)) = 2/3.
  EXPECT_NEAR(kendall_tau({1, 2, 2, 3, 4}, {2, 1, 3, 3, 5}), 2.0 / 3.0, 1e-12);
}

TEST(KendallTau, TauBWithAPairTiedInBoth) {
  // a = 1 1 2 2, b = 1 1 1 2; the 6 pairs:
  //   (0,1) tied in both; (0,2), (1,2) tied in b; (2,3) tied in a; (0,3), (1,3) concordant.
  // Ties: 2 in a, 3 in b. tau-b = (2 - 0) / sqrt((6 - 2) (6 - 3)) = 2 / sqrt(12) = 1 / sqrt(3).
  EXPECT_NEAR(kendall_tau({1, 1, 2, 2}, {1, 1, 1, 2}), 1 / std::sqrt(3.0), 1e-12);
}

TEST(KendallTau, MonotoneGivesPlusOrMinusOneAndConstantGivesNaN) {
  EXPECT_DOUBLE_EQ(kendall_tau({1, 2, 3, 10}, {-5, 0, 7, 7.5}), 1.0);
  EXPECT_DOUBLE_EQ(kendall_tau({1, 2, 3, 10}, {4, 3, 2, 1}), -1.0);
  EXPECT_TRUE(std::isnan(kendall_tau({5, 5, 5}, {1, 2, 3})));
}

TEST(KendallTau, AgreesWithThePairCountOnRandomTiedData) {
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    Rng rng(seed);
    const std::size_t n = 50 + static_cast<std::size_t>(rng.uniform_int(0, 400));
    std::vector<double> a(n), b(n);
    for (std::size_t i = 0; i < n; ++i) {
      // Few distinct values, so that ties of every kind are common; b leans on a.
      a[i] = static_cast<double>(rng.uniform_int(0, 6));
      b[i] = a[i] + static_cast<double>(rng.uniform_int(-3, 3));
    }
    EXPECT_NEAR(kendall_tau(a, b), kendall_tau_by_pairs(a, b), 1e-12) << "seed " << seed;
  }
}

// predicted = 104 47 3 6, truth = 100 50 4 4: errors 4 -3 -1 2.
const std::vector<double> kPredicted = {104, 47, 3, 6};
const std::vector<double> kTruth = {100, 50, 4, 4};

TEST(Rmse, HandComputed) {
  // (16 + 9 + 1 + 4) / 4 = 7.5
  EXPECT_NEAR(rmse(kPredicted, kTruth), std::sqrt(7.5), 1e-12);
  EXPECT_EQ(rmse({1.5}, {1.5}), 0.0);
}

TEST(Mape, HandComputedInPercent) {
  // 4/100 + 3/50 + 1/4 + 2/4 = .04 + .06 + .25 + .5 = .85; / 4 = .2125 -> 21.25 %
  EXPECT_NEAR(mape(kPredicted, kTruth), 21.25, 1e-12);
  // |t| in the denominator: -2 predicted as -1 is 50 % off.
  EXPECT_NEAR(mape({-1}, {-2}), 50.0, 1e-12);
}

TEST(Mape, ZeroTruthIsAnError) {
  expect_input_error([] { mape({1, 2}, {1, 0}); }, "truth", "is 0 at index 1");
}

TEST(ShareWithin, HandComputedIncludingExactBoundaries) {
  // |error| vs relative * |truth| (0.5 and 0.25 are exact in binary, so the boundaries are exact):
  //   0.05: 4 <= 5 yes; 3 <= 2.5, 1 <= .2, 2 <= .2 no            -> 1/4
  //   0.25: 4 <= 25, 3 <= 12.5, 1 <= 1 (boundary) yes; 2 <= 1 no -> 3/4
  //   0.5:  4 <= 50, 3 <= 25, 1 <= 2, 2 <= 2 (boundary) yes      -> 1
  //   0:    no error is 0                                         -> 0
  EXPECT_DOUBLE_EQ(share_within(kPredicted, kTruth, 0.05), 0.25);
  EXPECT_DOUBLE_EQ(share_within(kPredicted, kTruth, 0.25), 0.75);
  EXPECT_DOUBLE_EQ(share_within(kPredicted, kTruth, 0.5), 1.0);
  EXPECT_DOUBLE_EQ(share_within(kPredicted, kTruth, 0), 0.0);
  expect_input_error([] { share_within(kPredicted, kTruth, -0.1); }, "relative", "must be >= 0");
  expect_input_error([] { share_within(kPredicted, kTruth, kNaN); }, "relative", "must be >= 0");
}

TEST(RegressionReport, EvaluateCollectsEveryMetric) {
  const RegressionReport report = evaluate(kPredicted, kTruth);
  EXPECT_EQ(report.n, 4u);
  // Ranks of predicted 4 3 1 2, of truth 4 3 1.5 1.5; means 2.5; deviations
  // 1.5 .5 -1.5 -.5 and 1.5 .5 -1 -1: cov = 2.25 + .25 + 1.5 + .5 = 4.5, var 5 and 4.5.
  // rho = 4.5 / sqrt(22.5) = 3 / sqrt(10).
  EXPECT_NEAR(report.spearman, 3 / std::sqrt(10.0), 1e-12);
  // Of the 6 pairs, 5 concordant and (2,3) tied in truth: tau-b = 5 / sqrt(6 * 5).
  EXPECT_NEAR(report.kendall_tau, 5 / std::sqrt(30.0), 1e-12);
  EXPECT_NEAR(report.rmse, std::sqrt(7.5), 1e-12);
  EXPECT_NEAR(report.mape, 21.25, 1e-12);
  EXPECT_DOUBLE_EQ(report.within_5, 0.25);
  // 0.10: 4 <= 10, 3 <= 5 yes; 1 <= .4, 2 <= .4 no.
  EXPECT_DOUBLE_EQ(report.within_10, 0.5);
}

TEST(MetricsInput, BadInputNamesTheArgument) {
  expect_input_error([] { spearman({1, 2, 3}, {1, 2}); }, "b", "has 2 values but a has 3");
  expect_input_error([] { kendall_tau({1}, {1}); }, "a", "has 1 values; needs at least 2");
  expect_input_error([] { spearman({1, 2, kNaN}, {1, 2, 3}); }, "a", "NaN at index 2");
  expect_input_error([] { kendall_tau({1, 2, 3}, {kNaN, 2, 3}); }, "b", "NaN at index 0");
  expect_input_error([] { rmse({}, {}); }, "predicted", "has 0 values; needs at least 1");
  expect_input_error([] { mape({1, 2}, {1}); }, "truth", "has 1 values but predicted has 2");
  expect_input_error([] { evaluate({1, 2}, {1, 2, 3}); }, "truth", "has 3 values");
  expect_input_error([] { evaluate({1, kNaN}, {1, 2}); }, "predicted", "NaN at index 1");
}

}  // namespace
}  // namespace hwnas::learn
