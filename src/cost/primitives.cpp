#include "hwnas/cost/primitives.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace hwnas::cost {

namespace {
struct MultiplierPorts {
  int wide;
  int narrow;
};
MultiplierPorts ports_of(hw::DspKind kind) {
  switch (kind) {
    case hw::DspKind::dsp48e1:
      return {25, 18};  // UG479
    case hw::DspKind::dsp48e2:
      return {27, 18};  // UG579
    case hw::DspKind::sb_mac16:
      return {16, 16};  // Lattice TN1295
  }
  return {18, 18};
}
std::int64_t ceil_div(std::int64_t a, std::int64_t b) {
  return (a + b - 1) / b;
}
}  // namespace

bool multiplier_in_luts(const hw::Device& device, int weight_bits, int act_bits) {
  return std::max(weight_bits, act_bits) <= device.lut_multiplier_max_bits;
}

double dsps_per_mac(const hw::Device& device, int weight_bits, int act_bits) {
  if (multiplier_in_luts(device, weight_bits, act_bits)) return 0.0;
  if (weight_bits >= 32 || act_bits >= 32) {
    return device.dsp_kind == hw::DspKind::sb_mac16 ? 4.0 : 5.0;
  }
  if (device.dsp_kind == hw::DspKind::dsp48e2 && weight_bits <= 8 && act_bits <= 8) return 0.5;
  const auto [wide, narrow] = ports_of(device.dsp_kind);
  const int big = std::max(weight_bits, act_bits);
  const int small = std::min(weight_bits, act_bits);
  if (big <= wide && small <= narrow) return 1.0;
  return static_cast<double>(ceil_div(big, wide) * ceil_div(small, narrow));
}

double lut_multiplier_luts(int weight_bits, int act_bits) {
  const int sum = weight_bits + act_bits;
  return static_cast<double>((2 * ceil_div(sum, 6) - 1) * sum);
}

std::int64_t bram_blocks(const hw::Device& device, std::int64_t depth, std::int64_t width_bits) {
  if (depth <= 0 || width_bits <= 0) return 0;
  std::int64_t best = std::numeric_limits<std::int64_t>::max();
  for (const auto& aspect : device.bram_aspects) {
    best = std::min(best, ceil_div(width_bits, aspect.width_bits) * ceil_div(depth, aspect.depth));
  }
  if (device.bram_aspects.empty()) {
    best = ceil_div(depth * width_bits, device.bram_bits);
  }
  return best;
}

hw::Resources memory_cost(const hw::Device& device, std::int64_t depth, std::int64_t width_bits) {
  hw::Resources r;
  if (depth <= 0 || width_bits <= 0) return r;
  if (device.lutram_bits_per_lut > 0 && depth <= kLutramMaxDepth) {
    r.lut = static_cast<double>(width_bits * ceil_div(depth, device.lutram_bits_per_lut));
  } else {
    r.bram = static_cast<double>(bram_blocks(device, depth, width_bits));
  }
  return r;
}

}  // namespace hwnas::cost
