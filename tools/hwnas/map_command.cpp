// hwnas map: HAO's integer programme — the latency- or throughput-optimal accelerator
// configuration (and bit widths, when free) per subgraph under the device's resource budget.

#include <charconv>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <limits>
#include <memory>
#include <optional>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "hwnas/core/error.hpp"
#include "hwnas/io/accelerator_yaml.hpp"
#include "hwnas/io/device_yaml.hpp"
#include "hwnas/io/network_yaml.hpp"
#include "hwnas/io/sensitivity_csv.hpp"
#include "hwnas/map/candidates.hpp"
#include "hwnas/map/problem.hpp"

namespace hwnas::cli {

namespace {

struct MapOptions {
  std::string network;
  std::string device;
  std::string board;
  std::string templ = "dataflow";
  std::string model = "halo";
  std::string objective = "latency";
  std::string subgraph = "layer";
  std::string bits;
  std::optional<double> accuracy_budget;
  std::string sensitivity;
  std::size_t max_candidates = 64;
  bool limit_ff = false;
  double time_limit_s = 0;
  std::string solver = "cbc";
  std::string sweep;
  std::string csv;
  std::string save_config;
  bool json = false;
};

// "4,8,16" (weights and activations alike) or "w4a8,w8a8".
std::vector<ir::Bits> parse_bits(const std::string& text) {
  std::vector<ir::Bits> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = text.find(',', start);
    const std::string item =
        text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    int w = 0, a = 0;
    char tail = 0;
    if (std::sscanf(item.c_str(), "w%da%d%c", &w, &a, &tail) == 2) {
    } else if (std::sscanf(item.c_str(), "%d%c", &w, &tail) == 1) {
      a = w;
    } else {
      throw InputError("--bits", item, "expected bit widths like 4,8,16 or w4a8,w8a8");
    }
    if (w < ir::kMinBits || w > ir::kMaxBits || a < ir::kMinBits || a > ir::kMaxBits) {
      throw InputError("--bits", item, "bit widths must be in 1..32");
    }
    out.push_back({w, a});
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

struct Sweep {
  std::string dimension;  // dsp, bram, lut, ff, acc
  std::vector<double> values;
};

Sweep parse_sweep(const std::string& text) {
  Sweep sweep;
  const auto eq = text.find('=');
  double lo = 0, hi = 0, step = 0;
  char tail = 0;
  if (eq == std::string::npos ||
      std::sscanf(text.c_str() + eq + 1, "%lf:%lf:%lf%c", &lo, &hi, &step, &tail) != 3) {
    throw InputError("--sweep", text, "expected DIM=FROM:TO:STEP, e.g. dsp=60:360:30");
  }
  sweep.dimension = text.substr(0, eq);
  if (sweep.dimension != "dsp" && sweep.dimension != "bram" && sweep.dimension != "lut" &&
      sweep.dimension != "ff" && sweep.dimension != "acc") {
    throw InputError("--sweep", sweep.dimension,
                     "unknown dimension (expected dsp, bram, lut, ff or acc)");
  }
  if (step <= 0 || hi < lo) throw InputError("--sweep", text, "need FROM <= TO and STEP > 0");
  for (int k = 0; lo + k * step <= hi + 1e-9 * step; ++k) sweep.values.push_back(lo + k * step);
  return sweep;
}

void set_budget(map::MappingProblem& problem, const std::string& dimension, double value) {
  if (dimension == "dsp") problem.budget.dsp = value;
  if (dimension == "bram") problem.budget.bram = value;
  if (dimension == "lut") problem.budget.lut = value;
  if (dimension == "ff") {
    problem.budget.ff = value;
    problem.limit_ff = true;
  }
  if (dimension == "acc") problem.accuracy_budget = value;
}

nlohmann::json resources_json(const hw::Resources& r) {
  return {{"dsp", r.dsp}, {"bram18", r.bram}, {"lut", r.lut}, {"ff", r.ff}};
}

struct Outcome {
  map::MappingResult result;
  double latency_ms = 0;
  double throughput_fps = 0;
};

Outcome solve(const map::MappingProblem& problem, const MapOptions& options,
              const hw::Target& target, int batch) {
  Outcome out;
  if (options.solver == "dp") {
    out.result = map::solve_mapping_dp(problem);
  } else {
    solve::SolveOptions solve_options;
    solve_options.time_limit_s = options.time_limit_s;
    out.result = map::solve_mapping(problem, *solve::make_cbc_solver(), solve_options);
  }
  if (out.result.has_choice()) {
    const double cycles_per_ms = target.board.clock_mhz * 1e3;
    out.latency_ms = out.result.objective_cycles / cycles_per_ms;
    out.throughput_fps = out.result.objective_cycles > 0
                             ? batch * target.board.clock_mhz * 1e6 / out.result.objective_cycles
                             : 0;
  }
  return out;
}

nlohmann::json outcome_json(const map::MappingProblem& problem, const Outcome& outcome,
                            const ir::Network& network) {
  const map::MappingResult& r = outcome.result;
  nlohmann::json json = {{"status", solve::to_string(r.status)},
                         {"method", r.method},
                         {"objective", map::to_string(problem.objective)},
                         {"solve_ms", r.solve_ms},
                         {"budget", resources_json(problem.budget)}};
  if (problem.accuracy_budget) json["accuracy_budget"] = *problem.accuracy_budget;
  if (!r.message.empty()) json["message"] = r.message;
  if (r.has_choice()) {
    json["gap"] = r.gap;
    json["objective_cycles"] = r.objective_cycles;
    if (problem.objective == map::Objective::latency) {
      json["latency_ms"] = outcome.latency_ms;
    } else {
      json["throughput_fps"] = outcome.throughput_fps;
    }
    json["resources"] = resources_json(r.used);
    json["accuracy_cost"] = r.accuracy_cost;
    nlohmann::json subgraphs = nlohmann::json::array();
    for (std::size_t s = 0; s < problem.subgraphs.size(); ++s) {
      const map::Subgraph& g = problem.subgraphs[s];
      const map::Candidate& c = g.candidates[r.choice[s]];
      nlohmann::json layers = nlohmann::json::array();
      for (int i : g.layers) layers.push_back(network.layers[i].name);
      subgraphs.push_back({{"name", g.name},
                           {"layers", layers},
                           {"config", c.label},
                           {"cycles", c.cycles},
                           {"resources", resources_json(c.resources)},
                           {"bits", {{"weight", c.bits.weight}, {"act", c.bits.act}}},
                           {"accuracy_cost", c.accuracy_cost},
                           {"candidates", g.candidates.size()}});
    }
    json["subgraphs"] = subgraphs;
  } else if (r.status == solve::Status::infeasible) {
    json["minimum"] = resources_json(r.minimum);
    json["shortfall"] = resources_json(r.shortfall);
  }
  return json;
}

void print_outcome(const map::MappingProblem& problem, const Outcome& outcome,
                   const hw::Target& target) {
  const map::MappingResult& r = outcome.result;
  if (!r.has_choice()) {
    fmt::print("status: {} ({})\n", solve::to_string(r.status), r.message);
    return;
  }
  fmt::print("{:<14} {:>14} {:>7} {:>7} {:>8} {:>6} {:>9}  {}\n", "subgraph", "cycles", "DSP",
             "BRAM", "LUT", "bits", "acc.cost", "configuration");
  for (std::size_t s = 0; s < problem.subgraphs.size(); ++s) {
    const map::Subgraph& g = problem.subgraphs[s];
    const map::Candidate& c = g.candidates[r.choice[s]];
    fmt::print("{:<14} {:>14.0f} {:>7.0f} {:>7.0f} {:>8.0f} {:>6} {:>9.4g}  {}\n", g.name, c.cycles,
               c.resources.dsp, c.resources.bram, c.resources.lut,
               fmt::format("w{}a{}", c.bits.weight, c.bits.act), c.accuracy_cost, c.label);
  }
  if (problem.objective == map::Objective::latency) {
    fmt::print("latency: {:.0f} cycles = {:.4f} ms at {} MHz (layers in sequence)\n",
               r.objective_cycles, outcome.latency_ms, target.board.clock_mhz);
  } else {
    fmt::print("throughput: {:.1f} images/s (bottleneck {:.0f} cycles at {} MHz, pipelined)\n",
               outcome.throughput_fps, r.objective_cycles, target.board.clock_mhz);
  }
  fmt::print("resources: DSP {:.0f}/{:.0f}, {} {:.0f}/{:.0f}, LUT {:.0f}/{:.0f}, FF {:.0f}{}\n",
             r.used.dsp, problem.budget.dsp, target.device.bram_unit, r.used.bram,
             problem.budget.bram, r.used.lut, problem.budget.lut, r.used.ff,
             problem.limit_ff ? fmt::format("/{:.0f}", problem.budget.ff) : "");
  if (problem.accuracy_budget || problem.choose_bits) {
    fmt::print(
        "accuracy cost: {:.6g}{}\n", r.accuracy_cost,
        problem.accuracy_budget ? fmt::format(" (budget {:.6g})", *problem.accuracy_budget) : "");
  }
  fmt::print("solver: {} {} in {:.1f} ms, gap {:.2g}\n", r.method, solve::to_string(r.status),
             r.solve_ms, r.gap);
}

void run_map(const MapOptions& options) {
  const ir::Network network = io::read_network_file(options.network);
  const hw::Target target = io::load_target(options.device, options.board);

  map::CandidateOptions candidate_options;
  if (options.objective == "latency") {
    candidate_options.objective = map::Objective::latency;
  } else if (options.objective == "throughput") {
    candidate_options.objective = map::Objective::throughput;
  } else {
    throw InputError("--objective", options.objective,
                     "unknown objective (expected latency or throughput)");
  }
  if (options.subgraph == "layer") {
    candidate_options.partition = map::Partition::layer;
  } else if (options.subgraph == "block") {
    candidate_options.partition = map::Partition::block;
  } else {
    throw InputError("--subgraph", options.subgraph, "expected layer or block");
  }
  if (options.model == "fnas") {
    candidate_options.tiled_model = cost::TiledModel::fnas;
  } else if (options.model != "halo") {
    throw InputError("--model", options.model, "expected halo or fnas");
  }
  if (options.solver != "cbc" && options.solver != "dp") {
    throw InputError("--solver", options.solver, "expected cbc or dp");
  }
  if (!options.bits.empty()) candidate_options.bits = parse_bits(options.bits);
  candidate_options.max_candidates = options.max_candidates;
  std::optional<Sweep> sweep;
  if (!options.sweep.empty()) sweep = parse_sweep(options.sweep);

  map::AccuracyCost accuracy = map::quantization_noise_cost;
  if (!options.sensitivity.empty()) accuracy = io::read_sensitivity_csv(options.sensitivity);

  const auto start = std::chrono::steady_clock::now();
  map::MappingProblem problem;
  if (options.templ == "dataflow") {
    problem = map::dataflow_problem(network, target, candidate_options, accuracy);
  } else if (options.templ == "tiled") {
    problem = map::tiled_problem(network, target, candidate_options, accuracy);
  } else {
    throw InputError("--template", options.templ, "unknown template (expected dataflow or tiled)");
  }
  problem.accuracy_budget = options.accuracy_budget;
  // Sweeping the accuracy budget: accuracy costs must count in the dominance pruning.
  if (sweep && sweep->dimension == "acc" && !problem.accuracy_budget) {
    problem.accuracy_budget = std::numeric_limits<double>::infinity();
  }
  problem.limit_ff = options.limit_ff || (sweep && sweep->dimension == "ff");
  map::prune_dominated(problem);
  std::size_t kept = 0;
  for (const auto& s : problem.subgraphs) kept += s.candidates.size();
  const double build_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  const nlohmann::json candidates_json = {{"subgraphs", problem.subgraphs.size()},
                                          {"generated", problem.generated},
                                          {"pruned_dominated", problem.dominated},
                                          {"thinned", problem.thinned},
                                          {"kept", kept},
                                          {"build_ms", build_ms}};

  if (sweep) {
    nlohmann::json rows = nlohmann::json::array();
    std::string csv = fmt::format(
        "{},status,objective_cycles,latency_ms,throughput_fps,dsp,bram18,lut,ff,accuracy_cost,"
        "solve_ms\n",
        sweep->dimension);
    if (!options.json) {
      fmt::print(
          "{} candidates kept for {} subgraphs ({} generated, {} dominated and pruned); "
          "sweeping {}\n",
          kept, problem.subgraphs.size(), problem.generated, problem.dominated, sweep->dimension);
      fmt::print("{:>10} {:>11} {:>14} {:>12} {:>14} {:>6} {:>6} {:>8} {:>9}\n", sweep->dimension,
                 "status", "cycles", "latency_ms", "images/s", "DSP", "BRAM", "LUT", "solve_ms");
    }
    for (const double value : sweep->values) {
      map::MappingProblem point = problem;
      set_budget(point, sweep->dimension, value);
      const Outcome outcome = solve(point, options, target, network.batch);
      const map::MappingResult& r = outcome.result;
      csv += fmt::format("{},{},{},{},{},{},{},{},{},{},{}\n", value, solve::to_string(r.status),
                         r.objective_cycles, outcome.latency_ms, outcome.throughput_fps, r.used.dsp,
                         r.used.bram, r.used.lut, r.used.ff, r.accuracy_cost, r.solve_ms);
      nlohmann::json row = outcome_json(point, outcome, network);
      row[sweep->dimension] = value;
      rows.push_back(std::move(row));
      if (!options.json) {
        fmt::print(
            "{:>10g} {:>11} {:>14.0f} {:>12.4f} {:>14.1f} {:>6.0f} {:>6.0f} {:>8.0f} {:>9.1f}{}\n",
            value, solve::to_string(r.status), r.objective_cycles, outcome.latency_ms,
            outcome.throughput_fps, r.used.dsp, r.used.bram, r.used.lut, r.solve_ms,
            r.has_choice() ? "" : "  " + r.message);
      }
    }
    if (!options.csv.empty()) {
      std::ofstream out(options.csv);
      if (!out) throw InputError(options.csv, "", "cannot write file");
      out << csv;
    }
    if (options.json) {
      fmt::print("{}\n", nlohmann::json{{"network", network.name},
                                        {"device", target.device.name},
                                        {"template", options.templ},
                                        {"sweep", sweep->dimension},
                                        {"candidates", candidates_json},
                                        {"points", rows}}
                             .dump(2));
    }
    return;
  }

  const Outcome outcome = solve(problem, options, target, network.batch);
  if (options.json) {
    nlohmann::json json = outcome_json(problem, outcome, network);
    json["network"] = network.name;
    json["device"] = target.device.name;
    json["template"] = options.templ;
    json["candidates"] = candidates_json;
    fmt::print("{}\n", json.dump(2));
  } else {
    fmt::print(
        "{} on {} ({} template, {} objective, {} subgraphs): {} candidates generated, {} "
        "dominated and pruned, {} thinned, {} kept; built in {:.1f} ms\n",
        network.name, target.device.name, options.templ, options.objective,
        problem.subgraphs.size(), problem.generated, problem.dominated, problem.thinned, kept,
        build_ms);
    print_outcome(problem, outcome, target);
  }
  const map::MappingResult& r = outcome.result;
  if (r.has_choice() && !options.save_config.empty() && options.templ == "dataflow") {
    std::ofstream out(options.save_config);
    if (!out) throw InputError(options.save_config, "", "cannot write file");
    out << io::dataflow_config_to_yaml(map::apply_foldings(network, problem, r.choice), network);
  }
  if (!r.has_choice()) {
    fmt::print(stderr, "hwnas: no configuration of {} fits {}: {}\n", network.name,
               target.device.name, r.message);
    exit_code() = kExitFailed;
  }
}

}  // namespace

void add_map_command(CLI::App& app) {
  auto options = std::make_shared<MapOptions>();
  CLI::App* cmd = app.add_subcommand(
      "map",
      "HAO integer programme: optimal per-subgraph accelerator configuration under a budget");
  cmd->add_option("--network,-n", options->network, "network YAML file")->required();
  cmd->add_option("--device,-d", options->device, "built-in device or device YAML file")
      ->required();
  cmd->add_option("--board,-b", options->board, "board name or file (default: the device's)");
  cmd->add_option("--template,-t", options->templ,
                  "dataflow (PE/SIMD per layer) or tiled (an engine per subgraph)")
      ->capture_default_str();
  cmd->add_option("--model", options->model, "tiled model: halo or fnas")->capture_default_str();
  cmd->add_option("--objective", options->objective,
                  "latency (sum, layers in sequence) or throughput (bottleneck, pipelined)")
      ->capture_default_str();
  cmd->add_option("--subgraph", options->subgraph, "layer or block")->capture_default_str();
  cmd->add_option("--bits", options->bits,
                  "free bit widths the ILP may choose: 4,8,16 or w4a8,w8a8 (default: the "
                  "network's own)");
  cmd->add_option("--accuracy-budget", options->accuracy_budget,
                  "bound on the summed accuracy cost of the chosen bit widths");
  cmd->add_option("--sensitivity", options->sensitivity,
                  "CSV subgraph,weight_bits,act_bits,cost (default: quantization-noise proxy)");
  cmd->add_option("--max-candidates", options->max_candidates,
                  "candidates per subgraph and bit width")
      ->capture_default_str();
  cmd->add_flag("--limit-ff", options->limit_ff, "also constrain flip-flops");
  cmd->add_option("--time-limit", options->time_limit_s, "solver time limit in seconds (0: none)");
  cmd->add_option("--solver", options->solver, "cbc (ILP) or dp (exact Pareto DP)")
      ->capture_default_str();
  cmd->add_option("--sweep", options->sweep,
                  "solve for a range of one budget: dsp|bram|lut|ff|acc=FROM:TO:STEP");
  cmd->add_option("--csv", options->csv, "with --sweep: write the curve to this CSV file");
  cmd->add_option("--save-config", options->save_config,
                  "dataflow: write the chosen folding as an accelerator configuration");
  cmd->add_flag("--json", options->json, "machine-readable output");
  cmd->callback([options] { run_map(*options); });
}

}  // namespace hwnas::cli
