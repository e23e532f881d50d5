#include "gateway/net/mllp_framer.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace raccordo {
namespace {

using namespace std::string_literals;

const std::string kAdt = "MSH|^~\\&|ATS|ASST|RACCORDO|REGIONE|20260101120000||ADT^A28|MSG0001|P|2.5\rPID|1||X\r";

std::vector<std::string> messagesOf(const std::vector<MllpEvent>& events) {
  std::vector<std::string> out;
  for (const auto& e : events) {
    if (e.kind == MllpEvent::Kind::kMessage) out.push_back(e.message);
  }
  return out;
}

/// Feeds `bytes` in chunks of the given sizes (cycled) and collects every event.
std::vector<MllpEvent> feedChunked(MllpFramer& framer, const std::string& bytes, const std::vector<size_t>& sizes) {
  std::vector<MllpEvent> all;
  size_t i = 0;
  size_t k = 0;
  while (i < bytes.size()) {
    size_t n = std::min(sizes[k++ % sizes.size()], bytes.size() - i);
    for (auto& e : framer.feed(std::string_view(bytes).substr(i, n))) all.push_back(std::move(e));
    i += n;
  }
  return all;
}

TEST(MllpFramerTest, OneFrameInOneRead) {
  MllpFramer framer(1024);
  auto events = framer.feed(mllpFrame(kAdt));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, MllpEvent::Kind::kMessage);
  EXPECT_EQ(events[0].message, kAdt);
  EXPECT_FALSE(framer.inFrame());
  EXPECT_EQ(framer.junkBytes(), 0u);
}

TEST(MllpFramerTest, OneByteReads) {
  MllpFramer framer(1024);
  std::string framed = mllpFrame(kAdt);
  std::vector<MllpEvent> events;
  for (size_t i = 0; i < framed.size(); ++i) {
    auto got = framer.feed(std::string_view(framed).substr(i, 1));
    if (i + 1 < framed.size()) {
      EXPECT_TRUE(got.empty()) << "at byte " << i;
      EXPECT_TRUE(framer.inFrame());
    }
    for (auto& e : got) events.push_back(std::move(e));
  }
  EXPECT_EQ(messagesOf(events), std::vector<std::string>{kAdt});
  EXPECT_FALSE(framer.inFrame());
}

TEST(MllpFramerTest, PendingBytesOfAPartialFrame) {
  MllpFramer framer(1024);
  EXPECT_TRUE(framer.feed("\x0B" "MSH|abc").empty());
  EXPECT_TRUE(framer.inFrame());
  EXPECT_EQ(framer.pendingBytes(), 7u);
  EXPECT_TRUE(framer.feed("\x1C").empty());  // the end sequence is split between reads
  EXPECT_TRUE(framer.inFrame());
  EXPECT_EQ(messagesOf(framer.feed("\r")), std::vector<std::string>{"MSH|abc"});
  EXPECT_EQ(framer.pendingBytes(), 0u);
}

TEST(MllpFramerTest, CoalescedFramesComeOutInOrder) {
  MllpFramer framer(1024);
  std::string stream = mllpFrame("one") + mllpFrame("two") + mllpFrame("three") + "\x0B" "fou";
  EXPECT_EQ(messagesOf(framer.feed(stream)), (std::vector<std::string>{"one", "two", "three"}));
  EXPECT_EQ(messagesOf(framer.feed("r\x1C\r")), std::vector<std::string>{"four"});
}

TEST(MllpFramerTest, JunkOutsideFramesIsSkippedAndCounted) {
  MllpFramer framer(1024);
  std::string stream = "garbage" + mllpFrame("one") + "\r\n" + mllpFrame("two") + "\x1C\r";
  EXPECT_EQ(messagesOf(framer.feed(stream)), (std::vector<std::string>{"one", "two"}));
  EXPECT_EQ(framer.junkBytes(), 7u + 2u + 2u);
  EXPECT_FALSE(framer.inFrame());
}

TEST(MllpFramerTest, LoneEndBlockIsContent) {
  MllpFramer framer(1024);
  EXPECT_EQ(messagesOf(framer.feed("\x0B" "a\x1C" "b\x1C\x1C\r")), std::vector<std::string>{"a\x1C" "b\x1C"});
  // The same, one byte at a time.
  std::string stream = "\x0B" "a\x1C" "b\x1C\x1C\r";
  EXPECT_EQ(messagesOf(feedChunked(framer, stream, {1})), std::vector<std::string>{"a\x1C" "b\x1C"});
}

TEST(MllpFramerTest, StartBlockInsideAFrameIsContent) {
  MllpFramer framer(1024);
  EXPECT_EQ(messagesOf(framer.feed("\x0B" "a\x0B" "b\x1C\r")), std::vector<std::string>{"a\x0B" "b"});
}

TEST(MllpFramerTest, EmptyFrameIsAnEmptyMessage) {
  MllpFramer framer(1024);
  auto events = framer.feed("\x0B\x1C\r");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, MllpEvent::Kind::kMessage);
  EXPECT_TRUE(events[0].message.empty());
}

TEST(MllpFramerTest, MessageOfExactlyTheLimitPasses) {
  MllpFramer framer(10);
  EXPECT_EQ(messagesOf(framer.feed(mllpFrame("0123456789"))), std::vector<std::string>{"0123456789"});
  // A lone 0x1C counts towards the limit too.
  auto events = framer.feed(mllpFrame("012345678\x1C" "x"));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, MllpEvent::Kind::kOversize);
}

TEST(MllpFramerTest, OversizeIsReportedOnceWithSizeLimitAndHead) {
  MllpFramer framer(10);
  std::string big = "MSH|^~\\&|" + std::string(40, 'x');
  auto events = framer.feed(mllpFrame(big));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, MllpEvent::Kind::kOversize);
  EXPECT_EQ(events[0].oversize.limit, 10u);
  EXPECT_EQ(events[0].oversize.received, big.size());  // the whole frame was in one read
  EXPECT_EQ(events[0].oversize.head, big);
  EXPECT_EQ(events[0].oversize.describe(), "MLLP message of at least 49 bytes is over the limit of 10 bytes");
  EXPECT_FALSE(framer.inFrame());
  EXPECT_EQ(framer.pendingBytes(), 0u);
}

TEST(MllpFramerTest, OversizeInSmallReadsStopsBufferingAtTheLimit) {
  MllpFramer framer(10);
  std::string big(100, 'y');
  std::vector<MllpEvent> events = feedChunked(framer, mllpFrame(big), {1});
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, MllpEvent::Kind::kOversize);
  EXPECT_EQ(events[0].oversize.received, 11u);
  EXPECT_EQ(events[0].oversize.head, std::string(11, 'y'));
}

TEST(MllpFramerTest, OversizeHeadIsBounded) {
  MllpFramer framer(MllpOversize::kHeadBytes * 2);
  auto events = framer.feed(mllpFrame(std::string(MllpOversize::kHeadBytes * 3, 'z')));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].oversize.head.size(), MllpOversize::kHeadBytes);
}

TEST(MllpFramerTest, ResynchronisesAfterAnOversizeFrame) {
  MllpFramer framer(10);
  std::string stream = mllpFrame("ok") + mllpFrame(std::string(50, 'x') + "\x0B" "inner") + mllpFrame("next");
  auto events = framer.feed(stream);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].message, "ok");
  EXPECT_EQ(events[1].kind, MllpEvent::Kind::kOversize);
  EXPECT_EQ(events[2].kind, MllpEvent::Kind::kMessage);
  EXPECT_EQ(events[2].message, "next");
  EXPECT_EQ(framer.junkBytes(), 0u);  // the discarded frame is not junk
}

TEST(MllpFramerTest, EveryChunkingGivesTheSameEvents) {
  std::string stream = "junk" + mllpFrame(kAdt) + mllpFrame("a\x1C" "b") + "\r\n" + mllpFrame(std::string(300, 'q')) +
                       mllpFrame("") + "\x1C\x1C\r" + mllpFrame("x\x1C\x1C") + "\x0B" "partial";
  auto describe = [](const std::vector<MllpEvent>& events) {
    std::vector<std::string> out;
    for (const auto& e : events) out.push_back(e.kind == MllpEvent::Kind::kMessage ? "M:" + e.message : "O"s);
    return out;
  };
  MllpFramer whole(200);
  auto expected = describe(whole.feed(stream));
  ASSERT_EQ(expected, (std::vector<std::string>{"M:" + kAdt, std::string("M:a\x1C") + "b", "O", "M:", "M:x\x1C\x1C"}));
  std::mt19937 rng(4);  // fixed seed: deterministic
  for (int round = 0; round < 200; ++round) {
    std::vector<size_t> sizes;
    for (int k = 0; k < 8; ++k) sizes.push_back(std::uniform_int_distribution<size_t>(1, 40)(rng));
    MllpFramer framer(200);
    EXPECT_EQ(describe(feedChunked(framer, stream, sizes)), expected) << "round " << round;
    EXPECT_EQ(framer.junkBytes(), whole.junkBytes());
    EXPECT_TRUE(framer.inFrame());
    EXPECT_EQ(framer.pendingBytes(), 7u);
  }
}

TEST(MllpFrameTest, WrapsThePayload) {
  EXPECT_EQ(mllpFrame("MSH|x"), "\x0BMSH|x\x1C\r");
  EXPECT_EQ(mllpFrame(""), "\x0B\x1C\r");
}

}  // namespace
}  // namespace raccordo
