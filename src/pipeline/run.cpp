#include "hwnas/pipeline/run.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "hwnas/core/error.hpp"
#include "hwnas/eval/export.hpp"
#include "hwnas/eval/predictor.hpp"
#include "hwnas/io/network_yaml.hpp"
#include "hwnas/search/algorithms.hpp"
#include "hwnas/search/controller.hpp"
#include "hwnas/search/pareto.hpp"
#include "hwnas/store/store.hpp"
#include "hwnas/tabular/csv.hpp"
#include "hwnas/tabular/tabular_evaluator.hpp"

namespace hwnas::pipeline {

namespace {

using tabular::csv_field;

std::string store_path(const std::string& out_dir) {
  return out_dir + "/run.sqlite";
}

std::unique_ptr<eval::AccuracyEvaluator> make_accuracy(const RunConfig& run, store::Store& store) {
  if (run.accuracy.source == "predictor") {
    return std::make_unique<eval::PredictorEvaluator>(
        learn::Regressor::load(run.accuracy.predictor), run.accuracy.predictor);
  }
  if (run.accuracy.source == "table") {
    return std::make_unique<tabular::TabularEvaluator>(
        tabular::read_nb201_table(run.accuracy.table), *run.network_space);
  }
  return std::make_unique<eval::TrainingEvaluator>(run.data, run.accuracy.budget, &store);
}

void count(RunProgress& p, const Candidate& c) {
  ++p.stages[static_cast<std::size_t>(c.stage)];
  p.trained += c.trained ? 1 : 0;
  if (c.feasible() && std::isfinite(c.accuracy))
    p.best_accuracy = std::max(p.best_accuracy, c.accuracy);
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  if (!out) throw InputError(path, "", "cannot write file");
  out << text;
}

std::string csv_number(double value) {
  return std::isfinite(value) ? fmt::format("{:.6g}", value) : "";
}

}  // namespace

std::unique_ptr<search::Algorithm> make_algorithm(const RunConfig& run) {
  const SearchConfig& s = run.search;
  const space::SearchSpace& space = *run.space;
  if (s.algorithm == "random") return search::make_random_search(space, s.seed);
  if (s.algorithm == "evolution") {
    search::EvolutionParams params;
    params.population = static_cast<std::size_t>(s.population);
    params.tournament = static_cast<std::size_t>(s.tournament);
    params.mutation_rate = s.mutation_rate.value_or(0.0);
    return search::make_regularized_evolution(space, s.seed, params);
  }
  if (s.algorithm == "nsga2") {
    search::Nsga2Params params;
    params.population = static_cast<std::size_t>(s.population);
    params.crossover_rate = s.crossover_rate;
    params.mutation_rate = s.mutation_rate;
    return search::make_nsga2(space, s.seed, params);
  }
  search::ControllerParams params;
  params.seed = s.seed;
  params.reward.infeasible_reward = s.fnas_penalty;
  if (run.limits.latency_ms) params.reward.latency_spec_ms = *run.limits.latency_ms;
  return search::make_fnas_controller(space, params);
}

namespace {
// The store of a run that exists; opening one that does not would create an empty file.
store::Store open_existing_run(const std::string& out_dir) {
  if (!std::filesystem::exists(store_path(out_dir))) {
    throw InputError(out_dir, "", "no search run here (run.sqlite is missing)");
  }
  return store::Store(store_path(out_dir));
}
}  // namespace

std::string stored_run_file(const std::string& out_dir) {
  store::Store store = open_existing_run(out_dir);
  const auto file = store.meta("run_file");
  if (!file) throw InputError(store_path(out_dir), "run_file", "the store holds no search run");
  return *file;
}

std::optional<CoSearchMode> stored_mode(const std::string& out_dir) {
  store::Store store = open_existing_run(out_dir);
  const auto mode = store.meta("mode");
  return mode ? cosearch_mode_from_string(*mode) : std::nullopt;
}

std::vector<Candidate> read_candidates(const std::string& out_dir) {
  store::Store store = open_existing_run(out_dir);
  std::vector<Candidate> out;
  for (const auto& record : store.candidates()) {
    out.push_back(candidate_from_json(nlohmann::json::parse(record.record)));
  }
  return out;
}

RunSummary run_search(const RunConfig& run, const std::string& out_dir, bool resume,
                      const std::function<void(const RunProgress&)>& progress) {
  std::filesystem::create_directories(out_dir);
  store::Store store(store_path(out_dir));
  const auto fingerprint = store.run_fingerprint();
  if (fingerprint && *fingerprint != run.fingerprint) {
    throw InputError(store_path(out_dir), "run",
                     "holds a different run (run file or space changed); use another --out");
  }
  std::vector<store::CandidateRecord> stored = store.candidates();
  if (!stored.empty() && !resume) {
    throw InputError(store_path(out_dir), "run",
                     fmt::format("holds {} candidates of this run already; pass --resume to "
                                 "continue it, or use another --out",
                                 stored.size()));
  }
  if (!fingerprint) store.set_run_fingerprint(run.fingerprint);
  store.set_meta("run_file", std::filesystem::absolute(run.file).string());
  if (run.template_name == "systolic") store.set_meta("mode", std::string(to_string(run.mode)));

  std::unique_ptr<eval::AccuracyEvaluator> accuracy = make_accuracy(run, store);
  const Pipeline pipeline(run, *accuracy);
  std::unique_ptr<search::Algorithm> algorithm = make_algorithm(run);

  std::vector<std::optional<Candidate>> by_seq(static_cast<std::size_t>(run.search.candidates));
  for (const auto& record : stored) {
    if (record.seq < run.search.candidates) {
      by_seq[static_cast<std::size_t>(record.seq)] =
          candidate_from_json(nlohmann::json::parse(record.record));
    }
  }

  RunProgress state;
  state.total = run.search.candidates;
  const auto start = std::chrono::steady_clock::now();
  int evaluated_here = 0;
  std::mutex progress_mutex;
  const auto report = [&](const Candidate& c, bool from_store) {
    std::lock_guard lock(progress_mutex);
    ++state.done;
    state.resumed += from_store ? 1 : 0;
    evaluated_here += from_store ? 0 : 1;
    count(state, c);
    state.elapsed_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const int left = state.total - state.done;
    state.eta_s = evaluated_here > 0 ? state.elapsed_s / evaluated_here * left : 0;
    if (progress) progress(state);
  };

  for (int first = 0, batch = 0; first < run.search.candidates; ++batch) {
    const int size = std::min(run.search.batch, run.search.candidates - first);
    const std::vector<space::Genotype> asked = algorithm->ask(static_cast<std::size_t>(size));
    std::vector<std::size_t> missing;
    for (int i = 0; i < size; ++i) {
      auto& slot = by_seq[static_cast<std::size_t>(first + i)];
      if (slot && slot->genotype != asked[static_cast<std::size_t>(i)]) {
        throw InputError(store_path(out_dir), fmt::format("candidate {}", first + i),
                         "the stored genotype differs from the one the algorithm asks for "
                         "again; the store is not from this run");
      }
      if (slot) {
        report(*slot, true);
      } else {
        missing.push_back(static_cast<std::size_t>(i));
      }
    }
    // Evaluate what is missing on `workers` threads; each result is stored as soon as it is
    // done, so a kill loses at most the candidates in flight.
    std::atomic<std::size_t> next{0};
    std::exception_ptr failure;
    std::mutex failure_mutex;
    const auto work = [&] {
      for (std::size_t k = next++; k < missing.size(); k = next++) {
        const int seq = first + static_cast<int>(missing[k]);
        try {
          Candidate c = pipeline.evaluate(asked[missing[k]], seq, batch);
          store.put_candidate({seq, batch, space::to_string(c.genotype),
                               std::string(to_string(c.stage)), c.feasible(), to_json(c).dump()});
          report(c, false);
          by_seq[static_cast<std::size_t>(seq)] = std::move(c);
        } catch (...) {
          std::lock_guard lock(failure_mutex);
          if (!failure) failure = std::current_exception();
          next = missing.size();
        }
      }
    };
    const int workers = std::min<int>(run.search.workers, static_cast<int>(missing.size()));
    std::vector<std::thread> threads;
    for (int t = 1; t < workers; ++t) threads.emplace_back(work);
    if (!missing.empty()) work();
    for (auto& t : threads) t.join();
    if (failure) std::rethrow_exception(failure);

    std::vector<search::Outcome> outcomes;
    for (int i = 0; i < size; ++i)
      outcomes.push_back(by_seq[static_cast<std::size_t>(first + i)]->outcome);
    algorithm->tell(outcomes);
    first += size;
  }

  std::vector<Candidate> all;
  for (auto& c : by_seq) all.push_back(std::move(*c));
  RunSummary summary = summarize(run, std::move(all));
  summary.seconds = state.elapsed_s;
  return summary;
}

RunSummary summarize(const RunConfig& run, std::vector<Candidate> candidates) {
  RunSummary s;
  s.candidates = std::move(candidates);
  std::vector<std::vector<double>> points;
  std::vector<std::size_t> measured;
  for (std::size_t i = 0; i < s.candidates.size(); ++i) {
    const Candidate& c = s.candidates[i];
    ++s.stages[static_cast<std::size_t>(c.stage)];
    s.trained += c.trained ? 1 : 0;
    if (!c.feasible() || !std::isfinite(c.accuracy)) continue;
    points.push_back(minimised(run, c));
    measured.push_back(i);
    // The best design: the most accurate within the limits (the fastest of equals), or the
    // highest soft reward when the run has one.
    const Candidate* best = s.best ? &s.candidates[*s.best] : nullptr;
    const bool better = !best || (run.search.soft_reward ? c.reward > best->reward
                                                         : c.accuracy > best->accuracy ||
                                                               (c.accuracy == best->accuracy &&
                                                                c.latency_ms < best->latency_ms));
    if (better) s.best = i;
  }
  for (std::size_t k : search::pareto_front(points)) s.front.push_back(measured[k]);
  std::sort(s.front.begin(), s.front.end(), [&](std::size_t a, std::size_t b) {
    return minimised(run, s.candidates[a]) < minimised(run, s.candidates[b]);
  });
  s.hypervolume = points.empty() ? 0.0 : search::hypervolume(points, minimised_reference(run));
  return s;
}

bool export_best(const RunConfig& run, const RunSummary& s, const std::string& out_dir) {
  if (!s.best || run.accuracy.source != "train") return false;
  const ir::Network network = run.space->decode(s.candidates[*s.best].genotype);
  store::Store store(store_path(out_dir));
  eval::TrainingEvaluator trainer(run.data, run.accuracy.budget, &store);
  const eval::Accuracy a = trainer.evaluate(network, {}, [&](eval::TorchNetworkImpl& model) {
    eval::export_torchscript(model, out_dir + "/best.pt");
    eval::export_weights(model, out_dir + "/best.weights.json");
  });
  return a.ok;
}

nlohmann::json summary_json(const RunConfig& run, const RunSummary& s) {
  nlohmann::json stages;
  for (std::size_t i = 0; i < s.stages.size(); ++i) {
    stages[std::string(to_string(static_cast<Stage>(i)))] = s.stages[i];
  }
  nlohmann::json objectives = nlohmann::json::array();
  for (Metric m : run.objectives) objectives.push_back(std::string(to_string(m)));
  const auto brief = [&](const Candidate& c) {
    nlohmann::json j{{"seq", c.seq},
                     {"genotype", space::to_string(c.genotype)},
                     {"description", c.description},
                     {"accuracy", c.accuracy},
                     {"test_accuracy", c.test_accuracy},
                     {"latency_ms", c.latency_ms},
                     {"throughput_fps", c.throughput_fps},
                     {"dsp", c.used.dsp},
                     {"bram", c.used.bram},
                     {"lut", c.used.lut},
                     {"ff", c.used.ff}};
    if (run.template_name == "systolic") {
      j["energy_mj"] = c.energy_mj;
      j["area_mm2"] = c.area_mm2;
    }
    if (run.search.soft_reward) j["reward"] = c.reward;
    return j;
  };
  nlohmann::json front = nlohmann::json::array();
  for (std::size_t i : s.front) front.push_back(brief(s.candidates[i]));
  nlohmann::json json{{"run", run.name},
                      {"algorithm", run.search.algorithm},
                      {"candidates", s.candidates.size()},
                      {"stages", stages},
                      {"trained", s.trained},
                      {"objectives", objectives},
                      {"reference", run.reference},
                      {"hypervolume", s.hypervolume},
                      {"front", front},
                      {"seconds", s.seconds}};
  json["best"] = s.best ? brief(s.candidates[*s.best]) : nlohmann::json(nullptr);
  return json;
}

void write_outputs(const RunConfig& run, const RunSummary& s, const std::string& out_dir) {
  const std::string header =
      "seq,genotype,description,stage,reason,accuracy,test_accuracy,accuracy_source,latency_ms,"
      "throughput_fps,dsp,bram,lut,ff,energy_mj,area_mm2,reward,params,macs,cost_ms,accuracy_s\n";
  const auto row = [](const Candidate& c) {
    return fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{:.3f},{:.3f}\n",
                       c.seq, csv_field(space::to_string(c.genotype)), csv_field(c.description),
                       to_string(c.stage), csv_field(c.reason), csv_number(c.accuracy),
                       csv_number(c.test_accuracy), c.accuracy_source, csv_number(c.latency_ms),
                       csv_number(c.throughput_fps), c.used.dsp, c.used.bram, c.used.lut, c.used.ff,
                       csv_number(c.energy_mj), csv_number(c.area_mm2), csv_number(c.reward),
                       c.params, c.macs, c.cost_ms, c.accuracy_s);
  };
  std::string all = header, front = header;
  for (const auto& c : s.candidates) all += row(c);
  for (std::size_t i : s.front) front += row(s.candidates[i]);
  write_file(out_dir + "/candidates.csv", all);
  write_file(out_dir + "/pareto.csv", front);
  write_file(out_dir + "/summary.json", summary_json(run, s).dump(2) + "\n");
  if (s.best) {
    const Candidate& best = s.candidates[*s.best];
    ir::Network network = run.space->decode(best.genotype);
    network.name = fmt::format("{}-{}", run.name, best.seq);
    write_file(out_dir + "/best.yaml", io::network_to_yaml(network));
    write_file(out_dir + "/best-hw.yaml", best.hardware_yaml);
  }
}

}  // namespace hwnas::pipeline
