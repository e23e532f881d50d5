#include "gateway/mapping/fhir_mapping.h"

#include <gtest/gtest.h>
#include <rapidjson/pointer.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "adapters/builtin.h"
#include "gateway/core/ids.h"
#include "gateway/core/json.h"
#include "gateway/mapping/pipeline.h"
#include "gateway/store/indexing.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_store.h"

namespace raccordo {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

const fs::path kSourceDir = RACCORDO_SOURCE_DIR;
const fs::path kExamples = kSourceDir / "schemas" / "sisa" / "examples";
constexpr const char* kCf = "CLMGPP38L44A794V";

std::string readFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}


class FhirMappingTest : public ::testing::Test {
 protected:
  static AdapterRegistry& registry() { return testing::builtinAdaptersForTest(); }

  static DecodedMessage decodeText(const std::string& text) {
    auto m = registry().find("sisa")->decode(text, MessageMeta{1, "sisa", "test", "application/json"});
    EXPECT_TRUE(m.ok()) << (m.ok() ? "" : m.error().describe());
    return m.ok() ? std::move(m.value()) : DecodedMessage{};
  }
  static DecodedMessage decodeFile(const std::string& name) { return decodeText(readFile(kExamples / name)); }

  static std::vector<ResourceWrite> mapFile(const std::string& name) {
    auto w = mapToFhir(decodeFile(name), MappingContext{});
    EXPECT_TRUE(w.ok()) << (w.ok() ? "" : w.error().describe());
    return w.ok() ? std::move(w.value()) : std::vector<ResourceWrite>{};
  }

  static std::vector<const json::Doc*> ofType(const std::vector<ResourceWrite>& writes, const std::string& type) {
    std::vector<const json::Doc*> out;
    for (const auto& w : writes) {
      if (json::getStr(w.doc, "resourceType") == type) out.push_back(&w.doc);
    }
    return out;
  }

  static std::string patientRef() { return "Patient/" + patientIdFor(kCf); }

};


const json::Value* at(const json::Value& v, const char* pointer) { return rapidjson::Pointer(pointer).Get(v); }

std::string strAt(const json::Value& v, const char* pointer) {
  const json::Value* p = at(v, pointer);
  return p != nullptr && p->IsString() ? std::string(p->GetString(), p->GetStringLength()) : std::string("<none>");
}

const json::Value* extensionByUrl(const json::Value& v, const char* url) {
  const json::Value* exts = json::get(v, "extension");
  if (exts == nullptr || !exts->IsArray()) return nullptr;
  for (const auto& e : exts->GetArray()) {
    if (json::getStr(e, "url") == url) return &e;
  }
  return nullptr;
}

bool isFhirId(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
  });
}

// ---------------------------------------------------------------------------
// Example 02: the elderly citizen

TEST_F(FhirMappingTest, PatientFromTheCitizen) {
  auto writes = mapFile("02-elderly-home-care.json");
  auto patients = ofType(writes, "Patient");
  ASSERT_EQ(patients.size(), 1u);
  const json::Doc& p = *patients[0];
  EXPECT_EQ(json::getStr(p, "id"), patientIdFor(kCf));
  EXPECT_EQ(patientIdFor(kCf), stableId({"Patient", kCf}));

  const json::Value* ids = json::get(p, "identifier");
  ASSERT_NE(ids, nullptr);
  bool has_cf = false, has_local = false;
  for (const auto& i : ids->GetArray()) {
    if (json::getStr(i, "system") == "http://hl7.it/sid/codiceFiscale" && json::getStr(i, "value") == kCf) {
      has_cf = true;
    }
    if (json::getStr(i, "system") == "urn:raccordo:sisa:citizen" && json::getStr(i, "value") == "C000123") {
      has_local = true;
    }
  }
  EXPECT_TRUE(has_cf);
  EXPECT_TRUE(has_local);
  EXPECT_EQ(json::getStr(p, "gender"), "female");
  EXPECT_EQ(json::getStr(p, "birthDate"), "1938-07-04");
  EXPECT_EQ(strAt(p, "/name/0/family"), "Colombo");
  EXPECT_EQ(strAt(p, "/name/0/given/0"), "Giuseppina");

  const json::Value* bp = extensionByUrl(p, "http://hl7.org/fhir/StructureDefinition/patient-birthPlace");
  ASSERT_NE(bp, nullptr);
  EXPECT_EQ(strAt(*bp, "/valueAddress/city"), "Bergamo");
  EXPECT_EQ(strAt(*bp, "/valueAddress/country"), "IT");
  EXPECT_EQ(strAt(*bp, "/valueAddress/_city/extension/0/url"), "urn:raccordo:fhir:ext:cadastral-code");
  EXPECT_EQ(strAt(*bp, "/valueAddress/_city/extension/0/valueCode"), "A794");

  const json::Value* cit = extensionByUrl(p, "http://hl7.org/fhir/StructureDefinition/patient-citizenship");
  ASSERT_NE(cit, nullptr);
  EXPECT_EQ(strAt(*cit, "/extension/0/valueCodeableConcept/coding/0/code"), "ITA");

  EXPECT_EQ(strAt(p, "/address/0/use"), "home");
  EXPECT_EQ(strAt(p, "/address/0/city"), "Milano");
  EXPECT_EQ(strAt(p, "/address/0/postalCode"), "20131");
  EXPECT_EQ(strAt(p, "/telecom/0/system"), "phone");
  EXPECT_EQ(strAt(p, "/telecom/1/use"), "mobile");
}

TEST_F(FhirMappingTest, ForeignBirthPlaceIsACountry) {
  // Example 04: the mother was born in Morocco (Z330).
  auto writes = mapFile("04-family-with-minors.json");
  auto patients = ofType(writes, "Patient");
  ASSERT_EQ(patients.size(), 1u);
  const json::Value* bp = extensionByUrl(*patients[0], "http://hl7.org/fhir/StructureDefinition/patient-birthPlace");
  ASSERT_NE(bp, nullptr);
  EXPECT_EQ(strAt(*bp, "/valueAddress/country"), "Z330");
  EXPECT_EQ(at(*bp, "/valueAddress/_city"), nullptr);
}

TEST_F(FhirMappingTest, EpisodeOfCarePerCase) {
  auto writes = mapFile("02-elderly-home-care.json");
  auto episodes = ofType(writes, "EpisodeOfCare");
  ASSERT_EQ(episodes.size(), 1u);
  const json::Doc& e = *episodes[0];
  EXPECT_EQ(strAt(e, "/patient/reference"), patientRef());
  EXPECT_EQ(json::getStr(e, "status"), "active");
  EXPECT_EQ(strAt(e, "/identifier/0/system"), "urn:raccordo:sisa:case");
  EXPECT_EQ(strAt(e, "/identifier/0/value"), "K0001");
  EXPECT_EQ(strAt(e, "/type/0/coding/0/code"), "elderly");
  EXPECT_EQ(strAt(e, "/period/start"), "2024-03-18");
  EXPECT_EQ(at(e, "/period/end"), nullptr);
  EXPECT_EQ(strAt(e, "/careManager/reference").rfind("Practitioner/", 0), 0u);
  EXPECT_EQ(strAt(e, "/managingOrganization/reference").rfind("Organization/", 0), 0u);

  // Example 05 has two cases, one closed.
  auto writes05 = mapFile("05-adult-hardship-closed-cases.json");
  auto two = ofType(writes05, "EpisodeOfCare");
  ASSERT_EQ(two.size(), 2u);
  std::set<std::string> statuses;
  for (const auto* d : two) statuses.insert(std::string(json::getStr(*d, "status")));
  EXPECT_TRUE(statuses.count("finished")) << "a closed case is a finished episode";
}

TEST_F(FhirMappingTest, CarePlanWithOneActivityPerServiceOfTheCase) {
  auto writes = mapFile("02-elderly-home-care.json");
  const json::Doc* plan = nullptr;
  for (const auto* d : ofType(writes, "CarePlan")) {
    if (strAt(*d, "/category/0/coding/0/code") == "social-services") plan = d;
  }
  ASSERT_NE(plan, nullptr);
  EXPECT_EQ(strAt(*plan, "/subject/reference"), patientRef());
  EXPECT_EQ(json::getStr(*plan, "status"), "active");
  EXPECT_EQ(json::getStr(*plan, "intent"), "plan");
  std::string episode_id(json::getStr(*ofType(writes, "EpisodeOfCare")[0], "id"));
  EXPECT_EQ(strAt(*plan, "/supportingInfo/0/reference"), "EpisodeOfCare/" + episode_id);
  const json::Value* activities = json::get(*plan, "activity");
  ASSERT_NE(activities, nullptr);
  ASSERT_EQ(activities->Size(), 4u);
  std::vector<std::string> codes;
  for (const auto& a : activities->GetArray()) codes.push_back(strAt(a, "/detail/code/coding/0/code"));
  EXPECT_EQ(codes, std::vector<std::string>({"SAD", "MEALS", "FNA_B2", "TELEALARM"}));

  const json::Value& sad = (*activities)[0];
  EXPECT_EQ(strAt(sad, "/detail/status"), "in-progress");
  EXPECT_EQ(strAt(sad, "/detail/scheduledPeriod/start"), "2024-04-02");
  ASSERT_NE(at(sad, "/detail/quantity/value"), nullptr);
  EXPECT_DOUBLE_EQ(at(sad, "/detail/quantity/value")->GetDouble(), 6);
  EXPECT_EQ(strAt(sad, "/detail/quantity/code"), "h/wk");
  EXPECT_EQ(strAt(sad, "/detail/performer/0/display"), "Cooperativa Sociale Il Glicine");

  const json::Value& fna = (*activities)[2];
  const json::Value* amount = extensionByUrl(fna["detail"], "urn:raccordo:fhir:ext:amount");
  ASSERT_NE(amount, nullptr);
  EXPECT_DOUBLE_EQ(at(*amount, "/valueMoney/value")->GetDouble(), 400);
  EXPECT_EQ(strAt(*amount, "/valueMoney/currency"), "EUR");
  const json::Value* period = extensionByUrl(fna["detail"], "urn:raccordo:fhir:ext:amount-period");
  ASSERT_NE(period, nullptr);
  EXPECT_EQ(json::getStr(*period, "valueCode"), "month");
  const json::Value* funding = extensionByUrl(fna["detail"], "urn:raccordo:fhir:ext:funding");
  ASSERT_NE(funding, nullptr);
  EXPECT_EQ(strAt(*funding, "/valueCodeableConcept/coding/0/code"), "FNA");
  const json::Value* source = extensionByUrl(fna["detail"], "urn:raccordo:fhir:ext:source-id");
  ASSERT_NE(source, nullptr);
  EXPECT_EQ(strAt(*source, "/valueIdentifier/value"), "S0003");
}

TEST_F(FhirMappingTest, IseeObservationInEuro) {
  auto writes = mapFile("02-elderly-home-care.json");
  const json::Doc* isee = nullptr;
  for (const auto* d : ofType(writes, "Observation")) {
    if (strAt(*d, "/category/0/coding/0/code") == "social-history") isee = d;
  }
  ASSERT_NE(isee, nullptr);
  EXPECT_EQ(strAt(*isee, "/subject/reference"), patientRef());
  EXPECT_EQ(strAt(*isee, "/code/coding/0/code"), "socio_health");
  EXPECT_EQ(strAt(*isee, "/code/coding/0/system"), "urn:raccordo:cs:isee-type");
  ASSERT_NE(at(*isee, "/valueQuantity/value"), nullptr);
  EXPECT_DOUBLE_EQ(at(*isee, "/valueQuantity/value")->GetDouble(), 14872.35);
  EXPECT_EQ(strAt(*isee, "/valueQuantity/unit"), "EUR");
  EXPECT_EQ(strAt(*isee, "/valueQuantity/code"), "EUR");
  EXPECT_EQ(strAt(*isee, "/valueQuantity/system"), "urn:iso:std:iso:4217");
  EXPECT_EQ(strAt(*isee, "/effectivePeriod/start"), "2026-01-22");
  EXPECT_EQ(strAt(*isee, "/effectivePeriod/end"), "2026-12-31");
  EXPECT_EQ(strAt(*isee, "/identifier/0/value"), "INPS-ISEE-2026-00418822K-00");
}

TEST_F(FhirMappingTest, AssessmentQuestionnaireResponseAndOneObservationPerInstrument) {
  auto writes = mapFile("02-elderly-home-care.json");
  auto qrs = ofType(writes, "QuestionnaireResponse");
  ASSERT_EQ(qrs.size(), 1u);
  const json::Doc& qr = *qrs[0];
  std::string qr_id(json::getStr(qr, "id"));
  EXPECT_EQ(strAt(qr, "/subject/reference"), patientRef());
  EXPECT_EQ(json::getStr(qr, "status"), "completed");
  EXPECT_EQ(json::getStr(qr, "authored"), "2025-11-12");
  EXPECT_EQ(strAt(qr, "/identifier/value"), "V0001");  // 0..1 in R4: an object
  const json::Value* items = json::get(qr, "item");
  ASSERT_NE(items, nullptr);
  ASSERT_EQ(items->Size(), 4u);  // three scales and the outcome
  EXPECT_EQ(strAt(*items, "/0/linkId"), "instrument-ADL");
  EXPECT_DOUBLE_EQ(at(*items, "/2/answer/0/valueDecimal")->GetDouble(), 22.5);
  EXPECT_EQ(strAt(*items, "/3/linkId"), "outcome");
  EXPECT_EQ(strAt(*items, "/3/answer/0/valueCoding/code"), "eligible");

  std::map<std::string, const json::Doc*> scores;
  for (const auto* d : ofType(writes, "Observation")) {
    if (strAt(*d, "/category/0/coding/0/code") == "survey") scores[strAt(*d, "/code/coding/0/code")] = d;
  }
  ASSERT_EQ(scores.size(), 3u);
  ASSERT_TRUE(scores.count("ADL") && scores.count("IADL") && scores.count("MMSE"));
  const json::Doc& mmse = *scores["MMSE"];
  EXPECT_DOUBLE_EQ(at(mmse, "/valueQuantity/value")->GetDouble(), 22.5);
  EXPECT_DOUBLE_EQ(at(mmse, "/referenceRange/0/low/value")->GetDouble(), 0);
  EXPECT_DOUBLE_EQ(at(mmse, "/referenceRange/0/high/value")->GetDouble(), 30);
  EXPECT_EQ(strAt(mmse, "/derivedFrom/0/reference"), "QuestionnaireResponse/" + qr_id);
  EXPECT_EQ(strAt(mmse, "/subject/reference"), patientRef());
  EXPECT_EQ(json::getStr(mmse, "effectiveDateTime"), "2025-11-12");

  // The progetto individuale.
  const json::Doc* project = nullptr;
  for (const auto* d : ofType(writes, "CarePlan")) {
    if (strAt(*d, "/category/0/coding/0/code") == "individual-project") project = d;
  }
  ASSERT_NE(project, nullptr);
  EXPECT_EQ(strAt(*project, "/supportingInfo/0/reference"), "QuestionnaireResponse/" + qr_id);
  EXPECT_EQ(json::get(*project, "note")->Size(), 3u);
  EXPECT_EQ(strAt(*project, "/period/end"), "2026-11-30");
}

TEST_F(FhirMappingTest, RelatedPersonPerHouseholdMemberAndAGroup) {
  auto writes = mapFile("02-elderly-home-care.json");
  auto related = ofType(writes, "RelatedPerson");
  ASSERT_EQ(related.size(), 2u);
  std::map<std::string, std::string> rel_by_cf;
  for (const auto* r : related) {
    EXPECT_EQ(strAt(*r, "/patient/reference"), patientRef());
    EXPECT_EQ(strAt(*r, "/identifier/0/system"), "http://hl7.it/sid/codiceFiscale");
    rel_by_cf[strAt(*r, "/identifier/0/value")] = strAt(*r, "/relationship/0/coding/0/code");
  }
  EXPECT_EQ(rel_by_cf["BRMMRG35B15B157G"], "SPS");
  EXPECT_EQ(rel_by_cf["HMNMGR72H54Z611C"], "ROOM");

  int groups = 0;
  for (const auto& w : writes) {
    if (json::getStr(w.doc, "resourceType") != "Group") continue;
    ++groups;
    EXPECT_EQ(w.merge_arrays, std::vector<MergedArray>{{"member"}});
    EXPECT_EQ(json::getStr(w.doc, "type"), "person");
    EXPECT_EQ(strAt(w.doc, "/identifier/0/value"), "H000045");
    EXPECT_EQ(strAt(w.doc, "/member/0/entity/reference"), patientRef());
  }
  EXPECT_EQ(groups, 1);
}

TEST_F(FhirMappingTest, EveryResourceHasATypeAndAValidId) {
  for (const char* file : {"01-minimal-citizen.json", "02-elderly-home-care.json", "03-disability-dopo-di-noi.json",
                           "04-family-with-minors.json", "05-adult-hardship-closed-cases.json"}) {
    SCOPED_TRACE(file);
    auto writes = mapFile(file);
    ASSERT_FALSE(writes.empty());
    for (const auto& w : writes) {
      EXPECT_FALSE(json::getStr(w.doc, "resourceType").empty());
      std::string id(json::getStr(w.doc, "id"));
      EXPECT_TRUE(isFhirId(id)) << id;
      EXPECT_EQ(json::get(w.doc, "meta"), nullptr);  // the store sets meta
    }
  }
}

TEST_F(FhirMappingTest, EveryReferenceResolvesWithinTheMessage) {
  for (const char* file : {"02-elderly-home-care.json", "03-disability-dopo-di-noi.json", "04-family-with-minors.json",
                           "05-adult-hardship-closed-cases.json"}) {
    SCOPED_TRACE(file);
    auto writes = mapFile(file);
    std::set<std::string> present;
    for (const auto& w : writes) {
      present.insert(std::string(json::getStr(w.doc, "resourceType")) + "/" + std::string(json::getStr(w.doc, "id")));
    }
    for (const auto& w : writes) {
      for (const auto& r : indexResource(w.doc).references) {
        EXPECT_TRUE(present.count(r)) << json::getStr(w.doc, "resourceType") << " refers to missing " << r;
      }
    }
  }
}

TEST_F(FhirMappingTest, IdsAndContentAreStableAcrossRuns) {
  for (const char* file : {"02-elderly-home-care.json", "04-family-with-minors.json"}) {
    SCOPED_TRACE(file);
    auto a = mapFile(file);
    auto b = mapFile(file);
    ASSERT_EQ(a.size(), b.size());
    for (size_t i = 0; i < a.size(); ++i) {
      EXPECT_EQ(json::getStr(a[i].doc, "id"), json::getStr(b[i].doc, "id"));
      EXPECT_EQ(json::write(a[i].doc), json::write(b[i].doc));
    }
  }
  // Known value: the Patient id is derived from the codice fiscale alone.
  auto writes = mapFile("02-elderly-home-care.json");
  EXPECT_EQ(json::getStr(*ofType(writes, "Patient")[0], "id"), sha256Hex(std::string("Patient|") + kCf).substr(0, 32));
}

TEST_F(FhirMappingTest, CfSystemComesFromTheContext) {
  MappingContext ctx;
  ctx.cf_system = "urn:oid:2.16.840.1.113883.2.9.4.3.2";
  auto w = mapToFhir(decodeFile("02-elderly-home-care.json"), ctx);
  ASSERT_TRUE(w.ok());
  for (const auto* r : ofType(*w, "RelatedPerson")) {
    EXPECT_EQ(strAt(*r, "/identifier/0/system"), "urn:oid:2.16.840.1.113883.2.9.4.3.2");
  }
}

TEST_F(FhirMappingTest, MessageWithoutCitizenIsRefused) {
  DecodedMessage m;
  m.source = "sisa";
  auto w = mapToFhir(m, MappingContext{});
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.error().code, ErrorCode::kInvalidInput);
}

TEST_F(FhirMappingTest, SourceSystemAndPatientId) {
  EXPECT_EQ(sourceSystem("sisa", "case"), "urn:raccordo:sisa:case");
  EXPECT_EQ(patientIdFor("A"), patientIdFor("A"));
  EXPECT_NE(patientIdFor("A"), patientIdFor("B"));
}

// A resource written twice by one message must be written with the same
// content, or every re-send of an unchanged document makes new versions.
TEST_F(FhirMappingTest, ARepeatedResourceInOneMessageHasOneContent) {
  for (const char* file : {"02-elderly-home-care.json", "03-disability-dopo-di-noi.json", "04-family-with-minors.json",
                           "05-adult-hardship-closed-cases.json"}) {
    SCOPED_TRACE(file);
    std::map<std::string, std::string> seen;
    for (const auto& w : mapFile(file)) {
      std::string key = std::string(json::getStr(w.doc, "resourceType")) + "/" + std::string(json::getStr(w.doc, "id"));
      std::string body = json::write(w.doc);
      auto [it, fresh] = seen.emplace(key, body);
      if (!fresh) {
        EXPECT_EQ(it->second, body) << key;
      }
    }
  }
}

// ---------------------------------------------------------------------------
// Applying to a real store

class ApplyTest : public FhirMappingTest {
 protected:
  void SetUp() override {
    store_ = testing::openTestStore(dir_.path(), 2);
    ASSERT_NE(store_, nullptr);
  }
  void TearDown() override {
    if (store_) store_->close();
  }

  json::Doc apply(const std::string& file_text, int64_t message_id, int64_t now_ms) {
    DecodedMessage decoded = decodeText(file_text);
    auto writes = mapToFhir(decoded, MappingContext{});
    EXPECT_TRUE(writes.ok());
    MessageRecord msg;
    msg.id = message_id;
    msg.adapter = "sisa";
    msg.sender = "sisa-milano";
    std::string summary;
    store_->write([&](WriteTx& tx) {
      summary = applyResources(tx, writes.value(), msg, patientIdFor(decoded.citizen_key), now_ms);
    });
    json::Doc d;
    d.Parse(summary.c_str(), summary.size());
    EXPECT_FALSE(d.HasParseError()) << summary;
    return d;
  }

  std::optional<StoredResource> resource(const std::string& type, const std::string& id) {
    std::optional<StoredResource> r;
    store_->read([&](ReadTx& tx) { r = tx.resource(type, id); });
    return r;
  }

  int64_t count(const std::string& type) {
    SearchQuery q;
    q.type = type;
    q.count = 1;
    int64_t n = 0;
    store_->read([&](ReadTx& tx) { n = tx.search(q).total; });
    return n;
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(ApplyTest, SameMessageTwiceChangesNothingTheSecondTime) {
  std::string text = readFile(kExamples / "02-elderly-home-care.json");
  size_t distinct = 0;
  {
    std::set<std::string> keys;
    for (const auto& w : mapFile("02-elderly-home-care.json")) {
      keys.insert(std::string(json::getStr(w.doc, "resourceType")) + "/" + std::string(json::getStr(w.doc, "id")));
    }
    distinct = keys.size();
  }

  json::Doc first = apply(text, 1, 1'000'000);
  ASSERT_TRUE(first.IsObject());
  EXPECT_EQ(json::getStr(first, "patient"), patientRef());
  ASSERT_TRUE(first["changed"].IsArray());
  EXPECT_EQ(first["changed"].Size(), distinct);
  EXPECT_EQ(first["unchanged"].GetInt(), 0);
  std::string prov_ref(json::getStr(first, "provenance"));
  ASSERT_EQ(prov_ref.rfind("Provenance/", 0), 0u);
  std::string prov_id = prov_ref.substr(11);
  EXPECT_EQ(prov_id, stableId({"Provenance", "message", "1"}));
  for (const auto& c : first["changed"].GetArray()) {
    EXPECT_NE(std::string(c.GetString()).find("/_history/1"), std::string::npos) << c.GetString();
  }

  auto prov = resource("Provenance", prov_id);
  ASSERT_TRUE(prov);
  json::Doc pd;
  pd.Parse(prov->json.c_str());
  EXPECT_EQ(strAt(pd, "/activity/coding/0/code"), "CREATE");
  EXPECT_EQ(json::get(pd, "target")->Size(), distinct);
  EXPECT_EQ(strAt(pd, "/entity/0/what/identifier/value"), "1");
  EXPECT_EQ(strAt(pd, "/agent/0/who/identifier/value"), "sisa-milano");

  // The same picture again, as a new message (a re-send with a new message_id).
  json::Doc second = apply(text, 2, 2'000'000);
  EXPECT_EQ(second["changed"].Size(), 0u);
  EXPECT_EQ(static_cast<size_t>(second["unchanged"].GetInt()), distinct);
  EXPECT_FALSE(second.HasMember("provenance"));
  EXPECT_FALSE(resource("Provenance", stableId({"Provenance", "message", "2"})));
  EXPECT_EQ(count("Provenance"), 1);

  // And the very same message applied again.
  json::Doc third = apply(text, 1, 3'000'000);
  EXPECT_EQ(third["changed"].Size(), 0u);
  EXPECT_EQ(resource("Provenance", prov_id)->version, 1);

  auto patient = resource("Patient", patientIdFor(kCf));
  ASSERT_TRUE(patient);
  EXPECT_EQ(patient->version, 1);
  EXPECT_EQ(patient->last_updated_ms, 1'000'000);
}

TEST_F(ApplyTest, AChangedServiceMakesOneNewVersionAndAnUpdateProvenance) {
  std::string text = readFile(kExamples / "02-elderly-home-care.json");
  apply(text, 1, 1000);
  json::Doc edited;
  edited.Parse(text.c_str(), text.size());
  rapidjson::Pointer("/services/0/hours_per_week").Set(edited, 8);
  json::Doc summary = apply(json::write(edited), 2, 2000);
  ASSERT_EQ(summary["changed"].Size(), 1u);
  std::string changed = summary["changed"][0].GetString();
  EXPECT_EQ(changed.rfind("CarePlan/", 0), 0u) << changed;
  EXPECT_NE(changed.find("/_history/2"), std::string::npos) << changed;
  auto prov = resource("Provenance", stableId({"Provenance", "message", "2"}));
  ASSERT_TRUE(prov);
  json::Doc pd;
  pd.Parse(prov->json.c_str());
  EXPECT_EQ(strAt(pd, "/activity/coding/0/code"), "UPDATE");
  EXPECT_EQ(strAt(pd, "/target/0/reference"), changed);
  EXPECT_EQ(count("Provenance"), 2);
}

TEST_F(ApplyTest, PatientCompartmentHoldsTheCitizensRecord) {
  apply(readFile(kExamples / "02-elderly-home-care.json"), 1, 1000);
  std::vector<StoredResource> c;
  store_->read([&](ReadTx& tx) { c = tx.compartment(patientIdFor(kCf)); });
  std::map<std::string, int> by_type;
  for (const auto& r : c) ++by_type[r.type];
  EXPECT_EQ(by_type["EpisodeOfCare"], 1);
  EXPECT_EQ(by_type["CarePlan"], 2);
  EXPECT_EQ(by_type["Observation"], 4);  // ISEE and three scales
  EXPECT_EQ(by_type["QuestionnaireResponse"], 1);
  EXPECT_EQ(by_type["RelatedPerson"], 2);
  EXPECT_EQ(by_type["Group"], 1);
  EXPECT_EQ(by_type["Provenance"], 1);
  EXPECT_EQ(by_type["Patient"], 0);
  // Found by codice fiscale.
  SearchQuery q;
  q.type = "Patient";
  q.identifiers = {{"http://hl7.it/sid/codiceFiscale", kCf}};
  SearchPage page;
  store_->read([&](ReadTx& tx) { page = tx.search(q); });
  ASSERT_EQ(page.total, 1);
  EXPECT_EQ(page.items[0].id, patientIdFor(kCf));
}

TEST_F(ApplyTest, HouseholdGroupKeepsMembersAddedByOtherMessages) {
  std::string text = readFile(kExamples / "02-elderly-home-care.json");
  apply(text, 1, 1000);
  std::string group_id;
  for (const auto& w : mapFile("02-elderly-home-care.json")) {
    if (json::getStr(w.doc, "resourceType") == "Group") group_id = std::string(json::getStr(w.doc, "id"));
  }
  ASSERT_FALSE(group_id.empty());
  // Another member of the same household (same household id) sends their own picture.
  json::Doc other;
  other.Parse(readFile(kExamples / "01-minimal-citizen.json").c_str());
  json::Value household(rapidjson::kObjectType);
  household.AddMember("id", "H000045", other.GetAllocator());
  household.AddMember("members", json::Value(rapidjson::kArrayType), other.GetAllocator());
  other.AddMember("household", household, other.GetAllocator());
  apply(json::write(other), 2, 2000);
  auto g = resource("Group", group_id);
  ASSERT_TRUE(g);
  json::Doc gd;
  gd.Parse(g->json.c_str());
  ASSERT_EQ(gd["member"].Size(), 2u);
  std::set<std::string> members;
  for (const auto& m : gd["member"].GetArray()) members.insert(strAt(m, "/entity/reference"));
  EXPECT_TRUE(members.count(patientRef()));
  EXPECT_TRUE(members.count("Patient/" + patientIdFor("VLSCHR90C62F205Z")));
  // Re-sending the first picture does not drop the second member.
  apply(text, 3, 3000);
  json::Doc gd2;
  gd2.Parse(resource("Group", group_id)->json.c_str());
  EXPECT_EQ(gd2["member"].Size(), 2u);
}

TEST_F(ApplyTest, HouseholdGroupIsNotReversionedWhenAMemberResendsTheSamePicture) {
  std::string first = readFile(kExamples / "02-elderly-home-care.json");
  json::Doc other;
  other.Parse(readFile(kExamples / "01-minimal-citizen.json").c_str());
  json::Value household(rapidjson::kObjectType);
  household.AddMember("id", "H000045", other.GetAllocator());
  household.AddMember("members", json::Value(rapidjson::kArrayType), other.GetAllocator());
  other.AddMember("household", household, other.GetAllocator());
  std::string second = json::write(other);
  apply(first, 1, 1000);
  apply(second, 2, 2000);
  json::Doc again = apply(first, 3, 3000);
  EXPECT_EQ(again["changed"].Size(), 0u) << json::write(again);
  json::Doc and_again = apply(second, 4, 4000);
  EXPECT_EQ(and_again["changed"].Size(), 0u) << json::write(and_again);
}

TEST_F(ApplyTest, ResendOfADocumentNamingAnOfficeTwiceMakesNoNewVersions) {
  for (const char* file : {"04-family-with-minors.json", "05-adult-hardship-closed-cases.json"}) {
    SCOPED_TRACE(file);
    std::string text = readFile(kExamples / file);
    apply(text, 10, 1000);
    json::Doc again = apply(text, 11, 2000);
    EXPECT_EQ(again["changed"].Size(), 0u) << json::write(again);
  }
}

TEST_F(ApplyTest, PipelinePreparesAndApplies) {
  Pipeline pipeline(registry(), MappingContext{});
  MessageRecord m;
  m.id = 7;
  m.adapter = "sisa";
  m.sender = "s";
  m.content_type = "application/json";
  m.raw = readFile(kExamples / "02-elderly-home-care.json");
  auto fn = pipeline.prepare(m);
  ASSERT_TRUE(fn.ok()) << fn.error().describe();
  std::string summary;
  store_->write([&](WriteTx& tx) { summary = (*fn)(tx, 5000); });
  EXPECT_NE(summary.find(stableId({"Provenance", "message", "7"})), std::string::npos) << summary;
  EXPECT_TRUE(resource("Patient", patientIdFor(kCf)));

  m.raw = readFile(kExamples / "invalid" / "unknown-property.json");
  auto bad = pipeline.prepare(m);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidInput);
  EXPECT_EQ(bad.error().location, "/citizen/telephone");

  m.adapter = "nope";
  auto none = pipeline.prepare(m);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace raccordo
