#pragma once
// Layer builders and the after-decoding check shared by the space implementations.
// Private to the space module.

#include <string>
#include <utility>
#include <vector>

#include "hwnas/ir/network.hpp"
#include "hwnas/space/search_space.hpp"

namespace hwnas::space::detail {

ir::Layer conv_layer(std::string name, int out, int kernel, int stride, bool bias, ir::Bits bits,
                     int groups = 1);
ir::Layer plain_layer(ir::LayerKind kind, std::string name, ir::Bits bits);
ir::Layer pool_layer(ir::LayerKind kind, std::string name, int kernel, ir::Bits bits);
ir::Layer linear_layer(std::string name, int out, ir::Bits bits);

// Decoding builds only valid networks; a network that fails ir::try_analyze is a bug in the
// space, reported as std::logic_error.
void verify_decoded(const ir::Network& network);

// What walking a genotype through a space yields: the network, which genes it used, and a
// one-line description.
struct Walk {
  ir::Network network;
  std::vector<bool> active;
  std::string description;
};

// A space defined by its walk: decode, active_genes and describe all come from run().
class WalkingSpace : public SearchSpace {
 public:
  ir::Network decode(const Genotype& genotype) const final {
    Walk walk = run(genotype);
    verify_decoded(walk.network);
    return std::move(walk.network);
  }
  std::vector<bool> active_genes(const Genotype& genotype) const final {
    return run(genotype).active;
  }
  std::string describe(const Genotype& genotype) const final { return run(genotype).description; }

 protected:
  // Checks the genotype's bounds (check_genotype) and walks it.
  virtual Walk run(const Genotype& genotype) const = 0;
};

}  // namespace hwnas::space::detail
