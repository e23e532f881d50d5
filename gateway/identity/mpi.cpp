#include "gateway/identity/mpi.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <mutex>
#include <utility>

#include "gateway/identity/codice_fiscale.h"
#include "gateway/identity/foreign_codes.h"
#include "gateway/identity/mpi_storage.h"

namespace raccordo::identity {

namespace {

using detail::hash64;
using detail::PostingIndex;
using detail::StringPool;

constexpr std::size_t idx(Field f) { return static_cast<std::size_t>(f); }
constexpr std::size_t idx(Level l) { return static_cast<std::size_t>(l); }

// ---------------------------------------------------------------------------
// A record normalised for comparison.

enum class CfState : uint8_t { kNone, kValid, kInvalid };

struct Normalized {
  std::string family;  // folded
  std::string given;
  std::string address;  // folded, digits kept
  std::string place;
  std::string foreign;
  uint64_t phone = 0;
  uint32_t birth = 0;  // packed year/month/day, 0 unknown
  char sex = 0;
  CfState cf_state = CfState::kNone;
  std::array<char, 16> cf{};  // valid: omocodia resolved; invalid: digit positions restored
};

uint32_t packDate(int y, int m, int d) {
  if (y <= 0 || y > 9999) return 0;
  const int mm = (m >= 1 && m <= 12) ? m : 0;
  const int dd = (d >= 1 && d <= 31) ? d : 0;
  return static_cast<uint32_t>(y) << 9 | static_cast<uint32_t>(mm) << 5 | static_cast<uint32_t>(dd);
}
int yearOf(uint32_t p) { return static_cast<int>(p >> 9); }
int monthOf(uint32_t p) { return static_cast<int>((p >> 5) & 15); }
int dayOf(uint32_t p) { return static_cast<int>(p & 31); }

std::string dateText(uint32_t p) {
  if (p == 0) return {};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", yearOf(p), monthOf(p), dayOf(p));
  return buf;
}

uint64_t normalizePhone(std::string_view s) {
  std::string digits;
  for (char c : s) {
    if (c >= '0' && c <= '9') digits.push_back(c);
  }
  if (digits.starts_with("0039")) {
    digits.erase(0, 4);
  } else if (digits.starts_with("39") && digits.size() >= 11 && s.find('+') != std::string_view::npos) {
    digits.erase(0, 2);
  }
  if (digits.size() < 6 || digits.size() > 18) return 0;
  // A leading 1 keeps leading zeros (landlines start with 0).
  return std::stoull("1" + digits);
}

std::string phoneText(uint64_t p) { return p == 0 ? std::string() : std::to_string(p).substr(1); }

constexpr std::string_view kOmocodiaLetters = "LMNPQRSTUV";
constexpr std::string_view kDigits = "0123456789";
constexpr std::array<std::size_t, 7> kCfDigitPositions = {6, 7, 9, 10, 12, 13, 14};

Normalized normalize(const IdentityRecord& r) {
  Normalized n;
  n.family = foldName(r.family_name);
  n.given = foldName(r.given_name);
  n.address = foldText(r.address);
  n.place = foldText(r.birth_place);
  n.phone = normalizePhone(r.phone);
  n.birth = packDate(r.year, r.month, r.day);
  n.sex = (r.sex == 'M' || r.sex == 'm') ? 'M' : (r.sex == 'F' || r.sex == 'f') ? 'F' : '\0';
  if (!r.foreign_code.empty()) {
    auto fc = parseForeignCode(r.foreign_code);
    if (fc.ok()) n.foreign = fc->code;
  }
  if (!r.codice_fiscale.empty()) {
    auto cf = parseCodiceFiscale(r.codice_fiscale);
    if (cf.ok()) {
      n.cf_state = CfState::kValid;
      std::copy_n(cf->normalized.begin(), 16, n.cf.begin());
    } else if (patientIdShape(r.codice_fiscale) == PatientIdShape::kCodiceFiscale) {
      // Wrong check character or a slip elsewhere: the first 11 characters
      // (surname, name, birth year and month) still block and score.
      const std::string code = foldText(r.codice_fiscale);
      std::string compact;
      for (char c : code) {
        if (c != ' ') compact.push_back(c);
      }
      if (compact.size() == 16) {
        n.cf_state = CfState::kInvalid;
        for (std::size_t i = 0; i < 16; ++i) {
          char c = compact[i];
          if (std::find(kCfDigitPositions.begin(), kCfDigitPositions.end(), i) != kCfDigitPositions.end()) {
            const auto k = kOmocodiaLetters.find(c);
            if (k != std::string_view::npos) c = kDigits[k];
          }
          n.cf[i] = c;
        }
      }
    }
  }
  return n;
}

/// Blocking keys of a normalised record (docs/identity.md, "Blocking").
std::vector<uint64_t> blockingKeys(const Normalized& n) {
  std::vector<uint64_t> keys;
  const int y = yearOf(n.birth);
  const std::string sc = n.family.empty() ? std::string() : nameCode(n.family, false);
  const std::string gc = n.given.empty() ? std::string() : nameCode(n.given, true);
  if (!sc.empty()) keys.push_back(hash64("S" + sc + std::to_string(y)));
  if (!gc.empty() && n.birth != 0) {
    const int a = std::min(dayOf(n.birth), monthOf(n.birth));
    const int b = std::max(dayOf(n.birth), monthOf(n.birth));
    keys.push_back(hash64("G" + gc + std::to_string(y) + "/" + std::to_string(a) + "/" + std::to_string(b)));
  }
  if (!sc.empty() && !gc.empty()) {
    // Both names coded by the surname rule, in sorted order: the key survives
    // a name/surname swap.
    const std::string gs = nameCode(n.given, false);
    keys.push_back(hash64("P" + std::min(sc, gs) + std::max(sc, gs) + std::to_string(y)));
  }
  if (n.phone != 0) keys.push_back(hash64("T" + std::to_string(n.phone)));
  if (n.cf_state != CfState::kNone) keys.push_back(hash64("C" + std::string(n.cf.data(), 11)));
  if (!n.foreign.empty()) keys.push_back(hash64("F" + n.foreign));
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  return keys;
}

// ---------------------------------------------------------------------------
// Comparators per field.

Level fromNameLevel(NameLevel l) {
  switch (l) {
    case NameLevel::kExact: return Level::kExact;
    case NameLevel::kEquivalent: return Level::kEquivalent;
    case NameLevel::kPartial: return Level::kPartial;
    case NameLevel::kSimilar: return Level::kSimilar;
    case NameLevel::kDisagree: return Level::kDisagree;
    case NameLevel::kMissing: return Level::kMissing;
  }
  return Level::kMissing;
}

bool sameDigits(std::string_view a, std::string_view b) {
  std::size_t i = 0;
  std::size_t j = 0;
  for (;;) {
    while (i < a.size() && (a[i] < '0' || a[i] > '9')) ++i;
    while (j < b.size() && (b[j] < '0' || b[j] > '9')) ++j;
    if (i == a.size() || j == b.size()) return i == a.size() && j == b.size();
    if (a[i++] != b[j++]) return false;
  }
}

Level compareDates(uint32_t a, uint32_t b) {
  if (a == 0 || b == 0) return Level::kMissing;
  if (a == b) return Level::kExact;
  const int ya = yearOf(a), ma = monthOf(a), da = dayOf(a);
  const int yb = yearOf(b), mb = monthOf(b), db = dayOf(b);
  if (ya == yb && da != ma && da == mb && ma == db) return Level::kSwapped;
  const int same = (ya == yb ? 1 : 0) + (ma == mb ? 1 : 0) + (da == db ? 1 : 0);
  return same == 2 ? Level::kSimilar : Level::kDisagree;
}


/// One indexed record, 64 bytes.
struct IndexEntry {
  PersonId person = 0;
  uint32_t family = 0;  // StringPool ids of the folded values
  uint32_t given = 0;
  uint32_t place = 0;
  uint32_t address = 0;
  uint32_t foreign = 0;
  uint32_t birth = 0;
  uint64_t phone = 0;
  std::array<char, 16> cf{};
  CfState cf_state = CfState::kNone;
  char sex = 0;
  bool live = true;
};

}  // namespace

// ---------------------------------------------------------------------------

struct MasterPatientIndex::Impl {
  using Entry = IndexEntry;

  std::vector<Entry> entries;
  StringPool pool;
  PostingIndex blocks;
  std::size_t persons = 0;
  std::size_t live = 0;
  std::array<std::array<double, kLevelCount>, kFieldCount> weights{};

  explicit Impl(const MpiConfig& config) {
    for (std::size_t f = 0; f < kFieldCount; ++f) {
      for (std::size_t l = 0; l < kLevelCount; ++l) {
        // An unused level scores like disagreement, so a misconfiguration never
        // turns into positive evidence.
        const auto w = levelWeight(config, static_cast<Field>(f), static_cast<Level>(l));
        const auto d = levelWeight(config, static_cast<Field>(f), Level::kDisagree);
        weights[f][l] = w ? *w : (d ? *d : 0.0);
      }
    }
  }

  EntryId insert(PersonId person, const IdentityRecord& record) {
    const Normalized n = normalize(record);
    Entry e;
    e.person = person;
    e.family = pool.intern(n.family);
    e.given = pool.intern(n.given);
    e.place = pool.intern(n.place);
    e.address = pool.intern(n.address);
    e.foreign = pool.intern(n.foreign);
    e.birth = n.birth;
    e.phone = n.phone;
    e.cf = n.cf;
    e.cf_state = n.cf_state;
    e.sex = n.sex;
    const auto id = static_cast<EntryId>(entries.size());
    entries.push_back(e);
    for (uint64_t key : blockingKeys(n)) blocks.add(key, id);
    ++live;
    return id;
  }
};

namespace {

// Per-query memo of name comparisons by candidate string id: blocks hold many
// people with the same name, so most comparisons repeat.
class NameMemo {
 public:
  template <typename F>
  NameLevel get(uint32_t id, F&& compute) {
    Slot& s = slots_[id & (kSize - 1)];
    if (s.set && s.id == id) return s.level;
    s = {id, compute(), true};
    return s.level;
  }

 private:
  static constexpr std::size_t kSize = 256;
  struct Slot {
    uint32_t id = 0;
    NameLevel level = NameLevel::kMissing;
    bool set = false;
  };
  std::array<Slot, kSize> slots_{};
};

struct Query {
  Normalized n;
  std::optional<uint32_t> family_id, given_id, address_id, place_id, foreign_id;
  NameMemo family, given, family_as_given, given_as_family;
};

using Levels = std::array<Level, kFieldCount>;
using Weights = std::array<std::array<double, kLevelCount>, kFieldCount>;

}  // namespace

namespace {

Levels compareEntry(const MpiConfig& config, const Weights& weights, const StringPool& pool, Query& q,
                    const IndexEntry& e);

}  // namespace

MasterPatientIndex::MasterPatientIndex(MpiConfig config)
    : config_(std::move(config)), impl_(std::make_unique<Impl>(config_)) {}

MasterPatientIndex::~MasterPatientIndex() = default;

PersonId MasterPatientIndex::addPerson(const IdentityRecord& record) {
  std::unique_lock lock(mutex_);
  const auto person = static_cast<PersonId>(impl_->persons++);
  impl_->insert(person, record);
  return person;
}

Result<EntryId> MasterPatientIndex::addRecord(PersonId person, const IdentityRecord& record) {
  std::unique_lock lock(mutex_);
  if (person >= impl_->persons) {
    return Error(ErrorCode::kNotFound, "no person " + std::to_string(person) + " in the index", "person");
  }
  return impl_->insert(person, record);
}

Result<EntryId> MasterPatientIndex::updateRecord(EntryId entry, const IdentityRecord& record) {
  std::unique_lock lock(mutex_);
  if (entry >= impl_->entries.size() || !impl_->entries[entry].live) {
    return Error(ErrorCode::kNotFound, "no live record " + std::to_string(entry) + " in the index", "entry");
  }
  // The old postings stay in the chains and are skipped as dead: removing
  // from a chain would cost a scan, and updates are rare next to matches.
  impl_->entries[entry].live = false;
  --impl_->live;
  return impl_->insert(impl_->entries[entry].person, record);
}

std::size_t MasterPatientIndex::personCount() const {
  std::shared_lock lock(mutex_);
  return impl_->persons;
}

std::size_t MasterPatientIndex::entryCount() const {
  std::shared_lock lock(mutex_);
  return impl_->live;
}

std::size_t MasterPatientIndex::memoryBytes() const {
  std::shared_lock lock(mutex_);
  return impl_->entries.capacity() * sizeof(Impl::Entry) + impl_->pool.bytes() + impl_->blocks.bytes();
}

namespace {

Levels compareEntry(const MpiConfig& config, const Weights& weights, const StringPool& pool, Query& q,
                    const IndexEntry& e) {
  Levels lv{};
  // Codice fiscale (the exact case is settled before scoring, but it is scored
  // too so the explanation shows it).
  if (q.n.cf_state == CfState::kNone || e.cf_state == CfState::kNone) {
    lv[idx(Field::kCodiceFiscale)] = Level::kMissing;
  } else if (q.n.cf_state == CfState::kValid && e.cf_state == CfState::kValid && q.n.cf == e.cf) {
    lv[idx(Field::kCodiceFiscale)] = Level::kExact;
  } else if (std::equal(q.n.cf.begin(), q.n.cf.begin() + 11, e.cf.begin())) {
    lv[idx(Field::kCodiceFiscale)] = Level::kPartial;
  } else {
    lv[idx(Field::kCodiceFiscale)] = Level::kDisagree;
  }
  if (q.n.foreign.empty() || e.foreign == 0) {
    lv[idx(Field::kForeignCode)] = Level::kMissing;
  } else {
    lv[idx(Field::kForeignCode)] = (q.foreign_id && *q.foreign_id == e.foreign) ? Level::kExact : Level::kDisagree;
  }

  const double th = config.name_similarity;
  auto nameLevel = [&](NameMemo& memo, const std::string& qv, std::optional<uint32_t> qid, uint32_t cid) {
    if (qv.empty() || cid == 0) return NameLevel::kMissing;
    if (qid && *qid == cid) return NameLevel::kExact;
    return memo.get(cid, [&] { return compareFoldedNames(qv, pool.view(cid), th); });
  };
  const NameLevel fam = nameLevel(q.family, q.n.family, q.family_id, e.family);
  const NameLevel giv = nameLevel(q.given, q.n.given, q.given_id, e.given);
  Level lf = fromNameLevel(fam);
  Level lg = fromNameLevel(giv);
  if (fam == NameLevel::kDisagree && giv == NameLevel::kDisagree) {
    // Given name and surname entered in each other's place.
    const NameLevel fg = nameLevel(q.family_as_given, q.n.family, q.family_id, e.given);
    const NameLevel gf = nameLevel(q.given_as_family, q.n.given, q.given_id, e.family);
    const auto good = [](NameLevel l) { return l == NameLevel::kExact || l == NameLevel::kEquivalent || l == NameLevel::kSimilar; };
    if (good(fg) && good(gf)) lf = lg = Level::kSwapped;
  }
  lv[idx(Field::kFamilyName)] = lf;
  lv[idx(Field::kGivenName)] = lg;
  lv[idx(Field::kBirthDate)] = compareDates(q.n.birth, e.birth);
  lv[idx(Field::kSex)] = (q.n.sex == 0 || e.sex == 0) ? Level::kMissing : q.n.sex == e.sex ? Level::kExact : Level::kDisagree;
  lv[idx(Field::kBirthPlace)] = (q.n.place.empty() || e.place == 0) ? Level::kMissing
                                : (q.place_id && *q.place_id == e.place) ? Level::kExact
                                                                         : Level::kDisagree;
  lv[idx(Field::kPhone)] = (q.n.phone == 0 || e.phone == 0) ? Level::kMissing
                           : q.n.phone == e.phone          ? Level::kExact
                                                           : Level::kDisagree;
  if (q.n.address.empty() || e.address == 0) {
    lv[idx(Field::kAddress)] = Level::kMissing;
  } else if (q.address_id && *q.address_id == e.address) {
    lv[idx(Field::kAddress)] = Level::kExact;
  } else {
    // The address comparison is the costly one (long, unique strings): skip
    // it when even a similar address could not lift the candidate to review.
    double partial = 0;
    for (std::size_t f = 0; f < kFieldCount; ++f) {
      if (f != idx(Field::kAddress)) partial += weights[f][idx(lv[f])];
    }
    // Similar means the same street and house number written differently:
    // the numbers (house number, CAP) must be equal.
    const std::string_view ca = pool.view(e.address);
    lv[idx(Field::kAddress)] = partial + weights[idx(Field::kAddress)][idx(Level::kSimilar)] >= config.review_threshold &&
                                       sameDigits(q.n.address, ca) &&
                                       jaroWinkler(q.n.address, ca) >= config.address_similarity
                                   ? Level::kSimilar
                                   : Level::kDisagree;
  }
  return lv;
}

}  // namespace

MatchDecision MasterPatientIndex::match(const IdentityRecord& record) const {
  Query q;
  q.n = normalize(record);
  const std::vector<uint64_t> keys = blockingKeys(q.n);

  std::shared_lock lock(mutex_);
  const Impl& im = *impl_;
  q.family_id = im.pool.find(q.n.family);
  q.given_id = im.pool.find(q.n.given);
  q.address_id = im.pool.find(q.n.address);
  q.place_id = im.pool.find(q.n.place);
  q.foreign_id = im.pool.find(q.n.foreign);

  std::vector<EntryId> candidates;
  for (uint64_t key : keys) {
    im.blocks.forEach(key, config_.max_block_size, [&](uint32_t e) { candidates.push_back(e); });
  }
  std::sort(candidates.begin(), candidates.end());
  candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());

  struct Scored {
    PersonId person;
    EntryId entry;
    double total;
    Levels levels;
  };
  std::vector<Scored> scored;
  scored.reserve(candidates.size());
  for (EntryId id : candidates) {
    const Impl::Entry& e = im.entries[id];
    if (!e.live) continue;
    const Levels lv = compareEntry(config_, im.weights, im.pool, q, e);
    double total = 0;
    for (std::size_t f = 0; f < kFieldCount; ++f) total += im.weights[f][idx(lv[f])];
    scored.push_back({e.person, id, total, lv});
  }

  MatchDecision d;
  d.link_threshold = config_.link_threshold;
  d.review_threshold = config_.review_threshold;
  d.candidates_scored = scored.size();

  // Best record per person, persons ordered by score.
  std::sort(scored.begin(), scored.end(), [](const Scored& a, const Scored& b) {
    return a.person != b.person ? a.person < b.person : a.total > b.total;
  });
  scored.erase(std::unique(scored.begin(), scored.end(), [](const Scored& a, const Scored& b) { return a.person == b.person; }),
               scored.end());
  std::sort(scored.begin(), scored.end(), [](const Scored& a, const Scored& b) {
    return a.total != b.total ? a.total > b.total : a.person < b.person;
  });

  auto explainScore = [&](const Scored& s) {
    CandidateScore c;
    c.person = s.person;
    c.entry = s.entry;
    c.total = s.total;
    const Impl::Entry& e = im.entries[s.entry];
    for (std::size_t f = 0; f < kFieldCount; ++f) {
      FieldScore fs{static_cast<Field>(f), s.levels[f], im.weights[f][idx(s.levels[f])], {}, {}};
      switch (static_cast<Field>(f)) {
        case Field::kCodiceFiscale:
          if (q.n.cf_state != CfState::kNone) fs.query_value.assign(q.n.cf.data(), 16);
          if (e.cf_state != CfState::kNone) fs.candidate_value.assign(e.cf.data(), 16);
          break;
        case Field::kForeignCode: fs.query_value = q.n.foreign; fs.candidate_value = im.pool.view(e.foreign); break;
        case Field::kFamilyName: fs.query_value = q.n.family; fs.candidate_value = im.pool.view(e.family); break;
        case Field::kGivenName: fs.query_value = q.n.given; fs.candidate_value = im.pool.view(e.given); break;
        case Field::kBirthDate: fs.query_value = dateText(q.n.birth); fs.candidate_value = dateText(e.birth); break;
        case Field::kSex:
          if (q.n.sex != 0) fs.query_value = std::string(1, q.n.sex);
          if (e.sex != 0) fs.candidate_value = std::string(1, e.sex);
          break;
        case Field::kBirthPlace: fs.query_value = q.n.place; fs.candidate_value = im.pool.view(e.place); break;
        case Field::kAddress: fs.query_value = q.n.address; fs.candidate_value = im.pool.view(e.address); break;
        case Field::kPhone: fs.query_value = phoneText(q.n.phone); fs.candidate_value = phoneText(e.phone); break;
      }
      c.fields.push_back(std::move(fs));
    }
    return c;
  };

  if (scored.empty()) {
    d.outcome = Outcome::kNew;
    d.reason = "no candidate shares a blocking key";
    return d;
  }
  d.best = explainScore(scored[0]);
  d.person = scored[0].person;
  for (std::size_t i = 1; i < scored.size() && i <= config_.runners_up; ++i) d.runners_up.push_back(explainScore(scored[i]));
  const Scored& top = scored[0];
  char buf[200];

  // 1. Deterministic: the same valid codice fiscale (omocodia resolved).
  if (q.n.cf_state == CfState::kValid) {
    std::vector<PersonId> holders;
    for (const Scored& s : scored) {
      if (s.levels[idx(Field::kCodiceFiscale)] == Level::kExact) holders.push_back(s.person);
    }
    if (holders.size() > 1) {
      d.outcome = Outcome::kReview;
      d.deterministic = true;
      d.reason = "codice fiscale held by " + std::to_string(holders.size()) + " persons in the index";
      return d;
    }
    if (holders.size() == 1) {
      const auto it = std::find_if(scored.begin(), scored.end(), [&](const Scored& s) { return s.person == holders[0]; });
      const double rest = it->total - im.weights[idx(Field::kCodiceFiscale)][idx(Level::kExact)];
      d.deterministic = true;
      if (it != scored.begin()) {
        d.runners_up.insert(d.runners_up.begin(), *d.best);
        if (d.runners_up.size() > config_.runners_up) d.runners_up.pop_back();
        d.best = explainScore(*it);
        d.person = it->person;
      }
      if (rest < config_.cf_conflict_floor) {
        d.outcome = Outcome::kReview;
        std::snprintf(buf, sizeof buf, "same codice fiscale, but the other fields total %.2f < %.2f (code of someone else?)",
                      rest, config_.cf_conflict_floor);
        d.reason = buf;
        return d;
      }
      d.outcome = Outcome::kLink;
      std::snprintf(buf, sizeof buf, "same codice fiscale (omocodia resolved); other fields total %.2f", rest);
      d.reason = buf;
      return d;
    }
  }

  // 2. Probabilistic.
  if (top.total < config_.review_threshold) {
    d.outcome = Outcome::kNew;
    std::snprintf(buf, sizeof buf, "best total %.2f below review threshold %.2f", top.total, config_.review_threshold);
    d.reason = buf;
    return d;
  }
  if (top.total < config_.link_threshold) {
    d.outcome = Outcome::kReview;
    std::snprintf(buf, sizeof buf, "best total %.2f between review %.2f and link %.2f", top.total, config_.review_threshold,
                  config_.link_threshold);
    d.reason = buf;
    return d;
  }
  for (Field f : config_.link_requires) {
    if (top.levels[idx(f)] != Level::kDisagree) continue;
    d.outcome = Outcome::kReview;
    std::snprintf(buf, sizeof buf, "total %.2f over link threshold but %s disagrees (twin or relative?)", top.total,
                  fieldName(f));
    d.reason = buf;
    return d;
  }
  if (scored.size() > 1 && scored[1].total >= config_.link_threshold &&
      top.total - scored[1].total < config_.ambiguity_margin) {
    d.outcome = Outcome::kReview;
    std::snprintf(buf, sizeof buf, "ambiguous: persons %u and %u total %.2f and %.2f (margin %.2f)", top.person,
                  scored[1].person, top.total, scored[1].total, config_.ambiguity_margin);
    d.reason = buf;
    return d;
  }
  d.outcome = Outcome::kLink;
  std::snprintf(buf, sizeof buf, "total %.2f >= link threshold %.2f", top.total, config_.link_threshold);
  d.reason = buf;
  return d;
}

}  // namespace raccordo::identity
