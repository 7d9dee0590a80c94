// hwnas latency: a latency predictor for a measured device — fit it from a measurements CSV,
// judge it on held-out measurements, predict a network's latency, split a shared file into
// fitting and held-out parts.

#include <cmath>
#include <fstream>
#include <memory>
#include <set>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "hwnas/core/error.hpp"
#include "hwnas/latency/model.hpp"
#include "hwnas/tabular/csv.hpp"
#include "hwnas/tabular/nb201_table.hpp"

namespace hwnas::cli {

namespace {

using tabular::csv_field;

struct LatencyOptions {
  std::string space = "nb201";
  std::string measurements;
  std::string column;  // "" = latency_ms (fit) or the model's column (eval)
  std::string archs = std::string(tabular::kNb201ArchsCsv);
  std::string model;
  std::string arch;
  long long index = -1;
  std::string out;
  std::string holdout;
  std::string predictions;  // eval: per-row CSV of measured against predicted
  latency::FitOptions fit;
  bool linear_target = false;
  std::string base = "choose";
  bool json = false;
};

nlohmann::json report_json(const learn::RegressionReport& r) {
  return {{"n", r.n},
          {"spearman", r.spearman},
          {"kendall_tau", r.kendall_tau},
          {"rmse_ms", r.rmse},
          {"mape_percent", r.mape},
          {"within_5_percent", r.within_5},
          {"within_10_percent", r.within_10}};
}

// The archs table is read only when something needs it (an index); it takes about a second.
std::unique_ptr<tabular::Nb201Table> archs_table(const LatencyOptions& options,
                                                 const space::SearchSpace& space) {
  if (space.kind() != "nb201") return nullptr;
  return std::make_unique<tabular::Nb201Table>(tabular::read_nb201_table(options.archs));
}

latency::Measurements read(const LatencyOptions& options, const std::string& column,
                           const space::SearchSpace& space,
                           std::unique_ptr<tabular::Nb201Table>& archs) {
  if (!archs) archs = archs_table(options, space);
  return latency::read_measurements(options.measurements, space,
                                    {.column = column, .archs = archs.get()});
}

void run_fit(LatencyOptions options) {
  const latency::SpaceSpec space = latency::load_space(options.space);
  std::unique_ptr<tabular::Nb201Table> archs;
  const latency::Measurements m =
      read(options, options.column.empty() ? "latency_ms" : options.column, *space.space, archs);
  options.fit.log_target = !options.linear_target;
  options.fit.base = latency::base_mode_from_string(options.base).value();
  const latency::LatencyModel model = latency::LatencyModel::fit(m, space, options.fit);
  model.save(options.out);
  const std::size_t rows = model.info().at("rows");
  if (options.json) {
    fmt::print("{}\n", nlohmann::json{{"model", options.out},
                                      {"space", space.space->kind()},
                                      {"column", m.column},
                                      {"measurements", m.rows.size()},
                                      {"skipped_blank", m.skipped_blank},
                                      {"rows", rows},
                                      {"seed", options.fit.seed},
                                      {"log_target", options.fit.log_target},
                                      {"mode", model.info().at("mode")},
                                      {"features", model.featurizer().names().size()}}
                           .dump(2));
    return;
  }
  fmt::print(
      "fitted on {} of {} measurements of '{}' in {} ({} blank rows skipped), "
      "{} features, {} target, mode {}\n",
      rows, m.rows.size(), m.column, m.file, m.skipped_blank, model.featurizer().names().size(),
      options.fit.log_target ? "log" : "linear", model.info().at("mode").get<std::string>());
  fmt::print("saved {}\n", options.out);
}

// The first two fields of a measurement's line: its index (blank without one) and its arch.
std::string index_and_arch(const latency::Measurement& row, const space::SearchSpace& space) {
  return (row.index >= 0 ? std::to_string(row.index) : std::string()) + ',' +
         csv_field(latency::arch_of(space, row.genotype));
}

// One line per judged measurement, so a user can see which networks the model gets wrong.
void write_predictions(const std::string& path, const latency::Measurements& m,
                       const space::SearchSpace& space, const latency::LatencyReport& report) {
  std::ofstream out(path);
  if (!out) throw InputError(path, "", "cannot write the file");
  out << "index,arch,measured_ms,predicted_ms,error_percent\n";
  for (std::size_t i = 0; i < report.rows.size(); ++i) {
    const auto& row = m.rows[report.rows[i]];
    const double measured = report.measured_ms[i], predicted = report.predicted_ms[i];
    out << index_and_arch(row, space) << ',' << fmt::format("{}", measured) << ','
        << fmt::format("{}", predicted) << ','
        << fmt::format("{:.3f}", 100 * (predicted - measured) / measured) << '\n';
  }
  if (!out) throw InputError(path, "", "cannot write the file");
}

void run_eval(LatencyOptions options) {
  const latency::LatencyModel model = latency::LatencyModel::load(options.model);
  const std::string column = options.column.empty()
                                 ? model.info().value("column", std::string("latency_ms"))
                                 : options.column;
  std::unique_ptr<tabular::Nb201Table> archs;
  latency::Measurements m = read(options, column, *model.space().space, archs);
  const std::size_t measured = m.rows.size();
  std::size_t left_out = 0;
  if (options.fit.rows > 0) {
    // Leave out the fitted rows first, then draw: --rows counts rows the model has not seen.
    std::vector<std::size_t> fitted_rows;
    std::set<std::string> fitted;
    for (const auto& a : model.info().value("fitted", nlohmann::json::array())) {
      fitted.insert(a.get<std::string>());
    }
    for (std::size_t r = 0; r < m.rows.size(); ++r) {
      if (fitted.count(latency::arch_of(*model.space().space, m.rows[r].genotype))) {
        fitted_rows.push_back(r);
      }
    }
    left_out = fitted_rows.size();
    const auto rows =
        latency::draw_rows(m.rows.size(), options.fit.rows, options.fit.seed, fitted_rows);
    std::vector<latency::Measurement> kept;
    for (const std::size_t r : rows) kept.push_back(m.rows[r]);
    m.rows = std::move(kept);
  }
  const latency::LatencyReport report = model.evaluate(m, true);
  left_out += report.left_out;
  if (!options.predictions.empty()) {
    write_predictions(options.predictions, m, *model.space().space, report);
  }
  if (options.json) {
    nlohmann::json json = report_json(report.metrics);
    json["column"] = m.column;
    json["measurements"] = measured;
    json["left_out_fitted"] = left_out;
    json["skipped_blank"] = m.skipped_blank;
    fmt::print("{}\n", json.dump(2));
    return;
  }
  const auto& r = report.metrics;
  fmt::print(
      "judged on {} of {} measurements of '{}' in {} ({} left out: the model was fitted on "
      "them; {} blank rows skipped):\n",
      r.n, measured, m.column, m.file, left_out, m.skipped_blank);
  fmt::print("  Spearman {:.4f}, Kendall tau {:.4f}, RMSE {:.4f} ms, MAPE {:.2f}%\n", r.spearman,
             r.kendall_tau, r.rmse, r.mape);
  fmt::print("  within +-5%: {:.1f}%, within +-10%: {:.1f}%\n", 100 * r.within_5,
             100 * r.within_10);
}

void run_predict(const LatencyOptions& options) {
  const latency::LatencyModel model = latency::LatencyModel::load(options.model);
  const space::SearchSpace& space = *model.space().space;
  space::Genotype genotype;
  std::string label;
  if (!options.arch.empty()) {
    genotype = latency::genotype_of(space, options.arch);
    label = options.arch;
  } else {
    if (space.kind() != "nb201") {
      throw InputError("--index", "", "an index needs the nb201 space; give --arch");
    }
    const tabular::Nb201Table archs = tabular::read_nb201_table(options.archs);
    const auto row = archs.row_of_index(options.index);
    if (!row) {
      throw InputError("--index", std::to_string(options.index),
                       fmt::format("not an index of {}", options.archs));
    }
    genotype = archs.archs[*row].genotype;
    label = fmt::format("index {} ({})", options.index, archs.archs[*row].arch);
  }
  const double ms = model.predict_ms(genotype);
  const std::string column = model.info().value("column", std::string("?"));
  if (options.json) {
    fmt::print("{}\n", nlohmann::json{{"arch", latency::arch_of(space, genotype)},
                                      {"column", column},
                                      {"predicted_latency_ms", ms}}
                           .dump(2));
  } else {
    fmt::print("{}: predicted {} {:.4f} ms\n", label, column, ms);
  }
}

void write_rows(const std::string& path, const latency::Measurements& m,
                const space::SearchSpace& space, const std::vector<std::size_t>& rows) {
  std::ofstream out(path);
  if (!out) throw InputError(path, "", "cannot write the file");
  out << "index,arch,latency_ms\n";
  for (const std::size_t r : rows) {
    const auto& row = m.rows[r];
    out << index_and_arch(row, space) << ',' << fmt::format("{}", row.latency_ms) << '\n';
  }
  if (!out) throw InputError(path, "", "cannot write the file");
}

void run_split(const LatencyOptions& options) {
  const latency::SpaceSpec space = latency::load_space(options.space);
  std::unique_ptr<tabular::Nb201Table> archs;
  const latency::Measurements m =
      read(options, options.column.empty() ? "latency_ms" : options.column, *space.space, archs);
  const auto rows = latency::draw_rows(m.rows.size(), options.fit.rows, options.fit.seed);
  write_rows(options.out, m, *space.space, rows);
  std::vector<std::size_t> rest;
  if (!options.holdout.empty()) {
    std::vector<char> drawn(m.rows.size(), 0);
    for (const std::size_t r : rows) drawn[r] = 1;
    for (std::size_t r = 0; r < m.rows.size(); ++r) {
      if (!drawn[r]) rest.push_back(r);
    }
    write_rows(options.holdout, m, *space.space, rest);
  }
  fmt::print("wrote {} rows of '{}' to {}{} ({} blank rows skipped)\n", rows.size(), m.column,
             options.out,
             options.holdout.empty()
                 ? ""
                 : fmt::format(" and the other {} to {}", rest.size(), options.holdout),
             m.skipped_blank);
}

void add_boost_options(CLI::App* cmd, LatencyOptions& o) {
  cmd->add_option("--rounds", o.fit.boost.rounds)->capture_default_str();
  cmd->add_option("--max-depth", o.fit.boost.max_depth)->capture_default_str();
  cmd->add_option("--lr", o.fit.boost.learning_rate)->capture_default_str();
  cmd->add_option("--threads", o.fit.boost.threads)->capture_default_str();
}

}  // namespace

void add_latency_command(CLI::App& app) {
  auto o = std::make_shared<LatencyOptions>();
  CLI::App* cmd = app.add_subcommand(
      "latency", "Latency predictor (XGBoost) fitted from a device's measured latencies");
  cmd->require_subcommand(1);
  const std::string archs_help = "NAS-Bench-201 archs file mapping an index to its arch";
  const std::string column_help =
      "latency column, or a device of the NB201 files (raspi4 = raspi4_latency_ms)";

  CLI::App* fit = cmd->add_subcommand("fit", "Fit a model from measured latencies");
  fit->add_option("--space", o->space, "nb201 or a space YAML file")->capture_default_str();
  fit->add_option("--measurements,-m", o->measurements,
                  "CSV with 'index' and/or 'arch' and a latency column")
      ->required();
  fit->add_option("--column", o->column, column_help + " [latency_ms]");
  fit->add_option("--archs", o->archs, archs_help)->capture_default_str();
  fit->add_option("--rows", o->fit.rows, "measurements to fit on, drawn with --seed (0 = all)")
      ->capture_default_str();
  fit->add_option("--seed", o->fit.seed, "draws the rows")->capture_default_str();
  fit->add_flag("--linear-target", o->linear_target, "fit the latency itself, not its logarithm");
  add_boost_options(fit, *o);
  fit->add_option("--out,-o", o->out, "model file to write (JSON)")->required();
  fit->add_flag("--json", o->json);
  fit->callback([o] { run_fit(*o); });

  CLI::App* eval = cmd->add_subcommand(
      "eval", "Judge a model on measurements it was not fitted on (fitted rows are left out)");
  eval->add_option("--model", o->model)->required();
  eval->add_option("--measurements,-m", o->measurements)->required();
  eval->add_option("--column", o->column, column_help + " [the model's column]");
  eval->add_option("--archs", o->archs, archs_help)->capture_default_str();
  eval->add_option("--rows", o->fit.rows, "judge on this many rows, drawn with --seed (0 = all)")
      ->capture_default_str();
  eval->add_option("--seed", o->fit.seed)->capture_default_str();
  eval->add_option("--predictions", o->predictions,
                   "write each judged row's measured and predicted latency to this CSV");
  eval->add_flag("--json", o->json);
  eval->callback([o] { run_eval(*o); });

  CLI::App* predict = cmd->add_subcommand("predict", "Predict one network's latency");
  predict->add_option("--model", o->model)->required();
  auto* arch = predict->add_option("--arch", o->arch,
                                   "arch string (nb201: |op~0|+|...|), or a genotype 3,0,1");
  auto* index = predict->add_option("--index", o->index, "NAS-Bench-201 index");
  arch->excludes(index);
  predict->add_option("--archs", o->archs, archs_help)->capture_default_str();
  predict->add_flag("--json", o->json);
  predict->callback([o, arch, index] {
    if (arch->count() == 0 && index->count() == 0) {
      throw InputError("latency predict", "", "give --arch or --index");
    }
    run_predict(*o);
  });

  CLI::App* split = cmd->add_subcommand(
      "split", "Draw rows of a measurements file into a fitting file and a held-out file");
  split->add_option("--space", o->space, "nb201 or a space YAML file")->capture_default_str();
  split->add_option("--measurements,-m", o->measurements)->required();
  split->add_option("--column", o->column, column_help + " [latency_ms]");
  split->add_option("--archs", o->archs, archs_help)->capture_default_str();
  split->add_option("--rows", o->fit.rows, "rows drawn into --out")->required();
  split->add_option("--seed", o->fit.seed)->capture_default_str();
  split->add_option("--out,-o", o->out, "CSV of the drawn rows (index,arch,latency_ms)")
      ->required();
  split->add_option("--holdout", o->holdout, "CSV of the other rows");
  split->callback([o] { run_split(*o); });
}

}  // namespace hwnas::cli
