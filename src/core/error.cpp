#include "hwnas/core/error.hpp"

namespace hwnas {

namespace {
std::string format_message(const std::string& where, const std::string& key,
                           const std::string& reason) {
  std::string message = where;
  if (!key.empty()) message += (message.empty() ? "" : ": ") + key;
  if (!reason.empty()) message += (message.empty() ? "" : ": ") + reason;
  return message;
}
}  // namespace

InputError::InputError(std::string where, std::string key, std::string reason)
    : std::runtime_error(format_message(where, key, reason)),
      where_(std::move(where)),
      key_(std::move(key)),
      reason_(std::move(reason)) {}

}  // namespace hwnas
