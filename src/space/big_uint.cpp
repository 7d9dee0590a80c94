#include "big_uint.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

namespace hwnas::space::detail {

namespace {
constexpr std::uint64_t kBase = 1'000'000'000;
}

BigUint::BigUint(std::uint64_t value) {
  while (value > 0) {
    limbs_.push_back(static_cast<std::uint32_t>(value % kBase));
    value /= kBase;
  }
}

void BigUint::trim() {
  while (!limbs_.empty() && limbs_.back() == 0) limbs_.pop_back();
}

BigUint& BigUint::operator+=(const BigUint& other) {
  limbs_.resize(std::max(limbs_.size(), other.limbs_.size()) + 1, 0);
  std::uint64_t carry = 0;
  for (std::size_t i = 0; i < limbs_.size(); ++i) {
    const std::uint64_t sum = limbs_[i] + carry + (i < other.limbs_.size() ? other.limbs_[i] : 0);
    limbs_[i] = static_cast<std::uint32_t>(sum % kBase);
    carry = sum / kBase;
  }
  trim();
  return *this;
}

BigUint operator*(const BigUint& a, const BigUint& b) {
  BigUint product;
  if (a.limbs_.empty() || b.limbs_.empty()) return product;
  product.limbs_.assign(a.limbs_.size() + b.limbs_.size(), 0);
  for (std::size_t i = 0; i < a.limbs_.size(); ++i) {
    std::uint64_t carry = 0;
    for (std::size_t j = 0; j < b.limbs_.size(); ++j) {
      // < 10^18 + 2 * 10^9: no overflow in 64 bits.
      const std::uint64_t cell =
          product.limbs_[i + j] + static_cast<std::uint64_t>(a.limbs_[i]) * b.limbs_[j] + carry;
      product.limbs_[i + j] = static_cast<std::uint32_t>(cell % kBase);
      carry = cell / kBase;
    }
    for (std::size_t k = i + b.limbs_.size(); carry > 0; ++k) {
      const std::uint64_t cell = product.limbs_[k] + carry;
      product.limbs_[k] = static_cast<std::uint32_t>(cell % kBase);
      carry = cell / kBase;
    }
  }
  product.trim();
  return product;
}

BigUint BigUint::pow(int exponent) const {
  BigUint result(1);
  BigUint base = *this;
  while (exponent > 0) {
    if (exponent & 1) result *= base;
    exponent >>= 1;
    if (exponent > 0) base *= base;
  }
  return result;
}

std::string BigUint::to_string() const {
  if (limbs_.empty()) return "0";
  std::string text = fmt::format("{}", limbs_.back());
  for (std::size_t i = limbs_.size() - 1; i-- > 0;) text += fmt::format("{:09}", limbs_[i]);
  return text;
}

double BigUint::log10() const {
  if (limbs_.empty()) return -std::numeric_limits<double>::infinity();
  // The top 17 digits carry all a double can hold; the rest only shift the exponent.
  const std::string digits = to_string();
  const std::size_t lead = std::min<std::size_t>(digits.size(), 17);
  const double leading = std::stod(digits.substr(0, lead));
  return std::log10(leading) + static_cast<double>(digits.size() - lead);
}

}  // namespace hwnas::space::detail
