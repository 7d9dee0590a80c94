// hwnas train: real training of a network on a real data set, with its bit widths simulated.

#include <unistd.h>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "hwnas/core/error.hpp"
#include "hwnas/core/rng.hpp"
#include "hwnas/eval/evaluator.hpp"
#include "hwnas/eval/export.hpp"
#include "hwnas/io/network_yaml.hpp"
#include "hwnas/io/space_yaml.hpp"
#include "hwnas/space/search_space.hpp"
#include "hwnas/store/store.hpp"

namespace hwnas::cli {

namespace {

struct TrainOptions {
  std::string network;
  std::string space;  // instead of a network: train networks sampled from this space
  int samples = 0;
  std::optional<std::uint64_t> sample_seed;  // default: the training seed
  std::string data = "fashion-mnist";
  eval::TrainBudget budget;
  std::string store;        // result cache (SQLite); "" = none
  std::string export_path;  // TorchScript file; the weights go beside it as .weights.json
  bool json = false;
};

// q4.pt -> q4.weights.json
std::string weights_path_for(const std::string& torchscript_path) {
  const auto dot = torchscript_path.rfind('.');
  const auto slash = torchscript_path.rfind('/');
  const bool has_extension =
      dot != std::string::npos && (slash == std::string::npos || dot > slash);
  return (has_extension ? torchscript_path.substr(0, dot) : torchscript_path) + ".weights.json";
}

// One line per epoch, redrawn in place on a terminal (only the finished line otherwise): a bar,
// loss, accuracy so far and images/s.
void draw_progress(const eval::EpochLog& log, double fraction, int epochs) {
  static const bool terminal = isatty(fileno(stderr));
  if (!terminal && fraction < 1.0) return;
  const int width = 30;
  const int filled = static_cast<int>(fraction * width);
  fmt::print(stderr, "\repoch {}/{} [{}{}] loss {:.4f} acc {:.3f} {:.0f} img/s", log.epoch, epochs,
             std::string(filled, '#'), std::string(width - filled, '.'), log.loss,
             log.train_accuracy, log.images_per_s);
  if (fraction >= 1.0) fmt::print(stderr, "\n");
}

nlohmann::json result_json(const std::string& network, const TrainOptions& options,
                           const eval::Accuracy& accuracy) {
  nlohmann::json json = eval::to_json(accuracy.training);
  json["network"] = network;
  json["data"] = options.data;
  json["source"] = std::string(eval::to_string(accuracy.source));
  return json;
}

void print_result(const eval::Accuracy& a, const TrainOptions& options) {
  const eval::TrainResult& r = a.training;
  if (!a.ok) return;
  fmt::print("test accuracy {:.4f}", r.test_accuracy);
  if (options.budget.validation_images > 0) {
    fmt::print(", validation accuracy {:.4f}", r.validation_accuracy);
  }
  if (a.source == eval::AccuracySource::cache) {
    fmt::print("; from the store {} (trained before in {:.1f} s)\n", options.store, r.seconds);
  } else {
    fmt::print("; trained in {:.1f} s ({:.0f} images/s, {} threads)\n", r.seconds, r.images_per_s,
               options.budget.threads);
  }
}

void run_train_network(const TrainOptions& options, eval::TrainingEvaluator& evaluator) {
  const ir::Network network = io::read_network_file(options.network);
  const int epochs = options.budget.epochs;
  const auto progress = [&](const eval::EpochLog& log, double fraction) {
    if (!options.json) draw_progress(log, fraction, epochs);
  };
  eval::TrainedHook on_trained;
  if (!options.export_path.empty()) {
    on_trained = [&](eval::TorchNetworkImpl& model) {
      eval::export_torchscript(model, options.export_path);
      eval::export_weights(model, weights_path_for(options.export_path));
    };
    if (!options.json && evaluator.cached(network)) {
      fmt::print(stderr,
                 "hwnas: {} is in the store, but export needs the model: training again "
                 "(same seed, same model)\n",
                 network.name);
    }
  }
  const eval::Accuracy a = evaluator.evaluate(network, progress, on_trained);
  if (options.json) {
    fmt::print("{}\n", result_json(network.name, options, a).dump(2));
  } else {
    print_result(a, options);
    if (a.ok && !options.export_path.empty()) {
      fmt::print("exported {} (TorchScript) and {}\n", options.export_path,
                 weights_path_for(options.export_path));
    }
  }
  if (!a.ok) {
    fmt::print(stderr, "hwnas: training of {} diverged: {}\n", network.name, a.reason);
    exit_code() = kExitFailed;
  }
}

// Trains networks sampled from a space (seeded), e.g. to fill a store for the accuracy
// predictor. Each is looked up in the store first, so an interrupted run resumes where it
// stopped.
void run_train_samples(const TrainOptions& options, eval::TrainingEvaluator& evaluator) {
  const auto space = io::read_space_file(options.space);
  Rng rng(options.sample_seed.value_or(options.budget.seed));
  nlohmann::json all = nlohmann::json::array();
  int trained = 0, cached = 0, diverged = 0;
  for (int i = 0; i < options.samples; ++i) {
    const space::Genotype genotype = space::sample(*space, rng);
    const ir::Network network = space->decode(genotype);
    const eval::Accuracy a = evaluator.evaluate(network);
    (a.source == eval::AccuracySource::cache ? cached : trained) += 1;
    diverged += a.ok ? 0 : 1;
    if (options.json) {
      nlohmann::json json = result_json(network.name, options, a);
      json["genotype"] = space::to_string(genotype);
      all.push_back(json);
    } else {
      fmt::print("{:>4}/{} [{}] {}  {}  {:.4f}{}\n", i + 1, options.samples,
                 space::to_string(genotype), space->describe(genotype), eval::to_string(a.source),
                 a.test, a.ok ? "" : "  diverged: " + a.reason);
      std::fflush(stdout);
    }
  }
  if (options.json) {
    fmt::print("{}\n", all.dump(2));
  } else {
    fmt::print("{} networks: {} trained, {} from the store, {} diverged\n", options.samples,
               trained, cached, diverged);
  }
}

void run_train(const TrainOptions& options) {
  if (options.network.empty() == options.space.empty()) {
    throw InputError("command line", "--network/--space", "give exactly one of them");
  }
  if (!options.space.empty() && options.samples < 1) {
    throw InputError("command line", "--samples", "--space needs --samples N (N >= 1)");
  }
  if (!options.space.empty() && !options.export_path.empty()) {
    throw InputError("command line", "--export", "export one network (--network), not a space");
  }
  std::unique_ptr<store::Store> store;
  if (!options.store.empty()) store = std::make_unique<store::Store>(options.store);
  eval::TrainingEvaluator evaluator(options.data, options.budget, store.get());
  if (options.space.empty()) {
    run_train_network(options, evaluator);
  } else {
    run_train_samples(options, evaluator);
  }
}

}  // namespace

void add_train_command(CLI::App& app) {
  auto options = std::make_shared<TrainOptions>();
  eval::TrainBudget& b = options->budget;
  CLI::App* cmd = app.add_subcommand(
      "train", "Train a network for real (libtorch), with its per-layer bit widths simulated");
  cmd->add_option("--network,-n", options->network, "network YAML file");
  cmd->add_option("--space", options->space,
                  "search-space YAML: train --samples networks sampled from it instead");
  cmd->add_option("--samples", options->samples, "networks to sample from --space (seeded)");
  cmd->add_option("--sample-seed", options->sample_seed,
                  "seed of the sampling from --space (default: --seed); a different one gives "
                  "other networks trained under the same budget, e.g. a test set for a predictor");
  cmd->add_option("--data", options->data,
                  "fashion-mnist (Debian's files), fashion-mnist:DIR, mnist:DIR, idx:DIR or "
                  "cifar10:DIR")
      ->capture_default_str();
  cmd->add_option("--epochs", b.epochs)->capture_default_str();
  cmd->add_option("--train-images", b.train_images, "training images used (0: all)")
      ->capture_default_str();
  cmd->add_option("--validation-images", b.validation_images, "held out from those")
      ->capture_default_str();
  cmd->add_option("--test-images", b.test_images, "test images used (0: all)")
      ->capture_default_str();
  cmd->add_option("--batch-size", b.batch_size)->capture_default_str();
  cmd->add_option("--optimizer", b.optimizer, "sgd or adam")->capture_default_str();
  cmd->add_option("--lr", b.learning_rate, "learning rate (cosine schedule)")
      ->capture_default_str();
  cmd->add_option("--threads", b.threads)->capture_default_str();
  cmd->add_option("--seed", b.seed)->capture_default_str();
  cmd->add_option("--store", options->store,
                  "SQLite store: results are looked up before training and stored after it");
  cmd->add_option("--export", options->export_path,
                  "write the trained model as TorchScript (and its weights and quantization "
                  "scales beside it as NAME.weights.json + NAME.weights.bin)");
  cmd->add_flag("--json", options->json, "machine-readable output");
  cmd->callback([options] { run_train(*options); });
}

}  // namespace hwnas::cli
