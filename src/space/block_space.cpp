#include "hwnas/space/block_space.hpp"

#include <algorithm>
#include <utility>

#include <fmt/format.h>

#include "big_uint.hpp"
#include "decode_common.hpp"
#include "hwnas/space/limits.hpp"
#include "spec_check.hpp"

namespace hwnas::space {

namespace {

using detail::BigUint;
using ir::LayerKind;

// Gene offsets within a stage; the block slots' bit genes follow.
constexpr int kDepthGene = 0;
constexpr int kExpansionGene = 1;
constexpr int kKernelGene = 2;
constexpr int kWidthGene = 3;
constexpr int kStageGenes = 4;
// Bit-gene pairs per block slot and their order for per_layer quantization.
constexpr int kExpandPair = 0;
constexpr int kDwPair = 1;
constexpr int kProjectPair = 2;

void check_spec(const BlockSpaceSpec& spec) {
  using detail::check_choices;
  using detail::check_range;
  if (spec.name.empty()) detail::spec_error("name", "expected a non-empty name");
  detail::check_input(spec.input);
  check_range(spec.num_classes, "classes", 1, limits::kMaxClasses);
  check_range(spec.stem_out, "stem.out", 1, limits::kMaxChannels);
  check_range(spec.stem_stride, "stem.stride", 1, limits::kMaxStride);
  if (spec.stages.empty() || spec.stages.size() > static_cast<std::size_t>(limits::kMaxStages)) {
    detail::spec_error("stages", fmt::format("expected 1..{} stages, got {}", limits::kMaxStages,
                                             spec.stages.size()));
  }
  for (std::size_t i = 0; i < spec.stages.size(); ++i) {
    const StageSpec& stage = spec.stages[i];
    const std::string key = fmt::format("stages[{}].", i);
    check_range(stage.stride, key + "stride", 1, limits::kMaxStride);
    check_choices(stage.expansions, key + "expansion", 1, limits::kMaxExpansion);
    check_choices(stage.kernels, key + "kernel", 1, limits::kMaxKernel);
    check_choices(stage.depths, key + "depth", 0, limits::kMaxDepth);
    check_choices(stage.widths, key + "width", 1, limits::kMaxChannels);
  }
  check_range(spec.head_out, "head.out", 0, limits::kMaxChannels);
  detail::check_bits(spec.bits, "bits");
  detail::check_quantization(spec.quantization);
}

class BlockSpace final : public detail::WalkingSpace {
 public:
  explicit BlockSpace(BlockSpaceSpec spec) : spec_(std::move(spec)) {
    check_spec(spec_);
    const auto& quant = spec_.quantization;
    bit_pairs_per_block_ = !quant ? 0 : (quant->granularity == QuantGranularity::per_block ? 1 : 3);
    const int weight_choices = quant ? static_cast<int>(quant->weight_bits.size()) : 0;
    const int act_choices = quant ? static_cast<int>(quant->act_bits.size()) : 0;
    for (std::size_t i = 0; i < spec_.stages.size(); ++i) {
      const StageSpec& stage = spec_.stages[i];
      const int s = static_cast<int>(i) + 1;
      stage_offsets_.push_back(static_cast<int>(genes_.size()));
      genes_.push_back({fmt::format("s{}.depth", s), static_cast<int>(stage.depths.size())});
      genes_.push_back(
          {fmt::format("s{}.expansion", s), static_cast<int>(stage.expansions.size())});
      genes_.push_back({fmt::format("s{}.kernel", s), static_cast<int>(stage.kernels.size())});
      genes_.push_back({fmt::format("s{}.width", s), static_cast<int>(stage.widths.size())});
      const int max_depth = *std::max_element(stage.depths.begin(), stage.depths.end());
      for (int b = 0; b < max_depth; ++b) {
        for (int pair = 0; pair < bit_pairs_per_block_; ++pair) {
          static constexpr const char* kPairNames[] = {".expand", ".dw", ".project"};
          const std::string prefix =
              fmt::format("s{}b{}{}", s, b, bit_pairs_per_block_ == 1 ? "" : kPairNames[pair]);
          genes_.push_back({prefix + ".weight_bits", weight_choices});
          genes_.push_back({prefix + ".act_bits", act_choices});
        }
      }
    }
  }

  std::string_view kind() const override { return "blocks"; }
  const std::string& name() const override { return spec_.name; }
  const std::vector<Gene>& genes() const override { return genes_; }

  // Stages are independent given their input (each active gene shows in the stage's own
  // layers), so the count is the product over stages of
  //   sum over depths d:  1 if d == 0, else  kernels * widths * sum over expansions t of B(t)^d
  // where B(t), the bit-width combinations of one block, is 1 without quantization, W*A per
  // block, and (W*A)^3 per layer ((W*A)^2 when t == 1: no expand conv).
  SpaceSize size() const override {
    BigUint total(1);
    const auto& quant = spec_.quantization;
    const BigUint pair_choices =
        quant ? BigUint(quant->weight_bits.size() * quant->act_bits.size()) : BigUint(1);
    for (const StageSpec& stage : spec_.stages) {
      BigUint stage_count;
      for (int depth : stage.depths) {
        if (depth == 0) {
          stage_count += BigUint(1);
          continue;
        }
        BigUint over_expansions;
        for (int expansion : stage.expansions) {
          const int pairs = bit_pairs_per_block_ == 3 && expansion == 1 ? 2 : bit_pairs_per_block_;
          over_expansions += pair_choices.pow(pairs * depth);
        }
        stage_count += BigUint(stage.kernels.size() * stage.widths.size()) * over_expansions;
      }
      total *= stage_count;
    }
    return {total.to_string(), total.log10()};
  }

 private:
  detail::Walk run(const Genotype& genotype) const override {
    check_genotype(*this, genotype);
    detail::Walk walk;
    walk.active.assign(genes_.size(), false);
    ir::Network& net = walk.network;
    net.name = spec_.name;
    net.input = spec_.input;
    const ir::Bits fixed = spec_.bits;
    // conv (no bias) + batchnorm [+ relu6]; an empty `act_name` leaves out the activation.
    auto add_unit = [&](const std::string& conv_name, const std::string& bn_name,
                        const std::string& act_name, int out, int kernel, int stride, int groups,
                        ir::Bits bits) {
      net.layers.push_back(detail::conv_layer(conv_name, out, kernel, stride, false, bits, groups));
      net.layers.push_back(detail::plain_layer(LayerKind::batchnorm, bn_name, bits));
      if (!act_name.empty()) {
        net.layers.push_back(detail::plain_layer(LayerKind::relu6, act_name, bits));
      }
    };
    auto add_block_unit = [&](const std::string& prefix, bool activation, int out, int kernel,
                              int stride, int groups, ir::Bits bits) {
      add_unit(prefix, prefix + "_bn", activation ? prefix + "_relu" : "", out, kernel, stride,
               groups, bits);
    };

    add_unit("stem_conv", "stem_bn", "stem_relu", spec_.stem_out, 3, spec_.stem_stride, 1, fixed);
    int channels = spec_.stem_out;
    std::vector<std::string> parts;

    for (std::size_t i = 0; i < spec_.stages.size(); ++i) {
      const StageSpec& stage = spec_.stages[i];
      const int s = static_cast<int>(i) + 1;
      const int base = stage_offsets_[i];
      const int depth = stage.depths[genotype[base + kDepthGene]];
      walk.active[base + kDepthGene] = true;
      if (depth == 0) {
        parts.push_back(fmt::format("s{}: skip", s));
        continue;
      }
      const int expansion = stage.expansions[genotype[base + kExpansionGene]];
      const int kernel = stage.kernels[genotype[base + kKernelGene]];
      const int width = stage.widths[genotype[base + kWidthGene]];
      for (int g : {kExpansionGene, kKernelGene, kWidthGene}) walk.active[base + g] = true;
      std::string part = fmt::format("s{}: e{} k{} d{} w{}", s, expansion, kernel, depth, width);
      std::vector<std::string> block_bits;

      for (int b = 0; b < depth; ++b) {
        // bits[pair] for the expand, depthwise and project convs of this block.
        ir::Bits bits[3] = {fixed, fixed, fixed};
        if (bit_pairs_per_block_ > 0) {
          const int bit_base = base + kStageGenes + b * 2 * bit_pairs_per_block_;
          std::vector<std::string> texts;
          for (int pair = 0; pair < bit_pairs_per_block_; ++pair) {
            const int g = bit_base + 2 * pair;
            const ir::Bits chosen{spec_.quantization->weight_bits[genotype[g]],
                                  spec_.quantization->act_bits[genotype[g + 1]]};
            const bool used = bit_pairs_per_block_ == 1 || pair != kExpandPair || expansion > 1;
            walk.active[g] = walk.active[g + 1] = used;
            if (bit_pairs_per_block_ == 1) {
              bits[kExpandPair] = bits[kDwPair] = bits[kProjectPair] = chosen;
            } else {
              bits[pair] = chosen;
            }
            texts.push_back(used ? fmt::format("w{}a{}", chosen.weight, chosen.act) : "-");
          }
          block_bits.push_back(fmt::format("{}", fmt::join(texts, "/")));
        }

        const std::string prefix = fmt::format("s{}b{}_", s, b);
        const std::string block_input = net.layers.back().name;
        const int stride = b == 0 ? stage.stride : 1;
        const int hidden = channels * expansion;
        if (expansion > 1) {
          add_block_unit(prefix + "expand", true, hidden, 1, 1, 1, bits[kExpandPair]);
        }
        add_block_unit(prefix + "dw", true, hidden, kernel, stride, ir::kDepthwiseGroups,
                       bits[kDwPair]);
        add_block_unit(prefix + "project", false, width, 1, 1, 1, bits[kProjectPair]);
        if (stride == 1 && channels == width) {
          ir::Layer add = detail::plain_layer(LayerKind::add, prefix + "add", bits[kProjectPair]);
          add.inputs = {net.layers.back().name, block_input};
          net.layers.push_back(std::move(add));
        }
        channels = width;
      }
      if (!block_bits.empty()) part += fmt::format(" [{}]", fmt::join(block_bits, " "));
      parts.push_back(std::move(part));
    }

    if (spec_.head_out > 0) {
      add_unit("head_conv", "head_bn", "head_relu", spec_.head_out, 1, 1, 1, fixed);
    }
    net.layers.push_back(detail::plain_layer(LayerKind::global_avgpool, "gap", fixed));
    net.layers.push_back(detail::linear_layer("fc", spec_.num_classes, fixed));
    walk.description = fmt::format("{}", fmt::join(parts, " | "));
    return walk;
  }

  BlockSpaceSpec spec_;
  std::vector<Gene> genes_;
  std::vector<int> stage_offsets_;
  int bit_pairs_per_block_ = 0;  // 0 without quantization, 1 per block, 3 per layer
};

}  // namespace

std::unique_ptr<SearchSpace> make_block_space(BlockSpaceSpec spec) {
  return std::make_unique<BlockSpace>(std::move(spec));
}

}  // namespace hwnas::space
