// HL7 v2 parsing: delimiters, charset conversion, segment splitting, escape
// decoding and path access. The writer lives in hl7_writer.cpp.

#include "adapters/ats/hl7/hl7.h"
#include "adapters/ats/hl7/hl7_text.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cctype>
#include <cstdint>
#include <cstring>
#include <string>

namespace raccordo::hl7 {

namespace {

using detail::isDelimiterChar;
using detail::printable;
using detail::trim;

constexpr std::size_t kNpos = std::string_view::npos;

bool isUpperAlnum(char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

bool isValidSegmentName(std::string_view name) {
  return name.size() == 3 && std::all_of(name.begin(), name.end(), isUpperAlnum);
}

bool isHeaderName(std::string_view name) { return name == "MSH" || name == "FHS" || name == "BHS"; }

bool isEnvelopeName(std::string_view name) {
  return name == "FHS" || name == "BHS" || name == "BTS" || name == "FTS";
}

/// The n-th (1-based) part of `s` split on `sep`, as a view into `s`.
std::string_view nthPart(std::string_view s, char sep, std::size_t n) {
  if (n == 0) return {};
  std::size_t start = 0;
  for (std::size_t i = 1; i < n; ++i) {
    std::size_t p = s.find(sep, start);
    if (p == kNpos) return {};
    start = p + 1;
  }
  std::size_t end = s.find(sep, start);
  return s.substr(start, end == kNpos ? kNpos : end - start);
}

/// An empty value has no parts, so callers can tell "absent" from "one empty".
std::size_t countParts(std::string_view s, char sep) {
  if (s.empty()) return 0;
  return static_cast<std::size_t>(std::count(s.begin(), s.end(), sep)) + 1;
}



std::string segmentLocation(std::size_t index, std::string_view name = {}) {
  std::string loc = "segment " + std::to_string(index);
  if (!name.empty()) loc += " (" + std::string(name) + ")";
  return loc;
}

struct Line {
  std::string_view text;
  std::size_t offset;  // byte offset of the line in the split input
};

/// Finds line ends (CR or LF) left to right with memchr, remembering the
/// next CR and the next LF, so every byte is scanned at most twice whatever
/// the terminator (string_view::find_first_of calls memchr per byte).
class LineEnds {
 public:
  explicit LineEnds(std::string_view s) : s_(s), cr_(find('\r', 0)), lf_(find('\n', 0)) {}
  /// Offset of the first CR or LF at or after `pos`; the size when none.
  std::size_t next(std::size_t pos) {
    if (cr_ < pos) cr_ = find('\r', pos);
    if (lf_ < pos) lf_ = find('\n', pos);
    return std::min(cr_, lf_);
  }

 private:
  std::size_t find(char c, std::size_t pos) const {
    if (pos >= s_.size()) return s_.size();
    const void* hit = std::memchr(s_.data() + pos, c, s_.size() - pos);
    return hit == nullptr ? s_.size() : static_cast<std::size_t>(static_cast<const char*>(hit) - s_.data());
  }

  std::string_view s_;
  std::size_t cr_, lf_;
};

/// Bit 7 of each byte of the result is set where the byte of `word` equals
/// the byte replicated in `pattern` (exact: no false positives).
inline std::uint64_t bytesEqual(std::uint64_t word, std::uint64_t pattern) {
  constexpr std::uint64_t kLow7 = 0x7F7F7F7F7F7F7F7FULL;
  std::uint64_t x = word ^ pattern;
  return ~(((x & kLow7) + kLow7) | x) & ~kLow7;
}

/// Calls `at(offset)` for each byte of `s` equal to `c`, left to right,
/// testing eight bytes at a time (fields are short: memchr per field costs
/// more in calls than in scanning).
template <typename F>
void forEachByte(std::string_view s, char c, F&& at) {
  std::size_t i = 0;
  if constexpr (std::endian::native == std::endian::little) {
    const std::uint64_t pattern = 0x0101010101010101ULL * static_cast<unsigned char>(c);
    for (; i + 8 <= s.size(); i += 8) {
      std::uint64_t word;
      std::memcpy(&word, s.data() + i, 8);
      for (std::uint64_t m = bytesEqual(word, pattern); m != 0; m &= m - 1) {
        at(i + static_cast<std::size_t>(std::countr_zero(m)) / 8);
      }
    }
  }
  for (; i < s.size(); ++i) {
    if (s[i] == c) at(i);
  }
}

std::size_t countByte(std::string_view s, char c) {
  std::size_t n = 0;
  std::size_t i = 0;
  const std::uint64_t pattern = 0x0101010101010101ULL * static_cast<unsigned char>(c);
  for (; i + 8 <= s.size(); i += 8) {
    std::uint64_t word;
    std::memcpy(&word, s.data() + i, 8);
    // One bit per matching byte, at bit 7 of its byte: sum them by multiplication
    // (std::popcount is a library call without -mpopcnt).
    n += static_cast<std::size_t>(((bytesEqual(word, pattern) >> 7) * 0x0101010101010101ULL) >> 56);
  }
  for (; i < s.size(); ++i) n += s[i] == c ? 1 : 0;
  return n;
}

/// True when no byte has the high bit set (such text is the same in ASCII,
/// Latin-1 and UTF-8, so it needs neither conversion nor validation).
bool isAscii(std::string_view s) {
  std::uint64_t acc = 0;
  std::size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    std::uint64_t word;
    std::memcpy(&word, s.data() + i, 8);
    acc |= word;
  }
  for (; i < s.size(); ++i) acc |= static_cast<unsigned char>(s[i]);
  return (acc & 0x8080808080808080ULL) == 0;
}

/// The first line with more than blanks, or an empty view.
std::string_view firstLine(std::string_view bytes) {
  LineEnds ends(bytes);
  std::size_t pos = 0;
  while (pos < bytes.size()) {
    std::size_t end = ends.next(pos);
    std::string_view text = bytes.substr(pos, end - pos);
    if (!trim(text).empty()) return text;
    pos = end + 1;
  }
  return {};
}

/// Splits on CR or LF (so CRLF and LF-only senders work) and drops blank
/// lines, which some senders add between messages.
Result<std::vector<Line>> splitLines(std::string_view bytes, std::size_t maxSegments,
                                     std::size_t segmentBase) {
  std::vector<Line> lines;
  LineEnds ends(bytes);
  std::size_t pos = 0;
  while (pos < bytes.size()) {
    std::size_t end = ends.next(pos);
    std::string_view text = bytes.substr(pos, end - pos);
    if (!trim(text).empty()) {
      if (lines.size() >= maxSegments) {
        return Error(ErrorCode::kTooLarge,
                     "more than " + std::to_string(maxSegments) + " segments",
                     segmentLocation(segmentBase + lines.size() + 1));
      }
      lines.push_back({text, pos});
    }
    pos = end + 1;
  }
  return lines;
}


/// Reads MSH-1/MSH-2 (or FHS/BHS) from a header line.
Result<Delimiters> readDelimiters(std::string_view line, std::string_view locationPrefix) {
  std::string name(line.substr(0, 3));
  auto where = [&](int field) {
    return std::string(locationPrefix) + name + "-" + std::to_string(field);
  };
  if (line.size() < 4) {
    return Error(ErrorCode::kInvalidInput, name + " has no field separator", where(1));
  }
  Delimiters d;
  d.field = line[3];
  if (!isDelimiterChar(d.field)) {
    return Error(ErrorCode::kInvalidInput,
                 "field separator must be a printable, non-alphanumeric character", where(1));
  }
  std::string_view rest = line.substr(4);
  std::string_view enc = rest.substr(0, rest.find(d.field));
  if (enc.size() < 4) {
    return Error(ErrorCode::kInvalidInput,
                 name + "-2 needs 4 encoding characters, got '" + printable(enc) + "'", where(2));
  }
  if (enc.size() > 5) {
    return Error(ErrorCode::kInvalidInput,
                 name + "-2 has more than 5 encoding characters: '" + printable(enc) + "'", where(2));
  }
  d.component = enc[0];
  d.repetition = enc[1];
  d.escape = enc[2];
  d.subcomponent = enc[3];
  if (enc.size() == 5) {
    // '\0' means "no truncation char" in Delimiters, so it cannot be one.
    if (!isDelimiterChar(enc[4])) {
      return Error(ErrorCode::kInvalidInput,
                   "truncation character must be a printable, non-alphanumeric character", where(2));
    }
    d.truncation = enc[4];
  }
  Status valid = validateDelimiters(d);
  if (!valid.ok()) return Error(valid.error().code, valid.error().message, where(2));
  return d;
}

}  // namespace

Result<Path> parsePath(std::string_view text) {
  Path path;
  std::size_t pos = 0;
  auto bad = [&](const std::string& why) {
    return Error(ErrorCode::kInvalidInput, "bad HL7 path '" + printable(text, 40) + "': " + why);
  };
  // Numbers are capped so that a hostile path cannot overflow size_t.
  auto number = [&](std::size_t& out) {
    std::size_t start = pos;
    std::size_t value = 0;
    while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos])) != 0 &&
           pos - start < 6) {
      value = value * 10 + static_cast<std::size_t>(text[pos] - '0');
      ++pos;
    }
    out = value;
    return pos > start && value > 0;
  };
  auto bracket = [&](std::size_t& out) {
    if (pos < text.size() && text[pos] == '[') {
      ++pos;
      if (!number(out) || pos >= text.size() || text[pos] != ']') return false;
      ++pos;
    }
    return true;
  };
  path.segment = std::string(text.substr(0, 3));
  if (!isValidSegmentName(path.segment)) return bad("segment name must be 3 of [A-Z0-9]");
  pos = 3;
  if (!bracket(path.occurrence)) return bad("bad segment occurrence");
  if (pos >= text.size() || text[pos] != '-') return bad("expected '-' and a field number");
  ++pos;
  if (!number(path.field)) return bad("bad field number");
  if (!bracket(path.repetition)) return bad("bad repetition");
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    if (!number(path.component)) return bad("bad component");
    if (pos < text.size() && text[pos] == '.') {
      ++pos;
      if (!number(path.subcomponent)) return bad("bad sub-component");
    }
  }
  if (pos != text.size()) return bad("unexpected trailing text");
  return path;
}

// ---- Segment ----

std::string_view Segment::rawField(std::size_t field) const {
  if (field == 0 || field > fields_.size()) return {};
  return fields_[field - 1];
}

std::size_t Segment::repetitionCount(std::size_t field) const {
  std::string_view f = rawField(field);
  if (header_ && field <= 2) return f.empty() ? 0 : 1;
  return countParts(f, delimiters_.repetition);
}

std::size_t Segment::componentCount(std::size_t field, std::size_t repetition) const {
  if (header_ && field <= 2) return rawField(field).empty() || repetition != 1 ? 0 : 1;
  return countParts(raw(field, repetition), delimiters_.component);
}

std::size_t Segment::subcomponentCount(std::size_t field, std::size_t repetition,
                                       std::size_t component) const {
  if (header_ && field <= 2) return componentCount(field, repetition);
  return countParts(raw(field, repetition, component), delimiters_.subcomponent);
}

std::string_view Segment::raw(std::size_t field, std::size_t repetition, std::size_t component,
                              std::size_t subcomponent) const {
  std::string_view f = rawField(field);
  // MSH-1 and MSH-2 hold delimiters, so splitting them would be meaningless.
  if (header_ && field <= 2) {
    return repetition == 1 && component <= 1 && subcomponent <= 1 ? f : std::string_view{};
  }
  std::string_view r = nthPart(f, delimiters_.repetition, repetition);
  if (component == 0) return r;
  std::string_view c = nthPart(r, delimiters_.component, component);
  if (subcomponent == 0) return c;
  return nthPart(c, delimiters_.subcomponent, subcomponent);
}

std::string Segment::get(std::size_t field, std::size_t repetition, std::size_t component,
                         std::size_t subcomponent) const {
  std::string_view r = raw(field, repetition, component, subcomponent);
  if (header_ && field <= 2) return std::string(r);
  return unescape(r, delimiters_, charset_);
}

// ---- Message ----

std::vector<const Segment*> Message::segments(std::string_view name) const {
  std::vector<const Segment*> out;
  for (const Segment& s : segments_) {
    if (s.name() == name) out.push_back(&s);
  }
  return out;
}

const Segment* Message::segment(std::string_view name, std::size_t occurrence) const {
  std::size_t seen = 0;
  for (const Segment& s : segments_) {
    if (s.name() == name && ++seen == occurrence) return &s;
  }
  return nullptr;
}

std::string Message::get(std::string_view path) const {
  auto p = parsePath(path);
  if (!p.ok()) return {};
  const Segment* s = segment(p->segment, p->occurrence);
  return s == nullptr ? std::string() : s->get(p->field, p->repetition, p->component, p->subcomponent);
}

std::string_view Message::raw(std::string_view path) const {
  auto p = parsePath(path);
  if (!p.ok()) return {};
  const Segment* s = segment(p->segment, p->occurrence);
  return s == nullptr ? std::string_view() : s->raw(p->field, p->repetition, p->component, p->subcomponent);
}

std::string Message::messageType() const {
  std::string code = get("MSH-9.1");
  std::string event = get("MSH-9.2");
  // Canonical "^" whatever the message's component separator is.
  return event.empty() ? code : code + "^" + event;
}

std::string Message::serialize() const {
  std::string out;
  out.reserve(buffer_ ? buffer_->size() + segments_.size() : 0);
  for (const Segment& s : segments_) {
    out.append(s.line());
    out += '\r';
  }
  return charset_ == Charset::kLatin1 ? utf8ToLatin1(out) : out;
}

// ---- Parser ----

/// Friend of Message and Segment: fills them in.
class MessageParser {
 public:
  /// `byteBase` and `segmentBase` place a message inside a batch so errors
  /// point at the file, not the slice.
  static Result<Message> parse(std::string_view bytes, const ParseOptions& options, std::size_t byteBase,
                               std::size_t segmentBase);
};

Result<Message> MessageParser::parse(std::string_view bytes, const ParseOptions& options,
                                     std::size_t byteBase, std::size_t segmentBase) {
  if (bytes.empty()) return Error(ErrorCode::kInvalidInput, "empty message", "byte " + std::to_string(byteBase));
  if (bytes.size() > options.max_bytes) {
    return Error(ErrorCode::kTooLarge,
                 "message larger than " + std::to_string(options.max_bytes) + " bytes",
                 "byte " + std::to_string(byteBase + options.max_bytes));
  }
  // A UTF-8 byte order mark is noise some Windows senders add.
  std::size_t bom = bytes.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0;
  std::string_view input = bytes.substr(bom);

  // Only the first line is read before the charset is known; the whole
  // message is split once, after conversion.
  std::string_view first = firstLine(input);
  if (first.empty()) {
    return Error(ErrorCode::kInvalidInput, "empty message", "byte " + std::to_string(byteBase));
  }
  if (first.substr(0, 3) != "MSH") {
    return Error(ErrorCode::kInvalidInput,
                 "message must start with MSH, found '" + printable(first, 3) + "'",
                 segmentLocation(segmentBase + 1));
  }
  std::string prefix = segmentBase == 0 ? std::string() : segmentLocation(segmentBase + 1, "MSH") + ", ";
  auto delimiters = readDelimiters(first, prefix);
  if (!delimiters.ok()) return delimiters.error();
  const Delimiters d = *delimiters;

  // MSH-18 is read from the raw bytes: its value decides how to read the rest.
  // Split index 17 is MSH-18 because MSH-1 is the separator itself.
  std::string_view charsetField = nthPart(nthPart(first, d.field, 18), d.repetition, 1);
  // Decoded, so that a name containing a delimiter (escape char '/') still matches.
  auto charset = charsetFromName(unescape(charsetField, d, Charset::kAscii));
  if (!charset.ok()) {
    return Error(charset.error().code, charset.error().message, prefix + "MSH-18");
  }

  Message msg;
  msg.delimiters_ = d;
  msg.charset_ = *charset;
  if (isAscii(input)) {
    msg.buffer_ = std::make_unique<std::string>(input);
  } else if (*charset == Charset::kLatin1) {
    msg.buffer_ = std::make_unique<std::string>(latin1ToUtf8(input));
  } else {
    // ASCII senders that forget MSH-18 but send UTF-8 are accepted: the bytes
    // are valid either way, and guessing Latin-1 would corrupt real UTF-8.
    std::size_t bad = findInvalidUtf8(input);
    if (bad != kNpos) {
      return Error(ErrorCode::kInvalidInput,
                   std::string("invalid UTF-8 byte in a message declared ") +
                       (*charset == Charset::kUtf8 ? "UTF-8" : "ASCII (MSH-18 empty)"),
                   "byte " + std::to_string(byteBase + bom + bad));
    }
    msg.buffer_ = std::make_unique<std::string>(input);
  }

  auto lines = splitLines(*msg.buffer_, options.max_segments, segmentBase);
  if (!lines.ok()) return lines.error();
  msg.segments_.reserve(lines->size());
  for (std::size_t i = 0; i < lines->size(); ++i) {
    std::string_view line = (*lines)[i].text;
    const std::size_t index = segmentBase + i + 1;
    std::string_view name = line.substr(0, 3);
    if (!isValidSegmentName(name) || (line.size() > 3 && line[3] != d.field)) {
      return Error(ErrorCode::kInvalidInput,
                   "segment name must be 3 characters of [A-Z0-9] followed by the field separator, found '" +
                       printable(line, 8) + "'",
                   segmentLocation(index));
    }
    if (i > 0 && name == "MSH") {
      return Error(ErrorCode::kInvalidInput, "a second MSH: use parseBatch for several messages",
                   segmentLocation(index, name));
    }
    if (isEnvelopeName(name)) {
      return Error(ErrorCode::kInvalidInput, "batch envelope segment in a single message: use parseBatch",
                   segmentLocation(index, name));
    }
    Segment seg;
    seg.name_ = name;
    seg.line_ = line;
    seg.delimiters_ = d;
    seg.charset_ = *charset;
    seg.header_ = isHeaderName(name);
    std::string_view header[2];  // MSH-1 and MSH-2 (FHS, BHS alike)
    std::size_t headerFields = 0;
    std::string_view rest;
    bool hasMore = false;
    if (seg.header_ && line.size() >= 4) {
      header[0] = line.substr(3, 1);
      std::string_view afterSep = line.substr(4);
      std::size_t encEnd = afterSep.find(d.field);
      header[1] = afterSep.substr(0, encEnd);
      headerFields = 2;
      if (encEnd != kNpos) {
        hasMore = true;
        rest = afterSep.substr(encEnd + 1);
      }
    } else if (line.size() > 3) {
      hasMore = true;
      rest = line.substr(4);
    }
    // Counted first, so each segment allocates its field list once.
    const std::size_t fieldCount = headerFields + (hasMore ? countByte(rest, d.field) + 1 : 0);
    if (fieldCount > options.max_fields) {
      return Error(ErrorCode::kTooLarge, "more than " + std::to_string(options.max_fields) + " fields",
                   segmentLocation(index, name) + ", field " + std::to_string(options.max_fields + 1));
    }
    seg.fields_.reserve(fieldCount);
    seg.fields_.insert(seg.fields_.end(), header, header + headerFields);
    if (hasMore) {
      std::size_t start = 0;
      forEachByte(rest, d.field, [&](std::size_t at) {
        seg.fields_.push_back(rest.substr(start, at - start));
        start = at + 1;
      });
      seg.fields_.push_back(rest.substr(start));
    }
    msg.segments_.push_back(std::move(seg));
  }
  return msg;
}

Result<Message> parse(std::string_view bytes, const ParseOptions& options) {
  return MessageParser::parse(bytes, options, 0, 0);
}

namespace {

/// Checks a BTS-1 / FTS-1 count when the sender filled it in.
Status checkCount(std::string_view line, const Delimiters& d, std::size_t actual, std::size_t index,
                  std::string_view what) {
  std::string_view name = line.substr(0, 3);
  std::string_view declared = trim(nthPart(nthPart(line, d.field, 2), d.component, 1));
  if (declared.empty()) return {};
  const std::string where = segmentLocation(index, name) + ", field 1";
  if (declared.size() > 9 || !std::all_of(declared.begin(), declared.end(), [](char c) {
        return std::isdigit(static_cast<unsigned char>(c)) != 0;
      })) {
    return Error(ErrorCode::kInvalidInput,
                 std::string(name) + "-1 must be a count, found '" + printable(declared) + "'", where);
  }
  std::size_t count = std::stoul(std::string(declared));
  if (count != actual) {
    return Error(ErrorCode::kInvalidInput,
                 std::string(name) + "-1 declares " + std::to_string(count) + " " + std::string(what) +
                     " but " + std::to_string(actual) + " were found",
                 where);
  }
  return {};
}

// parseBatch, also giving each message's bytes as received when `raws` is set.
Result<std::vector<Message>> parseBatchImpl(std::string_view bytes, const ParseOptions& options,
                                            std::vector<std::string_view>* raws) {
  if (bytes.empty()) return Error(ErrorCode::kInvalidInput, "empty batch", "byte 0");
  if (bytes.size() > options.max_bytes) {
    return Error(ErrorCode::kTooLarge, "batch larger than " + std::to_string(options.max_bytes) + " bytes",
                 "byte " + std::to_string(options.max_bytes));
  }
  auto lines = splitLines(bytes, options.max_segments, 0);
  if (!lines.ok()) return lines.error();
  if (lines->empty()) return Error(ErrorCode::kInvalidInput, "empty batch", "byte 0");

  std::vector<Message> messages;
  // Envelope delimiters, for reading BTS/FTS; each message reads its own MSH.
  Delimiters envelope;
  std::size_t messagesInBatch = 0;
  std::size_t batches = 0;
  bool fileClosed = false;
  const std::size_t n = lines->size();
  for (std::size_t i = 0; i < n;) {
    std::string_view line = (*lines)[i].text;
    std::string_view name = line.substr(0, 3);
    const std::size_t index = i + 1;
    if (fileClosed) {
      return Error(ErrorCode::kInvalidInput, "segment after FTS", segmentLocation(index, printable(name, 3)));
    }
    if (i == 0 && name != "FHS" && name != "BHS" && name != "MSH") {
      return Error(ErrorCode::kInvalidInput,
                   "batch must start with FHS, BHS or MSH, found '" + printable(line, 3) + "'",
                   segmentLocation(1));
    }
    if (name == "MSH") {
      std::size_t j = i + 1;
      while (j < n) {
        std::string_view next = (*lines)[j].text.substr(0, 3);
        if (next == "MSH" || isEnvelopeName(next)) break;
        ++j;
      }
      const Line& last = (*lines)[j - 1];
      std::size_t begin = (*lines)[i].offset;
      auto msg = MessageParser::parse(bytes.substr(begin, last.offset + last.text.size() - begin), options,
                                      begin, i);
      if (!msg.ok()) return msg.error();
      if (raws != nullptr) raws->push_back(bytes.substr(begin, last.offset + last.text.size() - begin));
      if (i == 0) envelope = msg->delimiters();
      messages.push_back(std::move(msg).value());
      ++messagesInBatch;
      i = j;
      continue;
    }
    if (name == "FHS" || name == "BHS") {
      if (name == "FHS" && i != 0) {
        return Error(ErrorCode::kInvalidInput, "FHS must be the first segment", segmentLocation(index, name));
      }
      auto d = readDelimiters(line, segmentLocation(index, name) + ", ");
      if (!d.ok()) return d.error();
      envelope = *d;
      if (name == "BHS") {
        ++batches;
        messagesInBatch = 0;
      }
    } else if (name == "BTS") {
      Status st = checkCount(line, envelope, messagesInBatch, index, "messages");
      if (!st.ok()) return st.error();
    } else if (name == "FTS") {
      Status st = checkCount(line, envelope, batches, index, "batches");
      if (!st.ok()) return st.error();
      fileClosed = true;
    } else {
      return Error(ErrorCode::kInvalidInput, "segment outside a message",
                   segmentLocation(index, printable(name, 3)));
    }
    ++i;
  }
  return messages;
}

}  // namespace

Result<std::vector<Message>> parseBatch(std::string_view bytes, const ParseOptions& options) {
  return parseBatchImpl(bytes, options, nullptr);
}

Result<std::vector<std::string_view>> splitBatch(std::string_view bytes, const ParseOptions& options) {
  std::vector<std::string_view> raws;
  auto parsed = parseBatchImpl(bytes, options, &raws);
  if (!parsed.ok()) return parsed.error();
  return raws;
}

}  // namespace raccordo::hl7
