#pragma once
// Source-neutral records -> FHIR R4 resources of the integrated-care record.
// Ids are derived from source identifiers (stableId), so a re-sent record
// lands on the same resource and becomes a new version of it.

#include <optional>
#include <string>
#include <vector>

#include "gateway/adapter/adapter.h"
#include "gateway/core/result.h"
#include "gateway/store/store.h"

namespace raccordo {

struct MappingContext {
  std::string cf_system = "http://hl7.it/sid/codiceFiscale";
};

/// One resource to write. For arrays named in merge_arrays, elements of the
/// stored version whose "entity" differs from every new element are kept
/// (a household Group gathers its members from each member's own message).
/// With keep_stored_fields, top-level fields of the stored version that this
/// write lacks are kept: an office or social worker mentioned by many
/// citizens' messages, some with a name or phone and some without.
struct ResourceWrite {
  json::Doc doc;
  std::vector<std::string> merge_arrays;
  bool keep_stored_fields = false;
  /// Filled before the write transaction for resources without merges, so the
  /// store's single writer only compares hashes and inserts.
  std::optional<PreparedResource> prepared;
};

/// The Patient id of a citizen key (codice fiscale).
std::string patientIdFor(std::string_view citizen_key);

/// `urn:raccordo:{source}:{kind}`: the identifier system of a source-local id.
std::string sourceSystem(std::string_view source, std::string_view kind);

Result<std::vector<ResourceWrite>> mapToFhir(const DecodedMessage& message, const MappingContext& context);

}  // namespace raccordo
