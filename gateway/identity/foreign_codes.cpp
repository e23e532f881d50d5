#include "gateway/identity/foreign_codes.h"

#include <cstddef>

namespace raccordo::identity {

namespace {

constexpr std::size_t kForeignCodeLength = 16;
constexpr std::size_t kPrefixLength = 3;
constexpr std::size_t kRegionLength = 3;
constexpr std::size_t kAuthorityLength = 3;

bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isLetter(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
char toUpper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }
bool isSeparator(char c) { return c == ' ' || c == '-' || c == '.' || c == '\t'; }

// Upper-cased, separators dropped.
std::string compact(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (!isSeparator(c)) out.push_back(toUpper(c));
  }
  return out;
}

std::string position(std::size_t index0) { return "position " + std::to_string(index0 + 1); }

}  // namespace

const char* foreignCodeKindName(ForeignCodeKind kind) { return kind == ForeignCodeKind::kStp ? "STP" : "ENI"; }

Result<ForeignCode> parseForeignCode(std::string_view text) {
  const std::string code = compact(text);
  if (code.empty()) return Error(ErrorCode::kInvalidInput, "STP/ENI code is empty", "position 1");
  const std::string_view prefix = std::string_view(code).substr(0, kPrefixLength);
  ForeignCode out;
  if (prefix == "STP") {
    out.kind = ForeignCodeKind::kStp;
  } else if (prefix == "ENI") {
    out.kind = ForeignCodeKind::kEni;
  } else {
    return Error(ErrorCode::kInvalidInput, "STP/ENI code must start with 'STP' or 'ENI', found '" + std::string(prefix) + "'",
                 "position 1");
  }
  for (std::size_t i = kPrefixLength; i < code.size() && i < kForeignCodeLength; ++i) {
    if (!isDigit(code[i])) {
      const char* group = i < kPrefixLength + kRegionLength                     ? "region code"
                          : i < kPrefixLength + kRegionLength + kAuthorityLength ? "health-authority code"
                                                                                 : "serial number";
      return Error(ErrorCode::kInvalidInput,
                   std::string(foreignCodeKindName(out.kind)) + " " + group + " must be digits, found '" + code[i] + "'",
                   position(i));
    }
  }
  if (code.size() != kForeignCodeLength) {
    return Error(ErrorCode::kInvalidInput,
                 std::string(foreignCodeKindName(out.kind)) + " code must be 16 characters (prefix, 3-digit region, " +
                     "3-digit health authority, 7-digit serial), found " + std::to_string(code.size()),
                 position(code.size() < kForeignCodeLength ? code.size() : kForeignCodeLength));
  }
  out.code = code;
  out.region = code.substr(kPrefixLength, kRegionLength);
  out.authority = code.substr(kPrefixLength + kRegionLength, kAuthorityLength);
  out.serial = code.substr(kPrefixLength + kRegionLength + kAuthorityLength);
  return out;
}

PatientIdShape patientIdShape(std::string_view text) {
  const std::string code = compact(text);
  if (code.size() == kForeignCodeLength && (code.starts_with("STP") || code.starts_with("ENI"))) {
    bool digits = true;
    for (std::size_t i = kPrefixLength; i < code.size(); ++i) digits = digits && isDigit(code[i]);
    if (digits) return code.starts_with("STP") ? PatientIdShape::kStp : PatientIdShape::kEni;
  }
  if (code.size() == 11) {
    bool digits = true;
    for (char c : code) digits = digits && isDigit(c);
    if (digits) return PatientIdShape::kProvisionalCf;
  }
  if (code.size() == kForeignCodeLength) {
    // Letters where the codice fiscale has letters (names, month, check);
    // digits or omocodia letters elsewhere. Shape only: parseCodiceFiscale checks the rest.
    bool shape = true;
    for (std::size_t i = 0; i < code.size(); ++i) {
      const bool letterOnly = i < 6 || i == 8 || i == 11 || i == 15;
      shape = shape && (letterOnly ? isLetter(code[i]) : (isDigit(code[i]) || isLetter(code[i])));
    }
    if (shape) return PatientIdShape::kCodiceFiscale;
  }
  return PatientIdShape::kUnknown;
}

}  // namespace raccordo::identity
