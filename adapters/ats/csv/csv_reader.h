#pragma once
// RFC 4180 CSV reader for the ATS batch flows (docs/ats-csv.md).
//
// A Table owns its text, converted to UTF-8 once, and its fields are views
// into it: reading a file allocates the text and one vector of views per row,
// never a string per field. Quoted fields with doubled quotes are unescaped in
// place (the unescaped value is never longer than the quoted one).
//
// What it accepts: `;` or `,` (detected from the header line unless fixed),
// quoted fields with doubled quotes and embedded delimiters and line breaks,
// CRLF, LF or CR line ends, a UTF-8 byte-order mark (dropped), UTF-8 or
// ISO-8859-1. Blank lines are skipped but counted.
//
// Row numbers are physical lines, 1-based, the header being row 1 as in a
// spreadsheet; a record whose quoted field spans lines keeps the number of
// the line where it starts. Errors are located as "row N, column X", X being
// the header's name for the column when there is one, else its 1-based number.
//
// Bad input never throws. Problems that break the file (a quote that never
// closes, a limit exceeded, bytes that are not UTF-8 when UTF-8 is required)
// fail the whole read; a problem confined to one row (text after a closing
// quote) is attached to that row, and the caller rejects the row.

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/core/result.h"

namespace raccordo::csv {

enum class Charset { kAuto, kUtf8, kLatin1 };

/// "auto", "utf-8", "iso-8859-1".
const char* charsetName(Charset charset);
/// The names above, case-insensitive; also "utf8", "latin-1", "latin1", "iso8859-1".
std::optional<Charset> charsetFromName(std::string_view name);

/// Bounds checked while reading, before anything grows past them.
struct Limits {
  std::size_t max_bytes = 64u * 1024 * 1024;  // the file, before charset conversion
  std::size_t max_rows = 1000000;             // data rows (the header is not counted)
  std::size_t max_fields = 512;               // fields per row
  std::size_t max_field_length = 64 * 1024;   // bytes per field, as written (quotes included)
};

struct Options {
  char delimiter = '\0';  // ';' or ','; '\0': the one found outside quotes in the header line
  /// kAuto: valid UTF-8 is read as UTF-8, anything else as ISO-8859-1. A
  /// byte-order mark always means UTF-8.
  Charset charset = Charset::kAuto;
  Limits limits;
};

struct Row {
  std::size_t row = 0;                   // physical line where the record starts (header = 1)
  std::vector<std::string_view> fields;  // unquoted, unescaped, not trimmed; views into the Table
  std::optional<Error> error;            // set when the row is malformed and must be rejected
};

class Table {
 public:
  const Row& header() const { return header_; }
  /// Data rows in file order, blank lines left out.
  const std::vector<Row>& rows() const { return rows_; }
  /// The charset the bytes were read as: kUtf8 or kLatin1, never kAuto.
  Charset charset() const { return charset_; }
  char delimiter() const { return delimiter_; }
  bool hadByteOrderMark() const { return bom_; }
  /// Notes for an operator: a byte-order mark overriding the declared charset,
  /// a file read as ISO-8859-1 that also holds UTF-8 characters.
  const std::vector<Error>& warnings() const { return warnings_; }

  /// "row 7, column cognome": the header's name for field `index` (0-based)
  /// when it has one, else its 1-based number.
  std::string location(std::size_t row, std::size_t index) const;

 private:
  friend class Reader;
  std::unique_ptr<std::string> text_;  // heap-held so views survive moving the Table
  Row header_;
  std::vector<Row> rows_;
  Charset charset_ = Charset::kUtf8;
  char delimiter_ = ';';
  bool bom_ = false;
  std::vector<Error> warnings_;
};

/// Reads a whole file: the header line and every data row.
Result<Table> readCsv(std::string_view bytes, const Options& options);

/// Reads the header line only, after the charset and size checks, converting
/// only what it needs: the cheap look an envelope check wants.
Result<Table> readCsvHeader(std::string_view bytes, const Options& options);

}  // namespace raccordo::csv
