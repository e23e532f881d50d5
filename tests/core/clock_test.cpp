#include "gateway/core/clock.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <string>

namespace raccordo {
namespace {

// Expected epoch values were computed independently (Python datetime).
constexpr int64_t k20261123_132000_123 = 1795440000123;  // 2026-11-23T13:20:00.123Z
constexpr int64_t k20260101 = 1767225600000;             // 2026-01-01T00:00:00Z
constexpr int64_t k20261101 = 1793491200000;             // 2026-11-01T00:00:00Z
constexpr int64_t k20261123 = 1795392000000;             // 2026-11-23T00:00:00Z

TEST(FormatInstantTest, KnownValues) {
  EXPECT_EQ(formatInstant(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(formatInstant(k20261123_132000_123), "2026-11-23T13:20:00.123Z");
  EXPECT_EQ(formatInstant(951868799999), "2000-02-29T23:59:59.999Z");
  EXPECT_EQ(formatInstant(1709208000000), "2024-02-29T12:00:00.000Z");
  EXPECT_EQ(formatInstant(-993945600000), "1938-07-04T00:00:00.000Z");
}

TEST(FormatInstantTest, RoundTripsThroughParse) {
  for (int64_t ms : {int64_t{0}, k20261123_132000_123, int64_t{951868799999}, int64_t{1}, int64_t{999},
                     int64_t{4102444799999}}) {
    int64_t back = -1;
    ASSERT_TRUE(parseInstant(formatInstant(ms), back)) << ms;
    EXPECT_EQ(back, ms);
  }
}

TEST(FormatInstantTest, BeforeTheEpochWithMilliseconds) {
  EXPECT_EQ(formatInstant(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(formatInstant(-993945599500), "1938-07-04T00:00:00.500Z");
}

TEST(ParseInstantTest, DatePrefixes) {
  int64_t ms = -1;
  ASSERT_TRUE(parseInstant("2026", ms));
  EXPECT_EQ(ms, k20260101);
  ASSERT_TRUE(parseInstant("2026-11", ms));
  EXPECT_EQ(ms, k20261101);
  ASSERT_TRUE(parseInstant("2026-11-23", ms));
  EXPECT_EQ(ms, k20261123);
  ASSERT_TRUE(parseInstant("1970-01-01", ms));
  EXPECT_EQ(ms, 0);
  ASSERT_TRUE(parseInstant("1938-07-04", ms));
  EXPECT_EQ(ms, -993945600000);
  ASSERT_TRUE(parseInstant("2000-02-29", ms));
  EXPECT_EQ(ms, 951782400000);
}

TEST(ParseInstantTest, DateTimesWithZuluAndOffsets) {
  int64_t ms = -1;
  ASSERT_TRUE(parseInstant("2026-11-23T13:20:00Z", ms));
  EXPECT_EQ(ms, k20261123_132000_123 - 123);
  ASSERT_TRUE(parseInstant("2026-11-23T10:00:00+01:00", ms));
  EXPECT_EQ(ms, 1795424400000);
  ASSERT_TRUE(parseInstant("2026-11-23T10:00:00-05:30", ms));
  EXPECT_EQ(ms, 1795447800000);
  ASSERT_TRUE(parseInstant("2026-11-23T14:20:00+01:00", ms));
  EXPECT_EQ(ms, k20261123_132000_123 - 123);
  // Offsets that cross midnight.
  ASSERT_TRUE(parseInstant("2026-11-23T00:30:00+01:00", ms));
  EXPECT_EQ(ms, k20261123 - 30 * 60000);
  // No zone: read as UTC.
  ASSERT_TRUE(parseInstant("2026-11-23T13:20:00", ms));
  EXPECT_EQ(ms, k20261123_132000_123 - 123);
  // Hours and minutes only.
  ASSERT_TRUE(parseInstant("2026-11-23T13:20Z", ms));
  EXPECT_EQ(ms, k20261123_132000_123 - 123);
}

TEST(ParseInstantTest, Fractions) {
  int64_t ms = -1;
  ASSERT_TRUE(parseInstant("2026-11-23T13:20:00.123Z", ms));
  EXPECT_EQ(ms, k20261123_132000_123);
  ASSERT_TRUE(parseInstant("2026-11-23T13:20:00.1Z", ms));
  EXPECT_EQ(ms, k20261123_132000_123 - 23);
  ASSERT_TRUE(parseInstant("2026-11-23T13:20:00.12Z", ms));
  EXPECT_EQ(ms, k20261123_132000_123 - 3);
  // Beyond milliseconds: truncated.
  ASSERT_TRUE(parseInstant("2026-11-23T13:20:00.123999999Z", ms));
  EXPECT_EQ(ms, k20261123_132000_123);
  ASSERT_TRUE(parseInstant("2026-11-23T14:20:00.123+01:00", ms));
  EXPECT_EQ(ms, k20261123_132000_123);
  ASSERT_TRUE(parseInstant("2026-11-23T13:20:00.123", ms));
  EXPECT_EQ(ms, k20261123_132000_123);
}

class ParseInstantMalformedTest : public ::testing::TestWithParam<const char*> {};

TEST_P(ParseInstantMalformedTest, IsRejected) {
  int64_t ms = 12345;
  EXPECT_FALSE(parseInstant(GetParam(), ms)) << GetParam();
}

INSTANTIATE_TEST_SUITE_P(Cases, ParseInstantMalformedTest,
                         ::testing::Values("", "2", "202", "abcd", "20261123", "2026-", "2026-1", "2026-1x",
                                           "2026/11/23", "2026-13", "2026-00", "2026-11-00", "2026-11-32",
                                           "2026-11-2", "2026-11-23T", "2026-11-23 10:00:00Z",
                                           "2026-11-23T10", "2026-11-23T10:0", "2026-11-23T1a:00:00Z",
                                           "2026-11-23T24:00:00Z", "2026-11-23T10:60:00Z",
                                           "2026-11-23T10:00:61Z", "2026-11-23T10:00:00X",
                                           "2026-11-23T10:00:00+0100", "2026-11-23T10:00:00+01",
                                           "2026-11-23T10:00:00+01:0x", "2026-11-23T10:00:00Zjunk",
                                           "2026-11-23T10:00:00Z ", "2026-11-23T10:00:00.123Zjunk",
                                           "2026-11-23junk"));

TEST(ParseInstantTest, RejectsImpossibleCalendarDates) {
  int64_t ms = 0;
  EXPECT_FALSE(parseInstant("2026-02-30", ms));
  EXPECT_FALSE(parseInstant("2026-02-29", ms));
  EXPECT_FALSE(parseInstant("2026-04-31", ms));
  EXPECT_FALSE(parseInstant("1900-02-29", ms));
}

TEST(ParseInstantTest, RejectsSignedFields) {
  int64_t ms = 0;
  EXPECT_FALSE(parseInstant("2026-11-23T-1:00:00Z", ms));
  EXPECT_FALSE(parseInstant("2026-11-23T10:-1:00Z", ms));
  EXPECT_FALSE(parseInstant("2026-11-23T10:00:-1Z", ms));
  EXPECT_FALSE(parseInstant("2026-11-23T10:00:00+-1:00", ms));
}

TEST(ParseInstantTest, RejectsAFractionWithoutDigits) {
  int64_t ms = 0;
  EXPECT_FALSE(parseInstant("2026-11-23T10:00:00.Z", ms));
  EXPECT_FALSE(parseInstant("2026-11-23T10:00:00.", ms));
}

TEST(FormatHttpDateTest, KnownValues) {
  EXPECT_EQ(formatHttpDate(0), "Thu, 01 Jan 1970 00:00:00 GMT");
  EXPECT_EQ(formatHttpDate(k20261123_132000_123), "Mon, 23 Nov 2026 13:20:00 GMT");
  EXPECT_EQ(formatHttpDate(1709208000000), "Thu, 29 Feb 2024 12:00:00 GMT");
}

TEST(ParseInstantEndTest, EndOfThePeriodEachPrefixDenotes) {
  int64_t end = -1;
  ASSERT_TRUE(parseInstantEnd("2026", end));
  EXPECT_EQ(end, 1798761600000);  // 2027-01-01
  ASSERT_TRUE(parseInstantEnd("2026-11", end));
  EXPECT_EQ(end, 1796083200000);  // 2026-12-01
  ASSERT_TRUE(parseInstantEnd("2026-12", end));
  EXPECT_EQ(end, 1798761600000);  // across the year
  ASSERT_TRUE(parseInstantEnd("2026-11-23", end));
  EXPECT_EQ(end, k20261123 + 86400000);
  ASSERT_TRUE(parseInstantEnd("2026-11-23T13:20Z", end));
  EXPECT_EQ(end, k20261123_132000_123 - 123 + 60000);
  ASSERT_TRUE(parseInstantEnd("2026-11-23T13:20:00Z", end));
  EXPECT_EQ(end, k20261123_132000_123 - 123 + 1000);
  ASSERT_TRUE(parseInstantEnd("2026-11-23T14:20:00+01:00", end));
  EXPECT_EQ(end, k20261123_132000_123 - 123 + 1000);
  ASSERT_TRUE(parseInstantEnd("2026-11-23T13:20:00.123Z", end));
  EXPECT_EQ(end, k20261123_132000_123 + 1);
  EXPECT_FALSE(parseInstantEnd("2026-13", end));
  EXPECT_FALSE(parseInstantEnd("junk", end));
}

TEST(ManualClockTest, StartsWhereToldAndAdvances) {
  ManualClock clock(1000);
  EXPECT_EQ(clock.nowMs(), 1000);
  clock.advanceMs(250);
  EXPECT_EQ(clock.nowMs(), 1250);
  const Clock& as_base = clock;
  EXPECT_EQ(as_base.nowMs(), 1250);
}

TEST(SystemClockTest, IsNearTheRealTime) {
  SystemClock clock;
  int64_t now = clock.nowMs();
  // After 2020-01-01 and before 2200-01-01.
  EXPECT_GT(now, 1577836800000);
  EXPECT_LT(now, 7258118400000);
  EXPECT_GE(clock.nowMs(), now);
}

}  // namespace
}  // namespace raccordo
