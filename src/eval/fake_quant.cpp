#include "hwnas/eval/fake_quant.hpp"

#include <cmath>

namespace hwnas::eval {

namespace {
// Rounds in the forward pass; the straight-through estimator in the backward pass comes from
// x + (q - x).detach(): the value is q, the gradient that of x.
torch::Tensor straight_through(const torch::Tensor& x, const torch::Tensor& q) {
  return x + (q - x).detach();
}
}  // namespace

torch::Tensor fake_quantize_per_channel(const torch::Tensor& weight, int bits) {
  if (bits >= 32) return weight;
  const auto flat = weight.detach().reshape({weight.size(0), -1});
  torch::Tensor q;
  if (bits == 1) {
    const auto scale = flat.abs().mean(1).clamp_min(1e-12);
    std::vector<int64_t> shape(weight.dim(), 1);
    shape[0] = weight.size(0);
    q = weight.detach().sign() * scale.reshape(shape);
  } else {
    const double levels = std::pow(2.0, bits - 1) - 1;
    const auto scale = (flat.abs().amax(1) / levels).clamp_min(1e-12);
    std::vector<int64_t> shape(weight.dim(), 1);
    shape[0] = weight.size(0);
    const auto s = scale.reshape(shape);
    q = torch::clamp(torch::round(weight.detach() / s), -levels, levels) * s;
  }
  return straight_through(weight, q);
}

torch::Tensor fake_quantize_per_tensor(const torch::Tensor& x, int bits) {
  if (bits >= 32) return x;
  torch::Tensor q;
  if (bits == 1) {
    const auto scale = x.detach().abs().mean().clamp_min(1e-12);
    q = x.detach().sign() * scale;
  } else {
    const double levels = std::pow(2.0, bits - 1) - 1;
    const auto scale = (x.detach().abs().max() / levels).clamp_min(1e-12);
    q = torch::clamp(torch::round(x.detach() / scale), -levels, levels) * scale;
  }
  return straight_through(x, q);
}

}  // namespace hwnas::eval
