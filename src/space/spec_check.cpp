#include "spec_check.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "hwnas/core/error.hpp"
#include "hwnas/space/limits.hpp"

namespace hwnas::space::detail {

void spec_error(const std::string& key, const std::string& reason) {
  throw InputError(kSpecWhere, key, reason);
}

void check_range(std::int64_t value, const std::string& key, std::int64_t min, std::int64_t max) {
  if (value < min || value > max) {
    spec_error(key, fmt::format("expected an integer in {}..{}, got {}", min, max, value));
  }
}

void check_choices(const std::vector<int>& values, const std::string& key, int min, int max) {
  if (values.empty()) spec_error(key, "expected a non-empty list of choices");
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (values[i] < min || values[i] > max) {
      spec_error(key, fmt::format("choice {} outside {}..{}", values[i], min, max));
    }
    if (std::find(values.begin(), values.begin() + i, values[i]) != values.begin() + i) {
      // A repeated value would make two genotypes decode to one network and skew sampling.
      spec_error(key, fmt::format("choice {} appears more than once", values[i]));
    }
  }
}

void check_input(const ir::Shape& input) {
  check_range(input.channels, "input.channels", 1, limits::kMaxInputChannels);
  check_range(input.height, "input.height", 1, limits::kMaxInputSize);
  check_range(input.width, "input.width", 1, limits::kMaxInputSize);
}

void check_bits(const ir::Bits& bits, const std::string& key) {
  check_range(bits.weight, key + ".weight", ir::kMinBits, ir::kMaxBits);
  check_range(bits.act, key + ".act", ir::kMinBits, ir::kMaxBits);
}

void check_quantization(const std::optional<QuantizationSpec>& quantization) {
  if (!quantization) return;
  check_choices(quantization->weight_bits, "quantization.weight_bits", ir::kMinBits, ir::kMaxBits);
  check_choices(quantization->act_bits, "quantization.act_bits", ir::kMinBits, ir::kMaxBits);
}

}  // namespace hwnas::space::detail
