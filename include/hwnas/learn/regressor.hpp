#pragma once
// A gradient-boosted-tree regressor (XGBoost, through its C API) for the predictors of a search:
// accuracy from a trained network's features, latency from measured device latencies.
//
// Determinism: training uses tree_method "hist", the given seed (row subsampling is the only
// random step) and the given thread count, so the same data, parameters and seed give the same
// model and the same predictions, bit for bit. A different thread count may change the last bits
// of the histogram sums, hence of the model.
//
// Errors: bad input (empty or ragged data, a label that is not finite, a parameter out of range,
// features that differ from the fitted ones, a missing or corrupt model file) throws
// hwnas::InputError; a failure inside XGBoost on valid input throws std::runtime_error with
// XGBoost's own message.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace hwnas::learn {

// Dense features, row-major: values[r * names.size() + c] is feature `names[c]` of row r.
// NaN marks a missing value (XGBoost learns which branch missing values take); infinities are
// rejected by Regressor::fit and predict.
struct FeatureMatrix {
  std::vector<std::string> names;
  std::size_t rows = 0;
  std::vector<float> values;

  std::size_t cols() const { return names.size(); }
  float at(std::size_t row, std::size_t col) const { return values[row * names.size() + col]; }
  // Appends one row. Throws InputError unless row.size() == names.size().
  void add_row(const std::vector<float>& row);
};

// XGBoost's parameters under our names (XGBoost's name in brackets). fit() throws InputError for a
// value outside the range given.
struct BoostParams {
  int rounds = 400;             // boosting rounds, one tree each; >= 1
  double learning_rate = 0.05;  // shrinkage of each tree [eta]; in (0, 1]
  int max_depth = 6;            // >= 1
  double subsample = 0.8;       // share of rows drawn (without replacement) per tree; in (0, 1]
  double colsample = 1.0;       // share of features drawn per tree [colsample_bytree]; in (0, 1]
  double min_child_weight = 1;  // minimum hessian sum (= rows, for squared error) in a leaf; >= 0
  double lambda = 1;            // L2 regularisation of leaf weights; >= 0
  int threads = 2;              // XGBoost threads for training and prediction [nthread]; >= 1
  std::uint64_t seed = 1;       // seeds the row and feature subsampling

  bool operator==(const BoostParams&) const = default;
};

// A fitted model: squared-error regression, starting from the mean label (base_score), so that
// few rounds already predict the right scale. Immutable once made; copies share the one
// XGBoost booster, and predict() may be called from several threads (calls are serialised).
class Regressor {
 public:
  // Throws InputError when x has no rows or no features, duplicate feature names,
  // x.values.size() != x.rows * x.cols(), an infinite feature value, y.size() != x.rows, a
  // label that is not finite, or a parameter out of range.
  static Regressor fit(const FeatureMatrix& x, const std::vector<float>& y,
                       const BoostParams& params);

  // One prediction per row of x (none for no rows). Throws InputError when x.names differs from
  // feature_names() (names and order must match: the trees index features by position), when
  // x is ragged, or when a value is infinite.
  std::vector<float> predict(const FeatureMatrix& x) const;

  // Writes one JSON file:
  //   {"format": "hwnas-regressor", "version": 1, "features": [names], "params": {BoostParams},
  //    "metadata": <metadata>, "xgboost": <XGBoost's own JSON model>}
  // `metadata` is free-form (what the model was fitted on, say) and comes back from load().
  // The file is written next to `path` and renamed over it, so a failed save leaves any old file
  // whole. Throws InputError naming the file when it cannot be written.
  void save(const std::string& path,
            const nlohmann::json& metadata = nlohmann::json::object()) const;

  // Reads a file written by save(). Throws InputError whose where() is `path` and whose key() is
  // the offending key ("" when the file is missing or is not JSON at all; "xgboost" when XGBoost
  // rejects the model; "features" when the model's feature count differs from the list).
  static Regressor load(const std::string& path);

  const std::vector<std::string>& feature_names() const;
  const BoostParams& params() const;
  // The metadata given to save() (after load()), else an empty object.
  const nlohmann::json& metadata() const;

 private:
  struct State;
  explicit Regressor(std::shared_ptr<const State> state);
  std::shared_ptr<const State> state_;
};

// A seeded split of row indices 0..n-1 into train and test; both lists ascending. The test set
// has round(n * test_share) rows, at least 1 and at most n - 1. Throws InputError when n < 2 or
// test_share is not in (0, 1).
struct Split {
  std::vector<std::size_t> train;
  std::vector<std::size_t> test;
};
Split split_rows(std::size_t n, double test_share, std::uint64_t seed);

// The given rows of x, in the order given (repeats allowed). Throws std::out_of_range for a row
// index >= x.rows.
FeatureMatrix select_rows(const FeatureMatrix& x, const std::vector<std::size_t>& rows);

// The same selection for a label vector, so features and labels are split alike.
std::vector<float> select_rows(const std::vector<float>& y, const std::vector<std::size_t>& rows);

}  // namespace hwnas::learn
