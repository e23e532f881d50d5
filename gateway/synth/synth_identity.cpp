#include "gateway/synth/synth_identity.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string_view>
#include <unordered_set>

#include "gateway/identity/codice_fiscale.h"
#include "gateway/synth/names.h"
#include "gateway/synth/synth_common.h"

namespace raccordo::synth {

namespace {

using detail::Rng;
using detail::Ymd;

constexpr uint64_t kPeopleStream = 0x1D0001;
constexpr uint64_t kOrderStream = 0x1D0002;
constexpr uint64_t kRecordStream = 0x1D1000;
constexpr std::string_view kLetters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

std::string randomAddress(Rng& rng) {
  const data::Street& s = rng.pick(data::milanStreets());
  return std::string(s.name) + " " + std::to_string(rng.range(1, 220)) + ", " + std::string(s.postal_code) + " Milano";
}

std::string randomPhone(Rng& rng) {
  if (rng.chance(25)) return "02 " + detail::padded(rng.below(10000000), 7) + "";
  return "3" + detail::padded(rng.below(100), 2) + " " + detail::padded(rng.below(10000000), 7);
}

// How the same phone is written by different sources.
std::string reformatPhone(Rng& rng, const std::string& phone) {
  std::string digits;
  for (char c : phone) {
    if (c >= '0' && c <= '9') digits.push_back(c);
  }
  switch (rng.below(3)) {
    case 0: return "+39 " + digits;
    case 1: return digits;
    default: return phone;
  }
}

bool isAsciiLetter(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

// One keying error at a letter position other than the first (first letters
// are seldom mistyped): substitution, deletion, transposition or doubling.
std::string typo(Rng& rng, std::string s) {
  std::vector<std::size_t> positions;
  for (std::size_t i = 1; i < s.size(); ++i) {
    if (isAsciiLetter(s[i])) positions.push_back(i);
  }
  if (positions.size() < 3) return s;
  const std::size_t i = positions[rng.below(positions.size())];
  switch (rng.below(4)) {
    case 0: {
      char c = kLetters[rng.below(26)];
      if (c == std::toupper(static_cast<unsigned char>(s[i]))) c = c == 'A' ? 'E' : 'A';
      s[i] = c;
      break;
    }
    case 1: s.erase(i, 1); break;
    case 2:
      if (i + 1 < s.size() && isAsciiLetter(s[i + 1])) std::swap(s[i], s[i + 1]);
      else std::swap(s[i - 1], s[i]);
      break;
    default: s.insert(i, 1, s[i]); break;
  }
  return s;
}

// Accents and apostrophes as a keyboard without them writes them.
std::string dropAccents(Rng& rng, const std::string& s) {
  std::string out;
  const bool apostropheForAccent = rng.chance(50);
  const bool joinApostrophe = rng.chance(50);
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == 0xC3 && i + 1 < s.size()) {
      // Latin-1 supplement in UTF-8: the common Italian accented vowels.
      const auto n = static_cast<unsigned char>(s[i + 1]);
      char base = '?';
      switch (n | 0x20) {
        case 0xA0: case 0xA1: base = 'A'; break;
        case 0xA8: case 0xA9: base = 'E'; break;
        case 0xAC: case 0xAD: base = 'I'; break;
        case 0xB2: case 0xB3: base = 'O'; break;
        case 0xB9: case 0xBA: base = 'U'; break;
        default: break;
      }
      if (base != '?') {
        out.push_back((n & 0x20) != 0 ? static_cast<char>(base - 'A' + 'a') : base);
        if (apostropheForAccent) out.push_back('\'');
        ++i;
        continue;
      }
    }
    if (s[i] == '\'') {
      if (!joinApostrophe) out.push_back(' ');
      continue;
    }
    out.push_back(s[i]);
  }
  return out;
}

std::string upper(std::string s) {
  for (char& c : s) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return s;
}

bool hasAccentOrApostrophe(const std::string& s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return c == '\'' || static_cast<unsigned char>(c) >= 0x80; });
}

}  // namespace

SynthIdentityRecord makeIdentityRecord(const identity::IdentityRecord& truth, uint32_t person, uint64_t seed,
                                       uint64_t salt, const IdentityErrorRates& rates, int stp_gets_cf_percent) {
  Rng rng(seed, kRecordStream + salt);
  SynthIdentityRecord out;
  out.person = person;
  identity::IdentityRecord r = truth;
  auto note = [&out](const char* e) { out.errors.emplace_back(e); };

  // STP holders: the true record carries the codice fiscale they got later
  // in `codice_fiscale` next to the STP code; the registry knows the STP only.
  if (!truth.foreign_code.empty() && !truth.codice_fiscale.empty()) {
    if (rng.chance(stp_gets_cf_percent)) {
      r.foreign_code.clear();
      note("stp_replaced_by_cf");
    } else {
      r.codice_fiscale.clear();
    }
  }
  if (hasAccentOrApostrophe(r.family_name) && rng.chance(rates.accents_dropped)) {
    r.family_name = dropAccents(rng, r.family_name);
    note("accents_dropped");
  }
  // Particles (DE LUCA, LO RUSSO) are not double surnames: only single-word ones get a second.
  if (rng.chance(rates.double_surname) && r.family_name.find(' ') == std::string::npos) {
    r.family_name += " " + std::string(rng.pick(data::italianFamilyNames()));
    note("double_surname");
  }
  if (rng.chance(rates.typo_family_name)) {
    r.family_name = typo(rng, r.family_name);
    note("typo_family_name");
  }
  if (rng.chance(rates.typo_given_name)) {
    r.given_name = typo(rng, r.given_name);
    note("typo_given_name");
  }
  if (rng.chance(rates.swapped_names)) {
    std::swap(r.family_name, r.given_name);
    note("swapped_names");
  }
  if (rng.chance(rates.swapped_day_month) && r.day <= 12 && r.day != r.month) {
    std::swap(r.day, r.month);
    note("swapped_day_month");
  }
  if (!r.codice_fiscale.empty()) {
    if (rng.chance(rates.missing_cf)) {
      r.codice_fiscale.clear();
      note("missing_cf");
    } else if (rng.chance(rates.omocodic_cf)) {
      const auto variants = identity::omocodiaVariants(r.codice_fiscale);
      if (variants.size() > 1) {
        r.codice_fiscale = variants[1 + rng.below(variants.size() - 1)];
        note("omocodic_cf");
      }
    } else if (rng.chance(rates.wrong_check_char)) {
      char c = kLetters[rng.below(26)];
      if (c == r.codice_fiscale[15]) c = c == 'Z' ? 'A' : static_cast<char>(c + 1);
      r.codice_fiscale[15] = c;
      note("wrong_check_char");
    }
  }
  if (rng.chance(rates.changed_address)) {
    r.address = randomAddress(rng);
    note("changed_address");
  }
  if (rng.chance(rates.missing_phone)) {
    r.phone.clear();
  } else if (rng.chance(rates.changed_phone)) {
    r.phone = randomPhone(rng);
    note("changed_phone");
  } else {
    r.phone = reformatPhone(rng, r.phone);
  }
  if (rng.chance(rates.missing_birth_place)) r.birth_place.clear();
  if (rng.chance(rates.missing_sex)) r.sex = 0;
  // Sources disagree on case.
  if (rng.chance(50)) {
    r.family_name = upper(r.family_name);
    r.given_name = upper(r.given_name);
  }
  out.record = std::move(r);
  return out;
}

SynthIdentityData generateIdentityData(const SynthIdentityOptions& options) {
  Rng rng(options.seed, kPeopleStream);
  SynthIdentityData data;
  data.people.reserve(options.people);
  data.registered.reserve(options.people);
  std::unordered_set<std::string> usedCodes;  // lookups only, never iterated
  uint64_t stpSerial = 0;
  const auto nationalities = data::nationalities();
  std::vector<int> natWeights;
  for (const auto& n : nationalities) natWeights.push_back(n.weight);
  const data::Place milan{data::kMilanCode, "Milano"};

  for (uint32_t i = 0; i < options.people; ++i) {
    identity::IdentityRecord p;
    const bool joins = i > 0 && rng.chance(options.household_percent);
    const identity::IdentityRecord* head = joins ? &data.people.back() : nullptr;
    const data::Nationality* nat = nullptr;
    if (rng.chance(12)) nat = &nationalities[rng.weighted(std::span<const int>(natWeights))];
    p.sex = rng.chance(50) ? 'F' : 'M';
    int birth = rng.range(detail::daysFromCivil(1925, 1, 1), detail::daysFromCivil(2025, 12, 31));
    if (head != nullptr && rng.chance(options.twin_percent)) {
      birth = detail::daysFromCivil(head->year, head->month, head->day);
    }
    const int year = detail::yearOf(birth);
    if (head != nullptr) {
      p.family_name = head->family_name;
    } else {
      p.family_name = std::string(nat != nullptr ? rng.pick(nat->family_names) : rng.pick(data::italianFamilyNames()));
    }
    if (nat != nullptr) {
      p.given_name = std::string(rng.pick(p.sex == 'F' ? nat->female_names : nat->male_names));
    } else {
      const int generation = year < 1960 ? data::kBornBefore1960 : year < 1990 ? data::kBorn1960To1989 : data::kBornFrom1990;
      const auto names = p.sex == 'F' ? data::italianFemaleNames() : data::italianMaleNames();
      for (;;) {
        const data::GivenName& g = rng.pick(names);
        if ((g.generations & generation) != 0) {
          p.given_name = std::string(g.name);
          break;
        }
      }
    }
    data::Place place = milan;
    if (nat != nullptr) {
      place = (year >= 2000 && rng.chance(60)) ? milan : nat->birth_place;
    } else if (!rng.chance(55)) {
      place = rng.chance(60) ? rng.pick(data::lombardPlaces()) : rng.pick(data::otherItalianPlaces());
    }
    p.birth_place = std::string(place.cadastral_code);
    p.address = head != nullptr ? head->address : randomAddress(rng);
    p.phone = (head != nullptr && rng.chance(60)) ? head->phone : randomPhone(rng);

    // The codice fiscale; on a clash the birth day moves back (two people
    // with one code would be one person to any matcher).
    for (;;) {
      const Ymd d = detail::civilFromDays(birth);
      identity::CfPerson cf{p.family_name, p.given_name, p.sex == 'F' ? identity::Sex::kFemale : identity::Sex::kMale,
                            d.year, d.month, d.day, p.birth_place};
      std::string code = identity::computeCodiceFiscale(cf);
      if (usedCodes.insert(code).second) {
        p.codice_fiscale = std::move(code);
        p.year = d.year;
        p.month = d.month;
        p.day = d.day;
        break;
      }
      --birth;
    }
    if (nat != nullptr && rng.chance(options.stp_percent)) {
      // Lombardy region 030, one of its health authorities, a serial.
      p.foreign_code = "STP030" + detail::padded(static_cast<uint64_t>(rng.range(321, 328)), 3) +
                       detail::padded(++stpSerial, 7);
    }
    data.registered.push_back(!rng.chance(options.unregistered_percent));
    data.people.push_back(std::move(p));
  }

  if (!options.with_records) return data;
  for (uint32_t i = 0; i < options.people; ++i) {
    const int count = 1 + (rng.chance(options.second_record_percent) ? 1 : 0);
    for (int k = 0; k < count; ++k) {
      data.records.push_back(makeIdentityRecord(data.people[i], i, options.seed, uint64_t{i} * 4 + static_cast<uint64_t>(k),
                                                options.errors, options.stp_gets_cf_percent));
    }
  }
  Rng order(options.seed, kOrderStream);
  order.shuffle(data.records);
  return data;
}

identity::IdentityRecord registryRecord(const identity::IdentityRecord& truth) {
  identity::IdentityRecord r = truth;
  if (!r.foreign_code.empty()) r.codice_fiscale.clear();
  return r;
}

}  // namespace raccordo::synth
