#pragma once
// A MobileNetV2 (Sandler et al., 2018) / MnasNet (Tan et al., 2019) style block space: a stem, a
// list of stages of inverted-residual blocks, a head. As in MnasNet's factorised hierarchical
// space, each stage chooses its own expansion ratio, kernel size, depth (number of blocks) and
// width, shared by all blocks of the stage; the stage's stride is fixed by the spec.
//
// Genes, in order, for each stage i = 1..N (stage 0 is the stem):
//   s<i>.depth, s<i>.expansion, s<i>.kernel, s<i>.width
//   with quantization per_block, for each block slot b in 0..max(depth)-1:
//     s<i>b<b>.weight_bits, s<i>b<b>.act_bits
//   with quantization per_layer, for each block slot b:
//     s<i>b<b>.expand.weight_bits, s<i>b<b>.expand.act_bits,
//     s<i>b<b>.dw.weight_bits, s<i>b<b>.dw.act_bits,
//     s<i>b<b>.project.weight_bits, s<i>b<b>.project.act_bits
// A stage of depth 0 is skipped (its other genes are inactive); the bit genes of block slots at
// or beyond the depth are inactive, and so are the expand bit genes when the expansion is 1.
// (Genes are in decoding order: whether a gene is active depends only on genes before it.)
//
// Decoding (every conv followed by batchnorm has no bias; activations are relu6):
//   stem_conv (3x3, stride stem_stride, pad 1, stem_out outputs), stem_bn, stem_relu
//   for each block b of stage i, input C channels, t = expansion, k = kernel, w = width:
//     s<i>b<b>_expand  1x1 conv to C*t, + _expand_bn, _expand_relu      (only when t > 1)
//     s<i>b<b>_dw      k x k depthwise conv, pad k/2, stride = the stage's stride on block 0 and
//                      1 after, + _dw_bn, _dw_relu
//     s<i>b<b>_project 1x1 conv to w, + _project_bn
//     s<i>b<b>_add     residual add with the block's input, when the stride is 1 and C == w
//   head_conv (1x1, head_out outputs), head_bn, head_relu                (only when head_out > 0)
//   gap (global_avgpool), fc (linear, num_classes outputs)

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hwnas/ir/network.hpp"
#include "hwnas/space/quantization.hpp"
#include "hwnas/space/search_space.hpp"

namespace hwnas::space {

// Every choice list must be non-empty and free of repeats; the values' bounds are in limits.hpp
// (depth may be 0, meaning "skip the stage").
struct StageSpec {
  int stride = 1;
  std::vector<int> expansions{1};
  std::vector<int> kernels{3};
  std::vector<int> depths{1};
  std::vector<int> widths{16};
};

struct BlockSpaceSpec {
  std::string name = "blocks";
  ir::Shape input{3, 32, 32};
  int num_classes = 10;
  int stem_out = 32;
  int stem_stride = 1;
  std::vector<StageSpec> stages{StageSpec{}};  // at least one
  int head_out = 0;                            // 0 = no head conv
  ir::Bits bits;  // bits of every layer that no quantization gene governs
  std::optional<QuantizationSpec> quantization;
};

// Throws InputError("<space>", "<yaml key path>", reason) for an invalid spec; the key paths are
// those of the space YAML format ("stages[1].width", "stem.out", ...).
std::unique_ptr<SearchSpace> make_block_space(BlockSpaceSpec spec);

}  // namespace hwnas::space
