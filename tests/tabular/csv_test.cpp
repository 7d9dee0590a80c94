#include "hwnas/tabular/csv.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>

#include "../support/messages.hpp"
#include "hwnas/core/error.hpp"

namespace hwnas::tabular {
namespace {

using testing::message_of;

TEST(Csv, HeaderRecordsLinesAndQuotes) {
  const CsvFile f = parse_csv("a,b,c\r\n1,\"x,y\",3\n\n4,\"say \"\"hi\"\"\",\n", "t.csv");
  ASSERT_EQ(f.header, (std::vector<std::string>{"a", "b", "c"}));
  ASSERT_EQ(f.records.size(), 2u);
  EXPECT_EQ(f.records[0].line, 2u);
  EXPECT_EQ(f.records[0].fields[1], "x,y");
  EXPECT_EQ(f.records[1].line, 4u);  // the blank line 3 is skipped but counted
  EXPECT_EQ(f.records[1].fields[1], "say \"hi\"");
  EXPECT_EQ(f.records[1].fields[2], "");
  EXPECT_EQ(f.find("c"), 2u);
  EXPECT_FALSE(f.find("d"));
}

TEST(Csv, WrittenFieldsReadBack) {
  EXPECT_EQ(csv_field("|nor_conv_3x3~0|+|none~0|"), "|nor_conv_3x3~0|+|none~0|");
  EXPECT_EQ(csv_field("a,b"), "\"a,b\"");
  EXPECT_EQ(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");  // "say ""hi"""
  EXPECT_EQ(csv_field("two\nlines"), "\"two\nlines\"");
  const CsvFile f =
      parse_csv("x,y\n" + csv_field("a,b") + "," + csv_field("say \"hi\"") + "\n", "t.csv");
  ASSERT_EQ(f.records.size(), 1u);
  EXPECT_EQ(f.records[0].fields, (std::vector<std::string>{"a,b", "say \"hi\""}));
}

TEST(Csv, NumbersBlanksAndIndices) {
  const CsvFile f = parse_csv("index,v\n7,2.5e-1\n8,\n9,abc\n-1,1\n", "t.csv");
  EXPECT_DOUBLE_EQ(parse_number(f, f.records[0], 1, false), 0.25);
  EXPECT_TRUE(std::isnan(parse_number(f, f.records[1], 1, true)));
  EXPECT_EQ(message_of([&] { parse_number(f, f.records[1], 1, false); }),
            "t.csv: line 3, column v: expected a number, got ''");
  EXPECT_EQ(message_of([&] { parse_number(f, f.records[2], 1, true); }),
            "t.csv: line 4, column v: expected a number, got 'abc'");
  EXPECT_EQ(parse_index(f, f.records[0], 0), 7);
  EXPECT_EQ(message_of([&] { parse_index(f, f.records[3], 0); }),
            "t.csv: line 5, column index: expected a non-negative integer, got '-1'");
}

TEST(Csv, BadFilesNameTheLine) {
  EXPECT_EQ(message_of([] { parse_csv("a,b\n1,2,3\n", "t.csv"); }),
            "t.csv: line 2: 3 fields, but the header has 2 columns");
  EXPECT_EQ(message_of([] { parse_csv("a,a\n", "t.csv"); }),
            "t.csv: line 1: column 'a' appears twice");
  EXPECT_EQ(message_of([] { parse_csv("a,\"b\n", "t.csv"); }), "t.csv: line 1: unterminated quote");
  EXPECT_EQ(message_of([] { parse_csv("\n\n", "t.csv"); }),
            "t.csv: empty file: expected a header line");
  EXPECT_EQ(message_of([] { read_csv("/nonexistent/x.csv"); }),
            "/nonexistent/x.csv: cannot open the file");
  const CsvFile f = parse_csv("a,b\n", "t.csv");
  EXPECT_EQ(message_of([&] { f.require("c"); }), "t.csv: line 1: no column 'c'; columns: a, b");
}

}  // namespace
}  // namespace hwnas::tabular
