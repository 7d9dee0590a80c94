// Regressor over XGBoost's C API: every call's return code is checked (check_xgb), handles are
// owned by RAII wrappers, and a booster is only touched under its State's mutex because XGBoost's
// prediction caches inside the booster are not documented as safe for concurrent use.

#include "hwnas/learn/regressor.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <xgboost/c_api.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <mutex>
#include <numeric>
#include <set>
#include <stdexcept>
#include <utility>

#include "hwnas/core/error.hpp"
#include "hwnas/core/rng.hpp"

namespace hwnas::learn {

namespace {

constexpr const char* kFormat = "hwnas-regressor";
constexpr int kVersion = 1;

void check_xgb(int rc, const char* call) {
  if (rc != 0) throw std::runtime_error(fmt::format("XGBoost {}: {}", call, XGBGetLastError()));
}

class DMatrix {
 public:
  // XGBoost copies `values` into its own storage; they need not outlive this object.
  DMatrix(const float* values, std::size_t rows, std::size_t cols) {
    check_xgb(XGDMatrixCreateFromMat(values, rows, cols, std::numeric_limits<float>::quiet_NaN(),
                                     &handle_),
              "XGDMatrixCreateFromMat");
  }
  ~DMatrix() { XGDMatrixFree(handle_); }
  DMatrix(const DMatrix&) = delete;
  DMatrix& operator=(const DMatrix&) = delete;
  DMatrixHandle get() const { return handle_; }

 private:
  DMatrixHandle handle_ = nullptr;
};

class Booster {
 public:
  Booster(const DMatrixHandle* cache, std::size_t cache_size) {
    check_xgb(XGBoosterCreate(cache, cache_size, &handle_), "XGBoosterCreate");
  }
  ~Booster() {
    if (handle_ != nullptr) XGBoosterFree(handle_);
  }
  Booster(const Booster&) = delete;
  Booster& operator=(const Booster&) = delete;
  BoosterHandle get() const { return handle_; }
  void set(const char* name, const std::string& value) {
    check_xgb(XGBoosterSetParam(handle_, name, value.c_str()), "XGBoosterSetParam");
  }

 private:
  BoosterHandle handle_ = nullptr;
};

// XGBoost reads parameters from text; fmt's shortest round-trip form loses nothing.
std::string text(double value) {
  return fmt::format("{}", value);
}

void set_runtime_params(Booster& booster, const BoostParams& params) {
  booster.set("verbosity", "0");  // XGBoost would otherwise print warnings to stdout
  booster.set("nthread", std::to_string(params.threads));
}

void check_params(const BoostParams& p, const std::string& where, const std::string& prefix) {
  auto fail = [&](const char* key, const std::string& reason) {
    throw InputError(where, prefix + key, reason);
  };
  auto in_unit_interval = [](double v) { return v > 0 && v <= 1; };  // false for NaN
  if (p.rounds < 1) fail("rounds", fmt::format("must be >= 1, got {}", p.rounds));
  if (!in_unit_interval(p.learning_rate)) {
    fail("learning_rate", fmt::format("must be in (0, 1], got {}", p.learning_rate));
  }
  if (p.max_depth < 1) fail("max_depth", fmt::format("must be >= 1, got {}", p.max_depth));
  if (!in_unit_interval(p.subsample)) {
    fail("subsample", fmt::format("must be in (0, 1], got {}", p.subsample));
  }
  if (!in_unit_interval(p.colsample)) {
    fail("colsample", fmt::format("must be in (0, 1], got {}", p.colsample));
  }
  if (!(p.min_child_weight >= 0) || std::isinf(p.min_child_weight)) {
    fail("min_child_weight", fmt::format("must be finite and >= 0, got {}", p.min_child_weight));
  }
  if (!(p.lambda >= 0) || std::isinf(p.lambda)) {
    fail("lambda", fmt::format("must be finite and >= 0, got {}", p.lambda));
  }
  if (p.threads < 1) fail("threads", fmt::format("must be >= 1, got {}", p.threads));
}

void check_names(const std::vector<std::string>& names, const std::string& where,
                 const std::string& key) {
  if (names.empty()) throw InputError(where, key, "no features");
  std::set<std::string> seen;
  for (const auto& name : names) {
    if (!seen.insert(name).second) {
      throw InputError(where, key, fmt::format("feature \"{}\" appears twice", name));
    }
  }
}

void check_shape(const FeatureMatrix& x, const std::string& where) {
  if (x.values.size() != x.rows * x.cols()) {
    throw InputError(where, "values",
                     fmt::format("has {} values, expected rows x features = {} x {} = {}",
                                 x.values.size(), x.rows, x.cols(), x.rows * x.cols()));
  }
}

void check_values(const FeatureMatrix& x, const std::string& where) {
  check_shape(x, where);
  for (std::size_t i = 0; i < x.values.size(); ++i) {
    if (std::isinf(x.values[i])) {
      throw InputError(where, x.names[i % x.cols()],
                       fmt::format("infinite value in row {} (NaN marks a missing value; "
                                   "infinity is not allowed)",
                                   i / x.cols()));
    }
  }
}

nlohmann::json params_to_json(const BoostParams& p) {
  return {{"rounds", p.rounds},
          {"learning_rate", p.learning_rate},
          {"max_depth", p.max_depth},
          {"subsample", p.subsample},
          {"colsample", p.colsample},
          {"min_child_weight", p.min_child_weight},
          {"lambda", p.lambda},
          {"threads", p.threads},
          {"seed", p.seed}};
}

// The key of `doc` or an InputError naming the file and the key.
const nlohmann::json& require(const nlohmann::json& doc, const std::string& path,
                              const std::string& key, const std::string& key_path) {
  const auto it = doc.find(key);
  if (it == doc.end()) throw InputError(path, key_path, "missing");
  return *it;
}

int read_int(const nlohmann::json& doc, const std::string& path, const std::string& key,
             const std::string& key_path) {
  const auto& value = require(doc, path, key, key_path);
  if (!value.is_number_integer()) throw InputError(path, key_path, "must be an integer");
  constexpr auto kMax = std::numeric_limits<int>::max();
  constexpr auto kMin = std::numeric_limits<int>::min();
  const bool in_range =
      value.is_number_unsigned()
          ? value.get<std::uint64_t>() <= static_cast<std::uint64_t>(kMax)
          : value.get<std::int64_t>() >= kMin && value.get<std::int64_t>() <= kMax;
  if (!in_range) throw InputError(path, key_path, "out of range for an int");
  return value.get<int>();
}

std::uint64_t read_uint64(const nlohmann::json& doc, const std::string& path,
                          const std::string& key, const std::string& key_path) {
  const auto& value = require(doc, path, key, key_path);
  if (!value.is_number_integer() ||
      (!value.is_number_unsigned() && value.get<std::int64_t>() < 0)) {
    throw InputError(path, key_path, "must be an integer >= 0");
  }
  return value.get<std::uint64_t>();
}

double read_double(const nlohmann::json& doc, const std::string& path, const std::string& key,
                   const std::string& key_path) {
  const auto& value = require(doc, path, key, key_path);
  if (!value.is_number()) throw InputError(path, key_path, "must be a number");
  return value.get<double>();
}

BoostParams params_from_json(const nlohmann::json& doc, const std::string& path) {
  if (!doc.is_object()) throw InputError(path, "params", "must be an object");
  auto key = [](const char* name) { return std::string("params.") + name; };
  BoostParams p;
  p.rounds = read_int(doc, path, "rounds", key("rounds"));
  p.learning_rate = read_double(doc, path, "learning_rate", key("learning_rate"));
  p.max_depth = read_int(doc, path, "max_depth", key("max_depth"));
  p.subsample = read_double(doc, path, "subsample", key("subsample"));
  p.colsample = read_double(doc, path, "colsample", key("colsample"));
  p.min_child_weight = read_double(doc, path, "min_child_weight", key("min_child_weight"));
  p.lambda = read_double(doc, path, "lambda", key("lambda"));
  p.threads = read_int(doc, path, "threads", key("threads"));
  p.seed = read_uint64(doc, path, "seed", key("seed"));
  check_params(p, path, "params.");
  return p;
}

}  // namespace

struct Regressor::State {
  State(std::unique_ptr<Booster> booster, std::vector<std::string> features, BoostParams params,
        nlohmann::json metadata)
      : booster(std::move(booster)),
        features(std::move(features)),
        params(params),
        metadata(std::move(metadata)) {}

  std::unique_ptr<Booster> booster;
  std::vector<std::string> features;
  BoostParams params;
  nlohmann::json metadata;
  mutable std::mutex mutex;  // guards every use of `booster`
};

Regressor::Regressor(std::shared_ptr<const State> state) : state_(std::move(state)) {}

void FeatureMatrix::add_row(const std::vector<float>& row) {
  if (row.size() != names.size()) {
    throw InputError(
        "<features>", "row " + std::to_string(rows),
        fmt::format("has {} values, expected one per feature ({})", row.size(), names.size()));
  }
  values.insert(values.end(), row.begin(), row.end());
  ++rows;
}

Regressor Regressor::fit(const FeatureMatrix& x, const std::vector<float>& y,
                         const BoostParams& params) {
  const std::string where = "<training data>";
  check_params(params, "<boost params>", "");
  check_names(x.names, where, "names");
  if (x.rows == 0) throw InputError(where, "rows", "no training rows");
  check_values(x, where);
  if (y.size() != x.rows) {
    throw InputError(where, "labels",
                     fmt::format("has {} values, expected one per row ({})", y.size(), x.rows));
  }
  for (std::size_t i = 0; i < y.size(); ++i) {
    if (!std::isfinite(y[i])) {
      throw InputError(where, "labels", fmt::format("not finite in row {}: {}", i, y[i]));
    }
  }

  const DMatrix data(x.values.data(), x.rows, x.cols());
  check_xgb(XGDMatrixSetFloatInfo(data.get(), "label", y.data(), y.size()),
            "XGDMatrixSetFloatInfo");
  const DMatrixHandle cache[] = {data.get()};
  auto booster = std::make_unique<Booster>(cache, 1);
  set_runtime_params(*booster, params);
  booster->set("objective", "reg:squarederror");
  booster->set("tree_method", "hist");
  booster->set("seed", std::to_string(params.seed));
  booster->set("eta", text(params.learning_rate));
  booster->set("max_depth", std::to_string(params.max_depth));
  booster->set("subsample", text(params.subsample));
  booster->set("colsample_bytree", text(params.colsample));
  booster->set("min_child_weight", text(params.min_child_weight));
  booster->set("lambda", text(params.lambda));
  // XGBoost 1.7 starts every model from 0.5; from the mean instead, labels far from 0.5 (latency
  // in microseconds, say) do not spend the first rounds just reaching the right scale.
  const double mean = std::accumulate(y.begin(), y.end(), 0.0) / static_cast<double>(y.size());
  booster->set("base_score", text(mean));
  for (int round = 0; round < params.rounds; ++round) {
    check_xgb(XGBoosterUpdateOneIter(booster->get(), round, data.get()), "XGBoosterUpdateOneIter");
  }
  return Regressor(
      std::make_shared<const State>(std::move(booster), x.names, params, nlohmann::json::object()));
}

std::vector<float> Regressor::predict(const FeatureMatrix& x) const {
  const std::string where = "<features>";
  if (x.names != state_->features) {
    throw InputError(where, "names",
                     fmt::format("[{}] differ from the features the model was fitted on: [{}]",
                                 fmt::join(x.names, ", "), fmt::join(state_->features, ", ")));
  }
  check_values(x, where);
  if (x.rows == 0) return {};

  const std::lock_guard lock(state_->mutex);
  const DMatrix data(x.values.data(), x.rows, x.cols());
  const char* config = R"({"type": 0, "training": false, "iteration_begin": 0, "iteration_end": 0,)"
                       R"( "strict_shape": false})";
  const bst_ulong* shape = nullptr;
  bst_ulong dims = 0;
  const float* result = nullptr;
  check_xgb(XGBoosterPredictFromDMatrix(state_->booster->get(), data.get(), config, &shape, &dims,
                                        &result),
            "XGBoosterPredictFromDMatrix");
  bst_ulong count = 1;
  for (bst_ulong d = 0; d < dims; ++d) count *= shape[d];
  if (count != x.rows) {
    throw std::runtime_error(
        fmt::format("XGBoost returned {} predictions for {} rows", count, x.rows));
  }
  return std::vector<float>(result, result + count);
}

void Regressor::save(const std::string& path, const nlohmann::json& metadata) const {
  nlohmann::json model;
  {
    const std::lock_guard lock(state_->mutex);
    bst_ulong length = 0;
    const char* buffer = nullptr;
    check_xgb(XGBoosterSaveModelToBuffer(state_->booster->get(), R"({"format": "json"})", &length,
                                         &buffer),
              "XGBoosterSaveModelToBuffer");
    model = nlohmann::json::parse(buffer, buffer + length);
  }
  const nlohmann::json doc = {{"format", kFormat},
                              {"version", kVersion},
                              {"features", state_->features},
                              {"params", params_to_json(state_->params)},
                              {"metadata", metadata},
                              {"xgboost", std::move(model)}};

  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (!out) throw InputError(path, "", fmt::format("cannot write: {}", std::strerror(errno)));
    out << doc.dump() << '\n';
    out.close();
    if (!out) {
      std::filesystem::remove(temporary);
      throw InputError(path, "", "cannot write: the write failed");
    }
  }
  std::error_code error;
  std::filesystem::rename(temporary, path, error);
  if (error) {
    std::filesystem::remove(temporary);
    throw InputError(path, "", fmt::format("cannot write: {}", error.message()));
  }
}

Regressor Regressor::load(const std::string& path) {
  nlohmann::json doc;
  {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw InputError(path, "", fmt::format("cannot open: {}", std::strerror(errno)));
    try {
      doc = nlohmann::json::parse(in);
    } catch (const nlohmann::json::parse_error& e) {
      throw InputError(path, "", fmt::format("not valid JSON: {}", e.what()));
    }
  }
  if (!doc.is_object()) throw InputError(path, "", "not a JSON object");

  const auto& format = require(doc, path, "format", "format");
  if (format != kFormat) {
    throw InputError(path, "format",
                     fmt::format("expected \"{}\", got {}", kFormat, format.dump()));
  }
  const auto& version = require(doc, path, "version", "version");
  if (version != kVersion) {
    throw InputError(path, "version",
                     fmt::format("expected {}, got {} (written by another hwnas version?)",
                                 kVersion, version.dump()));
  }

  const auto& features_json = require(doc, path, "features", "features");
  if (!features_json.is_array()) throw InputError(path, "features", "must be a list of names");
  std::vector<std::string> features;
  for (const auto& name : features_json) {
    if (!name.is_string()) throw InputError(path, "features", "must be a list of names");
    features.push_back(name.get<std::string>());
  }
  check_names(features, path, "features");

  const BoostParams params = params_from_json(require(doc, path, "params", "params"), path);
  const auto& metadata = require(doc, path, "metadata", "metadata");
  const auto& model = require(doc, path, "xgboost", "xgboost");
  if (!model.is_object()) throw InputError(path, "xgboost", "must be XGBoost's JSON model");

  auto booster = std::make_unique<Booster>(nullptr, 0);
  const std::string model_text = model.dump();
  if (XGBoosterLoadModelFromBuffer(booster->get(), model_text.data(), model_text.size()) != 0) {
    throw InputError(path, "xgboost", fmt::format("XGBoost rejected it: {}", XGBGetLastError()));
  }
  set_runtime_params(*booster, params);
  bst_ulong model_features = 0;
  check_xgb(XGBoosterGetNumFeature(booster->get(), &model_features), "XGBoosterGetNumFeature");
  if (model_features != features.size()) {
    throw InputError(path, "features",
                     fmt::format("lists {} names but the XGBoost model has {} features",
                                 features.size(), model_features));
  }
  return Regressor(
      std::make_shared<const State>(std::move(booster), std::move(features), params, metadata));
}

const std::vector<std::string>& Regressor::feature_names() const {
  return state_->features;
}
const BoostParams& Regressor::params() const {
  return state_->params;
}
const nlohmann::json& Regressor::metadata() const {
  return state_->metadata;
}

Split split_rows(std::size_t n, double test_share, std::uint64_t seed) {
  if (n < 2) {
    throw InputError("<split>", "rows", fmt::format("needs at least 2 rows to split, got {}", n));
  }
  if (!(test_share > 0 && test_share < 1)) {
    throw InputError("<split>", "test_share", fmt::format("must be in (0, 1), got {}", test_share));
  }
  const auto wanted = static_cast<std::size_t>(std::llround(static_cast<double>(n) * test_share));
  const std::size_t test_size = std::clamp<std::size_t>(wanted, 1, n - 1);

  // Fisher-Yates shuffle; the first test_size indices form the test set.
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  Rng rng(seed);
  for (std::size_t i = n - 1; i > 0; --i) {
    const auto j = static_cast<std::size_t>(rng.uniform_int(0, static_cast<std::int64_t>(i)));
    std::swap(order[i], order[j]);
  }
  Split split;
  split.test.assign(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(test_size));
  split.train.assign(order.begin() + static_cast<std::ptrdiff_t>(test_size), order.end());
  std::sort(split.test.begin(), split.test.end());
  std::sort(split.train.begin(), split.train.end());
  return split;
}

FeatureMatrix select_rows(const FeatureMatrix& x, const std::vector<std::size_t>& rows) {
  check_shape(x, "<features>");
  FeatureMatrix out;
  out.names = x.names;
  out.values.reserve(rows.size() * x.cols());
  for (const std::size_t row : rows) {
    if (row >= x.rows) {
      throw std::out_of_range(fmt::format("select_rows: row {} of {}", row, x.rows));
    }
    const auto begin = x.values.begin() + static_cast<std::ptrdiff_t>(row * x.cols());
    out.values.insert(out.values.end(), begin, begin + static_cast<std::ptrdiff_t>(x.cols()));
  }
  out.rows = rows.size();
  return out;
}

std::vector<float> select_rows(const std::vector<float>& y, const std::vector<std::size_t>& rows) {
  std::vector<float> out;
  out.reserve(rows.size());
  for (const std::size_t row : rows) {
    if (row >= y.size()) {
      throw std::out_of_range(fmt::format("select_rows: row {} of {}", row, y.size()));
    }
    out.push_back(y[row]);
  }
  return out;
}

}  // namespace hwnas::learn
