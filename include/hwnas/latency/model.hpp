#pragma once
// A latency predictor for a device someone has measured: fitted from a few hundred measured
// latencies (a CSV file), it predicts the latency of any network of the same search space in
// a fraction of a millisecond, so that a search can use the device's real latency as an objective
// or a limit without measuring every candidate.
//
// Model: two stages. First an additive sum of per-op costs fitted by least squares (AdditiveBase,
// nn-Meter's kernel sum); then gradient-boosted trees (learn::Regressor) on the features of
// features.hpp that predict log(measured / sum) by default: latencies span an order of magnitude
// or more, the figures that matter are relative (MAPE, share within +-10%), and a squared error on
// the log is a relative error. docs/latency.md compares the variants.
//
// A model file is one JSON file (learn::Regressor::save) whose metadata say what it predicts:
// the space (its YAML text, so the file alone rebuilds it), the measured column, the feature
// groups, the target transform and the keys of the rows it was fitted on (so that `eval` can
// leave them out).
//
// Errors: bad input throws hwnas::InputError naming the file, line and column.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "hwnas/latency/features.hpp"
#include "hwnas/learn/metrics.hpp"
#include "hwnas/learn/regressor.hpp"
#include "hwnas/space/search_space.hpp"
#include "hwnas/tabular/nb201_table.hpp"

namespace hwnas::latency {

// A search space and the text that rebuilds it: "nb201" for hwnas's NAS-Bench-201 space, else
// the YAML of a space file (io/space_yaml.hpp).
struct SpaceSpec {
  std::string text;
  std::shared_ptr<const space::SearchSpace> space;
};
// `name_or_path` is "nb201" or the path of a space YAML file. Throws InputError naming the file.
SpaceSpec load_space(const std::string& name_or_path);
// Rebuilds a space from SpaceSpec::text (as stored in a model file); `where` names the source.
SpaceSpec space_from_text(const std::string& text, const std::string& where);

// The genotype an arch string stands for: nb201's "|op~0|+|...|" for the nb201 space, else
// "3,0,1,2" (space::parse_genotype), checked against the space. Throws InputError.
space::Genotype genotype_of(const space::SearchSpace& space, std::string_view arch);
// The inverse, as stored in model files and written by `latency split`.
std::string arch_of(const space::SearchSpace& space, const space::Genotype& genotype);

struct Measurement {
  std::size_t line = 0;  // in the measurements file
  long long index = -1;  // the benchmark's index, -1 when the file has no index column
  space::Genotype genotype;
  double latency_ms = 0;
};

struct Measurements {
  std::string file;
  std::string column;  // the latency column read
  std::vector<Measurement> rows;
  std::size_t skipped_blank = 0;  // rows whose latency field was blank (not measured)
};

struct MeasurementOptions {
  // The latency column: a column name, or a device of the NB201 device files ("raspi4" reads
  // "raspi4_latency_ms"), as tabular::Nb201Table::column_name resolves it.
  std::string column = "latency_ms";
  // Maps an `index` column to archs; needed when the file has an index column but no arch.
  const tabular::Nb201Table* archs = nullptr;
};

// Reads a measurements CSV: columns `index` or `arch` (or both, which must then agree with the
// archs table) and the latency column. Rows with a blank latency are skipped and counted. Throws
// InputError(file, "line <n>, column <c>", reason) for a missing column (listing the ones there),
// a value that is not a number, a latency that is negative or zero, an arch the space does not
// know, an index not in the archs table (or no table given), a repeated network.
Measurements read_measurements(const std::string& path, const space::SearchSpace& space,
                               const MeasurementOptions& options);

// A seeded draw of `rows` measurements (all when rows == 0 or rows >= the count), in the
// file's order; `exclude` rows are never drawn. Throws InputError when fewer than `rows` remain.
std::vector<std::size_t> draw_rows(std::size_t count, std::size_t rows, std::uint64_t seed,
                                   const std::vector<std::size_t>& exclude = {});

// nn-Meter's idea as a first stage: latency as a sum of per-op costs, fitted by least squares
// (for a cell space, one cost per (edge, op) of the genotype one-hot, else per unit of MACs and
// bytes). The trees then learn the ratio of the measured latency to this sum (log target) or the
// difference (linear target): on the simulated devices the sum alone is within a few percent,
// and the trees need only model what is not additive. predict() clamps the sum at floor_ms.
struct AdditiveBase {
  double intercept_ms = 0;
  double floor_ms = 0;
  std::vector<std::string> columns;  // feature names; empty = no base (a constant 1 ms)
  std::vector<double> weights;       // ms per unit of each column
  std::vector<double> predict(const learn::FeatureMatrix& x) const;
};
// An empty base (no columns) when x has neither genotype nor network features.
AdditiveBase fit_additive_base(const learn::FeatureMatrix& x, const std::vector<double>& y_ms);

// What sits under the trees: nothing ("trees"), the additive sum ("sum+trees": the trees learn
// the ratio), the sum alone ("sum": no trees; on noisy CPU measurements the trees fit noise), or
// `choose`: the one of the three with the smallest squared error of log(latency) over 3 folds of
// the fitted rows (the additive sum when fewer than 30 rows).
enum class BaseMode { none, additive, sum_only, choose };
std::string_view to_string(BaseMode mode);  // "trees", "sum+trees", "sum", "choose"
std::optional<BaseMode> base_mode_from_string(std::string_view text);

struct FitOptions {
  std::size_t rows = 0;              // measurements to fit on, drawn with `seed`; 0 = all
  std::uint64_t seed = 1;            // draws the rows; boost.seed seeds the trees
  bool log_target = true;            // fit log(latency_ms) and predict exp of it
  BaseMode base = BaseMode::choose;  // see BaseMode
  FeatureOptions features;
  // One thread: a few hundred rows, and OpenMP spins on a loaded machine.
  learn::BoostParams boost = {.rounds = 600,
                              .learning_rate = 0.05,
                              .max_depth = 4,
                              .subsample = 0.8,
                              .colsample = 0.8,
                              .threads = 1};
};

struct LatencyReport {
  learn::RegressionReport metrics;  // predicted against measured latency_ms
  std::vector<double> predicted_ms, measured_ms;
  std::vector<std::size_t> rows;  // the judged rows of Measurements::rows, in prediction order
  std::size_t left_out = 0;       // rows skipped because the model was fitted on them
};

class LatencyModel {
 public:
  // Fits on measurements.rows drawn by options.rows/seed (at least 10 rows). Throws InputError
  // when fewer remain.
  static LatencyModel fit(const Measurements& measurements, const SpaceSpec& space,
                          const FitOptions& options);

  // Predicted latency in ms. `genotype` must be the one `network` was decoded from; it may be
  // null only for a model without genotype features. Thread-safe.
  double predict_ms(const ir::Network& network, const space::Genotype* genotype) const;
  // Decodes the genotype with the model's space first.
  double predict_ms(const space::Genotype& genotype) const;
  // Many at once (one XGBoost call): faster than one by one.
  std::vector<double> predict_ms(const std::vector<space::Genotype>& genotypes) const;
  // The same from precomputed features (rows of Featurizer::features). For benchmarks.
  std::vector<double> predict_ms(const learn::FeatureMatrix& features) const;

  // Predictions for the measurements, against their latencies. `leave_out_fitted` skips rows
  // whose genotype the model was fitted on. Throws InputError when fewer than 2 rows remain.
  LatencyReport evaluate(const Measurements& measurements, bool leave_out_fitted = true) const;

  // One JSON file; see the header comment. Throws InputError naming the file.
  void save(const std::string& path) const;
  // Throws InputError(path, key, reason) for a missing, corrupt or non-latency model file.
  static LatencyModel load(const std::string& path);

  const SpaceSpec& space() const { return space_; }
  const Featurizer& featurizer() const { return *featurizer_; }
  const learn::Regressor& regressor() const { return regressor_; }
  // What the model was fitted on: {"column", "measurements", "rows", "seed", "log_target",
  // "features", "space", "fitted" (arch strings), "mode" (to_string(BaseMode) of the
  // mode fitted), "base" (the AdditiveBase; no columns for "trees"), "base_cv" (each mode's
  // cross-validated error when it was chosen)}.
  const nlohmann::json& info() const { return info_; }

  // For the benchmark, which computes features once for many fits: a model from a precomputed
  // feature matrix and latencies (ms). `info` is stored as is.
  static LatencyModel fit_features(const learn::FeatureMatrix& x, const std::vector<double>& y_ms,
                                   const SpaceSpec& space, const FitOptions& options,
                                   nlohmann::json info = nlohmann::json::object());

 private:
  LatencyModel(learn::Regressor regressor, SpaceSpec space,
               std::shared_ptr<const Featurizer> featurizer, nlohmann::json info);

  learn::Regressor regressor_;
  SpaceSpec space_;
  std::shared_ptr<const Featurizer> featurizer_;
  nlohmann::json info_;
  bool log_target_ = true;
  AdditiveBase base_;
};

// The features of measurements' rows (decoding each genotype with the space).
learn::FeatureMatrix measurement_features(const Featurizer& featurizer,
                                          const space::SearchSpace& space,
                                          const Measurements& measurements,
                                          const std::vector<std::size_t>& rows);

}  // namespace hwnas::latency
