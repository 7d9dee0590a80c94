#include "hwnas/learn/least_squares.hpp"

#include <cmath>
#include <utility>

namespace hwnas::learn {

std::vector<double> least_squares(const std::vector<std::vector<double>>& x,
                                  const std::vector<double>& y) {
  if (x.empty()) return {};
  const std::size_t k = x.front().size();
  // The normal equations as an augmented k x (k + 1) matrix.
  std::vector<std::vector<double>> a(k, std::vector<double>(k + 1, 0.0));
  for (std::size_t r = 0; r < x.size(); ++r) {
    for (std::size_t i = 0; i < k; ++i) {
      for (std::size_t j = 0; j < k; ++j) a[i][j] += x[r][i] * x[r][j];
      a[i][k] += x[r][i] * y[r];
    }
  }
  for (std::size_t i = 0; i < k; ++i) a[i][i] += 1e-6 * (1 + a[i][i]);
  for (std::size_t c = 0; c < k; ++c) {
    std::size_t pivot = c;
    for (std::size_t r = c + 1; r < k; ++r) {
      if (std::abs(a[r][c]) > std::abs(a[pivot][c])) pivot = r;
    }
    std::swap(a[c], a[pivot]);
    for (std::size_t r = 0; r < k; ++r) {
      if (r == c || a[c][c] == 0) continue;
      const double f = a[r][c] / a[c][c];
      for (std::size_t j = c; j <= k; ++j) a[r][j] -= f * a[c][j];
    }
  }
  std::vector<double> w(k);
  for (std::size_t i = 0; i < k; ++i) w[i] = a[i][i] != 0 ? a[i][k] / a[i][i] : 0;
  return w;
}

}  // namespace hwnas::learn
