// The pipeline with messages that speak of several citizens (CSV flows) and
// leave parts out: one Provenance per citizen, rejects and warnings in the
// message's summary.

#include "gateway/mapping/pipeline.h"

#include <gtest/gtest.h>

#include "gateway/core/ids.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_store.h"

namespace raccordo {
namespace {

using testing::TempDir;

// "CF1,CF2,...": one person record per citizen key; a key "BAD" becomes a
// reject at its position, "WARN" a warning.
class RowsAdapter final : public Adapter {
 public:
  std::string name() const override { return "rows"; }
  std::vector<std::string> mediaTypes() const override { return {"text/plain"}; }
  Result<Envelope> inspect(std::string_view) const override { return Envelope{}; }
  Result<DecodedMessage> decode(std::string_view bytes, const MessageMeta&) const override {
    DecodedMessage m;
    m.source = "test";
    int row = 1;
    std::string text(bytes);
    for (std::size_t start = 0; start <= text.size(); ++row) {
      std::size_t comma = text.find(',', start);
      std::string key = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      start = comma == std::string::npos ? text.size() + 1 : comma + 1;
      if (key == "BAD") {
        m.rejects.emplace_back(ErrorCode::kInvalidInput, "not a codice fiscale", "row " + std::to_string(row));
        continue;
      }
      if (key == "WARN") {
        m.warnings.emplace_back(ErrorCode::kInvalidInput, "odd but kept", "row " + std::to_string(row));
        continue;
      }
      Record r;
      r.kind = kind::kPerson;
      r.source_id = key;
      r.citizen_key = key;
      r.data.Parse(R"({"identifiers":[{"system":"urn:test","value":")" + key +
                   R"("}],"family_name":"Rossi","given_name":"Anna","gender":"female","birth_date":"1950-01-01"})");
      m.records.push_back(std::move(r));
    }
    return m;
  }
};

class PipelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = testing::openTestStore(dir_.path());
    ASSERT_NE(store_, nullptr);
    ASSERT_TRUE(adapters_.add(std::make_shared<RowsAdapter>()).ok());
  }
  void TearDown() override { store_->close(); }

  json::Doc run(const std::string& body, int64_t id = 7) {
    Pipeline pipeline(adapters_, MappingContext{});
    MessageRecord m;
    m.id = id;
    m.adapter = "rows";
    m.sender = "test";
    m.raw = body;
    auto fn = pipeline.prepare(m);
    EXPECT_TRUE(fn.ok()) << (fn.ok() ? "" : fn.error().describe());
    std::string summary;
    store_->write([&](WriteTx& tx) { summary = (*fn)(tx, 1790000000000); });
    json::Doc d;
    d.Parse(summary.c_str());
    return d;
  }
  bool exists(const std::string& type, const std::string& id) {
    bool found = false;
    store_->read([&](ReadTx& tx) { found = tx.resource(type, id).has_value(); });
    return found;
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
  AdapterRegistry adapters_;
};

TEST_F(PipelineTest, OneProvenancePerCitizen) {
  json::Doc s = run("AAA,BBB,AAA");
  EXPECT_EQ(s["patients"].GetUint(), 2u);
  EXPECT_EQ(s["provenances"].GetUint(), 2u);
  EXPECT_EQ(s["changed"].Size(), 2u);  // the second AAA row is the same Patient, unchanged
  EXPECT_TRUE(s["rejected"].Empty());
  EXPECT_TRUE(exists("Patient", patientIdFor("AAA")));
  EXPECT_TRUE(exists("Patient", patientIdFor("BBB")));
  EXPECT_TRUE(exists("Provenance", stableId({"Provenance", "message", "7", patientIdFor("AAA")})));
  EXPECT_TRUE(exists("Provenance", stableId({"Provenance", "message", "7", patientIdFor("BBB")})));
}

TEST_F(PipelineTest, RejectsAndWarningsAreInTheSummaryAndTheRestIsApplied) {
  json::Doc s = run("AAA,BAD,WARN,CCC");
  ASSERT_EQ(s["rejected"].Size(), 1u);
  EXPECT_STREQ(s["rejected"][0]["location"].GetString(), "row 2");
  EXPECT_STREQ(s["rejected"][0]["code"].GetString(), "invalid-input");
  EXPECT_STREQ(s["rejected"][0]["message"].GetString(), "not a codice fiscale");
  ASSERT_EQ(s["warnings"].Size(), 1u);
  EXPECT_STREQ(s["warnings"][0]["location"].GetString(), "row 3");
  EXPECT_TRUE(exists("Patient", patientIdFor("AAA")));
  EXPECT_TRUE(exists("Patient", patientIdFor("CCC")));
}

TEST_F(PipelineTest, AppliedTwiceChangesNothing) {
  run("AAA,BBB");
  json::Doc s = run("AAA,BBB", 8);
  EXPECT_TRUE(s["changed"].Empty());
  EXPECT_EQ(s["unchanged"].GetInt(), 2);
  EXPECT_EQ(s["provenances"].GetUint(), 0u);
}

}  // namespace
}  // namespace raccordo
