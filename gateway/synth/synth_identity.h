#pragma once
// Synthetic people and the identity records sources send about them, with
// the errors real feeds carry (typos, dropped accents, name/surname and
// day/month swaps, missing, omocodic or mistyped codici fiscali, STP codes
// later replaced by a codice fiscale, moves and new phones) and the truth:
// which person each record belongs to. Deterministic from the seed. Used to
// measure the master patient index (tests/identity_accuracy, tests/bench).

#include <cstdint>
#include <string>
#include <vector>

#include "gateway/identity/mpi.h"

namespace raccordo::synth {

/// Percent of source records that get each error (independently).
struct IdentityErrorRates {
  int typo_family_name = 4;
  int typo_given_name = 4;
  int accents_dropped = 40;    // of names with accents or apostrophes: CANTÙ -> CANTU / CANTU', D'ANGELO -> DANGELO
  int double_surname = 2;      // a second surname added (ROSSI -> ROSSI BIANCHI) or, if double, one dropped
  int swapped_names = 2;       // given name and surname exchanged
  int swapped_day_month = 2;   // only when both are <= 12 and differ
  int missing_cf = 15;
  int omocodic_cf = 2;         // a valid omocodia variant of the code
  int wrong_check_char = 2;    // the 16th character mistyped
  int changed_address = 15;    // moved
  int changed_phone = 10;
  int missing_phone = 30;
  int missing_birth_place = 10;
  int missing_sex = 5;
};

struct SynthIdentityOptions {
  uint64_t seed = 1;
  uint32_t people = 1000;
  int unregistered_percent = 5;   // people with no registry record: their first record should be "new"
  int second_record_percent = 30; // people with a second source record
  int household_percent = 30;     // a person joins the previous person's household (surname, address, phone)
  int twin_percent = 1;           // of household joiners: same birth date too
  int stp_percent = 20;           // of foreign-born people: known by an STP code instead of a codice fiscale
  int stp_gets_cf_percent = 50;   // of their source records: carry the codice fiscale they later got
  bool with_records = true;        // false: people only (benchmarks that draw their own queries)
  IdentityErrorRates errors;
};

struct SynthIdentityRecord {
  identity::IdentityRecord record;
  uint32_t person = 0;              // truth: index into SynthIdentityData::people
  std::vector<std::string> errors;  // the errors injected, e.g. "typo_family_name"
};

struct SynthIdentityData {
  /// The true identity of each person (registry form: clean, with CF or STP).
  std::vector<identity::IdentityRecord> people;
  std::vector<bool> registered;  // indexed before the source records arrive
  /// Source records, shuffled.
  std::vector<SynthIdentityRecord> records;
};

SynthIdentityData generateIdentityData(const SynthIdentityOptions& options);

/// What the registry knows of a person: STP holders by their STP code only
/// (their `codice_fiscale` is the one they get later).
identity::IdentityRecord registryRecord(const identity::IdentityRecord& truth);

/// One source record for person `truth`, with errors drawn as `rates` says;
/// `salt` makes records of the same person differ. Deterministic.
SynthIdentityRecord makeIdentityRecord(const identity::IdentityRecord& truth, uint32_t person, uint64_t seed,
                                       uint64_t salt, const IdentityErrorRates& rates, int stp_gets_cf_percent = 50);

}  // namespace raccordo::synth
