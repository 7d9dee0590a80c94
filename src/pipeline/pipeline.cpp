#include "hwnas/pipeline/pipeline.hpp"

#include <array>
#include <chrono>
#include <cmath>

#include <fmt/format.h>

#include "hwnas/cost/dataflow.hpp"
#include "hwnas/cost/tiled.hpp"
#include "hwnas/io/accelerator_yaml.hpp"
#include "hwnas/io/network_yaml.hpp"
#include "hwnas/latency/model.hpp"
#include "hwnas/map/candidates.hpp"
#include "hwnas/map/problem.hpp"
#include "hwnas/pipeline/cosearch.hpp"

namespace hwnas::pipeline {

namespace {

constexpr std::array<std::pair<Stage, std::string_view>, kStageCount> kStages = {{
    {Stage::passed, "passed"},
    {Stage::shape, "shape"},
    {Stage::resources, "resources"},
    {Stage::latency, "latency"},
    {Stage::throughput, "throughput"},
    {Stage::energy, "energy"},
    {Stage::area, "area"},
    {Stage::accuracy, "accuracy"},
}};

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// JSON has no NaN: store it as null.
nlohmann::json number(double value) {
  return std::isfinite(value) ? nlohmann::json(value) : nlohmann::json(nullptr);
}
double number_from(const nlohmann::json& json) {
  return json.is_null() ? std::numeric_limits<double>::quiet_NaN() : json.get<double>();
}

struct HardwareCost {
  cost::CostReport report;
  std::string config_yaml;
  double energy_mj = std::numeric_limits<double>::quiet_NaN();
  double area_mm2 = std::numeric_limits<double>::quiet_NaN();
  std::string infeasible;  // why the hardware cannot run the network (systolic), else empty
};

// HAO's mapping: every layer its own engine share (tiled) or folding (dataflow), chosen by the
// integer programme under the resource limits; latency objective unless only throughput is
// limited. The bits stay the network's own (the search chooses them).
HardwareCost ilp_cost(const RunConfig& run, const ir::Network& network, const hw::Target& target) {
  map::CandidateOptions options;
  options.objective = run.limits.throughput_fps && !run.limits.latency_ms
                          ? map::Objective::throughput
                          : map::Objective::latency;
  options.tiled_model = run.tiled_model == "fnas" ? cost::TiledModel::fnas : cost::TiledModel::halo;
  map::MappingProblem problem = run.template_name == "tiled"
                                    ? map::tiled_problem(network, target, options)
                                    : map::dataflow_problem(network, target, options);
  problem.budget = target.device.budget;
  problem.limit_ff = true;
  map::prune_dominated(problem);
  // The exact Pareto DP: no solver lock, so parallel workers do not wait on CBC; CBC when the
  // DP's fronts grow too large.
  map::MappingResult result = map::solve_mapping_dp(problem);
  if (result.status == solve::Status::abnormal) {
    result = map::solve_mapping(problem, *solve::make_cbc_solver());
  }
  HardwareCost cost;
  cost::CostReport& report = cost.report;
  report.engine = run.template_name;
  report.budget = target.device.budget;
  report.clock_mhz = target.board.clock_mhz;
  report.batch = network.batch;
  if (!result.has_choice()) {
    report.used = result.minimum;
    report.shortfall = result.shortfall;
    report.fits = false;
    return cost;
  }
  report.used = result.used;
  report.fits = true;
  report.latency_ms = result.objective_cycles / (target.board.clock_mhz * 1e3);
  report.throughput_fps = result.objective_cycles > 0 ? network.batch * target.board.clock_mhz *
                                                            1e6 / result.objective_cycles
                                                      : 0;
  for (std::size_t s = 0; s < problem.subgraphs.size(); ++s) {
    const auto& subgraph = problem.subgraphs[s];
    cost.config_yaml +=
        fmt::format("{}: \"{}\"\n", subgraph.name,
                    subgraph.candidates[static_cast<std::size_t>(result.choice[s])].label);
  }
  return cost;
}

// The template's best configuration under the run's resource limits; when none fits, the
// smallest one, whose shortfall says what is missing.
HardwareCost hardware_cost(const RunConfig& run, const ir::Network& network,
                           const space::Genotype& genotype) {
  if (run.template_name == "systolic") {
    const SystolicCost systolic =
        systolic_cost(*run.systolic, network, run.cosearch->accelerator_genes(genotype));
    HardwareCost cost;
    cost.report.engine = "systolic";
    cost.report.fits = systolic.feasible;
    cost.report.latency_ms = systolic.latency_ms;
    cost.report.throughput_fps =
        systolic.latency_ms > 0 ? network.batch * 1e3 / systolic.latency_ms : 0;
    cost.energy_mj = systolic.energy_mj;
    cost.area_mm2 = systolic.area_mm2;
    cost.config_yaml = systolic.config_yaml;
    cost.infeasible = systolic.reason;
    return cost;
  }
  if (run.template_name == "measured") {
    HardwareCost cost;
    cost.report.engine = "measured";
    cost.report.fits = true;
    cost.report.latency_ms = run.latency->predict_ms(network, &genotype);
    cost.report.throughput_fps =
        cost.report.latency_ms > 0 ? network.batch * 1e3 / cost.report.latency_ms : 0;
    return cost;
  }
  hw::Target target = run.target;
  target.device.budget = run.limits.resources;
  if (run.mapping == "ilp") return ilp_cost(run, network, target);
  HardwareCost cost;
  if (run.template_name == "tiled") {
    const cost::TiledModel model =
        run.tiled_model == "fnas" ? cost::TiledModel::fnas : cost::TiledModel::halo;
    const cost::TiledProblem problem = cost::prepare_tiled(network, target, model);
    const cost::TiledSearchResult best = cost::explore_tiled(problem, target.device.budget);
    cost.report = cost::estimate_tiled(problem, best.found ? best.config : cost::TiledConfig{});
    if (best.found) cost.config_yaml = io::tiled_config_to_yaml(best.config, model);
  } else {
    const cost::DataflowConfig config = cost::balance_folding(network, target);
    cost.report = cost::estimate_dataflow(network, target, config);
    cost.config_yaml = io::dataflow_config_to_yaml(config, network);
  }
  return cost;
}

}  // namespace

double soft_reward(const SoftReward& reward, double accuracy, double latency_ms) {
  const double ratio = latency_ms / reward.target_ms;
  return accuracy * std::pow(ratio, ratio <= 1 ? reward.alpha : reward.beta);
}

namespace {

double relative_excess(double value, double limit) {
  return limit > 0 ? std::max(0.0, (value - limit) / limit) : (value > 0 ? 1.0 : 0.0);
}

}  // namespace

std::string_view to_string(Stage stage) {
  for (const auto& [s, name] : kStages) {
    if (s == stage) return name;
  }
  return "?";
}

std::optional<Stage> stage_from_string(std::string_view text) {
  for (const auto& [s, name] : kStages) {
    if (name == text) return s;
  }
  return std::nullopt;
}

nlohmann::json to_json(const Candidate& c) {
  return {{"seq", c.seq},
          {"batch", c.batch},
          {"genotype", space::to_string(c.genotype)},
          {"description", c.description},
          {"network", c.network_yaml},
          {"stage", std::string(to_string(c.stage))},
          {"reason", c.reason},
          {"trained", c.trained},
          {"accuracy_source", c.accuracy_source},
          {"accuracy", number(c.accuracy)},
          {"test_accuracy", number(c.test_accuracy)},
          {"latency_ms", number(c.latency_ms)},
          {"throughput_fps", number(c.throughput_fps)},
          {"dsp", c.used.dsp},
          {"bram", c.used.bram},
          {"lut", c.used.lut},
          {"ff", c.used.ff},
          {"energy_mj", number(c.energy_mj)},
          {"area_mm2", number(c.area_mm2)},
          {"reward", number(c.reward)},
          {"params", c.params},
          {"macs", c.macs},
          {"hardware", c.hardware_yaml},
          {"cost_ms", c.cost_ms},
          {"accuracy_s", c.accuracy_s},
          {"feasible", c.outcome.feasible},
          {"violation", number(c.outcome.violation)},
          {"objectives", c.outcome.objectives}};
}

Candidate candidate_from_json(const nlohmann::json& j) {
  Candidate c;
  c.seq = j.at("seq");
  c.batch = j.at("batch");
  c.genotype = space::parse_genotype(j.at("genotype").get<std::string>());
  c.description = j.at("description");
  c.network_yaml = j.at("network");
  c.stage = stage_from_string(j.at("stage").get<std::string>()).value_or(Stage::passed);
  c.reason = j.at("reason");
  c.trained = j.at("trained");
  c.accuracy_source = j.at("accuracy_source");
  c.accuracy = number_from(j.at("accuracy"));
  c.test_accuracy = number_from(j.at("test_accuracy"));
  c.latency_ms = number_from(j.at("latency_ms"));
  c.throughput_fps = number_from(j.at("throughput_fps"));
  c.used = {j.at("dsp"), j.at("bram"), j.at("lut"), j.at("ff")};
  // Absent in stores written before the edge accelerator template.
  c.energy_mj = number_from(j.value("energy_mj", nlohmann::json(nullptr)));
  c.area_mm2 = number_from(j.value("area_mm2", nlohmann::json(nullptr)));
  c.reward = number_from(j.value("reward", nlohmann::json(nullptr)));
  c.params = j.at("params");
  c.macs = j.at("macs");
  c.hardware_yaml = j.at("hardware");
  c.cost_ms = j.at("cost_ms");
  c.accuracy_s = j.at("accuracy_s");
  c.outcome.genotype = c.genotype;
  c.outcome.feasible = j.at("feasible");
  c.outcome.violation = j.at("violation").is_null() ? std::numeric_limits<double>::infinity()
                                                    : j.at("violation").get<double>();
  c.outcome.objectives = j.at("objectives").get<std::vector<double>>();
  c.outcome.accuracy = c.accuracy;
  c.outcome.latency_ms = c.latency_ms;
  c.outcome.reward = c.reward;
  return c;
}

double metric_value(const Candidate& c, Metric metric) {
  switch (metric) {
    case Metric::accuracy:
      return c.accuracy;
    case Metric::latency_ms:
      return c.latency_ms;
    case Metric::throughput_fps:
      return c.throughput_fps;
    case Metric::dsp:
      return c.used.dsp;
    case Metric::bram:
      return c.used.bram;
    case Metric::lut:
      return c.used.lut;
    case Metric::ff:
      return c.used.ff;
    case Metric::params:
      return c.params;
    case Metric::macs:
      return c.macs;
    case Metric::energy_mj:
      return c.energy_mj;
    case Metric::area_mm2:
      return c.area_mm2;
  }
  return std::numeric_limits<double>::quiet_NaN();
}

namespace {
double minimised_value(Metric metric, double value) {
  if (metric == Metric::accuracy) return 1.0 - value;
  if (metric == Metric::throughput_fps) return -value;
  return value;
}
}  // namespace

std::vector<double> minimised(const RunConfig& run, const Candidate& c) {
  std::vector<double> values;
  for (Metric m : run.objectives) values.push_back(minimised_value(m, metric_value(c, m)));
  return values;
}

std::vector<double> minimised_reference(const RunConfig& run) {
  std::vector<double> values;
  for (std::size_t i = 0; i < run.objectives.size(); ++i) {
    values.push_back(minimised_value(run.objectives[i], run.reference[i]));
  }
  return values;
}

Pipeline::Pipeline(const RunConfig& run, eval::AccuracyEvaluator& accuracy)
    : run_(run), accuracy_(accuracy) {}

Candidate Pipeline::evaluate(const space::Genotype& genotype, int seq, int batch) const {
  const auto start = std::chrono::steady_clock::now();
  Candidate c;
  c.seq = seq;
  c.batch = batch;
  c.genotype = genotype;
  c.outcome.genotype = genotype;
  c.description = run_.space->describe(genotype);
  const ir::Network network = run_.space->decode(genotype);
  c.network_yaml = eval::canonical_network(network);

  // Shape check: spaces decode to valid networks, but a hand-made space may not.
  const auto analysis = ir::try_analyze(network);
  if (const auto* problem = std::get_if<ir::ShapeProblem>(&analysis)) {
    c.stage = Stage::shape;
    c.reason = fmt::format("layer {}: {}", problem->layer_name, problem->reason);
    c.outcome.violation = std::numeric_limits<double>::infinity();
    c.cost_ms = seconds_since(start) * 1e3;
    return c;
  }
  const auto& stats = std::get<ir::NetworkStats>(analysis);
  c.params = static_cast<double>(stats.params);
  c.macs = static_cast<double>(stats.macs);

  // Hardware cost and the hard limits; violation sums the relative excess of each.
  const HardwareCost cost = hardware_cost(run_, network, genotype);
  const cost::CostReport& report = cost.report;
  c.latency_ms = report.latency_ms;
  c.throughput_fps = report.throughput_fps;
  c.used = report.used;
  c.hardware_yaml = cost.config_yaml;
  c.energy_mj = cost.energy_mj;
  c.area_mm2 = cost.area_mm2;
  double violation = 0;
  const hw::Resources& limit = run_.limits.resources;
  if (!cost.infeasible.empty()) {
    // The network cannot run on this accelerator at all (a tile does not fit): no latency.
    c.stage = Stage::resources;
    c.reason = cost.infeasible;
    violation += 1;
  } else if (run_.template_name == "tiled" || run_.template_name == "dataflow") {
    violation += relative_excess(report.used.dsp, limit.dsp) +
                 relative_excess(report.used.bram, limit.bram) +
                 relative_excess(report.used.lut, limit.lut) +
                 relative_excess(report.used.ff, limit.ff);
  }
  if (!report.fits && c.stage == Stage::passed) {
    c.stage = Stage::resources;
    c.reason = fmt::format(
        "no configuration fits: DSP {:.0f}/{:.0f}, BRAM {:.0f}/{:.0f}, LUT "
        "{:.0f}/{:.0f}, FF {:.0f}/{:.0f}",
        report.used.dsp, limit.dsp, report.used.bram, limit.bram, report.used.lut, limit.lut,
        report.used.ff, limit.ff);
  }
  // With a soft reward, latency is weighed in the reward, not a hard limit.
  if (run_.limits.latency_ms && !run_.search.soft_reward) {
    violation += relative_excess(report.latency_ms, *run_.limits.latency_ms);
    if (c.stage == Stage::passed && report.latency_ms > *run_.limits.latency_ms) {
      c.stage = Stage::latency;
      c.reason =
          fmt::format("latency {:.4g} ms > {:.4g} ms", report.latency_ms, *run_.limits.latency_ms);
    }
  }
  if (run_.limits.throughput_fps) {
    const double need = *run_.limits.throughput_fps;
    violation += report.throughput_fps < need ? (need - report.throughput_fps) / need : 0;
    if (c.stage == Stage::passed && report.throughput_fps < need) {
      c.stage = Stage::throughput;
      c.reason = fmt::format("throughput {:.4g}/s < {:.4g}/s", report.throughput_fps, need);
    }
  }
  const auto limit_stage = [&](const std::optional<double>& limit, double value, Stage stage,
                               std::string_view what, std::string_view unit) {
    if (!limit || !std::isfinite(value)) return;
    violation += relative_excess(value, *limit);
    if (c.stage == Stage::passed && value > *limit) {
      c.stage = stage;
      c.reason = fmt::format("{} {:.4g} {} > {:.4g} {}", what, value, unit, *limit, unit);
    }
  };
  limit_stage(run_.limits.energy_mj, c.energy_mj, Stage::energy, "energy", "mJ");
  limit_stage(run_.limits.area_mm2, c.area_mm2, Stage::area, "area", "mm2");
  c.outcome.violation = violation;
  c.outcome.latency_ms = c.latency_ms;
  c.cost_ms = seconds_since(start) * 1e3;

  // Accuracy: FNAS's point is that a candidate which already misses a limit is not trained.
  const bool within_limits = c.stage == Stage::passed;
  if (within_limits || !run_.search.prune_before_training) {
    const auto accuracy_start = std::chrono::steady_clock::now();
    const eval::Accuracy a = accuracy_.evaluate(network);
    c.accuracy_s = seconds_since(accuracy_start);
    c.trained = true;
    c.accuracy_source = std::string(eval::to_string(a.source));
    if (!a.ok) {
      if (within_limits) {
        c.stage = Stage::accuracy;
        c.reason = "training diverged: " + a.reason;
      }
    } else {
      // Search on held-out validation accuracy when there is one: selecting on the test set
      // would report an optimistic test accuracy.
      const bool held_out = a.source == eval::AccuracySource::tabular ||
                            (run_.accuracy.budget.validation_images > 0 &&
                             a.source != eval::AccuracySource::predicted);
      c.accuracy = held_out ? a.validation : a.test;
      c.test_accuracy = a.test;
      c.outcome.accuracy = c.accuracy;
      c.outcome.objectives = minimised(run_, c);
      if (run_.search.soft_reward) {
        c.reward = soft_reward(*run_.search.soft_reward, c.accuracy, c.latency_ms);
        c.outcome.reward = c.reward;
      }
    }
  }
  c.outcome.feasible = c.stage == Stage::passed;
  return c;
}

}  // namespace hwnas::pipeline
