// The GP part of the synthetic data: the GP record (drawGpClinical) and its
// SINAPSIS-style export (gpExport), which must validate against
// schemas/gp/export.schema.json and decode through gp-export without rejects.

#include <gtest/gtest.h>
#include <rapidjson/schema.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "adapters/gp/gp_export_adapter.h"
#include "gateway/core/json_schema.h"
#include "gateway/identity/codice_fiscale.h"
#include "gateway/synth/synth_gp.h"
#include "tests/support/temp_dir.h"

namespace raccordo::synth::detail {
namespace {

constexpr int kCitizens = 300;

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// Citizens of every age, with valid codici fiscali.
std::vector<AtsCitizen> citizens() {
  static const char* kFamily[] = {"Rossi", "Brambilla", "Colombo", "Ferrari", "Esposito", "Ricci"};
  static const char* kMale[] = {"Giuseppe", "Luca", "Marco", "Giovanni"};
  static const char* kFemale[] = {"Maria", "Giulia", "Anna", "Francesca"};
  std::vector<AtsCitizen> out;
  for (int i = 0; i < kCitizens; ++i) {
    AtsCitizen c;
    c.index = i;
    c.person_id = "P" + padded(static_cast<uint64_t>(i) + 1, 6);
    c.sex = i % 2 == 0 ? 'F' : 'M';
    c.family_name = kFamily[i % 6];
    c.given_name = c.sex == 'F' ? kFemale[i / 2 % 4] : kMale[i / 2 % 4];
    c.birth = kReferenceDay - 200 - (i * 7919 % (95 * 365));  // 0 to 95 years old
    c.birth_place_code = "F205";
    c.municipio = i % 9 + 1;
    const Ymd b = civilFromDays(c.birth);
    identity::CfPerson p{c.family_name, c.given_name, c.sex == 'F' ? identity::Sex::kFemale : identity::Sex::kMale,
                         b.year, b.month, b.day, c.birth_place_code};
    c.codice_fiscale = identity::computeCodiceFiscale(p);
    out.push_back(std::move(c));
  }
  return out;
}

TEST(SynthGp, SameSeedSameBytesOtherSeedOtherBytes) {
  int differing = 0;
  for (const AtsCitizen& c : citizens()) {
    const GpFile a = gpExport(7, c, drawGpClinical(7, c));
    const GpFile b = gpExport(7, c, drawGpClinical(7, c));
    EXPECT_EQ(a.bytes, b.bytes);
    EXPECT_EQ(a.file, c.person_id + "-export.json");
    EXPECT_EQ(a.record_id, b.record_id);
    if (gpExport(8, c, drawGpClinical(8, c)).bytes != a.bytes) ++differing;
  }
  EXPECT_EQ(differing, kCitizens);  // at least the export id tells the seeds apart
}

TEST(SynthGp, ClinicalContentFollowsAge) {
  int old_certification = 0, newer_facts = 0, hypertensive_elderly = 0, elderly = 0, children_with_pls = 0;
  int children = 0, af_with_apixaban = 0, af = 0;
  for (const AtsCitizen& c : citizens()) {
    const GpClinical g = drawGpClinical(42, c);
    ASSERT_TRUE(identity::parseCodiceFiscale(g.gp_codice_fiscale).ok()) << g.gp_codice_fiscale;
    EXPECT_LE(g.certified_day, kReferenceDay);
    if (g.certified_day < kReferenceDay - 183) ++old_certification;
    const int age = ageOn(c.birth, kReferenceDay);
    bool hypertension = false, has_af = false, apixaban = false;
    for (const GpFact& f : g.facts) {
      EXPECT_GE(f.start_day, c.birth) << f.local_id;
      EXPECT_LT(f.start_day, kReferenceDay) << f.local_id;
      EXPECT_EQ(f.in_summary, f.updated_day <= g.certified_day) << f.local_id;
      if (!f.in_summary) ++newer_facts;
      hypertension = hypertension || f.code == "401.9";
      has_af = has_af || f.code == "427.31";
      apixaban = apixaban || f.code == "B01AF02";
    }
    if (age >= 65) {
      ++elderly;
      if (hypertension) ++hypertensive_elderly;
    }
    if (age < 14) {
      ++children;
      if (g.gp_role == "PLS") ++children_with_pls;
    }
    if (has_af) {
      ++af;
      if (apixaban) ++af_with_apixaban;
    }
  }
  EXPECT_GT(old_certification, kCitizens / 5);  // about a third
  EXPECT_LT(old_certification, kCitizens / 2);
  EXPECT_GT(newer_facts, 0);
  EXPECT_GT(hypertensive_elderly, elderly / 3);
  EXPECT_EQ(children_with_pls, children);
  EXPECT_EQ(af_with_apixaban, af);
}

TEST(SynthGp, ExportValidatesAndDecodesWithoutRejects) {
  const std::string source = RACCORDO_SOURCE_DIR;
  json::Doc schema_doc;
  const std::string schema_text = readFile(source + "/schemas/gp/export.schema.json");
  schema_doc.Parse(schema_text.c_str(), schema_text.size());
  ASSERT_FALSE(schema_doc.HasParseError());
  rapidjson::SchemaDocument schema(schema_doc);
  auto adapter = makeGpExportAdapter(testing::sourceTreeAdapterEnvironment());
  ASSERT_TRUE(adapter.ok()) << adapter.error().describe();
  std::size_t records = 0, documents = 0;
  for (const AtsCitizen& c : citizens()) {
    const GpClinical g = drawGpClinical(3, c);
    const GpFile file = gpExport(3, c, g);
    json::Doc doc;
    doc.Parse(file.bytes.c_str(), file.bytes.size());
    ASSERT_FALSE(doc.HasParseError()) << file.file;
    rapidjson::SchemaValidator validator(schema);
    EXPECT_TRUE(doc.Accept(validator)) << file.file << " at " << json::pointerString(validator.GetInvalidDocumentPointer())
                                       << ": " << validator.GetInvalidSchemaKeyword();
    auto decoded = (*adapter)->decode(file.bytes, MessageMeta{});
    ASSERT_TRUE(decoded.ok()) << file.file << ": " << decoded.error().describe();
    for (const auto& e : decoded->rejects) ADD_FAILURE() << file.file << ": " << e.describe();
    EXPECT_EQ(decoded->citizen_key, c.codice_fiscale);
    EXPECT_EQ(decoded->source_message_id, file.record_id);
    records += decoded->records.size();
    for (const auto& r : decoded->records) documents += r.kind == kind::kDocument ? 1 : 0;
  }
  EXPECT_GT(records, static_cast<std::size_t>(kCitizens) * 3);
  EXPECT_GT(documents, 0u);
}

}  // namespace
}  // namespace raccordo::synth::detail
