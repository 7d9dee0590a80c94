#include "hwnas/tabular/nb201_table.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>

#include "../support/messages.hpp"
#include "hwnas/core/error.hpp"
#include "hwnas/space/nb201_space.hpp"

namespace hwnas::tabular {
namespace {

const std::string kRoot = std::string(HWNAS_SOURCE_DIR) + "/";

using testing::message_of;

std::string write_temp(const std::string& name, const std::string& text) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("hwnas_tabular_" + std::to_string(getpid()) + "_" + name);
  std::ofstream(path) << text;
  return path.string();
}

// The full table, read once for all tests.
const Nb201Table& full() {
  static const Nb201Table table =
      read_nb201_table(kRoot + std::string(kNb201ArchsCsv),
                       {kRoot + std::string(kNb201HwCsv), kRoot + std::string(kNb201ServerCsv)});
  return table;
}

const std::string kArch0 =
    "|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|"
    "skip_connect~2|";
const std::string kArch1 =
    "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|"
    "skip_connect~2|";
const std::string kArchs = "index,arch_str,valid_acc,test_acc\n0," + kArch0 + ",81.98,81.52\n1," +
                           kArch1 + ",90.77,90.51\n";

TEST(Nb201Table, ReadsTheRealFiles) {
  const Nb201Table& t = full();
  ASSERT_EQ(t.archs.size(), 15625u);
  // Spot values from data/nasbench201/README.md (HW-NAS-Bench's README).
  const std::size_t r0 = t.row_of_index(0).value();
  EXPECT_EQ(t.archs[r0].arch, kArch0);
  EXPECT_NEAR(t.column("fpga")[r0], 2.57296, 1e-5);
  EXPECT_NEAR(t.column("raspi4")[r0], 10.48198, 1e-5);
  EXPECT_NEAR(t.column("edgetpu")[r0], 0.95718, 1e-5);
  EXPECT_NEAR(t.column("eyeriss_latency_ms")[r0], 3.64562, 1e-5);
  EXPECT_NEAR(t.column("edgegpu")[r0], 5.80742, 1e-5);
  EXPECT_NEAR(t.archs[r0].test_acc, 0.8152, 1e-9);
  EXPECT_NEAR(t.archs[r0].valid_acc, 0.8198266666, 1e-9);
  // Best accuracies: test 91.52% at 1459, validation 91.61% at 6111.
  const auto best_test = std::max_element(t.archs.begin(), t.archs.end(),
                                          [](auto& a, auto& b) { return a.test_acc < b.test_acc; });
  EXPECT_EQ(best_test->index, 1459);
  EXPECT_NEAR(best_test->test_acc, 0.9152, 5e-5);
  const auto best_valid = std::max_element(
      t.archs.begin(), t.archs.end(), [](auto& a, auto& b) { return a.valid_acc < b.valid_acc; });
  EXPECT_EQ(best_valid->index, 6111);
  EXPECT_NEAR(best_valid->valid_acc, 0.9161, 5e-5);
  // Blank = NaN: edge GPU has 12,555 archs, edge TPU 8,787; server columns are full.
  auto measured = [&](const std::string& d) {
    const auto& v = t.column(d);
    return std::count_if(v.begin(), v.end(), [](double x) { return !std::isnan(x); });
  };
  EXPECT_EQ(measured("edgegpu"), 12555);
  EXPECT_EQ(measured("edgetpu"), 8787);
  EXPECT_EQ(measured("raspi4"), 15625);
  EXPECT_EQ(t.column_name("1080ti_1"), "1080ti_1_ms");
  EXPECT_EQ(t.column_name("fpga_energy_mj"), "fpga_energy_mj");
  // Every arch string maps back to its genotype and row.
  EXPECT_EQ(space::nb201_arch_string(t.archs[r0].genotype), kArch0);
  EXPECT_EQ(t.row_of_arch(kArch0), r0);
  EXPECT_EQ(t.row_of_index(15625), std::nullopt);
}

TEST(Nb201Table, UnknownDeviceListsTheDevices) {
  const std::string m = message_of([] { full().column("raspi5"); });
  EXPECT_NE(m.find("hw_nas_bench_cifar10.csv"), std::string::npos) << m;
  EXPECT_NE(m.find("column: no device 'raspi5'; devices: "), std::string::npos) << m;
  for (const char* d : {"raspi4", "edgetpu", "fpga", "fpga_energy_mj", "1080ti_1", "gold_6226"}) {
    EXPECT_NE(m.find(d), std::string::npos) << d << " in " << m;
  }
}

TEST(Nb201Table, SmallFilesAndMissingValues) {
  const std::string archs = write_temp("archs.csv", kArchs);
  const std::string dev = write_temp("dev.csv", "index,a_latency_ms,b_ms\n1,2.5,\n");
  const Nb201Table t = read_nb201_table(archs, {dev});
  ASSERT_EQ(t.archs.size(), 2u);
  EXPECT_NEAR(t.archs[1].valid_acc, 0.9077, 1e-12);
  EXPECT_DOUBLE_EQ(t.column("a")[1], 2.5);
  EXPECT_TRUE(std::isnan(t.column("a")[0]));  // no row for index 0
  EXPECT_TRUE(std::isnan(t.column("b")[1]));  // blank field
  EXPECT_EQ(t.devices(), (std::vector<std::string>{"a", "b"}));
}

TEST(Nb201Table, BadFilesNameFileLineAndColumn) {
  const std::string archs = write_temp("archs.csv", kArchs);
  const std::string missing = write_temp("a1.csv", "index,arch_str,valid_acc\n0,x,1\n");
  EXPECT_EQ(message_of([&] { read_nb201_table(missing); }),
            missing + ": line 1: no column 'test_acc'; columns: index, arch_str, valid_acc");
  const std::string bad_arch =
      write_temp("a2.csv",
                 "index,arch_str,valid_acc,test_acc\n0,|conv_9x9~0|+|none~0|none~1|+|none~0|"
                 "none~1|none~2|,1,1\n");
  const std::string m = message_of([&] { read_nb201_table(bad_arch); });
  EXPECT_EQ(m.rfind(bad_arch + ": line 2, column arch_str: unknown arch '|conv_9x9~0|", 0), 0u)
      << m;
  const std::string bad_number =
      write_temp("a3.csv", "index,arch_str,valid_acc,test_acc\n0," + kArch0 + ",81.9,high\n");
  EXPECT_EQ(message_of([&] { read_nb201_table(bad_number); }),
            bad_number + ": line 2, column test_acc: expected a number, got 'high'");
  const std::string twice = write_temp("a4.csv", kArchs + "0," + kArch1 + ",1,1\n");
  EXPECT_EQ(message_of([&] { read_nb201_table(twice); }),
            twice + ": line 4, column index: index 0 appears twice (also on line 2)");
  const std::string percent =
      write_temp("a5.csv", "index,arch_str,valid_acc,test_acc\n0," + kArch0 + ",0.9,101\n");
  EXPECT_EQ(
      message_of([&] { read_nb201_table(percent); }),
      percent + ": line 2, column test_acc: an accuracy in percent must be in 0..100, got 101");

  const std::string negative = write_temp("d1.csv", "index,x_latency_ms\n0,1\n1,-0.5\n");
  EXPECT_EQ(message_of([&] { read_nb201_table(archs, {negative}); }),
            negative + ": line 3, column x_latency_ms: a negative latency (-0.5)");
  const std::string text = write_temp("d2.csv", "index,x_latency_ms\n0,fast\n");
  EXPECT_EQ(message_of([&] { read_nb201_table(archs, {text}); }),
            text + ": line 2, column x_latency_ms: expected a number, got 'fast'");
  const std::string unknown = write_temp("d3.csv", "index,x_latency_ms\n7,1\n");
  EXPECT_EQ(message_of([&] { read_nb201_table(archs, {unknown}); }),
            unknown + ": line 2, column index: index 7 is not in " + archs);
  const std::string no_index = write_temp("d4.csv", "idx,x_latency_ms\n0,1\n");
  EXPECT_EQ(message_of([&] { read_nb201_table(archs, {no_index}); }),
            no_index + ": line 1: no column 'index'; columns: idx, x_latency_ms");
  const std::string dup = write_temp("d5.csv", "index,x_latency_ms\n0,1\n0,2\n");
  EXPECT_EQ(message_of([&] { read_nb201_table(archs, {dup}); }),
            dup + ": line 3, column index: index 0 appears twice (also on line 2)");
  const std::string first = write_temp("d6.csv", "index,x_latency_ms\n0,1\n");
  const std::string again = write_temp("d7.csv", "index,x_latency_ms\n1,1\n");
  EXPECT_EQ(message_of([&] {
              read_nb201_table(archs, {first, again});
            }),
            again + ": line 1, column x_latency_ms: column 'x_latency_ms' was already read from " +
                first);
}

}  // namespace
}  // namespace hwnas::tabular
