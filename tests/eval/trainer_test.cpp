#include "hwnas/eval/trainer.hpp"

#include <gtest/gtest.h>

#include "hwnas/core/error.hpp"
#include "hwnas/eval/torch_network.hpp"

namespace hwnas::eval {
namespace {

ir::Layer layer(ir::LayerKind kind) {
  ir::Layer l;
  l.kind = kind;
  return l;
}
ir::Layer conv(int out, int kernel, int pad, ir::Bits bits = {}) {
  ir::Layer l = layer(ir::LayerKind::conv);
  l.out = out;
  l.kernel = kernel;
  l.pad = pad;
  l.bits = bits;
  return l;
}

// conv 3x3 (8) + relu + 2x2 max pool + linear 10, on 28x28 grey images.
ir::Network tiny() {
  ir::Network net;
  net.name = "tiny";
  net.input = {1, 28, 28};
  ir::Layer pool = layer(ir::LayerKind::maxpool);
  pool.kernel = pool.stride = 2;
  ir::Layer fc = layer(ir::LayerKind::linear);
  fc.out = 10;
  net.layers = {conv(8, 3, 1), layer(ir::LayerKind::relu), pool, fc};
  ir::assign_default_names(net);
  return net;
}

const data::Split& fashion() {
  static const data::Split split = data::load("fashion-mnist");
  return split;
}

TrainBudget small_budget() {
  TrainBudget b;
  b.epochs = 3;
  b.train_images = 600;
  b.validation_images = 100;
  b.test_images = 500;
  b.batch_size = 32;
  b.learning_rate = 0.05;
  b.threads = 2;
  b.seed = 7;
  return b;
}

TEST(Forward, HandComputedConvAddAndPools) {
  // Input [[1, 2], [3, 4]]; a 2x2 conv with every weight 0.5 gives 0.5 * 10 = 5 (fp32 bits, so
  // no quantization); relu keeps it; adding the conv's output to itself gives 10.
  ir::Network net;
  net.input = {1, 2, 2};
  ir::Layer c = conv(1, 2, 0, {32, 32});
  c.bias = false;
  c.name = "c";
  ir::Layer relu = layer(ir::LayerKind::relu);
  relu.bits = {32, 32};
  ir::Layer add = layer(ir::LayerKind::add);
  add.inputs = {"relu1", "c"};
  add.bits = {32, 32};
  net.layers = {c, relu, add};
  ir::assign_default_names(net);
  TorchNetwork model(net);
  auto& module = dynamic_cast<torch::nn::Conv2dImpl&>(model->layer_module(0));
  torch::NoGradGuard no_grad;
  module.weight.fill_(0.5);
  const auto out = model->forward(torch::tensor({1.0f, 2.0f, 3.0f, 4.0f}).view({1, 1, 2, 2}));
  EXPECT_FLOAT_EQ(out.item<float>(), 10.0f);

  // Average pool 2x2 of [[1, 2], [3, 4]] = 2.5; max pool = 4; global average = 2.5.
  for (const auto& [kind, expected] :
       {std::pair{ir::LayerKind::avgpool, 2.5f}, std::pair{ir::LayerKind::maxpool, 4.0f},
        std::pair{ir::LayerKind::global_avgpool, 2.5f}}) {
    ir::Network p;
    p.input = {1, 2, 2};
    ir::Layer pool = layer(kind);
    pool.kernel = pool.stride = 2;
    pool.bits = {32, 32};
    p.layers = {pool};
    ir::assign_default_names(p);
    TorchNetwork pm(p);
    EXPECT_FLOAT_EQ(
        pm->forward(torch::tensor({1.0f, 2.0f, 3.0f, 4.0f}).view({1, 1, 2, 2})).item<float>(),
        expected);
  }
}

TEST(Forward, ZeroLayerGivesZerosAndDottedNamesWork) {
  // A zero layer reading a conv: zeros of the conv's shape, and the conv after it sees only its
  // bias. Names with dots (as NAS-Bench-201 decoding gives) still make valid torch modules.
  ir::Network net;
  net.input = {2, 3, 3};
  ir::Layer c = conv(4, 3, 1, {32, 32});
  c.name = "s1c0.n1<-0.conv";
  ir::Layer z = layer(ir::LayerKind::zero);
  z.name = "s1c0.n2.zero";
  z.bits = {32, 32};
  ir::Layer after = conv(5, 1, 0, {32, 32});
  after.name = "s1c0.n3<-2.conv";
  net.layers = {c, z, after};
  TorchNetwork model(net);
  auto& last = dynamic_cast<torch::nn::Conv2dImpl&>(model->layer_module(2));
  torch::NoGradGuard no_grad;
  last.bias.copy_(torch::tensor({1.0f, 2.0f, 3.0f, 4.0f, 5.0f}));
  const auto out = model->forward(torch::randn({2, 2, 3, 3}));
  ASSERT_EQ(out.sizes(), (std::vector<std::int64_t>{2, 5 * 3 * 3}));
  const auto expected = torch::tensor({1.0f, 2.0f, 3.0f, 4.0f, 5.0f})
                            .view({1, 5, 1, 1})
                            .expand({2, 5, 3, 3})
                            .reshape({2, 45});
  EXPECT_TRUE(torch::equal(out, expected)) << out;

  // The zero layer alone: zeros shaped like the input, at any bits.
  ir::Network alone;
  alone.input = {3, 4, 4};
  ir::Layer only = layer(ir::LayerKind::zero);
  only.name = "z";
  only.bits = {8, 8};
  alone.layers = {only};
  TorchNetwork zm(alone);
  const auto zeros = zm->forward(torch::randn({1, 3, 4, 4}));
  EXPECT_EQ(zeros.sizes(), (std::vector<std::int64_t>{1, 48}));
  EXPECT_EQ(zeros.abs().max().item<float>(), 0.0f);
}

TEST(Train, TinyNetworkLearnsFashionMnist) {
  const TrainResult r = train(tiny(), fashion(), small_budget());
  ASSERT_EQ(r.status, TrainStatus::ok) << r.reason;
  ASSERT_EQ(r.epochs.size(), 3u);
  EXPECT_LT(r.epochs.back().loss, r.epochs.front().loss);
  EXPECT_GT(r.test_accuracy, 0.5);  // chance is 0.1
  EXPECT_GT(r.validation_accuracy, 0.4);
  EXPECT_GT(r.images_per_s, 0);
}

TEST(Train, SameSeedSameResult) {
  const TrainResult a = train(tiny(), fashion(), small_budget());
  const TrainResult b = train(tiny(), fashion(), small_budget());
  TrainBudget other = small_budget();
  other.seed = 8;
  const TrainResult c = train(tiny(), fashion(), other);
  EXPECT_EQ(a.test_accuracy, b.test_accuracy);
  ASSERT_EQ(a.epochs.size(), b.epochs.size());
  for (std::size_t e = 0; e < a.epochs.size(); ++e) EXPECT_EQ(a.epochs[e].loss, b.epochs[e].loss);
  EXPECT_NE(a.epochs.back().loss, c.epochs.back().loss);
}

TEST(Train, DivergenceIsAStatusNotACrash) {
  TrainBudget budget = small_budget();
  budget.learning_rate = 1e12;
  budget.cosine_schedule = false;
  const TrainResult r = train(tiny(), fashion(), budget);
  EXPECT_EQ(r.status, TrainStatus::diverged);
  EXPECT_NE(r.reason.find("loss became"), std::string::npos) << r.reason;
}

TEST(Train, NetworkThatDoesNotMatchTheDataIsAnError) {
  ir::Network net = tiny();
  net.input = {3, 32, 32};
  try {
    train(net, fashion(), small_budget());
    FAIL();
  } catch (const InputError& e) {
    EXPECT_STREQ(
        e.what(),
        "tiny: input: the network takes 3x32x32 images but fashion-mnist/train has 1x28x28");
  }
}

}  // namespace
}  // namespace hwnas::eval
