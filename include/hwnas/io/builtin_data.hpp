#pragma once
// The data files compiled into hwnas (data/devices/*.yaml, data/boards/*.yaml).

#include <string>
#include <vector>

namespace hwnas::io {

struct BuiltinFile {
  std::string path;  // relative to data/, e.g. "devices/xczu3eg.yaml"
  std::string text;
};
const std::vector<BuiltinFile>& builtin_files();

}  // namespace hwnas::io
