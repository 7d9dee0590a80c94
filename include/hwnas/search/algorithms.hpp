#pragma once
// The search algorithms behind the ask/tell interface (algorithm.hpp) and the rankings of
// outcomes they use, which also pick the best design and the front of a finished run.
//
// Every algorithm here:
//  - keeps a reference to its space, which must outlive it;
//  - draws every random choice from an hwnas::Rng seeded by `seed`, so the same seed, asked
//    the same batch sizes and told the same outcomes, asks for the same genotypes;
//  - keeps the protocol strictly: ask(count >= 1), then tell exactly the outcomes of that ask
//    (same count, same genotypes, same order), then ask again. Anything else throws InputError
//    naming the algorithm (see check_ask / check_tell): when a run is resumed by replaying
//    stored outcomes, a mismatch means the store belongs to another run;
//  - enforces hard limits: a feasible outcome always ranks above an infeasible one, and among
//    infeasible ones the lower violation ranks higher.
// Parameters are checked when the algorithm is made: InputError(<algorithm name>, <field>,
// reason).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "hwnas/search/algorithm.hpp"
#include "hwnas/space/search_space.hpp"

namespace hwnas::search {

// name() "random": every genotype drawn uniformly (space::sample); outcomes are ignored.
std::unique_ptr<Algorithm> make_random_search(const space::SearchSpace& space, std::uint64_t seed);

// Regularized (aging) evolution, Real et al., "Regularized Evolution for Image Classifier
// Architecture Search", AAAI 2019. name() "evolution".
//
// The first `population` genotypes asked are random. After that each child is a mutation of
// the best of `tournament` members drawn uniformly, with replacement, from the population of
// told outcomes as it stands at the ask (so all children of one batch come from the same
// population; while it is still empty, children are random). Each told outcome joins the
// population; beyond `population` members, the oldest dies, whatever its quality.
// Ranking: single_objective_better (accuracy maximised under the hard limits).
struct EvolutionParams {
  std::size_t population = 20;  // >= 1; larger = slower to converge, more diverse
  std::size_t tournament = 5;   // 1..population; larger = greedier
  // Each gene is redrawn with this probability; when no active gene was redrawn, one is
  // (space::mutate). So 0, the default, changes exactly one active gene per child, as Real et
  // al.'s mutations do. In [0, 1].
  double mutation_rate = 0.0;
};
std::unique_ptr<Algorithm> make_regularized_evolution(const space::SearchSpace& space,
                                                      std::uint64_t seed,
                                                      EvolutionParams params = {});

// NSGA-II, Deb, Pratap, Agarwal & Meyarivan, IEEE TEC 6(2), 2002, over Outcome::objectives (all
// minimised; NaN read as +inf) with Deb's constrained domination (constrained_dominates).
// name() "nsga2".
//
// Generational, exposed as ask/tell. Generation 0 is random. Each later generation's offspring
// come in pairs: two parents by binary tournament on (rank, crowding distance), uniform
// crossover gene by gene with probability `crossover_rate` (else copies of the parents), then
// each gene of each child redrawn among its other values with probability `mutation_rate`; a
// child that still decodes to a parent's network gets one active gene changed (space::mutate).
// A genotype asked before in the run is drawn again (up to 100 times, which only a nearly
// exhausted space needs): its objectives cannot change, and a converged population otherwise
// breeds repeats for about half of its offspring.
//
// Told outcomes collect until a generation's worth (`population`) is in; then parents and
// offspring, repeated genotypes kept once, are sorted into fronts and the next population is
// filled front by front, the last front by descending crowding distance. A batch may cross a
// generation's end: every genotype of one ask is bred from the population as it stands, and a
// generation that receives more than `population` outcomes selects from all of them, so any
// ask size works (and all sizes that divide `population` give the same run).
struct Nsga2Params {
  std::size_t population = 20;  // >= 2; also the number of offspring per generation
  double crossover_rate = 0.9;  // in [0, 1]; Deb et al. use 0.9
  // Per gene, in [0, 1]; unset = 1 / (number of genes), Deb et al.'s 1/n.
  std::optional<double> mutation_rate = std::nullopt;
};
std::unique_ptr<Algorithm> make_nsga2(const space::SearchSpace& space, std::uint64_t seed,
                                      Nsga2Params params = {});

// --- Rankings of outcomes -----------------------------------------------------------------

// The order regularized evolution uses. Feasible beats infeasible; between feasible outcomes
// the higher accuracy wins (the higher reward when both carry one), and a NaN accuracy is the
// worst feasible; between infeasible ones the lower violation wins (NaN violation read as +inf).
// False for ties.
bool single_objective_better(const Outcome& a, const Outcome& b);

// Deb's constrained domination: feasible dominates infeasible; between infeasible outcomes the
// lower violation dominates (NaN read as +inf); between feasible ones Pareto dominance of the
// objectives (NaN read as +inf). Throws InputError when two feasible outcomes have objective
// vectors of different sizes.
bool constrained_dominates(const Outcome& a, const Outcome& b);

// The index of the best outcome by single_objective_better (the first of equals); nullopt for
// no outcomes. Infeasible only when no outcome is feasible.
std::optional<std::size_t> best_single_objective(const std::vector<Outcome>& outcomes);

// Indices (ascending) of the outcomes no other outcome constrained-dominates. When any outcome
// is feasible this is the Pareto front of the feasible ones (of equal objective vectors only
// the first); otherwise it is every outcome of least violation. Throws InputError when a
// feasible outcome has no objectives or two feasible ones differ in their number.
std::vector<std::size_t> constrained_front(const std::vector<Outcome>& outcomes);

// --- The protocol, for any Algorithm implementation ----------------------------------------

// Throws InputError(algorithm, "ask", reason) when count is 0 or the last ask is not yet told.
void check_ask(std::string_view algorithm, std::size_t count, bool awaiting_tell);

// Throws InputError(algorithm, "tell", reason) unless `told` answers `asked`: same count, and
// told[i].genotype == asked[i]. Call with awaiting_tell = false when nothing was asked.
void check_tell(std::string_view algorithm, bool awaiting_tell,
                const std::vector<space::Genotype>& asked, const std::vector<Outcome>& told);

}  // namespace hwnas::search
