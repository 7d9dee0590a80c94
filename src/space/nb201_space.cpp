#include "hwnas/space/nb201_space.hpp"

#include <array>
#include <utility>

#include <fmt/format.h>

#include "decode_common.hpp"
#include "hwnas/core/error.hpp"
#include "hwnas/space/limits.hpp"
#include "spec_check.hpp"

namespace hwnas::space {

namespace {

using ir::LayerKind;

constexpr int kNone = 0;
constexpr int kSkip = 1;
constexpr int kConv1x1 = 2;
constexpr int kConv3x3 = 3;
constexpr int kAvgPool = 4;
constexpr int kOps = 5;
constexpr int kNodes = 4;           // node 0 = the cell input, node 3 = the cell output
constexpr int kStages = 3;          // stage s has stem_channels << (s - 1) channels
constexpr int kMaxBatch = 1 << 16;  // as io::read_network_file accepts

// The gene of edge to <- from (1 <= to <= 3, from < to): arch-string order.
constexpr int edge_gene(int to, int from) {
  return to * (to - 1) / 2 + from;
}

void check_options(const Nb201Options& o) {
  using detail::check_range;
  if (o.name.empty()) detail::spec_error("name", "expected a non-empty name");
  detail::check_input(o.input);
  // Each reduction halves the feature map in both branches: the strided 3x3 conv gives
  // ceil(n / 2), the 2x2 pool floor(n / 2); they agree on even sizes only, twice over.
  for (const auto& [size, key] :
       {std::pair{o.input.height, "input.height"}, std::pair{o.input.width, "input.width"}}) {
    if (size % 4 != 0) {
      detail::spec_error(key, fmt::format("expected a multiple of 4 (two stride-2 reductions "
                                          "must keep their branches' shapes equal), got {}",
                                          size));
    }
  }
  check_range(o.stem_channels, "stem_channels", 1, limits::kMaxChannels / 4);
  check_range(o.cells_per_stage, "cells_per_stage", 1, limits::kMaxDepth);
  check_range(o.classes, "classes", 1, limits::kMaxClasses);
  check_range(o.batch, "batch", 1, kMaxBatch);
  detail::check_bits(o.bits, "bits");
}

class Nb201Space final : public detail::WalkingSpace {
 public:
  explicit Nb201Space(Nb201Options options) : options_(std::move(options)) {
    check_options(options_);
    for (int to = 1; to < kNodes; ++to) {
      for (int from = 0; from < to; ++from)
        genes_.push_back({fmt::format("e{}<-{}", to, from), kOps});
    }
  }

  std::string_view kind() const override { return "nb201"; }
  const std::string& name() const override { return options_.name; }
  const std::vector<Gene>& genes() const override { return genes_; }

  // 5^6 genotypes less those that alias another through a lone skip_connect (see the header);
  // the count depends only on the cell, so on no option. Counted by the tests, which decode
  // every genotype.
  SpaceSize size() const override { return {"15251", 4.183298321075812}; }

 private:
  detail::Walk run(const Genotype& genotype) const override {
    check_genotype(*this, genotype);
    detail::Walk walk;
    walk.active.assign(genes_.size(), true);
    walk.description = nb201_arch_string(genotype);
    ir::Network& net = walk.network;
    net.name = options_.name;
    net.input = options_.input;
    net.batch = options_.batch;
    net.layers.reserve(256);
    const ir::Bits bits = options_.bits;

    auto push = [&](ir::Layer layer, std::vector<std::string> inputs = {}) {
      layer.inputs = std::move(inputs);
      net.layers.push_back(std::move(layer));
      return net.layers.back().name;
    };
    // relu, conv (no bias), batchnorm reading `input`; returns the batchnorm's name.
    auto relu_conv_bn = [&](const std::string& prefix, const std::string& input, int out,
                            int kernel, int stride) {
      push(detail::plain_layer(LayerKind::relu, prefix + ".relu", bits), {input});
      push(detail::conv_layer(prefix + ".conv", out, kernel, stride, false, bits));
      return push(detail::plain_layer(LayerKind::batchnorm, prefix + ".bn", bits));
    };

    push(detail::conv_layer("stem.conv", options_.stem_channels, 3, 1, false, bits));
    std::string x = push(detail::plain_layer(LayerKind::batchnorm, "stem.bn", bits));
    for (int s = 1; s <= kStages; ++s) {
      const int channels = options_.stem_channels << (s - 1);
      if (s > 1) {
        const std::string r = fmt::format("r{}", s - 1);
        const std::string a = relu_conv_bn(r + ".a", x, channels, 3, 2);
        const std::string b = relu_conv_bn(r + ".b", a, channels, 3, 1);
        ir::Layer pool = detail::pool_layer(LayerKind::avgpool, r + ".down.pool", 2, bits);
        push(std::move(pool), {x});
        const std::string down =
            push(detail::conv_layer(r + ".down.conv", channels, 1, 1, false, bits));
        x = push(detail::plain_layer(LayerKind::add, r + ".add", bits), {b, down});
      }
      for (int c = 0; c < options_.cells_per_stage; ++c) {
        const std::string cell = fmt::format("s{}c{}", s, c);
        std::array<std::string, kNodes> node;
        node[0] = x;
        for (int to = 1; to < kNodes; ++to) {
          std::vector<std::string> terms;
          for (int from = 0; from < to; ++from) {
            const std::string prefix = fmt::format("{}.n{}<-{}", cell, to, from);
            switch (genotype[edge_gene(to, from)]) {
              case kNone:
                break;
              case kSkip:
                terms.push_back(node[from]);
                break;
              case kConv1x1:
                terms.push_back(relu_conv_bn(prefix, node[from], channels, 1, 1));
                break;
              case kConv3x3:
                terms.push_back(relu_conv_bn(prefix, node[from], channels, 3, 1));
                break;
              case kAvgPool: {
                ir::Layer pool = detail::pool_layer(LayerKind::avgpool, prefix + ".pool", 3, bits);
                pool.stride = 1;
                pool.pad = 1;
                terms.push_back(push(std::move(pool), {node[from]}));
                break;
              }
            }
          }
          const std::string prefix = fmt::format("{}.n{}", cell, to);
          if (terms.empty()) {
            node[to] = push(detail::plain_layer(LayerKind::zero, prefix + ".zero", bits), {x});
          } else if (terms.size() == 1) {
            node[to] = terms.front();
          } else {
            node[to] = push(detail::plain_layer(LayerKind::add, prefix + ".add", bits), terms);
          }
        }
        x = node[kNodes - 1];
      }
    }
    push(detail::plain_layer(LayerKind::batchnorm, "last.bn", bits), {x});
    push(detail::plain_layer(LayerKind::relu, "last.relu", bits));
    push(detail::plain_layer(LayerKind::global_avgpool, "gap", bits));
    push(detail::linear_layer("fc", options_.classes, bits));
    return walk;
  }

  Nb201Options options_;
  std::vector<Gene> genes_;
};

[[noreturn]] void arch_error(const std::string& part, const std::string& reason) {
  throw InputError("arch", part, reason);
}

}  // namespace

std::shared_ptr<const SearchSpace> make_nb201_space(const Nb201Options& options) {
  return std::make_shared<const Nb201Space>(options);
}

const std::vector<std::string>& nb201_ops() {
  static const std::vector<std::string> ops = {"none", "skip_connect", "nor_conv_1x1",
                                               "nor_conv_3x3", "avg_pool_3x3"};
  return ops;
}

std::string nb201_arch_string(const Genotype& genotype) {
  static const std::shared_ptr<const SearchSpace> space = make_nb201_space();
  check_genotype(*space, genotype);
  const auto& ops = nb201_ops();
  std::string text;
  for (int to = 1; to < kNodes; ++to) {
    if (to > 1) text += '+';
    text += '|';
    for (int from = 0; from < to; ++from) {
      text += ops[genotype[edge_gene(to, from)]];
      text += '~';
      text += static_cast<char>('0' + from);
      text += '|';
    }
  }
  return text;
}

Genotype nb201_genotype(std::string_view arch) {
  // Split at '+' into the three nodes' parts, each "|op~0|op~1|...|".
  std::vector<std::string_view> nodes;
  std::size_t start = 0;
  while (true) {
    const std::size_t plus = arch.find('+', start);
    nodes.push_back(arch.substr(start, plus == std::string_view::npos ? plus : plus - start));
    if (plus == std::string_view::npos) break;
    start = plus + 1;
  }
  if (nodes.size() != kNodes - 1) {
    arch_error("", fmt::format("expected {} nodes separated by '+' "
                               "(|op~0|+|op~0|op~1|+|op~0|op~1|op~2|), got {} in '{}'",
                               kNodes - 1, nodes.size(), arch));
  }
  const auto& ops = nb201_ops();
  Genotype genotype(kNb201Edges, 0);
  for (int to = 1; to < kNodes; ++to) {
    std::string_view part = nodes[to - 1];
    const std::string where = fmt::format("node {}", to);
    if (part.size() < 2 || part.front() != '|' || part.back() != '|') {
      arch_error(where, fmt::format("expected '|op~i|...|' between bars, got '{}'", part));
    }
    part = part.substr(1, part.size() - 2);
    std::vector<std::string_view> edges;
    start = 0;
    while (true) {
      const std::size_t bar = part.find('|', start);
      edges.push_back(part.substr(start, bar == std::string_view::npos ? bar : bar - start));
      if (bar == std::string_view::npos) break;
      start = bar + 1;
    }
    if (static_cast<int>(edges.size()) != to) {
      arch_error(where, fmt::format("expected {} edge{} (from nodes 0..{}), got {} in '{}'", to,
                                    to == 1 ? "" : "s", to - 1, edges.size(), part));
    }
    for (int from = 0; from < to; ++from) {
      const std::string_view edge = edges[from];
      const std::string edge_where = fmt::format("node {} edge {}", to, from);
      const std::size_t tilde = edge.rfind('~');
      if (tilde == std::string_view::npos) {
        arch_error(edge_where, fmt::format("expected 'op~{}', got '{}'", from, edge));
      }
      const std::string_view op = edge.substr(0, tilde);
      const std::string_view source = edge.substr(tilde + 1);
      if (source != std::string(1, static_cast<char>('0' + from))) {
        arch_error(edge_where, fmt::format("expected source node ~{}, got '~{}'", from, source));
      }
      int index = -1;
      for (int k = 0; k < static_cast<int>(ops.size()); ++k) {
        if (ops[k] == op) index = k;
      }
      if (index < 0) {
        arch_error(edge_where,
                   fmt::format("unknown op '{}' (expected one of: {})", op, fmt::join(ops, ", ")));
      }
      genotype[edge_gene(to, from)] = index;
    }
  }
  return genotype;
}

}  // namespace hwnas::space
