#pragma once
// A minimal unsigned big integer for counting the networks of a space (sums and products only).
// Private to the space module.

#include <cstdint>
#include <string>
#include <vector>

namespace hwnas::space::detail {

class BigUint {
 public:
  BigUint(std::uint64_t value = 0);  // NOLINT(google-explicit-constructor): a number is a number

  BigUint& operator+=(const BigUint& other);
  friend BigUint operator+(BigUint a, const BigUint& b) { return a += b; }
  friend BigUint operator*(const BigUint& a, const BigUint& b);
  BigUint& operator*=(const BigUint& other) { return *this = *this * other; }
  bool operator==(const BigUint&) const = default;

  BigUint pow(int exponent) const;
  std::string to_string() const;  // decimal
  double log10() const;           // -infinity for 0

 private:
  void trim();
  // Little-endian limbs in base 10^9, no leading zero limbs (zero is an empty vector).
  std::vector<std::uint32_t> limbs_;
};

}  // namespace hwnas::space::detail
