#pragma once
// gp-cda: one CDA R2 document from a GP or a hospital (HL7 Italia guides):
// a Patient Summary (Profilo Sanitario Sintetico) becomes clinical-fact
// records, a lab report lab_report records, and every document a `document`
// record with its original bytes (docs/gp-cda.md, docs/adapters.md).

#include "adapters/builtin.h"

namespace raccordo {

/// Loads the tables of mappings/gp/ (cda-*.json, by name). Errors (kConfig) name the file.
Result<AdapterPtr> makeGpCdaAdapter(const AdapterEnvironment& env);

}  // namespace raccordo
