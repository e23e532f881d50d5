// MllpServer with TLS: client certificates (the handler sees the subject
// CN), optional and required client certificates, bad files at start. The
// PKI is made at test time with the openssl command and never committed.

#include "tests/net/mllp_test_support.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace raccordo {
namespace {

using namespace std::chrono_literals;
using namespace raccordo::testing;
namespace fs = std::filesystem;

/// A throwaway PKI made with the openssl command in a temporary folder:
/// a CA, a server certificate, a client certificate it signed and one signed
/// by another CA. Never committed.
class MllpTlsTest : public MllpServerTest {
 protected:
  static void SetUpTestSuite() {
    MllpServerTest::SetUpTestSuite();
    char templ[] = "/tmp/raccordo-mllp-tls-XXXXXX";
    if (::mkdtemp(templ) == nullptr) return;
    dir_ = new fs::path(templ);
    std::string d = dir_->string();
    const std::string ec = " -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
    std::string script = "cd '" + d + "' && ( "
        "openssl req -x509" + ec + " -keyout ca.key -out ca.crt -days 2 -subj '/CN=Raccordo Test CA'"
        " -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign &&"
        " openssl req -x509" + ec + " -keyout other-ca.key -out other-ca.crt -days 2 -subj '/CN=Other CA'"
        " -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign &&"
        " printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\nextendedKeyUsage=serverAuth\\n' > server.ext &&"
        " printf 'extendedKeyUsage=clientAuth\\n' > client.ext &&"
        " openssl req" + ec + " -keyout server.key -out server.csr -subj '/CN=localhost' &&"
        " openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out server.crt -days 2"
        " -extfile server.ext &&"
        " openssl req" + ec + " -keyout client.key -out client.csr -subj '/O=ASST Test/CN=ASST-TEST-PAS' &&"
        " openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out client.crt -days 2"
        " -extfile client.ext &&"
        " openssl req" + ec + " -keyout rogue.key -out rogue.csr -subj '/CN=ROGUE' &&"
        " openssl x509 -req -in rogue.csr -CA other-ca.crt -CAkey other-ca.key -CAcreateserial -out rogue.crt"
        " -days 2 -extfile client.ext ) > openssl.log 2>&1";
    ok_ = std::system(script.c_str()) == 0;
  }
  static void TearDownTestSuite() {
    if (dir_ != nullptr) {
      std::error_code ec;
      fs::remove_all(*dir_, ec);
      delete dir_;
      dir_ = nullptr;
    }
  }
  void SetUp() override {
    if (!ok_) GTEST_SKIP() << "cannot make test certificates with the openssl command";
  }
  static std::string file(const char* name) { return (*dir_ / name).string(); }

  static MllpServerOptions tlsOptions(bool require_client_cert) {
    auto o = smallOptions();
    o.tls.cert_file = file("server.crt");
    o.tls.key_file = file("server.key");
    o.tls.ca_file = file("ca.crt");
    o.tls.require_client_cert = require_client_cert;
    return o;
  }

  static inline fs::path* dir_ = nullptr;
  static inline bool ok_ = false;
};

TEST_F(MllpTlsTest, HandlerSeesTheClientCertificateCommonName) {
  std::string cn;
  std::mutex mu;
  Harness h(tlsOptions(true), [&](std::string_view m, const MllpPeer& peer) {
    std::lock_guard lock(mu);
    EXPECT_TRUE(peer.tls);
    cn = peer.client_cn;
    return ackFor(m);
  });
  TlsFiles files{file("ca.crt"), file("client.crt"), file("client.key")};
  Client c(h.port(), &files);
  ASSERT_TRUE(c.handshakeOk());
  std::string framed = mllpFrame(hl7("TLS1")) + mllpFrame(hl7("TLS2"));
  for (size_t i = 0; i < framed.size(); i += 7) ASSERT_TRUE(c.send(std::string_view(framed).substr(i, 7)));
  EXPECT_EQ(c.readFrame(), ackFor(hl7("TLS1")));
  EXPECT_EQ(c.readFrame(), ackFor(hl7("TLS2")));
  std::lock_guard lock(mu);
  EXPECT_EQ(cn, "ASST-TEST-PAS");
}

TEST_F(MllpTlsTest, OptionalClientCertificate) {
  std::vector<std::string> cns;
  std::mutex mu;
  Harness h(tlsOptions(false), [&](std::string_view m, const MllpPeer& peer) {
    std::lock_guard lock(mu);
    cns.push_back(peer.client_cn);
    return ackFor(m);
  });
  TlsFiles anonymous{file("ca.crt"), "", ""};
  Client a(h.port(), &anonymous);
  ASSERT_TRUE(a.handshakeOk());
  ASSERT_TRUE(a.sendMessage("anon"));
  EXPECT_EQ(a.readFrame(), ackFor("anon"));
  TlsFiles with_cert{file("ca.crt"), file("client.crt"), file("client.key")};
  Client b(h.port(), &with_cert);
  ASSERT_TRUE(b.sendMessage("named"));
  EXPECT_EQ(b.readFrame(), ackFor("named"));
  std::lock_guard lock(mu);
  EXPECT_EQ(cns, (std::vector<std::string>{"", "ASST-TEST-PAS"}));
}

TEST_F(MllpTlsTest, RequiredClientCertificateRefusesClientsWithoutOne) {
  std::atomic<int> handled{0};
  Harness h(tlsOptions(true), [&](std::string_view m, const MllpPeer&) {
    ++handled;
    return ackFor(m);
  });
  // With TLS 1.3 the client may finish its handshake before the server has
  // checked its certificate; the refusal then arrives on the first read.
  TlsFiles anonymous{file("ca.crt"), "", ""};
  Client a(h.port(), &anonymous);
  if (a.handshakeOk()) {
    a.sendMessage("anon");
    EXPECT_EQ(a.readFrame(), std::nullopt);
  }
  TlsFiles rogue{file("ca.crt"), file("rogue.crt"), file("rogue.key")};
  Client r(h.port(), &rogue);
  if (r.handshakeOk()) {
    r.sendMessage("rogue");
    EXPECT_EQ(r.readFrame(), std::nullopt);
  }
  EXPECT_TRUE(waitFor([&] {
    return h.metrics().render().find("raccordo_mllp_tls_handshake_failures_total 2\n") != std::string::npos;
  }));
  EXPECT_EQ(handled.load(), 0);
  // A plain-text client gets nowhere either.
  Client plain(h.port());
  ASSERT_TRUE(plain.sendMessage("plain"));
  EXPECT_EQ(plain.readFrame(), std::nullopt);
  EXPECT_EQ(handled.load(), 0);
}

TEST_F(MllpTlsTest, BadTlsFilesFailAtStart) {
  Metrics metrics;
  auto o = tlsOptions(false);
  o.port = 0;
  o.tls.key_file = file("missing.key");
  MllpServer server(o, [](std::string_view, const MllpPeer&) { return std::string(); }, metrics);
  Status st = server.start();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kConfig);
  EXPECT_NE(st.error().message.find("missing.key"), std::string::npos);

  auto r = tlsOptions(true);
  r.port = 0;
  r.tls.ca_file.clear();
  MllpServer server2(r, [](std::string_view, const MllpPeer&) { return std::string(); }, metrics);
  EXPECT_FALSE(server2.start().ok());
}

}  // namespace
}  // namespace raccordo
