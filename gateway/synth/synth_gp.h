#pragma once
// Internal to the synthetic-data generator: what the citizen's GP (MMG)
// sends: a CDA R2 Patient Summary (Profilo Sanitario Sintetico) and, for some
// citizens, other CDA documents (gp/*.xml), and a SINAPSIS-style record export
// (gp/*.json). Both are drawn from one GpClinical, so the same allergy, problem
// or therapy appears in both, as it does in real life: the gateway must keep
// it as one resource (docs/adapters.md, "One fact, one resource").
//
// Determinism: the output for a citizen depends only on the seed, the
// citizen's index and the AtsCitizen given (a PRNG stream of its own).

#include <cstdint>
#include <string>
#include <vector>

#include "gateway/synth/synth_ats.h"

namespace raccordo::synth::detail {

/// One clinical fact of the GP record. `kind` is a record kind of
/// gateway/adapter/adapter.h: allergy, condition, medication, immunization,
/// vital_sign, device.
struct GpFact {
  std::string kind;
  std::string local_id;     // the GP system's id of the item (stable)
  std::string code_system;  // FHIR system URI (ICD-9-CM, ATC, AIC, LOINC, SNOMED CT)
  std::string code;
  std::string display;
  std::string status;       // the kind's status in the contract (clinical_status or status)
  int start_day = 0;        // onset, start, administration or measurement day (days since 1970-01-01)
  int end_day = 0;          // 0: none
  double value = 0;         // vital signs
  double value2 = 0;        // vital signs: diastolic pressure
  std::string unit;         // vital signs (UCUM)
  int updated_day = 0;      // when the GP last changed the item (the export's `updated`)
  bool in_summary = true;   // also in the Patient Summary (some newer items are only in the export)
  // Details some kinds have (empty / 0: none). Codes are the contract's (docs/adapters.md).
  std::string other_code;     // medication: the AIC code beside the ATC `code`
  std::string dosage;         // medication: free text
  std::string lot;            // immunization
  int dose_number = 0;        // immunization
  std::string category;       // allergy: medication, food, environment, biologic
  std::string criticality;    // allergy: low, high, unable-to-assess
  std::string reaction_code;  // allergy: SNOMED CT code of the reaction
  std::string reaction;       // allergy: the reaction's words
};

/// A family doctor of the fixed pool (the same for every seed).
struct GpDoctor {
  std::string id;  // "MMG0001", "PLS0001"
  std::string codice_fiscale;
  std::string family_name;
  std::string given_name;
};

struct GpClinical {
  std::string gp_codice_fiscale;
  std::string gp_family_name;
  std::string gp_given_name;
  std::string gp_role = "MMG";      // MMG, or PLS for children under 14
  std::string gp_asl_code = "321";  // ATS della Città Metropolitana di Milano
  int certified_day = 0;  // the GP's certification of the Patient Summary; some older than six months
  std::vector<GpFact> facts;
};

/// One file under gp/.
struct GpFile {
  std::string file;       // "P000001-01-PSS.xml", "P000001-02-LDO.xml", "P000001-export.json"
  std::string bytes;
  std::string record_id;  // truth.csv record_id: the document id or the export id
};

/// The GP record of one citizen (synth_gp.cpp).
GpClinical drawGpClinical(uint64_t seed, const AtsCitizen& citizen);

/// ISO 8601 date-time with the Europe/Rome offset of that day (synth_gp.cpp):
/// "2026-09-03T10:15:00+02:00".
std::string gpDateTime(int day, int second_of_day);

/// The Patient Summary and other CDA documents of the citizen (synth_gp_cda.cpp).
std::vector<GpFile> gpCdaDocuments(uint64_t seed, const AtsCitizen& citizen, const GpClinical& clinical);

/// The SINAPSIS-style export of the citizen, full (synth_gp_export.cpp):
/// every fact but devices (the export has no device list; the V45.01 problem
/// drawn with a pacemaker stands for it), plus visits and, for some, a report.
GpFile gpExport(uint64_t seed, const AtsCitizen& citizen, const GpClinical& clinical);

}  // namespace raccordo::synth::detail
