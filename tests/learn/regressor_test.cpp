#include "hwnas/learn/regressor.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "hwnas/core/error.hpp"
#include "hwnas/core/rng.hpp"
#include "hwnas/learn/metrics.hpp"

namespace hwnas::learn {
namespace {

namespace fs = std::filesystem;
using testing::ElementsAre;
using testing::HasSubstr;

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

// y = 3 x0 - 2 x1 + noise, noise uniform in [-0.05, 0.05); x0, x1 and an unused x2 uniform in
// [0, 1). y spans about [-2, 3] with a standard deviation of about 1.
struct Data {
  FeatureMatrix x;
  std::vector<float> y;
};
Data linear_data(std::size_t rows, std::uint64_t seed) {
  Data data;
  data.x.names = {"x0", "x1", "x2"};
  Rng rng(seed);
  for (std::size_t r = 0; r < rows; ++r) {
    const auto x0 = static_cast<float>(rng.uniform01());
    const auto x1 = static_cast<float>(rng.uniform01());
    const auto x2 = static_cast<float>(rng.uniform01());
    data.x.add_row({x0, x1, x2});
    data.y.push_back(3 * x0 - 2 * x1 + static_cast<float>(0.1 * (rng.uniform01() - 0.5)));
  }
  return data;
}

// A small, quick model for the tests that are not about accuracy.
BoostParams quick_params() {
  BoostParams params;
  params.rounds = 30;
  params.learning_rate = 0.3;
  return params;
}

std::vector<double> to_double(const std::vector<float>& values) {
  return {values.begin(), values.end()};
}

class TempDir {
 public:
  TempDir() : path_(fs::temp_directory_path() / ("hwnas_learn_" + std::to_string(getpid()))) {
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  fs::path path_;
};

void write_file(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Runs `call`, expecting an InputError with this where() and key() and `text` in the message.
template <typename Call>
void expect_input_error(Call call, const std::string& where, const std::string& key,
                        const std::string& text) {
  try {
    call();
    ADD_FAILURE() << "expected InputError (" << where << ", " << key << ")";
  } catch (const InputError& e) {
    EXPECT_EQ(e.where(), where);
    EXPECT_EQ(e.key(), key);
    EXPECT_THAT(e.what(), HasSubstr(text));
  }
}

TEST(Regressor, LearnsALinearFunctionOnHeldOutRows) {
  const Data data = linear_data(1000, 11);
  const Split split = split_rows(data.x.rows, 0.25, 3);
  ASSERT_EQ(split.test.size(), 250u);
  const Regressor model =
      Regressor::fit(select_rows(data.x, split.train), select_rows(data.y, split.train), {});
  const std::vector<float> predicted = model.predict(select_rows(data.x, split.test));
  const std::vector<float> truth = select_rows(data.y, split.test);
  ASSERT_EQ(predicted.size(), truth.size());

  const RegressionReport report = evaluate(to_double(predicted), to_double(truth));
  // Trees approximate the plane by steps. Measured with XGBoost 1.7.4: rmse 0.050 (the noise
  // alone is 0.029, uniform of width 0.1), Spearman 0.9986, Kendall 0.971. The bounds leave
  // room; a model that learnt only the x0 slope would have an rmse of 2 / sqrt(12) = 0.58.
  EXPECT_LT(report.rmse, 0.1);
  EXPECT_GT(report.spearman, 0.99);
  EXPECT_GT(report.kendall_tau, 0.9);
}

TEST(Regressor, SameSeedGivesIdenticalPredictionsAndTheSeedMatters) {
  const Data data = linear_data(300, 5);
  BoostParams params = quick_params();
  params.subsample = 0.5;  // the seed drives the row subsampling
  const auto first = Regressor::fit(data.x, data.y, params).predict(data.x);
  const auto second = Regressor::fit(data.x, data.y, params).predict(data.x);
  EXPECT_EQ(first, second);  // bit for bit
  params.seed = 2;
  const auto other_seed = Regressor::fit(data.x, data.y, params).predict(data.x);
  EXPECT_NE(first, other_seed);
}

TEST(Regressor, SaveThenLoadGivesIdenticalPredictions) {
  TempDir dir;
  const std::string path = dir.file("model.json");
  const Data data = linear_data(300, 8);
  BoostParams params = quick_params();
  params.seed = 42;
  params.max_depth = 4;
  const Regressor model = Regressor::fit(data.x, data.y, params);
  const nlohmann::json metadata = {{"target", "latency_ms"}, {"device", "zcu102"}};
  model.save(path, metadata);
  EXPECT_FALSE(fs::exists(path + ".tmp"));

  const Regressor loaded = Regressor::load(path);
  EXPECT_EQ(loaded.predict(data.x), model.predict(data.x));  // bit for bit
  EXPECT_THAT(loaded.feature_names(), ElementsAre("x0", "x1", "x2"));
  EXPECT_EQ(loaded.params(), params);
  EXPECT_EQ(loaded.metadata(), metadata);
  EXPECT_EQ(model.metadata(), nlohmann::json::object());

  const auto doc = nlohmann::json::parse(read_file(path));
  EXPECT_EQ(doc.at("format"), "hwnas-regressor");
  EXPECT_EQ(doc.at("version"), 1);
  EXPECT_EQ(doc.at("params").at("max_depth"), 4);
  EXPECT_TRUE(doc.at("xgboost").contains("learner"));

  // A second save (of the loaded model) writes the same file.
  const std::string again = dir.file("again.json");
  loaded.save(again, loaded.metadata());
  EXPECT_EQ(read_file(again), read_file(path));
}

TEST(Regressor, CopiesShareTheModelAndPredictFromSeveralThreads) {
  const Data data = linear_data(200, 9);
  const Regressor model = Regressor::fit(data.x, data.y, quick_params());
  const std::vector<float> expected = model.predict(data.x);
  std::vector<std::vector<float>> results(4);
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < results.size(); ++t) {
    threads.emplace_back([&, t] {
      const Regressor copy = model;
      for (int repeat = 0; repeat < 5; ++repeat) results[t] = copy.predict(data.x);
    });
  }
  for (auto& thread : threads) thread.join();
  for (const auto& result : results) EXPECT_EQ(result, expected);
}

TEST(Regressor, MissingValuesAreAcceptedAndNoRowsGiveNoPredictions) {
  Data data = linear_data(200, 4);
  data.x.values[1] = kNaN;  // row 0, x1
  const Regressor model = Regressor::fit(data.x, data.y, quick_params());
  FeatureMatrix query;
  query.names = data.x.names;
  query.add_row({0.5f, kNaN, 0.5f});
  EXPECT_EQ(model.predict(query).size(), 1u);
  FeatureMatrix empty;
  empty.names = data.x.names;
  EXPECT_TRUE(model.predict(empty).empty());
}

TEST(Regressor, PredictRejectsOtherFeatures) {
  const Data data = linear_data(100, 2);
  const Regressor model = Regressor::fit(data.x, data.y, quick_params());
  FeatureMatrix reordered;
  reordered.names = {"x1", "x0", "x2"};  // same names, other order: the trees would misread it
  reordered.add_row({0.1f, 0.2f, 0.3f});
  expect_input_error([&] { model.predict(reordered); }, "<features>", "names",
                     "[x1, x0, x2] differ from the features the model was fitted on: [x0, x1, x2]");
  FeatureMatrix fewer;
  fewer.names = {"x0", "x1"};
  fewer.add_row({0.1f, 0.2f});
  expect_input_error([&] { model.predict(fewer); }, "<features>", "names", "differ");
  FeatureMatrix infinite;
  infinite.names = data.x.names;
  infinite.add_row({0.1f, kInf, 0.3f});
  expect_input_error([&] { model.predict(infinite); }, "<features>", "x1",
                     "infinite value in row 0");
}

TEST(Regressor, FitRejectsBadData) {
  const Data data = linear_data(20, 1);
  const BoostParams params = quick_params();
  const std::string where = "<training data>";

  FeatureMatrix no_rows;
  no_rows.names = data.x.names;
  expect_input_error([&] { Regressor::fit(no_rows, {}, params); }, where, "rows",
                     "no training rows");
  expect_input_error([&] { Regressor::fit(data.x, std::vector<float>(19, 1.0f), params); }, where,
                     "labels", "has 19 values, expected one per row (20)");
  std::vector<float> nan_label = data.y;
  nan_label[7] = kNaN;
  expect_input_error([&] { Regressor::fit(data.x, nan_label, params); }, where, "labels",
                     "not finite in row 7");

  FeatureMatrix ragged = data.x;
  ragged.values.pop_back();
  expect_input_error([&] { Regressor::fit(ragged, data.y, params); }, where, "values",
                     "has 59 values, expected rows x features = 20 x 3 = 60");
  FeatureMatrix duplicate = data.x;
  duplicate.names[2] = "x0";
  expect_input_error([&] { Regressor::fit(duplicate, data.y, params); }, where, "names",
                     "feature \"x0\" appears twice");
  FeatureMatrix infinite = data.x;
  infinite.values[3 * 5 + 2] = -kInf;
  expect_input_error([&] { Regressor::fit(infinite, data.y, params); }, where, "x2",
                     "infinite value in row 5");
}

TEST(Regressor, FitRejectsParametersOutOfRange) {
  const Data data = linear_data(20, 1);
  auto expect_rejected = [&](auto change, const std::string& key, const std::string& text) {
    BoostParams params = quick_params();
    change(params);
    expect_input_error([&] { Regressor::fit(data.x, data.y, params); }, "<boost params>", key,
                       text);
  };
  expect_rejected([](BoostParams& p) { p.rounds = 0; }, "rounds", "must be >= 1, got 0");
  expect_rejected([](BoostParams& p) { p.learning_rate = 0; }, "learning_rate", "(0, 1]");
  expect_rejected([](BoostParams& p) { p.max_depth = 0; }, "max_depth", ">= 1");
  expect_rejected([](BoostParams& p) { p.subsample = 1.5; }, "subsample", "got 1.5");
  expect_rejected([](BoostParams& p) { p.colsample = std::nan(""); }, "colsample", "(0, 1]");
  expect_rejected([](BoostParams& p) { p.min_child_weight = -1; }, "min_child_weight", ">= 0");
  expect_rejected([](BoostParams& p) { p.lambda = -0.5; }, "lambda", ">= 0");
  expect_rejected([](BoostParams& p) { p.threads = 0; }, "threads", ">= 1");
}

TEST(Regressor, AddRowRejectsTheWrongLength) {
  FeatureMatrix x;
  x.names = {"a", "b"};
  x.add_row({1, 2});
  expect_input_error(
      [&] {
        x.add_row({1, 2, 3});
      },
      "<features>", "row 1", "has 3 values, expected one per feature (2)");
  EXPECT_EQ(x.rows, 1u);
  EXPECT_THAT(x.values, ElementsAre(1, 2));
  EXPECT_EQ(x.at(0, 1), 2);
}

class RegressorFile : public testing::Test {
 protected:
  void SetUp() override {
    const Data data = linear_data(50, 3);
    Regressor::fit(data.x, data.y, quick_params()).save(good_, {{"note", "test"}});
    doc_ = nlohmann::json::parse(read_file(good_));
  }
  // Writes `doc` and expects load() to fail naming the file, `key` and `text`.
  void expect_load_error(const nlohmann::json& doc, const std::string& key,
                         const std::string& text) {
    write_file(bad_, doc.dump());
    expect_input_error([&] { Regressor::load(bad_); }, bad_, key, text);
  }

  TempDir dir_;
  std::string good_ = dir_.file("good.json");
  std::string bad_ = dir_.file("bad.json");
  nlohmann::json doc_;
};

TEST_F(RegressorFile, MissingFileNamesTheFile) {
  const std::string missing = dir_.file("missing.json");
  expect_input_error([&] { Regressor::load(missing); }, missing, "", "cannot open");
  try {
    Regressor::load(missing);
  } catch (const InputError& e) {
    EXPECT_THAT(e.what(), HasSubstr(missing));
  }
}

TEST_F(RegressorFile, CorruptFilesNameTheFileAndTheKey) {
  write_file(bad_, read_file(good_).substr(0, 200));  // cut short
  expect_input_error([&] { Regressor::load(bad_); }, bad_, "", "not valid JSON");
  expect_load_error(nlohmann::json::array({1, 2}), "", "not a JSON object");

  auto changed = [&](auto change) {
    nlohmann::json doc = doc_;
    change(doc);
    return doc;
  };
  expect_load_error(changed([](auto& d) { d["format"] = "xgboost"; }), "format",
                    "expected \"hwnas-regressor\", got \"xgboost\"");
  expect_load_error(changed([](auto& d) { d["version"] = 2; }), "version", "expected 1, got 2");
  expect_load_error(changed([](auto& d) { d.erase("features"); }), "features", "missing");
  expect_load_error(changed([](auto& d) {
                      d["features"] = {"x0", 1, "x2"};
                    }),
                    "features", "must be a list of names");
  expect_load_error(changed([](auto& d) { d["features"].push_back("x3"); }), "features",
                    "lists 4 names but the XGBoost model has 3 features");
  expect_load_error(changed([](auto& d) { d["params"]["rounds"] = "many"; }), "params.rounds",
                    "must be an integer");
  expect_load_error(changed([](auto& d) { d["params"]["subsample"] = 2; }), "params.subsample",
                    "must be in (0, 1], got 2");
  expect_load_error(changed([](auto& d) { d["params"].erase("seed"); }), "params.seed", "missing");
  expect_load_error(changed([](auto& d) { d["params"]["seed"] = -1; }), "params.seed",
                    "must be an integer >= 0");
  expect_load_error(changed([](auto& d) { d["params"]["threads"] = 4294967296; }), "params.threads",
                    "out of range for an int");
  expect_load_error(changed([](auto& d) { d.erase("metadata"); }), "metadata", "missing");
  expect_load_error(changed([](auto& d) { d.erase("xgboost"); }), "xgboost", "missing");
  expect_load_error(changed([](auto& d) { d["xgboost"]["learner"] = 5; }), "xgboost",
                    "XGBoost rejected it");

  // The good file still loads: the errors above come from the changes.
  EXPECT_EQ(Regressor::load(good_).metadata(), (nlohmann::json{{"note", "test"}}));
}

TEST_F(RegressorFile, SaveToAMissingFolderFailsNamingTheFile) {
  const Data data = linear_data(20, 3);
  const Regressor model = Regressor::fit(data.x, data.y, quick_params());
  const std::string path = dir_.file("no/such/folder/model.json");
  expect_input_error([&] { model.save(path); }, path, "", "cannot write");
}

TEST(SplitRows, SizesAreRoundedAndTheSetsPartitionTheRows) {
  const Split split = split_rows(10, 0.3, 1);
  EXPECT_EQ(split.test.size(), 3u);
  EXPECT_EQ(split.train.size(), 7u);
  std::vector<std::size_t> all = split.train;
  all.insert(all.end(), split.test.begin(), split.test.end());
  std::sort(all.begin(), all.end());
  EXPECT_THAT(all, ElementsAre(0, 1, 2, 3, 4, 5, 6, 7, 8, 9));
  EXPECT_TRUE(std::is_sorted(split.test.begin(), split.test.end()));
  EXPECT_TRUE(std::is_sorted(split.train.begin(), split.train.end()));

  // Each side keeps at least one row.
  EXPECT_EQ(split_rows(10, 0.01, 1).test.size(), 1u);
  EXPECT_EQ(split_rows(10, 0.99, 1).train.size(), 1u);
  EXPECT_EQ(split_rows(2, 0.5, 1).test.size(), 1u);
}

TEST(SplitRows, SameSeedSameSplitOtherSeedOtherSplit) {
  EXPECT_EQ(split_rows(100, 0.2, 7).test, split_rows(100, 0.2, 7).test);
  EXPECT_NE(split_rows(100, 0.2, 7).test, split_rows(100, 0.2, 8).test);
}

TEST(SplitRows, RejectsBadArguments) {
  expect_input_error([] { split_rows(1, 0.5, 1); }, "<split>", "rows", "at least 2 rows");
  expect_input_error([] { split_rows(10, 0, 1); }, "<split>", "test_share", "(0, 1), got 0");
  expect_input_error([] { split_rows(10, 1, 1); }, "<split>", "test_share", "(0, 1), got 1");
}

TEST(SelectRows, TakesRowsInTheGivenOrder) {
  FeatureMatrix x;
  x.names = {"a", "b"};
  x.add_row({1, 2});
  x.add_row({3, 4});
  x.add_row({5, 6});
  const FeatureMatrix picked = select_rows(x, {2, 0, 2});
  EXPECT_EQ(picked.names, x.names);
  EXPECT_EQ(picked.rows, 3u);
  EXPECT_THAT(picked.values, ElementsAre(5, 6, 1, 2, 5, 6));
  EXPECT_THAT(select_rows(std::vector<float>{10, 20, 30}, {1, 2}), ElementsAre(20, 30));
  EXPECT_THROW(select_rows(x, {3}), std::out_of_range);
  EXPECT_THROW(select_rows(std::vector<float>{1}, {1}), std::out_of_range);
}

}  // namespace
}  // namespace hwnas::learn
