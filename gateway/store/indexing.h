#pragma once
// Extracts what a resource is searched by (identifiers, patient compartment,
// outgoing references) from its JSON, once, for every store back end.

#include "gateway/core/json.h"
#include "gateway/store/store.h"

namespace raccordo {

ResourceIndex indexResource(const json::Value& resource);

/// "Patient/abc/_history/2" -> {"Patient", "abc"}; false for absolute or contained references.
bool splitReference(std::string_view reference, std::string& type, std::string& id);

}  // namespace raccordo
