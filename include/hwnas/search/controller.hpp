#pragma once
// The FNAS controller (Jiang et al., "Accuracy vs. Efficiency: Achieving Both through
// FPGA-Implementation Aware Neural Architecture Search", DAC 2019): a recurrent policy that
// proposes one value per gene, trained with REINFORCE on FNAS's reward, in which a candidate whose
// estimated latency misses the spec gets a penalty and is never trained.
//
// The policy runs in libtorch, but nothing here includes torch: the module keeps it private, so
// the pipeline and the CLI include this header cheaply.
//
// Where the numbers come from. The paper describes the scheme; its text was not at hand to check
// its equations, so the constants come from the authors' released code
// (github.com/PITT-JZ-COOP/FPGA-implementation-Aware-Neural-Architecture-Search, manager.py and
// train.py), which this follows where it can:
//   published (FNAS code)  latency term +L/(10*TS) when the spec is met; penalty
//                          -1 - (L - TS)/(10*TS) when it is missed (no training); a moving-average
//                          baseline with decay 0.8; an LSTM of 32 cells over 20-wide embeddings.
//   published (elsewhere)  uniform weight init in [-0.08, 0.08] and sampling every decision from
//                          the softmax (Zoph & Le, ICLR 2017); Adam and an entropy bonus of 1e-4
//                          (ENAS, Pham et al., ICML 2018).
//   chosen here            the learning rate, the gradient-norm clip, the cap on the penalty's
//                          excess, a baseline over every reward (FNAS: over the trained ones'
//                          accuracy), and no clipping of R - b (FNAS clips it to [-0.1, 0.1],
//                          which flattens every penalty to -0.1 and so loses how far a miss was).
//                          FNAS's code instead takes the argmax with 10% uniformly random
//                          decisions and steps RMSProp at 0.1; sampling keeps REINFORCE on-policy.

#include <cstdint>
#include <memory>

#include "hwnas/search/algorithm.hpp"
#include "hwnas/space/search_space.hpp"

namespace hwnas::search {

// FNAS's reward for one candidate (TS = latency_spec_ms, L = latency_ms, A = accuracy in 0..1):
//
//   feasible, A known:     R = A + latency_weight * L / TS
//   otherwise:             R = infeasible_reward - violation_weight * min(violation, violation_cap)
//
// "Otherwise" is a candidate the pipeline marked infeasible (FNAS never trains it) or one whose
// accuracy is NaN. `violation` is Outcome::violation, the pipeline's sum of (value - limit) / limit
// over the missed limits: for a latency-only spec it is FNAS's (L - TS) / TS, so a near miss is
// penalised less than a far one and the controller learns which way the spec lies; +inf (rejected
// before its cost was known) takes the cap. As A and L / TS both lie in [0, 1] when feasible,
// every penalty lies below every feasible reward while infeasible_reward < min(0, latency_weight)
// (the defaults: -1 < 0).
//
// The latency term has FNAS's sign: within the spec, a slower network (one that uses more of the
// latency budget, and so is usually bigger and more accurate) earns slightly more. A negative
// latency_weight prefers faster networks instead; 0 ranks feasible candidates by accuracy alone.
// The term is dropped when latency_spec_ms is 0 (no spec) or the latency is NaN.
struct FnasRewardParams {
  double latency_spec_ms = 0;       // TS; >= 0, 0 = no latency term
  double latency_weight = 0.1;      // FNAS code: + L / TS / 10
  double infeasible_reward = -1.0;  // FNAS code: the -1 of its penalty
  double violation_weight = 0.1;    // FNAS code: the 1/10 on (L - TS) / TS; >= 0
  double violation_cap = 10.0;      // chosen: keeps the worst penalty at -2 (defaults); >= 0
};

// Throws InputError("FNAS reward", "<field>", reason) for a negative spec, weight or cap, or a
// non-finite value.
double fnas_reward(const Outcome& outcome, const FnasRewardParams& params);

struct ControllerParams {
  std::uint64_t seed = 1;
  FnasRewardParams reward;

  // Policy (Zoph & Le, 2017, as FNAS uses it): one LSTM cell stepped once per gene. The input at
  // step t is a learned embedding of the value chosen for gene t-1 (a learned start vector at
  // t = 0); a per-gene linear head turns the hidden state into a softmax over that gene's values.
  int hidden_size = 32;      // FNAS code: 32 cells
  int embedding_size = 20;   // FNAS code: 20
  double init_range = 0.08;  // every weight uniform in [-init_range, init_range] (Zoph & Le)

  // Training: after each tell, one Adam step on
  //   loss = -mean_i (R_i - b) * log pi(g_i)  -  entropy_weight * mean_i H_i
  // where log pi(g_i) sums the log-probabilities of all of g_i's genes, H_i sums the entropies of
  // the per-gene distributions along g_i, and b is the baseline *before* this batch. Inactive genes
  // are included: the reward does not depend on them, so they add variance but no bias, whereas
  // dropping them would bias the gradient whenever a later active gene's distribution depends on
  // them through the LSTM state.
  //
  // learning_rate: chosen on controller_test's synthetic problem (6 genes x 4 values, optimum
  // known): with 0.005 the optimum was found within 512 evaluations for 100 of 100 seeds in batches
  // of 8 (on average after 176), and for 30 of 30 in batches of 1 and of 16; ENAS's 0.0035 needed
  // about 230 in batches of 8, and 0.01 to 0.02 sometimes settled on a near-optimum for good.
  double learning_rate = 0.005;
  double entropy_weight = 1e-4;  // ENAS; >= 0
  double max_grad_norm = 5.0;    // chosen: global gradient-norm clip; 0 = none
  // b is an exponential moving average of every reward told (feasible or not), updated once per
  // candidate in the order told, b <- decay * b + (1 - decay) * R, so the decay means the same for
  // any batch size; it starts at the first batch's mean reward (FNAS's bias correction likewise
  // makes its first average equal the first value). FNAS code: 0.8.
  double baseline_decay = 0.8;  // in [0, 1)
};

// Throws InputError("controller", "<field>", reason) for a non-positive size, learning rate or
// init range, a negative entropy weight or clip, a decay outside [0, 1), or bad reward params.
void check_controller_params(const ControllerParams& params);

// The controller over `space`'s genes (copied: the space need not outlive it). Its name() is
// "fnas-rl". ask(count) samples `count` genotypes from the policy; tell must then get exactly
// those genotypes' outcomes, in order, before the next ask, and throws std::invalid_argument
// otherwise (ask(0) throws too). Same seed and same outcomes give the same asks, whatever other
// torch code does in the process: weights are drawn and genotypes sampled with hwnas::Rng, never
// with torch's global generator, and the controller never changes torch's global settings.
// Throws InputError for bad params or a space without genes.
std::unique_ptr<Algorithm> make_fnas_controller(const space::SearchSpace& space,
                                                const ControllerParams& params);

}  // namespace hwnas::search
