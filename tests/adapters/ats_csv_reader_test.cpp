// Tests for the RFC 4180 reader of the ATS CSV flows: delimiters, quoting,
// line ends, byte-order mark, charsets, row numbers and limits.

#include "adapters/ats/csv/csv_reader.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "gateway/core/charset.h"

namespace raccordo {
namespace {

csv::Table readOk(std::string_view bytes, const csv::Options& options = {}) {
  auto t = csv::readCsv(bytes, options);
  EXPECT_TRUE(t.ok()) << (t.ok() ? "" : t.error().describe());
  return t.ok() ? std::move(t.value()) : csv::Table();
}

Error readErr(std::string_view bytes, const csv::Options& options = {}) {
  auto t = csv::readCsv(bytes, options);
  EXPECT_FALSE(t.ok());
  return t.ok() ? Error() : t.error();
}

std::vector<std::string> fieldsOf(const csv::Row& row) { return {row.fields.begin(), row.fields.end()}; }
using Fields = std::vector<std::string>;

TEST(CsvReader, DetectsTheDelimiterFromTheHeader) {
  auto semi = readOk("a;b;c\n1;2,5;3\n");
  EXPECT_EQ(semi.delimiter(), ';');
  EXPECT_EQ(fieldsOf(semi.rows()[0]), (Fields{"1", "2,5", "3"}));
  auto comma = readOk("a,b,c\n1,2;5,3\n");
  EXPECT_EQ(comma.delimiter(), ',');
  EXPECT_EQ(fieldsOf(comma.rows()[0]), (Fields{"1", "2;5", "3"}));
  // Only delimiters outside quotes count: the header has one ';' and quoted commas.
  EXPECT_EQ(readOk("\"x,y,z\";w\n1;2\n").delimiter(), ';');
  EXPECT_EQ(readOk("\"x;y;z\",w\n1,2\n").delimiter(), ',');
}

TEST(CsvReader, AFixedDelimiterIsNotDetected) {
  csv::Options o;
  o.delimiter = ',';
  auto t = readOk("a;b\n1;2\n", o);
  EXPECT_EQ(fieldsOf(t.header()), (Fields{"a;b"}));
}

TEST(CsvReader, QuotedFieldsWithDoubledQuotesAndDelimiters) {
  auto t = readOk("a;b;c\n\"x; \"\"y\"\"\";\"\";plain \"inner\" quote\n");
  EXPECT_EQ(fieldsOf(t.rows()[0]), (Fields{"x; \"y\"", "", "plain \"inner\" quote"}));
  EXPECT_FALSE(t.rows()[0].error.has_value());
}

TEST(CsvReader, TrailingDelimiterGivesAnEmptyLastField) {
  auto t = readOk("a;b;c\n1;2;\n");
  EXPECT_EQ(fieldsOf(t.rows()[0]), (Fields{"1", "2", ""}));
}

TEST(CsvReader, CrlfLfAndCrLineEnds) {
  for (std::string eol : {"\r\n", "\n", "\r"}) {
    auto t = readOk("a;b" + eol + "1;2" + eol + "3;4" + eol);
    ASSERT_EQ(t.rows().size(), 2u) << "eol " << eol.size();
    EXPECT_EQ(fieldsOf(t.rows()[1]), (Fields{"3", "4"}));
    EXPECT_EQ(t.rows()[1].row, 3u);
  }
  auto no_final_eol = readOk("a;b\r\n1;2");
  EXPECT_EQ(fieldsOf(no_final_eol.rows()[0]), (Fields{"1", "2"}));
}

TEST(CsvReader, AnEmbeddedNewlineKeepsTheRowWhereTheRecordStarts) {
  auto t = readOk("a;b\r\n\"line one\r\nline two\nline three\";x\r\n3;4\r\n");
  ASSERT_EQ(t.rows().size(), 2u);
  EXPECT_EQ(t.rows()[0].row, 2u);
  EXPECT_EQ(t.rows()[0].fields[0], "line one\r\nline two\nline three");
  EXPECT_EQ(t.rows()[1].row, 5u);  // physical line, as an editor shows it
}

TEST(CsvReader, BlankLinesAreSkippedButCounted) {
  auto t = readOk("\na;b\n\n1;2\r\n\r\n3;4\n\n");
  EXPECT_EQ(t.header().row, 2u);
  ASSERT_EQ(t.rows().size(), 2u);
  EXPECT_EQ(t.rows()[0].row, 4u);
  EXPECT_EQ(t.rows()[1].row, 6u);
}

TEST(CsvReader, DropsTheByteOrderMark) {
  auto t = readOk("\xEF\xBB\xBFnome;cognome\nAnna;Bianchi\n");
  EXPECT_TRUE(t.hadByteOrderMark());
  EXPECT_EQ(t.charset(), csv::Charset::kUtf8);
  EXPECT_EQ(t.header().fields[0], "nome");
}

TEST(CsvReader, AutoReadsIso88591AsIso88591AndUtf8AsUtf8) {
  auto latin = readOk("cognome;nome\nN\xC8RI;Jos\xE9\n");
  EXPECT_EQ(latin.charset(), csv::Charset::kLatin1);
  EXPECT_EQ(fieldsOf(latin.rows()[0]), (Fields{"N\xC3\x88RI", "Jos\xC3\xA9"}));
  auto utf8 = readOk("cognome;nome\nN\xC3\x88RI;Jos\xC3\xA9\n");
  EXPECT_EQ(utf8.charset(), csv::Charset::kUtf8);
  EXPECT_EQ(fieldsOf(utf8.rows()[0]), (Fields{"N\xC3\x88RI", "Jos\xC3\xA9"}));
}

TEST(CsvReader, AutoWarnsWhenAFileMixesCharsets) {
  auto t = readOk("cognome;nome\nN\xC3\x88RI;Jos\xC3\xA9\nRossi;Nicol\xF2\n");
  EXPECT_EQ(t.charset(), csv::Charset::kLatin1);
  ASSERT_EQ(t.warnings().size(), 1u);
  EXPECT_EQ(t.warnings()[0].location, "row 2");
  EXPECT_NE(t.warnings()[0].message.find("row 3"), std::string::npos) << t.warnings()[0].message;
  EXPECT_TRUE(readOk("cognome;nome\nN\xC8RI;Jos\xE9\n").warnings().empty());
}

TEST(CsvReader, DeclaredCharsetsAreObeyed) {
  csv::Options latin;
  latin.charset = csv::Charset::kLatin1;
  auto t = readOk("a\n\xC3\xA8\n", latin);  // two ISO-8859-1 characters, not one UTF-8 one
  EXPECT_EQ(t.rows()[0].fields[0], "\xC3\x83\xC2\xA8");

  csv::Options utf8;
  utf8.charset = csv::Charset::kUtf8;
  Error e = readErr("a;b\n1;2\n3;N\xC8RI\n", utf8);
  EXPECT_EQ(e.code, ErrorCode::kInvalidInput);
  EXPECT_EQ(e.location, "row 3");
  EXPECT_NE(e.message.find("0xC8"), std::string::npos) << e.message;
}

TEST(CsvReader, AByteOrderMarkMeansUtf8WhateverTheLayoutSays) {
  csv::Options latin;
  latin.charset = csv::Charset::kLatin1;
  auto t = readOk("\xEF\xBB\xBF" "a\n\xC3\xA8\n", latin);
  EXPECT_EQ(t.charset(), csv::Charset::kUtf8);
  EXPECT_EQ(t.rows()[0].fields[0], "\xC3\xA8");
  EXPECT_EQ(t.warnings().size(), 1u);
  Error e = readErr("\xEF\xBB\xBF" "a\n\xE8\n");
  EXPECT_EQ(e.location, "row 2");
}

TEST(CsvReader, AnUnterminatedQuoteNamesTheRowWhereItOpened) {
  Error e = readErr("a;b\n1;2\n3;\"never closed\n4;5\n6;7\n");
  EXPECT_EQ(e.code, ErrorCode::kInvalidInput);
  EXPECT_EQ(e.location, "row 3, column b");
  EXPECT_NE(e.message.find("row 3"), std::string::npos) << e.message;
}

TEST(CsvReader, TextAfterAClosingQuoteRejectsOnlyThatRow) {
  auto t = readOk("a;b\n\"x\"y;2\n3;4\n");
  ASSERT_EQ(t.rows().size(), 2u);
  ASSERT_TRUE(t.rows()[0].error.has_value());
  EXPECT_EQ(t.rows()[0].error->location, "row 2, column a");
  EXPECT_FALSE(t.rows()[1].error.has_value());
}

TEST(CsvReader, EveryLimitIsAnErrorWithItsRowAndColumn) {
  csv::Options o;
  o.limits.max_bytes = 10;
  Error bytes = readErr("a;b\n1;2\n3;4\n", o);
  EXPECT_EQ(bytes.code, ErrorCode::kTooLarge);
  EXPECT_EQ(bytes.location, "row 3");

  o = {};
  o.limits.max_rows = 2;
  Error rows = readErr("a;b\n1;2\n3;4\n5;6\n", o);
  EXPECT_EQ(rows.code, ErrorCode::kTooLarge);
  EXPECT_EQ(rows.location, "row 4");
  EXPECT_TRUE(csv::readCsv("a;b\n1;2\n3;4\n", o).ok());

  o = {};
  o.limits.max_fields = 3;
  Error fields = readErr("a;b;c\n1;2;3;4\n", o);
  EXPECT_EQ(fields.code, ErrorCode::kTooLarge);
  EXPECT_EQ(fields.location, "row 2, column 4");

  o = {};
  o.limits.max_field_length = 5;
  Error field = readErr("a;b\n1;123456\n", o);
  EXPECT_EQ(field.code, ErrorCode::kTooLarge);
  EXPECT_EQ(field.location, "row 2, column b");
  Error quoted = readErr("a;b\n\"123\n456\";2\n", o);
  EXPECT_EQ(quoted.location, "row 2, column a");
}

TEST(CsvReader, AnEmptyFileHasNoHeader) {
  for (std::string_view bytes : {"", "\xEF\xBB\xBF", "\r\n\r\n"}) {
    Error e = readErr(bytes);
    EXPECT_EQ(e.location, "row 1");
  }
}

TEST(CsvReader, HeaderOnlyStopsAtTheHeader) {
  auto t = csv::readCsvHeader("a;\"b\nc\";d\n1;\"never closed\n", {});
  ASSERT_TRUE(t.ok()) << t.error().describe();
  EXPECT_EQ(fieldsOf(t->header()), (Fields{"a", "b\nc", "d"}));
  EXPECT_TRUE(t->rows().empty());
}

TEST(CsvReader, ViewsSurviveMovingTheTable) {
  auto t = readOk("a;b\nx;y\n");  // short enough for the small-string buffer
  csv::Table moved = std::move(t);
  EXPECT_EQ(moved.rows()[0].fields[1], "y");
}

TEST(CsvCharset, Latin1ToUtf8AndValidation) {
  EXPECT_EQ(latin1ToUtf8("caff\xE8"), "caff\xC3\xA8");
  EXPECT_EQ(findInvalidUtf8("caff\xC3\xA8"), std::string::npos);
  EXPECT_EQ(findInvalidUtf8("caff\xE8"), 4u);
}

}  // namespace
}  // namespace raccordo
