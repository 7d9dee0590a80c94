#include "hwnas/map/problem.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <limits>

#include <fmt/format.h>

namespace hwnas::map {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// The dimensions a choice is limited in: DSP, BRAM, LUT, FF (FF only when asked), accuracy.
using Vec = std::array<double, 5>;

Vec limits(const MappingProblem& p) {
  return {p.budget.dsp, p.budget.bram, p.budget.lut, p.limit_ff ? p.budget.ff : kInf,
          p.accuracy_budget ? *p.accuracy_budget : kInf};
}
Vec usage(const MappingProblem& p, const Candidate& c) {
  return {c.resources.dsp, c.resources.bram, c.resources.lut, p.limit_ff ? c.resources.ff : 0.0,
          p.accuracy_budget ? c.accuracy_cost : 0.0};
}
bool all_le(const Vec& a, const Vec& b) {
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i] > b[i] * (1 + 1e-12) + 1e-9) return false;
  }
  return true;
}
Vec add(Vec a, const Vec& b) {
  for (std::size_t i = 0; i < a.size(); ++i) a[i] += b[i];
  return a;
}

// Sum or max of the chosen candidates' cycles, and their resources and accuracy cost.
void evaluate(const MappingProblem& p, MappingResult& r) {
  r.objective_cycles = 0;
  r.used = {};
  r.accuracy_cost = 0;
  for (std::size_t s = 0; s < p.subgraphs.size(); ++s) {
    const Candidate& c = p.subgraphs[s].candidates[r.choice[s]];
    r.objective_cycles = p.objective == Objective::latency ? r.objective_cycles + c.cycles
                                                           : std::max(r.objective_cycles, c.cycles);
    r.used += c.resources;
    r.accuracy_cost += c.accuracy_cost;
  }
}

bool fits(const MappingProblem& p, const MappingResult& r) {
  const Vec used = {r.used.dsp, r.used.bram, r.used.lut, p.limit_ff ? r.used.ff : 0.0,
                    p.accuracy_budget ? r.accuracy_cost : 0.0};
  return all_le(used, limits(p));
}

std::string empty_subgraph(const MappingProblem& p) {
  for (const auto& s : p.subgraphs) {
    if (s.candidates.empty()) return s.name;
  }
  return "";
}

double elapsed_ms(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

}  // namespace

std::string to_string(Objective objective) {
  return objective == Objective::latency ? "latency" : "throughput";
}

int prune_dominated(MappingProblem& problem) {
  int removed = 0;
  for (auto& subgraph : problem.subgraphs) {
    auto& cands = subgraph.candidates;
    std::vector<bool> drop(cands.size(), false);
    for (std::size_t i = 0; i < cands.size(); ++i) {
      const Vec ui = usage(problem, cands[i]);
      for (std::size_t j = 0; j < cands.size() && !drop[i]; ++j) {
        if (i == j || drop[j]) continue;
        const Vec uj = usage(problem, cands[j]);
        const bool no_worse =
            cands[j].cycles <= cands[i].cycles &&
            std::equal(uj.begin(), uj.end(), ui.begin(), [](double a, double b) { return a <= b; });
        if (!no_worse) continue;
        const bool equal = cands[j].cycles == cands[i].cycles && uj == ui;
        // j dominates i; of equal candidates the first is kept.
        if (!equal || j < i) drop[i] = true;
      }
    }
    std::vector<Candidate> kept;
    for (std::size_t i = 0; i < cands.size(); ++i) {
      if (!drop[i]) kept.push_back(std::move(cands[i]));
    }
    removed += static_cast<int>(cands.size() - kept.size());
    cands = std::move(kept);
  }
  problem.dominated += removed;
  return removed;
}

solve::Model build_model(const MappingProblem& p) {
  solve::Model model;
  std::vector<std::vector<int>> x(p.subgraphs.size());
  for (std::size_t s = 0; s < p.subgraphs.size(); ++s) {
    for (std::size_t c = 0; c < p.subgraphs[s].candidates.size(); ++c) {
      const double obj =
          p.objective == Objective::latency ? p.subgraphs[s].candidates[c].cycles : 0;
      x[s].push_back(model.add_binary(fmt::format("x_{}_{}", s, c), obj));
    }
  }
  for (std::size_t s = 0; s < p.subgraphs.size(); ++s) {
    std::vector<solve::Term> terms;
    for (int var : x[s]) terms.push_back({var, 1.0});
    model.add_constraint(fmt::format("one_{}", p.subgraphs[s].name), std::move(terms),
                         solve::Sense::equal, 1);
  }
  auto add_sum = [&](const char* name, auto&& coef, double rhs) {
    std::vector<solve::Term> terms;
    for (std::size_t s = 0; s < p.subgraphs.size(); ++s) {
      for (std::size_t c = 0; c < x[s].size(); ++c) {
        const double v = coef(p.subgraphs[s].candidates[c]);
        if (v != 0) terms.push_back({x[s][c], v});
      }
    }
    model.add_constraint(name, std::move(terms), solve::Sense::less_equal, rhs);
  };
  add_sum(
      "dsp", [](const Candidate& c) { return c.resources.dsp; }, p.budget.dsp);
  add_sum(
      "bram", [](const Candidate& c) { return c.resources.bram; }, p.budget.bram);
  add_sum(
      "lut", [](const Candidate& c) { return c.resources.lut; }, p.budget.lut);
  if (p.limit_ff)
    add_sum(
        "ff", [](const Candidate& c) { return c.resources.ff; }, p.budget.ff);
  if (p.accuracy_budget) {
    add_sum(
        "accuracy", [](const Candidate& c) { return c.accuracy_cost; }, *p.accuracy_budget);
  }
  if (p.objective == Objective::throughput) {
    double upper = 0;
    for (const auto& s : p.subgraphs) {
      for (const auto& c : s.candidates) upper = std::max(upper, c.cycles);
    }
    const int t = model.add_variable("t", solve::VarType::continuous, 0, upper, 1.0);
    for (std::size_t s = 0; s < p.subgraphs.size(); ++s) {
      // t - sum_c cycles[s][c] x[s][c] >= 0
      std::vector<solve::Term> terms{{t, 1.0}};
      for (std::size_t c = 0; c < x[s].size(); ++c) {
        terms.push_back({x[s][c], -p.subgraphs[s].candidates[c].cycles});
      }
      model.add_constraint(fmt::format("bottleneck_{}", p.subgraphs[s].name), std::move(terms),
                           solve::Sense::greater_equal, 0);
    }
  }
  return model;
}

void diagnose(const MappingProblem& p, MappingResult& r) {
  r.minimum = {};
  r.minimum_accuracy_cost = 0;
  for (const auto& s : p.subgraphs) {
    hw::Resources least{kInf, kInf, kInf, kInf};
    double least_acc = kInf;
    for (const auto& c : s.candidates) {
      least.dsp = std::min(least.dsp, c.resources.dsp);
      least.bram = std::min(least.bram, c.resources.bram);
      least.lut = std::min(least.lut, c.resources.lut);
      least.ff = std::min(least.ff, c.resources.ff);
      least_acc = std::min(least_acc, c.accuracy_cost);
    }
    if (s.candidates.empty()) continue;
    r.minimum += least;
    r.minimum_accuracy_cost += least_acc;
  }
  auto short_by = [](double need, double have) { return std::max(0.0, need - have); };
  r.shortfall = {short_by(r.minimum.dsp, p.budget.dsp), short_by(r.minimum.bram, p.budget.bram),
                 short_by(r.minimum.lut, p.budget.lut),
                 p.limit_ff ? short_by(r.minimum.ff, p.budget.ff) : 0.0};
  std::vector<std::string> short_list;
  auto note = [&](const char* name, double need, double have, double gap) {
    if (gap > 0)
      short_list.push_back(fmt::format("{} needs at least {:.0f}, budget {:.0f} (short by {:.0f})",
                                       name, need, have, gap));
  };
  note("DSP", r.minimum.dsp, p.budget.dsp, r.shortfall.dsp);
  note("BRAM", r.minimum.bram, p.budget.bram, r.shortfall.bram);
  note("LUT", r.minimum.lut, p.budget.lut, r.shortfall.lut);
  note("FF", r.minimum.ff, p.budget.ff, r.shortfall.ff);
  if (p.accuracy_budget && r.minimum_accuracy_cost > *p.accuracy_budget) {
    short_list.push_back(fmt::format("accuracy cost is at least {:.6g}, budget {:.6g}",
                                     r.minimum_accuracy_cost, *p.accuracy_budget));
  }
  if (!short_list.empty()) {
    r.message = fmt::format("{}", fmt::join(short_list, "; "));
  } else {
    r.message = fmt::format(
        "every resource fits on its own (least DSP {:.0f}, BRAM {:.0f}, LUT {:.0f}), but no "
        "choice fits them all together",
        r.minimum.dsp, r.minimum.bram, r.minimum.lut);
  }
}

MappingResult solve_mapping(const MappingProblem& p, const solve::Solver& solver,
                            const solve::SolveOptions& options) {
  MappingResult r;
  r.method = solver.name();
  if (const std::string empty = empty_subgraph(p); !empty.empty()) {
    r.status = solve::Status::infeasible;
    r.message = "subgraph " + empty + " has no candidate";
    return r;
  }
  const solve::Model model = build_model(p);
  const solve::Solution solution = solver.solve(model, options);
  r.status = solution.status;
  r.solve_ms = solution.solve_ms;
  r.gap = solution.gap;
  r.bound_cycles = solution.bound;
  r.message = solution.message;
  if (solution.has_values()) {
    std::size_t var = 0;
    for (const auto& s : p.subgraphs) {
      int chosen = 0;
      for (std::size_t c = 0; c < s.candidates.size(); ++c, ++var) {
        if (solution.values[var] > 0.5) chosen = static_cast<int>(c);
      }
      r.choice.push_back(chosen);
    }
    evaluate(p, r);
  } else if (r.status == solve::Status::infeasible) {
    diagnose(p, r);
  }
  return r;
}

namespace {

struct State {
  Vec use;
  double cycles;
  int parent;
  int candidate;
};

// Keeps the states no other state beats in every dimension (use and, when `with_cycles`,
// cycles); one of equal states.
std::vector<State> front_of(std::vector<State> states, bool with_cycles) {
  std::sort(states.begin(), states.end(), [](const State& a, const State& b) {
    return a.cycles != b.cycles ? a.cycles < b.cycles : a.use < b.use;
  });
  std::vector<State> front;
  for (const State& s : states) {
    bool dominated = false;
    for (const State& k : front) {
      if ((!with_cycles || k.cycles <= s.cycles) && all_le(k.use, s.use)) {
        dominated = true;
        break;
      }
    }
    if (!dominated) front.push_back(s);
  }
  return front;
}

// Sequential DP; candidates with more than `max_cycles` cycles are left out. Returns false
// when a front exceeds max_front. `levels[s]` holds the front after subgraph s.
bool run_dp(const MappingProblem& p, double max_cycles, bool sum_cycles, std::size_t max_front,
            std::vector<std::vector<State>>& levels) {
  const Vec limit = limits(p);
  levels.assign(p.subgraphs.size() + 1, {});
  levels[0] = {State{{0, 0, 0, 0, 0}, 0, -1, -1}};
  for (std::size_t s = 0; s < p.subgraphs.size(); ++s) {
    std::vector<State> next;
    const auto& cands = p.subgraphs[s].candidates;
    for (std::size_t i = 0; i < levels[s].size(); ++i) {
      for (std::size_t c = 0; c < cands.size(); ++c) {
        if (cands[c].cycles > max_cycles) continue;
        const Vec use = add(levels[s][i].use, usage(p, cands[c]));
        if (!all_le(use, limit)) continue;
        const double cycles = sum_cycles ? levels[s][i].cycles + cands[c].cycles : 0;
        next.push_back({use, cycles, static_cast<int>(i), static_cast<int>(c)});
      }
    }
    levels[s + 1] = front_of(std::move(next), sum_cycles);
    if (levels[s + 1].size() > max_front) return false;
    if (levels[s + 1].empty()) return true;
  }
  return true;
}

std::vector<int> trace(const std::vector<std::vector<State>>& levels, int last) {
  std::vector<int> choice(levels.size() - 1);
  int index = last;
  for (std::size_t s = levels.size() - 1; s > 0; --s) {
    choice[s - 1] = levels[s][index].candidate;
    index = levels[s][index].parent;
  }
  return choice;
}

}  // namespace

MappingResult solve_mapping_dp(const MappingProblem& p, std::size_t max_front) {
  const auto start = std::chrono::steady_clock::now();
  MappingResult r;
  r.method = "pareto-dp";
  if (const std::string empty = empty_subgraph(p); !empty.empty()) {
    r.status = solve::Status::infeasible;
    r.message = "subgraph " + empty + " has no candidate";
    return r;
  }
  std::vector<std::vector<State>> levels;
  auto too_large = [&] {
    r.status = solve::Status::abnormal;
    r.message = fmt::format("Pareto front above {} states", max_front);
    r.solve_ms = elapsed_ms(start);
    return r;
  };
  if (p.objective == Objective::latency) {
    if (!run_dp(p, kInf, true, max_front, levels)) return too_large();
    const auto& last = levels.back();
    if (last.empty()) {
      r.status = solve::Status::infeasible;
      diagnose(p, r);
    } else {
      const auto best =
          std::min_element(last.begin(), last.end(),
                           [](const State& a, const State& b) { return a.cycles < b.cycles; });
      r.choice = trace(levels, static_cast<int>(best - last.begin()));
      r.status = solve::Status::optimal;
      evaluate(p, r);
    }
  } else {
    std::vector<double> values;
    for (const auto& s : p.subgraphs) {
      for (const auto& c : s.candidates) values.push_back(c.cycles);
    }
    std::sort(values.begin(), values.end());
    values.erase(std::unique(values.begin(), values.end()), values.end());
    // Fitting is monotone in the allowed bottleneck: binary search for the least that fits.
    std::size_t lo = 0, hi = values.size();
    while (lo < hi) {
      const std::size_t mid = (lo + hi) / 2;
      if (!run_dp(p, values[mid], false, max_front, levels)) return too_large();
      if (!levels.back().empty()) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    if (lo == values.size()) {
      r.status = solve::Status::infeasible;
      diagnose(p, r);
    } else {
      if (!run_dp(p, values[lo], false, max_front, levels)) return too_large();
      r.choice = trace(levels, 0);
      r.status = solve::Status::optimal;
      evaluate(p, r);
    }
  }
  r.bound_cycles = r.objective_cycles;
  r.solve_ms = elapsed_ms(start);
  return r;
}

MappingResult solve_mapping_brute_force(const MappingProblem& p, std::int64_t max_combinations) {
  const auto start = std::chrono::steady_clock::now();
  MappingResult r;
  r.method = "brute-force";
  if (const std::string empty = empty_subgraph(p); !empty.empty()) {
    r.status = solve::Status::infeasible;
    r.message = "subgraph " + empty + " has no candidate";
    return r;
  }
  double combinations = 1;
  for (const auto& s : p.subgraphs) combinations *= static_cast<double>(s.candidates.size());
  if (combinations > static_cast<double>(max_combinations)) {
    r.status = solve::Status::invalid;
    r.message =
        fmt::format("{:.0f} combinations exceed the limit {}", combinations, max_combinations);
    return r;
  }
  MappingResult trial;
  trial.choice.assign(p.subgraphs.size(), 0);
  bool found = false;
  while (true) {
    evaluate(p, trial);
    if (fits(p, trial) && (!found || trial.objective_cycles < r.objective_cycles)) {
      r.choice = trial.choice;
      r.objective_cycles = trial.objective_cycles;
      found = true;
    }
    std::size_t s = 0;
    while (s < p.subgraphs.size() &&
           ++trial.choice[s] == static_cast<int>(p.subgraphs[s].candidates.size())) {
      trial.choice[s++] = 0;
    }
    if (s == p.subgraphs.size()) break;
  }
  if (found) {
    r.status = solve::Status::optimal;
    evaluate(p, r);
    r.bound_cycles = r.objective_cycles;
  } else {
    r.status = solve::Status::infeasible;
    diagnose(p, r);
  }
  r.solve_ms = elapsed_ms(start);
  return r;
}

}  // namespace hwnas::map
