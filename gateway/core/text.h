#pragma once
// Small text helpers shared by the adapters and the mappings.

#include <cctype>
#include <string>
#include <string_view>

namespace raccordo {

/// ASCII upper case (codici fiscali, HL7 codes, table keys); other bytes,
/// UTF-8 included, unchanged.
inline std::string asciiUpper(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace raccordo
