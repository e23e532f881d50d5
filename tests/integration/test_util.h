#pragma once
// Small helpers shared by the integration tests.

#include <rapidjson/document.h>

#include <chrono>
#include <string>

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

}  // namespace raccordo::testing
