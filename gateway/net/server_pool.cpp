#include "gateway/net/server_pool.h"

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

namespace raccordo::net {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

Status ServerPool::listen(const std::string& host, uint16_t port, const char* config_key) {
  boost::system::error_code ec;
  tcp::resolver resolver(io);
  auto results = resolver.resolve(host, std::to_string(port), ec);
  if (ec || results.empty()) {
    return Error(ErrorCode::kConfig, "cannot resolve '" + host + "': " + ec.message(), config_key);
  }
  tcp::endpoint endpoint = results.begin()->endpoint();
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Error(ErrorCode::kConfig, "cannot listen on " + host + ":" + std::to_string(port) + ": " + ec.message(),
                 config_key);
  }
  return {};
}

void ServerPool::run(int io_threads) {
  for (int i = 0; i < io_threads; ++i) {
    threads.emplace_back([this] { io.run(); });
  }
}

uint16_t ServerPool::port() const {
  boost::system::error_code ec;
  return acceptor.local_endpoint(ec).port();
}

void ServerPool::closeAcceptor() {
  asio::post(acceptor.get_executor(), [this] {
    boost::system::error_code ec;
    acceptor.close(ec);
  });
}

void ServerPool::join() {
  pool.join();
  io.stop();
  for (auto& t : threads) t.join();
  threads.clear();
}

void LogSessionFailure::operator()(std::exception_ptr e) const {
  if (!e) return;
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    spdlog::error("{}: session failed: {}", server, ex.what());
  }
}

}  // namespace raccordo::net
