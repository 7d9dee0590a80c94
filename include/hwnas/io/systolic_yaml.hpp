#pragma once
// The systolic accelerator template in YAML: one accelerator (what `hwnas estimate
// --accelerator` reads), an accelerator search space (NAHAS's joint search), and the energy and
// area constants (data/accelerators/constants.yaml). Every error names the file, the key path
// and the reason ("edge.yaml: systolic.pe_x: expected an integer in 1..256, got 0").
//
// Accelerator (every key required; examples/accel/edge-default.yaml):
//   template: systolic
//   systolic: {pe_x: 8, pe_y: 8, simd_units: 4, lanes: 16, local_memory_kib: 64,
//              register_file_bytes: 512, global_buffer_kib: 4096, bandwidth_gb_per_s: 8,
//              clock_mhz: 500, mac_bits: 8}
//
// Space (examples/accel/edge-space.yaml):
//   template: systolic
//   space:                       # any parameter left out is fixed at the default's value
//     pe_x: [2, 4, 8, 16]        # a list,
//     clock_mhz: {min: 500, max: 1000, step: 100}   # a range (min, min+step, ... <= max),
//     mac_bits: 8                # or one value ({values: [...]} is the same as a list)
//   default: {pe_x: 8, ...}      # every key, as in an accelerator file; must lie in the space
//
// Ranges of every value: pe_x, pe_y, simd_units 1..256; lanes 1..1024; local_memory_kib
// 1..1048576; register_file_bytes 1..1048576; global_buffer_kib 1..4194304; bandwidth_gb_per_s
// and clock_mhz in (0, 1e5]; mac_bits 8 or 16.

#include <string>

#include "hwnas/cost/systolic.hpp"
#include "hwnas/io/yaml_node.hpp"

namespace hwnas::io {

// `node` is the map of the ten parameters (the value of `systolic:` or `default:`).
cost::SystolicConfig systolic_config_from_yaml(const YamlNode& node);
// A whole accelerator file (template: systolic).
cost::SystolicConfig systolic_file_from_yaml(const YamlNode& root);
cost::SystolicConfig read_systolic_file(const std::string& path);
// An accelerator file that systolic_file_from_yaml reads back to the same configuration.
std::string to_yaml(const cost::SystolicConfig& config);

cost::SystolicSpace systolic_space_from_yaml(const YamlNode& root);
cost::SystolicSpace read_systolic_space_file(const std::string& path);

// The constants file; every figure needs a value and a non-empty source.
cost::SystolicConstants systolic_constants_from_yaml(const YamlNode& root);
// `path` empty: the built-in data/accelerators/constants.yaml.
cost::SystolicConstants read_systolic_constants(const std::string& path = "");

}  // namespace hwnas::io
