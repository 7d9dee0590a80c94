#include "hwnas/pipeline/run_config.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "hwnas/core/error.hpp"
#include "hwnas/io/device_yaml.hpp"
#include "hwnas/io/space_yaml.hpp"
#include "hwnas/io/yaml_node.hpp"
#include "hwnas/latency/model.hpp"
#include "hwnas/pipeline/cosearch.hpp"

namespace hwnas::pipeline {

namespace {

constexpr std::array<std::pair<Metric, std::string_view>, 11> kMetrics = {{
    {Metric::accuracy, "accuracy"},
    {Metric::latency_ms, "latency_ms"},
    {Metric::throughput_fps, "throughput_fps"},
    {Metric::dsp, "dsp"},
    {Metric::bram, "bram"},
    {Metric::lut, "lut"},
    {Metric::ff, "ff"},
    {Metric::params, "params"},
    {Metric::macs, "macs"},
    {Metric::energy_mj, "energy_mj"},
    {Metric::area_mm2, "area_mm2"},
}};

constexpr std::array<std::pair<CoSearchMode, std::string_view>, 3> kModes = {{
    {CoSearchMode::joint, "joint"},
    {CoSearchMode::fixed_hw, "fixed-hw"},
    {CoSearchMode::fixed_net, "fixed-net"},
}};

bool is_fpga(const RunConfig& run) {
  return run.template_name == "tiled" || run.template_name == "dataflow";
}

// A path in a run file is relative to the run file's folder.
std::string resolve(const RunConfig& run, const std::string& path) {
  if (std::filesystem::path(path).is_absolute()) return path;
  return (std::filesystem::path(run.file).parent_path() / path).lexically_normal().string();
}

std::string existing_file(const RunConfig& run, const io::YamlNode& node) {
  const std::string path = resolve(run, node.as_string());
  if (!std::filesystem::exists(path)) node.fail(fmt::format("no such file: {}", path));
  return path;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void read_limits(const io::YamlNode& node, RunConfig& run) {
  node.check_keys(
      {"latency_ms", "throughput_fps", "dsp", "bram", "lut", "ff", "energy_mj", "area_mm2"});
  for (const char* key : {"energy_mj", "area_mm2"}) {
    if (node.has(key) && run.template_name != "systolic") {
      node[key].fail(fmt::format(
          "the {} template has no energy or area model; {} limits need template systolic",
          run.template_name, key));
    }
  }
  Limits& l = run.limits;
  if (node.has("latency_ms")) l.latency_ms = node["latency_ms"].as_double(1e-9);
  if (node.has("throughput_fps")) l.throughput_fps = node["throughput_fps"].as_double(1e-9);
  if (node.has("energy_mj")) l.energy_mj = node["energy_mj"].as_double(1e-12);
  if (node.has("area_mm2")) l.area_mm2 = node["area_mm2"].as_double(1e-12);
  if (!is_fpga(run)) {
    for (const char* key : {"dsp", "bram", "lut", "ff"}) {
      if (node.has(key)) {
        node[key].fail(fmt::format("FPGA resources limit the tiled and dataflow templates, not {}",
                                   run.template_name));
      }
    }
    return;
  }
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
  node.check_keys({"source", "predictor", "table", "epochs", "train_images", "validation_images",
                   "test_images", "batch_size", "optimizer", "lr", "threads", "seed"});
  AccuracyConfig& a = run.accuracy;
  a.source = node.string_or("source", "train");
  if (a.source != "train" && a.source != "predictor" && a.source != "table") {
    node["source"].fail(fmt::format("expected train, predictor or table, got '{}'", a.source));
  }
  if (a.source == "table") {
    if (!node.has("table")) {
      node.fail(
          "source table needs key 'table' (NAS-Bench-201's archs CSV, e.g. "
          "data/nasbench201/archs_cifar10.csv, relative to the run file)");
    }
    if (run.network_space->kind() != "nb201") {
      node["source"].fail(fmt::format("the accuracy table covers the nb201 space; the space is {}",
                                      run.network_space->kind()));
    }
    a.table = existing_file(run, node["table"]);
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
                   "population", "tournament", "mutation_rate", "crossover_rate", "fnas_penalty",
                   "reward"});
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
  if (auto reward = node.get("reward")) {
    reward->check_keys({"kind", "target_ms", "alpha", "beta"});
    const std::string kind = reward->string_or("kind", "soft");
    if (kind != "soft") reward->fail(fmt::format("expected kind soft, got '{}'", kind));
    if (!reward->has("target_ms")) reward->fail("the soft reward needs target_ms");
    SoftReward soft;
    soft.target_ms = (*reward)["target_ms"].as_double(1e-12);
    soft.alpha = reward->double_or("alpha", soft.alpha, -10, 10);
    soft.beta = reward->double_or("beta", soft.beta, -10, 10);
    s.soft_reward = soft;
  }
}

void read_hardware(const io::YamlNode& hardware, RunConfig& run,
                   std::optional<CoSearchMode> mode_override) {
  hardware.check_keys({"device", "board", "template", "model", "mapping", "accelerator",
                       "accelerator_space", "mode", "fixed_network", "latency_model"});
  run.template_name = hardware.string_or("template", "tiled");
  const auto only_for = [&](std::initializer_list<const char*> keys, std::string_view templ) {
    for (const char* key : keys) {
      if (hardware.has(key)) {
        hardware[key].fail(fmt::format("only template {} takes '{}'", templ, key));
      }
    }
  };
  if (run.template_name == "systolic") {
    only_for({"device", "board", "model", "mapping"}, "tiled or dataflow");
    only_for({"latency_model"}, "measured");
    if (!hardware.has("accelerator")) {
      hardware.fail("template systolic needs key 'accelerator' (an accelerator file)");
    }
    run.accelerator_file = existing_file(run, hardware["accelerator"]);
    if (hardware.has("accelerator_space")) {
      run.accelerator_space_file = existing_file(run, hardware["accelerator_space"]);
    }
    if (hardware.has("mode")) {
      const std::string text = hardware["mode"].as_string();
      const auto mode = cosearch_mode_from_string(text);
      if (!mode) {
        hardware["mode"].fail(fmt::format("expected joint, fixed-hw or fixed-net, got '{}'", text));
      }
      run.mode = *mode;
    } else {
      run.mode = run.accelerator_space_file.empty() ? CoSearchMode::fixed_hw : CoSearchMode::joint;
    }
    if (mode_override) run.mode = *mode_override;
    if (run.mode != CoSearchMode::fixed_hw && run.accelerator_space_file.empty()) {
      hardware.fail(fmt::format("mode {} searches the accelerator: give 'accelerator_space'",
                                to_string(run.mode)));
    }
    if (hardware.has("fixed_network")) {
      const io::YamlNode node = hardware["fixed_network"];
      try {
        const space::Genotype genotype = space::parse_genotype(node.as_string());
        space::check_genotype(*run.network_space, genotype);
        run.fixed_network = genotype;
      } catch (const InputError& e) {
        node.fail(
            fmt::format("not a genotype of space {}: {}", run.network_space->name(), e.reason()));
      }
    } else if (run.mode == CoSearchMode::fixed_net) {
      hardware.fail("mode fixed-net needs key 'fixed_network' (a genotype of the network space)");
    }
    return;
  }
  if (run.template_name == "measured") {
    only_for({"device", "board", "model", "mapping"}, "tiled or dataflow");
    only_for({"accelerator", "accelerator_space", "mode", "fixed_network"}, "systolic");
    if (!hardware.has("latency_model")) {
      hardware.fail("template measured needs key 'latency_model' (hwnas latency fit --out)");
    }
    run.latency_model = existing_file(run, hardware["latency_model"]);
    if (mode_override) hardware.fail("--mode needs template systolic");
    return;
  }
  if (!is_fpga(run)) {
    hardware["template"].fail(
        fmt::format("expected tiled, dataflow, systolic or measured, got '{}'", run.template_name));
  }
  only_for({"accelerator", "accelerator_space", "mode", "fixed_network"}, "systolic");
  only_for({"latency_model"}, "measured");
  if (mode_override) hardware.fail("--mode needs template systolic");
  run.device = hardware["device"].as_string();
  run.board = hardware.string_or("board", "");
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
    throw InputError(run.file, hardware.path() + ".device", e.reason());
  }
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

std::string_view to_string(CoSearchMode mode) {
  for (const auto& [m, name] : kModes) {
    if (m == mode) return name;
  }
  return "?";
}

std::optional<CoSearchMode> cosearch_mode_from_string(std::string_view text) {
  for (const auto& [m, name] : kModes) {
    if (name == text) return m;
  }
  return std::nullopt;
}

std::string metric_names() {
  std::string names;
  for (const auto& [m, text] : kMetrics) names += (names.empty() ? "" : ", ") + std::string(text);
  return names;
}

RunConfig read_run_file(const std::string& path, std::optional<CoSearchMode> mode) {
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
  run.network_space = io::read_space_file(run.space_file);
  run.space = run.network_space;
  run.data = root.string_or("data", run.data);

  read_hardware(root["hardware"], run, mode);
  if (auto limits = root.get("limits")) {
    read_limits(*limits, run);
  } else {
    run.limits.resources = run.target.device.budget;
  }
  if (run.template_name == "systolic") setup_systolic(run);
  if (run.template_name == "measured") {
    auto model = std::make_shared<const latency::LatencyModel>(
        latency::LatencyModel::load(run.latency_model));
    const space::SearchSpace& fitted = *model->space().space;
    if (fitted.kind() != run.network_space->kind() ||
        fitted.genes() != run.network_space->genes()) {
      throw InputError(path, "hardware.latency_model",
                       fmt::format("{} was fitted for a {} space of {} genes, the run searches a "
                                   "{} space of {} genes",
                                   run.latency_model, fitted.kind(), fitted.genes().size(),
                                   run.network_space->kind(), run.network_space->genes().size()));
    }
    run.latency = std::move(model);
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
    } else if (m == Metric::energy_mj && run.limits.energy_mj) {
      run.reference.push_back(*run.limits.energy_mj);
    } else if (m == Metric::area_mm2 && run.limits.area_mm2) {
      run.reference.push_back(*run.limits.area_mm2);
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

  // The FPGA resource metrics need an FPGA template, energy and area the edge accelerator.
  for (std::size_t i = 0; i < run.objectives.size(); ++i) {
    const Metric m = run.objectives[i];
    const bool fpga_metric =
        m == Metric::dsp || m == Metric::bram || m == Metric::lut || m == Metric::ff;
    const bool accel_metric = m == Metric::energy_mj || m == Metric::area_mm2;
    const bool throughput_metric = m == Metric::throughput_fps;
    if ((fpga_metric && !is_fpga(run)) || (accel_metric && run.template_name != "systolic") ||
        (throughput_metric && run.template_name == "measured")) {
      throw InputError(
          path, fmt::format("objectives[{}]", i),
          fmt::format("template {} does not give {}", run.template_name, to_string(m)));
    }
  }
  if (run.search.soft_reward && run.search.algorithm == "nsga2") {
    throw InputError(path, "search.reward",
                     "NSGA-II ranks by the objectives; the soft reward is for random, evolution "
                     "and fnas");
  }

  // Every file the run reads is part of what makes it the same run.
  run.fingerprint = read_text(path) + "\n---\n" + read_text(run.space_file);
  for (const std::string& file :
       {run.accelerator_file, run.accelerator_space_file, run.latency_model}) {
    if (!file.empty()) run.fingerprint += "\n---\n" + read_text(file);
  }
  // --mode overrides the file, so the mode itself is part of the run's identity.
  if (run.template_name == "systolic")
    run.fingerprint += fmt::format("\nmode {}", to_string(run.mode));
  return run;
}

}  // namespace hwnas::pipeline
