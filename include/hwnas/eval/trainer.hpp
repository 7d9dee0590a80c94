#pragma once
// Real training of an IR network on a real data set under a budget, with its per-layer bit
// widths simulated (quantization-aware training). Divergence is a result, not a crash.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "hwnas/data/dataset.hpp"
#include "hwnas/ir/network.hpp"

namespace hwnas::eval {

class TorchNetworkImpl;  // torch_network.hpp; only code that includes torch can use the model

struct TrainBudget {
  int epochs = 1;
  std::size_t train_images = 0;       // from the training split, after a seeded shuffle; 0 = all
  std::size_t validation_images = 0;  // held out from those, for the validation accuracy
  std::size_t test_images = 0;        // from the test split; 0 = all
  int batch_size = 64;
  std::string optimizer = "sgd";  // sgd (with momentum) or adam
  double learning_rate = 0.05;
  double momentum = 0.9;
  double weight_decay = 5e-4;
  bool cosine_schedule = true;  // learning rate follows half a cosine to 0 over the run
  int threads = 2;
  std::uint64_t seed = 1;
};

enum class TrainStatus { ok, diverged };

struct EpochLog {
  int epoch = 0;
  double loss = 0;            // mean training loss of the epoch
  double train_accuracy = 0;  // on the epoch's training batches
  double images_per_s = 0;
};

struct TrainResult {
  TrainStatus status = TrainStatus::ok;
  std::string reason;  // why training stopped, when it diverged
  double test_accuracy = 0;
  double validation_accuracy = 0;  // 0 when no images were held out
  std::vector<EpochLog> epochs;
  double seconds = 0;       // training only
  double images_per_s = 0;  // training images per second over the run
};

// Called after every batch: the epoch so far (loss and accuracy over its batches) and the
// fraction of the epoch done.
using Progress = std::function<void(const EpochLog& so_far, double fraction)>;

// Called once with the trained model (in eval mode) when training ends without diverging,
// before it is freed: for export.
using TrainedHook = std::function<void(TorchNetworkImpl& model)>;

// Throws hwnas::InputError when the network does not fit the data (input shape or classes),
// or the budget is invalid; a NaN or infinite loss ends training with status diverged.
TrainResult train(const ir::Network& network, const data::Split& data, const TrainBudget& budget,
                  const Progress& progress = {}, const TrainedHook& on_trained = {});

}  // namespace hwnas::eval
