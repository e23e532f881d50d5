// ATS HL7 v2.5 messages for a synthetic citizen: ADT^A28 (person add) for
// everyone, a hospital stay (ADT^A01 then ADT^A03) for some, a lab report
// (ORU^R01) for others. Built with hl7::MessageWriter, which escapes values
// and converts to the charset MSH-18 names.

#include "gateway/synth/synth_ats.h"

#include <algorithm>
#include <utility>

#include "adapters/ats/hl7/hl7.h"
#include "gateway/synth/names.h"

namespace raccordo::synth::detail {

namespace {

using namespace std::string_view_literals;

// PRNG streams: SISA uses stream i for citizen i; ATS uses its own range.
constexpr uint64_t kAtsStream = uint64_t{1} << 62;

constexpr std::string_view kCfAuthority = "MEF";
constexpr std::string_view kCfOid = "2.16.840.1.113883.2.9.4.3.2";
constexpr std::string_view kRegionalAuthority = "SISS";
constexpr std::string_view kRegionalOid = "2.16.840.1.113883.2.9.2.30.4.1";

// ---------------------------------------------------------------------------
// Fixed pools shared by all seeds: family doctors and hospital doctors.

struct Clinician {
  std::string id;
  std::string family_name;
  std::string given_name;
};

std::vector<Clinician> makeClinicians(uint64_t poolSeed, std::string_view prefix, int count) {
  std::vector<Clinician> out;
  Rng rng(poolSeed, 0);
  for (int i = 0; i < count; ++i) {
    Clinician c;
    c.id = std::string(prefix) + padded(static_cast<uint64_t>(i) + 1, 4);
    c.family_name = std::string(rng.pick(data::italianFamilyNames()));
    const bool female = rng.chance(55);
    for (;;) {  // most names fit the generation, so this ends quickly
      const data::GivenName& g = rng.pick(female ? data::italianFemaleNames() : data::italianMaleNames());
      if ((g.generations & data::kBorn1960To1989) != 0) {
        c.given_name = std::string(g.name);
        break;
      }
    }
    out.push_back(std::move(c));
  }
  return out;
}

constexpr int kGpsPerMunicipio = 3;

/// Medici di medicina generale: kGpsPerMunicipio per municipio, in municipio order.
const std::vector<Clinician>& generalPractitioners() {
  static const std::vector<Clinician> pool = makeClinicians(0x4D4D472026ULL, "MMG", 9 * kGpsPerMunicipio);
  return pool;
}

/// Pediatri di libera scelta (children under 14): one per municipio.
const std::vector<Clinician>& paediatricians() {
  static const std::vector<Clinician> pool = makeClinicians(0x504C532026ULL, "PLS", 9);
  return pool;
}

constexpr int kDoctorsPerFacility = 4;

/// Hospital doctors: kDoctorsPerFacility per entry of data::facilities().
const std::vector<Clinician>& hospitalDoctors() {
  static const std::vector<Clinician> pool = makeClinicians(
      0x4F53502026ULL, "OSP", static_cast<int>(data::facilities().size()) * kDoctorsPerFacility);
  return pool;
}

// ---------------------------------------------------------------------------
// Formatting.

/// HL7 DTM without offset (read as Europe/Rome). Callers keep times out of
/// 02:00-03:00, which a daylight-saving change can make missing or ambiguous.
std::string hl7Time(int day, int secondOfDay) {
  day += secondOfDay / 86400;  // a few minutes after a late event may be tomorrow
  secondOfDay %= 86400;
  const Ymd d = civilFromDays(day);
  return padded(static_cast<uint64_t>(d.year), 4) + padded(static_cast<uint64_t>(d.month), 2) +
         padded(static_cast<uint64_t>(d.day), 2) + padded(static_cast<uint64_t>(secondOfDay / 3600), 2) +
         padded(static_cast<uint64_t>(secondOfDay / 60 % 60), 2) + padded(static_cast<uint64_t>(secondOfDay % 60), 2);
}

std::string hl7Date(int day) { return hl7Time(day, 0).substr(0, 8); }

/// A fixed-point value: 352 with 2 decimals is "3.52".
std::string decimal(int value, int decimals) {
  if (decimals == 0) return std::to_string(value);
  int scale = 1;
  for (int i = 0; i < decimals; ++i) scale *= 10;
  return std::to_string(value / scale) + "." + padded(static_cast<uint64_t>(value % scale), decimals);
}

/// Whether UTF-8 text has only code points up to U+00FF (representable in ISO-8859-1).
bool fitsLatin1(std::string_view utf8) {
  for (std::size_t i = 0; i < utf8.size(); ++i) {
    const auto c = static_cast<unsigned char>(utf8[i]);
    if (c >= 0x80 && c != 0xC2 && c != 0xC3 && (c & 0xC0) != 0x80) return false;
  }
  return true;
}

/// Six hex digits that tell the seeds apart in control ids.
std::string seedTag(uint64_t seed) {
  uint64_t s = seed;
  const uint64_t mixed = splitmix64(s);
  static constexpr std::string_view kHex = "0123456789ABCDEF";
  std::string tag;
  for (int shift = 20; shift >= 0; shift -= 4) tag += kHex[(mixed >> shift) & 0xF];
  return tag;
}

/// The anagrafe's export time for every A28 of a run: 2026-11-01 between
/// 04:00 and 06:00, fixed by the seed.
std::string exportTime(uint64_t seed) {
  uint64_t s = seed ^ 0x415453ULL;
  return hl7Time(kReferenceDay, 4 * 3600 + static_cast<int>(splitmix64(s) % 7200));
}

// ---------------------------------------------------------------------------
// Message building.

struct Header {
  std::string_view type;       // MSH-9.1
  std::string_view event;      // MSH-9.2
  std::string_view structure;  // MSH-9.3
  std::string_view application;
  std::string_view facility;
  std::string time;
  bool latin1 = false;
};

struct Stay {
  const data::Facility* facility = nullptr;
  const data::Ward* ward = nullptr;
  const Clinician* attending = nullptr;
  std::string visit;
  std::string room;
  std::string bed;
  bool emergency = false;
  int admit_day = 0;
  int admit_second = 0;
  int discharge_day = 0;
  int discharge_second = 0;
};

class AtsBuilder {
 public:
  AtsBuilder(uint64_t seed, const AtsCitizen& citizen)
      : seed_(seed), c_(citizen), rng_(seed, kAtsStream + static_cast<uint64_t>(citizen.index)) {}

  Result<AtsOutput> build();

 private:
  void drawHealth();
  const Clinician& familyDoctor();
  Status addPersonAdd();
  Status addStay();
  Status addLabReport(const std::optional<Stay>& stay);
  Stay drawStay();
  const data::Facility& drawFacility();

  void addHeader(hl7::MessageWriter& w, const Header& h);
  void addPid(hl7::MessageWriter& w);
  void addPv1(hl7::MessageWriter& w, const Stay& s, bool discharged);
  Status finish(const hl7::MessageWriter& w, const Header& h, std::string recordId);
  bool drawLatin1(const hl7::MessageWriter& probe);

  uint64_t seed_;
  const AtsCitizen& c_;
  Rng rng_;
  AtsHealth health_;
  std::string regional_id_;
  AtsOutput out_;
  int ordinal_ = 0;  // messages finished so far; the one being built is ordinal_ + 1
  std::optional<Stay> stay_;
};

Result<AtsOutput> AtsBuilder::build() {
  drawHealth();
  // Blocks of 11 keep regional ids distinct without mirroring person ids.
  regional_id_ = padded(3000000000ULL + static_cast<uint64_t>(c_.index) * 11 + rng_.below(11), 10);
  if (Status s = addPersonAdd(); !s.ok()) return s.error();
  const int stayPercent = c_.area == "elderly" ? 45 : c_.area == "disability" || c_.area == "mental_health" ? 25 : 18;
  if (rng_.chance(stayPercent)) {
    if (Status s = addStay(); !s.ok()) return s.error();
  }
  const int labPercent = (c_.area == "elderly" ? 24 : 14) + (health_.diabetes ? 15 : 0);
  if (rng_.chance(labPercent)) {
    if (Status s = addLabReport(stay_); !s.ok()) return s.error();
  }
  addCsvRows(rng_, c_, health_, out_);
  return std::move(out_);
}

void AtsBuilder::drawHealth() {
  health_.age = ageOn(c_.birth, kReferenceDay);
  const int age = health_.age;
  health_.cancer = rng_.chance(age >= 65 ? 9 : age >= 40 ? 4 : 1);
  health_.diabetes = rng_.chance(age >= 65 ? 18 : age >= 40 ? 8 : 1);
}

const Clinician& AtsBuilder::familyDoctor() {
  const auto m = static_cast<std::size_t>(std::clamp(c_.municipio, 1, 9) - 1);
  if (health_.age < 14) return paediatricians()[m];
  return generalPractitioners()[m * kGpsPerMunicipio + rng_.below(kGpsPerMunicipio)];
}

void AtsBuilder::addHeader(hl7::MessageWriter& w, const Header& h) {
  const std::string controlId =
      "ATS" + seedTag(seed_) + "-" + padded(static_cast<uint64_t>(c_.index) + 1, 6) + "-" +
      padded(static_cast<uint64_t>(ordinal_) + 1, 2);
  w.addSegment("MSH")
      .set(3, h.application)
      .set(4, h.facility)
      .set(5, "RACCORDO")
      .set(6, "COMUNE_MILANO")
      .set(7, h.time)
      .setComponent(9, 1, h.type)
      .setComponent(9, 2, h.event)
      .setComponent(9, 3, h.structure)
      .set(10, controlId)
      .set(11, "P")
      .set(12, "2.5")
      .set(17, "ITA")
      .set(18, h.latin1 ? "8859/1" : "UNICODE UTF-8");
}

void AtsBuilder::addPid(hl7::MessageWriter& w) {
  hl7::SegmentWriter& pid = w.addSegment("PID");
  pid.set(1, "1")
      .set(3, 1, 1, 1, c_.codice_fiscale)
      .set(3, 1, 4, 1, kCfAuthority)
      .set(3, 1, 4, 2, kCfOid)
      .set(3, 1, 4, 3, "ISO")
      .set(3, 1, 5, 1, "NNITA")
      .set(3, 2, 1, 1, regional_id_)
      .set(3, 2, 4, 1, kRegionalAuthority)
      .set(3, 2, 4, 2, kRegionalOid)
      .set(3, 2, 4, 3, "ISO")
      .set(3, 2, 5, 1, "PI")
      .setComponent(5, 1, c_.family_name)
      .setComponent(5, 2, c_.given_name)
      .setComponent(5, 7, "L")
      .set(7, hl7Date(c_.birth))
      .set(8, std::string_view(&c_.sex, 1))
      .setComponent(11, 1, c_.residence_line)
      .setComponent(11, 3, "Milano")
      .setComponent(11, 4, "MI")
      .setComponent(11, 5, c_.residence_postal_code)
      .setComponent(11, 6, "ITA")
      .setComponent(11, 7, "H")
      .setComponent(11, 9, data::kMilanCode)
      .set(23, c_.birth_place_code);
}

bool AtsBuilder::drawLatin1(const hl7::MessageWriter& probe) {
  // About 5% of ADT messages, favouring those with accented letters, where
  // the charset matters. A sender on 8859/1 could not send names outside
  // Latin-1 (Romanian ș, ț), so those stay in UTF-8.
  const Result<std::string> text = probe.serialize();
  if (!text.ok() || !fitsLatin1(*text)) return false;
  const bool accented = std::any_of(text->begin(), text->end(), [](char c) { return (c & 0x80) != 0; });
  return rng_.chance(accented ? 25 : 4);
}

Status AtsBuilder::finish(const hl7::MessageWriter& w, const Header& h, std::string recordId) {
  Result<std::string> bytes = w.serialize();
  if (!bytes.ok()) return bytes.error();
  ++ordinal_;
  AtsMessage m;
  m.file = c_.person_id + "-" + padded(static_cast<uint64_t>(ordinal_), 2) + "-" + std::string(h.type) + "_" +
           std::string(h.event) + ".hl7";
  m.bytes = std::move(*bytes);
  m.record_id = std::move(recordId);
  out_.messages.push_back(std::move(m));
  return {};
}

Status AtsBuilder::addPersonAdd() {
  Header h{"ADT", "A28", "ADT_A05", "ATS_ANAGRAFE", "ATS_MILANO", exportTime(seed_)};
  const Clinician& gp = familyDoctor();
  // Built twice when the charset is drawn: the first build is the probe.
  auto build = [&](hl7::MessageWriter& w) {
    addHeader(w, h);
    w.addSegment("EVN").set(1, "A28").set(2, h.time);
    addPid(w);
    w.addSegment("PD1").setComponent(4, 1, gp.id).setComponent(4, 2, gp.family_name).setComponent(4, 3, gp.given_name);
  };
  hl7::MessageWriter probe;
  build(probe);
  h.latin1 = drawLatin1(probe);
  hl7::MessageWriter w;
  build(w);
  return finish(w, h, regional_id_);
}

const data::Facility& AtsBuilder::drawFacility() {
  const auto all = data::facilities();
  std::vector<const data::Facility*> local;
  for (const data::Facility& f : all) {
    if ((f.municipi & (1 << c_.municipio)) != 0) local.push_back(&f);
  }
  if (!local.empty() && rng_.chance(75)) return *local[static_cast<std::size_t>(rng_.below(local.size()))];
  return rng_.pick(all);
}

Stay AtsBuilder::drawStay() {
  Stay s;
  s.facility = &drawFacility();
  const auto wards = data::wards();
  std::vector<int> weights;
  for (const data::Ward& w : wards) {
    weights.push_back(health_.age < 14 ? w.weight_child : health_.age < 65 ? w.weight_adult : w.weight_elderly);
  }
  s.ward = &wards[rng_.weighted(weights)];
  const auto facilityIndex = static_cast<std::size_t>(s.facility - data::facilities().data());
  s.attending = &hospitalDoctors()[facilityIndex * kDoctorsPerFacility + rng_.below(kDoctorsPerFacility)];
  s.room = std::to_string(rng_.range(1, 30));
  s.bed = std::string(1, static_cast<char>('A' + rng_.below(4)));
  s.emergency = rng_.chance(60);
  // Stays of the last three years, over before the export day.
  const int los = health_.age >= 65 ? rng_.range(3, 24) : rng_.range(1, 12);
  const int earliest = std::max(c_.birth, daysFromCivil(2024, 1, 1));
  s.admit_day = rng_.range(earliest, kReferenceDay - 2);
  s.discharge_day = std::max(s.admit_day, std::min(s.admit_day + los, kReferenceDay - 1));
  s.admit_second = rng_.range(7 * 3600, 22 * 3600 + 59 * 60);
  s.discharge_second = rng_.range(9 * 3600, 18 * 3600 + 59 * 60);
  if (s.discharge_day == s.admit_day) s.discharge_second = std::max(s.discharge_second, s.admit_second + 3600);
  s.visit = std::to_string(yearOf(s.admit_day)) +
            padded(static_cast<uint64_t>(c_.index) * 5 + rng_.below(5), 7);
  return s;
}

void AtsBuilder::addPv1(hl7::MessageWriter& w, const Stay& s, bool discharged) {
  hl7::SegmentWriter& pv1 = w.addSegment("PV1");
  pv1.set(1, "1")
      .set(2, "I")
      .setComponent(3, 1, s.ward->code)
      .setComponent(3, 2, s.room)
      .setComponent(3, 3, s.bed)
      .setComponent(3, 4, s.facility->code)
      .setComponent(3, 9, std::string(s.ward->name) + " - " + std::string(s.facility->site))
      .set(4, s.emergency ? "E" : "R")
      .setComponent(7, 1, s.attending->id)
      .setComponent(7, 2, s.attending->family_name)
      .setComponent(7, 3, s.attending->given_name)
      .set(10, s.ward->code)
      .set(19, 1, 1, 1, s.visit)
      .set(19, 1, 4, 1, s.facility->code)
      .set(44, hl7Time(s.admit_day, s.admit_second));
  if (discharged) pv1.set(45, hl7Time(s.discharge_day, s.discharge_second));
}

Status AtsBuilder::addStay() {
  stay_ = drawStay();
  const Stay& s = *stay_;
  for (const bool discharged : {false, true}) {
    const int day = discharged ? s.discharge_day : s.admit_day;
    const int second = (discharged ? s.discharge_second : s.admit_second) + rng_.range(60, 1800);
    Header h{"ADT", discharged ? "A03"sv : "A01"sv, discharged ? "ADT_A03"sv : "ADT_A01"sv, "ADT",
             s.facility->code, hl7Time(day, second)};
    auto build = [&](hl7::MessageWriter& w) {
      addHeader(w, h);
      w.addSegment("EVN")
          .set(1, h.event)
          .set(2, h.time)
          .set(6, hl7Time(day, discharged ? s.discharge_second : s.admit_second));
      addPid(w);
      addPv1(w, s, discharged);
    };
    hl7::MessageWriter probe;
    build(probe);
    h.latin1 = drawLatin1(probe);
    hl7::MessageWriter w;
    build(w);
    if (Status st = finish(w, h, s.visit); !st.ok()) return st;
  }
  return {};
}

/// A value of the analyte, out of the reference range `outPercent` percent of the time.
int drawValue(Rng& rng, const data::LabAnalyte& a, int outPercent) {
  const bool canLow = a.low != data::kNoLimit && a.min < a.low;
  const bool canHigh = a.high != data::kNoLimit && a.max > a.high;
  if ((canLow || canHigh) && rng.chance(outPercent)) {
    if (canLow && (!canHigh || rng.chance(40))) return rng.range(a.min, a.low - 1);
    return rng.range(a.high + 1, a.max);
  }
  // One-sided ranges ("<200") exclude their limit.
  const int lo = a.low == data::kNoLimit ? a.min : a.high == data::kNoLimit ? a.low + 1 : a.low;
  const int hi = a.high == data::kNoLimit ? a.max : a.low == data::kNoLimit ? a.high - 1 : a.high;
  return rng.range(lo, hi);
}

std::string referenceRange(const data::LabAnalyte& a) {
  if (a.low == data::kNoLimit) return "<" + decimal(a.high, a.decimals);
  if (a.high == data::kNoLimit) return ">" + decimal(a.low, a.decimals);
  return decimal(a.low, a.decimals) + "-" + decimal(a.high, a.decimals);
}

Status AtsBuilder::addLabReport(const std::optional<Stay>& stay) {
  const auto panels = data::labPanels();
  static constexpr std::array kPanelWeights = {35, 35, 15, 15};
  const data::LabPanel& panel =
      health_.diabetes && rng_.chance(60) ? panels[0] : panels[rng_.weighted(kPanelWeights)];

  // During the stay, by the hospital's lab; otherwise an outpatient draw.
  const bool inStay = stay && rng_.chance(50);
  const data::Facility& facility = inStay ? *stay->facility : drawFacility();
  const int day = inStay ? rng_.range(std::min(stay->admit_day + 1, stay->discharge_day), stay->discharge_day)
                         : rng_.range(std::max(c_.birth, kReferenceDay - 730), kReferenceDay - 1);
  const int drawn = rng_.range(7 * 3600, 10 * 3600);
  const int reported = drawn + rng_.range(2 * 3600, 8 * 3600);
  const std::string filler = "L" + std::to_string(yearOf(day)) +
                             padded(static_cast<uint64_t>(c_.index) * 4 + rng_.below(4), 7);

  std::vector<std::size_t> picked(panel.analytes.size());
  for (std::size_t i = 0; i < picked.size(); ++i) picked[i] = i;
  rng_.shuffle(picked);
  picked.resize(static_cast<std::size_t>(rng_.range(2, static_cast<int>(std::min<std::size_t>(4, picked.size())))));
  std::sort(picked.begin(), picked.end());

  Header h{"ORU", "R01", "ORU_R01", "LIS", facility.code, hl7Time(day, reported)};
  hl7::MessageWriter w;
  addHeader(w, h);
  addPid(w);
  const Clinician& gp = familyDoctor();
  w.addSegment("OBR")
      .set(1, "1")
      .setComponent(2, 1, "RIC" + filler.substr(1))
      .setComponent(3, 1, filler)
      .setComponent(3, 2, facility.code)
      .setComponent(4, 1, panel.loinc)
      .setComponent(4, 2, panel.name)
      .setComponent(4, 3, "LN")
      .set(7, hl7Time(day, drawn))
      .setComponent(16, 1, gp.id)
      .setComponent(16, 2, gp.family_name)
      .setComponent(16, 3, gp.given_name)
      .set(22, h.time)
      .set(25, "F");
  const int outPercent = health_.age >= 65 ? 25 : 12;
  int setId = 0;
  for (const std::size_t i : picked) {
    const data::LabAnalyte& a = panel.analytes[i];
    int value = drawValue(rng_, a, outPercent);
    if (health_.diabetes && a.loinc == "2345-7" && rng_.chance(75)) value = rng_.range(a.high + 1, a.max);
    std::string_view flag;
    if (a.low != data::kNoLimit && value < a.low) flag = "L";
    if (a.high != data::kNoLimit && value > a.high) flag = "H";
    w.addSegment("OBX")
        .set(1, std::to_string(++setId))
        .set(2, "NM")
        .setComponent(3, 1, a.loinc)
        .setComponent(3, 2, a.name)
        .setComponent(3, 3, "LN")
        .set(5, decimal(value, a.decimals))
        .setComponent(6, 1, a.unit)
        .setComponent(6, 3, "UCUM")
        .set(7, referenceRange(a))
        .set(8, flag)
        .set(11, "F")
        .set(14, hl7Time(day, drawn));
  }
  return finish(w, h, filler);
}

}  // namespace

std::string_view asstCodeFor(int municipio) {
  switch (municipio) {
    case 2:
    case 9: return "ASST_GOM_NIGUARDA";
    case 5:
    case 6:
    case 7: return "ASST_SSPC";
    default: return "ASST_FBF_SACCO";
  }
}

Result<AtsOutput> generateAts(uint64_t seed, const AtsCitizen& citizen) {
  return AtsBuilder(seed, citizen).build();
}

}  // namespace raccordo::synth::detail
