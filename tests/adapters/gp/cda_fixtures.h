#pragma once
// Hand-made GP record and CDA fixtures for the gp-cda tests and benchmarks:
// documents shaped like the HL7 Italia examples, from the synthetic writer.

#include <string>

#include "gateway/identity/codice_fiscale.h"
#include "gateway/synth/synth_gp.h"

namespace raccordo::testing {

inline synth::detail::AtsCitizen cdaCitizen() {
  synth::detail::AtsCitizen c;
  c.index = 3;
  c.person_id = "P000004";
  c.family_name = "Bianchi";
  c.given_name = "Carla";
  c.sex = 'F';
  c.birth = synth::detail::daysFromCivil(1948, 3, 12);
  c.birth_place_code = "F205";
  c.codice_fiscale = identity::computeCodiceFiscale({"Bianchi", "Carla", identity::Sex::kFemale, 1948, 3, 12, "F205"});
  return c;
}

/// A GP record of `facts` facts (30 makes the benchmark's summary), every kind represented.
inline synth::detail::GpClinical cdaClinical(int facts = 30) {
  using synth::detail::daysFromCivil;
  synth::detail::GpClinical g;
  g.gp_codice_fiscale = identity::computeCodiceFiscale({"Verdi", "Paolo", identity::Sex::kMale, 1965, 7, 1, "F205"});
  g.gp_family_name = "Verdi";
  g.gp_given_name = "Paolo";
  g.certified_day = daysFromCivil(2026, 9, 15);
  const int start = daysFromCivil(2020, 1, 10);
  for (int i = 0; i < facts; ++i) {
    synth::detail::GpFact f;
    f.local_id = "MMG-" + std::to_string(1000 + i);
    f.start_day = start + i * 17;
    f.updated_day = g.certified_day - 3;
    switch (i % 6) {
      case 0: f.kind = "condition"; f.code_system = "http://hl7.org/fhir/sid/icd-9-cm"; f.code = std::to_string(401 + i) + ".9"; f.display = "Problema " + std::to_string(i); f.status = i % 12 == 0 ? "active" : "inactive"; break;
      case 1: f.kind = "medication"; f.code_system = "http://www.whocc.no/atc"; f.code = "C09AA0" + std::to_string(i % 10); f.display = "Farmaco " + std::to_string(i); f.status = "active";
        f.other_code = "0" + std::to_string(27000000 + i); f.dosage = "1 compressa al mattino"; break;
      case 2: f.kind = "allergy"; f.code_system = "http://snomed.info/sct"; f.code = std::to_string(91930004 + i); f.display = "Allergene & co " + std::to_string(i); f.status = "active";
        f.category = "food"; f.criticality = "high"; f.reaction_code = "126485001"; f.reaction = "Orticaria"; break;
      case 3: f.kind = "immunization"; f.code_system = "http://www.whocc.no/atc"; f.code = "J07BB0" + std::to_string(i % 10); f.display = "Vaccino " + std::to_string(i); f.status = "completed";
        f.lot = "LOT" + std::to_string(i); f.dose_number = 2; break;
      case 4:
        f.kind = "vital_sign"; f.code_system = "http://loinc.org";
        if (i % 12 == 4) { f.code = "85354-9"; f.display = "Pressione arteriosa"; f.value = 135; f.value2 = 85; f.unit = "mm[Hg]"; }
        else { f.code = "29463-7"; f.display = "Peso corporeo"; f.value = 70.5 + i; f.unit = "kg"; }
        f.status = "final"; break;
      default: f.kind = "device"; f.code_system = "urn:oid:2.16.840.1.113883.2.9.6.1.48"; f.code = "J01010" + std::to_string(i % 10); f.display = "Dispositivo " + std::to_string(i); f.status = "active"; break;
    }
    g.facts.push_back(f);
  }
  return g;
}

/// The Patient Summary of cdaCitizen() with cdaClinical(facts).
inline std::string cdaSummary(int facts = 30) {
  return synth::detail::gpCdaDocuments(1, cdaCitizen(), cdaClinical(facts)).front().bytes;
}

}  // namespace raccordo::testing
