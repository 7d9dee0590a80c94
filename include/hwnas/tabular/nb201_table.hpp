#pragma once
// NAS-Bench-201 as tables (data/nasbench201/README.md): per architecture index the cell's arch
// string, its genotype in hwnas's nb201 space, the trained CIFAR-10 accuracies, and any number
// of device columns (latency in ms, energy in mJ) read from further CSV files keyed by index.
//
// Why a module of its own (hwnas::tabular) and not part of eval or the latency predictor: the
// table is data at the edge that two consumers read (the tabular accuracy evaluator, and the
// latency predictor's index -> arch lookup), it needs the nb201 space to turn arch strings into
// genotypes (eval does not depend on space), and it needs no torch.
//
// Errors throw hwnas::InputError(file, "line <n>, column <name>", reason): a missing column, a
// value that is not a number, an accuracy outside 0..100, a negative latency or energy, an arch
// string the nb201 space does not know, a repeated index or arch, a device row whose index is not
// in the archs file, a device column given by two files.

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "hwnas/space/search_space.hpp"

namespace hwnas::tabular {

// The files carried in the repository, relative to its root.
inline constexpr std::string_view kNb201ArchsCsv = "data/nasbench201/archs_cifar10.csv";
inline constexpr std::string_view kNb201HwCsv = "data/nasbench201/hw_nas_bench_cifar10.csv";
inline constexpr std::string_view kNb201ServerCsv = "data/nasbench201/server_latency_cifar10.csv";

struct Nb201Arch {
  long long index = 0;       // NAS-Bench-201's architecture index (0..15,624 in the full table)
  std::string arch;          // e.g. "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|...|"
  space::Genotype genotype;  // space::nb201_genotype(arch)
  double valid_acc = 0;      // fraction 0..1 (the file holds percent)
  double test_acc = 0;       // fraction 0..1
};

struct Nb201Table {
  std::string archs_file;
  std::vector<Nb201Arch> archs;  // in file order
  // Device columns by their full name (e.g. "raspi4_latency_ms"): one value per entry of
  // `archs`, NaN where the device file has a blank field or no row for that index.
  std::map<std::string, std::vector<double>> columns;
  std::map<std::string, std::string> column_files;  // column name -> the file it came from

  // Row (position in `archs`) of an index or an arch string, or nothing.
  std::optional<std::size_t> row_of_index(long long index) const;
  std::optional<std::size_t> row_of_arch(std::string_view arch) const;

  // The full column name for a device: the name itself when it is a column, else
  // "<device>_latency_ms", else "<device>_ms" (so "raspi4" -> "raspi4_latency_ms" and
  // "1080ti_1" -> "1080ti_1_ms"). Throws InputError(<the device files>, "column", ...) listing
  // the devices available when none matches.
  std::string column_name(std::string_view device) const;
  // column_name's values. Throws as column_name.
  const std::vector<double>& column(std::string_view device) const;
  // The short names column_name accepts, one per column ("fpga", "fpga_energy_mj", "1080ti_1").
  std::vector<std::string> devices() const;

  std::unordered_map<long long, std::size_t> by_index;
  std::unordered_map<std::string, std::size_t> by_arch;
};

// Reads an archs file (columns index, arch_str, valid_acc, test_acc, in any order; others
// ignored) and then each device file (a column `index` plus value columns; every other column is
// read, blanks as NaN).
Nb201Table read_nb201_table(const std::string& archs_csv,
                            const std::vector<std::string>& device_csvs = {});

// Adds the value columns of one more device file to a table.
void add_device_file(Nb201Table& table, const std::string& device_csv);

}  // namespace hwnas::tabular
