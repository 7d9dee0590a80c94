#include "hwnas/search/pareto.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "hwnas/core/error.hpp"
#include "hwnas/core/rng.hpp"

namespace hwnas::search {
namespace {

using Points = std::vector<std::vector<double>>;
constexpr double kInf = std::numeric_limits<double>::infinity();

std::string error_of(auto&& call) {
  try {
    call();
  } catch (const InputError& e) {
    return e.what();
  }
  return "no error";
}

Points random_integer_points(Rng& rng, std::size_t count, std::size_t dims, int max_value) {
  Points points(count, std::vector<double>(dims));
  for (auto& point : points) {
    for (double& value : point) value = static_cast<double>(rng.uniform_int(0, max_value));
  }
  return points;
}

TEST(Dominates, NoWorseEverywhereAndBetterSomewhere) {
  EXPECT_TRUE(dominates({1, 2}, {1, 3}));
  EXPECT_TRUE(dominates({0, 0, 0}, {1, 1, 1}));
  EXPECT_FALSE(dominates({1, 3}, {1, 2}));
  EXPECT_FALSE(dominates({1, 2}, {1, 2}));  // equal: neither dominates
  EXPECT_FALSE(dominates({1, 3}, {2, 2}));  // a trade-off
  EXPECT_FALSE(dominates({2, 2}, {1, 3}));
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_FALSE(dominates({0, nan}, {1, 1}));
  EXPECT_FALSE(dominates({1, 1}, {2, nan}));
  EXPECT_EQ(error_of([] {
              dominates({1, 2}, {1, 2, 3});
            }),
            "pareto: dominates: points of 2 and 3 objectives");
}

TEST(ParetoFront, HandExampleWithDominatedAndRepeatedPoints) {
  // (3,3) is dominated by (2,2); the second (2,2) repeats the first; (1,5) and (5,1) trade off.
  const Points points{{3, 3}, {2, 2}, {1, 5}, {2, 2}, {5, 1}, {6, 6}};
  EXPECT_EQ(pareto_front(points), (std::vector<std::size_t>{1, 2, 4}));
  EXPECT_TRUE(pareto_front({}).empty());
  EXPECT_EQ(error_of([] {
              pareto_front({{1, 2}, {1}});
            }),
            "pareto: pareto_front: point 1 has 1 objectives, point 0 has 2");
  EXPECT_EQ(error_of([] {
              pareto_front({{1, 2}, {1, std::nan("")}});
            }),
            "pareto: pareto_front: objective 1 of point 1 is NaN");
}

TEST(ParetoFront, MatchesBruteForceOnRandomPoints) {
  Rng rng(21);
  for (int trial = 0; trial < 200; ++trial) {
    const std::size_t dims = static_cast<std::size_t>(rng.uniform_int(1, 4));
    const std::size_t count = static_cast<std::size_t>(rng.uniform_int(0, 40));
    // Small integer ranges, so that ties and repeated points are common.
    const Points points = random_integer_points(rng, count, dims, 6);
    std::vector<std::size_t> expected;
    for (std::size_t i = 0; i < count; ++i) {
      bool keep = true;
      for (std::size_t j = 0; j < count; ++j) {
        if (dominates(points[j], points[i]) || (j < i && points[j] == points[i])) keep = false;
      }
      if (keep) expected.push_back(i);
    }
    ASSERT_EQ(pareto_front(points), expected) << "trial " << trial;
  }
}

TEST(NonDominatedSort, HandExample) {
  // Front 0: (1,4), (2,2), (4,1), the repeat (2,2); front 1: (3,3), (5,2); front 2: (5,5).
  const Points points{{3, 3}, {1, 4}, {5, 5}, {2, 2}, {4, 1}, {5, 2}, {2, 2}};
  const std::vector<std::vector<std::size_t>> expected{{1, 3, 4, 6}, {0, 5}, {2}};
  EXPECT_EQ(non_dominated_sort(points), expected);
  EXPECT_TRUE(non_dominated_sort({}).empty());
}

TEST(NonDominatedSort, MatchesPeelingFrontsOnRandomPoints) {
  Rng rng(22);
  for (int trial = 0; trial < 200; ++trial) {
    const std::size_t dims = static_cast<std::size_t>(rng.uniform_int(1, 4));
    const std::size_t count = static_cast<std::size_t>(rng.uniform_int(0, 40));
    const Points points = random_integer_points(rng, count, dims, 6);
    // Peel: the next front is every remaining point no remaining point dominates.
    std::vector<std::vector<std::size_t>> expected;
    std::vector<bool> taken(count, false);
    std::size_t left = count;
    while (left > 0) {
      std::vector<std::size_t> front;
      for (std::size_t i = 0; i < count; ++i) {
        if (taken[i]) continue;
        bool dominated = false;
        for (std::size_t j = 0; j < count; ++j) {
          if (!taken[j] && dominates(points[j], points[i])) dominated = true;
        }
        if (!dominated) front.push_back(i);
      }
      for (const std::size_t i : front) taken[i] = true;
      left -= front.size();
      expected.push_back(front);
    }
    ASSERT_EQ(non_dominated_sort(points), expected) << "trial " << trial;
  }
}

TEST(CrowdingDistance, HandExample) {
  // Objective 0 range 4 - 0 = 4, objective 1 range 4 - 0 = 4.
  // (1,3): neighbours in obj 0 are 0 and 2 -> 2/4; in obj 1 are 4 and 2 -> 2/4; total 1.
  // (2,2): (3 - 1)/4 + (3 - 1)/4 = 1. (3,1): (4 - 2)/4 + (2 - 0)/4 = 1. Ends: inf.
  const Points front{{0, 4}, {1, 3}, {2, 2}, {3, 1}, {4, 0}};
  EXPECT_EQ(crowding_distance(front), (std::vector<double>{kInf, 1.0, 1.0, 1.0, kInf}));
  // (1,3) moves to (1.5, 2.5): its neighbours do not change (1.0), but (2,2)'s obj-0 neighbours
  // are now 1.5 and 3 -> 1.5/4, obj 1: 2.5 and 1 -> 1.5/4; total 0.75. (3,1): (4-2)/4 +
  // (2-0)/4 = 1.
  const Points uneven{{0, 4}, {1.5, 2.5}, {2, 2}, {3, 1}, {4, 0}};
  const auto distance = crowding_distance(uneven);
  EXPECT_DOUBLE_EQ(distance[1], 1.0);
  EXPECT_DOUBLE_EQ(distance[2], 0.75);
  EXPECT_DOUBLE_EQ(distance[3], 1.0);
  EXPECT_EQ(crowding_distance({{1, 2}, {2, 1}}), (std::vector<double>{kInf, kInf}));
  // Zero range in objective 1: it adds nothing to the interior point, which gets
  // (4 - 0)/4 = 1 from objective 0 alone.
  EXPECT_EQ(crowding_distance({{0, 1}, {1, 1}, {4, 1}}), (std::vector<double>{kInf, 1.0, kInf}));
}

TEST(CrowdingDistance, MatchesNeighbourSearchOnRandomPoints) {
  Rng rng(23);
  for (int trial = 0; trial < 100; ++trial) {
    const std::size_t dims = static_cast<std::size_t>(rng.uniform_int(1, 4));
    const std::size_t count = static_cast<std::size_t>(rng.uniform_int(3, 30));
    Points points(count, std::vector<double>(dims));
    // Continuous values: distinct with probability 1, so each point's neighbours are unique.
    for (auto& point : points) {
      for (double& value : point) value = rng.uniform01();
    }
    std::vector<double> expected(count, 0.0);
    for (std::size_t k = 0; k < dims; ++k) {
      double low = kInf;
      double high = -kInf;
      for (const auto& point : points) {
        low = std::min(low, point[k]);
        high = std::max(high, point[k]);
      }
      for (std::size_t i = 0; i < count; ++i) {
        double below = -kInf;
        double above = kInf;
        for (std::size_t j = 0; j < count; ++j) {
          if (points[j][k] < points[i][k]) below = std::max(below, points[j][k]);
          if (points[j][k] > points[i][k]) above = std::min(above, points[j][k]);
        }
        expected[i] +=
            std::isinf(below) || std::isinf(above) ? kInf : (above - below) / (high - low);
      }
    }
    const auto actual = crowding_distance(points);
    for (std::size_t i = 0; i < count; ++i) {
      if (std::isinf(expected[i])) {
        EXPECT_TRUE(std::isinf(actual[i])) << "trial " << trial << " point " << i;
      } else {
        EXPECT_NEAR(actual[i], expected[i], 1e-12) << "trial " << trial << " point " << i;
      }
    }
  }
}

TEST(Hypervolume, TwoDimensionsByHand) {
  // Reference (4,4). Sweeping in x: (1,3) adds (4-1)*(4-3) = 3, (2,2) adds (4-2)*(3-2) = 2,
  // (3,1) adds (4-3)*(2-1) = 1: 6 in all.
  const Points staircase{{1, 3}, {2, 2}, {3, 1}};
  EXPECT_DOUBLE_EQ(hypervolume(staircase, {4, 4}), 6.0);
  // Nothing changes for a dominated point (3,3), a repeat, a point outside the box (5,0), and
  // points on its boundary (4,0) and (0,4): these are not strictly better than the reference.
  Points noisy = staircase;
  noisy.insert(noisy.end(), {{3, 3}, {2, 2}, {5, 0}, {4, 0}, {0, 4}});
  EXPECT_DOUBLE_EQ(hypervolume(noisy, {4, 4}), 6.0);
  // One point (0.5, 1.5) against (3,5): 2.5 * 3.5 = 8.75.
  EXPECT_DOUBLE_EQ(hypervolume({{0.5, 1.5}}, {3, 5}), 8.75);
  EXPECT_EQ(hypervolume({}, {1, 1}), 0.0);
  EXPECT_EQ(hypervolume({{2, 0}}, {1, 1}), 0.0);
  // One objective: the length from the best point to the reference, 5 - 2 = 3.
  EXPECT_DOUBLE_EQ(hypervolume({{4}, {2}, {7}}, {5}), 3.0);
}

TEST(Hypervolume, ThreeDimensionsByHand) {
  // Reference (2,2,2); a = (0,1,1), b = (1,0,1), c = (1,1,0). Each box is 2*1*1 = 2; each
  // pairwise intersection is the box from (1,1,1), volume 1, and so is the triple one. By
  // inclusion-exclusion: 3*2 - 3*1 + 1 = 4.
  const Points corner{{0, 1, 1}, {1, 0, 1}, {1, 1, 0}};
  EXPECT_DOUBLE_EQ(hypervolume(corner, {2, 2, 2}), 4.0);
  // A dominated (1,1,1), a point outside (3,0,0) and one on the boundary (0,0,2) add nothing.
  Points noisy = corner;
  noisy.insert(noisy.end(), {{1, 1, 1}, {3, 0, 0}, {0, 0, 2}});
  EXPECT_DOUBLE_EQ(hypervolume(noisy, {2, 2, 2}), 4.0);
  // Adding d = (0,0,1): its box [0,2]x[0,2]x[1,2] covers the unit cell at (0,0,1), the only
  // z >= 1 cell the others missed, so the volume grows by 1 to 5.
  noisy.push_back({0, 0, 1});
  EXPECT_DOUBLE_EQ(hypervolume(noisy, {2, 2, 2}), 5.0);
  // One point (0.5, 1, 1.5) against (2,2,2): 1.5 * 1 * 0.5 = 0.75.
  EXPECT_DOUBLE_EQ(hypervolume({{0.5, 1, 1.5}}, {2, 2, 2}), 0.75);
}

// The number of unit cells [q, q+1) of the grid [0, side)^dims that some point p dominates
// (p <= q in every objective): with integer points and reference (side, ..., side) this is the
// hypervolume exactly, counted without any geometry.
double count_dominated_cells(const Points& points, std::size_t dims, int side) {
  std::vector<int> cell(dims, 0);
  double count = 0;
  while (true) {
    const bool covered = std::any_of(points.begin(), points.end(), [&](const auto& point) {
      for (std::size_t k = 0; k < dims; ++k) {
        if (point[k] > cell[k]) return false;
      }
      return true;
    });
    count += covered ? 1 : 0;
    std::size_t k = 0;
    for (; k < dims; ++k) {
      if (++cell[k] < side) break;
      cell[k] = 0;
    }
    if (k == dims) return count;
  }
}

TEST(Hypervolume, EqualsCellCountOnRandomIntegerFronts) {
  Rng rng(24);
  for (const std::size_t dims : {2, 3, 4}) {
    const int side = dims == 4 ? 6 : 10;
    for (int trial = 0; trial < 60; ++trial) {
      const std::size_t count = static_cast<std::size_t>(rng.uniform_int(1, 30));
      // Values up to side + 1: some points lie on or beyond the reference.
      const Points points = random_integer_points(rng, count, dims, side + 1);
      const std::vector<double> reference(dims, side);
      ASSERT_EQ(hypervolume(points, reference), count_dominated_cells(points, dims, side))
          << dims << "-D trial " << trial;
    }
  }
}

TEST(Hypervolume, RejectsMismatchedDimensions) {
  EXPECT_EQ(error_of([] {
              hypervolume({{1, 2}, {1, 2, 3}}, {4, 4});
            }),
            "pareto: hypervolume: point 1 has 3 objectives, the reference has 2");
  EXPECT_EQ(error_of([] {
              hypervolume({{1, 2}}, {});
            }),
            "pareto: hypervolume: empty reference point");
  EXPECT_EQ(error_of([] {
              hypervolume({{1, 2}}, {4, std::nan("")});
            }),
            "pareto: hypervolume: objective 1 of the reference is NaN");
}

}  // namespace
}  // namespace hwnas::search
