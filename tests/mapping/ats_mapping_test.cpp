// Records of the ATS kinds (encounter, lab_report, merge, exemption, and the
// person and case fields ATS uses) -> FHIR resources, in memory and applied
// to a real SQLite store.

#include <gtest/gtest.h>
#include <rapidjson/pointer.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "adapters/ats/ats_hl7_adapter.h"
#include "gateway/core/ids.h"
#include "gateway/core/json.h"
#include "gateway/mapping/fhir_mapping.h"
#include "gateway/mapping/pipeline.h"
#include "tests/support/ats_hl7_fixtures.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_store.h"

namespace raccordo {
namespace {

namespace fs = std::filesystem;
using namespace testing::hl7fx;

constexpr const char* kCfSystem = "http://hl7.it/sid/codiceFiscale";

const Adapter& atsHl7() {
  static AdapterPtr a = [] {
    auto r = makeAtsHl7Adapter(fs::path(RACCORDO_SOURCE_DIR) / "mappings" / "ats", kCfSystem);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().describe());
    return r.ok() ? r.value() : nullptr;
  }();
  return *a;
}

DecodedMessage decode(const std::string& hl7) {
  auto d = atsHl7().decode(hl7, MessageMeta{});
  EXPECT_TRUE(d.ok()) << (d.ok() ? "" : d.error().describe());
  return d.ok() ? std::move(d.value()) : DecodedMessage{};
}

std::vector<ResourceWrite> mapMessage(const DecodedMessage& m) {
  auto w = mapToFhir(m, MappingContext{});
  EXPECT_TRUE(w.ok()) << (w.ok() ? "" : w.error().describe());
  return w.ok() ? std::move(w.value()) : std::vector<ResourceWrite>{};
}

std::vector<const ResourceWrite*> ofType(const std::vector<ResourceWrite>& writes, const std::string& type) {
  std::vector<const ResourceWrite*> out;
  for (const auto& w : writes) {
    if (json::getStr(w.doc, "resourceType") == type) out.push_back(&w);
  }
  return out;
}

const ResourceWrite* byId(const std::vector<ResourceWrite>& writes, const std::string& type, const std::string& id) {
  for (const auto& w : writes) {
    if (json::getStr(w.doc, "resourceType") == type && json::getStr(w.doc, "id") == id) return &w;
  }
  return nullptr;
}

std::string strAt(const json::Value& v, const char* pointer) {
  const json::Value* p = rapidjson::Pointer(pointer).Get(v);
  if (p == nullptr) return "<none>";
  return p->IsString() ? std::string(p->GetString(), p->GetStringLength()) : json::write(*p);
}

std::string patientRef(const std::string& key) { return "Patient/" + patientIdFor(key); }

/// The id part of "Type/id".
std::string idOf(const std::string& reference) { return reference.substr(reference.find('/') + 1); }

// ---------------------------------------------------------------------------

TEST(AtsMapping, EncounterWithServiceProviderAndAttending) {
  auto writes = mapMessage(decode(adtA01()));
  auto encounters = ofType(writes, "Encounter");
  ASSERT_EQ(encounters.size(), 1u);
  const json::Doc& e = encounters[0]->doc;
  EXPECT_EQ(strAt(e, "/id"), stableId({"Encounter", "ats", "encounter", "V2024-000123"}));
  EXPECT_EQ(strAt(e, "/identifier/0/system"), "urn:raccordo:ats:encounter");
  EXPECT_EQ(strAt(e, "/identifier/0/value"), "V2024-000123");
  EXPECT_EQ(strAt(e, "/status"), "in-progress");
  EXPECT_EQ(strAt(e, "/class/system"), "http://terminology.hl7.org/CodeSystem/v3-ActCode");
  EXPECT_EQ(strAt(e, "/class/code"), "IMP");
  EXPECT_EQ(strAt(e, "/subject/reference"), patientRef(kCf));
  EXPECT_EQ(strAt(e, "/period/start"), "2024-01-15T10:30:00+01:00");
  EXPECT_EQ(strAt(e, "/period/end"), "<none>");
  EXPECT_EQ(strAt(e, "/location/0/location/display"), "CARD, stanza 101, letto 2");

  std::string org_ref = strAt(e, "/serviceProvider/reference");
  const ResourceWrite* org = byId(writes, "Organization", idOf(org_ref));
  ASSERT_NE(org, nullptr) << org_ref;
  EXPECT_EQ(idOf(org_ref), stableId({"Organization", "ats", "facility", "NIGUARDA"}));
  EXPECT_EQ(strAt(org->doc, "/identifier/0/system"), "urn:raccordo:ats:facility");
  EXPECT_EQ(strAt(org->doc, "/identifier/0/value"), "NIGUARDA");
  EXPECT_EQ(org->keep_stored_fields, std::vector<std::string>{kAllFields});

  EXPECT_EQ(strAt(e, "/participant/0/type/0/coding/0/code"), "ATND");
  std::string doc_ref = strAt(e, "/participant/0/individual/reference");
  const ResourceWrite* doctor = byId(writes, "Practitioner", idOf(doc_ref));
  ASSERT_NE(doctor, nullptr) << doc_ref;
  EXPECT_EQ(strAt(doctor->doc, "/identifier/0/system"), "urn:raccordo:ats:practitioner");
  EXPECT_EQ(strAt(doctor->doc, "/identifier/0/value"), "12345");
  EXPECT_EQ(strAt(doctor->doc, "/name/0/family"), "ROSSI");

  // The same message again lands on the same resources.
  auto again = mapMessage(decode(adtA01()));
  ASSERT_EQ(again.size(), writes.size());
  for (std::size_t i = 0; i < writes.size(); ++i) EXPECT_EQ(json::write(again[i].doc), json::write(writes[i].doc));
}

TEST(AtsMapping, EncounterStatusesFollowTheEvents) {
  auto statusOf = [](const std::string& event, std::map<int, std::string> pv1_fields) {
    auto writes = mapMessage(decode(message({msh("ADT^" + event + "^ADT_A01", "S-" + event), pid(),
                                             pv1(std::move(pv1_fields))})));
    auto e = ofType(writes, "Encounter");
    return e.size() == 1 ? strAt(e[0]->doc, "/status") + " " + strAt(e[0]->doc, "/period/end") : "no encounter";
  };
  EXPECT_EQ(statusOf("A03", {{2, "I"}, {19, "V5"}, {45, "20240716120000"}}), "finished 2024-07-16T12:00:00+02:00");
  EXPECT_EQ(statusOf("A11", {{2, "I"}, {19, "V5"}}), "cancelled <none>");
  EXPECT_EQ(statusOf("A13", {{2, "I"}, {19, "V5"}, {45, "20240716120000"}}), "in-progress <none>");
}

TEST(AtsMapping, LabReportAndItsObservations) {
  auto writes = mapMessage(decode(oruR01()));
  auto reports = ofType(writes, "DiagnosticReport");
  ASSERT_EQ(reports.size(), 2u);
  EXPECT_EQ(ofType(writes, "Observation").size(), 5u);
  const json::Doc& cbc = reports[0]->doc;
  EXPECT_EQ(strAt(cbc, "/id"), stableId({"DiagnosticReport", "ats", "lab-report", "FIL-5001"}));
  EXPECT_EQ(strAt(cbc, "/identifier/0/system"), "urn:raccordo:ats:lab-report");
  EXPECT_EQ(strAt(cbc, "/status"), "final");
  EXPECT_EQ(strAt(cbc, "/category/0/coding/0/code"), "LAB");
  EXPECT_EQ(strAt(cbc, "/code/coding/0/system"), "http://loinc.org");
  EXPECT_EQ(strAt(cbc, "/code/coding/0/code"), "24317-0");
  EXPECT_EQ(strAt(cbc, "/subject/reference"), patientRef(kCf));
  EXPECT_EQ(strAt(cbc, "/effectiveDateTime"), "2024-07-10T08:30:00+02:00");
  EXPECT_EQ(strAt(cbc, "/issued"), "2024-07-10T12:00:00+02:00");
  std::string lab_ref = strAt(cbc, "/performer/0/reference");
  EXPECT_EQ(lab_ref, "Organization/" + stableId({"Organization", "ats", "facility", "LAB_NIGUARDA"}));
  EXPECT_NE(byId(writes, "Organization", idOf(lab_ref)), nullptr);

  // result[] lists the Observations in order, with ids from the result source ids.
  ASSERT_EQ(cbc["result"].Size(), 4u);
  for (int i = 0; i < 4; ++i) {
    std::string expected = stableId({"Observation", "ats", "lab-result", "FIL-5001-" + std::to_string(i + 1)});
    EXPECT_EQ(std::string(cbc["result"][i]["reference"].GetString()), "Observation/" + expected);
    EXPECT_NE(byId(writes, "Observation", expected), nullptr);
  }
  const json::Doc& hb = byId(writes, "Observation", idOf(cbc["result"][0]["reference"].GetString()))->doc;
  EXPECT_EQ(strAt(hb, "/identifier/0/system"), "urn:raccordo:ats:lab-result");
  EXPECT_EQ(strAt(hb, "/identifier/0/value"), "FIL-5001-1");
  EXPECT_EQ(strAt(hb, "/status"), "final");
  EXPECT_EQ(strAt(hb, "/category/0/coding/0/code"), "laboratory");
  EXPECT_EQ(strAt(hb, "/code/coding/0/code"), "718-7");
  EXPECT_EQ(strAt(hb, "/subject/reference"), patientRef(kCf));
  EXPECT_EQ(strAt(hb, "/valueQuantity/value"), "11.2");
  EXPECT_EQ(strAt(hb, "/valueQuantity/unit"), "g/dL");
  EXPECT_EQ(strAt(hb, "/interpretation/0/coding/0/code"), "L");
  EXPECT_EQ(strAt(hb, "/referenceRange/0/text"), "12.0-16.0");
  EXPECT_EQ(strAt(hb, "/effectiveDateTime"), "2024-07-10T08:30:00+02:00");
  EXPECT_EQ(strAt(hb, "/performer/0/reference"), lab_ref);

  const json::Doc& group = byId(writes, "Observation", idOf(cbc["result"][2]["reference"].GetString()))->doc;
  EXPECT_EQ(strAt(group, "/valueCodeableConcept/coding/0/code"), "LA19710-5");
  EXPECT_EQ(strAt(group, "/effectiveDateTime"), "2024-07-10T08:30:00+02:00");  // the report's, when OBX-14 is empty
  const json::Doc& mono = byId(writes, "Observation", idOf(cbc["result"][3]["reference"].GetString()))->doc;
  EXPECT_EQ(strAt(mono, "/valueQuantity/comparator"), "<");
  EXPECT_EQ(strAt(mono, "/status"), "preliminary");

  const json::Doc& note = reports[1]->doc;
  EXPECT_EQ(strAt(note, "/status"), "preliminary");
  EXPECT_EQ(strAt(note, "/issued"), "<none>");
  const json::Doc& text = byId(writes, "Observation", idOf(note["result"][0]["reference"].GetString()))->doc;
  EXPECT_EQ(strAt(text, "/valueString"), "Campione emolizzato\nripetere");
}

TEST(AtsMapping, PersonWithGpStpBirthplaceAndDeath) {
  std::string pid3 = cfId() + "~" + std::string(kStp) + "^^^STP";
  auto writes = mapMessage(decode(message(
      {msh("ADT^A31^ADT_A05"),
       pid(pid3, {{23, ""}, {11, "VIA ROMA 10^^MILANO^MI^20121^ITA^H~^^MILANO^MI^^ITA^BDL^^015146"}, {29, "20240702231500"}}), pd1Gp()})));
  auto patients = ofType(writes, "Patient");
  ASSERT_EQ(patients.size(), 1u);
  const ResourceWrite& pw = *patients[0];
  // A registry message: ATS's own identifiers replace, the others are kept.
  EXPECT_EQ(pw.merge_arrays, (std::vector<MergedArray>{{"identifier", "urn:raccordo:ats:"}, {"link"}}));
  EXPECT_EQ(pw.keep_stored_fields, std::vector<std::string>{"generalPractitioner"});
  const json::Doc& p = pw.doc;
  EXPECT_EQ(strAt(p, "/id"), patientIdFor(kCf));
  EXPECT_EQ(strAt(p, "/identifier/1/system"), "http://hl7.it/sid/stp");
  EXPECT_EQ(strAt(p, "/identifier/1/value"), kStp);
  EXPECT_EQ(strAt(p, "/extension/0/valueAddress/city"), "MILANO");
  EXPECT_EQ(strAt(p, "/extension/0/valueAddress/_city/extension/0/url"), "urn:raccordo:fhir:ext:istat-code");
  EXPECT_EQ(strAt(p, "/extension/0/valueAddress/_city/extension/0/valueCode"), "015146");
  EXPECT_EQ(strAt(p, "/deceasedDateTime"), "2024-07-02T23:15:00+02:00");
  EXPECT_EQ(strAt(p, "/address/0/country"), "ITA");
  std::string gp_ref = strAt(p, "/generalPractitioner/0/reference");
  EXPECT_EQ(gp_ref, "Practitioner/" + stableId({"Practitioner", kCfSystem, kGpCf}));
  const ResourceWrite* gp = byId(writes, "Practitioner", idOf(gp_ref));
  ASSERT_NE(gp, nullptr);
  EXPECT_EQ(strAt(gp->doc, "/identifier/0/system"), kCfSystem);
  EXPECT_EQ(strAt(gp->doc, "/identifier/0/value"), kGpCf);
  EXPECT_EQ(strAt(gp->doc, "/name/0/family"), "BIANCHI");

  // Without a CF the STP is the citizen: the Patient id follows it.
  auto stp_only = mapMessage(decode(message({msh("ADT^A28^ADT_A05"), pid(std::string(kStp) + "^^^STP")})));
  EXPECT_EQ(strAt(ofType(stp_only, "Patient")[0]->doc, "/id"), patientIdFor(kStp));
}

Record record(const char* kind, const std::string& source_id, const std::string& data_json,
              const std::string& citizen_key = {}) {
  Record r;
  r.kind = kind;
  r.source_id = source_id;
  r.data.Parse(data_json.c_str(), data_json.size());
  EXPECT_FALSE(r.data.HasParseError()) << data_json;
  r.citizen_key = citizen_key;
  return r;
}

TEST(AtsMapping, ExemptionBecomesCoverage) {
  DecodedMessage m;
  m.source = "ats";
  const std::string with_issuer = std::string(kCf) + "-E01-2024-01-01";
  const std::string without_issuer = std::string(kOldCf) + "-048-2023-05-10";
  m.records.push_back(record(kind::kExemption, with_issuer,
                             R"({"code": {"system": "urn:raccordo:cs:ticket-exemption", "code": "E01",
                                 "display": "Eta' inferiore a 6 anni o superiore a 65 con reddito basso"},
                                 "start": "2024-01-01", "end": "2024-12-31",
                                 "issuer": {"code": "ATS-MI", "name": "ATS Citta' Metropolitana di Milano"}})",
                             kCf));
  m.records.push_back(record(kind::kExemption, without_issuer,
                             R"({"code": {"system": "urn:raccordo:cs:ticket-exemption", "code": "048"},
                                 "start": "2023-05-10", "issuer": {"code": ""}})",
                             kOldCf));
  auto writes = mapMessage(m);
  auto coverages = ofType(writes, "Coverage");
  ASSERT_EQ(coverages.size(), 2u);
  const json::Doc& c = coverages[0]->doc;
  EXPECT_EQ(strAt(c, "/id"), stableId({"Coverage", "ats", "exemption", with_issuer}));
  EXPECT_EQ(strAt(c, "/identifier/0/system"), "urn:raccordo:ats:exemption");
  EXPECT_EQ(strAt(c, "/identifier/0/value"), with_issuer);
  EXPECT_EQ(strAt(c, "/status"), "active");
  EXPECT_EQ(strAt(c, "/type/coding/0/system"), "urn:raccordo:cs:coverage-type");
  EXPECT_EQ(strAt(c, "/type/coding/0/code"), "ticket-exemption");
  EXPECT_EQ(strAt(c, "/beneficiary/reference"), patientRef(kCf));
  EXPECT_EQ(strAt(c, "/period/start"), "2024-01-01");
  EXPECT_EQ(strAt(c, "/period/end"), "2024-12-31");
  EXPECT_EQ(strAt(c, "/class/0/type/coding/0/system"), "http://terminology.hl7.org/CodeSystem/coverage-class");
  EXPECT_EQ(strAt(c, "/class/0/type/coding/0/code"), "plan");
  EXPECT_EQ(strAt(c, "/class/0/value"), "E01");
  EXPECT_EQ(strAt(c, "/class/0/name"), "Eta' inferiore a 6 anni o superiore a 65 con reddito basso");
  std::string payor = strAt(c, "/payor/0/reference");
  const ResourceWrite* issuer = byId(writes, "Organization", idOf(payor));
  ASSERT_NE(issuer, nullptr) << payor;
  EXPECT_EQ(strAt(issuer->doc, "/identifier/0/value"), "ATS-MI");
  EXPECT_EQ(strAt(issuer->doc, "/name"), "ATS Citta' Metropolitana di Milano");

  const json::Doc& nat = coverages[1]->doc;
  EXPECT_EQ(strAt(nat, "/beneficiary/reference"), patientRef(kOldCf));  // the record's own citizen
  EXPECT_EQ(strAt(nat, "/payor/0/display"), "Servizio Sanitario Nazionale");
  EXPECT_EQ(strAt(nat, "/payor/0/reference"), "<none>");
  EXPECT_EQ(strAt(nat, "/period/end"), "<none>");
  EXPECT_EQ(strAt(nat, "/class/0/name"), "<none>");

  // A record without a citizen, in a message without one, is refused.
  DecodedMessage orphan;
  orphan.source = "ats";
  orphan.records.push_back(record(kind::kExemption, "x", R"({"code": {"code": "E01"}, "start": "2024-01-01"})"));
  EXPECT_FALSE(mapToFhir(orphan, MappingContext{}).ok());
}

TEST(AtsMapping, CaseWithoutSocialWorkerOrWithAProviderOffice) {
  DecodedMessage m;
  m.source = "ats";
  m.citizen_key = kCf;
  m.records.push_back(record(kind::kCase, "adi-1",
                             R"({"area": {"system": "urn:raccordo:cs:care-area", "code": "home-care", "display": "Cure domiciliari"},
                                 "status": "active", "opened": "2024-02-01"})"));
  m.records.push_back(record(kind::kCase, "adi-2",
                             R"({"area": {"system": "urn:raccordo:cs:care-area", "code": "home-care"},
                                 "status": "finished", "opened": "2023-02-01", "closed": "2023-06-30",
                                 "office": {"code": "030301", "name": "ASST Nord Milano", "type": "provider"}})"));
  auto writes = mapMessage(m);
  EXPECT_TRUE(ofType(writes, "Practitioner").empty());
  const ResourceWrite* bare = byId(writes, "EpisodeOfCare", stableId({"EpisodeOfCare", "ats", "case", "adi-1"}));
  ASSERT_NE(bare, nullptr);
  EXPECT_EQ(strAt(bare->doc, "/careManager"), "<none>");
  EXPECT_EQ(strAt(bare->doc, "/managingOrganization"), "<none>");
  EXPECT_EQ(strAt(bare->doc, "/patient/reference"), patientRef(kCf));
  const ResourceWrite* plan = byId(writes, "CarePlan", stableId({"CarePlan", "ats", "case", "adi-1"}));
  ASSERT_NE(plan, nullptr);
  EXPECT_EQ(strAt(plan->doc, "/author"), "<none>");

  const ResourceWrite* asst = byId(writes, "EpisodeOfCare", stableId({"EpisodeOfCare", "ats", "case", "adi-2"}));
  ASSERT_NE(asst, nullptr);
  std::string org = strAt(asst->doc, "/managingOrganization/reference");
  EXPECT_EQ(org, "Organization/" + stableId({"Organization", "ats", "provider", "030301"}));
  EXPECT_EQ(strAt(byId(writes, "Organization", idOf(org))->doc, "/identifier/0/system"), "urn:raccordo:ats:provider");
  EXPECT_EQ(strAt(byId(writes, "CarePlan", stableId({"CarePlan", "ats", "case", "adi-2"}))->doc, "/author/reference"),
            org);
}

TEST(AtsMapping, MergeLinksTheTwoPatients) {
  auto writes = mapMessage(decode(adtA40()));
  const ResourceWrite* survivor = byId(writes, "Patient", patientIdFor(kCf));
  const ResourceWrite* old = byId(writes, "Patient", patientIdFor(kOldCf));
  ASSERT_NE(survivor, nullptr);
  ASSERT_NE(old, nullptr);
  EXPECT_EQ(ofType(writes, "Patient").size(), 2u);

  const json::Doc& s = survivor->doc;
  // The A40's PID is demographics in passing: nothing stored is dropped.
  EXPECT_EQ(survivor->merge_arrays, (std::vector<MergedArray>{{"identifier"}, {"link"}}));
  EXPECT_EQ(survivor->keep_stored_fields, std::vector<std::string>{kAllFields});
  std::map<std::string, std::string> uses;  // value -> use
  for (const auto& i : s["identifier"].GetArray()) uses[json::getStr(i, "value").data()] = json::getStr(i, "use");
  EXPECT_EQ(uses[kCf], "");
  EXPECT_EQ(uses[kOldCf], "old");
  EXPECT_EQ(uses[kStp], "old");
  EXPECT_EQ(strAt(s, "/link/0/other/reference"), patientRef(kOldCf));
  EXPECT_EQ(strAt(s, "/link/0/type"), "replaces");
  EXPECT_EQ(strAt(s, "/name/0/family"), "VERDI");

  const json::Doc& o = old->doc;
  EXPECT_EQ(strAt(o, "/active"), "false");
  EXPECT_EQ(strAt(o, "/link/0/other/reference"), patientRef(kCf));
  EXPECT_EQ(strAt(o, "/link/0/type"), "replaced-by");
  EXPECT_EQ(strAt(o, "/identifier/0/value"), kOldCf);
  EXPECT_EQ(strAt(o, "/name"), "<none>");  // its stored fields are kept by the write
  EXPECT_EQ(old->keep_stored_fields, std::vector<std::string>{kAllFields});
  EXPECT_EQ(old->merge_arrays, (std::vector<MergedArray>{{"identifier"}, {"link"}}));
}

// ---------------------------------------------------------------------------
// Applied to a store: the merge survives later updates.

class AtsMappingStore : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = testing::openTestStore(dir_.path(), 2);
    ASSERT_NE(store_, nullptr);
  }
  void TearDown() override {
    if (store_) store_->close();
  }

  /// Maps and applies a message the way the pipeline does (resources are
  /// prepared before the transaction); returns the summary.
  json::Doc apply(const std::string& hl7, int64_t message_id) {
    DecodedMessage decoded = decode(hl7);
    auto writes = mapMessage(decoded);
    prepareWrites(writes);
    MessageRecord msg;
    msg.id = message_id;
    msg.adapter = "ats-hl7";
    msg.sender = "ats-milano";
    std::string summary;
    store_->write([&](WriteTx& tx) {
      summary = applyResources(tx, writes, msg, patientIdFor(decoded.citizen_key), 1'000'000 + message_id);
    });
    json::Doc d;
    d.Parse(summary.c_str(), summary.size());
    return d;
  }

  json::Doc patient(const std::string& key) {
    std::optional<StoredResource> r;
    store_->read([&](ReadTx& tx) { r = tx.resource("Patient", patientIdFor(key)); });
    json::Doc d;
    if (r) d.Parse(r->json.c_str(), r->json.size());
    return d;
  }

  static std::map<std::string, std::string> identifierUses(const json::Doc& p) {
    std::map<std::string, std::string> out;  // value -> use
    if (const json::Value* ids = json::get(p, "identifier")) {
      for (const auto& i : ids->GetArray()) out[json::getStr(i, "value").data()] = json::getStr(i, "use");
    }
    return out;
  }

  testing::TempDir dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(AtsMappingStore, OldIdentifiersAndLinksSurviveALaterUpdate) {
  // Anna Ferrari is known under her own CF first.
  std::string ferrari = message({msh("ADT^A28^ADT_A05", "F1"),
                                 pid(cfId(kOldCf), {{5, "FERRARI^ANNA^^^^^L"}, {7, "19521201"}, {23, "L219"}})});
  apply(ferrari, 1);
  ASSERT_EQ(strAt(patient(kOldCf), "/name/0/family"), "FERRARI");

  apply(adtA40(), 2);
  json::Doc survivor = patient(kCf);
  auto uses = identifierUses(survivor);
  EXPECT_EQ(uses[kOldCf], "old");
  EXPECT_EQ(uses[kStp], "old");
  EXPECT_EQ(strAt(survivor, "/link/0/type"), "replaces");
  json::Doc old = patient(kOldCf);
  EXPECT_EQ(strAt(old, "/active"), "false");
  EXPECT_EQ(strAt(old, "/link/0/type"), "replaced-by");
  EXPECT_EQ(strAt(old, "/name/0/family"), "FERRARI");  // kept from the stored version
  EXPECT_EQ(strAt(old, "/birthDate"), "1952-12-01");
  EXPECT_EQ(identifierUses(old)[kOldCf], "");

  // A later update of the survivor that knows nothing of the merge.
  std::string update = message({msh("ADT^A31^ADT_A05", "U1"), pid(cfId(), {{5, "VERDI^GIULIA MARIA^^^^^L"}})});
  apply(update, 3);
  survivor = patient(kCf);
  EXPECT_EQ(strAt(survivor, "/name/0/given/0"), "GIULIA MARIA");
  uses = identifierUses(survivor);
  EXPECT_EQ(uses[kCf], "");
  EXPECT_EQ(uses[kOldCf], "old");
  EXPECT_EQ(uses[kStp], "old");
  EXPECT_EQ(strAt(survivor, "/link/0/other/reference"), patientRef(kOldCf));

  // The same update again changes nothing.
  json::Doc again = apply(update, 4);
  ASSERT_TRUE(again.IsObject());
  EXPECT_EQ(again["changed"].Size(), 0u) << json::write(again);

  // The STP, once current, is no longer "old".
  apply(message({msh("ADT^A31^ADT_A05", "U2"), pid(cfId() + "~" + std::string(kStp) + "^^^STP")}), 5);
  uses = identifierUses(patient(kCf));
  EXPECT_EQ(uses[kStp], "");
  EXPECT_EQ(uses[kOldCf], "old");
}

TEST_F(AtsMappingStore, APassingPidDoesNotEraseTheRegistryData) {
  // The registry (A28) gives the address, phones and GP ...
  apply(message({msh("ADT^A28^ADT_A05", "R1"), pid(), pd1Gp()}), 1);
  // ... a lab result names the citizen by CF and a hospital number only.
  apply(message({msh("ORU^R01", "O1"),
                 seg("PID", {{1, "1"}, {3, cfId() + "~MRN-77^^^NIGUARDA^MR"}, {5, "VERDI^GIULIA"}}),
                 seg("OBR", {{1, "1"}, {3, "F-9"}, {4, "718-7^Hb^LN"}, {25, "F"}}),
                 seg("OBX", {{1, "1"}, {2, "NM"}, {3, "718-7^Hb^LN"}, {5, "13"}})}),
        2);
  json::Doc p = patient(kCf);
  EXPECT_EQ(strAt(p, "/address/0/city"), "MILANO");
  EXPECT_EQ(strAt(p, "/birthDate"), "1990-04-15");
  EXPECT_NE(strAt(p, "/generalPractitioner/0/reference"), "<none>");
  EXPECT_EQ(strAt(p, "/active"), "true");
  auto uses = identifierUses(p);
  EXPECT_EQ(uses.count("4455667788"), 1u);  // the regional id of the A28
  EXPECT_EQ(uses.count("MRN-77"), 1u);      // the hospital's number, added

  // A registry update replaces the demographics (the hospital number goes).
  apply(message({msh("ADT^A31^ADT_A05", "R2"), pid(cfId(), {{11, ""}})}), 3);
  p = patient(kCf);
  EXPECT_EQ(strAt(p, "/address"), "<none>");
  EXPECT_EQ(identifierUses(p).count("MRN-77"), 0u);
}

}  // namespace
}  // namespace raccordo
