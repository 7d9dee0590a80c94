#pragma once
// FPGA parts and boards as plain values. The built-in ones live in data/devices/*.yaml (read by
// hwnas::io); every figure there cites its datasheet. Nothing here parses files.

#include <cstdint>
#include <string>
#include <vector>

namespace hwnas::hw {

// The hard multiplier block of a family; it decides how many DSPs a MAC of a given bit width
// takes (see cost/dsp.hpp).
enum class DspKind {
  dsp48e1,   // 7 series: 25x18 signed multiplier, 48-bit accumulator (UG479)
  dsp48e2,   // UltraScale+: 27x18 multiplier, pre-adder allows two INT8 MACs (UG579, WP487)
  sb_mac16,  // Lattice iCE40 UltraPlus: 16x16 multiplier, 32-bit accumulator (TN1295)
};

// Resource amounts: a device's budget, or what a design uses. Counts, not bits.
struct Resources {
  double dsp = 0;
  double bram = 0;  // block RAMs in the device's own unit (BRAM18 on Xilinx, 4-Kbit EBR on iCE40)
  double lut = 0;
  double ff = 0;

  Resources& operator+=(const Resources& o) {
    dsp += o.dsp;
    bram += o.bram;
    lut += o.lut;
    ff += o.ff;
    return *this;
  }
  friend Resources operator+(Resources a, const Resources& b) { return a += b; }
  bool operator==(const Resources&) const = default;
};

// One width x depth configuration a block RAM can be used in.
struct BramAspect {
  int width_bits = 0;
  int depth = 0;
  bool operator==(const BramAspect&) const = default;
};

struct Device {
  std::string name;    // short name used on the command line, e.g. "xczu3eg"
  std::string part;    // full part name, e.g. "xczu3eg-sbva484-1-e"
  std::string family;  // e.g. "Zynq UltraScale+ MPSoC"
  std::string source;  // the datasheet the figures come from
  Resources budget;    // everything on the part
  DspKind dsp_kind = DspKind::dsp48e1;
  std::string bram_unit = "BRAM18";
  std::int64_t bram_bits = 18432;        // bits per block (incl. parity bits)
  std::vector<BramAspect> bram_aspects;  // usable configurations of one block
  // Multipliers whose operands are both at most this wide are built from LUTs, not DSPs.
  int lut_multiplier_max_bits = 4;
  int lutram_bits_per_lut = 64;  // a SLICEM LUT6 as 64x1 distributed RAM (UG474/UG574)
  bool operator==(const Device&) const = default;
};

// Board-level choices: the clock the accelerator runs at and how fast it reaches DRAM.
struct Board {
  std::string name;
  std::string source;
  double clock_mhz = 100;
  double dram_gb_per_s = 1;  // peak off-chip bandwidth the fabric can use, GB/s (1e9 bytes)
  // Widths of the accelerator's ports to memory (words per cycle = port bits / word bits).
  int weight_port_bits = 64;
  int input_port_bits = 64;
  int output_port_bits = 64;
  bool operator==(const Board&) const = default;
};

// A device on a board: what the cost models take.
struct Target {
  Device device;
  Board board;
};

std::string to_string(DspKind kind);

}  // namespace hwnas::hw
