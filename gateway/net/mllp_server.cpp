#include <utility>  // Boost 1.74's asio/awaitable.hpp needs it first.

#include "gateway/net/mllp_server.h"
#include "gateway/net/server_pool.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <set>
#include <type_traits>
#include <vector>

namespace raccordo {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using asio::awaitable;
using asio::use_awaitable;
using TlsStream = ssl::stream<beast::tcp_stream>;

namespace {

constexpr size_t kReadBufferBytes = 16 * 1024;
// After an oversize reply, what is still in flight is read and dropped for
// at most this long / this much before closing: closing with unread data
// resets the connection, and the sender would never see the reply.
constexpr std::chrono::seconds kLingerTime{2};
constexpr size_t kLingerBytes = 64u << 20;

/// The subject CN of the peer's certificate, or "" without one.
std::string clientCommonName(SSL* ssl) {
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
  X509* cert = SSL_get1_peer_certificate(ssl);
#else
  X509* cert = SSL_get_peer_certificate(ssl);
#endif
  if (cert == nullptr) return {};
  std::string cn;
  X509_NAME* subject = X509_get_subject_name(cert);
  int index = subject != nullptr ? X509_NAME_get_index_by_NID(subject, NID_commonName, -1) : -1;
  if (index >= 0) {
    ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, index));
    unsigned char* utf8 = nullptr;
    int len = ASN1_STRING_to_UTF8(&utf8, data);
    if (len > 0) cn.assign(reinterpret_cast<char*>(utf8), static_cast<size_t>(len));
    OPENSSL_free(utf8);
  }
  X509_free(cert);
  return cn;
}

}  // namespace

// What stop() needs to reach a connection: its strand, its socket layer and
// whether it is waiting for the peer (then it can be cancelled: no message of
// it is being handled).
struct ConnectionBase {
  virtual ~ConnectionBase() = default;
  virtual beast::tcp_stream& tcp() = 0;
  bool waiting = false;  // touched on the connection's strand only
};

template <class Stream>
struct Connection : ConnectionBase {
  template <class... Args>
  explicit Connection(Args&&... args) : stream(std::forward<Args>(args)...) {}
  beast::tcp_stream& tcp() override { return beast::get_lowest_layer(stream); }
  Stream stream;
};

struct MllpServer::Impl {
  MllpServerOptions options;
  MllpHandler handler;
  MllpOversizeHandler on_oversize;
  Metrics& metrics;

  // Declared before `server` (its io_context): sessions still suspended when it is
  // destroyed release their slot in these on the way out.
  std::atomic<bool> stopping{false};
  std::atomic<int> connections{0};
  std::mutex mu;
  std::condition_variable closed;
  std::set<std::shared_ptr<ConnectionBase>> live;
  std::unique_ptr<ssl::context> tls;

  net::ServerPool server;

  Impl(MllpServerOptions o, MllpHandler h, Metrics& m, MllpOversizeHandler ov)
      : options(std::move(o)), handler(std::move(h)), on_oversize(std::move(ov)), metrics(m),
        server(static_cast<size_t>(std::max(1, options.handler_threads))) {}

  Status loadTls() {
    const MllpTlsOptions& t = options.tls;
    auto fail = [](const std::string& what, const std::string& file, const boost::system::error_code& ec) {
      return Error(ErrorCode::kConfig, "cannot load the TLS " + what + " '" + file + "': " + ec.message(),
                   "mllp.tls");
    };
    if (t.require_client_cert && t.ca_file.empty()) {
      return Error(ErrorCode::kConfig, "require_client_cert needs a CA file for client certificates", "mllp.tls");
    }
    tls = std::make_unique<ssl::context>(ssl::context::tls_server);
    boost::system::error_code ec;
    tls->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                         ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::single_dh_use,
                     ec);
    tls->use_certificate_chain_file(t.cert_file, ec);
    if (ec) return fail("certificate", t.cert_file, ec);
    tls->use_private_key_file(t.key_file, ssl::context::pem, ec);
    if (ec) return fail("key", t.key_file, ec);
    if (!t.ca_file.empty()) {
      tls->load_verify_file(t.ca_file, ec);
      if (ec) return fail("CA file", t.ca_file, ec);
      // Tell clients which CAs we accept, so they pick the right certificate.
      if (STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(t.ca_file.c_str())) {
        SSL_CTX_set_client_CA_list(tls->native_handle(), names);
      }
      tls->set_verify_mode(ssl::verify_peer | (t.require_client_cert ? ssl::verify_fail_if_no_peer_cert : 0), ec);
    }
    return {};
  }

  awaitable<std::string> runHandler(std::string_view message, const MllpPeer& peer) {
    co_return handler(message, peer);
  }

  awaitable<std::string> runOversize(const MllpOversize& oversize, const MllpPeer& peer) {
    co_return on_oversize ? on_oversize(oversize, peer) : std::string();
  }

  template <class Stream>
  awaitable<boost::system::error_code> writeFrame(Connection<Stream>& conn, std::string_view payload) {
    std::string framed = mllpFrame(payload);
    boost::system::error_code ec;
    conn.tcp().expires_after(options.idle_timeout);
    co_await asio::async_write(conn.stream, asio::buffer(framed), asio::redirect_error(use_awaitable, ec));
    co_return ec;
  }

  template <class Stream>
  awaitable<void> lingeringClose(Connection<Stream>& conn) {
    boost::system::error_code ec;
    if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
      conn.stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    }
    conn.tcp().expires_after(kLingerTime);
    std::array<char, kReadBufferBytes> scratch{};
    size_t total = 0;
    while (!ec && total < kLingerBytes) {
      total += co_await conn.stream.async_read_some(asio::buffer(scratch), asio::redirect_error(use_awaitable, ec));
    }
  }

  /// Reads with a timeout (the idle timeout, or what is left of the
  /// message's read timeout); stop() may cancel the read.
  template <class Stream>
  awaitable<size_t> readSome(Connection<Stream>& conn, std::array<char, kReadBufferBytes>& buffer,
                             boost::system::error_code& ec, std::chrono::milliseconds timeout) {
    conn.tcp().expires_after(timeout);
    conn.waiting = true;
    size_t n = co_await conn.stream.async_read_some(asio::buffer(buffer), asio::redirect_error(use_awaitable, ec));
    conn.waiting = false;
    co_return n;
  }

  void noteReadError(const boost::system::error_code& ec, const MllpPeer& peer, bool message_too_slow) {
    if (ec == beast::error::timeout && message_too_slow) {
      metrics.inc("raccordo_mllp_read_timeouts_total");
      spdlog::info("mllp: {}:{} took over {} ms to send one message, closing", peer.remote_address,
                   peer.remote_port, options.read_timeout.count());
    } else if (ec == beast::error::timeout) {
      metrics.inc("raccordo_mllp_idle_timeouts_total");
      spdlog::debug("mllp: {}:{} idle for {} ms, closing", peer.remote_address, peer.remote_port,
                    options.idle_timeout.count());
    } else if (ec != asio::error::eof && ec != asio::error::operation_aborted && ec != ssl::error::stream_truncated) {
      spdlog::debug("mllp: reading from {}:{} failed: {}", peer.remote_address, peer.remote_port, ec.message());
    }
  }

  template <class Stream>
  awaitable<void> session(std::shared_ptr<Connection<Stream>> conn, MllpPeer peer) {
    // Whatever ends the session (even an exception), its slot is given back.
    struct Release {
      Impl* self;
      std::shared_ptr<ConnectionBase> conn;
      ~Release() {
        std::lock_guard lock(self->mu);
        self->live.erase(conn);
        --self->connections;
        self->closed.notify_all();
      }
    } release{this, conn};
    constexpr bool kTls = std::is_same_v<Stream, TlsStream>;
    boost::system::error_code ec;

    if constexpr (kTls) {
      if (stopping) co_return;
      conn->tcp().expires_after(options.idle_timeout);
      conn->waiting = true;
      co_await conn->stream.async_handshake(ssl::stream_base::server, asio::redirect_error(use_awaitable, ec));
      conn->waiting = false;
      if (ec) {
        metrics.inc("raccordo_mllp_tls_handshake_failures_total");
        spdlog::info("mllp: TLS handshake with {}:{} failed: {}", peer.remote_address, peer.remote_port,
                     ec.message());
        co_return;
      }
      peer.client_cn = clientCommonName(conn->stream.native_handle());
    }

    MllpFramer framer(options.max_message_bytes);
    std::array<char, kReadBufferBytes> buffer{};
    uint64_t junk_reported = 0;
    bool open = true;
    // When the message being received must be complete (read_timeout).
    std::optional<std::chrono::steady_clock::time_point> message_deadline;
    while (open && !stopping) {
      std::chrono::milliseconds timeout = options.idle_timeout;
      bool deadline_first = false;
      if (message_deadline) {
        auto left = std::chrono::ceil<std::chrono::milliseconds>(*message_deadline - std::chrono::steady_clock::now());
        left = std::max(left, std::chrono::milliseconds(1));
        deadline_first = left < timeout;
        timeout = std::min(timeout, left);
      }
      size_t n = co_await readSome(*conn, buffer, ec, timeout);
      if (ec) {
        noteReadError(ec, peer, deadline_first);
        if (framer.inFrame()) {
          spdlog::info("mllp: connection with {}:{} ended in the middle of a message ({} bytes received)",
                       peer.remote_address, peer.remote_port, framer.pendingBytes());
        }
        break;
      }
      std::vector<MllpEvent> events = framer.feed(std::string_view(buffer.data(), n));
      // A new message starts its clock; one that ended stops it.
      if (!framer.inFrame()) {
        message_deadline.reset();
      } else if (!message_deadline || !events.empty()) {
        message_deadline = std::chrono::steady_clock::now() + options.read_timeout;
      }
      if (uint64_t junk = framer.junkBytes(); junk != junk_reported) {
        // Counted always, logged once per connection (the total at the end).
        metrics.inc("raccordo_mllp_junk_bytes_total", "", static_cast<int64_t>(junk - junk_reported));
        if (junk_reported == 0) {
          spdlog::warn("mllp: {}:{} sent {} bytes outside MLLP frames (skipped)", peer.remote_address,
                       peer.remote_port, junk);
        }
        junk_reported = junk;
      }
      for (const MllpEvent& event : events) {
        // A message read but not handled is not acknowledged: the sender resends it.
        if (stopping) {
          open = false;
          break;
        }
        if (event.kind == MllpEvent::Kind::kOversize) {
          metrics.inc("raccordo_mllp_oversize_total");
          spdlog::warn("mllp: {} from {}:{}; closing the connection", event.oversize.describe(), peer.remote_address,
                       peer.remote_port);
          std::string reply;
          try {
            reply = co_await asio::co_spawn(server.pool, runOversize(event.oversize, peer), use_awaitable);
          } catch (const std::exception& e) {
            spdlog::error("mllp: the oversize callback failed: {}", e.what());
          }
          if (!reply.empty()) ec = co_await writeFrame(*conn, reply);
          if (!ec) co_await lingeringClose(*conn);
          open = false;
          break;
        }
        metrics.inc("raccordo_mllp_messages_total");
        std::string ack;
        try {
          // Handlers block on durable commits: they run on the handler pool,
          // and this coroutine resumes on the connection's strand afterwards.
          ack = co_await asio::co_spawn(server.pool, runHandler(event.message, peer), use_awaitable);
        } catch (const std::exception& e) {
          metrics.inc("raccordo_mllp_handler_errors_total");
          spdlog::error("mllp: the handler failed for a message from {}:{}: {}; closing the connection",
                        peer.remote_address, peer.remote_port, e.what());
          open = false;
          break;
        }
        if (ack.empty()) continue;
        ec = co_await writeFrame(*conn, ack);
        if (ec) {
          spdlog::info("mllp: sending an ACK to {}:{} failed: {}", peer.remote_address, peer.remote_port,
                       ec.message());
          open = false;
          break;
        }
      }
    }
    if (framer.junkBytes() > 0) {
      spdlog::info("mllp: {}:{} sent {} bytes outside MLLP frames in all", peer.remote_address, peer.remote_port,
                   framer.junkBytes());
    }
    if constexpr (kTls) {
      // close_notify; a peer that already went away ends this at once.
      conn->tcp().expires_after(std::min<std::chrono::milliseconds>(options.idle_timeout, std::chrono::seconds(1)));
      co_await conn->stream.async_shutdown(asio::redirect_error(use_awaitable, ec));
    }
    conn->tcp().socket().shutdown(tcp::socket::shutdown_both, ec);
    conn->tcp().close();
  }

  template <class Stream>
  void launch(std::shared_ptr<Connection<Stream>> conn, MllpPeer peer) {
    {
      std::lock_guard lock(mu);
      live.insert(conn);
    }
    auto executor = conn->tcp().get_executor();
    asio::co_spawn(executor, session(std::move(conn), std::move(peer)), net::LogSessionFailure{"mllp"});
  }

  awaitable<void> acceptLoop() {
    for (;;) {
      boost::system::error_code ec;
      tcp::socket socket =
          co_await server.acceptor.async_accept(asio::make_strand(server.io), asio::redirect_error(use_awaitable, ec));
      if (ec) {
        if (stopping || ec == asio::error::operation_aborted) co_return;
        spdlog::warn("mllp: accept failed: {}", ec.message());
        continue;
      }
      if (stopping || connections.load() >= options.max_connections) {
        metrics.inc("raccordo_mllp_connections_refused_total");
        socket.close(ec);
        continue;
      }
      ++connections;
      metrics.inc("raccordo_mllp_connections_total");
      MllpPeer peer;
      tcp::endpoint remote = socket.remote_endpoint(ec);
      peer.remote_address = remote.address().to_string();
      peer.remote_port = remote.port();
      socket.set_option(tcp::no_delay(true), ec);  // ACKs are small and awaited
      if (tls) {
        peer.tls = true;
        launch(std::make_shared<Connection<TlsStream>>(beast::tcp_stream(std::move(socket)), *tls), std::move(peer));
      } else {
        launch(std::make_shared<Connection<beast::tcp_stream>>(std::move(socket)), std::move(peer));
      }
    }
  }
};

MllpServer::MllpServer(MllpServerOptions options, MllpHandler handler, Metrics& metrics,
                       MllpOversizeHandler on_oversize)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler), metrics, std::move(on_oversize))) {}

MllpServer::~MllpServer() { stop(std::chrono::milliseconds(0)); }

Status MllpServer::start() {
  auto& o = impl_->options;
  if (o.tls.enabled()) {
    if (Status st = impl_->loadTls(); !st.ok()) return st;
  }
  auto& server = impl_->server;
  if (Status st = server.listen(o.host, o.port, "mllp.listen"); !st.ok()) return st;
  asio::co_spawn(server.acceptor.get_executor(), impl_->acceptLoop(), asio::detached);
  server.run(std::max(1, o.io_threads));
  spdlog::info("mllp: listening on {}:{}{}", o.host, port(), o.tls.enabled() ? " (TLS)" : "");
  return {};
}

uint16_t MllpServer::port() const { return impl_->server.port(); }

void MllpServer::stop(std::chrono::milliseconds drain) {
  if (!impl_ || !impl_->server.running()) return;
  impl_->stopping = true;
  impl_->server.closeAcceptor();
  {
    std::unique_lock lock(impl_->mu);
    // Connections waiting for their peer end now; those whose message is
    // being handled send its ACK first (they see `stopping` afterwards).
    for (const auto& c : impl_->live) {
      asio::post(c->tcp().get_executor(), [c] {
        if (c->waiting) c->tcp().cancel();
      });
    }
    impl_->closed.wait_for(lock, drain, [&] { return impl_->connections.load() == 0; });
    for (const auto& c : impl_->live) {
      asio::post(c->tcp().get_executor(), [c] { c->tcp().close(); });
    }
  }
  impl_->server.join();
}

}  // namespace raccordo
