// No acknowledged message is ever lost: a burst of 202 answers, then SIGKILL
// (no chance to flush or drain), then a restart on the same data folder must
// find every acknowledged message and apply each exactly once.

#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "gateway/synth/synth.h"
#include "tests/integration/test_util.h"

namespace raccordo::testing {
namespace {

TEST(CrashRecovery, EveryAcknowledgedMessageSurvivesSigkillAndIsAppliedOnce) {
  TempDir dir;
  auto citizens = synth::generateCitizens({21, 240});
  std::vector<int64_t> acknowledged;
  {
    ServerProcess server(dir.path());
    server.start();
    std::mutex mu;
    std::atomic<size_t> next{0};
    std::vector<std::thread> senders;
    for (int t = 0; t < 8; ++t) {
      senders.emplace_back([&] {
        HttpClient client("127.0.0.1", server.port());
        for (size_t i = next++; i < citizens.size(); i = next++) {
          auto r = client.post("/ingest/sisa", citizens[i].sisa_json, "application/json");
          if (r.status == 202) {
            std::lock_guard lock(mu);
            acknowledged.push_back(messageId(r));
          }
        }
      });
    }
    for (auto& t : senders) t.join();
    // Right after the burst: most messages are still waiting for the workers.
    server.kill(SIGKILL);
    EXPECT_EQ(server.wait(std::chrono::seconds(10)), -SIGKILL);
  }
  ASSERT_EQ(acknowledged.size(), citizens.size());

  ServerProcess restarted(dir.path());
  restarted.start();
  HttpClient client("127.0.0.1", restarted.port());
  for (int64_t id : acknowledged) {
    auto state = waitFinal(client, id, std::chrono::seconds(60));
    ASSERT_TRUE(state.IsObject()) << "message " << id << " lost";
    ASSERT_STREQ(state["state"].GetString(), "done") << "message " << id;
    int done_attempts = 0;
    for (const auto& a : state["attempts"].GetArray()) done_attempts += std::string(a["outcome"].GetString()) == "done";
    EXPECT_EQ(done_attempts, 1) << "message " << id << " applied more than once";
  }
  // One Patient per citizen, each at version 1, and one Provenance per message.
  auto patients = parse(client.get("/fhir/Patient?_count=0").body);
  EXPECT_EQ(patients["total"].GetInt(), static_cast<int>(citizens.size()));
  auto provenances = parse(client.get("/fhir/Provenance?_count=0").body);
  EXPECT_EQ(provenances["total"].GetInt(), static_cast<int>(citizens.size()));
  auto updated = parse(client.get("/fhir/Patient?_count=500").body);
  for (const auto& e : updated["entry"].GetArray()) {
    EXPECT_STREQ(e["resource"]["meta"]["versionId"].GetString(), "1");
  }
  restarted.kill(SIGTERM);
  EXPECT_EQ(restarted.wait(std::chrono::seconds(30)), 0);
}

}  // namespace
}  // namespace raccordo::testing
