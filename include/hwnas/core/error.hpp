#pragma once
// Errors raised at the edges of hwnas for bad input. Library code reports expected failures
// ("does not fit", "misses the spec") as results; exceptions are for input that cannot be used.

#include <stdexcept>
#include <string>

namespace hwnas {

// Bad input: a malformed file, an unknown key or value, a shape that does not work out.
// `where` is the file (or "<network>" for in-memory input), `key` the key path or layer name,
// `reason` what was expected. The CLI maps this to exit code 2.
class InputError : public std::runtime_error {
 public:
  InputError(std::string where, std::string key, std::string reason);

  const std::string& where() const { return where_; }
  const std::string& key() const { return key_; }
  const std::string& reason() const { return reason_; }

  // A copy of this error with `where` replaced (used when a file name becomes known).
  InputError in_file(const std::string& file) const { return InputError(file, key_, reason_); }

 private:
  std::string where_;
  std::string key_;
  std::string reason_;
};

}  // namespace hwnas
