#include "gateway/synth/synth.h"

#include <algorithm>
#include <array>
#include <fstream>
#include <optional>
#include <string_view>
#include <system_error>
#include <unordered_set>
#include <utility>

#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "gateway/identity/codice_fiscale.h"
#include "gateway/synth/names.h"
#include "gateway/synth/synth_ats.h"
#include "gateway/synth/synth_common.h"
#include "gateway/synth/synth_gp.h"

namespace raccordo::synth {

namespace {

namespace fs = std::filesystem;
using namespace std::string_view_literals;

using namespace detail;  // Rng, the calendar and the ATS generator

/// A birth day for someone who is `age` full years old on the reference day.
int birthDayForAge(Rng& rng, int age) {
  const int latest = daysFromCivil(kReferenceYear - age, 11, 1);
  const int earliest = daysFromCivil(kReferenceYear - age - 1, 11, 2);
  return rng.range(earliest, latest);
}

/// The day someone born on `birth` turns `years` old (Feb 29 -> Mar 1).
int anniversary(int birth, int years) {
  const Ymd b = civilFromDays(birth);
  if (b.month == 2 && b.day == 29) return daysFromCivil(b.year + years, 3, 1);
  return daysFromCivil(b.year + years, b.month, b.day);
}

// ---------------------------------------------------------------------------
// The record model, emitted with RapidJSON in the key order of the format.

struct Address {
  std::string line;
  std::string postal_code;
  int municipio = 1;
};

struct Contact {
  std::string_view type;
  std::string value;
};

struct Person {
  std::string family_name;
  std::string given_name;
  char sex = 'M';
  int birth = 0;  // days since 1970-01-01
  data::Place birth_place;
};

struct Member {
  Person person;
  bool has_code = false;       // SISA knows the member's codice fiscale
  std::string codice_fiscale;  // assigned once the citizen's code is
  bool with_demographics = true;
  std::string_view relationship;
};

struct Household {
  std::string id;
  std::vector<Member> members;
  bool citizen_is_head = true;
};

struct SocialWorker {
  std::string id;
  std::string family_name;
  std::string given_name;
  std::string phone;
  int municipio = 1;
};

struct Case {
  std::string id;
  std::string_view area;
  std::string_view status;
  int opened = 0;
  std::optional<int> closed;
  const SocialWorker* worker = nullptr;
  std::string office_code;
  std::string office_name;
  std::string_view notes;  // empty: none
};

struct Service {
  std::string id;
  std::string case_id;
  std::string_view type;
  std::string_view status;
  int start = 0;
  std::optional<int> end;
  std::optional<int> hours_per_week;
  std::optional<int64_t> amount_cents;
  std::string_view amount_period;
  std::string_view funding;
  const data::Provider* provider = nullptr;
};

struct Isee {
  std::string_view type;
  int64_t value_cents = 0;
  int issued = 0;
  int expires = 0;
  std::string protocol;  // empty: none
};

struct Instrument {
  std::string_view code;
  int score = 0;
};

struct Plan {
  std::string id;
  std::string_view title;
  std::vector<std::string_view> goals;
  int review_date = 0;
};

struct Assessment {
  std::string id;
  std::string case_id;  // empty: none
  int date = 0;
  std::string team;
  std::vector<Instrument> instruments;
  std::string_view outcome;
  std::optional<Plan> plan;
};

struct Record {
  std::string person_id;
  std::string message_id;
  std::string exported_at;
  std::string citizen_id;
  std::string codice_fiscale;
  Person citizen;
  std::string citizenship;  // empty: none
  Address residence;
  std::optional<Address> domicile;
  std::vector<Contact> contacts;
  std::optional<Household> household;
  std::vector<Case> cases;
  std::vector<Service> services;
  std::vector<Isee> isee;
  std::vector<Assessment> assessments;
};

template <typename W>
void putString(W& w, std::string_view s) {
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

template <typename W>
void putKey(W& w, std::string_view s) {
  w.Key(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

template <typename W>
void putField(W& w, std::string_view key, std::string_view value) {
  putKey(w, key);
  putString(w, value);
}

template <typename W>
void putAmount(W& w, int64_t cents) {
  // cents / 100.0 is correctly rounded IEEE arithmetic: the same double, and
  // the same shortest decimal, everywhere.
  w.Double(static_cast<double>(cents) / 100.0);
}

template <typename W>
void putAddress(W& w, const Address& a) {
  w.StartObject();
  putField(w, "line", a.line);
  putField(w, "city", "Milano");
  putField(w, "cadastral_code", data::kMilanCode);
  putField(w, "postal_code", a.postal_code);
  putField(w, "province", "MI");
  w.EndObject();
}

template <typename W>
void putRecord(W& w, const Record& r) {
  w.StartObject();
  putField(w, "format", "raccordo.sisa/1");
  putField(w, "message_id", r.message_id);
  putField(w, "exported_at", r.exported_at);
  putKey(w, "source");
  w.StartObject();
  putField(w, "system", "SISA");
  putField(w, "office", "MUN" + std::to_string(r.residence.municipio));
  w.EndObject();

  putKey(w, "citizen");
  w.StartObject();
  putField(w, "id", r.citizen_id);
  putField(w, "codice_fiscale", r.codice_fiscale);
  putField(w, "family_name", r.citizen.family_name);
  putField(w, "given_name", r.citizen.given_name);
  putField(w, "sex", std::string_view(&r.citizen.sex, 1));
  putField(w, "birth_date", isoDate(r.citizen.birth));
  putKey(w, "birth_place");
  w.StartObject();
  putField(w, "cadastral_code", r.citizen.birth_place.cadastral_code);
  putField(w, "name", r.citizen.birth_place.name);
  w.EndObject();
  if (!r.citizenship.empty()) putField(w, "citizenship", r.citizenship);
  putKey(w, "residence");
  putAddress(w, r.residence);
  if (r.domicile) {
    putKey(w, "domicile");
    putAddress(w, *r.domicile);
  }
  if (!r.contacts.empty()) {
    putKey(w, "contacts");
    w.StartArray();
    for (const Contact& c : r.contacts) {
      w.StartObject();
      putField(w, "type", c.type);
      putField(w, "value", c.value);
      w.EndObject();
    }
    w.EndArray();
  }
  w.EndObject();

  if (r.household) {
    const Household& h = *r.household;
    putKey(w, "household");
    w.StartObject();
    putField(w, "id", h.id);
    putKey(w, "members");
    w.StartArray();
    for (const Member& m : h.members) {
      w.StartObject();
      if (!m.codice_fiscale.empty()) putField(w, "codice_fiscale", m.codice_fiscale);
      putField(w, "family_name", m.person.family_name);
      putField(w, "given_name", m.person.given_name);
      if (m.with_demographics) {
        putField(w, "sex", std::string_view(&m.person.sex, 1));
        putField(w, "birth_date", isoDate(m.person.birth));
      }
      putField(w, "relationship", m.relationship);
      w.EndObject();
    }
    w.EndArray();
    putKey(w, "citizen_is_head");
    w.Bool(h.citizen_is_head);
    w.EndObject();
  }

  putKey(w, "cases");
  w.StartArray();
  for (const Case& c : r.cases) {
    w.StartObject();
    putField(w, "id", c.id);
    putField(w, "area", c.area);
    putField(w, "status", c.status);
    putField(w, "opened", isoDate(c.opened));
    if (c.closed) putField(w, "closed", isoDate(*c.closed));
    putKey(w, "social_worker");
    w.StartObject();
    putField(w, "id", c.worker->id);
    putField(w, "family_name", c.worker->family_name);
    putField(w, "given_name", c.worker->given_name);
    putField(w, "phone", c.worker->phone);
    w.EndObject();
    putKey(w, "office");
    w.StartObject();
    putField(w, "code", c.office_code);
    putField(w, "name", c.office_name);
    w.EndObject();
    if (!c.notes.empty()) putField(w, "notes", c.notes);
    w.EndObject();
  }
  w.EndArray();

  putKey(w, "services");
  w.StartArray();
  for (const Service& s : r.services) {
    w.StartObject();
    putField(w, "id", s.id);
    putField(w, "case_id", s.case_id);
    putField(w, "type", s.type);
    putField(w, "status", s.status);
    putField(w, "start", isoDate(s.start));
    if (s.end) putField(w, "end", isoDate(*s.end));
    if (s.hours_per_week) {
      putKey(w, "hours_per_week");
      w.Int(*s.hours_per_week);
    }
    if (s.amount_cents) {
      putKey(w, "amount_eur");
      putAmount(w, *s.amount_cents);
      putField(w, "amount_period", s.amount_period);
    }
    putField(w, "funding", s.funding);
    if (s.provider != nullptr) {
      putKey(w, "provider");
      w.StartObject();
      putField(w, "code", s.provider->code);
      putField(w, "name", s.provider->name);
      w.EndObject();
    }
    w.EndObject();
  }
  w.EndArray();

  if (!r.isee.empty()) {
    putKey(w, "isee");
    w.StartArray();
    for (const Isee& i : r.isee) {
      w.StartObject();
      putField(w, "type", i.type);
      putKey(w, "value_eur");
      putAmount(w, i.value_cents);
      putField(w, "issued", isoDate(i.issued));
      putField(w, "expires", isoDate(i.expires));
      if (!i.protocol.empty()) putField(w, "protocol", i.protocol);
      w.EndObject();
    }
    w.EndArray();
  }

  if (!r.assessments.empty()) {
    putKey(w, "assessments");
    w.StartArray();
    for (const Assessment& a : r.assessments) {
      w.StartObject();
      putField(w, "id", a.id);
      if (!a.case_id.empty()) putField(w, "case_id", a.case_id);
      putField(w, "date", isoDate(a.date));
      putField(w, "team", a.team);
      putKey(w, "instruments");
      w.StartArray();
      for (const Instrument& i : a.instruments) {
        w.StartObject();
        putField(w, "code", i.code);
        putKey(w, "score");
        w.Int(i.score);
        w.EndObject();
      }
      w.EndArray();
      putField(w, "outcome", a.outcome);
      if (a.plan) {
        putKey(w, "plan");
        w.StartObject();
        putField(w, "id", a.plan->id);
        putField(w, "title", a.plan->title);
        putKey(w, "goals");
        w.StartArray();
        for (std::string_view g : a.plan->goals) putString(w, g);
        w.EndArray();
        putField(w, "review_date", isoDate(a.plan->review_date));
        w.EndObject();
      }
      w.EndObject();
    }
    w.EndArray();
  }
  w.EndObject();
}

std::string compactJson(const Record& r) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  putRecord(writer, r);
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::string prettyJson(const Record& r) {
  rapidjson::StringBuffer buffer;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> writer(buffer);
  writer.SetIndent(' ', 2);
  putRecord(writer, r);
  std::string out(buffer.GetString(), buffer.GetSize());
  out += '\n';
  return out;
}

// ---------------------------------------------------------------------------
// Fixed pools shared by all seeds: social workers and ASST names.

const std::vector<SocialWorker>& socialWorkers() {
  static const std::vector<SocialWorker> pool = [] {
    std::vector<SocialWorker> out;
    Rng rng(0x5A5A2026ULL, 0);  // fixed: the pool is the same for every seed
    for (int i = 0; i < 30; ++i) {
      SocialWorker w;
      w.id = "AS" + padded(static_cast<uint64_t>(i) + 1, 4);
      w.family_name = std::string(rng.pick(data::italianFamilyNames()));
      const bool female = rng.chance(80);
      for (;;) {
        const data::GivenName& g =
            rng.pick(female ? data::italianFemaleNames() : data::italianMaleNames());
        if ((g.generations & data::kBorn1960To1989) != 0) {
          w.given_name = std::string(g.name);
          break;
        }
      }
      w.phone = "02 884 " + padded(static_cast<uint64_t>(rng.range(40000, 69999)), 5);
      w.municipio = i % 9 + 1;
      out.push_back(std::move(w));
    }
    return out;
  }();
  return pool;
}

std::string_view asstFor(int municipio) {
  switch (municipio) {
    case 2:
    case 9: return "ASST Grande Ospedale Metropolitano Niguarda";
    case 5:
    case 6:
    case 7: return "ASST Santi Paolo e Carlo";
    default: return "ASST Fatebenefratelli Sacco";
  }
}

/// Lower-case ASCII letters and digits of a UTF-8 name, for e-mail addresses.
std::string asciiFold(std::string_view s) {
  // Base letters for U+00C0..U+00FF; '-' drops the character.
  static constexpr std::string_view kLatin1 = "aaaaaaaceeeeiiiidnooooo-ouuuuy--aaaaaaaceeeeiiiidnooooo-ouuuuy-y";
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if (c >= 'A' && c <= 'Z') out += static_cast<char>(c - 'A' + 'a');
      else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) out += static_cast<char>(c);
      continue;
    }
    // Two-byte sequences cover the accented Latin letters of our names;
    // anything else is dropped with its continuation bytes.
    if ((c & 0xE0) == 0xC0 && i + 1 < s.size()) {
      const unsigned cp = ((c & 0x1Fu) << 6) | (static_cast<unsigned char>(s[i + 1]) & 0x3Fu);
      char base = '-';
      if (cp >= 0xC0 && cp <= 0xFF) base = kLatin1[cp - 0xC0];
      else if (cp == 0x103) base = 'a';                 // ă
      else if (cp == 0x218 || cp == 0x219) base = 's';  // Ș ș
      else if (cp == 0x21A || cp == 0x21B) base = 't';  // Ț ț
      if (base != '-') out += base;
    }
    while (i + 1 < s.size() && (static_cast<unsigned char>(s[i + 1]) & 0xC0) == 0x80) ++i;
  }
  return out;
}

// ---------------------------------------------------------------------------
// The generator.

enum class Profile { kElderly, kDisability, kMinorsFamilies, kAdultsHardship, kMentalHealth };

constexpr std::array<int, 5> kProfileWeights = {35, 15, 20, 20, 10};
// Percent of citizens of each profile who come from a family of foreign origin.
constexpr std::array<int, 5> kForeignPercent = {3, 7, 16, 22, 7};

std::string_view areaOf(Profile p) {
  switch (p) {
    case Profile::kElderly: return "elderly";
    case Profile::kDisability: return "disability";
    case Profile::kMinorsFamilies: return "minors_families";
    case Profile::kAdultsHardship: return "adults_hardship";
    case Profile::kMentalHealth: return "mental_health";
  }
  return "elderly";
}

std::span<const std::string_view> serviceTypesFor(std::string_view area) {
  static constexpr std::array kElderly = {"SAD"sv, "MEALS"sv, "TELEALARM"sv, "FNA_B2"sv};
  static constexpr std::array kDisability = {"DAY_CENTRE"sv, "DOPO_DI_NOI"sv, "FNA_B2"sv};
  static constexpr std::array kMinors = {"EDUCATIONAL"sv, "VOUCHER"sv, "INCOME_SUPPORT"sv};
  static constexpr std::array kHardship = {"INCOME_SUPPORT"sv, "HOUSING"sv};
  static constexpr std::array kMental = {"DAY_CENTRE"sv, "EDUCATIONAL"sv};
  if (area == "elderly") return kElderly;
  if (area == "disability") return kDisability;
  if (area == "minors_families") return kMinors;
  if (area == "adults_hardship") return kHardship;
  return kMental;
}

const data::Place kMilan{data::kMilanCode, "Milano"};

class Generator {
 public:
  explicit Generator(uint64_t seed) : seed_(seed) {}

  Record next(int index);

 private:
  const data::Nationality* pickNationality(Rng& rng);
  std::string familyName(Rng& rng, const data::Nationality* nat);
  std::string givenName(Rng& rng, char sex, int birth, const data::Nationality* nat);
  data::Place birthPlace(Rng& rng, int birth, const data::Nationality* nat);
  Person makePerson(Rng& rng, char sex, int birth, std::string family, const data::Nationality* nat);
  std::string assignCodiceFiscale(Person& person);
  void addMember(Rng& rng, Household& h, Person person, std::string_view relationship);
  void addChildren(Rng& rng, Household& h, int parentAge, int maxChildAge, int count, const std::string& family,
                   const data::Nationality* nat);
  Household makeHousehold(Rng& rng, Profile profile, int age, Person& citizen, const data::Nationality* nat);
  void makeContacts(Rng& rng, Record& r, Profile profile, int age);
  void makeCases(Rng& rng, Record& r, Profile profile, int age, uint64_t number);
  void makeServices(Rng& rng, Record& r, uint64_t number);
  void makeIsee(Rng& rng, Record& r, Profile profile, int age);
  void makeAssessments(Rng& rng, Record& r, Profile profile, int age, uint64_t number);

  uint64_t seed_;
  std::unordered_set<std::string> used_codes_;  // lookups only, never iterated
};

const data::Nationality* Generator::pickNationality(Rng& rng) {
  const auto all = data::nationalities();
  std::array<int, 16> weights{};
  for (std::size_t i = 0; i < all.size() && i < weights.size(); ++i) weights[i] = all[i].weight;
  return &all[rng.weighted(std::span<const int>(weights.data(), all.size()))];
}

std::string Generator::familyName(Rng& rng, const data::Nationality* nat) {
  return std::string(nat != nullptr ? rng.pick(nat->family_names) : rng.pick(data::italianFamilyNames()));
}

std::string Generator::givenName(Rng& rng, char sex, int birth, const data::Nationality* nat) {
  if (nat != nullptr) {
    return std::string(rng.pick(sex == 'F' ? nat->female_names : nat->male_names));
  }
  const int year = yearOf(birth);
  const int generation = year < 1960   ? data::kBornBefore1960
                         : year < 1990 ? data::kBorn1960To1989
                                       : data::kBornFrom1990;
  const auto names = sex == 'F' ? data::italianFemaleNames() : data::italianMaleNames();
  for (;;) {  // every generation has many names, so this ends quickly
    const data::GivenName& g = rng.pick(names);
    if ((g.generations & generation) != 0) return std::string(g.name);
  }
}

data::Place Generator::birthPlace(Rng& rng, int birth, const data::Nationality* nat) {
  const int year = yearOf(birth);
  if (nat != nullptr) {
    // Children of immigrant families are often born in Milan.
    if (year >= 2000 && rng.chance(60)) return kMilan;
    return nat->birth_place;
  }
  const bool older = year < 1960;
  if (rng.chance(older ? 40 : 65)) return kMilan;
  if (rng.chance(older ? 40 : 70)) return rng.pick(data::lombardPlaces());
  return rng.pick(data::otherItalianPlaces());
}

Person Generator::makePerson(Rng& rng, char sex, int birth, std::string family, const data::Nationality* nat) {
  Person p;
  p.sex = sex;
  p.birth = std::min(birth, kReferenceDay);
  p.family_name = std::move(family);
  p.given_name = givenName(rng, sex, p.birth, nat);
  p.birth_place = birthPlace(rng, p.birth, nat);
  return p;
}

std::string Generator::assignCodiceFiscale(Person& person) {
  // Two people with the same canonical code would be one person to any
  // matcher, so on a clash the birth day moves back until the code is free.
  for (;;) {
    const Ymd d = civilFromDays(person.birth);
    identity::CfPerson cf;
    cf.family_name = person.family_name;
    cf.given_name = person.given_name;
    cf.sex = person.sex == 'F' ? identity::Sex::kFemale : identity::Sex::kMale;
    cf.year = d.year;
    cf.month = d.month;
    cf.day = d.day;
    cf.birth_place_code = std::string(person.birth_place.cadastral_code);
    std::string code = identity::computeCodiceFiscale(cf);
    if (used_codes_.insert(code).second) return code;
    --person.birth;
  }
}

void Generator::addMember(Rng& rng, Household& h, Person person, std::string_view relationship) {
  if (h.members.size() >= 5) return;
  Member m;
  m.person = std::move(person);
  m.relationship = relationship;
  m.has_code = rng.chance(55);
  m.with_demographics = m.has_code || rng.chance(70);
  h.members.push_back(std::move(m));
}

void Generator::addChildren(Rng& rng, Household& h, int parentAge, int maxChildAge, int count,
                            const std::string& family, const data::Nationality* nat) {
  // Born when the parent was 18..45.
  const int youngest = std::max(0, parentAge - 45);
  const int oldest = std::max(youngest, std::min(maxChildAge, parentAge - 18));
  for (int i = 0; i < count; ++i) {
    const int age = rng.range(youngest, oldest);
    const char sex = rng.chance(50) ? 'M' : 'F';
    addMember(rng, h, makePerson(rng, sex, birthDayForAge(rng, age), family, nat), "child");
  }
}

Household Generator::makeHousehold(Rng& rng, Profile profile, int age, Person& citizen,
                                   const data::Nationality* nat) {
  Household h;
  const char other = citizen.sex == 'M' ? 'F' : 'M';
  auto ageAround = [&](int base, int lo, int hi, int minimum) {
    return std::max(minimum, base + rng.range(lo, hi));
  };
  switch (profile) {
    case Profile::kElderly: {
      const int r = rng.range(0, 99);
      if (r >= 45 && r < 92) {
        if (r < 80) {
          addMember(rng, h,
                    makePerson(rng, other, birthDayForAge(rng, ageAround(age, -6, 6, 60)), familyName(rng, nat), nat),
                    "spouse");
        }
        if (r >= 80 || rng.chance(20)) {
          const std::string family = citizen.sex == 'M' ? citizen.family_name : familyName(rng, nat);
          const char sex = rng.chance(50) ? 'M' : 'F';
          addMember(rng, h, makePerson(rng, sex, birthDayForAge(rng, ageAround(age, -40, -24, 25)), family, nat),
                    "child");
        }
      } else if (r >= 92) {
        // A live-in carer (badante), usually a woman from abroad.
        static constexpr std::array<std::size_t, 4> kCarerOrigins = {0, 3, 4, 7};  // ROU, PER, PHL, UKR
        const data::Nationality* carer =
            &data::nationalities()[rng.pick(std::span<const std::size_t>(kCarerOrigins))];
        addMember(rng, h,
                  makePerson(rng, 'F', birthDayForAge(rng, rng.range(40, 64)), familyName(rng, carer), carer),
                  "cohabitant");
      }
      if (rng.chance(5)) {
        addMember(rng, h,
                  makePerson(rng, rng.chance(50) ? 'M' : 'F', birthDayForAge(rng, rng.range(18, 30)),
                             familyName(rng, nat), nat),
                  "grandchild");
      }
      h.citizen_is_head = true;
      break;
    }
    case Profile::kDisability:
    case Profile::kMentalHealth: {
      const bool withParents = age < 45 ? rng.chance(profile == Profile::kDisability ? 85 : 50) : rng.chance(10);
      if (withParents && age < 60) {
        const int motherAge = age + rng.range(20, 38);
        addMember(rng, h, makePerson(rng, 'F', birthDayForAge(rng, motherAge), familyName(rng, nat), nat), "parent");
        if (rng.chance(70)) {
          addMember(rng, h,
                    makePerson(rng, 'M', birthDayForAge(rng, motherAge + rng.range(-2, 6)), citizen.family_name, nat),
                    "parent");
        }
        if (rng.chance(30)) {
          addMember(rng, h,
                    makePerson(rng, rng.chance(50) ? 'M' : 'F', birthDayForAge(rng, ageAround(age, -8, 8, 0)),
                               citizen.family_name, nat),
                    "sibling");
        }
        h.citizen_is_head = false;
      } else {
        const int r = rng.range(0, 99);
        if (r < 30) {
          addMember(rng, h,
                    makePerson(rng, other, birthDayForAge(rng, ageAround(age, -6, 6, 18)), familyName(rng, nat), nat),
                    rng.chance(70) ? "spouse" : "partner");
        } else if (r < 50) {
          addMember(rng, h,
                    makePerson(rng, rng.chance(50) ? 'M' : 'F', birthDayForAge(rng, ageAround(age, -8, 8, 18)),
                               citizen.family_name, nat),
                    "sibling");
        }
        h.citizen_is_head = true;
      }
      break;
    }
    case Profile::kMinorsFamilies: {
      if (age < 18) {
        // The citizen is the child; parents and siblings live with them.
        const int motherAge = age + rng.range(20, 42);
        const bool father = rng.chance(60);
        addMember(rng, h, makePerson(rng, 'F', birthDayForAge(rng, motherAge), familyName(rng, nat), nat), "parent");
        if (father) {
          addMember(rng, h,
                    makePerson(rng, 'M', birthDayForAge(rng, motherAge + rng.range(-2, 8)), citizen.family_name, nat),
                    "parent");
        } else if (rng.chance(50)) {
          citizen.family_name = h.members.back().person.family_name;  // recognised by the mother only
        }
        const int siblings = rng.range(0, 2);
        for (int i = 0; i < siblings; ++i) {
          addMember(rng, h,
                    makePerson(rng, rng.chance(50) ? 'M' : 'F',
                               birthDayForAge(rng, std::clamp(age + rng.range(-6, 6), 0, motherAge - 18)),
                               citizen.family_name, nat),
                    "sibling");
        }
        h.citizen_is_head = false;
      } else {
        // The citizen is a parent.
        std::string childrenName = citizen.family_name;
        if (rng.chance(70)) {
          std::string partnerName = familyName(rng, nat);
          if (citizen.sex == 'F') childrenName = partnerName;
          addMember(rng, h,
                    makePerson(rng, other, birthDayForAge(rng, ageAround(age, -5, 7, 18)), partnerName, nat),
                    rng.chance(60) ? "spouse" : "partner");
        } else if (citizen.sex == 'F' && rng.chance(60)) {
          childrenName = familyName(rng, nat);  // the absent father's surname
        }
        addChildren(rng, h, age, 17, rng.range(1, 3), childrenName, nat);
        if (rng.chance(8)) {
          addMember(rng, h,
                    makePerson(rng, rng.chance(60) ? 'F' : 'M', birthDayForAge(rng, age + rng.range(22, 35)),
                               familyName(rng, nat), nat),
                    "grandparent");
        }
        h.citizen_is_head = true;
      }
      break;
    }
    case Profile::kAdultsHardship: {
      const int r = rng.range(0, 99);
      std::string childrenName = citizen.sex == 'M' ? citizen.family_name : familyName(rng, nat);
      if (r < 40) {
        // alone
      } else if (r < 65) {
        addChildren(rng, h, age, 30, rng.range(1, 3), childrenName, nat);
      } else if (r < 85) {
        std::string partnerName = citizen.sex == 'F' ? childrenName : familyName(rng, nat);
        addMember(rng, h,
                  makePerson(rng, other, birthDayForAge(rng, ageAround(age, -5, 7, 18)), partnerName, nat),
                  rng.chance(60) ? "spouse" : "partner");
        addChildren(rng, h, age, 30, rng.range(1, 3), childrenName, nat);
      } else {
        addMember(rng, h,
                  makePerson(rng, rng.chance(50) ? 'M' : 'F', birthDayForAge(rng, rng.range(20, 60)),
                             familyName(rng, nat), nat),
                  rng.chance(50) ? "cohabitant" : "other_relative");
      }
      h.citizen_is_head = r < 85 || rng.chance(50);
      break;
    }
  }
  return h;
}

void Generator::makeContacts(Rng& rng, Record& r, Profile profile, int age) {
  static constexpr std::array kMobilePrefixes = {"320"sv, "328"sv, "329"sv, "331"sv, "333"sv, "334"sv,
                                                 "335"sv, "338"sv, "339"sv, "340"sv, "345"sv, "347"sv,
                                                 "348"sv, "349"sv, "366"sv, "371"sv, "380"sv, "388"sv,
                                                 "389"sv, "391"sv, "392"sv, "393"sv};
  static constexpr std::array kMailDomains = {"example.com"sv, "example.org"sv, "example.net"sv};
  const bool elderly = profile == Profile::kElderly;
  if (rng.chance(elderly ? 60 : 90)) {
    r.contacts.push_back({"mobile", "+39 " + std::string(rng.pick(std::span<const std::string_view>(kMobilePrefixes))) +
                                        " " + padded(static_cast<uint64_t>(rng.range(1000000, 9999999)), 7)});
  }
  if (rng.chance(elderly ? 55 : 15)) {
    r.contacts.push_back({"phone", "02 " + padded(static_cast<uint64_t>(rng.range(2000, 9999)), 4) + " " +
                                       padded(static_cast<uint64_t>(rng.range(0, 9999)), 4)});
  }
  const std::string local = asciiFold(r.citizen.given_name) + "." + asciiFold(r.citizen.family_name);
  if (age >= 14 && rng.chance(elderly ? 10 : 45)) {
    std::string value = local;
    if (rng.chance(50)) value += padded(static_cast<uint64_t>(yearOf(r.citizen.birth) % 100), 2);
    value += "@" + std::string(rng.pick(std::span<const std::string_view>(kMailDomains)));
    r.contacts.push_back({"email", std::move(value)});
  }
  if (age >= 18 && !elderly && rng.chance(3)) r.contacts.push_back({"pec", local + "@pec.example.org"});
}

void Generator::makeCases(Rng& rng, Record& r, Profile profile, int age, uint64_t number) {
  const std::string_view primary = areaOf(profile);
  const int municipio = r.residence.municipio;
  std::vector<const SocialWorker*> workers;
  for (const SocialWorker& w : socialWorkers()) {
    if (w.municipio == municipio) workers.push_back(&w);
  }

  std::vector<std::string_view> related;
  switch (profile) {
    case Profile::kElderly: related = {"adults_hardship", "disability"}; break;
    case Profile::kDisability: related = {"mental_health", "adults_hardship"}; break;
    case Profile::kMinorsFamilies:
      related = age < 18 ? std::vector<std::string_view>{"disability"}
                         : std::vector<std::string_view>{"adults_hardship", "mental_health"};
      break;
    case Profile::kAdultsHardship: related = {"mental_health", "minors_families"}; break;
    case Profile::kMentalHealth: related = {"adults_hardship", "disability"}; break;
  }

  // Cases open once the person is old enough for the area, and not before 2015.
  const int areaAge = profile == Profile::kElderly ? 65 : profile == Profile::kMinorsFamilies ? 0 : 18;
  const int earliest = std::clamp(anniversary(r.citizen.birth, std::min(age, areaAge)), kEarliestDay,
                                  kReferenceDay - 60);
  static constexpr std::array kCaseCounts = {60, 30, 10};
  const int count = static_cast<int>(rng.weighted(kCaseCounts)) + 1;
  for (int j = 0; j < count; ++j) {
    Case c;
    c.id = "K" + std::to_string(number) + "-" + std::to_string(j + 1);
    c.area = j == 0 || rng.chance(50) ? primary : rng.pick(std::span<const std::string_view>(related));
    const int s = rng.range(0, 99);
    if (j == 0) {
      c.status = s < 80 ? "active"sv : s < 88 ? "suspended"sv : "closed"sv;
    } else {
      c.status = s < 60 ? "closed"sv : s < 90 ? "active"sv : "suspended"sv;
    }
    c.opened = rng.range(earliest, kReferenceDay - 7);
    if (c.status == "closed") c.closed = rng.range(std::min(c.opened + 30, kReferenceDay), kReferenceDay);
    c.worker = workers[static_cast<std::size_t>(rng.below(workers.size()))];
    const std::string mun = "MUN" + std::to_string(municipio);
    const std::string territorial = "Servizio Sociale Professionale Territoriale Municipio " + std::to_string(municipio);
    if (c.area == "disability") {
      c.office_code = mun + "-DIS";
      c.office_name = "Servizio Disabilità Municipio " + std::to_string(municipio);
    } else if (c.area == "mental_health") {
      c.office_code = mun + "-SM";
      c.office_name = "Servizio Fragilità e Salute Mentale Municipio " + std::to_string(municipio);
    } else if (c.area == "minors_families") {
      c.office_code = mun + "-SSM";
      c.office_name = territorial + " - Minori e Famiglie";
    } else {
      c.office_code = mun + "-SS";
      c.office_name = territorial;
    }
    if (rng.chance(40)) c.notes = rng.pick(data::caseNotes(c.area));
    r.cases.push_back(std::move(c));
  }
}

void fillServiceDetails(Rng& rng, Service& s) {
  const auto& providers = data::providers();
  auto euros = [&](int lo, int hi) {
    return int64_t{rng.range(lo, hi)} * 100 + (rng.chance(30) ? rng.range(0, 99) : 0);
  };
  auto amount = [&](int64_t cents, std::string_view period) {
    s.amount_cents = cents;
    s.amount_period = period;
  };
  const std::string_view t = s.type;
  const int f = rng.range(0, 99);
  if (t == "SAD") {
    s.hours_per_week = rng.range(2, 14);
    s.funding = f < 70 ? "municipal"sv : f < 85 ? "FNA"sv : "user_copayment"sv;
    if (s.funding == "user_copayment") amount(euros(20, 150), "month");
    s.provider = &rng.pick(providers);
  } else if (t == "MEALS") {
    s.funding = f < 85 ? "municipal"sv : "user_copayment"sv;
    if (s.funding == "user_copayment") amount(euros(30, 120), "month");
    s.provider = &rng.pick(providers);
  } else if (t == "TELEALARM") {
    s.funding = f < 80 ? "municipal"sv : "regional"sv;
    s.provider = &rng.pick(providers);
  } else if (t == "FNA_B2") {
    static constexpr std::array kMonthly = {400, 500, 600, 800};
    s.funding = "FNA";
    amount(int64_t{rng.pick(std::span<const int>(kMonthly))} * 100, "month");
  } else if (t == "DAY_CENTRE") {
    s.hours_per_week = rng.range(15, 35);
    s.funding = f < 60 ? "regional"sv : "municipal"sv;
    s.provider = &rng.pick(providers);
  } else if (t == "DOPO_DI_NOI") {
    s.funding = "L112_2016";
    if (rng.chance(60)) amount(euros(300, 700), "month");
    else s.hours_per_week = rng.range(6, 20);
    if (rng.chance(70)) s.provider = &rng.pick(providers);
  } else if (t == "INCOME_SUPPORT") {
    s.funding = f < 40 ? "national"sv : f < 85 ? "municipal"sv : "ESF"sv;
    if (s.funding == "municipal" && rng.chance(50)) amount(euros(300, 1500), "once");
    else amount(euros(150, 650), "month");
  } else if (t == "VOUCHER") {
    s.funding = f < 40 ? "ESF"sv : f < 70 ? "regional"sv : "municipal"sv;
    if (rng.chance(70)) amount(euros(150, 1500), "once");
    else amount(euros(500, 3000), "year");
    if (rng.chance(40)) s.provider = &rng.pick(providers);
  } else if (t == "HOUSING") {
    s.funding = f < 60 ? "municipal"sv : "regional"sv;
    if (rng.chance(65)) amount(euros(150, 500), "month");
    else amount(euros(1000, 3600), "once");
  } else {  // EDUCATIONAL
    s.hours_per_week = rng.range(2, 10);
    s.funding = f < 75 ? "municipal"sv : "ESF"sv;
    s.provider = &rng.pick(providers);
  }
}

void Generator::makeServices(Rng& rng, Record& r, uint64_t number) {
  int serial = 0;
  for (std::size_t j = 0; j < r.cases.size(); ++j) {
    const Case& c = r.cases[j];
    std::vector<std::string_view> types;
    for (std::string_view t : serviceTypesFor(c.area)) types.push_back(t);
    rng.shuffle(types);
    const int count = j == 0 ? rng.range(1, 3) : rng.range(0, 1);
    types.resize(std::min(types.size(), static_cast<std::size_t>(count)));
    for (std::string_view type : types) {
      Service s;
      s.id = "S" + std::to_string(number) + "-" + padded(static_cast<uint64_t>(++serial), 2);
      s.case_id = c.id;
      s.type = type;
      const int last = c.closed.value_or(kReferenceDay);
      if (c.status == "closed") {
        s.status = "ended";
      } else if (c.status == "suspended") {
        s.status = rng.chance(70) ? "suspended"sv : "ended"sv;
      } else {
        const int p = rng.range(0, 99);
        s.status = p < 70 ? "active"sv : p < 78 ? "planned"sv : p < 83 ? "suspended"sv : "ended"sv;
      }
      if (s.status == "planned") {
        s.start = rng.range(std::max(c.opened, kReferenceDay - 20), kReferenceDay);
      } else {
        s.start = rng.range(c.opened, std::max(c.opened, last - 30));
      }
      if (s.status == "ended") s.end = rng.range(std::min(s.start + 30, last), last);
      fillServiceDetails(rng, s);
      r.services.push_back(std::move(s));
    }
  }
}

void Generator::makeIsee(Rng& rng, Record& r, Profile profile, int age) {
  static constexpr std::array kCounts = {25, 55, 20};
  const int count = static_cast<int>(rng.weighted(kCounts));
  if (count == 0) return;
  std::string_view type = "ordinary";
  int lo = 2000;
  int hi = 30000;
  switch (profile) {
    case Profile::kElderly:
      type = rng.chance(70) ? "socio_health"sv : "ordinary"sv;
      lo = 3000, hi = 38000;
      break;
    case Profile::kDisability:
      type = rng.chance(60) ? "socio_health"sv : "ordinary"sv;
      hi = 35000;
      break;
    case Profile::kMinorsFamilies:
      type = age < 18 || rng.chance(50) ? "minors"sv : "ordinary"sv;
      lo = 1500, hi = 28000;
      break;
    case Profile::kAdultsHardship:
      lo = 0, hi = 9360;  // the ISEE ceiling of the national inclusion allowance
      break;
    case Profile::kMentalHealth:
      type = rng.chance(30) ? "socio_health"sv : "ordinary"sv;
      lo = 0, hi = 20000;
      break;
  }
  if (profile != Profile::kMinorsFamilies && age >= 19 && age <= 26 && rng.chance(30)) type = "university";
  // Low values are more common: the minimum of two draws.
  int64_t cents = std::min(int64_t{rng.range(lo, hi)}, int64_t{rng.range(lo, hi)}) * 100 + rng.range(0, 99);
  if (profile == Profile::kAdultsHardship && rng.chance(10)) cents = 0;
  for (int k = 0; k < count; ++k) {
    // Newest first: this year's certificate, then last year's.
    const int year = count == 1 && rng.chance(20) ? kReferenceYear - 1 : kReferenceYear - k;
    Isee i;
    i.type = type;
    i.value_cents = k == 0 ? cents : cents * rng.range(85, 115) / 100;
    const int yearEnd = daysFromCivil(year, 12, 31);
    i.issued = rng.range(daysFromCivil(year, 1, 10), std::min(daysFromCivil(year, 12, 15), kReferenceDay));
    i.expires = yearEnd;  // an ISEE is valid until 31 December of the year it is issued
    if (rng.chance(75)) {
      i.protocol = "INPS-ISEE-" + std::to_string(year) + "-" + padded(rng.below(100000000), 8) +
                   static_cast<char>('A' + rng.below(26)) + "-00";
    }
    r.isee.push_back(std::move(i));
  }
}

void Generator::makeAssessments(Rng& rng, Record& r, Profile profile, int age, uint64_t number) {
  int percent = 0;
  switch (profile) {
    case Profile::kElderly: percent = 85; break;
    case Profile::kDisability: percent = 50; break;
    case Profile::kMentalHealth: percent = 15; break;
    default: return;
  }
  if (!rng.chance(percent)) return;
  const Case& c = r.cases.front();
  const std::string_view area = c.area;
  const int municipio = r.residence.municipio;
  // Frailty 0..100 drives all scores, so the scales agree with each other.
  const int frailty = profile == Profile::kElderly ? std::clamp((age - 65) * 2 + rng.range(0, 50), 0, 100)
                                                   : rng.range(20, 90);
  const int assessments = profile == Profile::kElderly && rng.chance(30) ? 2 : 1;
  const int last = c.closed.value_or(kReferenceDay);
  int date = rng.range(std::min(c.opened + 14, last), last);
  bool hasDopoDiNoi = false;
  for (const Service& s : r.services) hasDopoDiNoi = hasDopoDiNoi || s.type == "DOPO_DI_NOI";

  for (int j = 0; j < assessments; ++j) {
    Assessment a;
    a.id = "V" + std::to_string(number) + "-" + std::to_string(j + 1);
    if (rng.chance(90)) a.case_id = c.id;
    a.date = date;
    a.team = "UVM " + std::string(asstFor(municipio)) + " - Distretto " + std::to_string(municipio);
    const int f = std::clamp(frailty - j * rng.range(0, 15), 0, 100);  // older ones: a bit less frail
    if (profile == Profile::kMentalHealth) {
      a.instruments.push_back({"SVAMA_SOCIAL", rng.range(20, 90)});
      if (rng.chance(50)) a.instruments.push_back({"IADL", std::clamp(8 - f * 6 / 100 + rng.range(-1, 1), 0, 8)});
      if (rng.chance(40)) a.instruments.push_back({"MMSE", rng.range(22, 30)});
    } else {
      a.instruments.push_back({"ADL", std::clamp(6 - f * 6 / 100 + rng.range(-1, 1), 0, 6)});
      a.instruments.push_back({"IADL", std::clamp(8 - f * 8 / 100 + rng.range(-1, 1), 0, 8)});
      if (rng.chance(40)) a.instruments.push_back({"BARTHEL", std::clamp(100 - f + rng.range(-10, 10), 0, 100)});
      if (profile == Profile::kElderly) {
        if (rng.chance(25)) a.instruments.push_back({"MMSE", std::clamp(30 - f * 18 / 100 + rng.range(-3, 2), 0, 30)});
        if (rng.chance(10)) a.instruments.push_back({"CIRS", std::clamp(f * 30 / 100 + rng.range(0, 10), 0, 56)});
      } else if (rng.chance(60)) {
        a.instruments.push_back({"SVAMA_SOCIAL", rng.range(20, 90)});
      }
    }
    const int o = rng.range(0, 99);
    if (f >= 40) a.outcome = o < 85 ? "eligible"sv : o < 95 ? "reassess"sv : "not_eligible"sv;
    else a.outcome = o < 30 ? "eligible"sv : o < 60 ? "reassess"sv : "not_eligible"sv;
    if (a.outcome == "eligible" && rng.chance(75)) {
      Plan p;
      p.id = "PI" + std::to_string(number) + "-" + std::to_string(j + 1);
      if (area == "elderly") p.title = "Progetto individuale di assistenza domiciliare";
      else if (area == "disability" && hasDopoDiNoi) p.title = "Progetto di vita - Dopo di noi (L. 112/2016)";
      else if (area == "disability") p.title = "Progetto individuale (art. 14 L. 328/2000)";
      else p.title = "Progetto individualizzato di sostegno";
      std::vector<std::string_view> goals;
      for (std::string_view g : data::planGoals(area)) goals.push_back(g);
      rng.shuffle(goals);
      goals.resize(std::min(goals.size(), static_cast<std::size_t>(rng.range(1, 3))));
      p.goals = std::move(goals);
      p.review_date = std::min(date + (rng.chance(50) ? 182 : 365), kReferenceDay);
      a.plan = std::move(p);
    }
    r.assessments.push_back(std::move(a));
    // An earlier assessment of the same case, when the case is old enough.
    if (date - c.opened < 200) break;
    date = rng.range(c.opened + 14, date - 180);
  }
}

Record Generator::next(int index) {
  Rng rng(seed_, static_cast<uint64_t>(index));
  Record r;
  const uint64_t serial = static_cast<uint64_t>(index) + 1;
  r.person_id = "P" + padded(serial, 6);
  r.message_id = "SISA-20261101-" + std::to_string(seed_) + "-" + padded(serial, 6);
  const int secondOfDay = rng.range(6 * 3600, 10 * 3600 - 1);
  r.exported_at = "2026-11-01T" + padded(static_cast<uint64_t>(secondOfDay / 3600), 2) + ":" +
                  padded(static_cast<uint64_t>(secondOfDay / 60 % 60), 2) + ":" +
                  padded(static_cast<uint64_t>(secondOfDay % 60), 2) + "+01:00";
  // Blocks of 7 keep the ids distinct while not mirroring the person ids.
  const uint64_t number = 1000000 + static_cast<uint64_t>(index) * 7 + rng.below(7);
  r.citizen_id = "C" + std::to_string(number);

  const auto profile = static_cast<Profile>(rng.weighted(kProfileWeights));
  const data::Nationality* nat =
      rng.chance(kForeignPercent[static_cast<std::size_t>(profile)]) ? pickNationality(rng) : nullptr;
  int age = 0;
  switch (profile) {
    case Profile::kElderly: age = 65 + (rng.range(0, 33) + rng.range(0, 33)) / 2; break;
    case Profile::kDisability: age = rng.range(18, 64); break;
    case Profile::kMinorsFamilies: age = rng.chance(40) ? rng.range(0, 17) : rng.range(22, 55); break;
    case Profile::kAdultsHardship: age = rng.range(22, 64); break;
    case Profile::kMentalHealth: age = rng.range(18, 64); break;
  }
  const char sex = rng.chance(profile == Profile::kElderly ? 60 : 50) ? 'F' : 'M';
  r.citizen = makePerson(rng, sex, birthDayForAge(rng, age), familyName(rng, nat), nat);

  const data::Street& street = rng.pick(data::milanStreets());
  r.residence.municipio = street.municipio;
  r.residence.postal_code = std::string(street.postal_code);
  r.residence.line = std::string(street.name) + " " + std::to_string(rng.range(1, 220));
  if (rng.chance(12)) r.residence.line += "/" + std::string(1, static_cast<char>('A' + rng.below(3)));
  if (rng.chance(4)) {
    const data::Street& other = rng.pick(data::milanStreets());
    Address d;
    d.municipio = other.municipio;
    d.postal_code = std::string(other.postal_code);
    d.line = std::string(other.name) + " " + std::to_string(rng.range(1, 220));
    r.domicile = std::move(d);
  }

  std::optional<Household> household = makeHousehold(rng, profile, age, r.citizen, nat);
  if (rng.chance(8)) household.reset();  // not recorded in SISA
  if (household) household->id = "H" + std::to_string(500000 + static_cast<uint64_t>(index) * 3 + rng.below(3));

  // Citizenship: naturalised adults are Italian; children born here keep their parents'.
  if (nat == nullptr) {
    r.citizenship = "ITA";
  } else {
    r.citizenship = age >= 18 && rng.chance(20) ? "ITA" : std::string(nat->alpha3);
  }
  if (rng.chance(5)) r.citizenship.clear();

  // The citizen's code first, so a clash moves a relative's birthday, not theirs.
  r.codice_fiscale = assignCodiceFiscale(r.citizen);
  if (household) {
    for (Member& m : household->members) {
      if (m.has_code) m.codice_fiscale = assignCodiceFiscale(m.person);
    }
  }
  r.household = std::move(household);

  makeContacts(rng, r, profile, age);
  makeCases(rng, r, profile, age, number);
  makeServices(rng, r, number);
  makeIsee(rng, r, profile, age);
  makeAssessments(rng, r, profile, age, number);
  return r;
}

SynthCitizen summarize(const Record& r, bool withJson) {
  SynthCitizen c;
  c.person_id = r.person_id;
  c.codice_fiscale = r.codice_fiscale;
  c.family_name = r.citizen.family_name;
  c.given_name = r.citizen.given_name;
  c.sex = r.citizen.sex;
  c.birth_date = isoDate(r.citizen.birth);
  c.sisa_citizen_id = r.citizen_id;
  c.sisa_message_id = r.message_id;
  if (withJson) c.sisa_json = compactJson(r);
  // Patient + RelatedPerson per member + EpisodeOfCare per case + one per
  // service + Observation per ISEE + per assessment: an encounter, one
  // Observation per scale and the CarePlan.
  int hint = 1 + static_cast<int>(r.cases.size() + r.services.size() + r.isee.size());
  if (r.household) hint += static_cast<int>(r.household->members.size());
  for (const Assessment& a : r.assessments) hint += 1 + static_cast<int>(a.instruments.size()) + (a.plan ? 1 : 0);
  c.resource_hint = hint;
  return c;
}

Error ioError(const std::string& what, const fs::path& path, const std::string& reason) {
  return Error(ErrorCode::kUnavailable, what + " " + path.string() + ": " + reason, path.string());
}

Status writeFile(const fs::path& path, std::string_view content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return ioError("cannot open for writing", path, "open failed");
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  out.close();
  if (!out) return ioError("cannot write", path, "write failed");
  return {};
}

/// Whether `name` is "<person_id>.json" for a person of a population of `count`.
bool isOwnFile(const std::string& name, int count) {
  if (name.size() < 12 || name[0] != 'P' || name.substr(name.size() - 5) != ".json") return false;
  const std::string digits = name.substr(1, name.size() - 6);
  if (digits.size() > 10 || digits.find_first_not_of("0123456789") != std::string::npos) return false;
  const uint64_t serial = std::stoull(digits);
  return serial >= 1 && serial <= static_cast<uint64_t>(count) && padded(serial, 6) == digits;
}

/// What ATS knows of the citizen, taken from their SISA record.
AtsCitizen atsCitizenOf(const Record& r, int index) {
  AtsCitizen a;
  a.index = index;
  a.person_id = r.person_id;
  a.codice_fiscale = r.codice_fiscale;
  a.family_name = r.citizen.family_name;
  a.given_name = r.citizen.given_name;
  a.sex = r.citizen.sex;
  a.birth = r.citizen.birth;
  a.birth_place_code = std::string(r.citizen.birth_place.cadastral_code);
  a.residence_line = r.residence.line;
  a.residence_postal_code = r.residence.postal_code;
  a.municipio = r.residence.municipio;
  a.area = std::string(r.cases.front().area);
  for (const Service& s : r.services) {
    a.has_fna_b2 = a.has_fna_b2 || s.type == "FNA_B2";
    a.has_home_help = a.has_home_help || s.type == "SAD";
  }
  if (!r.isee.empty()) a.isee_cents = r.isee.front().value_cents;
  for (const Assessment& assessment : r.assessments) {
    for (const Instrument& i : assessment.instruments) {
      if (i.code == "ADL") a.adl = std::min(a.adl.value_or(i.score), i.score);
    }
  }
  return a;
}

/// What the health sources send about one citizen.
struct HealthOutput {
  AtsOutput ats;
  std::vector<GpFile> gp;  // CDA documents, then the record export
};

/// Generates the population in order, with what ATS and the GP send about
/// each citizen.
template <typename Fn>
Status forEachCitizen(const SynthOptions& options, Fn&& fn) {
  Generator generator(options.seed);
  for (int i = 0; i < options.citizens; ++i) {
    const Record record = generator.next(i);
    const AtsCitizen citizen = atsCitizenOf(record, i);
    HealthOutput out;
    Result<AtsOutput> ats = generateAts(options.seed, citizen);
    if (!ats.ok()) return ats.error();
    out.ats = std::move(*ats);
    const GpClinical clinical = drawGpClinical(options.seed, citizen);
    out.gp = gpCdaDocuments(options.seed, citizen, clinical);
    out.gp.push_back(gpExport(options.seed, citizen, clinical));
    if (Status s = fn(record, out); !s.ok()) return s;
  }
  return {};
}

/// Files in `dir` ending in `extension`, sorted.
Result<std::vector<std::string>> listFiles(const fs::path& dir, std::string_view extension) {
  std::vector<std::string> names;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.size() > extension.size() && name.ends_with(extension)) names.push_back(name);
  }
  if (ec) return ioError("cannot list directory", dir, ec.message());
  std::sort(names.begin(), names.end());
  return names;
}

Error staleFilesError(const fs::path& dir, const std::vector<std::string>& stale, std::string_view extension) {
  return Error(ErrorCode::kConflict,
               dir.string() + " already holds " + std::to_string(stale.size()) + " " + std::string(extension) +
                   " file(s) this run would not write (first: " + stale.front() +
                   "); use an empty or new output directory",
               dir.string());
}

/// Refuses leftovers of another run in ats/ and gp/: they would be sent
/// with this population and be missing from truth.csv. Which names this run
/// writes depends on the seed, so when a folder is not empty they are
/// generated first.
Status checkHealthLeftovers(const SynthOptions& options, const fs::path& atsDir, const fs::path& gpDir) {
  const std::array<std::pair<fs::path, std::string_view>, 3> kinds = {
      std::pair{atsDir, std::string_view(".hl7")}, std::pair{gpDir, std::string_view(".xml")},
      std::pair{gpDir, std::string_view(".json")}};
  std::vector<std::pair<std::size_t, std::vector<std::string>>> present;
  for (std::size_t k = 0; k < kinds.size(); ++k) {
    Result<std::vector<std::string>> existing = listFiles(kinds[k].first, kinds[k].second);
    if (!existing.ok()) return existing.error();
    if (!existing->empty()) present.emplace_back(k, std::move(*existing));
  }
  if (present.empty()) return {};
  std::unordered_set<std::string> planned;  // "ats/NAME", "gp/NAME"; lookups only, never iterated
  Status generated = forEachCitizen(options, [&](const Record&, const HealthOutput& out) -> Status {
    for (const AtsMessage& m : out.ats.messages) planned.insert("ats/" + m.file);
    for (const GpFile& f : out.gp) planned.insert("gp/" + f.file);
    return {};
  });
  if (!generated.ok()) return generated;
  for (const auto& [k, names] : present) {
    const std::string prefix = k == 0 ? "ats/" : "gp/";
    std::vector<std::string> stale;
    for (const std::string& name : names) {
      if (planned.count(prefix + name) == 0) stale.push_back(name);
    }
    if (!stale.empty()) return staleFilesError(kinds[k].first, stale, kinds[k].second);
  }
  return {};
}

}  // namespace

std::vector<SynthCitizen> generateCitizens(const SynthOptions& options) {
  std::vector<SynthCitizen> out;
  if (options.citizens <= 0) return out;
  out.reserve(static_cast<std::size_t>(options.citizens));
  Generator generator(options.seed);
  for (int i = 0; i < options.citizens; ++i) out.push_back(summarize(generator.next(i), true));
  return out;
}

Status writeSynth(const SynthOptions& options, const std::filesystem::path& out) {
  if (options.citizens < 0) {
    return Error(ErrorCode::kInvalidInput,
                 "number of citizens must not be negative, got " + std::to_string(options.citizens), "citizens");
  }
  const fs::path sisaDir = out / "sisa";
  const fs::path atsDir = out / "ats";
  const fs::path gpDir = out / "gp";
  for (const fs::path& dir : {sisaDir, atsDir, gpDir}) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) return ioError("cannot create directory", dir, ec.message());
  }

  // Leftovers of a bigger run would be loaded as citizens missing from truth.csv.
  Result<std::vector<std::string>> sisaFiles = listFiles(sisaDir, ".json");
  if (!sisaFiles.ok()) return sisaFiles.error();
  std::vector<std::string> stale;
  for (const std::string& name : *sisaFiles) {
    if (!isOwnFile(name, options.citizens)) stale.push_back(name);
  }
  if (!stale.empty()) return staleFilesError(sisaDir, stale, ".json");
  if (Status s = checkHealthLeftovers(options, atsDir, gpDir); !s.ok()) return s;

  std::string truth = "person_id,source,record_file,record_id,codice_fiscale\n";
  std::array<std::vector<std::vector<std::string>>, kAtsFlows.size()> csvRows;
  Status written = forEachCitizen(options, [&](const Record& record, const HealthOutput& health) -> Status {
    const AtsOutput& ats = health.ats;
    const std::string file = record.person_id + ".json";
    if (Status s = writeFile(sisaDir / file, prettyJson(record)); !s.ok()) return s;
    const std::string tail = "," + record.codice_fiscale + "\n";
    truth += record.person_id + ",sisa,sisa/" + file + "," + record.citizen_id + tail;
    for (const AtsMessage& m : ats.messages) {
      if (Status s = writeFile(atsDir / m.file, m.bytes); !s.ok()) return s;
      truth += record.person_id + ",ats,ats/" + m.file + "," + m.record_id + tail;
    }
    for (const AtsCsvRow& row : ats.rows) {
      csvRows[static_cast<std::size_t>(row.flow)].push_back(row.values);
      truth += record.person_id + ",ats,ats/" + csvFileName(row.flow) + "," + row.record_id + tail;
    }
    for (const GpFile& f : health.gp) {
      if (Status s = writeFile(gpDir / f.file, f.bytes); !s.ok()) return s;
      truth += record.person_id + ",gp,gp/" + f.file + "," + f.record_id + tail;
    }
    return {};
  });
  if (!written.ok()) return written;

  // A flow without rows gets no file: a header alone is not a valid message.
  for (const AtsFlow flow : kAtsFlows) {
    const fs::path path = atsDir / csvFileName(flow);
    const auto& rows = csvRows[static_cast<std::size_t>(flow)];
    if (!rows.empty()) {
      if (Status s = writeFile(path, encodeCsv(flow, rows)); !s.ok()) return s;
      continue;
    }
    std::error_code ec;
    fs::remove(path, ec);
    if (ec) return ioError("cannot remove", path, ec.message());
  }
  return writeFile(out / "truth.csv", truth);
}

}  // namespace raccordo::synth
