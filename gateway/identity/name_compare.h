#pragma once
// Comparators for Italian personal names, used by the master patient index
// (mpi.h). Names are first folded to a canonical form, then compared at graded
// agreement levels that the Fellegi-Sunter model weighs separately.
// Thread-safe: the ICU transliterator is created once and cloned per thread.

#include <string>
#include <string_view>

namespace raccordo::identity {

/// Canonical form of a name: accents removed through ICU (also Ł, ß, Æ...),
/// upper case, apostrophes, hyphens, dots and runs of spaces turned into one
/// space, anything else dropped. "d'Angelo" -> "D ANGELO", "Cantù" and
/// "CANTU'" -> "CANTU", "Della  Rovere" -> "DELLA ROVERE". Accepts UTF-8;
/// invalid bytes are dropped.
std::string foldName(std::string_view utf8);

/// Like foldName but keeps digits: for addresses ("Via Padova, 12" -> "VIA PADOVA 12").
std::string foldText(std::string_view utf8);

/// The folded name without spaces: "D ANGELO" and "DANGELO" share it.
std::string compactName(std::string_view folded);

/// Jaro-Winkler similarity in [0, 1] (prefix scale 0.1, prefix up to 4).
double jaroWinkler(std::string_view a, std::string_view b);

/// Agreement levels of two folded names, best first.
enum class NameLevel {
  kExact,       // equal
  kEquivalent,  // equal once spaces are removed (D'ANGELO / DANGELO, DELLA ROVERE / DELLAROVERE)
  kPartial,     // every word of one is a word of the other (ROSSI / ROSSI BIANCHI, MARIA / MARIA ROSA)
  kSimilar,     // Jaro-Winkler of the compact forms at or above the threshold (typos)
  kDisagree,
  kMissing,     // one side empty
};

const char* nameLevelName(NameLevel level);

/// Compares two names already folded with foldName.
NameLevel compareFoldedNames(std::string_view a, std::string_view b, double similar_threshold = 0.92);

/// The three-letter code of the codice fiscale for a folded surname (consonants,
/// then vowels, padded with X) or, with given_name, for a given name (first,
/// third and fourth consonant when there are four or more). Used as a blocking key.
std::string nameCode(std::string_view folded, bool given_name);

}  // namespace raccordo::identity
