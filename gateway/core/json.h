#pragma once
// Small helpers over RapidJSON used across rooms.

#include <rapidjson/document.h>

#include <string>
#include <string_view>

namespace raccordo::json {

using Doc = rapidjson::Document;
using Value = rapidjson::Value;
using Alloc = rapidjson::Document::AllocatorType;

/// Compact serialisation.
std::string write(const Value& v);
/// Pretty serialisation (2-space indent).
std::string writePretty(const Value& v);

inline Value str(std::string_view s, Alloc& a) {
  return Value(s.data(), static_cast<rapidjson::SizeType>(s.size()), a);
}

/// Member as string_view, or "" when absent or not a string.
std::string_view getStr(const Value& obj, const char* name);
/// Member pointer, or nullptr.
const Value* get(const Value& obj, const char* name);

/// Escapes a JSON pointer token ("~" and "/").
std::string pointerToken(std::string_view token);

}  // namespace raccordo::json
