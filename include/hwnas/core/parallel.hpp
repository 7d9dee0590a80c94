#pragma once
// Runs f(0) .. f(count - 1) on several threads, each index once, in no particular order. For
// independent work whose results go to preallocated slots (decoding and featurizing thousands of
// networks), so the results do not depend on the thread count. The first exception thrown by f
// is rethrown once every thread has stopped; indices not yet started are then skipped.

#include <cstddef>
#include <functional>

namespace hwnas {

// The machine's hardware threads, clamped to [1, 8].
std::size_t default_threads();

// threads == 0 uses default_threads().
void parallel_for(std::size_t count, const std::function<void(std::size_t)>& f,
                  std::size_t threads = 0);

}  // namespace hwnas
