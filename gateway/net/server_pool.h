#pragma once
// The threads and the listening socket the HTTP and MLLP servers share in
// shape. Internal to gateway/net: only the servers' .cpp files include it (it
// brings in Asio); no Beast and no coroutines here.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>

#include <cstddef>
#include <cstdint>
#include <exception>
#include <string>
#include <thread>
#include <vector>

#include "gateway/core/result.h"

namespace raccordo::net {

/// An io_context run by the I/O threads, a pool where blocking handlers run
/// (a durable commit may block), and the acceptor, on its own strand.
/// start: listen(), spawn the accept loop on acceptor, run(). stop: close
/// the acceptor, drain the connections (the server's own business), join().
struct ServerPool {
  explicit ServerPool(std::size_t handler_threads) : pool(handler_threads) {}

  boost::asio::io_context io;
  boost::asio::thread_pool pool;
  boost::asio::ip::tcp::acceptor acceptor{boost::asio::make_strand(io)};
  std::vector<std::thread> threads;

  /// Resolves `host` and listens on host:port; a failure is a kConfig error
  /// at `config_key` ("http.listen").
  Status listen(const std::string& host, uint16_t port, const char* config_key);
  /// Runs the io_context on `io_threads` threads.
  void run(int io_threads);
  bool running() const { return !threads.empty(); }
  /// The bound port (useful with port 0); 0 when not listening.
  uint16_t port() const;
  /// Closes the acceptor on its strand: the accept loop ends.
  void closeAcceptor();
  /// Waits for the handler calls in the pool, stops the io_context and joins
  /// the I/O threads.
  void join();
};

/// Completion handler for a detached session coroutine: logs an exception
/// that escaped it ("<server>: session failed: ...") instead of ending the
/// process.
struct LogSessionFailure {
  const char* server;  // "http", "mllp"
  void operator()(std::exception_ptr e) const;
};

}  // namespace raccordo::net
