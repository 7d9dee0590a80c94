#include "hwnas/latency/model.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <numeric>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "hwnas/core/error.hpp"
#include "hwnas/core/rng.hpp"
#include "hwnas/io/space_yaml.hpp"
#include "hwnas/space/nb201_space.hpp"
#include "hwnas/tabular/csv.hpp"

namespace hwnas::latency {

namespace {

constexpr std::string_view kFormat = "hwnas-latency-model";
constexpr int kVersion = 1;
constexpr std::size_t kMinFitRows = 10;

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

// The latency column of a measurements file: the name itself, else a device's short name.
std::size_t latency_column(const tabular::CsvFile& file, const std::string& column) {
  for (const std::string& candidate : {column, column + "_latency_ms", column + "_ms"}) {
    if (const auto c = file.find(candidate)) return *c;
  }
  throw InputError(file.name, "line 1",
                   fmt::format("no latency column '{}' (use --column); columns: {}", column,
                               fmt::join(file.header, ", ")));
}

}  // namespace

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
  learn::FeatureMatrix x;
  x.names = featurizer.names();
  x.values.reserve(rows.size() * x.names.size());
  for (const std::size_t r : rows) {
    const space::Genotype& g = measurements.rows.at(r).genotype;
    x.add_row(featurizer.features(space.decode(g), &g));
  }
  return x;
}

LatencyModel::LatencyModel(learn::Regressor regressor, SpaceSpec space,
                           std::shared_ptr<const Featurizer> featurizer, nlohmann::json info)
    : regressor_(std::move(regressor)),
      space_(std::move(space)),
      featurizer_(std::move(featurizer)),
      info_(std::move(info)),
      log_target_(info_.value("log_target", true)) {}

LatencyModel LatencyModel::fit_features(const learn::FeatureMatrix& x,
                                        const std::vector<double>& y_ms, const SpaceSpec& space,
                                        const FitOptions& options, nlohmann::json info) {
  if (x.rows < kMinFitRows) {
    throw InputError(
        "<measurements>", "rows",
        fmt::format("a latency model needs at least {} measurements, got {}", kMinFitRows, x.rows));
  }
  std::vector<float> y;
  y.reserve(y_ms.size());
  for (const double v : y_ms) {
    y.push_back(static_cast<float>(options.log_target ? std::log(v) : v));
  }
  auto featurizer = std::make_shared<const Featurizer>(options.features, space.space);
  if (featurizer->names() != x.names) {
    throw InputError("<latency features>", "features",
                     "the feature matrix does not have the featurizer's columns");
  }
  info["log_target"] = options.log_target;
  info["features"] = to_json(options.features);
  info["space"] = space.text;
  return LatencyModel(learn::Regressor::fit(x, y, options.boost), space, std::move(featurizer),
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

std::vector<double> LatencyModel::from_target(const std::vector<float>& y) const {
  std::vector<double> ms;
  ms.reserve(y.size());
  for (const float v : y) ms.push_back(log_target_ ? std::exp(static_cast<double>(v)) : v);
  return ms;
}

std::vector<double> LatencyModel::predict_ms(const learn::FeatureMatrix& features) const {
  return from_target(regressor_.predict(features));
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
  std::vector<std::size_t> rows;
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
