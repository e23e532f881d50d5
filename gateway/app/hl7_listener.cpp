#include "gateway/app/hl7_listener.h"

#include <spdlog/spdlog.h>

#include "adapters/ats/ats_ack.h"
#include "gateway/journal/journal.h"
#include "gateway/net/mllp_server.h"
#include "gateway/security/authenticator.h"

namespace raccordo {

namespace {

constexpr const char* kAdapter = "ats-hl7";
constexpr const char* kMediaType = "x-application/hl7-v2+er7";

// The sender recorded with each message, and half of its duplicate key: the
// client certificate's CN under TLS, else the transport.
std::string senderOf(const MllpPeer& peer) { return peer.client_cn.empty() ? "mllp" : "mllp:" + peer.client_cn; }

}  // namespace

Result<std::unique_ptr<MllpServer>> makeHl7Listener(const Config& config, Journal& journal,
                                                    const Authenticator& auth, Metrics& metrics) {
  if (config.str("mllp.listen").empty()) return std::unique_ptr<MllpServer>();
  auto listen = parseHostPort(config.str("mllp.listen"), "mllp.listen");
  if (!listen.ok()) return listen.error();
  MllpServerOptions o;
  o.host = listen->host;
  o.port = listen->port;
  o.io_threads = static_cast<int>(config.integer("mllp.io_threads"));
  o.handler_threads = static_cast<int>(config.integer("mllp.handler_threads"));
  o.max_message_bytes = static_cast<size_t>(config.integer("mllp.max_message_bytes"));
  o.idle_timeout = std::chrono::milliseconds(config.integer("mllp.idle_timeout_ms"));
  o.read_timeout = std::chrono::milliseconds(config.integer("mllp.read_timeout_ms"));
  o.max_connections = static_cast<int>(config.integer("mllp.max_connections"));
  o.tls.cert_file = config.str("mllp.tls.cert_file");
  o.tls.key_file = config.str("mllp.tls.key_file");
  o.tls.ca_file = config.str("mllp.tls.ca_file");
  o.tls.require_client_cert = config.boolean("mllp.tls.require_client_cert");
  if (o.tls.cert_file.empty() != o.tls.key_file.empty()) {
    return Error(ErrorCode::kConfig, "mllp.tls.cert_file and mllp.tls.key_file go together", "mllp.tls.key_file");
  }
  if (o.tls.require_client_cert && o.tls.ca_file.empty()) {
    return Error(ErrorCode::kConfig, "mllp.tls.require_client_cert needs mllp.tls.ca_file", "mllp.tls.ca_file");
  }
  ats::AckSettings ack;
  ack.application = config.str("hl7.receiving_application");
  ack.facility = config.str("hl7.receiving_facility");

  // Authenticated before anything is parsed: a refused peer gets no ACK and
  // loses the connection (the handler throws).
  auto admit = [&auth](const MllpPeer& peer) {
    RequestHead head;
    head.method = "MLLP";
    head.target = "/mllp";
    head.remote_address = peer.remote_address;
    if (!peer.client_cn.empty()) head.headers["x-client-cn"] = peer.client_cn;
    auto principal = auth.authenticate(head);
    if (!principal.ok()) {
      spdlog::warn("mllp: refused {}:{}: {}", peer.remote_address, peer.remote_port, principal.error().describe());
      throw RaccordoException(principal.error());
    }
  };

  MllpHandler handler = [&journal, ack, admit](std::string_view message, const MllpPeer& peer) {
    admit(peer);
    IngestRequest request;
    request.adapter = kAdapter;
    request.sender = senderOf(peer);
    request.content_type = kMediaType;
    request.body = std::string(message);
    ats::AckOutcome outcome;
    try {
      outcome = ats::outcomeOf(journal.ingest(request));
    } catch (const RaccordoException& e) {
      // Not stored: an AR tells the sender to try again later.
      spdlog::error("mllp: message from {} not journaled: {}", peer.remote_address, e.what());
      outcome.error = Error(ErrorCode::kUnavailable, "non memorizzato, reinviare: " + e.error().message);
    }
    return ats::ackFor(message, outcome, ack);
  };

  MllpOversizeHandler on_oversize = [ack, admit](const MllpOversize& oversize, const MllpPeer& peer) {
    admit(peer);
    spdlog::warn("mllp: {} from {}; connection closed", oversize.describe(), peer.remote_address);
    ats::AckOutcome outcome;
    outcome.error = Error(ErrorCode::kTooLarge, oversize.describe(), "MLLP");
    return ats::ackFor(oversize.head, outcome, ack);
  };

  return std::make_unique<MllpServer>(o, std::move(handler), metrics, std::move(on_oversize));
}

}  // namespace raccordo
