// Brute force over every integer assignment within the bounds: slow, obviously right, and the
// reference the tests hold the other back ends to.

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <vector>

#include "hwnas/solve/solver.hpp"
#include "solve_common.hpp"

namespace hwnas::solve {

namespace {

// Values beyond 2^53 are no longer all representable as doubles; no enumerable domain gets
// there anyway.
constexpr double kMaxMagnitude = 9007199254740992.0;

class EnumerationSolver final : public Solver {
 public:
  explicit EnumerationSolver(std::int64_t max_assignments) : max_assignments_(max_assignments) {}

  std::string name() const override { return "enumeration"; }

  Solution solve(const Model& model, const SolveOptions& options) const override {
    const auto t0 = detail::Clock::now();
    Solution solution = solve_timed(model, options, t0);
    solution.solve_ms = detail::ms_since(t0);
    return solution;
  }

 private:
  Solution solve_timed(const Model& model, const SolveOptions& options,
                       detail::Clock::time_point t0) const {
    if (auto problems = detail::check_inputs(model, options); !problems.empty()) {
      return detail::invalid_solution(problems);
    }
    if (model.variables().empty()) return detail::solve_without_variables(model, options);

    const auto& vars = model.variables();
    const double tol = options.feasibility_tolerance;
    const std::size_t n = vars.size();
    std::vector<double> lo(n), hi(n);
    std::vector<std::string> problems;
    std::vector<std::string> empty_domains;
    for (std::size_t j = 0; j < n; ++j) {
      const Variable& v = vars[j];
      if (v.type == VarType::continuous) {
        problems.push_back(fmt::format(
            "enumeration needs binary or integer variables: variable '{}' (#{}) is continuous",
            v.name, j));
        continue;
      }
      if (!(std::abs(v.lower) < kMaxMagnitude) || !(std::abs(v.upper) < kMaxMagnitude)) {
        problems.push_back(
            fmt::format("enumeration needs finite bounds: variable '{}' (#{}) has bounds [{}, {}]",
                        v.name, j, v.lower, v.upper));
        continue;
      }
      // The integers verify() accepts: within tolerance (scaled as there) of the bounds.
      lo[j] = std::ceil(v.lower - tol * std::max(1.0, std::abs(v.lower)));
      hi[j] = std::floor(v.upper + tol * std::max(1.0, std::abs(v.upper)));
      if (lo[j] > hi[j]) {
        empty_domains.push_back(fmt::format("variable '{}' (#{}) has no integer in [{:g}, {:g}]",
                                            v.name, j, v.lower, v.upper));
      }
    }
    if (!problems.empty()) return detail::invalid_solution(problems);

    std::string start_note;
    detail::usable_start(model, options, start_note);  // only for the note: the start is unused

    Solution solution;
    if (!empty_domains.empty()) {
      solution.status = Status::infeasible;
      solution.message = "enumeration: " + detail::join(empty_domains);
      detail::add_note(solution.message, start_note);
      detail::finish_without_values(model, std::nan(""), solution);
      return solution;
    }
    double total = 1;  // a double, so that the product cannot overflow before the test
    for (std::size_t j = 0; j < n; ++j) total *= hi[j] - lo[j] + 1;
    if (total > static_cast<double>(max_assignments_)) {
      return detail::invalid_solution({fmt::format(
          "enumeration: {:g} assignments exceed the limit of {}", total, max_assignments_)});
    }

    struct Row {
      std::vector<Term> terms;
      Sense sense;
      double rhs;
      double slack;  // the violation verify() tolerates
    };
    std::vector<Row> rows;
    for (const Constraint& c : model.constraints()) {
      rows.push_back(Row{c.terms, c.sense, c.rhs, tol * std::max(1.0, std::abs(c.rhs))});
    }
    const bool minimize = model.objective_sense() == ObjectiveSense::minimize;
    auto feasible = [&rows](const std::vector<double>& x) {
      for (const Row& row : rows) {
        double activity = 0;
        for (const Term& t : row.terms) activity += t.coef * x[t.var];
        const double violation = row.sense == Sense::less_equal      ? activity - row.rhs
                                 : row.sense == Sense::greater_equal ? row.rhs - activity
                                                                     : std::abs(activity - row.rhs);
        if (violation > row.slack) return false;
      }
      return true;
    };

    std::vector<double> x = lo;
    std::vector<double> best;
    double best_objective = 0;
    std::int64_t tried = 0;
    bool out_of_time = false;
    for (;;) {
      ++tried;
      if (feasible(x)) {
        const double objective = model.objective_value(x);
        // Strictly better by a relative 1e-9, so that ties keep the earlier (smaller) assignment.
        const double margin = 1e-9 * std::max(1.0, std::abs(best_objective));
        if (best.empty() || (minimize ? objective < best_objective - margin
                                      : objective > best_objective + margin)) {
          best = x;
          best_objective = objective;
        }
      }
      // Odometer: the last variable turns fastest, so assignments come in lexicographic order.
      std::size_t j = n;
      while (j > 0 && x[j - 1] == hi[j - 1]) {
        x[j - 1] = lo[j - 1];
        --j;
      }
      if (j == 0) break;
      x[j - 1] += 1;
      if (options.time_limit_s > 0 && tried % 1024 == 0 &&
          detail::ms_since(t0) > 1e3 * options.time_limit_s) {
        out_of_time = true;
        break;
      }
    }

    solution.nodes = tried;
    solution.message = fmt::format("enumeration: {} of {:g} assignments tried", tried, total);
    if (out_of_time) detail::add_note(solution.message, "stopped on the time limit");
    detail::add_note(solution.message, start_note);
    if (best.empty()) {
      solution.status = out_of_time ? Status::not_solved : Status::infeasible;
      detail::finish_without_values(model, std::nan(""), solution);
    } else {
      solution.status = out_of_time ? Status::feasible : Status::optimal;
      detail::finish_with_values(model, options, std::move(best),
                                 out_of_time ? std::nan("") : best_objective, solution);
    }
    return solution;
  }

  std::int64_t max_assignments_;
};

}  // namespace

std::unique_ptr<Solver> make_enumeration_solver(std::int64_t max_assignments) {
  return std::make_unique<EnumerationSolver>(max_assignments);
}

}  // namespace hwnas::solve
