#include "hwnas/core/rng.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace hwnas {
namespace {

TEST(Rng, SameSeedSameSequence) {
  Rng a(42), b(42), c(43);
  std::vector<std::uint64_t> xs, ys, zs;
  for (int i = 0; i < 100; ++i) {
    xs.push_back(a.next());
    ys.push_back(b.next());
    zs.push_back(c.next());
  }
  EXPECT_EQ(xs, ys);
  EXPECT_NE(xs, zs);
}

TEST(Rng, FirstOutputsArePinned) {
  // Pinned so that a change to the generator (which would change every seeded search) is seen.
  Rng rng(1);
  const std::uint64_t first = rng.next();
  Rng again(1);
  EXPECT_EQ(again.next(), first);
  // splitmix64(1) seeds; the value below was recorded from this implementation.
  EXPECT_EQ(first, 0xb3f2af6d0fc710c5ULL);
}

TEST(Rng, UniformIntCoversRangeEvenly) {
  Rng rng(7);
  std::vector<int> counts(6, 0);
  const int draws = 60000;
  for (int i = 0; i < draws; ++i) ++counts[rng.uniform_int(0, 5)];
  for (int c : counts) EXPECT_NEAR(c, draws / 6.0, 0.05 * draws / 6.0);
}

TEST(Rng, UniformIntBoundsInclusive) {
  Rng rng(3);
  bool saw_lo = false, saw_hi = false;
  for (int i = 0; i < 1000; ++i) {
    const auto v = rng.uniform_int(-2, 2);
    ASSERT_GE(v, -2);
    ASSERT_LE(v, 2);
    saw_lo |= v == -2;
    saw_hi |= v == 2;
  }
  EXPECT_TRUE(saw_lo && saw_hi);
  EXPECT_EQ(rng.uniform_int(5, 5), 5);
}

TEST(Rng, Uniform01InUnitInterval) {
  Rng rng(9);
  double sum = 0;
  for (int i = 0; i < 10000; ++i) {
    const double u = rng.uniform01();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    sum += u;
  }
  EXPECT_NEAR(sum / 10000, 0.5, 0.02);
}

}  // namespace
}  // namespace hwnas
