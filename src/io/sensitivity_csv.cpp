#include "hwnas/io/sensitivity_csv.hpp"

#include <charconv>
#include <fstream>
#include <sstream>
#include <vector>

#include <fmt/format.h>

#include "hwnas/core/error.hpp"

namespace hwnas::io {

namespace {

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> fields;
  std::string field;
  std::stringstream in(line);
  while (std::getline(in, field, ',')) {
    const auto first = field.find_first_not_of(" \t\r");
    const auto last = field.find_last_not_of(" \t\r");
    fields.push_back(first == std::string::npos ? "" : field.substr(first, last - first + 1));
  }
  return fields;
}

}  // namespace

map::SensitivityTable parse_sensitivity_csv(const std::string& text, const std::string& name) {
  map::SensitivityTable table;
  table.source = name;
  std::stringstream in(text);
  std::string line;
  int line_number = 0;
  std::vector<std::string> header;
  int col_subgraph = -1, col_weight = -1, col_act = -1, col_cost = -1;
  while (std::getline(in, line)) {
    ++line_number;
    if (line.find_first_not_of(" \t\r") == std::string::npos || line[0] == '#') continue;
    const std::vector<std::string> fields = split(line);
    if (header.empty()) {
      header = fields;
      for (int i = 0; i < static_cast<int>(header.size()); ++i) {
        if (header[i] == "subgraph") col_subgraph = i;
        if (header[i] == "weight_bits") col_weight = i;
        if (header[i] == "act_bits") col_act = i;
        if (header[i] == "cost") col_cost = i;
      }
      for (const auto& [col, column] :
           {std::pair{col_subgraph, "subgraph"}, std::pair{col_weight, "weight_bits"},
            std::pair{col_act, "act_bits"}, std::pair{col_cost, "cost"}}) {
        if (col < 0) {
          throw InputError(name, "line 1",
                           fmt::format("missing column '{}' (expected a header "
                                       "subgraph,weight_bits,act_bits,cost)",
                                       column));
        }
      }
      continue;
    }
    const std::string where = fmt::format("line {}", line_number);
    if (fields.size() != header.size()) {
      throw InputError(name, where,
                       fmt::format("expected {} fields, got {}", header.size(), fields.size()));
    }
    auto integer = [&](int col) {
      int value = 0;
      const std::string& f = fields[col];
      const auto [end, ec] = std::from_chars(f.data(), f.data() + f.size(), value);
      if (ec != std::errc() || end != f.data() + f.size() || value < ir::kMinBits ||
          value > ir::kMaxBits) {
        throw InputError(name, where + ", " + header[col],
                         fmt::format("expected bits in 1..32, got '{}'", f));
      }
      return value;
    };
    const int weight = integer(col_weight);
    const int act = integer(col_act);
    double cost = 0;
    const std::string& f = fields[col_cost];
    const auto [end, ec] = std::from_chars(f.data(), f.data() + f.size(), cost);
    if (ec != std::errc() || end != f.data() + f.size() || cost < 0) {
      throw InputError(name, where + ", cost", fmt::format("expected a number >= 0, got '{}'", f));
    }
    if (!table.costs.emplace(std::tuple{fields[col_subgraph], weight, act}, cost).second) {
      throw InputError(name, where,
                       fmt::format("repeats subgraph {} with weight bits {} and act bits {}",
                                   fields[col_subgraph], weight, act));
    }
  }
  if (header.empty()) throw InputError(name, "", "empty file (expected a header line)");
  return table;
}

map::SensitivityTable read_sensitivity_csv(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError(path, "", "cannot open file");
  std::stringstream text;
  text << in.rdbuf();
  return parse_sensitivity_csv(text.str(), path);
}

}  // namespace hwnas::io
