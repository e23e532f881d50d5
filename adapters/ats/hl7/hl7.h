#pragma once
// HL7 v2 (2.3–2.6) parser and writer for the ATS adapters.
//
// A Message owns its bytes, converted to UTF-8 once at parse time, and its
// segments are views into that buffer: field access is cheap and never copies
// until a caller asks for a decoded (unescaped) value. Bad input never throws;
// it comes back as an Error whose location names the segment, field or byte.

#include <cstddef>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/core/charset.h"
#include "gateway/core/result.h"

namespace raccordo::hl7 {

/// The delimiters declared by MSH-1 and MSH-2.
struct Delimiters {
  char field = '|';
  char component = '^';
  char repetition = '~';
  char escape = '\\';
  char subcomponent = '&';
  char truncation = '\0';  // v2.7's 5th encoding character; '\0' when absent

  /// MSH-2 as written on the wire ("^~\&", plus the truncation char if set).
  std::string encodingCharacters() const;
};

/// Checks that delimiters are distinct, printable, non-alphanumeric ASCII
/// characters: anything else makes escape sequences (\F\, \X0D\) ambiguous.
Status validateDelimiters(const Delimiters& delimiters);

/// Character sets named by MSH-18 that the gateway handles.
enum class Charset { kAscii, kLatin1, kUtf8 };

/// MSH-18 value to Charset, case-insensitive: "" / "ASCII", "8859/1",
/// "UNICODE UTF-8" / "UTF-8". Anything else is kUnsupported at "MSH-18".
Result<Charset> charsetFromName(std::string_view value);

struct ParseOptions {
  std::size_t max_bytes = 1024 * 1024;  // whole input, before charset conversion
  std::size_t max_segments = 10000;     // per message, and per batch file
  std::size_t max_fields = 1000;        // per segment
};

/// A parsed "PID-3[2].4.2" or "OBX[2]-5" path. Numbers are 1-based; a zero
/// component or sub-component means "the whole repetition / component".
struct Path {
  std::string segment;
  std::size_t occurrence = 1;  // which segment with that name: OBX[2]
  std::size_t field = 0;
  std::size_t repetition = 1;
  std::size_t component = 0;
  std::size_t subcomponent = 0;
};

Result<Path> parsePath(std::string_view text);

/// Decodes HL7 escape sequences. Malformed or unsupported sequences are kept
/// literally so one odd value never loses the whole message. `charset` says
/// how to read the bytes of a \Xhh\ escape.
std::string unescape(std::string_view raw, const Delimiters& delimiters,
                     Charset charset = Charset::kUtf8);

/// Encodes a value so it can sit inside a sub-component: the five delimiters,
/// CR, LF and the truncation character become escape sequences.
std::string escape(std::string_view value, const Delimiters& delimiters);

// ISO-8859-1 to UTF-8 and UTF-8 validation live in gateway/core/charset.h.
using raccordo::findInvalidUtf8;
using raccordo::latin1ToUtf8;

/// UTF-8 to ISO-8859-1; code points above U+00FF become '?'. Expects valid UTF-8.
std::string utf8ToLatin1(std::string_view text);

/// One segment. Views point into the owning Message's buffer, so a Segment
/// must not outlive its Message.
class Segment {
 public:
  std::string_view name() const { return name_; }
  /// The segment as it appeared, without its terminator.
  std::string_view line() const { return line_; }
  /// Highest field number present (for MSH this counts MSH-1 and MSH-2).
  std::size_t fieldCount() const { return fields_.size(); }
  std::size_t repetitionCount(std::size_t field) const;
  std::size_t componentCount(std::size_t field, std::size_t repetition = 1) const;
  std::size_t subcomponentCount(std::size_t field, std::size_t repetition, std::size_t component) const;

  /// The whole field, repetitions included, still escaped.
  std::string_view rawField(std::size_t field) const;
  /// Raw (escaped) view of a position; missing parts give an empty view.
  /// component 0 = whole repetition, subcomponent 0 = whole component.
  std::string_view raw(std::size_t field, std::size_t repetition = 1, std::size_t component = 0,
                       std::size_t subcomponent = 0) const;
  /// Decoded value of a position; missing parts give "".
  std::string get(std::size_t field, std::size_t repetition = 1, std::size_t component = 0,
                  std::size_t subcomponent = 0) const;

 private:
  friend class MessageParser;

  std::string_view name_;
  std::string_view line_;
  std::vector<std::string_view> fields_;  // fields_[0] is field 1
  Delimiters delimiters_;
  Charset charset_ = Charset::kAscii;
  bool header_ = false;  // MSH/FHS/BHS: fields 1 and 2 are the delimiters themselves
};

/// A parsed message. Move-only: segments view the heap buffer, which a move
/// keeps in place.
class Message {
 public:
  Message(Message&&) noexcept = default;
  Message& operator=(Message&&) noexcept = default;
  Message(const Message&) = delete;
  Message& operator=(const Message&) = delete;

  const Delimiters& delimiters() const { return delimiters_; }
  /// The charset declared by MSH-18 (the buffer itself is always UTF-8).
  Charset charset() const { return charset_; }
  /// The message converted to UTF-8, as received.
  std::string_view text() const { return *buffer_; }

  const std::vector<Segment>& segments() const { return segments_; }
  std::vector<const Segment*> segments(std::string_view name) const;
  /// The n-th segment with that name, or nullptr.
  const Segment* segment(std::string_view name, std::size_t occurrence = 1) const;

  /// Decoded value at a path like "PID-3[2].4.2"; "" when missing or when the
  /// path does not parse (use parsePath to tell the two apart).
  std::string get(std::string_view path) const;
  /// Raw (escaped) view into the buffer at a path.
  std::string_view raw(std::string_view path) const;

  /// "ADT^A28" from MSH-9.1 and MSH-9.2 (just MSH-9.1 when 9.2 is empty).
  std::string messageType() const;
  std::string controlId() const { return get("MSH-10"); }
  std::string version() const { return get("MSH-12.1"); }
  std::string sendingApplication() const { return get("MSH-3.1"); }
  std::string sendingFacility() const { return get("MSH-4.1"); }
  std::string receivingApplication() const { return get("MSH-5.1"); }
  std::string receivingFacility() const { return get("MSH-6.1"); }

  /// The segments joined with CR, in the charset MSH-18 declares.
  std::string serialize() const;

 private:
  friend class MessageParser;
  Message() = default;

  std::unique_ptr<std::string> buffer_;
  std::vector<Segment> segments_;
  Delimiters delimiters_;
  Charset charset_ = Charset::kAscii;
};

/// Parses one message (MSH first). Batch envelope segments are rejected.
Result<Message> parse(std::string_view bytes, const ParseOptions& options = {});

/// Parses an FHS/BHS ... BTS/FTS batch (or bare messages one after another)
/// and returns the messages; each MSH starts a new one. BTS-1 and FTS-1
/// counts are checked when present.
Result<std::vector<Message>> parseBatch(std::string_view bytes, const ParseOptions& options = {});

/// The messages of a batch (or of bare messages one after another) as byte
/// ranges of `bytes`, exactly as received, after the checks of parseBatch:
/// what a file listener journals one message at a time.
Result<std::vector<std::string_view>> splitBatch(std::string_view bytes, const ParseOptions& options = {});

/// Builds one segment from decoded values; escaping happens on serialise.
/// Bad positions (0, MSH-1/MSH-2, absurdly large) are remembered and
/// reported by MessageWriter::serialize, so building code stays linear.
class SegmentWriter {
 public:
  explicit SegmentWriter(std::string name) : name_(std::move(name)) {}

  const std::string& name() const { return name_; }
  /// Sets a whole field to one value.
  SegmentWriter& set(std::size_t field, std::string_view value) { return set(field, 1, 1, 1, value); }
  SegmentWriter& setComponent(std::size_t field, std::size_t component, std::string_view value) {
    return set(field, 1, component, 1, value);
  }
  SegmentWriter& set(std::size_t field, std::size_t repetition, std::size_t component,
                     std::size_t subcomponent, std::string_view value);
  /// Copies field `fromField` of a parsed segment into `field`, keeping its
  /// repetitions, components and sub-components (decoded, re-escaped later).
  SegmentWriter& copyField(std::size_t field, const Segment& from, std::size_t fromField);

 private:
  friend class MessageWriter;
  using Component = std::vector<std::string>;
  using Repetition = std::vector<Component>;
  using Field = std::vector<Repetition>;

  std::string name_;
  std::vector<Field> fields_;  // fields_[0] is field 1
  std::string error_;          // first misuse, reported on serialise
};

/// Builds a message segment by segment. MSH-1 and MSH-2 come from the
/// delimiters; the first segment must be MSH.
class MessageWriter {
 public:
  explicit MessageWriter(Delimiters delimiters = {}) : delimiters_(delimiters) {}

  /// Appends a segment; the reference stays valid while the writer lives.
  SegmentWriter& addSegment(std::string name);

  /// CR-terminated message, converted to the charset named in MSH-18.
  Result<std::string> serialize() const;

 private:
  Delimiters delimiters_;
  std::deque<SegmentWriter> segments_;  // deque: addSegment must not move earlier segments
};

/// What an ACK says. The ACK's MSH swaps sender and receiver of the original
/// and copies its processing id, version and charset.
struct AckSpec {
  std::string code;                 // MSA-1: AA/AE/AR (original mode) or CA/CE/CR (enhanced mode)
  std::string text;                 // MSA-3
  std::string control_id;           // MSH-10 of the ACK itself
  std::string timestamp;            // MSH-7 of the ACK (HL7 TS)
  std::string sending_application;  // MSH-3 of the ACK; empty: the original's MSH-5
  std::string sending_facility;     // MSH-4 of the ACK; empty: the original's MSH-6
  /// When set, an ERR segment: location (a path like "PID-3[2].4" fills
  /// ERR-2, ERR-1 before v2.5), HL7 table 0357 code in ERR-3, severity E and
  /// the message in ERR-8.
  std::string error_location;
  std::string error_code;           // table 0357: 100 segment sequence, 101 required field missing,
                                    // 102 data type, 103 table value not found, 200 unsupported
                                    // message type, 203 unsupported version, 207 internal error
  std::string error_text;
};

Result<std::string> makeAck(const Message& original, const AckSpec& spec);

/// An original-mode ACK for `original`: MSH with sender and receiver swapped,
/// MSA-1 = ackCode (AA/AE/AR), MSA-2 = the original control id, MSA-3 = text.
Result<std::string> makeAck(const Message& original, std::string_view ackCode, std::string_view text,
                            std::string_view controlId, std::string_view timestamp);

}  // namespace raccordo::hl7
