// hwnas estimate: per-layer cycles, bounds, latency, throughput and resources of a network on
// an FPGA template, for a configuration from a file or for the best one hwnas finds; or, with
// --accelerator, latency, energy and area on the systolic edge accelerator (docs/accelerator.md).

#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "commands.hpp"
#include "hwnas/core/error.hpp"
#include "hwnas/cost/dataflow.hpp"
#include "hwnas/cost/systolic.hpp"
#include "hwnas/cost/tiled.hpp"
#include "hwnas/io/accelerator_yaml.hpp"
#include "hwnas/io/device_yaml.hpp"
#include "hwnas/io/network_yaml.hpp"
#include "hwnas/io/report_output.hpp"
#include "hwnas/io/systolic_yaml.hpp"

namespace hwnas::cli {

namespace {

struct EstimateOptions {
  std::string network;
  std::string device;
  std::string board;
  std::string templ = "tiled";
  std::string model = "halo";
  std::string config;
  std::string save_config;
  std::string accelerator;  // a systolic accelerator file
  std::string constants;    // energy/area constants; empty = built-in
  bool per_layer = false;
  bool json = false;
};

// What the configuration search did, for the output.
struct SearchInfo {
  bool searched = false;
  std::string method;
  std::int64_t evaluated = 0;
  std::int64_t candidates = 0;
  double ms = 0;
};

std::string shortfall_text(const cost::CostReport& report, const hw::Target& target) {
  std::string text;
  auto add = [&](const char* name, double used, double budget, double short_by) {
    if (short_by <= 0) return;
    if (!text.empty()) text += "; ";
    text += fmt::format("{} {:.0f} > {:.0f} (short by {:.0f})", name, used, budget, short_by);
  };
  add("DSP", report.used.dsp, report.budget.dsp, report.shortfall.dsp);
  add(target.device.bram_unit.c_str(), report.used.bram, report.budget.bram, report.shortfall.bram);
  add("LUT", report.used.lut, report.budget.lut, report.shortfall.lut);
  add("FF", report.used.ff, report.budget.ff, report.shortfall.ff);
  return text;
}

void write_text_file(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  if (!out) throw InputError(path, "", "cannot write file");
  out << text;
}

nlohmann::json systolic_to_json(const cost::SystolicReport& report,
                                const cost::SystolicConfig& config) {
  nlohmann::json layers = nlohmann::json::array();
  for (const auto& l : report.layers) {
    layers.push_back({{"name", l.name},
                      {"kind", l.kind},
                      {"mapping", cost::to_string(l.mapping)},
                      {"cycles", l.cycles},
                      {"compute_cycles", l.compute_cycles},
                      {"memory_cycles", l.memory_cycles},
                      {"bound", cost::to_string(l.bound)},
                      {"macs", l.macs},
                      {"ops", l.ops},
                      {"passes", l.passes},
                      {"n_tiles", l.n_tiles},
                      {"spills", l.spills},
                      {"weights_resident", l.weights_resident},
                      {"utilisation", l.utilisation},
                      {"bytes",
                       {{"register_file", l.traffic.register_file_bytes},
                        {"local_memory", l.traffic.local_memory_bytes},
                        {"global_buffer", l.traffic.global_buffer_bytes},
                        {"dram", l.traffic.dram_bytes}}},
                      {"energy_pj",
                       {{"mac", l.energy.mac_pj},
                        {"register_file", l.energy.register_file_pj},
                        {"local_memory", l.energy.local_memory_pj},
                        {"global_buffer", l.energy.global_buffer_pj},
                        {"dram", l.energy.dram_pj},
                        {"total", l.energy_pj}}},
                      {"problem", l.problem}});
  }
  nlohmann::json accel;
  const auto& names = cost::systolic_parameter_names();
  for (std::size_t i = 0; i < names.size(); ++i) {
    accel[names[i]] = cost::systolic_parameter(config, i);
  }
  return {{"engine", "systolic"},
          {"config", report.config},
          {"accelerator", accel},
          {"batch", report.batch},
          {"layers", layers},
          {"total_cycles", report.total_cycles},
          {"latency_ms", report.latency_ms},
          {"energy_mj", report.energy_mj},
          {"area_mm2", report.area_mm2},
          {"area",
           {{"mac_mm2", report.area.mac_mm2},
            {"register_file_mm2", report.area.register_file_mm2},
            {"local_memory_mm2", report.area.local_memory_mm2},
            {"global_buffer_mm2", report.area.global_buffer_mm2}}},
          {"peak_macs_per_cycle", report.peak_macs_per_cycle},
          {"macs", report.macs},
          {"dram_bytes", report.dram_bytes},
          {"utilisation", report.utilisation},
          {"compute_bound_layers", report.compute_bound_layers},
          {"memory_bound_layers", report.memory_bound_layers},
          {"feasible", report.feasible},
          {"reason", report.reason}};
}

std::string systolic_to_table(const cost::SystolicReport& r, double clock_mhz) {
  std::string out = fmt::format("systolic accelerator: {}, batch {}\n", r.config, r.batch);
  out += fmt::format("{:<16} {:<14} {:<11} {:>12} {:>11} {:<7} {:>6} {:>10} {:>10} {:>9}\n",
                     "layer", "kind", "mapping", "MACs", "cycles", "bound", "util%", "DRAM KiB",
                     "GB KiB", "energy uJ");
  for (const auto& l : r.layers) {
    if (l.mapping == cost::SystolicMapping::none) {
      out += fmt::format("{:<16} {:<14} {:<11} {:>12} {:>11} {:<7}\n", l.name, l.kind, "fused", 0,
                         0, "-");
      continue;
    }
    out += fmt::format(
        "{:<16} {:<14} {:<11} {:>12} {:>11} {:<7} {:>6.1f} {:>10.1f} {:>10.1f} {:>9.3f}{}\n",
        l.name, l.kind, cost::to_string(l.mapping), l.macs, l.cycles, cost::to_string(l.bound),
        100 * l.utilisation, l.traffic.dram_bytes / 1024.0, l.traffic.global_buffer_bytes / 1024.0,
        l.energy_pj * 1e-6, l.problem.empty() ? "" : "  CANNOT RUN");
  }
  out += fmt::format(
      "latency: {} cycles = {:.4f} ms at {:g} MHz; {} compute-bound, {} memory-bound layers\n",
      r.total_cycles, r.latency_ms, clock_mhz, r.compute_bound_layers, r.memory_bound_layers);
  out += fmt::format("utilisation: {:.1f}% of {} MACs/cycle ({} MACs); DRAM traffic {:.2f} MiB\n",
                     100 * r.utilisation, r.peak_macs_per_cycle, r.macs,
                     r.dram_bytes / (1024.0 * 1024.0));
  double mac = 0, rf = 0, lm = 0, gb = 0, dram = 0;
  for (const auto& l : r.layers) {
    mac += l.energy.mac_pj;
    rf += l.energy.register_file_pj;
    lm += l.energy.local_memory_pj;
    gb += l.energy.global_buffer_pj;
    dram += l.energy.dram_pj;
  }
  out += fmt::format(
      "energy: {:.4f} mJ (MAC {:.4f}, register file {:.4f}, local memory {:.4f}, global buffer "
      "{:.4f}, DRAM {:.4f})\n",
      r.energy_mj, mac * 1e-9, rf * 1e-9, lm * 1e-9, gb * 1e-9, dram * 1e-9);
  out += fmt::format(
      "area: {:.2f} mm^2 (MACs {:.2f}, register files {:.2f}, local memories {:.2f}, global "
      "buffer {:.2f}) at 45 nm\n",
      r.area_mm2, r.area.mac_mm2, r.area.register_file_mm2, r.area.local_memory_mm2,
      r.area.global_buffer_mm2);
  out += fmt::format("feasible: {}\n", r.feasible ? "yes" : "NO: " + r.reason);
  return out;
}

void run_systolic(const EstimateOptions& options) {
  auto not_with = [&](const std::string& value, const char* flag) {
    if (!value.empty()) {
      throw InputError(flag, "", "does not apply to --accelerator (the systolic template)");
    }
  };
  not_with(options.device, "--device");
  not_with(options.board, "--board");
  not_with(options.config, "--config");
  not_with(options.save_config, "--save-config");
  if (options.per_layer) not_with("x", "--per-layer");
  const ir::Network network = io::read_network_file(options.network);
  const cost::SystolicConfig config = io::read_systolic_file(options.accelerator);
  const cost::SystolicConstants constants = io::read_systolic_constants(options.constants);
  cost::SystolicReport report;
  try {
    report = cost::estimate_systolic(network, config, constants);
  } catch (const InputError& e) {
    if (e.where() == "<accelerator>") throw e.in_file(options.accelerator);
    throw;
  }
  if (options.json) {
    nlohmann::json json = systolic_to_json(report, config);
    json["network"] = network.name;
    json["template"] = "systolic";
    fmt::print("{}\n", json.dump(2));
  } else {
    fmt::print("network {} ({} layers)\n", network.name, network.layers.size());
    fmt::print("{}", systolic_to_table(report, config.clock_mhz));
  }
  if (!report.feasible) {
    // The accelerator came from the user's file: like a --config that exceeds the device, it is
    // bad input.
    throw InputError(options.accelerator, "systolic",
                     network.name + " cannot run on this accelerator: " + report.reason);
  }
}

void run_estimate(const EstimateOptions& options) {
  if (!options.accelerator.empty()) {
    run_systolic(options);
    return;
  }
  if (options.device.empty()) {
    throw InputError("", "", "--device is required (or --accelerator for the systolic template)");
  }
  const ir::Network network = io::read_network_file(options.network);
  const hw::Target target = io::load_target(options.device, options.board);

  std::optional<io::AcceleratorFile> file;
  if (!options.config.empty()) {
    file = io::read_accelerator_file(options.config);
    if (file->template_name != options.templ) {
      throw InputError(options.config, "template",
                       fmt::format("the file configures the {} template but --template is {}",
                                   file->template_name, options.templ));
    }
  }
  if (options.model != "halo" && options.model != "fnas") {
    throw InputError("--model", "",
                     fmt::format("unknown model '{}' (expected halo or fnas)", options.model));
  }

  cost::CostReport report;
  SearchInfo search;
  std::string saved;
  const auto start = std::chrono::steady_clock::now();
  if (options.templ == "tiled") {
    cost::TiledModel model =
        options.model == "fnas" ? cost::TiledModel::fnas : cost::TiledModel::halo;
    if (file && file->model) model = *file->model;
    const cost::TiledProblem problem = cost::prepare_tiled(network, target, model);
    if (file) {
      report = cost::estimate_tiled(problem, file->tiled);
    } else if (options.per_layer) {
      search = {true, "per-layer tiling (FNAS)", 0, 0, 0};
      report = cost::explore_tiled_per_layer(problem, target.device.budget).report;
    } else {
      const cost::TiledSearchResult best = cost::explore_tiled(problem, target.device.budget);
      search = {true, "tiled DSE", best.evaluated, best.candidates, 0};
      // Nothing fits: report the smallest engine, whose shortfall says what is missing.
      report = cost::estimate_tiled(problem, best.found ? best.config : cost::TiledConfig{});
      if (best.found) saved = io::tiled_config_to_yaml(best.config, model);
    }
  } else if (options.templ == "dataflow") {
    cost::DataflowConfig config;
    if (file) {
      config = io::dataflow_config_for(*file, network);
      try {
        report = cost::estimate_dataflow(network, target, config);
      } catch (const InputError& e) {
        throw e.in_file(options.config);  // the folding came from the file: point at it
      }
    } else {
      config = cost::balance_folding(network, target);
      search = {true, "balanced folding", 0, 0, 0};
      report = cost::estimate_dataflow(network, target, config);
      saved = io::dataflow_config_to_yaml(config, network);
    }
  } else {
    throw InputError(
        "--template", "",
        fmt::format("unknown template '{}' (expected tiled or dataflow; the systolic template "
                    "takes --accelerator FILE)",
                    options.templ));
  }
  search.ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();

  if (options.json) {
    nlohmann::json json = io::report_to_json(report, target);
    json["network"] = network.name;
    json["template"] = options.templ;
    if (search.searched) {
      json["search"] = {{"method", search.method},
                        {"evaluated", search.evaluated},
                        {"candidates", search.candidates},
                        {"ms", search.ms}};
    }
    fmt::print("{}\n", json.dump(2));
  } else {
    fmt::print("network {} ({} layers)\n", network.name, network.layers.size());
    fmt::print("{}", io::report_to_table(report, target));
    if (search.searched) {
      fmt::print("configuration: found by {} in {:.1f} ms", search.method, search.ms);
      if (search.candidates > 0) {
        fmt::print(" ({} configurations evaluated of {} candidates)", search.evaluated,
                   search.candidates);
      }
      fmt::print("\n");
    }
  }
  if (!options.save_config.empty() && report.fits && !saved.empty()) {
    write_text_file(options.save_config, saved);
  }

  if (!report.fits) {
    if (file) {
      // A configuration the user gave that exceeds the device is bad input.
      throw InputError(options.config, options.templ,
                       "the configuration exceeds " + target.device.name + ": " +
                           shortfall_text(report, target));
    }
    fmt::print(stderr, "hwnas: {} does not fit {}: {}\n", network.name, target.device.name,
               shortfall_text(report, target));
    exit_code() = kExitFailed;
  }
}

}  // namespace

void add_estimate_command(CLI::App& app) {
  auto options = std::make_shared<EstimateOptions>();
  CLI::App* cmd = app.add_subcommand(
      "estimate",
      "Cycles, latency, throughput and resources of a network on an FPGA template, or latency, "
      "energy and area on the systolic accelerator (--accelerator)");
  cmd->add_option("--network,-n", options->network, "network YAML file")->required();
  cmd->add_option("--device,-d", options->device,
                  "built-in device (see 'hwnas device list') or a device YAML file; required "
                  "unless --accelerator is given");
  cmd->add_option("--board,-b", options->board,
                  "built-in board or board YAML file (default: the device's board)");
  cmd->add_option("--template,-t", options->templ, "tiled (FNAS engine) or dataflow (FINN-style)")
      ->capture_default_str();
  cmd->add_option("--model", options->model,
                  "tiled model: halo (input halo counted) or fnas (published formula)")
      ->capture_default_str();
  cmd->add_option("--config,-c", options->config,
                  "accelerator configuration YAML; without it hwnas finds the best one");
  cmd->add_option("--save-config", options->save_config,
                  "write the configuration hwnas found to this YAML file");
  cmd->add_option("--accelerator,-a", options->accelerator,
                  "systolic accelerator YAML (template: systolic, e.g. "
                  "examples/accel/edge-default.yaml): latency, energy, area; no --device");
  cmd->add_option("--constants", options->constants,
                  "with --accelerator: energy/area constants YAML (default: the built-in "
                  "data/accelerators/constants.yaml)");
  cmd->add_flag("--per-layer", options->per_layer,
                "tiled: FNAS's per-layer variant (each layer its own tiling)");
  cmd->add_flag("--json", options->json, "machine-readable output");
  cmd->callback([options] { run_estimate(*options); });
}

}  // namespace hwnas::cli
