#include "hwnas/io/accelerator_yaml.hpp"

#include <fmt/format.h>

#include "hwnas/core/error.hpp"

namespace hwnas::io {

namespace {
cost::Folding read_folding(const YamlNode& node) {
  node.check_keys({"pe", "simd"});
  return {static_cast<int>(node.int_or("pe", 1, 1, 1 << 20)),
          static_cast<int>(node.int_or("simd", 1, 1, 1 << 20))};
}
}  // namespace

AcceleratorFile accelerator_from_yaml(const YamlNode& root) {
  root.expect_map();
  root.check_keys({"template", "model", "tiled", "dataflow"});
  AcceleratorFile file;
  file.file = root.file();
  const YamlNode templ = root["template"];
  file.template_name = templ.as_string();
  if (file.template_name == "tiled") {
    if (root.has("dataflow")) root["dataflow"].fail("a tiled configuration has no 'dataflow' key");
    if (auto model = root.get("model")) {
      const std::string name = model->as_string();
      if (name == "halo") {
        file.model = cost::TiledModel::halo;
      } else if (name == "fnas") {
        file.model = cost::TiledModel::fnas;
      } else {
        model->fail(fmt::format("unknown model '{}' (expected halo or fnas)", name));
      }
    }
    const YamlNode tiled = root["tiled"];
    tiled.check_keys({"tm", "tn", "tr", "tc"});
    file.tiled = {static_cast<int>(tiled["tm"].as_int(1, 1 << 16)),
                  static_cast<int>(tiled["tn"].as_int(1, 1 << 16)),
                  static_cast<int>(tiled["tr"].as_int(1, 1 << 16)),
                  static_cast<int>(tiled["tc"].as_int(1, 1 << 16))};
  } else if (file.template_name == "dataflow") {
    if (root.has("tiled")) root["tiled"].fail("a dataflow configuration has no 'tiled' key");
    if (root.has("model")) root["model"].fail("'model' applies to the tiled template only");
    const YamlNode dataflow = root["dataflow"];
    dataflow.check_keys({"default", "layers"});
    if (auto fallback = dataflow.get("default")) file.default_folding = read_folding(*fallback);
    if (auto layers = dataflow.get("layers")) {
      for (const auto& name : layers->keys()) file.foldings[name] = read_folding((*layers)[name]);
    }
  } else {
    templ.fail(
        fmt::format("unknown template '{}' (expected tiled or dataflow)", file.template_name));
  }
  return file;
}

AcceleratorFile read_accelerator_file(const std::string& path) {
  return accelerator_from_yaml(YamlNode::load_file(path));
}

cost::DataflowConfig dataflow_config_for(const AcceleratorFile& file, const ir::Network& network) {
  cost::DataflowConfig config;
  for (const auto& layer : network.layers) {
    const auto it = file.foldings.find(layer.name);
    config.layers.push_back(it == file.foldings.end() ? file.default_folding : it->second);
  }
  for (const auto& [name, folding] : file.foldings) {
    bool known = false;
    for (const auto& layer : network.layers) known |= layer.name == name;
    if (!known) {
      throw InputError(file.file, "dataflow.layers." + name,
                       fmt::format("the network '{}' has no layer of that name", network.name));
    }
  }
  return config;
}

std::string tiled_config_to_yaml(const cost::TiledConfig& c, cost::TiledModel model) {
  return fmt::format("template: tiled\nmodel: {}\ntiled: {{tm: {}, tn: {}, tr: {}, tc: {}}}\n",
                     cost::to_string(model), c.tm, c.tn, c.tr, c.tc);
}

std::string dataflow_config_to_yaml(const cost::DataflowConfig& config,
                                    const ir::Network& network) {
  std::string out = "template: dataflow\ndataflow:\n  layers:\n";
  for (std::size_t i = 0; i < network.layers.size() && i < config.layers.size(); ++i) {
    // Weight layers always, streaming units (pools, adds) when folded: reading the file back
    // gives the same configuration.
    if (!network.layers[i].has_weights() && config.layers[i] == cost::Folding{}) continue;
    out += fmt::format("    {}: {{pe: {}, simd: {}}}\n", network.layers[i].name,
                       config.layers[i].pe, config.layers[i].simd);
  }
  return out;
}

}  // namespace hwnas::io
