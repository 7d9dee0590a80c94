#include "hwnas/io/network_yaml.hpp"

#include <gtest/gtest.h>

#include <string>

#include "hwnas/core/error.hpp"

namespace hwnas::io {
namespace {

const std::string kSourceDir = HWNAS_SOURCE_DIR;

std::string error_of(const std::string& yaml) {
  try {
    parse_network_yaml(yaml, "net.yaml");
  } catch (const InputError& e) {
    return e.what();
  }
  return "no error";
}

TEST(NetworkYaml, ReadsTheLeNetExample) {
  const ir::Network net = read_network_file(kSourceDir + "/examples/networks/lenet.yaml");
  EXPECT_EQ(net.name, "lenet");
  EXPECT_EQ(net.input, (ir::Shape{1, 28, 28}));
  ASSERT_EQ(net.layers.size(), 11u);
  EXPECT_EQ(net.layers[0].name, "conv1");
  EXPECT_EQ(net.layers[0].pad, 2);
  EXPECT_EQ(net.layers[0].bits, (ir::Bits{8, 8}));  // from the file-level default
  EXPECT_EQ(net.layers[1].name, "relu1");           // default names: <type><index>
  EXPECT_EQ(net.layers[2].stride, 2);               // pool stride defaults to the kernel
  EXPECT_EQ(net.layers[3].pad, 0);
  EXPECT_EQ(ir::analyze(net).macs, 416520);
}

TEST(NetworkYaml, MobileNetV2ExampleHasPublishedSize) {
  // Sandler et al. report 300 M multiply-adds and 3.4 M parameters for MobileNetV2 1.0 at 224;
  // counting BN scale/shift and the classifier bias exactly gives 300.8 M and 3.50 M.
  const ir::Network net = read_network_file(kSourceDir + "/examples/networks/mbv2.yaml");
  const ir::NetworkStats stats = ir::analyze(net);
  EXPECT_NEAR(stats.macs / 1e6, 300.8, 0.1);
  EXPECT_NEAR(stats.params / 1e6, 3.50, 0.01);
  int adds = 0;
  for (const auto& layer : net.layers) adds += layer.kind == ir::LayerKind::add;
  EXPECT_EQ(adds, 10);
}

TEST(NetworkYaml, RoundTrip) {
  for (const char* file : {"lenet.yaml", "mbv2.yaml"}) {
    const ir::Network net = read_network_file(kSourceDir + "/examples/networks/" + file);
    const std::string text = network_to_yaml(net);
    EXPECT_EQ(parse_network_yaml(text, "roundtrip"), net) << file;
    EXPECT_EQ(network_to_yaml(parse_network_yaml(text, "roundtrip")), text) << file;
  }
}

TEST(NetworkYaml, RoundTripOfNonDefaults) {
  const std::string yaml = R"(
name: odd
input: {channels: 4, height: 9, width: 7}
batch: 3
layers:
  - {type: conv, name: a, out: 8, kernel: 3, stride: 2, pad: 0, groups: 2, bias: false, bits: {weight: 3, act: 5}}
  - {type: avgpool, name: p, kernel: 2, stride: 1, pad: 1}
  - {type: conv, name: dw, kernel: 3, groups: depthwise}
  - {type: add, name: s, inputs: [dw, p]}
  - {type: zero, name: s1c0.n3<-1.zero, inputs: [s], bits: {weight: 4, act: 4}}
  - {type: add, name: s2, inputs: [s, s1c0.n3<-1.zero]}
  - {type: flatten}
  - {type: linear, out: 2, bias: false}
)";
  const ir::Network net = parse_network_yaml(yaml, "odd.yaml");
  EXPECT_EQ(net.batch, 3);
  EXPECT_EQ(net.layers[0].groups, 2);
  EXPECT_EQ(net.layers[0].bits, (ir::Bits{3, 5}));
  EXPECT_EQ(net.layers[2].groups, ir::kDepthwiseGroups);
  EXPECT_EQ(net.layers[3].inputs, (std::vector<std::string>{"dw", "p"}));
  EXPECT_EQ(net.layers[4].kind, ir::LayerKind::zero);
  EXPECT_EQ(net.layers[4].name, "s1c0.n3<-1.zero");  // NAS-Bench-201 layer names read back
  EXPECT_EQ(ir::analyze(net).layers[4].out, (ir::Shape{8, 5, 4}));
  EXPECT_EQ(parse_network_yaml(network_to_yaml(net), "again"), net);
}

TEST(NetworkYaml, ErrorsNameFileKeyAndReason) {
  const std::string head = "name: n\ninput: {channels: 1, height: 8, width: 8}\nlayers:\n";
  EXPECT_EQ(
      error_of(head + "  - {type: lstm}\n"),
      "net.yaml: layers[0].type: unknown layer type 'lstm' (expected one of: conv, "
      "maxpool, avgpool, global_avgpool, batchnorm, relu, relu6, add, flatten, linear, zero)");
  EXPECT_EQ(error_of(head + "  - {type: conv, out: 4, kernal: 3}\n"),
            "net.yaml: layers[0].kernal: unknown key (expected one of: type, name, inputs, "
            "bits, out, kernel, stride, pad, groups, bias)");
  EXPECT_EQ(error_of(head + "  - {type: conv, out: 4, kernel: x}\n"),
            "net.yaml: layers[0].kernel: expected an integer in 1..64, got 'x'");
  EXPECT_EQ(error_of(head + "  - {type: conv, out: 4, kernel: 9, pad: 0}\n"),
            "net.yaml: layers[0] (conv0): kernel 9 with pad 0 does not fit the 1x8x8 input");
  EXPECT_EQ(error_of(head + "  - {type: relu}\n  - {type: add, with: nowhere}\n"),
            "net.yaml: layers[1] (add1): input 'nowhere' is not an earlier layer (nor 'input')");
  EXPECT_EQ(error_of(head + "  - {type: conv, out: 4, bits: {weight: 40}}\n"),
            "net.yaml: layers[0].bits.weight: expected an integer in 1..32, got 40");
  EXPECT_EQ(error_of("name: n\nlayers: []\n"), "net.yaml: input: missing required key");
  EXPECT_EQ(error_of("name: n\ninput: {channels: 1, height: 8, width: 8}\nlayers: []\n"),
            "net.yaml: layers: a network needs at least one layer");
  EXPECT_EQ(error_of("name: [unclosed\n"),
            "net.yaml: line 2, column 1: malformed YAML: end of sequence flow not found");
}

TEST(NetworkYaml, MissingFile) {
  try {
    read_network_file("/nonexistent/net.yaml");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "/nonexistent/net.yaml: cannot open file");
  }
}

}  // namespace
}  // namespace hwnas::io
