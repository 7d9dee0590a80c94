// `hwnas space size|sample|decode`: look into a search space file without searching it.

#include <cstdint>
#include <fstream>
#include <memory>
#include <string>

#include <fmt/format.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "hwnas/core/error.hpp"
#include "hwnas/core/rng.hpp"
#include "hwnas/io/network_yaml.hpp"
#include "hwnas/io/space_yaml.hpp"
#include "hwnas/ir/network.hpp"
#include "hwnas/space/search_space.hpp"

namespace hwnas::cli {

namespace {

struct SpaceOptions {
  std::string space_file;
  bool json = false;
  int count = 10;
  std::uint64_t seed = 1;
  std::string genotype;
  std::string out;
};

void run_size(const SpaceOptions& options) {
  const auto space = io::read_space_file(options.space_file);
  const space::SpaceSize size = space->size();
  const auto& genes = space->genes();
  if (options.json) {
    nlohmann::json doc;
    doc["name"] = space->name();
    doc["kind"] = std::string(space->kind());
    doc["networks"] = size.exact;  // a string: it may not fit any JSON number type
    doc["log10_networks"] = size.log10;
    doc["genes"] = nlohmann::json::array();
    for (const auto& gene : genes) {
      doc["genes"].push_back({{"name", gene.name}, {"cardinality", gene.cardinality}});
    }
    fmt::print("{}\n", doc.dump(2));
    return;
  }
  fmt::print("space: {} ({})\n", space->name(), space->kind());
  fmt::print("networks: {} (10^{:.2f})\n", size.exact, size.log10);
  fmt::print("genes: {}\n", genes.size());
  for (std::size_t i = 0; i < genes.size(); ++i) {
    fmt::print("  {:>4}  {:<28} {}\n", i, genes[i].name, genes[i].cardinality);
  }
}

void run_sample(const SpaceOptions& options) {
  const auto space = io::read_space_file(options.space_file);
  Rng rng(options.seed);
  nlohmann::json doc = nlohmann::json::array();
  for (int i = 0; i < options.count; ++i) {
    const space::Genotype genotype = space::sample(*space, rng);
    const ir::NetworkStats stats = ir::analyze(space->decode(genotype));
    const std::string description = space->describe(genotype);
    if (options.json) {
      doc.push_back({{"genotype", genotype},
                     {"macs", stats.macs},
                     {"params", stats.params},
                     {"description", description}});
    } else {
      fmt::print("{}\tmacs={}\tparams={}\t{}\n", space::to_string(genotype), stats.macs,
                 stats.params, description);
    }
  }
  if (options.json) {
    // One sample a line: pretty-printing would put every gene on a line of its own.
    fmt::print("[\n");
    for (std::size_t i = 0; i < doc.size(); ++i) {
      fmt::print("  {}{}\n", doc[i].dump(), i + 1 < doc.size() ? "," : "");
    }
    fmt::print("]\n");
  }
}

void run_decode(const SpaceOptions& options) {
  const auto space = io::read_space_file(options.space_file);
  const space::Genotype genotype = space::parse_genotype(options.genotype);
  const ir::Network network = space->decode(genotype);
  const ir::NetworkStats stats = ir::analyze(network);
  const std::string yaml = fmt::format("# {}\n# {} MACs, {} params\n{}", space->describe(genotype),
                                       stats.macs, stats.params, io::network_to_yaml(network));
  if (options.out.empty()) {
    fmt::print("{}", yaml);
    return;
  }
  std::ofstream file(options.out);
  file << yaml;
  file.close();
  if (!file) throw InputError(options.out, "", "cannot write file");
  fmt::print("wrote {} ({} layers, {} MACs, {} params)\n", options.out, network.layers.size(),
             stats.macs, stats.params);
}

}  // namespace

void add_space_command(CLI::App& app) {
  auto options = std::make_shared<SpaceOptions>();
  CLI::App* space = app.add_subcommand(
      "space", "Inspect a search space: its size, random genotypes, decoded networks");
  space->require_subcommand(1);
  auto add_space_option = [&](CLI::App* command) {
    command->add_option("--space", options->space_file, "search space YAML file")->required();
  };

  CLI::App* size = space->add_subcommand(
      "size", "Print the number of distinct networks (exact and log10) and the genes");
  add_space_option(size);
  size->add_flag("--json", options->json, "print JSON");
  size->callback([options] { run_size(*options); });

  CLI::App* sample = space->add_subcommand(
      "sample", "Print random genotypes, one a line: genotype, MACs, params, description");
  add_space_option(sample);
  sample->add_option("--count", options->count, "how many genotypes (default 10)")
      ->check(CLI::Range(1, 1000000));
  sample->add_option("--seed", options->seed, "random seed (default 1)");
  sample->add_flag("--json", options->json,
                   "print a JSON array of {genotype, macs, params, description}");
  sample->callback([options] { run_sample(*options); });

  CLI::App* decode = space->add_subcommand(
      "decode", "Print the network of a genotype as network YAML (or write it to --out)");
  add_space_option(decode);
  decode->add_option("--genotype", options->genotype, "comma-separated gene values, e.g. 1,0,3,2")
      ->required();
  decode->add_option("--out", options->out, "write the network YAML to this file");
  decode->callback([options] { run_decode(*options); });
}

}  // namespace hwnas::cli
