#pragma once
// Search algorithms behind one ask/tell interface over genotypes of a search space.
//
// The driver asks for a batch, evaluates it (in parallel, in any order), and tells the outcomes
// back in the order asked. Algorithms are deterministic given their seed and the outcomes they
// are told: that is what makes a run resumable (replay the stored outcomes into a fresh
// algorithm) and independent of the number of worker threads (the batch size is a setting of
// the run, never the thread count).

#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "hwnas/space/search_space.hpp"

namespace hwnas::search {

// What the pipeline found for one genotype.
struct Outcome {
  space::Genotype genotype;
  // Passed every stage and met every hard limit.
  bool feasible = false;
  // How far outside the hard limits: the sum over violated limits of (value - limit) / limit;
  // 0 when feasible. A candidate rejected before its cost was known (shape check) gets +inf.
  double violation = 0;
  // The run's objectives, all minimised (accuracy enters as 1 - accuracy). Filled for every
  // candidate whose objectives could be computed, feasible or not; empty otherwise.
  std::vector<double> objectives;
  // The measurements the single-objective algorithms and the FNAS reward use. NaN when the
  // pipeline stopped before measuring them (an infeasible candidate is never trained).
  double accuracy = std::numeric_limits<double>::quiet_NaN();  // 0..1
  double latency_ms = std::numeric_limits<double>::quiet_NaN();
  // A run's own scalar score, higher is better (MnasNet's soft reward acc * (lat / target)^w);
  // NaN when the run has none. When set, the single-objective rankings and the FNAS controller
  // use it in place of accuracy and their own latency term.
  double reward = std::numeric_limits<double>::quiet_NaN();
};

class Algorithm {
 public:
  virtual ~Algorithm() = default;
  virtual std::string_view name() const = 0;
  // The next `count` genotypes to evaluate (count >= 1). Genotypes may repeat across batches;
  // the pipeline's cache makes a repeat cheap.
  virtual std::vector<space::Genotype> ask(std::size_t count) = 0;
  // The outcomes of the last ask, in the order asked.
  virtual void tell(const std::vector<Outcome>& outcomes) = 0;
};

}  // namespace hwnas::search
