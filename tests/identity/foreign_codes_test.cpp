#include "gateway/identity/foreign_codes.h"

#include <gtest/gtest.h>

#include <ostream>
#include <string>

namespace raccordo::identity {
namespace {

struct ValidCase {
  const char* input;
  ForeignCodeKind kind;
  const char* code;
  const char* region;
  const char* authority;
  const char* serial;
};

// Named by its input in test output (and gtest does not dump its padding bytes).
void PrintTo(const ValidCase& c, std::ostream* os) { *os << c.input; }

class ValidForeignCode : public testing::TestWithParam<ValidCase> {};

TEST_P(ValidForeignCode, Parses) {
  const ValidCase& c = GetParam();
  auto parsed = parseForeignCode(c.input);
  ASSERT_TRUE(parsed.ok()) << parsed.error().describe();
  EXPECT_EQ(parsed->kind, c.kind);
  EXPECT_EQ(parsed->code, c.code);
  EXPECT_EQ(parsed->region, c.region);
  EXPECT_EQ(parsed->authority, c.authority);
  EXPECT_EQ(parsed->serial, c.serial);
}

INSTANTIATE_TEST_SUITE_P(
    Table, ValidForeignCode,
    testing::Values(ValidCase{"STP0303081234567", ForeignCodeKind::kStp, "STP0303081234567", "030", "308", "1234567"},
                    ValidCase{"ENI0303210000001", ForeignCodeKind::kEni, "ENI0303210000001", "030", "321", "0000001"},
                    ValidCase{"stp0120010000042", ForeignCodeKind::kStp, "STP0120010000042", "012", "001", "0000042"},
                    ValidCase{"STP 030 308 1234567", ForeignCodeKind::kStp, "STP0303081234567", "030", "308", "1234567"},
                    ValidCase{"ENI-030-308-7654321", ForeignCodeKind::kEni, "ENI0303087654321", "030", "308", "7654321"}));

struct InvalidCase {
  const char* input;
  const char* message_part;
  const char* location;
};

// Named by its input in test output (and gtest does not dump its padding bytes).
void PrintTo(const InvalidCase& c, std::ostream* os) { *os << c.input; }

class InvalidForeignCode : public testing::TestWithParam<InvalidCase> {};

TEST_P(InvalidForeignCode, FailsWithRuleAndPosition) {
  const InvalidCase& c = GetParam();
  auto parsed = parseForeignCode(c.input);
  ASSERT_FALSE(parsed.ok()) << c.input;
  EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidInput);
  EXPECT_NE(parsed.error().message.find(c.message_part), std::string::npos) << parsed.error().message;
  EXPECT_EQ(parsed.error().location, c.location);
}

INSTANTIATE_TEST_SUITE_P(
    Table, InvalidForeignCode,
    testing::Values(InvalidCase{"", "empty", "position 1"},
                    InvalidCase{"XYZ0303081234567", "must start with 'STP' or 'ENI'", "position 1"},
                    InvalidCase{"RSSMRA80A01F205X", "must start with 'STP' or 'ENI'", "position 1"},
                    InvalidCase{"STP03A3081234567", "region code must be digits", "position 6"},
                    InvalidCase{"STP030X081234567", "health-authority code must be digits", "position 7"},
                    InvalidCase{"ENI03030812345Z7", "serial number must be digits", "position 15"},
                    InvalidCase{"STP030308123456", "must be 16 characters", "position 16"},
                    InvalidCase{"STP03030812345678", "must be 16 characters", "position 17"}));

TEST(PatientIdShape, RoutesByShape) {
  EXPECT_EQ(patientIdShape("RSSMRA80A01F205X"), PatientIdShape::kCodiceFiscale);
  EXPECT_EQ(patientIdShape("RSSMRA8LALMF2L5X"), PatientIdShape::kCodiceFiscale);  // omocodic shape
  EXPECT_EQ(patientIdShape("12345678901"), PatientIdShape::kProvisionalCf);
  EXPECT_EQ(patientIdShape("STP0303081234567"), PatientIdShape::kStp);
  EXPECT_EQ(patientIdShape("eni 030 308 1234567"), PatientIdShape::kEni);
  EXPECT_EQ(patientIdShape("STP03030812345"), PatientIdShape::kUnknown);
  EXPECT_EQ(patientIdShape("1234"), PatientIdShape::kUnknown);
  EXPECT_EQ(patientIdShape("RSSMRA80A01F2051"), PatientIdShape::kUnknown);  // check position is a digit
}

}  // namespace
}  // namespace raccordo::identity
