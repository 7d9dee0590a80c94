#include "hwnas/core/error.hpp"

#include <gtest/gtest.h>

namespace hwnas {
namespace {

TEST(InputError, MessageNamesFileKeyAndReason) {
  const InputError error("net.yaml", "layers[2].kernel", "expected a positive integer");
  EXPECT_STREQ(error.what(), "net.yaml: layers[2].kernel: expected a positive integer");
  EXPECT_EQ(error.key(), "layers[2].kernel");
  EXPECT_EQ(error.in_file("other.yaml").what(),
            std::string("other.yaml: layers[2].kernel: expected a positive integer"));
}

TEST(InputError, EmptyKeyIsLeftOut) {
  const InputError error("dev.yaml", "", "file not found");
  EXPECT_STREQ(error.what(), "dev.yaml: file not found");
}

}  // namespace
}  // namespace hwnas
