// One citizen's Patient written by several sources (SISA JSON, ATS HL7)
// through the pipeline into a real SQLite store: each source replaces its own
// picture and keeps what the others gave (identifiers, the GP).

#include <gtest/gtest.h>
#include <rapidjson/pointer.h>

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "adapters/ats/ats_hl7_adapter.h"
#include "adapters/sisa/sisa_adapter.h"
#include "gateway/core/ids.h"
#include "gateway/core/json.h"
#include "gateway/mapping/pipeline.h"
#include "tests/support/ats_hl7_fixtures.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_store.h"

namespace raccordo {
namespace {

using namespace testing::hl7fx;

// Valsecchi Chiara, SISA's citizen C004711 (schemas/sisa/examples/01).
constexpr const char* kSisaCf = "VLSCHR90C62F205Z";
constexpr const char* kSisaSystem = "urn:raccordo:sisa:citizen";
constexpr const char* kRegionalSystem = "urn:oid:2.16.840.1.113883.2.9.2.30.4.1";
const std::string kGpRef = "Practitioner/" + stableId({"Practitioner", "http://hl7.it/sid/codiceFiscale", kGpCf});

std::string sisaPerson(const std::string& family_name = "Valsecchi") {
  return R"({"format": "raccordo.sisa/1", "message_id": "SISA-1", "exported_at": "2026-11-03T09:02:41+01:00",
             "source": {"system": "SISA"},
             "citizen": {"id": "C004711", "codice_fiscale": ")" +
         std::string(kSisaCf) + R"(", "family_name": ")" + family_name + R"(", "given_name": "Chiara",
             "sex": "F", "birth_date": "1990-03-22", "birth_place": {"cadastral_code": "F205"}}})";
}

/// An ATS registry message (A28/A31) about the SISA citizen.
std::string atsPerson(const std::string& event, const std::string& pid3, bool with_gp) {
  if (with_gp) return message({msh("ADT^" + event + "^ADT_A05", "R-" + event), pid(pid3), pd1Gp()});
  return message({msh("ADT^" + event + "^ADT_A05", "R-" + event), pid(pid3)});
}

std::string strAt(const json::Value& v, const char* pointer) {
  const json::Value* p = rapidjson::Pointer(pointer).Get(v);
  if (p == nullptr) return "<none>";
  return p->IsString() ? std::string(p->GetString(), p->GetStringLength()) : json::write(*p);
}

class PatientAcrossSources : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = testing::openTestStore(dir_.path(), 2);
    ASSERT_NE(store_, nullptr);
    AdapterEnvironment env = testing::sourceTreeAdapterEnvironment();
    auto sisa = makeSisaAdapter(env);
    ASSERT_TRUE(sisa.ok()) << sisa.error().describe();
    ASSERT_TRUE(adapters_.add(std::move(sisa.value())).ok());
    auto ats = makeAtsHl7Adapter(env.mappings_dir / "ats", env.cf_system);
    ASSERT_TRUE(ats.ok()) << ats.error().describe();
    ASSERT_TRUE(adapters_.add(std::move(ats.value())).ok());
  }
  void TearDown() override {
    if (store_) store_->close();
  }

  /// Prepares and applies a message as the worker does; returns the summary.
  json::Doc apply(const std::string& adapter, const std::string& raw) {
    Pipeline pipeline(adapters_, MappingContext{});
    MessageRecord m;
    m.id = ++message_id_;
    m.adapter = adapter;
    m.sender = adapter + "-test";
    m.content_type = adapter == "sisa" ? "application/json" : "x-application/hl7-v2+er7";
    m.raw = raw;
    auto fn = pipeline.prepare(m);
    EXPECT_TRUE(fn.ok()) << (fn.ok() ? "" : fn.error().describe());
    std::string summary;
    if (fn.ok()) store_->write([&](WriteTx& tx) { summary = (*fn)(tx, 1'000 * message_id_); });
    json::Doc d;
    d.Parse(summary.c_str(), summary.size());
    return d;
  }

  std::optional<StoredResource> stored() {
    std::optional<StoredResource> r;
    store_->read([&](ReadTx& tx) { r = tx.resource("Patient", patientIdFor(kSisaCf)); });
    return r;
  }

  json::Doc patient() {
    json::Doc d;
    if (auto r = stored()) d.Parse(r->json.c_str(), r->json.size());
    return d;
  }

  int64_t version() {
    auto r = stored();
    return r ? r->version : 0;
  }

  /// "system|value" -> use ("" when none).
  static std::map<std::string, std::string> identifiers(const json::Doc& p) {
    std::map<std::string, std::string> out;
    if (const json::Value* ids = json::get(p, "identifier")) {
      for (const auto& i : ids->GetArray()) {
        out[std::string(json::getStr(i, "system")) + "|" + std::string(json::getStr(i, "value"))] =
            json::getStr(i, "use");
      }
    }
    return out;
  }

  /// Applies a message that was applied just before: nothing may change.
  void expectNoNewVersion(const std::string& adapter, const std::string& raw) {
    int64_t before = version();
    json::Doc again = apply(adapter, raw);
    ASSERT_TRUE(again.IsObject());
    EXPECT_EQ(again["changed"].Size(), 0u) << json::write(again);
    EXPECT_EQ(version(), before);
  }

  testing::TempDir dir_;
  std::unique_ptr<Store> store_;
  AdapterRegistry adapters_;
  int64_t message_id_ = 0;
};

TEST_F(PatientAcrossSources, SisaUpdateKeepsTheRegistrysRegionalIdAndGp) {
  const std::string a28 = atsPerson("A28", cfId(kSisaCf) + "~" + regionalId(), true);
  apply("ats-hl7", a28);
  ASSERT_EQ(strAt(patient(), "/generalPractitioner/0/reference"), kGpRef);

  apply("sisa", sisaPerson());
  json::Doc p = patient();
  auto ids = identifiers(p);
  EXPECT_EQ(ids.count(std::string(kRegionalSystem) + "|4455667788"), 1u) << json::write(p);
  EXPECT_EQ(ids.count(std::string(kSisaSystem) + "|C004711"), 1u);
  EXPECT_EQ(ids.count("http://hl7.it/sid/codiceFiscale|" + std::string(kSisaCf)), 1u);
  EXPECT_EQ(ids.size(), 3u);  // the codice fiscale both send is there once
  EXPECT_EQ(strAt(p, "/generalPractitioner/0/reference"), kGpRef);
  // SISA's own fields replace the registry's: its name, and no address.
  EXPECT_EQ(strAt(p, "/name/0/family"), "Valsecchi");
  EXPECT_EQ(strAt(p, "/address"), "<none>");
  EXPECT_EQ(strAt(p, "/telecom"), "<none>");

  expectNoNewVersion("sisa", sisaPerson());
  // Back to the registry: its picture again, and SISA's identifier stays.
  apply("ats-hl7", a28);
  p = patient();
  EXPECT_EQ(strAt(p, "/name/0/family"), "VERDI");
  EXPECT_EQ(identifiers(p).count(std::string(kSisaSystem) + "|C004711"), 1u);
  expectNoNewVersion("ats-hl7", a28);
}

TEST_F(PatientAcrossSources, RegistryUpdateKeepsSisasIdentifier) {
  apply("sisa", sisaPerson());
  const std::string a31 = atsPerson("A31", cfId(kSisaCf) + "~" + std::string(kStp) + "^^^STP", true);
  apply("ats-hl7", a31);
  json::Doc p = patient();
  auto ids = identifiers(p);
  EXPECT_EQ(ids.count(std::string(kSisaSystem) + "|C004711"), 1u) << json::write(p);
  EXPECT_EQ(ids.count("http://hl7.it/sid/stp|" + std::string(kStp)), 1u);
  EXPECT_EQ(strAt(p, "/name/0/family"), "VERDI");
  EXPECT_EQ(strAt(p, "/generalPractitioner/0/reference"), kGpRef);
  expectNoNewVersion("ats-hl7", a31);
}

TEST_F(PatientAcrossSources, ADeathTheRegistryReportedSurvivesAnotherSourcesUpdate) {
  const std::string a31 = message({msh("ADT^A31^ADT_A05", "R-DEATH"),
                                   pid(cfId(kSisaCf), {{29, "20261020143000"}, {30, "Y"}})});
  apply("ats-hl7", a31);
  ASSERT_NE(strAt(patient(), "/deceasedDateTime"), "<none>") << json::write(patient());
  std::string death = strAt(patient(), "/deceasedDateTime");
  apply("sisa", sisaPerson());  // SISA never says anything about death
  EXPECT_EQ(strAt(patient(), "/deceasedDateTime"), death) << json::write(patient());
  expectNoNewVersion("sisa", sisaPerson());
}

TEST_F(PatientAcrossSources, ASourceStillCorrectsItsOwnIdentifiersAndFields) {
  // A hospital number (an unknown authority: urn:raccordo:ats:id:NIGUARDA) is ATS's own.
  apply("ats-hl7", atsPerson("A28", cfId(kSisaCf) + "~MRN-77^^^NIGUARDA^MR", true));
  apply("sisa", sisaPerson());
  EXPECT_EQ(identifiers(patient()).count("urn:raccordo:ats:id:NIGUARDA|MRN-77"), 1u);

  // The registry no longer sends it, nor a GP: the number goes, the GP stays.
  apply("ats-hl7", atsPerson("A31", cfId(kSisaCf), false));
  json::Doc p = patient();
  auto ids = identifiers(p);
  EXPECT_EQ(ids.count("urn:raccordo:ats:id:NIGUARDA|MRN-77"), 0u) << json::write(p);
  EXPECT_EQ(ids.count(std::string(kSisaSystem) + "|C004711"), 1u);
  EXPECT_EQ(strAt(p, "/generalPractitioner/0/reference"), kGpRef);

  // SISA corrects the name: the registry's fields give way, its identifiers do not.
  apply("sisa", sisaPerson("Valsecchi Rossi"));
  p = patient();
  EXPECT_EQ(strAt(p, "/name/0/family"), "Valsecchi Rossi");
  EXPECT_EQ(identifiers(p).count(std::string(kSisaSystem) + "|C004711"), 1u);
  EXPECT_EQ(identifiers(p).size(), 2u);  // codice fiscale and SISA's id

  // A new GP from the registry replaces the old one.
  apply("ats-hl7", message({msh("ADT^A31^ADT_A05", "R-GP"), pid(cfId(kSisaCf)),
                            seg("PD1", {{4, std::string(kCf) + "^VERDI^GIULIA^^^^^^MEF&" + kCfOid + "&ISO"}})}));
  EXPECT_EQ(strAt(patient(), "/generalPractitioner/0/reference"),
            "Practitioner/" + stableId({"Practitioner", "http://hl7.it/sid/codiceFiscale", kCf}));
}

}  // namespace
}  // namespace raccordo
