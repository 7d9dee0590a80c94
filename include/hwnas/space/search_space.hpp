#pragma once
// Search spaces: a genotype (a vector of bounded integers) and its decoding into a network.
//
// A search space is an open set (layered FNAS space, MobileNetV2/MnasNet block space, a cell space
// later), so it is an interface made by factories (layered_space.hpp, block_space.hpp). Spaces are
// immutable once made and every member is const, so one space may be shared by many threads.
//
// Gene values are indices into choice lists: gene i takes a value in 0..genes()[i].cardinality-1.
// Some genes are inactive for some genotypes (the genes of layers beyond the chosen layer count,
// for example); they keep their value but do not change the decoded network.

#include <string>
#include <string_view>
#include <vector>

#include "hwnas/core/rng.hpp"
#include "hwnas/ir/network.hpp"

namespace hwnas::space {

using Genotype = std::vector<int>;

struct Gene {
  std::string name;     // e.g. "layers", "l2.kernel", "s3.depth", "s3b1.weight_bits"
  int cardinality = 1;  // the gene takes values 0..cardinality-1 (index into a choice list)
  bool operator==(const Gene&) const = default;
};

// The number of distinct networks of a space. It can exceed 2^64 (a 20-layer space with 64
// choices per layer already does), so it is kept exactly as a decimal string, computed with
// arbitrary-precision integers, and as its base-10 logarithm for comparisons and printing.
struct SpaceSize {
  std::string exact;   // decimal digits, no separators; at least "1"
  double log10 = 0.0;  // log10 of the exact value (accurate to double precision)
  bool operator==(const SpaceSize&) const = default;
};

class SearchSpace {
 public:
  virtual ~SearchSpace() = default;

  // The kind of space ("layered", "blocks") and the user's name for it (the decoded networks'
  // name).
  virtual std::string_view kind() const = 0;
  virtual const std::string& name() const = 0;

  // The genes, in genotype order; the same for every genotype.
  virtual const std::vector<Gene>& genes() const = 0;

  // The network a genotype stands for; it always passes ir::analyze. Throws InputError
  // ("genotype", "gene <i> (<name>)", reason) when the genotype has the wrong length or a value
  // out of bounds (see check_genotype).
  virtual ir::Network decode(const Genotype& genotype) const = 0;

  // Which genes change the decoded network of this genotype (same length as genes()). Changing
  // any active gene changes the decoded network; changing only inactive genes does not.
  // Throws as decode.
  virtual std::vector<bool> active_genes(const Genotype& genotype) const = 0;

  // One line for people, e.g. "3 layers | k3 f24 s1 max | k5 f36 s2 | k1 f24 s1". Throws as decode.
  virtual std::string describe(const Genotype& genotype) const = 0;

  // The number of distinct networks: genotypes that differ only in inactive genes count once,
  // and distinct genotypes that differ in an active gene always decode to different networks
  // (choice lists hold no repeated value), so this equals the number of distinct decoded
  // ir::Network values.
  virtual SpaceSize size() const = 0;
};

// True when the genotype has one value per gene and each is within its gene's bounds.
bool valid(const SearchSpace& space, const Genotype& genotype);

// Throws InputError("genotype", ...) naming the first problem when !valid(space, genotype).
void check_genotype(const SearchSpace& space, const Genotype& genotype);

// Every gene drawn uniformly and independently from its range. (Uniform over genotypes, not over
// networks: e.g. each layer count is equally likely.)
Genotype sample(const SearchSpace& space, Rng& rng);

// A copy of `parent` in which each gene is, with probability `rate` (0..1), redrawn uniformly
// among the values different from its current one. At least one *active* gene always changes,
// so the child decodes to a network different from the parent's; the only exception is a space
// holding a single network, where the child equals the parent in every active gene.
// Throws InputError for an invalid parent or a rate outside [0, 1].
Genotype mutate(const SearchSpace& space, const Genotype& parent, Rng& rng, double rate);

// "3,0,1,2" and back. parse_genotype accepts spaces around the commas and throws
// InputError("genotype", "item <i>", reason) for anything that is not a non-negative integer.
// It does not check bounds: that needs a space (check_genotype).
std::string to_string(const Genotype& genotype);
Genotype parse_genotype(std::string_view text);

}  // namespace hwnas::space
