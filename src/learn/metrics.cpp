#include "hwnas/learn/metrics.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <string>

#include "hwnas/core/error.hpp"

namespace hwnas::learn {

namespace {

constexpr const char* kWhere = "<metrics>";
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

void check_no_nan(const std::vector<double>& values, const char* name) {
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (std::isnan(values[i])) throw InputError(kWhere, name, fmt::format("NaN at index {}", i));
  }
}

// Both inputs: same length, at least `min_size` values, no NaN (NaN has no place in an order,
// and sorting with it is undefined behaviour).
void check_pair(const std::vector<double>& a, const char* a_name, const std::vector<double>& b,
                const char* b_name, std::size_t min_size) {
  if (a.size() != b.size()) {
    throw InputError(kWhere, b_name,
                     fmt::format("has {} values but {} has {}", b.size(), a_name, a.size()));
  }
  if (a.size() < min_size) {
    throw InputError(kWhere, a_name,
                     fmt::format("has {} values; needs at least {}", a.size(), min_size));
  }
  check_no_nan(a, a_name);
  check_no_nan(b, b_name);
}

// 1-based ranks; a run of equal values takes the average of the ranks it spans.
std::vector<double> average_ranks(const std::vector<double>& values) {
  std::vector<std::size_t> order(values.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(),
            [&](std::size_t i, std::size_t j) { return values[i] < values[j]; });
  std::vector<double> ranks(values.size());
  for (std::size_t start = 0; start < order.size();) {
    std::size_t end = start + 1;
    while (end < order.size() && values[order[end]] == values[order[start]]) ++end;
    // Positions start..end-1 hold ranks start+1..end; their mean is (start + 1 + end) / 2.
    const double rank = (static_cast<double>(start) + 1 + static_cast<double>(end)) / 2;
    for (std::size_t k = start; k < end; ++k) ranks[order[k]] = rank;
    start = end;
  }
  return ranks;
}

double pearson(const std::vector<double>& a, const std::vector<double>& b) {
  const double n = static_cast<double>(a.size());
  const double mean_a = std::accumulate(a.begin(), a.end(), 0.0) / n;
  const double mean_b = std::accumulate(b.begin(), b.end(), 0.0) / n;
  double cov = 0, var_a = 0, var_b = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const double da = a[i] - mean_a;
    const double db = b[i] - mean_b;
    cov += da * db;
    var_a += da * da;
    var_b += db * db;
  }
  if (var_a == 0 || var_b == 0) return kNaN;
  return std::clamp(cov / std::sqrt(var_a * var_b), -1.0, 1.0);
}

// Pairs within runs of equal values in a sorted sequence: sum of t (t - 1) / 2 over the runs.
template <typename Equal>
std::int64_t tied_pairs(std::size_t n, Equal equal) {
  std::int64_t pairs = 0;
  std::int64_t run = 1;
  for (std::size_t i = 1; i <= n; ++i) {
    if (i < n && equal(i - 1, i)) {
      ++run;
    } else {
      pairs += run * (run - 1) / 2;
      run = 1;
    }
  }
  return pairs;
}

// Sorts `values` ascending (stable merge sort) and returns the number of pairs i < j with
// values[i] > values[j] that it had: the swaps a bubble sort would make. Equal values are not
// counted.
std::int64_t sort_counting_inversions(std::vector<double>& values) {
  std::vector<double> buffer(values.size());
  std::int64_t inversions = 0;
  for (std::size_t width = 1; width < values.size(); width *= 2) {
    for (std::size_t lo = 0; lo < values.size(); lo += 2 * width) {
      const std::size_t mid = std::min(lo + width, values.size());
      const std::size_t hi = std::min(lo + 2 * width, values.size());
      std::size_t i = lo, j = mid, out = lo;
      while (i < mid && j < hi) {
        if (values[j] < values[i]) {
          inversions += static_cast<std::int64_t>(mid - i);  // values[j] jumps all of i..mid-1
          buffer[out++] = values[j++];
        } else {
          buffer[out++] = values[i++];
        }
      }
      while (i < mid) buffer[out++] = values[i++];
      while (j < hi) buffer[out++] = values[j++];
    }
    values.swap(buffer);
  }
  return inversions;
}

}  // namespace

double spearman(const std::vector<double>& a, const std::vector<double>& b) {
  check_pair(a, "a", b, "b", 2);
  return pearson(average_ranks(a), average_ranks(b));
}

// Knight (1966): sort the pairs by (a, b); then every pair of rows not tied in a is discordant
// exactly when its b values are out of order, so counting the inversions of b (by merge sort)
// counts the discordant pairs. With n0 pairs in all, n1 tied in a, n2 tied in b and n3 tied in
// both, concordant - discordant = n0 - n1 - n2 + n3 - 2 * discordant.
double kendall_tau(const std::vector<double>& a, const std::vector<double>& b) {
  check_pair(a, "a", b, "b", 2);
  const std::size_t n = a.size();
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](std::size_t i, std::size_t j) {
    return a[i] < a[j] || (a[i] == a[j] && b[i] < b[j]);
  });
  const std::int64_t tied_a =
      tied_pairs(n, [&](std::size_t i, std::size_t j) { return a[order[i]] == a[order[j]]; });
  const std::int64_t tied_both = tied_pairs(n, [&](std::size_t i, std::size_t j) {
    return a[order[i]] == a[order[j]] && b[order[i]] == b[order[j]];
  });
  std::vector<double> b_in_order(n);
  for (std::size_t k = 0; k < n; ++k) b_in_order[k] = b[order[k]];
  const std::int64_t discordant = sort_counting_inversions(b_in_order);
  const std::int64_t tied_b =
      tied_pairs(n, [&](std::size_t i, std::size_t j) { return b_in_order[i] == b_in_order[j]; });

  const std::int64_t pairs = static_cast<std::int64_t>(n) * static_cast<std::int64_t>(n - 1) / 2;
  if (pairs == tied_a || pairs == tied_b) return kNaN;
  const double numerator =
      static_cast<double>(pairs - tied_a - tied_b + tied_both - 2 * discordant);
  const double denominator =
      std::sqrt(static_cast<double>(pairs - tied_a) * static_cast<double>(pairs - tied_b));
  return std::clamp(numerator / denominator, -1.0, 1.0);
}

double rmse(const std::vector<double>& predicted, const std::vector<double>& truth) {
  check_pair(predicted, "predicted", truth, "truth", 1);
  double sum = 0;
  for (std::size_t i = 0; i < truth.size(); ++i) {
    const double error = predicted[i] - truth[i];
    sum += error * error;
  }
  return std::sqrt(sum / static_cast<double>(truth.size()));
}

double mape(const std::vector<double>& predicted, const std::vector<double>& truth) {
  check_pair(predicted, "predicted", truth, "truth", 1);
  double sum = 0;
  for (std::size_t i = 0; i < truth.size(); ++i) {
    if (truth[i] == 0) {
      throw InputError(kWhere, "truth",
                       fmt::format("is 0 at index {}; the relative error is undefined there", i));
    }
    sum += std::abs(predicted[i] - truth[i]) / std::abs(truth[i]);
  }
  return 100 * sum / static_cast<double>(truth.size());
}

double share_within(const std::vector<double>& predicted, const std::vector<double>& truth,
                    double relative) {
  check_pair(predicted, "predicted", truth, "truth", 1);
  if (!(relative >= 0)) {
    throw InputError(kWhere, "relative", fmt::format("must be >= 0, got {}", relative));
  }
  std::size_t within = 0;
  for (std::size_t i = 0; i < truth.size(); ++i) {
    if (std::abs(predicted[i] - truth[i]) <= relative * std::abs(truth[i])) ++within;
  }
  return static_cast<double>(within) / static_cast<double>(truth.size());
}

RegressionReport evaluate(const std::vector<double>& predicted, const std::vector<double>& truth) {
  // Checked here so that errors name these arguments, not the "a" and "b" of the correlations.
  check_pair(predicted, "predicted", truth, "truth", 2);
  RegressionReport report;
  report.n = truth.size();
  report.spearman = spearman(predicted, truth);
  report.kendall_tau = kendall_tau(predicted, truth);
  report.rmse = rmse(predicted, truth);
  report.mape = mape(predicted, truth);
  report.within_5 = share_within(predicted, truth, 0.05);
  report.within_10 = share_within(predicted, truth, 0.10);
  return report;
}

}  // namespace hwnas::learn
