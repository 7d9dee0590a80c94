#include "hwnas/solve/model.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace hwnas::solve {

std::string to_string(VarType type) {
  switch (type) {
    case VarType::binary:
      return "binary";
    case VarType::integer:
      return "integer";
    case VarType::continuous:
      return "continuous";
  }
  return "?";
}

std::string to_string(Sense sense) {
  switch (sense) {
    case Sense::less_equal:
      return "<=";
    case Sense::greater_equal:
      return ">=";
    case Sense::equal:
      return "=";
  }
  return "?";
}

std::string to_string(ObjectiveSense sense) {
  return sense == ObjectiveSense::minimize ? "minimize" : "maximize";
}

namespace {

std::string describe(const Variable& v, std::size_t index) {
  return fmt::format("variable '{}' (#{})", v.name, index);
}

std::string describe(const Constraint& c, std::size_t index) {
  return fmt::format("constraint '{}' (#{})", c.name, index);
}

constexpr double kInf = std::numeric_limits<double>::infinity();

bool is_integral(VarType type) {
  return type != VarType::continuous;
}

}  // namespace

int Model::add_variable(std::string name, VarType type, double lower, double upper,
                        double objective) {
  if (type == VarType::binary) {
    lower = 0;
    upper = 1;
  }
  variables_.push_back(Variable{std::move(name), type, lower, upper, objective});
  return static_cast<int>(variables_.size()) - 1;
}

int Model::add_constraint(std::string name, std::vector<Term> terms, Sense sense, double rhs) {
  constraints_.push_back(Constraint{std::move(name), std::move(terms), sense, rhs});
  return static_cast<int>(constraints_.size()) - 1;
}

std::vector<std::string> Model::check() const {
  std::vector<std::string> problems;
  for (std::size_t i = 0; i < variables_.size(); ++i) {
    const Variable& v = variables_[i];
    if (std::isnan(v.lower) || std::isnan(v.upper)) {
      problems.push_back(
          fmt::format("{}: NaN bound (lower {}, upper {})", describe(v, i), v.lower, v.upper));
    } else if (v.lower == kInf) {
      problems.push_back(fmt::format("{}: lower bound is +inf", describe(v, i)));
    } else if (v.upper == -kInf) {
      problems.push_back(fmt::format("{}: upper bound is -inf", describe(v, i)));
    } else if (v.lower > v.upper) {
      problems.push_back(
          fmt::format("{}: lower bound {:g} > upper bound {:g}", describe(v, i), v.lower, v.upper));
    }
    if (!std::isfinite(v.objective)) {
      problems.push_back(
          fmt::format("{}: non-finite objective coefficient {}", describe(v, i), v.objective));
    }
  }
  if (!std::isfinite(offset_)) {
    problems.push_back(fmt::format("objective offset is non-finite: {}", offset_));
  }
  const auto n = static_cast<long long>(variables_.size());
  // seen_in[v]: the last constraint that used variable v, to find duplicates in one pass.
  std::vector<std::size_t> seen_in(variables_.size(), std::numeric_limits<std::size_t>::max());
  for (std::size_t c = 0; c < constraints_.size(); ++c) {
    const Constraint& con = constraints_[c];
    if (!std::isfinite(con.rhs)) {
      problems.push_back(
          fmt::format("{}: non-finite right-hand side {}", describe(con, c), con.rhs));
    }
    for (std::size_t t = 0; t < con.terms.size(); ++t) {
      const Term& term = con.terms[t];
      if (term.var < 0 || term.var >= n) {
        problems.push_back(
            fmt::format("{} term {}: unknown variable index {} (the model has {} variables)",
                        describe(con, c), t, term.var, n));
        continue;
      }
      const Variable& v = variables_[term.var];
      if (!std::isfinite(term.coef)) {
        problems.push_back(fmt::format("{} term {}: non-finite coefficient {} for variable '{}'",
                                       describe(con, c), t, term.coef, v.name));
      }
      if (seen_in[term.var] == c) {
        problems.push_back(fmt::format("{}: variable '{}' (#{}) appears more than once",
                                       describe(con, c), v.name, term.var));
      }
      seen_in[term.var] = c;
    }
  }
  return problems;
}

double Model::objective_value(const std::vector<double>& values) const {
  if (values.size() != variables_.size()) {
    throw std::invalid_argument(fmt::format("objective_value: {} values for {} variables",
                                            values.size(), variables_.size()));
  }
  double sum = offset_;
  for (std::size_t i = 0; i < values.size(); ++i) sum += variables_[i].objective * values[i];
  return sum;
}

std::vector<std::string> verify(const Model& model, const std::vector<double>& values,
                                double tolerance) {
  const auto& vars = model.variables();
  if (values.size() != vars.size()) {
    return {fmt::format("assignment has {} values for {} variables", values.size(), vars.size())};
  }
  std::vector<std::string> problems;
  bool all_finite = true;
  for (std::size_t i = 0; i < vars.size(); ++i) {
    const Variable& v = vars[i];
    const double x = values[i];
    if (!std::isfinite(x)) {
      problems.push_back(fmt::format("{} = {}: not a finite value", describe(v, i), x));
      all_finite = false;
      continue;
    }
    if (x < v.lower - tolerance * std::max(1.0, std::abs(v.lower))) {
      problems.push_back(fmt::format("{} = {:g}: below its lower bound {:g} by {:g}",
                                     describe(v, i), x, v.lower, v.lower - x));
    }
    if (x > v.upper + tolerance * std::max(1.0, std::abs(v.upper))) {
      problems.push_back(fmt::format("{} = {:g}: above its upper bound {:g} by {:g}",
                                     describe(v, i), x, v.upper, x - v.upper));
    }
    if (is_integral(v.type)) {
      const double off = std::abs(x - std::nearbyint(x));
      if (off > tolerance) {
        problems.push_back(fmt::format("{} = {:g}: {}, {:g} from the nearest integer",
                                       describe(v, i), x, to_string(v.type), off));
      }
    }
  }
  if (!all_finite) return problems;  // activities would be NaN or inf: nothing more to learn
  const auto n = static_cast<long long>(vars.size());
  const auto& cons = model.constraints();
  for (std::size_t c = 0; c < cons.size(); ++c) {
    const Constraint& con = cons[c];
    double activity = 0;
    for (const Term& term : con.terms) {
      if (term.var >= 0 && term.var < n) activity += term.coef * values[term.var];
    }
    double violation = 0;
    switch (con.sense) {
      case Sense::less_equal:
        violation = activity - con.rhs;
        break;
      case Sense::greater_equal:
        violation = con.rhs - activity;
        break;
      case Sense::equal:
        violation = std::abs(activity - con.rhs);
        break;
    }
    if (!(violation <= tolerance * std::max(1.0, std::abs(con.rhs)))) {
      problems.push_back(fmt::format("{}: activity {:g} {} {:g} violated by {:g}", describe(con, c),
                                     activity, to_string(con.sense), con.rhs, violation));
    }
  }
  return problems;
}

}  // namespace hwnas::solve
