#include "gateway/core/charset.h"

namespace raccordo {

std::string latin1ToUtf8(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() + bytes.size() / 8);
  for (char c : bytes) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x80) {
      out += c;
    } else {
      out += static_cast<char>(0xC0 | (u >> 6));
      out += static_cast<char>(0x80 | (u & 0x3F));
    }
  }
  return out;
}

std::size_t findInvalidUtf8(std::string_view bytes) {
  std::size_t i = 0;
  while (i < bytes.size()) {
    auto u = static_cast<unsigned char>(bytes[i]);
    if (u < 0x80) {
      ++i;
      continue;
    }
    std::size_t len;
    unsigned cp;
    if (u >= 0xC2 && u <= 0xDF) {
      len = 2;
      cp = u & 0x1F;
    } else if (u >= 0xE0 && u <= 0xEF) {
      len = 3;
      cp = u & 0x0F;
    } else if (u >= 0xF0 && u <= 0xF4) {
      len = 4;
      cp = u & 0x07;
    } else {
      return i;
    }
    if (i + len > bytes.size()) return i;
    for (std::size_t k = 1; k < len; ++k) {
      auto c = static_cast<unsigned char>(bytes[i + k]);
      if ((c & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (c & 0x3F);
    }
    // Overlong forms, UTF-16 surrogates and code points past U+10FFFF.
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
      return i;
    }
    i += len;
  }
  return std::string_view::npos;
}

}  // namespace raccordo
