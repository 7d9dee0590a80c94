#pragma once
// Linear least squares for small problems (tens of columns, thousands of rows): the latency
// predictor's additive per-op sum and the benchmarks' linear baselines.

#include <vector>

namespace hwnas::learn {

// The w minimising |X w - y|^2 + ridge, with a small ridge relative to each column's scale (one-
// hot columns of a gene sum to an intercept column, so the plain normal equations are singular):
// solves (X'X + 1e-6 (diag(X'X) + I)) w = X'y by Gaussian elimination with partial pivoting.
// `x` holds one row per observation, all of the same length; `y` one value per row. An empty
// `x` gives an empty w.
std::vector<double> least_squares(const std::vector<std::vector<double>>& x,
                                  const std::vector<double>& y);

}  // namespace hwnas::learn
