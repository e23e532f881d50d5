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

/// An array of the stored version merged into the write's. Elements match by
/// "entity" (Group.member), "other" (Patient.link) or system and value
/// (identifiers); a resent element takes its stored twin's place, new elements
/// are appended, and the stored elements the write lacks are kept, except the
/// writer's own: with `owned_prefix` set, those whose system starts with it,
/// so a source can still correct or remove its own identifiers. Identifiers
/// with use "old" (a merge's history) belong to no source and are kept.
struct MergedArray {
  std::string name;
  std::string owned_prefix = {};
  bool operator==(const MergedArray&) const = default;
};

/// In ResourceWrite::keep_stored_fields: every field.
inline constexpr const char* kAllFields = "*";

/// One resource to write. By default it replaces the stored version; these
/// say what of the stored version survives, so that resources several
/// messages or sources write (a household Group, an office, the citizen's
/// Patient) lose nothing a write does not know about.
struct ResourceWrite {
  json::Doc doc;
  /// A household Group gathers its members from each member's own message; a
  /// Patient keeps the identifiers other sources and merges gave it.
  std::vector<MergedArray> merge_arrays;
  /// Top-level fields of the stored version kept when this write lacks them
  /// (never meta); kAllFields keeps every one: an office or social worker
  /// mentioned by many citizens' messages, some with a name or phone and some
  /// without. Applied after merge_arrays.
  std::vector<std::string> keep_stored_fields;
  /// "The newest certified value wins": the top-level element holding when
  /// the source vouched for the content (recordedDate, dateAsserted,
  /// recorded, issued, recordedOn, created). When the stored version's value
  /// is a later instant than the write's, the stored content is kept and only
  /// merge_arrays (the identifiers) take the write's additions. A bare date
  /// counts as its start (00:00 UTC); a value missing on either side does not
  /// compare, and the write applies as usual.
  std::string recorded_element;
  /// Filled before the write transaction, so the store's single writer only
  /// compares hashes and inserts; dropped in the transaction when the stored
  /// version adds something to `doc`.
  std::optional<PreparedResource> prepared;

  bool mergesWithStored() const {
    return !merge_arrays.empty() || !keep_stored_fields.empty() || !recorded_element.empty();
  }
};

/// The Patient id of a citizen key (codice fiscale).
std::string patientIdFor(std::string_view citizen_key);

/// `urn:raccordo:{source}:{kind}`: the identifier system of a source-local id.
std::string sourceSystem(std::string_view source, std::string_view kind);

Result<std::vector<ResourceWrite>> mapToFhir(const DecodedMessage& message, const MappingContext& context);

}  // namespace raccordo
