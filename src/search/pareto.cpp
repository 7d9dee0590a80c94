#include "hwnas/search/pareto.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include <fmt/format.h>

#include "hwnas/core/error.hpp"

namespace hwnas::search {

namespace {

constexpr const char* kWhere = "pareto";
constexpr double kInf = std::numeric_limits<double>::infinity();

void check_points(const std::vector<std::vector<double>>& points, const char* what) {
  for (std::size_t i = 0; i < points.size(); ++i) {
    if (points[i].size() != points.front().size()) {
      throw InputError(kWhere, what,
                       fmt::format("point {} has {} objectives, point 0 has {}", i,
                                   points[i].size(), points.front().size()));
    }
    for (std::size_t k = 0; k < points[i].size(); ++k) {
      if (std::isnan(points[i][k])) {
        throw InputError(kWhere, what, fmt::format("objective {} of point {} is NaN", k, i));
      }
    }
  }
}

bool dominates_unchecked(const std::vector<double>& a, const std::vector<double>& b) {
  bool strictly_better = false;
  for (std::size_t k = 0; k < a.size(); ++k) {
    if (!(a[k] <= b[k])) return false;
    strictly_better = strictly_better || a[k] < b[k];
  }
  return strictly_better;
}

using PointRefs = std::vector<const std::vector<double>*>;

// Area dominated in the first two objectives, by a sweep in the first: each point, taken in
// increasing x, adds the strip between its y and the lowest y seen so far.
double area_2d(PointRefs points, const std::vector<double>& reference) {
  std::sort(points.begin(), points.end(), [](const auto* a, const auto* b) {
    return (*a)[0] != (*b)[0] ? (*a)[0] < (*b)[0] : (*a)[1] < (*b)[1];
  });
  double area = 0;
  double lowest_y = reference[1];
  for (const auto* point : points) {
    if ((*point)[1] < lowest_y) {
      area += (reference[0] - (*point)[0]) * (lowest_y - (*point)[1]);
      lowest_y = (*point)[1];
    }
  }
  return area;
}

// Volume dominated in the first `dims` objectives; every point is strictly inside the
// reference box. Slices along objective dims-1: between consecutive values of that objective
// the dominated cross-section is the (dims-1)-volume of the points at or below the slice.
double volume(PointRefs points, const std::vector<double>& reference, std::size_t dims) {
  if (points.empty()) return 0;
  if (dims == 1) {
    double lowest = reference[0];
    for (const auto* point : points) lowest = std::min(lowest, (*point)[0]);
    return reference[0] - lowest;
  }
  if (dims == 2) return area_2d(std::move(points), reference);
  const std::size_t last = dims - 1;
  std::sort(points.begin(), points.end(),
            [last](const auto* a, const auto* b) { return (*a)[last] < (*b)[last]; });
  double total = 0;
  for (std::size_t i = 0; i < points.size(); ++i) {
    const double top = i + 1 < points.size() ? (*points[i + 1])[last] : reference[last];
    const double depth = top - (*points[i])[last];
    if (depth <= 0) continue;  // the next point starts the same slice
    const PointRefs below(points.begin(), points.begin() + static_cast<std::ptrdiff_t>(i) + 1);
    total += depth * volume(below, reference, dims - 1);
  }
  return total;
}

}  // namespace

bool dominates(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size()) {
    throw InputError(kWhere, "dominates",
                     fmt::format("points of {} and {} objectives", a.size(), b.size()));
  }
  return dominates_unchecked(a, b);
}

std::vector<std::size_t> pareto_front(const std::vector<std::vector<double>>& points) {
  check_points(points, "pareto_front");
  // A point can only be dominated by, or equal to, a point that sorts before it
  // lexicographically; and if a dominated point dominates p, so does its own dominator. So
  // each point need only be compared with the front kept so far, in lexicographic order
  // (stable, so the first of equal points comes first and is the one kept).
  std::vector<std::size_t> order(points.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return points[a] < points[b]; });
  std::vector<std::size_t> front;
  for (const std::size_t i : order) {
    const bool beaten = std::any_of(front.begin(), front.end(), [&](std::size_t kept) {
      return points[kept] == points[i] || dominates_unchecked(points[kept], points[i]);
    });
    if (!beaten) front.push_back(i);
  }
  std::sort(front.begin(), front.end());
  return front;
}

std::vector<std::vector<std::size_t>> non_dominated_sort(
    const std::vector<std::vector<double>>& points) {
  check_points(points, "non_dominated_sort");
  const std::size_t n = points.size();
  std::vector<std::vector<std::size_t>> dominated_by(n);  // i -> the points i dominates
  std::vector<std::size_t> dominator_count(n, 0);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = i + 1; j < n; ++j) {
      if (dominates_unchecked(points[i], points[j])) {
        dominated_by[i].push_back(j);
        ++dominator_count[j];
      } else if (dominates_unchecked(points[j], points[i])) {
        dominated_by[j].push_back(i);
        ++dominator_count[i];
      }
    }
  }
  std::vector<std::vector<std::size_t>> fronts;
  std::vector<std::size_t> current;
  for (std::size_t i = 0; i < n; ++i) {
    if (dominator_count[i] == 0) current.push_back(i);
  }
  while (!current.empty()) {
    std::vector<std::size_t> next;
    for (const std::size_t i : current) {
      for (const std::size_t j : dominated_by[i]) {
        if (--dominator_count[j] == 0) next.push_back(j);
      }
    }
    std::sort(next.begin(), next.end());
    fronts.push_back(std::move(current));
    current = std::move(next);
  }
  return fronts;
}

std::vector<double> crowding_distance(const std::vector<std::vector<double>>& points) {
  check_points(points, "crowding_distance");
  const std::size_t n = points.size();
  if (n <= 2) return std::vector<double>(n, kInf);
  std::vector<double> distance(n, 0.0);
  std::vector<std::size_t> order(n);
  for (std::size_t k = 0; k < points.front().size(); ++k) {
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return points[a][k] < points[b][k]; });
    distance[order.front()] = kInf;
    distance[order.back()] = kInf;
    const double range = points[order.back()][k] - points[order.front()][k];
    if (!(range > 0 && std::isfinite(range))) continue;
    for (std::size_t r = 1; r + 1 < n; ++r) {
      distance[order[r]] += (points[order[r + 1]][k] - points[order[r - 1]][k]) / range;
    }
  }
  return distance;
}

double hypervolume(const std::vector<std::vector<double>>& points,
                   const std::vector<double>& reference) {
  if (reference.empty()) throw InputError(kWhere, "hypervolume", "empty reference point");
  for (std::size_t k = 0; k < reference.size(); ++k) {
    if (std::isnan(reference[k])) {
      throw InputError(kWhere, "hypervolume",
                       fmt::format("objective {} of the reference is NaN", k));
    }
  }
  for (std::size_t i = 0; i < points.size(); ++i) {
    if (points[i].size() != reference.size()) {
      throw InputError(kWhere, "hypervolume",
                       fmt::format("point {} has {} objectives, the reference has {}", i,
                                   points[i].size(), reference.size()));
    }
  }
  check_points(points, "hypervolume");
  PointRefs inside;
  for (const auto& point : points) {
    bool strictly_inside = true;
    for (std::size_t k = 0; k < reference.size(); ++k) {
      strictly_inside = strictly_inside && point[k] < reference[k];
    }
    if (strictly_inside) inside.push_back(&point);
  }
  return volume(std::move(inside), reference, reference.size());
}

}  // namespace hwnas::search
