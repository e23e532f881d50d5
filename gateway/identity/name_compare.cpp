#include "gateway/identity/name_compare.h"

#include <unicode/translit.h>
#include <unicode/unistr.h>
#include <unicode/utypes.h>

#include <algorithm>
#include <array>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <vector>

namespace raccordo::identity {

namespace {

// Decompose, drop the combining marks, recompose, map the remaining Latin
// letters (Ł, ß, Æ, ...) to ASCII, upper-case.
constexpr const char* kFoldRules = "NFD; [:Nonspacing Mark:] Remove; NFC; Latin-ASCII; Upper";

const icu::Transliterator& prototype() {
  static const std::unique_ptr<icu::Transliterator> proto = [] {
    UErrorCode status = U_ZERO_ERROR;
    std::unique_ptr<icu::Transliterator> t(
        icu::Transliterator::createInstance(icu::UnicodeString::fromUTF8(kFoldRules), UTRANS_FORWARD, status));
    if (U_FAILURE(status) || t == nullptr) {
      // A broken ICU installation is a setup failure, not bad input.
      throw std::runtime_error(std::string("cannot create ICU transliterator: ") + u_errorName(status));
    }
    return t;
  }();
  return *proto;
}

// Transliterator::transliterate is not safe to call concurrently on one
// instance; each thread clones the prototype once.
icu::Transliterator& threadTransliterator() {
  thread_local std::unique_ptr<icu::Transliterator> local(prototype().clone());
  return *local;
}

char toUpper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }
bool isUpperLetter(char c) { return c >= 'A' && c <= 'Z'; }

// ASCII to canonical: letters kept, separators to one space, the rest dropped.
std::string canonical(std::string_view ascii, bool keep_digits = false) {
  std::string out;
  out.reserve(ascii.size());
  bool pendingSpace = false;
  for (char raw : ascii) {
    const char c = toUpper(raw);
    if (isUpperLetter(c) || (keep_digits && c >= '0' && c <= '9')) {
      if (pendingSpace && !out.empty()) out.push_back(' ');
      pendingSpace = false;
      out.push_back(c);
    } else if (c == ' ' || c == '\'' || c == '-' || c == '.' || c == '\t' || c == '`' || (keep_digits && c == ',') ||
               (keep_digits && c == '/')) {
      pendingSpace = true;
    }
  }
  return out;
}

// Words of a folded name.
std::vector<std::string_view> words(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (start < s.size()) {
    std::size_t end = s.find(' ', start);
    if (end == std::string_view::npos) end = s.size();
    if (end > start) out.push_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

bool wordsContained(const std::vector<std::string_view>& small, const std::vector<std::string_view>& big) {
  for (std::string_view w : small) {
    if (std::find(big.begin(), big.end(), w) == big.end()) return false;
  }
  return true;
}

bool isVowel(char c) { return c == 'A' || c == 'E' || c == 'I' || c == 'O' || c == 'U'; }

std::string foldImpl(std::string_view utf8, bool keep_digits) {
  const bool ascii = std::all_of(utf8.begin(), utf8.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  if (ascii) return canonical(utf8, keep_digits);
  icu::UnicodeString text = icu::UnicodeString::fromUTF8(icu::StringPiece(utf8.data(), static_cast<int32_t>(utf8.size())));
  threadTransliterator().transliterate(text);
  std::string out;
  text.toUTF8String(out);
  // The final Italian accent is often typed as an apostrophe (CANTU'), which
  // canonical() turns into a trailing separator and drops.
  return canonical(out, keep_digits);
}

}  // namespace

std::string foldName(std::string_view utf8) { return foldImpl(utf8, false); }
std::string foldText(std::string_view utf8) { return foldImpl(utf8, true); }

std::string compactName(std::string_view folded) {
  std::string out;
  out.reserve(folded.size());
  for (char c : folded) {
    if (c != ' ') out.push_back(c);
  }
  return out;
}

double jaroWinkler(std::string_view a, std::string_view b) {
  if (a.empty() && b.empty()) return 1.0;
  if (a.empty() || b.empty()) return 0.0;
  if (a == b) return 1.0;
  const std::size_t window = std::max<std::size_t>(std::max(a.size(), b.size()) / 2, 1) - 1;
  // Names are short; fixed buffers avoid allocation in the hot path.
  constexpr std::size_t kMax = 64;
  if (a.size() > kMax || b.size() > kMax) {
    a = a.substr(0, kMax);
    b = b.substr(0, kMax);
  }
  std::array<bool, kMax> aMatched{};
  std::array<bool, kMax> bMatched{};
  std::size_t matches = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const std::size_t lo = i > window ? i - window : 0;
    const std::size_t hi = std::min(i + window + 1, b.size());
    for (std::size_t j = lo; j < hi; ++j) {
      if (bMatched[j] || a[i] != b[j]) continue;
      aMatched[i] = bMatched[j] = true;
      ++matches;
      break;
    }
  }
  if (matches == 0) return 0.0;
  std::size_t transpositions = 0;
  std::size_t k = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!aMatched[i]) continue;
    while (!bMatched[k]) ++k;
    if (a[i] != b[k]) ++transpositions;
    ++k;
  }
  const double m = static_cast<double>(matches);
  const double jaro = (m / static_cast<double>(a.size()) + m / static_cast<double>(b.size()) +
                       (m - static_cast<double>(transpositions) / 2.0) / m) /
                      3.0;
  std::size_t prefix = 0;
  while (prefix < 4 && prefix < a.size() && prefix < b.size() && a[prefix] == b[prefix]) ++prefix;
  return jaro + static_cast<double>(prefix) * 0.1 * (1.0 - jaro);
}

const char* nameLevelName(NameLevel level) {
  switch (level) {
    case NameLevel::kExact: return "exact";
    case NameLevel::kEquivalent: return "equivalent";
    case NameLevel::kPartial: return "partial";
    case NameLevel::kSimilar: return "similar";
    case NameLevel::kDisagree: return "disagree";
    case NameLevel::kMissing: return "missing";
  }
  return "?";
}

NameLevel compareFoldedNames(std::string_view a, std::string_view b, double similar_threshold) {
  if (a.empty() || b.empty()) return NameLevel::kMissing;
  if (a == b) return NameLevel::kExact;
  const std::string ca = compactName(a);
  const std::string cb = compactName(b);
  if (ca == cb) return NameLevel::kEquivalent;
  if (a.find(' ') != std::string_view::npos || b.find(' ') != std::string_view::npos) {
    const auto wa = words(a);
    const auto wb = words(b);
    if (wa.size() < wb.size() ? wordsContained(wa, wb) : wordsContained(wb, wa)) return NameLevel::kPartial;
  }
  // Italian names that differ only in the final vowel are another person's
  // name (MARIO / MARIA, GIOVANNI / GIOVANNA), not a typo.
  if (ca.size() == cb.size() && ca.size() > 2 && isVowel(ca.back()) && isVowel(cb.back()) &&
      std::string_view(ca).substr(0, ca.size() - 1) == std::string_view(cb).substr(0, cb.size() - 1)) {
    return NameLevel::kDisagree;
  }
  if (jaroWinkler(ca, cb) >= similar_threshold) return NameLevel::kSimilar;
  return NameLevel::kDisagree;
}

std::string nameCode(std::string_view folded, bool given_name) {
  std::string consonants;
  std::string vowels;
  for (char c : folded) {
    if (!isUpperLetter(c)) continue;
    (isVowel(c) ? vowels : consonants).push_back(c);
  }
  std::string code;
  if (given_name && consonants.size() >= 4) {
    code = {consonants[0], consonants[2], consonants[3]};
    return code;
  }
  code = consonants + vowels;
  code.resize(3, 'X');
  return code.substr(0, 3);
}

}  // namespace raccordo::identity
