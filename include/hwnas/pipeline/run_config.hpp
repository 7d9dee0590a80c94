#pragma once
// A search run, as its YAML run file describes it (README, "Run files"): the space, the data,
// the hardware and its template, hard limits, objectives, where accuracy comes from, and the
// algorithm with its budget. Everything is validated when the file is read, so a run never
// fails on a typo an hour in.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hwnas/eval/trainer.hpp"
#include "hwnas/hw/device.hpp"
#include "hwnas/space/search_space.hpp"

namespace hwnas::pipeline {

// What can be limited or optimised. Accuracy is maximised (minimised as 1 - accuracy inside);
// throughput is maximised; everything else is minimised.
enum class Metric { accuracy, latency_ms, throughput_fps, dsp, bram, lut, ff, params, macs };
std::string_view to_string(Metric metric);
std::optional<Metric> metric_from_string(std::string_view name);
std::string metric_names();

struct Limits {
  std::optional<double> latency_ms;      // at most
  std::optional<double> throughput_fps;  // at least
  hw::Resources resources;               // at most; defaults to the whole device
};

struct AccuracyConfig {
  std::string source = "train";  // train | predictor
  std::string predictor;         // model file (hwnas predictor fit), for source predictor
  eval::TrainBudget budget;      // for source train
};

struct SearchConfig {
  std::string algorithm = "evolution";  // random | evolution | nsga2 | fnas
  int candidates = 50;                  // genotypes evaluated in all
  int batch = 4;                        // genotypes asked at once
  int workers = 2;                      // evaluated in parallel (does not change the result)
  std::uint64_t seed = 1;
  bool prune_before_training = true;  // FNAS: candidates that miss a limit are not trained
  int population = 20;                // evolution, nsga2
  int tournament = 5;                 // evolution
  // evolution, nsga2: per-gene rate; unset = the algorithm's own (evolution: one gene, as
  // Real et al.; NSGA-II: 1/genes, as Deb)
  std::optional<double> mutation_rate;
  double crossover_rate = 0.9;  // nsga2
  double fnas_penalty = -1;     // fnas: reward of a candidate over a limit
};

struct RunConfig {
  std::string file;  // the run file
  std::string name;
  std::string space_file;  // resolved against the run file's folder
  std::shared_ptr<const space::SearchSpace> space;
  std::string data = "fashion-mnist";
  std::string device;
  std::string board;
  std::string template_name = "tiled";  // tiled | dataflow
  std::string tiled_model = "halo";     // halo | fnas
  // estimate: one engine for the network, the template's best configuration (hwnas estimate);
  // ilp: HAO's integer programme maps each layer to its own engine share or folding (hwnas map).
  std::string mapping = "estimate";
  hw::Target target;
  Limits limits;
  std::vector<Metric> objectives = {Metric::accuracy, Metric::latency_ms};
  std::vector<double> reference;  // hypervolume reference, one per objective, in its own unit
  AccuracyConfig accuracy;
  SearchConfig search;
  // The run file's and the space file's text: a resumed run must be the same run.
  std::string fingerprint;
};

// Throws hwnas::InputError(file, key path, reason) for anything that is wrong.
RunConfig read_run_file(const std::string& path);

}  // namespace hwnas::pipeline
