#include "hwnas/tabular/tabular_evaluator.hpp"

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <string_view>

#include <fmt/format.h>

#include "hwnas/core/error.hpp"
#include "hwnas/core/parallel.hpp"

namespace hwnas::tabular {

namespace {

// Two FNV-1a hashes (64 bits each, different offsets) fed the same bytes.
struct Hasher {
  std::uint64_t a = 0xcbf29ce484222325ULL, b = 0x84222325cbf29ce4ULL;
  void byte(unsigned char c) {
    a = (a ^ c) * 0x100000001b3ULL;
    b = (b ^ c) * 0x100000001b3ULL;
  }
  void number(std::int64_t v) {
    for (int i = 0; i < 8; ++i)
      byte(static_cast<unsigned char>(static_cast<std::uint64_t>(v) >> (8 * i)));
  }
  void text(std::string_view s) {
    number(static_cast<std::int64_t>(s.size()));  // length first: "ab","c" != "a","bc"
    for (const char c : s) byte(static_cast<unsigned char>(c));
  }
};

}  // namespace

TabularEvaluator::Key TabularEvaluator::key_of(const ir::Network& network) {
  // Every field of the network and its layers but the network's name, as canonical_network
  // keeps them (empty layer names filled in as assign_default_names does), hashed without
  // building text: the canonical YAML took 6 s for the table's 15,625 archs.
  Hasher h;
  for (const std::int64_t v : {network.input.channels, network.input.height, network.input.width,
                               static_cast<std::int64_t>(network.batch),
                               static_cast<std::int64_t>(network.layers.size())}) {
    h.number(v);
  }
  for (std::size_t i = 0; i < network.layers.size(); ++i) {
    const ir::Layer& l = network.layers[i];
    if (l.name.empty()) {
      h.text(fmt::format("{}{}", ir::to_string(l.kind), i));
    } else {
      h.text(l.name);
    }
    for (const int v :
         {static_cast<int>(l.kind), l.out, l.kernel, l.stride, l.pad, l.groups, l.bias ? 1 : 0,
          l.bits.weight, l.bits.act, static_cast<int>(l.inputs.size())}) {
      h.number(v);
    }
    for (const auto& input : l.inputs) h.text(input);
  }
  // A chance collision of two networks is ~2^-128.
  return {h.a, h.b};
}

TabularEvaluator::TabularEvaluator(const Nb201Table& table, const space::SearchSpace& space)
    : source_(table.archs_file), space_name_(space.name()), archs_(table.archs) {
  if (space.kind() != "nb201") {
    throw InputError(table.archs_file, "space",
                     fmt::format("the NAS-Bench-201 table needs the nb201 space, not a '{}' space",
                                 space.kind()));
  }
  if (archs_.empty()) throw InputError(table.archs_file, "", "the table holds no architectures");
  // Decoding takes most of the time (about 0.15 ms an arch): spread it over the cores.
  std::vector<Key> keys(archs_.size());
  parallel_for(archs_.size(),
               [&](std::size_t row) { keys[row] = key_of(space.decode(archs_[row].genotype)); });
  by_network_.reserve(archs_.size());
  for (std::size_t row = 0; row < archs_.size(); ++row) {
    const auto [it, fresh] = by_network_.emplace(keys[row], groups_.size());
    if (fresh) {
      groups_.emplace_back();
    } else {
      // Archs that share a key must share the network; check, as the key is a hash.
      const std::size_t first = groups_[it->second].rows.front();
      if (space.decode(archs_[first].genotype) != space.decode(archs_[row].genotype)) {
        throw std::logic_error(fmt::format("nb201 networks of indices {} and {} share a key",
                                           archs_[first].index, archs_[row].index));
      }
    }
    groups_[it->second].rows.push_back(row);
  }
  for (Group& g : groups_) {
    for (const std::size_t row : g.rows) {
      g.valid_acc += archs_[row].valid_acc;
      g.test_acc += archs_[row].test_acc;
    }
    g.valid_acc /= static_cast<double>(g.rows.size());
    g.test_acc /= static_cast<double>(g.rows.size());
  }
}

std::vector<std::size_t> TabularEvaluator::rows_of(const ir::Network& network) const {
  const auto it = by_network_.find(key_of(network));
  if (it == by_network_.end()) return {};
  return groups_[it->second].rows;
}

eval::Accuracy TabularEvaluator::evaluate(const ir::Network& network) {
  const auto it = by_network_.find(key_of(network));
  if (it == by_network_.end()) {
    throw InputError(network.name.empty() ? "<network>" : network.name, "network",
                     fmt::format("not in the NAS-Bench-201 table ({} archs from {}): only networks "
                                 "decoded by the nb201 space '{}' with the table's options are",
                                 archs_.size(), source_, space_name_));
  }
  const Group& g = groups_[it->second];
  eval::Accuracy a;
  a.validation = g.valid_acc;
  a.test = g.test_acc;
  a.source = eval::AccuracySource::tabular;
  return a;
}

std::string TabularEvaluator::describe() const {
  return fmt::format(
      "NAS-Bench-201 table lookup ({} archs, {} distinct networks, from {}; 200-epoch CIFAR-10 "
      "accuracy, averaged over archs that decode alike)",
      archs_.size(), groups_.size(), source_);
}

}  // namespace hwnas::tabular
