#pragma once
// A solver-neutral mixed-integer linear programme: variables with types and bounds, linear
// constraints, a linear objective. Built by the `map` formulations, solved by any Solver
// (solve/solver.hpp), and every answer checked with verify() against the model it came from.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace hwnas::solve {

enum class VarType { binary, integer, continuous };
enum class Sense { less_equal, greater_equal, equal };
enum class ObjectiveSense { minimize, maximize };

std::string to_string(VarType type);    // "binary", "integer", "continuous"
std::string to_string(Sense sense);     // "<=", ">=", "="
std::string to_string(ObjectiveSense);  // "minimize", "maximize"

// Bounds may be infinite (-inf lower, +inf upper: std::numeric_limits<double>::infinity()).
struct Variable {
  std::string name;
  VarType type = VarType::continuous;
  double lower = 0;
  double upper = 0;
  double objective = 0;  // coefficient in the objective
};

struct Term {
  int var = 0;  // index returned by Model::add_variable
  double coef = 0;
};

struct Constraint {
  std::string name;
  std::vector<Term> terms;
  Sense sense = Sense::less_equal;
  double rhs = 0;
};

// Names are for messages only: solvers address variables and constraints by index, so names
// need not be unique (but messages are clearer when they are).
class Model {
 public:
  // Returns the variable's index. Binary variables get bounds [0, 1] whatever is passed.
  // Nothing is validated here; check() reports what is wrong.
  int add_variable(std::string name, VarType type, double lower, double upper,
                   double objective = 0);
  int add_binary(std::string name, double objective = 0) {
    return add_variable(std::move(name), VarType::binary, 0, 1, objective);
  }
  // Returns the constraint's index. Nothing is validated here; check() reports what is wrong.
  int add_constraint(std::string name, std::vector<Term> terms, Sense sense, double rhs);
  void set_objective_sense(ObjectiveSense sense) { sense_ = sense; }
  // Throws std::out_of_range for an unknown variable index.
  void set_objective_coef(int var, double coef) { variables_.at(var).objective = coef; }
  void set_objective_offset(double offset) { offset_ = offset; }

  const std::vector<Variable>& variables() const { return variables_; }
  const std::vector<Constraint>& constraints() const { return constraints_; }
  ObjectiveSense objective_sense() const { return sense_; }
  double objective_offset() const { return offset_; }

  // Problems that make the model unusable (check before solving): an unknown variable index in
  // a constraint, lower > upper, a NaN or infinite coefficient or right-hand side, a duplicate
  // variable in one constraint; also a NaN bound, a lower bound of +inf or an upper bound of
  // -inf, a NaN or infinite objective coefficient or offset. One message per problem, naming
  // the variable or constraint, e.g.
  //   "variable 'x' (#1): lower bound 3 > upper bound 1"
  //   "constraint 'cap' (#0) term 2: unknown variable index 7 (the model has 3 variables)"
  // Empty when the model is well formed.
  std::vector<std::string> check() const;

  // Objective value of an assignment (including the offset). Throws std::invalid_argument when
  // `values` does not hold one value per variable.
  double objective_value(const std::vector<double>& values) const;

 private:
  std::vector<Variable> variables_;
  std::vector<Constraint> constraints_;
  ObjectiveSense sense_ = ObjectiveSense::minimize;
  double offset_ = 0;
};

// Everything an assignment violates: wrong length, a non-finite value, a bound (by more than
// `tolerance` scaled by max(1, |bound|)), integrality (binary/integer values more than
// `tolerance` from an integer), or a constraint by more than `tolerance` (absolute, scaled by
// max(1, |rhs|)). Each message names the variable or constraint and the amount, e.g.
//   "variable 'x' (#0) = 4.5: above its upper bound 4 by 0.5"
//   "variable 'b' (#2) = 0.5: binary, 0.5 from the nearest integer"
//   "constraint 'cap' (#0): activity 12 <= 10 violated by 2"
// Numbers are printed with up to 6 significant digits. Empty when the assignment is feasible.
// The model should pass check(); terms with an unknown variable index are skipped.
std::vector<std::string> verify(const Model& model, const std::vector<double>& values,
                                double tolerance = 1e-6);

}  // namespace hwnas::solve
