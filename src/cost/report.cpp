#include "hwnas/cost/report.hpp"

#include <algorithm>

namespace hwnas::cost {

std::string_view to_string(Bound bound) {
  switch (bound) {
    case Bound::compute:
      return "compute";
    case Bound::input:
      return "input";
    case Bound::weight:
      return "weight";
    case Bound::output:
      return "output";
    case Bound::fused:
      return "fused";
  }
  return "?";
}

void finish_report(CostReport& report) {
  const double cycles_per_ms = report.clock_mhz * 1e3;
  report.latency_ms = report.latency_cycles / cycles_per_ms;
  report.throughput_fps = report.interval_cycles > 0
                              ? report.batch * report.clock_mhz * 1e6 / report.interval_cycles
                              : 0.0;
  auto short_of = [](double used, double budget) { return std::max(0.0, used - budget); };
  report.shortfall = {
      short_of(report.used.dsp, report.budget.dsp), short_of(report.used.bram, report.budget.bram),
      short_of(report.used.lut, report.budget.lut), short_of(report.used.ff, report.budget.ff)};
  report.fits = report.shortfall == hw::Resources{};
}

}  // namespace hwnas::cost
