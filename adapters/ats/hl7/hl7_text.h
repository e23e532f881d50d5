#pragma once
// Small text helpers shared by the HL7 parser, codec and writer (internal).

#include <cctype>
#include <cstddef>
#include <string>
#include <string_view>

namespace raccordo::hl7::detail {

/// Without leading and trailing spaces and tabs.
inline std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

/// Printable form of untrusted bytes for error messages.
inline std::string printable(std::string_view s, std::size_t max = 16) {
  std::string out;
  for (char c : s.substr(0, max)) {
    auto u = static_cast<unsigned char>(c);
    out += (u >= 0x20 && u < 0x7F) ? c : '?';
  }
  if (s.size() > max) out += "...";
  return out;
}

/// A character that may serve as a delimiter: printable, not a letter or digit.
inline bool isDelimiterChar(char c) {
  auto u = static_cast<unsigned char>(c);
  return u > 0x20 && u < 0x7F && std::isalnum(u) == 0;
}

}  // namespace raccordo::hl7::detail
