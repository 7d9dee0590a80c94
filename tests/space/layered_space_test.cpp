#include "hwnas/space/layered_space.hpp"

#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "hwnas/core/error.hpp"
#include "space_test_util.hpp"

namespace hwnas::space {
namespace {

using ::testing::ElementsAre;

LayeredSpaceSpec tiny_spec() {
  LayeredSpaceSpec spec;
  spec.name = "tiny";
  spec.input = {1, 8, 8};
  spec.num_classes = 10;
  spec.layer_counts = {1, 2};
  spec.kernels = {1, 3};
  spec.filters = {8, 16};
  spec.strides = {1};
  spec.pools = {PoolChoice::none};
  return spec;
}

std::vector<std::string> layer_names(const ir::Network& net) {
  std::vector<std::string> names;
  for (const auto& layer : net.layers) names.push_back(layer.name);
  return names;
}

TEST(LayeredSpace, GenesAreLayerCountThenFourPerLayerSlot) {
  const auto space = make_layered_space(tiny_spec());
  const auto& genes = space->genes();
  ASSERT_EQ(genes.size(), 1u + 2 * 4);
  EXPECT_EQ(genes[0], (Gene{"layers", 2}));
  EXPECT_EQ(genes[1], (Gene{"l0.kernel", 2}));
  EXPECT_EQ(genes[2], (Gene{"l0.filters", 2}));
  EXPECT_EQ(genes[3], (Gene{"l0.stride", 1}));
  EXPECT_EQ(genes[4], (Gene{"l0.pool", 1}));
  EXPECT_EQ(genes[8], (Gene{"l1.pool", 1}));
  EXPECT_EQ(space->kind(), "layered");
  EXPECT_EQ(space->name(), "tiny");
}

TEST(LayeredSpace, SizeOfSmallSpaceByHand) {
  // One layer: 2 kernels x 2 filters = 4 networks; two layers: 4 x 4 = 16. Total 20.
  EXPECT_EQ(make_layered_space(tiny_spec())->size().exact, "20");
}

TEST(LayeredSpace, SizeWithQuantizationByHand) {
  LayeredSpaceSpec spec = tiny_spec();
  spec.quantization = QuantizationSpec{{4, 8}, {8}, QuantGranularity::per_layer};
  // Per layer 2 kernels x 2 filters x 2 weight bits x 1 act bits = 8: 8 + 8^2 = 72.
  const auto space = make_layered_space(spec);
  EXPECT_EQ(space->size().exact, "72");
  EXPECT_EQ(space->genes().size(), 1u + 2 * 6);
  EXPECT_EQ(space->genes()[5], (Gene{"l0.weight_bits", 2}));
  EXPECT_EQ(space->genes()[6], (Gene{"l0.act_bits", 1}));
  EXPECT_EQ(testing::count_distinct_networks(*space), 72u);
}

TEST(LayeredSpace, SizeCountsAPoolSkippedBelowTwoByTwoOnce) {
  LayeredSpaceSpec spec = tiny_spec();
  spec.input = {1, 2, 2};
  spec.layer_counts = {2};
  spec.kernels = {3};
  spec.filters = {4};
  spec.pools = {PoolChoice::none, PoolChoice::max};
  // Layer 0: 3x3 conv keeps 2x2, then none (2x2) or max (1x1). Layer 1 after 2x2: none or max,
  // 2 networks; after 1x1 the pool cannot fit and both choices give the same network: 1.
  // Total 3, not the 2 x 2 = 4 genotypes that differ in active-looking genes.
  const auto space = make_layered_space(spec);
  EXPECT_EQ(space->size().exact, "3");
  EXPECT_EQ(testing::count_distinct_networks(*space), 3u);
  // Genotype [count, k, f, s, pool0, k, f, s, pool1]: after a max pool, l1.pool is inactive.
  EXPECT_THAT(space->active_genes({0, 0, 0, 0, 1, 0, 0, 0, 1}),
              ElementsAre(true, true, true, true, true, true, true, true, false));
  EXPECT_THAT(layer_names(space->decode({0, 0, 0, 0, 1, 0, 0, 0, 1})),
              ElementsAre("l0_conv", "l0_relu", "l0_pool", "l1_conv", "l1_relu", "gap", "fc"));
}

TEST(LayeredSpace, ExhaustiveDistinctNetworksEqualSize) {
  LayeredSpaceSpec spec;
  spec.input = {1, 4, 4};
  spec.layer_counts = {1, 2, 3};
  spec.kernels = {2, 3};  // the even kernel grows the map by one: 4x4 -> 5x5
  spec.filters = {4};
  spec.strides = {1, 2};
  spec.pools = {PoolChoice::none, PoolChoice::max, PoolChoice::avg};
  const auto space = make_layered_space(spec);
  const std::size_t distinct = testing::count_distinct_networks(*space);
  EXPECT_EQ(space->size().exact, std::to_string(distinct));
  EXPECT_EQ(testing::count_distinct_active_projections(*space), distinct);
  // Fewer than the 3 x 12^3 = 5184 genotypes.
  EXPECT_LT(distinct, 5184u);
}

TEST(LayeredSpace, SizeBeyond64BitsIsExact) {
  LayeredSpaceSpec spec = tiny_spec();
  spec.layer_counts = {64};
  spec.kernels = {1, 3, 5, 7};
  spec.filters = {8, 16, 32, 64};
  // 16 choices per layer, 64 layers: 16^64 = 2^256.
  const SpaceSize size = make_layered_space(spec)->size();
  EXPECT_EQ(size.exact,
            "115792089237316195423570985008687907853269984665640564039457584007913129639936");
  EXPECT_NEAR(size.log10, 256 * 0.30102999566398120, 1e-9);
}

TEST(LayeredSpace, DecodeHandPickedGenotype) {
  LayeredSpaceSpec spec;
  spec.name = "pick";
  spec.input = {1, 28, 28};
  spec.layer_counts = {2, 4};
  spec.kernels = {1, 3, 5};
  spec.filters = {24, 36};
  spec.strides = {1, 2};
  spec.pools = {PoolChoice::none, PoolChoice::max};
  const auto space = make_layered_space(spec);
  // 2 layers: l0 k3 f24 s1 max; l1 k5 f36 s2 none; the genes of slots 2 and 3 are unused.
  const Genotype genotype{0, 1, 0, 0, 1, 2, 1, 1, 0, 2, 1, 1, 1, 0, 0, 0, 0};
  const ir::Network net = space->decode(genotype);
  EXPECT_EQ(net.name, "pick");
  EXPECT_THAT(layer_names(net),
              ElementsAre("l0_conv", "l0_relu", "l0_pool", "l1_conv", "l1_relu", "gap", "fc"));
  EXPECT_EQ(net.layers[0].kernel, 3);
  EXPECT_EQ(net.layers[0].pad, 1);
  EXPECT_TRUE(net.layers[0].bias);
  EXPECT_EQ(net.layers[3].pad, 2);
  EXPECT_EQ(net.layers[3].stride, 2);
  EXPECT_EQ(space->describe(genotype), "2 layers | k3 f24 s1 max | k5 f36 s2");

  const ir::NetworkStats stats = ir::analyze(net);
  // l0_conv: 1x28x28 -> 24x28x28; MACs 24*28*28 * 1*3*3 = 169344; params 24*9 + 24 = 240.
  EXPECT_EQ(stats.layers[0].out, (ir::Shape{24, 28, 28}));
  EXPECT_EQ(stats.layers[0].macs, 169344);
  EXPECT_EQ(stats.layers[0].params, 240);
  // l0_pool: 24x14x14.
  EXPECT_EQ(stats.layers[2].out, (ir::Shape{24, 14, 14}));
  // l1_conv: (14 + 2*2 - 5)/2 + 1 = 7 -> 36x7x7; MACs 36*49 * 24*25 = 1058400;
  // params 36*24*25 + 36 = 21636.
  EXPECT_EQ(stats.layers[3].out, (ir::Shape{36, 7, 7}));
  EXPECT_EQ(stats.layers[3].macs, 1058400);
  EXPECT_EQ(stats.layers[3].params, 21636);
  // fc: 36 -> 10; MACs 360; params 370.
  EXPECT_EQ(stats.layers[6].macs, 360);
  EXPECT_EQ(stats.layers[6].params, 370);
  EXPECT_EQ(stats.macs, 169344 + 1058400 + 360);
  EXPECT_EQ(stats.params, 240 + 21636 + 370);
  EXPECT_EQ(stats.output, (ir::Shape{10, 1, 1}));
}

TEST(LayeredSpace, BatchnormReplacesBias) {
  LayeredSpaceSpec spec = tiny_spec();
  spec.batchnorm = true;
  const auto net = make_layered_space(spec)->decode({0, 1, 0, 0, 0, 0, 0, 0, 0});
  EXPECT_THAT(layer_names(net), ElementsAre("l0_conv", "l0_bn", "l0_relu", "gap", "fc"));
  EXPECT_FALSE(net.layers[0].bias);
  EXPECT_EQ(net.layers[1].kind, ir::LayerKind::batchnorm);
}

TEST(LayeredSpace, QuantizationSetsBitsOfTheLayerAndLeavesTheClassifierFixed) {
  LayeredSpaceSpec spec = tiny_spec();
  spec.pools = {PoolChoice::avg};
  spec.bits = {8, 8};
  spec.quantization = QuantizationSpec{{2, 4}, {4, 6}, QuantGranularity::per_layer};
  const auto space = make_layered_space(spec);
  // One layer, k1 f8, weight bits 4 (index 1), act bits 4 (index 0).
  const Genotype genotype{0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0};
  const auto net = space->decode(genotype);
  EXPECT_THAT(layer_names(net), ElementsAre("l0_conv", "l0_relu", "l0_pool", "gap", "fc"));
  for (int i = 0; i < 3; ++i) EXPECT_EQ(net.layers[i].bits, (ir::Bits{4, 4})) << i;
  EXPECT_EQ(net.layers[3].bits, (ir::Bits{8, 8}));
  EXPECT_EQ(net.layers[4].bits, (ir::Bits{8, 8}));
  EXPECT_EQ(space->describe(genotype), "1 layer | k1 f8 s1 avg w4a4");
}

TEST(LayeredSpace, WithoutQuantizationBitsAreTheSpecsFixedBits) {
  const auto net = make_layered_space(tiny_spec())->decode({1, 0, 0, 0, 0, 1, 1, 0, 0});
  for (const auto& layer : net.layers) EXPECT_EQ(layer.bits, ir::Bits{}) << layer.name;
}

TEST(LayeredSpace, SpecErrorsNameTheYamlKey) {
  auto message = [](LayeredSpaceSpec spec) {
    try {
      make_layered_space(std::move(spec));
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  LayeredSpaceSpec spec = tiny_spec();
  spec.kernels = {};
  EXPECT_EQ(message(spec), "<space>: layers.kernel: expected a non-empty list of choices");
  spec = tiny_spec();
  spec.filters = {8, 8};
  EXPECT_EQ(message(spec), "<space>: layers.filters: choice 8 appears more than once");
  spec = tiny_spec();
  spec.layer_counts = {0, 2};
  EXPECT_EQ(message(spec), "<space>: layers.count: choice 0 outside 1..64");
  spec = tiny_spec();
  spec.pools = {PoolChoice::max, PoolChoice::max};
  EXPECT_EQ(message(spec), "<space>: layers.pool: choice max appears more than once");
  spec = tiny_spec();
  spec.quantization = QuantizationSpec{{4, 33}, {8}, QuantGranularity::per_layer};
  EXPECT_EQ(message(spec), "<space>: quantization.weight_bits: choice 33 outside 1..32");
  spec = tiny_spec();
  spec.input = {1, 0, 8};
  EXPECT_EQ(message(spec), "<space>: input.height: expected an integer in 1..65536, got 0");
}

}  // namespace
}  // namespace hwnas::space
