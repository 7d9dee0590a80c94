#pragma once
// Devices and boards in YAML (data/devices/*.yaml and data/boards/*.yaml show every key).
// `--device` takes a built-in name ("xczu3eg") or the path of a user's file; a device file names
// its default board, which `--board` (a name or a path) overrides.

#include <string>
#include <vector>

#include "hwnas/hw/device.hpp"
#include "hwnas/io/yaml_node.hpp"

namespace hwnas::io {

hw::Device device_from_yaml(const YamlNode& root);
hw::Board board_from_yaml(const YamlNode& root);

std::vector<std::string> builtin_device_names();
std::vector<std::string> builtin_board_names();

// A built-in name or a file path. Errors name the file and key, or list the built-in names.
hw::Device load_device(const std::string& name_or_path);
hw::Board load_board(const std::string& name_or_path);
// The device and its board: `board` empty = the board the device file names.
hw::Target load_target(const std::string& device, const std::string& board = "");

}  // namespace hwnas::io
