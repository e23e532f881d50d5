// Fuzzes the HL7 v2 parser and writer: no input may crash, hang or leak, and
// whatever parses must survive serialise -> re-parse with the same shape and,
// through the writer, with the same decoded values.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "adapters/ats/hl7/hl7.h"

namespace {

using raccordo::hl7::Message;
using raccordo::hl7::Segment;

std::size_t totalFields(const Message& m) {
  std::size_t n = 0;
  for (const Segment& s : m.segments()) n += s.fieldCount();
  return n;
}

/// Every decoded sub-component of `a` equals the same position in `b`.
bool sameValues(const Message& a, const Message& b) {
  if (a.segments().size() != b.segments().size()) return false;
  for (std::size_t i = 0; i < a.segments().size(); ++i) {
    const Segment& sa = a.segments()[i];
    const Segment& sb = b.segments()[i];
    if (sa.name() != sb.name()) return false;
    for (std::size_t f = 1; f <= sa.fieldCount(); ++f) {
      for (std::size_t r = 1; r <= std::max<std::size_t>(sa.repetitionCount(f), 1); ++r) {
        for (std::size_t c = 1; c <= std::max<std::size_t>(sa.componentCount(f, r), 1); ++c) {
          for (std::size_t s = 1; s <= std::max<std::size_t>(sa.subcomponentCount(f, r, c), 1); ++s) {
            if (sa.get(f, r, c, s) != sb.get(f, r, c, s)) return false;
          }
        }
      }
    }
  }
  return true;
}

void checkMessage(const Message& m) {
  // Raw round trip: same segments, same field count.
  auto again = raccordo::hl7::parse(m.serialize());
  if (!again.ok() || totalFields(*again) != totalFields(m) ||
      again->segments().size() != m.segments().size()) {
    __builtin_trap();
  }
  // Writer round trip: decoded values survive escaping.
  raccordo::hl7::MessageWriter writer(m.delimiters());
  for (const Segment& s : m.segments()) {
    auto& out = writer.addSegment(std::string(s.name()));
    for (std::size_t f = s.name() == "MSH" ? 3 : 1; f <= s.fieldCount(); ++f) out.copyField(f, s, f);
  }
  auto text = writer.serialize();
  if (!text.ok()) __builtin_trap();
  auto rebuilt = raccordo::hl7::parse(*text);
  if (!rebuilt.ok() || !sameValues(m, *rebuilt)) __builtin_trap();
  // Path access must never misbehave on whatever the message holds.
  (void)m.messageType();
  (void)m.get("PID-3[2].4.2");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto msg = raccordo::hl7::parse(bytes);
  if (msg.ok()) {
    checkMessage(*msg);
  } else if (msg.error().message.empty()) {
    __builtin_trap();  // every error must say what is wrong
  }
  auto batch = raccordo::hl7::parseBatch(bytes);
  if (batch.ok()) {
    for (const Message& m : *batch) checkMessage(m);
  } else if (batch.error().message.empty()) {
    __builtin_trap();
  }
  return 0;
}
