// CBC back end: the Model is copied column-major into one Cbc_loadProblem call (no per-column
// or per-row calls, no names), solved under a process-wide lock, and the answer mapped and
// verified by the steps in solve_common.hpp.

#include <coin/Cbc_C_Interface.h>
#include <fmt/format.h>

#include <cfloat>
#include <cstdlib>
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
double to_cbc(double x) { return std::isinf(x) ? std::copysign(DBL_MAX, x) : x; }

std::string describe_secondary(int secondary) {
  static const char* const kNames[] = {"completed",      "LP infeasible",    "stopped on gap",
                                       "stopped on nodes", "stopped on time", "user event",
                                       "stopped on solutions", "LP unbounded",
                                       "stopped on iterations"};
  if (secondary >= 0 && secondary < static_cast<int>(std::size(kNames))) return kNames[secondary];
  return "unknown";
}

// A CBC model holding `model` (with a zero objective when `zero_objective`, for the
// infeasible-or-unbounded question of the LP path), configured by `options`.
CbcModelPtr build(const Model& model, const SolveOptions& options, bool zero_objective) {
  const auto& vars = model.variables();
  const auto& cons = model.constraints();
  const int n = static_cast<int>(vars.size());
  const int m = static_cast<int>(cons.size());

  // Transpose the row-wise constraints into compressed sparse columns.
  std::vector<CoinBigIndex> start(n + 1, 0);
  for (const Constraint& c : cons) {
    for (const Term& t : c.terms) ++start[t.var + 1];
  }
  for (int j = 0; j < n; ++j) start[j + 1] += start[j];
  std::vector<int> index(start[n]);
  std::vector<double> value(start[n]);
  std::vector<CoinBigIndex> next(start.begin(), start.end() - 1);
  std::vector<double> row_lower(m), row_upper(m);
  for (int i = 0; i < m; ++i) {
    const Constraint& c = cons[i];
    for (const Term& t : c.terms) {
      index[next[t.var]] = i;
      value[next[t.var]] = t.coef;
      ++next[t.var];
    }
    row_lower[i] = c.sense == Sense::less_equal ? -DBL_MAX : c.rhs;
    row_upper[i] = c.sense == Sense::greater_equal ? DBL_MAX : c.rhs;
  }
  std::vector<double> col_lower(n), col_upper(n), objective(n, 0.0);
  for (int j = 0; j < n; ++j) {
    col_lower[j] = to_cbc(vars[j].lower);
    col_upper[j] = to_cbc(vars[j].upper);
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
  if (options.time_limit_s > 0) {
    Cbc_setMaximumSeconds(cbc.get(), options.time_limit_s);
    Cbc_setParameter(cbc.get(), "timeMode", "elapsed");  // CBC counts CPU time by default
  }
  if (const char* extra = std::getenv("HWNAS_CBC_EXPERIMENT")) {  // TEMPORARY
    std::string all(extra);
    std::size_t pos = 0;
    while (pos < all.size()) {
      auto sp = all.find(' ', pos);
      auto sp2 = all.find(' ', sp + 1);
      if (sp2 == std::string::npos) sp2 = all.size();
      Cbc_setParameter(cbc.get(), all.substr(pos, sp - pos).c_str(), all.substr(sp + 1, sp2 - sp - 1).c_str());
      pos = sp2 + 1;
    }
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
CbcAnswer solve_mip(const Model& model, const SolveOptions& options, bool use_start) {
  CbcModelPtr cbc = build(model, options, false);
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
CbcAnswer solve_lp(const Model& model, const SolveOptions& options) {
  CbcModelPtr cbc = build(model, options, false);
  Cbc_solve(cbc.get());
  CbcAnswer answer;
  answer.note = "LP (no integer variables), solved by Clp";
  if (Cbc_isProvenOptimal(cbc.get())) {
    answer.status = 0;
    answer.secondary = 0;
    answer.proven_optimal = true;
    const double* x = Cbc_getColSolution(cbc.get());
    answer.values.assign(x, x + model.variables().size());
  } else if (Cbc_isProvenInfeasible(cbc.get())) {
    CbcModelPtr feasibility = build(model, options, true);
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

    CbcAnswer answer;
    try {
      std::lock_guard<std::mutex> lock(cbc_mutex());
      answer = has_integers ? solve_mip(model, options, use_start) : solve_lp(model, options);
    } catch (const std::exception& e) {
      Solution solution;
      solution.status = Status::abnormal;
      solution.message = fmt::format("CBC threw: {}", e.what());
      detail::finish_without_values(model, std::nan(""), solution);
      return solution;
    }

    Solution solution;
    const bool has_solution = !answer.values.empty();
    solution.status = map_cbc_status(answer.status, answer.secondary, answer.proven_optimal,
                                     answer.proven_infeasible, answer.continuous_unbounded,
                                     has_solution);
    solution.nodes = answer.nodes;
    solution.message =
        fmt::format("CBC {}: status {}, secondary {} ({}) -> {}", Cbc_getVersion(), answer.status,
                    answer.secondary, describe_secondary(answer.secondary),
                    to_string(solution.status));
    detail::add_note(solution.message, answer.note);
    detail::add_note(solution.message, start_note);
    if (!options.start.empty() && use_start && !has_integers) {
      detail::add_note(solution.message, "MIP start not used by the LP path");
    }
    if (solution.has_values()) {
      detail::finish_with_values(model, options, std::move(answer.values), answer.bound,
                                 solution);
    } else {
      detail::finish_without_values(model, answer.bound, solution);
    }
    return solution;
  }
};

}  // namespace

std::unique_ptr<Solver> make_cbc_solver() { return std::make_unique<CbcSolver>(); }

}  // namespace hwnas::solve
