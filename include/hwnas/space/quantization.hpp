#pragma once
// The quantization dimension of a search space: weight and activation bit widths chosen per
// layer or per block from a set. It attaches to any space through the space's spec; without it,
// every layer keeps the spec's fixed bits (ir::kDefaultBits unless the spec says otherwise).

#include <string_view>
#include <vector>

namespace hwnas::space {

// What one pair of bit-width genes (weight_bits, act_bits) governs.
//  - per_layer: in the layered space, one pair per layer (its conv, batchnorm, relu and pool);
//    in the block space, one pair per convolution of each block (expand, depthwise, project, each
//    with the batchnorm and activation after it; the project pair also covers the residual add).
//    A block without an expand conv (expansion 1) leaves its expand pair inactive.
//  - per_block: in the block space, one pair per block (all its layers). In the layered space a
//    layer is the block, so per_block means the same as per_layer.
// The layers outside the searched part (the block space's stem and head, and the final
// global_avgpool + linear classifier of both spaces) keep the spec's fixed bits: first and last
// layers are commonly kept at higher precision.
enum class QuantGranularity { per_layer, per_block };

std::string_view to_string(QuantGranularity granularity);

struct QuantizationSpec {
  std::vector<int> weight_bits;  // choices, each in ir::kMinBits..ir::kMaxBits, no repeats
  std::vector<int> act_bits;     // choices, each in ir::kMinBits..ir::kMaxBits, no repeats
  QuantGranularity granularity = QuantGranularity::per_layer;
};

}  // namespace hwnas::space
