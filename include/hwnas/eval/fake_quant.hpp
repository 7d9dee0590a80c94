#pragma once
// Fake quantization for quantization-aware training (Jacob et al., CVPR 2018; the straight-
// through estimator of Bengio et al., 2013): the forward pass rounds to the b-bit grid, the
// backward pass lets the gradient through unchanged inside the clipping range. Symmetric
// signed grids: q = clamp(round(x / s), -(2^(b-1) - 1), 2^(b-1) - 1) * s.
//  * weights: one scale per output channel, s_c = max|w_c| / (2^(b-1) - 1);
//  * activations: one scale per tensor, s = max|x| / (2^(b-1) - 1) (after ReLU the negative half
//    of the grid is unused, as in a symmetric INT-b datapath).
// b >= 32 means float: the tensor passes unchanged. b = 1 uses the sign (s = mean |x|).

#include <torch/torch.h>

namespace hwnas::eval {

torch::Tensor fake_quantize_per_channel(const torch::Tensor& weight, int bits);
torch::Tensor fake_quantize_per_tensor(const torch::Tensor& x, int bits);

}  // namespace hwnas::eval
