#pragma once
// The steps every back end shares (solver.hpp: check, answer models without variables, verify
// the start, then round, verify and fill in the answer). Private to the solve module.

#include <chrono>
#include <string>
#include <vector>

#include "hwnas/solve/model.hpp"
#include "hwnas/solve/solver.hpp"

namespace hwnas::solve::detail {

using Clock = std::chrono::steady_clock;

inline double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// "a; b; c", at most `max_items` of them followed by "; ... and N more".
std::string join(const std::vector<std::string>& items, std::size_t max_items = 10);

// Model::check() problems and bad options (negative or NaN limits, a start of the wrong
// length is *not* one of them: it is dropped with a note). Empty when solving may go ahead.
std::vector<std::string> check_inputs(const Model& model, const SolveOptions& options);

// A Solution with status `invalid` listing `problems`.
Solution invalid_solution(const std::vector<std::string>& problems);

// The answer for a model without variables: optimal (objective = offset) when every
// constraint holds for the empty assignment, else infeasible.
Solution solve_without_variables(const Model& model, const SolveOptions& options);

// Whether options.start may be used; when it is given but infeasible, `note` says why.
bool usable_start(const Model& model, const SolveOptions& options, std::string& note);

// Completes `solution` (status optimal or feasible) from the back end's raw values: integrality
// of the raw values is checked, binary/integer values are rounded to the nearest integer, the
// assignment is verify()-ed, objective recomputed, bound (offset included; NaN when the back
// end has none) clamped to the objective's side and the gap computed. A failed check turns the
// status into `abnormal` with the violations appended to the message.
void finish_with_values(const Model& model, const SolveOptions& options,
                        std::vector<double> raw_values, double bound, Solution& solution);

// Completes `solution` (any status without values): clears values, objective 0, the bound for
// that status (see Solution::bound; `bound` is the back end's, NaN when none), gap +inf.
void finish_without_values(const Model& model, double bound, Solution& solution);

// Appends `note` to `message`, separated by "; ".
void add_note(std::string& message, const std::string& note);

}  // namespace hwnas::solve::detail
