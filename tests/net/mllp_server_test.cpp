// MllpServer on loopback: framing splits, ordering, limits, slow and idle
// clients, hundreds of connections, draining stop, and a real external MLLP
// client (mllp_send from Debian's python3-hl7).

#include "gateway/net/mllp_client.h"
#include "tests/net/mllp_test_support.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace raccordo {
namespace {

using namespace std::chrono_literals;
using namespace raccordo::testing;
namespace fs = std::filesystem;

TEST_F(MllpServerTest, MessageWrittenOneByteAtATime) {
  std::vector<std::string> seen;
  std::mutex mu;
  Harness h(smallOptions(), [&](std::string_view m, const MllpPeer& peer) {
    std::lock_guard lock(mu);
    seen.emplace_back(m);
    EXPECT_EQ(peer.remote_address, "127.0.0.1");
    EXPECT_FALSE(peer.tls);
    return ackFor(m);
  });
  Client c(h.port());
  ASSERT_TRUE(c.connected());
  std::string framed = mllpFrame(hl7("ONEBYTE"));
  for (char byte : framed) ASSERT_TRUE(c.send(std::string_view(&byte, 1)));
  EXPECT_EQ(c.readFrame(), ackFor(hl7("ONEBYTE")));
  std::lock_guard lock(mu);
  EXPECT_EQ(seen, std::vector<std::string>{hl7("ONEBYTE")});
}

TEST_F(MllpServerTest, CoalescedMessagesAreHandledOneAtATimeInOrder) {
  std::atomic<int> active{0};
  std::atomic<int> max_active{0};
  std::vector<std::string> order;
  std::mutex mu;
  Harness h(smallOptions(), [&](std::string_view m, const MllpPeer&) {
    int now = ++active;
    max_active = std::max(max_active.load(), now);
    {
      std::lock_guard lock(mu);
      order.emplace_back(m.substr(m.find("ADT_A05|") + 8, 4));
    }
    --active;
    return ackFor(m);
  });
  Client c(h.port());
  std::string stream = "noise before the first frame";
  for (int i = 0; i < 20; ++i) stream += mllpFrame(hl7("M" + std::to_string(100 + i)));
  ASSERT_TRUE(c.send(stream));
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(c.readFrame(), ackFor(hl7("M" + std::to_string(100 + i)))) << i;
  }
  EXPECT_EQ(max_active.load(), 1);
  std::lock_guard lock(mu);
  ASSERT_EQ(order.size(), 20u);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(order[i], "M" + std::to_string(100 + i));
}

TEST_F(MllpServerTest, EmptyReplySendsNothing) {
  Harness h(smallOptions(), [](std::string_view m, const MllpPeer&) { return m == "quiet" ? std::string() : ackFor(m); });
  Client c(h.port());
  ASSERT_TRUE(c.sendMessage("quiet"));
  ASSERT_TRUE(c.sendMessage("loud"));
  EXPECT_EQ(c.readFrame(), ackFor("loud"));
}

// The blocking client of the demo and the load tool: replies in order, and a
// reply that never comes is an error after its timeout, not a hang.
TEST_F(MllpServerTest, ClientGetsRepliesAndGivesUpOnASilentServer) {
  Harness h(smallOptions(), [](std::string_view m, const MllpPeer&) { return m == "quiet" ? std::string() : ackFor(m); });
  MllpClient client("127.0.0.1", h.port(), 300ms);
  auto first = client.send("one");
  ASSERT_TRUE(first.ok()) << first.error().describe();
  EXPECT_EQ(*first, ackFor("one"));
  auto silent = client.send("quiet");
  ASSERT_FALSE(silent.ok());
  EXPECT_EQ(silent.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(silent.error().message.find("no reply within 300 ms"), std::string::npos) << silent.error().message;
  auto after = client.send("two");  // on a new connection
  ASSERT_TRUE(after.ok()) << after.error().describe();
  EXPECT_EQ(*after, ackFor("two"));
}

TEST_F(MllpServerTest, OversizeGetsTheCallbacksReplyThenCloseAndTheServerGoesOn) {
  auto options = smallOptions();
  options.max_message_bytes = 1024;
  std::atomic<int> handled{0};
  std::string head;
  std::mutex mu;
  Harness h(
      options,
      [&](std::string_view m, const MllpPeer&) {
        ++handled;
        return ackFor(m);
      },
      [&](const MllpOversize& o, const MllpPeer& peer) {
        std::lock_guard lock(mu);
        head = o.head;
        EXPECT_EQ(o.limit, 1024u);
        EXPECT_GT(o.received, 1024u);
        EXPECT_EQ(peer.remote_address, "127.0.0.1");
        return std::string("AR:too large");
      });
  {
    // 256 KiB: far more than the socket buffers, so the server must keep
    // reading after its reply for the client to finish sending and see it.
    Client big(h.port());
    ASSERT_TRUE(big.sendMessage(hl7("BIG") + std::string(std::size_t{256} * 1024, 'x')));
    EXPECT_EQ(big.readFrame(), "AR:too large");
    EXPECT_TRUE(big.closedByServer());
  }
  EXPECT_EQ(handled.load(), 0);
  {
    std::lock_guard lock(mu);
    EXPECT_EQ(head.rfind(hl7("BIG"), 0), 0u) << "the head holds the MSH segment";
  }
  Client next(h.port());
  ASSERT_TRUE(next.sendMessage(hl7("AFTER")));
  EXPECT_EQ(next.readFrame(), ackFor(hl7("AFTER")));
  EXPECT_EQ(handled.load(), 1);
}

TEST_F(MllpServerTest, OversizeWithoutCallbackJustCloses) {
  auto options = smallOptions();
  options.max_message_bytes = 16;
  Harness h(options, [](std::string_view m, const MllpPeer&) { return ackFor(m); });
  Client c(h.port());
  ASSERT_TRUE(c.sendMessage("ok"));
  EXPECT_EQ(c.readFrame(), ackFor("ok"));
  ASSERT_TRUE(c.sendMessage(std::string(17, 'x')));
  EXPECT_TRUE(c.closedByServer());
}

TEST_F(MllpServerTest, SlowClientDoesNotBlockAnother) {
  auto options = smallOptions();
  options.io_threads = 1;  // even with one I/O thread
  Harness h(options, [](std::string_view m, const MllpPeer&) { return ackFor(m); });
  std::string framed = mllpFrame(hl7("SLOW"));
  Client slow(h.port());
  ASSERT_TRUE(slow.send(std::string_view(framed).substr(0, framed.size() / 2)));
  Client fast(h.port());
  ASSERT_TRUE(fast.sendMessage(hl7("FAST")));
  EXPECT_EQ(fast.readFrame(), ackFor(hl7("FAST")));
  ASSERT_TRUE(slow.send(std::string_view(framed).substr(framed.size() / 2)));
  EXPECT_EQ(slow.readFrame(), ackFor(hl7("SLOW")));
}

TEST_F(MllpServerTest, IdleTimeoutClosesQuietAndHalfSentConnections) {
  auto options = smallOptions();
  options.idle_timeout = 150ms;
  Harness h(options, [](std::string_view m, const MllpPeer&) { return ackFor(m); });
  Client quiet(h.port());
  Client half(h.port());
  ASSERT_TRUE(half.send("\x0BMSH|^~\\&|half"));
  auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(quiet.closedByServer());
  EXPECT_TRUE(half.closedByServer());
  EXPECT_GE(std::chrono::steady_clock::now() - start, 100ms);
  // The timer closes the socket before the session notes why: poll.
  EXPECT_TRUE(waitFor(
      [&] { return h.metrics().render().find("raccordo_mllp_idle_timeouts_total 2\n") != std::string::npos; }));
  // An active connection lives on as long as it keeps talking.
  Client busy(h.port());
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(busy.sendMessage("m" + std::to_string(i)));
    EXPECT_EQ(busy.readFrame(), ackFor("m" + std::to_string(i)));
  }
}

TEST_F(MllpServerTest, ReadTimeoutCutsOffAMessageTrickledInsideTheIdleTimeout) {
  auto options = smallOptions();
  options.idle_timeout = 5000ms;
  options.read_timeout = 300ms;
  Harness h(options, [](std::string_view m, const MllpPeer&) { return ackFor(m); });
  Client trickle(h.port());
  ASSERT_TRUE(trickle.send("\x0BMSH|"));
  auto start = std::chrono::steady_clock::now();
  // One byte every 50 ms: never idle, never finished.
  bool closed = false;
  while (!closed && std::chrono::steady_clock::now() - start < kDeadline) {
    std::this_thread::sleep_for(50ms);
    closed = !trickle.send("x");
  }
  EXPECT_TRUE(closed || trickle.closedByServer());
  // Cut off by the message's clock, not by idleness.
  EXPECT_TRUE(waitFor(
      [&] { return h.metrics().render().find("raccordo_mllp_read_timeouts_total 1\n") != std::string::npos; }));
  EXPECT_EQ(h.metrics().render().find("raccordo_mllp_idle_timeouts_total 1"), std::string::npos);
  // Messages that arrive in time, one after another, are not affected.
  Client steady(h.port());
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(steady.sendMessage("s" + std::to_string(i)));
    EXPECT_EQ(steady.readFrame(), ackFor("s" + std::to_string(i)));
    std::this_thread::sleep_for(150ms);  // 450 ms in all, over one read timeout: the clock restarts per message
  }
}

TEST_F(MllpServerTest, ThreeHundredConcurrentConnections) {
  auto options = smallOptions();
  options.max_connections = 400;
  options.handler_threads = 8;
  std::atomic<int> handled{0};
  Harness h(options, [&](std::string_view m, const MllpPeer&) {
    ++handled;
    return ackFor(m);
  });
  constexpr int kClients = 300;
  std::vector<std::unique_ptr<Client>> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.push_back(std::make_unique<Client>(h.port()));
    ASSERT_TRUE(clients.back()->connected()) << i;
  }
  for (int i = 0; i < kClients; ++i) ASSERT_TRUE(clients[i]->sendMessage(hl7("C" + std::to_string(i))));
  for (int i = 0; i < kClients; ++i) EXPECT_EQ(clients[i]->readFrame(), ackFor(hl7("C" + std::to_string(i)))) << i;
  EXPECT_EQ(handled.load(), kClients);
}

TEST_F(MllpServerTest, ConnectionsOverTheLimitAreClosed) {
  auto options = smallOptions();
  options.max_connections = 2;
  Harness h(options, [](std::string_view m, const MllpPeer&) { return ackFor(m); });
  Client a(h.port());
  Client b(h.port());
  ASSERT_TRUE(a.sendMessage("a"));
  EXPECT_EQ(a.readFrame(), ackFor("a"));
  ASSERT_TRUE(b.sendMessage("b"));
  EXPECT_EQ(b.readFrame(), ackFor("b"));
  Client c(h.port());
  EXPECT_TRUE(c.closedByServer());
  EXPECT_NE(h.metrics().render().find("raccordo_mllp_connections_refused_total 1\n"), std::string::npos);
}

TEST_F(MllpServerTest, HandlerExceptionClosesTheConnectionWithoutAck) {
  Harness h(smallOptions(), [](std::string_view m, const MllpPeer&) -> std::string {
    if (m == "boom") throw std::runtime_error("database unavailable");
    return ackFor(m);
  });
  Client c(h.port());
  ASSERT_TRUE(c.sendMessage("boom"));
  EXPECT_TRUE(c.closedByServer());
  Client d(h.port());
  ASSERT_TRUE(d.sendMessage("fine"));
  EXPECT_EQ(d.readFrame(), ackFor("fine"));
}

TEST_F(MllpServerTest, StopWaitsForTheRunningHandlerAndSendsItsAck) {
  std::mutex mu;
  std::condition_variable cv;
  bool release = false;
  std::atomic<bool> entered{false};
  std::atomic<bool> finished{false};
  Metrics metrics;
  auto options = smallOptions();
  options.port = 0;
  MllpServer server(options, [&](std::string_view m, const MllpPeer&) {
    if (m == "block") {
      entered = true;
      std::unique_lock lock(mu);
      cv.wait(lock, [&] { return release; });
      finished = true;
    }
    return ackFor(m);
  }, metrics);
  ASSERT_TRUE(server.start().ok());
  uint16_t port = server.port();

  Client idle(port);
  ASSERT_TRUE(idle.sendMessage("hello"));
  ASSERT_EQ(idle.readFrame(), ackFor("hello"));
  Client busy(port);
  ASSERT_TRUE(busy.sendMessage("block"));
  ASSERT_TRUE(waitFor([&] { return entered.load(); }));

  std::atomic<bool> stopped{false};
  std::atomic<bool> finished_when_stopped{false};
  std::thread stopper([&] {
    server.stop(10s);
    finished_when_stopped = finished.load();
    stopped = true;
  });
  // Stop has begun once the listener refuses connections; the idle
  // connection is closed at once, the busy one waits for its handler.
  EXPECT_TRUE(waitFor([&] { return !Client(port, nullptr, 1s).connected(); }));
  EXPECT_TRUE(idle.closedByServer());
  EXPECT_FALSE(stopped.load());
  {
    std::lock_guard lock(mu);
    release = true;
  }
  cv.notify_all();
  EXPECT_EQ(busy.readFrame(), ackFor("block"));
  EXPECT_TRUE(busy.closedByServer());
  stopper.join();
  EXPECT_TRUE(finished_when_stopped.load());
}

// --- A real external client --------------------------------------------------

TEST_F(MllpServerTest, ExternalClientMllpSend) {
  const char* tool = "/usr/bin/mllp_send";
  if (!fs::exists(tool)) GTEST_SKIP() << "mllp_send (Debian python3-hl7) is not installed";
  std::vector<std::string> seen;
  std::mutex mu;
  Harness h(smallOptions(), [&](std::string_view m, const MllpPeer&) {
    std::lock_guard lock(mu);
    seen.emplace_back(m);
    return "MSA|AA|" + std::to_string(seen.size());
  });
  char templ[] = "/tmp/raccordo-mllp-send-XXXXXX";
  ASSERT_NE(::mkdtemp(templ), nullptr);
  fs::path dir(templ);
  {
    std::ofstream out(dir / "messages.hl7", std::ios::binary);
    out << mllpFrame(hl7("EXT1")) << mllpFrame(hl7("EXT2"));
  }
  std::string command = std::string(tool) + " -p " + std::to_string(h.port()) + " -f '" +
                        (dir / "messages.hl7").string() + "' 127.0.0.1 2>&1";
  std::string output;
  if (FILE* p = ::popen(command.c_str(), "r")) {
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) output.append(buf, n);
    EXPECT_EQ(::pclose(p), 0) << output;
  }
  fs::remove_all(dir);
  EXPECT_NE(output.find(mllpFrame("MSA|AA|1")), std::string::npos) << output;
  EXPECT_NE(output.find(mllpFrame("MSA|AA|2")), std::string::npos) << output;
  std::lock_guard lock(mu);
  ASSERT_EQ(seen.size(), 2u);
  // mllp_send strips the trailing CR of the last segment; the rest arrives intact.
  EXPECT_EQ(seen[0] + "\r", hl7("EXT1"));
  EXPECT_EQ(seen[1] + "\r", hl7("EXT2"));
}

}  // namespace
}  // namespace raccordo
