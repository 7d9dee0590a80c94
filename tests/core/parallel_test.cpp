#include "hwnas/core/parallel.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <numeric>
#include <stdexcept>
#include <vector>

namespace hwnas {
namespace {

TEST(ParallelFor, RunsEveryIndexOnce) {
  for (const std::size_t threads : {1u, 2u, 3u, 8u}) {
    std::vector<std::atomic<int>> calls(1000);
    parallel_for(
        calls.size(), [&](std::size_t i) { ++calls[i]; }, threads);
    for (std::size_t i = 0; i < calls.size(); ++i) {
      ASSERT_EQ(calls[i].load(), 1) << "index " << i << ", " << threads << " threads";
    }
  }
}

TEST(ParallelFor, SlotsGiveTheSameResultWhateverTheThreads) {
  auto squares = [](std::size_t threads) {
    std::vector<long> out(500);
    parallel_for(
        out.size(), [&](std::size_t i) { out[i] = static_cast<long>(i * i); }, threads);
    return out;
  };
  const std::vector<long> one = squares(1);
  EXPECT_EQ(one[499], 499L * 499L);
  EXPECT_EQ(squares(4), one);
  EXPECT_EQ(squares(0), one);  // default_threads()
}

TEST(ParallelFor, NothingToDoCallsNothing) {
  int calls = 0;
  parallel_for(
      0, [&](std::size_t) { ++calls; }, 4);
  EXPECT_EQ(calls, 0);
}

TEST(ParallelFor, RethrowsTheWorkersException) {
  for (const std::size_t threads : {1u, 2u}) {
    std::atomic<int> calls{0};
    try {
      parallel_for(
          1000,
          [&](std::size_t i) {
            ++calls;
            if (i == 17) throw std::runtime_error("index 17 failed");
          },
          threads);
      FAIL() << "no exception with " << threads << " threads";
    } catch (const std::runtime_error& e) {
      EXPECT_STREQ(e.what(), "index 17 failed");
    }
    // One thread takes the indices in order and stops at the failure.
    if (threads == 1) EXPECT_EQ(calls.load(), 18);
  }
}

TEST(ParallelFor, DefaultThreadsIsBetweenOneAndEight) {
  EXPECT_GE(default_threads(), 1u);
  EXPECT_LE(default_threads(), 8u);
}

}  // namespace
}  // namespace hwnas
