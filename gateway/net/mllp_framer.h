#pragma once
// MLLP framing (HL7 v2 Minimal Lower Layer Protocol): 0x0B <message> 0x1C 0x0D.
// A pure, incremental framer: bytes go in as they are read, whatever the
// chunking, and complete messages come out in stream order. No Asio; fuzzed
// (tests/fuzz/mllp). Not thread-safe: one framer per connection.
//
// Decisions, following Mirth Connect's frame reader where it has one:
// - Bytes outside a frame (before the first 0x0B, between frames) are
//   skipped and counted in junkBytes(); Mirth skips them the same way.
// - Inside a frame only the whole end sequence 0x1C 0x0D ends the message:
//   a 0x1C followed by anything else, and a 0x0B, are message content (Mirth
//   matches the end bytes as one sequence and never looks for a start byte
//   inside a frame). MLLP has no escaping, so a payload containing 0x1C 0x0D
//   cannot be framed; HL7 v2 text never contains it.
// - A message longer than the limit yields one kOversize event as soon as
//   the limit is crossed, without buffering more. The framer then discards
//   the rest of that frame up to its 0x1C 0x0D and goes on with the next
//   frame, so a caller could resynchronise; MllpServer instead replies and
//   closes the connection (Mirth has no such limit at all, and a sender whose
//   message was refused is best restarted from a clean connection).
// - An empty frame (0x0B 0x1C 0x0D) is an empty message: the caller decides.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace raccordo {

inline constexpr char kMllpStartBlock = 0x0B;
inline constexpr char kMllpEndBlock = 0x1C;
inline constexpr char kMllpCarriageReturn = 0x0D;

/// A frame over the size limit.
struct MllpOversize {
  /// Bytes of the frame seen when the limit was crossed (more than `limit`);
  /// exact when the end of the frame arrived in the same read.
  size_t received = 0;
  size_t limit = 0;
  /// The first bytes of the frame (at most kHeadBytes): enough for the MSH
  /// segment, so that a reject ACK can echo MSH-10.
  std::string head;

  static constexpr size_t kHeadBytes = 4096;

  /// "MLLP message of at least N bytes is over the limit of L bytes".
  std::string describe() const;
};

/// One thing found in the stream: a complete message or an oversize frame.
struct MllpEvent {
  enum class Kind { kMessage, kOversize };
  Kind kind = Kind::kMessage;
  std::string message;    // kMessage: the payload, without the framing bytes
  MllpOversize oversize;  // kOversize
};

class MllpFramer {
 public:
  /// `max_message_bytes` bounds the payload (framing bytes excluded); the
  /// framer never buffers more than that.
  explicit MllpFramer(size_t max_message_bytes);

  /// Consumes the next bytes of the stream; returns what they completed, in
  /// stream order (usually nothing or one message).
  std::vector<MllpEvent> feed(std::string_view bytes);

  /// Bytes skipped outside frames so far.
  uint64_t junkBytes() const { return junk_bytes_; }
  /// True between a 0x0B and its 0x1C 0x0D (a frame is partly received).
  bool inFrame() const { return state_ != State::kOutside; }
  /// Payload bytes of the unfinished frame buffered so far.
  size_t pendingBytes() const { return current_.size(); }
  size_t maxMessageBytes() const { return max_message_bytes_; }

 private:
  enum class State { kOutside, kInFrame, kSawEndBlock };

  void append(std::string_view bytes, std::vector<MllpEvent>& out);

  size_t max_message_bytes_;
  State state_ = State::kOutside;
  bool discarding_ = false;  // the current frame went over the limit
  size_t frame_bytes_ = 0;   // payload bytes of the current frame, buffered or not
  std::string current_;
  uint64_t junk_bytes_ = 0;
};

/// 0x0B payload 0x1C 0x0D. The payload must not contain 0x1C 0x0D.
std::string mllpFrame(std::string_view payload);

}  // namespace raccordo
