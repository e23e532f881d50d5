#pragma once
// Character-set helpers shared by the parsers that accept ISO-8859-1 as well
// as UTF-8 (HL7 v2, ATS CSV flows). Everything inside the gateway is UTF-8.
// Pure functions, thread-safe.

#include <cstddef>
#include <string>
#include <string_view>

namespace raccordo {

/// ISO-8859-1 bytes to UTF-8 (every byte maps to the code point of its value).
std::string latin1ToUtf8(std::string_view bytes);

/// Offset of the first byte that breaks UTF-8 (bad lead or continuation byte,
/// truncated sequence, overlong form, surrogate, past U+10FFFF), or npos when
/// `bytes` is valid.
std::size_t findInvalidUtf8(std::string_view bytes);

}  // namespace raccordo
