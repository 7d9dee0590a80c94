#include "hwnas/eval/evaluator.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "hwnas/eval/features.hpp"

namespace hwnas::eval {
namespace {

ir::Layer layer(ir::LayerKind kind) {
  ir::Layer l;
  l.kind = kind;
  return l;
}

// conv 3x3 (4, pad 1) at 8/8 bits + relu + 2x2 max pool + flatten + linear 10 at 4/8 bits.
ir::Network small(int input_side) {
  ir::Network net;
  net.name = "small";
  net.input = {1, input_side, input_side};
  ir::Layer conv = layer(ir::LayerKind::conv);
  conv.out = 4;
  conv.kernel = 3;
  conv.pad = 1;
  conv.bits = {8, 8};
  ir::Layer pool = layer(ir::LayerKind::maxpool);
  pool.kernel = pool.stride = 2;
  ir::Layer fc = layer(ir::LayerKind::linear);
  fc.out = 10;
  fc.bits = {4, 8};
  net.layers = {conv, layer(ir::LayerKind::relu), pool, layer(ir::LayerKind::flatten), fc};
  ir::assign_default_names(net);
  return net;
}

TEST(CacheKey, NetworkNameIsIgnoredButBitsAndBudgetCount) {
  ir::Network a = small(28), b = small(28);
  b.name = "other-name";
  EXPECT_EQ(canonical_network(a), canonical_network(b));
  b.layers[4].bits.weight = 2;
  EXPECT_NE(canonical_network(a), canonical_network(b));

  TrainBudget one, two;
  two.threads = one.threads + 3;  // an execution setting, not part of the key
  EXPECT_EQ(canonical_budget(one), canonical_budget(two));
  two.seed = one.seed + 1;
  EXPECT_NE(canonical_budget(one), canonical_budget(two));
  two = one;
  two.train_images = 1000;
  EXPECT_NE(canonical_budget(one), canonical_budget(two));
}

TEST(CacheKey, TrainResultSurvivesJson) {
  TrainResult r;
  r.status = TrainStatus::diverged;
  r.reason = "loss became nan at epoch 2, batch 3";
  r.test_accuracy = 0.25;
  r.validation_accuracy = 0.5;
  r.seconds = 1.5;
  r.images_per_s = 1000;
  r.epochs = {{1, 2.3, 0.1, 900}, {2, 1.2, 0.6, 1100}};
  const TrainResult back = train_result_from_json(to_json(r));
  EXPECT_EQ(back.status, TrainStatus::diverged);
  EXPECT_EQ(back.reason, r.reason);
  EXPECT_DOUBLE_EQ(back.test_accuracy, 0.25);
  EXPECT_DOUBLE_EQ(back.validation_accuracy, 0.5);
  ASSERT_EQ(back.epochs.size(), 2u);
  EXPECT_DOUBLE_EQ(back.epochs[1].loss, 1.2);
  EXPECT_DOUBLE_EQ(back.epochs[1].images_per_s, 1100);
}

TEST(Features, HandDerivedForASmallNetwork) {
  // On 8x8 inputs: conv 4x8x8 (2304 MACs, 40 params), relu, pool 4x4x4, flatten 64, linear 10
  // (640 MACs, 650 params). Activations 256 + 256 + 64 + 64 + 10 = 650.
  const auto names = accuracy_feature_names();
  const auto values = accuracy_features(small(8));
  ASSERT_EQ(values.size(), names.size());
  const auto at = [&](const std::string& name) {
    const auto it = std::find(names.begin(), names.end(), name);
    EXPECT_NE(it, names.end()) << name;
    return values[static_cast<std::size_t>(it - names.begin())];
  };
  EXPECT_EQ(at("conv_layers"), 1);
  EXPECT_EQ(at("depthwise_layers"), 0);
  EXPECT_EQ(at("linear_layers"), 1);
  EXPECT_EQ(at("pool_layers"), 1);
  EXPECT_EQ(at("weight_layers"), 2);
  EXPECT_NEAR(at("log2_macs"), std::log2(2944.0), 1e-5);
  EXPECT_NEAR(at("log2_params"), std::log2(690.0), 1e-5);
  EXPECT_NEAR(at("log2_activations"), std::log2(650.0), 1e-5);
  EXPECT_NEAR(at("log2_max_channels"), 2.0, 1e-6);                                  // 4 channels
  EXPECT_NEAR(at("log2_downsampling"), 1.0, 1e-6);                                  // 8 -> 4
  EXPECT_NEAR(at("log2_classifier_in"), 6.0, 1e-6);                                 // 64 inputs
  EXPECT_NEAR(at("macs_weighted_wbits"), (2304.0 * 8 + 640.0 * 4) / 2944.0, 1e-5);  // 7.130
  EXPECT_NEAR(at("params_weighted_wbits"), (40.0 * 8 + 650.0 * 4) / 690.0, 1e-5);   // 4.232
  EXPECT_EQ(at("min_wbits"), 4);
  EXPECT_EQ(at("first_wbits"), 8);
  EXPECT_EQ(at("last_wbits"), 4);
  EXPECT_EQ(at("last_abits"), 8);
}

TEST(TrainingEvaluator, SecondEvaluationComesFromTheStoreWithTheSameNumbers) {
  const std::string path = std::string(HWNAS_BINARY_DIR) + "/evaluator_test_cache.sqlite";
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  store::Store store(path);
  TrainBudget budget;
  budget.epochs = 1;
  budget.train_images = 300;
  budget.test_images = 200;
  budget.batch_size = 32;
  budget.optimizer = "adam";
  budget.learning_rate = 3e-3;
  budget.seed = 3;

  TrainingEvaluator evaluator("fashion-mnist", budget, &store);
  const Accuracy first = evaluator.evaluate(small(28));
  ASSERT_TRUE(first.ok) << first.reason;
  EXPECT_EQ(first.source, AccuracySource::trained);
  EXPECT_GT(first.test, 0.2);  // chance is 0.1

  // Another evaluator (another process, in effect) with more threads: same key, no training.
  TrainBudget more_threads = budget;
  more_threads.threads = 1;
  TrainingEvaluator again("fashion-mnist", more_threads, &store);
  const Accuracy second = again.evaluate(small(28));
  EXPECT_EQ(second.source, AccuracySource::cache);
  EXPECT_DOUBLE_EQ(second.test, first.test);
  EXPECT_DOUBLE_EQ(second.training.seconds, first.training.seconds);
  ASSERT_EQ(second.training.epochs.size(), 1u);
  EXPECT_DOUBLE_EQ(second.training.epochs[0].loss, first.training.epochs[0].loss);
  EXPECT_EQ(store.trainings().size(), 1u);

  // A different seed is a different training.
  TrainBudget other_seed = budget;
  other_seed.seed = 4;
  TrainingEvaluator reseeded("fashion-mnist", other_seed, &store);
  EXPECT_EQ(reseeded.evaluate(small(28)).source, AccuracySource::trained);
  EXPECT_EQ(store.trainings().size(), 2u);
}

}  // namespace
}  // namespace hwnas::eval
