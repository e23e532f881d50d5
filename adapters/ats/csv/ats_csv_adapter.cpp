#include "adapters/ats/csv/ats_csv_adapter.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <optional>
#include <cmath>
#include <map>

#include "adapters/ats/csv/csv_layout.h"
#include "adapters/ats/csv/csv_reader.h"
#include "gateway/core/ids.h"
#include "gateway/identity/codice_fiscale.h"

namespace raccordo {

namespace {

using csv::Cell;
using csv::Column;
using csv::ColumnType;

constexpr const char* kSource = "ats";
constexpr std::size_t kAbsent = static_cast<std::size_t>(-1);

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

std::size_t utf8Length(std::string_view s) {
  std::size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

// Shown in messages: 99, 0.5.
std::string numberText(double v) {
  if (std::abs(v) < 1e15 && v == std::floor(v)) return std::to_string(static_cast<long long>(v));
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

std::string quoted(std::string_view v) {
  std::string s(v.substr(0, 60));
  if (v.size() > 60) s += "...";
  return "'" + s + "'";
}

bool allDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool isLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

// Matches `v` against a format such as "DD/MM/YYYY": nullopt when the shape
// differs, else {year, month, day}.
std::optional<std::array<int, 3>> matchDate(std::string_view v, std::string_view format) {
  if (v.size() != format.size()) return std::nullopt;
  int y = 0, m = 0, d = 0;
  for (std::size_t i = 0; i < v.size(); ++i) {
    char f = format[i];
    if (f == 'Y' || f == 'M' || f == 'D') {
      if (v[i] < '0' || v[i] > '9') return std::nullopt;
      int& part = f == 'Y' ? y : f == 'M' ? m : d;
      part = part * 10 + (v[i] - '0');
    } else if (v[i] != f) {
      return std::nullopt;
    }
  }
  return std::array<int, 3>{y, m, d};
}

class AtsCsvAdapter final : public Adapter {
 public:
  AtsCsvAdapter(std::shared_ptr<const csv::Layout> layout, std::shared_ptr<const CodeTables> tables)
      : layout_(std::move(layout)), tables_(std::move(tables)) {}

  std::string name() const override { return "ats-csv/" + layout_->flow; }
  std::vector<std::string> mediaTypes() const override {
    return {"text/csv", "text/plain", "application/octet-stream"};
  }

  // A CSV file speaks of many citizens: the envelope has no key. Checked: the
  // size, the charset, and that the header names every required column.
  Result<Envelope> inspect(std::string_view bytes) const override {
    auto table = csv::readCsvHeader(bytes, layout_->readerOptions());
    if (!table.ok()) return table.error();
    auto header = mapHeader(*table);
    if (!header.ok()) return header.error();
    // A file has no id of its own: its content is. The same file sent again
    // (a retry, a second drop) gets the first answer and is applied once.
    Envelope envelope;
    envelope.source_message_id = "sha256:" + sha256Hex(bytes);
    return envelope;
  }

  Result<DecodedMessage> decode(std::string_view bytes, const MessageMeta&) const override {
    auto table = csv::readCsv(bytes, layout_->readerOptions());
    if (!table.ok()) return table.error();
    const csv::Table& t = *table;
    auto header = mapHeader(t);
    if (!header.ok()) return header.error();

    DecodedMessage out;
    out.source = kSource;
    out.warnings = t.warnings();
    out.warnings.insert(out.warnings.end(), header->warnings.begin(), header->warnings.end());
    const auto& columns = layout_->columns;
    std::vector<Cell> cells(columns.size());
    std::map<std::string, std::size_t> seen;  // kind + source_id -> first row
    std::size_t good = 0;
    std::size_t data_rows = 0;
    for (const auto& row : t.rows()) {
      // A row of delimiters only (";;;;", left by spreadsheets) carries nothing.
      if (!row.error && std::all_of(row.fields.begin(), row.fields.end(),
                                    [](std::string_view f) { return trim(f).empty(); })) {
        continue;
      }
      ++data_rows;
      auto problems = checkShape(t, row);
      if (problems.empty()) {
        for (std::size_t c = 0; c < columns.size(); ++c) {
          std::size_t field = header->field[c];
          std::string_view raw = field < row.fields.size() ? row.fields[field] : std::string_view();
          auto cell = parseCell(columns[c], raw, "row " + std::to_string(row.row) + ", column " + columns[c].name);
          if (cell.ok()) {
            cells[c] = std::move(cell.value());
          } else {
            problems.push_back(cell.error());
            cells[c] = Cell{};
          }
        }
        if (problems.empty()) checkOrder(row.row, cells, problems);
      }
      std::vector<Record> records;
      if (problems.empty()) {
        auto built = layout_->buildRecords(cells);
        if (built.ok()) {
          records = std::move(built.value());
        } else {
          Error e = built.error();
          e.location = "row " + std::to_string(row.row);
          problems.push_back(std::move(e));
        }
      }
      if (!problems.empty()) {
        out.rejects.push_back(oneReject(problems));
        continue;
      }
      ++good;
      for (auto& r : records) {
        r.citizen_key = cells[layout_->citizen_column].text;
        auto [it, fresh] = seen.emplace(r.kind + '\x1f' + r.source_id, row.row);
        if (!fresh) {
          out.warnings.emplace_back(ErrorCode::kInvalidInput,
                                    "row " + std::to_string(row.row) + " repeats the " + r.kind + " '" +
                                        r.source_id + "' of row " + std::to_string(it->second) +
                                        ": both are applied, in file order",
                                    "row " + std::to_string(row.row));
        }
        out.records.push_back(std::move(r));
      }
    }
    if (data_rows == 0) {
      return Error(ErrorCode::kInvalidInput, "the file has a header line but no data rows",
                   "row " + std::to_string(t.header().row + 1));
    }
    if (good == 0) {
      const Error& first = out.rejects.front();
      return Error(first.code,
                   "no row can be applied: all " + std::to_string(out.rejects.size()) +
                       " data rows are rejected; the first: " + first.message,
                   first.location);
    }
    return out;
  }

 private:
  struct HeaderMap {
    std::vector<std::size_t> field;  // per layout column: its index in the header, or kAbsent
    std::vector<Error> warnings;
  };

  Result<HeaderMap> mapHeader(const csv::Table& t) const {
    const csv::Row& h = t.header();
    if (h.error) return *h.error;
    const auto& columns = layout_->columns;
    HeaderMap m;
    m.field.assign(columns.size(), kAbsent);
    for (std::size_t i = 0; i < h.fields.size(); ++i) {
      std::string_view name = trim(h.fields[i]);
      if (name.empty()) {
        m.warnings.emplace_back(ErrorCode::kInvalidInput, "a header column has no name; its values are ignored",
                                t.location(h.row, i));
        continue;
      }
      std::size_t c = 0;
      while (c < columns.size() && !equalsIgnoreCase(columns[c].name, name)) ++c;
      if (c == columns.size()) {
        m.warnings.emplace_back(ErrorCode::kInvalidInput,
                                "column " + quoted(name) + " is not in the layout of flow '" + layout_->flow +
                                    "'; its values are ignored",
                                t.location(h.row, i));
        continue;
      }
      if (m.field[c] != kAbsent) {
        return Error(ErrorCode::kInvalidInput, "column '" + columns[c].name + "' appears twice in the header",
                     t.location(h.row, i));
      }
      m.field[c] = i;
    }
    std::string missing;
    for (std::size_t c = 0; c < columns.size(); ++c) {
      if (columns[c].required && m.field[c] == kAbsent) missing += (missing.empty() ? "'" : ", '") + columns[c].name + "'";
    }
    if (!missing.empty()) {
      std::string hint;
      if (h.fields.size() == 1) {
        hint = std::string(" (the header line has a single column when split at '") + t.delimiter() + "')";
      }
      return Error(ErrorCode::kInvalidInput,
                   "the header of flow '" + layout_->flow + "' lacks the required column" +
                       (missing.find(',') == std::string::npos ? " " : "s ") + missing + hint,
                   "row " + std::to_string(h.row));
    }
    return m;
  }

  // A row whose field count differs from the header's has probably shifted
  // (an unquoted delimiter inside a value): no value of it can be trusted.
  // Only unnamed trailing header columns ("a;b;c;") may be missing from it.
  static std::vector<Error> checkShape(const csv::Table& t, const csv::Row& row) {
    if (row.error) return {*row.error};
    const auto& header = t.header().fields;
    std::size_t want = header.size();
    std::size_t named = want;
    while (named > 0 && trim(header[named - 1]).empty()) --named;
    if (row.fields.size() == want || (row.fields.size() >= named && row.fields.size() < want)) return {};
    return {Error(ErrorCode::kInvalidInput,
                  "the row has " + std::to_string(row.fields.size()) + " fields, the header has " +
                      std::to_string(want),
                  t.location(row.row, std::min(row.fields.size(), want)))};
  }

  Result<Cell> parseCell(const Column& col, std::string_view raw, const std::string& at) const {
    std::string_view v = trim(raw);
    Cell cell;
    if (v.empty()) {
      if (col.required) return Error(ErrorCode::kInvalidInput, "a value is required", at);
      return cell;
    }
    cell.empty = false;
    switch (col.type) {
      case ColumnType::kString: {
        if (col.max_length != 0 && utf8Length(v) > col.max_length) {
          return Error(ErrorCode::kInvalidInput,
                       "the value has " + std::to_string(utf8Length(v)) + " characters, over the maximum of " +
                           std::to_string(col.max_length),
                       at);
        }
        cell.text = std::string(v);
        return cell;
      }
      case ColumnType::kCodiceFiscale: {
        auto cf = identity::parseCodiceFiscale(v);
        if (!cf.ok()) {
          return Error(ErrorCode::kInvalidInput,
                       "invalid codice fiscale " + quoted(v) + ": " + cf.error().message + " (" + cf.error().location +
                           ")",
                       at);
        }
        cell.text = cf->code;
        return cell;
      }
      case ColumnType::kDate: return parseDate(col, v, at);
      case ColumnType::kInteger:
      case ColumnType::kDecimal: return parseNumber(col, v, at);
      case ColumnType::kCode: {
        auto m = tables_->lookupAnyCase(col.table, v, at);
        if (!m.ok()) return m.error();
        cell.text = std::string(m->key);
        cell.coding = *m->coding;
        return cell;
      }
    }
    return cell;
  }

  static Result<Cell> parseDate(const Column& col, std::string_view v, const std::string& at) {
    for (const auto& format : col.formats) {
      auto ymd = matchDate(v, format);
      if (!ymd) continue;
      auto [y, m, d] = *ymd;
      static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
      int max_day = m >= 1 && m <= 12 ? kDays[m - 1] + (m == 2 && isLeap(y) ? 1 : 0) : 0;
      if (y < 1 || m < 1 || m > 12 || d < 1 || d > max_day) {
        return Error(ErrorCode::kInvalidInput, quoted(v) + " is not a calendar date", at);
      }
      char iso[40];
      std::snprintf(iso, sizeof iso, "%04d-%02d-%02d", y, m, d);
      Cell cell;
      cell.empty = false;
      cell.text = iso;
      return cell;
    }
    std::string expected;
    for (const auto& f : col.formats) expected += (expected.empty() ? "" : " or ") + f;
    return Error(ErrorCode::kInvalidInput, quoted(v) + " is not a date written " + expected, at);
  }

  // Integers: [+-]digits. Decimals: [+-]digits[(,|.)digits], no thousands
  // separator ("1.234" is one point two three four).
  static Result<Cell> parseNumber(const Column& col, std::string_view v, const std::string& at) {
    bool decimal = col.type == ColumnType::kDecimal;
    std::string norm;
    std::string_view digits = v;
    if (!digits.empty() && (digits.front() == '+' || digits.front() == '-')) {
      if (digits.front() == '-') norm += '-';
      digits.remove_prefix(1);
    }
    std::size_t sep = decimal ? digits.find_first_of(",.") : std::string_view::npos;
    std::string_view whole = digits.substr(0, sep);
    std::string_view frac = sep == std::string_view::npos ? std::string_view() : digits.substr(sep + 1);
    bool ok = allDigits(whole) && (sep == std::string_view::npos || allDigits(frac)) && v.size() <= 40;
    if (!ok) {
      return Error(ErrorCode::kInvalidInput,
                   quoted(v) + (decimal ? " is not a decimal number (digits, with ',' or '.' before the decimals "
                                          "and no thousands separator)"
                                        : " is not an integer"),
                   at);
    }
    norm += whole;
    if (sep != std::string_view::npos) norm += "." + std::string(frac);
    Cell cell;
    cell.empty = false;
    if (decimal) {
      auto r = std::from_chars(norm.data(), norm.data() + norm.size(), cell.number);
      if (r.ec != std::errc() || !std::isfinite(cell.number)) {
        return Error(ErrorCode::kInvalidInput, quoted(v) + " is out of range", at);
      }
    } else {
      auto r = std::from_chars(norm.data(), norm.data() + norm.size(), cell.integer);
      if (r.ec != std::errc()) return Error(ErrorCode::kInvalidInput, quoted(v) + " is out of range", at);
      cell.number = static_cast<double>(cell.integer);
    }
    if (col.min && cell.number < *col.min) {
      return Error(ErrorCode::kInvalidInput, quoted(v) + " is below the minimum of " + numberText(*col.min), at);
    }
    if (col.max && cell.number > *col.max) {
      return Error(ErrorCode::kInvalidInput, quoted(v) + " is above the maximum of " + numberText(*col.max), at);
    }
    cell.text = std::move(norm);
    return cell;
  }

  // Dates as YYYY-MM-DD compare as text.
  void checkOrder(std::size_t row, const std::vector<Cell>& cells, std::vector<Error>& problems) const {
    const auto& columns = layout_->columns;
    for (std::size_t c = 0; c < columns.size(); ++c) {
      if (!columns[c].not_before) continue;
      const Cell& later = cells[c];
      const Cell& earlier = cells[*columns[c].not_before];
      if (!later.empty && !earlier.empty && later.text < earlier.text) {
        problems.emplace_back(ErrorCode::kInvalidInput,
                              columns[c].name + " " + later.text + " is before " +
                                  columns[*columns[c].not_before].name + " " + earlier.text,
                              "row " + std::to_string(row) + ", column " + columns[c].name);
      }
    }
  }

  // One reject per row: the first problem, with the others named in its message.
  static Error oneReject(const std::vector<Error>& problems) {
    Error e = problems.front();
    for (std::size_t i = 1; i < problems.size() && i <= 3; ++i) {
      std::string_view where = problems[i].location;
      if (auto comma = where.find(", "); comma != std::string_view::npos) where.remove_prefix(comma + 2);
      e.message += (i == 1 ? " (also " : "; ") + std::string(where) + ": " + problems[i].message;
    }
    if (problems.size() > 4) e.message += "; and " + std::to_string(problems.size() - 4) + " more";
    if (problems.size() > 1) e.message += ")";
    return e;
  }

  std::shared_ptr<const csv::Layout> layout_;
  std::shared_ptr<const CodeTables> tables_;
};

}  // namespace

Result<std::vector<AdapterPtr>> loadAtsCsvAdapters(const AdapterEnvironment& env) {
  auto catalog = csv::loadFlowCatalog(env.mappings_dir / "ats", env.schemas_dir / "ats" / "csv-layout.schema.json");
  if (!catalog.ok()) return catalog.error();
  std::vector<AdapterPtr> out;
  for (const auto& layout : catalog->layouts) {
    out.push_back(std::make_shared<AtsCsvAdapter>(layout, catalog->tables));
  }
  return out;
}

}  // namespace raccordo
