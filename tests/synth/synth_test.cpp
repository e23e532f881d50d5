#include "gateway/synth/synth.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "gateway/identity/codice_fiscale.h"

namespace raccordo::synth {
namespace {

namespace fs = std::filesystem;
using identity::Sex;

std::vector<SynthCitizen> generate(uint64_t seed, int citizens) {
  SynthOptions options;
  options.seed = seed;
  options.citizens = citizens;
  return generateCitizens(options);
}

rapidjson::Document parse(const std::string& json) {
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseFullPrecisionFlag>(json.c_str());
  return doc;
}

std::string str(const rapidjson::Value& object, const char* key) {
  if (!object.IsObject() || !object.HasMember(key) || !object[key].IsString()) return {};
  return object[key].GetString();
}

std::string readFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

struct Ymd {
  int year = 0;
  int month = 0;
  int day = 0;
};

std::optional<Ymd> parseDate(const std::string& s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
  }
  Ymd d{std::stoi(s.substr(0, 4)), std::stoi(s.substr(5, 2)), std::stoi(s.substr(8, 2))};
  if (d.month < 1 || d.month > 12 || d.day < 1 || d.day > 31) return std::nullopt;
  return d;
}

bool isCadastralCode(const std::string& s) {
  return s.size() == 4 && s[0] >= 'A' && s[0] <= 'Z' &&
         std::all_of(s.begin() + 1, s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Checks a code and its agreement with declared data; returns its normalized form.
std::string checkCode(const std::string& code, const std::string& birthDate, char sex, const std::string& place,
                      const std::string& who) {
  const Result<identity::CfInfo> info = identity::parseCodiceFiscale(code);
  EXPECT_TRUE(info.ok()) << who << " " << code << ": " << (info.ok() ? "" : info.error().describe());
  if (!info.ok()) return code;
  const std::optional<Ymd> d = parseDate(birthDate);
  EXPECT_TRUE(d.has_value()) << who << " birth date " << birthDate;
  if (!d) return info->normalized;
  const Status consistent = identity::checkCfConsistency(*info, d->year, d->month, d->day,
                                                         sex == 'F' ? Sex::kFemale : Sex::kMale, place);
  EXPECT_TRUE(consistent.ok()) << who << " " << code << ": " << (consistent.ok() ? "" : consistent.error().describe());
  return info->normalized;
}

class TempDir {
 public:
  // The process id keeps apart the test processes ctest runs in parallel.
  explicit TempDir(const std::string& name)
      : path_(fs::temp_directory_path() / ("raccordo-synth-test-" + name + "-" + std::to_string(::getpid()))) {
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

std::map<std::string, std::string> readTree(const fs::path& root) {
  std::map<std::string, std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (entry.is_regular_file()) files[fs::relative(entry.path(), root).generic_string()] = readFile(entry.path());
  }
  return files;
}

void expectSameCitizens(const std::vector<SynthCitizen>& a, const std::vector<SynthCitizen>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].person_id, b[i].person_id);
    EXPECT_EQ(a[i].codice_fiscale, b[i].codice_fiscale);
    EXPECT_EQ(a[i].family_name, b[i].family_name);
    EXPECT_EQ(a[i].given_name, b[i].given_name);
    EXPECT_EQ(a[i].sex, b[i].sex);
    EXPECT_EQ(a[i].birth_date, b[i].birth_date);
    EXPECT_EQ(a[i].sisa_citizen_id, b[i].sisa_citizen_id);
    EXPECT_EQ(a[i].sisa_message_id, b[i].sisa_message_id);
    EXPECT_EQ(a[i].sisa_json, b[i].sisa_json);
    EXPECT_EQ(a[i].resource_hint, b[i].resource_hint);
  }
}

TEST(SynthTest, SameSeedGivesSameCitizens) {
  expectSameCitizens(generate(42, 300), generate(42, 300));
}

TEST(SynthTest, KnownFirstCitizenIsStable) {
  // Guards against accidental changes of the stream (PRNG, draw order, tables):
  // if this changes on purpose, update the expectation and say so in the log.
  const std::vector<SynthCitizen> citizens = generate(1, 1);
  ASSERT_EQ(citizens.size(), 1u);
  EXPECT_EQ(citizens[0].person_id, "P000001");
  EXPECT_EQ(citizens[0].sisa_message_id, "SISA-20261101-1-000001");
  EXPECT_EQ(citizens[0].codice_fiscale, "DLVBRN37B06F205Y");
}

TEST(SynthTest, DifferentSeedsGiveDifferentData) {
  const std::vector<SynthCitizen> a = generate(1, 50);
  const std::vector<SynthCitizen> b = generate(2, 50);
  ASSERT_EQ(a.size(), b.size());
  int differentCodes = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].person_id, b[i].person_id);
    EXPECT_NE(a[i].sisa_json, b[i].sisa_json);
    EXPECT_NE(a[i].sisa_message_id, b[i].sisa_message_id);
    if (a[i].codice_fiscale != b[i].codice_fiscale) ++differentCodes;
  }
  EXPECT_GT(differentCodes, 45);
}

TEST(SynthTest, SmallerPopulationIsAPrefix) {
  const std::vector<SynthCitizen> big = generate(7, 400);
  std::vector<SynthCitizen> small = generate(7, 150);
  expectSameCitizens(small, std::vector<SynthCitizen>(big.begin(), big.begin() + 150));
}

TEST(SynthTest, NonPositiveCountGivesEmptyPopulation) {
  EXPECT_TRUE(generate(1, 0).empty());
  EXPECT_TRUE(generate(1, -5).empty());
}

TEST(SynthTest, CodiciFiscaliAreValidConsistentAndUnique) {
  const std::vector<SynthCitizen> citizens = generate(2026, 2000);
  ASSERT_EQ(citizens.size(), 2000u);
  std::set<std::string> normalized;
  std::size_t codes = 0;
  for (const SynthCitizen& c : citizens) {
    const rapidjson::Document doc = parse(c.sisa_json);
    ASSERT_FALSE(doc.HasParseError()) << c.person_id;
    const rapidjson::Value& citizen = doc["citizen"];
    const std::string place = str(citizen["birth_place"], "cadastral_code");
    EXPECT_EQ(str(citizen, "codice_fiscale"), c.codice_fiscale);
    normalized.insert(checkCode(c.codice_fiscale, c.birth_date, c.sex, place, c.person_id));
    ++codes;
    if (!doc.HasMember("household")) continue;
    for (const auto& m : doc["household"]["members"].GetArray()) {
      if (!m.HasMember("codice_fiscale")) continue;
      ASSERT_TRUE(m.HasMember("sex") && m.HasMember("birth_date")) << c.person_id;
      normalized.insert(checkCode(str(m, "codice_fiscale"), str(m, "birth_date"), str(m, "sex")[0], "",
                                  c.person_id + " member"));
      ++codes;
    }
  }
  EXPECT_GT(codes, citizens.size());  // some members have their own code
  EXPECT_EQ(normalized.size(), codes) << "two people share a codice fiscale";
}

TEST(SynthTest, DocumentsFollowTheFormat) {
  const std::vector<SynthCitizen> citizens = generate(99, 2000);
  const std::set<std::string> areas = {"elderly", "disability", "minors_families", "adults_hardship",
                                       "mental_health"};
  const std::set<std::string> caseStatuses = {"active", "suspended", "closed"};
  const std::set<std::string> serviceTypes = {"SAD",         "MEALS",          "TELEALARM", "DAY_CENTRE",
                                              "FNA_B2",      "DOPO_DI_NOI",    "INCOME_SUPPORT", "VOUCHER",
                                              "HOUSING",     "EDUCATIONAL"};
  const std::set<std::string> serviceStatuses = {"planned", "active", "suspended", "ended"};
  const std::set<std::string> fundings = {"municipal", "FNA", "regional", "L112_2016", "national", "ESF",
                                          "user_copayment"};
  const std::set<std::string> relationships = {"spouse",      "partner",     "child",          "parent",    "sibling",
                                               "grandchild",  "grandparent", "other_relative", "cohabitant"};
  const std::set<std::string> contactTypes = {"phone", "mobile", "email", "pec"};
  const std::set<std::string> iseeTypes = {"ordinary", "socio_health", "minors", "university"};
  const std::set<std::string> outcomes = {"eligible", "not_eligible", "reassess"};
  const std::map<std::string, int> instrumentMax = {{"ADL", 6},   {"IADL", 8},  {"BARTHEL", 100},
                                                    {"MMSE", 30}, {"CIRS", 56}, {"SVAMA_SOCIAL", 100}};
  const std::string earliest = "2015-01-01";
  const std::string latest = "2026-11-01";
  auto inWindow = [&](const std::string& date) { return parseDate(date) && date >= earliest && date <= latest; };

  std::set<std::string> messageIds;
  std::set<std::string> citizenIds;
  std::set<std::string> caseIds;
  for (const SynthCitizen& c : citizens) {
    SCOPED_TRACE(c.person_id);
    const rapidjson::Document doc = parse(c.sisa_json);
    ASSERT_FALSE(doc.HasParseError());
    ASSERT_TRUE(doc.IsObject());
    EXPECT_EQ(c.sisa_json.find('\n'), std::string::npos);
    EXPECT_EQ(str(doc, "format"), "raccordo.sisa/1");
    const std::string messageId = str(doc, "message_id");
    EXPECT_EQ(messageId, c.sisa_message_id);
    EXPECT_TRUE(messageIds.insert(messageId).second);
    EXPECT_TRUE(!messageId.empty() && messageId.size() <= 64 &&
                messageId.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-") ==
                    std::string::npos);
    EXPECT_EQ(str(doc, "exported_at").size(), 25u);
    EXPECT_EQ(str(doc["source"], "system"), "SISA");
    EXPECT_GT(c.resource_hint, 0);

    const rapidjson::Value& citizen = doc["citizen"];
    EXPECT_EQ(str(citizen, "id"), c.sisa_citizen_id);
    EXPECT_TRUE(citizenIds.insert(c.sisa_citizen_id).second);
    EXPECT_EQ(str(citizen, "family_name"), c.family_name);
    EXPECT_EQ(str(citizen, "given_name"), c.given_name);
    EXPECT_EQ(str(citizen, "sex"), std::string(1, c.sex));
    EXPECT_TRUE(c.sex == 'M' || c.sex == 'F');
    EXPECT_EQ(str(citizen, "birth_date"), c.birth_date);
    EXPECT_TRUE(parseDate(c.birth_date).has_value());
    EXPECT_LE(c.birth_date, latest);
    EXPECT_TRUE(isCadastralCode(str(citizen["birth_place"], "cadastral_code")));
    if (citizen.HasMember("citizenship")) {
      EXPECT_EQ(str(citizen, "citizenship").size(), 3u);
    }
    ASSERT_TRUE(citizen.HasMember("residence"));
    EXPECT_EQ(str(citizen["residence"], "city"), "Milano");
    EXPECT_EQ(str(citizen["residence"], "cadastral_code"), "F205");
    EXPECT_EQ(str(citizen["residence"], "province"), "MI");
    EXPECT_EQ(str(citizen["residence"], "postal_code").substr(0, 3), "201");
    if (citizen.HasMember("contacts")) {
      for (const auto& contact : citizen["contacts"].GetArray()) {
        EXPECT_TRUE(contactTypes.count(str(contact, "type")));
        EXPECT_FALSE(str(contact, "value").empty());
      }
    }

    if (doc.HasMember("household")) {
      const rapidjson::Value& household = doc["household"];
      EXPECT_FALSE(str(household, "id").empty());
      ASSERT_TRUE(household["members"].IsArray());
      EXPECT_LE(household["members"].Size(), 5u);
      for (const auto& m : household["members"].GetArray()) {
        EXPECT_TRUE(relationships.count(str(m, "relationship")));
        EXPECT_FALSE(str(m, "family_name").empty());
        EXPECT_FALSE(str(m, "given_name").empty());
      }
    }

    ASSERT_TRUE(doc.HasMember("cases"));
    const auto cases = doc["cases"].GetArray();
    EXPECT_GE(cases.Size(), 1u);
    EXPECT_LE(cases.Size(), 3u);
    std::set<std::string> ownCases;
    for (const auto& k : cases) {
      const std::string id = str(k, "id");
      EXPECT_TRUE(caseIds.insert(id).second) << "case id " << id << " reused";
      ownCases.insert(id);
      EXPECT_TRUE(areas.count(str(k, "area")));
      EXPECT_TRUE(caseStatuses.count(str(k, "status")));
      EXPECT_TRUE(inWindow(str(k, "opened")));
      EXPECT_EQ(k.HasMember("closed"), str(k, "status") == "closed");
      if (k.HasMember("closed")) {
        EXPECT_TRUE(inWindow(str(k, "closed")));
        EXPECT_GE(str(k, "closed"), str(k, "opened"));
      }
      const std::string worker = str(k["social_worker"], "id");
      EXPECT_EQ(worker.size(), 6u);
      EXPECT_EQ(worker.substr(0, 2), "AS");
      EXPECT_GE(worker, "AS0001");
      EXPECT_LE(worker, "AS0030");
      EXPECT_EQ(str(k["office"], "code").substr(0, 3), "MUN");
    }
    for (const auto& s : doc["services"].GetArray()) {
      EXPECT_TRUE(ownCases.count(str(s, "case_id"))) << "service " << str(s, "id");
      EXPECT_TRUE(serviceTypes.count(str(s, "type")));
      EXPECT_TRUE(serviceStatuses.count(str(s, "status")));
      EXPECT_TRUE(fundings.count(str(s, "funding")));
      EXPECT_TRUE(inWindow(str(s, "start")));
      if (s.HasMember("end")) {
        EXPECT_TRUE(inWindow(str(s, "end")));
        EXPECT_GE(str(s, "end"), str(s, "start"));
      }
      EXPECT_EQ(s.HasMember("amount_eur"), s.HasMember("amount_period"));
      if (s.HasMember("amount_eur")) {
        EXPECT_GE(s["amount_eur"].GetDouble(), 0.0);
      }
      if (s.HasMember("hours_per_week")) {
        EXPECT_GE(s["hours_per_week"].GetDouble(), 0.0);
      }
      if (str(s, "type") == "DOPO_DI_NOI") {
        EXPECT_EQ(str(s, "funding"), "L112_2016");
      }
      if (str(s, "type") == "FNA_B2") {
        EXPECT_EQ(str(s, "funding"), "FNA");
      }
    }
    if (doc.HasMember("isee")) {
      EXPECT_LE(doc["isee"].Size(), 2u);
      for (const auto& i : doc["isee"].GetArray()) {
        EXPECT_TRUE(iseeTypes.count(str(i, "type")));
        EXPECT_GE(i["value_eur"].GetDouble(), 0.0);
        const std::string issued = str(i, "issued");
        EXPECT_TRUE(inWindow(issued));
        // Valid until 31 December of the year of issue.
        EXPECT_EQ(str(i, "expires"), issued.substr(0, 4) + "-12-31");
      }
    }
    if (doc.HasMember("assessments")) {
      for (const auto& a : doc["assessments"].GetArray()) {
        if (a.HasMember("case_id")) {
          EXPECT_TRUE(ownCases.count(str(a, "case_id"))) << "assessment " << str(a, "id");
        }
        EXPECT_TRUE(inWindow(str(a, "date")));
        EXPECT_FALSE(str(a, "team").empty());
        EXPECT_TRUE(outcomes.count(str(a, "outcome")));
        ASSERT_GE(a["instruments"].Size(), 1u);
        for (const auto& instrument : a["instruments"].GetArray()) {
          const auto max = instrumentMax.find(str(instrument, "code"));
          ASSERT_NE(max, instrumentMax.end());
          EXPECT_GE(instrument["score"].GetInt(), 0);
          EXPECT_LE(instrument["score"].GetInt(), max->second);
        }
        if (a.HasMember("plan")) {
          EXPECT_FALSE(str(a["plan"], "id").empty());
          EXPECT_FALSE(str(a["plan"], "title").empty());
          EXPECT_TRUE(inWindow(str(a["plan"], "review_date")));
        }
      }
    }
  }
}

TEST(SynthTest, PopulationHasTheIntendedMix) {
  const std::vector<SynthCitizen> citizens = generate(5, 2000);
  std::map<std::string, int> areas;
  std::set<std::string> serviceTypes;
  int foreignBorn = 0;
  int withChildren = 0;
  int apostrophes = 0;
  int accents = 0;
  int withAssessment = 0;
  for (const SynthCitizen& c : citizens) {
    const rapidjson::Document doc = parse(c.sisa_json);
    ASSERT_FALSE(doc.HasParseError());
    const std::string area = str(doc["cases"][0], "area");
    ++areas[area];
    const int birthYear = std::stoi(c.birth_date.substr(0, 4));
    if (area == "elderly") {
      EXPECT_LE(birthYear, 1961) << c.person_id;
      EXPECT_GE(birthYear, 1927) << c.person_id;
    }
    if (str(doc["citizen"]["birth_place"], "cadastral_code")[0] == 'Z') ++foreignBorn;
    if (c.family_name.find('\'') != std::string::npos) ++apostrophes;
    if (c.given_name.find("\xC3") != std::string::npos || c.family_name.find("\xC3") != std::string::npos) ++accents;
    for (const auto& s : doc["services"].GetArray()) serviceTypes.insert(str(s, "type"));
    if (doc.HasMember("assessments")) ++withAssessment;
    if (area == "minors_families" && doc.HasMember("household")) {
      bool hasChild = birthYear >= 2009;
      for (const auto& m : doc["household"]["members"].GetArray()) {
        hasChild = hasChild || str(m, "relationship") == "child" || str(m, "relationship") == "sibling";
      }
      if (hasChild) ++withChildren;
    }
  }
  EXPECT_EQ(areas.size(), 5u);
  for (const auto& [area, count] : areas) EXPECT_GT(count, 100) << area;
  EXPECT_EQ(serviceTypes.size(), 10u);
  EXPECT_GT(foreignBorn, 100);  // about 10%
  EXPECT_LT(foreignBorn, 300);
  EXPECT_GT(withChildren, areas["minors_families"] * 9 / 10 * 8 / 10);
  EXPECT_GT(apostrophes, 0);
  EXPECT_GT(accents, 0);
  EXPECT_GT(withAssessment, 400);
}

TEST(SynthTest, WriteSynthIsReproducibleAndMatchesTheCitizens) {
  TempDir first("repro-a");
  TempDir second("repro-b");
  SynthOptions options;
  options.seed = 314;
  options.citizens = 120;
  const Status a = writeSynth(options, first.path());
  ASSERT_TRUE(a.ok()) << a.error().describe();
  const Status b = writeSynth(options, second.path());
  ASSERT_TRUE(b.ok()) << b.error().describe();

  const std::map<std::string, std::string> filesA = readTree(first.path());
  const std::map<std::string, std::string> filesB = readTree(second.path());
  const auto sisaFiles = std::count_if(filesA.begin(), filesA.end(),
                                       [](const auto& f) { return f.first.starts_with("sisa/"); });
  const auto atsFiles = std::count_if(filesA.begin(), filesA.end(),
                                      [](const auto& f) { return f.first.starts_with("ats/"); });
  const auto gpFiles = std::count_if(filesA.begin(), filesA.end(),
                                     [](const auto& f) { return f.first.starts_with("gp/"); });
  EXPECT_EQ(sisaFiles, 120);
  EXPECT_GT(atsFiles, 120);  // an ADT^A28 per citizen, more messages and the CSV flows
  EXPECT_GE(gpFiles, 240);   // a Patient Summary and a record export per citizen, some other documents
  EXPECT_EQ(filesA.size(), static_cast<std::size_t>(sisaFiles + atsFiles + gpFiles + 1));
  EXPECT_TRUE(filesA == filesB) << "same options wrote different bytes";

  // One sisa row per citizen, in order, each before that citizen's ats rows.
  const std::vector<SynthCitizen> citizens = generateCitizens(options);
  ASSERT_EQ(citizens.size(), 120u);
  std::istringstream truth(filesA.at("truth.csv"));
  std::string line;
  ASSERT_TRUE(std::getline(truth, line));
  EXPECT_EQ(line, "person_id,source,record_file,record_id,codice_fiscale");
  std::size_t rows = 0;
  std::string lastPerson;
  while (std::getline(truth, line)) {
    const std::string person = line.substr(0, line.find(','));
    if (line.find(",sisa,") == std::string::npos) {
      EXPECT_EQ(person, lastPerson) << line;
      continue;
    }
    ASSERT_LT(rows, citizens.size());
    const SynthCitizen& c = citizens[rows];
    EXPECT_EQ(line, c.person_id + ",sisa,sisa/" + c.person_id + ".json," + c.sisa_citizen_id + "," +
                        c.codice_fiscale);
    lastPerson = person;
    ++rows;
  }
  EXPECT_EQ(rows, citizens.size());

  for (const SynthCitizen& c : citizens) {
    const auto file = filesA.find("sisa/" + c.person_id + ".json");
    ASSERT_NE(file, filesA.end()) << c.person_id;
    const std::string& pretty = file->second;
    ASSERT_FALSE(pretty.empty());
    EXPECT_EQ(pretty.back(), '\n');
    EXPECT_EQ(pretty.substr(0, 24), "{\n  \"format\": \"raccordo.");
    // Same content as the compact document, key order included.
    const rapidjson::Document doc = parse(pretty);
    ASSERT_FALSE(doc.HasParseError()) << c.person_id;
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    doc.Accept(writer);
    EXPECT_EQ(std::string(buffer.GetString(), buffer.GetSize()), c.sisa_json) << c.person_id;
  }
}

TEST(SynthTest, WriteSynthOverwritesItsOwnFiles) {
  TempDir dir("overwrite");
  SynthOptions options;
  options.citizens = 10;
  ASSERT_TRUE(writeSynth(options, dir.path()).ok());
  const auto before = readTree(dir.path());
  ASSERT_TRUE(writeSynth(options, dir.path()).ok());
  EXPECT_TRUE(readTree(dir.path()) == before);
  options.citizens = 12;  // a bigger population over a smaller one is fine
  ASSERT_TRUE(writeSynth(options, dir.path()).ok());
}

TEST(SynthTest, WriteSynthRefusesStaleRecords) {
  TempDir dir("stale");
  SynthOptions options;
  options.citizens = 12;
  ASSERT_TRUE(writeSynth(options, dir.path()).ok());
  options.citizens = 10;
  const Status s = writeSynth(options, dir.path());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kConflict);
  EXPECT_NE(s.error().message.find("P000011.json"), std::string::npos) << s.error().message;
}

TEST(SynthTest, WriteSynthReportsUnusableDirectory) {
  TempDir dir("blocked");
  fs::create_directories(dir.path());
  const fs::path blocker = dir.path() / "not-a-dir";
  std::ofstream(blocker) << "x";
  SynthOptions options;
  options.citizens = 3;
  const Status s = writeSynth(options, blocker);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find(blocker.string()), std::string::npos) << s.error().message;
}

TEST(SynthTest, WriteSynthRejectsNegativeCount) {
  TempDir dir("negative");
  SynthOptions options;
  options.citizens = -1;
  const Status s = writeSynth(options, dir.path());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kInvalidInput);
  EXPECT_FALSE(fs::exists(dir.path()));
}

TEST(SynthTest, WriteSynthWithNoCitizensWritesOnlyTheHeader) {
  TempDir dir("empty");
  SynthOptions options;
  options.citizens = 0;
  ASSERT_TRUE(writeSynth(options, dir.path()).ok());
  EXPECT_EQ(readFile(dir.path() / "truth.csv"), "person_id,source,record_file,record_id,codice_fiscale\n");
  EXPECT_TRUE(fs::is_directory(dir.path() / "sisa"));
  EXPECT_TRUE(fs::is_directory(dir.path() / "ats"));
  EXPECT_TRUE(fs::is_empty(dir.path() / "ats"));  // no CSV flow without rows
}

}  // namespace
}  // namespace raccordo::synth
