// Tests for the ats-hl7 adapter: HL7 v2 messages -> records. Messages are
// synthetic (tests/support/ats_hl7_fixtures.h); the sample messages in
// ../shared/samples/hl7v2 were read, not copied.

#include "adapters/ats/ats_hl7_adapter.h"

#include <gtest/gtest.h>
#include <rapidjson/pointer.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "adapters/ats/ats_hl7_support.h"
#include "gateway/core/json.h"
#include "tests/support/ats_hl7_fixtures.h"
#include "tests/support/temp_dir.h"

namespace raccordo {
namespace {

namespace fs = std::filesystem;
using namespace testing::hl7fx;

const fs::path kTables = fs::path(RACCORDO_SOURCE_DIR) / "mappings" / "ats";
constexpr const char* kCfSystem = "http://hl7.it/sid/codiceFiscale";

AdapterPtr makeAdapter(const std::string& cf_system = kCfSystem) {
  auto a = makeAtsHl7Adapter(kTables, cf_system);
  EXPECT_TRUE(a.ok()) << (a.ok() ? "" : a.error().describe());
  return a.ok() ? a.value() : nullptr;
}

const Adapter& adapter() {
  static AdapterPtr a = makeAdapter();
  return *a;
}

DecodedMessage decodeOk(const std::string& text, const Adapter& ad = adapter()) {
  auto d = ad.decode(text, MessageMeta{1, "ats-hl7", "test", "application/hl7-v2"});
  EXPECT_TRUE(d.ok()) << (d.ok() ? "" : d.error().describe());
  return d.ok() ? std::move(d.value()) : DecodedMessage{};
}

Error decodeErr(const std::string& text) {
  auto d = adapter().decode(text, MessageMeta{});
  EXPECT_FALSE(d.ok());
  return d.ok() ? Error() : d.error();
}

Error inspectErr(const std::string& text) {
  auto e = adapter().inspect(text);
  EXPECT_FALSE(e.ok());
  return e.ok() ? Error() : e.error();
}

std::vector<const Record*> ofKind(const DecodedMessage& m, const char* kind) {
  std::vector<const Record*> out;
  for (const auto& r : m.records) {
    if (r.kind == kind) out.push_back(&r);
  }
  return out;
}

std::string strAt(const json::Value& v, const char* pointer) {
  const json::Value* p = rapidjson::Pointer(pointer).Get(v);
  if (p == nullptr) return "<none>";
  return p->IsString() ? std::string(p->GetString(), p->GetStringLength()) : json::write(*p);
}

const json::Value* at(const json::Value& v, const char* pointer) { return rapidjson::Pointer(pointer).Get(v); }

/// system -> value of a person's identifiers.
std::map<std::string, std::string> identifiersOf(const Record& person) {
  std::map<std::string, std::string> out;
  for (const auto& i : person.data["identifiers"].GetArray()) {
    out[std::string(json::getStr(i, "system"))] = std::string(json::getStr(i, "value"));
  }
  return out;
}

std::string adtWithPid3(const std::string& pid3, const std::string& type = "ADT^A28^ADT_A05") {
  return message({msh(type), seg("EVN", {{1, "A28"}}), pid(pid3)});
}

// ---------------------------------------------------------------------------
// inspect

TEST(AtsHl7Inspect, EnvelopeHasTheDuplicateKeyAndTheCitizen) {
  std::string lower_cf = "vrdgli90d55f205r^^^MEF&2.16.840.1.113883.2.9.4.3.2&ISO^NNITA";
  auto env = adapter().inspect(adtWithPid3(regionalId() + "~" + lower_cf));
  ASSERT_TRUE(env.ok()) << env.error().describe();
  EXPECT_EQ(env->source_message_id, "ANAGRAFE|ATS_MI|CTRL0001");
  EXPECT_EQ(env->citizen_key, kCf);
}

TEST(AtsHl7Inspect, UnsupportedTypeIsUnsupportedAtMsh9) {
  for (const char* type : {"ADT^A05^ADT_A05", "QRY^A19", "ORU^R30", "SIU^S12"}) {
    Error e = inspectErr(message({msh(type), pid()}));
    EXPECT_EQ(e.code, ErrorCode::kUnsupported) << type;
    EXPECT_EQ(e.location, "MSH-9") << type;
  }
  Error e = inspectErr(message({msh("ADT^A05^ADT_A05"), pid()}));
  EXPECT_EQ(e.message, "message type ADT^A05 is not supported");
  // decode says the same, so a replayed message never half-applies.
  EXPECT_EQ(decodeErr(message({msh("QRY^A19"), pid()})).code, ErrorCode::kUnsupported);
}

TEST(AtsHl7Inspect, TriggerEventFromTheMessageStructure) {
  auto env = adapter().inspect(message({msh("ADT^^ADT_A31"), pid()}));
  ASSERT_TRUE(env.ok()) << env.error().describe();
  EXPECT_EQ(env->citizen_key, kCf);
}

TEST(AtsHl7Inspect, EmptyControlIdIsInvalidAtMsh10) {
  Error e = inspectErr(message({msh("ADT^A28^ADT_A05", ""), pid()}));
  EXPECT_EQ(e.code, ErrorCode::kInvalidInput);
  EXPECT_EQ(e.location, "MSH-10");
  EXPECT_EQ(inspectErr(message({msh("ADT^A28^ADT_A05", "  "), pid()})).location, "MSH-10");
}

TEST(AtsHl7Inspect, ParserErrorsKeepTheirHl7Location) {
  Error e = inspectErr("MSH|^~\\&|A|B|||20240101||ADT^A28|1|P|2.5\rpid|1\r");
  EXPECT_EQ(e.code, ErrorCode::kInvalidInput);
  EXPECT_EQ(e.location, "segment 2");
  EXPECT_EQ(inspectErr("MSH|^~\\&|A|B|||20240101||ADT^A28|1|P|2.5||||||KOI8-R\r").location, "MSH-18");
}

TEST(AtsHl7Inspect, NoUsableIdentifierIsInvalidAtPid3) {
  Error e = inspectErr(adtWithPid3(regionalId() + "~12345^^^HOSP^MR"));
  EXPECT_EQ(e.code, ErrorCode::kInvalidInput);
  EXPECT_EQ(e.location, "PID-3");
  EXPECT_EQ(decodeErr(adtWithPid3(regionalId())).location, "PID-3");
  EXPECT_EQ(inspectErr(message({msh("ADT^A28^ADT_A05")})).location, "PID");
}

// ---------------------------------------------------------------------------
// person (A28, A31)

TEST(AtsHl7Person, A28GivesThePersonWithItsDemographics) {
  DecodedMessage m = decodeOk(message({msh("ADT^A28^ADT_A05"), seg("EVN", {{1, "A28"}}), pid(), pd1Gp()}));
  EXPECT_EQ(m.source, "ats");
  EXPECT_EQ(m.citizen_key, kCf);
  EXPECT_EQ(m.source_message_id, "ANAGRAFE|ATS_MI|CTRL0001");
  EXPECT_EQ(m.sent_at, "2024-01-15T10:30:00+01:00");
  EXPECT_TRUE(m.warnings.empty());
  ASSERT_EQ(m.records.size(), 1u);
  const Record& p = m.records[0];
  EXPECT_EQ(p.kind, kind::kPerson);
  EXPECT_EQ(p.source_id, kCf);
  auto ids = identifiersOf(p);
  EXPECT_EQ(ids[kCfSystem], kCf);
  EXPECT_EQ(ids["urn:oid:2.16.840.1.113883.2.9.2.30.4.1"], "4455667788");
  EXPECT_EQ(strAt(p.data, "/family_name"), "VERDI");
  EXPECT_EQ(strAt(p.data, "/given_name"), "GIULIA");
  EXPECT_EQ(strAt(p.data, "/gender"), "female");
  EXPECT_EQ(strAt(p.data, "/birth_date"), "1990-04-15");
  EXPECT_EQ(strAt(p.data, "/birth_place/code"), "F205");
  EXPECT_EQ(strAt(p.data, "/birth_place/system"), "cadastral");
  EXPECT_EQ(strAt(p.data, "/citizenship"), "ITA");
  EXPECT_EQ(strAt(p.data, "/addresses/0/use"), "home");
  EXPECT_EQ(strAt(p.data, "/addresses/0/line"), "VIA ROMA 10, SCALA B");
  EXPECT_EQ(strAt(p.data, "/addresses/0/city"), "MILANO");
  EXPECT_EQ(strAt(p.data, "/addresses/0/city_code"), "F205");
  EXPECT_EQ(strAt(p.data, "/addresses/0/postal_code"), "20121");
  EXPECT_EQ(strAt(p.data, "/addresses/0/province"), "MI");
  EXPECT_EQ(strAt(p.data, "/telecom/0/value"), "+39 02 1234567");
  EXPECT_EQ(strAt(p.data, "/telecom/0/use"), "home");
  EXPECT_EQ(strAt(p.data, "/telecom/1/system"), "email");
  EXPECT_EQ(strAt(p.data, "/telecom/1/value"), "giulia.verdi@example.org");
  EXPECT_EQ(strAt(p.data, "/telecom/2/system"), "phone");
  EXPECT_EQ(strAt(p.data, "/telecom/2/value"), "3331234567");
  EXPECT_EQ(strAt(p.data, "/telecom/2/use"), "work");
  EXPECT_EQ(strAt(p.data, "/general_practitioner/id"), kGpCf);
  EXPECT_EQ(strAt(p.data, "/general_practitioner/family_name"), "BIANCHI");
  EXPECT_EQ(strAt(p.data, "/general_practitioner/given_name"), "LUCA");
  EXPECT_EQ(strAt(p.data, "/general_practitioner/id_system"), kCfSystem);
  EXPECT_EQ(at(p.data, "/partial"), nullptr);  // the registry's own update
}

TEST(AtsHl7Person, A31IsAPersonUpdateOnly) {
  DecodedMessage m = decodeOk(message({msh("ADT^A31^ADT_A05"), seg("EVN", {{1, "A31"}}), pid(),
                                       pv1({{2, "I"}, {19, "V1"}})}));
  ASSERT_EQ(m.records.size(), 1u);
  EXPECT_EQ(m.records[0].kind, kind::kPerson);
}

TEST(AtsHl7Person, EveryAuthorityByOidAndByNamespace) {
  struct Case {
    std::string cx;
    std::string system;
    std::string value;
  };
  const std::vector<Case> cases = {
      {std::string(kOldCf) + "^^^&2.16.840.1.113883.2.9.4.3.2&ISO", kCfSystem, kOldCf},
      {std::string(kOldCf) + "^^^MEF", kCfSystem, kOldCf},
      {std::string(kOldCf) + "^^^cf", kCfSystem, kOldCf},
      {std::string(kOldCf) + "^^^^NNITA", kCfSystem, kOldCf},
      {std::string(kOldCf) + "^^^urn:oid:2.16.840.1.113883.2.9.4.3.2", kCfSystem, kOldCf},
      {std::string(kStp) + "^^^&2.16.840.1.113883.2.9.4.3.17&ISO", "http://hl7.it/sid/stp", kStp},
      {std::string(kStp) + "^^^STP", "http://hl7.it/sid/stp", kStp},
      {std::string(kEni) + "^^^&2.16.840.1.113883.2.9.4.3.18&ISO", "http://hl7.it/sid/eni", kEni},
      {std::string(kEni) + "^^^eni", "http://hl7.it/sid/eni", kEni},
      {"ITA.80380000500012345678^^^&2.16.840.1.113883.2.9.4.3.7&ISO", "urn:oid:2.16.840.1.113883.2.9.4.3.7",
       "ITA.80380000500012345678"},
      {"A1B2C3^^^TEAM", "urn:oid:2.16.840.1.113883.2.9.4.3.7", "A1B2C3"},
      {"987654^^^&2.16.840.1.113883.2.9.4.3.16&ISO", "http://hl7.it/sid/anpr", "987654"},
      {"987655^^^ANPR", "http://hl7.it/sid/anpr", "987655"},
      {"55501^^^&2.16.840.1.113883.2.9.4.3.15&ISO", "urn:oid:2.16.840.1.113883.2.9.4.3.15", "55501"},
      {"4455667788^^^&2.16.840.1.113883.2.9.2.30.4.1&ISO^PI", "urn:oid:2.16.840.1.113883.2.9.2.30.4.1",
       "4455667788"},
      {"4455667789^^^SISS^PI", "urn:oid:2.16.840.1.113883.2.9.2.30.4.1", "4455667789"},
      {"MRN-1^^^NIGUARDA&1.2.3.4&ISO^MR", "urn:raccordo:ats:id:1.2.3.4", "MRN-1"},
      {"MRN-2^^^NIGUARDA^MR", "urn:raccordo:ats:id:NIGUARDA", "MRN-2"},
      {"MRN-3^^^^MR", "urn:raccordo:ats:id:ATS_MI", "MRN-3"},  // no authority: the sending facility's
  };
  for (const auto& c : cases) {
    // Giulia's CF first, so that every message has the same citizen key.
    DecodedMessage m = decodeOk(adtWithPid3(cfId() + "~" + c.cx));
    ASSERT_EQ(m.records.size(), 1u) << c.cx;
    bool found = false;
    for (const auto& i : m.records[0].data["identifiers"].GetArray()) {
      found = found || (json::getStr(i, "system") == c.system && json::getStr(i, "value") == c.value);
    }
    EXPECT_TRUE(found) << c.cx << " -> " << json::write(m.records[0].data["identifiers"]);
  }
}

TEST(AtsHl7Person, OidSystemsWhenTheCfSystemIsAnOid) {
  AdapterPtr oid = makeAdapter("urn:oid:2.16.840.1.113883.2.9.4.3.2");
  ASSERT_NE(oid, nullptr);
  DecodedMessage m = decodeOk(adtWithPid3(cfId() + "~" + std::string(kStp) + "^^^STP"), *oid);
  auto ids = identifiersOf(m.records[0]);
  EXPECT_EQ(ids["urn:oid:2.16.840.1.113883.2.9.4.3.2"], kCf);
  EXPECT_EQ(ids["urn:oid:2.16.840.1.113883.2.9.4.3.17"], kStp);
}

TEST(AtsHl7Person, TypoRootIsRecognisedAsCfAndWarned) {
  DecodedMessage m =
      decodeOk(adtWithPid3(regionalId() + "~" + std::string(kCf) + "^^^&2.16.840.1.113883.2.9.2.4.3.2&ISO"));
  EXPECT_EQ(m.citizen_key, kCf);
  EXPECT_EQ(identifiersOf(m.records[0])[kCfSystem], kCf);
  ASSERT_EQ(m.warnings.size(), 1u);
  EXPECT_EQ(m.warnings[0].location, "PID-3[2].4.2");
  EXPECT_NE(m.warnings[0].message.find("2.16.840.1.113883.2.9.2.4.3.2"), std::string::npos);
}

TEST(AtsHl7Person, WithoutACfTheStpOrEniIsTheCitizenKey) {
  DecodedMessage stp = decodeOk(adtWithPid3(regionalId() + "~" + std::string(kStp) + "^^^STP"));
  EXPECT_EQ(stp.citizen_key, kStp);
  EXPECT_EQ(identifiersOf(stp.records[0])["http://hl7.it/sid/stp"], kStp);
  auto env = adapter().inspect(adtWithPid3(regionalId() + "~" + std::string(kStp) + "^^^STP"));
  ASSERT_TRUE(env.ok());
  EXPECT_EQ(env->citizen_key, kStp);

  DecodedMessage eni = decodeOk(adtWithPid3(std::string(kEni) + "^^^ENI"));
  EXPECT_EQ(eni.citizen_key, kEni);
  // A CF wins over an STP wherever it is in the list.
  EXPECT_EQ(decodeOk(adtWithPid3(std::string(kStp) + "^^^STP~" + cfId())).citizen_key, kCf);
}

TEST(AtsHl7Person, BadCodesAreInvalidAtTheirRepetition) {
  Error cf = decodeErr(adtWithPid3(regionalId() + "~VRDGLI90D55F205X^^^MEF"));
  EXPECT_EQ(cf.code, ErrorCode::kInvalidInput);
  EXPECT_EQ(cf.location, "PID-3[2].1");
  EXPECT_NE(cf.message.find("codice fiscale"), std::string::npos);
  Error stp = decodeErr(adtWithPid3("STP03030812^^^STP"));
  EXPECT_EQ(stp.location, "PID-3[1].1");
}

TEST(AtsHl7Person, Latin1MessageGivesUtf8Names) {
  std::string text = message({msh("ADT^A28^ADT_A05", "L1", {{18, "8859/1"}}),
                              pid(cfId(), {{5, "D'ARCO^NICOL\xD2^^^^^L"}, {11, "PIAZZA DUOMO^^CITT\xC0 STUDI^MI"}})});
  DecodedMessage m = decodeOk(text);
  EXPECT_EQ(strAt(m.records[0].data, "/family_name"), "D'ARCO");
  EXPECT_EQ(strAt(m.records[0].data, "/given_name"), "NICOL\xC3\x92");
  EXPECT_EQ(strAt(m.records[0].data, "/addresses/0/city"), "CITT\xC3\x80 STUDI");
}

TEST(AtsHl7Person, BirthplaceIstatOrCadastral) {
  // ISTAT from the birth address of PID-11 (XAD-7 BDL, XAD-9).
  DecodedMessage istat = decodeOk(message(
      {msh("ADT^A28^ADT_A05"),
       pid(cfId(), {{23, ""}, {11, "VIA ROMA 10^^MILANO^MI^20121^ITA^H~^^MILANO^MI^^ITA^BDL^^015146"}})}));
  const json::Value& d = istat.records[0].data;
  EXPECT_EQ(strAt(d, "/birth_place/code"), "015146");
  EXPECT_EQ(strAt(d, "/birth_place/system"), "istat");
  EXPECT_EQ(strAt(d, "/birth_place/name"), "MILANO");
  EXPECT_EQ(d["addresses"].Size(), 1u);  // the birth address is not an address of the person

  // Cadastral from PID-23, the town's name from PID-23.2.
  DecodedMessage cadastral = decodeOk(message({msh("ADT^A28^ADT_A05"), pid(cfId(), {{23, "l219^TORINO"}})}));
  EXPECT_EQ(strAt(cadastral.records[0].data, "/birth_place/code"), "L219");
  EXPECT_EQ(strAt(cadastral.records[0].data, "/birth_place/system"), "cadastral");
  EXPECT_EQ(strAt(cadastral.records[0].data, "/birth_place/name"), "TORINO");

  // A name alone.
  DecodedMessage named = decodeOk(message({msh("ADT^A28^ADT_A05"), pid(cfId(), {{23, "CAGLIARI"}})}));
  EXPECT_EQ(strAt(named.records[0].data, "/birth_place/name"), "CAGLIARI");
  EXPECT_EQ(at(named.records[0].data, "/birth_place/code"), nullptr);
}

TEST(AtsHl7Person, GeneralPractitionerFromPd1) {
  DecodedMessage m = decodeOk(message({msh("ADT^A31^ADT_A05"), pid(),
                                       seg("PD1", {{4, "G-778^NERI^ANNA^^^^^^SISS&2.16.840.1.113883.2.9.2.30.4.1&ISO"}})}));
  const json::Value& gp = m.records[0].data["general_practitioner"];
  EXPECT_EQ(strAt(gp, "/id"), "G-778");
  EXPECT_EQ(strAt(gp, "/family_name"), "NERI");
  EXPECT_EQ(strAt(gp, "/id_system"), "urn:oid:2.16.840.1.113883.2.9.2.30.4.1");

  DecodedMessage no_id = decodeOk(message({msh("ADT^A31^ADT_A05"), pid(), seg("PD1", {{4, "^NERI^ANNA"}})}));
  EXPECT_EQ(at(no_id.records[0].data, "/general_practitioner"), nullptr);
  ASSERT_EQ(no_id.warnings.size(), 1u);
  EXPECT_EQ(no_id.warnings[0].location, "PD1-4[1].1");
}

TEST(AtsHl7Person, BadValuesNameTheirField) {
  EXPECT_EQ(decodeErr(message({msh("ADT^A28^ADT_A05"), pid(cfId(), {{7, "19901345"}})})).location, "PID-7");
  Error sex = decodeErr(message({msh("ADT^A28^ADT_A05"), pid(cfId(), {{8, "Q"}})}));
  EXPECT_EQ(sex.code, ErrorCode::kUnknownCode);
  EXPECT_EQ(sex.location, "PID-8");
  // A bad MSH-7 is only worth a warning: the content is still good.
  DecodedMessage m = decodeOk(message({msh("ADT^A28^ADT_A05", "T1", {{7, "2024-01-15"}}), pid()}));
  EXPECT_TRUE(m.sent_at.empty());
  ASSERT_EQ(m.warnings.size(), 1u);
  EXPECT_EQ(m.warnings[0].location, "MSH-7");
}

TEST(AtsHl7Person, DeathFromPid29Or30) {
  DecodedMessage dated =
      decodeOk(message({msh("ADT^A31^ADT_A05"), pid(cfId(), {{29, "20240702231500"}, {30, "Y"}})}));
  EXPECT_EQ(strAt(dated.records[0].data, "/deceased"), "2024-07-02T23:15:00+02:00");
  DecodedMessage flagged = decodeOk(message({msh("ADT^A31^ADT_A05"), pid(cfId(), {{30, "Y"}})}));
  EXPECT_EQ(strAt(flagged.records[0].data, "/deceased"), "true");
}

// ---------------------------------------------------------------------------
// encounters (A01, A03, A04, A08, A11, A13)

const Record& onlyEncounter(const DecodedMessage& m) {
  static const Record kEmpty;
  auto e = ofKind(m, kind::kEncounter);
  EXPECT_EQ(e.size(), 1u);
  return e.empty() ? kEmpty : *e[0];
}

std::string adt(const std::string& event, std::map<int, std::string> pv1_fields) {
  return message({msh("ADT^" + event + "^ADT_A01", "C-" + event), seg("EVN", {{1, event}, {6, "20240716081500"}}),
                  pid(), pv1(std::move(pv1_fields))});
}

TEST(AtsHl7Encounter, A01AdmissionInProgress) {
  DecodedMessage m = decodeOk(adtA01());
  ASSERT_EQ(m.records.size(), 2u);
  EXPECT_EQ(m.records[0].kind, kind::kPerson);
  EXPECT_EQ(strAt(m.records[0].data, "/partial"), "true");  // demographics in passing
  const Record& e = onlyEncounter(m);
  EXPECT_EQ(e.source_id, "V2024-000123");
  EXPECT_EQ(strAt(e.data, "/event"), "A01");
  EXPECT_EQ(strAt(e.data, "/status"), "in-progress");
  EXPECT_EQ(strAt(e.data, "/class/system"), "http://terminology.hl7.org/CodeSystem/v3-ActCode");
  EXPECT_EQ(strAt(e.data, "/class/code"), "IMP");
  EXPECT_EQ(strAt(e.data, "/start"), "2024-01-15T10:30:00+01:00");  // winter time in Rome
  EXPECT_EQ(at(e.data, "/end"), nullptr);
  EXPECT_EQ(strAt(e.data, "/location"), "CARD, stanza 101, letto 2");
  EXPECT_EQ(strAt(e.data, "/facility/code"), "NIGUARDA");
  EXPECT_EQ(strAt(e.data, "/attending/id"), "12345");
  EXPECT_EQ(strAt(e.data, "/attending/family_name"), "ROSSI");
  EXPECT_EQ(strAt(e.data, "/attending/given_name"), "MARCO");
}

TEST(AtsHl7Encounter, A03DischargeFinished) {
  DecodedMessage a03 = decodeOk(adt("A03", {{2, "I"}, {19, "V9"}, {44, "20240710093000"}, {45, "20240716120000+0200"}}));
  const Record& e = onlyEncounter(a03);
  EXPECT_EQ(strAt(e.data, "/status"), "finished");
  EXPECT_EQ(strAt(e.data, "/start"), "2024-07-10T09:30:00+02:00");  // summer time in Rome
  EXPECT_EQ(strAt(e.data, "/end"), "2024-07-16T12:00:00+02:00");
  // Without PV1-45 the discharge happened at the event (EVN-6).
  DecodedMessage m = decodeOk(adt("A03", {{2, "I"}, {19, "V9"}}));
  EXPECT_EQ(strAt(onlyEncounter(m).data, "/end"), "2024-07-16T08:15:00+02:00");
}

TEST(AtsHl7Encounter, A04OutpatientAndA08Update) {
  DecodedMessage a04 = decodeOk(adt("A04", {{2, "O"}, {19, "AMB-1"}}));
  const Record& r04 = onlyEncounter(a04);
  EXPECT_EQ(strAt(r04.data, "/class/code"), "AMB");
  EXPECT_EQ(strAt(r04.data, "/status"), "in-progress");
  EXPECT_EQ(strAt(r04.data, "/start"), "2024-07-16T08:15:00+02:00");  // EVN-6 when PV1-44 is empty
  EXPECT_EQ(strAt(r04.data, "/facility/code"), "ATS_MI");             // MSH-4 without PV1-3.4

  DecodedMessage a08 = decodeOk(adt("A08", {{2, "E"}, {19, "PS-7"}, {44, "202407160800"}, {45, "202407161130"}}));
  const Record& r08 = onlyEncounter(a08);
  EXPECT_EQ(strAt(r08.data, "/class/code"), "EMER");
  EXPECT_EQ(strAt(r08.data, "/status"), "finished");
  EXPECT_EQ(strAt(r08.data, "/start"), "2024-07-16T08:00:00+02:00");

  // An A08 without a visit is a demographic update.
  DecodedMessage bare = decodeOk(message({msh("ADT^A08^ADT_A01"), seg("EVN", {{1, "A08"}}), pid()}));
  ASSERT_EQ(bare.records.size(), 1u);
  EXPECT_EQ(bare.records[0].kind, kind::kPerson);
}

TEST(AtsHl7Encounter, A11CancelsAndA13Reopens) {
  DecodedMessage a11 = decodeOk(adt("A11", {{2, "I"}, {19, "V9"}, {44, "20240710093000"}}));
  EXPECT_EQ(strAt(onlyEncounter(a11).data, "/status"), "cancelled");
  DecodedMessage a13 = decodeOk(adt("A13", {{2, "I"}, {19, "V9"}, {44, "20240710093000"}, {45, "20240716120000"}}));
  const Record& r13 = onlyEncounter(a13);
  EXPECT_EQ(strAt(r13.data, "/status"), "in-progress");
  EXPECT_EQ(at(r13.data, "/end"), nullptr);
  EXPECT_EQ(r13.source_id, "V9");
}

TEST(AtsHl7Encounter, NoVisitNumberUsesFacilityAndControlId) {
  DecodedMessage m = decodeOk(adt("A04", {{2, "R"}}));
  EXPECT_EQ(onlyEncounter(m).source_id, "ATS_MI-C-A04");
}

TEST(AtsHl7Encounter, ErrorsNameThePv1Field) {
  EXPECT_EQ(decodeErr(message({msh("ADT^A01^ADT_A01"), pid()})).location, "PV1");
  Error cls = decodeErr(adt("A01", {{2, "Z"}, {19, "V1"}}));
  EXPECT_EQ(cls.code, ErrorCode::kUnknownCode);
  EXPECT_EQ(cls.location, "PV1-2");
  EXPECT_EQ(decodeErr(adt("A01", {{2, ""}, {19, "V1"}})).location, "PV1-2");
  EXPECT_EQ(decodeErr(adt("A01", {{2, "I"}, {44, "20241301"}})).location, "PV1-44");
}

// ---------------------------------------------------------------------------
// lab reports (ORU^R01)

TEST(AtsHl7Lab, OneReportPerObrWithItsResults) {
  DecodedMessage m = decodeOk(oruR01());
  EXPECT_EQ(m.source_message_id, "LIS|LAB_NIGUARDA|LAB0001");
  auto reports = ofKind(m, kind::kLabReport);
  ASSERT_EQ(reports.size(), 2u);
  const Record& cbc = *reports[0];
  EXPECT_EQ(cbc.source_id, "FIL-5001");
  EXPECT_EQ(strAt(cbc.data, "/code/system"), "http://loinc.org");
  EXPECT_EQ(strAt(cbc.data, "/code/code"), "24317-0");
  EXPECT_EQ(strAt(cbc.data, "/code/display"), "Emocromo");
  EXPECT_EQ(strAt(cbc.data, "/status"), "final");
  EXPECT_EQ(strAt(cbc.data, "/effective"), "2024-07-10T08:30:00+02:00");
  EXPECT_EQ(strAt(cbc.data, "/issued"), "2024-07-10T12:00:00+02:00");
  EXPECT_EQ(strAt(cbc.data, "/performer/code"), "LAB_NIGUARDA");
  ASSERT_EQ(cbc.data["results"].Size(), 4u);

  const json::Value& hb = cbc.data["results"][0];
  EXPECT_EQ(strAt(hb, "/source_id"), "FIL-5001-1");
  EXPECT_EQ(strAt(hb, "/code/code"), "718-7");
  EXPECT_EQ(strAt(hb, "/value_type"), "NM");
  EXPECT_DOUBLE_EQ(hb["value_quantity"]["value"].GetDouble(), 11.2);
  EXPECT_EQ(strAt(hb, "/value_quantity/unit"), "g/dL");
  EXPECT_EQ(strAt(hb, "/reference_range"), "12.0-16.0");
  EXPECT_EQ(strAt(hb, "/interpretation/system"), "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation");
  EXPECT_EQ(strAt(hb, "/interpretation/code"), "L");
  EXPECT_EQ(strAt(hb, "/status"), "final");
  EXPECT_EQ(strAt(hb, "/effective"), "2024-07-10T08:30:00+02:00");

  const json::Value& plt = cbc.data["results"][1];
  EXPECT_EQ(strAt(plt, "/value_quantity/value"), "250");  // an integer stays an integer
  EXPECT_EQ(strAt(plt, "/interpretation/code"), "N");

  const json::Value& group = cbc.data["results"][2];
  EXPECT_EQ(strAt(group, "/value_coding/system"), "http://loinc.org");
  EXPECT_EQ(strAt(group, "/value_coding/code"), "LA19710-5");
  EXPECT_EQ(strAt(group, "/value_coding/display"), "Gruppo A");
  EXPECT_EQ(at(group, "/interpretation"), nullptr);

  const json::Value& mono = cbc.data["results"][3];
  EXPECT_EQ(strAt(mono, "/value_quantity/comparator"), "<");
  EXPECT_EQ(strAt(mono, "/value_quantity/value"), "1");
  EXPECT_EQ(strAt(mono, "/interpretation/code"), "A");
  EXPECT_EQ(strAt(mono, "/status"), "preliminary");

  const Record& note = *reports[1];
  EXPECT_EQ(note.source_id, "ORD-78");  // placer number when there is no filler number
  EXPECT_EQ(strAt(note.data, "/code/system"), "urn:raccordo:ats:lab-code");
  EXPECT_EQ(strAt(note.data, "/status"), "preliminary");
  EXPECT_EQ(strAt(note.data, "/effective"), "2024-07-10");
  EXPECT_EQ(strAt(note.data, "/results/0/source_id"), "ORD-78-1");
  EXPECT_EQ(strAt(note.data, "/results/0/value_string"), "Campione emolizzato\nripetere");
}

TEST(AtsHl7Lab, ErrorsNameTheObxOrObr) {
  auto oru = [](const std::string& obx) {
    return message({msh("ORU^R01"), pid(), seg("OBR", {{1, "1"}, {3, "F1"}, {4, "718-7^Hb^LN"}, {25, "F"}}),
                    seg("OBX", {{1, "1"}, {2, "NM"}, {3, "718-7^Hb^LN"}, {5, "13"}, {11, "F"}}), obx});
  };
  Error flag = decodeErr(oru(seg("OBX", {{1, "2"}, {2, "NM"}, {3, "777-3^Plt^LN"}, {5, "1"}, {8, "ZZ"}})));
  EXPECT_EQ(flag.code, ErrorCode::kUnknownCode);
  EXPECT_EQ(flag.location, "OBX[2]-8");
  Error nm = decodeErr(oru(seg("OBX", {{1, "2"}, {2, "NM"}, {3, "777-3^Plt^LN"}, {5, "dodici"}})));
  EXPECT_EQ(nm.code, ErrorCode::kInvalidInput);
  EXPECT_EQ(nm.location, "OBX[2]-5");
  EXPECT_EQ(decodeErr(oru(seg("OBX", {{1, "2"}, {2, "ST"}, {5, "x"}}))).location, "OBX[2]-3");
  EXPECT_EQ(decodeErr(oru(seg("OBX", {{1, "2"}, {2, "ST"}, {3, "X^x^L"}, {11, "Q"}}))).location, "OBX[2]-11");
  EXPECT_EQ(decodeErr(message({msh("ORU^R01"), pid(), seg("OBR", {{1, "1"}, {3, "F1"}})})).location, "OBR[1]-4");
  EXPECT_EQ(decodeErr(message({msh("ORU^R01"), pid()})).location, "OBR");
}

TEST(AtsHl7Lab, ResultWithoutStatusIsFinalAndReportWithoutStatusUnknown) {
  DecodedMessage m = decodeOk(message({msh("ORU^R01"), pid(), seg("OBR", {{1, "1"}, {4, "718-7^Hb^LN"}}),
                                       seg("OBX", {{2, "ST"}, {3, "X^x^L"}, {5, "ok"}})}));
  const Record& r = *ofKind(m, kind::kLabReport)[0];
  EXPECT_EQ(r.source_id, "CTRL0001-1");
  EXPECT_EQ(strAt(r.data, "/status"), "unknown");
  EXPECT_EQ(strAt(r.data, "/results/0/status"), "final");
  EXPECT_EQ(strAt(r.data, "/results/0/source_id"), "CTRL0001-1-1");
  EXPECT_EQ(strAt(r.data, "/results/0/value_string"), "ok");
}

// ---------------------------------------------------------------------------
// merge (A40)

TEST(AtsHl7Merge, A40GivesTheOldIdentifiers) {
  DecodedMessage m = decodeOk(adtA40());
  EXPECT_EQ(m.citizen_key, kCf);
  auto merges = ofKind(m, kind::kMerge);
  ASSERT_EQ(merges.size(), 1u);
  const Record& r = *merges[0];
  EXPECT_EQ(r.source_id, "ATS_MI-MRG0001");
  EXPECT_EQ(strAt(r.data, "/old_citizen_key"), kOldCf);
  ASSERT_EQ(r.data["old_identifiers"].Size(), 2u);
  EXPECT_EQ(strAt(r.data, "/old_identifiers/0/system"), kCfSystem);
  EXPECT_EQ(strAt(r.data, "/old_identifiers/0/value"), kOldCf);
  EXPECT_EQ(strAt(r.data, "/old_identifiers/1/system"), "http://hl7.it/sid/stp");
  EXPECT_EQ(strAt(r.data, "/old_identifiers/1/value"), kStp);
}

TEST(AtsHl7Merge, MrgIsRequiredAndChecked) {
  EXPECT_EQ(decodeErr(message({msh("ADT^A40^ADT_A39"), pid()})).location, "MRG");
  EXPECT_EQ(decodeErr(message({msh("ADT^A40^ADT_A39"), pid(), seg("MRG", {{1, ""}})})).location, "MRG-1");
  EXPECT_EQ(decodeErr(message({msh("ADT^A40^ADT_A39"), pid(), seg("MRG", {{1, "FRRNNA52T41L219A^^^MEF"}})}))
                .location,
            "MRG-1[1].1");
  // An old local id only: a merge without an old Patient.
  DecodedMessage m = decodeOk(message({msh("ADT^A40^ADT_A39"), pid(), seg("MRG", {{1, "MRN-9^^^NIGUARDA^MR"}})}));
  const Record& r = *ofKind(m, kind::kMerge)[0];
  EXPECT_EQ(at(r.data, "/old_citizen_key"), nullptr);
  EXPECT_EQ(strAt(r.data, "/old_identifiers/0/system"), "urn:raccordo:ats:id:NIGUARDA");
}

// ---------------------------------------------------------------------------
// the adapter as a whole

TEST(AtsHl7Adapter, RegisteredWithItsMediaTypes) {
  AdapterRegistry registry;
  AdapterEnvironment env;
  env.mappings_dir = fs::path(RACCORDO_SOURCE_DIR) / "mappings";
  env.schemas_dir = fs::path(RACCORDO_SOURCE_DIR) / "schemas";
  auto st = registerBuiltinAdapters(registry, env);
  ASSERT_TRUE(st.ok()) << st.error().describe();
  const Adapter* a = registry.find("ats-hl7");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->mediaTypes(),
            (std::vector<std::string>{"x-application/hl7-v2+er7", "application/hl7-v2", "text/plain"}));
}

TEST(AtsHl7Adapter, BrokenTablesStopTheFactoryWithTheFileNamed) {
  testing::TempDir dir;
  for (const auto& e : fs::directory_iterator(kTables)) {
    if (e.path().extension() == ".json") fs::copy_file(e.path(), dir.path() / e.path().filename());
  }
  // Files of another shape in the folder are never read.
  { std::ofstream(dir.path() / "adi-care-type.json") << "[\"not a code table\"]"; }
  EXPECT_TRUE(makeAtsHl7Adapter(dir.path(), kCfSystem).ok());
  { std::ofstream(dir.path() / "patient-class.json") << "{\"table\": \"patient-class\"}"; }
  auto broken = makeAtsHl7Adapter(dir.path(), kCfSystem);
  ASSERT_FALSE(broken.ok());
  EXPECT_EQ(broken.error().code, ErrorCode::kConfig);
  EXPECT_NE(broken.error().location.find("patient-class.json"), std::string::npos);
  fs::remove(dir.path() / "identifier-authorities.json");
  EXPECT_NE(makeAtsHl7Adapter(dir.path(), kCfSystem).error().location.find("identifier-authorities.json"),
            std::string::npos);
}

TEST(AtsHl7Adapter, DecodingIsDeterministicAndThreadSafe) {
  const std::vector<std::string> inputs = {adtA01(), oruR01(), adtA40()};
  std::vector<std::string> expected;
  for (const auto& in : inputs) {
    DecodedMessage m = decodeOk(in);
    std::string all;
    for (const auto& r : m.records) all += r.kind + r.source_id + json::write(r.data);
    expected.push_back(all);
  }
  std::vector<std::thread> threads;
  std::atomic<int> mismatches{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        std::size_t k = static_cast<std::size_t>(i) % inputs.size();
        auto m = adapter().decode(inputs[k], MessageMeta{});
        std::string all;
        if (m.ok()) {
          for (const auto& r : m->records) all += r.kind + r.source_id + json::write(r.data);
        }
        if (all != expected[k]) ++mismatches;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(mismatches.load(), 0);
}

// ---------------------------------------------------------------------------
// times

TEST(AtsHl7Time, RomeOffsetsAcrossSummerTime) {
  ats::TimeConverter tc;
  auto dt = [&](const char* ts) {
    auto r = tc.dateTime(ts, "X");
    return r.ok() ? r.value() : "error: " + r.error().message;
  };
  EXPECT_EQ(dt("20240331015959"), "2024-03-31T01:59:59+01:00");
  EXPECT_EQ(dt("20240331030000"), "2024-03-31T03:00:00+02:00");
  EXPECT_EQ(dt("20241027015959"), "2024-10-27T01:59:59+02:00");
  EXPECT_EQ(dt("20241027030000"), "2024-10-27T03:00:00+01:00");
  EXPECT_EQ(dt("202407161230"), "2024-07-16T12:30:00+02:00");
  EXPECT_EQ(dt("2024071612"), "2024-07-16T12:00:00+02:00");
  EXPECT_EQ(dt("20240716123045.25"), "2024-07-16T12:30:45.25+02:00");
  EXPECT_EQ(dt("20240716123045-0500"), "2024-07-16T12:30:45-05:00");
  EXPECT_EQ(dt("20240716"), "2024-07-16");
  EXPECT_EQ(dt("202407"), "2024-07");
  for (const char* bad : {"2024071", "20240230", "20240716256000", "20240716+0100", "2024-07-16", "20240716123045.",
                          "20240716123045+01"}) {
    auto r = tc.dateTime(bad, "PID-7");
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_EQ(r.error().location, "PID-7");
    }
  }
  auto d = tc.date("19900415083000", "PID-7");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d, "1990-04-15");
}

TEST(AtsHl7Time, EuRuleAgreesWithTheTzDatabase) {
  ats::TimeConverter tc;
  for (int year : {1996, 2009, 2024, 2025, 2030}) {
    for (int month = 1; month <= 12; ++month) {
      for (int day : {1, 24, 25, 26, 27, 28, 29, 30, 31}) {
        if (day > 28 && month == 2) continue;
        if (day == 31 && (month == 4 || month == 6 || month == 9 || month == 11)) continue;
        for (int hour : {0, 1, 2, 3, 12, 23}) {
          EXPECT_EQ(ats::TimeConverter::euRuleRomeOffsetMinutes(year, month, day, hour, 0),
                    tc.romeOffsetMinutes(year, month, day, hour, 0))
              << year << "-" << month << "-" << day << " " << hour;
        }
      }
    }
  }
}

}  // namespace
}  // namespace raccordo
