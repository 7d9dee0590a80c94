#include "hwnas/tabular/nb201_table.hpp"

#include <cmath>
#include <limits>
#include <set>

#include <fmt/format.h>

#include "hwnas/core/error.hpp"
#include "hwnas/space/nb201_space.hpp"
#include "hwnas/tabular/csv.hpp"

namespace hwnas::tabular {

namespace {

constexpr std::string_view kLatencySuffix = "_latency_ms";
constexpr std::string_view kMsSuffix = "_ms";

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() > suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// The short name of a column, as devices() lists it.
std::string short_name(std::string_view column) {
  if (ends_with(column, kLatencySuffix)) {
    return std::string(column.substr(0, column.size() - kLatencySuffix.size()));
  }
  if (ends_with(column, kMsSuffix)) {
    return std::string(column.substr(0, column.size() - kMsSuffix.size()));
  }
  return std::string(column);
}

std::string where_columns(const Nb201Table& table) {
  std::set<std::string> files;
  for (const auto& [column, file] : table.column_files) files.insert(file);
  if (files.empty()) return table.archs_file;
  return fmt::format("{}", fmt::join(files, ", "));
}

}  // namespace

std::optional<std::size_t> Nb201Table::row_of_index(long long index) const {
  const auto it = by_index.find(index);
  if (it == by_index.end()) return std::nullopt;
  return it->second;
}

std::optional<std::size_t> Nb201Table::row_of_arch(std::string_view arch) const {
  const auto it = by_arch.find(std::string(arch));
  if (it == by_arch.end()) return std::nullopt;
  return it->second;
}

std::vector<std::string> Nb201Table::devices() const {
  std::vector<std::string> names;
  for (const auto& [column, values] : columns) names.push_back(short_name(column));
  return names;
}

std::string Nb201Table::column_name(std::string_view device) const {
  for (const std::string& candidate :
       {std::string(device), fmt::format("{}{}", device, kLatencySuffix),
        fmt::format("{}{}", device, kMsSuffix)}) {
    if (columns.count(candidate)) return candidate;
  }
  const std::vector<std::string> names = devices();
  throw InputError(
      where_columns(*this), "column",
      names.empty() ? fmt::format("no device '{}': no device file was read", device)
                    : fmt::format("no device '{}'; devices: {}", device, fmt::join(names, ", ")));
}

const std::vector<double>& Nb201Table::column(std::string_view device) const {
  return columns.at(column_name(device));
}

Nb201Table read_nb201_table(const std::string& archs_csv,
                            const std::vector<std::string>& device_csvs) {
  const CsvFile file = read_csv(archs_csv);
  const std::size_t c_index = file.require("index");
  const std::size_t c_arch = file.require("arch_str");
  const std::size_t c_valid = file.require("valid_acc");
  const std::size_t c_test = file.require("test_acc");

  Nb201Table table;
  table.archs_file = archs_csv;
  table.archs.reserve(file.records.size());
  table.by_index.reserve(file.records.size());
  table.by_arch.reserve(file.records.size());
  for (const CsvRecord& record : file.records) {
    Nb201Arch a;
    a.index = parse_index(file, record, c_index);
    a.arch = record.fields[c_arch];
    try {
      a.genotype = space::nb201_genotype(a.arch);
    } catch (const InputError& e) {
      throw InputError(file.name, field_key(file, record, c_arch),
                       fmt::format("unknown arch '{}': {}", a.arch, e.what()));
    }
    const std::size_t accuracy_columns[] = {c_valid, c_test};
    double* accuracies[] = {&a.valid_acc, &a.test_acc};
    for (int i = 0; i < 2; ++i) {
      const double percent = parse_number(file, record, accuracy_columns[i], false);
      if (percent < 0 || percent > 100) {
        throw InputError(file.name, field_key(file, record, accuracy_columns[i]),
                         fmt::format("an accuracy in percent must be in 0..100, got {}", percent));
      }
      *accuracies[i] = percent / 100;
    }
    const std::size_t row = table.archs.size();
    if (const auto [it, fresh] = table.by_index.emplace(a.index, row); !fresh) {
      throw InputError(file.name, field_key(file, record, c_index),
                       fmt::format("index {} appears twice (also on line {})", a.index,
                                   file.records[it->second].line));
    }
    if (const auto [it, fresh] = table.by_arch.emplace(a.arch, row); !fresh) {
      throw InputError(file.name, field_key(file, record, c_arch),
                       fmt::format("arch '{}' appears twice (also on line {})", a.arch,
                                   file.records[it->second].line));
    }
    table.archs.push_back(std::move(a));
  }
  for (const std::string& path : device_csvs) add_device_file(table, path);
  return table;
}

void add_device_file(Nb201Table& table, const std::string& device_csv) {
  const CsvFile file = read_csv(device_csv);
  const std::size_t c_index = file.require("index");
  std::vector<std::size_t> value_columns;
  for (std::size_t c = 0; c < file.header.size(); ++c) {
    if (c == c_index) continue;
    const std::string& name = file.header[c];
    if (const auto it = table.column_files.find(name); it != table.column_files.end()) {
      throw InputError(file.name, fmt::format("line 1, column {}", name),
                       fmt::format("column '{}' was already read from {}", name, it->second));
    }
    value_columns.push_back(c);
  }
  std::vector<std::vector<double>> values(
      value_columns.size(),
      std::vector<double>(table.archs.size(), std::numeric_limits<double>::quiet_NaN()));
  std::vector<std::size_t> line_of_row(table.archs.size(), 0);
  for (const CsvRecord& record : file.records) {
    const long long index = parse_index(file, record, c_index);
    const auto row = table.row_of_index(index);
    if (!row) {
      throw InputError(file.name, field_key(file, record, c_index),
                       fmt::format("index {} is not in {}", index, table.archs_file));
    }
    if (line_of_row[*row] != 0) {
      throw InputError(
          file.name, field_key(file, record, c_index),
          fmt::format("index {} appears twice (also on line {})", index, line_of_row[*row]));
    }
    line_of_row[*row] = record.line;
    for (std::size_t v = 0; v < value_columns.size(); ++v) {
      const double value = parse_number(file, record, value_columns[v], true);
      if (value < 0) {
        const std::string& name = file.header[value_columns[v]];
        throw InputError(file.name, field_key(file, record, value_columns[v]),
                         fmt::format("a negative {} ({})",
                                     ends_with(name, kMsSuffix) ? "latency" : "value", value));
      }
      values[v][*row] = value;
    }
  }
  for (std::size_t v = 0; v < value_columns.size(); ++v) {
    const std::string& name = file.header[value_columns[v]];
    table.columns[name] = std::move(values[v]);
    table.column_files[name] = file.name;
  }
}

}  // namespace hwnas::tabular
