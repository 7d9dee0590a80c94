#pragma once
// HAO-style accuracy sensitivity tables as CSV:
//
//   subgraph,weight_bits,act_bits,cost
//   conv1,8,8,0.0
//   conv1,4,8,0.7
//
// `cost` is what choosing those bit widths for that subgraph costs in accuracy (e.g. top-1
// points lost, measured or predicted); `hwnas map --accuracy-budget` bounds their sum.

#include <string>

#include "hwnas/map/candidates.hpp"

namespace hwnas::io {

// Errors name the file, the line and the column: a missing header column, a value that is not
// a number, bits outside 1..32, a negative cost, a repeated (subgraph, bits) row.
map::SensitivityTable read_sensitivity_csv(const std::string& path);
map::SensitivityTable parse_sensitivity_csv(const std::string& text, const std::string& name);

}  // namespace hwnas::io
