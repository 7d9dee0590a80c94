#pragma once
// Solvers behind one interface (STYLE.md: the front end owns the model, back ends behind an
// interface, every back-end status mapped to ours, unknown ones to `abnormal`).
//
// Every back end here follows the same steps: Model::check() and the options first (a problem
// gives `invalid` and nothing is solved); a model without variables is answered directly (its
// constraints hold or not); the MIP start, if any, is verify()-ed and dropped with a note in
// `message` when infeasible; after solving, binary/integer values are rounded to the nearest
// integer and the whole assignment is verify()-ed against the model it came from.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "hwnas/solve/model.hpp"

namespace hwnas::solve {

enum class Status {
  optimal,     // proven optimal (within the requested gap)
  feasible,    // a solution, but the search stopped (time or node limit) before proving it best
  infeasible,  // proven to have no solution
  unbounded,   // the objective can improve without limit
  not_solved,  // stopped on a limit before finding any solution
  invalid,     // the model failed Model::check() or the options are bad (or the back end cannot
               // take this kind of model); nothing was solved
  abnormal,    // the solver failed or answered something we do not know
};
std::string to_string(Status status);

struct SolveOptions {
  double time_limit_s = 0;  // wall-clock seconds; 0: none. Negative or NaN: `invalid`
  double relative_gap = 0;  // stop when (primal - bound) / |primal| <= this; 0 = prove optimal
  // Optional MIP start: one value per variable, or empty. Dropped, with a note in the message,
  // unless it passes verify(). CBC gets its binary/integer values (rounded) and works out the
  // continuous ones itself.
  std::vector<double> start;
  bool log = false;  // let the back end print its log (to stdout); false: print nothing
  // Tolerance for verify() of the start and of the answer (see verify() for the scaling).
  double feasibility_tolerance = 1e-6;
};

struct Solution {
  Status status = Status::abnormal;
  std::vector<double> values;  // one per variable when status is optimal or feasible
  // Of `values`, recomputed with Model::objective_value (offset included); 0 without values.
  double objective = 0;
  // Best proven bound on the optimum, offset included: a lower bound when minimising, an upper
  // one when maximising. Without values: +inf/-inf (the optimum of an infeasible min/max
  // problem), -inf/+inf when unbounded, else the back end's bound or the trivial one.
  double bound = 0;
  // Relative gap |objective - bound| / max(1e-9, |objective|); +inf without values.
  double gap = 0;
  double solve_ms = 0;     // wall time of the whole solve() call (steady clock)
  std::int64_t nodes = 0;  // branch-and-bound nodes (CBC) or assignments tried (enumeration)
  std::string message;     // what the back end said, for the user
  bool has_values() const { return status == Status::optimal || status == Status::feasible; }
};

class Solver {
 public:
  virtual ~Solver() = default;
  virtual std::string name() const = 0;
  // Never throws for an infeasible or malformed model: the status says so. A returned
  // solution has passed verify() against `model` (a back end whose answer fails it reports
  // `abnormal` with the violations in `message`).
  virtual Solution solve(const Model& model, const SolveOptions& options = {}) const = 0;
};

// CBC (COIN-OR Branch and Cut) through its C API, Cbc_C_Interface.h.
// - Gaps: CBC's absolute allowable gap is 1e-10 and its fraction gap is `relative_gap`, so 0
//   means proven optimal. CBC also prunes nodes that cannot beat the incumbent by its cutoff
//   increment (1e-5 absolute, raised to about 1 when it finds the objective integral), so with a
//   fractional objective "optimal" is exact to 1e-5 in absolute terms.
// - Values: CBC's integrality tolerance is below 1e-6; binary/integer values further than
//   `feasibility_tolerance` from an integer make the answer `abnormal`, the others are rounded.
// - CBC's preprocessing (CglPreProcess) is off: with it, CBC 2.10.8 returned wrong "optimal"
//   answers on about 1 in 10^4 small random models (each time it had reduced the model to 0 rows
//   and 0 columns); without it, CBC aborts on an assertion for some models with empty or
//   singleton rows, so those rows are folded into variable bounds (an infeasible one gives
//   `infeasible` "before calling CBC"). Together: no wrong answer and no abort in more than 10^5
//   random models checked against enumeration; also faster on multiple-choice knapsacks.
// - Unbounded: a MIP whose LP relaxation is unbounded comes back `unbounded` (CBC: status 0,
//   secondary 7, no solution), even if it has no integer point at all: CBC does not tell.
// - Models without binary/integer variables are solved by CBC's LP path (Clp), which cannot
//   tell infeasible from unbounded; a second solve with a zero objective decides.
// - CBC 2.10's CbcMain1 keeps global state (coin-or/Cbc#332), so concurrent solve() calls are
//   serialised by a process-wide lock.
std::unique_ptr<Solver> make_cbc_solver();

// CBC's status words mapped to ours (exposed so that every mapping is tested):
// `status` is Cbc_status (-1 not started, 0 finished, 1 stopped on a limit, 2 abandoned,
// 5 user stop), `secondary` is Cbc_secondaryStatus (0 completed, 1 LP infeasible, 2 gap,
// 3 nodes, 4 time, 5 user event, 6 solutions, 7 LP unbounded, 8 iterations).
//   0, proven infeasible or secondary 1 -> infeasible (abnormal if there is a solution)
//   0, continuous unbounded or secondary 7 -> unbounded
//   0, a solution, proven optimal (also how CBC reports a stop on the gap) -> optimal
//   0, a solution, not proven optimal -> feasible;  0 otherwise -> abnormal
//   1, secondary 2 (gap) -> optimal with a solution, else abnormal
//   1, secondary 3/4/5/6/8 (nodes, time, user, solutions, iterations) -> feasible with a
//      solution, else not_solved;  1 with any other secondary -> abnormal
//   5 (user stop) -> feasible with a solution, else not_solved
//   -1, 2 and anything else -> abnormal
Status map_cbc_status(int status, int secondary, bool proven_optimal, bool proven_infeasible,
                      bool continuous_unbounded, bool has_solution);

// Exhaustive enumeration for small pure-integer models (every variable binary or integer with
// finite bounds, at most `max_assignments` assignments): the reference the tests compare
// solvers with. Status `invalid` when the model is not of that kind. Assignments are tried in
// lexicographic order (variable 0 most significant, values ascending) and the first best one is
// kept, so among ties (objectives within 1e-9 relative) the lexicographically smallest wins.
// Returns optimal or infeasible (never unbounded: the domain is finite); with a time limit,
// feasible or not_solved when it runs out. The MIP start is verified but not used.
std::unique_ptr<Solver> make_enumeration_solver(std::int64_t max_assignments = 1 << 22);

}  // namespace hwnas::solve
