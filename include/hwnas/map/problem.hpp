#pragma once
// HAO's allocation problem (Dong et al., FCCM 2021) in hwnas's own formulation: a network cut
// into subgraphs, each with candidate implementations (a folding, a tiled engine, bit widths),
// each candidate with its cycles, resources and accuracy cost. Choose one candidate per
// subgraph so that the resources fit the device and the latency (sum over subgraphs, layers in
// sequence) or the bottleneck (max over subgraphs, pipelined) is least — exactly, by integer
// programming:
//
//   x[s][c] in {0,1}                       candidate c of subgraph s chosen
//   sum_c x[s][c] = 1                      for every subgraph s
//   sum_s sum_c r[s][c] * x[s][c] <= R     for each resource r in DSP, BRAM, LUT (and FF)
//   sum_s sum_c a[s][c] * x[s][c] <= A     accuracy budget, when given
//   latency:    minimise sum_s sum_c cycles[s][c] * x[s][c]
//   throughput: minimise t  subject to  t >= sum_c cycles[s][c] * x[s][c]  for every s
//
// Candidates dominated by another of the same subgraph (no fewer cycles, resources or
// accuracy cost, one of them more) can never be needed, so they are removed before the model
// is built; the count is reported.

#include <optional>
#include <string>
#include <vector>

#include "hwnas/cost/dataflow.hpp"
#include "hwnas/cost/tiled.hpp"
#include "hwnas/hw/device.hpp"
#include "hwnas/solve/solver.hpp"

namespace hwnas::map {

enum class Objective {
  latency,     // layers in sequence: minimise the sum of the subgraphs' cycles
  throughput,  // subgraphs pipelined: minimise the slowest subgraph's cycles
};
std::string to_string(Objective objective);

struct Candidate {
  std::string label;  // human readable, e.g. "conv1 PE=2 SIMD=5" or "Tm=16 Tn=8 Tr=7 Tc=7"
  double cycles = 0;  // the subgraph's cycles (whole batch) with this candidate
  hw::Resources resources;
  double accuracy_cost = 0;  // of the bit widths this candidate uses
  ir::Bits bits;             // the bit widths this candidate gives the subgraph's layers
  // How to apply it: dataflow foldings of the subgraph's layers (in its layer order), or the
  // tiled engine of this subgraph.
  std::vector<cost::Folding> foldings;
  cost::TiledConfig tiled;
};

struct Subgraph {
  std::string name;
  std::vector<int> layers;  // indices into the network's layers
  std::vector<Candidate> candidates;
};

struct MappingProblem {
  std::vector<Subgraph> subgraphs;
  hw::Resources budget;
  std::optional<double> accuracy_budget;
  Objective objective = Objective::latency;
  bool limit_ff = false;     // HAO constrains DSP, BRAM and LUT; FF when asked
  bool choose_bits = false;  // candidates differ in bit widths (the ILP chooses them)
  // What candidate generation did: candidates generated, removed as dominated, and removed to
  // keep at most max_candidates per subgraph and bit width (see candidates.hpp).
  int generated = 0;
  int dominated = 0;
  int thinned = 0;
};

// Removes dominated candidates (and duplicates) in place, adds their number to
// problem.dominated and returns it. Candidates keep their relative order.
int prune_dominated(MappingProblem& problem);

// The integer programme above. Variables: x[s][c] in subgraph-then-candidate order, then t
// for the throughput objective.
solve::Model build_model(const MappingProblem& problem);

struct MappingResult {
  solve::Status status = solve::Status::abnormal;
  std::string message;
  std::vector<int> choice;      // candidate index per subgraph (when there is a solution)
  double objective_cycles = 0;  // sum or bottleneck of the chosen candidates' cycles
  hw::Resources used;
  double accuracy_cost = 0;
  double bound_cycles = 0;  // the solver's proven bound
  double gap = 0;
  double solve_ms = 0;
  std::string method;  // "cbc", "pareto-dp", "brute-force"
  // Why nothing fits (status infeasible): the least of each resource any choice needs
  // (sum over subgraphs of the cheapest candidate in that resource) and what that leaves short.
  hw::Resources minimum;
  hw::Resources shortfall;
  double minimum_accuracy_cost = 0;

  bool has_choice() const { return !choice.empty(); }
};

// Solves with an ILP solver (CBC in practice). The answer is recomputed from the chosen
// candidates, not read off the solver's objective.
MappingResult solve_mapping(const MappingProblem& problem, const solve::Solver& solver,
                            const solve::SolveOptions& options = {});

// A second exact method: dynamic programming over subgraphs that keeps, per subgraph prefix,
// the Pareto front of (resources, accuracy cost, cycles). Throughput: binary search over the
// candidates' cycle values, feasibility by the same front. Exact while fronts stay below
// `max_front` points (else status abnormal: "front too large").
MappingResult solve_mapping_dp(const MappingProblem& problem, std::size_t max_front = 200000);

// Every combination, for tiny problems (at most `max_combinations`, else status invalid).
MappingResult solve_mapping_brute_force(const MappingProblem& problem,
                                        std::int64_t max_combinations = 2000000);

// Fills minimum / shortfall / minimum_accuracy_cost and a message naming the short resources.
void diagnose(const MappingProblem& problem, MappingResult& result);

}  // namespace hwnas::map
