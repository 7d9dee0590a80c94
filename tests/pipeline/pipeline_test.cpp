#include "hwnas/pipeline/run.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "hwnas/core/error.hpp"

namespace hwnas::pipeline {
namespace {

std::string folder(const std::string& name) {
  const std::string path = std::string(HWNAS_BINARY_DIR) + "/pipeline_test_" + name;
  std::filesystem::remove_all(path);
  std::filesystem::create_directories(path);
  return path;
}

std::string write(const std::string& dir, const std::string& name, const std::string& text) {
  const std::string path = dir + "/" + name;
  std::ofstream(path) << text;
  return path;
}

const char* kSpace = R"(space: layered
name: tiny
input: {channels: 1, height: 28, width: 28}
classes: 10
layers:
  count: [1, 2]
  kernel: [3, 5]
  filters: [4, 8, 16]
  stride: [1, 2]
  pool: [none, max]
bits: {weight: 8, act: 8}
quantization:
  weight_bits: [2, 4, 8]
  act_bits: [4, 8]
  per: layer
)";

// A run that trains for real, small enough for a test: 300 images, one epoch.
std::string run_file(const std::string& dir, const std::string& algorithm, int workers,
                     const std::string& extra = "") {
  write(dir, "space.yaml", kSpace);
  return write(dir, "run.yaml",
               fmt::format(R"(name: test
space: space.yaml
data: fashion-mnist
hardware: {{device: xczu3eg, template: tiled}}
limits: {{latency_ms: 0.01, dsp: 64}}
objectives: [accuracy, latency_ms]
accuracy: {{epochs: 1, train_images: 300, test_images: 300, threads: 1, seed: 3}}
search: {{algorithm: {}, candidates: 10, batch: 3, workers: {}, seed: 7, population: 4,
          tournament: 2}}
{})",
                           algorithm, workers, extra));
}

// What must be equal between two runs (timings are not).
std::vector<std::string> fingerprint(const RunSummary& s) {
  std::vector<std::string> out;
  for (const auto& c : s.candidates) {
    out.push_back(fmt::format("{} {} {} {:.6f} {:.6f}", c.seq, space::to_string(c.genotype),
                              to_string(c.stage), c.accuracy, c.latency_ms));
  }
  return out;
}

TEST(Pipeline, LimitsAreNeverViolatedAndRejectedCandidatesAreNotTrained) {
  const std::string dir = folder("limits");
  const RunConfig run = read_run_file(run_file(dir, "random", 2));
  const RunSummary s = run_search(run, dir + "/out", false);
  ASSERT_EQ(s.candidates.size(), 10u);
  int rejected = 0;
  for (const auto& c : s.candidates) {
    if (c.feasible()) {
      EXPECT_LE(c.latency_ms, 0.01);
      EXPECT_LE(c.used.dsp, 64);
      EXPECT_TRUE(c.trained);
    } else {
      ++rejected;
      EXPECT_FALSE(c.trained) << "pruned before training: " << c.reason;
      EXPECT_TRUE(std::isnan(c.accuracy));
    }
  }
  EXPECT_GT(rejected, 0) << "the spec should reject some of this space";
  ASSERT_TRUE(s.best.has_value());
  for (std::size_t i : s.front) EXPECT_TRUE(s.candidates[i].feasible());
}

TEST(Pipeline, KilledRunResumesToTheSameResultAndWorkersDoNotChangeIt) {
  const std::string dir = folder("resume");
  const RunConfig one_worker = read_run_file(run_file(dir, "evolution", 1));
  const RunSummary whole = run_search(one_worker, dir + "/whole", false);

  // Two workers, and a "kill" after 5 candidates: the progress callback throws, as a crash
  // would end the process; what was stored stays.
  const RunConfig two_workers = read_run_file(run_file(dir, "evolution", 2));
  ASSERT_NE(one_worker.fingerprint, two_workers.fingerprint);
  EXPECT_THROW(run_search(two_workers, dir + "/killed", false,
                          [](const RunProgress& p) {
                            if (p.done == 5) throw std::runtime_error("killed");
                          }),
               std::runtime_error);
  EXPECT_GE(read_candidates(dir + "/killed").size(), 5u);
  EXPECT_LT(read_candidates(dir + "/killed").size(), 10u);

  // Without --resume the store is refused; with it, the run finishes.
  EXPECT_THROW(run_search(two_workers, dir + "/killed", false), InputError);
  int resumed = -1;
  const RunSummary finished = run_search(two_workers, dir + "/killed", true,
                                         [&](const RunProgress& p) { resumed = p.resumed; });
  EXPECT_GE(resumed, 5);
  EXPECT_EQ(fingerprint(finished), fingerprint(whole));
  EXPECT_DOUBLE_EQ(finished.hypervolume, whole.hypervolume);
}

TEST(Pipeline, IlpMappingGivesEveryLayerAnEngineWithinTheLimits) {
  const std::string dir = folder("ilp");
  write(dir, "space.yaml", kSpace);
  const std::string path = write(dir, "run.yaml", R"(space: space.yaml
hardware: {device: xczu3eg, template: tiled, mapping: ilp}
limits: {latency_ms: 0.05, dsp: 96, bram: 100}
accuracy: {epochs: 1, train_images: 200, test_images: 200}
search: {algorithm: random, candidates: 6, batch: 3, seed: 2}
)");
  const RunConfig run = read_run_file(path);
  EXPECT_EQ(run.mapping, "ilp");
  const RunSummary s = run_search(run, dir + "/out", false);
  int mapped = 0;
  for (const auto& c : s.candidates) {
    if (c.stage == Stage::resources) continue;
    ++mapped;
    EXPECT_LE(c.used.dsp, 96);
    EXPECT_LE(c.used.bram, 100);
    EXPECT_GT(c.latency_ms, 0);
    // One line per conv/linear subgraph, each with its own tiling.
    EXPECT_NE(c.hardware_yaml.find("Tm="), std::string::npos) << c.hardware_yaml;
  }
  EXPECT_GT(mapped, 0);
}

TEST(RunFile, ErrorsNameTheFileAndTheKey) {
  const std::string dir = folder("errors");
  write(dir, "space.yaml", kSpace);
  const auto expect_error = [&](const std::string& text, const std::string& key,
                                const std::string& reason_part) {
    const std::string path = write(dir, "bad.yaml", text);
    try {
      read_run_file(path);
      ADD_FAILURE() << "expected InputError for " << text;
    } catch (const InputError& e) {
      EXPECT_EQ(e.where(), path);
      EXPECT_EQ(e.key(), key) << e.what();
      EXPECT_NE(e.reason().find(reason_part), std::string::npos) << e.what();
    }
  };
  const std::string base =
      "space: space.yaml\nhardware: {device: xczu3eg}\nreference: {latency_ms: 1}\n";
  expect_error(base + "search: {algorithm: annealing}\n", "search.algorithm",
               "unknown algorithm 'annealing'");
  expect_error(base + "limits: {dsp: 5000}\n", "limits.dsp", "exceeds the dsp budget");
  expect_error(base + "objectives: [accuracy, beauty]\n", "objectives[1]",
               "unknown objective 'beauty'");
  expect_error(base + "limits: {energy_mj: 3}\n", "limits.energy_mj",
               "the tiled template has no energy or area model");
  // The edge accelerator and measured-device templates.
  expect_error("space: space.yaml\nhardware: {template: systolic}\n", "hardware",
               "template systolic needs key 'accelerator'");
  expect_error("space: space.yaml\nhardware: {template: systolic, accelerator: nope.yaml}\n",
               "hardware.accelerator", "no such file");
  const std::string accelerator =
      std::string(HWNAS_SOURCE_DIR) + "/examples/accel/edge-default.yaml";
  expect_error("space: space.yaml\nhardware: {template: systolic, accelerator: " + accelerator +
                   ", mode: joint}\n",
               "hardware", "mode joint searches the accelerator: give 'accelerator_space'");
  expect_error("space: space.yaml\nhardware: {template: systolic, accelerator: " + accelerator +
                   ", device: xczu3eg}\n",
               "hardware.device", "only template tiled or dataflow takes 'device'");
  expect_error("space: space.yaml\nhardware: {template: systolic, accelerator: " + accelerator +
                   "}\nlimits: {dsp: 3}\n",
               "limits.dsp", "FPGA resources limit the tiled and dataflow templates");
  expect_error("space: space.yaml\nhardware: {template: systolic, accelerator: " + accelerator +
                   "}\nobjectives: [accuracy, lut]\nreference: {lut: 1}\n",
               "objectives[1]", "template systolic does not give lut");
  expect_error("space: space.yaml\nhardware: {template: measured}\n", "hardware",
               "template measured needs key 'latency_model'");
  expect_error("space: space.yaml\nhardware: {template: asic}\n", "hardware.template",
               "expected tiled, dataflow, systolic or measured");
  expect_error(base + "accuracy: {source: table, table: x.csv}\n", "accuracy.source",
               "the accuracy table covers the nb201 space; the space is layered");
  expect_error(base + "search: {algorithm: nsga2, reward: {target_ms: 1}}\n", "search.reward",
               "NSGA-II ranks by the objectives");
  expect_error(base + "search: {reward: {alpha: 1}}\n", "search.reward",
               "the soft reward needs target_ms");
  expect_error(base + "serach: {}\n", "serach", "unknown key");
  expect_error("space: missing.yaml\nhardware: {device: xczu3eg}\n", "space", "no such space");
  expect_error("space: space.yaml\nhardware: {device: xcnope}\n", "hardware.device",
               "not a built-in device");
  expect_error("space: space.yaml\nhardware: {device: xczu3eg}\nobjectives: [accuracy, params]\n",
               "reference", "hypervolume reference for objective 'params'");
}

}  // namespace
}  // namespace hwnas::pipeline
