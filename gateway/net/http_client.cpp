#include <utility>

#include "gateway/net/http_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <cctype>
#include <optional>

namespace raccordo {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

std::string ClientResponse::header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k.size() == name.size() &&
        std::equal(k.begin(), k.end(), name.begin(), [](char a, char b) { return std::tolower(a) == std::tolower(b); })) {
      return v;
    }
  }
  return {};
}

struct HttpClient::Impl {
  std::string host;
  uint16_t port;
  std::chrono::milliseconds timeout;
  asio::io_context io;
  std::optional<beast::tcp_stream> stream;
  beast::flat_buffer buffer;

  void connect() {
    tcp::resolver resolver(io);
    stream.emplace(io);
    stream->expires_after(timeout);
    stream->connect(resolver.resolve(host, std::to_string(port)));
    buffer.clear();
  }
};

HttpClient::HttpClient(std::string host, uint16_t port, std::chrono::milliseconds timeout)
    : impl_(std::make_unique<Impl>()) {
  impl_->host = std::move(host);
  impl_->port = port;
  impl_->timeout = timeout;
}

HttpClient::~HttpClient() = default;

ClientResponse HttpClient::request(const std::string& method, const std::string& target, const std::string& body,
                                   const std::vector<std::pair<std::string, std::string>>& headers) {
  ClientResponse out;
  // One retry on a stale keep-alive connection (the server may have closed it).
  for (int attempt = 0; attempt < 2; ++attempt) {
    bool reused = impl_->stream.has_value();
    try {
      if (!reused) impl_->connect();
      http::request<http::string_body> req{http::string_to_verb(method), target, 11};
      req.set(http::field::host, impl_->host + ":" + std::to_string(impl_->port));
      req.set(http::field::user_agent, "raccordo-client");
      for (const auto& [k, v] : headers) req.set(k, v);
      req.body() = body;
      req.prepare_payload();
      req.keep_alive(true);
      impl_->stream->expires_after(impl_->timeout);
      http::write(*impl_->stream, req);
      http::response_parser<http::string_body> parser;
      parser.body_limit(1ULL << 30);
      http::read(*impl_->stream, impl_->buffer, parser);
      auto& res = parser.get();
      out.status = res.result_int();
      for (const auto& f : res) out.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
      out.body = std::move(res.body());
      if (!res.keep_alive()) impl_->stream.reset();
      return out;
    } catch (const std::exception& e) {
      impl_->stream.reset();
      out.error = e.what();
      if (!reused) break;
    }
  }
  out.status = 0;
  return out;
}

ClientResponse HttpClient::post(const std::string& target, const std::string& body, const std::string& content_type,
                                const std::vector<std::pair<std::string, std::string>>& headers) {
  auto all = headers;
  all.emplace_back("Content-Type", content_type);
  return request("POST", target, body, all);
}

}  // namespace raccordo
