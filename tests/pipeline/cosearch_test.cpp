// The joint network/accelerator space of NAHAS and its three modes.

#include "hwnas/pipeline/cosearch.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include <fmt/format.h>

#include "hwnas/core/error.hpp"
#include "hwnas/core/rng.hpp"
#include "hwnas/space/layered_space.hpp"

namespace hwnas::pipeline {
namespace {

std::shared_ptr<const space::SearchSpace> network_space() {
  space::LayeredSpaceSpec spec;
  spec.name = "net";
  spec.input = {1, 8, 8};
  spec.num_classes = 2;
  spec.layer_counts = {1, 2};
  spec.kernels = {1, 3};
  spec.filters = {4, 8, 16};
  spec.strides = {1};
  spec.pools = {space::PoolChoice::none};
  return space::make_layered_space(spec);
}

// Two accelerator parameters: 3 array sizes x 4 bandwidths.
AcceleratorGenes accelerator() {
  AcceleratorGenes genes;
  genes.genes = {{"accel.pe", 3}, {"accel.bandwidth", 4}};
  genes.fixed = {1, 2};
  genes.describe = [](const std::vector<int>& v) {
    return fmt::format("pe#{} bw#{}", v.at(0), v.at(1));
  };
  return genes;
}

TEST(CoSearchSpace, JointGenesAreTheNetworksThenTheAcceleratorsAndSizesMultiply) {
  const auto net = network_space();
  const CoSearchSpace joint(net, accelerator(), CoSearchMode::joint);
  const std::size_t n = net->genes().size();
  ASSERT_EQ(joint.genes().size(), n + 2);
  EXPECT_EQ(joint.genes()[n].name, "accel.pe");
  EXPECT_EQ(joint.genes()[n + 1].cardinality, 4);
  // 12 accelerators for every network.
  const auto net_size = net->size();
  EXPECT_EQ(joint.size().exact, std::to_string(std::stoll(net_size.exact) * 12));
  EXPECT_NEAR(joint.size().log10, net_size.log10 + std::log10(12.0), 1e-12);

  Rng rng(5);
  for (int i = 0; i < 50; ++i) {
    const space::Genotype g = space::sample(joint, rng);
    const space::Genotype net_part(g.begin(), g.begin() + static_cast<std::ptrdiff_t>(n));
    EXPECT_EQ(joint.network_genotype(g), net_part);
    EXPECT_EQ(joint.accelerator_genes(g), (std::vector<int>{g[n], g[n + 1]}));
    EXPECT_EQ(joint.decode(g), net->decode(net_part));
    EXPECT_EQ(joint.describe(g),
              net->describe(net_part) + fmt::format(" | pe#{} bw#{}", g[n], g[n + 1]));
    // The accelerator genes are always active; the network's as the network space says.
    auto active = net->active_genes(net_part);
    active.push_back(true);
    active.push_back(true);
    EXPECT_EQ(joint.active_genes(g), active);
  }
}

TEST(CoSearchSpace, FixedHardwareSearchesOnlyTheNetworkOnTheFixedAccelerator) {
  const auto net = network_space();
  const CoSearchSpace fixed_hw(net, accelerator(), CoSearchMode::fixed_hw);
  EXPECT_EQ(fixed_hw.genes(), net->genes());
  EXPECT_EQ(fixed_hw.size(), net->size());
  Rng rng(6);
  const space::Genotype g = space::sample(fixed_hw, rng);
  EXPECT_EQ(fixed_hw.network_genotype(g), g);
  EXPECT_EQ(fixed_hw.accelerator_genes(g), (std::vector<int>{1, 2}));
}

TEST(CoSearchSpace, FixedNetworkSearchesOnlyTheAcceleratorForTheFixedNetwork) {
  const auto net = network_space();
  Rng rng(7);
  const space::Genotype fixed = space::sample(*net, rng);
  const CoSearchSpace fixed_net(net, accelerator(), CoSearchMode::fixed_net, fixed);
  ASSERT_EQ(fixed_net.genes().size(), 2u);
  EXPECT_EQ(fixed_net.size().exact, "12");
  const space::Genotype g{2, 3};
  EXPECT_EQ(fixed_net.network_genotype(g), fixed);
  EXPECT_EQ(fixed_net.accelerator_genes(g), g);
  EXPECT_EQ(fixed_net.decode(g), net->decode(fixed));
  EXPECT_EQ(fixed_net.active_genes(g), (std::vector<bool>{true, true}));
  // Mutation changes an accelerator gene: the child is a different design.
  const space::Genotype child = space::mutate(fixed_net, g, rng, 0.0);
  EXPECT_NE(child, g);
}

TEST(CoSearchSpace, BadFixedValuesAndGenotypesAreErrors) {
  const auto net = network_space();
  AcceleratorGenes bad = accelerator();
  bad.fixed = {3, 0};  // 3 is outside 0..2
  try {
    CoSearchSpace(net, bad, CoSearchMode::joint);
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("accel.pe"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("value 3 outside 0..2"), std::string::npos) << e.what();
  }
  EXPECT_THROW(CoSearchSpace(net, accelerator(), CoSearchMode::fixed_net, {}), InputError);
  const CoSearchSpace joint(net, accelerator(), CoSearchMode::joint);
  EXPECT_THROW(joint.decode({0}), InputError);
}

}  // namespace
}  // namespace hwnas::pipeline
