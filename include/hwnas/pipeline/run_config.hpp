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

namespace hwnas::latency {
class LatencyModel;
}

namespace hwnas::pipeline {

class CoSearchSpace;
struct SystolicSetup;

// What can be limited or optimised. Accuracy is maximised (minimised as 1 - accuracy inside);
// throughput is maximised; everything else is minimised.
enum class Metric {
  accuracy,
  latency_ms,
  throughput_fps,
  dsp,
  bram,
  lut,
  ff,
  params,
  macs,
  energy_mj,  // per image, edge accelerator template
  area_mm2,   // edge accelerator template
};
std::string_view to_string(Metric metric);
std::optional<Metric> metric_from_string(std::string_view name);
std::string metric_names();

struct Limits {
  std::optional<double> latency_ms;      // at most
  std::optional<double> throughput_fps;  // at least
  hw::Resources resources;               // at most; defaults to the whole device
  std::optional<double> energy_mj;       // at most (edge accelerator template)
  std::optional<double> area_mm2;        // at most (edge accelerator template)
};

// MnasNet's soft latency term (Tan et al., CVPR 2019): reward = accuracy * (latency / target)^w
// with w = alpha when latency <= target and beta otherwise (MnasNet: alpha = beta = -0.07). The
// latency limit becomes part of the reward instead of a hard limit.
struct SoftReward {
  double target_ms = 0;
  double alpha = -0.07;
  double beta = -0.07;
};

struct AccuracyConfig {
  std::string source = "train";  // train | predictor | table
  std::string predictor;         // model file (hwnas predictor fit), for source predictor
  // NAS-Bench-201 accuracy table (index, arch_str, valid_acc, test_acc), for source table
  std::string table;
  eval::TrainBudget budget;  // for source train
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
  std::optional<SoftReward> soft_reward;
};

// How the search treats the network and the accelerator (NAHAS): both searched together, the
// network searched for a fixed accelerator, or the accelerator searched for a fixed network.
enum class CoSearchMode { joint, fixed_hw, fixed_net };
std::string_view to_string(CoSearchMode mode);
std::optional<CoSearchMode> cosearch_mode_from_string(std::string_view text);

struct RunConfig {
  std::string file;  // the run file
  std::string name;
  std::string space_file;  // resolved against the run file's folder
  std::shared_ptr<const space::SearchSpace> space;
  std::string data = "fashion-mnist";
  std::string device;
  std::string board;
  // tiled | dataflow (FPGA, device and board); systolic (NAHAS's edge accelerator);
  // measured (a device's latency predicted by a model fitted to its measurements)
  std::string template_name = "tiled";
  std::string tiled_model = "halo";  // halo | fnas
  // estimate: one engine for the network, the template's best configuration (hwnas estimate);
  // ilp: HAO's integer programme maps each layer to its own engine share or folding (hwnas map).
  std::string mapping = "estimate";
  hw::Target target;
  // template systolic: the accelerator file (the fixed accelerator of fixed-hw, and the default
  // of the accelerator genes), the accelerator space file (when the accelerator is searched),
  // the mode, and for fixed-net the network's genotype in the network space.
  std::string accelerator_file;
  std::string accelerator_space_file;
  CoSearchMode mode = CoSearchMode::fixed_hw;
  std::optional<space::Genotype> fixed_network;
  std::shared_ptr<const space::SearchSpace> network_space;  // the space file's own space
  // The systolic template's accelerator space, fixed accelerator and constants, and the joint
  // space (also `space`): set for template systolic.
  std::shared_ptr<const SystolicSetup> systolic;
  std::shared_ptr<const CoSearchSpace> cosearch;
  // template measured: the latency model file (hwnas latency fit) and the model.
  std::string latency_model;
  std::shared_ptr<const latency::LatencyModel> latency;
  Limits limits;
  std::vector<Metric> objectives = {Metric::accuracy, Metric::latency_ms};
  std::vector<double> reference;  // hypervolume reference, one per objective, in its own unit
  AccuracyConfig accuracy;
  SearchConfig search;
  // The run file's and the space file's text: a resumed run must be the same run.
  std::string fingerprint;
};

// Throws hwnas::InputError(file, key path, reason) for anything that is wrong. `mode` overrides
// the run file's hardware.mode (hwnas search --mode).
RunConfig read_run_file(const std::string& path, std::optional<CoSearchMode> mode = std::nullopt);

}  // namespace hwnas::pipeline
