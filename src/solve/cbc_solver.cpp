// CBC back end: empty and singleton rows are folded into bounds, the rest of the Model is copied
// column-major into one Cbc_loadProblem call (no per-column or per-row calls, no names), solved
// under a process-wide lock, and the answer mapped and verified (against the original model) by
// the steps in solve_common.hpp.

#include <coin/Cbc_C_Interface.h>
#include <fmt/format.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <exception>
#include <memory>
#include <mutex>
#include <vector>

#include "hwnas/solve/solver.hpp"
#include "solve_common.hpp"

namespace hwnas::solve {

Status map_cbc_status(int status, int secondary, bool proven_optimal, bool proven_infeasible,
                      bool continuous_unbounded, bool has_solution) {
  switch (status) {
    case 0:  // the search finished
      if (proven_infeasible || secondary == 1) {
        return has_solution ? Status::abnormal : Status::infeasible;
      }
      if (continuous_unbounded || secondary == 7) return Status::unbounded;
      if (!has_solution) return Status::abnormal;  // neither a solution nor a proof of none
      // CBC reports a stop on the allowable gap as finished and proven optimal.
      return proven_optimal ? Status::optimal : Status::feasible;
    case 1:  // stopped on a limit; `secondary` says which
      switch (secondary) {
        case 2:  // the requested gap is reached: optimal as far as was asked
          return has_solution ? Status::optimal : Status::abnormal;
        case 3:  // nodes
        case 4:  // time
        case 5:  // user event
        case 6:  // solutions
        case 8:  // iterations
          return has_solution ? Status::feasible : Status::not_solved;
        default:
          return Status::abnormal;
      }
    case 5:  // user stop
      return has_solution ? Status::feasible : Status::not_solved;
    default:  // -1 never started, 2 abandoned (numerical trouble), anything newer
      return Status::abnormal;
  }
}

namespace {

struct CbcModelDeleter {
  void operator()(Cbc_Model* model) const { Cbc_deleteModel(model); }
};
using CbcModelPtr = std::unique_ptr<Cbc_Model, CbcModelDeleter>;

// CbcMain1 (behind Cbc_solve) keeps global state in CBC 2.10 (coin-or/Cbc#332).
std::mutex& cbc_mutex() {
  static std::mutex mutex;
  return mutex;
}

// CBC takes +-DBL_MAX (COIN_DBL_MAX) for infinite bounds.
double to_cbc(double x) {
  return std::isinf(x) ? std::copysign(DBL_MAX, x) : x;
}

std::string describe_secondary(int secondary) {
  static const char* const kNames[] = {"completed",
                                       "LP infeasible",
                                       "stopped on gap",
                                       "stopped on nodes",
                                       "stopped on time",
                                       "user event",
                                       "stopped on solutions",
                                       "LP unbounded",
                                       "stopped on iterations"};
  if (secondary >= 0 && secondary < static_cast<int>(std::size(kNames))) return kNames[secondary];
  return "unknown";
}

// What CBC is given: the model's columns with bounds tightened by its empty and singleton rows,
// which are taken out (see make_cbc_solver in solver.hpp for why), and the other rows.
struct Reduced {
  std::vector<double> lower, upper;
  std::vector<int> rows;   // constraints passed to CBC (two or more nonzero terms)
  int folded = 0;          // empty and singleton rows taken out
  std::string infeasible;  // non-empty: the short rows alone cannot hold, and why
};

// Bounds implied by the short rows, with the slack verify() allows (feasibility_tolerance *
// max(1, |rhs|)): integer bounds are rounded inwards after adding the slack, so that the
// integers verify() accepts stay in; continuous bounds are tight, and only the slack decides
// whether crossed bounds are infeasible (else the variable is fixed where they cross).
Reduced reduce(const Model& model, double tolerance) {
  const auto& vars = model.variables();
  const auto& cons = model.constraints();
  Reduced r;
  for (const Variable& v : vars) {
    r.lower.push_back(v.lower);
    r.upper.push_back(v.upper);
  }
  for (std::size_t i = 0; i < cons.size() && r.infeasible.empty(); ++i) {
    const Constraint& c = cons[i];
    int nonzero = 0;
    const Term* only = nullptr;
    for (const Term& t : c.terms) {
      if (t.coef != 0) {
        ++nonzero;
        only = &t;
      }
    }
    if (nonzero >= 2) {
      r.rows.push_back(static_cast<int>(i));
      continue;
    }
    ++r.folded;
    const double slack = tolerance * std::max(1.0, std::abs(c.rhs));
    if (nonzero == 0) {
      const bool holds = c.sense == Sense::less_equal      ? 0 <= c.rhs + slack
                         : c.sense == Sense::greater_equal ? 0 >= c.rhs - slack
                                                           : std::abs(c.rhs) <= slack;
      if (!holds) {
        r.infeasible = fmt::format("constraint '{}' (#{}) has no nonzero terms: 0 {} {:g} fails",
                                   c.name, i, to_string(c.sense), c.rhs);
      }
      continue;
    }
    // a x <= b  <=>  x <= b / a (a > 0) or x >= b / a (a < 0); likewise for a x >= b.
    const int j = only->var;
    const double a = only->coef;
    const Variable& v = vars[j];
    const bool integral = v.type != VarType::continuous;
    double lo = r.lower[j], hi = r.upper[j];
    double lo_loose = lo, hi_loose = hi;  // with the slack, for the infeasibility test
    auto cap_above = [&](double tight, double loose) {  // x <= tight
      hi = std::min(hi, integral ? std::floor(loose) : tight);
      hi_loose = std::min(hi_loose, integral ? std::floor(loose) : loose);
    };
    auto cap_below = [&](double tight, double loose) {  // x >= tight
      lo = std::max(lo, integral ? std::ceil(loose) : tight);
      lo_loose = std::max(lo_loose, integral ? std::ceil(loose) : loose);
    };
    if (c.sense != Sense::greater_equal) {  // a x <= b
      if (a > 0) {
        cap_above(c.rhs / a, (c.rhs + slack) / a);
      } else {
        cap_below(c.rhs / a, (c.rhs + slack) / a);
      }
    }
    if (c.sense != Sense::less_equal) {  // a x >= b
      if (a > 0) {
        cap_below(c.rhs / a, (c.rhs - slack) / a);
      } else {
        cap_above(c.rhs / a, (c.rhs - slack) / a);
      }
    }
    if (lo > hi) {
      if (lo_loose > hi_loose) {
        r.infeasible = fmt::format("constraint '{}' (#{}) leaves variable '{}' (#{}) no value",
                                   c.name, i, v.name, j);
        continue;
      }
      lo = hi = std::clamp(lo, lo_loose, hi_loose);  // crossed within the tolerance
    }
    r.lower[j] = lo;
    r.upper[j] = hi;
  }
  return r;
}

// A CBC model holding `reduced` (with a zero objective when `zero_objective`, for the
// infeasible-or-unbounded question of the LP path), configured by `options`.
CbcModelPtr build(const Model& model, const Reduced& reduced, const SolveOptions& options,
                  bool zero_objective) {
  const auto& vars = model.variables();
  const auto& cons = model.constraints();
  const int n = static_cast<int>(vars.size());
  const int m = static_cast<int>(reduced.rows.size());

  // Transpose the row-wise constraints into compressed sparse columns.
  std::vector<CoinBigIndex> start(n + 1, 0);
  for (int row : reduced.rows) {
    for (const Term& t : cons[row].terms) {
      if (t.coef != 0) ++start[t.var + 1];
    }
  }
  for (int j = 0; j < n; ++j) start[j + 1] += start[j];
  std::vector<int> index(start[n]);
  std::vector<double> value(start[n]);
  std::vector<CoinBigIndex> next(start.begin(), start.end() - 1);
  std::vector<double> row_lower(m), row_upper(m);
  for (int i = 0; i < m; ++i) {
    const Constraint& c = cons[reduced.rows[i]];
    for (const Term& t : c.terms) {
      if (t.coef == 0) continue;
      index[next[t.var]] = i;
      value[next[t.var]] = t.coef;
      ++next[t.var];
    }
    row_lower[i] = c.sense == Sense::less_equal ? -DBL_MAX : c.rhs;
    row_upper[i] = c.sense == Sense::greater_equal ? DBL_MAX : c.rhs;
  }
  std::vector<double> col_lower(n), col_upper(n), objective(n, 0.0);
  for (int j = 0; j < n; ++j) {
    col_lower[j] = to_cbc(reduced.lower[j]);
    col_upper[j] = to_cbc(reduced.upper[j]);
    if (!zero_objective) objective[j] = vars[j].objective;
  }

  CbcModelPtr cbc(Cbc_newModel());
  // Before anything else, so that nothing is printed when log is off (CBC prints to stdout).
  Cbc_setLogLevel(cbc.get(), options.log ? 1 : 0);
  Cbc_loadProblem(cbc.get(), n, m, start.data(), index.data(), value.data(), col_lower.data(),
                  col_upper.data(), objective.data(), row_lower.data(), row_upper.data());
  for (int j = 0; j < n; ++j) {
    if (vars[j].type != VarType::continuous) Cbc_setInteger(cbc.get(), j);
  }
  Cbc_setObjSense(cbc.get(), model.objective_sense() == ObjectiveSense::minimize ? 1 : -1);
  // CBC's defaults (absolute 1e-10, fraction 0), set explicitly: 0 means prove optimality.
  Cbc_setAllowableGap(cbc.get(), 1e-10);
  Cbc_setAllowableFractionGap(cbc.get(), options.relative_gap);
  // CglPreProcess returns wrong "optimal" answers when it reduces a model to nothing
  // (solver.hpp); without it CBC 2.10.8 was right on every random model tried.
  Cbc_setParameter(cbc.get(), "preprocess", "off");
  if (options.time_limit_s > 0) {
    Cbc_setMaximumSeconds(cbc.get(), options.time_limit_s);
    Cbc_setParameter(cbc.get(), "timeMode", "elapsed");  // CBC counts CPU time by default
  }
  return cbc;
}

// What CBC said, in Cbc_status terms (synthesised for the LP path).
struct CbcAnswer {
  int status = -1;
  int secondary = -1;
  bool proven_optimal = false;
  bool proven_infeasible = false;
  bool continuous_unbounded = false;
  std::vector<double> values;  // empty: no solution
  double bound = std::nan("");
  std::int64_t nodes = 0;
  std::string note;
};

// Branch and bound (CbcMain1) for models with binary/integer variables.
CbcAnswer solve_mip(const Model& model, const Reduced& reduced, const SolveOptions& options,
                    bool use_start) {
  CbcModelPtr cbc = build(model, reduced, options, false);
  const auto& vars = model.variables();
  if (use_start) {
    std::vector<int> columns;
    std::vector<double> values;
    for (std::size_t j = 0; j < vars.size(); ++j) {
      if (vars[j].type == VarType::continuous) continue;  // CBC completes them with an LP
      columns.push_back(static_cast<int>(j));
      values.push_back(std::nearbyint(options.start[j]));
    }
    Cbc_setMIPStartI(cbc.get(), static_cast<int>(columns.size()), columns.data(), values.data());
  }
  Cbc_solve(cbc.get());
  CbcAnswer answer;
  answer.status = Cbc_status(cbc.get());
  answer.secondary = Cbc_secondaryStatus(cbc.get());
  answer.proven_optimal = Cbc_isProvenOptimal(cbc.get()) != 0;
  answer.proven_infeasible = Cbc_isProvenInfeasible(cbc.get()) != 0;
  answer.continuous_unbounded = Cbc_isContinuousUnbounded(cbc.get()) != 0;
  if (const double* best = Cbc_bestSolution(cbc.get())) {
    answer.values.assign(best, best + vars.size());
  }
  const double bound = Cbc_getBestPossibleObjValue(cbc.get());
  if (std::abs(bound) < 1e30) answer.bound = bound + model.objective_offset();
  answer.nodes = Cbc_getNodeCount(cbc.get());
  if (use_start) answer.note = "MIP start passed to CBC";
  return answer;
}

// Models without binary/integer variables: Cbc_solve runs Clp only, and its status words stay
// unset (-1), so the answer is put in Cbc_status terms here. Clp's "proven infeasible" means
// primal or dual infeasible; a second solve with a zero objective tells which.
CbcAnswer solve_lp(const Model& model, const Reduced& reduced, const SolveOptions& options) {
  CbcModelPtr cbc = build(model, reduced, options, false);
  Cbc_solve(cbc.get());
  CbcAnswer answer;
  answer.note = "LP (no integer variables), solved by Clp";
  if (Cbc_isProvenOptimal(cbc.get())) {
    answer.status = 0;
    answer.secondary = 0;
    answer.proven_optimal = true;
    if (const double* x = Cbc_getColSolution(cbc.get())) {
      answer.values.assign(x, x + model.variables().size());
    }
  } else if (Cbc_isProvenInfeasible(cbc.get())) {
    CbcModelPtr feasibility = build(model, reduced, options, true);
    Cbc_solve(feasibility.get());
    answer.status = 0;
    if (Cbc_isProvenOptimal(feasibility.get())) {
      answer.secondary = 7;  // feasible, so the first solve found the dual infeasible
      answer.continuous_unbounded = true;
    } else if (Cbc_isProvenInfeasible(feasibility.get())) {
      answer.secondary = 1;
      answer.proven_infeasible = true;
    } else {
      answer.status = 2;
      answer.note += "; the zero-objective solve did not finish";
    }
  } else if (Cbc_isAbandoned(cbc.get())) {
    answer.status = 2;
  } else {
    answer.status = 1;  // stopped on Clp's time or iteration limit without an answer
    answer.secondary = options.time_limit_s > 0 ? 4 : 8;
  }
  return answer;
}

class CbcSolver final : public Solver {
 public:
  std::string name() const override { return "cbc"; }

  Solution solve(const Model& model, const SolveOptions& options) const override {
    const auto t0 = detail::Clock::now();
    Solution solution = solve_timed(model, options);
    solution.solve_ms = detail::ms_since(t0);
    return solution;
  }

 private:
  static Solution solve_timed(const Model& model, const SolveOptions& options) {
    if (auto problems = detail::check_inputs(model, options); !problems.empty()) {
      return detail::invalid_solution(problems);
    }
    if (model.variables().empty()) return detail::solve_without_variables(model, options);

    std::string start_note;
    const bool use_start = detail::usable_start(model, options, start_note);
    bool has_integers = false;
    for (const Variable& v : model.variables()) has_integers |= v.type != VarType::continuous;

    const Reduced reduced = reduce(model, options.feasibility_tolerance);
    if (!reduced.infeasible.empty()) {
      Solution solution;
      solution.status = Status::infeasible;
      solution.message = "infeasible before calling CBC: " + reduced.infeasible;
      detail::add_note(solution.message, start_note);
      detail::finish_without_values(model, std::nan(""), solution);
      return solution;
    }

    CbcAnswer answer;
    try {
      std::lock_guard<std::mutex> lock(cbc_mutex());
      answer = has_integers ? solve_mip(model, reduced, options, use_start)
                            : solve_lp(model, reduced, options);
    } catch (const std::exception& e) {
      Solution solution;
      solution.status = Status::abnormal;
      solution.message = fmt::format("CBC threw: {}", e.what());
      detail::finish_without_values(model, std::nan(""), solution);
      return solution;
    }

    Solution solution;
    const bool has_solution = !answer.values.empty();
    solution.status =
        map_cbc_status(answer.status, answer.secondary, answer.proven_optimal,
                       answer.proven_infeasible, answer.continuous_unbounded, has_solution);
    solution.nodes = answer.nodes;
    solution.message = fmt::format(
        "CBC {}: status {}, secondary {} ({}) -> {}", Cbc_getVersion(), answer.status,
        answer.secondary, describe_secondary(answer.secondary), to_string(solution.status));
    if (reduced.folded > 0) {
      detail::add_note(
          solution.message,
          fmt::format("{} empty or singleton rows folded into bounds", reduced.folded));
    }
    detail::add_note(solution.message, answer.note);
    detail::add_note(solution.message, start_note);
    if (!options.start.empty() && use_start && !has_integers) {
      detail::add_note(solution.message, "MIP start not used by the LP path");
    }
    if (solution.has_values()) {
      detail::finish_with_values(model, options, std::move(answer.values), answer.bound, solution);
    } else {
      detail::finish_without_values(model, answer.bound, solution);
    }
    return solution;
  }
};

}  // namespace

std::unique_ptr<Solver> make_cbc_solver() {
  return std::make_unique<CbcSolver>();
}

}  // namespace hwnas::solve
