#include "hwnas/eval/trainer.hpp"

#include <chrono>
#include <cmath>
#include <mutex>
#include <numeric>

#include <fmt/format.h>

#include "hwnas/core/error.hpp"
#include "hwnas/core/rng.hpp"
#include "hwnas/eval/torch_network.hpp"

namespace hwnas::eval {

namespace {

// Images [first, first+count) of `order` as an N x C x H x W float tensor in [0, 1].
struct Tensors {
  torch::Tensor images;
  torch::Tensor labels;
};
Tensors gather(const data::Dataset& set, const std::vector<std::size_t>& order, std::size_t first,
               std::size_t count) {
  const std::size_t bytes = set.image_bytes();
  auto images = torch::empty({static_cast<int64_t>(count), set.channels, set.height, set.width},
                             torch::kUInt8);
  auto labels = torch::empty({static_cast<int64_t>(count)}, torch::kInt64);
  auto* pixels = images.data_ptr<std::uint8_t>();
  auto* out_labels = labels.data_ptr<int64_t>();
  for (std::size_t k = 0; k < count; ++k) {
    const std::size_t index = order[first + k];
    std::copy_n(set.pixels.begin() + static_cast<std::ptrdiff_t>(index * bytes), bytes,
                pixels + k * bytes);
    out_labels[k] = set.labels[index];
  }
  return {images.to(torch::kFloat32).div_(255.0), labels};
}

// A seeded Fisher-Yates shuffle with hwnas's portable generator.
void shuffle(std::vector<std::size_t>& order, Rng& rng) {
  for (std::size_t i = order.size(); i > 1; --i) {
    std::swap(order[i - 1],
              order[static_cast<std::size_t>(rng.uniform_int(0, static_cast<int64_t>(i) - 1))]);
  }
}

double accuracy(TorchNetwork& model, const Tensors& set, int batch_size) {
  torch::NoGradGuard no_grad;
  model->eval();
  int64_t correct = 0;
  const int64_t n = set.labels.size(0);
  for (int64_t start = 0; start < n; start += batch_size) {
    const int64_t end = std::min(n, start + batch_size);
    const auto logits = model->forward(set.images.slice(0, start, end));
    correct += logits.argmax(1).eq(set.labels.slice(0, start, end)).sum().item<int64_t>();
  }
  model->train();
  return n > 0 ? static_cast<double>(correct) / static_cast<double>(n) : 0.0;
}

}  // namespace

TrainResult train(const ir::Network& network, const data::Split& data, const TrainBudget& budget,
                  const Progress& progress, const TrainedHook& on_trained) {
  const ir::NetworkStats stats = ir::analyze(network);
  const data::Dataset& train_set = data.train;
  if (network.input != ir::Shape{train_set.channels, train_set.height, train_set.width}) {
    throw InputError(
        network.name, "input",
        fmt::format("the network takes {}x{}x{} images but {} has {}x{}x{}", network.input.channels,
                    network.input.height, network.input.width, train_set.name, train_set.channels,
                    train_set.height, train_set.width));
  }
  if (stats.output.elements() < train_set.classes) {
    throw InputError(network.name, "output",
                     fmt::format("the network has {} outputs for {} classes",
                                 stats.output.elements(), train_set.classes));
  }
  if (budget.epochs < 1 || budget.batch_size < 1 || budget.learning_rate <= 0 ||
      budget.threads < 1) {
    throw InputError("training budget", "",
                     "epochs, batch size, learning rate and threads must be positive");
  }
  if (budget.optimizer != "sgd" && budget.optimizer != "adam") {
    throw InputError(
        "training budget", "optimizer",
        fmt::format("unknown optimizer '{}' (expected sgd or adam)", budget.optimizer));
  }

  torch::set_num_threads(budget.threads);
  Rng rng(budget.seed);

  std::vector<std::size_t> order(train_set.size());
  std::iota(order.begin(), order.end(), 0);
  shuffle(order, rng);
  const std::size_t used =
      budget.train_images == 0 ? order.size() : std::min(budget.train_images, order.size());
  const std::size_t held_out = std::min(budget.validation_images, used / 2);
  const std::size_t train_count = used - held_out;
  const Tensors train_data = gather(train_set, order, 0, train_count);
  const Tensors validation = gather(train_set, order, train_count, held_out);
  std::vector<std::size_t> test_order(data.test.size());
  std::iota(test_order.begin(), test_order.end(), 0);
  const std::size_t test_count =
      budget.test_images == 0 ? test_order.size() : std::min(budget.test_images, test_order.size());
  const Tensors test = gather(data.test, test_order, 0, test_count);

  // Initial weights come from torch's one global generator: seeding it and drawing from it must
  // not interleave with another thread's training, or the same seed would not give the same
  // model when a search trains candidates in parallel.
  TorchNetwork model = [&] {
    static std::mutex global_generator;
    std::lock_guard lock(global_generator);
    torch::manual_seed(budget.seed);
    return TorchNetwork(network);
  }();
  std::unique_ptr<torch::optim::Optimizer> optimizer;
  if (budget.optimizer == "adam") {
    optimizer = std::make_unique<torch::optim::Adam>(
        model->parameters(),
        torch::optim::AdamOptions(budget.learning_rate).weight_decay(budget.weight_decay));
  } else {
    optimizer = std::make_unique<torch::optim::SGD>(model->parameters(),
                                                    torch::optim::SGDOptions(budget.learning_rate)
                                                        .momentum(budget.momentum)
                                                        .weight_decay(budget.weight_decay));
  }

  TrainResult result;
  const int64_t batches =
      static_cast<int64_t>((train_count + budget.batch_size - 1) / budget.batch_size);
  const int64_t total_steps = batches * budget.epochs;
  int64_t step = 0;
  const auto start = std::chrono::steady_clock::now();
  std::vector<int64_t> epoch_order(train_count);
  for (int epoch = 1; epoch <= budget.epochs && result.status == TrainStatus::ok; ++epoch) {
    std::vector<std::size_t> perm(train_count);
    std::iota(perm.begin(), perm.end(), 0);
    shuffle(perm, rng);
    std::copy(perm.begin(), perm.end(), epoch_order.begin());
    const auto index =
        torch::from_blob(epoch_order.data(), {static_cast<int64_t>(train_count)}, torch::kInt64);
    const auto epoch_start = std::chrono::steady_clock::now();
    EpochLog log;
    log.epoch = epoch;
    double loss_sum = 0;
    int64_t correct = 0, seen = 0;
    for (int64_t b = 0; b < batches; ++b, ++step) {
      if (budget.cosine_schedule) {
        const double lr = 0.5 * budget.learning_rate *
                          (1 + std::cos(M_PI * static_cast<double>(step) / total_steps));
        for (auto& group : optimizer->param_groups()) group.options().set_lr(lr);
      }
      const auto rows = index.slice(0, b * budget.batch_size,
                                    std::min<int64_t>((b + 1) * budget.batch_size, train_count));
      const auto images = train_data.images.index_select(0, rows);
      const auto labels = train_data.labels.index_select(0, rows);
      optimizer->zero_grad();
      const auto logits = model->forward(images);
      const auto loss = torch::nn::functional::cross_entropy(logits, labels);
      const double value = loss.item<double>();
      if (!std::isfinite(value)) {
        result.status = TrainStatus::diverged;
        result.reason = fmt::format("loss became {} at epoch {}, batch {}", value, epoch, b + 1);
        break;
      }
      loss.backward();
      optimizer->step();
      loss_sum += value * static_cast<double>(rows.size(0));
      correct += logits.argmax(1).eq(labels).sum().item<int64_t>();
      seen += rows.size(0);
      log.loss = loss_sum / static_cast<double>(seen);
      log.train_accuracy = static_cast<double>(correct) / static_cast<double>(seen);
      const double elapsed =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - epoch_start).count();
      log.images_per_s = elapsed > 0 ? static_cast<double>(seen) / elapsed : 0;
      if (progress) progress(log, static_cast<double>(b + 1) / static_cast<double>(batches));
    }
    if (seen > 0) result.epochs.push_back(log);
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  result.images_per_s =
      result.seconds > 0 ? static_cast<double>(train_count) * result.epochs.size() / result.seconds
                         : 0;
  if (result.status == TrainStatus::ok) {
    result.test_accuracy = accuracy(model, test, 256);
    result.validation_accuracy = held_out > 0 ? accuracy(model, validation, 256) : 0;
    if (on_trained) {
      model->eval();
      on_trained(*model);
    }
  }
  return result;
}

}  // namespace hwnas::eval
