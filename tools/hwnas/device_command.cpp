// hwnas device list | show: the built-in devices and boards.

#include <memory>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "hwnas/io/device_yaml.hpp"

namespace hwnas::cli {

void add_device_command(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("device", "Built-in FPGA devices and boards");
  cmd->require_subcommand(1);

  CLI::App* list = cmd->add_subcommand("list", "List the built-in devices with their budgets");
  list->callback([] {
    fmt::print("{:<10} {:<24} {:>8} {:>8} {:>6} {:>6}  {:<9} {}\n", "device", "family", "LUT", "FF",
               "BRAM", "DSP", "DSP kind", "default board");
    for (const auto& name : io::builtin_device_names()) {
      const hw::Target t = io::load_target(name);
      const hw::Device& d = t.device;
      fmt::print("{:<10} {:<24} {:>8.0f} {:>8.0f} {:>6.0f} {:>6.0f}  {:<9} {} ({} MHz, {} GB/s)\n",
                 d.name, d.family, d.budget.lut, d.budget.ff, d.budget.bram, d.budget.dsp,
                 hw::to_string(d.dsp_kind), t.board.name, t.board.clock_mhz, t.board.dram_gb_per_s);
    }
  });

  auto name = std::make_shared<std::string>();
  auto board = std::make_shared<std::string>();
  CLI::App* show = cmd->add_subcommand("show", "Show one device and its board as JSON");
  show->add_option("device", *name, "built-in name or device YAML file")->required();
  show->add_option("--board,-b", *board, "board name or file (default: the device's board)");
  show->callback([name, board] {
    const hw::Target t = io::load_target(*name, *board);
    const hw::Device& d = t.device;
    const hw::Board& b = t.board;
    nlohmann::json aspects = nlohmann::json::array();
    for (const auto& a : d.bram_aspects) aspects.push_back({a.width_bits, a.depth});
    const nlohmann::json json = {
        {"device",
         {{"name", d.name},
          {"part", d.part},
          {"family", d.family},
          {"source", d.source},
          {"dsp_kind", hw::to_string(d.dsp_kind)},
          {"resources",
           {{"lut", d.budget.lut},
            {"ff", d.budget.ff},
            {"bram", d.budget.bram},
            {"dsp", d.budget.dsp}}},
          {"bram", {{"unit", d.bram_unit}, {"bits", d.bram_bits}, {"aspects", aspects}}},
          {"lut_multiplier_max_bits", d.lut_multiplier_max_bits},
          {"lutram_bits_per_lut", d.lutram_bits_per_lut}}},
        {"board",
         {{"name", b.name},
          {"source", b.source},
          {"clock_mhz", b.clock_mhz},
          {"dram_gb_per_s", b.dram_gb_per_s},
          {"ports",
           {{"weight_bits", b.weight_port_bits},
            {"input_bits", b.input_port_bits},
            {"output_bits", b.output_port_bits}}}}}};
    fmt::print("{}\n", json.dump(2));
  });
}

}  // namespace hwnas::cli
