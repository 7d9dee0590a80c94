#pragma once
// The accuracy predictor: gradient-boosted trees (hwnas::learn) on a network's features
// (features.hpp), fitted from trainings in a store, judged on held-out trainings by how well it
// ranks them (Kendall tau, Spearman) — a search only needs the order right.

#include <string>
#include <vector>

#include "hwnas/eval/evaluator.hpp"
#include "hwnas/learn/metrics.hpp"
#include "hwnas/learn/regressor.hpp"
#include "hwnas/store/store.hpp"

namespace hwnas::eval {

struct PredictorFitOptions {
  std::string data;         // only trainings on this data set; "" = any
  double test_share = 0.2;  // held out to judge the model
  // boost.seed also seeds the split. One thread: the data are hundreds of rows, and OpenMP
  // threads spin (10x slower, measured) on a loaded 2-core machine.
  learn::BoostParams boost = {.threads = 1};
};

struct PredictorFit {
  learn::Regressor model;  // fitted on the training rows only, so held_out is honest
  learn::RegressionReport held_out;
  std::size_t train_rows = 0;
  std::size_t test_rows = 0;
  std::string data;  // the group fitted: trainings that share data and budget
  std::string budget;
  std::size_t skipped_diverged = 0;      // failed trainings have no accuracy to learn from
  std::size_t skipped_other_groups = 0;  // trainings under another data set or budget
};

// Accuracies from different budgets (epochs, images) are not comparable, so the fit uses one
// group of trainings with the same data and budget: the largest one that matches
// options.data. Throws hwnas::InputError(store_name, "training", reason) when fewer than 10
// usable trainings remain.
PredictorFit fit_accuracy_predictor(const std::vector<store::TrainingRecord>& trainings,
                                    const PredictorFitOptions& options,
                                    const std::string& store_name);

// The metadata written with a fitted model (what it was fitted on, its held-out figures), and
// the model's own view of which data and budget it predicts.
nlohmann::json predictor_metadata(const PredictorFit& fit);

struct PredictorCheck {
  learn::RegressionReport report;
  std::vector<double> predicted;
  std::vector<double> truth;
  std::size_t skipped = 0;  // diverged, or trained on another data set or budget
};
// The model's predictions for stored trainings of the data and budget it was fitted on.
PredictorCheck check_accuracy_predictor(const learn::Regressor& model,
                                        const std::vector<store::TrainingRecord>& trainings,
                                        const std::string& store_name);

class PredictorEvaluator : public AccuracyEvaluator {
 public:
  explicit PredictorEvaluator(learn::Regressor model, std::string model_name = "");
  // The prediction, clamped to [0, 1].
  Accuracy evaluate(const ir::Network& network) override;
  std::string describe() const override;

 private:
  learn::Regressor model_;
  std::string model_name_;
};

}  // namespace hwnas::eval
