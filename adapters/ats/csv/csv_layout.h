#pragma once
// Declarative layouts of the ATS CSV flows (docs/ats-csv.md): one JSON file
// per flow in mappings/ats/flows/<flow>.json says which columns the file has,
// how each is typed and checked, which is the citizen key, and how one row
// becomes records (a JSON template whose "${column}" strings are replaced by
// the row's typed values). A new flow is a new layout file, no C++.
//
// Layouts are loaded once at start, validated against
// schemas/ats/csv-layout.schema.json and cross-checked (a template naming an
// unknown column, a code column without its table...); errors name the file
// and the JSON pointer at fault. Read-only afterwards: safe to share.

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/ats/csv/csv_reader.h"
#include "gateway/adapter/adapter.h"
#include "gateway/core/json.h"
#include "gateway/mapping/code_tables.h"

namespace raccordo::csv {

enum class ColumnType { kString, kCodiceFiscale, kDate, kInteger, kDecimal, kCode };

/// "string", "codice_fiscale", "date", "integer", "decimal", "code".
const char* columnTypeName(ColumnType type);

struct Column {
  std::string name;  // as in the header; matched case-insensitively, blanks around it ignored
  std::string description;
  ColumnType type = ColumnType::kString;
  bool required = false;
  std::string table;                // kCode: the code table (mappings/ats/<table>.json)
  std::optional<double> min, max;   // kInteger, kDecimal: inclusive bounds
  std::size_t max_length = 0;       // kString: in characters; 0 = no limit beyond the reader's
  std::vector<std::string> formats; // kDate: "DD/MM/YYYY", "YYYY-MM-DD", "DD-MM-YYYY", "DD.MM.YYYY", "YYYYMMDD"
  std::optional<std::size_t> not_before;  // kDate: index of a date column this one may not precede
};

/// One typed cell of a row, as a template reference sees it.
struct Cell {
  bool empty = true;
  /// The text form: the trimmed string, the upper-case codice fiscale, the
  /// date as YYYY-MM-DD, the number as written with '.' as decimal separator,
  /// the table key of a code.
  std::string text;
  std::int64_t integer = 0;  // kInteger
  double number = 0;         // kInteger, kDecimal
  Coding coding;             // kCode
};

/// A compiled template node (implementation detail of Layout).
struct TemplateNode {
  enum class Kind { kLiteral, kText, kObject, kArray };
  static constexpr std::size_t kNoColumn = static_cast<std::size_t>(-1);
  struct Part {
    std::string text;                     // literal text before the reference
    std::size_t column = kNoColumn;       // the column referenced, or kNoColumn (trailing text)
    std::string accessor;                 // "" (the value), "code", "display", "system", "source", or a table field
  };

  Kind kind = Kind::kLiteral;
  const json::Value* literal = nullptr;  // kLiteral: points into Layout::source
  std::vector<Part> parts;               // kText
  std::vector<std::string> names;        // kObject: member names
  std::vector<TemplateNode> children;    // kObject members, kArray items

  /// A text that is exactly one reference yields the typed value (a number,
  /// a coding object) instead of a string.
  bool typed() const { return parts.size() == 1 && parts[0].column != kNoColumn && parts[0].text.empty(); }
};

struct RecordTemplate {
  std::string kind;
  TemplateNode source_id;  // always a text node
  TemplateNode data;       // an object node
};

struct Layout {
  std::string flow;  // the adapter is "ats-csv/<flow>"
  std::string title;
  std::string description;
  std::string file;  // where the layout was read from, for messages
  Charset charset = Charset::kAuto;
  char delimiter = '\0';  // '\0': detected from the header line
  Limits limits;
  std::vector<Column> columns;
  std::size_t citizen_column = 0;  // index into columns: the codice fiscale of the row's citizen
  std::vector<RecordTemplate> records;
  std::shared_ptr<const json::Doc> source;  // the parsed layout file; literals point into it

  Options readerOptions() const { return Options{delimiter, charset, limits}; }

  /// The records of one row, `cells[i]` holding the value of columns[i]:
  /// template members whose value is empty are left out, and so are objects
  /// and arrays left empty by that. Record::citizen_key is not set here.
  Result<std::vector<Record>> buildRecords(const std::vector<Cell>& cells) const;
};

/// Every layout of a folder and the code tables they use.
struct FlowCatalog {
  std::vector<std::shared_ptr<const Layout>> layouts;  // sorted by flow name
  std::shared_ptr<const CodeTables> tables;
};

/// Loads <ats_dir>/flows/*.json, validating each against `schema_file`, and
/// the tables they name from <ats_dir>/<table>.json. kConfig errors name the
/// file and the JSON pointer ("…/flows/fna-b1.json /columns/3/table").
Result<FlowCatalog> loadFlowCatalog(const std::filesystem::path& ats_dir, const std::filesystem::path& schema_file);

}  // namespace raccordo::csv
