#pragma once
// Shared by the gp-export adapter tests: the adapter built from the source
// tree's schema and tables, the examples, and edits of them by JSON pointer.

#include <gtest/gtest.h>
#include <rapidjson/pointer.h>

#include <fstream>
#include <sstream>
#include <string>

#include "adapters/gp/gp_export_adapter.h"
#include "gateway/core/json.h"
#include "tests/support/temp_dir.h"

namespace raccordo::gp_export_test {

inline std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline std::string example(const std::string& name) {
  return readFile(std::string(RACCORDO_SOURCE_DIR) + "/schemas/gp/examples/" + name);
}

inline AdapterPtr makeAdapter() {
  auto adapter = makeGpExportAdapter(testing::sourceTreeAdapterEnvironment());
  if (!adapter.ok()) ADD_FAILURE() << adapter.error().describe();
  return adapter.ok() ? adapter.value() : nullptr;
}

/// An example with edits: each a JSON pointer and the new value as JSON text
/// ("" erases the member).
inline std::string edited(const std::string& name, std::initializer_list<std::pair<const char*, std::string>> edits) {
  json::Doc doc;
  std::string text = example(name);
  doc.Parse(text.c_str(), text.size());
  for (const auto& [pointer, value] : edits) {
    if (value.empty()) {
      rapidjson::Pointer(pointer).Erase(doc);
      continue;
    }
    json::Doc v;
    v.Parse(value.c_str(), value.size());
    EXPECT_FALSE(v.HasParseError()) << value;
    rapidjson::Pointer(pointer).Set(doc, json::Value(v, doc.GetAllocator()));
  }
  return json::write(doc);
}

/// The records of a kind, in message order.
inline std::vector<const Record*> ofKind(const DecodedMessage& m, std::string_view kind) {
  std::vector<const Record*> out;
  for (const auto& r : m.records) {
    if (r.kind == kind) out.push_back(&r);
  }
  return out;
}

inline const Record* bySourceId(const DecodedMessage& m, std::string_view kind, std::string_view id) {
  for (const auto& r : m.records) {
    if (r.kind == kind && r.source_id == id) return &r;
  }
  return nullptr;
}

inline std::string at(const Record& r, const char* pointer) {
  const json::Value* v = rapidjson::Pointer(pointer).Get(r.data);
  if (v == nullptr) return "<absent>";
  return v->IsString() ? std::string(v->GetString(), v->GetStringLength()) : json::write(*v);
}

}  // namespace raccordo::gp_export_test
