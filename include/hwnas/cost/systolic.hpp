#pragma once
// The systolic edge accelerator of NAHAS (Zhou et al., "Rethinking Co-design of Neural
// Architectures and Hardware Accelerators", 2021; DESIGN.md, "Hardware templates", item 3): an
// Edge-TPU-like array of pe_x x pe_y processing elements (PEs), each with `simd_units` SIMD
// units of `lanes` compute lanes (one MAC per lane per cycle), a register file and a local
// memory per PE, a global buffer shared by the array, and an off-chip DRAM link.
// docs/accelerator.md has every formula below with a worked example.
//
// Notation: X = pe_x, Y = pe_y, S = simd_units, L = lanes, B = batch, b = mac_bits (the width
// the multipliers are built for). For a layer: w = its weight bits, a = the bits of the
// activations it reads (the producing layer's bits.act; the layer's own for the network
// input), o = its own bits.act. Bytes of a tensor = ceil(elements * bits / 8).
//
// Bit widths: every layer runs at its own ir::Bits. A w x a multiply on b-bit multipliers takes
// q = ceil(w/b) * ceil(a/b) passes (sub-word products, accumulated); narrower operands take one
// pass and no fewer cycles (no packing), but cost the energy of their own width. The array has
// no floating-point unit: 32 bits (fp32 in the FPGA models) is costed as 32-bit integer.
//
// Dataflow (weight stationary; "mapping" in the report):
//  * gemm (conv with groups g < in channels, linear): per group, the GEMM
//      M = out channels / g (linear: out features), K = (in channels / g) * k^2 (linear: in
//      features), N = output pixels * B (linear: B).
//    M maps onto the PE columns x SIMD units (Mt = X*S outputs per pass), K onto the PE rows x
//    lanes (Kt = Y*L inputs per pass: a lane's products are summed by its SIMD unit's adder tree
//    and partial sums flow down the column of PEs). A pass holds one Mt x Kt weight tile in the
//    register files and streams the N columns through, one per cycle. Passes
//    P = g * ceil(M/Mt) * ceil(K/Kt). Each PE loads its next S*L weights from local memory, L
//    per cycle, while the current pass runs (double buffered), so a pass takes max(N, S) cycles.
//      compute_cycles = q * P * max(N, S) + (X + Y - 2)   (systolic fill and drain, once)
//  * depthwise (conv with groups == in channels > 1: no reduction across channels): every SIMD
//    unit of every PE computes one output channel, its L lanes taking L of the k^2 taps of one
//    output pixel per cycle (channel multiplier > 1: each output channel on its own).
//      compute_cycles = q * ceil(C_out / (X*Y*S)) * ceil(k^2 / L) * N
//  * elementwise (maxpool, avgpool, global_avgpool, add) on the X*Y*S*L lanes, one operation
//    (compare or add) of ceil(a/b) passes per lane per cycle:
//      ops = out elements * k^2 (pools), in elements (global_avgpool),
//            out elements * inputs (add), all times B;
//      compute_cycles = ceil(a/b) * ceil(ops / (X*Y*S*L))
//  * none: relu, relu6, batchnorm, flatten fuse into their producer (ir::fuses_into_producer):
//    no cycles, no traffic, and the tensor they pass on is the producer's. `zero` (and any kind
//    this model does not know) costs nothing either; its consumers read its zeros on chip.
// utilisation = macs / (compute_cycles * X*Y*S*L) (gemm and depthwise; 0 otherwise).
//
// Memory (per layer; capacities in bytes; in = bytes of all inputs, out = bytes of the output):
//  * Activations live in the global buffer (GB). A layer spills when in + out > GB: its output
//    goes to DRAM and it runs in n_tiles = ceil((in + out) / GB) tiles of output pixels. The
//    network's final output also goes to DRAM. A layer reads an input from DRAM when the layer
//    that stored it spilled, or when it is the network input. (A residual's skip tensor is
//    assumed to stay in the GB; capacity is checked one layer at a time.)
//  * Weights go from DRAM to the PE local memories (never through the GB). A PE's share of a
//    layer's weights, slice = ceil(passes per PE) * S * L * w / 8 bytes (gemm: per group
//    ceil(M/Mt) * ceil(K/Kt) tiles, times g; depthwise: ceil(C_out/(X*Y*S)) * S * k^2), stays
//    resident when slice <= local memory, and the weights are read from DRAM once; otherwise
//    they are read again for every tile: weight DRAM bytes = weight bytes * (resident ? 1 :
//    n_tiles).
//    dram_bytes = weight DRAM bytes + inputs read from DRAM + output written to DRAM.
//  * memory_cycles = ceil(dram_bytes / (bandwidth / clock)); cycles = max(compute, memory);
//    the layer is memory-bound when memory_cycles > compute_cycles. Layers run one after
//    another: total cycles = sum; latency_ms = total / (clock_mhz * 1e3).
//
// Feasibility (a result, not an error): a layer cannot run when
//  * its double-buffered weight tile, 2 * S * L * w / 8 bytes, exceeds the register file, or
//  * its minimal working set exceeds the GB: the input rows one output row needs (k rows for
//    conv and pools, all of a linear layer's input, one row of each input otherwise) plus one
//    output row, in bytes.
// The report is still filled for every layer; `reason` names the first layer that cannot run.
//
// Energy (pJ; accesses counted in bits and costed per 64 bits at each level):
//   MAC:  macs * (E_mult(w, a) + E_add32);  E_mult(w, a) = E_mult8 * (w*a/64)^(alpha_e/2),
//         alpha_e = ln(E_mult32/E_mult8) / ln 4 (the power law through Horowitz's 8- and 32-bit
//         integer multipliers); accumulation is 32-bit (TPU-style int32 accumulators).
//   elementwise ops: ops * E_add(a), E_add(a) = E_add8 * (a/8)^beta, beta = ln(E_add32/E_add8)
//         / ln 4.
//   register file: gemm/depthwise macs * (w + a + 32) bits (weight and activation operand
//         reads, one 32-bit partial sum write); elementwise ops * a bits.
//   local memory: weight bits * n_tiles read into the register files + weight bits written
//         (resident ? 1 : n_tiles times).
//   global buffer: gemm inputs * ceil(M/Mt) (the input is streamed once per output-channel
//         tile), output once, partial sums 2 * (ceil(K/Kt) - 1) * M * N * g * 32 bits (read and
//         write between reduction passes); depthwise and elementwise inputs and output once;
//         plus every activation bit moved to or from DRAM.
//   DRAM: dram_bytes * 8 bits.
//   SRAM energy per 64 bits by capacity: log-log interpolation through Horowitz's 8 KB, 32 KB
//   and 1 MB points, extrapolated with the end segments' slopes.
// Area (mm^2): X*Y * [S*L * (A_mult(b) + A_add32) + RF bytes * 8 * A_flipflop
//              + local KiB * A_sram_kib] + GB KiB * A_sram_kib,
//   A_mult(b) = A_mult8 * (b/8)^alpha_a (power law through the 8- and 32-bit multipliers),
//   A_sram_kib = 8192 * sram bit-cell area / sram array efficiency.
// Every constant is in data/accelerators/constants.yaml with its source; all are at 45 nm and
// no process-node scaling is applied.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hwnas/ir/network.hpp"

namespace hwnas::cost {

// One accelerator instance. Units in the names.
struct SystolicConfig {
  int pe_x = 8;                   // PE columns (output channels)
  int pe_y = 8;                   // PE rows (reduction)
  int simd_units = 4;             // per PE
  int lanes = 16;                 // per SIMD unit, one MAC per cycle each
  int local_memory_kib = 64;      // per PE
  int register_file_bytes = 512;  // per PE
  int global_buffer_kib = 4096;
  double bandwidth_gb_per_s = 8;  // off-chip, 1 GB = 1e9 bytes
  double clock_mhz = 500;
  int mac_bits = 8;  // 8 or 16: the width the multipliers are built for
  bool operator==(const SystolicConfig&) const = default;
};

// Throws hwnas::InputError("<accelerator>", "<field>", reason) when a field is out of range:
// counts and capacities >= 1, bandwidth and clock > 0, mac_bits 8 or 16.
void check(const SystolicConfig& config);

// MACs per cycle of the whole array: X*Y*S*L.
std::int64_t peak_macs_per_cycle(const SystolicConfig& config);

// "8x8 PE, 4 SIMD x 16 lanes, 64 KiB/PE, 512 B RF, 4 MiB GB, 8 GB/s, 500 MHz, int8".
std::string describe(const SystolicConfig& config);

// Energy (pJ) and area (um^2) figures at 45 nm; data/accelerators/constants.yaml holds them
// with their sources (io::read_systolic_constants). No defaults: a zero constant is a bug.
struct SystolicConstants {
  double process_nm = 0;
  // energy, pJ
  double int8_mult_pj = 0;
  double int32_mult_pj = 0;
  double int8_add_pj = 0;
  double int32_add_pj = 0;
  double register_file_pj_per_64b = 0;
  double sram_8kib_pj_per_64b = 0;
  double sram_32kib_pj_per_64b = 0;
  double sram_1mib_pj_per_64b = 0;
  double dram_pj_per_64b = 0;
  // area, um^2
  double int8_mult_um2 = 0;
  double int32_mult_um2 = 0;
  double int32_add_um2 = 0;
  double flipflop_um2 = 0;           // one register-file bit
  double sram_cell_um2 = 0;          // one SRAM bit cell
  double sram_array_efficiency = 0;  // cell area / macro area
  bool operator==(const SystolicConstants&) const = default;
};

// Energy of one SRAM access of 64 bits from a memory of `kib` KiB (see the interpolation
// above).
double sram_pj_per_64b(const SystolicConstants& constants, double kib);
// Energy of one w x a multiply-accumulate (32-bit accumulation), pJ.
double mac_pj(const SystolicConstants& constants, int weight_bits, int act_bits);

enum class SystolicBound {
  compute,
  memory,
  none,  // no cycles of its own (fused or free)
};
std::string_view to_string(SystolicBound bound);

enum class SystolicMapping { gemm, depthwise, elementwise, none };
std::string_view to_string(SystolicMapping mapping);

// Bytes moved at each level of the hierarchy (reads and writes together).
struct SystolicTraffic {
  double register_file_bytes = 0;
  double local_memory_bytes = 0;
  double global_buffer_bytes = 0;
  std::int64_t dram_bytes = 0;
};

struct SystolicEnergy {
  double mac_pj = 0;  // MACs and elementwise operations
  double register_file_pj = 0;
  double local_memory_pj = 0;
  double global_buffer_pj = 0;
  double dram_pj = 0;
  double total_pj() const {
    return mac_pj + register_file_pj + local_memory_pj + global_buffer_pj + dram_pj;
  }
};

struct SystolicLayerCost {
  std::string name;
  std::string kind;  // ir::to_string of the layer kind
  SystolicMapping mapping = SystolicMapping::none;
  std::int64_t compute_cycles = 0;
  std::int64_t memory_cycles = 0;
  std::int64_t cycles = 0;  // max of the two, for the whole batch
  SystolicBound bound = SystolicBound::none;
  std::int64_t macs = 0;         // whole batch
  std::int64_t ops = 0;          // elementwise operations, whole batch
  std::int64_t passes = 0;       // weight tiles (gemm/depthwise), without the bit passes q
  std::int64_t n_tiles = 1;      // activation tiles (> 1 when the layer spills)
  bool spills = false;           // output written to DRAM because in + out > GB
  bool weights_resident = true;  // the PE's weight slice fits its local memory
  double utilisation = 0;        // macs / (compute_cycles * peak)
  SystolicTraffic traffic;
  SystolicEnergy energy;
  double energy_pj = 0;  // energy.total_pj()
  std::string problem;   // why the layer cannot run; empty when it can
};

struct SystolicArea {
  double mac_mm2 = 0;
  double register_file_mm2 = 0;
  double local_memory_mm2 = 0;
  double global_buffer_mm2 = 0;
  double total_mm2() const {
    return mac_mm2 + register_file_mm2 + local_memory_mm2 + global_buffer_mm2;
  }
};
SystolicArea systolic_area(const SystolicConfig& config, const SystolicConstants& constants);

struct SystolicReport {
  std::string network;
  std::string config;  // describe(config)
  int batch = 1;
  std::vector<SystolicLayerCost> layers;
  std::int64_t total_cycles = 0;
  double latency_ms = 0;
  double energy_mj = 0;
  SystolicArea area;
  double area_mm2 = 0;
  std::int64_t peak_macs_per_cycle = 0;
  std::int64_t macs = 0;
  std::int64_t dram_bytes = 0;
  double utilisation = 0;  // macs / (total_cycles * peak)
  int compute_bound_layers = 0;
  int memory_bound_layers = 0;
  bool feasible = true;
  std::string reason;  // the first layer that cannot run, with the numbers
};

// The cost of `network` on `config`. Pure and thread-safe. Throws hwnas::InputError when the
// network's shapes do not work out (ir::analyze) or the config is out of range (check()). An
// accelerator on which a layer cannot run is a result: feasible == false with the reason.
SystolicReport estimate_systolic(const ir::Network& network, const SystolicConfig& config,
                                 const SystolicConstants& constants);

// ---------------------------------------------------------------------------------------------
// The accelerator search space of NAHAS's joint search: per parameter, the allowed values (in
// gene order, the order of systolic_parameter_names()), and a default configuration. Gene i
// takes values 0..values[i].size()-1, an index into parameter i's list.
struct SystolicParameter {
  std::string name;            // "pe_x", ... (the SystolicConfig field)
  std::vector<double> values;  // ascending, distinct; integers for the integer fields
  bool operator==(const SystolicParameter&) const = default;
};

// "pe_x", "pe_y", "simd_units", "lanes", "local_memory_kib", "register_file_bytes",
// "global_buffer_kib", "bandwidth_gb_per_s", "clock_mhz", "mac_bits".
const std::vector<std::string>& systolic_parameter_names();

// A field of a config by parameter index (into systolic_parameter_names()), as a double; and
// set it (rounding integer fields). Throws std::out_of_range for a bad index.
double systolic_parameter(const SystolicConfig& config, std::size_t index);
void set_systolic_parameter(SystolicConfig& config, std::size_t index, double value);

struct SystolicSpace {
  std::vector<SystolicParameter> parameters;  // one per systolic_parameter_names(), that order
  SystolicConfig default_config;

  // ("accel.pe_x", 4), ... : each gene's name and cardinality, in gene order.
  std::vector<std::pair<std::string, int>> genes() const;
  // The configuration a genotype's accelerator genes select. Throws hwnas::InputError
  // ("<accelerator space>", "accel.<name>", ...) when there are not as many values as genes or
  // a value is out of 0..cardinality-1.
  SystolicConfig config_for(const std::vector<int>& gene_values) const;
  // The gene values of `config`. Throws hwnas::InputError naming the parameter when a field's
  // value is not in its list.
  std::vector<int> genes_for(const SystolicConfig& config) const;
  // Number of configurations (product of cardinalities), as a double (it may exceed 2^63).
  double size() const;
  bool operator==(const SystolicSpace&) const = default;
};

}  // namespace hwnas::cost
