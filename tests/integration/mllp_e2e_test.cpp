// HL7 v2 over MLLP through the real binary, driven by an external client:
// `mllp_send` from Debian's python3-hl7. ACK after the durable commit,
// duplicates answered with the first ACK, unsupported and malformed messages
// answered and kept, oversize and slow senders not blocking anybody else.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <regex>

#include "gateway/mapping/fhir_mapping.h"
#include "tests/integration/test_util.h"

namespace raccordo::testing {
namespace {

constexpr const char* kCf = "RSSMRA80A01F205X";  // the classic synthetic example, check char included

std::string adtA28(const std::string& control_id, const std::string& type = "ADT^A28^ADT_A05") {
  return "MSH|^~\\&|ATS_ANAGRAFE|ATS_MILANO|RACCORDO|COMUNE_MI|20261101120000||" + type + "|" + control_id +
         "|P|2.5|||||ITA|UNICODE UTF-8\r"
         "EVN|A28|20261101120000\r"
         "PID|1||" + std::string(kCf) + "^^^MEF&2.16.840.1.113883.2.9.4.3.2&ISO^NNITA||ROSSI^MARIO||19800101|M\r";
}

// Runs mllp_send on `messages` (plain HL7, one after another) and returns its
// standard output: one line per ACK.
std::string mllpSend(const std::filesystem::path& dir, uint16_t port, const std::string& messages) {
  static int n = 0;
  auto file = dir / ("send-" + std::to_string(n++) + ".hl7");
  {
    std::ofstream out(file, std::ios::binary);
    out << messages;
  }
  std::string cmd = "timeout 30 mllp_send --loose -p " + std::to_string(port) + " -f " + file.string() + " 127.0.0.1";
  std::string output;
  if (FILE* p = popen(cmd.c_str(), "r")) {
    char buf[4096];
    size_t got = 0;
    while ((got = fread(buf, 1, sizeof buf, p)) > 0) output.append(buf, got);
    EXPECT_EQ(pclose(p), 0) << cmd << "\n" << output;
  }
  return output;
}

// The journal id an ACK names in MSA-3 ("ricevuto (messaggio 12)").
int64_t ackedId(const std::string& ack) {
  std::smatch m;
  if (!std::regex_search(ack, m, std::regex("messaggio ([0-9]+)"))) return 0;
  return std::stoll(m[1]);
}

// A raw TCP client for what mllp_send cannot do (split frames, oversize).
class RawClient {
 public:
  explicit RawClient(uint16_t port) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    timeval tv{10, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  ~RawClient() { close(fd_); }
  bool connected() const { return connected_; }
  void send(std::string_view bytes) {
    while (!bytes.empty()) {
      ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return;
      bytes.remove_prefix(static_cast<size_t>(n));
    }
  }
  /// Reads one framed reply; empty on close or timeout.
  std::string readFrame() {
    std::string got;
    char buf[4096];
    while (got.find("\x1c\r") == std::string::npos) {
      ssize_t n = recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) return {};
      got.append(buf, static_cast<size_t>(n));
    }
    return got;
  }
  /// True when the server closed the connection (within the receive timeout).
  bool closedByPeer() {
    char c;
    return recv(fd_, &c, 1, 0) == 0;
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
};

std::string framed(const std::string& m) { return "\x0b" + m + "\x1c\r"; }

class MllpE2E : public ServerTest {
 protected:
  void SetUp() override {
    startServer({"mllp.max_message_bytes=4096"});
    ASSERT_GT(server_->mllpPort(), 0) << server_->log();
  }
};

TEST_F(MllpE2E, ExternalClientGetsAaAndThePatientAppears) {
  std::string ack = mllpSend(dir_.path(), server_->mllpPort(), adtA28("CTRL-1"));
  ASSERT_NE(ack.find("MSA|AA|CTRL-1"), std::string::npos) << ack << server_->log();
  EXPECT_NE(ack.find("ACK^A28^ACK"), std::string::npos) << ack;
  int64_t id = ackedId(ack);
  ASSERT_GT(id, 0) << ack;
  auto state = waitFinal(*client_, id);
  ASSERT_STREQ(state["state"].GetString(), "done") << server_->log();
  EXPECT_STREQ(state["adapter"].GetString(), "ats-hl7");
  auto search = client_->get("/fhir/Patient?identifier=http://hl7.it/sid/codiceFiscale%7C" + std::string(kCf));
  ASSERT_EQ(search.status, 200);
  EXPECT_EQ(parse(search.body)["total"].GetInt(), 1) << search.body;
}

TEST_F(MllpE2E, DuplicateGetsTheFirstAckAndIsNotJournaledTwice) {
  std::string first = mllpSend(dir_.path(), server_->mllpPort(), adtA28("CTRL-2"));
  std::string again = mllpSend(dir_.path(), server_->mllpPort(), adtA28("CTRL-2"));
  ASSERT_NE(first.find("MSA|AA|CTRL-2"), std::string::npos) << first;
  EXPECT_EQ(first, again);  // byte for byte
  std::string other = mllpSend(dir_.path(), server_->mllpPort(), adtA28("CTRL-3"));
  EXPECT_EQ(ackedId(other), ackedId(first) + 1);  // the duplicate took no journal entry
  auto metrics = client_->get("/metrics");
  EXPECT_NE(metrics.body.find("raccordo_messages_duplicate_total{adapter=\"ats-hl7\"} 1"), std::string::npos)
      << metrics.body;
}

TEST_F(MllpE2E, SeveralMessagesOnOneConnectionEachGetTheirAck) {
  std::string acks = mllpSend(dir_.path(), server_->mllpPort(), adtA28("M-1") + adtA28("M-2") + adtA28("M-3"));
  EXPECT_NE(acks.find("MSA|AA|M-1"), std::string::npos) << acks;
  EXPECT_NE(acks.find("MSA|AA|M-2"), std::string::npos) << acks;
  EXPECT_NE(acks.find("MSA|AA|M-3"), std::string::npos) << acks;
  EXPECT_LT(acks.find("M-1"), acks.find("M-2"));
  EXPECT_LT(acks.find("M-2"), acks.find("M-3"));
}

TEST_F(MllpE2E, UnsupportedTypeGetsArAndIsKept) {
  std::string ack = mllpSend(dir_.path(), server_->mllpPort(), adtA28("CTRL-4", "SIU^S12^SIU_S12"));
  ASSERT_NE(ack.find("MSA|AR|CTRL-4"), std::string::npos) << ack;
  EXPECT_NE(ack.find("ERR||MSH^1^9^1|200^^HL70357|E"), std::string::npos) << ack;
  int64_t id = ackedId(ack);
  ASSERT_GT(id, 0) << ack;
  auto state = parse(client_->get("/messages/" + std::to_string(id)).body);
  EXPECT_STREQ(state["state"].GetString(), "rejected");
  auto raw = client_->get("/messages/" + std::to_string(id) + "/raw");
  EXPECT_NE(raw.body.find("SIU^S12"), std::string::npos);  // the raw input is kept
}

TEST_F(MllpE2E, MalformedMessageGetsAeWithItsLocation) {
  std::string no_control_id = adtA28("");
  std::string ack = mllpSend(dir_.path(), server_->mllpPort(), no_control_id);
  ASSERT_NE(ack.find("MSA|AE|"), std::string::npos) << ack;
  EXPECT_NE(ack.find("ERR||MSH^1^10"), std::string::npos) << ack;
}

TEST_F(MllpE2E, OversizeGetsArAndCloseWhileOthersAreServed) {
  RawClient slow(server_->mllpPort());  // half a frame, then silence
  ASSERT_TRUE(slow.connected());
  slow.send("\x0b" + adtA28("SLOW").substr(0, 40));

  RawClient big(server_->mllpPort());
  ASSERT_TRUE(big.connected());
  std::string huge = adtA28("BIG-1") + "NTE|1||" + std::string(8000, 'x') + "\r";
  big.send(framed(huge));
  std::string ack = big.readFrame();
  EXPECT_NE(ack.find("MSA|AR|BIG-1"), std::string::npos) << ack;
  EXPECT_NE(ack.find("4096"), std::string::npos) << ack;  // names the limit
  EXPECT_TRUE(big.closedByPeer());

  // Split into single bytes, on a new connection, while `slow` still waits.
  RawClient split(server_->mllpPort());
  for (char c : framed(adtA28("SPLIT-1"))) split.send(std::string_view(&c, 1));
  EXPECT_NE(split.readFrame().find("MSA|AA|SPLIT-1"), std::string::npos);
  EXPECT_NE(mllpSend(dir_.path(), server_->mllpPort(), adtA28("AFTER")).find("MSA|AA|AFTER"), std::string::npos);
}

// The same adapter also takes files: an FHS/BHS batch dropped in its watched
// folder is journaled one message at a time; the bad one is listed beside it.
TEST_F(MllpE2E, DroppedBatchFileIsJournaledMessageByMessage) {
  namespace fs = std::filesystem;
  fs::path folder = dir_.path() / "drop" / "ats-hl7";
  std::string batch = "FHS|^~\\&|ATS_ANAGRAFE|ATS_MILANO\rBHS|^~\\&|ATS_ANAGRAFE|ATS_MILANO\r" + adtA28("B-1") +
                      adtA28("B-2", "SIU^S12^SIU_S12") + adtA28("B-3") + "BTS|3\rFTS|1\r";
  {
    std::ofstream out(folder / "incoming" / ".batch.hl7", std::ios::binary);
    out << batch;
  }
  fs::rename(folder / "incoming" / ".batch.hl7", folder / "incoming" / "batch.hl7");
  ASSERT_TRUE(pollUntil([&] { return fs::exists(folder / "done" / "batch.hl7"); }, std::chrono::seconds(20)))
      << server_->log();
  std::string rejects = readFile(folder / "done" / "batch.hl7.rejects.csv");
  EXPECT_NE(rejects.find("\"message 2: MSH-9\";unsupported;"), std::string::npos) << rejects;
  EXPECT_EQ(std::count(rejects.begin(), rejects.end(), '\n'), 2) << rejects;  // header and one line
  // Three journal entries: B-1 and B-3 applied, B-2 kept as rejected.
  auto third = waitFinal(*client_, 3);
  EXPECT_STREQ(third["state"].GetString(), "done") << server_->log();
  EXPECT_STREQ(parse(client_->get("/messages/2").body)["state"].GetString(), "rejected");
  EXPECT_EQ(client_->get("/messages/4").status, 404);
}

}  // namespace
}  // namespace raccordo::testing
