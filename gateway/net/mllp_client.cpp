#include <utility>

#include "gateway/net/mllp_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <poll.h>

#include <optional>

#include "gateway/net/mllp_framer.h"

namespace raccordo {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

struct MllpClient::Impl {
  std::string host;
  uint16_t port = 0;
  std::chrono::milliseconds timeout;
  asio::io_context io;
  std::optional<tcp::socket> socket;
  std::string buffer;
  bool timed_out = false;  // the last exchange waited its whole timeout

  void connect() {
    tcp::resolver resolver(io);
    socket.emplace(io);
    asio::connect(*socket, resolver.resolve(host, std::to_string(port)));
    socket->set_option(tcp::no_delay(true));
    buffer.clear();
  }

  // Reads until the reply's end block, waiting at most `timeout` in all.
  // (SO_RCVTIMEO would not do: Asio's blocking read polls again forever
  // when recv gives up.)
  Result<std::size_t> readReply() {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    std::size_t end;
    while ((end = buffer.find("\x1c\x0d")) == std::string::npos) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      pollfd p{socket->native_handle(), POLLIN, 0};
      if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) {
        timed_out = true;
        return Error(ErrorCode::kUnavailable, "no reply within " + std::to_string(timeout.count()) + " ms", "mllp");
      }
      char chunk[4096];
      boost::system::error_code ec;
      std::size_t n = socket->read_some(asio::buffer(chunk), ec);
      if (ec) return Error(ErrorCode::kUnavailable, "no reply: " + ec.message(), "mllp");
      buffer.append(chunk, n);
    }
    return end + 2;
  }

  Result<std::string> exchange(const std::string& frame) {
    timed_out = false;
    boost::system::error_code ec;
    asio::write(*socket, asio::buffer(frame), ec);
    if (ec) return Error(ErrorCode::kUnavailable, "send failed: " + ec.message(), "mllp");
    auto end = readReply();
    if (!end.ok()) return end.error();
    std::string reply = buffer.substr(0, *end);
    buffer.erase(0, *end);
    std::size_t start = reply.find('\x0b');
    if (start == std::string::npos) return Error(ErrorCode::kInvalidInput, "reply is not MLLP-framed", "mllp");
    return reply.substr(start + 1, reply.size() - start - 3);
  }
};

MllpClient::MllpClient(std::string host, uint16_t port, std::chrono::milliseconds timeout)
    : impl_(std::make_unique<Impl>()) {
  impl_->host = std::move(host);
  impl_->port = port;
  impl_->timeout = timeout;
}

MllpClient::~MllpClient() = default;

Result<std::string> MllpClient::send(const std::string& message) {
  std::string frame = mllpFrame(message);
  bool reused = impl_->socket.has_value();
  try {
    if (!reused) impl_->connect();
    auto r = impl_->exchange(frame);
    if (!r.ok() && reused && !impl_->timed_out) {
      // One retry on a connection the server closed while idle (not on a silent one).
      impl_->connect();
      r = impl_->exchange(frame);
    }
    // A connection that failed is not used again: a late reply would answer the next message.
    if (!r.ok()) impl_->socket.reset();
    return r;
  } catch (const std::exception& e) {
    impl_->socket.reset();
    return Error(ErrorCode::kUnavailable, std::string("cannot connect: ") + e.what(), "mllp");
  }
}

}  // namespace raccordo
