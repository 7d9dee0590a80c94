// hwnas bench search: the search algorithms against a known answer. On NAS-Bench-201 every cell
// has a measured accuracy and device latency, so the true accuracy-latency Pareto front is known
// by enumeration; each algorithm's hypervolume after q queries is reported as a share of it.

#include <cmath>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "hwnas/core/error.hpp"
#include "hwnas/pipeline/table_bench.hpp"
#include "hwnas/space/nb201_space.hpp"
#include "hwnas/tabular/nb201_table.hpp"

namespace hwnas::cli {

namespace {

struct BenchOptions {
  std::string space = "nb201";
  std::string device = "edgetpu";
  std::string archs = std::string(tabular::kNb201ArchsCsv);
  std::vector<std::string> device_files = {std::string(tabular::kNb201HwCsv),
                                           std::string(tabular::kNb201ServerCsv)};
  std::vector<int> queries = {50, 100, 200, 500};
  std::vector<std::string> algorithms = {"random", "evolution", "nsga2", "fnas"};
  int seeds = 10;
  int batch = 10;
  int population = 10;
  std::string accuracy = "valid";
  std::string out;
  bool json = false;
};

std::string markdown(const BenchOptions& options, const pipeline::TableBenchResult& r) {
  std::string text = fmt::format(
      "Search on NAS-Bench-201 x {} ({} measured cells; true front {} cells, hypervolume {:.6g} "
      "against accuracy {:g}, latency {:.6g} ms); {} accuracy; share of the true hypervolume, "
      "mean ± standard deviation over {} seeds [min–max]\n\n",
      options.device, r.points, r.true_front_size, r.true_hypervolume, r.accuracy_ref,
      r.latency_ref, options.accuracy, options.seeds);
  text += "| algorithm |";
  for (int q : options.queries) text += fmt::format(" {} queries |", q);
  text += " time (all seeds) |\n|---|";
  for (std::size_t i = 0; i < options.queries.size(); ++i) text += "---|";
  text += "---|\n";
  for (const std::string& name : options.algorithms) {
    text += fmt::format("| {} |", name);
    for (const auto& cell : r.cells.at(name)) {
      text += fmt::format(" {:.2f}% ± {:.2f} [{:.2f}–{:.2f}] |", 100 * cell.mean, 100 * cell.stddev,
                          100 * cell.min, 100 * cell.max);
    }
    text += fmt::format(" {:.1f} s |\n", r.seconds.at(name));
  }
  return text;
}

nlohmann::json to_json(const BenchOptions& options, const pipeline::TableBenchResult& r) {
  nlohmann::json algorithms = nlohmann::json::object();
  for (const auto& [name, cells] : r.cells) {
    nlohmann::json list = nlohmann::json::array();
    for (std::size_t i = 0; i < cells.size(); ++i) {
      list.push_back({{"queries", options.queries[i]},
                      {"mean", cells[i].mean},
                      {"stddev", cells[i].stddev},
                      {"median", cells[i].median},
                      {"min", cells[i].min},
                      {"max", cells[i].max},
                      {"shares", cells[i].shares}});
    }
    algorithms[name] = {{"checkpoints", list}, {"seconds", r.seconds.at(name)}};
  }
  return {{"space", options.space},
          {"device", options.device},
          {"accuracy", options.accuracy},
          {"seeds", options.seeds},
          {"points", r.points},
          {"true_front_size", r.true_front_size},
          {"true_hypervolume", r.true_hypervolume},
          {"reference", {{"accuracy", r.accuracy_ref}, {"latency_ms", r.latency_ref}}},
          {"algorithms", algorithms}};
}

void run_bench_search(const BenchOptions& options) {
  if (options.space != "nb201") {
    throw InputError(
        "command line", "--space",
        fmt::format("only nb201 has a table of every network, not '{}'", options.space));
  }
  if (options.accuracy != "valid" && options.accuracy != "test") {
    throw InputError("command line", "--accuracy",
                     fmt::format("expected valid or test, got '{}'", options.accuracy));
  }
  const tabular::Nb201Table table = tabular::read_nb201_table(options.archs, options.device_files);
  const std::vector<double>& latency = table.column(options.device);
  std::vector<pipeline::TablePoint> points;
  points.reserve(table.archs.size());
  for (std::size_t i = 0; i < table.archs.size(); ++i) {
    const auto& arch = table.archs[i];
    points.push_back(
        {arch.genotype, options.accuracy == "valid" ? arch.valid_acc : arch.test_acc, latency[i]});
  }
  const auto space = space::make_nb201_space();
  pipeline::TableBenchOptions bench;
  bench.algorithms = options.algorithms;
  bench.queries = options.queries;
  bench.seeds = options.seeds;
  bench.batch = options.batch;
  bench.population = options.population;
  const auto result =
      pipeline::run_table_bench(*space, points, bench, [&](const std::string& name, int seed) {
        if (!options.json) fmt::print(stderr, "\r{} seed {}/{}   ", name, seed, options.seeds);
      });
  if (!options.json) fmt::print(stderr, "\n");
  const std::string text = markdown(options, result);
  if (!options.out.empty()) {
    std::ofstream out(options.out);
    out << text;
    if (!out) throw InputError(options.out, "", "cannot write the table");
  }
  if (options.json) {
    fmt::print("{}\n", to_json(options, result).dump(2));
  } else {
    fmt::print("{}", text);
  }
}

}  // namespace

void add_bench_command(CLI::App& app) {
  auto options = std::make_shared<BenchOptions>();
  CLI::App* bench = app.add_subcommand("bench", "Benchmarks with a known answer");
  bench->require_subcommand(1);
  CLI::App* search = bench->add_subcommand(
      "search",
      "Hypervolume share of the true Pareto front (accuracy vs a device's latency) each search "
      "algorithm reaches after a number of queries, over several seeds");
  search->add_option("--space", options->space, "search space with a full table (nb201)")
      ->capture_default_str();
  search
      ->add_option("--device", options->device,
                   "latency column: fpga, eyeriss, raspi4, edgegpu, edgetpu, a server GPU/CPU "
                   "(1080ti_1, gold_6226, ...) or a full column name")
      ->capture_default_str();
  search
      ->add_option("--queries", options->queries, "checkpoints, ascending; the last is the budget")
      ->delimiter(',')
      ->capture_default_str();
  search->add_option("--seeds", options->seeds, "seeds 1..N per algorithm")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  search->add_option("--algorithms", options->algorithms, "random, evolution, nsga2, fnas")
      ->delimiter(',')
      ->capture_default_str();
  search->add_option("--batch", options->batch, "genotypes asked at once")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  search->add_option("--population", options->population, "evolution and NSGA-II population")
      ->check(CLI::Range(2, 100000))
      ->capture_default_str();
  search
      ->add_option("--accuracy", options->accuracy,
                   "the accuracy searched and scored: valid (what a search may see) or test")
      ->capture_default_str();
  search->add_option("--archs", options->archs, "NAS-Bench-201 archs CSV")->capture_default_str();
  search->add_option("--device-files", options->device_files, "device latency CSVs")
      ->delimiter(',')
      ->capture_default_str();
  search->add_option("--out", options->out, "also write the table (Markdown) to this file");
  search->add_flag("--json", options->json, "print the result as JSON");
  search->callback([options] { run_bench_search(*options); });
}

}  // namespace hwnas::cli
