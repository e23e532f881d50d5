// Tests for the HL7 v2 parser and writer. Fixtures are hand-written and
// fictitious; they only mimic the shape of real ATS traffic.

#include "adapters/ats/hl7/hl7.h"

#include <gtest/gtest.h>

#include <string>

namespace raccordo::hl7 {
namespace {

const std::string kAdt =
    "MSH|^~\\&|ANAGRAFE|ATS01^2.16.840.1.113883.2.9^ISO|GATEWAY|REGIONE|20240101120000||ADT^A28^ADT_A05|CTRL1|P|2.5\r"
    "EVN|A28|20240101120000\r"
    "PID|1||111^^^ATS&1.2.3&ISO^PI~222^^^MEF&2.16.840.1.113883.2.9.4.3.2&ISO^NNITA^x&y||ROSSI^MARIO||19800101|M\r"
    "ZAT|custom|value\r";

Message parseOk(std::string_view bytes) {
  auto r = parse(bytes);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().describe());
  return std::move(r).value();
}

Error parseErr(std::string_view bytes, const ParseOptions& options = {}) {
  auto r = parse(bytes, options);
  EXPECT_FALSE(r.ok());
  return r.ok() ? Error() : r.error();
}

TEST(Hl7Parse, AccessorsAndMshNumbering) {
  Message m = parseOk(kAdt);
  EXPECT_EQ(m.messageType(), "ADT^A28");
  EXPECT_EQ(m.controlId(), "CTRL1");
  EXPECT_EQ(m.version(), "2.5");
  EXPECT_EQ(m.sendingApplication(), "ANAGRAFE");
  EXPECT_EQ(m.sendingFacility(), "ATS01");
  EXPECT_EQ(m.receivingApplication(), "GATEWAY");
  EXPECT_EQ(m.get("MSH-1"), "|");
  EXPECT_EQ(m.get("MSH-2"), "^~\\&");
  EXPECT_EQ(m.get("MSH-3"), "ANAGRAFE");
  EXPECT_EQ(m.get("MSH-4.2"), "2.16.840.1.113883.2.9");
  EXPECT_EQ(m.get("MSH-9.3"), "ADT_A05");
  EXPECT_EQ(m.segment("MSH")->fieldCount(), 12u);
  EXPECT_EQ(m.segments().size(), 4u);
  ASSERT_NE(m.segment("ZAT"), nullptr);  // Z-segments kept
  EXPECT_EQ(m.get("ZAT-2"), "value");
}

TEST(Hl7Parse, RepetitionComponentSubcomponent) {
  Message m = parseOk(kAdt);
  EXPECT_EQ(m.get("PID-3"), "111^^^ATS&1.2.3&ISO^PI");  // repetition 1 by default
  EXPECT_EQ(m.get("PID-3.1"), "111");
  EXPECT_EQ(m.get("PID-3[2].1"), "222");
  EXPECT_EQ(m.get("PID-3[2].4.1"), "MEF");
  EXPECT_EQ(m.get("PID-3[2].4.2"), "2.16.840.1.113883.2.9.4.3.2");
  EXPECT_EQ(m.get("PID-3[2].6.2"), "y");
  EXPECT_EQ(m.raw("PID-3[2].4"), "MEF&2.16.840.1.113883.2.9.4.3.2&ISO");
  EXPECT_EQ(m.get("PID-5.2"), "MARIO");
  const Segment* pid = m.segment("PID");
  EXPECT_EQ(pid->repetitionCount(3), 2u);
  EXPECT_EQ(pid->componentCount(3, 2), 6u);
  EXPECT_EQ(pid->subcomponentCount(3, 2, 4), 3u);
  EXPECT_EQ(pid->rawField(3).substr(0, 3), "111");
  // Empty and missing parts are "" rather than errors.
  EXPECT_EQ(m.get("PID-2"), "");
  EXPECT_EQ(m.get("PID-3.2"), "");
  EXPECT_EQ(m.get("PID-3[3].1"), "");
  EXPECT_EQ(m.get("PID-3.9.9"), "");
  EXPECT_EQ(m.get("PID-99"), "");
  EXPECT_EQ(m.get("OBX-5"), "");
  EXPECT_EQ(m.get("PID[2]-3"), "");
  EXPECT_EQ(pid->repetitionCount(2), 0u);
  EXPECT_EQ(m.get("not a path"), "");
}

TEST(Hl7Parse, PathSyntax) {
  auto p = parsePath("OBX[2]-5[3].4.2");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->segment, "OBX");
  EXPECT_EQ(p->occurrence, 2u);
  EXPECT_EQ(p->field, 5u);
  EXPECT_EQ(p->repetition, 3u);
  EXPECT_EQ(p->component, 4u);
  EXPECT_EQ(p->subcomponent, 2u);
  for (const char* bad : {"", "PI-3", "PID", "PID-0", "PID-3[0]", "PID-3.", "PID-3x", "pid-3", "PID-3[2"}) {
    EXPECT_FALSE(parsePath(bad).ok()) << bad;
  }
}

TEST(Hl7Parse, OruWithRepeatedObx) {
  Message m = parseOk(
      "MSH|^~\\&|LAB|OSP|||20240101||ORU^R01|9|P|2.5\rPID|1||X\rOBR|1\r"
      "OBX|1|NM|718-7^Emoglobina^LN||13.5|g/dL\rOBX|2|ST|GLU^Glucosio||95\r");
  EXPECT_EQ(m.segments("OBX").size(), 2u);
  EXPECT_EQ(m.get("OBX[2]-3.2"), "Glucosio");
  EXPECT_EQ(m.segment("OBX", 1)->get(5), "13.5");
  EXPECT_EQ(m.segment("OBX", 3), nullptr);
}

TEST(Hl7Parse, Terminators) {
  for (std::string term : {"\r", "\n", "\r\n"}) {
    std::string text = "MSH|^~\\&|A|B" + term + "PID|1||42" + term + term + "ZZZ|q" + term;
    Message m = parseOk(text);
    EXPECT_EQ(m.segments().size(), 3u) << "terminator size " << term.size();
    EXPECT_EQ(m.get("PID-3"), "42");
    EXPECT_EQ(m.get("ZZZ-1"), "q");
  }
  // No final terminator and leading blank lines are fine too.
  EXPECT_EQ(parseOk("\r\n  \nMSH|^~\\&|A\rPID|1").get("PID-1"), "1");
}

TEST(Hl7Escape, EverySequence) {
  Message m = parseOk(
      "MSH|^~\\&|A\r"
      "NTE|1|a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f|x\\.br\\y|\\H\\bold\\N\\ \\.sp\\\\.sp 2\\\\.in+4\\\\.ce\\t|"
      "\\X4369616F\\|\\XC3A8\\|bad\\Q\\esc|\\X4\\|open\\esc|\\X0D\\|\\Zloc\\|\\\\\r");
  EXPECT_EQ(m.get("NTE-2"), "a|b^c&d~e\\f");
  EXPECT_EQ(m.get("NTE-3"), "x\ny");
  EXPECT_EQ(m.get("NTE-4"), "bold t");
  EXPECT_EQ(m.get("NTE-5"), "Ciao");
  EXPECT_EQ(m.get("NTE-6"), "\xC3\xA8");  // UTF-8 bytes in a hex escape
  EXPECT_EQ(m.get("NTE-7"), "bad\\Q\\esc");  // malformed: kept literally
  EXPECT_EQ(m.get("NTE-8"), "\\X4\\");       // odd hex digits
  EXPECT_EQ(m.get("NTE-9"), "open\\esc");    // unterminated
  EXPECT_EQ(m.get("NTE-10"), "\r");
  EXPECT_EQ(m.get("NTE-11"), "\\Zloc\\");   // locally defined: not ours to guess
  EXPECT_EQ(m.get("NTE-12"), "\\\\");
  EXPECT_EQ(m.raw("NTE-3"), "x\\.br\\y");
  // Invalid UTF-8 from hex stays escaped; in 8859/1 messages hex bytes are Latin-1.
  EXPECT_EQ(unescape("\\XF2\\", Delimiters{}, Charset::kUtf8), "\\XF2\\");
  EXPECT_EQ(unescape("\\XF2\\", Delimiters{}, Charset::kLatin1), "\xC3\xB2");
}

TEST(Hl7Escape, WriterEncodesDelimiters) {
  Delimiters d;
  EXPECT_EQ(escape("a|b^c&d~e\\f\ng\rh", d), "a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f\\.br\\g\\X0D\\h");
  for (std::string v : {"a|b^c&d~e\\f", "x\ny\rz", "\\F\\", "plain", "", "\\"}) {
    EXPECT_EQ(unescape(escape(v, d), d), v);
  }
  Delimiters dots{'#', '.', '%', '!', '@', '\0'};
  EXPECT_EQ(escape("a\nb", dots), "a!X0A!b");  // "\.br\" would be split at '.'
}

TEST(Hl7Charset, Latin1ConvertedToUtf8) {
  Message m = parseOk(std::string("MSH|^~\\&|A|B|||||ADT^A28|1|P|2.5||||||8859/1\rPID|1||||Nicol\xF2^Citt\xE0\r"));
  EXPECT_EQ(m.charset(), Charset::kLatin1);
  EXPECT_EQ(m.get("PID-5.1"), "Nicol\xC3\xB2");  // Nicolò
  EXPECT_EQ(m.get("PID-5.2"), "Citt\xC3\xA0");
  // Serialised back in the declared charset.
  EXPECT_NE(m.serialize().find("Nicol\xF2^"), std::string::npos);
  EXPECT_EQ(latin1ToUtf8("\xE8\xFF"), "\xC3\xA8\xC3\xBF");
  EXPECT_EQ(utf8ToLatin1("\xC3\xA8\xE2\x82\xAC"), "\xE8?");
}

TEST(Hl7Charset, Utf8ValidatedAndAsciiDefault) {
  Message m = parseOk("MSH|^~\\&|A|B|||||ADT^A28|1|P|2.5||||||UNICODE UTF-8\rPID|1||||Nicol\xC3\xB2\r");
  EXPECT_EQ(m.charset(), Charset::kUtf8);
  EXPECT_EQ(m.get("PID-5"), "Nicol\xC3\xB2");
  EXPECT_EQ(parseOk("MSH|^~\\&|A|||||||||||||||utf-8\r").charset(), Charset::kUtf8);
  EXPECT_EQ(parseOk("MSH|^~\\&|A\r").charset(), Charset::kAscii);

  std::string bad = "MSH|^~\\&|A||||||||||||||UNICODE UTF-8\rPID|1||Nicol\xF2\r";
  Error e = parseErr(bad);
  EXPECT_EQ(e.code, ErrorCode::kInvalidInput);
  EXPECT_EQ(e.location, "byte " + std::to_string(bad.find('\xF2')));
  // Undeclared Latin-1 in an ASCII message is rejected, not guessed.
  EXPECT_EQ(parseErr("MSH|^~\\&|A\rPID|\xE8\r").location, "byte 15");
  EXPECT_EQ(findInvalidUtf8("\xC0\x80"), 0u);          // overlong
  EXPECT_EQ(findInvalidUtf8("ok\xED\xA0\x80"), 2u);    // surrogate
  EXPECT_EQ(findInvalidUtf8("\xF0\x9F\x98\x80"), std::string::npos);
}

TEST(Hl7Charset, UnknownCharsetNamesMsh18) {
  Error e = parseErr("MSH|^~\\&|A|||||||||||||||ISO IR87\r");
  EXPECT_EQ(e.code, ErrorCode::kUnsupported);
  EXPECT_EQ(e.location, "MSH-18");
  EXPECT_NE(e.message.find("ISO IR87"), std::string::npos);
}

TEST(Hl7Reject, EveryRejectionWithLocation) {
  struct Case {
    std::string input;
    ErrorCode code;
    std::string location;
  };
  const Case cases[] = {
      {"", ErrorCode::kInvalidInput, "byte 0"},
      {"\r\n\r\n", ErrorCode::kInvalidInput, "byte 0"},
      {"PID|1\r", ErrorCode::kInvalidInput, "segment 1"},
      {"MSH", ErrorCode::kInvalidInput, "MSH-1"},
      {"MSH|^~\\", ErrorCode::kInvalidInput, "MSH-2"},
      {"MSH|^~|A", ErrorCode::kInvalidInput, "MSH-2"},
      {"MSH|^~\\&#$|A", ErrorCode::kInvalidInput, "MSH-2"},
      {"MSH|^^\\&|A", ErrorCode::kInvalidInput, "MSH-2"},
      {"MSH|^~\\&^|A", ErrorCode::kInvalidInput, "MSH-2"},
      {std::string("MSH|^~\\&\0|A", 10), ErrorCode::kInvalidInput, "MSH-2"},
      {"MSH|^~ &|A", ErrorCode::kInvalidInput, "MSH-2"},
      {"MSHA^~\\&|A", ErrorCode::kInvalidInput, "MSH-1"},
      {"MSH|^~\\&|A\rEVN|1\rpid|1\r", ErrorCode::kInvalidInput, "segment 3"},
      {"MSH|^~\\&|A\rEVN|1\rPI|1\r", ErrorCode::kInvalidInput, "segment 3"},
      {"MSH|^~\\&|A\rPIDX|1\r", ErrorCode::kInvalidInput, "segment 2"},
      {"MSH|^~\\&|A\rMSH|^~\\&|B\r", ErrorCode::kInvalidInput, "segment 2 (MSH)"},
      {"MSH|^~\\&|A\rBTS|1\r", ErrorCode::kInvalidInput, "segment 2 (BTS)"},
  };
  for (const Case& c : cases) {
    Error e = parseErr(c.input);
    EXPECT_EQ(e.code, c.code) << c.input;
    EXPECT_EQ(e.location, c.location) << c.input << " -> " << e.describe();
    EXPECT_FALSE(e.message.empty());
  }
}

TEST(Hl7Reject, SizeLimits) {
  ParseOptions small;
  small.max_bytes = 20;
  Error e = parseErr("MSH|^~\\&|A|B|C|D|E|F|G|H\r", small);
  EXPECT_EQ(e.code, ErrorCode::kTooLarge);
  EXPECT_EQ(e.location, "byte 20");

  ParseOptions fewSegments;
  fewSegments.max_segments = 2;
  e = parseErr("MSH|^~\\&|A\rPID|1\rPV1|1\r", fewSegments);
  EXPECT_EQ(e.code, ErrorCode::kTooLarge);
  EXPECT_EQ(e.location, "segment 3");

  ParseOptions fewFields;
  fewFields.max_fields = 3;
  e = parseErr("MSH|^~\\&|A\rPID|1|2|3|4\r", fewFields);
  EXPECT_EQ(e.code, ErrorCode::kTooLarge);
  EXPECT_EQ(e.location, "segment 2 (PID), field 4");

  EXPECT_EQ(parseErr(std::string(1024 * 1024 + 1, 'M')).code, ErrorCode::kTooLarge);  // default 1 MiB
}

TEST(Hl7Delimiters, CustomDelimiters) {
  Message m = parseOk("MSH#$%!@#APP#FAC#####ADT$A28#7#P#2.4\rPID#1##A$B$$C@D%E$F\rNTE#1#x!F!y!S!z\r");
  EXPECT_EQ(m.delimiters().field, '#');
  EXPECT_EQ(m.delimiters().component, '$');
  EXPECT_EQ(m.delimiters().repetition, '%');
  EXPECT_EQ(m.delimiters().escape, '!');
  EXPECT_EQ(m.delimiters().subcomponent, '@');
  EXPECT_EQ(m.get("MSH-1"), "#");
  EXPECT_EQ(m.get("MSH-2"), "$%!@");
  EXPECT_EQ(m.messageType(), "ADT^A28");
  EXPECT_EQ(m.get("PID-3.4.2"), "D");
  EXPECT_EQ(m.get("PID-3[2].2"), "F");
  EXPECT_EQ(m.get("NTE-2"), "x#y$z");
  // v2.7 truncation character tolerated as a 5th encoding character.
  Message t = parseOk("MSH|^~\\&#|A|B||||ADT^A28|1|P|2.7\r");
  EXPECT_EQ(t.delimiters().truncation, '#');
  EXPECT_EQ(t.get("MSH-2"), "^~\\&#");
  EXPECT_EQ(t.sendingApplication(), "A");
}

TEST(Hl7Batch, EnvelopeAndCounts) {
  const std::string batch =
      "FHS|^~\\&|ATS\rBHS|^~\\&|ATS\r"
      "MSH|^~\\&|A||||||ADT^A28|1|P|2.5\rPID|1||X1\r"
      "MSH|^~\\&|A||||||ADT^A31|2|P|2.5\rPID|1||X2\r"
      "BTS|2\rFTS|1\r";
  auto r = parseBatch(batch);
  ASSERT_TRUE(r.ok()) << r.error().describe();
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].get("PID-3"), "X1");
  EXPECT_EQ((*r)[1].messageType(), "ADT^A31");
  EXPECT_EQ((*r)[1].segments().size(), 2u);

  std::string wrong = batch;
  wrong.replace(wrong.find("BTS|2"), 5, "BTS|3");
  auto bad = parseBatch(wrong);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().location, "segment 7 (BTS), field 1");
  EXPECT_NE(bad.error().message.find("3"), std::string::npos);

  std::string wrongFiles = batch;
  wrongFiles.replace(wrongFiles.find("FTS|1"), 5, "FTS|2");
  EXPECT_EQ(parseBatch(wrongFiles).error().location, "segment 8 (FTS), field 1");

  // An empty BTS-1 is not checked; errors inside a message name the file segment.
  auto unchecked = parseBatch("BHS|^~\\&\rMSH|^~\\&|A\rBTS\r");
  ASSERT_TRUE(unchecked.ok());
  EXPECT_EQ(unchecked->size(), 1u);
  EXPECT_EQ(parseBatch("BHS|^~\\&\rMSH|^~\\&|A\rPID|1\rxx\rBTS|1\r").error().location, "segment 4");
  EXPECT_EQ(parseBatch("BHS|^~\\&\rMSH|^~|A\r").error().location, "segment 2 (MSH), MSH-2");
  EXPECT_EQ(parseBatch("BHS|^~\\&\rMSH|^~\\&|A\rBTS|x\r").error().location, "segment 3 (BTS), field 1");
}

TEST(Hl7Batch, SplitGivesEachMessageAsReceived) {
  // Latin-1 bytes stay Latin-1: a listener journals what the sender sent.
  const std::string second = "MSH|^~\\&|A||||||ADT^A31|2|P|2.5||||||8859/1\rPID|1||X2||N\xC8RI\r";
  const std::string batch = "FHS|^~\\&|ATS\rBHS|^~\\&|ATS\r"
                            "MSH|^~\\&|A||||||ADT^A28|1|P|2.5\rPID|1||X1\r" +
                            second + "BTS|2\rFTS|1\r";
  auto parts = splitBatch(batch);
  ASSERT_TRUE(parts.ok()) << parts.error().describe();
  ASSERT_EQ(parts->size(), 2u);
  EXPECT_EQ((*parts)[0], "MSH|^~\\&|A||||||ADT^A28|1|P|2.5\rPID|1||X1");
  EXPECT_EQ(std::string((*parts)[1]) + "\r", second);
  EXPECT_EQ(parse((*parts)[1])->get("PID-5"), "N\xC3\x88RI");

  std::string wrong = batch;
  wrong.replace(wrong.find("BTS|2"), 5, "BTS|3");
  EXPECT_EQ(splitBatch(wrong).error().location, "segment 7 (BTS), field 1");
  auto bare = splitBatch("MSH|^~\\&|A\nPID|1\nMSH|^~\\&|B\n");
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(bare->size(), 2u);
}

TEST(Hl7Batch, BareMessagesAndRejections) {
  auto single = parseBatch(kAdt);
  ASSERT_TRUE(single.ok());
  ASSERT_EQ(single->size(), 1u);
  EXPECT_EQ((*single)[0].messageType(), "ADT^A28");
  auto two = parseBatch("MSH|^~\\&|A\nPID|1\nMSH|^~\\&|B\n");
  ASSERT_TRUE(two.ok());
  EXPECT_EQ(two->size(), 2u);
  EXPECT_EQ((*two)[1].sendingApplication(), "B");

  EXPECT_EQ(parseBatch("").error().location, "byte 0");
  EXPECT_EQ(parseBatch("PID|1\r").error().location, "segment 1");
  EXPECT_EQ(parseBatch("BHS|^~\\&\rFHS|^~\\&\r").error().location, "segment 2 (FHS)");
  EXPECT_EQ(parseBatch("FHS|^^\\&\r").error().location, "segment 1 (FHS), FHS-2");
  EXPECT_EQ(parseBatch("FHS|^~\\&\rFTS|0\rMSH|^~\\&\r").error().location, "segment 3 (MSH)");
  ParseOptions small;
  small.max_bytes = 8;
  EXPECT_EQ(parseBatch(kAdt, small).error().code, ErrorCode::kTooLarge);
}

/// Rebuilds a parsed message through the writer from decoded values.
std::string rewrite(const Message& m) {
  MessageWriter w(m.delimiters());
  for (const Segment& s : m.segments()) {
    SegmentWriter& out = w.addSegment(std::string(s.name()));
    for (std::size_t f = s.name() == "MSH" ? 3 : 1; f <= s.fieldCount(); ++f) out.copyField(f, s, f);
  }
  auto text = w.serialize();
  EXPECT_TRUE(text.ok()) << text.error().describe();
  return text.ok() ? text.value() : std::string();
}

void expectSameValues(const Message& a, const Message& b) {
  ASSERT_EQ(a.segments().size(), b.segments().size());
  for (std::size_t i = 0; i < a.segments().size(); ++i) {
    const Segment& sa = a.segments()[i];
    const Segment& sb = b.segments()[i];
    EXPECT_EQ(sa.name(), sb.name());
    for (std::size_t f = 1; f <= sa.fieldCount(); ++f) {
      for (std::size_t r = 1; r <= std::max<std::size_t>(sa.repetitionCount(f), 1); ++r) {
        for (std::size_t c = 1; c <= std::max<std::size_t>(sa.componentCount(f, r), 1); ++c) {
          for (std::size_t s = 1; s <= std::max<std::size_t>(sa.subcomponentCount(f, r, c), 1); ++s) {
            EXPECT_EQ(sa.get(f, r, c, s), sb.get(f, r, c, s)) << sa.name() << "-" << f;
          }
        }
      }
    }
  }
}

TEST(Hl7Writer, RoundTrip) {
  for (std::string text :
       {kAdt, std::string("MSH#$%!@#APP#####ADT$A28#7#P#2.4\rNTE#1#x!F!y!.br!z$!E!@q%w\r"),
        std::string("MSH|^~\\&|A|||||||||||||||8859/1\rPID|1||||Nicol\xF2 \\T\\ C\\X0D\\\r")}) {
    Message original = parseOk(text);
    Message viaRaw = parseOk(original.serialize());
    expectSameValues(original, viaRaw);
    Message viaWriter = parseOk(rewrite(original));
    expectSameValues(original, viaWriter);
    EXPECT_EQ(viaWriter.charset(), original.charset());
  }
}

TEST(Hl7Writer, BuildsEscapedMessageAndAck) {
  MessageWriter w;
  w.addSegment("MSH").set(3, "GW").setComponent(9, 1, "ADT").setComponent(9, 2, "A28").set(10, "1").set(12, "2.5");
  w.addSegment("NTE").set(1, "1").set(3, "a|b^c").set(4, 2, 1, 2, "sub");
  auto text = w.serialize();
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text, "MSH|^~\\&|GW||||||ADT^A28|1||2.5\rNTE|1||a\\F\\b\\S\\c|~&sub\r");

  Message original = parseOk(kAdt);
  auto ack = makeAck(original, "AA", "ok", "ACK1", "20240101120001");
  ASSERT_TRUE(ack.ok()) << ack.error().describe();
  Message a = parseOk(*ack);
  EXPECT_EQ(a.messageType(), "ACK^A28");
  EXPECT_EQ(a.sendingApplication(), "GATEWAY");
  EXPECT_EQ(a.get("MSH-6.2"), "2.16.840.1.113883.2.9");  // HD components kept
  EXPECT_EQ(a.get("MSA-1"), "AA");
  EXPECT_EQ(a.get("MSA-2"), "CTRL1");
  EXPECT_EQ(a.controlId(), "ACK1");
}

TEST(Hl7Writer, Misuse) {
  MessageWriter w;
  w.addSegment("PID");
  EXPECT_EQ(w.serialize().error().location, "segment 1");
  MessageWriter bad;
  bad.addSegment("MSH").set(2, "x");
  EXPECT_EQ(bad.serialize().error().location, "segment 1 (MSH)");
  MessageWriter zero;
  zero.addSegment("MSH");
  zero.addSegment("PID").set(0, "x");
  EXPECT_EQ(zero.serialize().error().location, "segment 2 (PID)");
  MessageWriter name;
  name.addSegment("MSH");
  name.addSegment("pid");
  EXPECT_EQ(name.serialize().error().location, "segment 2");
  MessageWriter dup(Delimiters{'|', '|', '~', '\\', '&', '\0'});
  dup.addSegment("MSH");
  EXPECT_EQ(dup.serialize().error().location, "MSH-2");
  MessageWriter charset;
  charset.addSegment("MSH").set(18, "KOI8");
  EXPECT_EQ(charset.serialize().error().code, ErrorCode::kUnsupported);
}

TEST(Hl7Message, MoveKeepsViewsValid) {
  Message m = parseOk("MSH|^~\\&|A\rPID|1\r");  // short: would sit in SSO storage
  std::string_view before = m.raw("PID-1");
  Message moved = std::move(m);
  EXPECT_EQ(moved.raw("PID-1").data(), before.data());
  EXPECT_EQ(moved.get("PID-1"), "1");
}

}  // namespace
}  // namespace raccordo::hl7
