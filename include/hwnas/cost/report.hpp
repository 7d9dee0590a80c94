#pragma once
// What every hardware cost model returns: per-layer cycles and bounds, totals, resources
// against the device budget. Units are in the names (_cycles, _ms, _fps).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "hwnas/hw/device.hpp"

namespace hwnas::cost {

// What limits a layer's cycle count.
enum class Bound {
  compute,  // the MAC array
  input,    // loading input feature-map tiles
  weight,   // loading weight tiles
  output,   // storing output tiles
  fused,    // folded into the previous layer (ReLU, batch norm): costs no cycles of its own
};
std::string_view to_string(Bound bound);

struct LayerCost {
  std::string name;
  std::string kind;         // ir::to_string of the layer kind
  std::int64_t cycles = 0;  // for the whole batch
  Bound bound = Bound::compute;
  std::int64_t macs = 0;  // for the whole batch
  // Per-engine detail (dataflow: this layer's engine; tiled: unused, the array is shared).
  hw::Resources resources;
  std::string config;  // human-readable configuration, e.g. "PE=4 SIMD=9" or "groups=32"
};

struct CostReport {
  std::string engine;  // "tiled" or "dataflow"
  std::string config;  // the engine-wide configuration, human readable
  std::vector<LayerCost> layers;
  // Cycles from the first input word to the last output word of one batch.
  std::int64_t latency_cycles = 0;
  // Cycles between successive batches in steady state (== latency for the tiled engine,
  // the slowest stage for the pipelined dataflow engine).
  std::int64_t interval_cycles = 0;
  int batch = 1;
  double clock_mhz = 0;
  double latency_ms = 0;
  double throughput_fps = 0;  // images per second in steady state
  hw::Resources used;
  hw::Resources budget;
  bool fits = false;
  hw::Resources shortfall;  // max(0, used - budget) per resource
};

// Fills latency_ms, throughput_fps, fits and shortfall from the cycle counts, clock, batch,
// used and budget.
void finish_report(CostReport& report);

}  // namespace hwnas::cost
