// Fuzzes configuration parsing (JSON with comments, flattening, type checks).

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "gateway/config/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto config = raccordo::Config::parse(text, {});
  if (!config.ok() && config.error().location.empty()) __builtin_trap();  // errors name the key or offset
  // The same bytes as a --set override.
  auto eq = text.find('=');
  if (eq != std::string_view::npos) {
    auto over = raccordo::Config::parse("{}", {std::string(text)});
    (void)over;
  }
  return 0;
}
