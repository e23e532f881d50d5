// Fuzzes the MLLP framer. The first byte picks the size limit and the next
// eight the read sizes; the rest is the stream. The stream is fed whole and
// in those chunks: both must give the same messages, oversize events and
// junk count, no message may exceed the limit, and every message framed
// again must come back unchanged.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/net/mllp_framer.h"

namespace {

using raccordo::MllpEvent;
using raccordo::MllpFramer;

std::vector<std::string> shape(const std::vector<MllpEvent>& events, size_t limit) {
  std::vector<std::string> out;
  for (const MllpEvent& e : events) {
    if (e.kind == MllpEvent::Kind::kMessage) {
      if (e.message.size() > limit) __builtin_trap();
      out.push_back("M" + e.message);
    } else {
      if (e.oversize.received <= limit || e.oversize.limit != limit) __builtin_trap();
      if (e.oversize.head.size() > raccordo::MllpOversize::kHeadBytes) __builtin_trap();
      if (e.oversize.head.size() > e.oversize.received) __builtin_trap();
      out.push_back("O");
    }
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 9) return 0;
  size_t limit = data[0] < 0xF0 ? data[0] : size_t{1} << (data[0] - 0xE0);  // 0..239, or 64 KiB..2 GiB
  std::vector<size_t> chunks;
  for (size_t i = 1; i < 9; ++i) chunks.push_back(size_t{data[i]} + 1);
  std::string_view stream(reinterpret_cast<const char*>(data) + 9, size - 9);

  MllpFramer whole(limit);
  auto expected = shape(whole.feed(stream), limit);

  MllpFramer chunked(limit);
  std::vector<MllpEvent> events;
  size_t k = 0;
  for (size_t i = 0; i < stream.size();) {
    size_t n = std::min(chunks[k++ % chunks.size()], stream.size() - i);
    for (auto& e : chunked.feed(stream.substr(i, n))) events.push_back(std::move(e));
    i += n;
  }
  if (shape(events, limit) != expected) __builtin_trap();
  if (chunked.junkBytes() != whole.junkBytes() || chunked.inFrame() != whole.inFrame() ||
      chunked.pendingBytes() != whole.pendingBytes() || chunked.pendingBytes() > limit) {
    __builtin_trap();
  }

  // Framing a message again gives it back (MLLP cannot carry 0x1C 0x0D, so
  // no message holds it).
  for (const MllpEvent& e : events) {
    if (e.kind != MllpEvent::Kind::kMessage) continue;
    if (e.message.find("\x1C\r") != std::string::npos) __builtin_trap();
    MllpFramer again(limit);
    auto back = again.feed(raccordo::mllpFrame(e.message));
    if (back.size() != 1 || back[0].kind != MllpEvent::Kind::kMessage || back[0].message != e.message) {
      __builtin_trap();
    }
  }
  return 0;
}
