#include "hwnas/latency/features.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "hwnas/core/error.hpp"
#include "hwnas/space/nb201_space.hpp"

namespace hwnas::latency {
namespace {

// 3x8x8 input; c1 (3x3, 4 out) -> relu -> c2 (1x1) -> add(c2, relu) -> GAP -> linear 10, and a
// conv "dead" reading c1 whose output nobody reads.
ir::Network small() {
  ir::Network n;
  n.name = "small";
  n.input = {3, 8, 8};
  auto conv = [](std::string name, int out, int k, std::vector<std::string> inputs) {
    ir::Layer l;
    l.kind = ir::LayerKind::conv;
    l.name = std::move(name);
    l.out = out;
    l.kernel = k;
    l.pad = k / 2;
    l.inputs = std::move(inputs);
    return l;
  };
  n.layers.push_back(conv("c1", 4, 3, {}));
  n.layers.push_back({.kind = ir::LayerKind::relu, .name = "r1"});
  n.layers.push_back(conv("c2", 4, 1, {}));
  n.layers.push_back(conv("dead", 4, 3, {"c1"}));
  n.layers.push_back({.kind = ir::LayerKind::add, .name = "sum", .inputs = {"c2", "r1"}});
  n.layers.push_back({.kind = ir::LayerKind::global_avgpool, .name = "gap"});
  n.layers.push_back({.kind = ir::LayerKind::linear, .name = "fc", .out = 10});
  return n;
}

std::map<std::string, float> named(const std::vector<float>& values) {
  std::map<std::string, float> m;
  const auto& names = network_feature_names();
  EXPECT_EQ(values.size(), names.size());
  for (std::size_t i = 0; i < names.size(); ++i) m[names[i]] = values[i];
  return m;
}

TEST(LatencyFeatures, HandCountedNetwork) {
  const auto f = named(network_features(small()));
  EXPECT_EQ(f.at("n_conv"), 3);
  EXPECT_EQ(f.at("n_relu"), 1);
  EXPECT_EQ(f.at("n_add"), 1);
  EXPECT_EQ(f.at("n_linear"), 1);
  EXPECT_EQ(f.at("layers"), 7);
  EXPECT_EQ(f.at("conv_k1"), 1);
  EXPECT_EQ(f.at("conv_k3"), 2);
  EXPECT_EQ(f.at("add_inputs"), 2);
  // MACs: c1 4*3*9*64 = 6912, c2 4*4*64 = 1024, dead 4*4*9*64 = 9216, fc 4*10 = 40.
  EXPECT_EQ(f.at("macs"), 6912 + 1024 + 9216 + 40);
  EXPECT_EQ(f.at("macs_conv_k3"), 6912 + 9216);
  EXPECT_EQ(f.at("macs_conv_k1"), 1024);
  EXPECT_EQ(f.at("macs_linear"), 40);
  EXPECT_EQ(f.at("max_layer_macs"), 9216);
  // Params: c1 108+4, c2 16+4, dead 144+4, fc 40+10.
  EXPECT_EQ(f.at("params"), 112 + 20 + 148 + 50);
  EXPECT_EQ(f.at("weight_bytes"), 2 * (112 + 20 + 148 + 50));  // 16-bit weights
  // Outputs (16-bit): five 4x8x8 maps, GAP 4, fc 10 -> 2 * (5*256 + 14) bytes.
  EXPECT_EQ(f.at("act_write_bytes"), 2 * (5 * 256 + 14));
  // Reads: input 192 by c1; 256 each by r1, c2, dead, GAP; 512 by the add; 4 by fc.
  EXPECT_EQ(f.at("act_read_bytes"), 2 * (192 + 4 * 256 + 512 + 4));
  EXPECT_EQ(f.at("peak_act_bytes"), 512);
  // Only "dead" is dead: its output never reaches the classifier.
  EXPECT_EQ(f.at("live_convs"), 2);
  EXPECT_EQ(f.at("dead_convs"), 1);
  EXPECT_EQ(f.at("dead_macs"), 9216);
  EXPECT_EQ(f.at("live_macs"), 6912 + 1024 + 40);
  EXPECT_EQ(f.at("live_layers"), 6);
  EXPECT_EQ(f.at("dead_layers"), 1);
  // Longest path c1 -> c2 -> add -> GAP -> fc (relu fuses): 5; convs on it: 2.
  EXPECT_EQ(f.at("depth"), 5);
  EXPECT_EQ(f.at("conv_depth"), 2);
  EXPECT_EQ(f.at("live_pools"), 1);
  // What a graph compiler runs: c2 is the live 1x1, c1 the live 3x3; the add sums two live maps.
  EXPECT_EQ(f.at("live_conv_k1"), 1);
  EXPECT_EQ(f.at("live_conv_k3plus"), 1);
  EXPECT_EQ(f.at("live_macs_conv_k1"), 1024);
  EXPECT_EQ(f.at("live_adds"), 1);
  EXPECT_EQ(f.at("const_add_inputs"), 0);
  // r1 (256), the add (256) and GAP (4), all live.
  EXPECT_EQ(f.at("live_elementwise_elements"), 256 + 256 + 4);
}

// A cell whose node 3 has only none edges outputs zeros: everything before it, and everything
// after it (it reads only zeros), is dead; the network's output is a constant.
TEST(LatencyFeatures, ZeroCellsMakeEverythingDead) {
  const auto space = space::make_nb201_space();
  const auto dead = named(network_features(
      space->decode(space::nb201_genotype("|nor_conv_3x3~0|+|none~0|none~1|+|none~0|none~1|"
                                          "none~2|"))));
  EXPECT_EQ(dead.at("n_zero"), 30);  // nodes 2 and 3 of 15 cells
  EXPECT_EQ(dead.at("live_macs"), 0);
  EXPECT_EQ(dead.at("live_convs"), 0);
  EXPECT_EQ(dead.at("dead_macs"), dead.at("macs"));
  // The same with 3<-1 = skip: node 3 is node 1's conv, everything lives.
  const auto live = named(network_features(
      space->decode(space::nb201_genotype("|nor_conv_3x3~0|+|none~0|none~1|+|none~0|"
                                          "skip_connect~1|none~2|"))));
  EXPECT_EQ(live.at("n_zero"), 15);  // node 2 of each cell, unread
  EXPECT_EQ(live.at("dead_macs"), 0);
  EXPECT_EQ(live.at("live_macs"), live.at("macs"));
  // Stem, 15 cell convs, 2 x 3 in the reduction blocks.
  EXPECT_EQ(live.at("live_convs"), 1 + 15 + 6);
  EXPECT_EQ(live.at("conv_depth"), 1 + 15 + 4);
}

// Node 3 = conv3x3(node 0) + conv1x1(node 2), node 2 all none: the 1x1 reads only zeros, so a
// compiler folds it into a constant that is still added to the live 3x3.
TEST(LatencyFeatures, AConvOfZerosIsAConstantAddedToTheSum) {
  const auto space = space::make_nb201_space();
  const auto f = named(network_features(
      space->decode(space::nb201_genotype("|none~0|+|none~0|none~1|+|nor_conv_3x3~0|none~1|"
                                          "nor_conv_1x1~2|"))));
  EXPECT_EQ(f.at("const_add_inputs"), 15);  // one per cell
  EXPECT_EQ(f.at("live_conv_k1"), 2);       // the reduction blocks' shortcuts
  EXPECT_EQ(f.at("conv_k1"), 15 + 2);
  EXPECT_EQ(f.at("live_conv_k3plus"), 1 + 15 + 4);  // stem, cells, two per reduction block
  EXPECT_EQ(f.at("live_adds"), 2);                  // the reduction blocks' residual sums
}

TEST(LatencyFeatures, AnalyticEstimatesArePositive) {
  const Featurizer featurizer({.network = false, .analytic = true, .genotype = false}, nullptr);
  ASSERT_EQ(featurizer.names(), analytic_feature_names());
  const auto f = featurizer.features(small(), nullptr);
  ASSERT_EQ(f.size(), 2u);
  EXPECT_GT(f[0], 0);  // tiled latency
  EXPECT_GE(f[1], 0);
  EXPECT_LE(f[1], 1);  // a share
}

TEST(LatencyFeatures, GenotypeGroupNeedsASpaceAndAGenotype) {
  EXPECT_THROW(Featurizer({}, nullptr), InputError);
  EXPECT_THROW(Featurizer({.network = false, .analytic = false, .genotype = false}, nullptr),
               InputError);
}

}  // namespace
}  // namespace hwnas::latency
