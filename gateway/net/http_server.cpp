#include <utility>  // Boost 1.74's asio/awaitable.hpp needs it first.

#include "gateway/net/http_server.h"

#include "gateway/api/router.h"
#include "gateway/net/server_pool.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <spdlog/spdlog.h>

#include <array>
#include <limits>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <set>

namespace raccordo {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using asio::awaitable;
using asio::use_awaitable;

namespace {

http::response<http::string_body> toBeast(const HttpResponse& r, unsigned version, bool keep_alive, bool head) {
  http::response<http::string_body> res{static_cast<http::status>(r.status), version};
  res.set(http::field::server, "Raccordo");
  res.set(http::field::content_type, r.content_type);
  for (const auto& [k, v] : r.headers) res.set(k, v);
  res.keep_alive(keep_alive);
  if (head) {
    res.content_length(r.body.size());
  } else {
    res.body() = r.body;
    res.prepare_payload();
  }
  return res;
}

}  // namespace

struct HttpServer::Impl {
  HttpServerOptions options;
  RequestHandler handler;
  const Authenticator& auth;
  Metrics& metrics;

  std::atomic<bool> stopping{false};
  std::atomic<int> connections{0};
  std::atomic<int> in_flight{0};
  std::mutex mu;
  std::condition_variable drained;
  std::set<std::shared_ptr<beast::tcp_stream>> streams;  // for closing idle connections at stop

  // Every socket (and the acceptor) lives on its own strand: Beast's timers
  // and stop()'s cancel run as separate handlers on the I/O threads. Declared
  // last, so it is destroyed first: sessions still suspended in it clean up
  // against a live mutex and set.
  net::ServerPool server;

  Impl(HttpServerOptions o, RequestHandler h, const Authenticator& a, Metrics& m)
      : options(std::move(o)), handler(std::move(h)), auth(a), metrics(m),
        server(static_cast<size_t>(options.handler_threads)) {}

  void count(int status) {
    metrics.inc("raccordo_http_responses_total", "code=\"" + std::to_string(status) + "\"");
  }

  awaitable<void> write(beast::tcp_stream& stream, const HttpResponse& r, unsigned version, bool keep_alive,
                        bool head) {
    auto res = toBeast(r, version, keep_alive, head);
    boost::system::error_code ec;
    stream.expires_after(options.read_timeout);
    if (head) {
      http::response_serializer<http::string_body> sr{res};
      co_await http::async_write_header(stream, sr, asio::redirect_error(use_awaitable, ec));
    } else {
      co_await http::async_write(stream, res, asio::redirect_error(use_awaitable, ec));
    }
    count(r.status);
  }

  // After refusing a request whose body was not read (401/403/413), keep
  // reading and discarding for a moment: closing at once would reset the
  // connection while the client is still sending, and it would never see
  // the answer (nginx's "lingering close").
  awaitable<void> lingeringClose(beast::tcp_stream& stream) {
    boost::system::error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream.expires_after(std::chrono::seconds(2));
    std::array<char, 16384> scratch{};
    size_t total = 0;
    while (!ec && total < (64u << 20)) {
      total += co_await stream.async_read_some(asio::buffer(scratch), asio::redirect_error(use_awaitable, ec));
    }
  }

  awaitable<HttpResponse> runHandler(const HttpRequest& req) {
    co_return handler(req);
  }

  awaitable<void> session(std::shared_ptr<beast::tcp_stream> stream, std::string remote) {
    // Whatever ends the session (even an exception), its slot is given back.
    struct Release {
      Impl* self;
      std::shared_ptr<beast::tcp_stream> stream;
      ~Release() {
        {
          std::lock_guard lock(self->mu);
          self->streams.erase(stream);
        }
        --self->connections;
      }
    } release{this, stream};
    beast::flat_buffer buffer;
    bool first = true;
    for (;;) {
      http::request_parser<http::string_body> parser;
      parser.header_limit(static_cast<std::uint32_t>(options.header_limit));
      // Beast checks Content-Length against the body limit while parsing the
      // head; the limit is set after authentication so that an
      // unauthenticated sender learns nothing and a too-large body gets a 413.
      parser.body_limit(std::numeric_limits<std::uint64_t>::max());
      boost::system::error_code ec;
      stream->expires_after(first ? options.read_timeout : options.idle_timeout);
      first = false;
      co_await http::async_read_header(*stream, buffer, parser, asio::redirect_error(use_awaitable, ec));
      if (ec == http::error::header_limit) {
        HttpResponse r;
        r.status = 431;
        r.body = R"({"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"too-costly","diagnostics":"request header block too large"}]})";
        co_await write(*stream, r, 11, false, false);
        break;
      }
      if (ec) {  // closed, timed out or malformed: nothing useful to answer
        if (ec != http::error::end_of_stream) spdlog::debug("http: reading a request head from {} failed: {}", remote, ec.message());
        break;
      }
      auto& head_msg = parser.get();
      HttpRequest req;
      req.method = std::string(head_msg.method_string());
      req.target = std::string(head_msg.target());
      req.remote_address = remote;
      for (const auto& f : head_msg) {
        std::string name(f.name_string());
        for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        req.headers[name] = std::string(f.value());
      }
      unsigned version = head_msg.version();
      bool head_only = head_msg.method() == http::verb::head;

      auto reject = [](const Error& e) { return errorResponse(e); };

      if (stopping) {
        co_await write(*stream, reject(Error(ErrorCode::kUnavailable, "the server is shutting down")), version, false,
                       false);
        break;
      }
      // Authenticate before a single byte of the body is read.
      Result<Principal> principal = auth.authenticate(req);
      if (!principal.ok()) {
        HttpResponse r = reject(principal.error());
        if (principal.error().code == ErrorCode::kUnauthorized) r.headers.emplace_back("WWW-Authenticate", "Bearer");
        co_await write(*stream, r, version, false, false);
        co_await lingeringClose(*stream);
        break;
      }
      if (auto len = parser.content_length(); len && *len > options.body_limit) {
        co_await write(*stream,
                       reject(Error(ErrorCode::kTooLarge, "request body of " + std::to_string(*len) +
                                                              " bytes is over the limit of " +
                                                              std::to_string(options.body_limit))),
                       version, false, false);
        co_await lingeringClose(*stream);
        break;
      }
      parser.body_limit(options.body_limit);
      if (beast::iequals(head_msg[http::field::expect], "100-continue")) {
        // The client waits for this before sending a large body (curl does).
        http::response<http::empty_body> cont{http::status::continue_, version};
        co_await http::async_write(*stream, cont, asio::redirect_error(use_awaitable, ec));
        if (ec) break;
      }
      stream->expires_after(options.read_timeout);
      co_await http::async_read(*stream, buffer, parser, asio::redirect_error(use_awaitable, ec));
      if (ec == http::error::body_limit) {
        co_await write(*stream,
                       reject(Error(ErrorCode::kTooLarge,
                                    "request body is over the limit of " + std::to_string(options.body_limit))),
                       version, false, false);
        co_await lingeringClose(*stream);
        break;
      }
      if (ec) {
        spdlog::debug("http: reading a body from {} failed: {}", remote, ec.message());
        break;
      }
      req.body = std::move(parser.get().body());
      req.principal = principal.value();
      req.splitTarget();
      bool keep_alive = parser.get().keep_alive();

      ++in_flight;
      HttpResponse resp;
      try {
        // Handlers may block on a durable commit: they run on the handler pool,
        // and this coroutine resumes on the I/O thread afterwards.
        resp = co_await asio::co_spawn(server.pool, runHandler(req), use_awaitable);
      } catch (const std::exception& e) {
        spdlog::error("http: handler failed for {} {}: {}", req.method, req.path, e.what());
        resp = reject(Error(ErrorCode::kInternal, "internal error"));
      }
      if (--in_flight == 0) {
        std::lock_guard lock(mu);
        drained.notify_all();
      }
      keep_alive = keep_alive && !stopping;
      co_await write(*stream, resp, version, keep_alive, head_only);
      if (!keep_alive) break;
    }
    boost::system::error_code ignored;
    stream->socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  awaitable<void> acceptLoop() {
    for (;;) {
      boost::system::error_code ec;
      tcp::socket socket =
          co_await server.acceptor.async_accept(asio::make_strand(server.io), asio::redirect_error(use_awaitable, ec));
      if (ec) {
        if (stopping || ec == asio::error::operation_aborted) co_return;
        spdlog::warn("http: accept failed: {}", ec.message());
        continue;
      }
      if (connections.load() >= options.max_connections) {
        metrics.inc("raccordo_http_connections_refused_total");
        socket.close(ec);
        continue;
      }
      ++connections;
      std::string remote = socket.remote_endpoint(ec).address().to_string();
      auto stream = std::make_shared<beast::tcp_stream>(std::move(socket));
      {
        std::lock_guard lock(mu);
        streams.insert(stream);
      }
      auto executor = stream->get_executor();
      asio::co_spawn(executor, session(stream, std::move(remote)), net::LogSessionFailure{"http"});
    }
  }
};

HttpServer::HttpServer(HttpServerOptions options, RequestHandler handler, const Authenticator& auth, Metrics& metrics)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler), auth, metrics)) {}

HttpServer::~HttpServer() { stop(std::chrono::milliseconds(0)); }

Status HttpServer::start() {
  auto& server = impl_->server;
  if (Status st = server.listen(impl_->options.host, impl_->options.port, "http.listen"); !st.ok()) return st;
  asio::co_spawn(server.acceptor.get_executor(), impl_->acceptLoop(), asio::detached);
  server.run(impl_->options.io_threads);
  return {};
}

uint16_t HttpServer::port() const { return impl_->server.port(); }

void HttpServer::stop(std::chrono::milliseconds drain) {
  if (!impl_ || !impl_->server.running()) return;
  impl_->stopping = true;
  impl_->server.closeAcceptor();
  {
    std::unique_lock lock(impl_->mu);
    impl_->drained.wait_for(lock, drain, [&] { return impl_->in_flight.load() == 0; });
    // Idle keep-alive connections are closed; their sessions end on the error.
    for (const auto& s : impl_->streams) {
      asio::post(s->get_executor(), [s] { s->cancel(); });
    }
  }
  impl_->server.join();
}

}  // namespace raccordo
