// hwnas latency end to end: a fit, eval and predict on a small split of the shared FPGA file,
// and the exit codes and messages of bad input.

#include <gtest/gtest.h>

#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "../support/hwnas_cli.hpp"

namespace {

using hwnas::testing::read_file;
using Outcome = hwnas::testing::CliOutcome;

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() /
          ("hwnas_latency_cli_" + std::to_string(getpid()) + "_" + name))
      .string();
}

Outcome run(const std::string& args) {
  return hwnas::testing::run_hwnas(args);
}

const std::string kHw = "data/nasbench201/hw_nas_bench_cifar10.csv";

TEST(LatencyCli, SplitFitEvalPredict) {
  const std::string train = temp_path("train.csv"), rest = temp_path("rest.csv");
  const std::string model = temp_path("fpga.model");
  Outcome r = run("latency split --measurements " + kHw +
                  " --column fpga --rows 60 --seed 3 --out " + train + " --holdout " + rest);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("wrote 60 rows of 'fpga_latency_ms'"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("the other 15565"), std::string::npos) << r.out;
  EXPECT_EQ(read_file(train).rfind("index,arch,latency_ms\n", 0), 0u);

  r = run("latency fit --space nb201 --measurements " + train + " --rounds 50 --out " + model +
          " --json");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto fit = nlohmann::json::parse(r.out);
  EXPECT_EQ(fit["rows"], 60);
  EXPECT_EQ(fit["column"], "latency_ms");
  EXPECT_EQ(fit["log_target"], true);
  EXPECT_TRUE(fit["mode"] == "trees" || fit["mode"] == "sum+trees" || fit["mode"] == "sum")
      << fit["mode"];

  // Judged on 100 rows it was not fitted on, drawn from the shared file.
  r = run("latency eval --model " + model + " --measurements " + kHw +
          " --column fpga --rows 100 --seed 1 --json");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto eval = nlohmann::json::parse(r.out);
  EXPECT_EQ(eval["n"], 100);
  EXPECT_EQ(eval["left_out_fitted"], 60);
  EXPECT_EQ(eval["measurements"], 15625);
  for (const char* key : {"spearman", "kendall_tau", "rmse_ms", "mape_percent", "within_5_percent",
                          "within_10_percent"}) {
    EXPECT_TRUE(eval.contains(key)) << key;
  }
  EXPECT_GT(eval["spearman"].get<double>(), 0.5);

  // The held-out file: the model's fitted rows are not in it, nothing is left out.
  r = run("latency eval --model " + model + " --measurements " + rest + " --rows 100");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("0 left out"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("within +-10%"), std::string::npos) << r.out;

  // --predictions writes the judged rows; their errors give back the reported figures.
  const std::string predictions = temp_path("predictions.csv");
  r = run("latency eval --model " + model + " --measurements " + rest +
          " --rows 100 --json --predictions " + predictions);
  ASSERT_EQ(r.code, 0) << r.err;
  const auto judged = nlohmann::json::parse(r.out);
  std::istringstream lines(read_file(predictions));
  std::string line;
  std::getline(lines, line);
  EXPECT_EQ(line, "index,arch,measured_ms,predicted_ms,error_percent");
  int rows = 0, within_10 = 0;
  while (std::getline(lines, line)) {
    ++rows;
    // The arch holds no comma; the fields after it are numbers.
    std::istringstream fields(line);
    std::string index, arch, measured, predicted, error;
    std::getline(fields, index, ',');
    std::getline(fields, arch, ',');
    std::getline(fields, measured, ',');
    std::getline(fields, predicted, ',');
    std::getline(fields, error, ',');
    EXPECT_FALSE(index.empty()) << line;
    EXPECT_EQ(arch.front(), '|') << line;
    const double m = std::stod(measured), p = std::stod(predicted);
    EXPECT_NEAR(std::stod(error), 100 * (p - m) / m, 1e-3) << line;
    within_10 += std::abs(p - m) <= 0.1 * m;
  }
  EXPECT_EQ(rows, 100);
  EXPECT_DOUBLE_EQ(within_10 / 100.0, judged["within_10_percent"].get<double>());

  r = run("latency predict --model " + model + " --index 0 --json");
  ASSERT_EQ(r.code, 0) << r.err;
  const double by_index = nlohmann::json::parse(r.out)["predicted_latency_ms"];
  r = run("latency predict --model " + model +
          " --arch '|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|"
          "skip_connect~1|skip_connect~2|' --json");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["predicted_latency_ms"].get<double>(), by_index);
  EXPECT_GT(by_index, 1.0);  // index 0 measures 2.57 ms
  EXPECT_LT(by_index, 5.0);
}

TEST(LatencyCli, BadInputExitsTwoWithTheReason) {
  Outcome r = run("latency fit --space nb201 --measurements " + kHw + " --column raspi5 --out " +
                  temp_path("x.model"));
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("no latency column 'raspi5' (use --column); columns: index, "
                       "fpga_latency_ms"),
            std::string::npos)
      << r.err;

  r = run("latency fit --space nospace.yaml --measurements " + kHw + " --out " +
          temp_path("x.model"));
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("nospace.yaml: cannot open the space file"), std::string::npos) << r.err;

  r = run("latency eval --model " + kHw + " --measurements " + kHw);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("hwnas: error: " + kHw), std::string::npos) << r.err;

  r = run("latency predict --model m.model");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("give --arch or --index"), std::string::npos) << r.err;

  r = run("latency predict --model m.model --arch x --index 3");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("excludes"), std::string::npos) << r.err;
}

}  // namespace
