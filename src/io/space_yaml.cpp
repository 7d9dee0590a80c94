#include "hwnas/io/space_yaml.hpp"

#include <algorithm>
#include <utility>

#include <fmt/format.h>

#include "hwnas/core/error.hpp"
#include "hwnas/space/block_space.hpp"
#include "hwnas/space/layered_space.hpp"
#include "hwnas/space/limits.hpp"
#include "hwnas/space/nb201_space.hpp"

namespace hwnas::io {

namespace {

namespace limits = space::limits;

// A choice list: a non-empty list (or a single value) of distinct integers in min..max.
std::vector<int> read_choices(const YamlNode& node, int min, int max) {
  if (node.is_sequence() && node.size() == 0) node.fail("expected a non-empty list of choices");
  std::vector<int> values;
  for (std::int64_t value : node.as_int_list(min, max)) {
    if (std::find(values.begin(), values.end(), value) != values.end()) {
      node.fail(fmt::format("choice {} appears more than once", value));
    }
    values.push_back(static_cast<int>(value));
  }
  return values;
}

ir::Shape read_input(const YamlNode& node) {
  node.check_keys({"channels", "height", "width"});
  return {node["channels"].as_int(1, limits::kMaxInputChannels),
          node["height"].as_int(1, limits::kMaxInputSize),
          node["width"].as_int(1, limits::kMaxInputSize)};
}

ir::Bits read_bits(const YamlNode& node) {
  node.check_keys({"weight", "act"});
  ir::Bits bits;
  bits.weight = static_cast<int>(node.int_or("weight", bits.weight, ir::kMinBits, ir::kMaxBits));
  bits.act = static_cast<int>(node.int_or("act", bits.act, ir::kMinBits, ir::kMaxBits));
  return bits;
}

space::QuantizationSpec read_quantization(const YamlNode& node) {
  node.check_keys({"weight_bits", "act_bits", "per"});
  space::QuantizationSpec quant;
  quant.weight_bits = read_choices(node["weight_bits"], ir::kMinBits, ir::kMaxBits);
  quant.act_bits = read_choices(node["act_bits"], ir::kMinBits, ir::kMaxBits);
  if (const auto per = node.get("per")) {
    const std::string text = per->as_string();
    if (text == "layer") {
      quant.granularity = space::QuantGranularity::per_layer;
    } else if (text == "block") {
      quant.granularity = space::QuantGranularity::per_block;
    } else {
      per->fail(fmt::format("expected layer or block, got '{}'", text));
    }
  }
  return quant;
}

std::vector<space::PoolChoice> read_pools(const YamlNode& node) {
  std::vector<YamlNode> items;
  if (node.is_scalar()) {
    items.push_back(node);
  } else {
    if (node.size() == 0) node.fail("expected a non-empty list of choices");
    items = node.items();
  }
  std::vector<space::PoolChoice> pools;
  for (const auto& item : items) {
    const std::string text = item.as_string();
    const auto pool = space::pool_choice_from_string(text);
    if (!pool) item.fail(fmt::format("expected none, max or avg, got '{}'", text));
    if (std::find(pools.begin(), pools.end(), *pool) != pools.end()) {
      node.fail(fmt::format("choice {} appears more than once", text));
    }
    pools.push_back(*pool);
  }
  return pools;
}

std::unique_ptr<space::SearchSpace> read_layered(const YamlNode& root) {
  root.check_keys({"space", "name", "input", "classes", "layers", "bits", "quantization"});
  space::LayeredSpaceSpec spec;
  spec.name = root.string_or("name", "layered");
  spec.input = read_input(root["input"]);
  spec.num_classes = static_cast<int>(root["classes"].as_int(1, limits::kMaxClasses));
  const YamlNode layers = root["layers"];
  layers.check_keys({"count", "kernel", "filters", "stride", "pool", "batchnorm"});
  spec.layer_counts = read_choices(layers["count"], 1, limits::kMaxLayers);
  spec.kernels = read_choices(layers["kernel"], 1, limits::kMaxKernel);
  spec.filters = read_choices(layers["filters"], 1, limits::kMaxChannels);
  spec.strides = layers.has("stride") ? read_choices(layers["stride"], 1, limits::kMaxStride)
                                      : std::vector<int>{1};
  spec.pools = layers.has("pool") ? read_pools(layers["pool"])
                                  : std::vector<space::PoolChoice>{space::PoolChoice::none};
  spec.batchnorm = layers.bool_or("batchnorm", false);
  if (const auto bits = root.get("bits")) spec.bits = read_bits(*bits);
  if (const auto quant = root.get("quantization")) spec.quantization = read_quantization(*quant);
  return space::make_layered_space(std::move(spec));
}

std::unique_ptr<space::SearchSpace> read_blocks(const YamlNode& root) {
  root.check_keys(
      {"space", "name", "input", "classes", "stem", "stages", "head", "bits", "quantization"});
  space::BlockSpaceSpec spec;
  spec.name = root.string_or("name", "blocks");
  spec.input = read_input(root["input"]);
  spec.num_classes = static_cast<int>(root["classes"].as_int(1, limits::kMaxClasses));
  const YamlNode stem = root["stem"];
  stem.check_keys({"out", "stride"});
  spec.stem_out = static_cast<int>(stem["out"].as_int(1, limits::kMaxChannels));
  spec.stem_stride = static_cast<int>(stem.int_or("stride", 1, 1, limits::kMaxStride));
  const YamlNode stages = root["stages"];
  if (stages.size() == 0 || stages.size() > static_cast<std::size_t>(limits::kMaxStages)) {
    stages.fail(fmt::format("expected 1..{} stages, got {}", limits::kMaxStages, stages.size()));
  }
  spec.stages.clear();
  for (const auto& node : stages.items()) {
    node.check_keys({"stride", "expansion", "kernel", "depth", "width"});
    space::StageSpec stage;
    stage.stride = static_cast<int>(node.int_or("stride", 1, 1, limits::kMaxStride));
    stage.expansions = read_choices(node["expansion"], 1, limits::kMaxExpansion);
    stage.kernels = read_choices(node["kernel"], 1, limits::kMaxKernel);
    stage.depths = read_choices(node["depth"], 0, limits::kMaxDepth);
    stage.widths = read_choices(node["width"], 1, limits::kMaxChannels);
    spec.stages.push_back(std::move(stage));
  }
  if (const auto head = root.get("head")) {
    head->check_keys({"out"});
    spec.head_out = static_cast<int>((*head)["out"].as_int(1, limits::kMaxChannels));
  }
  if (const auto bits = root.get("bits")) spec.bits = read_bits(*bits);
  if (const auto quant = root.get("quantization")) spec.quantization = read_quantization(*quant);
  return space::make_block_space(std::move(spec));
}

// A space made as a shared value (make_nb201_space) handed out as the unique_ptr this reader
// returns: every call forwards.
class SharedSpace final : public space::SearchSpace {
 public:
  explicit SharedSpace(std::shared_ptr<const space::SearchSpace> inner)
      : inner_(std::move(inner)) {}
  std::string_view kind() const override { return inner_->kind(); }
  const std::string& name() const override { return inner_->name(); }
  const std::vector<space::Gene>& genes() const override { return inner_->genes(); }
  ir::Network decode(const space::Genotype& genotype) const override {
    return inner_->decode(genotype);
  }
  std::vector<bool> active_genes(const space::Genotype& genotype) const override {
    return inner_->active_genes(genotype);
  }
  std::string describe(const space::Genotype& genotype) const override {
    return inner_->describe(genotype);
  }
  space::SpaceSize size() const override { return inner_->size(); }

 private:
  std::shared_ptr<const space::SearchSpace> inner_;
};

// The NAS-Bench-201 cell space: its skeleton is fixed, every key optional.
std::unique_ptr<space::SearchSpace> read_nb201(const YamlNode& root) {
  root.check_keys(
      {"space", "name", "stem_channels", "cells_per_stage", "classes", "input", "bits"});
  space::Nb201Options options;
  options.name = root.string_or("name", options.name);
  options.stem_channels = static_cast<int>(
      root.int_or("stem_channels", options.stem_channels, 1, limits::kMaxChannels / 4));
  options.cells_per_stage = static_cast<int>(
      root.int_or("cells_per_stage", options.cells_per_stage, 1, limits::kMaxDepth));
  options.classes =
      static_cast<int>(root.int_or("classes", options.classes, 1, limits::kMaxClasses));
  if (const auto input = root.get("input")) options.input = read_input(*input);
  if (const auto bits = root.get("bits")) options.bits = read_bits(*bits);
  return std::make_unique<SharedSpace>(space::make_nb201_space(options));
}

}  // namespace

std::unique_ptr<space::SearchSpace> space_from_yaml(const YamlNode& root) {
  root.expect_map();
  const YamlNode kind_node = root["space"];
  const std::string kind = kind_node.as_string();
  try {
    if (kind == "layered") return read_layered(root);
    if (kind == "blocks") return read_blocks(root);
    if (kind == "nb201") return read_nb201(root);
  } catch (const InputError& error) {
    // The factories check the spec again and name the YAML key path; put the file in.
    if (error.where() == "<space>") throw error.in_file(root.file());
    throw;
  }
  kind_node.fail(fmt::format("unknown space kind '{}' (expected layered, blocks or nb201)", kind));
}

std::unique_ptr<space::SearchSpace> parse_space_yaml(const std::string& text,
                                                     const std::string& name) {
  return space_from_yaml(YamlNode::load_string(text, name));
}

std::unique_ptr<space::SearchSpace> read_space_file(const std::string& path) {
  return space_from_yaml(YamlNode::load_file(path));
}

}  // namespace hwnas::io
