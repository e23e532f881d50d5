#include "gateway/identity/codice_fiscale.h"

#include <array>
#include <cstddef>
#include <cstdio>
#include <string>
#include <string_view>
#include <utility>

namespace raccordo::identity {

namespace {

constexpr std::size_t kCodeLength = 16;
constexpr std::size_t kProvisionalLength = 11;

// Month letters for January..December. The gaps (F, G, I, ...) are deliberate
// in the decree: they avoid letters easily confused with digits or each other.
constexpr std::string_view kMonthLetters = "ABCDEHLMPRST";

// Omocodia substitution letters for digits 0..9.
constexpr std::string_view kOmocodiaLetters = "LMNPQRSTUV";

// 0-based positions that carry digits in a canonical code (year, day, place
// number). Listed left to right; the Agenzia substitutes from the right.
constexpr std::array<std::size_t, 7> kDigitPositions = {6, 7, 9, 10, 12, 13, 14};

// Check-character values for characters in odd (1-based) positions. Digits
// share the values of the letters A..J, so one table indexed by letter serves both.
constexpr std::array<int, 26> kOddValues = {1,  0,  5,  7,  9,  13, 15, 17, 19, 21, 2,  4,  18,
                                            20, 11, 3,  6,  8,  12, 14, 16, 10, 22, 25, 24, 23};

constexpr std::string_view kUpperLetters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

// Base letters for U+00C0..U+00DF (and, by case, U+00E0..U+00FF). '?' marks
// entries that are handled separately: ligatures, sharp s, and the
// multiplication/division signs, which are not letters.
constexpr std::string_view kLatin1Base = "AAAAAA?CEEEEIIIIDNOOOOO?OUUUUY??";
static_assert(kLatin1Base.size() == 32);

// Base letters for Latin Extended-A (U+0100..U+017F), which covers the names
// of many foreign-born residents (Polish, Czech, Croatian, Romanian, Turkish...).
// '?' marks the two ligatures, handled separately.
constexpr std::string_view kLatinExtABase =
    "AAAAAACCCCCCCCDD"
    "DDEEEEEEEEEEGGGG"
    "GGGGHHHHIIIIIIII"
    "II??JJKKKLLLLLLL"
    "LLLNNNNNNNNNOOOO"
    "OO??RRRRRRSSSSSS"
    "SSTTTTTTUUUUUUUU"
    "UUUUWWYYYZZZZZZS";
static_assert(kLatinExtABase.size() == 128);

constexpr char32_t kReplacementChar = 0xFFFD;

bool isUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool isDigit(char c) { return c >= '0' && c <= '9'; }
char toUpper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }

std::string toUpper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = toUpper(c);
  return out;
}

bool isVowel(char c) { return c == 'A' || c == 'E' || c == 'I' || c == 'O' || c == 'U'; }

bool isDigitPosition(std::size_t index) {
  for (std::size_t p : kDigitPositions) {
    if (p == index) return true;
  }
  return false;
}

bool isOmocodiaLetter(char c) { return kOmocodiaLetters.find(c) != std::string_view::npos; }

// A digit, or the digit an omocodia letter stands for. Callers have already
// checked that c is one of the two.
char restoreDigit(char c) {
  if (isDigit(c)) return c;
  return static_cast<char>('0' + kOmocodiaLetters.find(c));
}

std::string positionLocation(std::size_t index) { return "position " + std::to_string(index + 1); }

// Quotes a character for an error message; raw bytes of multi-byte UTF-8 would
// make the message itself invalid text, so they are shown in hex.
std::string describeChar(char c) {
  const auto byte = static_cast<unsigned char>(c);
  if (byte >= 0x20 && byte < 0x7F) return std::string("'") + c + "'";
  char buf[16];
  std::snprintf(buf, sizeof buf, "byte 0x%02X", static_cast<unsigned>(byte));
  return buf;
}

Error invalidInput(std::string message, std::string location) {
  return Error(ErrorCode::kInvalidInput, std::move(message), std::move(location));
}

// Decodes the UTF-8 sequence at s[i] and advances i past it. Malformed or
// overlong sequences yield U+FFFD and advance one byte, so a stray byte is
// dropped like any other non-letter instead of swallowing its neighbours.
char32_t nextCodePoint(std::string_view s, std::size_t& i) {
  const auto lead = static_cast<unsigned char>(s[i]);
  std::size_t extra = 0;
  char32_t cp = 0;
  char32_t min = 0;
  if (lead < 0x80) {
    ++i;
    return lead;
  } else if ((lead & 0xE0) == 0xC0) {
    extra = 1;
    cp = lead & 0x1F;
    min = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    extra = 2;
    cp = lead & 0x0F;
    min = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    extra = 3;
    cp = lead & 0x07;
    min = 0x10000;
  } else {
    ++i;
    return kReplacementChar;
  }
  if (s.size() - i <= extra) {
    ++i;
    return kReplacementChar;
  }
  for (std::size_t k = 1; k <= extra; ++k) {
    const auto byte = static_cast<unsigned char>(s[i + k]);
    if ((byte & 0xC0) != 0x80) {
      ++i;
      return kReplacementChar;
    }
    cp = (cp << 6) | (byte & 0x3F);
  }
  if (cp < min) {
    ++i;
    return kReplacementChar;
  }
  i += extra + 1;
  return cp;
}

// The upper-case ASCII letters a code point counts as in a codice fiscale:
// accented letters count as their base letter, ligatures as two letters.
// Anything else (spaces, apostrophes, hyphens, digits, unknown scripts) counts
// as nothing, which is how names are written on the code anyway.
std::string_view foldLetter(char32_t cp) {
  if (cp >= 'A' && cp <= 'Z') return kUpperLetters.substr(cp - 'A', 1);
  if (cp >= 'a' && cp <= 'z') return kUpperLetters.substr(cp - 'a', 1);
  if (cp >= 0xC0 && cp <= 0xFF) {
    switch (cp) {
      case 0xC6: case 0xE6: return "AE";
      case 0xDE: case 0xFE: return "TH";
      case 0xDF: return "SS";
      case 0xFF: return "Y";
      case 0xD7: case 0xF7: return {};
      default: return kLatin1Base.substr((cp - 0xC0) & 0x1F, 1);
    }
  }
  if (cp >= 0x100 && cp <= 0x17F) {
    switch (cp) {
      case 0x132: case 0x133: return "IJ";
      case 0x152: case 0x153: return "OE";
      default: return kLatinExtABase.substr(cp - 0x100, 1);
    }
  }
  // Romanian S and T with comma below, the correct forms for Romanian names
  // (the cedilla forms above are the legacy look-alikes).
  switch (cp) {
    case 0x218: case 0x219: return "S";
    case 0x21A: case 0x21B: return "T";
    default: return {};
  }
}

struct NameLetters {
  std::string consonants;
  std::string vowels;
};

NameLetters splitName(std::string_view name) {
  NameLetters out;
  std::size_t i = 0;
  while (i < name.size()) {
    for (char c : foldLetter(nextCodePoint(name, i))) {
      (isVowel(c) ? out.vowels : out.consonants) += c;
    }
  }
  return out;
}

// Consonants, then vowels, then X padding for names with fewer than 3 letters.
std::string firstThree(const NameLetters& letters) {
  std::string all = letters.consonants + letters.vowels + "XXX";
  return all.substr(0, 3);
}

std::string surnamePart(std::string_view name) { return firstThree(splitName(name)); }

std::string givenNamePart(std::string_view name) {
  const NameLetters letters = splitName(name);
  // The decree takes the 1st, 3rd and 4th consonants here, unlike the surname
  // rule; do not "simplify" this into firstThree().
  if (letters.consonants.size() >= 4) {
    const std::string& c = letters.consonants;
    return {c[0], c[2], c[3]};
  }
  return firstThree(letters);
}

std::string twoDigits(int n) {
  std::string out = std::to_string(n);
  return out.size() < 2 ? "0" + out : out;
}

bool isPlaceCode(std::string_view code) {
  return code.size() == 4 && isUpper(code[0]) && isDigit(code[1]) && isDigit(code[2]) && isDigit(code[3]);
}

// Replaces every omocodia letter at a digit position with its digit and puts
// the matching check character back: the one code all variants share.
std::string canonicalForm(std::string_view upper) {
  std::string out(upper.substr(0, 15));
  for (std::size_t p : kDigitPositions) out[p] = restoreDigit(out[p]);
  out += cfCheckChar(out);
  return out;
}

}  // namespace

std::string computeCodiceFiscale(const CfPerson& person) {
  // The function has no error channel, and a code built from a bad date or
  // place would look valid downstream, so bad input is refused loudly.
  if (person.year < 0) {
    throw RaccordoException(ErrorCode::kInvalidInput,
                            "birth year " + std::to_string(person.year) + " is negative", "year");
  }
  if (person.month < 1 || person.month > 12) {
    throw RaccordoException(ErrorCode::kInvalidInput,
                            "birth month " + std::to_string(person.month) + " is not in 1..12", "month");
  }
  if (person.day < 1 || person.day > 31) {
    throw RaccordoException(ErrorCode::kInvalidInput,
                            "birth day " + std::to_string(person.day) + " is not in 1..31", "day");
  }
  const std::string place = toUpper(person.birth_place_code);
  if (!isPlaceCode(place)) {
    throw RaccordoException(ErrorCode::kInvalidInput,
                            "birth place code '" + person.birth_place_code +
                                "' is not a cadastral code (a letter and 3 digits)",
                            "birth_place_code");
  }

  std::string code = surnamePart(person.family_name) + givenNamePart(person.given_name);
  code += twoDigits(person.year % 100);
  code += kMonthLetters[static_cast<std::size_t>(person.month - 1)];
  code += twoDigits(person.sex == Sex::kFemale ? person.day + 40 : person.day);
  code += place;
  code += cfCheckChar(code);
  return code;
}

char cfCheckChar(std::string_view first15) {
  if (first15.size() != 15) {
    throw RaccordoException(ErrorCode::kInvalidInput,
                            "check character needs 15 characters, got " + std::to_string(first15.size()),
                            "length");
  }
  int sum = 0;
  for (std::size_t i = 0; i < first15.size(); ++i) {
    const char c = toUpper(first15[i]);
    int index = 0;  // 0..25 for A..Z, 0..9 for digits
    if (isUpper(c)) {
      index = c - 'A';
    } else if (isDigit(c)) {
      index = c - '0';
    } else {
      throw RaccordoException(ErrorCode::kInvalidInput,
                              "position " + std::to_string(i + 1) + " must be a letter or digit, got " +
                                  describeChar(first15[i]),
                              positionLocation(i));
    }
    // i is 0-based, so even i is an odd 1-based position.
    sum += (i % 2 == 0) ? kOddValues[static_cast<std::size_t>(index)] : index;
  }
  return static_cast<char>('A' + sum % 26);
}

Result<CfInfo> parseCodiceFiscale(std::string_view code) {
  if (code.size() != kCodeLength) {
    return invalidInput("codice fiscale must be 16 characters long, got " + std::to_string(code.size()),
                        "length");
  }
  const std::string upper = toUpper(code);

  bool omocodic = false;
  for (std::size_t i = 0; i < kCodeLength; ++i) {
    const char c = upper[i];
    if (isDigitPosition(i)) {
      if (isDigit(c)) continue;
      if (isOmocodiaLetter(c)) {
        omocodic = true;
        continue;
      }
      return invalidInput("position " + std::to_string(i + 1) +
                              " must be a digit or an omocodia letter (LMNPQRSTUV), got " + describeChar(code[i]),
                          positionLocation(i));
    }
    if (!isUpper(c)) {
      return invalidInput("position " + std::to_string(i + 1) + " must be a letter, got " + describeChar(code[i]),
                          positionLocation(i));
    }
  }

  const std::size_t monthIndex = kMonthLetters.find(upper[8]);
  if (monthIndex == std::string_view::npos) {
    return invalidInput(std::string("month letter '") + upper[8] + "' is not one of " + std::string(kMonthLetters),
                        positionLocation(8));
  }

  const int dayField = (restoreDigit(upper[9]) - '0') * 10 + (restoreDigit(upper[10]) - '0');
  const bool female = dayField > 40;
  const int day = female ? dayField - 40 : dayField;
  if (day < 1 || day > 31) {
    return invalidInput("day " + twoDigits(dayField) + " is not in 01..31 (male) or 41..71 (female)",
                        positionLocation(9));
  }

  const char expected = cfCheckChar(std::string_view(upper).substr(0, 15));
  if (upper[15] != expected) {
    return invalidInput(std::string("check character is '") + upper[15] + "', expected '" + expected + "'",
                        positionLocation(15));
  }

  CfInfo info;
  info.code = upper;
  info.normalized = omocodic ? canonicalForm(upper) : upper;
  info.omocodic = omocodic;
  info.year2 = (restoreDigit(upper[6]) - '0') * 10 + (restoreDigit(upper[7]) - '0');
  info.month = static_cast<int>(monthIndex) + 1;
  info.day = day;
  info.sex = female ? Sex::kFemale : Sex::kMale;
  info.place_code = info.normalized.substr(11, 4);
  return info;
}

Status checkCfConsistency(const CfInfo& info, int year, int month, int day, std::optional<Sex> sex,
                          std::string_view place_code) {
  // The code only carries two year digits, so 1925 and 2025 are both fine for "25".
  if (year != 0 && ((year % 100) + 100) % 100 != info.year2) {
    return invalidInput("birth date: year " + std::to_string(year) + " does not match the code's year " +
                            twoDigits(info.year2),
                        "birth_date");
  }
  if (month != 0 && month != info.month) {
    return invalidInput("birth date: month " + std::to_string(month) + " does not match the code's month " +
                            std::to_string(info.month),
                        "birth_date");
  }
  if (day != 0 && day != info.day) {
    return invalidInput("birth date: day " + std::to_string(day) + " does not match the code's day " +
                            std::to_string(info.day),
                        "birth_date");
  }
  if (sex.has_value() && *sex != info.sex) {
    const auto name = [](Sex s) { return s == Sex::kFemale ? std::string("female") : std::string("male"); };
    return invalidInput("sex: declared " + name(*sex) + ", the code says " + name(info.sex), "sex");
  }
  if (!place_code.empty() && toUpper(place_code) != info.place_code) {
    return invalidInput("birth place: declared " + std::string(place_code) + ", the code says " + info.place_code,
                        "birth_place");
  }
  return {};
}

std::vector<std::string> omocodiaVariants(std::string_view code) {
  const Result<CfInfo> parsed = parseCodiceFiscale(code);
  if (!parsed.ok()) return {};
  const std::string& canonical = parsed->normalized;

  constexpr std::size_t kCount = std::size_t{1} << kDigitPositions.size();
  std::vector<std::string> variants;
  variants.reserve(kCount);
  // Bit 0 is the rightmost digit position, so the first variants after the
  // canonical one are the ones the Agenzia actually issues (right to left).
  for (std::size_t mask = 0; mask < kCount; ++mask) {
    std::string variant = canonical.substr(0, 15);
    for (std::size_t bit = 0; bit < kDigitPositions.size(); ++bit) {
      if ((mask & (std::size_t{1} << bit)) == 0) continue;
      const std::size_t pos = kDigitPositions[kDigitPositions.size() - 1 - bit];
      variant[pos] = kOmocodiaLetters[static_cast<std::size_t>(variant[pos] - '0')];
    }
    variant += cfCheckChar(variant);
    variants.push_back(std::move(variant));
  }
  return variants;
}

Status checkProvisionalCf(std::string_view code) {
  if (code.size() != kProvisionalLength) {
    return invalidInput("provisional codice fiscale must be 11 digits long, got " + std::to_string(code.size()) +
                            " characters",
                        "length");
  }
  for (std::size_t i = 0; i < code.size(); ++i) {
    if (!isDigit(code[i])) {
      return invalidInput("position " + std::to_string(i + 1) + " must be a digit, got " + describeChar(code[i]),
                          positionLocation(i));
    }
  }
  const char expected = provisionalCfCheckDigit(code.substr(0, 10));
  if (code[10] != expected) {
    return invalidInput(std::string("check digit is '") + code[10] + "', expected '" + expected + "'",
                        positionLocation(10));
  }
  return {};
}

char provisionalCfCheckDigit(std::string_view first10) {
  if (first10.size() != 10) {
    throw RaccordoException(ErrorCode::kInvalidInput,
                            "check digit needs 10 digits, got " + std::to_string(first10.size()) + " characters",
                            "length");
  }
  int total = 0;
  for (std::size_t i = 0; i < first10.size(); ++i) {
    if (!isDigit(first10[i])) {
      throw RaccordoException(ErrorCode::kInvalidInput,
                              "position " + std::to_string(i + 1) + " must be a digit, got " + describeChar(first10[i]),
                              positionLocation(i));
    }
    const int digit = first10[i] - '0';
    if (i % 2 == 0) {
      total += digit;  // odd 1-based position
    } else {
      const int doubled = digit * 2;
      total += doubled / 10 + doubled % 10;
    }
  }
  return static_cast<char>('0' + (10 - total % 10) % 10);
}

}  // namespace raccordo::identity
