// hwnas search / hwnas report: a hardware-aware search from a run file, resumable, and its
// Pareto front, best design and stage counts.

#include <unistd.h>

#include <cstdio>
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
      "throughput {}, accuracy (diverged) {}; {} measured for accuracy\n",
      s.candidates.size(), s.stages[0], s.stages[static_cast<int>(Stage::resources)],
      s.stages[static_cast<int>(Stage::latency)], s.stages[static_cast<int>(Stage::throughput)],
      s.stages[static_cast<int>(Stage::accuracy)], s.trained);
  std::string objectives, reference;
  for (std::size_t i = 0; i < run.objectives.size(); ++i) {
    objectives += (i ? ", " : "") + std::string(pipeline::to_string(run.objectives[i]));
    reference += fmt::format("{}{:g}", i ? ", " : "", run.reference[i]);
  }
  fmt::print("Pareto front ({}; hypervolume {:.6g} against ({})):\n", objectives, s.hypervolume,
             reference);
  fmt::print("  {:>5}  {:>8}  {:>10}  {:>5}  {:>5}  {:>7}  {}\n", "seq", "accuracy", "latency_ms",
             "DSP", "BRAM", "LUT", "network");
  for (std::size_t i : s.front) {
    const auto& c = s.candidates[i];
    fmt::print("  {:>5}  {:>8.4f}  {:>10.4g}  {:>5.0f}  {:>5.0f}  {:>7.0f}  {}\n", c.seq,
               c.accuracy, c.latency_ms, c.used.dsp, c.used.bram, c.used.lut, c.description);
  }
  if (s.best) {
    const auto& b = s.candidates[*s.best];
    fmt::print("best for the spec: #{} accuracy {:.4f} (test {:.4f}), latency {:.4g} ms: {}\n",
               b.seq, b.accuracy, b.test_accuracy, b.latency_ms, b.description);
  } else {
    fmt::print("no candidate met every limit\n");
  }
}

void run_search_command(const SearchOptions& options) {
  const pipeline::RunConfig run = pipeline::read_run_file(options.run_file);
  if (options.check) {
    std::string objectives;
    for (auto m : run.objectives)
      objectives +=
          std::string(objectives.empty() ? "" : ", ") + std::string(pipeline::to_string(m));
    fmt::print(
        "{}: run '{}' is valid: space {} ({} genes, 10^{:.1f} networks), data {}, {} on {} "
        "({} template, {} mapping), objectives {}, {} with {} candidates\n",
        options.run_file, run.name, run.space_file, run.space->genes().size(),
        run.space->size().log10, run.data, run.target.device.name, run.target.board.name,
        run.template_name, run.mapping, objectives, run.search.algorithm, run.search.candidates);
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

void run_report_command(const SearchOptions& options) {
  const pipeline::RunConfig run = pipeline::read_run_file(pipeline::stored_run_file(options.out));
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
  search->callback([options] { run_search_command(*options); });

  CLI::App* report = app.add_subcommand(
      "report", "The Pareto front, best design and stage counts of a run (finished or not)");
  report->add_option("run_dir", options->out, "run folder given to hwnas search --out")->required();
  report->add_flag("--json", options->json);
  report->callback([options] { run_report_command(*options); });
}

}  // namespace hwnas::cli
