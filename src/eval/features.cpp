#include "hwnas/eval/features.hpp"

#include <algorithm>
#include <cmath>

namespace hwnas::eval {

namespace {

// Bits above 16 behave like float for accuracy; capping keeps fp32 layers from dominating
// the averages.
double effective_bits(int bits) {
  return std::min(bits, 16);
}

double log2_or_zero(double x) {
  return x > 0 ? std::log2(x) : 0.0;
}

}  // namespace

const std::vector<std::string>& accuracy_feature_names() {
  static const std::vector<std::string> names = {
      "conv_layers",
      "depthwise_layers",
      "pointwise_layers",
      "linear_layers",
      "pool_layers",
      "add_layers",
      "batchnorm_layers",
      "weight_layers",
      "log2_macs",
      "log2_params",
      "log2_activations",
      "log2_max_channels",
      "mean_kernel",
      "log2_downsampling",
      "log2_classifier_in",
      "macs_weighted_wbits",
      "params_weighted_wbits",
      "mean_abits",
      "min_wbits",
      "min_abits",
      "first_wbits",
      "first_abits",
      "last_wbits",
      "last_abits",
  };
  return names;
}

std::vector<float> accuracy_features(const ir::Network& network) {
  const ir::NetworkStats stats = ir::analyze(network);
  double conv = 0, depthwise = 0, pointwise = 0, linear = 0, pool = 0, add = 0, norm = 0;
  double activations = 0, max_channels = network.input.channels, kernel_sum = 0;
  double smallest_side = static_cast<double>(std::min(network.input.height, network.input.width));
  double classifier_in = 0;
  double macs_bits = 0, params_bits = 0, weight_params = 0, act_bits_sum = 0;
  double min_w = 32, min_a = 32;
  int first = -1, last = -1;
  for (std::size_t i = 0; i < network.layers.size(); ++i) {
    const ir::Layer& layer = network.layers[i];
    const ir::LayerStats& s = stats.layers[i];
    activations += static_cast<double>(s.out.elements());
    // Width and resolution of the feature maps only: flatten and linear outputs are vectors.
    const bool feature_map = layer.kind != ir::LayerKind::flatten &&
                             layer.kind != ir::LayerKind::linear &&
                             layer.kind != ir::LayerKind::global_avgpool;
    if (feature_map) {
      max_channels = std::max(max_channels, static_cast<double>(s.out.channels));
      smallest_side =
          std::min(smallest_side, static_cast<double>(std::min(s.out.height, s.out.width)));
    }
    switch (layer.kind) {
      case ir::LayerKind::conv:
        ++conv;
        kernel_sum += layer.kernel;
        if (s.groups > 1 && s.groups == s.in.channels) ++depthwise;
        if (layer.kernel == 1 && s.groups == 1) ++pointwise;
        break;
      case ir::LayerKind::linear:
        ++linear;
        if (classifier_in == 0) classifier_in = static_cast<double>(s.in.elements());
        break;
      case ir::LayerKind::maxpool:
      case ir::LayerKind::avgpool:
      case ir::LayerKind::global_avgpool:
        ++pool;
        break;
      case ir::LayerKind::add:
        ++add;
        break;
      case ir::LayerKind::batchnorm:
        ++norm;
        break;
      case ir::LayerKind::zero:  // a constant, no operation: counted only as activations
      default:
        break;
    }
    if (!layer.has_weights()) continue;
    if (first < 0) first = static_cast<int>(i);
    last = static_cast<int>(i);
    const double w = effective_bits(layer.bits.weight), a = effective_bits(layer.bits.act);
    macs_bits += static_cast<double>(s.macs) * w;
    params_bits += static_cast<double>(s.params) * w;
    weight_params += static_cast<double>(s.params);
    act_bits_sum += a;
    min_w = std::min(min_w, w);
    min_a = std::min(min_a, a);
  }
  const double weight_layers = conv + linear;
  const auto bits_of = [&](int index, bool weight) {
    if (index < 0) return 0.0;
    const ir::Bits& b = network.layers[static_cast<std::size_t>(index)].bits;
    return effective_bits(weight ? b.weight : b.act);
  };
  const double input_side =
      static_cast<double>(std::min(network.input.height, network.input.width));
  const std::vector<double> values = {
      conv,
      depthwise,
      pointwise,
      linear,
      pool,
      add,
      norm,
      weight_layers,
      log2_or_zero(static_cast<double>(stats.macs)),
      log2_or_zero(static_cast<double>(stats.params)),
      log2_or_zero(activations),
      log2_or_zero(max_channels),
      conv > 0 ? kernel_sum / conv : 0,
      smallest_side > 0 ? std::log2(input_side / smallest_side) : 0,
      log2_or_zero(classifier_in),
      stats.macs > 0 ? macs_bits / static_cast<double>(stats.macs) : 0,
      weight_params > 0 ? params_bits / weight_params : 0,
      weight_layers > 0 ? act_bits_sum / weight_layers : 0,
      weight_layers > 0 ? min_w : 0,
      weight_layers > 0 ? min_a : 0,
      bits_of(first, true),
      bits_of(first, false),
      bits_of(last, true),
      bits_of(last, false),
  };
  return {values.begin(), values.end()};
}

}  // namespace hwnas::eval
