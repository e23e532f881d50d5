#pragma once
// ATS CSV batch flows (docs/ats-csv.md): one adapter "ats-csv/<flow>" per
// layout file in mappings/ats/flows/. A file holds many citizens: every good
// row becomes records carrying the row's codice fiscale as Record::citizen_key,
// and bad rows become DecodedMessage::rejects while the others go on.

#include <vector>

#include "adapters/builtin.h"

namespace raccordo {

/// One adapter per layout in <mappings_dir>/ats/flows/*.json, validated
/// against <schemas_dir>/ats/csv-layout.schema.json, with the code tables the
/// layouts name from <mappings_dir>/ats/. Errors (kConfig) name the file and
/// the JSON pointer at fault.
Result<std::vector<AdapterPtr>> loadAtsCsvAdapters(const AdapterEnvironment& env);

}  // namespace raccordo
