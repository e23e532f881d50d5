#pragma once
// Turns RapidJSON's schema-validation report into a message that names the
// member at fault, for the adapters and loaders that validate documents
// against the JSON Schemas in schemas/.

#include <rapidjson/schema.h>

#include <string>
#include <string_view>

#include "gateway/core/json.h"

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

}  // namespace raccordo::json
