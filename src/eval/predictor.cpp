#include "hwnas/eval/predictor.hpp"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "hwnas/core/error.hpp"
#include "hwnas/eval/features.hpp"
#include "hwnas/io/network_yaml.hpp"

namespace hwnas::eval {

namespace {

constexpr std::size_t kMinTrainings = 10;

learn::FeatureMatrix empty_features() {
  learn::FeatureMatrix x;
  x.names = accuracy_feature_names();
  return x;
}

std::vector<float> features_of(const store::TrainingRecord& record) {
  return accuracy_features(io::parse_network_yaml(record.network, "store"));
}

}  // namespace

PredictorFit fit_accuracy_predictor(const std::vector<store::TrainingRecord>& trainings,
                                    const PredictorFitOptions& options,
                                    const std::string& store_name) {
  std::size_t skipped_diverged = 0, skipped_other_groups = 0;
  std::map<std::pair<std::string, std::string>, std::vector<const store::TrainingRecord*>> groups;
  for (const auto& t : trainings) {
    if (!options.data.empty() && t.data != options.data) {
      ++skipped_other_groups;
      continue;
    }
    if (t.status != "ok") {
      ++skipped_diverged;
      continue;
    }
    groups[{t.data, t.budget}].push_back(&t);
  }
  const auto largest = std::max_element(groups.begin(), groups.end(), [](auto& a, auto& b) {
    return a.second.size() < b.second.size();
  });
  const std::size_t usable = largest == groups.end() ? 0 : largest->second.size();
  if (usable < kMinTrainings) {
    throw InputError(
        store_name, "training",
        fmt::format("an accuracy predictor needs at least {} successful trainings "
                    "with one data set and budget{}; the store has {}",
                    kMinTrainings, options.data.empty() ? "" : fmt::format(" on {}", options.data),
                    usable));
  }
  for (const auto& [key, rows] : groups) {
    if (key != largest->first) skipped_other_groups += rows.size();
  }

  learn::FeatureMatrix x = empty_features();
  std::vector<float> y;
  for (const auto* record : largest->second) {
    x.add_row(features_of(*record));
    y.push_back(static_cast<float>(record->test_accuracy));
  }
  const learn::Split split = learn::split_rows(x.rows, options.test_share, options.boost.seed);
  learn::Regressor model = learn::Regressor::fit(learn::select_rows(x, split.train),
                                                 learn::select_rows(y, split.train), options.boost);
  const auto predicted = model.predict(learn::select_rows(x, split.test));
  const auto truth = learn::select_rows(y, split.test);
  return PredictorFit{
      .model = std::move(model),
      .held_out = learn::evaluate(std::vector<double>(predicted.begin(), predicted.end()),
                                  std::vector<double>(truth.begin(), truth.end())),
      .train_rows = split.train.size(),
      .test_rows = split.test.size(),
      .data = largest->first.first,
      .budget = largest->first.second,
      .skipped_diverged = skipped_diverged,
      .skipped_other_groups = skipped_other_groups};
}

nlohmann::json predictor_metadata(const PredictorFit& fit) {
  return {{"target", "test_accuracy"},
          {"data", fit.data},
          {"budget", nlohmann::json::parse(fit.budget)},
          {"train_rows", fit.train_rows},
          {"test_rows", fit.test_rows},
          {"held_out",
           {{"kendall_tau", fit.held_out.kendall_tau},
            {"spearman", fit.held_out.spearman},
            {"rmse", fit.held_out.rmse}}}};
}

PredictorCheck check_accuracy_predictor(const learn::Regressor& model,
                                        const std::vector<store::TrainingRecord>& trainings,
                                        const std::string& store_name) {
  const nlohmann::json& meta = model.metadata();
  const std::string data = meta.value("data", "");
  const std::string budget = meta.contains("budget") ? meta["budget"].dump() : "";
  PredictorCheck check;
  learn::FeatureMatrix x = empty_features();
  for (const auto& t : trainings) {
    if (t.status != "ok" || (!data.empty() && t.data != data) ||
        (!budget.empty() && nlohmann::json::parse(t.budget).dump() != budget)) {
      ++check.skipped;
      continue;
    }
    x.add_row(features_of(t));
    check.truth.push_back(t.test_accuracy);
  }
  if (x.rows < 2) {
    throw InputError(store_name, "training",
                     fmt::format("needs at least 2 successful trainings on {} with the model's "
                                 "budget to judge it; found {} ({} others skipped)",
                                 data, x.rows, check.skipped));
  }
  const auto predicted = model.predict(x);
  check.predicted.assign(predicted.begin(), predicted.end());
  check.report = learn::evaluate(check.predicted, check.truth);
  return check;
}

PredictorEvaluator::PredictorEvaluator(learn::Regressor model, std::string model_name)
    : model_(std::move(model)), model_name_(std::move(model_name)) {}

Accuracy PredictorEvaluator::evaluate(const ir::Network& network) {
  learn::FeatureMatrix x = empty_features();
  x.add_row(accuracy_features(network));
  Accuracy a;
  a.test = std::clamp(static_cast<double>(model_.predict(x).front()), 0.0, 1.0);
  a.source = AccuracySource::predicted;
  return a;
}

std::string PredictorEvaluator::describe() const {
  const nlohmann::json& meta = model_.metadata();
  return fmt::format("predicted by {} (fitted on {} trainings on {})",
                     model_name_.empty() ? "an accuracy predictor" : model_name_,
                     meta.value("train_rows", 0), meta.value("data", "?"));
}

}  // namespace hwnas::eval
