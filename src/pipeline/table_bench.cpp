#include "hwnas/pipeline/table_bench.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <numeric>

#include <fmt/format.h>

#include "hwnas/core/error.hpp"
#include "hwnas/search/algorithms.hpp"
#include "hwnas/search/controller.hpp"
#include "hwnas/search/pareto.hpp"

namespace hwnas::pipeline {

namespace {

std::vector<double> minimised(const TablePoint& point) {
  return {1.0 - point.accuracy, point.latency_ms};
}

std::unique_ptr<search::Algorithm> make(const std::string& name, const space::SearchSpace& space,
                                        std::uint64_t seed, const TableBenchOptions& options) {
  if (name == "random") return search::make_random_search(space, seed);
  if (name == "evolution") {
    search::EvolutionParams params;
    params.population = static_cast<std::size_t>(options.population);
    params.tournament = static_cast<std::size_t>(options.tournament);
    return search::make_regularized_evolution(space, seed, params);
  }
  if (name == "nsga2") {
    search::Nsga2Params params;
    params.population = static_cast<std::size_t>(options.population);
    return search::make_nsga2(space, seed, params);
  }
  if (name == "fnas") {
    search::ControllerParams params;
    params.seed = seed;
    return search::make_fnas_controller(space, params);
  }
  throw InputError(
      "bench search", "--algorithms",
      fmt::format("unknown algorithm '{}' (expected random, evolution, nsga2 or fnas)", name));
}

TableBenchCell summarise(std::vector<double> shares) {
  TableBenchCell cell;
  cell.shares = shares;
  const double n = static_cast<double>(shares.size());
  cell.mean = std::accumulate(shares.begin(), shares.end(), 0.0) / n;
  double squares = 0;
  for (double s : shares) squares += (s - cell.mean) * (s - cell.mean);
  cell.stddev = shares.size() > 1 ? std::sqrt(squares / (n - 1)) : 0.0;
  std::sort(shares.begin(), shares.end());
  const std::size_t mid = shares.size() / 2;
  cell.median = shares.size() % 2 ? shares[mid] : (shares[mid - 1] + shares[mid]) / 2;
  cell.min = shares.front();
  cell.max = shares.back();
  return cell;
}

}  // namespace

std::vector<std::size_t> true_front(const std::vector<TablePoint>& points) {
  std::vector<std::size_t> measured;
  std::vector<std::vector<double>> values;
  for (std::size_t i = 0; i < points.size(); ++i) {
    if (std::isnan(points[i].latency_ms)) continue;
    measured.push_back(i);
    values.push_back(minimised(points[i]));
  }
  std::vector<std::size_t> front;
  for (const std::size_t k : search::pareto_front(values)) front.push_back(measured[k]);
  return front;
}

double table_hypervolume(const std::vector<TablePoint>& points,
                         const std::vector<std::size_t>& which, double accuracy_ref,
                         double latency_ref) {
  std::vector<std::vector<double>> values;
  for (const std::size_t i : which) {
    if (!std::isnan(points.at(i).latency_ms)) values.push_back(minimised(points[i]));
  }
  return search::hypervolume(values, {1.0 - accuracy_ref, latency_ref});
}

TableBenchResult run_table_bench(const space::SearchSpace& space,
                                 const std::vector<TablePoint>& points,
                                 const TableBenchOptions& options,
                                 const std::function<void(const std::string&, int)>& progress) {
  if (options.queries.empty() || options.seeds < 1 || options.batch < 1) {
    throw InputError("bench search", "options", "give query checkpoints, seeds >= 1, batch >= 1");
  }
  std::vector<int> checkpoints = options.queries;
  if (!std::is_sorted(checkpoints.begin(), checkpoints.end()) || checkpoints.front() < 1) {
    throw InputError("bench search", "--queries", "checkpoints must be positive and ascending");
  }
  std::map<space::Genotype, std::size_t> row_of;
  for (std::size_t i = 0; i < points.size(); ++i) row_of.emplace(points[i].genotype, i);

  TableBenchResult result;
  const std::vector<std::size_t> front = true_front(points);
  result.true_front_size = front.size();
  result.accuracy_ref = 0.0;
  for (const TablePoint& point : points) {
    if (std::isnan(point.latency_ms)) continue;
    ++result.points;
    result.latency_ref = std::max(result.latency_ref, point.latency_ms);
  }
  result.true_hypervolume =
      table_hypervolume(points, front, result.accuracy_ref, result.latency_ref);
  if (!(result.true_hypervolume > 0)) {
    throw InputError("bench search", "table", "the true front has no hypervolume");
  }

  const int budget = checkpoints.back();
  for (const std::string& name : options.algorithms) {
    const auto start = std::chrono::steady_clock::now();
    std::vector<std::vector<double>> shares(checkpoints.size());
    for (int seed = 1; seed <= options.seeds; ++seed) {
      const auto algorithm = make(name, space, static_cast<std::uint64_t>(seed), options);
      std::vector<std::size_t> found;  // rows evaluated so far, feasible ones
      std::size_t next_checkpoint = 0;
      int asked = 0;
      while (asked < budget) {
        const int count = std::min(options.batch, budget - asked);
        const auto genotypes = algorithm->ask(static_cast<std::size_t>(count));
        std::vector<search::Outcome> outcomes;
        for (const auto& genotype : genotypes) {
          const auto row = row_of.find(genotype);
          if (row == row_of.end()) {
            throw InputError(
                "bench search", "table",
                fmt::format("genotype {} is not in the table", space::to_string(genotype)));
          }
          const TablePoint& point = points[row->second];
          search::Outcome outcome;
          outcome.genotype = genotype;
          outcome.accuracy = point.accuracy;
          outcome.latency_ms = point.latency_ms;
          outcome.feasible = !std::isnan(point.latency_ms);
          outcome.violation = outcome.feasible ? 0.0 : std::numeric_limits<double>::infinity();
          if (outcome.feasible) {
            outcome.objectives = minimised(point);
            found.push_back(row->second);
          }
          outcomes.push_back(std::move(outcome));
          ++asked;
          while (next_checkpoint < checkpoints.size() && asked == checkpoints[next_checkpoint]) {
            shares[next_checkpoint].push_back(
                table_hypervolume(points, found, result.accuracy_ref, result.latency_ref) /
                result.true_hypervolume);
            ++next_checkpoint;
          }
        }
        algorithm->tell(outcomes);
      }
      if (progress) progress(name, seed);
    }
    auto& cells = result.cells[name];
    for (auto& s : shares) cells.push_back(summarise(std::move(s)));
    result.seconds[name] =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  return result;
}

}  // namespace hwnas::pipeline
