#pragma once
// Master patient index: decides whether an incoming identity record belongs
// to a person already known, in memory, for a region's population (1,000,000
// people on 2 cores; docs/identity.md has the model and the measured figures).
//
//  1. Deterministic: a valid codice fiscale equal (omocodia resolved) to one
//     already indexed links to that person, unless the rest of the record
//     contradicts it strongly (then review).
//  2. Probabilistic (Fellegi-Sunter): candidates from blocking keys are scored
//     field by field with log2(m/u) weights per agreement level; the best
//     person's total decides link / review / new against configured thresholds.
//
// Every decision carries its explanation (per-field level and weight, total,
// thresholds, the candidate and the runners-up). The index does not act on
// a decision: the caller links (addRecord), creates (addPerson) or queues the
// review, so a golden-record or review workflow can sit in between.
//
// Thread-safety: match() and the const accessors take a shared lock and run
// concurrently; addPerson/addRecord/updateRecord take an exclusive lock.

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/core/result.h"
#include "gateway/identity/name_compare.h"

namespace raccordo::identity {

using PersonId = uint32_t;
using EntryId = uint32_t;

/// One source's view of a person. Any field may be empty / zero (unknown).
struct IdentityRecord {
  std::string family_name;  // UTF-8, any case, accents and apostrophes allowed
  std::string given_name;
  char sex = 0;             // 'M', 'F' or 0
  int year = 0;             // birth date; 0 when unknown
  int month = 0;
  int day = 0;
  std::string birth_place;  // cadastral (Belfiore) code, e.g. "F205"
  std::string address;      // free text, e.g. "Via Padova 12, 20127 Milano"
  std::string phone;        // any format; digits kept, +39/0039 dropped
  std::string codice_fiscale;  // 16 chars (valid or not) or empty
  std::string foreign_code;    // STP/ENI code or empty
};

enum class Field { kCodiceFiscale, kForeignCode, kFamilyName, kGivenName, kBirthDate, kSex, kBirthPlace, kAddress, kPhone };
inline constexpr std::size_t kFieldCount = 9;
const char* fieldName(Field field);

/// Agreement levels. Name fields use the NameLevel ladder plus kSwapped; the
/// others use the subset that makes sense for them (see docs/identity.md).
enum class Level {
  kExact,       // equal (names: equal once folded; CF: same person after omocodia)
  kEquivalent,  // names: equal without spaces/apostrophes
  kPartial,     // names: words of one contained in the other; CF: first 11 characters equal
  kSimilar,     // names/address: Jaro-Winkler over threshold; date: one component differs
  kSwapped,     // names: given name and surname swapped; date: day and month swapped
  kDisagree,
  kMissing,     // one side unknown: weight 0
};
inline constexpr std::size_t kLevelCount = 7;
const char* levelName(Level level);

/// m = P(level | same person), u = P(level | different people). The weight
/// is log2(m/u). A level with m or u at 0 is not used for that field.
struct LevelProbabilities {
  double m = 0;
  double u = 0;
};

struct MpiConfig {
  /// Per field, per level (indexed by Field and Level). Defaults in defaultMpiConfig().
  std::array<std::array<LevelProbabilities, kLevelCount>, kFieldCount> probabilities{};
  double link_threshold = 20.0;    // total >= this: link
  double review_threshold = 9.0;   // review_threshold <= total < link_threshold: review; below: new
  /// Two persons both over the link threshold within this margin: review (ambiguous).
  double ambiguity_margin = 6.0;
  /// A deterministic CF link whose other fields total below this goes to review
  /// (the code is probably someone else's, e.g. a relative's).
  double cf_conflict_floor = -8.0;
  /// Link only when none of these fields disagrees outright: twins, and
  /// parent and child with the same name, share everything else (address,
  /// phone, surname). Otherwise review. Missing or partial agreement is fine.
  std::vector<Field> link_requires = {Field::kFamilyName, Field::kGivenName, Field::kBirthDate};
  double name_similarity = 0.92;     // Jaro-Winkler threshold for kSimilar names
  double address_similarity = 0.90;  // and addresses
  /// Blocks larger than this are not scanned (a key too common to discriminate).
  uint32_t max_block_size = 5000;
  /// Runners-up kept in the explanation.
  uint32_t runners_up = 3;
};

MpiConfig defaultMpiConfig();
/// The weight log2(m/u) of a level, or nullopt when the level is not used.
std::optional<double> levelWeight(const MpiConfig& config, Field field, Level level);
/// Checks probabilities in (0, 1] and thresholds ordered; errors name the field and level.
Status validateMpiConfig(const MpiConfig& config);

struct FieldScore {
  Field field;
  Level level;
  double weight;
  std::string query_value;      // normalised as compared
  std::string candidate_value;
};

struct CandidateScore {
  PersonId person = 0;
  EntryId entry = 0;  // the person's record that scored best
  double total = 0;
  std::vector<FieldScore> fields;
};

enum class Outcome { kLink, kReview, kNew };
const char* outcomeName(Outcome outcome);

struct MatchDecision {
  Outcome outcome = Outcome::kNew;
  std::optional<PersonId> person;  // the best candidate (the link target for kLink)
  bool deterministic = false;      // decided by the codice fiscale
  std::string reason;              // one line: why this outcome
  double link_threshold = 0;
  double review_threshold = 0;
  std::optional<CandidateScore> best;
  std::vector<CandidateScore> runners_up;  // next best persons, best first
  std::size_t candidates_scored = 0;

  /// Multi-line human explanation: outcome, reason, thresholds, each field's level and weight.
  std::string explain() const;
};

class MasterPatientIndex {
 public:
  explicit MasterPatientIndex(MpiConfig config = defaultMpiConfig());
  ~MasterPatientIndex();
  MasterPatientIndex(const MasterPatientIndex&) = delete;
  MasterPatientIndex& operator=(const MasterPatientIndex&) = delete;

  /// A new person whose first record is `record`.
  PersonId addPerson(const IdentityRecord& record);
  /// Another record for a known person (e.g. after a link). Error if the person does not exist.
  Result<EntryId> addRecord(PersonId person, const IdentityRecord& record);
  /// Replaces one record's data (e.g. a source sent a correction); the entry keeps its person.
  Result<EntryId> updateRecord(EntryId entry, const IdentityRecord& record);

  /// Decides, never modifies the index.
  MatchDecision match(const IdentityRecord& record) const;

  std::size_t personCount() const;
  std::size_t entryCount() const;  // live records
  /// Bytes held by the index structures (approximate, excludes allocator overhead).
  std::size_t memoryBytes() const;
  const MpiConfig& config() const { return config_; }

 private:
  struct Impl;
  MpiConfig config_;
  std::unique_ptr<Impl> impl_;
  mutable std::shared_mutex mutex_;
};

}  // namespace raccordo::identity
