// The ATS part of `raccordo synth`: HL7 v2.5 messages in ats/*.hl7, the CSV
// flows in ats/<flow>.csv, and their rows in truth.csv.

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/document.h>

#include "adapters/ats/hl7/hl7.h"
#include "gateway/identity/codice_fiscale.h"
#include "gateway/synth/synth.h"

namespace raccordo::synth {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kBom = "\xEF\xBB\xBF";
constexpr int kCitizens = 400;

std::string readFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::map<std::string, std::string> readTree(const fs::path& root) {
  std::map<std::string, std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (entry.is_regular_file()) files[fs::relative(entry.path(), root).generic_string()] = readFile(entry.path());
  }
  return files;
}

class TempDir {
 public:
  explicit TempDir(const std::string& name)
      // The process id keeps apart the test processes ctest runs in parallel.
      : path_(fs::temp_directory_path() /
              ("raccordo-synth-ats-test-" + name + "-" + std::to_string(::getpid()))) {
    fs::remove_all(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

using Rows = std::vector<std::vector<std::string>>;

/// RFC 4180 reading: quoted fields, doubled quotes, CRLF or LF.
Rows parseCsv(std::string_view text, char delimiter) {
  Rows rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c != '"') field += c;
      else if (i + 1 < text.size() && text[i + 1] == '"') field += '"', ++i;
      else quoted = false;
    } else if (c == '"') {
      quoted = true;
    } else if (c == delimiter) {
      row.push_back(std::move(field));
      field.clear();
    } else if (c == '\n') {
      if (!field.empty() && field.back() == '\r') field.pop_back();
      row.push_back(std::move(field));
      field.clear();
      rows.push_back(std::move(row));
      row.clear();
    } else {
      field += c;
    }
  }
  if (!field.empty() || !row.empty()) {
    row.push_back(std::move(field));
    rows.push_back(std::move(row));
  }
  return rows;
}

std::string join(const std::vector<std::string>& parts, char delimiter) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += delimiter;
    out += parts[i];
  }
  return out;
}

struct TruthRow {
  std::string person_id;
  std::string source;
  std::string file;
  std::string record_id;
  std::string codice_fiscale;
};

std::vector<TruthRow> parseTruth(const std::string& text) {
  std::vector<TruthRow> out;
  const Rows rows = parseCsv(text, ',');
  for (std::size_t i = 1; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i].size(), 5u) << "truth.csv row " << i + 1;
    if (rows[i].size() != 5) continue;
    out.push_back({rows[i][0], rows[i][1], rows[i][2], rows[i][3], rows[i][4]});
  }
  return out;
}

/// What the SISA document says about a citizen.
struct SisaFacts {
  std::string family_name, given_name, sex, birth_date, birth_place, residence_line, postal_code, area;
  bool has_fna_b2 = false;
};

std::string str(const rapidjson::Value& object, const char* key) {
  if (!object.IsObject() || !object.HasMember(key) || !object[key].IsString()) return {};
  return object[key].GetString();
}

SisaFacts sisaFacts(const std::string& json) {
  rapidjson::Document doc;
  doc.Parse(json.c_str());
  SisaFacts f;
  if (doc.HasParseError()) return f;
  const rapidjson::Value& c = doc["citizen"];
  f.family_name = str(c, "family_name");
  f.given_name = str(c, "given_name");
  f.sex = str(c, "sex");
  f.birth_date = str(c, "birth_date");
  f.birth_place = str(c["birth_place"], "cadastral_code");
  f.residence_line = str(c["residence"], "line");
  f.postal_code = str(c["residence"], "postal_code");
  f.area = str(doc["cases"][0], "area");
  for (const auto& s : doc["services"].GetArray()) f.has_fna_b2 = f.has_fna_b2 || str(s, "type") == "FNA_B2";
  return f;
}

/// Full years on the export day 2026-11-01 of someone born on an ISO date.
int ageOnExportDay(const std::string& birthDate) {
  const int y = std::stoi(birthDate.substr(0, 4));
  const std::string monthDay = birthDate.substr(5);
  return 2026 - y - (monthDay > "11-01" ? 1 : 0);
}

void expectValidCode(const std::string& code, const SisaFacts& f, const std::string& where) {
  const Result<identity::CfInfo> info = identity::parseCodiceFiscale(code);
  ASSERT_TRUE(info.ok()) << where << ": " << code << ": " << info.error().describe();
  const Status consistent = identity::checkCfConsistency(
      *info, std::stoi(f.birth_date.substr(0, 4)), std::stoi(f.birth_date.substr(5, 2)),
      std::stoi(f.birth_date.substr(8, 2)), f.sex == "F" ? identity::Sex::kFemale : identity::Sex::kMale,
      f.birth_place);
  EXPECT_TRUE(consistent.ok()) << where << ": " << code << ": " << consistent.error().describe();
}

/// One population written once for the whole suite.
class AtsSynthTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir("suite");
    SynthOptions options;
    options.seed = 11;
    options.citizens = kCitizens;
    const Status s = writeSynth(options, dir_->path());
    // An ASSERT here would only mark the tests skipped: SetUp reports it.
    if (!s.ok()) {
      setup_error_ = new std::string(s.error().describe());
      return;
    }
    files_ = new std::map<std::string, std::string>(readTree(dir_->path()));
    truth_ = new std::vector<TruthRow>(parseTruth(files_->at("truth.csv")));
    facts_ = new std::map<std::string, SisaFacts>();
    for (const auto& [name, content] : *files_) {
      if (name.starts_with("sisa/")) (*facts_)[name.substr(5, 7)] = sisaFacts(content);
    }
  }
  static void TearDownTestSuite() {
    delete setup_error_;
    delete facts_;
    delete truth_;
    delete files_;
    delete dir_;
  }

  void SetUp() override { ASSERT_EQ(setup_error_, nullptr) << "writeSynth failed: " << *setup_error_; }

  static std::vector<const TruthRow*> truthFor(const std::string& file) {
    std::vector<const TruthRow*> out;
    for (const TruthRow& r : *truth_) {
      if (r.file == file) out.push_back(&r);
    }
    return out;
  }

  static const std::string& csv(const std::string& name) {
    static const std::string kNone;
    const auto it = files_->find("ats/" + name);
    return it == files_->end() ? kNone : it->second;
  }

  static TempDir* dir_;
  static std::string* setup_error_;
  static std::map<std::string, std::string>* files_;
  static std::vector<TruthRow>* truth_;
  static std::map<std::string, SisaFacts>* facts_;
};

TempDir* AtsSynthTest::dir_ = nullptr;
std::string* AtsSynthTest::setup_error_ = nullptr;
std::map<std::string, std::string>* AtsSynthTest::files_ = nullptr;
std::vector<TruthRow>* AtsSynthTest::truth_ = nullptr;
std::map<std::string, SisaFacts>* AtsSynthTest::facts_ = nullptr;

TEST_F(AtsSynthTest, EveryMessageParsesAndNamesItsCitizen) {
  const std::regex fileName(R"(ats/(P\d{6})-\d{2}-(ADT_A28|ADT_A01|ADT_A03|ORU_R01)\.hl7)");
  std::set<std::string> controlIds;
  std::set<std::string> exportTimes;
  std::map<std::string, int> byType;
  std::set<std::string> personsWithStay;
  std::set<std::string> personsWithLab;
  std::map<std::string, std::string> admissionFile;  // visit number -> A01 file
  int adt = 0;
  int latin1 = 0;
  int latin1WithAccents = 0;
  for (const auto& [name, bytes] : *files_) {
    if (!name.ends_with(".hl7")) continue;
    SCOPED_TRACE(name);
    std::smatch m;
    ASSERT_TRUE(std::regex_match(name, m, fileName));
    const std::string person = m[1];
    std::string type = m[2];
    type[3] = '^';

    const std::vector<const TruthRow*> rows = truthFor(name);
    ASSERT_EQ(rows.size(), 1u) << "each message has one truth row";
    const TruthRow& truth = *rows.front();
    EXPECT_EQ(truth.person_id, person);
    EXPECT_EQ(truth.source, "ats");
    ASSERT_TRUE(facts_->count(person));
    const SisaFacts& sisa = facts_->at(person);

    ASSERT_FALSE(bytes.empty());
    EXPECT_EQ(bytes.back(), '\r');
    EXPECT_EQ(bytes.find('\n'), std::string::npos);
    Result<hl7::Message> parsed = hl7::parse(bytes);
    ASSERT_TRUE(parsed.ok()) << parsed.error().describe();
    const hl7::Message& msg = *parsed;
    EXPECT_EQ(msg.messageType(), type);
    EXPECT_EQ(msg.version(), "2.5");
    EXPECT_EQ(msg.receivingApplication(), "RACCORDO");
    EXPECT_TRUE(controlIds.insert(msg.controlId()).second) << "control id " << msg.controlId() << " reused";
    EXPECT_LE(msg.controlId().size(), 20u);  // HL7 v2.5 ST length of MSH-10

    const std::string charset = msg.get("MSH-18");
    if (type.starts_with("ADT")) ++adt;
    if (charset == "8859/1") {
      EXPECT_TRUE(type.starts_with("ADT"));
      ++latin1;
      if (std::any_of(bytes.begin(), bytes.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; })) {
        ++latin1WithAccents;
        EXPECT_NE(hl7::findInvalidUtf8(bytes), std::string::npos) << "8859/1 file written as UTF-8";
      }
    } else {
      EXPECT_EQ(charset, "UNICODE UTF-8");
      EXPECT_EQ(hl7::findInvalidUtf8(bytes), std::string::npos);
    }

    // PID-3: codice fiscale (MEF OID) and the Lombardy regional id.
    EXPECT_EQ(msg.get("PID-3[1].1"), truth.codice_fiscale);
    EXPECT_EQ(msg.get("PID-3[1].4.1"), "MEF");
    EXPECT_EQ(msg.get("PID-3[1].4.2"), "2.16.840.1.113883.2.9.4.3.2");
    EXPECT_EQ(msg.get("PID-3[1].4.3"), "ISO");
    EXPECT_EQ(msg.get("PID-3[1].5"), "NNITA");
    EXPECT_TRUE(std::regex_match(msg.get("PID-3[2].1"), std::regex(R"(\d{10})")));
    EXPECT_EQ(msg.get("PID-3[2].4.1"), "SISS");
    EXPECT_EQ(msg.get("PID-3[2].4.2"), "2.16.840.1.113883.2.9.2.30.4.1");
    EXPECT_EQ(msg.get("PID-3[2].5"), "PI");
    expectValidCode(msg.get("PID-3[1].1"), sisa, name);

    // The same person and residence as in SISA (decoded from the declared charset).
    EXPECT_EQ(msg.get("PID-5.1"), sisa.family_name);
    EXPECT_EQ(msg.get("PID-5.2"), sisa.given_name);
    EXPECT_EQ(msg.get("PID-7"), sisa.birth_date.substr(0, 4) + sisa.birth_date.substr(5, 2) +
                                    sisa.birth_date.substr(8, 2));
    EXPECT_EQ(msg.get("PID-8"), sisa.sex);
    EXPECT_EQ(msg.get("PID-11.1"), sisa.residence_line);
    EXPECT_EQ(msg.get("PID-11.3"), "Milano");
    EXPECT_EQ(msg.get("PID-11.5"), sisa.postal_code);
    EXPECT_EQ(msg.get("PID-11.9"), "F205");
    EXPECT_EQ(msg.get("PID-23"), sisa.birth_place);

    // Timestamps are real times (no hour 24), without offset, not in the
    // 02:00-03:00 hour a daylight-saving change makes missing or ambiguous.
    const std::regex timestamp(R"(20\d{6}([01]\d|2[0-3])[0-5]\d[0-5]\d)");
    for (const char* path : {"MSH-7", "EVN-2", "EVN-6", "PV1-44", "PV1-45", "OBR-7", "OBR-22"}) {
      const std::string value = msg.get(path);
      if (value.empty()) continue;
      EXPECT_TRUE(std::regex_match(value, timestamp)) << path << " " << value;
      EXPECT_NE(value.substr(8, 2), "02") << path << " " << value;
    }

    ++byType[type];
    if (type == "ADT^A28") {
      EXPECT_EQ(msg.sendingApplication(), "ATS_ANAGRAFE");
      EXPECT_EQ(msg.sendingFacility(), "ATS_MILANO");
      exportTimes.insert(msg.get("MSH-7"));
      EXPECT_EQ(truth.record_id, msg.get("PID-3[2].1"));
      const std::string gp = msg.get("PD1-4.1");
      EXPECT_TRUE(std::regex_match(gp, std::regex(R"((MMG|PLS)\d{4})"))) << gp;
      EXPECT_EQ(gp.starts_with("PLS"), ageOnExportDay(sisa.birth_date) < 14);
      EXPECT_FALSE(msg.get("PD1-4.2").empty());
    } else if (type == "ADT^A01" || type == "ADT^A03") {
      personsWithStay.insert(person);
      const std::string facility = msg.sendingFacility();
      EXPECT_TRUE(facility.starts_with("ASST_") || facility.starts_with("IRCCS_")) << facility;
      EXPECT_EQ(msg.get("PV1-3.4"), facility);
      EXPECT_EQ(msg.get("PV1-2"), "I");
      const std::string visit = msg.get("PV1-19.1");
      EXPECT_EQ(truth.record_id, visit);
      const std::string admit = msg.get("PV1-44");
      EXPECT_EQ(admit.size(), 14u);
      EXPECT_GE(admit, "20240101000000");
      if (type == "ADT^A01") {
        EXPECT_TRUE(msg.get("PV1-45").empty());
        EXPECT_TRUE(admissionFile.emplace(visit, name).second) << "visit " << visit << " admitted twice";
      } else {
        const std::string discharge = msg.get("PV1-45");
        EXPECT_GT(discharge, admit);
        EXPECT_LE(discharge, "20261101000000");
        ASSERT_TRUE(admissionFile.count(visit)) << "discharge without admission " << visit;
        EXPECT_LT(admissionFile[visit], name) << "sending in name order must admit before discharging";
        EXPECT_EQ(admissionFile[visit].substr(4, 7), person);
      }
    } else {
      personsWithLab.insert(person);
      EXPECT_EQ(msg.segments("OBR").size(), 1u);
      EXPECT_EQ(truth.record_id, msg.get("OBR-3.1"));
      EXPECT_EQ(msg.get("OBR-4.3"), "LN");
      EXPECT_EQ(msg.get("OBR-25"), "F");
      const auto obx = msg.segments("OBX");
      EXPECT_GE(obx.size(), 2u);
      EXPECT_LE(obx.size(), 4u);
      for (const hl7::Segment* o : obx) {
        EXPECT_EQ(o->get(2), "NM");
        EXPECT_EQ(o->get(3, 1, 3), "LN");
        EXPECT_EQ(o->get(11), "F");
        EXPECT_FALSE(o->get(6, 1, 1).empty());
        const double value = std::stod(o->get(5));
        const std::string range = o->get(7);
        const std::string flag = o->get(8);
        ASSERT_FALSE(range.empty()) << o->line();
        std::string expected;
        if (range[0] == '<') {
          expected = value > std::stod(range.substr(1)) ? "H" : "";
        } else if (range[0] == '>') {
          expected = value < std::stod(range.substr(1)) ? "L" : "";
        } else {
          const std::size_t dash = range.find('-');
          ASSERT_NE(dash, std::string::npos) << range;
          expected = value < std::stod(range.substr(0, dash)) ? "L" : value > std::stod(range.substr(dash + 1)) ? "H" : "";
        }
        EXPECT_EQ(flag, expected) << o->line();
      }
    }
  }
  EXPECT_EQ(byType["ADT^A28"], kCitizens);
  EXPECT_EQ(exportTimes.size(), 1u) << "every A28 carries the run's export time";
  EXPECT_EQ(byType["ADT^A01"], byType["ADT^A03"]);
  EXPECT_EQ(static_cast<std::size_t>(byType["ADT^A01"]), admissionFile.size());
  // About 30% with a hospital stay, 20% with a lab report, 5% of ADT in 8859/1.
  EXPECT_GT(personsWithStay.size(), kCitizens * 20 / 100u);
  EXPECT_LT(personsWithStay.size(), kCitizens * 40 / 100u);
  EXPECT_GT(personsWithLab.size(), kCitizens * 12 / 100u);
  EXPECT_LT(personsWithLab.size(), kCitizens * 28 / 100u);
  EXPECT_GT(latin1, adt * 2 / 100);
  EXPECT_LT(latin1, adt * 9 / 100);
  EXPECT_GT(latin1WithAccents, 0) << "the ISO-8859-1 path needs an accented name";
}

TEST_F(AtsSynthTest, AdiActivationsFollowTheirLayout) {
  const std::string& text = csv("adi-activations.csv");
  ASSERT_TRUE(text.starts_with(kBom)) << "UTF-8 with BOM";
  for (std::size_t i = text.find('\n'); i != std::string::npos; i = text.find('\n', i + 1)) {
    ASSERT_TRUE(i > 0 && text[i - 1] == '\r') << "CRLF line endings, byte " << i;
  }
  EXPECT_EQ(hl7::findInvalidUtf8(text), std::string::npos);
  const Rows rows = parseCsv(std::string_view(text).substr(kBom.size()), ';');
  ASSERT_GT(rows.size(), 1u);
  EXPECT_EQ(join(rows[0], ';'),
            "id_attivazione;codice_fiscale;data_attivazione;data_chiusura;tipo_cure;stato;erogatore;erogatore_nome;"
            "accessi_settimana");
  const std::set<std::string> care = {"ADI_BASE", "ADI_INTEGRATA", "CDOM", "UCP_DOM"};
  const std::regex date(R"(\d{2}/\d{2}/\d{4})");
  std::set<std::string> persons;
  int elderly = 0;
  const std::vector<const TruthRow*> truth = truthFor("ats/adi-activations.csv");
  ASSERT_EQ(truth.size(), rows.size() - 1);
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const std::vector<std::string>& r = rows[i];
    SCOPED_TRACE("row " + std::to_string(i + 1));
    ASSERT_EQ(r.size(), 9u);
    EXPECT_EQ(truth[i - 1]->record_id, r[0]);
    EXPECT_EQ(truth[i - 1]->codice_fiscale, r[1]);
    const SisaFacts& sisa = facts_->at(truth[i - 1]->person_id);
    expectValidCode(r[1], sisa, "adi row");
    EXPECT_TRUE(std::regex_match(r[2], date)) << r[2];
    EXPECT_TRUE(care.count(r[4])) << r[4];
    EXPECT_TRUE(r[5] == "ATTIVA" || r[5] == "SOSPESA" || r[5] == "CHIUSA") << r[5];
    EXPECT_EQ(r[5] == "CHIUSA", !r[3].empty());
    if (!r[3].empty()) {
      EXPECT_TRUE(std::regex_match(r[3], date)) << r[3];
    }
    EXPECT_TRUE(std::regex_match(r[6], std::regex(R"(030\d{3})"))) << r[6];
    if (!r[8].empty()) {
      EXPECT_TRUE(std::regex_match(r[8], std::regex(R"(\d{1,2})"))) << r[8];
    }
    if (persons.insert(r[1]).second && sisa.area == "elderly") ++elderly;
  }
  EXPECT_GT(persons.size(), kCitizens * 8 / 100u);
  EXPECT_LT(persons.size(), kCitizens * 22 / 100u);
  EXPECT_GT(elderly * 100, static_cast<int>(persons.size()) * 60) << "home care is mostly for the elderly";
}

TEST_F(AtsSynthTest, FnaB1FollowsItsLayout) {
  const std::string& text = csv("fna-b1.csv");
  ASSERT_FALSE(text.empty());
  EXPECT_FALSE(text.starts_with(kBom));
  EXPECT_EQ(text.find('\r'), std::string::npos) << "LF line endings";
  const std::string utf8 = hl7::latin1ToUtf8(text);  // ISO-8859-1
  const Rows rows = parseCsv(utf8, ',');
  ASSERT_GT(rows.size(), 1u);
  EXPECT_EQ(join(rows[0], ','),
            "id_domanda,codice_fiscale,data_decorrenza,data_cessazione,condizione,esito,importo_mensile,isee");
  // Decimal commas inside a comma-separated file: both amounts are quoted.
  std::istringstream lines(text);
  std::string line;
  std::getline(lines, line);
  while (std::getline(lines, line)) {
    EXPECT_TRUE(std::regex_search(line, std::regex(R"(,"\d+,\d{2}","\d+,\d{2}"$)"))) << line;
  }
  const std::vector<const TruthRow*> truth = truthFor("ats/fna-b1.csv");
  ASSERT_EQ(truth.size(), rows.size() - 1);
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const std::vector<std::string>& r = rows[i];
    SCOPED_TRACE("row " + std::to_string(i + 1));
    ASSERT_EQ(r.size(), 8u);
    EXPECT_EQ(truth[i - 1]->record_id, r[0]);
    EXPECT_EQ(truth[i - 1]->codice_fiscale, r[1]);
    const SisaFacts& sisa = facts_->at(truth[i - 1]->person_id);
    expectValidCode(r[1], sisa, "fna row");
    EXPECT_TRUE(std::regex_match(r[2], std::regex(R"(\d{2}/\d{2}/\d{4})"))) << r[2];
    EXPECT_TRUE(r[4].size() == 1 && r[4][0] >= 'A' && r[4][0] <= 'I') << r[4];
    EXPECT_TRUE(r[5] == "AMMESSO" || r[5] == "SOSPESO" || r[5] == "CESSATO") << r[5];
    EXPECT_EQ(r[5] == "CESSATO", !r[3].empty());
    // Very severe disability: the oldest elderly, or the disability-type profiles; never with FNA B2.
    const int age = ageOnExportDay(sisa.birth_date);
    EXPECT_TRUE((sisa.area == "elderly" && age >= 75) || sisa.area == "disability" || sisa.area == "mental_health" ||
                (sisa.area == "minors_families" && age < 18))
        << sisa.area << " " << age;
    EXPECT_FALSE(sisa.has_fna_b2);
  }
  EXPECT_GT(rows.size() - 1, kCitizens * 2 / 100u);
  EXPECT_LT(rows.size() - 1, kCitizens * 9 / 100u);
}

TEST_F(AtsSynthTest, TicketExemptionsFollowTheirLayout) {
  const std::string& text = csv("ticket-exemptions.csv");
  ASSERT_FALSE(text.empty());
  EXPECT_FALSE(text.starts_with(kBom));
  EXPECT_EQ(text.find('\r'), std::string::npos);
  EXPECT_EQ(hl7::findInvalidUtf8(text), std::string::npos);
  const Rows rows = parseCsv(text, ';');
  ASSERT_GT(rows.size(), 1u);
  EXPECT_EQ(join(rows[0], ';'), "codice_fiscale;codice_esenzione;data_inizio;data_fine;ente");
  const std::set<std::string> codes = {"E01", "E02", "E03", "E04", "048", "013"};
  const std::regex date(R"(\d{4}-\d{2}-\d{2})");
  std::map<std::string, int> perPerson;
  std::set<std::string> ids;
  const std::vector<const TruthRow*> truth = truthFor("ats/ticket-exemptions.csv");
  ASSERT_EQ(truth.size(), rows.size() - 1);
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const std::vector<std::string>& r = rows[i];
    SCOPED_TRACE("row " + std::to_string(i + 1));
    ASSERT_EQ(r.size(), 5u);
    const SisaFacts& sisa = facts_->at(truth[i - 1]->person_id);
    expectValidCode(r[0], sisa, "exemption row");
    EXPECT_EQ(truth[i - 1]->codice_fiscale, r[0]);
    EXPECT_EQ(truth[i - 1]->record_id, r[0] + "-" + r[1] + "-" + r[2]);
    EXPECT_TRUE(ids.insert(truth[i - 1]->record_id).second);
    EXPECT_TRUE(codes.count(r[1])) << r[1];
    EXPECT_TRUE(std::regex_match(r[2], date)) << r[2];
    EXPECT_GE(r[2], "2015-01-01");
    EXPECT_LE(r[2], "2026-11-01");
    if (!r[3].empty()) {
      EXPECT_TRUE(std::regex_match(r[3], date)) << r[3];
      EXPECT_GT(r[3], r[2]);
    }
    EXPECT_TRUE(r[4].empty() || r[4].starts_with("ASST_")) << r[4];
    const int age = ageOnExportDay(sisa.birth_date);
    if (r[1] == "E01") {
      EXPECT_TRUE(age < 6 || age >= 65) << age;
    }
    if (r[1] == "E03") {
      EXPECT_GE(age, 67);
    }
    if (r[1] == "E04") {
      EXPECT_GE(age, 60);
    }
    if (r[1] == "E02") {
      EXPECT_TRUE(age >= 18 && age < 65) << age;
    }
    ++perPerson[r[0]];
  }
  for (const auto& [code, count] : perPerson) EXPECT_LE(count, 2) << code;
  EXPECT_GT(perPerson.size(), kCitizens * 30 / 100u);
  EXPECT_LT(perPerson.size(), kCitizens * 50 / 100u);
}

TEST_F(AtsSynthTest, TruthCoversEveryAtsFile) {
  std::set<std::string> named;
  for (const TruthRow& r : *truth_) {
    ASSERT_TRUE(r.source == "sisa" || r.source == "ats" || r.source == "gp") << r.source;
    EXPECT_TRUE(files_->count(r.file)) << r.file << " is in truth.csv but was not written";
    EXPECT_TRUE(facts_->count(r.person_id)) << r.person_id;
    EXPECT_FALSE(r.record_id.empty()) << r.file;
    named.insert(r.file);
  }
  for (const auto& [name, bytes] : *files_) {
    if (name.starts_with("ats/")) {
      EXPECT_TRUE(named.count(name)) << name << " has no truth.csv row";
    }
  }
}

TEST(AtsSynthWriteTest, SameSeedSameBytesAndSmallerPopulationIsAPrefix) {
  TempDir big("prefix-big");
  TempDir again("prefix-again");
  TempDir small("prefix-small");
  SynthOptions options;
  options.seed = 3;
  options.citizens = 80;
  ASSERT_TRUE(writeSynth(options, big.path()).ok());
  ASSERT_TRUE(writeSynth(options, again.path()).ok());
  options.citizens = 30;
  ASSERT_TRUE(writeSynth(options, small.path()).ok());
  const auto bigFiles = readTree(big.path());
  EXPECT_TRUE(bigFiles == readTree(again.path())) << "same options wrote different bytes";
  for (const auto& [name, bytes] : readTree(small.path())) {
    ASSERT_TRUE(bigFiles.count(name)) << name;
    if (name.ends_with(".csv")) {
      EXPECT_TRUE(bigFiles.at(name).starts_with(bytes)) << name << " is not a prefix";
    } else {
      EXPECT_EQ(bigFiles.at(name), bytes) << name;
    }
  }
}

TEST(AtsSynthWriteTest, DifferentSeedsGiveDifferentMessages) {
  TempDir a("seed-a");
  TempDir b("seed-b");
  SynthOptions options;
  options.citizens = 5;
  options.seed = 1;
  ASSERT_TRUE(writeSynth(options, a.path()).ok());
  options.seed = 2;
  ASSERT_TRUE(writeSynth(options, b.path()).ok());
  const std::string first = readFile(a.path() / "ats" / "P000001-01-ADT_A28.hl7");
  ASSERT_FALSE(first.empty());
  EXPECT_NE(first, readFile(b.path() / "ats" / "P000001-01-ADT_A28.hl7"));
}

TEST(AtsSynthWriteTest, RefusesLeftoverMessages) {
  TempDir dir("leftover");
  SynthOptions options;
  options.citizens = 5;
  ASSERT_TRUE(writeSynth(options, dir.path()).ok());
  ASSERT_TRUE(writeSynth(options, dir.path()).ok()) << "its own files are overwritten";
  std::ofstream(dir.path() / "ats" / "P000042-01-ADT_A28.hl7") << "MSH|";
  const Status s = writeSynth(options, dir.path());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kConflict);
  EXPECT_NE(s.error().message.find("P000042-01-ADT_A28.hl7"), std::string::npos) << s.error().message;
}

TEST(AtsSynthWriteTest, RefusesLeftoverGpFilesAndNamesEveryGpFileInTruth) {
  TempDir dir("leftover-gp");
  SynthOptions options;
  options.citizens = 5;
  ASSERT_TRUE(writeSynth(options, dir.path()).ok());
  const std::string truth = readFile(dir.path() / "truth.csv");
  int gp_files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.path() / "gp")) {
    ++gp_files;
    EXPECT_NE(truth.find(",gp,gp/" + e.path().filename().string() + ","), std::string::npos) << e.path();
  }
  EXPECT_GE(gp_files, 10) << "a Patient Summary and an export per citizen";
  EXPECT_FALSE(readFile(dir.path() / "gp" / "P000001-01-PSS.xml").empty());
  std::ofstream(dir.path() / "gp" / "P000042-export.json") << "{}";
  const Status s = writeSynth(options, dir.path());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kConflict);
  EXPECT_NE(s.error().message.find("P000042-export.json"), std::string::npos) << s.error().message;
}

}  // namespace
}  // namespace raccordo::synth
