#include "hwnas/io/systolic_yaml.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include <fmt/format.h>

#include "hwnas/core/error.hpp"
#include "hwnas/io/builtin_data.hpp"

namespace hwnas::io {

namespace {

// How a parameter's values are read and checked.
struct ParameterRule {
  bool integer;
  double min;
  double max;
};
ParameterRule rule_of(const std::string& name) {
  if (name == "pe_x" || name == "pe_y" || name == "simd_units") return {true, 1, 256};
  if (name == "lanes") return {true, 1, 1024};
  if (name == "local_memory_kib" || name == "register_file_bytes") return {true, 1, 1 << 20};
  if (name == "global_buffer_kib") return {true, 1, 1 << 22};
  if (name == "mac_bits") return {true, 8, 16};
  return {false, 0, 1e5};  // bandwidth_gb_per_s, clock_mhz: > 0
}

double read_value(const YamlNode& node, const std::string& name) {
  const ParameterRule rule = rule_of(name);
  if (rule.integer) {
    const auto value =
        node.as_int(static_cast<std::int64_t>(rule.min), static_cast<std::int64_t>(rule.max));
    if (name == "mac_bits" && value != 8 && value != 16) {
      node.fail(fmt::format("expected 8 or 16, got {}", value));
    }
    return static_cast<double>(value);
  }
  const double value = node.as_double(rule.min, rule.max);
  if (value <= 0) node.fail(fmt::format("expected a number > 0, got {}", value));
  return value;
}

const std::vector<std::string>& parameter_keys() {
  return cost::systolic_parameter_names();
}

std::string format_value(const cost::SystolicConfig& config, std::size_t index) {
  // {} prints the shortest text that reads back to the same double.
  return fmt::format("{}", cost::systolic_parameter(config, index));
}

std::vector<double> read_values(const YamlNode& node, const std::string& name) {
  std::vector<double> values;
  if (node.is_scalar()) {
    values.push_back(read_value(node, name));
  } else if (node.is_sequence()) {
    for (const auto& item : node.items()) values.push_back(read_value(item, name));
  } else if (node.is_map() && node.has("values")) {
    node.check_keys({"values"});
    return read_values(node["values"], name);
  } else if (node.is_map()) {
    node.check_keys({"min", "max", "step"});
    const double min = read_value(node["min"], name);
    const double max = read_value(node["max"], name);
    const double step = read_value(node["step"], name);
    if (max < min) node["max"].fail(fmt::format("max {} is below min {}", max, min));
    const double count = std::floor((max - min) / step + 1e-9) + 1;
    if (count > 10000) node.fail(fmt::format("the range has {} values (at most 10000)", count));
    for (int i = 0; i < static_cast<int>(count); ++i) values.push_back(min + i * step);
  } else {
    node.fail("expected a value, a list, {values: [...]} or {min, max, step}");
  }
  if (values.empty()) node.fail("expected at least one value");
  std::sort(values.begin(), values.end());
  for (std::size_t i = 1; i < values.size(); ++i) {
    if (values[i] == values[i - 1]) node.fail(fmt::format("the value {} appears twice", values[i]));
  }
  return values;
}

}  // namespace

cost::SystolicConfig systolic_config_from_yaml(const YamlNode& node) {
  node.expect_map();
  node.check_keys(parameter_keys());
  cost::SystolicConfig config;
  const auto& names = cost::systolic_parameter_names();
  for (std::size_t i = 0; i < names.size(); ++i) {
    cost::set_systolic_parameter(config, i, read_value(node[names[i]], names[i]));
  }
  return config;
}

cost::SystolicConfig systolic_file_from_yaml(const YamlNode& root) {
  root.expect_map();
  root.check_keys({"template", "systolic"});
  const YamlNode templ = root["template"];
  if (templ.as_string() != "systolic") {
    templ.fail(fmt::format("expected systolic, got '{}'", templ.as_string()));
  }
  return systolic_config_from_yaml(root["systolic"]);
}

cost::SystolicConfig read_systolic_file(const std::string& path) {
  return systolic_file_from_yaml(YamlNode::load_file(path));
}

std::string to_yaml(const cost::SystolicConfig& config) {
  std::string out = "template: systolic\nsystolic:\n";
  const auto& names = cost::systolic_parameter_names();
  for (std::size_t i = 0; i < names.size(); ++i) {
    out += fmt::format("  {}: {}\n", names[i], format_value(config, i));
  }
  return out;
}

cost::SystolicSpace systolic_space_from_yaml(const YamlNode& root) {
  root.expect_map();
  root.check_keys({"template", "space", "default"});
  const YamlNode templ = root["template"];
  if (templ.as_string() != "systolic") {
    templ.fail(fmt::format("expected systolic, got '{}'", templ.as_string()));
  }
  cost::SystolicSpace space;
  space.default_config = systolic_config_from_yaml(root["default"]);
  const YamlNode ranges = root["space"];
  ranges.expect_map();
  ranges.check_keys(parameter_keys());
  const auto& names = cost::systolic_parameter_names();
  for (std::size_t i = 0; i < names.size(); ++i) {
    cost::SystolicParameter parameter{names[i], {}};
    if (auto node = ranges.get(names[i])) {
      parameter.values = read_values(*node, names[i]);
    } else {
      parameter.values = {cost::systolic_parameter(space.default_config, i)};
    }
    space.parameters.push_back(std::move(parameter));
  }
  try {
    (void)space.genes_for(space.default_config);
  } catch (const InputError& e) {
    // "accel.pe_x" -> "default.pe_x": the default is what does not fit its list.
    throw InputError(root.file(), "default" + e.key().substr(e.key().find('.')),
                     e.reason() + " (the values of space." + e.key().substr(6) + ")");
  }
  return space;
}

cost::SystolicSpace read_systolic_space_file(const std::string& path) {
  return systolic_space_from_yaml(YamlNode::load_file(path));
}

cost::SystolicConstants systolic_constants_from_yaml(const YamlNode& root) {
  root.expect_map();
  root.check_keys({"name", "process_nm", "energy_pj", "area_um2", "sram_array_efficiency"});
  auto figure = [](const YamlNode& node, double max) {
    node.expect_map();
    node.check_keys({"value", "source"});
    const double value = node["value"].as_double(0, max);
    if (value <= 0) node["value"].fail(fmt::format("expected a number > 0, got {}", value));
    if (node["source"].as_string().empty()) node["source"].fail("expected a non-empty source");
    return value;
  };
  cost::SystolicConstants k;
  (void)root["name"].as_string();
  k.process_nm = root["process_nm"].as_double(1, 1000);
  const YamlNode energy = root["energy_pj"];
  energy.check_keys({"int8_mult", "int32_mult", "int8_add", "int32_add", "register_file_64b",
                     "sram_8kib_64b", "sram_32kib_64b", "sram_1mib_64b", "dram_64b"});
  k.int8_mult_pj = figure(energy["int8_mult"], 1e6);
  k.int32_mult_pj = figure(energy["int32_mult"], 1e6);
  k.int8_add_pj = figure(energy["int8_add"], 1e6);
  k.int32_add_pj = figure(energy["int32_add"], 1e6);
  k.register_file_pj_per_64b = figure(energy["register_file_64b"], 1e6);
  k.sram_8kib_pj_per_64b = figure(energy["sram_8kib_64b"], 1e6);
  k.sram_32kib_pj_per_64b = figure(energy["sram_32kib_64b"], 1e6);
  k.sram_1mib_pj_per_64b = figure(energy["sram_1mib_64b"], 1e6);
  k.dram_pj_per_64b = figure(energy["dram_64b"], 1e6);
  const YamlNode area = root["area_um2"];
  area.check_keys({"int8_mult", "int32_mult", "int32_add", "flipflop_bit", "sram_bit_cell"});
  k.int8_mult_um2 = figure(area["int8_mult"], 1e9);
  k.int32_mult_um2 = figure(area["int32_mult"], 1e9);
  k.int32_add_um2 = figure(area["int32_add"], 1e9);
  k.flipflop_um2 = figure(area["flipflop_bit"], 1e9);
  k.sram_cell_um2 = figure(area["sram_bit_cell"], 1e9);
  k.sram_array_efficiency = figure(root["sram_array_efficiency"], 1);
  return k;
}

cost::SystolicConstants read_systolic_constants(const std::string& path) {
  if (!path.empty()) return systolic_constants_from_yaml(YamlNode::load_file(path));
  for (const auto& file : builtin_files()) {
    if (file.path == "accelerators/constants.yaml") {
      return systolic_constants_from_yaml(
          YamlNode::load_string(file.text, "<built-in accelerators/constants.yaml>"));
    }
  }
  throw InputError("accelerators/constants.yaml", "", "not among the built-in data files");
}

}  // namespace hwnas::io
