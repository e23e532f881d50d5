// ACKs for HL7 v2 messages: original and enhanced mode, ERR, re-sends.

#include "adapters/ats/ats_ack.h"

#include <gtest/gtest.h>

#include <string>

#include "adapters/ats/hl7/hl7.h"

namespace raccordo::ats {
namespace {

const std::string kAdt =
    "MSH|^~\\&|ANAGRAFE|ATS_MILANO|RACCORDO|COMUNE|20261101120000||ADT^A28^ADT_A05|CTRL-7|P|2.5\r"
    "PID|1||RSSMRA80A01F205X^^^MEF&2.16.840.1.113883.2.9.4.3.2&ISO^NNITA||ROSSI^MARIO\r";

AckOutcome accepted(int64_t id = 42) {
  AckOutcome o;
  o.accepted = true;
  o.message_id = id;
  o.received_at_ms = 1795000000123;
  return o;
}

AckOutcome failed(Error e, int64_t id = 43) {
  AckOutcome o;
  o.error = std::move(e);
  o.message_id = id;
  o.received_at_ms = 1795000000123;
  return o;
}

hl7::Message parsed(const std::string& ack) {
  auto m = hl7::parse(ack);
  EXPECT_TRUE(m.ok()) << (m.ok() ? "" : m.error().describe()) << "\n" << ack;
  return std::move(m).value();
}

TEST(AtsAck, OriginalModeAcceptEchoesControlIdAndSwapsParties) {
  hl7::Message ack = parsed(ackFor(kAdt, accepted(), AckSettings{}));
  EXPECT_EQ(ack.get("MSA-1"), "AA");
  EXPECT_EQ(ack.get("MSA-2"), "CTRL-7");
  EXPECT_NE(ack.get("MSA-3").find("42"), std::string::npos);  // names the journal entry
  EXPECT_EQ(ack.get("MSH-3"), "RACCORDO");
  EXPECT_EQ(ack.get("MSH-4"), "COMUNE");  // facility not configured: the original MSH-6
  EXPECT_EQ(ack.get("MSH-5"), "ANAGRAFE");
  EXPECT_EQ(ack.get("MSH-6"), "ATS_MILANO");
  EXPECT_EQ(ack.get("MSH-9"), "ACK^A28^ACK");
  EXPECT_EQ(ack.get("MSH-10"), "RAC42");
  EXPECT_EQ(ack.get("MSH-12"), "2.5");
  EXPECT_EQ(ack.get("MSH-7"), "20261118110640.123+0000");
  EXPECT_EQ(ack.segment("ERR"), nullptr);
}

TEST(AtsAck, SameOutcomeSameBytes) {
  // A re-send is answered from the journal's first answer: same id, same time.
  EXPECT_EQ(ackFor(kAdt, accepted(), {}), ackFor(kAdt, accepted(), {}));
}

TEST(AtsAck, ContentErrorIsAeWithErrLocation) {
  hl7::Message ack =
      parsed(ackFor(kAdt, failed(Error(ErrorCode::kInvalidInput, "PID-7 is not a date", "PID-7")), AckSettings{}));
  EXPECT_EQ(ack.get("MSA-1"), "AE");
  EXPECT_EQ(ack.get("MSA-2"), "CTRL-7");
  ASSERT_NE(ack.segment("ERR"), nullptr);
  EXPECT_EQ(ack.get("ERR-2.1"), "PID");
  EXPECT_EQ(ack.get("ERR-2.2"), "1");
  EXPECT_EQ(ack.get("ERR-2.3"), "7");
  EXPECT_EQ(ack.get("ERR-3.1"), "102");
  EXPECT_EQ(ack.get("ERR-3.3"), "HL70357");
  EXPECT_EQ(ack.get("ERR-4"), "E");
  EXPECT_NE(ack.get("ERR-8").find("PID-7 is not a date"), std::string::npos);
}

TEST(AtsAck, ComponentLevelLocation) {
  hl7::Message ack = parsed(
      ackFor(kAdt, failed(Error(ErrorCode::kInvalidInput, "bad CF", "PID-3[2].4.2")), AckSettings{}));
  EXPECT_EQ(ack.get("ERR-2.3"), "3");
  EXPECT_EQ(ack.get("ERR-2.4"), "2");
  EXPECT_EQ(ack.get("ERR-2.5"), "4");
  EXPECT_EQ(ack.get("ERR-2.6"), "2");
}

TEST(AtsAck, UnsupportedTypeIsArWithCode200) {
  hl7::Message ack = parsed(ackFor(
      kAdt, failed(Error(ErrorCode::kUnsupported, "message type ADT^A99 is not supported", "MSH-9")), {}));
  EXPECT_EQ(ack.get("MSA-1"), "AR");
  EXPECT_EQ(ack.get("ERR-3.1"), "200");
  EXPECT_EQ(ack.get("ERR-2.1"), "MSH");
  EXPECT_EQ(ack.get("ERR-2.3"), "9");
}

TEST(AtsAck, StoreFailureIsAReject) {
  hl7::Message ack = parsed(ackFor(kAdt, failed(Error(ErrorCode::kUnavailable, "store busy"), 0), {}));
  EXPECT_EQ(ack.get("MSA-1"), "AR");
  EXPECT_EQ(ack.get("ERR-3.1"), "207");
  EXPECT_EQ(ack.get("MSH-10"), "RAC0");
}

TEST(AtsAck, EnhancedModeCommitAcks) {
  std::string always = kAdt;
  always.replace(always.find("|P|2.5\r"), 7, "|P|2.5|||AL|NE\r");
  EXPECT_EQ(parsed(ackFor(always, accepted(), {})).get("MSA-1"), "CA");
  EXPECT_EQ(parsed(ackFor(always, failed(Error(ErrorCode::kInvalidInput, "x", "PID-5")), {})).get("MSA-1"), "CE");
  EXPECT_EQ(parsed(ackFor(always, failed(Error(ErrorCode::kUnsupported, "x", "MSH-9")), {})).get("MSA-1"), "CR");

  std::string never = kAdt;
  never.replace(never.find("|P|2.5\r"), 7, "|P|2.5|||NE|AL\r");
  EXPECT_EQ(ackFor(never, accepted(), {}), "");

  std::string errors_only = kAdt;
  errors_only.replace(errors_only.find("|P|2.5\r"), 7, "|P|2.5|||ER|NE\r");
  EXPECT_EQ(ackFor(errors_only, accepted(), {}), "");
  EXPECT_EQ(parsed(ackFor(errors_only, failed(Error(ErrorCode::kInvalidInput, "x")), {})).get("MSA-1"), "CE");

  std::string success_only = kAdt;
  success_only.replace(success_only.find("|P|2.5\r"), 7, "|P|2.5|||SU|NE\r");
  EXPECT_EQ(parsed(ackFor(success_only, accepted(), {})).get("MSA-1"), "CA");
  EXPECT_EQ(ackFor(success_only, failed(Error(ErrorCode::kInvalidInput, "x")), {}), "");
}

TEST(AtsAck, OlderVersionsGetErr1) {
  std::string v23 = kAdt;
  v23.replace(v23.find("|P|2.5\r"), 7, "|P|2.3\r");
  hl7::Message ack = parsed(ackFor(v23, failed(Error(ErrorCode::kInvalidInput, "PID-7 is not a date", "PID-7")), {}));
  EXPECT_EQ(ack.get("ERR-1.1"), "PID");
  EXPECT_EQ(ack.get("ERR-1.3"), "7");
  EXPECT_EQ(ack.get("ERR-1.4.1"), "102");
  EXPECT_EQ(ack.get("ERR-2"), "");
}

TEST(AtsAck, BrokenBodyStillAnswersFromMsh) {
  std::string broken = "MSH|^~\\&|LAB|ASST|RACCORDO||20261101||ORU^R01|C-9|P|2.5\rPID|" + std::string(5, '\0') + "\r";
  hl7::Message ack = parsed(ackFor(broken, failed(Error(ErrorCode::kInvalidInput, "control character", "PID-1")), {}));
  EXPECT_EQ(ack.get("MSA-1"), "AE");
  EXPECT_EQ(ack.get("MSA-2"), "C-9");
  EXPECT_EQ(ack.get("MSH-5"), "LAB");
}

TEST(AtsAck, NotHl7AtAllGetsAr) {
  hl7::Message ack = parsed(ackFor("hello", failed(Error(ErrorCode::kInvalidInput, "no MSH segment", "MSH")), {}));
  EXPECT_EQ(ack.get("MSA-1"), "AE");
  EXPECT_EQ(ack.get("MSA-2"), "");
  hl7::Message too_big =
      parsed(ackFor("MSH|^~\\&|A|B|||||ADT^A01|X1|P|2.5\r", failed(Error(ErrorCode::kTooLarge, "over 1 MiB")), {}));
  EXPECT_EQ(too_big.get("MSA-1"), "AR");
  EXPECT_EQ(too_big.get("MSA-2"), "X1");
}

TEST(AtsAck, Latin1SenderGetsLatin1Ack) {
  std::string latin = kAdt;
  latin.replace(latin.find("|P|2.5\r"), 7, "|P|2.5||||||8859/1\r");
  std::string ack = ackFor(latin, failed(Error(ErrorCode::kInvalidInput, "data non valida: è", "PID-7")), {});
  EXPECT_NE(ack.find("\xE8"), std::string::npos);     // è in ISO-8859-1
  EXPECT_EQ(ack.find("\xC3\xA8"), std::string::npos);  // not UTF-8
}

TEST(AtsAck, ErrorCodes) {
  EXPECT_EQ(hl7ErrorCode(Error(ErrorCode::kInvalidInput, "PID-3 is missing", "PID-3")), "101");
  EXPECT_EQ(hl7ErrorCode(Error(ErrorCode::kUnknownCode, "x")), "103");
  EXPECT_EQ(hl7ErrorCode(Error(ErrorCode::kUnsupported, "version 2.1", "MSH-12")), "203");
  EXPECT_EQ(hl7ErrorCode(Error(ErrorCode::kInternal, "x")), "207");
}

}  // namespace
}  // namespace raccordo::ats
