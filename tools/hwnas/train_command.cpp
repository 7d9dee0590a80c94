// hwnas train: real training of a network on a real data set, with its bit widths simulated.

#include <unistd.h>
#include <cstdio>
#include <memory>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "hwnas/data/dataset.hpp"
#include "hwnas/eval/trainer.hpp"
#include "hwnas/io/network_yaml.hpp"

namespace hwnas::cli {

namespace {

struct TrainOptions {
  std::string network;
  std::string data = "fashion-mnist";
  eval::TrainBudget budget;
  bool json = false;
};

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

void run_train(const TrainOptions& options) {
  const ir::Network network = io::read_network_file(options.network);
  const data::Split split = data::load(options.data);
  const int epochs = options.budget.epochs;
  const eval::TrainResult r =
      eval::train(network, split, options.budget, [&](const eval::EpochLog& log, double fraction) {
        if (!options.json) draw_progress(log, fraction, epochs);
      });
  if (options.json) {
    nlohmann::json curve = nlohmann::json::array();
    for (const auto& e : r.epochs) {
      curve.push_back({{"epoch", e.epoch},
                       {"loss", e.loss},
                       {"train_accuracy", e.train_accuracy},
                       {"images_per_s", e.images_per_s}});
    }
    fmt::print("{}\n",
               nlohmann::json{{"network", network.name},
                              {"data", options.data},
                              {"status", r.status == eval::TrainStatus::ok ? "ok" : "diverged"},
                              {"reason", r.reason},
                              {"test_accuracy", r.test_accuracy},
                              {"validation_accuracy", r.validation_accuracy},
                              {"epochs", curve},
                              {"seconds", r.seconds},
                              {"images_per_s", r.images_per_s}}
                   .dump(2));
  } else if (r.status == eval::TrainStatus::ok) {
    fmt::print("test accuracy {:.4f}", r.test_accuracy);
    if (options.budget.validation_images > 0) {
      fmt::print(", validation accuracy {:.4f}", r.validation_accuracy);
    }
    fmt::print("; trained in {:.1f} s ({:.0f} images/s, {} threads)\n", r.seconds, r.images_per_s,
               options.budget.threads);
  }
  if (r.status != eval::TrainStatus::ok) {
    fmt::print(stderr, "hwnas: training of {} diverged: {}\n", network.name, r.reason);
    exit_code() = kExitFailed;
  }
}

}  // namespace

void add_train_command(CLI::App& app) {
  auto options = std::make_shared<TrainOptions>();
  eval::TrainBudget& b = options->budget;
  CLI::App* cmd = app.add_subcommand(
      "train", "Train a network for real (libtorch), with its per-layer bit widths simulated");
  cmd->add_option("--network,-n", options->network, "network YAML file")->required();
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
  cmd->add_flag("--json", options->json, "machine-readable output");
  cmd->callback([options] { run_train(*options); });
}

}  // namespace hwnas::cli
