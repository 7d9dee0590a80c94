// Benchmarks of the HAO mapping ILP (figures in the README, "Benchmarks"):
//  * a 50-subgraph problem with 16 candidates per subgraph and 3 resources (DSP, BRAM, LUT)
//    solved by CBC to proven optimality (target < 200 ms), with the number of candidates pruned
//    as dominated; for the throughput objective the exact Pareto DP on the same problem in the
//    same run, for a ratio;
//  * real problems from the cost models: LeNet and MobileNetV2 on the dataflow template.

#include <benchmark/benchmark.h>

#include <cmath>

#include "hwnas/core/rng.hpp"
#include "hwnas/io/device_yaml.hpp"
#include "hwnas/io/network_yaml.hpp"
#include "hwnas/map/candidates.hpp"
#include "hwnas/map/problem.hpp"

namespace {

using namespace hwnas;

// Subgraph s has W_s units of work; candidate k runs it with parallelism p = 2^(k/2) at
// W_s / p cycles on about p DSPs, with BRAM and LUT that grow with p and some noise, so most
// candidates trade speed for resources and some are dominated. The budget is half of what the
// fastest candidates together would need.
map::MappingProblem synthetic(int subgraphs, int candidates, std::uint64_t seed,
                              map::Objective objective) {
  Rng rng(seed);
  map::MappingProblem p;
  p.objective = objective;
  hw::Resources fastest;
  for (int s = 0; s < subgraphs; ++s) {
    map::Subgraph g{"s" + std::to_string(s), {}, {}};
    const double work = 1e5 * (1 + 9 * rng.uniform01());
    for (int k = 0; k < candidates; ++k) {
      const double parallel = std::pow(2.0, k / 2.0);
      map::Candidate c;
      c.cycles = std::ceil(work / parallel * (1 + 0.2 * rng.uniform01()));
      c.resources = {std::ceil(parallel * (0.8 + 0.4 * rng.uniform01())),
                     std::ceil(2 + parallel / 4 * (0.5 + rng.uniform01())),
                     std::ceil(300 + 60 * parallel * (0.8 + 0.4 * rng.uniform01())), 0};
      g.candidates.push_back(c);
    }
    fastest += g.candidates.back().resources;
    p.subgraphs.push_back(std::move(g));
  }
  p.budget = {fastest.dsp / 2, fastest.bram / 2, fastest.lut / 2, 0};
  return p;
}

void BM_Ilp50x16x3(benchmark::State& state) {
  const auto objective = static_cast<map::Objective>(state.range(0));
  map::MappingProblem problem = synthetic(50, 16, 42, objective);
  const int pruned = map::prune_dominated(problem);
  const auto cbc = solve::make_cbc_solver();
  map::MappingResult result;
  for (auto _ : state) {
    result = map::solve_mapping(problem, *cbc);
    benchmark::DoNotOptimize(result);
  }
  state.counters["pruned"] = pruned;
  state.counters["optimal"] = result.status == solve::Status::optimal;
  state.counters["gap"] = result.gap;
  state.counters["objective"] = result.objective_cycles;
  state.SetLabel(map::to_string(objective));
}
BENCHMARK(BM_Ilp50x16x3)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

void BM_Ilp50x16x3_Unpruned(benchmark::State& state) {
  const map::MappingProblem problem = synthetic(50, 16, 42, map::Objective::latency);
  const auto cbc = solve::make_cbc_solver();
  map::MappingResult result;
  for (auto _ : state) {
    result = map::solve_mapping(problem, *cbc);
    benchmark::DoNotOptimize(result);
  }
  state.counters["objective"] = result.objective_cycles;
}
BENCHMARK(BM_Ilp50x16x3_Unpruned)->Unit(benchmark::kMillisecond);

void BM_ParetoDp50x16x3(benchmark::State& state) {
  const auto objective = static_cast<map::Objective>(state.range(0));
  map::MappingProblem problem = synthetic(50, 16, 42, objective);
  map::prune_dominated(problem);
  map::MappingResult result;
  for (auto _ : state) {
    result = map::solve_mapping_dp(problem);
    benchmark::DoNotOptimize(result);
  }
  state.counters["objective"] = result.objective_cycles;
  state.SetLabel(map::to_string(objective) + " " + solve::to_string(result.status));
}
// Throughput only: for the latency objective the Pareto fronts of 50 subgraphs grow past what
// the DP can hold (that objective is what the ILP is for).
BENCHMARK(BM_ParetoDp50x16x3)->Arg(1)->Unit(benchmark::kMillisecond);

void BM_MapDataflow(benchmark::State& state, const char* file, const char* device,
                    map::Partition partition) {
  const ir::Network net = io::read_network_file(std::string(HWNAS_SOURCE_DIR) + file);
  const hw::Target target = io::load_target(device);
  const auto cbc = solve::make_cbc_solver();
  map::CandidateOptions options;
  options.objective = map::Objective::throughput;
  options.partition = partition;
  map::MappingResult result;
  int kept = 0;
  for (auto _ : state) {
    map::MappingProblem problem = map::dataflow_problem(net, target, options);
    map::prune_dominated(problem);
    kept = 0;
    for (const auto& s : problem.subgraphs) kept += static_cast<int>(s.candidates.size());
    result = map::solve_mapping(problem, *cbc);
    benchmark::DoNotOptimize(result);
  }
  state.counters["kept"] = kept;
  state.counters["cycles"] = result.objective_cycles;
  state.SetLabel(solve::to_string(result.status));
}
BENCHMARK_CAPTURE(BM_MapDataflow, lenet_xczu3eg, "/examples/networks/lenet.yaml", "xczu3eg",
                  map::Partition::layer)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_MapDataflow, mbv2_blocks_xczu9eg, "/examples/networks/mbv2.yaml", "xczu9eg",
                  map::Partition::block)
    ->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
