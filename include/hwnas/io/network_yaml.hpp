#pragma once
// Networks in YAML. The format (README, "Network files"):
//
//   name: lenet
//   input: {channels: 1, height: 28, width: 28}
//   batch: 1                      # optional, default 1
//   bits: {weight: 16, act: 16}   # optional default for every layer
//   layers:
//     - {type: conv, out: 6, kernel: 5, stride: 1, pad: 2, bits: {weight: 8, act: 8}}
//     - {type: relu}
//     - {type: maxpool, kernel: 2}          # stride defaults to kernel
//     - {type: add, with: block0_in}        # = inputs: [<previous layer>, block0_in]
//     - {type: linear, out: 10}
//
// Conv defaults: stride 1, pad kernel/2 ("same" for odd kernels at stride 1), groups 1
// (`groups: depthwise` = one group per input channel), bias true, out = input channels.

#include <string>

#include "hwnas/io/yaml_node.hpp"
#include "hwnas/ir/network.hpp"

namespace hwnas::io {

// Reads and checks a network: unknown keys, bad values and shapes that do not work out raise
// InputError naming the file, the key path (layers[i].key) or layer, and the reason.
ir::Network read_network_file(const std::string& path);
ir::Network parse_network_yaml(const std::string& text, const std::string& name);
ir::Network network_from_yaml(const YamlNode& root);

// Writes a network in the same format, leaving out values equal to the defaults.
// parse_network_yaml(network_to_yaml(n)) == n for any network with named layers.
std::string network_to_yaml(const ir::Network& network);

}  // namespace hwnas::io
