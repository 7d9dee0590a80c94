// hwnas search / hwnas report: a hardware-aware search from a run file, resumable, and its
// Pareto front, best design and stage counts.

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "hwnas/core/error.hpp"
#include "hwnas/pipeline/run.hpp"

namespace hwnas::cli {

namespace {

struct SearchOptions {
  std::string run_file;
  std::string out;
  bool resume = false;
  bool check = false;
  bool quiet = false;
  bool json = false;
  std::vector<std::string> modes;  // --mode: one, or several to compare side by side
};

std::string duration(double seconds) {
  const int s = static_cast<int>(seconds + 0.5);
  return s >= 3600 ? fmt::format("{}h{:02}m", s / 3600, s / 60 % 60)
                   : fmt::format("{}m{:02}s", s / 60, s % 60);
}

// One line, redrawn in place on a terminal (a line per 10% otherwise, for logs).
void draw_progress(const pipeline::RunProgress& p) {
  static const bool terminal = isatty(fileno(stderr));
  static int last_decile = -1;
  const int decile = p.total > 0 ? p.done * 10 / p.total : 10;
  if (!terminal && decile == last_decile && p.done != p.total) return;
  last_decile = decile;
  using pipeline::Stage;
  const auto at = [&](Stage s) { return p.stages[static_cast<std::size_t>(s)]; };
  fmt::print(stderr,
             "{}[{:>4}/{}] rejected: resources {} latency {} throughput {} accuracy {} | "
             "measured {} | best {} | {} elapsed, ~{} left{}",
             terminal ? "\r" : "", p.done, p.total, at(Stage::resources), at(Stage::latency),
             at(Stage::throughput), at(Stage::accuracy), p.trained,
             p.best_accuracy >= 0 ? fmt::format("{:.4f}", p.best_accuracy) : std::string("-"),
             duration(p.elapsed_s), duration(p.eta_s), terminal ? "   " : "\n");
  if (terminal && p.done == p.total) fmt::print(stderr, "\n");
}

void print_summary(const pipeline::RunConfig& run, const pipeline::RunSummary& s) {
  using pipeline::Stage;
  fmt::print(
      "{} candidates: {} met every limit, rejected by resources {}, latency {}, "
      "throughput {}, energy {}, area {}, accuracy (diverged) {}; {} measured for accuracy\n",
      s.candidates.size(), s.stages[0], s.stages[static_cast<int>(Stage::resources)],
      s.stages[static_cast<int>(Stage::latency)], s.stages[static_cast<int>(Stage::throughput)],
      s.stages[static_cast<int>(Stage::energy)], s.stages[static_cast<int>(Stage::area)],
      s.stages[static_cast<int>(Stage::accuracy)], s.trained);
  std::string objectives, reference;
  for (std::size_t i = 0; i < run.objectives.size(); ++i) {
    objectives += (i ? ", " : "") + std::string(pipeline::to_string(run.objectives[i]));
    reference += fmt::format("{}{:g}", i ? ", " : "", run.reference[i]);
  }
  fmt::print("Pareto front ({}; hypervolume {:.6g} against ({})):\n", objectives, s.hypervolume,
             reference);
  const bool fpga = run.template_name == "tiled" || run.template_name == "dataflow";
  const bool systolic = run.template_name == "systolic";
  if (fpga) {
    fmt::print("  {:>5}  {:>8}  {:>10}  {:>5}  {:>5}  {:>7}  {}\n", "seq", "accuracy", "latency_ms",
               "DSP", "BRAM", "LUT", "network");
  } else if (systolic) {
    fmt::print("  {:>5}  {:>8}  {:>10}  {:>9}  {:>8}  {}\n", "seq", "accuracy", "latency_ms",
               "energy_mj", "area_mm2", "network | accelerator");
  } else {
    fmt::print("  {:>5}  {:>8}  {:>10}  {}\n", "seq", "accuracy", "latency_ms", "network");
  }
  for (std::size_t i : s.front) {
    const auto& c = s.candidates[i];
    if (fpga) {
      fmt::print("  {:>5}  {:>8.4f}  {:>10.4g}  {:>5.0f}  {:>5.0f}  {:>7.0f}  {}\n", c.seq,
                 c.accuracy, c.latency_ms, c.used.dsp, c.used.bram, c.used.lut, c.description);
    } else if (systolic) {
      fmt::print("  {:>5}  {:>8.4f}  {:>10.4g}  {:>9.4g}  {:>8.4g}  {}\n", c.seq, c.accuracy,
                 c.latency_ms, c.energy_mj, c.area_mm2, c.description);
    } else {
      fmt::print("  {:>5}  {:>8.4f}  {:>10.4g}  {}\n", c.seq, c.accuracy, c.latency_ms,
                 c.description);
    }
  }
  if (s.best) {
    const auto& b = s.candidates[*s.best];
    fmt::print("best for the spec: #{} accuracy {:.4f} (test {:.4f}), latency {:.4g} ms{}{}: {}\n",
               b.seq, b.accuracy, b.test_accuracy, b.latency_ms,
               systolic
                   ? fmt::format(", energy {:.4g} mJ, area {:.4g} mm2", b.energy_mj, b.area_mm2)
                   : std::string(),
               run.search.soft_reward ? fmt::format(", reward {:.4f}", b.reward) : std::string(),
               b.description);
  } else {
    fmt::print("no candidate met every limit\n");
  }
}

// The three NAHAS modes (or any subset) side by side: the same run file, budget and seed, each
// into its own folder, then one table of what each reached.
void run_comparison(const SearchOptions& options, const std::vector<pipeline::CoSearchMode>& modes);

std::vector<pipeline::CoSearchMode> parse_modes(const std::vector<std::string>& names) {
  std::vector<pipeline::CoSearchMode> modes;
  for (const std::string& name : names) {
    if (name == "all") {
      modes = {pipeline::CoSearchMode::fixed_hw, pipeline::CoSearchMode::fixed_net,
               pipeline::CoSearchMode::joint};
      continue;
    }
    const auto mode = pipeline::cosearch_mode_from_string(name);
    if (!mode) {
      throw InputError("command line", "--mode",
                       fmt::format("expected fixed-hw, fixed-net, joint or all, got '{}'", name));
    }
    modes.push_back(*mode);
  }
  return modes;
}

void run_search_command(const SearchOptions& options) {
  const std::vector<pipeline::CoSearchMode> modes = parse_modes(options.modes);
  if (modes.size() > 1) {
    run_comparison(options, modes);
    return;
  }
  const pipeline::RunConfig run = pipeline::read_run_file(
      options.run_file, modes.empty() ? std::nullopt : std::optional(modes.front()));
  if (options.check) {
    std::string objectives;
    for (auto m : run.objectives)
      objectives +=
          std::string(objectives.empty() ? "" : ", ") + std::string(pipeline::to_string(m));
    std::string hardware;
    if (run.template_name == "systolic") {
      hardware = fmt::format("systolic accelerator {} (mode {})", run.accelerator_file,
                             pipeline::to_string(run.mode));
    } else if (run.template_name == "measured") {
      hardware = fmt::format("measured device (latency model {})", run.latency_model);
    } else {
      hardware = fmt::format("{} on {} ({} template, {} mapping)", run.target.device.name,
                             run.target.board.name, run.template_name, run.mapping);
    }
    fmt::print(
        "{}: run '{}' is valid: space {} ({} genes, 10^{:.1f} designs), accuracy {}, {}, "
        "objectives {}, {} with {} candidates\n",
        options.run_file, run.name, run.space_file, run.space->genes().size(),
        run.space->size().log10, run.accuracy.source == "train" ? run.data : run.accuracy.source,
        hardware, objectives, run.search.algorithm, run.search.candidates);
    return;
  }
  if (options.out.empty()) throw InputError("command line", "--out", "give the run folder");
  const bool show = !options.quiet && !options.json;
  const pipeline::RunSummary summary =
      pipeline::run_search(run, options.out, options.resume, [&](const pipeline::RunProgress& p) {
        if (show) draw_progress(p);
      });
  pipeline::write_outputs(run, summary, options.out);
  const bool exported = pipeline::export_best(run, summary, options.out);
  if (options.json) {
    fmt::print("{}\n", pipeline::summary_json(run, summary).dump(2));
    return;
  }
  print_summary(run, summary);
  fmt::print("wrote {0}/candidates.csv, pareto.csv, summary.json{1}{2} (store: {0}/run.sqlite)\n",
             options.out, summary.best ? ", best.yaml, best-hw.yaml" : "",
             exported ? ", best.pt, best.weights.json" : "");
}

// NAS-Bench-201's arch strings are full of '|', which would split a Markdown table's cell.
std::string markdown_cell(const std::string& text) {
  std::string out;
  for (const char ch : text) out += ch == '|' ? std::string("\\|") : std::string(1, ch);
  return out;
}

void run_comparison(const SearchOptions& options,
                    const std::vector<pipeline::CoSearchMode>& modes) {
  if (options.out.empty()) throw InputError("command line", "--out", "give the run folder");
  struct Row {
    pipeline::CoSearchMode mode;
    pipeline::RunConfig run;
    pipeline::RunSummary summary;
  };
  std::vector<Row> rows;
  // Read every mode's run first: a bad file fails before anything runs.
  for (const auto mode : modes) {
    rows.push_back({mode, pipeline::read_run_file(options.run_file, mode), {}});
  }
  for (Row& row : rows) {
    const std::string out = options.out + "/" + std::string(pipeline::to_string(row.mode));
    if (!options.quiet && !options.json) {
      fmt::print(stderr, "mode {}: {} genes, 10^{:.1f} designs\n", pipeline::to_string(row.mode),
                 row.run.space->genes().size(), row.run.space->size().log10);
    }
    row.summary =
        pipeline::run_search(row.run, out, options.resume, [&](const pipeline::RunProgress& p) {
          if (!options.quiet && !options.json) draw_progress(p);
        });
    pipeline::write_outputs(row.run, row.summary, out);
  }
  const pipeline::RunConfig& first = rows.front().run;
  std::string table = fmt::format(
      "Run {} ({}): {} candidates per mode, algorithm {}, seed {}; hypervolume of (", first.name,
      options.run_file, first.search.candidates, first.search.algorithm, first.search.seed);
  for (std::size_t i = 0; i < first.objectives.size(); ++i) {
    table += fmt::format("{}{}", i ? ", " : "", pipeline::to_string(first.objectives[i]));
  }
  table +=
      ")\n\n| mode | designs | met the limits | best accuracy | its test accuracy | latency ms | "
      "energy mJ | area mm2 | hypervolume | accelerator and network |\n"
      "|---|---|---|---|---|---|---|---|---|---|\n";
  nlohmann::json json = nlohmann::json::array();
  for (const Row& row : rows) {
    const auto& s = row.summary;
    const std::string mode(pipeline::to_string(row.mode));
    if (!s.best) {
      table += fmt::format("| {} | 10^{:.1f} | 0 | - | - | - | - | - | {:.6g} | - |\n", mode,
                           row.run.space->size().log10, s.hypervolume);
    } else {
      const auto& b = s.candidates[*s.best];
      table += fmt::format(
          "| {} | 10^{:.1f} | {} | {:.4f} | {:.4f} | {:.4g} | {:.4g} | {:.4g} | {:.6g} | {} |\n",
          mode, row.run.space->size().log10, s.stages[0], b.accuracy, b.test_accuracy, b.latency_ms,
          b.energy_mj, b.area_mm2, s.hypervolume, markdown_cell(b.description));
    }
    nlohmann::json entry = pipeline::summary_json(row.run, s);
    entry["mode"] = mode;
    json.push_back(entry);
  }
  std::ofstream(options.out + "/compare.md") << table;
  std::ofstream(options.out + "/compare.json") << json.dump(2) << "\n";
  if (options.json) {
    fmt::print("{}\n", json.dump(2));
  } else {
    fmt::print("{}", table);
    fmt::print("wrote {0}/compare.md, {0}/compare.json and one run folder per mode\n", options.out);
  }
}

void run_report_command(const SearchOptions& options) {
  const pipeline::RunConfig run = pipeline::read_run_file(pipeline::stored_run_file(options.out),
                                                          pipeline::stored_mode(options.out));
  const pipeline::RunSummary summary =
      pipeline::summarize(run, pipeline::read_candidates(options.out));
  if (options.json) {
    fmt::print("{}\n", pipeline::summary_json(run, summary).dump(2));
  } else {
    print_summary(run, summary);
  }
}

}  // namespace

void add_search_command(CLI::App& app) {
  auto options = std::make_shared<SearchOptions>();
  CLI::App* search = app.add_subcommand(
      "search", "Hardware-aware search from a run file (space, data, device, limits, algorithm)");
  search->add_option("run_file", options->run_file, "run YAML file")->required();
  search->add_option("--out,-o", options->out, "run folder (store and results)");
  search->add_flag("--resume", options->resume,
                   "continue a killed run from its store; finished candidates are not evaluated "
                   "again");
  search->add_flag("--check", options->check, "validate the run file and stop");
  search->add_flag("--quiet,-q", options->quiet, "no progress line");
  search->add_flag("--json", options->json, "print the summary as JSON");
  search
      ->add_option("--mode", options->modes,
                   "template systolic: fixed-hw (network for the fixed accelerator), fixed-net "
                   "(accelerator for the fixed network) or joint; several (or all) run side by "
                   "side into --out/<mode> with a comparison table")
      ->delimiter(',');
  search->callback([options] { run_search_command(*options); });

  CLI::App* report = app.add_subcommand(
      "report", "The Pareto front, best design and stage counts of a run (finished or not)");
  report->add_option("run_dir", options->out, "run folder given to hwnas search --out")->required();
  report->add_flag("--json", options->json);
  report->callback([options] { run_report_command(*options); });
}

}  // namespace hwnas::cli
