#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "adapters/builtin.h"
#include "gateway/mapping/fhir_mapping.h"
#include "tests/adapters/gp/cda_fixtures.h"
#include "tests/support/temp_dir.h"

namespace raccordo {
namespace {

using testing::cdaCitizen;
using testing::cdaClinical;
using testing::cdaSummary;
using testing::TempDir;

class GpCdaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cda_ = testing::builtinAdaptersForTest().find("gp-cda");
    ASSERT_NE(cda_, nullptr);
  }
  Result<DecodedMessage> decode(const std::string& bytes) const {
    return cda_->decode(bytes, MessageMeta{1, "gp-cda", "test", "application/xml"});
  }
  static std::vector<const Record*> ofKind(const DecodedMessage& m, std::string_view kind) {
    std::vector<const Record*> out;
    for (const Record& r : m.records) {
      if (r.kind == kind) out.push_back(&r);
    }
    return out;
  }
  static std::string replaced(std::string s, std::string_view from, std::string_view to) {
    auto at = s.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) s.replace(at, from.size(), to);
    return s;
  }
  const Adapter* cda_ = nullptr;
};

TEST_F(GpCdaTest, NameAndMediaTypes) {
  EXPECT_EQ(cda_->name(), "gp-cda");
  ASSERT_FALSE(cda_->mediaTypes().empty());
  EXPECT_EQ(cda_->mediaTypes().front(), "application/xml");
}

TEST_F(GpCdaTest, InspectGivesTheCodiceFiscaleAndTheDocumentId) {
  auto env = cda_->inspect(cdaSummary(3));
  ASSERT_TRUE(env.ok()) << env.error().describe();
  EXPECT_EQ(env->citizen_key, cdaCitizen().codice_fiscale);
  EXPECT_EQ(env->source_message_id, "2.16.840.1.113883.2.9.2.30.4.4^P000004.PSS.20260915");
}

TEST_F(GpCdaTest, DecodesAThirtyEntrySummary) {
  const std::string bytes = cdaSummary(30);
  auto m = decode(bytes);
  ASSERT_TRUE(m.ok()) << m.error().describe();
  EXPECT_EQ(m->source, "gp");
  EXPECT_EQ(m->citizen_key, cdaCitizen().codice_fiscale);
  EXPECT_TRUE(m->rejects.empty()) << m->rejects.front().describe();
  EXPECT_EQ(ofKind(*m, kind::kPerson).size(), 1u);
  EXPECT_EQ(ofKind(*m, kind::kCondition).size(), 5u);
  EXPECT_EQ(ofKind(*m, kind::kMedication).size(), 5u);
  EXPECT_EQ(ofKind(*m, kind::kAllergy).size(), 5u);
  EXPECT_EQ(ofKind(*m, kind::kImmunization).size(), 5u);
  EXPECT_EQ(ofKind(*m, kind::kVitalSign).size(), 5u);
  EXPECT_EQ(ofKind(*m, kind::kDevice).size(), 5u);
  auto docs = ofKind(*m, kind::kDocument);
  ASSERT_EQ(docs.size(), 1u);
  const json::Value& d = docs[0]->data;
  EXPECT_EQ(json::getStr(d["type"], "code"), "60591-5");
  EXPECT_EQ(json::getStr(d, "certified"), "2026-09-15T11:00:00+02:00");
  EXPECT_EQ(json::getStr(d, "date"), "2026-09-15T09:00:00+02:00");
  EXPECT_EQ(json::getStr(d, "content_type"), "application/xml");
  EXPECT_FALSE(json::getStr(d, "content_base64").empty());
  EXPECT_EQ(d["facts"].Size(), 30u);
  ASSERT_TRUE(d["sections"].IsArray());
  bool narrative_kept = false;
  for (const auto& s : d["sections"].GetArray()) {
    if (json::getStr(s, "code") == "29762-2") {
      narrative_kept = !s["mapped"].GetBool() && !json::getStr(s, "text").empty();
    }
  }
  EXPECT_TRUE(narrative_kept);

  // Every fact is asserted at the certification, by the GP.
  for (const Record& r : m->records) {
    if (r.kind == kind::kPerson || r.kind == kind::kDocument) continue;
    EXPECT_EQ(json::getStr(r.data, "asserted"), "2026-09-15T11:00:00+02:00") << r.kind;
    EXPECT_EQ(json::getStr(r.data["author"], "family_name"), "Verdi");
  }
  const json::Value& med = ofKind(*m, kind::kMedication)[0]->data;
  EXPECT_EQ(json::getStr(med["code"], "system"), "http://www.whocc.no/atc");
  EXPECT_EQ(json::getStr(med, "status"), "active");
  EXPECT_EQ(json::getStr(med, "text"), "Farmaco 1");  // originalText resolved in the narrative
  EXPECT_EQ(json::getStr(med["other_codes"][0], "code"), "027000001");  // the AIC code beside the ATC
  EXPECT_EQ(json::getStr(med, "dosage"), "1 compressa al mattino");
  const json::Value& allergy = ofKind(*m, kind::kAllergy)[0]->data;
  EXPECT_EQ(json::getStr(allergy, "category"), "food");
  EXPECT_EQ(json::getStr(allergy, "criticality"), "high");
  EXPECT_EQ(json::getStr(allergy["reactions"][0]["manifestation"], "code"), "126485001");
  EXPECT_EQ(json::getStr(allergy, "text"), "Allergene & co 2");
  const json::Value& cond = ofKind(*m, kind::kCondition)[0]->data;
  EXPECT_EQ(json::getStr(cond["code"], "system"), "http://hl7.org/fhir/sid/icd-9-cm");
  EXPECT_EQ(json::getStr(cond, "clinical_status"), "active");
  EXPECT_EQ(json::getStr(cond, "category"), "problem-list-item");
  EXPECT_EQ(ofKind(*m, kind::kAllergy)[0]->source_id, "2.16.840.1.113883.2.9.2.30.4.5^MMG-1002");
  bool blood_pressure = false;
  for (const Record* v : ofKind(*m, kind::kVitalSign)) {
    if (json::getStr(v->data["code"], "code") == "85354-9") {
      blood_pressure = v->data["components"].Size() == 2;
    }
  }
  EXPECT_TRUE(blood_pressure);
  const json::Value& imm = ofKind(*m, kind::kImmunization)[0]->data;
  EXPECT_EQ(json::getStr(imm, "status"), "completed");
  EXPECT_FALSE(json::getStr(imm, "date").empty());
  EXPECT_EQ(json::getStr(imm, "lot"), "LOT3");
  EXPECT_EQ(imm["dose_number"].GetInt(), 2);
}

TEST_F(GpCdaTest, TheSummaryMapsToFhir) {
  auto m = decode(cdaSummary(30));
  ASSERT_TRUE(m.ok()) << m.error().describe();
  auto mapped = mapToFhir(*m, MappingContext{});
  ASSERT_TRUE(mapped.ok()) << mapped.error().describe();
}

TEST_F(GpCdaTest, DecodingIsDeterministic) {
  const std::string bytes = cdaSummary(12);
  auto a = decode(bytes), b = decode(bytes);
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_EQ(a->records.size(), b->records.size());
  for (std::size_t i = 0; i < a->records.size(); ++i) {
    EXPECT_EQ(json::write(a->records[i].data), json::write(b->records[i].data));
  }
}

TEST_F(GpCdaTest, DecodesOnSeveralThreads) {
  const std::string bytes = cdaSummary(30);
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 20; ++i) ok += decode(bytes).ok() ? 1 : 0;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 80);
}

TEST_F(GpCdaTest, AnUnreadableEntryIsARejectAndTheRestApplies) {
  std::string bytes = cdaSummary(6);
  // The vaccination (fourth fact) loses its date.
  auto at = bytes.find("<effectiveTime value=\"", bytes.find("4.3.3.1"));
  bytes.replace(at, bytes.find("/>", at) + 2 - at, "");
  auto m = decode(bytes);
  ASSERT_TRUE(m.ok()) << m.error().describe();
  ASSERT_EQ(m->rejects.size(), 1u);
  EXPECT_EQ(m->rejects[0].location,
            "/ClinicalDocument/component/structuredBody/component[3]/section/entry/substanceAdministration/effectiveTime");
  EXPECT_TRUE(ofKind(*m, kind::kImmunization).empty());
  EXPECT_EQ(ofKind(*m, kind::kAllergy).size(), 1u);
}

TEST_F(GpCdaTest, MalformedXmlSaysLineAndColumn) {
  auto env = cda_->inspect("<ClinicalDocument xmlns=\"urn:hl7-org:v3\">\n  <id root=\"1\">\n</ClinicalDocument>");
  ASSERT_FALSE(env.ok());
  EXPECT_EQ(env.error().code, ErrorCode::kInvalidInput);
  EXPECT_NE(env.error().message.find("malformed XML"), std::string::npos);
  EXPECT_EQ(env.error().location.rfind("line 3, column ", 0), 0u) << env.error().location;
}

TEST_F(GpCdaTest, AWrongTemplateIsAClearError) {
  std::string bytes = replaced(cdaSummary(2), "2.16.840.1.113883.2.9.10.1.4.1.1", "2.16.840.1.113883.2.9.10.1.5");
  auto m = decode(bytes);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().code, ErrorCode::kInvalidInput);
  EXPECT_EQ(m.error().location, "/ClinicalDocument/templateId");
  EXPECT_NE(m.error().message.find("2.16.840.1.113883.2.9.10.1.4.1.1"), std::string::npos);
}

TEST_F(GpCdaTest, AnUnknownDocumentTypeIsUnsupported) {
  auto m = decode(replaced(cdaSummary(2), "code=\"60591-5\"", "code=\"11506-3\""));
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().code, ErrorCode::kUnsupported);
  EXPECT_EQ(m.error().location, "/ClinicalDocument/code/@code");
}

TEST_F(GpCdaTest, RequiredHeaderElementsAreNamed) {
  const std::string bytes = cdaSummary(2);
  auto no_cf = cda_->inspect(replaced(bytes, "<patientRole><id root=\"2.16.840.1.113883.2.9.4.3.2\"",
                                      "<patientRole><id root=\"2.16.840.1.113883.2.9.4.3.17\""));
  ASSERT_FALSE(no_cf.ok());
  EXPECT_EQ(no_cf.error().location, "/ClinicalDocument/recordTarget/patientRole/id");
  std::string cf = cdaCitizen().codice_fiscale;
  std::string bad_cf = cf.substr(0, 15) + (cf[15] == 'A' ? "B" : "A");
  auto wrong = cda_->inspect(replaced(bytes, "extension=\"" + cf + "\"", "extension=\"" + bad_cf + "\""));
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().location, "/ClinicalDocument/recordTarget/patientRole/id/@extension");
  auto no_custodian = decode(replaced(replaced(bytes, "<custodian>", "<informant>"), "</custodian>", "</informant>"));
  ASSERT_FALSE(no_custodian.ok());
  EXPECT_EQ(no_custodian.error().location,
            "/ClinicalDocument/custodian/assignedCustodian/representedCustodianOrganization");
  auto not_cda = cda_->inspect("<root/>");
  ASSERT_FALSE(not_cda.ok());
  EXPECT_EQ(not_cda.error().location, "/root");
}

TEST_F(GpCdaTest, ADoctypeIsRefusedAndNoExternalEntityIsRead) {
  TempDir dir;
  const auto secret = dir.path() / "secret.txt";
  { std::ofstream(secret) << "TOP-SECRET-CONTENT"; }
  std::string xxe = "<?xml version=\"1.0\"?>\n<!DOCTYPE ClinicalDocument [<!ENTITY xxe SYSTEM \"file://" +
                    secret.string() + "\">]>\n" + cdaSummary(2).substr(cdaSummary(2).find("<ClinicalDocument"));
  xxe = replaced(xxe, "<title>Profilo Sanitario Sintetico</title>", "<title>&xxe;</title>");
  auto check = [](const Error& e) {
    EXPECT_EQ(e.code, ErrorCode::kInvalidInput);
    EXPECT_NE(e.message.find("DOCTYPE"), std::string::npos);
    EXPECT_EQ(e.location.rfind("line 2, column", 0), 0u) << e.location;
    EXPECT_EQ(e.describe().find("TOP-SECRET"), std::string::npos);
  };
  auto env = cda_->inspect(xxe);
  ASSERT_FALSE(env.ok());
  check(env.error());
  auto m = decode(xxe);
  ASSERT_FALSE(m.ok());
  check(m.error());
}

TEST_F(GpCdaTest, BillionLaughsIsRefusedAtTheDoctype) {
  std::string bomb = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n<!ENTITY lol \"lol\">\n";
  for (int i = 1; i < 10; ++i) {
    bomb += "<!ENTITY lol" + std::to_string(i) + " \"";
    for (int j = 0; j < 10; ++j) bomb += "&lol" + (i == 1 ? std::string() : std::to_string(i - 1)) + ";";
    bomb += "\">\n";
  }
  bomb += "]>\n<ClinicalDocument>&lol9;</ClinicalDocument>";
  auto env = cda_->inspect(bomb);
  ASSERT_FALSE(env.ok());
  EXPECT_NE(env.error().message.find("DOCTYPE"), std::string::npos);
  auto m = decode(bomb);
  ASSERT_FALSE(m.ok());
}

TEST_F(GpCdaTest, HugeInputIsTooLarge) {
  std::string huge = cdaSummary(2);
  huge.insert(huge.find("<title>"), std::string(17u << 20, ' '));
  auto env = cda_->inspect(huge);
  ASSERT_FALSE(env.ok());
  EXPECT_EQ(env.error().code, ErrorCode::kTooLarge);
  EXPECT_FALSE(decode(huge).ok());
}

TEST_F(GpCdaTest, TooDeepIsRefusedWithThePath) {
  std::string deep = cdaSummary(2);
  std::string open, close;
  for (int i = 0; i < 200; ++i) {
    open += "<x>";
    close += "</x>";
  }
  deep.insert(deep.find("<title>"), open + close);
  auto env = cda_->inspect(deep);
  ASSERT_FALSE(env.ok());
  EXPECT_EQ(env.error().code, ErrorCode::kInvalidInput);
  EXPECT_NE(env.error().message.find("nested"), std::string::npos);
  EXPECT_EQ(env.error().location.rfind("/ClinicalDocument/x/x/x", 0), 0u) << env.error().location;
}

TEST_F(GpCdaTest, GeneratedDocumentsDecodeWithoutRejects) {
  bool other = false;
  for (int index = 0; index < 40; ++index) {
    auto citizen = cdaCitizen();
    citizen.index = index;
    citizen.person_id = "P" + std::to_string(100000 + index);
    auto files = synth::detail::gpCdaDocuments(7, citizen, cdaClinical(8));
    auto again = synth::detail::gpCdaDocuments(7, citizen, cdaClinical(8));
    ASSERT_EQ(files.size(), again.size());
    for (std::size_t i = 0; i < files.size(); ++i) {
      EXPECT_EQ(files[i].bytes, again[i].bytes);  // deterministic
      auto m = decode(files[i].bytes);
      ASSERT_TRUE(m.ok()) << files[i].file << ": " << m.error().describe();
      EXPECT_TRUE(m->rejects.empty()) << files[i].file << ": " << m->rejects.front().describe();
      EXPECT_EQ(ofKind(*m, kind::kDocument).size(), 1u);
      if (files[i].file.ends_with("-LAB.xml")) {
        other = true;
        auto labs = ofKind(*m, kind::kLabReport);
        ASSERT_EQ(labs.size(), 1u);
        EXPECT_EQ(labs[0]->data["results"].Size(), 2u);
      }
      if (files[i].file.ends_with("-LDO.xml")) {
        other = true;
        EXPECT_EQ(json::getStr(ofKind(*m, kind::kDocument)[0]->data["type"], "code"), "34105-7");
      }
    }
  }
  EXPECT_TRUE(other);  // about one in five citizens has a letter or a lab report
}

TEST_F(GpCdaTest, DrawnGpRecordsDecodeWithoutRejects) {
  for (int index = 0; index < 30; ++index) {
    auto citizen = cdaCitizen();
    citizen.index = index;
    citizen.birth = synth::detail::daysFromCivil(1930 + index * 3, 1 + index % 12, 1 + index % 28);
    auto clinical = synth::detail::drawGpClinical(11, citizen);
    for (const auto& file : synth::detail::gpCdaDocuments(11, citizen, clinical)) {
      auto m = decode(file.bytes);
      ASSERT_TRUE(m.ok()) << file.file << ": " << m.error().describe();
      EXPECT_TRUE(m->rejects.empty()) << file.file << ": " << m->rejects.front().describe();
      if (file.file.ends_with("-PSS.xml")) {
        std::size_t in_summary = 0;
        for (const auto& f : clinical.facts) in_summary += f.in_summary ? 1 : 0;
        std::size_t facts = 0;
        for (const Record& r : m->records) {
          facts += r.kind != kind::kPerson && r.kind != kind::kDocument ? 1 : 0;
        }
        EXPECT_EQ(facts, in_summary) << file.file;
      }
    }
  }
}

}  // namespace
}  // namespace raccordo
