#include "hwnas/space/block_space.hpp"

#include <map>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "hwnas/core/error.hpp"
#include "hwnas/core/rng.hpp"
#include "space_test_util.hpp"

namespace hwnas::space {
namespace {

using ::testing::ElementsAre;

std::vector<std::string> layer_names(const ir::Network& net) {
  std::vector<std::string> names;
  for (const auto& layer : net.layers) names.push_back(layer.name);
  return names;
}

StageSpec stage(int stride, std::vector<int> expansions, std::vector<int> kernels,
                std::vector<int> depths, std::vector<int> widths) {
  return {stride, std::move(expansions), std::move(kernels), std::move(depths), std::move(widths)};
}

BlockSpaceSpec two_stage_spec() {
  BlockSpaceSpec spec;
  spec.name = "mini";
  spec.input = {3, 32, 32};
  spec.num_classes = 10;
  spec.stem_out = 16;
  spec.stem_stride = 1;
  spec.stages = {stage(1, {1}, {3}, {1}, {16}), stage(2, {3, 6}, {3, 5}, {1, 2}, {24, 32})};
  return spec;
}

TEST(BlockSpace, GenesPerStageDepthFirst) {
  const auto space = make_block_space(two_stage_spec());
  EXPECT_EQ(space->kind(), "blocks");
  EXPECT_THAT(space->genes(),
              ElementsAre(Gene{"s1.depth", 1}, Gene{"s1.expansion", 1}, Gene{"s1.kernel", 1},
                          Gene{"s1.width", 1}, Gene{"s2.depth", 2}, Gene{"s2.expansion", 2},
                          Gene{"s2.kernel", 2}, Gene{"s2.width", 2}));
}

TEST(BlockSpace, DecodeHandPickedGenotype) {
  const auto space = make_block_space(two_stage_spec());
  // Stage 2: depth 2 (index 1), expansion 6 (index 1), kernel 3 (index 0), width 24 (index 0).
  const Genotype genotype{0, 0, 0, 0, 1, 1, 0, 0};
  const ir::Network net = space->decode(genotype);
  EXPECT_EQ(space->describe(genotype), "s1: e1 k3 d1 w16 | s2: e6 k3 d2 w24");
  EXPECT_THAT(
      layer_names(net),
      ElementsAre("stem_conv", "stem_bn", "stem_relu",  // stem
                  "s1b0_dw", "s1b0_dw_bn", "s1b0_dw_relu", "s1b0_project", "s1b0_project_bn",
                  "s1b0_add",  // stage 1: expansion 1, no expand conv
                  "s2b0_expand", "s2b0_expand_bn", "s2b0_expand_relu", "s2b0_dw", "s2b0_dw_bn",
                  "s2b0_dw_relu", "s2b0_project", "s2b0_project_bn",  // stride 2: no add
                  "s2b1_expand", "s2b1_expand_bn", "s2b1_expand_relu", "s2b1_dw", "s2b1_dw_bn",
                  "s2b1_dw_relu", "s2b1_project", "s2b1_project_bn",
                  "s2b1_add",  // stride 1, 24 == 24
                  "gap", "fc"));
  EXPECT_THAT(net.layers[8].inputs, ElementsAre("s1b0_project_bn", "stem_relu"));
  EXPECT_THAT(net.layers[25].inputs, ElementsAre("s2b1_project_bn", "s2b0_project_bn"));
  for (const auto& layer : net.layers) {
    if (layer.kind == ir::LayerKind::conv) {
      EXPECT_FALSE(layer.bias) << layer.name;
    }
  }
  EXPECT_EQ(net.layers[12].groups, ir::kDepthwiseGroups);
  EXPECT_EQ(net.layers[12].stride, 2);
  EXPECT_EQ(net.layers[20].stride, 1);
  EXPECT_EQ(net.layers[5].kind, ir::LayerKind::relu6);

  const ir::NetworkStats stats = ir::analyze(net);
  auto macs = [&](int i) { return stats.layers[i].macs; };
  // stem_conv 3->16, 3x3, 32x32: 16*1024 * 3*9 = 442368 MACs, 16*27 = 432 params (no bias).
  EXPECT_EQ(macs(0), 442368);
  EXPECT_EQ(stats.layers[0].params, 432);
  // s1b0_dw 16 ch 3x3 at 32x32: 16*1024*9 = 147456; s1b0_project 16->16: 16*1024*16 = 262144.
  EXPECT_EQ(macs(3), 147456);
  EXPECT_EQ(macs(6), 262144);
  // s2b0_expand 16->96 at 32x32: 96*1024*16 = 1572864; s2b0_dw 96 ch stride 2 -> 16x16:
  // 96*256*9 = 221184; s2b0_project 96->24 at 16x16: 24*256*96 = 589824.
  EXPECT_EQ(macs(9), 1572864);
  EXPECT_EQ(stats.layers[12].out, (ir::Shape{96, 16, 16}));
  EXPECT_EQ(macs(12), 221184);
  EXPECT_EQ(macs(15), 589824);
  // s2b1_expand 24->144: 144*256*24 = 884736; dw 144*256*9 = 331776; project 24*256*144 = 884736.
  EXPECT_EQ(macs(17), 884736);
  EXPECT_EQ(macs(20), 331776);
  EXPECT_EQ(macs(23), 884736);
  // fc 24 -> 10: 240 MACs, 250 params.
  EXPECT_EQ(macs(27), 240);
  EXPECT_EQ(stats.macs, 442368 + 147456 + 262144 + 1572864 + 221184 + 589824 + 884736 + 331776 +
                            884736 + 240);  // 5337328
  // Params: convs 432 + 144 + 256 + 1536 + 864 + 2304 + 3456 + 1296 + 3456 = 13744;
  // batchnorms 2 x channels: 32 + 32 + 32 + 192 + 192 + 48 + 288 + 288 + 48 = 1152; fc 250.
  EXPECT_EQ(stats.params, 13744 + 1152 + 250);
  EXPECT_EQ(stats.output, (ir::Shape{10, 1, 1}));
}

TEST(BlockSpace, HeadConvBeforePooling) {
  BlockSpaceSpec spec = two_stage_spec();
  spec.head_out = 64;
  const auto net = make_block_space(spec)->decode({0, 0, 0, 0, 0, 0, 0, 1});
  const auto names = layer_names(net);
  ASSERT_GE(names.size(), 5u);
  EXPECT_THAT(std::vector<std::string>(names.end() - 5, names.end()),
              ElementsAre("head_conv", "head_bn", "head_relu", "gap", "fc"));
  EXPECT_EQ(net.layers[names.size() - 5].out, 64);
}

// For every block: stride, input channels, output channels, and whether it has an add.
struct BlockFacts {
  int stride = 0;
  std::int64_t in = 0;
  std::int64_t out = 0;
  bool has_add = false;
};

std::map<std::string, BlockFacts> block_facts(const ir::Network& net) {
  const ir::NetworkStats stats = ir::analyze(net);
  std::map<std::string, BlockFacts> blocks;
  for (std::size_t i = 0; i < net.layers.size(); ++i) {
    const std::string& name = net.layers[i].name;
    if (name[0] != 's' || name.rfind("stem", 0) == 0) continue;
    const std::string block = name.substr(0, name.find('_'));
    const std::string part = name.substr(name.find('_') + 1);
    auto [it, fresh] = blocks.try_emplace(block);
    if (fresh) it->second.in = stats.layers[i].in.channels;
    if (part == "dw") it->second.stride = net.layers[i].stride;
    if (part == "project") it->second.out = stats.layers[i].out.channels;
    if (part == "add") it->second.has_add = true;
  }
  return blocks;
}

TEST(BlockSpace, ResidualAddExactlyWhenStrideOneAndChannelsMatch) {
  BlockSpaceSpec spec = two_stage_spec();
  spec.stem_out = 16;
  spec.stages = {stage(1, {1, 6}, {3}, {1, 2, 3}, {16, 24}), stage(2, {3}, {3, 5}, {1, 2}, {24}),
                 stage(1, {1, 3}, {3}, {1, 2}, {24, 32})};
  const auto space = make_block_space(spec);
  int with_add = 0;
  int without_add = 0;
  testing::for_each_genotype(*space, [&](const Genotype& genotype) {
    for (const auto& [name, block] : block_facts(space->decode(genotype))) {
      const bool expected = block.stride == 1 && block.in == block.out;
      EXPECT_EQ(block.has_add, expected) << name << " of " << to_string(genotype);
      (block.has_add ? with_add : without_add)++;
    }
  });
  EXPECT_GT(with_add, 0);
  EXPECT_GT(without_add, 0);
}

TEST(BlockSpace, SizeIsProductOverStages) {
  BlockSpaceSpec spec = two_stage_spec();
  spec.stages = {stage(1, {1, 6}, {3, 5, 7}, {1, 2}, {16, 24}),
                 stage(2, {3}, {3}, {1, 2, 3}, {32})};
  // Stage 1: per depth 2 expansions x 3 kernels x 2 widths = 12, two depths: 24.
  // Stage 2: one choice per depth, three depths: 3. Total 72.
  EXPECT_EQ(make_block_space(spec)->size().exact, "72");

  spec.quantization = QuantizationSpec{{4, 8}, {4, 8}, QuantGranularity::per_block};
  // 4 bit pairs per block. Stage 1: depth 1: 3*2 * (4 + 4) = 48, depth 2: 3*2 * (16 + 16) = 192,
  // 240 in all. Stage 2: 4 + 16 + 64 = 84. Total 240 * 84 = 20160.
  EXPECT_EQ(make_block_space(spec)->size().exact, "20160");
}

TEST(BlockSpace, ExhaustivePerBlockQuantizationWithSkippableStage) {
  BlockSpaceSpec spec;
  spec.input = {3, 8, 8};
  spec.stem_out = 8;
  spec.stages = {stage(1, {1, 2}, {3}, {0, 1, 2}, {8, 16}), stage(2, {1, 3}, {3, 5}, {1, 2}, {16})};
  spec.quantization = QuantizationSpec{{4, 8}, {8}, QuantGranularity::per_block};
  const auto space = make_block_space(spec);
  // Stage 1: depth 0: 1; depth 1: 1 kernel * 2 widths * (2 + 2) = 8; depth 2: 2 * (4 + 4) = 16;
  // 25 in all. Stage 2: depth 1: 2 kernels * (2 + 2) = 8; depth 2: 2 * (4 + 4) = 16; 24.
  // Total 25 * 24 = 600.
  EXPECT_EQ(space->size().exact, "600");
  EXPECT_EQ(testing::count_distinct_networks(*space), 600u);
  EXPECT_EQ(testing::count_distinct_active_projections(*space), 600u);
}

TEST(BlockSpace, ExhaustivePerLayerQuantization) {
  BlockSpaceSpec spec;
  spec.input = {3, 8, 8};
  spec.stem_out = 8;
  spec.stages = {stage(1, {1, 2}, {3}, {1, 2}, {8})};
  spec.quantization = QuantizationSpec{{4, 8}, {8}, QuantGranularity::per_layer};
  const auto space = make_block_space(spec);
  EXPECT_EQ(space->genes().size(), 4u + 2 * 6);
  EXPECT_EQ(space->genes()[4].name, "s1b0.expand.weight_bits");
  EXPECT_EQ(space->genes()[15].name, "s1b1.project.act_bits");
  // 2 weight widths per conv. Expansion 1 has no expand conv: 2 convs per block, 2^2 = 4 per
  // block; expansion 2: 2^3 = 8. Depth 1: 4 + 8 = 12; depth 2: 16 + 64 = 80. Total 92.
  EXPECT_EQ(space->size().exact, "92");
  EXPECT_EQ(testing::count_distinct_networks(*space), 92u);
  EXPECT_EQ(testing::count_distinct_active_projections(*space), 92u);
}

TEST(BlockSpace, PerLayerBitsGoToTheirConvs) {
  BlockSpaceSpec spec;
  spec.input = {3, 8, 8};
  spec.stem_out = 8;
  spec.bits = {16, 16};
  spec.stages = {stage(1, {1, 2}, {3}, {1}, {8})};
  spec.quantization = QuantizationSpec{{2, 4, 8}, {4, 8}, QuantGranularity::per_layer};
  const auto space = make_block_space(spec);
  // Expansion 2; expand w2a4, dw w4a8, project w8a8.
  const Genotype genotype{0, 1, 0, 0, 0, 0, 1, 1, 2, 1};
  const auto net = space->decode(genotype);
  std::map<std::string, ir::Bits> bits;
  for (const auto& layer : net.layers) bits[layer.name] = layer.bits;
  EXPECT_EQ(bits["stem_conv"], (ir::Bits{16, 16}));
  EXPECT_EQ(bits["s1b0_expand"], (ir::Bits{2, 4}));
  EXPECT_EQ(bits["s1b0_expand_relu"], (ir::Bits{2, 4}));
  EXPECT_EQ(bits["s1b0_dw"], (ir::Bits{4, 8}));
  EXPECT_EQ(bits["s1b0_project"], (ir::Bits{8, 8}));
  EXPECT_EQ(bits["s1b0_add"], (ir::Bits{8, 8}));
  EXPECT_EQ(bits["fc"], (ir::Bits{16, 16}));
  EXPECT_EQ(space->describe(genotype), "s1: e2 k3 d1 w8 [w2a4/w4a8/w8a8]");
  // With expansion 1 the expand pair is inactive.
  const Genotype no_expand{0, 0, 0, 0, 0, 0, 1, 1, 2, 1};
  EXPECT_THAT(space->active_genes(no_expand),
              ElementsAre(true, true, true, true, false, false, true, true, true, true));
  EXPECT_EQ(space->describe(no_expand), "s1: e1 k3 d1 w8 [-/w4a8/w8a8]");
}

TEST(BlockSpace, DepthZeroSkipsTheStage) {
  BlockSpaceSpec spec = two_stage_spec();
  spec.stages = {stage(1, {1}, {3}, {0, 1}, {16}), stage(2, {6}, {3}, {1}, {24})};
  const auto space = make_block_space(spec);
  const Genotype genotype{0, 0, 0, 0, 0, 0, 0, 0};
  EXPECT_THAT(space->active_genes(genotype),
              ElementsAre(true, false, false, false, true, true, true, true));
  const auto names = layer_names(space->decode(genotype));
  EXPECT_EQ(names[3], "s2b0_expand");
  EXPECT_EQ(space->describe(genotype), "s1: skip | s2: e6 k3 d1 w24");
}

TEST(BlockSpace, SizeBeyond64BitsIsExact) {
  BlockSpaceSpec spec = two_stage_spec();
  spec.stages.clear();
  for (int i = 0; i < 20; ++i) {
    // 10 expansions x 10 kernels x 10 widths = 1000 networks per stage.
    spec.stages.push_back(stage(1, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10},
                                {1, 3, 5, 7, 9, 11, 13, 15, 17, 19}, {1},
                                {8, 16, 24, 32, 40, 48, 56, 64, 72, 80}));
  }
  const SpaceSize size = make_block_space(spec)->size();
  EXPECT_EQ(size.exact, "1" + std::string(60, '0'));
  EXPECT_NEAR(size.log10, 60.0, 1e-12);
}

TEST(BlockSpace, SpecErrorsNameTheYamlKey) {
  BlockSpaceSpec spec = two_stage_spec();
  spec.stages[1].widths = {};
  try {
    make_block_space(spec);
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "<space>: stages[1].width: expected a non-empty list of choices");
  }
  spec = two_stage_spec();
  spec.stages.clear();
  try {
    make_block_space(spec);
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "<space>: stages: expected 1..32 stages, got 0");
  }
}

}  // namespace
}  // namespace hwnas::space
