#include <utility>

#include "gateway/net/mllp_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
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

  void connect() {
    tcp::resolver resolver(io);
    socket.emplace(io);
    asio::connect(*socket, resolver.resolve(host, std::to_string(port)));
    socket->set_option(tcp::no_delay(true));
    // Blocking reads give up after the timeout instead of hanging a test.
    timeval tv{static_cast<time_t>(timeout.count() / 1000), static_cast<suseconds_t>((timeout.count() % 1000) * 1000)};
    setsockopt(socket->native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    buffer.clear();
  }

  Result<std::string> exchange(const std::string& frame) {
    boost::system::error_code ec;
    asio::write(*socket, asio::buffer(frame), ec);
    if (ec) return Error(ErrorCode::kUnavailable, "send failed: " + ec.message(), "mllp");
    std::size_t end = asio::read_until(*socket, asio::dynamic_buffer(buffer), "\x1c\x0d", ec);
    if (ec) return Error(ErrorCode::kUnavailable, "no reply: " + ec.message(), "mllp");
    std::string reply = buffer.substr(0, end);
    buffer.erase(0, end);
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
    if (r.ok() || !reused) return r;
    // One retry on a connection the server closed while idle.
    impl_->connect();
    return impl_->exchange(frame);
  } catch (const std::exception& e) {
    impl_->socket.reset();
    return Error(ErrorCode::kUnavailable, std::string("cannot connect: ") + e.what(), "mllp");
  }
}

}  // namespace raccordo
