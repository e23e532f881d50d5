#pragma once
// Reproducible synthetic data for tests, demos and benchmarks
// (`raccordo synth --seed N --citizens K --out DIR`): a population of Milan
// residents known to the social services, each as one SISA document
// (format raccordo.sisa/1), what ATS sends about them (HL7 v2.5 messages and
// CSV flows, gateway/synth/synth_ats.h), plus the ground truth linking
// records to persons.
//
// Determinism: the same options give the same bytes on every platform. The
// generator uses its own PRNG (xoshiro256** seeded by splitmix64) and its own
// bounded-integer function, no floating-point randomness, no clock, locale or
// hash-map iteration order. Citizen i depends only on the seed, on i and on the
// codici fiscali of citizens 0..i-1, so a smaller population is a prefix of a
// larger one with the same seed. All dates fall between 2015-01-01 and the
// reference day 2026-11-01, the day every document is exported, except birth
// dates, ISEE expiry (31 December of the year of issue, so up to 2026-12-31)
// and the end of ticket exemptions still in force (data_fine, up to five
// years ahead). ATS content for citizen i has a PRNG stream of its own, so
// it never changes the SISA documents.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "gateway/core/result.h"

namespace raccordo::synth {

struct SynthOptions {
  uint64_t seed = 1;
  int citizens = 100;
};

struct SynthCitizen {
  std::string person_id;        // "P000001"... stable truth id
  std::string codice_fiscale;   // valid, distinct across the population
  std::string family_name, given_name;
  char sex = 'M';               // 'M' or 'F'
  std::string birth_date;       // YYYY-MM-DD
  std::string sisa_citizen_id;  // SISA local id
  std::string sisa_message_id;  // the document's message_id
  std::string sisa_json;        // the whole SISA document (compact JSON, one line)
  int resource_hint = 0;        // rough number of FHIR resources this document maps to
};

/// The population for these options; deterministic. Non-positive counts give
/// an empty population.
std::vector<SynthCitizen> generateCitizens(const SynthOptions& options);

/// Writes, creating the directories:
/// - out/sisa/<person_id>.json: pretty-printed, 2-space indent, trailing newline;
/// - out/ats/<person_id>-<nn>-<type>_<event>.hl7: one HL7 v2.5 message per file
///   (CR segment terminators), nn = the message's number for that citizen, so
///   sending in name order keeps each citizen's A28 before an A01 before its
///   A03 (e.g. P000001-01-ADT_A28.hl7, P000001-02-ADT_A01.hl7,
///   P000001-03-ADT_A03.hl7, P000001-04-ORU_R01.hl7); MSH-18 "UNICODE UTF-8",
///   or "8859/1" with the bytes in ISO-8859-1 for about 5% of ADT messages;
/// - out/ats/<flow>.csv for the ATS flows adi-activations, fna-b1 and
///   ticket-exemptions, each in its sender's dialect (delimiter, charset, BOM,
///   line ending: see synth_ats_csv.cpp); a flow without rows gets no file;
/// - out/truth.csv: header "person_id,source,record_file,record_id,codice_fiscale",
///   one row per source record, grouped by person (sisa first). record_id is
///   the record's id in its source: the SISA citizen id; for ATS the regional
///   id (A28), visit number PV1-19 (A01 and A03), filler number OBR-3 (ORU),
///   id_attivazione, id_domanda, or "<codice_fiscale>-<code>-<data_inizio>"
///   (ticket exemptions, data_inizio as YYYY-MM-DD).
/// Refuses a negative citizen count, and .json in out/sisa or .hl7 in out/ats
/// that this run would not write (they would be loaded as part of the
/// population); files this run writes are overwritten.
Status writeSynth(const SynthOptions& options, const std::filesystem::path& out);

}  // namespace raccordo::synth
