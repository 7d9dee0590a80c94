// The training benchmark of issue 4 (figures in docs/training.md). Three modes:
//  * default (throughput): training images/s of hwnas::eval::train on the reference CNN against
//    a bare libtorch loop that trains the same CNN with the same initial weights, data, batch
//    order, optimizer and schedule, in one process so that the load of a shared machine falls on
//    both. Measured twice: whole runs interleaved (bare, hwnas, bare, hwnas, ...), and batch by
//    batch (one bare batch inside each hwnas progress callback), each as the ratio of the two
//    medians and as the median of the ratios of neighbouring pairs, which stays steadier when
//    other processes come and go.
//  * --accuracy: the reference CNN for 2 epochs on all 60,000 Fashion-MNIST training images;
//    test accuracy on all 10,000 test images, time and images/s.
//  * --bits: the same training with every layer's weights and activations at 16, 8, 4 and 2
//    bits; a table of test accuracies.
// A plain program rather than Google Benchmark: one run takes seconds to minutes, and the point
// is a ratio between two loops measured side by side.

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <numeric>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <torch/torch.h>

#include "hwnas/core/error.hpp"
#include "hwnas/core/rng.hpp"
#include "hwnas/data/dataset.hpp"
#include "hwnas/eval/torch_network.hpp"
#include "hwnas/eval/trainer.hpp"
#include "hwnas/io/network_yaml.hpp"

namespace {

using namespace hwnas;

struct Options {
  std::string mode = "throughput";
  std::string network = HWNAS_SOURCE_DIR "/examples/networks/reference-cnn.yaml";
  std::string data = "fashion-mnist";
  int repetitions = 7;           // throughput runs of each loop (plus one warm-up each)
  std::size_t images = 3200;     // training images per throughput run (50 batches of 64)
  std::size_t train_images = 0;  // --accuracy / --bits: 0 = all 60,000
  int epochs = 2;                // --accuracy / --bits
  std::vector<int> bits = {16, 8, 4, 2};
  eval::TrainBudget budget;  // hwnas's defaults: SGD 0.05, momentum 0.9, wd 5e-4, cosine
};

[[noreturn]] void usage(const std::string& problem) {
  if (!problem.empty()) fmt::print(stderr, "train_bench: {}\n", problem);
  fmt::print(stderr,
             "usage: train_bench [--accuracy | --bits [LIST]] [--network FILE] [--data SPEC]\n"
             "                   [--reps N] [--images N] [--train-images N] [--epochs N]\n"
             "                   [--threads N] [--batch-size N] [--lr X] [--seed N]\n"
             "  default: throughput of hwnas::eval::train against a bare libtorch loop\n"
             "  --accuracy: test accuracy after --epochs (2) on --train-images (0 = all)\n"
             "  --bits LIST: the same at each bit width of LIST (default 16,8,4,2)\n");
  std::exit(2);
}

int to_int(const std::string& option, const std::string& text) {
  try {
    std::size_t end = 0;
    const long long v = std::stoll(text, &end);
    if (end == text.size() && v >= 0 && v <= std::numeric_limits<int>::max()) {
      return static_cast<int>(v);
    }
  } catch (const std::logic_error&) {
    // Falls through to the usage message below.
  }
  usage(fmt::format("{} takes a non-negative integer, not '{}'", option, text));
}

Options parse(int argc, char** argv) {
  Options o;
  o.budget.threads = 2;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage(fmt::format("{} needs a value", arg));
      return argv[++i];
    };
    if (arg == "--accuracy") {
      o.mode = "accuracy";
    } else if (arg == "--bits") {
      o.mode = "bits";
      if (i + 1 < argc && argv[i + 1][0] != '-') {
        o.bits.clear();
        const std::string list = value();
        for (std::size_t p = 0; p < list.size();) {
          const std::size_t comma = std::min(list.find(',', p), list.size());
          o.bits.push_back(to_int("--bits", list.substr(p, comma - p)));
          p = comma + 1;
        }
      }
    } else if (arg == "--network") {
      o.network = value();
    } else if (arg == "--data") {
      o.data = value();
    } else if (arg == "--reps") {
      o.repetitions = to_int(std::string(arg), value());
    } else if (arg == "--images") {
      o.images = to_int(std::string(arg), value());
    } else if (arg == "--train-images") {
      o.train_images = to_int(std::string(arg), value());
    } else if (arg == "--epochs") {
      o.epochs = to_int(std::string(arg), value());
    } else if (arg == "--threads") {
      o.budget.threads = to_int(std::string(arg), value());
    } else if (arg == "--batch-size") {
      o.budget.batch_size = to_int(std::string(arg), value());
    } else if (arg == "--lr") {
      const std::string text = value();
      try {
        o.budget.learning_rate = std::stod(text);
      } catch (const std::logic_error&) {
        usage(fmt::format("--lr takes a number, not '{}'", text));
      }
    } else if (arg == "--seed") {
      o.budget.seed = to_int(std::string(arg), value());
    } else if (arg == "--help" || arg == "-h") {
      usage("");
    } else {
      usage(fmt::format("unknown option '{}'", arg));
    }
  }
  if (o.repetitions < 1 || o.images < 1 || o.epochs < 1 || o.bits.empty()) {
    usage("--reps, --images, --epochs and --bits must be positive");
  }
  return o;
}

// The q-quantile (0 <= q <= 1) by linear interpolation between order statistics.
double quantile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  const double at = q * static_cast<double>(v.size() - 1);
  const std::size_t lo = static_cast<std::size_t>(at);
  const std::size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (at - static_cast<double>(lo)) * (v[hi] - v[lo]);
}
double median(const std::vector<double>& v) {
  return quantile(v, 0.5);
}

// Ratios hwnas/bare of one measurement: of the two medians, and the median of the ratios of
// pairs measured next to each other. Under load that comes and goes, speeds are bimodal (quiet
// or busy), and a median of 7 runs can fall in the quiet mode for one loop and the busy one for
// the other; a pair's two members mostly share the same mode, so the median of pair ratios is
// the steadier figure.
struct Ratios {
  double of_medians = 0;
  double median_of_pairs = 0;
};

// ---- the bare libtorch loop ------------------------------------------------------------------

// The reference CNN written directly in libtorch, module for module in the order TorchNetwork
// registers them, so that the same torch seed gives the same initial weights (checked below).
torch::nn::Sequential bare_reference_cnn() {
  namespace nn = torch::nn;
  // One push_back per module: the arguments of a single Sequential(...) call would be
  // constructed in an unspecified order (right to left with GCC), drawing the initial weights
  // from the generator in a different order.
  nn::Sequential model;
  model->push_back(nn::Conv2d(nn::Conv2dOptions(1, 32, 3).padding(1).bias(false)));
  model->push_back(nn::BatchNorm2d(32));
  model->push_back(nn::ReLU());
  model->push_back(nn::MaxPool2d(nn::MaxPool2dOptions(2)));
  model->push_back(nn::Conv2d(nn::Conv2dOptions(32, 64, 3).padding(1).bias(false)));
  model->push_back(nn::BatchNorm2d(64));
  model->push_back(nn::ReLU());
  model->push_back(nn::MaxPool2d(nn::MaxPool2dOptions(2)));
  model->push_back(nn::Flatten());
  model->push_back(nn::Linear(64 * 7 * 7, 128));
  model->push_back(nn::ReLU());
  model->push_back(nn::Linear(128, 10));
  return model;
}

// The trainer's seeded Fisher-Yates shuffle (src/eval/trainer.cpp), repeated here so that the
// bare loop sees the same images in the same batches and its losses can be compared.
void shuffle(std::vector<std::size_t>& order, Rng& rng) {
  for (std::size_t i = order.size(); i > 1; --i) {
    std::swap(order[i - 1],
              order[static_cast<std::size_t>(rng.uniform_int(0, static_cast<int64_t>(i) - 1))]);
  }
}

// The bare loop. Per batch it does what every training loop must: select the batch, zero the
// gradients, forward, loss, read the loss (to log it and to stop on NaN), backward, step; plus
// the per-batch cosine learning rate that hwnas also sets. Nothing else: no accuracy counting,
// no progress callback. The data are prepared as the trainer prepares them (the first
// `train_images` of a seeded shuffle, floats in [0, 1], one seeded shuffle per epoch), outside
// the timed part in both.
class BareLoop {
 public:
  BareLoop(const data::Dataset& set, const eval::TrainBudget& budget)
      : budget_(budget), rng_(budget.seed) {
    torch::set_num_threads(budget.threads);
    std::vector<std::size_t> order(set.size());
    std::iota(order.begin(), order.end(), 0);
    shuffle(order, rng_);
    n_ = budget.train_images == 0 ? order.size() : std::min(budget.train_images, order.size());
    const std::size_t bytes = set.image_bytes();
    images_ = torch::empty({static_cast<int64_t>(n_), set.channels, set.height, set.width},
                           torch::kUInt8);
    labels_ = torch::empty({static_cast<int64_t>(n_)}, torch::kInt64);
    for (std::size_t k = 0; k < n_; ++k) {
      std::copy_n(set.pixels.begin() + static_cast<std::ptrdiff_t>(order[k] * bytes), bytes,
                  images_.data_ptr<std::uint8_t>() + k * bytes);
      labels_.data_ptr<int64_t>()[k] = set.labels[order[k]];
    }
    images_ = images_.to(torch::kFloat32).div_(255.0);
    batches_ = (static_cast<int64_t>(n_) + budget.batch_size - 1) / budget.batch_size;
    epoch_order_.resize(n_);
  }

  std::size_t images() const { return n_; }
  // Mean training loss over the batches of the current epoch so far.
  double mean_loss() const { return seen_ > 0 ? loss_sum_ / static_cast<double>(seen_) : 0; }

  void begin_epoch() {
    std::vector<std::size_t> perm(n_);
    std::iota(perm.begin(), perm.end(), 0);
    shuffle(perm, rng_);
    std::copy(perm.begin(), perm.end(), epoch_order_.begin());
    index_ = torch::from_blob(epoch_order_.data(), {static_cast<int64_t>(n_)}, torch::kInt64);
    batch_ = 0;
    loss_sum_ = 0;
    seen_ = 0;
  }

  // Batch `batch_` of the current epoch.
  void step() {
    const int64_t total_steps = batches_ * budget_.epochs;
    const double lr = 0.5 * budget_.learning_rate *
                      (1 + std::cos(M_PI * static_cast<double>(step_) / total_steps));
    for (auto& group : optimizer_.param_groups()) group.options().set_lr(lr);
    const int64_t size = budget_.batch_size;
    const auto rows = index_.slice(0, batch_ * size, std::min<int64_t>((batch_ + 1) * size, n_));
    const auto x = images_.index_select(0, rows);
    const auto y = labels_.index_select(0, rows);
    optimizer_.zero_grad();
    const auto loss = torch::nn::functional::cross_entropy(model_->forward(x), y);
    const double value = loss.item<double>();
    if (!std::isfinite(value)) throw std::runtime_error("the bare loop diverged");
    loss.backward();
    optimizer_.step();
    loss_sum_ += value * static_cast<double>(rows.size(0));
    seen_ += rows.size(0);
    ++batch_;
    ++step_;
  }

  // Trains for budget.epochs; returns training images per second (the loop only).
  double run() {
    const auto start = std::chrono::steady_clock::now();
    for (int epoch = 1; epoch <= budget_.epochs; ++epoch) {
      begin_epoch();
      for (int64_t b = 0; b < batches_; ++b) step();
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return static_cast<double>(n_) * budget_.epochs / seconds;
  }

 private:
  eval::TrainBudget budget_;
  Rng rng_;
  std::size_t n_ = 0;
  torch::Tensor images_, labels_, index_;
  std::vector<int64_t> epoch_order_;
  // Seeded here, in the member initialisers, which run before the constructor's body.
  torch::nn::Sequential model_ = make_model(budget_.seed);
  torch::optim::SGD optimizer_{model_->parameters(), torch::optim::SGDOptions(budget_.learning_rate)
                                                         .momentum(budget_.momentum)
                                                         .weight_decay(budget_.weight_decay)};
  int64_t batches_ = 0, batch_ = 0, step_ = 0, seen_ = 0;
  double loss_sum_ = 0;

  static torch::nn::Sequential make_model(std::uint64_t seed) {
    torch::manual_seed(seed);
    return bare_reference_cnn();
  }
};

// The comparison is only fair if both loops train the same model: same parameter shapes, in
// the same order, with the same initial values under the same seed.
void check_same_model(const ir::Network& network, std::uint64_t seed) {
  torch::manual_seed(seed);
  eval::TorchNetwork hwnas_model(network);
  torch::manual_seed(seed);
  auto bare = bare_reference_cnn();
  const auto a = hwnas_model->parameters();
  const auto b = bare->parameters();
  bool same = a.size() == b.size();
  for (std::size_t i = 0; same && i < a.size(); ++i) {
    same = a[i].sizes() == b[i].sizes() && torch::equal(a[i], b[i]);
  }
  if (!same) {
    throw std::runtime_error(
        "the bare loop's CNN differs from " + network.name +
        " (parameter shapes or initial values): the throughput comparison would not be fair");
  }
}

// ---- modes -----------------------------------------------------------------------------------

// Whole runs, interleaved: bare, hwnas, bare, hwnas, ... Each run's images/s comes from its own
// clock around the training loop only (hwnas: TrainResult::images_per_s).
Ratios whole_runs(const Options& o, const ir::Network& network, const data::Split& split,
                  const eval::TrainBudget& budget, const eval::Progress& progress) {
  std::vector<double> bare, ours, pairs;
  double bare_loss = 0, ours_loss = 0;
  for (int rep = 0; rep <= o.repetitions; ++rep) {
    BareLoop loop(split.train, budget);
    const double bare_rate = loop.run();
    const eval::TrainResult h = eval::train(network, split, budget, progress);
    if (h.status != eval::TrainStatus::ok) throw std::runtime_error("hwnas diverged: " + h.reason);
    bare_loss = loop.mean_loss();
    ours_loss = h.epochs.back().loss;
    fmt::print("  run {:>2} {:<7}  bare {:6.0f} images/s   hwnas {:6.0f} images/s   ({:.3f})\n",
               rep, rep == 0 ? "warm-up" : "", bare_rate, h.images_per_s,
               h.images_per_s / bare_rate);
    std::fflush(stdout);
    if (rep == 0) continue;
    bare.push_back(bare_rate);
    ours.push_back(h.images_per_s);
    pairs.push_back(h.images_per_s / bare_rate);
  }
  const Ratios ratios{median(ours) / median(bare), median(pairs)};
  fmt::print(
      "  median: bare {:.0f} images/s, hwnas {:.0f} images/s; ratio of medians {:.3f}, median of "
      "the {} pair ratios {:.3f}\n",
      median(bare), median(ours), ratios.of_medians, pairs.size(), ratios.median_of_pairs);
  // Same weights, same batches, same optimizer: equal mean training losses show that both loops
  // did the same work.
  fmt::print("  mean training loss of the last run: bare {:.5f}, hwnas {:.5f}\n", bare_loss,
             ours_loss);
  return ratios;
}

// Batches, interleaved: one bare batch runs inside each hwnas progress callback, so the two
// loops alternate every few milliseconds and a burst of load from other processes falls on both.
// The time from one callback's return to the next callback's call is one hwnas batch (its
// forward, loss, backward, step, accuracy counting and the callback's call); the time spent in
// the callback is one bare batch. The first batch of each is left out (hwnas's starts before the
// first callback can see it).
Ratios paired_batches(const Options& o, const ir::Network& network, const data::Split& split,
                      const eval::TrainBudget& budget) {
  std::vector<double> bare_s, ours_s;  // per batch
  int64_t bare_images = 0, ours_images = 0;
  for (int rep = 0; rep < o.repetitions; ++rep) {
    BareLoop loop(split.train, budget);
    loop.begin_epoch();
    using Clock = std::chrono::steady_clock;
    Clock::time_point last_return;
    int64_t calls = 0, last_seen = 0;
    const eval::Progress progress = [&](const eval::EpochLog&, double) {
      const auto enter = Clock::now();
      ++calls;
      // Images in this hwnas batch: the batch size except for a last, partial one.
      const int64_t seen =
          std::min<int64_t>(calls * budget.batch_size, static_cast<int64_t>(loop.images()));
      if (calls > 1) {
        ours_s.push_back(std::chrono::duration<double>(enter - last_return).count());
        ours_images += seen - last_seen;
      }
      last_seen = seen;
      loop.step();
      last_return = Clock::now();
      if (calls > 1) {
        bare_s.push_back(std::chrono::duration<double>(last_return - enter).count());
        bare_images += seen - (calls - 1) * budget.batch_size;
      }
    };
    const eval::TrainResult h = eval::train(network, split, budget, progress);
    if (h.status != eval::TrainStatus::ok) throw std::runtime_error("hwnas diverged: " + h.reason);
    fmt::print("  pass {}: mean training loss bare {:.5f}, hwnas {:.5f}\n", rep + 1,
               loop.mean_loss(), h.epochs.back().loss);
  }
  std::vector<double> pairs(bare_s.size());  // hwnas batch k, then bare batch k
  for (std::size_t k = 0; k < pairs.size(); ++k) pairs[k] = bare_s[k] / ours_s[k];
  const double bare_total = std::accumulate(bare_s.begin(), bare_s.end(), 0.0);
  const double ours_total = std::accumulate(ours_s.begin(), ours_s.end(), 0.0);
  const double bare_rate = static_cast<double>(bare_images) / bare_total;
  const double ours_rate = static_cast<double>(ours_images) / ours_total;
  const Ratios ratios{median(bare_s) / median(ours_s), median(pairs)};
  fmt::print("  {} batch pairs: bare {:.0f} images/s, hwnas {:.0f} images/s overall ({:.3f})\n",
             pairs.size(), bare_rate, ours_rate, ours_rate / bare_rate);
  for (const auto& [name, times] : {std::pair{"bare", &bare_s}, std::pair{"hwnas", &ours_s}}) {
    fmt::print("  {:<5} batch ms: 10% {:.1f}, median {:.1f}, 90% {:.1f}\n", name,
               1e3 * quantile(*times, 0.1), 1e3 * median(*times), 1e3 * quantile(*times, 0.9));
  }
  fmt::print("  ratio of median batch times {:.3f}, median of the pair ratios {:.3f}\n",
             ratios.of_medians, ratios.median_of_pairs);
  return ratios;
}

int run_throughput(const Options& o, const ir::Network& network, const data::Split& split) {
  check_same_model(network, o.budget.seed);
  eval::TrainBudget budget = o.budget;
  budget.epochs = 1;
  budget.train_images = o.images;
  budget.test_images = 256;  // evaluated after the timed loop; kept small to save wall time
  fmt::print(
      "throughput: {} on {} images per run, batch {}, {} threads, SGD lr {} momentum {} "
      "wd {}, cosine\n",
      network.name, o.images, budget.batch_size, budget.threads, budget.learning_rate,
      budget.momentum, budget.weight_decay);
  // hwnas gets a progress callback as cheap as the CLI's off a terminal.
  int64_t calls = 0;
  const eval::Progress progress = [&](const eval::EpochLog&, double) { ++calls; };
  fmt::print("whole runs, interleaved ({} of each after one warm-up each):\n", o.repetitions);
  const Ratios runs = whole_runs(o, network, split, budget, progress);
  fmt::print("batches, interleaved ({} passes):\n", o.repetitions);
  const Ratios batches = paired_batches(o, network, split, budget);
  fmt::print(
      "ratio hwnas/bare (target >= 0.9): whole runs {:.3f} (medians) {:.3f} (pairs); batches "
      "{:.3f} (medians) {:.3f} (pairs)\n",
      runs.of_medians, runs.median_of_pairs, batches.of_medians, batches.median_of_pairs);
  return 0;
}

eval::TrainResult train_reported(const Options& o, const ir::Network& network,
                                 const data::Split& split) {
  eval::TrainBudget budget = o.budget;
  budget.epochs = o.epochs;
  budget.train_images = o.train_images;
  const eval::Progress progress = [&](const eval::EpochLog& log, double fraction) {
    if (fraction < 1.0) return;
    fmt::print(stderr, "  epoch {}/{}: loss {:.4f}, train accuracy {:.4f}, {:.0f} images/s\n",
               log.epoch, budget.epochs, log.loss, log.train_accuracy, log.images_per_s);
  };
  return eval::train(network, split, budget, progress);
}

std::string describe(const Options& o, const ir::Network& network, const data::Split& split) {
  const std::size_t n =
      o.train_images == 0 ? split.train.size() : std::min(o.train_images, split.train.size());
  return fmt::format(
      "{}, {} epochs on {} training images, tested on {}; batch {}, {} threads, "
      "SGD lr {} momentum {} wd {}, cosine, seed {}",
      network.name, o.epochs, n, split.test.size(), o.budget.batch_size, o.budget.threads,
      o.budget.learning_rate, o.budget.momentum, o.budget.weight_decay, o.budget.seed);
}

int run_accuracy(const Options& o, const ir::Network& network, const data::Split& split) {
  fmt::print("accuracy: {}\n", describe(o, network, split));
  std::fflush(stdout);  // before the epochs' lines on stderr
  const eval::TrainResult r = train_reported(o, network, split);
  if (r.status != eval::TrainStatus::ok) {
    fmt::print("diverged: {}\n", r.reason);
    return 1;
  }
  fmt::print("test accuracy {:.4f}; trained in {:.1f} s ({:.0f} images/s)\n", r.test_accuracy,
             r.seconds, r.images_per_s);
  return 0;
}

int run_bits(const Options& o, const ir::Network& network, const data::Split& split) {
  fmt::print("bits: {}\n", describe(o, network, split));
  std::fflush(stdout);
  std::vector<std::string> rows;
  for (const int b : o.bits) {
    // Every layer, weights and activations: the layers without weights carry act bits too,
    // since a stored ReLU or pool output is quantized at its own layer's bits.
    ir::Network quantized = network;
    for (auto& layer : quantized.layers) layer.bits = {b, b};
    fmt::print(stderr, "{} bits:\n", b);
    const eval::TrainResult r = train_reported(o, quantized, split);
    const std::string accuracy = r.status == eval::TrainStatus::ok
                                     ? fmt::format("{:.2f}%", 100 * r.test_accuracy)
                                     : "diverged (" + r.reason + ")";
    rows.push_back(
        fmt::format("| {} | {} | {:.0f} | {:.0f} |", b, accuracy, r.seconds, r.images_per_s));
    fmt::print("  {} bits: {}\n", b, accuracy);
    std::fflush(stdout);
  }
  fmt::print(
      "\n| bits (weights and activations) | test accuracy | training s | images/s |\n"
      "|---|---|---|---|\n");
  for (const auto& row : rows) fmt::print("{}\n", row);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);
  try {
    const ir::Network network = io::read_network_file(o.network);
    const data::Split split = data::load(o.data);
    if (o.mode == "accuracy") return run_accuracy(o, network, split);
    if (o.mode == "bits") return run_bits(o, network, split);
    return run_throughput(o, network, split);
  } catch (const InputError& e) {
    fmt::print(stderr, "train_bench: {}: {}: {}\n", e.where(), e.key(), e.reason());
    return 2;
  } catch (const std::exception& e) {
    fmt::print(stderr, "train_bench: {}\n", e.what());
    return 1;
  }
}
