#include "hwnas/ir/network.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <utility>

#include <fmt/format.h>

#include "hwnas/core/error.hpp"

namespace hwnas::ir {

namespace {

constexpr std::array<std::pair<LayerKind, std::string_view>, 11> kKindNames{{
    {LayerKind::conv, "conv"},
    {LayerKind::maxpool, "maxpool"},
    {LayerKind::avgpool, "avgpool"},
    {LayerKind::global_avgpool, "global_avgpool"},
    {LayerKind::batchnorm, "batchnorm"},
    {LayerKind::relu, "relu"},
    {LayerKind::relu6, "relu6"},
    {LayerKind::add, "add"},
    {LayerKind::flatten, "flatten"},
    {LayerKind::linear, "linear"},
    {LayerKind::zero, "zero"},
}};

std::string shape_text(const Shape& s) {
  return fmt::format("{}x{}x{}", s.channels, s.height, s.width);
}

// Output size of a sliding window; nullopt when the window does not fit the padded input.
std::optional<std::int64_t> window_out(std::int64_t in, int kernel, int stride, int pad) {
  const std::int64_t span = in + 2 * static_cast<std::int64_t>(pad) - kernel;
  if (span < 0) return std::nullopt;
  return span / stride + 1;
}

struct Failure {
  std::string reason;
};

LayerStats analyze_layer(const Layer& layer, const std::vector<Shape>& inputs) {
  LayerStats stats;
  const Shape in = inputs.front();
  stats.in = in;
  auto require = [](bool ok, std::string reason) {
    if (!ok) throw Failure{std::move(reason)};
  };
  require(layer.bits.weight >= kMinBits && layer.bits.weight <= kMaxBits,
          fmt::format("weight bits {} outside {}..{}", layer.bits.weight, kMinBits, kMaxBits));
  require(layer.bits.act >= kMinBits && layer.bits.act <= kMaxBits,
          fmt::format("activation bits {} outside {}..{}", layer.bits.act, kMinBits, kMaxBits));
  if (layer.kind != LayerKind::add) {
    require(inputs.size() == 1,
            fmt::format("{} takes one input, got {}", to_string(layer.kind), inputs.size()));
  }

  switch (layer.kind) {
    case LayerKind::conv: {
      require(layer.kernel >= 1, fmt::format("kernel must be >= 1, got {}", layer.kernel));
      require(layer.stride >= 1, fmt::format("stride must be >= 1, got {}", layer.stride));
      require(layer.pad >= 0, fmt::format("pad must be >= 0, got {}", layer.pad));
      const int groups =
          layer.groups == kDepthwiseGroups ? static_cast<int>(in.channels) : layer.groups;
      const std::int64_t out_channels = layer.out == 0 ? in.channels : layer.out;
      require(groups >= 1, fmt::format("groups must be >= 1, got {}", layer.groups));
      require(out_channels >= 1, fmt::format("out must be >= 1, got {}", layer.out));
      require(in.channels % groups == 0,
              fmt::format("input channels {} not divisible by groups {}", in.channels, groups));
      require(out_channels % groups == 0,
              fmt::format("output channels {} not divisible by groups {}", out_channels, groups));
      const auto h = window_out(in.height, layer.kernel, layer.stride, layer.pad);
      const auto w = window_out(in.width, layer.kernel, layer.stride, layer.pad);
      require(h && w, fmt::format("kernel {} with pad {} does not fit the {} input", layer.kernel,
                                  layer.pad, shape_text(in)));
      stats.groups = groups;
      stats.out = {out_channels, *h, *w};
      const std::int64_t weights_per_out = (in.channels / groups) * layer.kernel * layer.kernel;
      stats.macs = stats.out.elements() * weights_per_out;
      stats.params = out_channels * weights_per_out + (layer.bias ? out_channels : 0);
      stats.weight_bits = stats.params * layer.bits.weight;
      break;
    }
    case LayerKind::maxpool:
    case LayerKind::avgpool: {
      require(layer.kernel >= 1, fmt::format("kernel must be >= 1, got {}", layer.kernel));
      require(layer.stride >= 1, fmt::format("stride must be >= 1, got {}", layer.stride));
      require(
          layer.pad >= 0 && 2 * layer.pad <= layer.kernel,
          fmt::format("pad {} must be between 0 and half the kernel {}", layer.pad, layer.kernel));
      const auto h = window_out(in.height, layer.kernel, layer.stride, layer.pad);
      const auto w = window_out(in.width, layer.kernel, layer.stride, layer.pad);
      require(h && w, fmt::format("pool window {} with pad {} does not fit the {} input",
                                  layer.kernel, layer.pad, shape_text(in)));
      stats.out = {in.channels, *h, *w};
      break;
    }
    case LayerKind::global_avgpool:
      stats.out = {in.channels, 1, 1};
      break;
    case LayerKind::batchnorm:
      stats.out = in;
      stats.params = 2 * in.channels;
      stats.weight_bits = stats.params * layer.bits.weight;
      break;
    case LayerKind::relu:
    case LayerKind::relu6:
    case LayerKind::zero:
      stats.out = in;
      break;
    case LayerKind::add: {
      require(inputs.size() >= 2,
              fmt::format("add needs two or more inputs, got {}", inputs.size()));
      for (std::size_t i = 1; i < inputs.size(); ++i) {
        require(inputs[i] == in,
                fmt::format("add inputs differ in shape: {} (from {}) vs {}", shape_text(inputs[i]),
                            layer.inputs.size() > i ? layer.inputs[i] : std::string("?"),
                            shape_text(in)));
      }
      stats.out = in;
      break;
    }
    case LayerKind::flatten:
      stats.out = {in.elements(), 1, 1};
      break;
    case LayerKind::linear: {
      require(layer.out >= 1, fmt::format("out must be >= 1, got {}", layer.out));
      const std::int64_t features = in.elements();
      stats.out = {layer.out, 1, 1};
      stats.macs = features * layer.out;
      stats.params = features * layer.out + (layer.bias ? layer.out : 0);
      stats.weight_bits = stats.params * layer.bits.weight;
      break;
    }
  }
  require(stats.out.elements() > 0, "output would be empty");
  stats.activation_bits = stats.out.elements() * layer.bits.act;
  return stats;
}

}  // namespace

std::string_view to_string(LayerKind kind) {
  for (const auto& [k, name] : kKindNames) {
    if (k == kind) return name;
  }
  return "?";
}

std::optional<LayerKind> layer_kind_from_string(std::string_view text) {
  for (const auto& [k, name] : kKindNames) {
    if (name == text) return k;
  }
  return std::nullopt;
}

std::string layer_kind_names() {
  std::string names;
  for (const auto& [k, name] : kKindNames) {
    if (!names.empty()) names += ", ";
    names += name;
  }
  return names;
}

bool fuses_into_producer(LayerKind kind) {
  return kind == LayerKind::relu || kind == LayerKind::relu6 || kind == LayerKind::batchnorm ||
         kind == LayerKind::flatten;
}

bool costs_nothing(LayerKind kind) {
  return fuses_into_producer(kind) || kind == LayerKind::zero;
}

void assign_default_names(Network& network) {
  for (std::size_t i = 0; i < network.layers.size(); ++i) {
    auto& layer = network.layers[i];
    if (layer.name.empty()) layer.name = fmt::format("{}{}", to_string(layer.kind), i);
  }
}

std::variant<NetworkStats, ShapeProblem> try_analyze(const Network& network) {
  NetworkStats result;
  auto problem = [](int index, std::string name, std::string reason) {
    return ShapeProblem{index, std::move(name), std::move(reason)};
  };
  if (network.batch < 1)
    return problem(-1, "", fmt::format("batch must be >= 1, got {}", network.batch));
  if (network.input.channels < 1 || network.input.height < 1 || network.input.width < 1) {
    return problem(-1, "",
                   fmt::format("input shape {} must be positive", shape_text(network.input)));
  }
  if (network.layers.empty()) return problem(-1, "", "network has no layers");

  std::map<std::string, int, std::less<>> index_of;
  std::vector<Shape> outputs;
  for (int i = 0; i < static_cast<int>(network.layers.size()); ++i) {
    const Layer& layer = network.layers[i];
    const std::string name = layer.name.empty() ? fmt::format("#{}", i) : layer.name;
    std::vector<int> producers;
    if (layer.inputs.empty()) {
      producers.push_back(i - 1);  // -1 == kNetworkInput for the first layer
    } else {
      for (const auto& input : layer.inputs) {
        if (input == "input") {
          producers.push_back(kNetworkInput);
          continue;
        }
        const auto it = index_of.find(input);
        if (it == index_of.end()) {
          return problem(i, name,
                         fmt::format("input '{}' is not an earlier layer (nor 'input')", input));
        }
        producers.push_back(it->second);
      }
    }
    std::vector<Shape> in_shapes;
    for (int p : producers) in_shapes.push_back(p == kNetworkInput ? network.input : outputs[p]);
    try {
      LayerStats stats = analyze_layer(layer, in_shapes);
      stats.producers = std::move(producers);
      outputs.push_back(stats.out);
      result.macs += stats.macs;
      result.params += stats.params;
      result.weight_bits += stats.weight_bits;
      result.peak_activation_bits = std::max(result.peak_activation_bits, stats.activation_bits);
      result.layers.push_back(std::move(stats));
    } catch (const Failure& failure) {
      return problem(i, name, failure.reason);
    }
    if (!layer.name.empty()) {
      if (!index_of.emplace(layer.name, i).second) {
        return problem(i, name, "duplicate layer name");
      }
    }
  }
  result.output = outputs.back();
  return result;
}

NetworkStats analyze(const Network& network) {
  auto analysed = try_analyze(network);
  if (auto* problem = std::get_if<ShapeProblem>(&analysed)) {
    const std::string where = network.name.empty() ? "<network>" : network.name;
    const std::string key = problem->layer < 0 ? "" : "layer " + problem->layer_name;
    throw InputError(where, key, problem->reason);
  }
  return std::get<NetworkStats>(std::move(analysed));
}

}  // namespace hwnas::ir
