#include "hwnas/io/systolic_yaml.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "hwnas/core/error.hpp"
#include "hwnas/io/network_yaml.hpp"

namespace hwnas::io {
namespace {

const std::string kSource = HWNAS_SOURCE_DIR;

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "no error";
}

const char* kTiny = R"(template: systolic
systolic:
  pe_x: 2
  pe_y: 2
  simd_units: 2
  lanes: 4
  local_memory_kib: 8
  register_file_bytes: 64
  global_buffer_kib: 32
  bandwidth_gb_per_s: 1.5
  clock_mhz: 1000
  mac_bits: 8
)";

TEST(SystolicYaml, ConfigRoundTrips) {
  const cost::SystolicConfig c = systolic_file_from_yaml(YamlNode::load_string(kTiny, "t.yaml"));
  EXPECT_EQ(c.pe_x, 2);
  EXPECT_EQ(c.lanes, 4);
  EXPECT_DOUBLE_EQ(c.bandwidth_gb_per_s, 1.5);
  EXPECT_EQ(to_yaml(c), kTiny);
  EXPECT_EQ(systolic_file_from_yaml(YamlNode::load_string(to_yaml(c), "again.yaml")), c);

  cost::SystolicConfig odd;
  odd.bandwidth_gb_per_s = 0.1 + 0.2;  // no shortest decimal: must still read back exactly
  odd.clock_mhz = 666.6666666666666;
  EXPECT_EQ(systolic_file_from_yaml(YamlNode::load_string(to_yaml(odd), "odd.yaml")), odd);
}

TEST(SystolicYaml, ConfigErrorsNameFileKeyAndReason) {
  auto read = [](std::string text) {
    return error_of([&] { systolic_file_from_yaml(YamlNode::load_string(text, "edge.yaml")); });
  };
  std::string text = kTiny;
  EXPECT_EQ(read(text + "  ppe: 3\n"),
            "edge.yaml: systolic.ppe: unknown key (expected one of: pe_x, pe_y, simd_units, lanes, "
            "local_memory_kib, register_file_bytes, global_buffer_kib, bandwidth_gb_per_s, "
            "clock_mhz, mac_bits)");
  std::string zero = text;
  zero.replace(zero.find("pe_x: 2"), 7, "pe_x: 0");
  EXPECT_EQ(read(zero), "edge.yaml: systolic.pe_x: expected an integer in 1..256, got 0");
  std::string bits = text;
  bits.replace(bits.find("mac_bits: 8"), 11, "mac_bits: 12");
  EXPECT_EQ(read(bits), "edge.yaml: systolic.mac_bits: expected 8 or 16, got 12");
  std::string bw = text;
  bw.replace(bw.find("bandwidth_gb_per_s: 1.5"), 23, "bandwidth_gb_per_s: 0");
  EXPECT_EQ(read(bw), "edge.yaml: systolic.bandwidth_gb_per_s: expected a number > 0, got 0");
  std::string missing = text;
  missing.erase(missing.find("  lanes: 4\n"), 11);
  EXPECT_EQ(read(missing), "edge.yaml: systolic.lanes: missing required key");
  std::string templ = text;
  templ.replace(0, 18, "template: tiled");
  EXPECT_EQ(read(templ), "edge.yaml: template: expected systolic, got 'tiled'");
}

TEST(SystolicYaml, ExampleFilesLoad) {
  const cost::SystolicConfig edge =
      read_systolic_file(kSource + "/examples/accel/edge-default.yaml");
  EXPECT_EQ(edge, cost::SystolicConfig{});  // the header's defaults are the Edge-TPU-class file
  EXPECT_EQ(cost::peak_macs_per_cycle(edge), 4096);

  const cost::SystolicSpace space =
      read_systolic_space_file(kSource + "/examples/accel/edge-space.yaml");
  EXPECT_EQ(space.default_config, edge);
  const auto genes = space.genes();
  ASSERT_EQ(genes.size(), 10u);
  EXPECT_EQ(genes[0].first, "accel.pe_x");
  EXPECT_EQ(genes[8], (std::pair<std::string, int>{"accel.clock_mhz", 6}));  // 500..1000 by 100
  EXPECT_DOUBLE_EQ(space.size(), 1228800);
  const std::vector<int> g = space.genes_for(space.default_config);
  EXPECT_EQ(space.config_for(g), edge);
  EXPECT_EQ(cost::describe(edge),
            "8x8 PE, 4 SIMD x 16 lanes, 64 KiB/PE, 512 B RF, 4 MiB GB, 8 GB/s, 500 MHz, int8");
}

const char* kSpace = R"(template: systolic
space:
  pe_x: [4, 2, 8]
  lanes: {min: 4, max: 16, step: 4}
  clock_mhz: {values: [500, 800]}
  mac_bits: 8
default: {pe_x: 2, pe_y: 2, simd_units: 2, lanes: 4, local_memory_kib: 8,
          register_file_bytes: 64, global_buffer_kib: 32, bandwidth_gb_per_s: 1.5,
          clock_mhz: 500, mac_bits: 8}
)";

TEST(SystolicYaml, SpaceFormsAndDefaults) {
  const cost::SystolicSpace s = systolic_space_from_yaml(YamlNode::load_string(kSpace, "s.yaml"));
  ASSERT_EQ(s.parameters.size(), 10u);
  EXPECT_EQ(s.parameters[0].values, (std::vector<double>{2, 4, 8}));  // sorted
  EXPECT_EQ(s.parameters[1].values, (std::vector<double>{2}));        // left out: the default
  EXPECT_EQ(s.parameters[3].values, (std::vector<double>{4, 8, 12, 16}));
  EXPECT_EQ(s.parameters[8].values, (std::vector<double>{500, 800}));
  EXPECT_EQ(s.parameters[9].values, (std::vector<double>{8}));
  EXPECT_EQ(s.genes_for(s.default_config), (std::vector<int>{0, 0, 0, 0, 0, 0, 0, 0, 0, 0}));
  EXPECT_DOUBLE_EQ(s.size(), 3 * 4 * 2);
}

TEST(SystolicYaml, SpaceErrorsNameFileKeyAndReason) {
  auto read = [](const std::string& from, const std::string& to) {
    std::string text = kSpace;
    text.replace(text.find(from), from.size(), to);
    return error_of([&] { systolic_space_from_yaml(YamlNode::load_string(text, "s.yaml")); });
  };
  EXPECT_EQ(read("pe_x: [4, 2, 8]", "pe_x: [4, 2, 300]"),
            "s.yaml: space.pe_x[2]: expected an integer in 1..256, got 300");
  EXPECT_EQ(read("pe_x: [4, 2, 8]", "pe_x: [4, 2, 4]"),
            "s.yaml: space.pe_x: the value 4 appears twice");
  EXPECT_EQ(read("pe_x: [4, 2, 8]", "pe_x: [4, 8]"),
            "s.yaml: default.pe_x: value 2 is not one of 4, 8 (the values of space.pe_x)");
  EXPECT_EQ(read("pe_x: [4, 2, 8]", "pe_z: [4, 2, 8]"),
            "s.yaml: space.pe_z: unknown key (expected one of: pe_x, pe_y, simd_units, lanes, "
            "local_memory_kib, register_file_bytes, global_buffer_kib, bandwidth_gb_per_s, "
            "clock_mhz, mac_bits)");
  EXPECT_EQ(read("{min: 4, max: 16, step: 4}", "{min: 4, max: 16}"),
            "s.yaml: space.lanes.step: missing required key");
  EXPECT_EQ(read("{min: 4, max: 16, step: 4}", "{min: 16, max: 4, step: 4}"),
            "s.yaml: space.lanes.max: max 4 is below min 16");
  EXPECT_EQ(read("clock_mhz: 500, mac_bits", "mac_bits"),
            "s.yaml: default.clock_mhz: missing required key");
}

TEST(SystolicYaml, BuiltInConstantsHaveSources) {
  const cost::SystolicConstants k = read_systolic_constants();
  EXPECT_DOUBLE_EQ(k.process_nm, 45);
  EXPECT_DOUBLE_EQ(k.int8_mult_pj, 0.2);
  EXPECT_DOUBLE_EQ(k.int32_mult_pj, 3.1);
  EXPECT_DOUBLE_EQ(k.int8_add_pj, 0.03);
  EXPECT_DOUBLE_EQ(k.int32_add_pj, 0.1);
  EXPECT_DOUBLE_EQ(k.sram_8kib_pj_per_64b, 10);
  EXPECT_DOUBLE_EQ(k.sram_32kib_pj_per_64b, 20);
  EXPECT_DOUBLE_EQ(k.sram_1mib_pj_per_64b, 100);
  EXPECT_DOUBLE_EQ(k.dram_pj_per_64b, 1300);
  EXPECT_DOUBLE_EQ(k.int8_mult_um2, 282);
  EXPECT_DOUBLE_EQ(k.sram_cell_um2, 0.346);
  // The file on disk is the one compiled in.
  EXPECT_EQ(read_systolic_constants(kSource + "/data/accelerators/constants.yaml"), k);

  const std::string no_source = R"(name: x
process_nm: 45
energy_pj: {int8_mult: {value: 0.2}}
)";
  EXPECT_EQ(
      error_of([&] { systolic_constants_from_yaml(YamlNode::load_string(no_source, "c.yaml")); }),
      "c.yaml: energy_pj.int8_mult.source: missing required key");
}

TEST(SystolicYaml, EstimateOfMobileNetV2OnTheEdgeDefault) {
  // The worked example of docs/accelerator.md: every layer of MobileNetV2 runs.
  const ir::Network mbv2 = read_network_file(kSource + "/examples/networks/mbv2.yaml");
  const cost::SystolicReport r = cost::estimate_systolic(
      mbv2, read_systolic_file(kSource + "/examples/accel/edge-default.yaml"),
      read_systolic_constants());
  EXPECT_TRUE(r.feasible) << r.reason;
  EXPECT_EQ(r.macs, 300774272);  // MobileNetV2 1.0 at 224x224: 300.8 M MACs
  EXPECT_GT(r.latency_ms, 0);
  EXPECT_GT(r.utilisation, 0);
  EXPECT_LT(r.utilisation, 1);
}

}  // namespace
}  // namespace hwnas::io
