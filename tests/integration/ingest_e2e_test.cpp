// The first complete path, end to end through the real binary: a synthetic
// SISA record POSTed to /ingest/sisa appears in the $everything of the citizen
// found by codice fiscale; re-sends are recognised; updates make versions.

#include <gtest/gtest.h>
#include <signal.h>

#include <set>
#include <sstream>

#include "gateway/core/json.h"
#include "gateway/mapping/fhir_mapping.h"
#include "gateway/synth/synth.h"
#include "tests/integration/test_util.h"

namespace raccordo::testing {
namespace {

class IngestE2E : public ServerTest {
 protected:
  void SetUp() override { startServer(); }
};

TEST_F(IngestE2E, SisaRecordAppearsInEverythingOfTheCitizenFoundByCodiceFiscale) {
  auto citizens = synth::generateCitizens({7, 3});
  const auto& c = citizens[1];
  auto r = client_->post("/ingest/sisa", c.sisa_json, "application/json");
  ASSERT_EQ(r.status, 202) << r.body;
  int64_t id = messageId(r);
  ASSERT_GT(id, 0);
  EXPECT_EQ(r.header("Location"), "/messages/" + std::to_string(id));

  auto state = waitFinal(*client_, id);
  ASSERT_STREQ(state["state"].GetString(), "done") << server_->log();
  EXPECT_EQ(state["attempts"].Size(), 1u);

  auto search = client_->get("/fhir/Patient?identifier=http://hl7.it/sid/codiceFiscale%7C" + c.codice_fiscale);
  ASSERT_EQ(search.status, 200);
  auto bundle = parse(search.body);
  ASSERT_EQ(bundle["total"].GetInt(), 1) << search.body;
  std::string patient_id = bundle["entry"][0]["resource"]["id"].GetString();
  EXPECT_EQ(patient_id, patientIdFor(c.codice_fiscale));

  auto everything = client_->get("/fhir/Patient/" + patient_id + "/$everything");
  ASSERT_EQ(everything.status, 200);
  auto all = parse(everything.body);
  std::multiset<std::string> types;
  bool provenance_names_message = false;
  for (const auto& e : all["entry"].GetArray()) {
    std::string type = e["resource"]["resourceType"].GetString();
    types.insert(type);
    if (type == "Provenance") {
      provenance_names_message =
          std::string(e["resource"]["entity"][0]["what"]["identifier"]["value"].GetString()) == std::to_string(id);
    }
  }
  EXPECT_EQ(types.count("Patient"), 1u);
  EXPECT_GE(types.count("EpisodeOfCare"), 1u) << everything.body.substr(0, 2000);
  EXPECT_GE(types.count("CarePlan"), 1u);
  EXPECT_GE(types.count("Practitioner"), 1u);  // the social worker, included by reference
  EXPECT_TRUE(provenance_names_message);
  EXPECT_EQ(all["total"].GetInt(), static_cast<int>(all["entry"].Size()));
}

TEST_F(IngestE2E, ReSendGetsTheFirstAnswerAndIsNotAppliedTwice) {
  auto c = synth::generateCitizens({11, 1})[0];
  auto first = client_->post("/ingest/sisa", c.sisa_json, "application/json");
  ASSERT_EQ(first.status, 202);
  auto again = client_->post("/ingest/sisa", c.sisa_json, "application/json");
  EXPECT_EQ(again.status, 202);
  EXPECT_EQ(again.body, first.body);
  EXPECT_EQ(again.header("Idempotent-Replayed"), "true");

  // An explicit Idempotency-Key wins over the source's message id.
  auto keyed = client_->post("/ingest/sisa", c.sisa_json, "application/json", {{"Idempotency-Key", "k-1"}});
  auto keyed_again = client_->post("/ingest/sisa", c.sisa_json, "application/json", {{"Idempotency-Key", "k-1"}});
  EXPECT_NE(messageId(keyed), messageId(first));
  EXPECT_EQ(messageId(keyed_again), messageId(keyed));

  ASSERT_STREQ(waitFinal(*client_, messageId(first))["state"].GetString(), "done");
  auto keyed_state = waitFinal(*client_, messageId(keyed));
  ASSERT_STREQ(keyed_state["state"].GetString(), "done");
  // The keyed copy carried identical content: nothing new was written.
  EXPECT_EQ(keyed_state["result"]["changed"].Size(), 0u);

  auto history = client_->get("/fhir/Patient/" + patientIdFor(c.codice_fiscale) + "/_history");
  EXPECT_EQ(parse(history.body)["total"].GetInt(), 1);
}

TEST_F(IngestE2E, ChangedRecordMakesANewVersionAndKeepsHistory) {
  auto c = synth::generateCitizens({12, 1})[0];
  ASSERT_EQ(client_->post("/ingest/sisa", c.sisa_json, "application/json").status, 202);
  auto doc = parse(c.sisa_json);
  doc["message_id"].SetString("SISA-update-1", doc.GetAllocator());
  doc["citizen"]["family_name"].SetString("Cambiato", doc.GetAllocator());
  auto r = client_->post("/ingest/sisa", json::write(doc), "application/json");
  ASSERT_EQ(r.status, 202);
  ASSERT_STREQ(waitFinal(*client_, messageId(r))["state"].GetString(), "done");

  std::string pid = patientIdFor(c.codice_fiscale);
  auto current = parse(client_->get("/fhir/Patient/" + pid).body);
  EXPECT_STREQ(current["meta"]["versionId"].GetString(), "2");
  EXPECT_STREQ(current["name"][0]["family"].GetString(), "Cambiato");
  auto history = parse(client_->get("/fhir/Patient/" + pid + "/_history").body);
  ASSERT_EQ(history["total"].GetInt(), 2);
  auto v1 = client_->get("/fhir/Patient/" + pid + "/_history/1");
  ASSERT_EQ(v1.status, 200);
  EXPECT_STRNE(parse(v1.body)["name"][0]["family"].GetString(), "Cambiato");
}

TEST_F(IngestE2E, SearchPagesAndOperationalEndpointsAnswer) {
  auto citizens = synth::generateCitizens({13, 5});
  std::vector<int64_t> ids;
  for (const auto& c : citizens) ids.push_back(messageId(client_->post("/ingest/sisa", c.sisa_json, "application/json")));
  for (auto id : ids) ASSERT_STREQ(waitFinal(*client_, id)["state"].GetString(), "done");

  auto page1 = parse(client_->get("/fhir/Patient?_count=2").body);
  EXPECT_EQ(page1["total"].GetInt(), 5);
  EXPECT_EQ(page1["entry"].Size(), 2u);
  std::string next;
  for (const auto& l : page1["link"].GetArray()) {
    if (std::string(l["relation"].GetString()) == "next") next = l["url"].GetString();
  }
  ASSERT_FALSE(next.empty());
  auto path = next.substr(next.find("/fhir/"));
  auto page2 = parse(client_->get(path).body);
  EXPECT_EQ(page2["entry"].Size(), 2u);
  EXPECT_STRNE(page2["entry"][0]["resource"]["id"].GetString(), page1["entry"][0]["resource"]["id"].GetString());

  // Commas are OR, repeated parameters are AND.
  std::string cf = "http://hl7.it/sid/codiceFiscale%7C";
  auto either = parse(client_->get("/fhir/Patient?identifier=" + cf + citizens[0].codice_fiscale + "," + cf +
                                   citizens[1].codice_fiscale).body);
  EXPECT_EQ(either["total"].GetInt(), 2);
  auto both = parse(client_->get("/fhir/Patient?identifier=" + cf + citizens[0].codice_fiscale + "&identifier=" + cf +
                                 citizens[1].codice_fiscale).body);
  EXPECT_EQ(both["total"].GetInt(), 0);
  auto same = parse(client_->get("/fhir/Patient?identifier=" + citizens[0].codice_fiscale +
                                 "&identifier=urn:raccordo:sisa:citizen%7C" + citizens[0].sisa_citizen_id).body);
  EXPECT_EQ(same["total"].GetInt(), 1);

  EXPECT_EQ(client_->get("/fhir/Patient?name=Rossi").status, 400);
  EXPECT_EQ(client_->get("/fhir/Patient?_lastUpdated=g").status, 400);  // found by fuzz_http_target
  std::string many = "/fhir/Patient?identifier=1";
  for (int i = 0; i < 500; ++i) many += ",1";
  EXPECT_EQ(client_->get(many).status, 400);  // bounded, not a 500 from SQLite
  EXPECT_EQ(client_->get("/fhir/Patient?_count=5&_offset=2147483647").status, 200);
  EXPECT_EQ(client_->get("/fhir/Patient?_lastUpdated=ge2026-02-30T99").status, 400);
  EXPECT_EQ(client_->get("/fhir/Spaceship?_count=1").status, 404);
  EXPECT_EQ(client_->get("/fhir/metadata").status, 200);
  EXPECT_EQ(client_->get("/healthz").status, 200);
  EXPECT_EQ(client_->get("/readyz").status, 200);
  auto metrics = client_->get("/metrics");
  EXPECT_NE(metrics.body.find("raccordo_messages_received_total{adapter=\"sisa\""), std::string::npos);
  EXPECT_NE(metrics.body.find("raccordo_journal_messages{state=\"done\"} 5"), std::string::npos) << metrics.body;
}

TEST_F(IngestE2E, SigtermExitsCleanlyAndLogsEveryStateChange) {
  auto c = synth::generateCitizens({14, 1})[0];
  int64_t id = messageId(client_->post("/ingest/sisa", c.sisa_json, "application/json"));
  ASSERT_STREQ(waitFinal(*client_, id)["state"].GetString(), "done");
  server_->kill(SIGTERM);
  EXPECT_EQ(server_->wait(std::chrono::seconds(30)), 0);
  std::string log = server_->log();
  EXPECT_NE(log.find("message " + std::to_string(id) + " queued"), std::string::npos) << log;
  EXPECT_NE(log.find("message " + std::to_string(id) + " done"), std::string::npos) << log;
  EXPECT_NE(log.find("stopped cleanly"), std::string::npos) << log;
}

}  // namespace
}  // namespace raccordo::testing

namespace raccordo::testing {
namespace {

TEST_F(IngestE2E, ProvenanceOfAChangeThatSparesThePatientIsInEverything) {
  std::string body = readFile(std::string(RACCORDO_SOURCE_DIR) + "/schemas/sisa/examples/02-elderly-home-care.json");
  auto first = client_->post("/ingest/sisa", body, "application/json");
  ASSERT_STREQ(waitFinal(*client_, messageId(first))["state"].GetString(), "done");
  auto doc = parse(body);
  doc["message_id"].SetString("SISA-isee-update", doc.GetAllocator());
  doc["isee"][0]["value_eur"].SetDouble(9999.5);
  auto second = client_->post("/ingest/sisa", json::write(doc), "application/json");
  auto state = waitFinal(*client_, messageId(second));
  ASSERT_STREQ(state["state"].GetString(), "done");
  ASSERT_EQ(state["result"]["changed"].Size(), 1u) << json::write(state);  // only the ISEE Observation
  std::string pid = state["result"]["patient"].GetString();
  auto all = parse(client_->get("/fhir/" + pid + "/$everything").body);
  int provenances = 0;
  for (const auto& e : all["entry"].GetArray()) {
    provenances += std::string(e["resource"]["resourceType"].GetString()) == "Provenance";
  }
  EXPECT_EQ(provenances, 2);
}

}  // namespace
}  // namespace raccordo::testing

namespace raccordo::testing {
namespace {

TEST(Logging, JsonLinesAreValidJsonWithOneLinePerStateChange) {
  TempDir dir;
  ServerProcess server(dir.path(), {"log.format=json"});
  server.start();
  HttpClient client("127.0.0.1", server.port());
  // A message whose error text carries quotes and a newline-free pointer, to check escaping.
  auto bad = client.post("/ingest/sisa", "{\"format\": \"x\"", "application/json");
  ASSERT_EQ(bad.status, 400);
  auto good = client.post("/ingest/sisa", synth::generateCitizens({15, 1})[0].sisa_json, "application/json");
  int64_t id = messageId(good);
  ASSERT_STREQ(waitFinal(client, id)["state"].GetString(), "done");
  server.kill(SIGTERM);
  ASSERT_EQ(server.wait(std::chrono::seconds(30)), 0);
  std::istringstream lines(server.log());
  std::string line;
  int parsed = 0;
  bool queued = false, done = false;
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    auto d = parse(line);
    ASSERT_FALSE(d.HasParseError()) << line;
    ASSERT_TRUE(d.HasMember("level") && d.HasMember("msg") && d.HasMember("time")) << line;
    std::string msg = d["msg"].GetString();
    queued = queued || msg.starts_with("message " + std::to_string(id) + " queued");
    done = done || msg.starts_with("message " + std::to_string(id) + " done");
    ++parsed;
  }
  EXPECT_GT(parsed, 3);
  EXPECT_TRUE(queued);
  EXPECT_TRUE(done);
}

}  // namespace
}  // namespace raccordo::testing
