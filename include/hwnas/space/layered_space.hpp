#pragma once
// The FNAS layered space (Jiang et al., DAC 2019): a chain of convolution layers, the number of
// layers and each layer's kernel size, filter count, stride and pooling chosen from lists.
//
// Genes, in order:
//   layers                     index into layer_counts
//   for each layer slot l in 0..max(layer_counts)-1:
//     l<l>.kernel, l<l>.filters, l<l>.stride, l<l>.pool
//     l<l>.weight_bits, l<l>.act_bits            (only with quantization)
// The genes of slots at or beyond the chosen layer count are inactive.
//
// Decoding, for each active layer l (input C x H x W):
//   l<l>_conv   conv kernel k, `filters` outputs, stride s, pad k/2 (bias only without batchnorm)
//   l<l>_bn     batchnorm                                 (only when the spec asks for it)
//   l<l>_relu   relu
//   l<l>_pool   maxpool/avgpool, kernel 2, stride 2       (when chosen and it fits, see below)
// then `gap` (global_avgpool) and `fc` (linear, num_classes outputs).
//
// The pool rule: a conv with pad k/2 always leaves at least a 1x1 output, but a 2x2 pool needs
// an input of at least 2x2. When the conv's output is smaller than 2 in height or width, the
// chosen pool is skipped (and its gene is inactive for that genotype). No stride is ever changed.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hwnas/ir/network.hpp"
#include "hwnas/space/quantization.hpp"
#include "hwnas/space/search_space.hpp"

namespace hwnas::space {

enum class PoolChoice { none, max, avg };

std::string_view to_string(PoolChoice pool);
std::optional<PoolChoice> pool_choice_from_string(std::string_view text);  // "none"/"max"/"avg"

// Every choice list must be non-empty and free of repeats; the values' bounds are in limits.hpp.
// The defaults are a small Fashion-MNIST-sized space.
struct LayeredSpaceSpec {
  std::string name = "layered";
  ir::Shape input{1, 28, 28};
  int num_classes = 10;
  std::vector<int> layer_counts{4, 6, 8};
  std::vector<int> kernels{1, 3, 5, 7};
  std::vector<int> filters{24, 36, 48, 64};
  std::vector<int> strides{1, 2};
  std::vector<PoolChoice> pools{PoolChoice::none, PoolChoice::max};
  bool batchnorm = false;  // conv (no bias) + batchnorm instead of conv with bias
  ir::Bits bits;           // bits of every layer that no quantization gene governs
  std::optional<QuantizationSpec> quantization;
};

// Throws InputError("<space>", "<yaml key path>", reason) for an invalid spec; the key paths are
// those of the space YAML format ("layers.kernel", "quantization.weight_bits", ...).
std::unique_ptr<SearchSpace> make_layered_space(LayeredSpaceSpec spec);

}  // namespace hwnas::space
