// The GP kinds' FHIR mapping (fhir_mapping_gp.cpp) and, through the pipeline
// and a real store, "one fact, one resource" and "the newest certified value
// wins" in both orders of arrival.

#include <gtest/gtest.h>

#include "gateway/core/ids.h"
#include "gateway/mapping/fhir_mapping.h"
#include "gateway/mapping/pipeline.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_store.h"

namespace raccordo {
namespace {

using testing::TempDir;

constexpr const char* kCf = "RSSMRA50A01F205Z";
constexpr const char* kIcd9 = "http://hl7.org/fhir/sid/icd-9-cm";

Record record(const char* kind, const std::string& source_id, const std::string& data) {
  Record r;
  r.kind = kind;
  r.source_id = source_id;
  r.data.Parse(data.c_str());
  EXPECT_FALSE(r.data.HasParseError()) << data;
  return r;
}

DecodedMessage gpMessage() {
  DecodedMessage m;
  m.source = "gp";
  m.citizen_key = kCf;
  return m;
}

const json::Doc* find(const std::vector<ResourceWrite>& writes, std::string_view type) {
  for (const auto& w : writes) {
    if (json::getStr(w.doc, "resourceType") == type) return &w.doc;
  }
  return nullptr;
}

std::string allergyData(const std::string& asserted, const std::string& status, const std::string& extra = "") {
  return R"({"code":{"system":"http://snomed.info/sct","code":"91936005","display":"Allergia alla penicillina"},)"
         R"("asserted":")" + asserted + R"(","clinical_status":")" + status + R"(","category":"medication")" + extra +
         "}";
}

TEST(GpMapping, FactsGetTheirDocumentAndTheDocumentItsBytesAndReviewDate) {
  DecodedMessage m = gpMessage();
  m.records.push_back(record(kind::kCondition, "cda-cond-1",
                             std::string(R"({"code":{"system":")") + kIcd9 +
                                 R"(","code":"250.00","display":"Diabete"},"category":"problem-list-item",)"
                                 R"("clinical_status":"active","asserted":"2024-08-31T10:00:00+02:00",)"
                                 R"("author":{"id":"BNCLCU75C12F205G","family_name":"Bianchi"}})"));
  m.records.push_back(record(kind::kAllergy, "cda-all-1", allergyData("2024-08-31", "active")));
  m.records.push_back(record(
      kind::kDocument, "2.16.840.1.113883.2.9.2.30^PSS-1",
      R"({"type":{"system":"http://loinc.org","code":"60591-5","display":"Patient Summary"},)"
      R"("date":"2024-08-31T10:00:00+02:00","certified":"2024-08-31T10:00:00+02:00","status":"current",)"
      R"("document_id":"2.16.840.1.113883.2.9.2.30^PSS-1","content_type":"application/xml",)"
      R"("content_base64":"PENsaW5pY2FsRG9jdW1lbnQvPg==","custodian":{"code":"COOP1","name":"Cooperativa"},)"
      R"("sections":[{"title":"Problemi","text":"Diabete","mapped":true},)"
      R"({"title":"Stile di vita","text":"Non fuma.","mapped":false}],)"
      R"("facts":[{"kind":"condition","source_id":"cda-cond-1"},{"kind":"allergy","source_id":"cda-all-1"}]})"));
  auto mapped = mapToFhir(m, MappingContext{});
  ASSERT_TRUE(mapped.ok()) << mapped.error().describe();

  const json::Doc* doc = find(*mapped, "DocumentReference");
  ASSERT_NE(doc, nullptr);
  std::string doc_ref = "DocumentReference/" + std::string(json::getStr(*doc, "id"));
  const auto& content = (*doc)["content"];
  ASSERT_EQ(content.Size(), 2u);
  EXPECT_STREQ(content[0]["attachment"]["data"].GetString(), "PENsaW5pY2FsRG9jdW1lbnQvPg==");
  EXPECT_STREQ(content[1]["attachment"]["contentType"].GetString(), "text/plain; charset=utf-8");
  EXPECT_STREQ(content[1]["attachment"]["title"].GetString(), "Stile di vita");
  EXPECT_STREQ(content[1]["attachment"]["data"].GetString(), "Tm9uIGZ1bWEu");  // "Non fuma."
  ASSERT_EQ((*doc)["extension"].Size(), 2u);
  EXPECT_STREQ((*doc)["extension"][1]["url"].GetString(), "urn:raccordo:fhir:ext:review-due");
  EXPECT_STREQ((*doc)["extension"][1]["valueDate"].GetString(), "2025-02-28");  // six months, clamped
  EXPECT_TRUE(doc->HasMember("custodian"));

  const json::Doc* cond = find(*mapped, "Condition");
  ASSERT_NE(cond, nullptr);
  EXPECT_EQ(json::getStr(*cond, "id"), stableId({"Condition", "gp", "condition", kCf, std::string(kIcd9) + "|250.00"}));
  EXPECT_EQ(json::getStr((*cond)["evidence"][0]["detail"][0], "reference"), doc_ref);
  EXPECT_EQ(json::getStr((*cond)["identifier"][0], "system"), "urn:raccordo:gp:condition");
  EXPECT_TRUE(cond->HasMember("recorder"));
  EXPECT_NE(find(*mapped, "Practitioner"), nullptr);

  const json::Doc* allergy = find(*mapped, "AllergyIntolerance");
  ASSERT_NE(allergy, nullptr);
  EXPECT_STREQ((*allergy)["extension"][0]["url"].GetString(), "urn:raccordo:fhir:ext:derived-from");
  EXPECT_EQ(json::getStr((*allergy)["extension"][0]["valueReference"], "reference"), doc_ref);
}

TEST(GpMapping, EachDocumentIsItsOwnResource) {
  DecodedMessage m = gpMessage();
  for (const char* id : {"DOC-1", "DOC-2"}) {
    m.records.push_back(record(kind::kDocument, id,
                               std::string(R"({"type":{"system":"http://loinc.org","code":"11502-2"},)") +
                                   R"("date":"2024-09-01","status":"current","document_id":")" + id +
                                   R"(","content_type":"application/pdf","content_base64":"JVBERi0xLjQK"})"));
  }
  auto mapped = mapToFhir(m, MappingContext{});
  ASSERT_TRUE(mapped.ok());
  ASSERT_EQ(mapped->size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    const json::Doc& d = (*mapped)[i].doc;
    std::string doc_id = i == 0 ? "DOC-1" : "DOC-2";
    EXPECT_EQ(json::getStr(d, "id"), stableId({"DocumentReference", "gp", "document", kCf, doc_id}));
    EXPECT_EQ(json::getStr(d["identifier"][0], "value"), doc_id);
  }
}

TEST(GpMapping, AnAuthorWithoutAnIdIsNamedNotMadeAPractitioner) {
  DecodedMessage m = gpMessage();
  m.records.push_back(record(kind::kDocument, "REP-1",
                             R"({"type":{"system":"http://loinc.org","code":"11502-2"},"date":"2024-09-01",)"
                             R"("status":"current","document_id":"REP-1","content_type":"application/pdf",)"
                             R"("content_base64":"JVBERi0xLjQK","author":{"family_name":"Laboratorio analisi"}})"));
  auto mapped = mapToFhir(m, MappingContext{});
  ASSERT_TRUE(mapped.ok());
  EXPECT_EQ(find(*mapped, "Practitioner"), nullptr);
  const json::Doc* doc = find(*mapped, "DocumentReference");
  ASSERT_NE(doc, nullptr);
  EXPECT_EQ(json::write((*doc)["author"]), R"([{"display":"Laboratorio analisi"}])");
  EXPECT_FALSE(doc->HasMember("date"));  // a day is not an instant
}

TEST(GpMapping, EnteredInErrorAndDeletedUseTheResourcesOwnStates) {
  DecodedMessage m = gpMessage();
  m.records.push_back(
      record(kind::kAllergy, "a", allergyData("2024-01-01", "active", R"(,"removed":"entered-in-error")")));
  m.records.push_back(record(kind::kMedication, "m",
                             R"({"code":{"system":"http://www.whocc.no/atc","code":"A10BA02"},"status":"active",)"
                             R"("asserted":"2024-01-01","removed":"deleted"})"));
  auto mapped = mapToFhir(m, MappingContext{});
  ASSERT_TRUE(mapped.ok());
  const json::Doc* allergy = find(*mapped, "AllergyIntolerance");
  ASSERT_NE(allergy, nullptr);
  EXPECT_FALSE(allergy->HasMember("clinicalStatus"));  // ait-1
  EXPECT_STREQ((*allergy)["verificationStatus"]["coding"][0]["code"].GetString(), "entered-in-error");
  EXPECT_STREQ((*find(*mapped, "MedicationStatement"))["status"].GetString(), "stopped");
}

// "gp-test": the body is {"records": [{kind, source_id, data}]} for kCf.
class GpTestAdapter final : public Adapter {
 public:
  std::string name() const override { return "gp-test"; }
  std::vector<std::string> mediaTypes() const override { return {"application/json"}; }
  Result<Envelope> inspect(std::string_view) const override { return Envelope{}; }
  Result<DecodedMessage> decode(std::string_view bytes, const MessageMeta&) const override {
    json::Doc body;
    body.Parse(bytes.data(), bytes.size());
    DecodedMessage m = gpMessage();
    for (const auto& r : body["records"].GetArray()) {
      m.records.push_back(record(r["kind"].GetString(), r["source_id"].GetString(), json::write(r["data"])));
    }
    return m;
  }
};

class GpNewestWinsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = testing::openTestStore(dir_.path());
    ASSERT_NE(store_, nullptr);
    ASSERT_TRUE(adapters_.add(std::make_shared<GpTestAdapter>()).ok());
  }
  void TearDown() override { store_->close(); }

  void send(const std::string& source_id, const std::string& data) {
    Pipeline pipeline(adapters_, MappingContext{});
    MessageRecord m;
    m.id = ++next_id_;
    m.adapter = "gp-test";
    m.sender = "test";
    m.raw = R"({"records":[{"kind":"allergy","source_id":")" + source_id + R"(","data":)" + data + "}]}";
    auto fn = pipeline.prepare(m);
    ASSERT_TRUE(fn.ok()) << fn.error().describe();
    store_->write([&](WriteTx& tx) { (*fn)(tx, 1790000000000 + next_id_ * 1000); });
  }
  std::string allergyId() const {
    return stableId({"AllergyIntolerance", "gp", "allergy", kCf, "http://snomed.info/sct|91936005"});
  }
  json::Doc stored() {
    json::Doc d;
    store_->read([&](ReadTx& tx) {
      auto r = tx.resource("AllergyIntolerance", allergyId());
      if (r) d.Parse(r->json.c_str());
    });
    return d;
  }
  std::size_t versions() {
    std::size_t n = 0;
    store_->read([&](ReadTx& tx) { n = tx.history("AllergyIntolerance", allergyId()).size(); });
    return n;
  }
  static std::vector<std::string> identifierValues(const json::Doc& d) {
    std::vector<std::string> out;
    for (const auto& i : d["identifier"].GetArray()) out.emplace_back(json::getStr(i, "value"));
    return out;
  }
  static std::string status(const json::Doc& d) {
    return std::string(json::getStr(d["clinicalStatus"]["coding"][0], "code"));
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
  AdapterRegistry adapters_;
  int64_t next_id_ = 0;
};

TEST_F(GpNewestWinsTest, ASecondSourcesIdenticalFactAddsItsIdentifierAsANewVersion) {
  send("cda-entry-1", allergyData("2024-05-10", "active"));
  send("export-item-9", allergyData("2024-05-10", "active"));
  json::Doc d = stored();
  EXPECT_EQ(identifierValues(d), (std::vector<std::string>{"cda-entry-1", "export-item-9"}));
  EXPECT_EQ(versions(), 2u);
  send("export-item-9", allergyData("2024-05-10", "active"));  // a re-send changes nothing
  EXPECT_EQ(versions(), 2u);
}

TEST_F(GpNewestWinsTest, NewerArrivingLastReplacesTheContent) {
  send("cda-entry-1", allergyData("2024-03-01", "active"));
  send("export-item-9", allergyData("2024-06-01T10:00:00+02:00", "resolved"));
  json::Doc d = stored();
  EXPECT_EQ(status(d), "resolved");
  EXPECT_EQ(json::getStr(d, "recordedDate"), "2024-06-01T10:00:00+02:00");
  EXPECT_EQ(identifierValues(d), (std::vector<std::string>{"cda-entry-1", "export-item-9"}));
  EXPECT_EQ(versions(), 2u);
}

TEST_F(GpNewestWinsTest, OlderArrivingLastOnlyAddsItsIdentifier) {
  send("export-item-9", allergyData("2024-06-01T10:00:00+02:00", "resolved"));
  send("cda-entry-1", allergyData("2024-03-01", "active"));
  json::Doc d = stored();
  EXPECT_EQ(status(d), "resolved");
  EXPECT_EQ(json::getStr(d, "recordedDate"), "2024-06-01T10:00:00+02:00");
  EXPECT_EQ(identifierValues(d), (std::vector<std::string>{"export-item-9", "cda-entry-1"}));
  EXPECT_EQ(versions(), 2u);
  send("cda-entry-1", allergyData("2024-03-01", "active"));  // again: nothing new
  EXPECT_EQ(versions(), 2u);
}

// 2024-06-01T01:00:00+02:00 is 2024-05-31T23:00Z, before the start of the
// bare date 2024-06-01: compared as text it would look newer.
TEST_F(GpNewestWinsTest, DatesAndDateTimesCompareAsInstants) {
  send("export-item-9", allergyData("2024-06-01T01:00:00+02:00", "active"));
  send("cda-entry-1", allergyData("2024-06-01", "resolved"));
  EXPECT_EQ(status(stored()), "resolved");
  send("export-item-9", allergyData("2024-05-31T20:00:00-05:00", "inactive"));  // 2024-06-01T01:00Z: newer
  EXPECT_EQ(status(stored()), "inactive");
  send("cda-entry-1", allergyData("2024-06-01", "active"));  // older now: kept as stored
  EXPECT_EQ(status(stored()), "inactive");
}

}  // namespace
}  // namespace raccordo
