// The GP record of a synthetic citizen (GpClinical): the doctor, the
// certification date of the Patient Summary and the clinical facts, drawn by
// age the way an Italian GP's list looks: hypertension and its drugs, type 2
// diabetes, COPD, atrial fibrillation, high cholesterol, a penicillin allergy
// now and then, seasonal vaccinations of the elderly, blood pressure, weight
// and BMI, a pacemaker for some of the very old. Both the CDA documents and
// the export are written from it.

#include <algorithm>
#include <utility>

#include "gateway/identity/codice_fiscale.h"
#include "gateway/synth/names.h"
#include "gateway/synth/synth_gp.h"

namespace raccordo::synth::detail {

namespace {

// PRNG streams: SISA uses i, ATS 2^62 + i; the GP record 2^61 + i.
constexpr uint64_t kGpStream = uint64_t{1} << 61;

constexpr std::string_view kIcd9 = "http://hl7.org/fhir/sid/icd-9-cm";
constexpr std::string_view kAtc = "http://www.whocc.no/atc";
constexpr std::string_view kAic = "urn:oid:2.16.840.1.113883.2.9.6.1.5";
constexpr std::string_view kLoinc = "http://loinc.org";
constexpr std::string_view kSnomed = "http://snomed.info/sct";

// ---------------------------------------------------------------------------
// Fixed pool shared by all seeds: family doctors with a codice fiscale.

constexpr int kGpsPerMunicipio = 3;

std::vector<GpDoctor> makeDoctors(uint64_t pool_seed, std::string_view prefix, int count) {
  std::vector<GpDoctor> out;
  Rng rng(pool_seed, 0);
  for (int i = 0; i < count; ++i) {
    GpDoctor d;
    d.id = std::string(prefix) + padded(static_cast<uint64_t>(i) + 1, 4);
    d.family_name = std::string(rng.pick(data::italianFamilyNames()));
    const bool female = rng.chance(55);
    for (;;) {  // most names fit the generation, so this ends quickly
      const data::GivenName& g = rng.pick(female ? data::italianFemaleNames() : data::italianMaleNames());
      if ((g.generations & data::kBorn1960To1989) != 0) {
        d.given_name = std::string(g.name);
        break;
      }
    }
    const int birth = daysFromCivil(rng.range(1958, 1984), rng.range(1, 12), rng.range(1, 28));
    const data::Place& place =
        rng.chance(50) ? data::Place{data::kMilanCode, "Milano"} : rng.pick(data::lombardPlaces());
    const Ymd b = civilFromDays(birth);
    identity::CfPerson cf;
    cf.family_name = d.family_name;
    cf.given_name = d.given_name;
    cf.sex = female ? identity::Sex::kFemale : identity::Sex::kMale;
    cf.year = b.year;
    cf.month = b.month;
    cf.day = b.day;
    cf.birth_place_code = std::string(place.cadastral_code);
    d.codice_fiscale = identity::computeCodiceFiscale(cf);
    out.push_back(std::move(d));
  }
  return out;
}

/// Medici di medicina generale: kGpsPerMunicipio per municipio, in municipio order.
const std::vector<GpDoctor>& generalPractitioners() {
  static const std::vector<GpDoctor> pool = makeDoctors(0x4D4D47434626ULL, "MMG", 9 * kGpsPerMunicipio);
  return pool;
}

/// Pediatri di libera scelta (children under 14): one per municipio.
const std::vector<GpDoctor>& paediatricians() {
  static const std::vector<GpDoctor> pool = makeDoctors(0x504C53434626ULL, "PLS", 9);
  return pool;
}

// ---------------------------------------------------------------------------
// Drawing the facts.

class ClinicalBuilder {
 public:
  ClinicalBuilder(uint64_t seed, const AtsCitizen& c)
      : c_(c), rng_(seed, kGpStream + static_cast<uint64_t>(c.index)), age_(ageOn(c.birth, kReferenceDay)) {}

  GpClinical build() {
    chooseDoctor();
    // About a third of the summaries were certified more than six months ago.
    out_.certified_day = rng_.chance(33) ? kReferenceDay - rng_.range(190, 900) : kReferenceDay - rng_.range(5, 170);
    out_.certified_day = std::max(out_.certified_day, c_.birth + 30);
    if (age_ < 14) {
      childhood();
    } else {
      adult();
    }
    if (rng_.chance(8)) penicillinAllergy();
    vitals();
    return std::move(out_);
  }

 private:
  void chooseDoctor() {
    const auto m = static_cast<std::size_t>(std::clamp(c_.municipio, 1, 9) - 1);
    const GpDoctor& d =
        age_ < 14 ? paediatricians()[m] : generalPractitioners()[m * kGpsPerMunicipio + rng_.below(kGpsPerMunicipio)];
    out_.gp_codice_fiscale = d.codice_fiscale;
    out_.gp_family_name = d.family_name;
    out_.gp_given_name = d.given_name;
    out_.gp_role = age_ < 14 ? "PLS" : "MMG";
  }

  /// A day between `from` and the reference day; never before birth.
  int dayBetween(int from, int to = kReferenceDay) {
    from = std::max(from, c_.birth);
    return rng_.range(from, std::max(from, to));
  }

  /// An age between `lo` and today's (today's when lo is higher).
  int onsetAge(int lo) { return rng_.range(std::min(lo, age_), age_); }

  /// A day in the year the citizen had `age`.
  int dayAtAge(int age) {
    const int from = c_.birth + age * 365;
    return dayBetween(from, std::min(from + 364, kReferenceDay));
  }

  GpFact& add(std::string_view kind, std::string_view prefix, std::string_view system, std::string_view code,
              std::string_view display, int start) {
    GpFact f;
    f.kind = std::string(kind);
    f.local_id = std::string(prefix) + padded(static_cast<uint64_t>(++serial_), 4);
    f.code_system = std::string(system);
    f.code = std::string(code);
    f.display = std::string(display);
    f.start_day = std::min(std::max(start, c_.birth), kReferenceDay - 1);  // the export is made on kReferenceDay
    place(f, f.start_day);
    out_.facts.push_back(std::move(f));
    return out_.facts.back();
  }

  /// The GP last touched the item on `day` (or a little later): an item
  /// changed after the certification is only in the export.
  void place(GpFact& f, int day) {
    f.updated_day = std::min(day + static_cast<int>(rng_.below(3)), kReferenceDay - 1);
    f.in_summary = f.updated_day <= out_.certified_day;
  }

  GpFact& condition(std::string_view code, std::string_view display, int onset) {
    GpFact& f = add("condition", "PB", kIcd9, code, display, onset);
    f.status = "active";
    return f;
  }

  GpFact& medication(std::string_view atc, std::string_view aic, std::string_view display, std::string_view dosage,
                     int start) {
    GpFact& f = add("medication", "TH", kAtc, atc, display, start);
    f.other_code = std::string(aic);
    f.dosage = std::string(dosage);
    f.status = "active";
    return f;
  }

  void vaccination(std::string_view atc, std::string_view display, int day, int dose) {
    GpFact& f = add("immunization", "VC", kAtc, atc, display, day);
    f.status = "completed";
    f.dose_number = dose;
    f.lot = std::string(atc.substr(4, 3)) + "-" + padded(static_cast<uint64_t>(rng_.range(1000, 9999)), 4);
  }

  void childhood() {
    // The national schedule: hexavalent from the third month, MMRV at 13-15 months and at 5-6 years.
    vaccination("J07CA09", "Vaccino esavalente (DTPa-IPV-Hib-HBV)", c_.birth + rng_.range(61, 80), 1);
    if (age_ >= 1) {
      vaccination("J07BD54", "Vaccino morbillo-parotite-rosolia-varicella", c_.birth + rng_.range(395, 455), 1);
    }
    if (age_ >= 5 && rng_.chance(85)) {
      vaccination("J07BD54", "Vaccino morbillo-parotite-rosolia-varicella", dayAtAge(5), 2);
    }
    if (age_ >= 3 && rng_.chance(9)) {
      condition("493.90", "Asma, non specificata", dayAtAge(rng_.range(2, age_)));
      medication("R03BA02", "", "Budesonide sospensione da nebulizzare", "0,5 mg due volte al giorno al bisogno",
                 dayAtAge(rng_.range(2, age_)));
    }
  }

  void adult() {
    const bool elderly = age_ >= 65;
    const int hypertension = age_ >= 65 ? 58 : age_ >= 45 ? 28 : age_ >= 30 ? 4 : 0;
    if (rng_.chance(hypertension)) {
      const int onset = dayAtAge(onsetAge(std::max(35, age_ - 25)));
      condition("401.9", "Ipertensione essenziale non specificata", onset);
      medication("C09AA05", "026902015", "Ramipril 5 mg compresse", "1 compressa al mattino", onset + 20);
      if (rng_.chance(35)) {
        GpFact& amlo = medication("C08CA01", "027432017", "Amlodipina 5 mg compresse", "1 compressa alla sera",
                                  dayBetween(onset + 200));
        if (rng_.chance(25)) {  // stopped for ankle oedema
          amlo.status = "stopped";
          amlo.end_day = dayBetween(amlo.start_day + 30);
          place(amlo, amlo.end_day);
        }
      }
    }
    if (rng_.chance(elderly ? 18 : age_ >= 45 ? 8 : age_ >= 25 ? 1 : 0)) {
      const int onset = dayAtAge(onsetAge(std::max(30, age_ - 20)));
      condition("250.00", "Diabete mellito tipo 2 senza complicanze", onset);
      medication("A10BA02", "028854014", "Metformina 850 mg compresse", "1 compressa a pranzo e a cena", onset + 15);
    }
    if (age_ >= 50 && rng_.chance(22)) {
      const int onset = dayAtAge(rng_.range(50, age_));
      condition("272.0", "Ipercolesterolemia pura", onset);
      medication("C10AA05", "", "Atorvastatina 20 mg compresse", "1 compressa alla sera", onset + 30);
    }
    if (elderly && rng_.chance(10)) {
      const int onset = dayAtAge(rng_.range(60, age_));
      condition("496", "Ostruzione cronica delle vie respiratorie (BPCO)", onset);
      medication("R03BB04", "", "Tiotropio bromuro 2,5 mcg soluzione per inalazione", "2 erogazioni al mattino",
                 onset + 10);
    }
    const bool af = elderly && rng_.chance(age_ >= 80 ? 18 : 9);
    if (af) {
      const int onset = rng_.chance(30) ? dayBetween(out_.certified_day + 1) : dayAtAge(rng_.range(65, age_));
      condition("427.31", "Fibrillazione atriale", onset);
      medication("B01AF02", "", "Apixaban 5 mg compresse", "1 compressa ogni 12 ore", onset + 3);
    }
    if (age_ >= 75 && rng_.chance(af ? 20 : 4)) {
      const int implant = dayAtAge(rng_.range(72, age_));
      condition("V45.01", "Portatore di pacemaker cardiaco", implant);
      GpFact& device = add("device", "DV", kSnomed, "14106009", "Pacemaker cardiaco", implant);
      device.status = "active";
    }
    if (elderly) {
      // Influenza every autumn for most, COVID-19 and pneumococcus for some.
      for (int year = kReferenceYear - 2; year <= kReferenceYear; ++year) {
        if (!rng_.chance(62)) continue;
        const int day = daysFromCivil(year, 10, 15) + rng_.range(0, 16);
        if (day <= kReferenceDay) vaccination("J07BB02", "Vaccino influenzale inattivato", day, 1);
      }
      if (rng_.chance(45)) {
        vaccination("J07BN01", "Vaccino anti COVID-19 a mRNA", daysFromCivil(kReferenceYear - 1, 10, 20) +
                                                                    rng_.range(0, 30), 1);
      }
      if (rng_.chance(40)) vaccination("J07AL02", "Vaccino pneumococcico coniugato", dayAtAge(rng_.range(65, age_)), 1);
    } else if (rng_.chance(15)) {
      vaccination("J07BB02", "Vaccino influenzale inattivato", daysFromCivil(kReferenceYear - 1, 10, 20) +
                                                                 rng_.range(0, 20), 1);
    }
  }

  void penicillinAllergy() {
    GpFact& f = add("allergy", "AL", kAtc, "J01C", "Penicilline", dayAtAge(rng_.range(0, std::max(0, age_ - 1))));
    f.status = "active";
    f.category = "medication";
    f.criticality = rng_.chance(40) ? "high" : "low";
    f.reaction_code = "126485001";
    f.reaction = "Orticaria";
  }

  void vitals() {
    const int visits = age_ < 14 ? 1 : age_ >= 65 ? rng_.range(1, 3) : rng_.range(0, 2);
    const bool hypertensive = std::any_of(out_.facts.begin(), out_.facts.end(),
                                          [](const GpFact& f) { return f.code == "401.9"; });
    const int height = age_ < 14 ? 60 + age_ * 7 : (c_.sex == 'F' ? rng_.range(152, 172) : rng_.range(164, 188));
    const double bmi_base = age_ < 14 ? 16.5 : rng_.range(205, 310) / 10.0;
    for (int v = 0; v < visits; ++v) {
      const int day = age_ < 14 ? dayBetween(kReferenceDay - 300) : dayBetween(kReferenceDay - 700 + v * 200);
      if (age_ >= 14) {
        GpFact& bp = add("vital_sign", "VS", kLoinc, "85354-9", "Pressione arteriosa", day);
        bp.value = hypertensive ? rng_.range(130, 165) : rng_.range(108, 138);
        bp.value2 = hypertensive ? rng_.range(78, 98) : rng_.range(65, 85);
        bp.unit = "mm[Hg]";
      }
      const double bmi = bmi_base + rng_.range(-8, 8) / 10.0;
      const double weight = static_cast<int>(bmi * height * height / 1000.0) / 10.0;  // one decimal
      GpFact& w = add("vital_sign", "VS", kLoinc, "29463-7", "Peso corporeo", day);
      w.value = weight;
      w.unit = "kg";
      if (age_ < 14) {
        GpFact& h = add("vital_sign", "VS", kLoinc, "8302-2", "Altezza", day);
        h.value = height;
        h.unit = "cm";
      } else {
        GpFact& b = add("vital_sign", "VS", kLoinc, "39156-5", "Indice di massa corporea (BMI)", day);
        b.value = static_cast<int>(weight * 100000.0 / (height * height)) / 10.0;
        b.unit = "kg/m2";
      }
    }
  }

  const AtsCitizen& c_;
  Rng rng_;
  int age_;
  int serial_ = 0;
  GpClinical out_;
};

}  // namespace

GpClinical drawGpClinical(uint64_t seed, const AtsCitizen& citizen) { return ClinicalBuilder(seed, citizen).build(); }

std::string gpDateTime(int day, int second_of_day) {
  day += second_of_day / 86400;
  second_of_day %= 86400;
  // Europe/Rome: UTC+2 from the last Sunday of March to the last Sunday of
  // October (the change at 01:00 UTC is not modelled to the hour).
  const int year = yearOf(day);
  auto lastSunday = [](int y, int m) {
    const int last = daysFromCivil(y, m, 31);
    const int weekday = (last + 4) % 7;  // 1970-01-01 was a Thursday; 0 = Sunday
    return last - weekday;
  };
  const bool summer = day >= lastSunday(year, 3) && day < lastSunday(year, 10);
  return isoDate(day) + "T" + padded(static_cast<uint64_t>(second_of_day / 3600), 2) + ":" +
         padded(static_cast<uint64_t>(second_of_day / 60 % 60), 2) + ":" +
         padded(static_cast<uint64_t>(second_of_day % 60), 2) + (summer ? "+02:00" : "+01:00");
}

}  // namespace raccordo::synth::detail
