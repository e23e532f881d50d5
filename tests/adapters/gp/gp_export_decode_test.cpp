// gp-export: the examples decode into the GP record kinds of docs/adapters.md.

#include <thread>

#include "tests/adapters/gp/gp_export_support.h"

namespace raccordo {
namespace {

using namespace gp_export_test;

constexpr const char* kPatient = "BRMGPP41C54F205H";

class GpExportDecodeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    adapter_ = makeAdapter();
    ASSERT_NE(adapter_, nullptr);
  }
  DecodedMessage decode(const std::string& bytes) {
    auto decoded = adapter_->decode(bytes, MessageMeta{});
    EXPECT_TRUE(decoded.ok()) << decoded.error().describe();
    return decoded.ok() ? std::move(decoded.value()) : DecodedMessage{};
  }
  AdapterPtr adapter_;
};

TEST_F(GpExportDecodeTest, NameAndMediaType) {
  EXPECT_EQ(adapter_->name(), "gp-export");
  EXPECT_EQ(adapter_->mediaTypes(), std::vector<std::string>{"application/json"});
}

TEST_F(GpExportDecodeTest, InspectGivesThePatientAndTheExportId) {
  auto env = adapter_->inspect(edited("full.json", {{"/patient/codice_fiscale", "\"brmgpp41c54f205h\""}}));
  ASSERT_TRUE(env.ok()) << env.error().describe();
  EXPECT_EQ(env->citizen_key, kPatient);
  EXPECT_EQ(env->source_message_id, "MMG-CLMMRC-2026-000417");
}

TEST_F(GpExportDecodeTest, FullExportGivesEveryList) {
  DecodedMessage m = decode(example("full.json"));
  EXPECT_EQ(m.source, "gp");
  EXPECT_EQ(m.citizen_key, kPatient);
  EXPECT_EQ(m.source_message_id, "MMG-CLMMRC-2026-000417");
  EXPECT_EQ(m.sent_at, "2026-11-01T07:30:00+01:00");
  EXPECT_TRUE(m.rejects.empty());
  EXPECT_TRUE(m.warnings.empty());
  EXPECT_EQ(ofKind(m, kind::kPerson).size(), 1u);
  EXPECT_EQ(ofKind(m, kind::kCondition).size(), 4u);
  EXPECT_EQ(ofKind(m, kind::kAllergy).size(), 1u);
  EXPECT_EQ(ofKind(m, kind::kMedication).size(), 4u);
  EXPECT_EQ(ofKind(m, kind::kVitalSign).size(), 3u);
  EXPECT_EQ(ofKind(m, kind::kImmunization).size(), 2u);
  EXPECT_EQ(ofKind(m, kind::kVisit).size(), 2u);
  EXPECT_EQ(ofKind(m, kind::kDocument).size(), 2u);
  EXPECT_EQ(m.records.size(), 19u);
}

TEST_F(GpExportDecodeTest, PersonIsPartialWithTheGp) {
  DecodedMessage m = decode(example("full.json"));
  const Record& p = *ofKind(m, kind::kPerson).front();
  EXPECT_EQ(at(p, "/identifiers/0/system"), "http://hl7.it/sid/codiceFiscale");
  EXPECT_EQ(at(p, "/identifiers/0/value"), kPatient);
  EXPECT_EQ(at(p, "/gender"), "female");
  EXPECT_EQ(at(p, "/birth_date"), "1941-03-14");
  EXPECT_EQ(at(p, "/partial"), "true");
  EXPECT_EQ(at(p, "/general_practitioner/id"), "CLMMRC68P02F205G");
  EXPECT_EQ(at(p, "/general_practitioner/id_system"), "http://hl7.it/sid/codiceFiscale");
  EXPECT_EQ(at(p, "/general_practitioner/family_name"), "Colombo");
}

TEST_F(GpExportDecodeTest, ProblemsBecomeConditions) {
  DecodedMessage m = decode(example("full.json"));
  const Record* c = bySourceId(m, kind::kCondition, std::string(kPatient) + "/PB-1001");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(at(*c, "/code/system"), "http://hl7.org/fhir/sid/icd-9-cm");
  EXPECT_EQ(at(*c, "/code/code"), "401.9");
  EXPECT_EQ(at(*c, "/text"), "Ipertensione essenziale non specificata");
  EXPECT_EQ(at(*c, "/category"), "problem-list-item");
  EXPECT_EQ(at(*c, "/clinical_status"), "active");
  EXPECT_EQ(at(*c, "/onset"), "2009-04-01");
  EXPECT_EQ(at(*c, "/asserted"), "2019-05-20T09:10:00+02:00");  // the item's updated
  EXPECT_EQ(at(*c, "/author/id"), "CLMMRC68P02F205G");
  EXPECT_EQ(at(*c, "/removed"), "<absent>");
  const Record* no_updated = bySourceId(m, kind::kCondition, std::string(kPatient) + "/PB-1002");
  ASSERT_NE(no_updated, nullptr);
  EXPECT_EQ(at(*no_updated, "/asserted"), "2026-03-12T10:05:00+01:00");  // else certified_at
}

TEST_F(GpExportDecodeTest, AllergyCodesAreLookedUp) {
  DecodedMessage m = decode(example("full.json"));
  const Record& a = *ofKind(m, kind::kAllergy).front();
  EXPECT_EQ(a.source_id, std::string(kPatient) + "/AL-201");
  EXPECT_EQ(at(a, "/code/system"), "http://www.whocc.no/atc");
  EXPECT_EQ(at(a, "/code/code"), "J01C");
  EXPECT_EQ(at(a, "/category"), "medication");
  EXPECT_EQ(at(a, "/clinical_status"), "active");
  EXPECT_EQ(at(a, "/verification"), "confirmed");
  EXPECT_EQ(at(a, "/criticality"), "high");
  EXPECT_EQ(at(a, "/reactions/0/manifestation/system"), "http://snomed.info/sct");
  EXPECT_EQ(at(a, "/reactions/0/manifestation/code"), "126485001");
  EXPECT_EQ(at(a, "/reactions/0/severity"), "moderate");
}

TEST_F(GpExportDecodeTest, TherapiesKeyOnAtcWithAicBeside) {
  DecodedMessage m = decode(example("full.json"));
  const Record* t = bySourceId(m, kind::kMedication, std::string(kPatient) + "/TH-301");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(at(*t, "/code/system"), "http://www.whocc.no/atc");
  EXPECT_EQ(at(*t, "/code/code"), "C09AA05");
  EXPECT_EQ(at(*t, "/other_codes/0/system"), "urn:oid:2.16.840.1.113883.2.9.6.1.5");
  EXPECT_EQ(at(*t, "/other_codes/0/code"), "026902015");
  EXPECT_EQ(at(*t, "/status"), "active");
  EXPECT_EQ(at(*t, "/dosage"), "1 compressa al mattino");
  const Record* stopped = bySourceId(m, kind::kMedication, std::string(kPatient) + "/TH-304");
  ASSERT_NE(stopped, nullptr);
  EXPECT_EQ(at(*stopped, "/status"), "stopped");
  EXPECT_EQ(at(*stopped, "/end"), "2019-05-20");
  EXPECT_EQ(at(*stopped, "/note"), "Edemi declivi");
}

TEST_F(GpExportDecodeTest, OnlyAnAicCodeIsTheCode) {
  DecodedMessage m = decode(edited("full.json", {{"/therapies/0/atc", ""}}));
  const Record* t = bySourceId(m, kind::kMedication, std::string(kPatient) + "/TH-301");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(at(*t, "/code/system"), "urn:oid:2.16.840.1.113883.2.9.6.1.5");
  EXPECT_EQ(at(*t, "/code/code"), "026902015");
  EXPECT_EQ(at(*t, "/other_codes"), "<absent>");
}

TEST_F(GpExportDecodeTest, VitalSignsWithUnitsAndComponents) {
  DecodedMessage m = decode(example("full.json"));
  const Record* bp = bySourceId(m, kind::kVitalSign, std::string(kPatient) + "/VS-401");
  ASSERT_NE(bp, nullptr);
  EXPECT_EQ(at(*bp, "/code/code"), "85354-9");
  EXPECT_EQ(at(*bp, "/code/system"), "http://loinc.org");
  EXPECT_EQ(at(*bp, "/effective"), "2026-09-03T11:00:00+02:00");
  EXPECT_EQ(at(*bp, "/components/0/code/code"), "8480-6");
  EXPECT_EQ(at(*bp, "/components/0/value_quantity/value"), "148.0");
  EXPECT_EQ(at(*bp, "/components/1/code/code"), "8462-4");
  EXPECT_EQ(at(*bp, "/components/1/value_quantity/ucum_code"), "mm[Hg]");
  EXPECT_EQ(at(*bp, "/value_quantity"), "<absent>");
  const Record* bmi = bySourceId(m, kind::kVitalSign, std::string(kPatient) + "/VS-403");
  ASSERT_NE(bmi, nullptr);
  EXPECT_EQ(at(*bmi, "/value_quantity/value"), "27.1");
  EXPECT_EQ(at(*bmi, "/value_quantity/unit"), "kg/m2");  // the table's unit when the export gives none
}

TEST_F(GpExportDecodeTest, VaccinationsVisitsAndReports) {
  DecodedMessage m = decode(example("full.json"));
  const Record* v = bySourceId(m, kind::kImmunization, std::string(kPatient) + "/VC-501");
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(at(*v, "/code/code"), "J07BB02");
  EXPECT_EQ(at(*v, "/date"), "2025-10-21");
  EXPECT_EQ(at(*v, "/status"), "completed");
  EXPECT_EQ(at(*v, "/lot"), "FLU25-0931");
  EXPECT_EQ(at(*v, "/dose_number"), "1");
  const Record* visit = bySourceId(m, kind::kVisit, std::string(kPatient) + "/VI-601");
  ASSERT_NE(visit, nullptr);
  EXPECT_EQ(at(*visit, "/type/code"), "surgery");
  EXPECT_EQ(at(*visit, "/reason/code"), "427.31");
  EXPECT_EQ(at(*visit, "/practitioner/id"), "CLMMRC68P02F205G");
  const Record* phone = bySourceId(m, kind::kVisit, std::string(kPatient) + "/VI-602");
  ASSERT_NE(phone, nullptr);
  EXPECT_EQ(at(*phone, "/reason"), "Controllo terapia anticoagulante");
  const Record* doc = bySourceId(m, kind::kDocument, std::string(kPatient) + "/RP-702/1");
  ASSERT_NE(doc, nullptr);
  EXPECT_EQ(at(*doc, "/document_id"), std::string(kPatient) + "/RP-702/1");
  EXPECT_EQ(at(*doc, "/type/code"), "11488-4");
  EXPECT_EQ(at(*doc, "/title"), "Referto cardiologico");
  EXPECT_EQ(at(*doc, "/status"), "current");
  EXPECT_EQ(at(*doc, "/content_type"), "text/plain");
  EXPECT_EQ(at(*doc, "/author/id"), "GLLNDR72E21B157Q");
  EXPECT_FALSE(at(*doc, "/content_base64").empty());
  const Record* lab = bySourceId(m, kind::kDocument, std::string(kPatient) + "/RP-701/1");
  ASSERT_NE(lab, nullptr);
  EXPECT_EQ(at(*lab, "/title"), "Esami ematochimici");
  EXPECT_EQ(at(*lab, "/custodian/name"), "ASST Fatebenefratelli Sacco");
}

TEST_F(GpExportDecodeTest, DeltaCarriesChangesAndDeletions) {
  DecodedMessage m = decode(example("delta.json"));
  EXPECT_TRUE(m.rejects.empty());
  EXPECT_EQ(m.records.size(), 6u);  // person, a therapy, two vaccinations, two deletions
  const Record* t = bySourceId(m, kind::kMedication, std::string(kPatient) + "/TH-302");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(at(*t, "/status"), "completed");
  EXPECT_EQ(at(*t, "/end"), "2026-11-12");
  EXPECT_EQ(at(*t, "/asserted"), "2026-11-12T16:40:00+01:00");
  const Record* eie = bySourceId(m, kind::kImmunization, std::string(kPatient) + "/VC-502");
  ASSERT_NE(eie, nullptr);
  EXPECT_EQ(at(*eie, "/removed"), "entered-in-error");
  EXPECT_EQ(at(*eie, "/status"), "entered-in-error");
  const Record* gone = bySourceId(m, kind::kVisit, std::string(kPatient) + "/VI-602");
  ASSERT_NE(gone, nullptr);
  EXPECT_EQ(at(*gone, "/removed"), "deleted");
  EXPECT_EQ(at(*gone, "/asserted"), "2026-11-10T08:00:00+01:00");
  const Record* bmi = bySourceId(m, kind::kVitalSign, std::string(kPatient) + "/VS-403");
  ASSERT_NE(bmi, nullptr);
  EXPECT_EQ(at(*bmi, "/removed"), "deleted");
  EXPECT_EQ(at(*bmi, "/code/system"), "http://loinc.org");  // the fact key: code and effective
  EXPECT_EQ(at(*bmi, "/code/code"), "39156-5");
  EXPECT_EQ(at(*bmi, "/effective"), "2026-09-03T11:00:00+02:00");
  EXPECT_EQ(at(*bmi, "/asserted"), "2026-11-20T07:30:00+01:00");  // no deleted_at: the export's time
}

TEST_F(GpExportDecodeTest, EnteredInErrorProblemHasNoClinicalStatus) {
  DecodedMessage m = decode(edited("full.json", {{"/problems/0/status", "\"entered-in-error\""}}));
  const Record* c = bySourceId(m, kind::kCondition, std::string(kPatient) + "/PB-1001");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(at(*c, "/removed"), "entered-in-error");
  EXPECT_EQ(at(*c, "/clinical_status"), "<absent>");
}

TEST_F(GpExportDecodeTest, DeletionWithoutTimeIsAssertedAtGeneration) {
  DecodedMessage m = decode(edited("delta.json", {{"/deleted/0/deleted_at", ""}}));
  const Record* gone = bySourceId(m, kind::kVisit, std::string(kPatient) + "/VI-602");
  ASSERT_NE(gone, nullptr);
  EXPECT_EQ(at(*gone, "/asserted"), "2026-11-20T07:30:00+01:00");
}

TEST_F(GpExportDecodeTest, DecodingIsDeterministicAndThreadSafe) {
  const std::string bytes = example("full.json");
  auto first = adapter_->decode(bytes, MessageMeta{});
  ASSERT_TRUE(first.ok());
  std::vector<std::string> expected;
  for (const auto& r : first->records) expected.push_back(r.kind + r.source_id + json::write(r.data));
  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) {
        auto again = adapter_->decode(bytes, MessageMeta{});
        if (!again.ok() || again->records.size() != expected.size()) {
          ++mismatches[t];
          continue;
        }
        for (std::size_t k = 0; k < expected.size(); ++k) {
          const Record& r = again->records[k];
          if (r.kind + r.source_id + json::write(r.data) != expected[k]) ++mismatches[t];
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int n : mismatches) EXPECT_EQ(n, 0);
}

}  // namespace
}  // namespace raccordo
