#pragma once
// A small reader for the comma-separated tables of benchmark data (NAS-Bench-201's accuracies,
// device latencies, a user's measurements): a header line, then one record per line.
//
// Fields are split at commas; a field in double quotes may hold commas and "" for a quote.
// Spaces around a field are kept (the benchmark files have none). Blank lines are skipped.
// Lines are numbered from 1 (the header) so that errors point into the file as an editor shows
// it. Errors throw hwnas::InputError(file, "line <n>[, column <name>]", reason).

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hwnas::tabular {

struct CsvRecord {
  std::size_t line = 0;  // 1-based line number in the file
  std::vector<std::string> fields;
};

struct CsvFile {
  std::string name;  // the file (or the name given for in-memory text), for error messages
  std::vector<std::string> header;
  std::vector<CsvRecord> records;

  // The position of a header column, or nothing.
  std::optional<std::size_t> find(std::string_view column) const;
  // As find, but throws InputError(name, "line 1", "no column '<column>'; columns: ...").
  std::size_t require(std::string_view column) const;
};

// Throws InputError naming the file when it cannot be read, is empty, has a repeated or empty
// header name, an unterminated quote, or a record whose field count differs from the header's.
CsvFile read_csv(const std::string& path);
CsvFile parse_csv(std::string_view text, const std::string& name);

// A field as a number. An empty field (after trimming spaces) is NaN when `blank_is_nan`, else an
// error. Throws InputError(file, "line <n>, column <name>", "expected a number, got '<text>'").
double parse_number(const CsvFile& file, const CsvRecord& record, std::size_t column,
                    bool blank_is_nan);
// A field as a non-negative integer (an index). Throws as parse_number.
long long parse_index(const CsvFile& file, const CsvRecord& record, std::size_t column);
// "line <n>, column <name>": the key of an InputError about one field.
std::string field_key(const CsvFile& file, const CsvRecord& record, std::size_t column);

// The writer's side: `text` as one CSV field, in double quotes (a quote doubled) when it holds a
// comma, a quote or a line break (RFC 4180). read_csv reads the first two back; it reads line by
// line, so a field with a line break is for other readers.
std::string csv_field(const std::string& text);

}  // namespace hwnas::tabular
