#pragma once
// Search spaces in YAML (examples/spaces/*.yaml). Three kinds:
//
//   space: layered                 # the FNAS layered space (hwnas/space/layered_space.hpp)
//   name: fnas                     # optional, default: the kind; names the decoded networks
//   input: {channels: 1, height: 28, width: 28}
//   classes: 10
//   layers:
//     count: [4, 6, 8]             # layer-count choices
//     kernel: [1, 3, 5, 7]
//     filters: [24, 36, 48, 64]
//     stride: [1, 2]               # optional, default [1]
//     pool: [none, max]            # optional, default [none]; choices none, max, avg (2x2)
//     batchnorm: false             # optional, default false
//   bits: {weight: 16, act: 16}    # optional fixed bits of the layers no bit gene governs
//   quantization: {weight_bits: [2, 4, 8], act_bits: [4, 8], per: layer}   # optional
//
//   space: blocks                  # MobileNetV2/MnasNet blocks (hwnas/space/block_space.hpp)
//   input: {channels: 3, height: 32, width: 32}
//   classes: 10
//   stem: {out: 32, stride: 1}     # 3x3 conv; stride optional, default 1
//   stages:                        # stride optional (default 1); the rest are choice lists
//     - {stride: 1, expansion: [1], kernel: [3], depth: [1], width: [16]}
//     - {stride: 2, expansion: [3, 6], kernel: [3, 5, 7], depth: [1, 2, 3, 4], width: [24, 32]}
//   head: {out: 1280}              # optional 1x1 conv before pooling
//   bits: ...; quantization: {..., per: layer | block}   # as above
//
//   space: nb201                   # NAS-Bench-201 cells (hwnas/space/nb201_space.hpp)
//   name: nb201                    # every key optional; the defaults are NAS-Bench-201's CIFAR-10
//   stem_channels: 16              # stages have 1x, 2x, 4x as many
//   cells_per_stage: 5
//   classes: 10
//   input: {channels: 3, height: 32, width: 32}   # height and width multiples of 4
//   bits: {weight: 16, act: 16}    # every layer's bits
//
// A choice list may be a single value (`kernel: 3` = `kernel: [3]`). Lists must be non-empty and
// free of repeats; bit widths are in 1..32. Errors raise InputError naming the file, the key path
// (e.g. "stages[1].width[0]") and the reason; unknown keys are rejected.

#include <memory>
#include <string>

#include "hwnas/io/yaml_node.hpp"
#include "hwnas/space/search_space.hpp"

namespace hwnas::io {

std::unique_ptr<space::SearchSpace> read_space_file(const std::string& path);
// `name` stands for the file in error messages.
std::unique_ptr<space::SearchSpace> parse_space_yaml(const std::string& text,
                                                     const std::string& name);
std::unique_ptr<space::SearchSpace> space_from_yaml(const YamlNode& root);

}  // namespace hwnas::io
