#pragma once
// Cost reports as JSON (`--json`) and as a text table.

#include <string>

#include <nlohmann/json.hpp>

#include "hwnas/cost/report.hpp"
#include "hwnas/hw/device.hpp"

namespace hwnas::io {

// Keys: engine, config, batch, clock_mhz, layers[] {name, kind, cycles, bound, macs, config,
// resources (dataflow only)}, total_cycles (= latency_cycles), interval_cycles, latency_ms,
// throughput_fps, resources {dsp, bram18, lut, ff}, budget {...}, utilisation {...}, fits,
// shortfall {...}. `bram18` counts the device's block RAM unit (EBR on iCE40), named in
// `bram_unit`.
nlohmann::json report_to_json(const cost::CostReport& report, const hw::Target& target);

// A fixed-width table: one row per layer, then totals and resources against the budget.
std::string report_to_table(const cost::CostReport& report, const hw::Target& target);

}  // namespace hwnas::io
