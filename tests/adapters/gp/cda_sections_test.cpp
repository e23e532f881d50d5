// The Patient Summary sections the synthetic writer does not produce, in the
// shapes of the HL7 Italia PSS examples: AIC with an ATC translation, allergy
// reactions and criticality, problem severity, results, plan of care, and a
// section Raccordo does not read.

#include <gtest/gtest.h>

#include "adapters/builtin.h"
#include "gateway/identity/codice_fiscale.h"
#include "tests/support/temp_dir.h"

namespace raccordo {
namespace {

std::string summaryWith(const std::string& sections) {
  const std::string cf = identity::computeCodiceFiscale({"Neri", "Lucia", identity::Sex::kFemale, 1951, 11, 2, "F205"});
  return R"(<?xml version="1.0" encoding="UTF-8"?>
<ClinicalDocument xmlns="urn:hl7-org:v3" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <templateId root="2.16.840.1.113883.2.9.10.1.4.1.1" extension="1.4"/>
  <id root="2.16.840.1.113883.2.9.2.30.4.4" extension="TEST.PSS.1"/>
  <code code="60591-5" codeSystem="2.16.840.1.113883.6.1" displayName="Profilo Sanitario Sintetico"/>
  <effectiveTime value="20260301100000+0100"/>
  <setId root="2.16.840.1.113883.2.9.2.30.4.4" extension="TEST.PSS"/>
  <versionNumber value="2"/>
  <recordTarget><patientRole><id root="2.16.840.1.113883.2.9.2.4.3.2" extension=")" + cf + R"("/></patientRole></recordTarget>
  <author><assignedAuthor><id root="2.16.840.1.113883.2.9.4.3.2" extension="RSSMRA70A01F205V"/></assignedAuthor></author>
  <custodian><assignedCustodian><representedCustodianOrganization><id root="2.16.840.1.113883.2.9.4.1.2" extension="030"/></representedCustodianOrganization></assignedCustodian></custodian>
  <component><structuredBody>)" + sections + R"(</structuredBody></component>
</ClinicalDocument>)";
}

const char* kSections = R"(
<component><section><code code="10160-0" codeSystem="2.16.840.1.113883.6.1"/><title>Terapie</title><text><content ID="f1">Fondaparinux 2,5 mg</content></text>
  <entry><substanceAdministration classCode="SBADM" moodCode="EVN"><id root="1.2.3" extension="M1"/><statusCode code="suspended"/>
    <effectiveTime xsi:type="IVL_TS"><low value="20260110"/></effectiveTime>
    <effectiveTime operator="A" xsi:type="PIVL_TS"><period value="12" unit="h"/></effectiveTime>
    <routeCode code="SQ" codeSystem="2.16.840.1.113883.5.112"/><doseQuantity value="2.5" unit="mg"/>
    <consumable><manufacturedProduct><manufacturedMaterial>
      <code code="035606033" codeSystem="2.16.840.1.113883.2.9.6.1.5" displayName="ARIXTRA"><originalText><reference value="#f1"/></originalText>
        <translation code="B01AX05" codeSystem="2.16.840.1.113883.6.73" displayName="FONDAPARINUX"/></code>
    </manufacturedMaterial></manufacturedProduct></consumable></substanceAdministration></entry>
</section></component>
<component><section><code code="48765-2" codeSystem="2.16.840.1.113883.6.1"/><title>Allergie</title><text><content ID="n1">Orticaria dopo penicillina</content></text>
  <entry><act classCode="ACT" moodCode="EVN"><id root="1.2.3" extension="A1"/><code nullFlavor="NA"/><statusCode code="active"/>
    <entryRelationship typeCode="SUBJ"><observation classCode="OBS" moodCode="EVN"><code code="52473-6" codeSystem="2.16.840.1.113883.6.1"/>
      <effectiveTime><low value="20100505"/></effectiveTime>
      <value xsi:type="CD" code="DALG" codeSystem="2.16.840.1.113883.5.4"/>
      <participant typeCode="CSM"><participantRole><playingEntity><code code="J01CE" codeSystem="2.16.840.1.113883.6.73" displayName="Penicilline"/></playingEntity></participantRole></participant>
      <entryRelationship typeCode="MFST"><observation classCode="OBS" moodCode="EVN"><value xsi:type="CD" code="708.9" codeSystem="2.16.840.1.113883.6.103" displayName="ORTICARIA"/></observation></entryRelationship>
      <entryRelationship typeCode="SUBJ" inversionInd="true"><observation classCode="OBS" moodCode="EVN"><code code="SEV" codeSystem="2.16.840.1.113883.5.4"/><value xsi:type="CD" code="H" codeSystem="2.16.840.1.113883.5.1063"/></observation></entryRelationship>
      <entryRelationship typeCode="REFR"><observation classCode="OBS" moodCode="EVN"><code code="33999-4" codeSystem="2.16.840.1.113883.6.1"/><value xsi:type="CE" code="LA16666-2" codeSystem="2.16.840.1.113883.6.1"/></observation></entryRelationship>
      <entryRelationship typeCode="SUBJ" inversionInd="true"><act classCode="ACT" moodCode="EVN"><code code="48767-8" codeSystem="2.16.840.1.113883.6.1"/><text><reference value="#n1"/></text></act></entryRelationship>
    </observation></entryRelationship></act></entry>
  <entry><act classCode="ACT" moodCode="EVN"><id root="1.2.3" extension="A2"/><code nullFlavor="NA"/><statusCode code="active"/>
    <entryRelationship typeCode="SUBJ"><observation classCode="OBS" moodCode="EVN"><value xsi:type="CD" code="ALG" codeSystem="2.16.840.1.113883.5.4"/>
      <participant typeCode="CSM"><participantRole><playingEntity><code nullFlavor="UNK"/></playingEntity></participantRole></participant>
    </observation></entryRelationship></act></entry>
</section></component>
<component><section><code code="11450-4" codeSystem="2.16.840.1.113883.6.1"/><title>Problemi</title><text>Ipertensione</text>
  <entry><act classCode="ACT" moodCode="EVN"><id root="1.2.3" extension="P1"/><code nullFlavor="NA"/><statusCode code="active"/>
    <entryRelationship typeCode="SUBJ"><observation classCode="OBS" moodCode="EVN"><code code="75326-9" codeSystem="2.16.840.1.113883.6.1"/>
      <effectiveTime><low value="20150201"/></effectiveTime>
      <value xsi:type="CD" code="401.9" codeSystem="2.16.840.1.113883.6.103" displayName="IPERTENSIONE ESSENZIALE NON SPECIFICATA"/>
      <entryRelationship typeCode="REFR"><observation classCode="OBS" moodCode="EVN"><code code="SEV" codeSystem="2.16.840.1.113883.5.4"/><value xsi:type="CD" code="M" codeSystem="2.16.840.1.113883.5.1063" displayName="Moderate"/></observation></entryRelationship>
    </observation></entryRelationship></act></entry>
</section></component>
<component><section><code code="30954-2" codeSystem="2.16.840.1.113883.6.1"/><title>Esami</title><text>Creatinina 1,1 mg/dL</text>
  <entry><organizer classCode="BATTERY" moodCode="EVN"><id root="1.2.3" extension="L1"/><code code="2161-8" codeSystem="2.16.840.1.113883.6.1" displayName="Creatinina"/><statusCode code="completed"/>
    <effectiveTime value="20260212100000+0100"/>
    <component><observation classCode="OBS" moodCode="EVN"><code code="2161-8" codeSystem="2.16.840.1.113883.6.1"/><statusCode code="completed"/>
      <value xsi:type="PQ" value="1.1" unit="mg/dL"/><interpretationCode code="N" codeSystem="2.16.840.1.113883.5.83"/>
      <referenceRange><observationRange><value xsi:type="IVL_PQ"><low value="0.5" unit="mg/dL"/><high value="1.2" unit="mg/dL"/></value></observationRange></referenceRange>
    </observation></component></organizer></entry>
</section></component>
<component><section><code code="18776-5" codeSystem="2.16.840.1.113883.6.1"/><title>Piano di cura</title><text><content ID="pc1">Controllo pressorio mensile</content></text>
  <entry><observation classCode="OBS" moodCode="RQO"><code code="85354-9" codeSystem="2.16.840.1.113883.6.1" displayName="Pressione arteriosa"/><text><reference value="#pc1"/></text><effectiveTime value="20260401"/></observation></entry>
</section></component>
<component><section><code code="10157-6" codeSystem="2.16.840.1.113883.6.1"/><title>Anamnesi familiare</title><text>Padre iperteso.</text></section></component>
)";

class GpCdaSectionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cda_ = testing::builtinAdaptersForTest().find("gp-cda");
    ASSERT_NE(cda_, nullptr);
  }
  const Record* find(const DecodedMessage& m, std::string_view kind, std::size_t nth = 0) {
    for (const Record& r : m.records) {
      if (r.kind == kind && nth-- == 0) return &r;
    }
    return nullptr;
  }
  const Adapter* cda_ = nullptr;
};

TEST_F(GpCdaSectionsTest, ReadsTheGuideShapes) {
  auto m = cda_->decode(summaryWith(kSections), MessageMeta{});
  ASSERT_TRUE(m.ok()) << m.error().describe();
  // The CF under the known typo root: applied, with a warning.
  ASSERT_EQ(m->warnings.size(), 1u);
  EXPECT_EQ(m->warnings[0].location, "/ClinicalDocument/recordTarget/patientRole/id/@root");

  const Record* med = find(*m, kind::kMedication);
  ASSERT_NE(med, nullptr);
  EXPECT_EQ(med->source_id, "1.2.3^M1");
  EXPECT_EQ(json::getStr(med->data["code"], "code"), "B01AX05");  // ATC first
  EXPECT_EQ(json::getStr(med->data["other_codes"][0], "system"), "urn:oid:2.16.840.1.113883.2.9.6.1.5");
  EXPECT_EQ(json::getStr(med->data, "status"), "on-hold");
  EXPECT_EQ(json::getStr(med->data, "start"), "2026-01-10");
  EXPECT_EQ(json::getStr(med->data, "dosage"), "2.5 mg");
  EXPECT_EQ(json::getStr(med->data, "text"), "Fondaparinux 2,5 mg");
  // No legalAuthenticator: asserted is the effectiveTime.
  EXPECT_EQ(json::getStr(med->data, "asserted"), "2026-03-01T10:00:00+01:00");

  const Record* allergy = find(*m, kind::kAllergy);
  ASSERT_NE(allergy, nullptr);
  EXPECT_EQ(json::getStr(allergy->data, "category"), "medication");
  EXPECT_EQ(json::getStr(allergy->data, "criticality"), "high");
  EXPECT_EQ(json::getStr(allergy->data, "clinical_status"), "active");
  EXPECT_EQ(json::getStr(allergy->data, "onset"), "2010-05-05");
  EXPECT_EQ(json::getStr(allergy->data["reactions"][0]["manifestation"], "code"), "708.9");
  EXPECT_EQ(json::getStr(allergy->data, "note"), "Orticaria dopo penicillina");
  // The second allergy names no agent: a reject at its XPath, the rest applies.
  EXPECT_EQ(find(*m, kind::kAllergy, 1), nullptr);
  ASSERT_EQ(m->rejects.size(), 1u);
  EXPECT_EQ(m->rejects[0].location,
            "/ClinicalDocument/component/structuredBody/component[2]/section/entry[2]/act/entryRelationship/observation/"
            "participant/participantRole/playingEntity/code");

  const Record* problem = find(*m, kind::kCondition);
  ASSERT_NE(problem, nullptr);
  EXPECT_EQ(json::getStr(problem->data["severity"], "code"), "M");
  EXPECT_EQ(json::getStr(problem->data, "onset"), "2015-02-01");

  const Record* lab = find(*m, kind::kLabReport);
  ASSERT_NE(lab, nullptr);
  EXPECT_EQ(lab->source_id, "1.2.3^L1");
  const json::Value& result = lab->data["results"][0];
  EXPECT_DOUBLE_EQ(result["value_quantity"]["value"].GetDouble(), 1.1);
  EXPECT_EQ(json::getStr(result, "reference_range"), "0.5-1.2 mg/dL");
  EXPECT_EQ(json::getStr(result["interpretation"], "system"),
            "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation");

  const Record* plan = find(*m, kind::kCarePlanNote);
  ASSERT_NE(plan, nullptr);
  EXPECT_EQ(plan->source_id, "2.16.840.1.113883.2.9.2.30.4.4^TEST.PSS|care-plan");
  EXPECT_EQ(json::getStr(plan->data["activities"][0], "text"), "Controllo pressorio mensile");
  EXPECT_EQ(json::getStr(plan->data["activities"][0], "scheduled"), "2026-04-01");

  const Record* doc = find(*m, kind::kDocument);
  ASSERT_NE(doc, nullptr);
  EXPECT_EQ(doc->data["version"].GetInt(), 2);
  const json::Value& sections = doc->data["sections"];
  ASSERT_EQ(sections.Size(), 6u);
  EXPECT_TRUE(sections[0]["mapped"].GetBool());
  EXPECT_FALSE(sections[5]["mapped"].GetBool());
  EXPECT_EQ(json::getStr(sections[5], "text"), "Padre iperteso.");
  EXPECT_EQ(doc->data["facts"].Size(), 5u);  // medication, allergy, condition, lab_report, care_plan
}

TEST_F(GpCdaSectionsTest, AnUnknownStatusCodeIsARejectWithItsPath) {
  std::string sections = kSections;
  sections.replace(sections.find("LA16666-2"), 9, "LA99999-9");
  auto m = cda_->decode(summaryWith(sections), MessageMeta{});
  ASSERT_TRUE(m.ok()) << m.error().describe();
  ASSERT_EQ(m->rejects.size(), 2u);
  EXPECT_EQ(m->rejects[0].code, ErrorCode::kUnknownCode);
  EXPECT_EQ(m->rejects[0].location,
            "/ClinicalDocument/component/structuredBody/component[2]/section/entry[1]/act/entryRelationship/observation/"
            "entryRelationship[3]/observation/value/@code");
}

}  // namespace
}  // namespace raccordo
