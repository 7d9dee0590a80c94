#pragma once
// Accelerator configuration files: what `hwnas estimate --config` reads and `--save-config`
// writes. Two forms, one per FPGA template:
//
//   template: tiled
//   model: halo                        # or fnas (the published FNAS formula); default halo
//   tiled: {tm: 16, tn: 8, tr: 14, tc: 14}
//
//   template: dataflow
//   dataflow:
//     default: {pe: 1, simd: 1}        # optional, for layers not listed
//     layers:
//       conv0: {pe: 2, simd: 25}       # by layer name
//       linear6: {pe: 5, simd: 16}

#include <map>
#include <optional>
#include <string>

#include "hwnas/cost/dataflow.hpp"
#include "hwnas/cost/tiled.hpp"
#include "hwnas/io/yaml_node.hpp"
#include "hwnas/ir/network.hpp"

namespace hwnas::io {

struct AcceleratorFile {
  std::string file;
  std::string template_name;  // "tiled" or "dataflow"
  std::optional<cost::TiledModel> model;
  cost::TiledConfig tiled;
  cost::Folding default_folding;
  std::map<std::string, cost::Folding> foldings;  // by layer name
};

AcceleratorFile read_accelerator_file(const std::string& path);
AcceleratorFile accelerator_from_yaml(const YamlNode& root);

// The per-layer folding for `network`; a layer name the network does not have is an error
// naming the file and key.
cost::DataflowConfig dataflow_config_for(const AcceleratorFile& file, const ir::Network& network);

std::string tiled_config_to_yaml(const cost::TiledConfig& config, cost::TiledModel model);
std::string dataflow_config_to_yaml(const cost::DataflowConfig& config, const ir::Network& network);

}  // namespace hwnas::io
