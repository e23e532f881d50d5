// gp-export: bad input. A bad header refuses the message with the JSON path
// at fault; a bad item is a reject with its path and the rest is applied.

#include "tests/adapters/gp/gp_export_support.h"

namespace raccordo {
namespace {

using namespace gp_export_test;

class GpExportErrorsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    adapter_ = makeAdapter();
    ASSERT_NE(adapter_, nullptr);
  }
  /// Decodes input that must fail as a whole.
  Error refused(const std::string& bytes) {
    auto decoded = adapter_->decode(bytes, MessageMeta{});
    EXPECT_FALSE(decoded.ok());
    if (decoded.ok()) return Error{};
    EXPECT_FALSE(decoded.error().message.empty());
    return decoded.error();
  }
  /// Decodes input with exactly one bad item: returns its reject.
  Error rejected(const std::string& bytes, std::size_t expected_records) {
    auto decoded = adapter_->decode(bytes, MessageMeta{});
    EXPECT_TRUE(decoded.ok()) << decoded.error().describe();
    if (!decoded.ok()) return Error{};
    EXPECT_EQ(decoded->records.size(), expected_records);
    EXPECT_EQ(decoded->rejects.size(), 1u);
    return decoded->rejects.empty() ? Error{} : decoded->rejects.front();
  }
  AdapterPtr adapter_;
};

constexpr std::size_t kFullRecords = 19;

TEST_F(GpExportErrorsTest, NotJson) {
  auto env = adapter_->inspect("{\"export_id\": ");
  ASSERT_FALSE(env.ok());
  EXPECT_EQ(env.error().code, ErrorCode::kInvalidInput);
  EXPECT_EQ(env.error().location.rfind("offset ", 0), 0u);
  Error e = refused("<ClinicalDocument/>");
  EXPECT_EQ(e.code, ErrorCode::kInvalidInput);
  EXPECT_EQ(e.location, "offset 0");
  EXPECT_EQ(refused("[1, 2]").location, "/");
}

TEST_F(GpExportErrorsTest, HeaderSchemaViolationsNameTheField) {
  Error unknown = refused(example("invalid/unknown-field.json"));
  EXPECT_EQ(unknown.code, ErrorCode::kInvalidInput);
  EXPECT_EQ(unknown.location, "/gp/telephone");
  EXPECT_EQ(unknown.message, "unknown field 'telephone'");
  Error missing = refused(edited("full.json", {{"/patient/birth_date", ""}}));
  EXPECT_EQ(missing.location, "/patient/birth_date");
  EXPECT_EQ(missing.message, "required field 'birth_date' is missing");
  Error kind = refused(edited("full.json", {{"/kind", "\"partial\""}}));
  EXPECT_EQ(kind.location, "/kind");
  EXPECT_NE(kind.message.find("must be one of"), std::string::npos) << kind.message;
  EXPECT_EQ(refused(edited("full.json", {{"/gp/asl_code", "\"32\""}})).location, "/gp/asl_code");
  EXPECT_EQ(refused(edited("full.json", {{"/certified_at", "\"2026-02-30T10:00:00+01:00\""}})).location,
            "/certified_at");
  EXPECT_EQ(refused(edited("full.json", {{"/problems", "{}"}})).location, "/problems");
}

TEST_F(GpExportErrorsTest, BadCheckCharacter) {
  Error e = refused(example("invalid/bad-check-character.json"));
  EXPECT_EQ(e.code, ErrorCode::kInvalidInput);
  EXPECT_EQ(e.location, "/patient/codice_fiscale");
  EXPECT_NE(e.message.find("check character"), std::string::npos) << e.message;
  EXPECT_EQ(refused(edited("full.json", {{"/gp/codice_fiscale", "\"CLMMRC68P02F205X\""}})).location,
            "/gp/codice_fiscale");
}

TEST_F(GpExportErrorsTest, FullAndDeltaRules) {
  EXPECT_EQ(refused(example("invalid/delta-without-since.json")).location, "/since");
  EXPECT_EQ(refused(edited("full.json", {{"/deleted", R"([{"list": "visits", "id": "VI-602"}])"}})).location,
            "/deleted");
  EXPECT_EQ(refused(edited("full.json", {{"/since", "\"2026-10-01T00:00:00+02:00\""}})).location, "/since");
}

TEST_F(GpExportErrorsTest, ItemSchemaViolationIsARejectWithItsPath) {
  Error e = rejected(edited("full.json", {{"/problems/1/icd9cm", "\"25O.00\""}}), kFullRecords - 1);
  EXPECT_EQ(e.code, ErrorCode::kInvalidInput);
  EXPECT_EQ(e.location, "/problems/1/icd9cm");
  EXPECT_NE(e.message.find("pattern"), std::string::npos) << e.message;
  EXPECT_EQ(rejected(edited("full.json", {{"/therapies/2/colour", "\"red\""}}), kFullRecords - 1).location,
            "/therapies/2/colour");
  EXPECT_EQ(rejected(edited("full.json", {{"/allergies/0/status", ""}}), kFullRecords - 1).location,
            "/allergies/0/status");
  EXPECT_EQ(rejected(edited("full.json", {{"/visits/1", "42"}}), kFullRecords - 1).location, "/visits/1");
  EXPECT_EQ(rejected(edited("full.json", {{"/vaccinations/0/date", "\"2025-13-01\""}}), kFullRecords - 1).location,
            "/vaccinations/0/date");
}

TEST_F(GpExportErrorsTest, UnknownCodeIsARejectAtTheCode) {
  Error e = rejected(edited("full.json", {{"/vital_signs/1/loinc", "\"1234-5\""}}), kFullRecords - 1);
  EXPECT_EQ(e.code, ErrorCode::kUnknownCode);
  EXPECT_EQ(e.location, "/vital_signs/1/loinc");
  Error report = rejected(edited("full.json", {{"/reports/0/type_loinc", "\"99999-9\""}}), kFullRecords - 1);
  EXPECT_EQ(report.code, ErrorCode::kUnknownCode);
  EXPECT_EQ(report.location, "/reports/0/type_loinc");
  Error component = rejected(edited("full.json", {{"/vital_signs/0/components/1/loinc", "\"8867-4\""}}),
                             kFullRecords - 1);
  EXPECT_EQ(component.code, ErrorCode::kUnknownCode);
  EXPECT_EQ(component.location, "/vital_signs/0/components/1/loinc");
}

TEST_F(GpExportErrorsTest, RulesBeyondTheSchema) {
  EXPECT_EQ(rejected(edited("full.json", {{"/vital_signs/1/unit", "\"lb\""}}), kFullRecords - 1).location,
            "/vital_signs/1/unit");
  EXPECT_EQ(rejected(edited("full.json", {{"/vital_signs/1/value", "685"}}), kFullRecords - 1).location,
            "/vital_signs/1/value");
  EXPECT_EQ(rejected(edited("full.json", {{"/vital_signs/1/value", ""}}), kFullRecords - 1).location,
            "/vital_signs/1/value");
  EXPECT_EQ(rejected(edited("full.json", {{"/vital_signs/0/value", "120"}}), kFullRecords - 1).location,
            "/vital_signs/0/value");
  EXPECT_EQ(rejected(edited("full.json", {{"/therapies/1/atc", ""}}), kFullRecords - 1).location,
            "/therapies/1/atc");
  EXPECT_EQ(rejected(edited("full.json", {{"/therapies/3/end", "\"2010-01-01\""}}), kFullRecords - 1).location,
            "/therapies/3/end");
  EXPECT_EQ(
      rejected(edited("full.json", {{"/reports/1/author/codice_fiscale", "\"GLLNDR72E21B157A\""}}), kFullRecords - 1)
          .location,
      "/reports/1/author/codice_fiscale");
}

TEST_F(GpExportErrorsTest, DeletionsOfFactsNeedTheirKey) {
  Error code = rejected(edited("delta.json", {{"/deleted/1/code", ""}}), 5);
  EXPECT_EQ(code.location, "/deleted/1/code");
  Error date = rejected(edited("delta.json", {{"/deleted/1/date", ""}}), 5);
  EXPECT_EQ(date.location, "/deleted/1/date");
  Error system = rejected(edited("delta.json", {{"/deleted/1/code/system", "\"ICD10\""}}), 5);
  EXPECT_EQ(system.location, "/deleted/1/code/system");
}

TEST_F(GpExportErrorsTest, RepeatedIdIsARejectOfTheSecond) {
  Error e = rejected(edited("full.json", {{"/problems/3/id", "\"PB-1001\""}}), kFullRecords - 1);
  EXPECT_EQ(e.location, "/problems/3/id");
  EXPECT_NE(e.message.find("/problems/0"), std::string::npos) << e.message;
}

TEST_F(GpExportErrorsTest, AttachmentsMustBeBase64AndSmall) {
  Error bad = rejected(edited("full.json", {{"/reports/0/attachments/0/data", "\"not base64!\""}}),
                       kFullRecords - 1);
  EXPECT_EQ(bad.location, "/reports/0/attachments/0/data");
  EXPECT_NE(bad.message.find("Base64"), std::string::npos);
  const std::string huge(2796208, 'A');  // 2 MiB + 3 bytes of Base64
  Error big = rejected(edited("full.json", {{"/reports/1/attachments/0/data", "\"" + huge + "\""}}),
                       kFullRecords - 1);
  EXPECT_EQ(big.location, "/reports/1/attachments/0/data");
  EXPECT_NE(big.message.find("maxLength"), std::string::npos) << big.message;
}

TEST_F(GpExportErrorsTest, ABadItemAmongGoodOnesLeavesTheOthersApplied) {
  auto decoded = adapter_->decode(edited("full.json", {{"/allergies/0/category", "\"pollini\""},
                                                       {"/therapies/1/status", "\"attiva\""}}),
                                  MessageMeta{});
  ASSERT_TRUE(decoded.ok()) << decoded.error().describe();
  ASSERT_EQ(decoded->rejects.size(), 2u);
  EXPECT_EQ(decoded->rejects[0].location, "/allergies/0/category");
  EXPECT_EQ(decoded->rejects[1].location, "/therapies/1/status");
  EXPECT_EQ(decoded->records.size(), kFullRecords - 2);
  EXPECT_TRUE(ofKind(*decoded, kind::kAllergy).empty());
  EXPECT_EQ(ofKind(*decoded, kind::kMedication).size(), 3u);
}

TEST_F(GpExportErrorsTest, EveryItemBadRefusesTheMessage) {
  Error e = refused(edited("delta.json", {{"/therapies/0/status", "\"boh\""},
                                          {"/vaccinations", "[]"},
                                          {"/deleted/1", ""},
                                          {"/deleted/0/list", "\"reports\""}}));
  EXPECT_EQ(e.location, "/therapies/0/status");
  EXPECT_NE(e.message.find("no item can be applied"), std::string::npos) << e.message;
}

TEST_F(GpExportErrorsTest, TheInvalidExamplesAreRefused) {
  for (const char* name : {"bad-check-character.json", "delta-without-since.json", "unknown-field.json"}) {
    auto decoded = adapter_->decode(example(std::string("invalid/") + name), MessageMeta{});
    EXPECT_FALSE(decoded.ok()) << name;
  }
}

}  // namespace
}  // namespace raccordo
