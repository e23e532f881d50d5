#include "adapters/ats/csv/csv_reader.h"

#include <cctype>
#include <cstdio>

#include "gateway/core/charset.h"

namespace raccordo::csv {

namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";
constexpr std::size_t kNpos = std::string_view::npos;

bool isLineEnd(char c) { return c == '\r' || c == '\n'; }

std::string_view trimBlanks(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Physical line (1-based) holding byte `offset`: CRLF, LF and a lone CR each end a line.
std::size_t lineOf(std::string_view s, std::size_t offset) {
  std::size_t line = 1;
  for (std::size_t i = 0; i < offset && i < s.size(); ++i) {
    if (s[i] == '\n' || (s[i] == '\r' && (i + 1 >= s.size() || s[i + 1] != '\n'))) ++line;
  }
  return line;
}

std::string sizeText(std::size_t bytes) {
  constexpr std::size_t kMiB = std::size_t{1024} * 1024;
  if (bytes >= kMiB && bytes % kMiB == 0) return std::to_string(bytes / kMiB) + " MiB";
  return std::to_string(bytes) + " bytes";
}

// The first non-blank record of the raw bytes, quotes honoured: where it ends
// and which candidate delimiters appear in it outside quotes. Delimiters,
// quotes and line ends are ASCII, so this works before charset conversion.
struct HeaderScan {
  std::size_t end = 0;
  std::size_t semicolons = 0;
  std::size_t commas = 0;
};

HeaderScan scanHeader(std::string_view s) {
  HeaderScan h;
  std::size_t i = 0;
  while (i < s.size() && isLineEnd(s[i])) ++i;
  bool quoted = false;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (c == '"') {
      quoted = !quoted;  // a doubled quote toggles twice
    } else if (!quoted) {
      if (c == ';') ++h.semicolons;
      if (c == ',') ++h.commas;
      if (isLineEnd(c)) break;
    }
  }
  h.end = i;
  return h;
}

}  // namespace

const char* charsetName(Charset charset) {
  switch (charset) {
    case Charset::kAuto: return "auto";
    case Charset::kUtf8: return "utf-8";
    case Charset::kLatin1: return "iso-8859-1";
  }
  return "auto";
}

std::optional<Charset> charsetFromName(std::string_view name) {
  std::string n;
  for (char c : name) n += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (n == "auto") return Charset::kAuto;
  if (n == "utf-8" || n == "utf8") return Charset::kUtf8;
  if (n == "iso-8859-1" || n == "iso8859-1" || n == "latin-1" || n == "latin1") return Charset::kLatin1;
  return std::nullopt;
}

std::string Table::location(std::size_t row, std::size_t index) const {
  std::string out = "row " + std::to_string(row) + ", column ";
  if (index < header_.fields.size()) {
    auto name = trimBlanks(header_.fields[index]);
    if (!name.empty()) return out + std::string(name);
  }
  return out + std::to_string(index + 1);
}

class Reader {
 public:
  explicit Reader(const Options& options) : o_(options) {}

  Result<Table> read(std::string_view bytes, bool header_only) const {
    const Limits& lim = o_.limits;
    if (bytes.size() > lim.max_bytes) {
      return Error(ErrorCode::kTooLarge,
                   "the file is " + std::to_string(bytes.size()) + " bytes, over the limit of " +
                       sizeText(lim.max_bytes),
                   "row " + std::to_string(lineOf(bytes, lim.max_bytes)));
    }
    Table t;
    std::string_view body = bytes;
    if (body.substr(0, kBom.size()) == kBom) {
      body.remove_prefix(kBom.size());
      t.bom_ = true;
    }
    Charset cs = o_.charset;
    if (t.bom_ && cs == Charset::kLatin1) {
      t.warnings_.emplace_back(ErrorCode::kInvalidInput,
                               "the file starts with a UTF-8 byte-order mark: read as UTF-8, not as the "
                               "declared ISO-8859-1",
                               "row 1");
    }
    if (t.bom_) cs = Charset::kUtf8;
    std::size_t bad = cs == Charset::kLatin1 ? kNpos : findInvalidUtf8(body);
    if (cs == Charset::kAuto) {
      cs = bad == kNpos ? Charset::kUtf8 : Charset::kLatin1;
      if (cs == Charset::kLatin1) warnIfMixed(body, bad, t);
    }
    if (cs == Charset::kUtf8 && bad != kNpos) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "0x%02X", static_cast<unsigned char>(body[bad]));
      std::string why = t.bom_ ? "the file starts with a UTF-8 byte-order mark" : "the layout says utf-8";
      return Error(ErrorCode::kInvalidInput,
                   std::string("byte ") + hex + " is not valid UTF-8 (" + why +
                       "; an ISO-8859-1 file needs the layout's charset iso-8859-1 or auto)",
                   "row " + std::to_string(lineOf(body, bad)));
    }
    t.charset_ = cs;

    HeaderScan h = scanHeader(body);
    t.delimiter_ = o_.delimiter != '\0' ? o_.delimiter : (h.commas > h.semicolons ? ',' : ';');
    if (header_only) body = body.substr(0, h.end);
    t.text_ = std::make_unique<std::string>(cs == Charset::kLatin1 ? latin1ToUtf8(body) : std::string(body));
    if (auto st = tokenize(t, header_only); !st) return st.error();
    return t;
  }

 private:
  // A file that is mostly UTF-8 with a stray ISO-8859-1 byte is read as
  // ISO-8859-1, which garbles its UTF-8 characters: worth an operator's look.
  static void warnIfMixed(std::string_view s, std::size_t bad, Table& t) {
    for (std::size_t i = 0; i < s.size(); ++i) {
      auto u = static_cast<unsigned char>(s[i]);
      std::size_t len = u >= 0xC2 && u <= 0xDF ? 2 : u >= 0xE0 && u <= 0xEF ? 3 : u >= 0xF0 && u <= 0xF4 ? 4 : 0;
      if (len == 0 || i + len > s.size() || findInvalidUtf8(s.substr(i, len)) != kNpos) continue;
      t.warnings_.emplace_back(ErrorCode::kInvalidInput,
                               "the file mixes charsets: it is not UTF-8 (row " + std::to_string(lineOf(s, bad)) +
                                   "), so it is read as ISO-8859-1, which garbles the UTF-8 characters it also holds",
                               "row " + std::to_string(lineOf(s, i)));
      return;
    }
  }

  Error tooLong(const Table& t, std::size_t row, std::size_t index) const {
    return Error(ErrorCode::kTooLarge,
                 "a field is longer than the limit of " + std::to_string(o_.limits.max_field_length) + " bytes",
                 t.location(row, index));
  }

  // Splits t.text_ into records, unescaping quoted fields in place.
  Status tokenize(Table& t, bool header_only) const {
    const Limits& lim = o_.limits;
    std::string& s = *t.text_;
    const std::size_t n = s.size();
    const char d = t.delimiter_;
    std::size_t i = 0;
    std::size_t line = 1;
    bool have_header = false;
    while (i < n) {
      if (isLineEnd(s[i])) {  // a blank line: counted, not a record
        i += (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n') ? 2 : 1;
        ++line;
        continue;
      }
      Row row;
      row.row = line;
      row.fields.reserve(t.header_.fields.size());
      for (;;) {
        std::size_t index = row.fields.size();
        if (index == lim.max_fields) {
          return Error(ErrorCode::kTooLarge,
                       "the row has more than the limit of " + std::to_string(lim.max_fields) + " fields",
                       t.location(row.row, index));
        }
        if (i < n && s[i] == '"') {
          const std::size_t raw_start = i++;
          const std::size_t start = i;
          const std::size_t open_line = line;
          std::size_t w = i;
          for (;;) {
            if (i >= n) {
              return Error(ErrorCode::kInvalidInput,
                           "unterminated quote: the quoted field opened at row " + std::to_string(open_line) +
                               " never closes",
                           t.location(open_line, index));
            }
            char c = s[i];
            if (c == '"') {
              if (i + 1 < n && s[i + 1] == '"') {
                s[w++] = '"';
                i += 2;
              } else {
                ++i;
                break;
              }
            } else {
              if (c == '\n' || (c == '\r' && (i + 1 >= n || s[i + 1] != '\n'))) ++line;
              s[w++] = c;
              ++i;
            }
            if (i - raw_start > lim.max_field_length) return tooLong(t, row.row, index);
          }
          if (i < n && s[i] != d && !isLineEnd(s[i])) {
            // "abc"def: kept as abcdef, but the row is not trusted.
            if (!row.error) {
              row.error = Error(ErrorCode::kInvalidInput, "text after the closing quote of a quoted field",
                                t.location(row.row, index));
            }
            while (i < n && s[i] != d && !isLineEnd(s[i])) {
              s[w++] = s[i++];
              if (i - raw_start > lim.max_field_length) return tooLong(t, row.row, index);
            }
          }
          row.fields.emplace_back(s.data() + start, w - start);
        } else {
          const std::size_t start = i;
          while (i < n && s[i] != d && !isLineEnd(s[i])) ++i;
          if (i - start > lim.max_field_length) return tooLong(t, row.row, index);
          row.fields.emplace_back(s.data() + start, i - start);
        }
        if (i < n && s[i] == d) {
          ++i;
          continue;
        }
        break;
      }
      if (i < n) {  // the line end closing the record
        i += (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n') ? 2 : 1;
        ++line;
      }
      if (!have_header) {
        t.header_ = std::move(row);
        have_header = true;
        if (header_only) break;
        continue;
      }
      if (t.rows_.size() == lim.max_rows) {
        return Error(ErrorCode::kTooLarge,
                     "the file has more than the limit of " + std::to_string(lim.max_rows) + " data rows",
                     "row " + std::to_string(row.row));
      }
      t.rows_.push_back(std::move(row));
    }
    if (!have_header) return Error(ErrorCode::kInvalidInput, "the file is empty: there is no header line", "row 1");
    return {};
  }

  const Options& o_;
};

Result<Table> readCsv(std::string_view bytes, const Options& options) { return Reader(options).read(bytes, false); }

Result<Table> readCsvHeader(std::string_view bytes, const Options& options) {
  return Reader(options).read(bytes, true);
}

}  // namespace raccordo::csv
