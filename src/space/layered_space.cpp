#include "hwnas/space/layered_space.hpp"

#include <algorithm>
#include <map>
#include <tuple>
#include <utility>

#include <fmt/format.h>

#include "big_uint.hpp"
#include "decode_common.hpp"
#include "hwnas/space/limits.hpp"
#include "spec_check.hpp"

namespace hwnas::space {

namespace {

using detail::BigUint;

// Gene offsets within a layer slot.
constexpr int kKernelGene = 0;
constexpr int kFiltersGene = 1;
constexpr int kStrideGene = 2;
constexpr int kPoolGene = 3;
constexpr int kWeightBitsGene = 4;
constexpr int kActBitsGene = 5;
constexpr int kPoolSize = 2;

// Spatial size after a conv with pad kernel/2; always >= 1 for an input >= 1.
std::int64_t conv_out(std::int64_t in, int kernel, int stride) {
  return (in + 2 * (kernel / 2) - kernel) / stride + 1;
}

bool pool_fits(std::int64_t height, std::int64_t width) {
  return height >= kPoolSize && width >= kPoolSize;
}

std::int64_t pool_out(std::int64_t in) {
  return (in - kPoolSize) / kPoolSize + 1;
}

void check_spec(const LayeredSpaceSpec& spec) {
  using detail::check_choices;
  if (spec.name.empty()) detail::spec_error("name", "expected a non-empty name");
  detail::check_input(spec.input);
  detail::check_range(spec.num_classes, "classes", 1, limits::kMaxClasses);
  check_choices(spec.layer_counts, "layers.count", 1, limits::kMaxLayers);
  check_choices(spec.kernels, "layers.kernel", 1, limits::kMaxKernel);
  check_choices(spec.filters, "layers.filters", 1, limits::kMaxChannels);
  check_choices(spec.strides, "layers.stride", 1, limits::kMaxStride);
  if (spec.pools.empty()) detail::spec_error("layers.pool", "expected a non-empty list of choices");
  for (std::size_t i = 0; i < spec.pools.size(); ++i) {
    if (std::find(spec.pools.begin(), spec.pools.begin() + i, spec.pools[i]) !=
        spec.pools.begin() + i) {
      detail::spec_error("layers.pool",
                         fmt::format("choice {} appears more than once", to_string(spec.pools[i])));
    }
  }
  detail::check_bits(spec.bits, "bits");
  detail::check_quantization(spec.quantization);
}

class LayeredSpace final : public detail::WalkingSpace {
 public:
  explicit LayeredSpace(LayeredSpaceSpec spec) : spec_(std::move(spec)) {
    check_spec(spec_);
    max_layers_ = *std::max_element(spec_.layer_counts.begin(), spec_.layer_counts.end());
    genes_per_layer_ = spec_.quantization ? 6 : 4;
    genes_.push_back({"layers", static_cast<int>(spec_.layer_counts.size())});
    for (int l = 0; l < max_layers_; ++l) {
      genes_.push_back({fmt::format("l{}.kernel", l), static_cast<int>(spec_.kernels.size())});
      genes_.push_back({fmt::format("l{}.filters", l), static_cast<int>(spec_.filters.size())});
      genes_.push_back({fmt::format("l{}.stride", l), static_cast<int>(spec_.strides.size())});
      genes_.push_back({fmt::format("l{}.pool", l), static_cast<int>(spec_.pools.size())});
      if (spec_.quantization) {
        genes_.push_back({fmt::format("l{}.weight_bits", l),
                          static_cast<int>(spec_.quantization->weight_bits.size())});
        genes_.push_back({fmt::format("l{}.act_bits", l),
                          static_cast<int>(spec_.quantization->act_bits.size())});
      }
    }
  }

  std::string_view kind() const override { return "layered"; }
  const std::string& name() const override { return spec_.name; }
  const std::vector<Gene>& genes() const override { return genes_; }

  // Distinct networks = sum over layer counts c of the number of distinct c-layer chains.
  // A layer's distinct outcomes are (kernel, filters, stride, effective pool, bits); only the
  // pool depends on the spatial size reached so far (it is skipped below 2x2), so the chains
  // are counted by dynamic programming over (height, width, layers left).
  SpaceSize size() const override {
    BigUint per_layer = BigUint(spec_.filters.size());
    if (spec_.quantization) {
      per_layer *=
          BigUint(spec_.quantization->weight_bits.size() * spec_.quantization->act_bits.size());
    }
    std::map<std::tuple<std::int64_t, std::int64_t, int>, BigUint> memo;
    BigUint total;
    for (int count : spec_.layer_counts) {
      total += chains(spec_.input.height, spec_.input.width, count, per_layer, memo);
    }
    return {total.to_string(), total.log10()};
  }

 private:
  detail::Walk run(const Genotype& genotype) const override {
    check_genotype(*this, genotype);
    detail::Walk walk;
    walk.active.assign(genes_.size(), false);
    walk.active[0] = true;
    ir::Network& net = walk.network;
    net.name = spec_.name;
    net.input = spec_.input;
    const int count = spec_.layer_counts[genotype[0]];
    std::vector<std::string> parts{fmt::format("{} layer{}", count, count == 1 ? "" : "s")};
    std::int64_t height = spec_.input.height;
    std::int64_t width = spec_.input.width;
    for (int l = 0; l < count; ++l) {
      const int base = 1 + l * genes_per_layer_;
      auto choice = [&](int offset) { return genotype[base + offset]; };
      const int kernel = spec_.kernels[choice(kKernelGene)];
      const int filters = spec_.filters[choice(kFiltersGene)];
      const int stride = spec_.strides[choice(kStrideGene)];
      const PoolChoice pool = spec_.pools[choice(kPoolGene)];
      ir::Bits bits = spec_.bits;
      if (spec_.quantization) {
        bits = {spec_.quantization->weight_bits[choice(kWeightBitsGene)],
                spec_.quantization->act_bits[choice(kActBitsGene)]};
      }
      for (int g = 0; g < genes_per_layer_; ++g) walk.active[base + g] = g != kPoolGene;

      const std::string prefix = fmt::format("l{}_", l);
      net.layers.push_back(
          detail::conv_layer(prefix + "conv", filters, kernel, stride, !spec_.batchnorm, bits));
      if (spec_.batchnorm) {
        net.layers.push_back(detail::plain_layer(ir::LayerKind::batchnorm, prefix + "bn", bits));
      }
      net.layers.push_back(detail::plain_layer(ir::LayerKind::relu, prefix + "relu", bits));
      height = conv_out(height, kernel, stride);
      width = conv_out(width, kernel, stride);
      std::string part = fmt::format("k{} f{} s{}", kernel, filters, stride);
      if (pool_fits(height, width)) {
        walk.active[base + kPoolGene] = true;
        if (pool != PoolChoice::none) {
          const auto kind =
              pool == PoolChoice::max ? ir::LayerKind::maxpool : ir::LayerKind::avgpool;
          net.layers.push_back(detail::pool_layer(kind, prefix + "pool", kPoolSize, bits));
          height = pool_out(height);
          width = pool_out(width);
          part += fmt::format(" {}", to_string(pool));
        }
      }
      if (spec_.quantization) part += fmt::format(" w{}a{}", bits.weight, bits.act);
      parts.push_back(std::move(part));
    }
    net.layers.push_back(detail::plain_layer(ir::LayerKind::global_avgpool, "gap", spec_.bits));
    net.layers.push_back(detail::linear_layer("fc", spec_.num_classes, spec_.bits));
    walk.description = fmt::format("{}", fmt::join(parts, " | "));
    return walk;
  }

  BigUint chains(std::int64_t height, std::int64_t width, int layers_left, const BigUint& per_layer,
                 std::map<std::tuple<std::int64_t, std::int64_t, int>, BigUint>& memo) const {
    if (layers_left == 0) return BigUint(1);
    const auto key = std::make_tuple(height, width, layers_left);
    if (const auto it = memo.find(key); it != memo.end()) return it->second;
    BigUint sum;
    for (int kernel : spec_.kernels) {
      for (int stride : spec_.strides) {
        const std::int64_t h = conv_out(height, kernel, stride);
        const std::int64_t w = conv_out(width, kernel, stride);
        if (!pool_fits(h, w)) {
          sum += chains(h, w, layers_left - 1, per_layer, memo);  // every pool choice: no pool
          continue;
        }
        for (PoolChoice pool : spec_.pools) {
          sum += pool == PoolChoice::none
                     ? chains(h, w, layers_left - 1, per_layer, memo)
                     : chains(pool_out(h), pool_out(w), layers_left - 1, per_layer, memo);
        }
      }
    }
    BigUint result = sum * per_layer;
    memo.emplace(key, result);
    return result;
  }

  LayeredSpaceSpec spec_;
  std::vector<Gene> genes_;
  int max_layers_ = 0;
  int genes_per_layer_ = 4;
};

}  // namespace

std::string_view to_string(PoolChoice pool) {
  switch (pool) {
    case PoolChoice::none:
      return "none";
    case PoolChoice::max:
      return "max";
    case PoolChoice::avg:
      return "avg";
  }
  return "?";
}

std::optional<PoolChoice> pool_choice_from_string(std::string_view text) {
  for (PoolChoice pool : {PoolChoice::none, PoolChoice::max, PoolChoice::avg}) {
    if (to_string(pool) == text) return pool;
  }
  return std::nullopt;
}

std::unique_ptr<SearchSpace> make_layered_space(LayeredSpaceSpec spec) {
  return std::make_unique<LayeredSpace>(std::move(spec));
}

}  // namespace hwnas::space
