#pragma once
// Reproducible synthetic data for tests, demos and benchmarks
// (`raccordo synth --seed N --citizens K --out DIR`): a population of Milan
// residents known to the social services, each as one SISA document
// (format raccordo.sisa/1), plus the ground truth linking records to persons.
//
// Determinism: the same options give the same bytes on every platform. The
// generator uses its own PRNG (xoshiro256** seeded by splitmix64) and its own
// bounded-integer function, no floating-point randomness, no clock, locale or
// hash-map iteration order. Citizen i depends only on the seed, on i and on the
// codici fiscali of citizens 0..i-1, so a smaller population is a prefix of a
// larger one with the same seed. All dates fall between 2015-01-01 and the
// reference day 2026-11-01, the day every document is exported, except birth
// dates and ISEE expiry (31 December of the year of issue, so up to 2026-12-31).

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

/// Writes out/sisa/<person_id>.json (pretty-printed, 2-space indent, trailing
/// newline) and out/truth.csv (header
/// "person_id,source,record_file,record_id,codice_fiscale", one row per source
/// record). Creates the directories. Refuses a negative citizen count and an
/// out/sisa that already holds .json files this run would not write (they would
/// be loaded as part of the population); files this run writes are overwritten.
Status writeSynth(const SynthOptions& options, const std::filesystem::path& out);

}  // namespace raccordo::synth
