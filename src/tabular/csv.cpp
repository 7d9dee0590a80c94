#include "hwnas/tabular/csv.hpp"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "hwnas/core/error.hpp"

namespace hwnas::tabular {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

std::string line_key(std::size_t line) {
  return fmt::format("line {}", line);
}

// Splits one line into fields; quotes as described in the header.
std::vector<std::string> split_line(std::string_view line, const std::string& name,
                                    std::size_t number) {
  std::vector<std::string> fields;
  std::string field;
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.push_back(std::move(field));
      field.clear();
    } else {
      field += c;
    }
  }
  if (quoted) throw InputError(name, line_key(number), "unterminated quote");
  fields.push_back(std::move(field));
  return fields;
}

}  // namespace

std::optional<std::size_t> CsvFile::find(std::string_view column) const {
  for (std::size_t i = 0; i < header.size(); ++i) {
    if (header[i] == column) return i;
  }
  return std::nullopt;
}

std::size_t CsvFile::require(std::string_view column) const {
  if (const auto i = find(column)) return *i;
  throw InputError(name, "line 1",
                   fmt::format("no column '{}'; columns: {}", column, fmt::join(header, ", ")));
}

CsvFile parse_csv(std::string_view text, const std::string& name) {
  CsvFile file;
  file.name = name;
  std::size_t number = 0;
  bool have_header = false;
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    ++number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (trim(line).empty()) continue;
    std::vector<std::string> fields = split_line(line, name, number);
    if (!have_header) {
      std::set<std::string> seen;
      for (auto& f : fields) {
        f = std::string(trim(f));
        if (f.empty()) throw InputError(name, line_key(number), "empty column name in the header");
        if (!seen.insert(f).second) {
          throw InputError(name, line_key(number), fmt::format("column '{}' appears twice", f));
        }
      }
      file.header = std::move(fields);
      have_header = true;
      continue;
    }
    if (fields.size() != file.header.size()) {
      throw InputError(name, line_key(number),
                       fmt::format("{} fields, but the header has {} columns", fields.size(),
                                   file.header.size()));
    }
    file.records.push_back({number, std::move(fields)});
  }
  if (!have_header) throw InputError(name, "", "empty file: expected a header line");
  return file;
}

CsvFile read_csv(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, "", "cannot open the file");
  std::stringstream text;
  text << in.rdbuf();
  return parse_csv(text.str(), path);
}

std::string field_key(const CsvFile& file, const CsvRecord& record, std::size_t column) {
  return fmt::format("line {}, column {}", record.line, file.header.at(column));
}

double parse_number(const CsvFile& file, const CsvRecord& record, std::size_t column,
                    bool blank_is_nan) {
  const std::string_view text = trim(record.fields.at(column));
  if (text.empty()) {
    if (blank_is_nan) return std::numeric_limits<double>::quiet_NaN();
    throw InputError(file.name, field_key(file, record, column), "expected a number, got ''");
  }
  // strtod accepts what the benchmark files hold (decimal and exponent forms); reject anything
  // left over, and non-finite values, which no table here can mean.
  const std::string copy(text);
  char* end = nullptr;
  errno = 0;
  const double value = std::strtod(copy.c_str(), &end);
  if (end != copy.c_str() + copy.size() || errno == ERANGE || !std::isfinite(value)) {
    throw InputError(file.name, field_key(file, record, column),
                     fmt::format("expected a number, got '{}'", text));
  }
  return value;
}

long long parse_index(const CsvFile& file, const CsvRecord& record, std::size_t column) {
  const std::string_view text = trim(record.fields.at(column));
  long long value = -1;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || value < 0) {
    throw InputError(file.name, field_key(file, record, column),
                     fmt::format("expected a non-negative integer, got '{}'", text));
  }
  return value;
}

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (const char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

}  // namespace hwnas::tabular
