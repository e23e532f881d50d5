#include "gateway/core/json_schema.h"

#include <rapidjson/stringbuffer.h>

namespace raccordo::json {

std::string pointerString(const rapidjson::Pointer& pointer) {
  rapidjson::StringBuffer sb;
  pointer.Stringify(sb);
  std::string s = sb.GetString();
  return s.empty() ? "/" : s;
}

SchemaViolation schemaViolation(const rapidjson::SchemaValidator& v, const Value& schema_root, const Value& doc,
                                std::string_view noun) {
  using Kind = SchemaViolation::Kind;
  const std::string n(noun);
  std::string where = pointerString(v.GetInvalidDocumentPointer());
  std::string keyword = v.GetInvalidSchemaKeyword();
  const Value* schema = v.GetInvalidSchemaPointer().Get(schema_root);
  const Value* at = v.GetInvalidDocumentPointer().Get(doc);
  std::string base = where == "/" ? "" : where;
  if (keyword == "required" && schema != nullptr && at != nullptr && at->IsObject()) {
    if (const Value* req = get(*schema, "required"); req != nullptr && req->IsArray()) {
      for (const auto& name : req->GetArray()) {
        if (!at->HasMember(name)) {
          return {Kind::kMissing, "required " + n + " '" + name.GetString() + "' is missing",
                  base + "/" + pointerToken(name.GetString())};
        }
      }
    }
  }
  if (keyword == "additionalProperties" && schema != nullptr && at != nullptr && at->IsObject()) {
    const Value* props = get(*schema, "properties");
    for (auto it = at->MemberBegin(); it != at->MemberEnd(); ++it) {
      if (props == nullptr || !props->HasMember(it->name)) {
        return {Kind::kUnknown, "unknown " + n + " '" + it->name.GetString() + "'",
                base + "/" + pointerToken(it->name.GetString())};
      }
    }
  }
  if (keyword == "additionalProperties" && where.size() > 1) {
    // RapidJSON 1.1 points at the unexpected member itself.
    return {Kind::kUnknown, "unknown " + n + " '" + where.substr(where.rfind('/') + 1) + "'", where};
  }
  if (keyword == "dependencies" && schema != nullptr && at != nullptr && at->IsObject()) {
    const Value* deps = get(*schema, "dependencies");
    for (auto it = deps->MemberBegin(); it != deps->MemberEnd(); ++it) {  // present: it is the failed keyword
      if (!at->HasMember(it->name) || !it->value.IsArray()) continue;
      for (const auto& needed : it->value.GetArray()) {
        if (!at->HasMember(needed)) {
          return {Kind::kDependency,
                  n + " '" + needed.GetString() + "' is required when '" + it->name.GetString() + "' is given",
                  base + "/" + pointerToken(needed.GetString())};
        }
      }
    }
  }
  std::string detail;
  if (schema != nullptr) {
    if (keyword == "type") {
      detail = "expected " + write(*get(*schema, "type"));
    } else if (keyword == "enum") {
      detail = "must be one of " + write(*get(*schema, "enum"));
    } else if (keyword == "pattern") {
      detail = "does not match the pattern " + std::string(getStr(*schema, "pattern"));
    } else if (const Value* limit = get(*schema, keyword.c_str()); limit != nullptr) {
      detail = "violates " + keyword + " " + write(*limit);
    }
  }
  if (detail.empty()) detail = "violates the schema rule '" + keyword + "'";
  if (at != nullptr && !at->IsObject() && !at->IsArray()) {
    std::string got = write(*at);
    if (got.size() > 60) got = got.substr(0, 57) + "...";
    detail += " (got " + got + ")";
  }
  return {Kind::kValue, std::move(detail), std::move(where)};
}

}  // namespace raccordo::json
