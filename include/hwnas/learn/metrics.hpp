#pragma once
// How well a predictor (of accuracy or latency) matches the truth. A search ranks candidates by
// the predictor, so the rank correlations (Spearman, Kendall tau-b) matter as much as the errors.
//
// All functions take two vectors of the same length. They throw hwnas::InputError (where
// "<metrics>", key the argument's name) for different lengths, an empty input (fewer than 2
// values for the correlations) or a NaN value; the key names the argument and the reason the
// index of the first NaN.

#include <cstddef>
#include <vector>

namespace hwnas::learn {

// Spearman's rank correlation: Pearson's correlation of the ranks, tied values taking the average
// of the ranks they span. In [-1, 1]; NaN when either input is constant (a correlation with a
// constant is undefined).
double spearman(const std::vector<double>& a, const std::vector<double>& b);

// Kendall's tau-b: (concordant - discordant) / sqrt((n0 - ties_a) (n0 - ties_b)) over all
// n0 = n (n - 1) / 2 pairs, where a pair tied in a (or b) is neither concordant nor discordant.
// In [-1, 1]; NaN when either input is constant. O(n log n) (Knight's algorithm).
double kendall_tau(const std::vector<double>& a, const std::vector<double>& b);

// Root-mean-square error, in the unit of the values.
double rmse(const std::vector<double>& predicted, const std::vector<double>& truth);

// Mean absolute percentage error, 100 * mean(|p - t| / |t|). Throws InputError when a truth
// value is 0 (the relative error is undefined there).
double mape(const std::vector<double>& predicted, const std::vector<double>& truth);

// Share (in [0, 1]) of rows with |p - t| <= relative * |t|; relative = 0.05 means "within 5 %".
// Throws InputError when relative is negative or NaN.
double share_within(const std::vector<double>& predicted, const std::vector<double>& truth,
                    double relative);

struct RegressionReport {
  std::size_t n = 0;
  double spearman = 0;
  double kendall_tau = 0;
  double rmse = 0;
  double mape = 0;       // percent
  double within_5 = 0;   // share_within(..., 0.05)
  double within_10 = 0;  // share_within(..., 0.10)
};

// All of the above at once; same preconditions (at least 2 rows, no 0 in truth).
RegressionReport evaluate(const std::vector<double>& predicted, const std::vector<double>& truth);

}  // namespace hwnas::learn
