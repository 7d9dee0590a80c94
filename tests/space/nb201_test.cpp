#include "hwnas/space/nb201_space.hpp"

#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "hwnas/core/error.hpp"
#include "hwnas/io/network_yaml.hpp"
#include "space_test_util.hpp"

namespace hwnas::space {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr const char* kAllNone = "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|";
constexpr const char* kAllSkip =
    "|skip_connect~0|+|skip_connect~0|skip_connect~1|+|skip_connect~0|skip_connect~1|"
    "skip_connect~2|";
constexpr const char* kAllPool =
    "|avg_pool_3x3~0|+|avg_pool_3x3~0|avg_pool_3x3~1|+|avg_pool_3x3~0|avg_pool_3x3~1|"
    "avg_pool_3x3~2|";
constexpr const char* kAllConv3 =
    "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|"
    "nor_conv_3x3~2|";
// Architecture 0 of data/nasbench201/archs_cifar10.csv: two 1x1 convs per cell.
constexpr const char* kArch0 =
    "|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|"
    "skip_connect~2|";

ir::NetworkStats stats_of(const char* arch) {
  const auto space = make_nb201_space();
  return ir::analyze(space->decode(nb201_genotype(arch)));
}

const ir::Layer& layer_named(const ir::Network& net, const std::string& name) {
  for (const auto& layer : net.layers) {
    if (layer.name == name) return layer;
  }
  throw std::runtime_error("no layer " + name);
}

std::string arch_error(std::string_view arch) {
  try {
    nb201_genotype(arch);
  } catch (const InputError& e) {
    EXPECT_EQ(e.where(), "arch");
    return e.what();
  }
  return "no error";
}

TEST(Nb201Space, GenesAreTheSixEdgesInArchStringOrder) {
  const auto space = make_nb201_space();
  EXPECT_EQ(space->kind(), "nb201");
  EXPECT_EQ(space->name(), "nb201");
  EXPECT_THAT(space->genes(), ElementsAre(Gene{"e1<-0", 5}, Gene{"e2<-0", 5}, Gene{"e2<-1", 5},
                                          Gene{"e3<-0", 5}, Gene{"e3<-1", 5}, Gene{"e3<-2", 5}));
  EXPECT_EQ(space->size().exact, "15251");  // see DistinctNetworks below
  EXPECT_NEAR(space->size().log10, 4.18330, 1e-5);
  EXPECT_THAT(nb201_ops(),
              ElementsAre("none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3"));
}

TEST(Nb201Space, ArchStringsOfHandPickedGenotypes) {
  EXPECT_EQ(nb201_arch_string({0, 0, 0, 0, 0, 0}), kAllNone);
  EXPECT_EQ(nb201_arch_string({3, 3, 3, 3, 3, 3}), kAllConv3);
  // Gene order 1<-0, 2<-0, 2<-1, 3<-0, 3<-1, 3<-2.
  EXPECT_EQ(nb201_arch_string({4, 2, 1, 2, 1, 1}), kArch0);
  EXPECT_EQ(nb201_genotype(kArch0), (Genotype{4, 2, 1, 2, 1, 1}));
  const auto space = make_nb201_space();
  EXPECT_EQ(space->describe({4, 2, 1, 2, 1, 1}), kArch0);
  EXPECT_EQ(space->active_genes({4, 2, 1, 2, 1, 1}), std::vector<bool>(6, true));
}

TEST(Nb201Space, ArchStringRoundTripForEveryArchitectureOfTheBenchmark) {
  std::ifstream file(std::string(HWNAS_SOURCE_DIR) + "/data/nasbench201/archs_cifar10.csv");
  ASSERT_TRUE(file) << "data/nasbench201/archs_cifar10.csv";
  std::string line;
  std::getline(file, line);
  EXPECT_THAT(line, ::testing::StartsWith("index,arch_str,valid_acc,test_acc"));
  std::set<Genotype> seen;
  int rows = 0;
  while (std::getline(file, line)) {
    std::istringstream fields(line);
    std::string index, arch;
    std::getline(fields, index, ',');
    std::getline(fields, arch, ',');
    const Genotype genotype = nb201_genotype(arch);
    EXPECT_EQ(nb201_arch_string(genotype), arch) << "index " << index;
    seen.insert(genotype);
    ++rows;
  }
  EXPECT_EQ(rows, 15625);
  EXPECT_EQ(seen.size(), 15625u);  // the file holds every genotype once
}

TEST(Nb201Space, BadArchStringsNameTheProblem) {
  EXPECT_THAT(arch_error(""), HasSubstr("expected 3 nodes separated by '+'"));
  EXPECT_THAT(arch_error("|none~0|+|none~0|none~1|"), HasSubstr("got 2"));
  EXPECT_THAT(arch_error("|none~0|+|none~0|+|none~0|none~1|none~2|"),
              AllOf(HasSubstr("node 2"), HasSubstr("expected 2 edges (from nodes 0..1), got 1")));
  EXPECT_THAT(arch_error("|conv~0|+|none~0|none~1|+|none~0|none~1|none~2|"),
              AllOf(HasSubstr("node 1 edge 0"), HasSubstr("unknown op 'conv'"),
                    HasSubstr("none, skip_connect, nor_conv_1x1, nor_conv_3x3, avg_pool_3x3")));
  EXPECT_THAT(arch_error("|none~0|+|none~0|none~2|+|none~0|none~1|none~2|"),
              AllOf(HasSubstr("node 2 edge 1"), HasSubstr("expected source node ~1, got '~2'")));
  EXPECT_THAT(arch_error("|none~0|+|none~0|none1|+|none~0|none~1|none~2|"),
              AllOf(HasSubstr("node 2 edge 1"), HasSubstr("expected 'op~1', got 'none1'")));
  EXPECT_THAT(arch_error("none~0|+|none~0|none~1|+|none~0|none~1|none~2|"),
              AllOf(HasSubstr("node 1"), HasSubstr("between bars")));
  EXPECT_THAT(arch_error("|none~0|+|none~0|none~1|+|none~0|none~1|none~2| "),
              AllOf(HasSubstr("node 3"), HasSubstr("between bars")));
  try {
    nb201_arch_string({0, 0, 0, 0, 0, 5});
    ADD_FAILURE() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(e.where(), "genotype");
    EXPECT_THAT(e.what(), HasSubstr("e3<-2"));
  }
  EXPECT_THROW(nb201_arch_string({0, 0, 0}), InputError);
}

// Parameter counts (trainable: conv weights, linear weights and biases, batch-norm scales and
// shifts) derived by hand, and compared with NAS-Bench-201's published CIFAR-10 extremes, which
// public tools copy as "params: [0.073306, 1.531546]" (millions) and "flops: [7.78305,
// 220.11969]" (millions).
//
// Skeleton without cell parameters (every cell of none, skip_connect or avg_pool_3x3):
//   stem.conv 3*16*9 = 432, stem.bn 2*16 = 32                                          464
//   r1: a.conv 16*32*9 = 4608, a.bn 64, b.conv 32*32*9 = 9216, b.bn 64, down 16*32 = 512  14464
//   r2: a.conv 32*64*9 = 18432, a.bn 128, b.conv 64*64*9 = 36864, b.bn 128, down 2048    57600
//   last.bn 2*64 = 128, fc 64*10 + 10 = 650                                              778
//   total                                                                              73306
// = NAS-Bench-201's smallest, 0.073306 M.
// A nor_conv_kxk edge adds k*k*C*C + 2*C per cell; five cells per stage, C = 16, 32, 64.
//   nor_conv_3x3 on all 6 edges: 6 * 5 * (2336 + 9280 + 36992) = 1458240; 73306 + 1458240 =
//   1531546 = NAS-Bench-201's largest, 1.531546 M.
//   architecture 0 (two nor_conv_1x1): 2 * 5 * (288 + 1088 + 4224) = 56000; total 129306.
//
// MACs (ir::analyze: convs and linears; pools, adds and batch norms count none):
//   stem 32*32 * 16 * 27 = 442368; each reduction block a 1179648 + b 2359296 + down 131072 =
//   3670016 (both r1 and r2); fc 640. Skeleton total 442368 + 2 * 3670016 + 640 = 7783040.
//   NAS-Bench-201's FLOP counter counts the same and adds the 10 fc bias additions, and counts
//   no pooling: 7783050 = its smallest, 7.78305 M.
//   A 3x3 cell conv costs H*W*C*9C = 2359296 at every stage (32*32*16*144 = 16*16*32*288 =
//   8*8*64*576); all nor_conv_3x3: 90 * 2359296 = 212336640, total 220119680 (+10 =
//   NAS-Bench-201's largest, 220.11969 M). A 1x1 cell conv costs 262144 at every stage;
//   architecture 0: 30 * 262144 = 7864320, total 15647360.
TEST(Nb201Space, HandCheckedParametersAndMacs) {
  for (const char* arch : {kAllNone, kAllSkip, kAllPool}) {
    const auto stats = stats_of(arch);
    EXPECT_EQ(stats.params, 73306) << arch;
    EXPECT_EQ(stats.macs, 7783040) << arch;
    EXPECT_EQ(stats.output, (ir::Shape{10, 1, 1})) << arch;
  }
  const auto conv3 = stats_of(kAllConv3);
  EXPECT_EQ(conv3.params, 1531546);
  EXPECT_EQ(conv3.macs, 220119680);
  const auto arch0 = stats_of(kArch0);
  EXPECT_EQ(arch0.params, 129306);
  EXPECT_EQ(arch0.macs, 15647360);
}

TEST(Nb201Space, DecodesTheSkeletonAndOneCellLayerByLayer) {
  const auto space = make_nb201_space();
  const ir::Network net = space->decode(nb201_genotype(kArch0));
  EXPECT_EQ(net.name, "nb201");
  EXPECT_EQ(net.input, (ir::Shape{3, 32, 32}));
  EXPECT_EQ(net.batch, 1);
  std::vector<std::string> first;
  for (std::size_t i = 0; i < 12; ++i) first.push_back(net.layers[i].name);
  // Cell s1c0 of architecture 0: node 1 = pool(node 0); node 2 = conv1x1(node 0) + node 1;
  // node 3 = conv1x1(node 0) + node 1 + node 2.
  EXPECT_THAT(first,
              ElementsAre("stem.conv", "stem.bn", "s1c0.n1<-0.pool", "s1c0.n2<-0.relu",
                          "s1c0.n2<-0.conv", "s1c0.n2<-0.bn", "s1c0.n2.add", "s1c0.n3<-0.relu",
                          "s1c0.n3<-0.conv", "s1c0.n3<-0.bn", "s1c0.n3.add", "s1c1.n1<-0.pool"));
  EXPECT_THAT(layer_named(net, "s1c0.n1<-0.pool").inputs, ElementsAre("stem.bn"));
  const ir::Layer& pool = layer_named(net, "s1c0.n1<-0.pool");
  EXPECT_EQ(pool.kind, ir::LayerKind::avgpool);
  EXPECT_EQ(pool.kernel, 3);
  EXPECT_EQ(pool.stride, 1);
  EXPECT_EQ(pool.pad, 1);
  EXPECT_THAT(layer_named(net, "s1c0.n2.add").inputs,
              ElementsAre("s1c0.n2<-0.bn", "s1c0.n1<-0.pool"));
  EXPECT_THAT(layer_named(net, "s1c0.n3.add").inputs,
              ElementsAre("s1c0.n3<-0.bn", "s1c0.n1<-0.pool", "s1c0.n2.add"));
  EXPECT_THAT(layer_named(net, "s1c1.n1<-0.pool").inputs, ElementsAre("s1c0.n3.add"));
  const ir::Layer& conv = layer_named(net, "s3c4.n3<-0.conv");
  EXPECT_EQ(conv.out, 64);
  EXPECT_EQ(conv.kernel, 1);
  EXPECT_EQ(conv.pad, 0);
  EXPECT_FALSE(conv.bias);

  // The reduction block between stages 1 and 2 reads the last cell of stage 1.
  EXPECT_THAT(layer_named(net, "r1.a.relu").inputs, ElementsAre("s1c4.n3.add"));
  EXPECT_THAT(layer_named(net, "r1.down.pool").inputs, ElementsAre("s1c4.n3.add"));
  const ir::Layer& a = layer_named(net, "r1.a.conv");
  EXPECT_EQ(a.stride, 2);
  EXPECT_EQ(a.out, 32);
  EXPECT_FALSE(a.bias);
  const ir::Layer& down = layer_named(net, "r1.down.pool");
  EXPECT_EQ(down.kernel, 2);
  EXPECT_EQ(down.stride, 2);
  EXPECT_THAT(layer_named(net, "r1.add").inputs, ElementsAre("r1.b.bn", "r1.down.conv"));
  std::vector<std::string> last;
  for (std::size_t i = net.layers.size() - 4; i < net.layers.size(); ++i) {
    last.push_back(net.layers[i].name);
  }
  EXPECT_THAT(last, ElementsAre("last.bn", "last.relu", "gap", "fc"));

  const auto stats = ir::analyze(net);
  EXPECT_EQ(stats.layers[ir::analyze(net).layers.size() - 5].out, (ir::Shape{64, 8, 8}));
}

TEST(Nb201Space, SkipConnectionsAddNoLayerAndNodeSumsAddTheirInputs) {
  const auto space = make_nb201_space();
  const ir::Network net = space->decode(nb201_genotype(kAllSkip));
  // Node 1 is node 0 itself; node 2 = node 0 + node 1 (the same tensor twice); node 3 adds three.
  EXPECT_THAT(layer_named(net, "s1c0.n2.add").inputs, ElementsAre("stem.bn", "stem.bn"));
  EXPECT_THAT(layer_named(net, "s1c0.n3.add").inputs,
              ElementsAre("stem.bn", "stem.bn", "s1c0.n2.add"));
  // 2 stem + 15 cells * 2 adds + 2 reductions * 9 + 4 head layers.
  EXPECT_EQ(net.layers.size(), 2u + 30u + 18u + 4u);
}

TEST(Nb201Space, CellWhoseOutputIsZeroDecodesAndAnalyzes) {
  // Nodes 1 and 2 compute (their ops still run: devices measured them) but node 3 has only none
  // edges, so each cell outputs zeros and the next cell reads the zero layer.
  constexpr const char* kDeadEnd =
      "|nor_conv_3x3~0|+|skip_connect~0|nor_conv_1x1~1|+|none~0|none~1|none~2|";
  const auto space = make_nb201_space();
  const ir::Network net = space->decode(nb201_genotype(kDeadEnd));
  const ir::Layer& zero = layer_named(net, "s1c0.n3.zero");
  EXPECT_EQ(zero.kind, ir::LayerKind::zero);
  EXPECT_THAT(zero.inputs, ElementsAre("stem.bn"));
  EXPECT_THAT(layer_named(net, "s1c1.n1<-0.relu").inputs, ElementsAre("s1c0.n3.zero"));
  EXPECT_THAT(layer_named(net, "s1c0.n2.add").inputs, ElementsAre("stem.bn", "s1c0.n2<-1.bn"));
  EXPECT_THAT(layer_named(net, "last.bn").inputs, ElementsAre("s3c4.n3.zero"));
  const auto stats = ir::analyze(net);
  // Per cell one 3x3 and one 1x1 conv: (2359296 + 262144) * 15 on top of the skeleton.
  EXPECT_EQ(stats.macs, 7783040 + 15 * (2359296 + 262144));
  EXPECT_EQ(stats.params, 73306 + 5 * (2336 + 288) + 5 * (9280 + 1088) + 5 * (36992 + 4224));
  EXPECT_EQ(stats.output, (ir::Shape{10, 1, 1}));

  // All none: three zero layers per cell, each reading the cell input.
  const ir::Network none = space->decode(nb201_genotype(kAllNone));
  EXPECT_THAT(layer_named(none, "s2c3.n2.zero").inputs, ElementsAre("s2c2.n3.zero"));
  EXPECT_EQ(none.layers.size(), 2u + 45u + 18u + 4u);
}

// Every genotype decoded (one cell per stage keeps it fast: aliasing is a property of the cell,
// and every cell of a network has the same genotype), compared through the network's YAML text.
TEST(Nb201Space, EveryGeneIsActiveAndOnlySkipAliasesShareANetwork) {
  Nb201Options options;
  options.cells_per_stage = 1;
  const auto space = make_nb201_space(options);
  std::map<Genotype, std::string> yaml;
  std::map<std::string, std::vector<Genotype>> by_network;
  testing::for_each_genotype(*space, [&](const Genotype& genotype) {
    const std::string text = io::network_to_yaml(space->decode(genotype));
    yaml[genotype] = text;
    by_network[text].push_back(genotype);
  });
  // All genes are active: changing any single gene, to any other value, changes the network.
  int checked = 0;
  for (const auto& [genotype, text] : yaml) {
    for (std::size_t e = 0; e < genotype.size(); ++e) {
      for (int value = 0; value < 5; ++value) {
        if (value == genotype[e]) continue;
        Genotype other = genotype;
        other[e] = value;
        EXPECT_NE(yaml.at(other), text) << nb201_arch_string(genotype) << " gene " << e;
        ++checked;
      }
    }
  }
  EXPECT_EQ(checked, 15625 * 6 * 4);

  EXPECT_EQ(std::to_string(by_network.size()), space->size().exact);
  EXPECT_EQ(make_nb201_space()->size(), space->size());
  // Every shared network comes from a lone skip_connect: node 1 = node 0 (1<-0 = skip_connect) or
  // node 2 a lone skip_connect of node 0 or node 1 (one of 2<-0, 2<-1 skip_connect, the other
  // none), and the genotypes sharing it differ only in skip_connect / none edges.
  std::size_t shared = 0;
  for (const auto& [yaml, genotypes] : by_network) {
    if (genotypes.size() == 1) continue;
    shared += genotypes.size();
    for (const Genotype& g : genotypes) {
      const bool node1_alias = g[0] == 1;
      const bool node2_alias = (g[1] == 1 && g[2] == 0) || (g[1] == 0 && g[2] == 1);
      EXPECT_TRUE(node1_alias || node2_alias) << nb201_arch_string(g);
      for (std::size_t e = 0; e < g.size(); ++e) {
        if (g[e] != genotypes.front()[e]) {
          EXPECT_LE(g[e], 1) << nb201_arch_string(g);
          EXPECT_LE(genotypes.front()[e], 1) << nb201_arch_string(genotypes.front());
        }
      }
    }
  }
  EXPECT_GT(shared, 0u);
  // The example of the header: 1<-0 skip_connect; 2<-0, 2<-1 = skip, none or none, skip.
  const auto full = make_nb201_space();
  EXPECT_EQ(full->decode(nb201_genotype(
                "|skip_connect~0|+|skip_connect~0|none~1|+|none~0|none~1|nor_conv_3x3~2|")),
            full->decode(nb201_genotype(
                "|skip_connect~0|+|none~0|skip_connect~1|+|none~0|none~1|nor_conv_3x3~2|")));
  // Without the alias (1<-0 a conv) the same swap gives a different network.
  EXPECT_NE(full->decode(nb201_genotype(
                "|nor_conv_1x1~0|+|skip_connect~0|none~1|+|none~0|none~1|nor_conv_3x3~2|")),
            full->decode(nb201_genotype(
                "|nor_conv_1x1~0|+|none~0|skip_connect~1|+|none~0|none~1|nor_conv_3x3~2|")));
}

TEST(Nb201Space, DecodedNetworksReadBackFromYaml) {
  const auto space = make_nb201_space();
  for (const char* arch : {kAllNone, kAllConv3, kArch0}) {
    const ir::Network net = space->decode(nb201_genotype(arch));
    EXPECT_EQ(io::parse_network_yaml(io::network_to_yaml(net), "nb201.yaml"), net) << arch;
  }
}

TEST(Nb201Space, OptionsScaleTheSkeletonAndBadOptionsNameTheKey) {
  Nb201Options options;
  options.name = "tiny";
  options.stem_channels = 8;
  options.cells_per_stage = 1;
  options.classes = 100;
  options.input = {3, 16, 16};
  options.batch = 4;
  options.bits = {8, 8};
  const auto space = make_nb201_space(options);
  EXPECT_EQ(space->name(), "tiny");
  const ir::Network net = space->decode(nb201_genotype(kAllConv3));
  EXPECT_EQ(net.batch, 4);
  EXPECT_EQ(net.layers.back().bits, (ir::Bits{8, 8}));
  const auto stats = ir::analyze(net);
  EXPECT_EQ(stats.output, (ir::Shape{100, 1, 1}));
  EXPECT_EQ(layer_named(net, "s3c0.n1<-0.conv").out, 32);

  auto error_of = [](Nb201Options o) {
    try {
      make_nb201_space(o);
    } catch (const InputError& e) {
      EXPECT_EQ(e.where(), "<space>");
      return e.key() + ": " + e.reason();
    }
    return std::string("no error");
  };
  Nb201Options bad;
  bad.input.height = 30;
  EXPECT_THAT(error_of(bad), HasSubstr("input.height: expected a multiple of 4"));
  bad = {};
  bad.stem_channels = 0;
  EXPECT_THAT(error_of(bad), HasSubstr("stem_channels: expected an integer in 1..16384"));
  bad = {};
  bad.cells_per_stage = 0;
  EXPECT_THAT(error_of(bad), HasSubstr("cells_per_stage"));
  bad = {};
  bad.classes = 0;
  EXPECT_THAT(error_of(bad), HasSubstr("classes"));
  bad = {};
  bad.bits.weight = 0;
  EXPECT_THAT(error_of(bad), HasSubstr("bits"));
  bad = {};
  bad.name = "";
  EXPECT_THAT(error_of(bad), HasSubstr("name"));
}

}  // namespace
}  // namespace hwnas::space
