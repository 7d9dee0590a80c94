#include "hwnas/io/space_yaml.hpp"

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "hwnas/core/error.hpp"

namespace hwnas::io {
namespace {

constexpr const char* kLayered = R"(
space: layered
name: small
input: {channels: 1, height: 8, width: 8}
classes: 10
layers: {count: [1, 2], kernel: [1, 3], filters: [8, 16], stride: 1, pool: [none]}
)";

std::string error_of(const std::string& text) {
  try {
    parse_space_yaml(text, "t.yaml");
  } catch (const InputError& e) {
    return e.what();
  }
  return "no error";
}

// kLayered with `from` replaced by `to`.
std::string layered_with(const std::string& from, const std::string& to) {
  std::string text = kLayered;
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return text.replace(at, from.size(), to);
}

TEST(SpaceYaml, ReadsLayeredSpace) {
  const auto space = parse_space_yaml(kLayered, "t.yaml");
  EXPECT_EQ(space->kind(), "layered");
  EXPECT_EQ(space->name(), "small");
  EXPECT_EQ(space->size().exact, "20");  // 2*2 + (2*2)^2
  EXPECT_EQ(space->genes().size(), 9u);
}

TEST(SpaceYaml, ReadsQuantizationAndDefaults) {
  const auto space =
      parse_space_yaml(layered_with("pool: [none]}",
                                    "pool: [none]}\nquantization: {weight_bits: [4, 8], "
                                    "act_bits: 8}\nbits: {weight: 8}"),
                       "t.yaml");
  EXPECT_EQ(space->size().exact, "72");  // 8 + 8^2
  EXPECT_EQ(space->genes()[5].name, "l0.weight_bits");
  const auto net = space->decode({0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0});
  EXPECT_EQ(net.layers[0].bits, (ir::Bits{8, 8}));
  EXPECT_EQ(net.layers.back().bits, (ir::Bits{8, 16}));  // fixed bits: weight 8, act default
}

TEST(SpaceYaml, ReadsBlockSpace) {
  const auto space = parse_space_yaml(R"(
space: blocks
input: {channels: 3, height: 32, width: 32}
classes: 10
stem: {out: 16}
stages:
  - {expansion: [1], kernel: 3, depth: [1], width: [16]}
  - {stride: 2, expansion: [1, 6], kernel: [3, 5, 7], depth: [1, 2], width: [24, 32]}
head: {out: 64}
quantization: {weight_bits: [4, 8], act_bits: [4, 8], per: block}
)",
                                      "b.yaml");
  EXPECT_EQ(space->kind(), "blocks");
  EXPECT_EQ(space->name(), "blocks");
  // Stage 1: 4 bit pairs. Stage 2: depth 1: 3*2 * (4 + 4) = 48; depth 2: 3*2 * (16 + 16) = 192.
  EXPECT_EQ(space->size().exact, std::to_string(4 * (48 + 192)));
  const auto net = space->decode(std::vector<int>(space->genes().size(), 0));
  EXPECT_EQ(net.layers[0].stride, 1);  // stem stride defaults to 1
}

TEST(SpaceYaml, ExampleFilesRead) {
  for (const char* name : {"fnas.yaml", "fnas-quant.yaml", "mbv2.yaml", "nb201.yaml"}) {
    EXPECT_NO_THROW(read_space_file(std::string(HWNAS_SOURCE_DIR) + "/examples/spaces/" + name))
        << name;
  }
}

TEST(SpaceYaml, ReadsNb201SpaceWithDefaultsAndOptions) {
  const auto defaults = parse_space_yaml("space: nb201\n", "n.yaml");
  EXPECT_EQ(defaults->kind(), "nb201");
  EXPECT_EQ(defaults->name(), "nb201");
  EXPECT_EQ(defaults->genes().size(), 6u);
  const ir::Network net = defaults->decode({3, 3, 3, 3, 3, 3});
  EXPECT_EQ(ir::analyze(net).params, 1531546);  // NAS-Bench-201's largest (nb201_test.cpp)
  EXPECT_EQ(defaults->describe({3, 3, 3, 3, 3, 3}),
            "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|"
            "nor_conv_3x3~2|");

  const auto small = parse_space_yaml(R"(
space: nb201
name: small
stem_channels: 8
cells_per_stage: 1
classes: 100
input: {channels: 3, height: 16, width: 16}
bits: {weight: 8, act: 8}
)",
                                      "n.yaml");
  EXPECT_EQ(small->name(), "small");
  const ir::Network s = small->decode({3, 3, 3, 3, 3, 3});
  EXPECT_EQ(s.input, (ir::Shape{3, 16, 16}));
  EXPECT_EQ(s.layers.front().out, 8);
  EXPECT_EQ(s.layers.back().out, 100);
  EXPECT_EQ(s.layers.back().bits, (ir::Bits{8, 8}));
  EXPECT_EQ(s.layers.size(), 2u + 3u * 20u + 18u + 4u);  // one cell: 6 convs * 3 + 2 adds

  EXPECT_EQ(error_of("space: nb201\nstem_channels: 0\n"),
            "t.yaml: stem_channels: expected an integer in 1..16384, got 0");
  EXPECT_EQ(error_of("space: nb201\ninput: {channels: 3, height: 30, width: 32}\n"),
            "t.yaml: input.height: expected a multiple of 4 (two stride-2 reductions must keep "
            "their branches' shapes equal), got 30");
  EXPECT_EQ(error_of("space: nb201\ncells: 5\n"),
            "t.yaml: cells: unknown key (expected one of: space, name, stem_channels, "
            "cells_per_stage, classes, input, bits)");
}

TEST(SpaceYaml, UnknownKey) {
  EXPECT_EQ(error_of(layered_with("kernel:", "kernels:")),
            "t.yaml: layers.kernels: unknown key (expected one of: count, kernel, filters, "
            "stride, pool, batchnorm)");
  EXPECT_EQ(error_of(layered_with("classes: 10", "classes: 10\nstages: []")),
            "t.yaml: stages: unknown key (expected one of: space, name, input, classes, layers, "
            "bits, quantization)");
}

TEST(SpaceYaml, EmptyChoiceList) {
  EXPECT_EQ(error_of(layered_with("filters: [8, 16]", "filters: []")),
            "t.yaml: layers.filters: expected a non-empty list of choices");
  EXPECT_EQ(error_of(layered_with("pool: [none]", "pool: []")),
            "t.yaml: layers.pool: expected a non-empty list of choices");
}

TEST(SpaceYaml, BitsOutOfRange) {
  EXPECT_EQ(error_of(layered_with("pool: [none]}",
                                  "pool: [none]}\nquantization: {weight_bits: [4, 33], "
                                  "act_bits: [8]}")),
            "t.yaml: quantization.weight_bits[1]: expected an integer in 1..32, got 33");
  EXPECT_EQ(error_of(layered_with("pool: [none]}", "pool: [none]}\nbits: {act: 0}")),
            "t.yaml: bits.act: expected an integer in 1..32, got 0");
}

TEST(SpaceYaml, UnknownSpaceKind) {
  EXPECT_EQ(error_of(layered_with("space: layered", "space: cells")),
            "t.yaml: space: unknown space kind 'cells' (expected layered, blocks or nb201)");
  EXPECT_EQ(error_of(layered_with("space: layered", "")), "t.yaml: space: missing required key");
}

TEST(SpaceYaml, OtherBadValues) {
  EXPECT_EQ(error_of(layered_with("kernel: [1, 3]", "kernel: [3, 3]")),
            "t.yaml: layers.kernel: choice 3 appears more than once");
  EXPECT_EQ(error_of(layered_with("pool: [none]", "pool: [none, min]")),
            "t.yaml: layers.pool[1]: expected none, max or avg, got 'min'");
  EXPECT_EQ(error_of(layered_with("pool: [none]}",
                                  "pool: [none]}\nquantization: {weight_bits: 8, act_bits: 8, "
                                  "per: stage}")),
            "t.yaml: quantization.per: expected layer or block, got 'stage'");
  EXPECT_EQ(error_of(layered_with("count: [1, 2]", "count: [0, 2]")),
            "t.yaml: layers.count[0]: expected an integer in 1..64, got 0");
  EXPECT_EQ(error_of(R"(
space: blocks
input: {channels: 3, height: 32, width: 32}
classes: 10
stem: {out: 16}
stages:
  - {expansion: 1, kernel: 3, depth: 1, width: 16}
  - {expansion: 1, kernel: 3, depth: 1, width: [0]}
)"),
            "t.yaml: stages[1].width[0]: expected an integer in 1..65536, got 0");
  EXPECT_EQ(error_of("space: blocks\ninput: {channels: 3, height: 8, width: 8}\nclasses: 2\n"
                     "stem: {out: 8}\nstages: []\n"),
            "t.yaml: stages: expected 1..32 stages, got 0");
}

}  // namespace
}  // namespace hwnas::io
