#pragma once
// Checks shared by the space factories. Errors are InputError("<space>", key, reason) with the
// key path of the space YAML format, so that the YAML reader only has to put the file name in.
// Private to the space module.

#include <optional>
#include <string>
#include <vector>

#include "hwnas/ir/network.hpp"
#include "hwnas/space/quantization.hpp"

namespace hwnas::space::detail {

inline constexpr const char* kSpecWhere = "<space>";

[[noreturn]] void spec_error(const std::string& key, const std::string& reason);
void check_range(std::int64_t value, const std::string& key, std::int64_t min, std::int64_t max);
// Non-empty, every value in min..max, no value twice.
void check_choices(const std::vector<int>& values, const std::string& key, int min, int max);
void check_input(const ir::Shape& input);
void check_bits(const ir::Bits& bits, const std::string& key);
void check_quantization(const std::optional<QuantizationSpec>& quantization);

}  // namespace hwnas::space::detail
