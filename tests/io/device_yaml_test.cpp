#include "hwnas/io/device_yaml.hpp"

#include <gtest/gtest.h>

#include "hwnas/core/error.hpp"
#include "hwnas/io/accelerator_yaml.hpp"
#include "hwnas/io/network_yaml.hpp"

namespace hwnas::io {
namespace {

TEST(Devices, BuiltInFiguresMatchTheDatasheets) {
  // DS190 (Zynq-7000), DS891 (Zynq UltraScale+), FPGA-DS-02008 (iCE40 UltraPlus).
  struct Expected {
    const char* name;
    double lut, ff, bram18, dsp;
    hw::DspKind kind;
  };
  const Expected expected[] = {
      {"xc7z020", 53200, 106400, 2 * 140, 220, hw::DspKind::dsp48e1},
      {"xczu3eg", 70560, 141120, 2 * 216, 360, hw::DspKind::dsp48e2},
      {"xczu9eg", 274080, 548160, 2 * 912, 2520, hw::DspKind::dsp48e2},
      {"xc7z045", 218600, 437200, 2 * 545, 900, hw::DspKind::dsp48e1},
      {"ice40up5k", 5280, 5280, 30, 8, hw::DspKind::sb_mac16},
  };
  EXPECT_EQ(builtin_device_names().size(), 5u);
  for (const auto& e : expected) {
    const hw::Target t = load_target(e.name);
    EXPECT_EQ(t.device.name, e.name);
    EXPECT_EQ(t.device.budget, (hw::Resources{e.dsp, e.bram18, e.lut, e.ff})) << e.name;
    EXPECT_EQ(t.device.dsp_kind, e.kind) << e.name;
    EXPECT_GT(t.board.clock_mhz, 0) << e.name;
    EXPECT_FALSE(t.device.source.empty()) << e.name;
    for (const auto& a : t.device.bram_aspects) {
      EXPECT_LE(a.width_bits * a.depth, t.device.bram_bits) << e.name;
    }
  }
  EXPECT_EQ(load_target("xczu3eg").board.name, "ultra96");
  EXPECT_EQ(load_target("ice40up5k").device.bram_unit, "EBR");
}

TEST(Devices, BoardOverrideAndUnknownNames) {
  EXPECT_EQ(load_target("xczu3eg", "zcu102").board.name, "zcu102");
  try {
    load_device("virtex2");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(),
                 "virtex2: no such device file, and not a built-in device (built-in: ice40up5k, "
                 "xc7z020, xc7z045, xczu3eg, xczu9eg)");
  }
}

TEST(Devices, UserFileErrorsNameTheKey) {
  auto error_of = [](const std::string& yaml) -> std::string {
    try {
      device_from_yaml(YamlNode::load_string(yaml, "my.yaml"));
    } catch (const InputError& e) {
      return e.what();
    }
    return "no error";
  };
  const std::string ok_bram = "bram: {bits: 18432, aspects: [[36, 512]]}\n";
  EXPECT_EQ(error_of("name: x\ndsp: dsp48e1\n" + ok_bram),
            "my.yaml: resources: missing required key");
  EXPECT_EQ(
      error_of("name: x\ndsp: dsp99\nresources: {lut: 1, ff: 1, bram: 1, dsp: 1}\n" + ok_bram),
      "my.yaml: dsp: unknown DSP block 'dsp99' (expected one of: dsp48e1, dsp48e2, sb_mac16)");
  EXPECT_EQ(error_of("name: x\ndsp: dsp48e1\nresources: {lut: 1, ff: 1, bram: 1}\n" + ok_bram),
            "my.yaml: resources.dsp: missing required key");
  EXPECT_EQ(error_of("name: x\ndsp: dsp48e1\nresources: {lut: 1, ff: 1, bram: 1, dsp: 1}\n"
                     "bram: {bits: 18432, aspects: [[36, 1024]]}\n"),
            "my.yaml: bram.aspects[0]: 36 x 1024 bits exceeds the block's 18432 bits");
}

TEST(AcceleratorFile, TiledAndDataflowForms) {
  const auto tiled = accelerator_from_yaml(YamlNode::load_string(
      "template: tiled\nmodel: fnas\ntiled: {tm: 16, tn: 8, tr: 7, tc: 7}\n", "a.yaml"));
  EXPECT_EQ(tiled.tiled, (cost::TiledConfig{16, 8, 7, 7}));
  EXPECT_EQ(tiled.model, cost::TiledModel::fnas);
  EXPECT_EQ(accelerator_from_yaml(
                YamlNode::load_string(tiled_config_to_yaml(tiled.tiled, *tiled.model), "b"))
                .tiled,
            tiled.tiled);

  const ir::Network net = parse_network_yaml(
      "name: n\ninput: {channels: 2, height: 4, width: 4}\nlayers:\n"
      "  - {type: conv, name: c, out: 4, kernel: 3}\n  - {type: linear, name: f, out: 3}\n",
      "n.yaml");
  const auto flow = accelerator_from_yaml(YamlNode::load_string(
      "template: dataflow\ndataflow:\n  layers:\n    c: {pe: 2, simd: 9}\n", "d.yaml"));
  const cost::DataflowConfig config = dataflow_config_for(flow, net);
  EXPECT_EQ(config.layers[0], (cost::Folding{2, 9}));
  EXPECT_EQ(config.layers[1], (cost::Folding{1, 1}));

  const auto typo = accelerator_from_yaml(YamlNode::load_string(
      "template: dataflow\ndataflow:\n  layers:\n    cc: {pe: 2}\n", "d.yaml"));
  try {
    dataflow_config_for(typo, net);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "d.yaml: dataflow.layers.cc: the network 'n' has no layer of that name");
  }
  try {
    accelerator_from_yaml(YamlNode::load_string("template: systolic\n", "s.yaml"));
    FAIL();
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(),
                 "s.yaml: template: unknown template 'systolic' (expected tiled or dataflow)");
  }
}

}  // namespace
}  // namespace hwnas::io
