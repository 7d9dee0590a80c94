#pragma once
// What an accuracy predictor sees of a network: a fixed-length vector of numbers that any IR
// network has, whatever space it came from (layer counts by kind, size, depth, where the
// resolution drops, and the bit widths — weighted by where the work is, and at the first and
// last weight layers, which quantization hurts most).

#include <string>
#include <vector>

#include "hwnas/ir/network.hpp"

namespace hwnas::eval {

// The names, in the order accuracy_features() returns the values.
const std::vector<std::string>& accuracy_feature_names();
// Throws hwnas::InputError for a network whose shapes do not work out.
std::vector<float> accuracy_features(const ir::Network& network);

}  // namespace hwnas::eval
