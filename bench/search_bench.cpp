// Search benchmarks of issue 5, on the real pipeline (decode, shape check, hardware cost, limits,
// store) with the accuracy from a fitted predictor, so a whole comparison runs in minutes:
//
//  * algorithms: random, regularised evolution, NSGA-II and the FNAS controller on one run file
//    and budget, several seeds each; the hypervolume of the feasible front after N candidates
//    (mean and standard deviation over seeds);
//  * overhead: wall time per candidate of everything but training (the predictor stands in for
//    training), median over the runs.
//
// Usage: search_bench --run FILE --predictor MODEL [--seeds 5] [--candidates 200]
//                     [--checkpoints 25,50,100,200] [--algorithms random,evolution,nsga2,fnas]
//                     [--out DIR]

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "hwnas/pipeline/run.hpp"

namespace {

std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> items;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');) items.push_back(item);
  return items;
}

double mean(const std::vector<double>& v) {
  double sum = 0;
  for (double x : v) sum += x;
  return v.empty() ? 0 : sum / static_cast<double>(v.size());
}

double stddev(const std::vector<double>& v) {
  if (v.size() < 2) return 0;
  const double m = mean(v);
  double sum = 0;
  for (double x : v) sum += (x - m) * (x - m);
  return std::sqrt(sum / static_cast<double>(v.size() - 1));
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"hwnas search benchmark: algorithms on one budget, overhead per candidate"};
  std::string run_file, predictor, out = "runs/search-bench";
  int seeds = 5, candidates = 200;
  std::string checkpoints_text = "25,50,100,200";
  std::string algorithms_text = "random,evolution,nsga2,fnas";
  app.add_option("--run", run_file, "run file (its accuracy section is replaced)")->required();
  app.add_option("--predictor", predictor, "accuracy model from hwnas predictor fit")->required();
  app.add_option("--seeds", seeds)->capture_default_str();
  app.add_option("--candidates", candidates)->capture_default_str();
  app.add_option("--checkpoints", checkpoints_text)->capture_default_str();
  app.add_option("--algorithms", algorithms_text)->capture_default_str();
  app.add_option("--out", out, "scratch folder for the runs' stores")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  std::vector<int> checkpoints;
  for (const auto& c : split(checkpoints_text)) checkpoints.push_back(std::stoi(c));
  const std::vector<std::string> algorithms = split(algorithms_text);

  // hypervolume[algorithm][checkpoint] over seeds
  std::map<std::string, std::vector<std::vector<double>>> hypervolume;
  std::map<std::string, std::vector<double>> feasible_share;
  std::vector<double> overhead_ms;
  for (const auto& algorithm : algorithms) {
    hypervolume[algorithm].assign(checkpoints.size(), {});
    for (int seed = 1; seed <= seeds; ++seed) {
      hwnas::pipeline::RunConfig run = hwnas::pipeline::read_run_file(run_file);
      run.accuracy.source = "predictor";
      run.accuracy.predictor = predictor;
      run.search.algorithm = algorithm;
      run.search.seed = static_cast<std::uint64_t>(seed);
      run.search.candidates = candidates;
      run.search.workers = 1;
      run.fingerprint += fmt::format("\n{} {} {}", algorithm, seed, candidates);
      const std::string dir = fmt::format("{}/{}-{}", out, algorithm, seed);
      std::filesystem::remove_all(dir);
      const auto start = std::chrono::steady_clock::now();
      const auto summary = hwnas::pipeline::run_search(run, dir, false);
      const double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      overhead_ms.push_back(seconds * 1e3 / candidates);
      for (std::size_t k = 0; k < checkpoints.size(); ++k) {
        std::vector<hwnas::pipeline::Candidate> prefix(
            summary.candidates.begin(),
            summary.candidates.begin() +
                std::min<std::ptrdiff_t>(checkpoints[k],
                                         static_cast<std::ptrdiff_t>(summary.candidates.size())));
        hypervolume[algorithm][k].push_back(
            hwnas::pipeline::summarize(run, std::move(prefix)).hypervolume);
      }
      feasible_share[algorithm].push_back(static_cast<double>(summary.stages[0]) / candidates);
      fmt::print(stderr, "{} seed {}: hypervolume {:.6g}, {:.3f} ms per candidate\n", algorithm,
                 seed, summary.hypervolume, seconds * 1e3 / candidates);
    }
  }

  fmt::print("| algorithm |");
  for (int c : checkpoints) fmt::print(" HV after {} |", c);
  fmt::print(" share meeting the limits |\n|---|");
  for (std::size_t k = 0; k < checkpoints.size(); ++k) fmt::print("---|");
  fmt::print("---|\n");
  for (const auto& algorithm : algorithms) {
    fmt::print("| {} |", algorithm);
    for (const auto& values : hypervolume[algorithm]) {
      fmt::print(" {:.5f} ± {:.5f} |", mean(values), stddev(values));
    }
    fmt::print(" {:.2f} |\n", mean(feasible_share[algorithm]));
  }
  fmt::print(
      "\noverhead per candidate (all but training; predictor accuracy, store writes "
      "included): median {:.3f} ms over {} runs of {} candidates\n",
      median(overhead_ms), overhead_ms.size(), candidates);
  return 0;
}
