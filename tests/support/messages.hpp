#pragma once
// What a call's InputError says, for tests that check error messages, not only their type.

#include <functional>
#include <string>

#include "hwnas/core/error.hpp"

namespace hwnas::testing {

// The full message (file: key: reason) of the InputError `f` throws, or "(no error)".
inline std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace hwnas::testing
