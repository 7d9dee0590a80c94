#pragma once
// Layer builders and the after-decoding check shared by the space implementations.
// Private to the space module.

#include <string>

#include "hwnas/ir/network.hpp"

namespace hwnas::space::detail {

ir::Layer conv_layer(std::string name, int out, int kernel, int stride, bool bias, ir::Bits bits,
                     int groups = 1);
ir::Layer plain_layer(ir::LayerKind kind, std::string name, ir::Bits bits);
ir::Layer pool_layer(ir::LayerKind kind, std::string name, int kernel, ir::Bits bits);
ir::Layer linear_layer(std::string name, int out, ir::Bits bits);

// Decoding builds only valid networks; a network that fails ir::try_analyze is a bug in the
// space, reported as std::logic_error.
void verify_decoded(const ir::Network& network);

}  // namespace hwnas::space::detail
