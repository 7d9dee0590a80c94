#include "hwnas/search/controller.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <torch/torch.h>

#include "hwnas/core/error.hpp"
#include "hwnas/core/rng.hpp"

namespace hwnas::search {

namespace {

void check_reward_params(const FnasRewardParams& p) {
  const auto require = [](bool ok, const char* field, const std::string& reason) {
    if (!ok) throw InputError("FNAS reward", field, reason);
  };
  require(std::isfinite(p.latency_spec_ms) && p.latency_spec_ms >= 0, "latency_spec_ms",
          fmt::format("must be a finite number >= 0 (0 = no spec), got {}", p.latency_spec_ms));
  require(std::isfinite(p.latency_weight), "latency_weight",
          fmt::format("must be finite, got {}", p.latency_weight));
  require(std::isfinite(p.infeasible_reward), "infeasible_reward",
          fmt::format("must be finite, got {}", p.infeasible_reward));
  require(std::isfinite(p.violation_weight) && p.violation_weight >= 0, "violation_weight",
          fmt::format("must be a finite number >= 0, got {}", p.violation_weight));
  require(std::isfinite(p.violation_cap) && p.violation_cap >= 0, "violation_cap",
          fmt::format("must be a finite number >= 0, got {}", p.violation_cap));
}

// Everything in double: the tensors are tiny, and double makes it vanishingly unlikely that a
// sample lands on a different side of a cumulative-probability boundary on another machine.
// torch's thread count is left alone (it is process-wide and the trainer sets it): the tensors are
// far below torch's parallel grain size, so the results do not depend on it (checked: the same
// asks with OMP_NUM_THREADS=1 and 4).
constexpr auto kDtype = torch::kFloat64;

// The recurrent policy. Modules are registered in a fixed order, so parameters() lists them in
// that order and the seeded initialisation below is the same on every run.
class PolicyImpl : public torch::nn::Module {
 public:
  PolicyImpl(const std::vector<int>& cardinalities, int embedding_size, int hidden_size)
      : embedding_size_(embedding_size), hidden_size_(hidden_size) {
    start_ = register_parameter("start", torch::zeros({1, embedding_size}, kDtype));
    lstm_ = register_module(
        "lstm", torch::nn::LSTMCell(torch::nn::LSTMCellOptions(embedding_size, hidden_size)));
    for (std::size_t t = 0; t < cardinalities.size(); ++t) {
      heads_.push_back(register_module(fmt::format("head{}", t),
                                       torch::nn::Linear(hidden_size, cardinalities[t])));
      // The last gene's value never feeds a later step, so it needs no embedding.
      if (t + 1 < cardinalities.size()) {
        embeddings_.push_back(register_module(
            fmt::format("embed{}", t), torch::nn::Embedding(cardinalities[t], embedding_size)));
      }
    }
    to(kDtype);
  }

  std::size_t genes() const { return heads_.size(); }

  // Starts a batch of `batch` sequences.
  void reset(int64_t batch) {
    batch_ = batch;
    h_ = torch::zeros({batch, hidden_size_}, kDtype);
    c_ = torch::zeros({batch, hidden_size_}, kDtype);
  }

  // The logits for gene t, given the values chosen for gene t-1 (int64 [batch]; ignored at t = 0).
  torch::Tensor step(std::size_t t, const torch::Tensor& previous) {
    const torch::Tensor input =
        t == 0 ? start_.expand({batch_, embedding_size_}) : embeddings_[t - 1]->forward(previous);
    std::tie(h_, c_) = lstm_->forward(input, std::make_tuple(h_, c_));
    return heads_[t]->forward(h_);
  }

 private:
  int64_t embedding_size_;
  int64_t hidden_size_;
  int64_t batch_ = 0;
  torch::Tensor start_;
  torch::nn::LSTMCell lstm_{nullptr};
  std::vector<torch::nn::Embedding> embeddings_;
  std::vector<torch::nn::Linear> heads_;
  torch::Tensor h_, c_;
};
TORCH_MODULE(Policy);

class FnasController final : public Algorithm {
 public:
  FnasController(std::vector<int> cardinalities, const ControllerParams& params)
      : cardinalities_(std::move(cardinalities)),
        params_(params),
        rng_(params.seed),
        policy_(cardinalities_, params.embedding_size, params.hidden_size) {
    // Seeded initialisation with hwnas::Rng rather than torch's global generator, which any other
    // torch code in the process may reseed or advance.
    torch::NoGradGuard no_grad;
    for (auto& parameter : policy_->parameters()) {
      auto flat = parameter.view({-1});
      auto* data = flat.data_ptr<double>();
      for (int64_t i = 0; i < flat.numel(); ++i) {
        data[i] = (2.0 * rng_.uniform01() - 1.0) * params_.init_range;
      }
    }
    optimizer_ = std::make_unique<torch::optim::Adam>(
        policy_->parameters(), torch::optim::AdamOptions(params_.learning_rate));
  }

  std::string_view name() const override { return "fnas-rl"; }

  std::vector<space::Genotype> ask(std::size_t count) override {
    if (count == 0) throw std::invalid_argument("fnas-rl: ask(0); ask for at least one genotype");
    if (!pending_.empty()) {
      throw std::invalid_argument(
          fmt::format("fnas-rl: ask before the outcomes of the previous {} genotypes were told",
                      pending_.size()));
    }
    torch::NoGradGuard no_grad;
    const auto batch = static_cast<int64_t>(count);
    std::vector<space::Genotype> genotypes(count, space::Genotype(cardinalities_.size()));
    policy_->reset(batch);
    torch::Tensor previous;
    std::vector<int64_t> chosen(count);
    for (std::size_t t = 0; t < cardinalities_.size(); ++t) {
      const torch::Tensor probs =
          torch::softmax(policy_->step(t, previous), /*dim=*/1).contiguous();
      const double* p = probs.data_ptr<double>();
      const int card = cardinalities_[t];
      for (std::size_t row = 0; row < count; ++row) {
        chosen[row] = sample(p + row * static_cast<std::size_t>(card), card);
        genotypes[row][t] = static_cast<int>(chosen[row]);
      }
      previous = torch::tensor(chosen, torch::kInt64);
    }
    pending_ = genotypes;
    return genotypes;
  }

  void tell(const std::vector<Outcome>& outcomes) override {
    if (pending_.empty()) throw std::invalid_argument("fnas-rl: tell without a preceding ask");
    if (outcomes.size() != pending_.size()) {
      throw std::invalid_argument(
          fmt::format("fnas-rl: told {} outcomes but {} genotypes were asked", outcomes.size(),
                      pending_.size()));
    }
    for (std::size_t i = 0; i < outcomes.size(); ++i) {
      if (outcomes[i].genotype != pending_[i]) {
        throw std::invalid_argument(
            fmt::format("fnas-rl: outcome {} is for genotype {} but {} was asked there", i,
                        space::to_string(outcomes[i].genotype), space::to_string(pending_[i])));
      }
    }
    std::vector<double> rewards(outcomes.size());
    for (std::size_t i = 0; i < outcomes.size(); ++i) {
      rewards[i] = fnas_reward(outcomes[i], params_.reward);
    }
    if (!baseline_) {
      baseline_ = std::accumulate(rewards.begin(), rewards.end(), 0.0) /
                  static_cast<double>(rewards.size());
    }
    update_policy(rewards, *baseline_);
    for (const double reward : rewards) {
      *baseline_ = params_.baseline_decay * *baseline_ + (1 - params_.baseline_decay) * reward;
    }
    pending_.clear();
  }

 private:
  // Inverse-CDF draw with the controller's own generator. Falls back to the last value with
  // non-zero probability when rounding leaves the cumulative sum just below the draw.
  int64_t sample(const double* probs, int card) {
    const double u = rng_.uniform01();
    double cumulative = 0;
    int64_t last_possible = 0;
    for (int v = 0; v < card; ++v) {
      if (probs[v] <= 0) continue;
      last_possible = v;
      cumulative += probs[v];
      if (u < cumulative) return v;
    }
    return last_possible;
  }

  void update_policy(const std::vector<double>& rewards, double baseline) {
    // The caller may hold a NoGradGuard; the update needs autograd whatever the caller does.
    torch::AutoGradMode enable_grad(true);
    const auto batch = static_cast<int64_t>(pending_.size());
    policy_->reset(batch);
    torch::Tensor log_prob = torch::zeros({batch}, kDtype);
    torch::Tensor entropy = torch::zeros({batch}, kDtype);
    torch::Tensor previous;
    std::vector<int64_t> chosen(pending_.size());
    for (std::size_t t = 0; t < cardinalities_.size(); ++t) {
      const torch::Tensor log_p = torch::log_softmax(policy_->step(t, previous), /*dim=*/1);
      for (std::size_t row = 0; row < pending_.size(); ++row) chosen[row] = pending_[row][t];
      const torch::Tensor index = torch::tensor(chosen, torch::kInt64);
      log_prob = log_prob + log_p.gather(1, index.unsqueeze(1)).squeeze(1);
      entropy = entropy - (log_p.exp() * log_p).sum(1);
      previous = index;
    }
    std::vector<double> advantage(rewards.size());
    for (std::size_t i = 0; i < rewards.size(); ++i) advantage[i] = rewards[i] - baseline;
    const torch::Tensor advantages = torch::tensor(advantage, kDtype);
    const torch::Tensor loss =
        -(advantages * log_prob).mean() - params_.entropy_weight * entropy.mean();
    optimizer_->zero_grad();
    loss.backward();
    if (params_.max_grad_norm > 0) {
      torch::nn::utils::clip_grad_norm_(policy_->parameters(), params_.max_grad_norm);
    }
    optimizer_->step();
  }

  std::vector<int> cardinalities_;
  ControllerParams params_;
  Rng rng_;
  Policy policy_;
  std::unique_ptr<torch::optim::Adam> optimizer_;
  std::vector<space::Genotype> pending_;
  std::optional<double> baseline_;
};

}  // namespace

double fnas_reward(const Outcome& outcome, const FnasRewardParams& params) {
  check_reward_params(params);
  // A run with its own reward (MnasNet's soft latency term) has already weighed latency.
  if (outcome.feasible && !std::isnan(outcome.reward)) return outcome.reward;
  if (outcome.feasible && !std::isnan(outcome.accuracy)) {
    double reward = outcome.accuracy;
    if (params.latency_spec_ms > 0 && !std::isnan(outcome.latency_ms)) {
      reward += params.latency_weight * outcome.latency_ms / params.latency_spec_ms;
    }
    return reward;
  }
  // NaN violation (not filled in) counts as none; +inf takes the cap.
  const double excess = std::isnan(outcome.violation)
                            ? 0.0
                            : std::clamp(outcome.violation, 0.0, params.violation_cap);
  return params.infeasible_reward - params.violation_weight * excess;
}

void check_controller_params(const ControllerParams& params) {
  const auto require = [](bool ok, const char* field, const std::string& reason) {
    if (!ok) throw InputError("controller", field, reason);
  };
  require(params.hidden_size >= 1, "hidden_size",
          fmt::format("must be at least 1, got {}", params.hidden_size));
  require(params.embedding_size >= 1, "embedding_size",
          fmt::format("must be at least 1, got {}", params.embedding_size));
  require(std::isfinite(params.init_range) && params.init_range > 0, "init_range",
          fmt::format("must be a finite number > 0, got {}", params.init_range));
  require(std::isfinite(params.learning_rate) && params.learning_rate > 0, "learning_rate",
          fmt::format("must be a finite number > 0, got {}", params.learning_rate));
  require(std::isfinite(params.entropy_weight) && params.entropy_weight >= 0, "entropy_weight",
          fmt::format("must be a finite number >= 0, got {}", params.entropy_weight));
  require(std::isfinite(params.max_grad_norm) && params.max_grad_norm >= 0, "max_grad_norm",
          fmt::format("must be a finite number >= 0 (0 = no clip), got {}", params.max_grad_norm));
  require(params.baseline_decay >= 0 && params.baseline_decay < 1, "baseline_decay",
          fmt::format("must be in [0, 1), got {}", params.baseline_decay));
  check_reward_params(params.reward);
}

std::unique_ptr<Algorithm> make_fnas_controller(const space::SearchSpace& space,
                                                const ControllerParams& params) {
  check_controller_params(params);
  std::vector<int> cardinalities;
  for (const auto& gene : space.genes()) cardinalities.push_back(gene.cardinality);
  if (cardinalities.empty()) {
    throw InputError("controller", "space",
                     fmt::format("the space '{}' has no genes to choose", space.name()));
  }
  return std::make_unique<FnasController>(std::move(cardinalities), params);
}

}  // namespace hwnas::search
