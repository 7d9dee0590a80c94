#pragma once
// A seeded random source whose sequence is the same on every platform and standard library:
// xoshiro256** (Blackman & Vigna, 2018) seeded through splitmix64, with unbiased bounded
// integers by rejection. std::uniform_int_distribution is avoided on purpose: its output is
// implementation-defined, so the same seed could give different searches on different machines.

#include <cstdint>

namespace hwnas {

class Rng {
 public:
  explicit Rng(std::uint64_t seed);

  std::uint64_t next();
  // Uniform integer in [lo, hi], both inclusive. Precondition: lo <= hi.
  std::int64_t uniform_int(std::int64_t lo, std::int64_t hi);
  // Uniform double in [0, 1) with 53 random bits.
  double uniform01();
  // True with probability p.
  bool bernoulli(double p) { return uniform01() < p; }

 private:
  std::uint64_t state_[4];
};

}  // namespace hwnas
