#pragma once
// Stable identifiers derived from content, so that the same source record
// always maps to the same FHIR id whatever node or run processes it.

#include <string>
#include <string_view>

namespace raccordo {

/// Lower-case hex SHA-256 of the input.
std::string sha256Hex(std::string_view data);

/// A FHIR id (<= 64 chars, [a-z0-9-]) derived from the parts: 32 hex chars of
/// SHA-256 over the parts joined by '|'.
std::string stableId(std::initializer_list<std::string_view> parts);

}  // namespace raccordo
