#pragma once
// The accuracy side of a search behind one interface: a candidate network's accuracy is
// trained for real (TrainingEvaluator, with the store as a result cache so nothing is trained
// twice) or predicted from what has already been trained (predictor.hpp). Search code holds an
// AccuracyEvaluator and does not care which. No torch header here: callers compile fast.

#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "hwnas/data/dataset.hpp"
#include "hwnas/eval/trainer.hpp"
#include "hwnas/ir/network.hpp"
#include "hwnas/store/store.hpp"

namespace hwnas::eval {

// tabular: looked up in a benchmark's table of trained accuracies (NAS-Bench-201, hwnas::tabular).
enum class AccuracySource { trained, cache, predicted, tabular };
std::string_view to_string(AccuracySource source);

struct Accuracy {
  bool ok = true;  // false when training diverged (reason says why)
  std::string reason;
  double test = 0;        // test accuracy (0..1), or the predicted one
  double validation = 0;  // held-out validation accuracy; 0 when none was held out
  AccuracySource source = AccuracySource::trained;
  TrainResult training;  // the full training result, when trained or cached
};

class AccuracyEvaluator {
 public:
  virtual ~AccuracyEvaluator() = default;
  virtual Accuracy evaluate(const ir::Network& network) = 0;
  // One line for people: what the accuracy comes from.
  virtual std::string describe() const = 0;
};

// The parts of the cache key, canonical so that equal trainings give equal text: the network
// as YAML with its name cleared (the name does not change training; layer names and bits do),
// and the budget as JSON of every field that changes the result. Threads are left out: the
// thread count may change the last bits of a float sum, not what is being measured.
std::string canonical_network(const ir::Network& network);
std::string canonical_budget(const TrainBudget& budget);
nlohmann::json to_json(const TrainResult& result);
TrainResult train_result_from_json(const nlohmann::json& json);

class TrainingEvaluator : public AccuracyEvaluator {
 public:
  // `data` names the data set as hwnas::data::load does; it is loaded on first use. With a
  // store, results are looked up before training and stored after it.
  TrainingEvaluator(std::string data, TrainBudget budget, store::Store* cache = nullptr);

  Accuracy evaluate(const ir::Network& network) override;
  // As above, with progress per batch. A trained-model hook (export) needs the model itself,
  // so a cached result is trained again when `on_trained` is given; the same seed gives the
  // same model.
  Accuracy evaluate(const ir::Network& network, const Progress& progress,
                    const TrainedHook& on_trained);
  std::string describe() const override;

  // Only a lookup: the stored result, or nothing. Never trains.
  std::optional<Accuracy> cached(const ir::Network& network);

  const TrainBudget& budget() const { return budget_; }
  const std::string& data_name() const { return data_; }

 private:
  const data::Split& split();

  std::string data_;
  TrainBudget budget_;
  store::Store* cache_;
  std::once_flag loaded_;
  std::unique_ptr<data::Split> split_;
};

}  // namespace hwnas::eval
