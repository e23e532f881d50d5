#pragma once
// HTTP/1.1 server (Boost.Beast, Asio coroutines). Per connection: read the
// head with a timeout and size limit, authenticate, check the declared body
// size, read the body, run the handler on the handler pool (handlers may
// block on durable commits), write the answer; keep-alive until idle.
// Beast stays in the .cpp.

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "gateway/api/http_types.h"
#include "gateway/core/metrics.h"
#include "gateway/core/result.h"
#include "gateway/security/authenticator.h"

namespace raccordo {

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;
  size_t body_limit = 8 * 1024 * 1024;
  size_t header_limit = 16 * 1024;
  std::chrono::milliseconds read_timeout{30000};
  std::chrono::milliseconds idle_timeout{60000};
  int io_threads = 2;
  int handler_threads = 64;
  int max_connections = 1024;
};

using RequestHandler = std::function<HttpResponse(const HttpRequest&)>;

class HttpServer {
 public:
  HttpServer(HttpServerOptions options, RequestHandler handler, const Authenticator& auth, Metrics& metrics);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  /// Binds, listens and starts the threads.
  Status start();
  /// The bound port (useful with port 0).
  uint16_t port() const;
  /// Stops accepting, lets requests in flight finish (up to `drain`), closes
  /// idle connections and joins the threads.
  void stop(std::chrono::milliseconds drain);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace raccordo
