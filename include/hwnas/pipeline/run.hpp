#pragma once
// A search run end to end: the algorithm asks, the pipeline evaluates in parallel, every
// finished candidate goes to the run's store at once, and the outcomes are told back. A killed
// run resumes by replaying the store into a fresh algorithm with the same seed: the asks come
// out the same, so only what never finished is evaluated again, and the result equals that of a
// run never interrupted.

#include <array>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "hwnas/pipeline/pipeline.hpp"
#include "hwnas/pipeline/run_config.hpp"
#include "hwnas/search/algorithm.hpp"

namespace hwnas::pipeline {

struct RunProgress {
  int done = 0;
  int total = 0;
  int resumed = 0;                        // of done, read back from the store
  std::array<int, kStageCount> stages{};  // candidates per Stage (passed first)
  int trained = 0;                        // accuracy measured (trained, cached or predicted)
  double best_accuracy = -1;              // best accuracy meeting every limit; -1: none yet
  double elapsed_s = 0;
  double eta_s = 0;  // from the pace of the candidates evaluated in this process
};

struct RunSummary {
  std::vector<Candidate> candidates;  // by seq
  std::vector<std::size_t> front;     // Pareto front of the feasible, measured candidates
  double hypervolume = 0;             // of the front, against the run's reference point
  std::optional<std::size_t> best;    // highest accuracy meeting every limit (ties: lower latency)
  std::array<int, kStageCount> stages{};
  int trained = 0;
  double seconds = 0;
};

std::unique_ptr<search::Algorithm> make_algorithm(const RunConfig& run);

// Runs (or, with resume, continues) the search with its store at `out_dir`/run.sqlite.
// Throws hwnas::InputError when out_dir already holds a run and resume is false, or holds a
// different run.
RunSummary run_search(const RunConfig& run, const std::string& out_dir, bool resume,
                      const std::function<void(const RunProgress&)>& progress = {});

// The front, hypervolume, best design and counts of a set of candidates.
RunSummary summarize(const RunConfig& run, std::vector<Candidate> candidates);

// The run file the run at out_dir was started from (for hwnas report).
std::string stored_run_file(const std::string& out_dir);
// The co-search mode the run at out_dir ran in (hwnas search --mode may override the file's);
// nothing for a run without one.
std::optional<CoSearchMode> stored_mode(const std::string& out_dir);
// The stored candidates of the run at out_dir (for hwnas report).
std::vector<Candidate> read_candidates(const std::string& out_dir);

// candidates.csv, pareto.csv, summary.json, best.yaml (the network) and best-hw.yaml (its
// template configuration) in out_dir.
void write_outputs(const RunConfig& run, const RunSummary& summary, const std::string& out_dir);
// best.pt (TorchScript) and best.weights.json/.bin of the best design, trained again with the
// run's budget and seed (the same model the search measured); false when there is no best or
// the accuracy came from a predictor (no weights to export).
bool export_best(const RunConfig& run, const RunSummary& summary, const std::string& out_dir);
nlohmann::json summary_json(const RunConfig& run, const RunSummary& summary);

}  // namespace hwnas::pipeline
