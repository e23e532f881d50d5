#include "gateway/store/indexing.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace raccordo {
namespace {

ResourceIndex indexOf(const char* text) {
  json::Doc d;
  d.Parse(text);
  EXPECT_FALSE(d.HasParseError()) << text;
  return indexResource(d);
}

using Strings = std::vector<std::string>;

TEST(IndexingTest, IdentifierArray) {
  auto idx = indexOf(R"({
    "resourceType": "Patient", "id": "p1",
    "identifier": [
      {"system": "http://hl7.it/sid/codiceFiscale", "value": "CLMGPP38L44A794V"},
      {"value": "local-only"},
      {"system": "urn:no-value"},
      {"system": "urn:empty", "value": ""},
      "not an object",
      {"system": "urn:raccordo:sisa:citizen", "value": "C000123"}
    ]
  })");
  ASSERT_EQ(idx.identifiers.size(), 3u);
  EXPECT_EQ(idx.identifiers[0].system, "http://hl7.it/sid/codiceFiscale");
  EXPECT_EQ(idx.identifiers[0].value, "CLMGPP38L44A794V");
  EXPECT_EQ(idx.identifiers[1].system, "");
  EXPECT_EQ(idx.identifiers[1].value, "local-only");
  EXPECT_EQ(idx.identifiers[2].system, "urn:raccordo:sisa:citizen");
  EXPECT_EQ(idx.identifiers[2].value, "C000123");
}

TEST(IndexingTest, SingleIdentifierObject) {
  // QuestionnaireResponse.identifier is 0..1: an object, not an array.
  auto idx = indexOf(R"({
    "resourceType": "QuestionnaireResponse", "id": "q1",
    "identifier": {"system": "urn:raccordo:sisa:assessment", "value": "V0001"}
  })");
  ASSERT_EQ(idx.identifiers.size(), 1u);
  EXPECT_EQ(idx.identifiers[0].system, "urn:raccordo:sisa:assessment");
  EXPECT_EQ(idx.identifiers[0].value, "V0001");
}

TEST(IndexingTest, NestedIdentifiersAreNotResourceIdentifiers) {
  auto idx = indexOf(R"({
    "resourceType": "Provenance", "id": "pr",
    "agent": [{"who": {"identifier": {"system": "urn:raccordo:sender", "value": "sisa-milano"}}}]
  })");
  EXPECT_TRUE(idx.identifiers.empty());
  EXPECT_TRUE(idx.patients.empty());
  EXPECT_TRUE(idx.references.empty());
}

TEST(IndexingTest, AnyPatientReferenceMakesACompartment) {
  auto idx = indexOf(R"({
    "resourceType": "CarePlan", "id": "cp",
    "subject": {"reference": "Patient/p1"},
    "author": {"reference": "Practitioner/sw1"},
    "activity": [
      {"detail": {"performer": [{"reference": "Organization/o1", "display": "Coop"}]}},
      {"detail": {"performer": [{"reference": "Organization/o1"}]}}
    ],
    "supportingInfo": [{"reference": "EpisodeOfCare/e1"}]
  })");
  EXPECT_EQ(idx.patients, Strings({"p1"}));
  EXPECT_EQ(idx.references, Strings({"EpisodeOfCare/e1", "Organization/o1", "Patient/p1", "Practitioner/sw1"}));
}

TEST(IndexingTest, SeveralPatientsAreSortedAndDeduplicated) {
  auto idx = indexOf(R"({
    "resourceType": "Group", "id": "g",
    "member": [{"entity": {"reference": "Patient/b"}}, {"entity": {"reference": "Patient/a"}},
               {"entity": {"reference": "Patient/b"}}]
  })");
  EXPECT_EQ(idx.patients, Strings({"a", "b"}));
  EXPECT_EQ(idx.references, Strings({"Patient/a", "Patient/b"}));
}

TEST(IndexingTest, RelatedPersonIsInItsPatientsCompartment) {
  auto idx = indexOf(R"({"resourceType": "RelatedPerson", "id": "rp", "patient": {"reference": "Patient/p9"}})");
  EXPECT_EQ(idx.patients, Strings({"p9"}));
}

TEST(IndexingTest, PatientLinkDoesNotMakeACompartment) {
  auto idx = indexOf(R"({
    "resourceType": "Patient", "id": "p1",
    "link": [{"other": {"reference": "Patient/p2"}, "type": "seealso"}],
    "generalPractitioner": [{"reference": "Practitioner/gp"}]
  })");
  EXPECT_TRUE(idx.patients.empty());
  // The link is still an outgoing reference.
  EXPECT_EQ(idx.references, Strings({"Patient/p2", "Practitioner/gp"}));
}

TEST(IndexingTest, VersionedReferencesAreStripped) {
  auto idx = indexOf(R"({
    "resourceType": "Provenance", "id": "pr",
    "target": [{"reference": "Patient/p1/_history/3"}, {"reference": "Observation/o1/_history/1"},
               {"reference": "Observation/o1/_history/2"}]
  })");
  EXPECT_EQ(idx.patients, Strings({"p1"}));
  EXPECT_EQ(idx.references, Strings({"Observation/o1", "Patient/p1"}));
}

TEST(IndexingTest, UnusableReferencesAreIgnored) {
  auto idx = indexOf(R"({
    "resourceType": "Observation", "id": "o",
    "subject": {"reference": "http://other.example/fhir/Patient/p1"},
    "focus": [{"reference": "urn:uuid:0b3c7e2a-0000-4000-8000-000000000000"}, {"reference": "#contained1"},
              {"reference": ""}, {"reference": 42}, {"reference": "Patient"}],
    "contained": [{"resourceType": "Patient", "id": "contained1"}]
  })");
  EXPECT_TRUE(idx.patients.empty());
  EXPECT_TRUE(idx.references.empty());
}

TEST(IndexingTest, NonObjectResourceGivesAnEmptyIndex) {
  json::Doc d;
  d.Parse("[1, 2]");
  auto idx = indexResource(d);
  EXPECT_TRUE(idx.identifiers.empty());
  EXPECT_TRUE(idx.patients.empty());
  EXPECT_TRUE(idx.references.empty());
}

// ---------------------------------------------------------------------------
// prepareResource / withVersionMeta

TEST(PrepareResourceTest, BodyHashAndIndexWithoutVersionMeta) {
  json::Doc d;
  d.Parse(R"({"resourceType":"Observation","id":"o1","subject":{"reference":"Patient/p1"},)"
          R"("meta":{"versionId":"3","lastUpdated":"2020-01-01T00:00:00Z"}})");
  PreparedResource r = prepareResource(d);
  EXPECT_EQ(r.type, "Observation");
  EXPECT_EQ(r.id, "o1");
  EXPECT_EQ(r.body, R"({"resourceType":"Observation","id":"o1","subject":{"reference":"Patient/p1"}})");
  EXPECT_EQ(r.meta_extra, "");
  EXPECT_EQ(r.hash.size(), 64u);
  EXPECT_EQ(r.index.patients, Strings({"p1"}));

  // The version meta does not change the hash.
  json::Doc plain;
  plain.Parse(R"({"resourceType":"Observation","id":"o1","subject":{"reference":"Patient/p1"}})");
  EXPECT_EQ(prepareResource(plain).hash, r.hash);
}

TEST(PrepareResourceTest, OtherMetaIsContent) {
  json::Doc a;
  a.Parse(R"({"resourceType":"Basic","id":"b","meta":{"versionId":"1","security":[{"code":"R"}]}})");
  PreparedResource ra = prepareResource(a);
  EXPECT_EQ(ra.meta_extra, R"("security":[{"code":"R"}])");
  json::Doc b;
  b.Parse(R"({"resourceType":"Basic","id":"b"})");
  EXPECT_NE(prepareResource(b).hash, ra.hash);
}

TEST(PrepareResourceTest, NeedsTypeAndId) {
  json::Doc d;
  d.Parse(R"({"resourceType":"Basic"})");
  EXPECT_THROW(prepareResource(d), RaccordoException);
  json::Doc e;
  e.Parse(R"({"id":"x"})");
  EXPECT_THROW(prepareResource(e), RaccordoException);
}

TEST(WithVersionMetaTest, MetaGoesRightAfterTheId) {
  json::Doc d;
  d.Parse(R"({"resourceType":"Basic","id":"b","code":{"text":"x"},"meta":{"tag":[{"code":"t"}]}})");
  PreparedResource r = prepareResource(d);
  EXPECT_EQ(withVersionMeta(r, 7, 0),
            R"({"resourceType":"Basic","id":"b","meta":{"versionId":"7","lastUpdated":"1970-01-01T00:00:00.000Z",)"
            R"("tag":[{"code":"t"}]},"code":{"text":"x"}})");
  json::Doc out;
  std::string text = withVersionMeta(r, 7, 0);
  out.Parse(text.c_str());
  EXPECT_FALSE(out.HasParseError());
}

TEST(WithVersionMetaTest, HandBuiltBodyStillGetsMeta) {
  PreparedResource r;
  r.type = "Basic";
  r.id = "b";
  r.body = R"({"id" : "b", "resourceType" : "Basic"})";  // not the compact form
  std::string text = withVersionMeta(r, 1, 0);
  json::Doc out;
  out.Parse(text.c_str());
  ASSERT_FALSE(out.HasParseError()) << text;
  EXPECT_EQ(json::getStr(out["meta"], "versionId"), "1");
  EXPECT_EQ(json::getStr(out, "id"), "b");
}

struct SplitCase {
  const char* reference;
  bool ok;
  const char* type;
  const char* id;
};

// Names the case in test output instead of printing its bytes.
void PrintTo(const SplitCase& c, std::ostream* os) { *os << '"' << c.reference << '"'; }

class SplitReferenceTest : public ::testing::TestWithParam<SplitCase> {};

TEST_P(SplitReferenceTest, Splits) {
  const SplitCase& c = GetParam();
  std::string type = "unchanged", id = "unchanged";
  EXPECT_EQ(splitReference(c.reference, type, id), c.ok) << c.reference;
  if (c.ok) {
    EXPECT_EQ(type, c.type) << c.reference;
    EXPECT_EQ(id, c.id) << c.reference;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, SplitReferenceTest,
    ::testing::Values(SplitCase{"Patient/abc", true, "Patient", "abc"},
                      SplitCase{"Patient/abc/_history/2", true, "Patient", "abc"},
                      SplitCase{"Observation/1a2b-3c", true, "Observation", "1a2b-3c"},
                      SplitCase{"Patient/abc/", true, "Patient", "abc"},
                      SplitCase{"https://fhir.example.org/Patient/abc", false, "", ""},
                      SplitCase{"http://x/Patient/abc/_history/1", false, "", ""},
                      SplitCase{"urn:uuid:53fefa32-fcbb-4ff8-8a92-55ee120877b7", false, "", ""},
                      SplitCase{"urn:oid:1.2.3", false, "", ""}, SplitCase{"#contained", false, "", ""},
                      SplitCase{"#", false, "", ""}, SplitCase{"", false, "", ""},
                      SplitCase{"Patient", false, "", ""}, SplitCase{"/abc", false, "", ""},
                      SplitCase{"Patient/", false, "", ""}, SplitCase{"Patient//x", false, "", ""}));

}  // namespace
}  // namespace raccordo
