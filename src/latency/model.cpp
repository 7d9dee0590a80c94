#include "hwnas/latency/model.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <numeric>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "hwnas/core/error.hpp"
#include "hwnas/core/parallel.hpp"
#include "hwnas/core/rng.hpp"
#include "hwnas/io/space_yaml.hpp"
#include "hwnas/learn/least_squares.hpp"
#include "hwnas/space/nb201_space.hpp"
#include "hwnas/tabular/csv.hpp"

namespace hwnas::latency {

namespace {

constexpr std::string_view kFormat = "hwnas-latency-model";
constexpr int kVersion = 1;
constexpr std::size_t kMinFitRows = 10;
constexpr std::size_t kMinChooseRows = 30;  // 3 folds of at least 10

bool is_nb201_text(std::string_view text) {
  return text == "nb201";
}

nlohmann::json to_json(const FeatureOptions& f) {
  return {{"network", f.network}, {"analytic", f.analytic}, {"genotype", f.genotype}};
}
FeatureOptions features_from_json(const nlohmann::json& j) {
  return {.network = j.at("network").get<bool>(),
          .analytic = j.at("analytic").get<bool>(),
          .genotype = j.at("genotype").get<bool>()};
}

nlohmann::json to_json(const AdditiveBase& b) {
  return {{"intercept_ms", b.intercept_ms},
          {"floor_ms", b.floor_ms},
          {"columns", b.columns},
          {"weights", b.weights}};
}
AdditiveBase base_from_json(const nlohmann::json& j) {
  AdditiveBase b;
  b.intercept_ms = j.at("intercept_ms").get<double>();
  b.floor_ms = j.at("floor_ms").get<double>();
  b.columns = j.at("columns").get<std::vector<std::string>>();
  b.weights = j.at("weights").get<std::vector<double>>();
  if (b.columns.size() != b.weights.size()) {
    throw InputError("<latency model>", "base", "columns and weights differ in length");
  }
  return b;
}

// The latency column of a measurements file: the name itself, else a device's short name.
std::size_t latency_column(const tabular::CsvFile& file, const std::string& column) {
  for (const std::string& candidate : {column, column + "_latency_ms", column + "_ms"}) {
    if (const auto c = file.find(candidate)) return *c;
  }
  throw InputError(file.name, "line 1",
                   fmt::format("no latency column '{}' (use --column); columns: {}", column,
                               fmt::join(file.header, ", ")));
}

// The additive base's columns: the genotype one-hot when the model has it (for a cell space,
// one term per (edge, op): nn-Meter's kernel sum), else the network's work and traffic.
std::vector<std::size_t> base_columns(const std::vector<std::string>& names) {
  std::vector<std::size_t> columns;
  for (std::size_t c = 0; c < names.size(); ++c) {
    if (names[c].find('=') != std::string::npos) columns.push_back(c);
  }
  if (!columns.empty()) return columns;
  for (const char* name : {"macs", "weight_bytes", "act_write_bytes", "act_read_bytes", "layers"}) {
    const auto it = std::find(names.begin(), names.end(), name);
    if (it != names.end()) columns.push_back(static_cast<std::size_t>(it - names.begin()));
  }
  return columns;
}

}  // namespace

std::vector<double> AdditiveBase::predict(const learn::FeatureMatrix& x) const {
  std::vector<double> ms(x.rows, 0.0);
  if (columns.empty()) return std::vector<double>(x.rows, 1.0);
  std::vector<std::size_t> positions;
  for (const auto& name : columns) {
    const auto it = std::find(x.names.begin(), x.names.end(), name);
    if (it == x.names.end()) {
      throw InputError("<latency model>", "base", fmt::format("no feature '{}'", name));
    }
    positions.push_back(static_cast<std::size_t>(it - x.names.begin()));
  }
  for (std::size_t r = 0; r < x.rows; ++r) {
    double v = intercept_ms;
    for (std::size_t i = 0; i < positions.size(); ++i) v += weights[i] * x.at(r, positions[i]);
    ms[r] = std::max(v, floor_ms);
  }
  return ms;
}

AdditiveBase fit_additive_base(const learn::FeatureMatrix& x, const std::vector<double>& y_ms) {
  AdditiveBase base;
  const std::vector<std::size_t> columns = base_columns(x.names);
  if (columns.empty() || y_ms.empty()) return base;
  // Scale each column to unit maximum so that the ridge treats MACs and one-hots alike.
  std::vector<double> scale(columns.size(), 0.0);
  for (std::size_t r = 0; r < x.rows; ++r) {
    for (std::size_t i = 0; i < columns.size(); ++i) {
      scale[i] = std::max(scale[i], std::abs(static_cast<double>(x.at(r, columns[i]))));
    }
  }
  for (auto& s : scale) s = s > 0 ? s : 1.0;
  std::vector<std::vector<double>> rows;
  for (std::size_t r = 0; r < x.rows; ++r) {
    std::vector<double> row = {1.0};
    for (std::size_t i = 0; i < columns.size(); ++i) row.push_back(x.at(r, columns[i]) / scale[i]);
    rows.push_back(std::move(row));
  }
  const std::vector<double> w = learn::least_squares(rows, y_ms);
  base.intercept_ms = w[0];
  for (std::size_t i = 0; i < columns.size(); ++i) {
    base.columns.push_back(x.names[columns[i]]);
    base.weights.push_back(w[i + 1] / scale[i]);
  }
  // A linear fit can go to zero or below; the trees then correct a ratio to this floor.
  base.floor_ms = 0.5 * *std::min_element(y_ms.begin(), y_ms.end());
  return base;
}

std::string_view to_string(BaseMode mode) {
  switch (mode) {
    case BaseMode::none:
      return "trees";
    case BaseMode::additive:
      return "sum+trees";
    case BaseMode::sum_only:
      return "sum";
    case BaseMode::choose:
      return "choose";
  }
  return "?";
}

std::optional<BaseMode> base_mode_from_string(std::string_view text) {
  for (const BaseMode m :
       {BaseMode::none, BaseMode::additive, BaseMode::sum_only, BaseMode::choose}) {
    if (to_string(m) == text) return m;
  }
  return std::nullopt;
}

SpaceSpec space_from_text(const std::string& text, const std::string& where) {
  SpaceSpec spec;
  spec.text = text;
  if (is_nb201_text(text)) {
    spec.space = space::make_nb201_space();
  } else {
    spec.space = io::parse_space_yaml(text, where);
  }
  return spec;
}

SpaceSpec load_space(const std::string& name_or_path) {
  if (is_nb201_text(name_or_path)) return space_from_text(name_or_path, name_or_path);
  // Read the file's text so that a model file can carry it.
  std::ifstream in(name_or_path, std::ios::binary);
  if (!in) {
    throw InputError(name_or_path, "",
                     "cannot open the space file (give 'nb201' or a space YAML file)");
  }
  std::stringstream text;
  text << in.rdbuf();
  return space_from_text(text.str(), name_or_path);
}

space::Genotype genotype_of(const space::SearchSpace& space, std::string_view arch) {
  if (space.kind() == "nb201") return space::nb201_genotype(arch);
  space::Genotype g = space::parse_genotype(arch);
  space::check_genotype(space, g);
  return g;
}

std::string arch_of(const space::SearchSpace& space, const space::Genotype& genotype) {
  if (space.kind() == "nb201") return space::nb201_arch_string(genotype);
  return space::to_string(genotype);
}

Measurements read_measurements(const std::string& path, const space::SearchSpace& space,
                               const MeasurementOptions& options) {
  const tabular::CsvFile file = tabular::read_csv(path);
  const auto c_index = file.find("index");
  const auto c_arch = file.find("arch");
  if (!c_index && !c_arch) {
    throw InputError(file.name, "line 1",
                     fmt::format("needs a column 'index' or 'arch' (or both); columns: {}",
                                 fmt::join(file.header, ", ")));
  }
  if (c_index && !c_arch && !options.archs) {
    throw InputError(file.name, "index",
                     "an 'index' column needs the archs table (--archs) to know the networks");
  }
  const std::size_t c_latency = latency_column(file, options.column);
  Measurements m;
  m.file = file.name;
  m.column = file.header[c_latency];
  std::map<space::Genotype, std::size_t> line_of;
  for (const tabular::CsvRecord& record : file.records) {
    Measurement row;
    row.line = record.line;
    row.latency_ms = tabular::parse_number(file, record, c_latency, true);
    if (std::isnan(row.latency_ms)) {
      ++m.skipped_blank;
      continue;
    }
    if (!(row.latency_ms > 0)) {
      throw InputError(file.name, tabular::field_key(file, record, c_latency),
                       fmt::format("a latency must be positive, got {}", row.latency_ms));
    }
    if (c_index) row.index = tabular::parse_index(file, record, *c_index);
    std::optional<std::size_t> table_row;
    if (c_index && options.archs) {
      table_row = options.archs->row_of_index(row.index);
      if (!table_row) {
        throw InputError(
            file.name, tabular::field_key(file, record, *c_index),
            fmt::format("index {} is not in {}", row.index, options.archs->archs_file));
      }
    }
    if (c_arch) {
      const std::string& arch = record.fields[*c_arch];
      try {
        row.genotype = genotype_of(space, arch);
      } catch (const InputError& e) {
        throw InputError(
            file.name, tabular::field_key(file, record, *c_arch),
            fmt::format("unknown arch '{}' for the {} space: {}", arch, space.kind(), e.what()));
      }
      if (table_row && options.archs->archs[*table_row].genotype != row.genotype) {
        throw InputError(
            file.name, tabular::field_key(file, record, *c_arch),
            fmt::format("arch '{}' is not index {}'s ('{}' in {})", arch, row.index,
                        options.archs->archs[*table_row].arch, options.archs->archs_file));
      }
    } else {
      row.genotype = options.archs->archs[*table_row].genotype;
      try {
        space::check_genotype(space, row.genotype);
      } catch (const InputError& e) {
        throw InputError(file.name, tabular::field_key(file, record, *c_index),
                         fmt::format("index {} is not a network of the {} space: {}", row.index,
                                     space.kind(), e.what()));
      }
    }
    if (const auto [it, fresh] = line_of.emplace(row.genotype, row.line); !fresh) {
      throw InputError(file.name, fmt::format("line {}", row.line),
                       fmt::format("the same network was measured on line {}", it->second));
    }
    m.rows.push_back(std::move(row));
  }
  return m;
}

std::vector<std::size_t> draw_rows(std::size_t count, std::size_t rows, std::uint64_t seed,
                                   const std::vector<std::size_t>& exclude) {
  std::vector<char> excluded(count, 0);
  for (const std::size_t e : exclude) {
    if (e < count) excluded[e] = 1;
  }
  std::vector<std::size_t> pool;
  for (std::size_t i = 0; i < count; ++i) {
    if (!excluded[i]) pool.push_back(i);
  }
  if (rows == 0 || rows == pool.size()) return pool;
  if (rows > pool.size()) {
    throw InputError("<measurements>", "rows",
                     fmt::format("{} rows asked for, {} available", rows, pool.size()));
  }
  // A partial Fisher-Yates shuffle: the first `rows` positions are a uniform draw.
  Rng rng(seed);
  for (std::size_t i = 0; i < rows; ++i) {
    const auto j = static_cast<std::size_t>(
        rng.uniform_int(static_cast<std::int64_t>(i), static_cast<std::int64_t>(pool.size() - 1)));
    std::swap(pool[i], pool[j]);
  }
  pool.resize(rows);
  std::sort(pool.begin(), pool.end());
  return pool;
}

learn::FeatureMatrix measurement_features(const Featurizer& featurizer,
                                          const space::SearchSpace& space,
                                          const Measurements& measurements,
                                          const std::vector<std::size_t>& rows) {
  // Decoding and the analytic features take ~1 ms a network: spread them over the cores.
  std::vector<std::vector<float>> features(rows.size());
  parallel_for(rows.size(), [&](std::size_t i) {
    const space::Genotype& g = measurements.rows.at(rows[i]).genotype;
    features[i] = featurizer.features(space.decode(g), &g);
  });
  learn::FeatureMatrix x;
  x.names = featurizer.names();
  x.values.reserve(rows.size() * x.names.size());
  for (const auto& row : features) x.add_row(row);
  return x;
}

LatencyModel::LatencyModel(learn::Regressor regressor, SpaceSpec space,
                           std::shared_ptr<const Featurizer> featurizer, nlohmann::json info)
    : regressor_(std::move(regressor)),
      space_(std::move(space)),
      featurizer_(std::move(featurizer)),
      info_(std::move(info)),
      log_target_(info_.value("log_target", true)) {
  if (info_.contains("base")) base_ = base_from_json(info_["base"]);
}

namespace {

std::vector<float> targets(const learn::FeatureMatrix& x, const std::vector<double>& y_ms,
                           const AdditiveBase& base, bool log_target) {
  const std::vector<double> b = base.predict(x);
  const bool has_base = !base.columns.empty();
  std::vector<float> y;
  y.reserve(y_ms.size());
  for (std::size_t r = 0; r < y_ms.size(); ++r) {
    y.push_back(static_cast<float>(log_target ? std::log(y_ms[r] / b[r])
                                              : y_ms[r] - (has_base ? b[r] : 0.0)));
  }
  return y;
}

std::vector<double> predictions(const learn::Regressor& trees, const AdditiveBase& base,
                                bool log_target, const learn::FeatureMatrix& x) {
  const std::vector<float> y = trees.predict(x);
  const std::vector<double> b = base.predict(x);
  const bool has_base = !base.columns.empty();
  std::vector<double> ms(y.size());
  for (std::size_t r = 0; r < y.size(); ++r) {
    ms[r] = log_target ? b[r] * std::exp(static_cast<double>(y[r]))
                       : static_cast<double>(y[r]) + (has_base ? b[r] : 0.0);
  }
  return ms;
}

// The trees of one mode: on `y` (targets()), or, for the sum alone, one round on zero targets
// (XGBoost starts from the mean label, 0, and zero gradients leave every leaf at 0), so that the
// prediction is the base exactly and every model file has the same form.
learn::Regressor fit_trees(const learn::FeatureMatrix& x, std::vector<float> y, BaseMode mode,
                           learn::BoostParams params) {
  if (mode == BaseMode::sum_only) {
    std::fill(y.begin(), y.end(), 0.0f);
    params.rounds = 1;
  }
  return learn::Regressor::fit(x, y, params);
}

// Mean squared error of log(latency) on 3 seeded folds of the rows, in one mode.
double cv_log_error(const learn::FeatureMatrix& x, const std::vector<double>& y_ms,
                    const FitOptions& options, BaseMode mode) {
  constexpr std::size_t kFolds = 3;
  std::vector<std::size_t> order(x.rows);
  std::iota(order.begin(), order.end(), 0);
  Rng rng(options.boost.seed ^ 0x5eedULL);
  for (std::size_t i = order.size() - 1; i > 0; --i) {
    std::swap(order[i],
              order[static_cast<std::size_t>(rng.uniform_int(0, static_cast<std::int64_t>(i)))]);
  }
  double error = 0;
  for (std::size_t fold = 0; fold < kFolds; ++fold) {
    std::vector<std::size_t> train, test;
    for (std::size_t i = 0; i < order.size(); ++i)
      (i % kFolds == fold ? test : train).push_back(order[i]);
    const learn::FeatureMatrix xt = learn::select_rows(x, train);
    std::vector<double> yt;
    for (const std::size_t r : train) yt.push_back(y_ms[r]);
    const AdditiveBase base = mode == BaseMode::none ? AdditiveBase{} : fit_additive_base(xt, yt);
    const learn::Regressor trees =
        fit_trees(xt, targets(xt, yt, base, options.log_target), mode, options.boost);
    const std::vector<double> p =
        predictions(trees, base, options.log_target, learn::select_rows(x, test));
    for (std::size_t i = 0; i < test.size(); ++i) {
      const double d = std::log(std::max(p[i], 1e-9)) - std::log(y_ms[test[i]]);
      error += d * d;
    }
  }
  return error / static_cast<double>(x.rows);
}

}  // namespace

LatencyModel LatencyModel::fit_features(const learn::FeatureMatrix& x,
                                        const std::vector<double>& y_ms, const SpaceSpec& space,
                                        const FitOptions& options, nlohmann::json info) {
  if (x.rows < kMinFitRows) {
    throw InputError(
        "<measurements>", "rows",
        fmt::format("a latency model needs at least {} measurements, got {}", kMinFitRows, x.rows));
  }
  auto featurizer = std::make_shared<const Featurizer>(options.features, space.space);
  if (featurizer->names() != x.names) {
    throw InputError("<latency features>", "features",
                     "the feature matrix does not have the featurizer's columns");
  }
  BaseMode mode = options.base;
  if (mode == BaseMode::choose) {
    if (x.rows < kMinChooseRows) {
      mode = BaseMode::additive;
    } else {
      nlohmann::json cv = nlohmann::json::object();
      double best = std::numeric_limits<double>::infinity();
      for (const BaseMode m : {BaseMode::additive, BaseMode::none, BaseMode::sum_only}) {
        const double error = cv_log_error(x, y_ms, options, m);
        cv[std::string(to_string(m))] = error;
        if (error < best) {
          best = error;
          mode = m;
        }
      }
      info["base_cv"] = std::move(cv);
    }
  }
  const AdditiveBase base = mode == BaseMode::none ? AdditiveBase{} : fit_additive_base(x, y_ms);
  const std::vector<float> y = targets(x, y_ms, base, options.log_target);
  info["mode"] = to_string(mode);
  info["log_target"] = options.log_target;
  info["features"] = to_json(options.features);
  info["space"] = space.text;
  info["base"] = to_json(base);
  return LatencyModel(fit_trees(x, y, mode, options.boost), space, std::move(featurizer),
                      std::move(info));
}

LatencyModel LatencyModel::fit(const Measurements& measurements, const SpaceSpec& space,
                               const FitOptions& options) {
  const std::vector<std::size_t> rows =
      draw_rows(measurements.rows.size(), options.rows, options.seed);
  const Featurizer featurizer(options.features, space.space);
  const learn::FeatureMatrix x = measurement_features(featurizer, *space.space, measurements, rows);
  std::vector<double> y;
  nlohmann::json fitted = nlohmann::json::array();
  for (const std::size_t r : rows) {
    y.push_back(measurements.rows[r].latency_ms);
    fitted.push_back(arch_of(*space.space, measurements.rows[r].genotype));
  }
  nlohmann::json info{{"column", measurements.column},
                      {"measurements", measurements.file},
                      {"rows", rows.size()},
                      {"seed", options.seed},
                      {"fitted", std::move(fitted)}};
  return fit_features(x, y, space, options, std::move(info));
}

std::vector<double> LatencyModel::predict_ms(const learn::FeatureMatrix& features) const {
  return predictions(regressor_, base_, log_target_, features);
}

double LatencyModel::predict_ms(const ir::Network& network, const space::Genotype* genotype) const {
  learn::FeatureMatrix x;
  x.names = featurizer_->names();
  x.add_row(featurizer_->features(network, genotype));
  return predict_ms(x).front();
}

double LatencyModel::predict_ms(const space::Genotype& genotype) const {
  return predict_ms(space_.space->decode(genotype), &genotype);
}

std::vector<double> LatencyModel::predict_ms(const std::vector<space::Genotype>& genotypes) const {
  learn::FeatureMatrix x;
  x.names = featurizer_->names();
  for (const auto& g : genotypes) x.add_row(featurizer_->features(space_.space->decode(g), &g));
  return predict_ms(x);
}

LatencyReport LatencyModel::evaluate(const Measurements& measurements,
                                     bool leave_out_fitted) const {
  std::set<std::string> fitted;
  if (leave_out_fitted && info_.contains("fitted")) {
    for (const auto& a : info_["fitted"]) fitted.insert(a.get<std::string>());
  }
  LatencyReport report;
  std::vector<std::size_t>& rows = report.rows;
  for (std::size_t r = 0; r < measurements.rows.size(); ++r) {
    if (fitted.count(arch_of(*space_.space, measurements.rows[r].genotype))) {
      ++report.left_out;
    } else {
      rows.push_back(r);
    }
  }
  if (rows.size() < 2) {
    throw InputError(measurements.file, "rows",
                     fmt::format("needs at least 2 measurements the model was not fitted on to "
                                 "judge it; found {} ({} left out)",
                                 rows.size(), report.left_out));
  }
  report.predicted_ms =
      predict_ms(measurement_features(*featurizer_, *space_.space, measurements, rows));
  for (const std::size_t r : rows) report.measured_ms.push_back(measurements.rows[r].latency_ms);
  report.metrics = learn::evaluate(report.predicted_ms, report.measured_ms);
  return report;
}

void LatencyModel::save(const std::string& path) const {
  nlohmann::json meta = info_;
  meta["format"] = kFormat;
  meta["version"] = kVersion;
  regressor_.save(path, meta);
}

LatencyModel LatencyModel::load(const std::string& path) {
  learn::Regressor regressor = learn::Regressor::load(path);
  const nlohmann::json& meta = regressor.metadata();
  if (meta.value("format", "") != kFormat) {
    throw InputError(path, "metadata.format",
                     fmt::format("not a latency model (expected format '{}'; an accuracy "
                                 "predictor file?)",
                                 kFormat));
  }
  if (meta.value("version", 0) != kVersion) {
    throw InputError(path, "metadata.version",
                     fmt::format("version {} is not supported (expected {})",
                                 meta.value("version", 0), kVersion));
  }
  FeatureOptions features;
  SpaceSpec space;
  try {
    features = features_from_json(meta.at("features"));
    space = space_from_text(meta.at("space").get<std::string>(), path + " (metadata.space)");
  } catch (const nlohmann::json::exception& e) {
    throw InputError(path, "metadata", fmt::format("incomplete latency model: {}", e.what()));
  }
  auto featurizer = std::make_shared<const Featurizer>(features, space.space);
  if (featurizer->names() != regressor.feature_names()) {
    throw InputError(path, "features",
                     "the model's features are not the ones this hwnas computes (made by "
                     "another version?)");
  }
  nlohmann::json info = meta;
  info.erase("format");
  info.erase("version");
  return LatencyModel(std::move(regressor), std::move(space), std::move(featurizer),
                      std::move(info));
}

}  // namespace hwnas::latency
