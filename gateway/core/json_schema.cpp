#include "gateway/core/json_schema.h"

#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>

#include <algorithm>

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

std::optional<SchemaViolation> SchemaPool::check(const Value& value, std::string_view noun) const {
  std::unique_ptr<rapidjson::SchemaDocument> schema;
  {
    std::lock_guard lock(mu_);
    if (!pool_.empty()) {
      schema = std::move(pool_.back());
      pool_.pop_back();
    }
  }
  if (!schema) schema = std::make_unique<rapidjson::SchemaDocument>(*schema_);
  std::optional<SchemaViolation> out;
  {
    rapidjson::SchemaValidator validator(*schema);
    if (!value.Accept(validator)) out = schemaViolation(validator, *schema_, value, noun);
  }
  std::lock_guard lock(mu_);
  pool_.push_back(std::move(schema));
  return out;
}

Error schemaError(SchemaViolation v, std::string_view prefix) {
  if (v.kind == SchemaViolation::Kind::kValue) v.message = "invalid value: " + v.message;
  std::string at = prefix.empty() ? v.pointer : (v.pointer == "/" ? std::string(prefix) : std::string(prefix) + v.pointer);
  return Error(ErrorCode::kInvalidInput, std::move(v.message), std::move(at));
}

Result<std::unique_ptr<Doc>> parseObject(std::string_view bytes) {
  auto doc = std::make_unique<Doc>();
  doc->Parse(bytes.data(), bytes.size());
  if (doc->HasParseError()) {
    return Error(ErrorCode::kInvalidInput,
                 std::string("not valid JSON: ") + rapidjson::GetParseError_En(doc->GetParseError()),
                 "offset " + std::to_string(doc->GetErrorOffset()));
  }
  if (!doc->IsObject()) return Error(ErrorCode::kInvalidInput, "the document must be a JSON object", "/");
  return doc;
}

namespace {

bool isLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

}  // namespace

std::optional<Error> checkCalendarDates(const Value& v, const std::string& at,
                                        const std::vector<std::string_view>& skip) {
  if (v.IsObject()) {
    for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) {
      std::string_view name(it->name.GetString(), it->name.GetStringLength());
      if (std::find(skip.begin(), skip.end(), name) != skip.end()) continue;
      if (auto e = checkCalendarDates(it->value, at + "/" + pointerToken(name), skip)) return e;
    }
  } else if (v.IsArray()) {
    for (rapidjson::SizeType i = 0; i < v.Size(); ++i) {
      if (auto e = checkCalendarDates(v[i], at + "/" + std::to_string(i), skip)) return e;
    }
  } else if (v.IsString() && v.GetStringLength() >= 10) {
    const char* s = v.GetString();
    auto digits = [&](int from, int n) {
      int out = 0;
      for (int k = from; k < from + n; ++k) {
        if (s[k] < '0' || s[k] > '9') return -1;
        out = out * 10 + (s[k] - '0');
      }
      return out;
    };
    if (s[4] != '-' || s[7] != '-') return std::nullopt;  // not a date
    int y = digits(0, 4), m = digits(5, 2), d = digits(8, 2);
    if (y < 0 || m < 0 || d < 0) return std::nullopt;
    static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int max_day = m >= 1 && m <= 12 ? kDays[m - 1] + (m == 2 && isLeap(y) ? 1 : 0) : 0;
    if (m < 1 || m > 12 || d < 1 || d > max_day) {
      return Error(ErrorCode::kInvalidInput, "'" + std::string(s, 10) + "' is not a calendar date",
                   at.empty() ? "/" : at);
    }
  }
  return std::nullopt;
}

}  // namespace raccordo::json
