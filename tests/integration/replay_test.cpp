// A message that fails on a code missing from a mapping table goes to the
// dead letters with the raw bytes and the reason; once the table is fixed,
// POST /dead-letters/{id}/replay applies it. Also: transient failures retry.

#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>

#include "gateway/core/json.h"
#include "gateway/synth/synth.h"
#include "tests/integration/test_util.h"

namespace raccordo::testing {
namespace {

TEST(Replay, DeadLetterIsAppliedAfterTheMappingIsFixed) {
  TempDir dir;
  auto mappings = dir.path() / "mappings";
  std::filesystem::copy(std::string(RACCORDO_SOURCE_DIR) + "/mappings", mappings,
                        std::filesystem::copy_options::recursive);
  // Break the table: drop the "spouse" relationship.
  auto table_path = mappings / "sisa" / "relationship.json";
  auto table = parse(readFile(table_path));
  table["codes"].RemoveMember("spouse");
  std::ofstream(table_path) << json::write(table);

  // A citizen whose household has a spouse.
  std::string body;
  for (const auto& c : synth::generateCitizens({41, 200})) {
    if (c.sisa_json.find("\"relationship\":\"spouse\"") != std::string::npos) {
      body = c.sisa_json;
      break;
    }
  }
  ASSERT_FALSE(body.empty());

  ServerProcess server(dir.path(), {"paths.mappings=" + mappings.string()});
  server.start();
  HttpClient client("127.0.0.1", server.port());
  auto r = client.post("/ingest/sisa", body, "application/json");
  ASSERT_EQ(r.status, 202);
  int64_t id = messageId(r);
  auto state = waitFinal(client, id);
  ASSERT_STREQ(state["state"].GetString(), "dead");
  EXPECT_STREQ(state["error"]["code"].GetString(), "unknown-code");
  EXPECT_NE(std::string(state["error"]["message"].GetString()).find("spouse"), std::string::npos);
  EXPECT_NE(std::string(state["error"]["location"].GetString()).find("/household/members/"), std::string::npos);

  auto dead = parse(client.get("/dead-letters").body);
  ASSERT_EQ(dead["total"].GetInt(), 1);
  EXPECT_EQ(dead["items"][0]["message_id"].GetInt64(), id);
  EXPECT_EQ(client.post("/dead-letters/999999/replay", "", "application/json").status, 404);

  // Fix the table (the operator edits mappings/ and restarts), then replay.
  server.kill(SIGTERM);
  ASSERT_EQ(server.wait(std::chrono::seconds(30)), 0);
  std::filesystem::copy_file(std::string(RACCORDO_SOURCE_DIR) + "/mappings/sisa/relationship.json", table_path,
                             std::filesystem::copy_options::overwrite_existing);
  ServerProcess fixed(dir.path(), {"paths.mappings=" + mappings.string()});
  fixed.start();
  HttpClient client2("127.0.0.1", fixed.port());
  auto replay = client2.post("/dead-letters/" + std::to_string(id) + "/replay", "", "application/json");
  ASSERT_EQ(replay.status, 202) << replay.body;
  auto after = waitFinal(client2, id);
  ASSERT_STREQ(after["state"].GetString(), "done") << json::write(after);
  ASSERT_EQ(after["attempts"].Size(), 2u);
  EXPECT_STREQ(after["attempts"][0]["outcome"].GetString(), "dead");
  EXPECT_STREQ(after["attempts"][1]["outcome"].GetString(), "done");
  EXPECT_EQ(parse(client2.get("/dead-letters").body)["total"].GetInt(), 0);
  // Replaying a message that is not dead is a conflict.
  EXPECT_EQ(client2.post("/dead-letters/" + std::to_string(id) + "/replay", "", "application/json").status, 409);
  fixed.kill(SIGTERM);
  EXPECT_EQ(fixed.wait(std::chrono::seconds(30)), 0);
}

TEST(Replay, SynthCommandIsReproducible) {
  TempDir dir;
  auto run = [&](const std::string& out) {
    std::string cmd = std::string(RACCORDO_BINARY) + " synth --seed 5 --citizens 25 --out " + (dir.path() / out).string() +
                      " > /dev/null";
    return std::system(cmd.c_str());
  };
  ASSERT_EQ(run("a"), 0);
  ASSERT_EQ(run("b"), 0);
  int sisa = 0, hl7 = 0, csv = 0, cda = 0, gp_export = 0, files = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir.path() / "a")) {
    if (!e.is_regular_file()) continue;
    auto rel = std::filesystem::relative(e.path(), dir.path() / "a");
    EXPECT_EQ(readFile(e.path()), readFile(dir.path() / "b" / rel)) << rel;
    ++files;
    const std::string ext = e.path().extension().string();
    const bool gp = rel.string().starts_with("gp/");
    sisa += ext == ".json" && rel.string().starts_with("sisa/");
    hl7 += ext == ".hl7";
    csv += ext == ".csv" && rel.string().starts_with("ats/");
    cda += gp && ext == ".xml";
    gp_export += gp && ext == ".json";
  }
  EXPECT_EQ(sisa, 25);       // one SISA document per citizen
  EXPECT_GE(hl7, 25);        // at least an ADT^A28 per citizen
  EXPECT_GE(csv, 1);         // the ATS CSV flows that have rows
  EXPECT_GE(cda, 25);        // a Patient Summary per citizen, some other CDA documents
  EXPECT_EQ(gp_export, 25);  // one GP record export per citizen
  EXPECT_EQ(files, sisa + hl7 + csv + cda + gp_export + 1);  // and truth.csv
}

}  // namespace
}  // namespace raccordo::testing
