#pragma once
// A search benchmark with a known answer. When every network of a space has been measured (NAS-
// Bench-201: accuracy and device latency for all 15,625 cells), the true Pareto front is known by
// enumeration, and a search algorithm's progress can be scored exactly: the hypervolume of what
// it has found after q queries, as a share of the true front's hypervolume.
//
// Objectives: 1 - accuracy and latency_ms, both minimised, no limits. A query is one evaluated
// outcome (a repeated genotype counts again: the algorithm spent the query). Points whose latency
// was not measured (blank in the table) are infeasible to the algorithms and never on a front.

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "hwnas/space/search_space.hpp"

namespace hwnas::pipeline {

struct TablePoint {
  space::Genotype genotype;
  double accuracy = 0;    // 0..1, what the search maximises
  double latency_ms = 0;  // NaN when not measured
};

// Indices of the points on the Pareto front of (1 - accuracy, latency_ms), NaN latencies left
// out; of equal points only the first.
std::vector<std::size_t> true_front(const std::vector<TablePoint>& points);

// Hypervolume of the given points (dominated ones may be included) against reference
// (accuracy_ref, latency_ref): the area dominated in (1 - accuracy, latency) space.
double table_hypervolume(const std::vector<TablePoint>& points,
                         const std::vector<std::size_t>& which, double accuracy_ref,
                         double latency_ref);

struct TableBenchOptions {
  std::vector<std::string> algorithms = {"random", "evolution", "nsga2", "fnas"};
  std::vector<int> queries = {50, 100, 200, 500};  // checkpoints; the last is the budget
  int seeds = 10;                                  // seeds 1..seeds
  int batch = 10;                                  // genotypes asked at once
  int population = 10;  // evolution, NSGA-II: well under the smallest budget
  int tournament = 5;   // evolution
};

struct TableBenchCell {
  std::vector<double> shares;  // hypervolume share per seed
  double mean = 0;
  double stddev = 0;  // sample standard deviation over seeds
  double median = 0;
  double min = 0;
  double max = 0;
};

struct TableBenchResult {
  double true_hypervolume = 0;
  std::size_t true_front_size = 0;
  std::size_t points = 0;   // measured points in the table
  double accuracy_ref = 0;  // the reference point
  double latency_ref = 0;
  // algorithm -> one cell per checkpoint (in options.queries order)
  std::map<std::string, std::vector<TableBenchCell>> cells;
  std::map<std::string, double> seconds;  // wall time per algorithm, all seeds
};

// Runs every algorithm with every seed on the table. `points` must hold every genotype the space
// can produce (the lookup is by genotype); throws InputError otherwise. The reference point is
// accuracy 0 and the largest measured latency. `progress` (may be empty) is told each finished
// (algorithm, seed).
TableBenchResult run_table_bench(const space::SearchSpace& space,
                                 const std::vector<TablePoint>& points,
                                 const TableBenchOptions& options,
                                 const std::function<void(const std::string&, int)>& progress = {});

}  // namespace hwnas::pipeline
