#include "hwnas/io/yaml_node.hpp"

#include <charconv>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "hwnas/core/error.hpp"

namespace hwnas::io {

YamlNode::YamlNode(YAML::Node node, std::string file, std::string path)
    : node_(std::move(node)), file_(std::move(file)), path_(std::move(path)) {}

YamlNode YamlNode::load_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError(path, "", "cannot open file");
  std::stringstream text;
  text << in.rdbuf();
  return load_string(text.str(), path);
}

YamlNode YamlNode::load_string(const std::string& text, const std::string& name) {
  try {
    return YamlNode(YAML::Load(text), name, "");
  } catch (const YAML::Exception& e) {
    throw InputError(name, fmt::format("line {}, column {}", e.mark.line + 1, e.mark.column + 1),
                     "malformed YAML: " + e.msg);
  }
}

std::string YamlNode::child_path(const std::string& key) const {
  return path_.empty() ? key : path_ + "." + key;
}

std::string YamlNode::describe() const {
  if (!node_.IsDefined() || node_.IsNull()) return "nothing";
  if (node_.IsScalar()) return "'" + node_.Scalar() + "'";
  if (node_.IsSequence()) return "a list";
  return "a map";
}

void YamlNode::fail(const std::string& reason) const {
  throw InputError(file_, path_.empty() ? "(top level)" : path_, reason);
}

void YamlNode::expect_map() const {
  if (!node_.IsMap()) fail("expected a map, got " + describe());
}

bool YamlNode::has(const std::string& key) const {
  return node_.IsMap() && node_[key].IsDefined() && !node_[key].IsNull();
}

YamlNode YamlNode::operator[](const std::string& key) const {
  expect_map();
  if (!has(key)) throw InputError(file_, child_path(key), "missing required key");
  return YamlNode(node_[key], file_, child_path(key));
}

std::optional<YamlNode> YamlNode::get(const std::string& key) const {
  expect_map();
  if (!has(key)) return std::nullopt;
  return YamlNode(node_[key], file_, child_path(key));
}

std::size_t YamlNode::size() const {
  if (!node_.IsSequence()) fail("expected a list, got " + describe());
  return node_.size();
}

YamlNode YamlNode::at(std::size_t index) const {
  if (index >= size()) fail(fmt::format("index {} out of range", index));
  return YamlNode(node_[index], file_, fmt::format("{}[{}]", path_, index));
}

std::vector<YamlNode> YamlNode::items() const {
  std::vector<YamlNode> out;
  for (std::size_t i = 0; i < size(); ++i) out.push_back(at(i));
  return out;
}

std::vector<std::string> YamlNode::keys() const {
  expect_map();
  std::vector<std::string> out;
  for (const auto& entry : node_) out.push_back(entry.first.as<std::string>());
  return out;
}

std::int64_t YamlNode::as_int(std::int64_t min, std::int64_t max) const {
  auto range = [&] {
    if (min == INT64_MIN && max == INT64_MAX) return std::string("an integer");
    if (max == INT64_MAX) return fmt::format("an integer >= {}", min);
    return fmt::format("an integer in {}..{}", min, max);
  };
  if (!node_.IsScalar()) fail(fmt::format("expected {}, got {}", range(), describe()));
  const std::string& text = node_.Scalar();
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    fail(fmt::format("expected {}, got {}", range(), describe()));
  }
  if (value < min || value > max) fail(fmt::format("expected {}, got {}", range(), value));
  return value;
}

double YamlNode::as_double(double min, double max) const {
  if (!node_.IsScalar()) fail("expected a number, got " + describe());
  const std::string& text = node_.Scalar();
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    fail("expected a number, got " + describe());
  }
  if (value < min || value > max) {
    fail(fmt::format("expected a number in [{}, {}], got {}", min, max, value));
  }
  return value;
}

std::string YamlNode::as_string() const {
  if (!node_.IsScalar()) fail("expected a string, got " + describe());
  return node_.Scalar();
}

bool YamlNode::as_bool() const {
  if (node_.IsScalar()) {
    const std::string& text = node_.Scalar();
    if (text == "true" || text == "yes" || text == "on") return true;
    if (text == "false" || text == "no" || text == "off") return false;
  }
  fail("expected true or false, got " + describe());
}

std::vector<std::int64_t> YamlNode::as_int_list(std::int64_t min, std::int64_t max) const {
  std::vector<std::int64_t> out;
  if (node_.IsScalar()) {
    out.push_back(as_int(min, max));
    return out;
  }
  for (const auto& item : items()) out.push_back(item.as_int(min, max));
  return out;
}

std::int64_t YamlNode::int_or(const std::string& key, std::int64_t fallback, std::int64_t min,
                              std::int64_t max) const {
  const auto child = get(key);
  return child ? child->as_int(min, max) : fallback;
}

double YamlNode::double_or(const std::string& key, double fallback, double min, double max) const {
  const auto child = get(key);
  return child ? child->as_double(min, max) : fallback;
}

std::string YamlNode::string_or(const std::string& key, const std::string& fallback) const {
  const auto child = get(key);
  return child ? child->as_string() : fallback;
}

bool YamlNode::bool_or(const std::string& key, bool fallback) const {
  const auto child = get(key);
  return child ? child->as_bool() : fallback;
}

void YamlNode::check_keys(std::initializer_list<std::string_view> allowed) const {
  check_keys(std::vector<std::string>(allowed.begin(), allowed.end()));
}

void YamlNode::check_keys(const std::vector<std::string>& allowed) const {
  expect_map();
  for (const auto& key : keys()) {
    bool known = false;
    for (const auto& name : allowed) known |= name == key;
    if (!known) {
      std::string list;
      for (const auto& name : allowed) list += (list.empty() ? "" : ", ") + name;
      throw InputError(file_, child_path(key), "unknown key (expected one of: " + list + ")");
    }
  }
}

}  // namespace hwnas::io
