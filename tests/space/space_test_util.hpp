#pragma once
// Helpers shared by the space tests.

#include <set>
#include <string>

#include "hwnas/io/network_yaml.hpp"
#include "hwnas/space/search_space.hpp"

namespace hwnas::space::testing {

// Calls `visit` with every genotype of the space (mixed-radix counting). Only for tiny spaces.
template <typename Visit>
void for_each_genotype(const SearchSpace& space, Visit visit) {
  const auto& genes = space.genes();
  Genotype genotype(genes.size(), 0);
  while (true) {
    visit(genotype);
    std::size_t i = 0;
    for (; i < genes.size(); ++i) {
      if (++genotype[i] < genes[i].cardinality) break;
      genotype[i] = 0;
    }
    if (i == genes.size()) return;
  }
}

// The number of distinct decoded networks, compared through their YAML text.
inline std::size_t count_distinct_networks(const SearchSpace& space) {
  std::set<std::string> seen;
  for_each_genotype(space, [&](const Genotype& genotype) {
    seen.insert(io::network_to_yaml(space.decode(genotype)));
  });
  return seen.size();
}

// The number of genotypes after blanking inactive genes: must match the count above, which shows
// that active_genes() is exact (no active gene is ignored by decode, no inactive gene used).
inline std::size_t count_distinct_active_projections(const SearchSpace& space) {
  std::set<Genotype> seen;
  for_each_genotype(space, [&](const Genotype& genotype) {
    const auto active = space.active_genes(genotype);
    Genotype projected = genotype;
    for (std::size_t i = 0; i < projected.size(); ++i) {
      if (!active[i]) projected[i] = -1;
    }
    seen.insert(projected);
  });
  return seen.size();
}

}  // namespace hwnas::space::testing
