#pragma once
// One candidate through the stages of a search (FNAS's order: everything cheap first, training
// last and only for what can still win):
//   decode -> shape check -> hardware cost (the template's best configuration under the
//   resource limits) -> hard limits -> accuracy (cache, predictor or training) -> objectives.
// A candidate that fails a stage carries the stage and the reason; with pruning before training
// (the default) a candidate that misses a limit is never trained.

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "hwnas/eval/evaluator.hpp"
#include "hwnas/pipeline/run_config.hpp"
#include "hwnas/search/algorithm.hpp"

namespace hwnas::pipeline {

enum class Stage { passed, shape, resources, latency, throughput, energy, area, accuracy };
inline constexpr std::size_t kStageCount = 8;
std::string_view to_string(Stage stage);
std::optional<Stage> stage_from_string(std::string_view text);

struct Candidate {
  int seq = 0;    // order asked, from 0
  int batch = 0;  // which ask
  space::Genotype genotype;
  std::string description;  // the space's one-line description
  std::string network_yaml;
  Stage stage = Stage::passed;  // the stage that rejected it, or passed
  std::string reason;
  bool trained = false;         // accuracy measured (or predicted, or cached)
  std::string accuracy_source;  // trained | cache | predicted | "" (not measured)
  // What the search ranks by: validation accuracy when the budget holds images out, else test.
  double accuracy = std::numeric_limits<double>::quiet_NaN();
  double test_accuracy = std::numeric_limits<double>::quiet_NaN();  // reported, never ranked by
  double latency_ms = std::numeric_limits<double>::quiet_NaN();
  double throughput_fps = std::numeric_limits<double>::quiet_NaN();
  hw::Resources used;
  double energy_mj = std::numeric_limits<double>::quiet_NaN();  // per image (systolic)
  double area_mm2 = std::numeric_limits<double>::quiet_NaN();   // systolic
  // The run's soft reward (search.reward), when it has one.
  double reward = std::numeric_limits<double>::quiet_NaN();
  double params = 0;
  double macs = 0;
  std::string hardware_yaml;  // the template configuration (a file for hwnas estimate --config)
  double cost_ms = 0;         // hardware cost and limits, wall time
  double accuracy_s = 0;      // accuracy stage, wall time
  search::Outcome outcome;    // what the algorithm is told

  bool feasible() const { return outcome.feasible; }
};

nlohmann::json to_json(const Candidate& c);
Candidate candidate_from_json(const nlohmann::json& json);

// The value of a metric for a candidate (accuracy in 0..1, resources in the device's units).
double metric_value(const Candidate& c, Metric metric);
// Objectives as minimised values: 1 - accuracy, -throughput, the rest as they are.
std::vector<double> minimised(const RunConfig& run, const Candidate& c);
std::vector<double> minimised_reference(const RunConfig& run);

// MnasNet's reward: accuracy * (latency_ms / target)^w, w = alpha at or under the target, beta
// over it.
double soft_reward(const SoftReward& reward, double accuracy, double latency_ms);

class Pipeline {
 public:
  // `accuracy` is shared by the worker threads; it must be thread-safe (the training and
  // predictor evaluators are).
  Pipeline(const RunConfig& run, eval::AccuracyEvaluator& accuracy);
  // Thread-safe.
  Candidate evaluate(const space::Genotype& genotype, int seq, int batch) const;

 private:
  const RunConfig& run_;
  eval::AccuracyEvaluator& accuracy_;
};

}  // namespace hwnas::pipeline
