#include "hwnas/pipeline/run_config.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "hwnas/core/error.hpp"
#include "hwnas/io/device_yaml.hpp"
#include "hwnas/io/space_yaml.hpp"
#include "hwnas/io/yaml_node.hpp"

namespace hwnas::pipeline {

namespace {

constexpr std::array<std::pair<Metric, std::string_view>, 9> kMetrics = {{
    {Metric::accuracy, "accuracy"},
    {Metric::latency_ms, "latency_ms"},
    {Metric::throughput_fps, "throughput_fps"},
    {Metric::dsp, "dsp"},
    {Metric::bram, "bram"},
    {Metric::lut, "lut"},
    {Metric::ff, "ff"},
    {Metric::params, "params"},
    {Metric::macs, "macs"},
}};

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void read_limits(const io::YamlNode& node, RunConfig& run) {
  node.check_keys({"latency_ms", "throughput_fps", "dsp", "bram", "lut", "ff", "energy_mj"});
  if (node.has("energy_mj")) {
    node["energy_mj"].fail(
        "the FPGA templates have no energy model; energy limits need the edge accelerator "
        "template");
  }
  Limits& l = run.limits;
  if (node.has("latency_ms")) l.latency_ms = node["latency_ms"].as_double(1e-9);
  if (node.has("throughput_fps")) l.throughput_fps = node["throughput_fps"].as_double(1e-9);
  const hw::Resources& device = run.target.device.budget;
  const auto resource = [&](const char* key, double device_amount, double& out) {
    out = device_amount;
    if (!node.has(key)) return;
    out = node[key].as_double(0);
    if (out > device_amount) {
      node[key].fail(fmt::format("exceeds the {} budget of {} ({:.0f})", key,
                                 run.target.device.name, device_amount));
    }
  };
  resource("dsp", device.dsp, l.resources.dsp);
  resource("bram", device.bram, l.resources.bram);
  resource("lut", device.lut, l.resources.lut);
  resource("ff", device.ff, l.resources.ff);
}

void read_accuracy(const io::YamlNode& node, RunConfig& run) {
  node.check_keys({"source", "predictor", "epochs", "train_images", "validation_images",
                   "test_images", "batch_size", "optimizer", "lr", "threads", "seed"});
  AccuracyConfig& a = run.accuracy;
  a.source = node.string_or("source", "train");
  if (a.source != "train" && a.source != "predictor") {
    node["source"].fail(fmt::format("expected train or predictor, got '{}'", a.source));
  }
  if (a.source == "predictor") {
    if (!node.has("predictor")) node.fail("source predictor needs key 'predictor' (a model file)");
    a.predictor = node["predictor"].as_string();
    const auto folder = std::filesystem::path(run.file).parent_path();
    if (std::filesystem::path(a.predictor).is_relative()) {
      a.predictor = (folder / a.predictor).lexically_normal().string();
    }
  }
  eval::TrainBudget& b = a.budget;
  b.epochs = static_cast<int>(node.int_or("epochs", 1, 1, 1000));
  b.train_images = static_cast<std::size_t>(node.int_or("train_images", 0, 0));
  b.validation_images = static_cast<std::size_t>(node.int_or("validation_images", 0, 0));
  b.test_images = static_cast<std::size_t>(node.int_or("test_images", 0, 0));
  b.batch_size = static_cast<int>(node.int_or("batch_size", 64, 1, 65536));
  b.optimizer = node.string_or("optimizer", "adam");
  if (b.optimizer != "adam" && b.optimizer != "sgd") {
    node["optimizer"].fail(fmt::format("expected adam or sgd, got '{}'", b.optimizer));
  }
  b.learning_rate = node.double_or("lr", b.optimizer == "adam" ? 3e-3 : 0.05, 1e-9, 10);
  b.threads = static_cast<int>(node.int_or("threads", 1, 1, 256));
  b.seed = static_cast<std::uint64_t>(node.int_or("seed", 1, 0));
}

void read_search(const io::YamlNode& node, RunConfig& run) {
  node.check_keys({"algorithm", "candidates", "batch", "workers", "seed", "prune_before_training",
                   "population", "tournament", "mutation_rate", "crossover_rate", "fnas_penalty"});
  SearchConfig& s = run.search;
  s.algorithm = node.string_or("algorithm", s.algorithm);
  if (s.algorithm != "random" && s.algorithm != "evolution" && s.algorithm != "nsga2" &&
      s.algorithm != "fnas") {
    node["algorithm"].fail(fmt::format(
        "unknown algorithm '{}' (expected random, evolution, nsga2 or fnas)", s.algorithm));
  }
  s.candidates = static_cast<int>(node.int_or("candidates", s.candidates, 1, 10'000'000));
  s.batch = static_cast<int>(node.int_or("batch", s.batch, 1, 100'000));
  s.workers = static_cast<int>(node.int_or("workers", s.workers, 1, 1024));
  s.seed = static_cast<std::uint64_t>(node.int_or("seed", 1, 0));
  s.prune_before_training = node.bool_or("prune_before_training", true);
  s.population = static_cast<int>(node.int_or("population", s.population, 2, 100'000));
  s.tournament = static_cast<int>(node.int_or("tournament", s.tournament, 1, 100'000));
  if (s.tournament > s.population) {
    node["tournament"].fail(fmt::format("must not exceed the population ({})", s.population));
  }
  if (node.has("mutation_rate")) s.mutation_rate = node["mutation_rate"].as_double(0, 1);
  s.crossover_rate = node.double_or("crossover_rate", s.crossover_rate, 0, 1);
  s.fnas_penalty = node.double_or("fnas_penalty", s.fnas_penalty);
}

}  // namespace

std::string_view to_string(Metric metric) {
  for (const auto& [m, name] : kMetrics) {
    if (m == metric) return name;
  }
  return "?";
}

std::optional<Metric> metric_from_string(std::string_view name) {
  for (const auto& [m, text] : kMetrics) {
    if (text == name) return m;
  }
  return std::nullopt;
}

std::string metric_names() {
  std::string names;
  for (const auto& [m, text] : kMetrics) names += (names.empty() ? "" : ", ") + std::string(text);
  return names;
}

RunConfig read_run_file(const std::string& path) {
  const io::YamlNode root = io::YamlNode::load_file(path);
  root.check_keys({"name", "space", "data", "hardware", "limits", "objectives", "reference",
                   "accuracy", "search"});
  RunConfig run;
  run.file = path;
  run.name = root.string_or("name", std::filesystem::path(path).stem().string());

  const io::YamlNode space = root["space"];
  run.space_file = space.as_string();
  if (std::filesystem::path(run.space_file).is_relative()) {
    run.space_file =
        (std::filesystem::path(path).parent_path() / run.space_file).lexically_normal().string();
  }
  if (!std::filesystem::exists(run.space_file)) {
    space.fail(fmt::format("no such space file: {}", run.space_file));
  }
  run.space = io::read_space_file(run.space_file);
  run.data = root.string_or("data", run.data);

  const io::YamlNode hardware = root["hardware"];
  hardware.check_keys({"device", "board", "template", "model", "mapping"});
  run.device = hardware["device"].as_string();
  run.board = hardware.string_or("board", "");
  run.template_name = hardware.string_or("template", "tiled");
  if (run.template_name != "tiled" && run.template_name != "dataflow") {
    hardware["template"].fail(
        fmt::format("expected tiled or dataflow, got '{}'", run.template_name));
  }
  run.tiled_model = hardware.string_or("model", "halo");
  if (run.tiled_model != "halo" && run.tiled_model != "fnas") {
    hardware["model"].fail(fmt::format("expected halo or fnas, got '{}'", run.tiled_model));
  }
  run.mapping = hardware.string_or("mapping", "estimate");
  if (run.mapping != "estimate" && run.mapping != "ilp") {
    hardware["mapping"].fail(fmt::format("expected estimate or ilp, got '{}'", run.mapping));
  }
  try {
    run.target = io::load_target(run.device, run.board);
  } catch (const InputError& e) {
    throw InputError(path, hardware.path() + ".device", e.reason());
  }

  if (auto limits = root.get("limits")) {
    read_limits(*limits, run);
  } else {
    run.limits.resources = run.target.device.budget;
  }

  // Without the key, the defaults read_accuracy gives (not TrainBudget's own).
  read_accuracy(root.get("accuracy").value_or(io::YamlNode::load_string("{}", path)), run);
  if (auto search = root.get("search")) read_search(*search, run);

  if (auto objectives = root.get("objectives")) {
    run.objectives.clear();
    for (const auto& item : objectives->items()) {
      const auto metric = metric_from_string(item.as_string());
      if (!metric) {
        item.fail(fmt::format("unknown objective '{}' (expected one of {})", item.as_string(),
                              metric_names()));
      }
      run.objectives.push_back(*metric);
    }
    if (run.objectives.empty() || run.objectives.size() > 3) {
      objectives->fail("expected 1 to 3 objectives");
    }
  }
  // The hypervolume's reference point: the worst value each objective counts from. Default:
  // accuracy 0, a limited metric its limit; anything else must be given.
  const std::optional<io::YamlNode> reference = root.get("reference");
  if (reference) {
    std::vector<std::string> allowed;
    for (Metric m : run.objectives) allowed.emplace_back(to_string(m));
    reference->check_keys(allowed);
  }
  for (Metric m : run.objectives) {
    const std::string key(to_string(m));
    if (reference && reference->has(key)) {
      run.reference.push_back((*reference)[key].as_double());
    } else if (m == Metric::accuracy) {
      run.reference.push_back(0.0);
    } else if (m == Metric::latency_ms && run.limits.latency_ms) {
      run.reference.push_back(*run.limits.latency_ms);
    } else if (m == Metric::throughput_fps && run.limits.throughput_fps) {
      run.reference.push_back(*run.limits.throughput_fps);
    } else if (m == Metric::dsp || m == Metric::bram || m == Metric::lut || m == Metric::ff) {
      const hw::Resources& r = run.limits.resources;
      run.reference.push_back(m == Metric::dsp    ? r.dsp
                              : m == Metric::bram ? r.bram
                              : m == Metric::lut  ? r.lut
                                                  : r.ff);
    } else {
      throw InputError(path, "reference",
                       fmt::format("give the hypervolume reference for objective '{}' (only "
                                   "accuracy and limited metrics have a default)",
                                   key));
    }
  }

  run.fingerprint = read_text(path) + "\n---\n" + read_text(run.space_file);
  return run;
}

}  // namespace hwnas::pipeline
