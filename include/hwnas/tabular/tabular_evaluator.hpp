#pragma once
// Accuracy looked up, not trained: NAS-Bench-201's 200-epoch CIFAR-10 accuracies for the
// network a search proposes. A search over the nb201 space then costs milliseconds per
// candidate, and its results can be checked against the whole table (the best arch is known).
//
// Keyed by the decoded network, not by the genotype: the AccuracyEvaluator interface sees only an
// ir::Network. At construction every arch of the table is decoded with the given space and the
// network maps to its rows. The key is a 128-bit hash of every field of the network but its name
// (what eval::canonical_network keeps, written compactly: the canonical YAML took 6 s for the
// table, this key well under the decoding time); at construction, archs whose keys agree are
// checked to decode to equal networks, so the table itself holds no collision. The nb201 space
// decodes a few genotypes alike (15,625 archs, 15,251 networks: swapping skip_connect and none
// between nodes that hold the same tensor; space/nb201_space.hpp). Those archs are one network
// trained several times, so their accuracies differ by training noise only, and the evaluator
// returns their mean. A network the table does not hold (another space, other space options such as
// bit widths) is bad input: evaluate() throws InputError.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "hwnas/eval/evaluator.hpp"
#include "hwnas/space/search_space.hpp"
#include "hwnas/tabular/nb201_table.hpp"

namespace hwnas::tabular {

class TabularEvaluator : public eval::AccuracyEvaluator {
 public:
  // `space` decodes the table's genotypes; it must be the space the search decodes with (kind
  // "nb201", same options), else no candidate is found. Throws InputError when the space's kind
  // is not "nb201" or the table is empty.
  TabularEvaluator(const Nb201Table& table, const space::SearchSpace& space);

  // validation = the table's valid_acc, test = its test_acc (fractions; the mean over the archs
  // that decode to this network), source tabular. Thread-safe (the map is immutable after
  // construction). Throws InputError("<network name>", "network", "not in the NAS-Bench-201
  // table ...") for a network the table does not hold.
  eval::Accuracy evaluate(const ir::Network& network) override;
  std::string describe() const override;

  // The table rows (positions in Nb201Table::archs, ascending) whose arch decodes to `network`:
  // one, or a few for archs the space decodes alike; empty when the table does not hold it.
  std::vector<std::size_t> rows_of(const ir::Network& network) const;
  // The arch of a row, as held at construction.
  const Nb201Arch& arch(std::size_t row) const { return archs_.at(row); }
  std::size_t archs() const { return archs_.size(); }
  std::size_t networks() const { return groups_.size(); }

 private:
  std::string source_;
  std::string space_name_;
  struct Key {
    std::uint64_t a = 0, b = 0;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    std::size_t operator()(const Key& k) const { return k.a ^ (k.b * 0x9e3779b97f4a7c15ULL); }
  };
  static Key key_of(const ir::Network& network);

  struct Group {
    std::vector<std::size_t> rows;
    double valid_acc = 0;  // means over rows
    double test_acc = 0;
  };
  std::vector<Nb201Arch> archs_;
  std::vector<Group> groups_;
  std::unordered_map<Key, std::size_t, KeyHash> by_network_;  // network -> group
};

}  // namespace hwnas::tabular
