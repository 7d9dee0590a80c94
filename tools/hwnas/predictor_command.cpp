// hwnas predictor: the accuracy predictor — fit it from a store's trainings, judge it on another
// store's, and use it on a network.

#include <memory>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "hwnas/eval/predictor.hpp"
#include "hwnas/io/network_yaml.hpp"
#include "hwnas/store/store.hpp"

namespace hwnas::cli {

namespace {

struct PredictorOptions {
  std::string store;
  std::string model;
  std::string network;
  eval::PredictorFitOptions fit;
  bool json = false;
};

nlohmann::json report_json(const learn::RegressionReport& r) {
  return {{"n", r.n},
          {"kendall_tau", r.kendall_tau},
          {"spearman", r.spearman},
          {"rmse", r.rmse},
          {"mape_percent", r.mape}};
}

void print_report(const learn::RegressionReport& r) {
  fmt::print("  Kendall tau {:.3f}, Spearman {:.3f}, RMSE {:.4f} (accuracy), MAPE {:.2f}%\n",
             r.kendall_tau, r.spearman, r.rmse, r.mape);
}

void run_fit(const PredictorOptions& options) {
  store::Store store(options.store);
  const eval::PredictorFit fit =
      eval::fit_accuracy_predictor(store.trainings(), options.fit, options.store);
  fit.model.save(options.model, eval::predictor_metadata(fit));
  if (options.json) {
    fmt::print("{}\n", nlohmann::json{{"model", options.model},
                                      {"data", fit.data},
                                      {"budget", nlohmann::json::parse(fit.budget)},
                                      {"train_rows", fit.train_rows},
                                      {"test_rows", fit.test_rows},
                                      {"skipped_diverged", fit.skipped_diverged},
                                      {"skipped_other_groups", fit.skipped_other_groups},
                                      {"held_out", report_json(fit.held_out)}}
                           .dump(2));
    return;
  }
  fmt::print("fitted on {} trainings on {} (budget {}), judged on {} held out:\n", fit.train_rows,
             fit.data, fit.budget, fit.test_rows);
  print_report(fit.held_out);
  if (fit.skipped_diverged + fit.skipped_other_groups > 0) {
    fmt::print("skipped {} diverged trainings and {} under another data set or budget\n",
               fit.skipped_diverged, fit.skipped_other_groups);
  }
  fmt::print("saved {}\n", options.model);
}

void run_eval(const PredictorOptions& options) {
  const learn::Regressor model = learn::Regressor::load(options.model);
  store::Store store(options.store);
  const eval::PredictorCheck check =
      eval::check_accuracy_predictor(model, store.trainings(), options.store);
  if (options.json) {
    nlohmann::json json = report_json(check.report);
    json["skipped"] = check.skipped;
    fmt::print("{}\n", json.dump(2));
    return;
  }
  fmt::print("{} trainings in {} ({} skipped: diverged, or another data set or budget):\n",
             check.report.n, options.store, check.skipped);
  print_report(check.report);
}

void run_predict(const PredictorOptions& options) {
  eval::PredictorEvaluator predictor(learn::Regressor::load(options.model), options.model);
  const ir::Network network = io::read_network_file(options.network);
  const eval::Accuracy a = predictor.evaluate(network);
  if (options.json) {
    fmt::print("{}\n",
               nlohmann::json{{"network", network.name}, {"predicted_accuracy", a.test}}.dump(2));
  } else {
    fmt::print("{}: predicted test accuracy {:.4f} ({})\n", network.name, a.test,
               predictor.describe());
  }
}

}  // namespace

void add_predictor_command(CLI::App& app) {
  auto options = std::make_shared<PredictorOptions>();
  CLI::App* cmd = app.add_subcommand(
      "predictor", "Accuracy predictor (XGBoost) fitted from the trainings in a store");
  cmd->require_subcommand(1);

  CLI::App* fit = cmd->add_subcommand("fit", "Fit from a store; report held-out rank quality");
  fit->add_option("--store", options->store, "SQLite store holding trainings")->required();
  fit->add_option("--out", options->model, "model file to write (JSON)")->required();
  fit->add_option("--data", options->fit.data, "only trainings on this data set");
  fit->add_option("--test-share", options->fit.test_share, "share held out")->capture_default_str();
  fit->add_option("--rounds", options->fit.boost.rounds)->capture_default_str();
  fit->add_option("--max-depth", options->fit.boost.max_depth)->capture_default_str();
  fit->add_option("--lr", options->fit.boost.learning_rate)->capture_default_str();
  fit->add_option("--seed", options->fit.boost.seed, "seeds the split and the trees")
      ->capture_default_str();
  fit->add_flag("--json", options->json);
  fit->callback([options] { run_fit(*options); });

  CLI::App* eval = cmd->add_subcommand("eval", "Judge a model on the trainings in a store");
  eval->add_option("--model", options->model)->required();
  eval->add_option("--store", options->store)->required();
  eval->add_flag("--json", options->json);
  eval->callback([options] { run_eval(*options); });

  CLI::App* predict = cmd->add_subcommand("predict", "Predict a network's test accuracy");
  predict->add_option("--model", options->model)->required();
  predict->add_option("--network,-n", options->network)->required();
  predict->add_flag("--json", options->json);
  predict->callback([options] { run_predict(*options); });
}

}  // namespace hwnas::cli
