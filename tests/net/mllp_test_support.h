#pragma once
// Shared by the MLLP listener tests: a blocking loopback client (POSIX
// sockets, optionally OpenSSL) and a server on an OS-chosen port. Every wait
// is a poll or a socket read with a deadline, never a sleep.

#include "gateway/net/mllp_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace raccordo::testing {

inline constexpr std::chrono::milliseconds kDeadline{10000};

inline bool waitFor(const std::function<bool()>& condition, std::chrono::milliseconds deadline = kDeadline) {
  auto until = std::chrono::steady_clock::now() + deadline;
  while (std::chrono::steady_clock::now() < until) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));  // polling interval, not synchronisation
  }
  return condition();
}

inline std::string hl7(const std::string& control_id) {
  return "MSH|^~\\&|PAS|ASST-TEST|RACCORDO|REGIONE|20260101120000||ADT^A28^ADT_A05|" + control_id +
         "|P|2.5\rPID|1||TEST0001^^^ASST&2.16.840.1.113883.2.9.4.3.2&ISO||ROSSI^MARIO\r";
}

inline std::string ackFor(std::string_view message) { return "ACK:" + std::string(message.substr(0, 120)); }

struct TlsFiles {
  std::string ca;    // CA of the server and of the client certificates
  std::string cert;  // client certificate ("" = none)
  std::string key;
};

/// A blocking loopback client (POSIX sockets, optionally OpenSSL); every
/// read has a deadline.
class Client {
 public:
  explicit Client(uint16_t port, const TlsFiles* tls = nullptr, std::chrono::milliseconds timeout = kDeadline) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    timeval tv{static_cast<time_t>(timeout.count() / 1000), static_cast<suseconds_t>((timeout.count() % 1000) * 1000)};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    if (connected_ && tls != nullptr) handshake(*tls);
  }
  ~Client() {
    if (ssl_ != nullptr) SSL_free(ssl_);
    if (ctx_ != nullptr) SSL_CTX_free(ctx_);
    ::close(fd_);
  }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  bool connected() const { return connected_; }
  bool handshakeOk() const { return handshake_ok_; }

  bool send(std::string_view bytes) {
    while (!bytes.empty()) {
      long n = ssl_ != nullptr ? SSL_write(ssl_, bytes.data(), static_cast<int>(bytes.size()))
                               : ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }
  bool sendMessage(std::string_view payload) { return send(mllpFrame(payload)); }

  /// The next frame's payload; nullopt on close, error or deadline.
  std::optional<std::string> readFrame() {
    while (pending_.empty()) {
      char buf[4096];
      long n = receive(buf, sizeof buf);
      if (n <= 0) return std::nullopt;
      for (auto& e : framer_.feed(std::string_view(buf, static_cast<size_t>(n)))) {
        if (e.kind == MllpEvent::Kind::kMessage) pending_.push_back(std::move(e.message));
      }
    }
    std::string front = std::move(pending_.front());
    pending_.erase(pending_.begin());
    return front;
  }

  /// Reads until the server closes: true on a clean close or a reset, false
  /// if data arrived or the deadline passed first.
  bool closedByServer() {
    char buf[4096];
    long n = receive(buf, sizeof buf);
    if (n == 0) return true;
    return n < 0 && errno != EAGAIN && errno != EWOULDBLOCK;
  }

 private:
  long receive(char* buf, size_t size) {
    errno = 0;
    if (ssl_ == nullptr) return ::recv(fd_, buf, size, 0);
    long n = SSL_read(ssl_, buf, static_cast<int>(size));
    if (n <= 0 && SSL_get_error(ssl_, static_cast<int>(n)) == SSL_ERROR_ZERO_RETURN) return 0;
    return n;
  }

  void handshake(const TlsFiles& tls) {
    ctx_ = SSL_CTX_new(TLS_client_method());
    SSL_CTX_load_verify_locations(ctx_, tls.ca.c_str(), nullptr);
    SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
    if (!tls.cert.empty()) {
      SSL_CTX_use_certificate_file(ctx_, tls.cert.c_str(), SSL_FILETYPE_PEM);
      SSL_CTX_use_PrivateKey_file(ctx_, tls.key.c_str(), SSL_FILETYPE_PEM);
    }
    ssl_ = SSL_new(ctx_);
    SSL_set_fd(ssl_, fd_);
    handshake_ok_ = SSL_connect(ssl_) == 1;
    ERR_clear_error();
  }

  int fd_ = -1;
  bool connected_ = false;
  bool handshake_ok_ = false;
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
  MllpFramer framer_{1 << 20};
  std::vector<std::string> pending_;
};

/// A running server on an OS-chosen loopback port.
class Harness {
 public:
  Harness(MllpServerOptions options, MllpHandler handler, MllpOversizeHandler on_oversize = {}) {
    options.host = "127.0.0.1";
    options.port = 0;
    server_ = std::make_unique<MllpServer>(std::move(options), std::move(handler), metrics_, std::move(on_oversize));
    Status st = server_->start();
    EXPECT_TRUE(st.ok()) << (st.ok() ? "" : st.error().describe());
  }
  ~Harness() { server_->stop(std::chrono::seconds(2)); }
  uint16_t port() const { return server_->port(); }
  MllpServer& server() { return *server_; }
  Metrics& metrics() { return metrics_; }

 private:
  Metrics metrics_;
  std::unique_ptr<MllpServer> server_;
};

inline MllpServerOptions smallOptions() {
  MllpServerOptions o;
  o.io_threads = 2;
  o.handler_threads = 4;
  o.max_message_bytes = 64 * 1024;
  o.idle_timeout = std::chrono::seconds(10);
  return o;
}

class MllpServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { std::signal(SIGPIPE, SIG_IGN); }
};

}  // namespace raccordo::testing
