#include "hwnas/io/network_yaml.hpp"

#include <fmt/format.h>

#include "hwnas/core/error.hpp"

namespace hwnas::io {

namespace {

using ir::LayerKind;

ir::Bits read_bits(const YamlNode& node, ir::Bits fallback) {
  node.check_keys({"weight", "act"});
  fallback.weight =
      static_cast<int>(node.int_or("weight", fallback.weight, ir::kMinBits, ir::kMaxBits));
  fallback.act = static_cast<int>(node.int_or("act", fallback.act, ir::kMinBits, ir::kMaxBits));
  return fallback;
}

std::vector<std::string> allowed_keys(LayerKind kind) {
  std::vector<std::string> keys = {"type", "name", "inputs", "bits"};
  switch (kind) {
    case LayerKind::conv:
      keys.insert(keys.end(), {"out", "kernel", "stride", "pad", "groups", "bias"});
      break;
    case LayerKind::maxpool:
    case LayerKind::avgpool:
      keys.insert(keys.end(), {"kernel", "stride", "pad"});
      break;
    case LayerKind::linear:
      keys.insert(keys.end(), {"out", "bias"});
      break;
    case LayerKind::add:
      keys.push_back("with");
      break;
    default:
      break;
  }
  return keys;
}

ir::Layer read_layer(const YamlNode& node, ir::Bits default_bits, int index,
                     const std::vector<ir::Layer>& earlier) {
  node.expect_map();
  const std::string type = node["type"].as_string();
  const auto kind = ir::layer_kind_from_string(type);
  if (!kind) {
    node["type"].fail(
        fmt::format("unknown layer type '{}' (expected one of: {})", type, ir::layer_kind_names()));
  }
  node.check_keys(allowed_keys(*kind));

  ir::Layer layer;
  layer.kind = *kind;
  layer.name = node.string_or("name", fmt::format("{}{}", type, index));
  layer.bits = node.has("bits") ? read_bits(node["bits"], default_bits) : default_bits;
  if (auto inputs = node.get("inputs")) {
    if (inputs->is_scalar()) {
      layer.inputs.push_back(inputs->as_string());
    } else {
      for (const auto& item : inputs->items()) layer.inputs.push_back(item.as_string());
    }
  }
  switch (layer.kind) {
    case LayerKind::conv:
      layer.out = static_cast<int>(node.int_or("out", 0, 1, 1 << 20));
      layer.kernel = static_cast<int>(node.int_or("kernel", 1, 1, 64));
      layer.stride = static_cast<int>(node.int_or("stride", 1, 1, 64));
      layer.pad = static_cast<int>(node.int_or("pad", layer.kernel / 2, 0, 64));
      if (auto groups = node.get("groups")) {
        if (groups->is_scalar() && groups->raw().Scalar() == "depthwise") {
          layer.groups = ir::kDepthwiseGroups;
        } else {
          layer.groups = static_cast<int>(groups->as_int(1, 1 << 20));
        }
      }
      layer.bias = node.bool_or("bias", true);
      break;
    case LayerKind::maxpool:
    case LayerKind::avgpool:
      layer.kernel = static_cast<int>(node.int_or("kernel", 2, 1, 64));
      layer.stride = static_cast<int>(node.int_or("stride", layer.kernel, 1, 64));
      layer.pad = static_cast<int>(node.int_or("pad", 0, 0, 32));
      break;
    case LayerKind::linear:
      layer.out = static_cast<int>(node["out"].as_int(1, 1 << 24));
      layer.bias = node.bool_or("bias", true);
      break;
    case LayerKind::add:
      if (auto with = node.get("with")) {
        if (!layer.inputs.empty()) with->fail("give either 'with' or 'inputs', not both");
        if (earlier.empty()) with->fail("'with' needs a previous layer to add to");
        layer.inputs = {earlier.back().name, with->as_string()};
      }
      if (layer.inputs.size() < 2) {
        node.fail("add needs two or more inputs: give 'with: <layer>' or 'inputs: [a, b]'");
      }
      break;
    default:
      break;
  }
  return layer;
}

}  // namespace

ir::Network network_from_yaml(const YamlNode& root) {
  root.expect_map();
  root.check_keys({"name", "input", "batch", "bits", "layers"});
  ir::Network net;
  net.name = root.string_or("name", "network");
  const YamlNode input = root["input"];
  input.check_keys({"channels", "height", "width"});
  net.input = {input["channels"].as_int(1, 1 << 20), input["height"].as_int(1, 1 << 16),
               input["width"].as_int(1, 1 << 16)};
  net.batch = static_cast<int>(root.int_or("batch", 1, 1, 1 << 16));
  const ir::Bits default_bits = root.has("bits") ? read_bits(root["bits"], ir::Bits{}) : ir::Bits{};
  const YamlNode layers = root["layers"];
  if (layers.size() == 0) layers.fail("a network needs at least one layer");
  for (std::size_t i = 0; i < layers.size(); ++i) {
    net.layers.push_back(read_layer(layers.at(i), default_bits, static_cast<int>(i), net.layers));
  }
  // Shape problems name the layer; point at it by its index in the file too.
  auto analysed = ir::try_analyze(net);
  if (auto* problem = std::get_if<ir::ShapeProblem>(&analysed)) {
    const std::string key =
        problem->layer < 0 ? "layers"
                           : fmt::format("layers[{}] ({})", problem->layer, problem->layer_name);
    throw InputError(root.file(), key, problem->reason);
  }
  return net;
}

ir::Network parse_network_yaml(const std::string& text, const std::string& name) {
  return network_from_yaml(YamlNode::load_string(text, name));
}

ir::Network read_network_file(const std::string& path) {
  return network_from_yaml(YamlNode::load_file(path));
}

std::string network_to_yaml(const ir::Network& net) {
  std::string out;
  out += fmt::format("name: {}\n", net.name);
  out += fmt::format("input: {{channels: {}, height: {}, width: {}}}\n", net.input.channels,
                     net.input.height, net.input.width);
  if (net.batch != 1) out += fmt::format("batch: {}\n", net.batch);
  out += "layers:\n";
  for (std::size_t i = 0; i < net.layers.size(); ++i) {
    const ir::Layer& layer = net.layers[i];
    std::vector<std::string> fields;
    fields.push_back(fmt::format("type: {}", ir::to_string(layer.kind)));
    fields.push_back(fmt::format("name: {}", layer.name));
    switch (layer.kind) {
      case LayerKind::conv:
        if (layer.out != 0) fields.push_back(fmt::format("out: {}", layer.out));
        if (layer.kernel != 1) fields.push_back(fmt::format("kernel: {}", layer.kernel));
        if (layer.stride != 1) fields.push_back(fmt::format("stride: {}", layer.stride));
        if (layer.pad != layer.kernel / 2) fields.push_back(fmt::format("pad: {}", layer.pad));
        if (layer.groups == ir::kDepthwiseGroups) {
          fields.push_back("groups: depthwise");
        } else if (layer.groups != 1) {
          fields.push_back(fmt::format("groups: {}", layer.groups));
        }
        if (!layer.bias) fields.push_back("bias: false");
        break;
      case LayerKind::maxpool:
      case LayerKind::avgpool:
        fields.push_back(fmt::format("kernel: {}", layer.kernel));
        if (layer.stride != layer.kernel) fields.push_back(fmt::format("stride: {}", layer.stride));
        if (layer.pad != 0) fields.push_back(fmt::format("pad: {}", layer.pad));
        break;
      case LayerKind::linear:
        fields.push_back(fmt::format("out: {}", layer.out));
        if (!layer.bias) fields.push_back("bias: false");
        break;
      default:
        break;
    }
    if (!layer.inputs.empty()) {
      fields.push_back(fmt::format("inputs: [{}]", fmt::join(layer.inputs, ", ")));
    }
    if (layer.bits != ir::Bits{}) {
      fields.push_back(
          fmt::format("bits: {{weight: {}, act: {}}}", layer.bits.weight, layer.bits.act));
    }
    out += fmt::format("  - {{{}}}\n", fmt::join(fields, ", "));
  }
  return out;
}

}  // namespace hwnas::io
