#include "hwnas/io/report_output.hpp"

#include <fmt/format.h>

namespace hwnas::io {

namespace {
nlohmann::json resources_json(const hw::Resources& r) {
  return {{"dsp", r.dsp}, {"bram18", r.bram}, {"lut", r.lut}, {"ff", r.ff}};
}
double share(double used, double budget) {
  return budget > 0 ? used / budget : 0.0;
}
}  // namespace

nlohmann::json report_to_json(const cost::CostReport& report, const hw::Target& target) {
  nlohmann::json layers = nlohmann::json::array();
  for (const auto& layer : report.layers) {
    nlohmann::json entry = {{"name", layer.name},
                            {"kind", layer.kind},
                            {"cycles", layer.cycles},
                            {"bound", std::string(cost::to_string(layer.bound))},
                            {"macs", layer.macs}};
    if (!layer.config.empty()) entry["config"] = layer.config;
    if (report.engine == "dataflow") entry["resources"] = resources_json(layer.resources);
    layers.push_back(std::move(entry));
  }
  const hw::Resources& u = report.used;
  const hw::Resources& b = report.budget;
  return {{"engine", report.engine},
          {"config", report.config},
          {"device", target.device.name},
          {"board", target.board.name},
          {"batch", report.batch},
          {"clock_mhz", report.clock_mhz},
          {"layers", std::move(layers)},
          {"total_cycles", report.latency_cycles},
          {"interval_cycles", report.interval_cycles},
          {"latency_ms", report.latency_ms},
          {"throughput_fps", report.throughput_fps},
          {"resources", resources_json(u)},
          {"budget", resources_json(b)},
          {"bram_unit", target.device.bram_unit},
          {"utilisation",
           {{"dsp", share(u.dsp, b.dsp)},
            {"bram18", share(u.bram, b.bram)},
            {"lut", share(u.lut, b.lut)},
            {"ff", share(u.ff, b.ff)}}},
          {"fits", report.fits},
          {"shortfall", resources_json(report.shortfall)}};
}

std::string report_to_table(const cost::CostReport& report, const hw::Target& target) {
  std::string out;
  out +=
      fmt::format("{} engine on {} ({}, {} MHz), batch {}: {}\n", report.engine, target.device.name,
                  target.board.name, report.clock_mhz, report.batch, report.config);
  out += fmt::format("{:<16} {:<14} {:>14} {:>14} {:<8} {}\n", "layer", "kind", "MACs", "cycles",
                     "bound", "config");
  for (const auto& layer : report.layers) {
    out += fmt::format("{:<16} {:<14} {:>14} {:>14} {:<8} {}\n", layer.name, layer.kind, layer.macs,
                       layer.cycles, cost::to_string(layer.bound), layer.config);
  }
  out += fmt::format(
      "latency: {} cycles = {:.4f} ms; interval {} cycles; throughput {:.1f} images/s\n",
      report.latency_cycles, report.latency_ms, report.interval_cycles, report.throughput_fps);
  auto row = [&](const char* name, double used, double budget, double shortfall) {
    out += fmt::format("  {:<7} {:>10.0f} / {:>8.0f} ({:5.1f}%){}\n", name, used, budget,
                       100 * share(used, budget),
                       shortfall > 0 ? fmt::format("  SHORT BY {:.0f}", shortfall) : "");
  };
  out += "resources:\n";
  row("DSP", report.used.dsp, report.budget.dsp, report.shortfall.dsp);
  row(target.device.bram_unit.c_str(), report.used.bram, report.budget.bram, report.shortfall.bram);
  row("LUT", report.used.lut, report.budget.lut, report.shortfall.lut);
  row("FF", report.used.ff, report.budget.ff, report.shortfall.ff);
  out += report.fits ? "fits: yes\n" : "fits: NO\n";
  return out;
}

}  // namespace hwnas::io
