// HL7 v2 text codecs: delimiters, escape sequences and character sets.
// Shared by the parser (hl7.cpp) and the writer (hl7_writer.cpp).

#include <algorithm>
#include <array>
#include <cctype>
#include <string>

#include "adapters/ats/hl7/hl7.h"
#include "adapters/ats/hl7/hl7_text.h"

namespace raccordo::hl7 {

namespace {

using detail::isDelimiterChar;
using detail::printable;
using detail::trim;

constexpr std::size_t kNpos = std::string_view::npos;



bool isHex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}

/// Formatting commands of FT fields that have no plain-text meaning.
bool isDroppedFormatCommand(std::string_view cmd) {
  static constexpr std::array<std::string_view, 7> kCommands = {"sp", "in", "ti", "sk",
                                                                "ce", "fi", "nf"};
  if (cmd.size() < 2) return false;
  if (std::find(kCommands.begin(), kCommands.end(), cmd.substr(0, 2)) == kCommands.end()) {
    return false;
  }
  std::string_view arg = trim(cmd.substr(2));
  if (!arg.empty() && (arg.front() == '+' || arg.front() == '-')) arg.remove_prefix(1);
  return std::all_of(arg.begin(), arg.end(),
                     [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; });
}

/// Appends the meaning of one escape body (the text between two escape
/// characters); false when the body is not a sequence we decode.
bool decodeEscape(std::string_view body, const Delimiters& d, Charset charset, std::string& out) {
  if (body.size() == 1) {
    switch (body[0]) {
      case 'F': out += d.field; return true;
      case 'S': out += d.component; return true;
      case 'T': out += d.subcomponent; return true;
      case 'R': out += d.repetition; return true;
      case 'E': out += d.escape; return true;
      case 'H':  // highlighting on/off: no plain-text meaning
      case 'N': return true;
      default: return false;
    }
  }
  if (body.size() >= 3 && body[0] == 'X') {
    std::string_view hex = body.substr(1);
    if (hex.size() % 2 != 0 || !std::all_of(hex.begin(), hex.end(), isHex)) return false;
    std::string bytes;
    for (std::size_t i = 0; i < hex.size(); i += 2) {
      bytes += static_cast<char>(hexValue(hex[i]) * 16 + hexValue(hex[i + 1]));
    }
    if (charset == Charset::kLatin1) {
      out += latin1ToUtf8(bytes);
      return true;
    }
    // Decoded values stay valid UTF-8: bytes that are not are kept escaped.
    if (findInvalidUtf8(bytes) != kNpos) return false;
    out += bytes;
    return true;
  }
  if (body.size() >= 2 && body[0] == '.') {
    std::string_view cmd = body.substr(1);
    if (cmd == "br") {
      out += '\n';
      return true;
    }
    return isDroppedFormatCommand(cmd);
  }
  return false;
}


void appendHex(std::string& out, unsigned char byte) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  out += kHex[byte >> 4];
  out += kHex[byte & 0x0F];
}

}  // namespace

Result<Charset> charsetFromName(std::string_view value) {
  std::string upper;
  for (char c : trim(value)) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (upper.empty() || upper == "ASCII") return Charset::kAscii;
  if (upper == "8859/1") return Charset::kLatin1;
  if (upper == "UNICODE UTF-8" || upper == "UTF-8") return Charset::kUtf8;
  return Error(ErrorCode::kUnsupported, "unknown character set '" + printable(value, 40) + "' in MSH-18",
               "MSH-18");
}

std::string Delimiters::encodingCharacters() const {
  std::string enc{component, repetition, escape, subcomponent};
  if (truncation != '\0') enc += truncation;
  return enc;
}

Status validateDelimiters(const Delimiters& d) {
  std::string all{d.field, d.component, d.repetition, d.escape, d.subcomponent};
  if (d.truncation != '\0') all += d.truncation;
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (!isDelimiterChar(all[i])) {
      return Error(ErrorCode::kInvalidInput,
                   "delimiter " + std::to_string(i + 1) +
                       " must be a printable, non-alphanumeric character");
    }
    if (all.find(all[i], i + 1) != kNpos) {
      return Error(ErrorCode::kInvalidInput,
                   std::string("duplicate delimiter character '") + all[i] + "'");
    }
  }
  return {};
}

std::string utf8ToLatin1(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    auto u = static_cast<unsigned char>(text[i]);
    if (u < 0x80) {
      out += text[i++];
      continue;
    }
    std::size_t len = u >= 0xF0 ? 4 : u >= 0xE0 ? 3 : 2;
    if (len == 2 && i + 1 < text.size()) {
      unsigned cp = ((u & 0x1Fu) << 6) | (static_cast<unsigned char>(text[i + 1]) & 0x3Fu);
      out += cp <= 0xFF ? static_cast<char>(cp) : '?';
    } else {
      out += '?';
    }
    i += len;
  }
  return out;
}

std::string unescape(std::string_view raw, const Delimiters& d, Charset charset) {
  if (raw.find(d.escape) == kNpos) return std::string(raw);
  std::string out;
  out.reserve(raw.size());
  std::size_t i = 0;
  while (i < raw.size()) {
    if (raw[i] != d.escape) {
      out += raw[i++];
      continue;
    }
    std::size_t close = raw.find(d.escape, i + 1);
    if (close == kNpos) {  // unterminated: keep the rest as written
      out.append(raw.substr(i));
      break;
    }
    if (!decodeEscape(raw.substr(i + 1, close - i - 1), d, charset, out)) {
      out.append(raw.substr(i, close - i + 1));
    }
    i = close + 1;
  }
  return out;
}

std::string escape(std::string_view value, const Delimiters& d) {
  // "\.br\" contains '.', which a custom delimiter set may use; hex is always safe.
  const bool dotIsDelimiter = d.field == '.' || d.component == '.' || d.repetition == '.' ||
                              d.escape == '.' || d.subcomponent == '.' || d.truncation == '.';
  std::string out;
  out.reserve(value.size());
  auto sequence = [&](std::string_view body) {
    out += d.escape;
    out.append(body);
    out += d.escape;
  };
  for (char c : value) {
    if (c == d.field) {
      sequence("F");
    } else if (c == d.component) {
      sequence("S");
    } else if (c == d.subcomponent) {
      sequence("T");
    } else if (c == d.repetition) {
      sequence("R");
    } else if (c == d.escape) {
      sequence("E");
    } else if (c == '\n' && !dotIsDelimiter) {
      sequence(".br");
    } else if (c == '\n' || c == '\r' || (d.truncation != '\0' && c == d.truncation)) {
      // CR would end the segment; the v2.7 truncation char would cut the value.
      std::string hex = "X";
      appendHex(hex, static_cast<unsigned char>(c));
      sequence(hex);
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace raccordo::hl7
