#include "hwnas/space/search_space.hpp"

#include <charconv>

#include <fmt/format.h>

#include "hwnas/core/error.hpp"
#include "hwnas/space/quantization.hpp"

namespace hwnas::space {

namespace {

constexpr const char* kGenotypeWhere = "genotype";

// A value in 0..cardinality-1 other than `current`, uniformly. Precondition: cardinality >= 2.
int redraw(int cardinality, int current, Rng& rng) {
  const int draw = static_cast<int>(rng.uniform_int(0, cardinality - 2));
  return draw >= current ? draw + 1 : draw;
}

}  // namespace

std::string_view to_string(QuantGranularity granularity) {
  switch (granularity) {
    case QuantGranularity::per_layer:
      return "layer";
    case QuantGranularity::per_block:
      return "block";
  }
  return "?";
}

bool valid(const SearchSpace& space, const Genotype& genotype) {
  const auto& genes = space.genes();
  if (genotype.size() != genes.size()) return false;
  for (std::size_t i = 0; i < genes.size(); ++i) {
    if (genotype[i] < 0 || genotype[i] >= genes[i].cardinality) return false;
  }
  return true;
}

void check_genotype(const SearchSpace& space, const Genotype& genotype) {
  const auto& genes = space.genes();
  if (genotype.size() != genes.size()) {
    throw InputError(kGenotypeWhere, "",
                     fmt::format("the {} space '{}' has {} genes, got {} values", space.kind(),
                                 space.name(), genes.size(), genotype.size()));
  }
  for (std::size_t i = 0; i < genes.size(); ++i) {
    if (genotype[i] < 0 || genotype[i] >= genes[i].cardinality) {
      throw InputError(
          kGenotypeWhere, fmt::format("gene {} ({})", i, genes[i].name),
          fmt::format("value {} outside 0..{}", genotype[i], genes[i].cardinality - 1));
    }
  }
}

Genotype sample(const SearchSpace& space, Rng& rng) {
  Genotype genotype;
  genotype.reserve(space.genes().size());
  for (const auto& gene : space.genes()) {
    genotype.push_back(static_cast<int>(rng.uniform_int(0, gene.cardinality - 1)));
  }
  return genotype;
}

Genotype mutate(const SearchSpace& space, const Genotype& parent, Rng& rng, double rate) {
  check_genotype(space, parent);
  if (!(rate >= 0.0 && rate <= 1.0)) {
    throw InputError("mutate", "rate",
                     fmt::format("expected a probability in [0, 1], got {}", rate));
  }
  const auto& genes = space.genes();
  const std::vector<bool> active = space.active_genes(parent);
  Genotype child = parent;
  bool changed_active = false;
  for (std::size_t i = 0; i < genes.size(); ++i) {
    if (genes[i].cardinality < 2 || !rng.bernoulli(rate)) continue;
    child[i] = redraw(genes[i].cardinality, parent[i], rng);
    changed_active = changed_active || active[i];
  }
  if (!changed_active) {
    // Changing only inactive genes would give the parent's network again: force one active
    // gene to change. (Which genes are active depends only on genes before them in decoding
    // order, so the first changed active gene is still active in the child.)
    std::vector<std::size_t> candidates;
    for (std::size_t i = 0; i < genes.size(); ++i) {
      if (active[i] && genes[i].cardinality >= 2) candidates.push_back(i);
    }
    if (!candidates.empty()) {
      const auto pick = static_cast<std::size_t>(
          rng.uniform_int(0, static_cast<std::int64_t>(candidates.size()) - 1));
      const std::size_t i = candidates[pick];
      child[i] = redraw(genes[i].cardinality, parent[i], rng);
    }
  }
  return child;
}

std::string to_string(const Genotype& genotype) {
  return fmt::format("{}", fmt::join(genotype, ","));
}

Genotype parse_genotype(std::string_view text) {
  Genotype genotype;
  std::size_t start = 0;
  for (int item = 0;; ++item) {
    const std::size_t comma = text.find(',', start);
    std::string_view field = text.substr(
        start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    while (!field.empty() && field.front() == ' ') field.remove_prefix(1);
    while (!field.empty() && field.back() == ' ') field.remove_suffix(1);
    int value = 0;
    const auto [end, ec] = std::from_chars(field.data(), field.data() + field.size(), value);
    if (field.empty() || ec != std::errc() || end != field.data() + field.size() || value < 0) {
      throw InputError(kGenotypeWhere, fmt::format("item {}", item),
                       fmt::format("expected a non-negative integer, got '{}'", field));
    }
    genotype.push_back(value);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return genotype;
}

}  // namespace hwnas::space
