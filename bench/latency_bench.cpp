// Learning curves of the latency predictor (issue 7, figures in docs/latency.md): for every
// latency column of NAS-Bench-201's device files (HW-NAS-Bench's fpga, eyeriss, raspi4, edgegpu,
// edgetpu; HELP's server GPUs and CPUs), fit on 50..1000 measured archs and judge on a fixed,
// seeded test set of 2,000 others; several seeds, medians reported.
//
// Beside the model, two baselines fitted on the same rows, to show what the trees add:
//  * macs-linear: latency = a + b * MACs, least squares;
//  * op-table: latency = a + sum over the cell's 6 edges of a per-(edge, op) term, least squares
//    (an nn-Meter-like kernel sum: each op's cost looked up and added).
// And, at one training size, ablations: the linear target against the log target, each mode
// (trees, sum+trees, sum) forced, and each feature group alone. Also the measurements' own
// repeatability: archs that decode to the same network were measured separately, and how often
// two such measurements agree within +-10% bounds what any predictor of the network can reach.
//
// Features are computed once for all 15,625 archs (the analytic models take most of the time),
// in --threads threads; fits run in --threads threads, one XGBoost thread each.
// A plain program, not Google Benchmark: it measures prediction quality, not time.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <fstream>
#include <map>
#include <mutex>
#include <numeric>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <sys/utsname.h>
#include <CLI/CLI.hpp>

#include "hwnas/core/parallel.hpp"
#include "hwnas/latency/model.hpp"
#include "hwnas/learn/least_squares.hpp"
#include "hwnas/space/nb201_space.hpp"
#include "hwnas/tabular/nb201_table.hpp"
#include "hwnas/tabular/tabular_evaluator.hpp"

namespace {

using namespace hwnas;

struct Options {
  // 0 = every measured arch outside the test set, one seed: what the features allow at all,
  // which tells a device's noise from too few measurements.
  std::vector<std::size_t> sizes = {50, 100, 200, 500, 1000, 0};
  int seeds = 3;
  std::size_t test_rows = 2000;
  std::uint64_t test_seed = 2021;
  std::size_t ablation_size = 500;
  std::vector<std::string> devices;  // empty = every latency column
  int threads = 2;
  std::string out;
};

std::string size_label(std::size_t size) {
  return size == 0 ? std::string("all") : std::to_string(size);
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

struct Score {
  double spearman = 0, kendall = 0, mape = 0, within_5 = 0, within_10 = 0;
};

Score score(const std::vector<double>& predicted, const std::vector<double>& truth) {
  const learn::RegressionReport r = learn::evaluate(predicted, truth);
  return {r.spearman, r.kendall_tau, r.mape, r.within_5, r.within_10};
}

Score median_score(const std::vector<Score>& runs) {
  auto pick = [&](double Score::*m) {
    std::vector<double> v;
    for (const auto& s : runs) v.push_back(s.*m);
    return median(v);
  };
  return {pick(&Score::spearman), pick(&Score::kendall), pick(&Score::mape), pick(&Score::within_5),
          pick(&Score::within_10)};
}

// Columns [first, last) of x, by position.
learn::FeatureMatrix columns(const learn::FeatureMatrix& x, std::size_t first, std::size_t last) {
  learn::FeatureMatrix out;
  out.names.assign(x.names.begin() + static_cast<std::ptrdiff_t>(first),
                   x.names.begin() + static_cast<std::ptrdiff_t>(last));
  out.rows = x.rows;
  out.values.reserve(x.rows * out.names.size());
  for (std::size_t r = 0; r < x.rows; ++r) {
    for (std::size_t c = first; c < last; ++c) out.values.push_back(x.at(r, c));
  }
  return out;
}

// A feature group choice of the ablation, and the columns it keeps.
struct Variant {
  std::string name;
  latency::FeatureOptions features;
  bool log_target = true;
  latency::BaseMode base = latency::BaseMode::choose;
};

struct Device {
  std::string column;
  std::vector<std::size_t> rows;  // table rows with a measurement
  std::vector<std::size_t> test;  // positions in `rows`
  std::vector<std::size_t> pool;  // positions in `rows` not in test
};

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"Learning curves of hwnas's latency predictor on NAS-Bench-201's devices"};
  app.add_option("--sizes", o.sizes, "training sizes (0 = all but the test rows, one seed)")
      ->delimiter(',')
      ->capture_default_str();
  app.add_option("--seeds", o.seeds, "seeds per size (medians reported)")->capture_default_str();
  app.add_option("--test", o.test_rows, "held-out test rows per device")->capture_default_str();
  app.add_option("--test-seed", o.test_seed)->capture_default_str();
  app.add_option("--ablation-size", o.ablation_size, "training size of the ablations (0 = none)")
      ->capture_default_str();
  app.add_option("--devices", o.devices, "columns or devices (default: all latency columns)")
      ->delimiter(',');
  app.add_option("--threads", o.threads)->capture_default_str();
  app.add_option("--out", o.out, "markdown file to write (default: stdout only)");
  CLI11_PARSE(app, argc, argv);

  try {
    const auto threads = static_cast<std::size_t>(std::max(1, o.threads));
    const auto start = std::chrono::steady_clock::now();
    const std::string root = HWNAS_SOURCE_DIR "/";
    const tabular::Nb201Table table = tabular::read_nb201_table(
        root + std::string(tabular::kNb201ArchsCsv),
        {root + std::string(tabular::kNb201HwCsv), root + std::string(tabular::kNb201ServerCsv)});
    const latency::SpaceSpec space = latency::load_space("nb201");
    const latency::Featurizer featurizer(latency::FeatureOptions{}, space.space);
    const std::size_t n = table.archs.size();
    fmt::print(stderr, "table: {} archs, {} columns ({:.1f} s)\n", n, table.columns.size(),
               seconds_since(start));

    // Features of every arch, once.
    const auto feature_start = std::chrono::steady_clock::now();
    std::vector<std::vector<float>> rows(n);
    hwnas::parallel_for(
        n,
        [&](std::size_t r) {
          const space::Genotype& g = table.archs[r].genotype;
          rows[r] = featurizer.features(space.space->decode(g), &g);
        },
        threads);
    learn::FeatureMatrix all;
    all.names = featurizer.names();
    for (const auto& r : rows) all.add_row(r);
    const double feature_s = seconds_since(feature_start);
    fmt::print(stderr, "features: {} per arch, {:.1f} s for {} archs ({:.2f} ms each)\n",
               all.cols(), feature_s, n, 1e3 * feature_s * o.threads / static_cast<double>(n));
    const std::size_t n_network = latency::network_feature_names().size();
    const std::size_t n_analytic = latency::analytic_feature_names().size();
    const std::size_t macs_col = static_cast<std::size_t>(
        std::find(all.names.begin(), all.names.end(), "macs") - all.names.begin());
    const std::size_t genotype_first = n_network + n_analytic;

    // Devices: every column in ms.
    std::vector<Device> devices;
    for (const auto& [column, values] : table.columns) {
      const bool latency = column.size() > 3 && column.substr(column.size() - 3) == "_ms";
      if (!latency) continue;
      if (!o.devices.empty()) {
        bool wanted = false;
        for (const auto& d : o.devices) wanted |= table.column_name(d) == column;
        if (!wanted) continue;
      }
      Device d;
      d.column = column;
      for (std::size_t r = 0; r < n; ++r) {
        if (!std::isnan(values[r])) d.rows.push_back(r);
      }
      d.test = latency::draw_rows(d.rows.size(), o.test_rows, o.test_seed);
      d.pool = latency::draw_rows(d.rows.size(), 0, 0, d.test);
      devices.push_back(std::move(d));
    }

    // The measurements' own repeatability: archs that decode to one network (374 of them share
    // it with another, space/nb201_space.hpp) were measured separately. For each ordered pair of
    // such archs, is one's latency within +-10% (+-5%) of the other's? No predictor that sees
    // only the network can do better on those pairs.
    const tabular::TabularEvaluator groups(table, *space.space);
    std::map<std::string, std::pair<double, double>> repeat;  // column -> within 5%, 10%
    std::map<std::string, std::size_t> repeat_pairs;
    std::vector<char> seen(n, 0);
    std::vector<std::vector<std::size_t>> same;
    for (std::size_t r = 0; r < n; ++r) {
      if (seen[r]) continue;
      const auto rows_r = groups.rows_of(space.space->decode(table.archs[r].genotype));
      for (const std::size_t q : rows_r) seen[q] = 1;
      if (rows_r.size() > 1) same.push_back(rows_r);
    }
    std::size_t dead = 0;
    const std::size_t live_col = static_cast<std::size_t>(
        std::find(all.names.begin(), all.names.end(), "live_macs") - all.names.begin());
    for (std::size_t r = 0; r < n; ++r) dead += all.at(r, live_col) == 0 ? 1 : 0;
    for (const Device& d : devices) {
      const auto& v = table.columns.at(d.column);
      std::size_t pairs = 0, w5 = 0, w10 = 0;
      for (const auto& g : same) {
        for (const std::size_t a : g) {
          for (const std::size_t b : g) {
            if (a == b || std::isnan(v[a]) || std::isnan(v[b])) continue;
            ++pairs;
            w5 += std::abs(v[a] - v[b]) <= 0.05 * v[b] ? 1 : 0;
            w10 += std::abs(v[a] - v[b]) <= 0.10 * v[b] ? 1 : 0;
          }
        }
      }
      repeat_pairs[d.column] = pairs;
      repeat[d.column] = {pairs ? static_cast<double>(w5) / static_cast<double>(pairs) : NAN,
                          pairs ? static_cast<double>(w10) / static_cast<double>(pairs) : NAN};
    }

    // Every fit: (device, size, seed, variant). Variant 0 is the model; the ablations run at
    // ablation_size only.
    using latency::BaseMode;
    std::vector<Variant> variants = {{"model", {}, true, BaseMode::choose}};
    if (o.ablation_size > 0) {
      variants.push_back({"linear target", {}, false, BaseMode::choose});
      variants.push_back({"sum+trees", {}, true, BaseMode::additive});
      variants.push_back({"trees", {}, true, BaseMode::none});
      variants.push_back({"sum", {}, true, BaseMode::sum_only});
      variants.push_back({"network features only", {true, false, false}, true, BaseMode::choose});
      variants.push_back({"analytic only", {false, true, false}, true, BaseMode::choose});
      variants.push_back({"genotype one-hot only", {false, false, true}, true, BaseMode::choose});
      variants.push_back({"no genotype", {true, true, false}, true, BaseMode::choose});
    }
    struct Job {
      std::size_t device, size, variant;
      int seed;
    };
    std::vector<Job> jobs;
    for (std::size_t d = 0; d < devices.size(); ++d) {
      for (std::size_t s = 0; s < o.sizes.size(); ++s) {
        for (int seed = 1; seed <= (o.sizes[s] == 0 ? 1 : o.seeds); ++seed) {
          for (std::size_t v = 0; v < variants.size(); ++v) {
            if (v > 0 && o.sizes[s] != o.ablation_size) continue;
            jobs.push_back({d, s, v, seed});
          }
        }
      }
    }
    // Results: model and baselines per (device, size, seed).
    std::map<std::tuple<std::size_t, std::size_t, std::size_t>, std::vector<Score>> model_scores;
    std::map<std::pair<std::size_t, std::size_t>, std::vector<Score>> macs_scores, table_scores,
        live_scores;
    std::map<std::pair<std::size_t, std::size_t>, std::string> modes;  // chosen, per seed
    std::mutex mutex;
    std::atomic<std::size_t> done{0};
    const auto fit_start = std::chrono::steady_clock::now();
    hwnas::parallel_for(
        jobs.size(),
        [&](std::size_t j) {
          const Job& job = jobs[j];
          const Device& d = devices[job.device];
          const std::vector<double>& values = table.columns.at(d.column);
          const auto picks = latency::draw_rows(d.pool.size(), o.sizes[job.size],
                                                static_cast<std::uint64_t>(job.seed));
          std::vector<std::size_t> train, test;
          for (const std::size_t p : picks) train.push_back(d.rows[d.pool[p]]);
          for (const std::size_t t : d.test) test.push_back(d.rows[t]);
          std::vector<double> y, truth;
          for (const std::size_t r : train) y.push_back(values[r]);
          for (const std::size_t r : test) truth.push_back(values[r]);

          const Variant& v = variants[job.variant];
          const std::size_t first = v.features.network    ? 0
                                    : v.features.analytic ? n_network
                                                          : genotype_first;
          const std::size_t last = v.features.genotype   ? all.cols()
                                   : v.features.analytic ? genotype_first
                                                         : n_network;
          latency::FitOptions fit;
          fit.features = v.features;
          fit.log_target = v.log_target;
          fit.base = v.base;
          fit.boost.seed = static_cast<std::uint64_t>(job.seed);
          const learn::FeatureMatrix x = columns(all, first, last);
          const latency::LatencyModel model =
              latency::LatencyModel::fit_features(learn::select_rows(x, train), y, space, fit);
          const std::vector<double> predicted = model.predict_ms(learn::select_rows(x, test));
          const Score s = score(predicted, truth);
          // The same without the networks whose output is a constant (raspi4 measured some of them
          // at ~0.01 ms, where a relative error is huge).
          std::vector<double> live_predicted, live_truth;
          for (std::size_t i = 0; i < test.size(); ++i) {
            if (all.at(test[i], live_col) == 0) continue;
            live_predicted.push_back(predicted[i]);
            live_truth.push_back(truth[i]);
          }
          const Score live = score(live_predicted, live_truth);

          Score macs, op_table;
          if (job.variant == 0) {
            std::vector<std::vector<double>> xm, xt;
            for (const std::size_t r : train) {
              xm.push_back({1.0, all.at(r, macs_col) * 1e-6});
              std::vector<double> row = {1.0};
              for (std::size_t c = genotype_first; c < all.cols(); ++c) row.push_back(all.at(r, c));
              xt.push_back(std::move(row));
            }
            const auto wm = learn::least_squares(xm, y);
            const auto wt = learn::least_squares(xt, y);
            std::vector<double> pm, pt;
            for (const std::size_t r : test) {
              pm.push_back(wm[0] + wm[1] * all.at(r, macs_col) * 1e-6);
              double t = wt[0];
              for (std::size_t c = genotype_first; c < all.cols(); ++c) {
                t += wt[1 + c - genotype_first] * all.at(r, c);
              }
              pt.push_back(t);
            }
            // A linear fit may predict a negative latency; MAPE and the shares take it as it is.
            macs = score(pm, truth);
            op_table = score(pt, truth);
          }
          std::lock_guard lock(mutex);
          model_scores[{job.device, job.size, job.variant}].push_back(s);
          if (job.variant == 0) {
            modes[{job.device, job.size}] += model.info().at("mode").get<std::string>() + " ";
          }
          if (job.variant == 0) live_scores[{job.device, job.size}].push_back(live);
          if (job.variant == 0) {
            macs_scores[{job.device, job.size}].push_back(macs);
            table_scores[{job.device, job.size}].push_back(op_table);
          }
          const std::size_t finished = ++done;
          if (finished % 20 == 0 || finished == jobs.size()) {
            fmt::print(stderr, "\r{} of {} fits ({:.0f} s)", finished, jobs.size(),
                       seconds_since(fit_start));
          }
        },
        threads);
    fmt::print(stderr, "\n");

    // The report.
    utsname u{};
    uname(&u);
    std::string md;
    md += fmt::format(
        "Settings: {} archs; per device a fixed test set of {} measured archs (seed {}), "
        "training rows drawn from the others with seeds 1..{}; medians over the seeds (column all: "
        "one fit, seed 1, on every other measured arch). Model: "
        "XGBoost, {} rounds, depth {}, eta {}, subsample {}, colsample {}, log target, mode chosen "
        "per fit (3-fold CV on its rows: trees, sum+trees or sum), {} "
        "features ({} network, {} analytic, {} genotype one-hot). Machine: {} {}, {} threads; "
        "features {:.0f} s, {} fits {:.0f} s.\n\n",
        n, o.test_rows, o.test_seed, o.seeds, latency::FitOptions{}.boost.rounds,
        latency::FitOptions{}.boost.max_depth, latency::FitOptions{}.boost.learning_rate,
        latency::FitOptions{}.boost.subsample, latency::FitOptions{}.boost.colsample, all.cols(),
        n_network, n_analytic, all.cols() - genotype_first, u.sysname, u.machine, o.threads,
        feature_s, jobs.size(), seconds_since(fit_start));

    md += "Share of test predictions within ±10% (and Spearman) by training size:\n\n| device |";
    for (const auto s : o.sizes) md += fmt::format(" {} |", size_label(s));
    md += "\n|---|";
    for (std::size_t i = 0; i < o.sizes.size(); ++i) md += "---|";
    md += "\n";
    for (std::size_t d = 0; d < devices.size(); ++d) {
      md += fmt::format("| {} |", devices[d].column);
      for (std::size_t s = 0; s < o.sizes.size(); ++s) {
        const Score m = median_score(model_scores[{d, s, 0}]);
        md += fmt::format(" {:.1f}% ({:.3f}) |", 100 * m.within_10, m.spearman);
      }
      md += "\n";
    }

    md += fmt::format(
        "\nRepeatability of the measurements: archs that decode to the same network ({} groups) "
        "were measured separately; share of ordered pairs of them whose latencies agree within "
        "±5% / ±10%. Networks whose output is a constant (every path through a zero node; "
        "live_macs = 0): {} of {}.\n\n| device | pairs | ±5% | ±10% |\n|---|---|---|---|\n",
        same.size(), dead, n);
    for (const Device& d : devices) {
      md += fmt::format("| {} | {} | {:.1f}% | {:.1f}% |\n", d.column, repeat_pairs[d.column],
                        100 * repeat[d.column].first, 100 * repeat[d.column].second);
    }

    md +=
        "\nEvery figure, model against the two baselines fitted on the same rows:\n\n"
        "| device | rows | Spearman | Kendall | MAPE % | ±5% | ±10% | macs-linear Spearman / "
        "MAPE / ±10% | op-table Spearman / MAPE / ±10% | model without constant-output networks: "
        "MAPE / ±10% | modes chosen |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|\n";
    for (std::size_t d = 0; d < devices.size(); ++d) {
      for (std::size_t s = 0; s < o.sizes.size(); ++s) {
        const Score m = median_score(model_scores[{d, s, 0}]);
        const Score b = median_score(macs_scores[{d, s}]);
        const Score t = median_score(table_scores[{d, s}]);
        const Score l = median_score(live_scores[{d, s}]);
        md += fmt::format(
            "| {} | {} | {:.3f} | {:.3f} | {:.2f} | {:.1f}% | {:.1f}% | {:.3f} / {:.1f} / {:.1f}% "
            "| {:.3f} / {:.1f} / {:.1f}% | {:.2f} / {:.1f}% | {}|\n",
            devices[d].column, size_label(o.sizes[s]), m.spearman, m.kendall, m.mape,
            100 * m.within_5, 100 * m.within_10, b.spearman, b.mape, 100 * b.within_10, t.spearman,
            t.mape, 100 * t.within_10, l.mape, 100 * l.within_10, modes[{d, s}]);
      }
    }

    const auto ablation =
        std::find(o.sizes.begin(), o.sizes.end(), o.ablation_size) - o.sizes.begin();
    if (o.ablation_size > 0 && static_cast<std::size_t>(ablation) < o.sizes.size()) {
      md += fmt::format("\nAblation at {} training rows (MAPE % / ±10% / Spearman):\n\n| device |",
                        o.ablation_size);
      for (const auto& v : variants) md += fmt::format(" {} |", v.name);
      md += "\n|---|";
      for (std::size_t i = 0; i < variants.size(); ++i) md += "---|";
      md += "\n";
      for (std::size_t d = 0; d < devices.size(); ++d) {
        md += fmt::format("| {} |", devices[d].column);
        for (std::size_t v = 0; v < variants.size(); ++v) {
          const Score m = median_score(model_scores[{d, static_cast<std::size_t>(ablation), v}]);
          md += fmt::format(" {:.2f} / {:.1f}% / {:.3f} |", m.mape, 100 * m.within_10, m.spearman);
        }
        md += "\n";
      }
    }
    fmt::print("{}", md);
    if (!o.out.empty()) {
      std::ofstream(o.out) << md;
      fmt::print(stderr, "wrote {}\n", o.out);
    }
  } catch (const std::exception& e) {
    fmt::print(stderr, "latency_bench: {}\n", e.what());
    return 2;
  }
  return 0;
}
