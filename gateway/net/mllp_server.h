#pragma once
// MLLP listener (HL7 v2 over TCP, optionally TLS; Asio coroutines). Per
// connection: optional TLS handshake, then read with an idle timeout, frame
// (MllpFramer), run the handler on the handler pool, write its ACK, and only
// then handle the next message: messages on one connection are handled
// strictly in order, one at a time. Asio and OpenSSL stay in the .cpp.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "gateway/core/metrics.h"
#include "gateway/core/result.h"
#include "gateway/net/mllp_framer.h"

namespace raccordo {

struct MllpTlsOptions {
  std::string cert_file;  // PEM certificate chain of the server; empty = no TLS
  std::string key_file;   // PEM private key
  std::string ca_file;    // PEM CAs that sign client certificates; empty = none asked
  bool require_client_cert = false;  // needs ca_file; a client without a valid certificate is refused

  bool enabled() const { return !cert_file.empty(); }
};

struct MllpServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 2575;  // 0: the OS picks one, see MllpServer::port()
  int io_threads = 2;
  int handler_threads = 16;  // handlers block on durable commits
  size_t max_message_bytes = 4 * 1024 * 1024;
  /// A connection that sends nothing for this long (between messages, in the
  /// middle of one, or during the TLS handshake) is closed; also bounds writes.
  std::chrono::milliseconds idle_timeout{60000};
  /// Time allowed to receive one whole message once its first byte arrived:
  /// a sender trickling a byte just inside each idle timeout is cut off too.
  std::chrono::milliseconds read_timeout{120000};
  int max_connections = 1024;  // further connections are closed at once
  MllpTlsOptions tls;
};

/// Who sent a message.
struct MllpPeer {
  std::string remote_address;
  uint16_t remote_port = 0;
  bool tls = false;
  std::string client_cn;  // subject CN of the verified client certificate; empty without one
};

/// Called once per message, on a handler thread, concurrently for different
/// connections (never for the same one). May block. Returns the ACK payload,
/// which the server frames and sends; an empty string sends nothing. If it
/// throws, nothing is sent and the connection is closed (the sender resends).
using MllpHandler = std::function<std::string(std::string_view message, const MllpPeer& peer)>;

/// Called instead of the handler for a message over max_message_bytes, on a
/// handler thread. Returns the reply payload (empty: none); the server sends
/// it and closes the connection.
using MllpOversizeHandler = std::function<std::string(const MllpOversize& oversize, const MllpPeer& peer)>;

class MllpServer {
 public:
  MllpServer(MllpServerOptions options, MllpHandler handler, Metrics& metrics,
             MllpOversizeHandler on_oversize = {});
  ~MllpServer();
  MllpServer(const MllpServer&) = delete;
  MllpServer& operator=(const MllpServer&) = delete;

  /// Loads the TLS files, binds, listens and starts the threads.
  Status start();
  /// The bound port (useful with port 0).
  uint16_t port() const;
  /// Stops accepting and closes idle connections; a connection whose
  /// message is being handled gets its ACK, then is closed. Waits up to
  /// `drain` for that, then closes what is left; handler calls already
  /// running are always waited for (they cannot be interrupted).
  void stop(std::chrono::milliseconds drain);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace raccordo
