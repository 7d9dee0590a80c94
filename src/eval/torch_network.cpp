#include "hwnas/eval/torch_network.hpp"

#include <algorithm>

#include "hwnas/eval/fake_quant.hpp"

namespace hwnas::eval {

namespace F = torch::nn::functional;
using ir::LayerKind;

TorchNetworkImpl::TorchNetworkImpl(const ir::Network& network)
    : network_(network), stats_(ir::analyze(network)) {
  const std::size_t n = network.layers.size();
  materialized_.assign(n, true);
  for (std::size_t i = 0; i + 1 < n; ++i) {
    // Batch norm and activations take the accumulator's output directly; a flatten still
    // receives the producer's stored (quantized) values.
    const ir::LayerKind next = network.layers[i + 1].kind;
    if (ir::fuses_into_producer(next) && next != LayerKind::flatten &&
        stats_.layers[i + 1].producers == std::vector<int>{static_cast<int>(i)}) {
      materialized_[i] = false;
    }
  }
  convs_.resize(n, nullptr);
  linears_.resize(n, nullptr);
  norms_.resize(n, nullptr);
  for (std::size_t i = 0; i < n; ++i) {
    const ir::Layer& layer = network.layers[i];
    const ir::LayerStats& s = stats_.layers[i];
    // Submodule names may not hold a dot; the index prefix keeps them unique.
    std::string name = "l";
    name += std::to_string(i);
    name += '_';
    name += layer.name;
    std::replace(name.begin(), name.end(), '.', '_');
    switch (layer.kind) {
      case LayerKind::conv:
        convs_[i] = register_module(
            name,
            torch::nn::Conv2d(torch::nn::Conv2dOptions(s.in.channels, s.out.channels, layer.kernel)
                                  .stride(layer.stride)
                                  .padding(layer.pad)
                                  .groups(s.groups)
                                  .bias(layer.bias)));
        break;
      case LayerKind::linear:
        linears_[i] = register_module(
            name, torch::nn::Linear(
                      torch::nn::LinearOptions(s.in.elements(), s.out.channels).bias(layer.bias)));
        break;
      case LayerKind::batchnorm:
        norms_[i] = register_module(name, torch::nn::BatchNorm2d(s.in.channels));
        break;
      default:
        break;
    }
  }
}

torch::nn::Module& TorchNetworkImpl::layer_module(int index) {
  if (convs_.at(index)) return *convs_[index];
  if (linears_.at(index)) return *linears_[index];
  if (norms_.at(index)) return *norms_[index];
  throw std::out_of_range("layer " + std::to_string(index) + " has no parameters");
}

torch::Tensor TorchNetworkImpl::forward(const torch::Tensor& x) {
  std::vector<torch::Tensor> outputs;
  outputs.reserve(network_.layers.size());
  auto input_of = [&](int producer) {
    return producer == ir::kNetworkInput ? x : outputs[producer];
  };
  for (std::size_t i = 0; i < network_.layers.size(); ++i) {
    const ir::Layer& layer = network_.layers[i];
    const ir::LayerStats& s = stats_.layers[i];
    torch::Tensor in = input_of(s.producers.front());
    torch::Tensor out;
    switch (layer.kind) {
      case LayerKind::conv: {
        const auto& conv = convs_[i];
        const auto weight = fake_quantize_per_channel(conv->weight, layer.bits.weight);
        out = F::conv2d(in, weight,
                        F::Conv2dFuncOptions()
                            .bias(layer.bias ? conv->bias : torch::Tensor())
                            .stride(layer.stride)
                            .padding(layer.pad)
                            .groups(s.groups));
        break;
      }
      case LayerKind::linear: {
        const auto& fc = linears_[i];
        const auto weight = fake_quantize_per_channel(fc->weight, layer.bits.weight);
        out = F::linear(in.flatten(1), weight, layer.bias ? fc->bias : torch::Tensor());
        out = out.view({out.size(0), out.size(1), 1, 1});
        break;
      }
      case LayerKind::batchnorm:
        out = norms_[i]->forward(in.dim() == 4 ? in : in.view({in.size(0), -1, 1, 1}));
        break;
      case LayerKind::relu:
        out = torch::relu(in);
        break;
      case LayerKind::relu6:
        out = torch::clamp(in, 0, 6);
        break;
      case LayerKind::maxpool:
        out = F::max_pool2d(
            in, F::MaxPool2dFuncOptions(layer.kernel).stride(layer.stride).padding(layer.pad));
        break;
      case LayerKind::avgpool:
        out = F::avg_pool2d(in, F::AvgPool2dFuncOptions(layer.kernel)
                                    .stride(layer.stride)
                                    .padding(layer.pad)
                                    .count_include_pad(true));
        break;
      case LayerKind::global_avgpool:
        out = in.mean({2, 3}, /*keepdim=*/true);
        break;
      case LayerKind::add:
        out = in;
        for (std::size_t k = 1; k < s.producers.size(); ++k) out = out + input_of(s.producers[k]);
        break;
      case LayerKind::flatten:
        out = in.reshape({in.size(0), -1, 1, 1});
        break;
      case LayerKind::zero:
        out = torch::zeros_like(in);
        break;
    }
    // An output the hardware stores is quantized at the layer's activation bits; one that a
    // fused batch norm or activation consumes right away stays in the accumulator's precision.
    outputs.push_back(materialized_[i] ? fake_quantize_per_tensor(out, layer.bits.act) : out);
  }
  return outputs.back().flatten(1);
}

}  // namespace hwnas::eval
