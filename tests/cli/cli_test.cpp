// End-to-end tests of the hwnas program: exit codes, JSON keys, error messages.

#include <gtest/gtest.h>

#include <array>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "../support/hwnas_cli.hpp"

namespace {

using hwnas::testing::kHwnas;
using hwnas::testing::kSource;
using hwnas::testing::read_file;
using Outcome = hwnas::testing::CliOutcome;

Outcome run(const std::string& args) {
  return hwnas::testing::run_hwnas(args);
}

std::string write_temp(const std::string& name, const std::string& text) {
  const auto path =
      std::filesystem::temp_directory_path() / (std::to_string(getpid()) + "_" + name);
  std::ofstream(path) << text;
  return path.string();
}

TEST(Cli, EstimateLeNetTiledJson) {
  const Outcome r =
      run("estimate --network examples/networks/lenet.yaml --device xczu3eg "
          "--template tiled --json");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto json = nlohmann::json::parse(r.out);
  ASSERT_EQ(json["layers"].size(), 11u);
  std::int64_t sum = 0;
  for (const auto& layer : json["layers"]) {
    ASSERT_TRUE(layer.contains("name") && layer.contains("cycles") && layer.contains("bound"));
    sum += layer["cycles"].get<std::int64_t>();
  }
  EXPECT_EQ(json["layers"][0]["name"], "conv1");
  EXPECT_EQ(json["total_cycles"].get<std::int64_t>(), sum);
  // Ultra96 runs the fabric at 200 MHz: 200,000 cycles per ms.
  EXPECT_NEAR(json["latency_ms"].get<double>(), sum / 200e3, 1e-9);
  EXPECT_NEAR(json["throughput_fps"].get<double>(), 200e6 / sum, 1e-6);
  for (const char* key : {"dsp", "bram18", "lut", "ff"}) {
    EXPECT_TRUE(json["resources"].contains(key)) << key;
  }
  EXPECT_LE(json["resources"]["dsp"].get<double>(), 360);
  EXPECT_TRUE(json["fits"].get<bool>());
  EXPECT_EQ(json["search"]["method"], "tiled DSE");
}

TEST(Cli, SavedConfigurationGivesTheSameEstimate) {
  const std::string saved = write_temp("hwnas_saved.yaml", "");
  const Outcome found =
      run("estimate -n examples/networks/lenet.yaml -d xczu3eg --json "
          "--save-config " +
          saved);
  ASSERT_EQ(found.code, 0) << found.err;
  const Outcome again =
      run("estimate -n examples/networks/lenet.yaml -d xczu3eg --json --config " + saved);
  ASSERT_EQ(again.code, 0) << again.err;
  const auto a = nlohmann::json::parse(found.out), b = nlohmann::json::parse(again.out);
  EXPECT_EQ(a["total_cycles"], b["total_cycles"]);
  EXPECT_EQ(a["config"], b["config"]);
}

TEST(Cli, SavedDataflowFoldingGivesTheSameEstimate) {
  // The balanced folding of LeNet folds its pools too; the saved file must keep that.
  const std::string saved = write_temp("hwnas_saved_dataflow.yaml", "");
  const Outcome found =
      run("estimate -n examples/networks/lenet.yaml -d xczu3eg -t dataflow "
          "--json --save-config " +
          saved);
  ASSERT_EQ(found.code, 0) << found.err;
  const Outcome again =
      run("estimate -n examples/networks/lenet.yaml -d xczu3eg -t dataflow "
          "--json --config " +
          saved);
  ASSERT_EQ(again.code, 0) << again.err;
  const auto a = nlohmann::json::parse(found.out), b = nlohmann::json::parse(again.out);
  EXPECT_EQ(a["interval_cycles"], b["interval_cycles"]);
  EXPECT_EQ(a["total_cycles"], b["total_cycles"]);
  EXPECT_EQ(a["resources"], b["resources"]);
  EXPECT_NE(read_file(saved).find("maxpool2: {pe: "), std::string::npos) << read_file(saved);
}

TEST(Cli, EstimateMobileNetDataflowJson) {
  const Outcome r =
      run("estimate --network examples/networks/mbv2.yaml --device xc7z020 "
          "--template dataflow --json");
  ASSERT_TRUE(r.code == 0 || r.code == 1) << r.err;
  const auto json = nlohmann::json::parse(r.out);
  EXPECT_EQ(json["engine"], "dataflow");
  EXPECT_EQ(json["fits"].get<bool>(), r.code == 0);
  EXPECT_GT(json["throughput_fps"].get<double>(), 0);
  // The pipeline's interval is its slowest stage.
  std::int64_t slowest = 0;
  for (const auto& layer : json["layers"]) {
    slowest = std::max(slowest, layer["cycles"].get<std::int64_t>());
  }
  EXPECT_EQ(json["interval_cycles"].get<std::int64_t>(), slowest);
  EXPECT_GE(json["total_cycles"].get<std::int64_t>(), slowest);
}

TEST(Cli, NetworkThatDoesNotFitIsAResultWithShortfall) {
  // MobileNetV2 on the iCE40 as a dataflow pipeline: 3.5 M 8-bit weights held on chip need
  // thousands of 4-Kbit EBRs against 30, and its 53 layer engines more than 8 DSPs.
  const Outcome r =
      run("estimate -n examples/networks/mbv2.yaml -d ice40up5k --template dataflow --json");
  EXPECT_EQ(r.code, 1);
  const auto json = nlohmann::json::parse(r.out);
  EXPECT_FALSE(json["fits"].get<bool>());
  EXPECT_GT(json["shortfall"]["bram18"].get<double>(), 7000);
  EXPECT_GT(json["shortfall"]["dsp"].get<double>(), 0);
  EXPECT_NE(r.err.find("hwnas: mbv2 does not fit ice40up5k: DSP "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("; EBR "), std::string::npos) << r.err;
}

TEST(Cli, ConfigurationExceedingTheDeviceIsBadInput) {
  const std::string config =
      write_temp("hwnas_big.yaml", "template: tiled\ntiled: {tm: 64, tn: 64, tr: 8, tc: 8}\n");
  const Outcome r = run("estimate -n examples/networks/lenet.yaml -d xczu3eg --config " + config);
  EXPECT_EQ(r.code, 2);
  // 64*64 8-bit MACs on DSP48E2 = 2,048 DSPs against 360.
  EXPECT_NE(r.err.find(config + ": tiled: the configuration exceeds xczu3eg: DSP 2048 > 360 "
                                "(short by 1688)"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.out.find("fits: NO"), std::string::npos);  // the report is still printed
}

TEST(Cli, EstimateOnTheSystolicAccelerator) {
  Outcome r =
      run("estimate --network examples/networks/mbv2.yaml --accelerator "
          "examples/accel/edge-default.yaml --json");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto json = nlohmann::json::parse(r.out);
  EXPECT_EQ(json["feasible"], true);
  EXPECT_EQ(json["peak_macs_per_cycle"], 4096);
  // An accelerator whose register file cannot hold the stem's double-buffered weight tile.
  std::string small = read_file(kSource + "/examples/accel/edge-default.yaml");
  small.replace(small.find("register_file_bytes: 512"), 24, "register_file_bytes: 64");
  const std::string file = write_temp("small-rf.yaml", small);
  r = run("estimate --network examples/networks/mbv2.yaml --accelerator " + file);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("layer stem: the double-buffered weight tile"), std::string::npos) << r.err;
}

TEST(Cli, BenchSearchAndModeErrors) {
  Outcome r = run("bench search --device nosuchdevice --seeds 1 --queries 10");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("nosuchdevice"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("edgetpu"), std::string::npos) << r.err;  // the devices there are
  r = run("bench search --device fpga --seeds 2 --queries 20,40 --algorithms random,nsga2 --json");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto json = nlohmann::json::parse(r.out);
  EXPECT_EQ(json["points"], 15625);
  EXPECT_EQ(json["true_front_size"], 15);
  EXPECT_EQ(json["algorithms"]["nsga2"]["checkpoints"].size(), 2u);
  r = run("search examples/cosearch.yaml --mode sideways --out /nonexistent");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("expected fixed-hw, fixed-net, joint or all, got 'sideways'"),
            std::string::npos)
      << r.err;
  r = run("search examples/quickstart.yaml --mode joint --check");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--mode needs template systolic"), std::string::npos) << r.err;
}

TEST(Cli, BadInputExitsTwoWithTheReason) {
  const std::string bad = write_temp("hwnas_bad.yaml",
                                     "name: b\ninput: {channels: 1, height: 8, width: 8}\n"
                                     "layers:\n  - {type: convolution, out: 3}\n");
  Outcome r = run("estimate -n " + bad + " -d xczu3eg");
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "hwnas: error: " + bad +
                       ": layers[0].type: unknown layer type 'convolution' (expected one of: "
                       "conv, maxpool, avgpool, global_avgpool, batchnorm, relu, relu6, add, "
                       "flatten, linear, zero)\n");
  r = run("estimate -n examples/networks/lenet.yaml -d nosuchpart");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("nosuchpart: no such device file"), std::string::npos);
  r = run("estimate -n examples/networks/lenet.yaml -d xczu3eg --template systolic");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("unknown template 'systolic'"), std::string::npos);
  r = run("estimate --device xczu3eg");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--network is required"), std::string::npos);
}

TEST(Cli, MapDataflowThroughputJson) {
  const Outcome r =
      run("map --network examples/networks/lenet.yaml --device xczu3eg "
          "--template dataflow --objective throughput --json");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto json = nlohmann::json::parse(r.out);
  EXPECT_EQ(json["status"], "optimal");
  EXPECT_EQ(json["objective"], "throughput");
  const double cycles = json["objective_cycles"].get<double>();
  EXPECT_NEAR(json["throughput_fps"].get<double>(), 200e6 / cycles, 1e-6);
  ASSERT_EQ(json["subgraphs"].size(), 5u);
  double slowest = 0, dsp = 0;
  for (const auto& s : json["subgraphs"]) {
    slowest = std::max(slowest, s["cycles"].get<double>());
    dsp += s["resources"]["dsp"].get<double>();
    EXPECT_TRUE(s.contains("config") && s.contains("bits"));
  }
  EXPECT_EQ(slowest, cycles);  // the bottleneck subgraph sets the pace
  EXPECT_EQ(json["resources"]["dsp"].get<double>(), dsp);
  EXPECT_LE(dsp, 360);
  EXPECT_GE(json["solve_ms"].get<double>(), 0);
  EXPECT_GE(json["candidates"]["pruned_dominated"].get<int>(), 0);
}

TEST(Cli, MapTiledLatencyJson) {
  const Outcome r =
      run("map -n examples/networks/lenet.yaml -d xczu3eg --template tiled "
          "--objective latency --json");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto json = nlohmann::json::parse(r.out);
  double sum = 0;
  for (const auto& s : json["subgraphs"]) sum += s["cycles"].get<double>();
  EXPECT_EQ(json["objective_cycles"].get<double>(), sum);  // layers in sequence
  EXPECT_NEAR(json["latency_ms"].get<double>(), sum / 200e3, 1e-9);
}

TEST(Cli, MapSweepWritesTheLatencyCurve) {
  const std::string csv = write_temp("hwnas_curve.csv", "");
  const Outcome r =
      run("map -n examples/networks/lenet.yaml -d xczu3eg --objective throughput "
          "--sweep dsp=60:360:60 --csv " +
          csv);
  ASSERT_EQ(r.code, 0) << r.err;
  std::stringstream lines(read_file(csv));
  std::string line;
  std::getline(lines, line);
  EXPECT_EQ(line.rfind("dsp,status,objective_cycles,", 0), 0u) << line;
  std::vector<double> cycles;
  while (std::getline(lines, line)) {
    std::stringstream fields(line);
    std::string budget, status, objective;
    std::getline(fields, budget, ',');
    std::getline(fields, status, ',');
    std::getline(fields, objective, ',');
    EXPECT_EQ(status, "optimal") << line;
    cycles.push_back(std::stod(objective));
  }
  ASSERT_EQ(cycles.size(), 6u);  // 60, 120, ..., 360
  for (std::size_t i = 1; i < cycles.size(); ++i) EXPECT_LE(cycles[i], cycles[i - 1]);
  EXPECT_LT(cycles.back(), cycles.front());
}

TEST(Cli, MapInfeasibleBudgetNamesTheShortResource) {
  // LeNet's fc1 alone holds 48,000 8-bit weights: more than the iCE40's 30 EBR of 4 Kbit.
  const Outcome r = run("map -n examples/networks/lenet.yaml -d ice40up5k --json");
  EXPECT_EQ(r.code, 1);
  const auto json = nlohmann::json::parse(r.out);
  EXPECT_EQ(json["status"], "infeasible");
  EXPECT_GT(json["shortfall"]["bram18"].get<double>(), 0);
  EXPECT_EQ(json["shortfall"]["dsp"].get<double>(), 0);
  EXPECT_NE(r.err.find("no configuration of lenet fits ice40up5k: BRAM needs at least"),
            std::string::npos)
      << r.err;
}

TEST(Cli, MapBadArguments) {
  Outcome r = run("map -n examples/networks/lenet.yaml -d xczu3eg --objective fastest");
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err,
            "hwnas: error: --objective: fastest: unknown objective (expected latency or "
            "throughput)\n");
  r = run("map -n examples/networks/lenet.yaml -d xczu3eg --sweep dsp=1:2");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("expected DIM=FROM:TO:STEP"), std::string::npos);
  r = run("map -n examples/networks/lenet.yaml -d xczu3eg --bits 4,x");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--bits: x: expected bit widths like 4,8,16 or w4a8,w8a8"),
            std::string::npos);
}

TEST(Cli, SpaceSampleIsSeededAndDecodes) {
  const Outcome a = run("space sample --space examples/spaces/fnas.yaml --count 5 --seed 1 --json");
  const Outcome b = run("space sample --space examples/spaces/fnas.yaml --count 5 --seed 1 --json");
  const Outcome c = run("space sample --space examples/spaces/fnas.yaml --count 5 --seed 2 --json");
  ASSERT_EQ(a.code, 0) << a.err;
  EXPECT_EQ(a.out, b.out);
  EXPECT_NE(a.out, c.out);
  const auto samples = nlohmann::json::parse(a.out);
  ASSERT_EQ(samples.size(), 5u);
  // Decoding the first sample's genotype gives a network file that `estimate` accepts.
  std::string genotype;
  for (const auto& gene : samples[0]["genotype"]) {
    genotype += (genotype.empty() ? "" : ",") + std::to_string(gene.get<int>());
  }
  const std::string net = write_temp("hwnas_decoded.yaml", "");
  const Outcome decoded = run("space decode --space examples/spaces/fnas.yaml --genotype " +
                              genotype + " --out " + net);
  ASSERT_EQ(decoded.code, 0) << decoded.err;
  const Outcome estimate = run("estimate -n " + net + " -d xczu3eg --json");
  ASSERT_EQ(estimate.code, 0) << estimate.err;
  std::int64_t macs = 0;
  const auto report = nlohmann::json::parse(estimate.out);
  for (const auto& layer : report["layers"]) {
    macs += layer["macs"].get<std::int64_t>();
  }
  EXPECT_EQ(macs, samples[0]["macs"].get<std::int64_t>());
}

TEST(Cli, SpaceErrorsExitTwo) {
  const Outcome r = run("space decode --space examples/spaces/fnas.yaml --genotype 1,2,3");
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err.rfind("hwnas: error: ", 0), 0u) << r.err;
  const Outcome size = run("space size --space examples/spaces/mbv2.yaml");
  ASSERT_EQ(size.code, 0);
  EXPECT_NE(size.out.find("networks: 376233984"), std::string::npos) << size.out;
}

TEST(Cli, TrainReportsAccuracyAndTheLossCurve) {
  const Outcome r =
      run("train -n examples/networks/lenet.yaml --epochs 2 --train-images 1000 "
          "--validation-images 200 --test-images 500 --seed 3 --optimizer adam --lr 0.003 "
          "--json");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto json = nlohmann::json::parse(r.out);
  EXPECT_EQ(json["status"], "ok");
  ASSERT_EQ(json["epochs"].size(), 2u);
  // 800 images, 2 epochs: 0.34 measured; chance is 0.1.
  EXPECT_GT(json["test_accuracy"].get<double>(), 0.25);
  EXPECT_GT(json["images_per_s"].get<double>(), 0);
  const Outcome bad = run("train -n examples/networks/mbv2.yaml --epochs 1");
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.err.find("the network takes 3x224x224 images but fashion-mnist/train has 1x28x28"),
            std::string::npos)
      << bad.err;
}

// A space of small networks that train in a fraction of a second on a few hundred images.
const char* kTinySpace = R"(space: layered
name: tiny
input: {channels: 1, height: 28, width: 28}
classes: 10
layers:
  count: [1, 2]
  kernel: [3, 5]
  filters: [4, 8]
  stride: [1, 2]
  pool: [none, max]
bits: {weight: 8, act: 8}
quantization:
  weight_bits: [2, 4, 8]
  act_bits: [2, 4, 8]
  per: layer
)";

TEST(Cli, TrainedResultsAreStoredOnceAndFeedThePredictor) {
  const std::string space = write_temp("tiny_space.yaml", kTinySpace);
  const std::string store = write_temp("predictor.sqlite", "");
  std::filesystem::remove(store);
  const std::string model = write_temp("accuracy.model", "");
  const std::string train =
      "train --space " + space + " --samples 12 --store " + store +
      " --epochs 1 --train-images 300 --test-images 300 --optimizer adam --lr 0.003 --seed 6 "
      "--threads 1 --json";
  const Outcome first = run(train);
  ASSERT_EQ(first.code, 0) << first.err;
  const auto trained = nlohmann::json::parse(first.out);
  ASSERT_EQ(trained.size(), 12u);
  int fresh = 0;
  for (const auto& t : trained) fresh += t["source"] == "trained" ? 1 : 0;
  EXPECT_EQ(fresh, 12) << "seed 6 samples 12 distinct networks";

  // The same command again trains nothing and reports the same accuracies.
  const Outcome second = run(train);
  ASSERT_EQ(second.code, 0) << second.err;
  const auto again = nlohmann::json::parse(second.out);
  ASSERT_EQ(again.size(), 12u);
  for (std::size_t i = 0; i < 12; ++i) {
    EXPECT_EQ(again[i]["source"], "cache");
    EXPECT_EQ(again[i]["genotype"], trained[i]["genotype"]);
    EXPECT_DOUBLE_EQ(again[i]["test_accuracy"].get<double>(),
                     trained[i]["test_accuracy"].get<double>());
  }

  const Outcome fit =
      run("predictor fit --store " + store + " --out " + model + " --test-share 0.25 --json");
  ASSERT_EQ(fit.code, 0) << fit.err;
  const auto fitted = nlohmann::json::parse(fit.out);
  EXPECT_EQ(fitted["train_rows"], 9);
  EXPECT_EQ(fitted["test_rows"], 3);
  EXPECT_EQ(fitted["data"], "fashion-mnist");
  EXPECT_EQ(fitted["budget"]["train_images"], 300);
  EXPECT_EQ(fitted["held_out"]["n"], 3);

  const Outcome eval = run("predictor eval --model " + model + " --store " + store + " --json");
  ASSERT_EQ(eval.code, 0) << eval.err;
  const auto judged = nlohmann::json::parse(eval.out);
  EXPECT_EQ(judged["n"], 12);
  // Nine of the twelve were fitted: the model ranks the whole set well above chance.
  EXPECT_GT(judged["spearman"].get<double>(), 0.5);

  const Outcome predict =
      run("predictor predict --model " + model + " -n examples/networks/lenet.yaml --json");
  ASSERT_EQ(predict.code, 0) << predict.err;
  const double predicted = nlohmann::json::parse(predict.out)["predicted_accuracy"];
  EXPECT_GE(predicted, 0.0);
  EXPECT_LE(predicted, 1.0);
}

TEST(Cli, PredictorAndStoreErrorsNameTheirInput) {
  const std::string empty_store = write_temp("empty.sqlite", "");
  std::filesystem::remove(empty_store);
  const Outcome few = run("predictor fit --store " + empty_store + " --out /tmp/never.model");
  EXPECT_EQ(few.code, 2);
  EXPECT_NE(few.err.find("needs at least 10 successful trainings"), std::string::npos) << few.err;
  EXPECT_NE(few.err.find(empty_store), std::string::npos) << few.err;

  const std::string not_a_store = write_temp("text.sqlite", std::string(200, 'x'));
  const Outcome bad_store =
      run("train -n examples/networks/lenet.yaml --store " + not_a_store + " --epochs 1");
  EXPECT_EQ(bad_store.code, 2);
  EXPECT_NE(bad_store.err.find(not_a_store), std::string::npos) << bad_store.err;

  const Outcome missing_model =
      run("predictor predict --model /nonexistent/acc.model -n examples/networks/lenet.yaml");
  EXPECT_EQ(missing_model.code, 2);
  EXPECT_NE(missing_model.err.find("/nonexistent/acc.model"), std::string::npos)
      << missing_model.err;

  const Outcome both = run("train -n examples/networks/lenet.yaml --space x.yaml --samples 2");
  EXPECT_EQ(both.code, 2);
  EXPECT_NE(both.err.find("give exactly one of them"), std::string::npos) << both.err;
}

TEST(Cli, TrainExportsTorchScriptAndWeights) {
  const std::string pt = write_temp("lenet.pt", "");
  const Outcome r =
      run("train -n examples/networks/lenet.yaml --epochs 1 --train-images 200 "
          "--test-images 200 --export " +
          pt);
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string weights = pt.substr(0, pt.size() - 3) + ".weights.json";
  EXPECT_NE(r.out.find("exported " + pt), std::string::npos) << r.out;
  EXPECT_GT(std::filesystem::file_size(pt), 1000u);
  const auto json = nlohmann::json::parse(read_file(weights));
  EXPECT_EQ(json["format"], "hwnas-weights");
  EXPECT_EQ(json["network"], "lenet");
  EXPECT_TRUE(std::filesystem::exists(pt.substr(0, pt.size() - 3) + ".weights.bin"));
}

// The columns of candidates.csv that a run must reproduce (not the timings at the end).
std::string results_without_timings(const std::string& csv) {
  std::stringstream in(csv), out;
  std::string line;
  while (std::getline(in, line)) {
    for (int i = 0; i < 2; ++i) line = line.substr(0, line.rfind(','));
    out << line << "\n";
  }
  return out.str();
}

TEST(Cli, SearchKilledWithSigkillResumesToTheUninterruptedResult) {
  const std::string dir =
      std::filesystem::temp_directory_path() / ("hwnas_cli_search_" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/space.yaml") << kTinySpace;
  std::ofstream(dir + "/run.yaml") << R"(name: kill
space: space.yaml
hardware: {device: xczu3eg, template: tiled}
limits: {latency_ms: 0.01, dsp: 64}
accuracy: {epochs: 1, train_images: 300, test_images: 300, threads: 1, seed: 3}
search: {algorithm: evolution, candidates: 16, batch: 2, workers: 1, seed: 4, population: 4,
         tournament: 2}
)";
  const Outcome whole = run("search " + dir + "/run.yaml --out " + dir + "/whole --quiet");
  ASSERT_EQ(whole.code, 0) << whole.err;
  EXPECT_NE(whole.out.find("Pareto front (accuracy, latency_ms"), std::string::npos) << whole.out;

  // Start the same run, kill -9 it once a few candidates are stored, resume it.
  const std::string killed = dir + "/killed";
  const std::string start = "cd '" + kSource + "' && ('" + kHwnas + "' search " + dir +
                            "/run.yaml --out " + killed + " --quiet >/dev/null 2>&1 & echo $! > " +
                            dir + "/pid)";
  ASSERT_EQ(std::system(start.c_str()), 0);
  const pid_t pid = std::stoi(read_file(dir + "/pid"));
  bool stopped_midway = false;
  for (int i = 0; i < 600 && !stopped_midway; ++i) {
    usleep(50'000);
    const Outcome so_far = run("report " + killed + " --json");
    if (so_far.code != 0) continue;
    const auto count = nlohmann::json::parse(so_far.out)["candidates"].get<int>();
    if (count >= 3) {
      kill(pid, SIGKILL);
      stopped_midway = count < 16;
    }
  }
  ASSERT_TRUE(stopped_midway) << "the run finished before it could be killed";
  const Outcome refused = run("search " + dir + "/run.yaml --out " + killed + " --quiet");
  EXPECT_EQ(refused.code, 2);
  EXPECT_NE(refused.err.find("pass --resume"), std::string::npos) << refused.err;
  const Outcome resumed = run("search " + dir + "/run.yaml --out " + killed + " --resume --quiet");
  ASSERT_EQ(resumed.code, 0) << resumed.err;
  EXPECT_EQ(results_without_timings(read_file(killed + "/candidates.csv")),
            results_without_timings(read_file(dir + "/whole/candidates.csv")));
  EXPECT_EQ(read_file(killed + "/best.yaml"), read_file(dir + "/whole/best.yaml"));
  EXPECT_TRUE(std::filesystem::exists(killed + "/best.pt"));

  const Outcome report = run("report " + killed + " --json");
  ASSERT_EQ(report.code, 0) << report.err;
  const auto summary = nlohmann::json::parse(report.out);
  EXPECT_EQ(summary["candidates"], 16);
  EXPECT_GT(summary["hypervolume"].get<double>(), 0);
  for (const auto& point : summary["front"]) EXPECT_LE(point["latency_ms"].get<double>(), 0.01);
}

TEST(Cli, BadRunFileNamesTheKey) {
  const std::string path = write_temp("bad_run.yaml", "space: " + kSource +
                                                          "/examples/spaces/quant-small.yaml\n"
                                                          "hardware: {device: xczu3eg}\n"
                                                          "search: {algorithm: annealing}\n");
  const Outcome r = run("search " + path + " --out /tmp/never");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find(path + ": search.algorithm: unknown algorithm 'annealing'"),
            std::string::npos)
      << r.err;
  const Outcome missing = run("report /nonexistent/run");
  EXPECT_EQ(missing.code, 2);
  EXPECT_NE(missing.err.find("no search run here"), std::string::npos) << missing.err;
}

TEST(Cli, DeviceListShowsAllFive) {
  const Outcome r = run("device list");
  ASSERT_EQ(r.code, 0);
  for (const char* name : {"xc7z020", "xczu3eg", "xczu9eg", "xc7z045", "ice40up5k"}) {
    EXPECT_NE(r.out.find(name), std::string::npos) << name;
  }
  const Outcome show = run("device show xczu9eg");
  ASSERT_EQ(show.code, 0);
  EXPECT_EQ(nlohmann::json::parse(show.out)["device"]["resources"]["dsp"].get<double>(), 2520);
}

}  // namespace
