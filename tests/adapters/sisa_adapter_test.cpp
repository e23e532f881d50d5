#include "adapters/sisa/sisa_adapter.h"

#include <gtest/gtest.h>
#include <rapidjson/pointer.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "adapters/builtin.h"
#include "gateway/core/json.h"
#include "tests/support/temp_dir.h"

namespace raccordo {
namespace {

namespace fs = std::filesystem;

const fs::path kSourceDir = RACCORDO_SOURCE_DIR;
const fs::path kExamples = kSourceDir / "schemas" / "sisa" / "examples";

std::string readFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<fs::path> jsonFilesIn(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.is_regular_file() && e.path().extension() == ".json") out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

class SisaAdapterTest : public ::testing::Test {
 protected:
  static AdapterRegistry& registry() { return testing::builtinAdaptersForTest(); }

  const Adapter& sisa() {
    const Adapter* a = registry().find("sisa");
    EXPECT_NE(a, nullptr);
    return *a;
  }

  Result<DecodedMessage> decode(const std::string& bytes) {
    MessageMeta meta{1, "sisa", "test", "application/json"};
    return sisa().decode(bytes, meta);
  }

};


TEST_F(SisaAdapterTest, IsRegisteredWithItsMediaType) {
  ASSERT_NE(registry().find("sisa"), nullptr);
  EXPECT_EQ(sisa().name(), "sisa");
  EXPECT_EQ(sisa().mediaTypes(), std::vector<std::string>({"application/json"}));
  auto names = registry().names();
  EXPECT_NE(std::find(names.begin(), names.end(), "sisa"), names.end());
  // Registering twice is refused.
  AdapterEnvironment env = testing::sourceTreeAdapterEnvironment();
  EXPECT_FALSE(registerBuiltinAdapters(registry(), env).ok());
}

TEST(SisaAdapterSetupTest, MissingFoldersAreConfigErrorsNamingThePath) {
  AdapterEnvironment env;
  env.mappings_dir = kSourceDir / "mappings";
  env.schemas_dir = fs::temp_directory_path() / "raccordo-no-such-schemas";
  auto a = makeSisaAdapter(env);
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.error().code, ErrorCode::kConfig);
  EXPECT_NE(a.error().location.find("sisa-record.schema.json"), std::string::npos);

  env.schemas_dir = kSourceDir / "schemas";
  env.mappings_dir = fs::temp_directory_path() / "raccordo-no-such-mappings";
  auto b = makeSisaAdapter(env);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().code, ErrorCode::kConfig);
}

// ---------------------------------------------------------------------------
// Valid examples

std::vector<std::string> expectedKinds(const json::Doc& d) {
  std::vector<std::string> kinds = {kind::kPerson};
  if (d.HasMember("household")) kinds.push_back(kind::kHousehold);
  auto add = [&](const char* member, const char* k) {
    if (const json::Value* a = json::get(d, member)) {
      for (rapidjson::SizeType i = 0; i < a->Size(); ++i) kinds.push_back(k);
    }
  };
  add("cases", kind::kCase);
  add("services", kind::kService);
  add("isee", kind::kIncome);
  add("assessments", kind::kAssessment);
  return kinds;
}

TEST_F(SisaAdapterTest, EveryValidExampleDecodes) {
  auto files = jsonFilesIn(kExamples);
  ASSERT_GE(files.size(), 5u);
  for (const auto& f : files) {
    SCOPED_TRACE(f.filename().string());
    std::string text = readFile(f);
    json::Doc d;
    d.Parse(text.c_str(), text.size());
    ASSERT_FALSE(d.HasParseError());
    std::string cf = upper(std::string(json::getStr(d["citizen"], "codice_fiscale")));

    auto env = sisa().inspect(text);
    ASSERT_TRUE(env.ok()) << env.error().describe();
    EXPECT_EQ(env->citizen_key, cf);
    EXPECT_EQ(env->source_message_id, json::getStr(d, "message_id"));

    auto m = decode(text);
    ASSERT_TRUE(m.ok()) << m.error().describe();
    EXPECT_EQ(m->source, "sisa");
    EXPECT_EQ(m->citizen_key, cf);
    EXPECT_EQ(m->source_message_id, json::getStr(d, "message_id"));
    EXPECT_EQ(m->sent_at, json::getStr(d, "exported_at"));
    std::vector<std::string> kinds;
    for (const auto& r : m->records) {
      kinds.push_back(r.kind);
      EXPECT_TRUE(r.data.IsObject());
      EXPECT_FALSE(r.source_id.empty()) << r.kind;
    }
    EXPECT_EQ(kinds, expectedKinds(d));
  }
}

TEST_F(SisaAdapterTest, ElderlyExampleRecordsCarryTranslatedCodes) {
  auto m = decode(readFile(kExamples / "02-elderly-home-care.json"));
  ASSERT_TRUE(m.ok()) << m.error().describe();
  std::map<std::string, std::vector<const Record*>> by_kind;
  for (const auto& r : m->records) by_kind[r.kind].push_back(&r);
  ASSERT_EQ(by_kind[kind::kPerson].size(), 1u);
  ASSERT_EQ(by_kind[kind::kHousehold].size(), 1u);
  ASSERT_EQ(by_kind[kind::kCase].size(), 1u);
  ASSERT_EQ(by_kind[kind::kService].size(), 4u);
  ASSERT_EQ(by_kind[kind::kIncome].size(), 1u);
  ASSERT_EQ(by_kind[kind::kAssessment].size(), 1u);

  const Record& person = *by_kind[kind::kPerson][0];
  EXPECT_EQ(person.source_id, "C000123");
  EXPECT_EQ(json::getStr(person.data, "gender"), "female");
  EXPECT_EQ(json::getStr(person.data, "birth_date"), "1938-07-04");
  EXPECT_EQ(json::getStr(person.data["birth_place"], "code"), "A794");
  const json::Value& ids = person.data["identifiers"];
  ASSERT_EQ(ids.Size(), 2u);
  EXPECT_EQ(json::getStr(ids[0], "system"), "http://hl7.it/sid/codiceFiscale");
  EXPECT_EQ(json::getStr(ids[0], "value"), "CLMGPP38L44A794V");
  EXPECT_EQ(json::getStr(ids[1], "system"), "urn:raccordo:sisa:citizen");
  EXPECT_EQ(json::getStr(ids[1], "value"), "C000123");
  const json::Value& telecom = person.data["telecom"];
  ASSERT_EQ(telecom.Size(), 2u);
  EXPECT_EQ(json::getStr(telecom[0], "system"), "phone");
  EXPECT_EQ(json::getStr(telecom[0], "use"), "home");
  EXPECT_EQ(json::getStr(telecom[1], "use"), "mobile");

  const Record& hh = *by_kind[kind::kHousehold][0];
  EXPECT_EQ(hh.source_id, "H000045");
  ASSERT_EQ(hh.data["members"].Size(), 2u);
  EXPECT_EQ(json::getStr(hh.data["members"][0]["relationship"], "code"), "SPS");
  EXPECT_EQ(json::getStr(hh.data["members"][1]["relationship"], "code"), "ROOM");

  const Record& c = *by_kind[kind::kCase][0];
  EXPECT_EQ(c.source_id, "K0001");
  EXPECT_EQ(json::getStr(c.data, "status"), "active");
  EXPECT_EQ(json::getStr(c.data["area"], "system"), "urn:raccordo:cs:care-area");
  EXPECT_EQ(json::getStr(c.data["area"], "code"), "elderly");

  const Record& sad = *by_kind[kind::kService][0];
  EXPECT_EQ(sad.source_id, "S0001");
  EXPECT_EQ(json::getStr(sad.data, "case_id"), "K0001");
  EXPECT_EQ(json::getStr(sad.data["type"], "code"), "SAD");
  EXPECT_EQ(json::getStr(sad.data, "status"), "in-progress");
  EXPECT_DOUBLE_EQ(sad.data["hours_per_week"].GetDouble(), 6);

  const Record& isee = *by_kind[kind::kIncome][0];
  EXPECT_EQ(isee.source_id, "socio_health|2026-01-22");
  EXPECT_DOUBLE_EQ(isee.data["value_eur"].GetDouble(), 14872.35);

  const Record& uvm = *by_kind[kind::kAssessment][0];
  ASSERT_EQ(uvm.data["instruments"].Size(), 3u);
  EXPECT_EQ(json::getStr(uvm.data["instruments"][2]["coding"], "code"), "MMSE");
  EXPECT_DOUBLE_EQ(uvm.data["instruments"][2]["score"].GetDouble(), 22.5);
  EXPECT_EQ(uvm.data["instruments"][2]["max"].GetInt(), 30);
  EXPECT_EQ(json::getStr(uvm.data["outcome"], "code"), "eligible");
}

TEST_F(SisaAdapterTest, CustomCfSystemIsUsed) {
  AdapterEnvironment env = testing::sourceTreeAdapterEnvironment();
  env.cf_system = "urn:oid:2.16.840.1.113883.2.9.4.3.2";
  auto a = makeSisaAdapter(env);
  ASSERT_TRUE(a.ok());
  auto m = (*a)->decode(readFile(kExamples / "01-minimal-citizen.json"), MessageMeta{});
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(json::getStr(m->records[0].data["identifiers"][0], "system"), "urn:oid:2.16.840.1.113883.2.9.4.3.2");
}

// ---------------------------------------------------------------------------
// Invalid examples

// Every file under invalid/ (found at start-up, so a new file is tested too).
std::vector<std::string> invalidExampleNames() {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(kExamples / "invalid", ec)) {
    if (e.path().extension() == ".json") out.push_back(e.path().filename().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

class SisaInvalidExampleTest : public SisaAdapterTest, public ::testing::WithParamInterface<std::string> {};

TEST_P(SisaInvalidExampleTest, FailsWithALocation) {
  auto m = decode(readFile(kExamples / "invalid" / GetParam()));
  ASSERT_FALSE(m.ok());
  EXPECT_TRUE(m.error().code == ErrorCode::kInvalidInput || m.error().code == ErrorCode::kUnknownCode)
      << errorCodeName(m.error().code);
  EXPECT_FALSE(m.error().location.empty());
  EXPECT_EQ(m.error().location.rfind('/', 0), 0u) << m.error().location;
  EXPECT_FALSE(m.error().message.empty());
}

std::string fileTestName(const ::testing::TestParamInfo<std::string>& info) {
  std::string n;
  for (char c : info.param.substr(0, info.param.rfind('.'))) {
    n.push_back(std::isalnum(static_cast<unsigned char>(c)) ? c : '_');
  }
  return n;
}

INSTANTIATE_TEST_SUITE_P(Files, SisaInvalidExampleTest, ::testing::ValuesIn(invalidExampleNames()), fileTestName);

TEST_F(SisaAdapterTest, InvalidExamplesAreThere) { EXPECT_GE(invalidExampleNames().size(), 6u); }

TEST_F(SisaAdapterTest, InvalidExamplesNameTheRightPlace) {
  struct Expect {
    const char* file;
    const char* location;
    const char* in_message;
  };
  for (const Expect& e : {
           Expect{"missing-codice-fiscale.json", "/citizen/codice_fiscale", "codice_fiscale"},
           Expect{"hours-per-week-string.json", "/services/0/hours_per_week", "number"},
           Expect{"unknown-property.json", "/citizen/telephone", "telephone"},
           Expect{"unknown-service-type.json", "/services/0/type", "ADI"},
           Expect{"bad-birth-date.json", "/citizen/birth_date", "pattern"},
           Expect{"amount-without-period.json", "/services/0/amount_period", "amount_period"},
       }) {
    SCOPED_TRACE(e.file);
    auto m = decode(readFile(kExamples / "invalid" / e.file));
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.error().code, ErrorCode::kInvalidInput);
    EXPECT_EQ(m.error().location, e.location);
    EXPECT_NE(m.error().message.find(e.in_message), std::string::npos) << m.error().message;
  }
}

// Each schema "pattern" is enforced (bad-birth-date.json is one of them).
TEST_F(SisaAdapterTest, SchemaPatternsAreEnforced) {
  struct Case {
    const char* pointer;
    const char* value;
  };
  for (const Case& c : {Case{"/citizen/birth_date", "22/03/1990"}, Case{"/exported_at", "2026-11-20T10:15:00"},
                        Case{"/citizen/birth_place/cadastral_code", "a794"}, Case{"/message_id", "has spaces"},
                        Case{"/citizen/citizenship", "it"}, Case{"/citizen/residence/postal_code", "2013A"},
                        Case{"/citizen/residence/province", "mi"}, Case{"/citizen/codice_fiscale", "CLMGPP38L44A79-V"}}) {
    SCOPED_TRACE(c.pointer);
    std::string text = readFile(kExamples / "02-elderly-home-care.json");
    json::Doc d;
    d.Parse(text.c_str(), text.size());
    rapidjson::Pointer(c.pointer).Set(d, json::str(c.value, d.GetAllocator()));
    auto m = decode(json::write(d));
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.error().location, c.pointer);
    EXPECT_NE(m.error().message.find("pattern"), std::string::npos) << m.error().message;
  }
  auto bad = decode(readFile(kExamples / "invalid" / "bad-birth-date.json"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().location, "/citizen/birth_date");
}

// ---------------------------------------------------------------------------
// Table-driven edits of a valid example

json::Doc example02() {
  static const std::string text = readFile(kExamples / "02-elderly-home-care.json");
  json::Doc d;
  d.Parse(text.c_str(), text.size());
  return d;
}

using Edit = std::function<void(json::Doc&)>;

struct BadCase {
  const char* name;
  Edit edit;
  ErrorCode code;
  const char* location;
  const char* in_message;  // "" for no check
};

json::Value& at(json::Doc& d, const char* pointer) {
  json::Value* v = rapidjson::Pointer(pointer).Get(d);
  if (v == nullptr) throw std::runtime_error(std::string("test pointer not found: ") + pointer);
  return *v;
}

void setString(json::Doc& d, const char* pointer, const char* value) {
  rapidjson::Pointer(pointer).Set(d, json::str(value, d.GetAllocator()));
}

std::vector<BadCase> badCases() {
  return {
      {"MissingCodiceFiscale", [](json::Doc& d) { at(d, "/citizen").RemoveMember("codice_fiscale"); },
       ErrorCode::kInvalidInput, "/citizen/codice_fiscale", "codice_fiscale"},
      {"BadCheckCharacter", [](json::Doc& d) { setString(d, "/citizen/codice_fiscale", "CLMGPP38L44A794A"); },
       ErrorCode::kInvalidInput, "/citizen/codice_fiscale", "check character"},
      {"CodiceFiscaleWrongShape", [](json::Doc& d) { setString(d, "/citizen/codice_fiscale", "CLMGPP38L44A794"); },
       ErrorCode::kInvalidInput, "/citizen/codice_fiscale", ""},
      {"MemberBadCheckCharacter",
       [](json::Doc& d) { setString(d, "/household/members/1/codice_fiscale", "HMNMGR72H54Z611D"); },
       ErrorCode::kInvalidInput, "/household/members/1/codice_fiscale", "check character"},
      {"WrongType", [](json::Doc& d) { setString(d, "/services/0/hours_per_week", "6"); }, ErrorCode::kInvalidInput,
       "/services/0/hours_per_week", "number"},
      {"NumberOutOfSchemaRange", [](json::Doc& d) { at(d, "/services/0/hours_per_week").SetInt(169); },
       ErrorCode::kInvalidInput, "/services/0/hours_per_week", "maximum"},
      {"UnknownFieldInCitizen",
       [](json::Doc& d) { at(d, "/citizen").AddMember("telephone", "+39 02", d.GetAllocator()); },
       ErrorCode::kInvalidInput, "/citizen/telephone", "telephone"},
      {"UnknownFieldInService",
       [](json::Doc& d) { at(d, "/services/2").AddMember("iban", "IT00", d.GetAllocator()); },
       ErrorCode::kInvalidInput, "/services/2/iban", "iban"},
      {"UnknownTopLevelField", [](json::Doc& d) { d.AddMember("extra", true, d.GetAllocator()); },
       ErrorCode::kInvalidInput, "/extra", "extra"},
      {"ServiceCaseIdNotACase", [](json::Doc& d) { setString(d, "/services/3/case_id", "K9999"); },
       ErrorCode::kInvalidInput, "/services/3/case_id", "case"},
      {"AssessmentCaseIdNotACase", [](json::Doc& d) { setString(d, "/assessments/0/case_id", "K0002"); },
       ErrorCode::kInvalidInput, "/assessments/0/case_id", "case"},
      {"InstrumentScoreOutOfRange", [](json::Doc& d) { at(d, "/assessments/0/instruments/0/score").SetInt(7); },
       ErrorCode::kInvalidInput, "/assessments/0/instruments/0/score", "ADL"},
      {"InstrumentScoreOutOfRangeLater",
       [](json::Doc& d) { at(d, "/assessments/0/instruments/2/score").SetDouble(30.5); }, ErrorCode::kInvalidInput,
       "/assessments/0/instruments/2/score", "0..30"},
      {"ContactsOverMaxItems",
       [](json::Doc& d) {
         json::Value& contacts = at(d, "/citizen/contacts");
         while (contacts.Size() <= 10) contacts.PushBack(json::Value(contacts[0], d.GetAllocator()), d.GetAllocator());
       },
       ErrorCode::kInvalidInput, "/citizen/contacts", "maxItems"},
      {"InstrumentsUnderMinItems", [](json::Doc& d) { at(d, "/assessments/0/instruments").Clear(); },
       ErrorCode::kInvalidInput, "/assessments/0/instruments", "minItems"},
      {"EnumValue", [](json::Doc& d) { setString(d, "/citizen/sex", "X"); }, ErrorCode::kInvalidInput,
       "/citizen/sex", "must be one of"},
      {"MissingTopLevelRequired", [](json::Doc& d) { d.RemoveMember("format"); }, ErrorCode::kInvalidInput,
       "/format", "format"},
      {"WrongFormatVersion", [](json::Doc& d) { setString(d, "/format", "raccordo.sisa/2"); },
       ErrorCode::kInvalidInput, "/format", ""},
      {"AmountWithoutPeriod", [](json::Doc& d) { at(d, "/services/2").RemoveMember("amount_period"); },
       ErrorCode::kInvalidInput, "/services/2/amount_period", "amount_period"},
      {"EmptyString", [](json::Doc& d) { setString(d, "/citizen/given_name", ""); }, ErrorCode::kInvalidInput,
       "/citizen/given_name", "minLength"},
      {"NullValue", [](json::Doc& d) { at(d, "/citizen/citizenship").SetNull(); }, ErrorCode::kInvalidInput,
       "/citizen/citizenship", ""},
  };
}

void PrintTo(const BadCase& c, std::ostream* os) { *os << c.name; }

class SisaBadInputTest : public SisaAdapterTest, public ::testing::WithParamInterface<BadCase> {};

TEST_P(SisaBadInputTest, FailsAtTheRightLocation) {
  const BadCase& c = GetParam();
  json::Doc d = example02();
  c.edit(d);
  std::string bytes = json::write(d);
  auto m = decode(bytes);
  ASSERT_FALSE(m.ok()) << bytes;
  EXPECT_EQ(m.error().code, c.code) << errorCodeName(m.error().code) << ": " << m.error().describe();
  EXPECT_EQ(m.error().location, c.location) << m.error().describe();
  if (*c.in_message != '\0') {
    EXPECT_NE(m.error().message.find(c.in_message), std::string::npos) << m.error().message;
  }
}

INSTANTIATE_TEST_SUITE_P(Edits, SisaBadInputTest, ::testing::ValuesIn(badCases()),
                         [](const ::testing::TestParamInfo<BadCase>& info) { return std::string(info.param.name); });

TEST_F(SisaAdapterTest, TheUneditedBaseIsValid) {
  // Guards the table above: its failures come from the edits alone.
  auto m = decode(json::write(example02()));
  ASSERT_TRUE(m.ok()) << m.error().describe();
}

TEST_F(SisaAdapterTest, LowerCaseCodiceFiscaleIsUpperCased) {
  json::Doc d = example02();
  setString(d, "/citizen/codice_fiscale", "clmgpp38l44a794v");
  std::string bytes = json::write(d);
  auto env = sisa().inspect(bytes);
  ASSERT_TRUE(env.ok());
  EXPECT_EQ(env->citizen_key, "CLMGPP38L44A794V");
  auto m = decode(bytes);
  ASSERT_TRUE(m.ok()) << m.error().describe();
  EXPECT_EQ(m->citizen_key, "CLMGPP38L44A794V");
}

TEST_F(SisaAdapterTest, NotJson) {
  for (const char* bytes : {"", "{", "not json", "{\"a\": 1,}", "{\"a\" 1}"}) {
    SCOPED_TRACE(bytes);
    auto env = sisa().inspect(bytes);
    ASSERT_FALSE(env.ok());
    EXPECT_EQ(env.error().code, ErrorCode::kInvalidInput);
    EXPECT_EQ(env.error().location.rfind("offset ", 0), 0u) << env.error().location;
    EXPECT_NE(env.error().message.find("not valid JSON"), std::string::npos);
    auto m = decode(bytes);
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.error().location.rfind("offset ", 0), 0u);
  }
}

TEST_F(SisaAdapterTest, TopLevelMustBeAnObject) {
  for (const char* bytes : {"[]", "42", "\"text\"", "null"}) {
    SCOPED_TRACE(bytes);
    auto env = sisa().inspect(bytes);
    ASSERT_FALSE(env.ok());
    EXPECT_EQ(env.error().location, "/");
    auto m = decode(bytes);
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.error().location, "/");
  }
}

TEST_F(SisaAdapterTest, InspectIsCheapAndLenient) {
  // The envelope look does not validate: a schema-invalid document still
  // gives its keys (the full check comes at decode, in the worker).
  auto env = sisa().inspect(R"({"message_id": "M1", "citizen": {"codice_fiscale": "abc"}})");
  ASSERT_TRUE(env.ok());
  EXPECT_EQ(env->citizen_key, "ABC");
  EXPECT_EQ(env->source_message_id, "M1");
  auto none = sisa().inspect("{}");
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->citizen_key, "");
  EXPECT_EQ(none->source_message_id, "");
}

TEST_F(SisaAdapterTest, ImpossibleCalendarDateIsRejected) {
  json::Doc d = example02();
  setString(d, "/citizen/birth_date", "1938-02-31");
  auto m = decode(json::write(d));
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().code, ErrorCode::kInvalidInput);
  EXPECT_EQ(m.error().location, "/citizen/birth_date");
  // Anywhere in the document.
  for (const char* pointer : {"/services/1/start", "/household/members/0/birth_date", "/isee/0/expires",
                              "/assessments/0/plan/review_date"}) {
    json::Doc e = example02();
    setString(e, pointer, "2026-02-29");  // 2026 is not a leap year
    auto r = decode(json::write(e));
    ASSERT_FALSE(r.ok()) << pointer;
    EXPECT_EQ(r.error().location, pointer);
  }
  // A real leap day is fine.
  json::Doc leap = example02();
  setString(leap, "/services/1/start", "2024-02-29");
  EXPECT_TRUE(decode(json::write(leap)).ok());
}

}  // namespace
}  // namespace raccordo
