#pragma once
// Any IR network as a trainable libtorch module: every layer kind of the IR (residual adds
// included), with each conv/linear weight fake-quantized per channel at the layer's weight bits
// and each layer's output fake-quantized per tensor at its activation bits (fake_quant.hpp), so
// that a 4-bit layer's accuracy is measured, not assumed. Only the eval module includes torch.

#include <torch/torch.h>

#include <vector>

#include "hwnas/ir/network.hpp"

namespace hwnas::eval {

class TorchNetworkImpl : public torch::nn::Module {
 public:
  // Throws hwnas::InputError for a network whose shapes do not work out.
  explicit TorchNetworkImpl(const ir::Network& network);

  // x: N x C x H x W floats. Returns N x classes logits (or the last layer's output).
  torch::Tensor forward(const torch::Tensor& x);

  // The conv/linear/batchnorm module of layer `index` (for tests and export).
  torch::nn::Module& layer_module(int index);

  // What the forward pass was built from, and whether layer `index`'s output is stored (and so
  // quantized at its activation bits) rather than consumed by a fused batch norm or activation:
  // export.cpp reproduces the forward pass from these.
  const ir::Network& network() const { return network_; }
  const ir::NetworkStats& stats() const { return stats_; }
  bool materialized(int index) const { return materialized_.at(index); }

 private:
  ir::Network network_;
  ir::NetworkStats stats_;
  std::vector<torch::nn::Conv2d> convs_;  // by layer index (empty holders elsewhere)
  std::vector<torch::nn::Linear> linears_;
  std::vector<torch::nn::BatchNorm2d> norms_;
  std::vector<bool> materialized_;  // output stored (and so quantized) rather than fused onward
};
TORCH_MODULE(TorchNetwork);

}  // namespace hwnas::eval
