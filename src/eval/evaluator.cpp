#include "hwnas/eval/evaluator.hpp"

#include <fmt/format.h>

#include "hwnas/io/network_yaml.hpp"

namespace hwnas::eval {

std::string_view to_string(AccuracySource source) {
  switch (source) {
    case AccuracySource::trained:
      return "trained";
    case AccuracySource::cache:
      return "cache";
    case AccuracySource::predicted:
      return "predicted";
    case AccuracySource::tabular:
      return "tabular";
  }
  return "?";
}

std::string canonical_network(const ir::Network& network) {
  ir::Network unnamed = network;
  unnamed.name = "network";
  ir::assign_default_names(unnamed);
  return io::network_to_yaml(unnamed);
}

std::string canonical_budget(const TrainBudget& b) {
  // nlohmann::json keeps keys sorted, so the text is canonical.
  nlohmann::json json{{"epochs", b.epochs},
                      {"train_images", b.train_images},
                      {"validation_images", b.validation_images},
                      {"test_images", b.test_images},
                      {"batch_size", b.batch_size},
                      {"optimizer", b.optimizer},
                      {"learning_rate", b.learning_rate},
                      {"weight_decay", b.weight_decay},
                      {"cosine_schedule", b.cosine_schedule},
                      {"seed", b.seed}};
  if (b.optimizer == "sgd") json["momentum"] = b.momentum;
  return json.dump();
}

nlohmann::json to_json(const TrainResult& r) {
  nlohmann::json curve = nlohmann::json::array();
  for (const auto& e : r.epochs) {
    curve.push_back({{"epoch", e.epoch},
                     {"loss", e.loss},
                     {"train_accuracy", e.train_accuracy},
                     {"images_per_s", e.images_per_s}});
  }
  return {{"status", r.status == TrainStatus::ok ? "ok" : "diverged"},
          {"reason", r.reason},
          {"test_accuracy", r.test_accuracy},
          {"validation_accuracy", r.validation_accuracy},
          {"epochs", curve},
          {"seconds", r.seconds},
          {"images_per_s", r.images_per_s}};
}

TrainResult train_result_from_json(const nlohmann::json& json) {
  TrainResult r;
  r.status = json.at("status") == "ok" ? TrainStatus::ok : TrainStatus::diverged;
  r.reason = json.at("reason");
  r.test_accuracy = json.at("test_accuracy");
  r.validation_accuracy = json.at("validation_accuracy");
  r.seconds = json.at("seconds");
  r.images_per_s = json.at("images_per_s");
  for (const auto& e : json.at("epochs")) {
    r.epochs.push_back({e.at("epoch"), e.at("loss"), e.at("train_accuracy"), e.at("images_per_s")});
  }
  return r;
}

namespace {

Accuracy from_training(const TrainResult& r, AccuracySource source) {
  Accuracy a;
  a.ok = r.status == TrainStatus::ok;
  a.reason = r.reason;
  a.test = r.test_accuracy;
  a.validation = r.validation_accuracy;
  a.source = source;
  a.training = r;
  return a;
}

}  // namespace

TrainingEvaluator::TrainingEvaluator(std::string data, TrainBudget budget, store::Store* cache)
    : data_(std::move(data)), budget_(std::move(budget)), cache_(cache) {}

const data::Split& TrainingEvaluator::split() {
  std::call_once(loaded_, [this] { split_ = std::make_unique<data::Split>(data::load(data_)); });
  return *split_;
}

std::optional<Accuracy> TrainingEvaluator::cached(const ir::Network& network) {
  if (!cache_) return std::nullopt;
  const auto record =
      cache_->find_training(canonical_network(network), data_, canonical_budget(budget_));
  if (!record) return std::nullopt;
  return from_training(train_result_from_json(nlohmann::json::parse(record->result)),
                       AccuracySource::cache);
}

Accuracy TrainingEvaluator::evaluate(const ir::Network& network) {
  return evaluate(network, {}, {});
}

Accuracy TrainingEvaluator::evaluate(const ir::Network& network, const Progress& progress,
                                     const TrainedHook& on_trained) {
  if (!on_trained) {
    if (auto hit = cached(network)) return *hit;
  }
  const TrainResult result = train(network, split(), budget_, progress, on_trained);
  if (cache_) {
    store::TrainingRecord record;
    record.network = canonical_network(network);
    record.data = data_;
    record.budget = canonical_budget(budget_);
    record.status = result.status == TrainStatus::ok ? "ok" : "diverged";
    record.reason = result.reason;
    record.test_accuracy = result.test_accuracy;
    record.validation_accuracy = result.validation_accuracy;
    record.seconds = result.seconds;
    record.result = to_json(result).dump();
    cache_->put_training(record);
  }
  return from_training(result, AccuracySource::trained);
}

std::string TrainingEvaluator::describe() const {
  return fmt::format("trained on {} for {} epoch(s), seed {}{}", data_, budget_.epochs,
                     budget_.seed, cache_ ? fmt::format(", cached in {}", cache_->path()) : "");
}

}  // namespace hwnas::eval
