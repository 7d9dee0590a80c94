#pragma once
// A YAML node that remembers its file and key path, so that every error it raises says where:
// "net.yaml: layers[2].kernel: expected an integer in 1..15, got 'x'". Used by every reader in
// hwnas::io; nothing outside io sees YAML.

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

namespace hwnas::io {

class YamlNode {
 public:
  YamlNode(YAML::Node node, std::string file, std::string path);

  // Throw InputError naming the file and the problem (missing file, YAML syntax with line).
  static YamlNode load_file(const std::string& path);
  static YamlNode load_string(const std::string& text, const std::string& name);

  const std::string& file() const { return file_; }
  const std::string& path() const { return path_; }
  const YAML::Node& raw() const { return node_; }

  bool is_map() const { return node_.IsMap(); }
  bool is_sequence() const { return node_.IsSequence(); }
  bool is_scalar() const { return node_.IsScalar(); }
  bool has(const std::string& key) const;

  // Required child: throws "missing key" naming the full path.
  YamlNode operator[](const std::string& key) const;
  std::optional<YamlNode> get(const std::string& key) const;
  // Sequence element / size; throws if this is not a sequence.
  std::size_t size() const;
  YamlNode at(std::size_t index) const;
  std::vector<YamlNode> items() const;
  // Map keys in file order; throws if this is not a map.
  std::vector<std::string> keys() const;

  // Scalars, with range checks; each error names the path and the expected form.
  std::int64_t as_int(std::int64_t min = INT64_MIN, std::int64_t max = INT64_MAX) const;
  double as_double(double min = -1e300, double max = 1e300) const;
  std::string as_string() const;
  bool as_bool() const;
  std::vector<std::int64_t> as_int_list(std::int64_t min = INT64_MIN,
                                        std::int64_t max = INT64_MAX) const;

  // Convenience: optional scalars with defaults.
  std::int64_t int_or(const std::string& key, std::int64_t fallback, std::int64_t min = INT64_MIN,
                      std::int64_t max = INT64_MAX) const;
  double double_or(const std::string& key, double fallback, double min = -1e300,
                   double max = 1e300) const;
  std::string string_or(const std::string& key, const std::string& fallback) const;
  bool bool_or(const std::string& key, bool fallback) const;

  // Requires a map whose keys are all in `allowed`; an unknown key is an error listing them.
  void expect_map() const;
  void check_keys(std::initializer_list<std::string_view> allowed) const;
  void check_keys(const std::vector<std::string>& allowed) const;

  [[noreturn]] void fail(const std::string& reason) const;

 private:
  std::string child_path(const std::string& key) const;
  std::string describe() const;  // the scalar text, or the node type, for "got ..." messages

  YAML::Node node_;
  std::string file_;
  std::string path_;
};

}  // namespace hwnas::io
