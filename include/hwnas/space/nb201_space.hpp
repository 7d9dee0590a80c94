#pragma once
// The NAS-Bench-201 cell space (Dong & Yang, "NAS-Bench-201: Extending the Scope of Reproducible
// Neural Architecture Search", ICLR 2020) on its CIFAR-10 macro skeleton, decoded to the IR so
// that the cost models see the same networks whose accuracies and device latencies
// data/nasbench201/ holds.
//
// A cell has 4 nodes: node 0 is the cell input, node j (1..3) the sum over i < j of op_ij(node i),
// and the cell output is node 3. The six edges are the genes, in arch-string order
//   e1<-0, e2<-0, e2<-1, e3<-0, e3<-1, e3<-2
// each taking an index into nb201_ops():
//   0 none          the edge is dropped (a zero tensor)
//   1 skip_connect  identity
//   2 nor_conv_1x1  relu, 1x1 conv (stride 1, no bias), batchnorm
//   3 nor_conv_3x3  relu, 3x3 conv (stride 1, pad 1, no bias), batchnorm
//   4 avg_pool_3x3  3x3 average pool, stride 1, pad 1
// All cells of a network share the genotype, so the space holds 5^6 = 15,625 networks.
//
// Decoding (C = stem_channels; N = cells_per_stage; names in quotes):
//   "stem.conv" 3x3 conv to C, pad 1, no bias; "stem.bn"
//   stage s = 1, 2, 3 with C, 2C, 4C channels: N cells "s<s>c<k>" (k = 0..N-1), and between
//   stages a residual reduction block "r1" / "r2" (ResNet basic block):
//     "r<r>.a.relu", "r<r>.a.conv" (3x3 stride 2 pad 1 no bias), "r<r>.a.bn",
//     "r<r>.b.relu", "r<r>.b.conv" (3x3 stride 1 pad 1 no bias), "r<r>.b.bn",
//     "r<r>.down.pool" (2x2 average pool, stride 2) and "r<r>.down.conv" (1x1, no bias) on the
//     block input, "r<r>.add" of the two branches
//   "last.bn", "last.relu", "gap" (global average pool), "fc" (linear to `classes`)
// Inside cell "s1c2", the op on edge j<-i is named "s1c2.n<j><-<i>.relu" / ".conv" / ".bn"
// (convs) or "s1c2.n<j><-<i>.pool"; node j's value is
//   "s1c2.n<j>.add"   an add of its non-none inputs when there are two or more,
//   the producer itself when there is exactly one (skip_connect adds no layer),
//   "s1c2.n<j>.zero"  a zero layer reading the cell input when every incoming edge is none.
// Every non-none op is decoded even when its result never reaches node 3 (devices run those ops,
// and HW-NAS-Bench measured them so), and every gene is always active: changing any one edge
// changes the network. The decoding is still not injective: when a node is a lone skip_connect
// of an earlier node, the two hold the same tensor, and swapping skip_connect and none between
// edges from those two nodes gives the same network (e.g. with 1<-0 = skip_connect, edges
// 2<-0, 2<-1 = skip_connect, none and none, skip_connect both make node 2 the cell input). So the
// 15,625 genotypes (NAS-Bench-201's indices) decode to 15,251 distinct networks, which is what
// size() reports; genotypes that share a network have the same cost. Layers are in topological
// order: nodes 1, 2, 3, each node's edges in arch-string order, then the node's add. (Batch norms
// hold a scale and a shift, as NAS-Bench-201's affine batch norms do; the average pools count the
// zero padding, where NAS-Bench-201's exclude it: the same cost, slightly different values at the
// borders.)

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "hwnas/ir/network.hpp"
#include "hwnas/space/search_space.hpp"

namespace hwnas::space {

struct Nb201Options {
  std::string name = "nb201";  // the decoded networks' name
  int stem_channels = 16;      // 1..limits::kMaxChannels / 4 (stage 3 has 4x as many)
  int cells_per_stage = 5;     // 1..limits::kMaxDepth
  int classes = 10;            // 1..limits::kMaxClasses
  ir::Shape input{3, 32, 32};  // height and width multiples of 4 (two stride-2 reductions)
  int batch = 1;               // >= 1
  ir::Bits bits = {};          // every layer's bits
};

// Throws InputError("<space>", key, reason) for invalid options; the keys are those of the space
// YAML format ("stem_channels", "input.height", ...). kind() is "nb201".
std::shared_ptr<const SearchSpace> make_nb201_space(const Nb201Options& options = {});

inline constexpr int kNb201Edges = 6;  // genes, in arch-string order (see above)

// none, skip_connect, nor_conv_1x1, nor_conv_3x3, avg_pool_3x3: a gene's value is an index here.
const std::vector<std::string>& nb201_ops();

// "|nor_conv_3x3~0|+|none~0|skip_connect~1|+|...~0|...~1|...~2|". Throws InputError("genotype",
// ...) as check_genotype does for a genotype that is not 6 values in 0..4.
std::string nb201_arch_string(const Genotype& genotype);

// The inverse of nb201_arch_string. Throws InputError("arch", part, reason) naming the bad part
// ("node 2", "node 3 edge 1", ...): wrong number of nodes or edges, an unknown op, a wrong
// "~<i>" source, missing '|' or '+' separators.
Genotype nb201_genotype(std::string_view arch);

}  // namespace hwnas::space
