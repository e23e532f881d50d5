#pragma once
// Turns RapidJSON's schema-validation report into a message that names the
// member at fault, for the adapters and loaders that validate documents
// against the JSON Schemas in schemas/.

#include <rapidjson/schema.h>

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/core/json.h"
#include "gateway/core/result.h"

namespace raccordo::json {

/// One schema violation, worded for a person.
struct SchemaViolation {
  enum class Kind {
    kMissing,     // a required member is absent
    kUnknown,     // a member the schema does not allow
    kDependency,  // a member needed because another one is given
    kValue,       // a value breaks a rule (type, enum, pattern, bounds, ...)
  };
  Kind kind = Kind::kValue;
  /// "required field 'x' is missing", "unknown field 'x'", "field 'x' is
  /// required when 'y' is given", or for kValue the rule alone ("expected
  /// \"string\" (got 3)"), for the caller to prefix.
  std::string message;
  /// JSON pointer of the member at fault ("/" for the root).
  std::string pointer;
};

/// Reads the validator's report after a failed Accept(). "required" and
/// "additionalProperties" point at the parent object, so the member at fault
/// is found by comparing the document with the schema. `noun` names members
/// in the message ("field", "member").
SchemaViolation schemaViolation(const rapidjson::SchemaValidator& validator, const Value& schema_root,
                                const Value& doc, std::string_view noun = "field");

/// A pointer as text; the empty (root) pointer is "/".
std::string pointerString(const rapidjson::Pointer& pointer);

/// A compiled schema for concurrent use. RapidJSON 1.1's regex keeps its
/// match state inside the compiled schema, so one SchemaDocument serves one
/// validation at a time: validations lease one from a pool that grows to the
/// number of threads validating at once.
class SchemaPool {
 public:
  explicit SchemaPool(std::unique_ptr<Doc> schema) : schema_(std::move(schema)) {}
  /// Nullopt when `value` passes; else the violation, its pointer relative to `value`.
  std::optional<SchemaViolation> check(const Value& value, std::string_view noun = "field") const;

 private:
  std::unique_ptr<Doc> schema_;
  mutable std::mutex mu_;
  mutable std::vector<std::unique_ptr<rapidjson::SchemaDocument>> pool_;
};

/// The violation as an input error: a bad value reads "invalid value: <rule>",
/// located at `prefix` (the JSON pointer of the validated value) + its pointer.
Error schemaError(SchemaViolation violation, std::string_view prefix = {});

/// An inbound document: valid JSON whose root is an object; errors give the
/// byte offset.
Result<std::unique_ptr<Doc>> parseObject(std::string_view bytes);

/// The schemas check the shape of dates (YYYY-MM-DD, date-times); this checks
/// that each one exists on the calendar (no 31 February), in every string of
/// `v` that starts like a date, except under members named in `skip` (lists
/// checked item by item, Base64 data). `at` is the JSON pointer of `v`.
std::optional<Error> checkCalendarDates(const Value& v, const std::string& at,
                                        const std::vector<std::string_view>& skip = {});

}  // namespace raccordo::json
