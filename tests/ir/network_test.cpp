#include "hwnas/ir/network.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "hwnas/core/error.hpp"

namespace hwnas::ir {
namespace {

Layer conv(int out, int kernel, int stride, int pad, int groups = 1) {
  Layer layer;
  layer.kind = LayerKind::conv;
  layer.out = out;
  layer.kernel = kernel;
  layer.stride = stride;
  layer.pad = pad;
  layer.groups = groups;
  return layer;
}
Layer simple(LayerKind kind) {
  Layer layer;
  layer.kind = kind;
  return layer;
}
Layer pool(LayerKind kind, int kernel, int stride) {
  Layer layer = simple(kind);
  layer.kernel = kernel;
  layer.stride = stride;
  return layer;
}
Layer linear(int out) {
  Layer layer = simple(LayerKind::linear);
  layer.out = out;
  return layer;
}

Network lenet() {
  Network net;
  net.name = "lenet";
  net.input = {1, 28, 28};
  net.layers = {conv(6, 5, 1, 2),
                simple(LayerKind::relu),
                pool(LayerKind::maxpool, 2, 2),
                conv(16, 5, 1, 0),
                simple(LayerKind::relu),
                pool(LayerKind::maxpool, 2, 2),
                linear(120),
                simple(LayerKind::relu),
                linear(84),
                simple(LayerKind::relu),
                linear(10)};
  assign_default_names(net);
  return net;
}

TEST(Analyze, LeNetShapesMacsParams) {
  const NetworkStats stats = analyze(lenet());
  ASSERT_EQ(stats.layers.size(), 11u);
  // conv0: 1x28x28 -> 6x28x28 (pad 2); MACs = 6*28*28 * 1*5*5 = 117,600; params 6*25+6 = 156
  EXPECT_EQ(stats.layers[0].out, (Shape{6, 28, 28}));
  EXPECT_EQ(stats.layers[0].macs, 117600);
  EXPECT_EQ(stats.layers[0].params, 156);
  // maxpool2: 6x14x14
  EXPECT_EQ(stats.layers[2].out, (Shape{6, 14, 14}));
  // conv3: 6x14x14 -> 16x10x10; MACs = 16*10*10 * 6*25 = 240,000; params 16*150+16 = 2,416
  EXPECT_EQ(stats.layers[3].out, (Shape{16, 10, 10}));
  EXPECT_EQ(stats.layers[3].macs, 240000);
  EXPECT_EQ(stats.layers[3].params, 2416);
  // linear6 flattens 16x5x5 = 400 features: MACs 400*120 = 48,000; params 48,120
  EXPECT_EQ(stats.layers[6].in, (Shape{16, 5, 5}));
  EXPECT_EQ(stats.layers[6].macs, 48000);
  EXPECT_EQ(stats.layers[6].params, 48120);
  // Totals: MACs 117600+240000+48000+10080+840 = 416,520; params 156+2416+48120+10164+850
  EXPECT_EQ(stats.macs, 416520);
  EXPECT_EQ(stats.params, 61706);
  EXPECT_EQ(stats.output, (Shape{10, 1, 1}));
  // Peak activation: conv0 output 6*28*28 = 4704 values at 16 bits.
  EXPECT_EQ(stats.peak_activation_bits, 4704 * 16);
}

TEST(Analyze, DepthwiseAndGroupedConv) {
  Network net;
  net.name = "dw";
  net.input = {32, 16, 16};
  Layer dw = conv(0, 3, 2, 1, kDepthwiseGroups);
  dw.bias = false;
  Layer grouped = conv(64, 1, 1, 0, 4);
  grouped.bias = false;
  net.layers = {dw, grouped};
  const NetworkStats stats = analyze(net);
  // depthwise 3x3 stride 2 pad 1: 32x8x8, MACs = 32*8*8 * 1*9 = 18,432, params 32*9 = 288
  EXPECT_EQ(stats.layers[0].out, (Shape{32, 8, 8}));
  EXPECT_EQ(stats.layers[0].groups, 32);
  EXPECT_EQ(stats.layers[0].macs, 18432);
  EXPECT_EQ(stats.layers[0].params, 288);
  // grouped 1x1 with 4 groups: each output sees 8 inputs: MACs = 64*64*8 = 32,768
  EXPECT_EQ(stats.layers[1].macs, 32768);
  EXPECT_EQ(stats.layers[1].params, 512);
}

TEST(Analyze, ResidualAddAndBatchNorm) {
  Network net;
  net.name = "res";
  net.input = {8, 8, 8};
  Layer c = conv(8, 3, 1, 1);
  c.name = "c";
  Layer bn = simple(LayerKind::batchnorm);
  Layer add = simple(LayerKind::add);
  add.inputs = {"bn", "input"};
  bn.name = "bn";
  net.layers = {c, bn, add, simple(LayerKind::global_avgpool), simple(LayerKind::flatten)};
  assign_default_names(net);
  const NetworkStats stats = analyze(net);
  EXPECT_EQ(stats.layers[1].params, 16);
  EXPECT_THAT(stats.layers[2].producers, ::testing::ElementsAre(1, kNetworkInput));
  EXPECT_EQ(stats.layers[3].out, (Shape{8, 1, 1}));
  EXPECT_EQ(stats.output, (Shape{8, 1, 1}));
}

std::string problem_of_zero(const Network& net) {
  auto result = try_analyze(net);
  if (auto* problem = std::get_if<ShapeProblem>(&result)) return problem->reason;
  return "no problem";
}

TEST(Analyze, ZeroIsShapedLikeItsInputAndCostsNothing) {
  // A cell node whose incoming edges were all dropped: zeros shaped like the conv's output,
  // then a conv reading them still runs (and counts its MACs).
  Network net;
  net.name = "zero";
  net.input = {3, 8, 8};
  Layer c = conv(4, 3, 1, 1);
  c.name = "c";
  Layer z = simple(LayerKind::zero);
  z.name = "z";
  z.bits = {8, 4};
  Layer after = conv(4, 1, 1, 0);
  after.name = "after";
  after.bias = false;
  net.layers = {c, z, after};
  const NetworkStats stats = analyze(net);
  EXPECT_EQ(stats.layers[1].out, (Shape{4, 8, 8}));
  EXPECT_EQ(stats.layers[1].macs, 0);
  EXPECT_EQ(stats.layers[1].params, 0);
  EXPECT_EQ(stats.layers[1].weight_bits, 0);
  EXPECT_EQ(stats.layers[1].activation_bits, 4 * 8 * 8 * 4);
  EXPECT_EQ(stats.layers[2].macs, 8 * 8 * 4 * 4);
  EXPECT_EQ(stats.macs, 8 * 8 * 4 * 27 + 8 * 8 * 4 * 4);
  EXPECT_FALSE(z.has_weights());
  EXPECT_FALSE(fuses_into_producer(LayerKind::zero));  // its input may be stored for others
  EXPECT_TRUE(costs_nothing(LayerKind::zero));
  EXPECT_TRUE(costs_nothing(LayerKind::relu));
  EXPECT_FALSE(costs_nothing(LayerKind::add));

  // One input, like every kind but add.
  net.layers[1].inputs = {"c", "input"};
  EXPECT_THAT(problem_of_zero(net), ::testing::HasSubstr("zero takes one input, got 2"));
}

ShapeProblem problem_of(const Network& net) {
  auto result = try_analyze(net);
  EXPECT_TRUE(std::holds_alternative<ShapeProblem>(result));
  return std::get<ShapeProblem>(result);
}

TEST(Analyze, KernelLargerThanInputNamesLayer) {
  Network net;
  net.name = "tiny";
  net.input = {1, 4, 4};
  net.layers = {conv(4, 5, 1, 0)};
  assign_default_names(net);
  const ShapeProblem p = problem_of(net);
  EXPECT_EQ(p.layer, 0);
  EXPECT_EQ(p.layer_name, "conv0");
  EXPECT_EQ(p.reason, "kernel 5 with pad 0 does not fit the 1x4x4 input");
  try {
    analyze(net);
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "tiny: layer conv0: kernel 5 with pad 0 does not fit the 1x4x4 input");
  }
}

TEST(Analyze, AddShapeMismatch) {
  Network net;
  net.input = {4, 8, 8};
  Layer c = conv(8, 3, 1, 1);
  Layer add = simple(LayerKind::add);
  add.inputs = {"conv0", "input"};
  net.layers = {c, add};
  assign_default_names(net);
  EXPECT_EQ(problem_of(net).reason, "add inputs differ in shape: 4x8x8 (from input) vs 8x8x8");
}

TEST(Analyze, UnknownInputAndGroupMismatchAndBits) {
  Network net;
  net.input = {6, 8, 8};
  Layer add = simple(LayerKind::add);
  add.inputs = {"input", "nope"};
  net.layers = {add};
  assign_default_names(net);
  EXPECT_EQ(problem_of(net).reason, "input 'nope' is not an earlier layer (nor 'input')");

  net.layers = {conv(8, 3, 1, 1, 4)};
  EXPECT_EQ(problem_of(net).reason, "input channels 6 not divisible by groups 4");

  Layer c = conv(8, 3, 1, 1);
  c.bits.weight = 33;
  net.layers = {c};
  EXPECT_EQ(problem_of(net).reason, "weight bits 33 outside 1..32");
}

TEST(Analyze, DuplicateNames) {
  Network net;
  net.input = {1, 8, 8};
  Layer a = simple(LayerKind::relu);
  a.name = "x";
  net.layers = {a, a};
  const ShapeProblem p = problem_of(net);
  EXPECT_EQ(p.layer, 1);
  EXPECT_EQ(p.reason, "duplicate layer name");
}

TEST(LayerKind, NamesRoundTrip) {
  for (const char* name : {"conv", "maxpool", "avgpool", "global_avgpool", "batchnorm", "relu",
                           "relu6", "add", "flatten", "linear", "zero"}) {
    const auto kind = layer_kind_from_string(name);
    ASSERT_TRUE(kind.has_value()) << name;
    EXPECT_EQ(to_string(*kind), name);
  }
  EXPECT_FALSE(layer_kind_from_string("lstm").has_value());
}

}  // namespace
}  // namespace hwnas::ir
