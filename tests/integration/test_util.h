#pragma once
// Small helpers shared by the integration tests.

#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <signal.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "gateway/net/http_client.h"
#include "tests/integration/server_process.h"

namespace raccordo::testing {

inline rapidjson::Document parse(const std::string& body) {
  rapidjson::Document d;
  d.Parse(body.c_str(), body.size());
  return d;
}

/// Polls GET /messages/{id} until its state is final (done, dead, rejected); returns the last answer.
inline rapidjson::Document waitFinal(HttpClient& client, int64_t id,
                                     std::chrono::milliseconds deadline = std::chrono::seconds(30)) {
  rapidjson::Document last;
  pollUntil(
      [&] {
        auto r = client.get("/messages/" + std::to_string(id));
        if (r.status != 200) return false;
        last = parse(r.body);
        std::string state = last["state"].GetString();
        return state == "done" || state == "dead" || state == "rejected";
      },
      deadline);
  return last;
}

inline int64_t messageId(const ClientResponse& r) {
  auto d = parse(r.body);
  if (d.HasParseError() || !d.IsObject() || !d.HasMember("message_id")) return 0;
  return d["message_id"].GetInt64();
}

/// A gateway process on a fresh data folder, and an HTTP client for it. The
/// fixture's SetUp calls startServer(); TearDown stops the process with
/// SIGTERM and expects a clean exit.
class ServerTest : public ::testing::Test {
 protected:
  /// `settings` are "key=value" overrides, as --set takes them.
  void startServer(std::vector<std::string> settings = {}) {
    server_ = std::make_unique<ServerProcess>(dir_.path(), std::move(settings));
    server_->start();
    client_ = std::make_unique<HttpClient>("127.0.0.1", server_->port());
  }
  void TearDown() override {
    if (server_ && server_->running()) {
      server_->kill(SIGTERM);
      EXPECT_EQ(server_->wait(std::chrono::seconds(30)), 0) << server_->log();
    }
  }

  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<HttpClient> client_;
};

}  // namespace raccordo::testing
