#include "decode_common.hpp"

#include <stdexcept>
#include <utility>
#include <variant>

#include <fmt/format.h>

namespace hwnas::space::detail {

ir::Layer conv_layer(std::string name, int out, int kernel, int stride, bool bias, ir::Bits bits,
                     int groups) {
  ir::Layer layer;
  layer.kind = ir::LayerKind::conv;
  layer.name = std::move(name);
  layer.out = out;
  layer.kernel = kernel;
  layer.stride = stride;
  layer.pad = kernel / 2;
  layer.groups = groups;
  layer.bias = bias;
  layer.bits = bits;
  return layer;
}

ir::Layer plain_layer(ir::LayerKind kind, std::string name, ir::Bits bits) {
  ir::Layer layer;
  layer.kind = kind;
  layer.name = std::move(name);
  layer.bits = bits;
  return layer;
}

ir::Layer pool_layer(ir::LayerKind kind, std::string name, int kernel, ir::Bits bits) {
  ir::Layer layer = plain_layer(kind, std::move(name), bits);
  layer.kernel = kernel;
  layer.stride = kernel;
  layer.pad = 0;
  return layer;
}

ir::Layer linear_layer(std::string name, int out, ir::Bits bits) {
  ir::Layer layer = plain_layer(ir::LayerKind::linear, std::move(name), bits);
  layer.out = out;
  return layer;
}

void verify_decoded(const ir::Network& network) {
  const auto analysed = ir::try_analyze(network);
  if (const auto* problem = std::get_if<ir::ShapeProblem>(&analysed)) {
    throw std::logic_error(fmt::format("space '{}' decoded an invalid network: layer {}: {}",
                                       network.name, problem->layer_name, problem->reason));
  }
}

}  // namespace hwnas::space::detail
