#include "hwnas/eval/fake_quant.hpp"

#include <gtest/gtest.h>

namespace hwnas::eval {
namespace {

void expect_values(const torch::Tensor& t, const std::vector<float>& expected) {
  const auto flat = t.contiguous().view(-1);
  ASSERT_EQ(flat.numel(), static_cast<int64_t>(expected.size()));
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_NEAR(flat[static_cast<int64_t>(i)].item<float>(), expected[i], 1e-6) << "index " << i;
  }
}

TEST(FakeQuant, PerChannelWeightsByHand) {
  // Row 0: max |w| = 1.0; row 1: max |w| = 2.0.
  const auto w = torch::tensor({{0.6f, -1.0f, 0.2f}, {2.0f, 0.1f, -0.9f}});
  // 2 bits: levels = 1, scales 1 and 2: round(0.6) = 1, round(-1) = -1, round(0.2) = 0;
  // round(1) = 1 -> 2, round(0.05) = 0, round(-0.45) = 0.
  expect_values(fake_quantize_per_channel(w, 2), {1, -1, 0, 2, 0, 0});
  // 4 bits: levels = 7, scales 1/7 and 2/7: 0.6*7 = 4.2 -> 4/7; 0.2*7 = 1.4 -> 1/7;
  // 0.1*3.5 = 0.35 -> 0; -0.9*3.5 = -3.15 -> -3 * 2/7.
  expect_values(fake_quantize_per_channel(w, 4), {4.0f / 7, -1, 1.0f / 7, 2, 0, -6.0f / 7});
  // 32 bits: float, unchanged.
  expect_values(fake_quantize_per_channel(w, 32), {0.6f, -1.0f, 0.2f, 2.0f, 0.1f, -0.9f});
}

TEST(FakeQuant, PerTensorActivationsAndTheStraightThroughGradient) {
  // 3 bits: levels = 3, scale = 1.5 / 3 = 0.5: 0.2 -> 0, 0.7 -> 1.4 -> 1 -> 0.5,
  // 1.1 -> 2.2 -> 2 -> 1.0, 1.5 -> 3 -> 1.5.
  const auto x = torch::tensor({0.2f, 0.7f, 1.1f, 1.5f}, torch::requires_grad());
  const auto y = fake_quantize_per_tensor(x, 3);
  expect_values(y, {0.0f, 0.5f, 1.0f, 1.5f});
  (y * torch::tensor({1.0f, 2.0f, 3.0f, 4.0f})).sum().backward();
  expect_values(x.grad(), {1, 2, 3, 4});  // the gradient passes straight through
}

TEST(FakeQuant, OneBitIsTheScaledSign) {
  // mean |x| = (0.5 + 1.5 + 1.0) / 3 = 1.0
  expect_values(fake_quantize_per_tensor(torch::tensor({0.5f, -1.5f, 1.0f}), 1), {1, -1, 1});
}

}  // namespace
}  // namespace hwnas::eval
