// hwnas estimate: per-layer cycles, bounds, latency, throughput and resources of a network on
// an FPGA template, for a configuration from a file or for the best one hwnas finds.

#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "commands.hpp"
#include "hwnas/core/error.hpp"
#include "hwnas/cost/dataflow.hpp"
#include "hwnas/cost/tiled.hpp"
#include "hwnas/io/accelerator_yaml.hpp"
#include "hwnas/io/device_yaml.hpp"
#include "hwnas/io/network_yaml.hpp"
#include "hwnas/io/report_output.hpp"

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

void run_estimate(const EstimateOptions& options) {
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
        fmt::format("unknown template '{}' (expected tiled or dataflow)", options.templ));
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
      "estimate", "Cycles, latency, throughput and resources of a network on an FPGA template");
  cmd->add_option("--network,-n", options->network, "network YAML file")->required();
  cmd->add_option("--device,-d", options->device,
                  "built-in device (see 'hwnas device list') or a device YAML file")
      ->required();
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
  cmd->add_flag("--per-layer", options->per_layer,
                "tiled: FNAS's per-layer variant (each layer its own tiling)");
  cmd->add_flag("--json", options->json, "machine-readable output");
  cmd->callback([options] { run_estimate(*options); });
}

}  // namespace hwnas::cli
