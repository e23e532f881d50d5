#pragma once
// Codice fiscale (Italian tax code) rules: computing one from personal data,
// checking syntax and check character, resolving omocodia, checking consistency
// with birth date, sex and birth place, and the 11-digit provisional code.
// Pure functions, thread-safe, no I/O.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/core/result.h"

namespace raccordo::identity {

enum class Sex { kMale, kFemale };

/// Personal data the code is derived from.
struct CfPerson {
  std::string family_name;  // any case, accents and apostrophes allowed
  std::string given_name;
  Sex sex = Sex::kMale;
  int year = 0;   // four digits
  int month = 0;  // 1..12
  int day = 0;    // 1..31
  std::string birth_place_code;  // cadastral (Belfiore) code, e.g. "F205" Milano, "Z129" Romania
};

/// What a syntactically valid code says about its holder.
struct CfInfo {
  std::string code;        // as given, upper-cased
  std::string normalized;  // omocodia resolved: the one code all 128 variants share
  bool omocodic = false;   // some digit positions carry substitution letters
  int year2 = 0;           // two-digit year (the century is not in the code)
  int month = 0;           // 1..12
  int day = 0;             // 1..31
  Sex sex = Sex::kMale;
  std::string place_code;  // cadastral code, digits restored
};

/// The canonical 16-character code (no omocodia letters) for a person.
std::string computeCodiceFiscale(const CfPerson& person);

/// Check character for the first 15 characters (upper-case, any omocodia form).
char cfCheckChar(std::string_view first15);

/// Parses and checks a 16-character code: length, character classes per position,
/// month letter, day range, check character. Errors name the rule and the
/// 1-based position, e.g. "check character is 'X', expected 'S'" at "position 16".
Result<CfInfo> parseCodiceFiscale(std::string_view code);

/// Checks that a parsed code agrees with the holder's declared data. Any field
/// left empty/zero is not checked. Errors name the field that disagrees.
Status checkCfConsistency(const CfInfo& info, int year, int month, int day,
                          std::optional<Sex> sex, std::string_view place_code);

/// All 128 omocodia variants of a valid code (including the canonical one),
/// each with its correct check character. Order: canonical first.
std::vector<std::string> omocodiaVariants(std::string_view code);

/// The 11-digit provisional code: 7 serial digits, 3 office digits, check digit.
Status checkProvisionalCf(std::string_view code);
char provisionalCfCheckDigit(std::string_view first10);

}  // namespace raccordo::identity
