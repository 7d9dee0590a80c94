#include "hwnas/cost/systolic.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

#include "hwnas/core/error.hpp"

namespace hwnas::cost {

namespace {

using ir::LayerKind;

constexpr int kAccumulatorBits = 32;
constexpr const char* kWhere = "<accelerator>";
constexpr const char* kSpaceWhere = "<accelerator space>";

std::int64_t ceil_div(std::int64_t a, std::int64_t b) {
  return (a + b - 1) / b;
}
// Bytes of `elements` values of `bits` each.
std::int64_t tensor_bytes(std::int64_t elements, int bits) {
  return ceil_div(elements * bits, 8);
}

SystolicMapping mapping_of(const ir::Layer& layer, const ir::LayerStats& stats) {
  switch (layer.kind) {
    case LayerKind::conv:
      return stats.groups > 1 && stats.groups == stats.in.channels ? SystolicMapping::depthwise
                                                                   : SystolicMapping::gemm;
    case LayerKind::linear:
      return SystolicMapping::gemm;
    case LayerKind::maxpool:
    case LayerKind::avgpool:
    case LayerKind::global_avgpool:
    case LayerKind::add:
      return SystolicMapping::elementwise;
    case LayerKind::zero:  // a constant no unit computes: its consumers read zeros on chip
    default:               // fused kinds (ir::fuses_into_producer), and any kind added later
      return SystolicMapping::none;
  }
}

// The layer whose stored output a consumer of `index` reads: look through the layers that fuse
// into their producer. kNetworkInput for the network input. A zero layer (or a kind this model
// does not know) is its own store and never in DRAM.
int storing_layer(const ir::Network& network, const ir::NetworkStats& stats, int index) {
  while (index != ir::kNetworkInput && ir::fuses_into_producer(network.layers[index].kind)) {
    index = stats.layers[index].producers.front();
  }
  return index;
}

// Bits of the activations a layer reads from producer `producer`.
int input_bits(const ir::Network& network, const ir::Layer& layer, int producer) {
  return producer == ir::kNetworkInput ? layer.bits.act : network.layers[producer].bits.act;
}

std::int64_t memory_cycles(std::int64_t bytes, const SystolicConfig& config) {
  if (bytes <= 0) return 0;
  const double cycles =
      static_cast<double>(bytes) * config.clock_mhz / (config.bandwidth_gb_per_s * 1e3);
  // The relative slack keeps an exact integer from rounding up by floating-point noise.
  return static_cast<std::int64_t>(std::ceil(cycles * (1 - 1e-12)));
}

std::string kib_text(std::int64_t kib) {
  if (kib % 1024 == 0) return fmt::format("{} MiB", kib / 1024);
  return fmt::format("{} KiB", kib);
}

void check_at_least(const char* field, double value, double min) {
  if (!(value >= min)) {
    throw InputError(kWhere, field, fmt::format("expected a value >= {}, got {}", min, value));
  }
}

}  // namespace

void check(const SystolicConfig& c) {
  check_at_least("pe_x", c.pe_x, 1);
  check_at_least("pe_y", c.pe_y, 1);
  check_at_least("simd_units", c.simd_units, 1);
  check_at_least("lanes", c.lanes, 1);
  check_at_least("local_memory_kib", c.local_memory_kib, 1);
  check_at_least("register_file_bytes", c.register_file_bytes, 1);
  check_at_least("global_buffer_kib", c.global_buffer_kib, 1);
  if (!(c.bandwidth_gb_per_s > 0)) {
    throw InputError(kWhere, "bandwidth_gb_per_s",
                     fmt::format("expected a value > 0, got {}", c.bandwidth_gb_per_s));
  }
  if (!(c.clock_mhz > 0)) {
    throw InputError(kWhere, "clock_mhz", fmt::format("expected a value > 0, got {}", c.clock_mhz));
  }
  if (c.mac_bits != 8 && c.mac_bits != 16) {
    throw InputError(kWhere, "mac_bits", fmt::format("expected 8 or 16, got {}", c.mac_bits));
  }
}

std::int64_t peak_macs_per_cycle(const SystolicConfig& c) {
  return static_cast<std::int64_t>(c.pe_x) * c.pe_y * c.simd_units * c.lanes;
}

std::string describe(const SystolicConfig& c) {
  return fmt::format(
      "{}x{} PE, {} SIMD x {} lanes, {}/PE, {} B RF, {} GB, {:g} GB/s, {:g} MHz, int{}", c.pe_x,
      c.pe_y, c.simd_units, c.lanes, kib_text(c.local_memory_kib), c.register_file_bytes,
      kib_text(c.global_buffer_kib), c.bandwidth_gb_per_s, c.clock_mhz, c.mac_bits);
}

double sram_pj_per_64b(const SystolicConstants& k, double kib) {
  if (kib <= 32) {
    const double slope = std::log(k.sram_32kib_pj_per_64b / k.sram_8kib_pj_per_64b) / std::log(4.0);
    return k.sram_8kib_pj_per_64b * std::pow(kib / 8, slope);
  }
  const double slope = std::log(k.sram_1mib_pj_per_64b / k.sram_32kib_pj_per_64b) / std::log(32.0);
  return k.sram_32kib_pj_per_64b * std::pow(kib / 32, slope);
}

double mac_pj(const SystolicConstants& k, int weight_bits, int act_bits) {
  const double alpha = std::log(k.int32_mult_pj / k.int8_mult_pj) / std::log(4.0);
  const double product = static_cast<double>(weight_bits) * act_bits / 64.0;
  return k.int8_mult_pj * std::pow(product, alpha / 2) + k.int32_add_pj;
}

namespace {
double add_pj(const SystolicConstants& k, int bits) {
  const double beta = std::log(k.int32_add_pj / k.int8_add_pj) / std::log(4.0);
  return k.int8_add_pj * std::pow(bits / 8.0, beta);
}
}  // namespace

std::string_view to_string(SystolicBound bound) {
  switch (bound) {
    case SystolicBound::compute:
      return "compute";
    case SystolicBound::memory:
      return "memory";
    case SystolicBound::none:
      return "none";
  }
  return "?";
}

std::string_view to_string(SystolicMapping mapping) {
  switch (mapping) {
    case SystolicMapping::gemm:
      return "gemm";
    case SystolicMapping::depthwise:
      return "depthwise";
    case SystolicMapping::elementwise:
      return "elementwise";
    case SystolicMapping::none:
      return "none";
  }
  return "?";
}

SystolicArea systolic_area(const SystolicConfig& c, const SystolicConstants& k) {
  const double pes = static_cast<double>(c.pe_x) * c.pe_y;
  const double alpha = std::log(k.int32_mult_um2 / k.int8_mult_um2) / std::log(4.0);
  const double mac_um2 = k.int8_mult_um2 * std::pow(c.mac_bits / 8.0, alpha) + k.int32_add_um2;
  const double sram_kib_um2 = 8192 * k.sram_cell_um2 / k.sram_array_efficiency;
  SystolicArea area;
  area.mac_mm2 = pes * c.simd_units * c.lanes * mac_um2 * 1e-6;
  area.register_file_mm2 = pes * c.register_file_bytes * 8 * k.flipflop_um2 * 1e-6;
  area.local_memory_mm2 = pes * c.local_memory_kib * sram_kib_um2 * 1e-6;
  area.global_buffer_mm2 = c.global_buffer_kib * sram_kib_um2 * 1e-6;
  return area;
}

SystolicReport estimate_systolic(const ir::Network& network, const SystolicConfig& config,
                                 const SystolicConstants& constants) {
  check(config);
  const ir::NetworkStats stats = ir::analyze(network);
  const std::int64_t x = config.pe_x, y = config.pe_y, s = config.simd_units, l = config.lanes;
  const std::int64_t peak = peak_macs_per_cycle(config);
  const std::int64_t batch = network.batch;
  const std::int64_t gb_bytes = static_cast<std::int64_t>(config.global_buffer_kib) * 1024;
  const std::int64_t lm_bytes = static_cast<std::int64_t>(config.local_memory_kib) * 1024;
  const double e_rf = constants.register_file_pj_per_64b / 64;  // per bit
  const double e_lm = sram_pj_per_64b(constants, config.local_memory_kib) / 64;
  const double e_gb = sram_pj_per_64b(constants, config.global_buffer_kib) / 64;
  const double e_dram = constants.dram_pj_per_64b / 64;
  auto passes_of = [&](int bits) { return ceil_div(bits, config.mac_bits); };

  const std::size_t count = network.layers.size();
  std::vector<SystolicMapping> mappings(count);
  for (std::size_t i = 0; i < count; ++i) {
    mappings[i] = mapping_of(network.layers[i], stats.layers[i]);
  }
  const int final_output =
      count == 0 ? ir::kNetworkInput : storing_layer(network, stats, static_cast<int>(count) - 1);

  SystolicReport report;
  report.network = network.name;
  report.config = describe(config);
  report.batch = network.batch;
  report.peak_macs_per_cycle = peak;
  report.area = systolic_area(config, constants);
  report.area_mm2 = report.area.total_mm2();
  std::vector<bool> in_dram(count, false);  // the layer's stored output is in DRAM
  double energy_pj = 0;

  for (std::size_t i = 0; i < count; ++i) {
    const ir::Layer& layer = network.layers[i];
    const ir::LayerStats& st = stats.layers[i];
    SystolicLayerCost cost;
    cost.name = layer.name;
    cost.kind = std::string(ir::to_string(layer.kind));
    cost.mapping = mappings[i];
    if (cost.mapping == SystolicMapping::none) {
      report.layers.push_back(std::move(cost));
      continue;
    }

    // Activations in and out, for the whole batch.
    std::int64_t in_bytes = 0, in_dram_bytes = 0;
    std::int64_t min_in_bytes = 0;  // the input rows one output row needs (one image)
    int act_bits = 1;               // widest input
    for (int producer : st.producers) {
      const int bits = input_bits(network, layer, producer);
      act_bits = std::max(act_bits, bits);
      const ir::Shape& shape =
          producer == ir::kNetworkInput ? network.input : stats.layers[producer].out;
      const std::int64_t bytes = tensor_bytes(shape.elements() * batch, bits);
      in_bytes += bytes;
      const int stored = storing_layer(network, stats, producer);
      if (stored == ir::kNetworkInput || in_dram[stored]) in_dram_bytes += bytes;
      std::int64_t rows = 1;
      if (layer.kind == LayerKind::linear) {
        rows = shape.height;
      } else if (layer.kind == LayerKind::conv || layer.kind == LayerKind::maxpool ||
                 layer.kind == LayerKind::avgpool) {
        rows = std::min<std::int64_t>(layer.kernel, shape.height);
      }
      min_in_bytes += tensor_bytes(rows * shape.width * shape.channels, bits);
    }
    const int w = layer.bits.weight;
    const int a = input_bits(network, layer, st.producers.front());
    const int o = layer.bits.act;
    const std::int64_t out_bytes = tensor_bytes(st.out.elements() * batch, o);
    const std::int64_t min_out_bytes = tensor_bytes(st.out.width * st.out.channels, o);

    cost.n_tiles = ceil_div(in_bytes + out_bytes, gb_bytes);
    cost.spills = in_bytes + out_bytes > gb_bytes;
    in_dram[i] = cost.spills || static_cast<int>(i) == final_output;
    const std::int64_t out_dram_bytes = in_dram[i] ? out_bytes : 0;

    // Bits moved at each level, and the compute.
    double rf_bits = 0, lm_bits = 0, gb_bits = 0;
    std::int64_t weight_dram_bytes = 0;
    std::int64_t slice_bytes = 0;
    const std::int64_t out_bits = st.out.elements() * batch * o;
    const std::int64_t in_bits = in_bytes * 8;
    if (cost.mapping == SystolicMapping::elementwise) {
      std::int64_t ops = 0;
      switch (layer.kind) {
        case LayerKind::maxpool:
        case LayerKind::avgpool:
          ops = st.out.elements() * layer.kernel * layer.kernel;
          break;
        case LayerKind::global_avgpool:
          ops = st.in.elements();
          break;
        default:  // add
          ops = st.out.elements() * static_cast<std::int64_t>(st.producers.size());
          break;
      }
      cost.ops = ops * batch;
      cost.compute_cycles = passes_of(act_bits) * ceil_div(cost.ops, peak);
      rf_bits = static_cast<double>(cost.ops) * act_bits;
      gb_bits = static_cast<double>(in_bits + out_bits);
      cost.energy.mac_pj = static_cast<double>(cost.ops) * add_pj(constants, act_bits);
    } else {
      cost.macs = st.macs * batch;
      const std::int64_t q = passes_of(w) * passes_of(a);
      const std::int64_t k2 = static_cast<std::int64_t>(layer.kernel) * layer.kernel;
      if (cost.mapping == SystolicMapping::gemm) {
        const bool linear = layer.kind == LayerKind::linear;
        const std::int64_t g = linear ? 1 : st.groups;
        const std::int64_t m = st.out.channels / g;
        const std::int64_t k = linear ? st.in.elements() : st.in.channels / g * k2;
        const std::int64_t n = (linear ? 1 : st.out.height * st.out.width) * batch;
        const std::int64_t m_tiles = ceil_div(m, x * s);
        const std::int64_t k_tiles = ceil_div(k, y * l);
        cost.passes = g * m_tiles * k_tiles;
        cost.compute_cycles = q * cost.passes * std::max(n, s) + (x + y - 2);
        slice_bytes = ceil_div(cost.passes * s * l * w, 8);
        gb_bits = static_cast<double>(in_bits) * m_tiles + static_cast<double>(out_bits) +
                  2.0 * static_cast<double>(k_tiles - 1) * m * n * g * kAccumulatorBits;
      } else {  // depthwise
        const std::int64_t n = st.out.height * st.out.width * batch;
        cost.passes = ceil_div(st.out.channels, x * y * s);
        cost.compute_cycles = q * cost.passes * ceil_div(k2, l) * n;
        slice_bytes = ceil_div(cost.passes * s * k2 * w, 8);
        gb_bits = static_cast<double>(in_bits + out_bits);
      }
      cost.weights_resident = slice_bytes <= lm_bytes;
      const std::int64_t weight_bytes = ceil_div(st.weight_bits, 8);
      const std::int64_t loads = cost.weights_resident ? 1 : cost.n_tiles;
      weight_dram_bytes = weight_bytes * loads;
      rf_bits = static_cast<double>(cost.macs) * (w + a + kAccumulatorBits);
      lm_bits = static_cast<double>(st.weight_bits) * static_cast<double>(cost.n_tiles + loads);
      cost.energy.mac_pj = static_cast<double>(cost.macs) * mac_pj(constants, w, a);
      cost.utilisation =
          cost.compute_cycles > 0
              ? static_cast<double>(cost.macs) / (static_cast<double>(cost.compute_cycles) * peak)
              : 0.0;

      const std::int64_t tile_bytes = ceil_div(2 * s * l * w, 8);
      if (tile_bytes > config.register_file_bytes) {
        cost.problem = fmt::format(
            "the double-buffered weight tile, 2 x {} SIMD x {} lanes x {} bits = {} bytes, exceeds "
            "the {}-byte register file",
            s, l, w, tile_bytes, config.register_file_bytes);
      }
    }
    const std::int64_t min_working = min_in_bytes + min_out_bytes;
    if (cost.problem.empty() && min_working > gb_bytes) {
      cost.problem = fmt::format(
          "the minimal working set, {} bytes of input rows + {} bytes of one output row = {} "
          "bytes, exceeds the {}-byte global buffer",
          min_in_bytes, min_out_bytes, min_working, gb_bytes);
    }

    // Activations moved to or from DRAM pass through the global buffer once.
    gb_bits += 8.0 * static_cast<double>(in_dram_bytes + out_dram_bytes);
    cost.traffic.dram_bytes = weight_dram_bytes + in_dram_bytes + out_dram_bytes;
    cost.traffic.register_file_bytes = rf_bits / 8;
    cost.traffic.local_memory_bytes = lm_bits / 8;
    cost.traffic.global_buffer_bytes = gb_bits / 8;
    cost.energy.register_file_pj = rf_bits * e_rf;
    cost.energy.local_memory_pj = lm_bits * e_lm;
    cost.energy.global_buffer_pj = gb_bits * e_gb;
    cost.energy.dram_pj = 8.0 * static_cast<double>(cost.traffic.dram_bytes) * e_dram;
    cost.energy_pj = cost.energy.total_pj();

    cost.memory_cycles = memory_cycles(cost.traffic.dram_bytes, config);
    cost.cycles = std::max(cost.compute_cycles, cost.memory_cycles);
    cost.bound =
        cost.memory_cycles > cost.compute_cycles ? SystolicBound::memory : SystolicBound::compute;

    report.total_cycles += cost.cycles;
    report.macs += cost.macs;
    report.dram_bytes += cost.traffic.dram_bytes;
    energy_pj += cost.energy_pj;
    (cost.bound == SystolicBound::memory ? report.memory_bound_layers
                                         : report.compute_bound_layers)++;
    if (!cost.problem.empty() && report.feasible) {
      report.feasible = false;
      report.reason = fmt::format("layer {}: {}", cost.name, cost.problem);
    }
    report.layers.push_back(std::move(cost));
  }
  report.latency_ms = static_cast<double>(report.total_cycles) / (config.clock_mhz * 1e3);
  report.energy_mj = energy_pj * 1e-9;
  report.utilisation =
      report.total_cycles > 0
          ? static_cast<double>(report.macs) / (static_cast<double>(report.total_cycles) * peak)
          : 0.0;
  return report;
}

// ---------------------------------------------------------------------------------------------

const std::vector<std::string>& systolic_parameter_names() {
  static const std::vector<std::string> names = {"pe_x",
                                                 "pe_y",
                                                 "simd_units",
                                                 "lanes",
                                                 "local_memory_kib",
                                                 "register_file_bytes",
                                                 "global_buffer_kib",
                                                 "bandwidth_gb_per_s",
                                                 "clock_mhz",
                                                 "mac_bits"};
  return names;
}

double systolic_parameter(const SystolicConfig& c, std::size_t index) {
  switch (index) {
    case 0:
      return c.pe_x;
    case 1:
      return c.pe_y;
    case 2:
      return c.simd_units;
    case 3:
      return c.lanes;
    case 4:
      return c.local_memory_kib;
    case 5:
      return c.register_file_bytes;
    case 6:
      return c.global_buffer_kib;
    case 7:
      return c.bandwidth_gb_per_s;
    case 8:
      return c.clock_mhz;
    case 9:
      return c.mac_bits;
    default:
      throw std::out_of_range(fmt::format("systolic parameter index {}", index));
  }
}

void set_systolic_parameter(SystolicConfig& c, std::size_t index, double value) {
  const int rounded = static_cast<int>(std::lround(value));
  switch (index) {
    case 0:
      c.pe_x = rounded;
      return;
    case 1:
      c.pe_y = rounded;
      return;
    case 2:
      c.simd_units = rounded;
      return;
    case 3:
      c.lanes = rounded;
      return;
    case 4:
      c.local_memory_kib = rounded;
      return;
    case 5:
      c.register_file_bytes = rounded;
      return;
    case 6:
      c.global_buffer_kib = rounded;
      return;
    case 7:
      c.bandwidth_gb_per_s = value;
      return;
    case 8:
      c.clock_mhz = value;
      return;
    case 9:
      c.mac_bits = rounded;
      return;
    default:
      throw std::out_of_range(fmt::format("systolic parameter index {}", index));
  }
}

std::vector<std::pair<std::string, int>> SystolicSpace::genes() const {
  std::vector<std::pair<std::string, int>> out;
  for (const auto& p : parameters) {
    out.emplace_back("accel." + p.name, static_cast<int>(p.values.size()));
  }
  return out;
}

SystolicConfig SystolicSpace::config_for(const std::vector<int>& gene_values) const {
  if (gene_values.size() != parameters.size()) {
    throw InputError(
        kSpaceWhere, "accel",
        fmt::format("expected {} gene values, got {}", parameters.size(), gene_values.size()));
  }
  SystolicConfig config = default_config;
  const auto& names = systolic_parameter_names();
  for (std::size_t i = 0; i < parameters.size(); ++i) {
    const auto& p = parameters[i];
    const int v = gene_values[i];
    if (v < 0 || v >= static_cast<int>(p.values.size())) {
      throw InputError(kSpaceWhere, "accel." + p.name,
                       fmt::format("gene value {} out of 0..{}", v, p.values.size() - 1));
    }
    const auto field = std::find(names.begin(), names.end(), p.name);
    if (field == names.end()) {
      throw InputError(kSpaceWhere, "accel." + p.name, "not a systolic parameter");
    }
    set_systolic_parameter(config, static_cast<std::size_t>(field - names.begin()), p.values[v]);
  }
  return config;
}

std::vector<int> SystolicSpace::genes_for(const SystolicConfig& config) const {
  const auto& names = systolic_parameter_names();
  std::vector<int> out;
  for (const auto& p : parameters) {
    const auto field = std::find(names.begin(), names.end(), p.name);
    if (field == names.end()) {
      throw InputError(kSpaceWhere, "accel." + p.name, "not a systolic parameter");
    }
    const double value =
        systolic_parameter(config, static_cast<std::size_t>(field - names.begin()));
    const auto it = std::find_if(p.values.begin(), p.values.end(), [&](double allowed) {
      return std::abs(allowed - value) <= 1e-9 * std::max(1.0, std::abs(value));
    });
    if (it == p.values.end()) {
      throw InputError(
          kSpaceWhere, "accel." + p.name,
          fmt::format("value {:g} is not one of {:g}", value, fmt::join(p.values, ", ")));
    }
    out.push_back(static_cast<int>(it - p.values.begin()));
  }
  return out;
}

double SystolicSpace::size() const {
  double n = 1;
  for (const auto& p : parameters) n *= static_cast<double>(p.values.size());
  return n;
}

}  // namespace hwnas::cost
