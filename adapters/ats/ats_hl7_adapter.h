#pragma once
// ats-hl7: one HL7 v2 message from the health agency (ATS) or a hospital
// trust (ASST), over MLLP or HTTP. ADT A28/A31/A01/A03/A04/A08/A11/A13/A40
// and ORU^R01 become person, encounter, lab_report and merge records
// (docs/adapters.md); any other type is kUnsupported at MSH-9.

#include <filesystem>
#include <string>

#include "gateway/adapter/adapter.h"

namespace raccordo {

/// `tables_dir` holds the adapter's code tables (mappings/ats/): it reads
/// identifier-authorities.json, patient-class.json and hl7-*.json by name and
/// no other file. `cf_system` is identity.cf_system, the system written for
/// the codice fiscale; when it is a `urn:oid:`, the other national
/// identifiers are written as `urn:oid:` too. Errors (kConfig) name the file.
Result<AdapterPtr> makeAtsHl7Adapter(const std::filesystem::path& tables_dir, std::string cf_system);

}  // namespace raccordo
