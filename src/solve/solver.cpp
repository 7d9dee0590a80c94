#include "hwnas/solve/solver.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "solve_common.hpp"

namespace hwnas::solve {

std::string to_string(Status status) {
  switch (status) {
    case Status::optimal:
      return "optimal";
    case Status::feasible:
      return "feasible";
    case Status::infeasible:
      return "infeasible";
    case Status::unbounded:
      return "unbounded";
    case Status::not_solved:
      return "not_solved";
    case Status::invalid:
      return "invalid";
    case Status::abnormal:
      return "abnormal";
  }
  return "?";
}

namespace detail {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

bool minimizing(const Model& model) {
  return model.objective_sense() == ObjectiveSense::minimize;
}

// The bound that holds for any problem: -inf when minimising, +inf when maximising.
double trivial_bound(const Model& model) {
  return minimizing(model) ? -kInf : kInf;
}

}  // namespace

std::string join(const std::vector<std::string>& items, std::size_t max_items) {
  std::string out;
  const std::size_t shown = std::min(items.size(), max_items);
  for (std::size_t i = 0; i < shown; ++i) {
    if (i > 0) out += "; ";
    out += items[i];
  }
  if (items.size() > shown) out += fmt::format("; ... and {} more", items.size() - shown);
  return out;
}

void add_note(std::string& message, const std::string& note) {
  if (note.empty()) return;
  if (!message.empty()) message += "; ";
  message += note;
}

std::vector<std::string> check_inputs(const Model& model, const SolveOptions& options) {
  std::vector<std::string> problems = model.check();
  if (!(options.time_limit_s >= 0) || std::isinf(options.time_limit_s)) {
    problems.push_back(fmt::format("time_limit_s must be finite and >= 0 (0: none), got {}",
                                   options.time_limit_s));
  }
  if (!(options.relative_gap >= 0) || std::isinf(options.relative_gap)) {
    problems.push_back(
        fmt::format("relative_gap must be finite and >= 0, got {}", options.relative_gap));
  }
  if (!(options.feasibility_tolerance >= 0) || std::isinf(options.feasibility_tolerance)) {
    problems.push_back(fmt::format("feasibility_tolerance must be finite and >= 0, got {}",
                                   options.feasibility_tolerance));
  }
  return problems;
}

Solution invalid_solution(const std::vector<std::string>& problems) {
  Solution solution;
  solution.status = Status::invalid;
  solution.message = "invalid input: " + join(problems);
  return solution;
}

Solution solve_without_variables(const Model& model, const SolveOptions& options) {
  Solution solution;
  const std::vector<std::string> violated = verify(model, {}, options.feasibility_tolerance);
  if (violated.empty()) {
    solution.status = Status::optimal;
    solution.message = "no variables: the objective is the offset";
    finish_with_values(model, options, {}, model.objective_offset(), solution);
  } else {
    solution.status = Status::infeasible;
    solution.message =
        "no variables, and the constraints fail for the empty assignment: " + join(violated);
    finish_without_values(model, std::nan(""), solution);
  }
  return solution;
}

bool usable_start(const Model& model, const SolveOptions& options, std::string& note) {
  if (options.start.empty()) return false;
  const std::vector<std::string> violated =
      verify(model, options.start, options.feasibility_tolerance);
  if (violated.empty()) return true;
  note = "MIP start ignored, it is infeasible: " + join(violated, 3);
  return false;
}

void finish_with_values(const Model& model, const SolveOptions& options,
                        std::vector<double> raw_values, double bound, Solution& solution) {
  const auto& vars = model.variables();
  const double tol = options.feasibility_tolerance;
  std::vector<std::string> problems;
  if (raw_values.size() != vars.size()) {
    problems.push_back(fmt::format("the back end returned {} values for {} variables",
                                   raw_values.size(), vars.size()));
  } else {
    // Integrality is judged on the raw values: rounding first would hide a fractional answer.
    for (std::size_t i = 0; i < vars.size(); ++i) {
      if (vars[i].type == VarType::continuous) continue;
      double& x = raw_values[i];
      const double rounded = std::nearbyint(x);
      if (std::abs(x - rounded) > tol) {
        problems.push_back(
            fmt::format("variable '{}' (#{}) = {:g}: {}, {:g} from the nearest "
                        "integer",
                        vars[i].name, i, x, to_string(vars[i].type), std::abs(x - rounded)));
      }
      x = rounded + 0.0;  // + 0.0 turns -0 into 0
    }
    const std::vector<std::string> violated = verify(model, raw_values, tol);
    problems.insert(problems.end(), violated.begin(), violated.end());
  }
  if (!problems.empty()) {
    solution.status = Status::abnormal;
    add_note(solution.message, "the answer fails verify(): " + join(problems));
    finish_without_values(model, std::nan(""), solution);
    return;
  }
  solution.values = std::move(raw_values);
  solution.objective = model.objective_value(solution.values);
  if (std::isnan(bound) || std::isinf(bound)) {
    bound = solution.status == Status::optimal ? solution.objective : trivial_bound(model);
  }
  // A proven bound cannot be on the wrong side of a feasible objective; CBC's can be, by
  // rounding noise.
  bound =
      minimizing(model) ? std::min(bound, solution.objective) : std::max(bound, solution.objective);
  solution.bound = bound;
  solution.gap = std::isinf(bound) ? kInf
                                   : std::abs(solution.objective - bound) /
                                         std::max(1e-9, std::abs(solution.objective));
}

void finish_without_values(const Model& model, double bound, Solution& solution) {
  solution.values.clear();
  solution.objective = 0;
  solution.gap = kInf;
  const double sign = minimizing(model) ? 1.0 : -1.0;
  switch (solution.status) {
    case Status::infeasible:
      solution.bound = sign * kInf;
      break;
    case Status::unbounded:
      solution.bound = -sign * kInf;
      break;
    default:
      solution.bound = std::isfinite(bound) ? bound : trivial_bound(model);
      break;
  }
}

}  // namespace detail

}  // namespace hwnas::solve
