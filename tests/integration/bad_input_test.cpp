// The bad-input matrix over real HTTP: each bad input gets its own clear
// error (what and where), the raw input is kept, and nothing else is
// affected: a good message sent after all of them is applied as usual.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>

#include "gateway/core/json.h"
#include "gateway/synth/synth.h"
#include "tests/integration/test_util.h"

namespace raccordo::testing {
namespace {

class BadInput : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    server_ = new ServerProcess(dir_->path(), {"http.body_limit_bytes=65536", "http.read_timeout_ms=2000"});
    server_->start();
  }
  static void TearDownTestSuite() {
    server_->kill(SIGTERM);
    EXPECT_EQ(server_->wait(std::chrono::seconds(30)), 0);
    delete server_;
    delete dir_;
  }
  void SetUp() override { client_ = std::make_unique<HttpClient>("127.0.0.1", server_->port()); }

  // A valid document with one change applied; a fresh message_id each time.
  std::string variant(const std::function<void(rapidjson::Document&)>& edit) {
    auto doc = parse(synth::generateCitizens({31, 1})[0].sisa_json);
    doc["message_id"].SetString(("bad-" + std::to_string(++counter_)).c_str(), doc.GetAllocator());
    edit(doc);
    return json::write(doc);
  }

  // POST, expect 202, wait for the final state, expect dead at `location`.
  void expectDead(const std::string& body, const std::string& code, const std::string& location,
                  const std::string& words) {
    auto r = client_->post("/ingest/sisa", body, "application/json");
    ASSERT_EQ(r.status, 202) << r.body;
    auto state = waitFinal(*client_, messageId(r));
    ASSERT_STREQ(state["state"].GetString(), "dead") << json::write(state);
    EXPECT_EQ(std::string(state["error"]["code"].GetString()), code);
    EXPECT_EQ(std::string(state["error"]["location"].GetString()), location);
    EXPECT_NE(std::string(state["error"]["message"].GetString()).find(words), std::string::npos)
        << state["error"]["message"].GetString();
    EXPECT_EQ(state["attempts"].Size(), 1u) << "a permanent error must not be retried";
    // The raw bytes are kept exactly.
    EXPECT_EQ(client_->get("/messages/" + std::to_string(messageId(r)) + "/raw").body, body);
  }

  static TempDir* dir_;
  static ServerProcess* server_;
  std::unique_ptr<HttpClient> client_;
  static int counter_;
};

int BadInput::counter_ = 0;

TempDir* BadInput::dir_ = nullptr;
ServerProcess* BadInput::server_ = nullptr;

TEST_F(BadInput, NotJsonIsRefusedAtOnceAndKept) {
  auto r = client_->post("/ingest/sisa", "{\"citizen\": oops", "application/json");
  ASSERT_EQ(r.status, 400);
  auto oo = parse(r.body);
  EXPECT_STREQ(oo["resourceType"].GetString(), "OperationOutcome");
  std::string text = oo["issue"][0]["diagnostics"].GetString();
  EXPECT_NE(text.find("not valid JSON"), std::string::npos) << text;
  EXPECT_NE(text.find("offset"), std::string::npos) << text;
  int64_t id = std::stoll(r.header("X-Raccordo-Message-Id"));
  auto state = parse(client_->get("/messages/" + std::to_string(id)).body);
  EXPECT_STREQ(state["state"].GetString(), "rejected");
  EXPECT_EQ(client_->get("/messages/" + std::to_string(id) + "/raw").body, "{\"citizen\": oops");
}

TEST_F(BadInput, WrongTypeNamesTheField) {
  expectDead(variant([](rapidjson::Document& d) { d["citizen"]["birth_date"].SetInt(1980); }), "invalid-input",
             "/citizen/birth_date", "expected");
}

TEST_F(BadInput, MissingCodiceFiscaleNamesTheField) {
  expectDead(variant([](rapidjson::Document& d) { d["citizen"].RemoveMember("codice_fiscale"); }), "invalid-input",
             "/citizen/codice_fiscale", "codice_fiscale");
}

TEST_F(BadInput, BadCheckCharacterIsNamed) {
  expectDead(variant([](rapidjson::Document& d) {
               std::string cf = d["citizen"]["codice_fiscale"].GetString();
               cf.back() = cf.back() == 'A' ? 'B' : 'A';
               d["citizen"]["codice_fiscale"].SetString(cf.c_str(), d.GetAllocator());
             }),
             "invalid-input", "/citizen/codice_fiscale", "check character");
}

TEST_F(BadInput, UnknownFieldIsNamed) {
  expectDead(variant([](rapidjson::Document& d) { d["citizen"].AddMember("shoe_size", 44, d.GetAllocator()); }),
             "invalid-input", "/citizen/shoe_size", "unknown field");
}

TEST_F(BadInput, OversizedBodyIs413) {
  std::string big(70000, ' ');
  big = "{\"pad\":\"" + std::string(69000, 'x') + "\"}";
  auto r = client_->post("/ingest/sisa", big, "application/json");
  EXPECT_EQ(r.status, 413);
  EXPECT_NE(r.body.find("over the limit"), std::string::npos) << r.body;
}

TEST_F(BadInput, UnknownAdapterIs404AndNamesTheKnownOnes) {
  auto r = client_->post("/ingest/nosuch", "{}", "application/json");
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(r.body.find("sisa"), std::string::npos);
}

TEST_F(BadInput, WrongMediaTypeIs415) {
  auto r = client_->post("/ingest/sisa", "<xml/>", "application/xml");
  EXPECT_EQ(r.status, 415);
}

TEST_F(BadInput, DuplicateGetsTheFirstAnswer) {
  std::string body = variant([](rapidjson::Document&) {});
  auto a = client_->post("/ingest/sisa", body, "application/json");
  auto b = client_->post("/ingest/sisa", body, "application/json");
  EXPECT_EQ(a.status, 202);
  EXPECT_EQ(b.status, 202);
  EXPECT_EQ(messageId(a), messageId(b));
  EXPECT_EQ(b.header("Idempotent-Replayed"), "true");
}

TEST_F(BadInput, SlowClientDoesNotBlockOthersAndIsCutOff) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(server_->port());
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  const char partial[] = "POST /ingest/sisa HTTP/1.1\r\nHost: x\r\n";
  ASSERT_GT(write(fd, partial, sizeof partial - 1), 0);
  // Others are served while the slow client dawdles.
  EXPECT_EQ(client_->get("/healthz").status, 200);
  // The server closes the slow connection after http.read_timeout_ms.
  char buf[256];
  timeval tv{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  EXPECT_LE(read(fd, buf, sizeof buf), 0);
  close(fd);
}

TEST_F(BadInput, NothingElseIsAffected) {
  auto good = synth::generateCitizens({32, 1})[0];
  auto r = client_->post("/ingest/sisa", good.sisa_json, "application/json");
  ASSERT_EQ(r.status, 202);
  EXPECT_STREQ(waitFinal(*client_, messageId(r))["state"].GetString(), "done");
  EXPECT_EQ(client_->get("/readyz").status, 200);
}

}  // namespace
}  // namespace raccordo::testing
