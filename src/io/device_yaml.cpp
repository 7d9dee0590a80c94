#include "hwnas/io/device_yaml.hpp"

#include <filesystem>

#include <fmt/format.h>

#include "hwnas/core/error.hpp"
#include "hwnas/io/builtin_data.hpp"

namespace hwnas::io {

namespace {

// Device files also carry the name of their default board, which hw::Device does not hold.
struct DeviceFile {
  hw::Device device;
  std::string board;
};

DeviceFile read_device_file(const YamlNode& root) {
  root.expect_map();
  root.check_keys({"name", "part", "family", "source", "board", "dsp", "resources", "bram",
                   "lut_multiplier_max_bits", "lutram_bits_per_lut"});
  DeviceFile file;
  hw::Device& d = file.device;
  d.name = root["name"].as_string();
  d.part = root.string_or("part", d.name);
  d.family = root.string_or("family", "");
  d.source = root.string_or("source", "");
  file.board = root.string_or("board", "");
  const YamlNode dsp = root["dsp"];
  const std::string dsp_kind = dsp.as_string();
  if (dsp_kind == "dsp48e1") {
    d.dsp_kind = hw::DspKind::dsp48e1;
  } else if (dsp_kind == "dsp48e2") {
    d.dsp_kind = hw::DspKind::dsp48e2;
  } else if (dsp_kind == "sb_mac16") {
    d.dsp_kind = hw::DspKind::sb_mac16;
  } else {
    dsp.fail(fmt::format("unknown DSP block '{}' (expected one of: dsp48e1, dsp48e2, sb_mac16)",
                         dsp_kind));
  }
  const YamlNode resources = root["resources"];
  resources.check_keys({"lut", "ff", "bram", "dsp"});
  d.budget.lut = static_cast<double>(resources["lut"].as_int(0));
  d.budget.ff = static_cast<double>(resources["ff"].as_int(0));
  d.budget.bram = static_cast<double>(resources["bram"].as_int(0));
  d.budget.dsp = static_cast<double>(resources["dsp"].as_int(0));
  const YamlNode bram = root["bram"];
  bram.check_keys({"unit", "bits", "aspects"});
  d.bram_unit = bram.string_or("unit", "BRAM18");
  d.bram_bits = bram["bits"].as_int(1);
  const YamlNode aspects = bram["aspects"];
  if (aspects.size() == 0) aspects.fail("expected at least one [width, depth] pair");
  for (const auto& aspect : aspects.items()) {
    const auto pair = aspect.as_int_list(1);
    if (pair.size() != 2) aspect.fail("expected a [width_bits, depth] pair");
    if (pair[0] * pair[1] > d.bram_bits) {
      aspect.fail(
          fmt::format("{} x {} bits exceeds the block's {} bits", pair[0], pair[1], d.bram_bits));
    }
    d.bram_aspects.push_back({static_cast<int>(pair[0]), static_cast<int>(pair[1])});
  }
  d.lut_multiplier_max_bits = static_cast<int>(root.int_or("lut_multiplier_max_bits", 4, 0, 32));
  d.lutram_bits_per_lut = static_cast<int>(root.int_or("lutram_bits_per_lut", 64, 0, 1024));
  return file;
}

const BuiltinFile* find_builtin(const std::string& folder, const std::string& name) {
  const std::string path = folder + "/" + name + ".yaml";
  for (const auto& file : builtin_files()) {
    if (file.path == path) return &file;
  }
  return nullptr;
}

std::vector<std::string> names_in(const std::string& folder) {
  std::vector<std::string> names;
  for (const auto& file : builtin_files()) {
    if (file.path.rfind(folder + "/", 0) == 0) {
      names.push_back(std::filesystem::path(file.path).stem().string());
    }
  }
  return names;
}

// A built-in name, or else a path; a name that is neither gets the list of built-ins.
YamlNode load_named(const std::string& folder, const std::string& what,
                    const std::string& name_or_path) {
  if (const BuiltinFile* file = find_builtin(folder, name_or_path)) {
    return YamlNode::load_string(file->text, "<built-in " + what + " " + name_or_path + ">");
  }
  if (std::filesystem::exists(name_or_path)) return YamlNode::load_file(name_or_path);
  throw InputError(name_or_path, "",
                   fmt::format("no such {} file, and not a built-in {} (built-in: {})", what, what,
                               fmt::join(names_in(folder), ", ")));
}

DeviceFile load_device_file(const std::string& name_or_path) {
  return read_device_file(load_named("devices", "device", name_or_path));
}

}  // namespace

hw::Device device_from_yaml(const YamlNode& root) {
  return read_device_file(root).device;
}

hw::Board board_from_yaml(const YamlNode& root) {
  root.expect_map();
  root.check_keys({"name", "source", "clock_mhz", "dram_gb_per_s", "ports"});
  hw::Board b;
  b.name = root["name"].as_string();
  b.source = root.string_or("source", "");
  b.clock_mhz = root["clock_mhz"].as_double(1e-3, 1e5);
  b.dram_gb_per_s = root["dram_gb_per_s"].as_double(1e-9, 1e6);
  const YamlNode ports = root["ports"];
  ports.check_keys({"weight_bits", "input_bits", "output_bits"});
  b.weight_port_bits = static_cast<int>(ports["weight_bits"].as_int(1, 1 << 16));
  b.input_port_bits = static_cast<int>(ports["input_bits"].as_int(1, 1 << 16));
  b.output_port_bits = static_cast<int>(ports["output_bits"].as_int(1, 1 << 16));
  return b;
}

std::vector<std::string> builtin_device_names() {
  return names_in("devices");
}
std::vector<std::string> builtin_board_names() {
  return names_in("boards");
}

hw::Device load_device(const std::string& name_or_path) {
  return load_device_file(name_or_path).device;
}

hw::Board load_board(const std::string& name_or_path) {
  return board_from_yaml(load_named("boards", "board", name_or_path));
}

hw::Target load_target(const std::string& device, const std::string& board) {
  const DeviceFile file = load_device_file(device);
  if (board.empty() && file.board.empty()) {
    throw InputError(device, "board", "the device names no default board: give one with --board");
  }
  return {file.device, load_board(board.empty() ? file.board : board)};
}

}  // namespace hwnas::io
