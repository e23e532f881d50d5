#pragma once
// Fixed data tables for the synthetic-data generator: Italian and foreign
// names, birth places, Milan streets, social workers' offices and providers.
// Written by hand; order matters (the generator picks by index), so append
// only at the end of a table if reproducibility of existing seeds matters.

#include <span>
#include <string_view>

namespace raccordo::synth::data {

// Generations a given name is common in, as a bit mask.
inline constexpr int kBornBefore1960 = 1;
inline constexpr int kBorn1960To1989 = 2;
inline constexpr int kBornFrom1990 = 4;
inline constexpr int kAnyGeneration = 7;

struct GivenName {
  std::string_view name;
  int generations;  // mask of the constants above
};

struct Place {
  std::string_view cadastral_code;
  std::string_view name;
};

/// A country of birth for foreign-born citizens, with the names common there.
struct Nationality {
  std::string_view alpha3;  // citizenship, ISO 3166-1 alpha-3
  Place birth_place;        // cadastral code of the state (Z...)
  std::span<const std::string_view> family_names;
  std::span<const std::string_view> male_names;
  std::span<const std::string_view> female_names;
  int weight;               // relative frequency among foreign-born citizens
};

/// A street of Milan with its CAP and the municipio it lies in.
struct Street {
  std::string_view name;
  std::string_view postal_code;
  int municipio;  // 1..9
};

struct Provider {
  std::string_view code;
  std::string_view name;
};

std::span<const std::string_view> italianFamilyNames();
std::span<const GivenName> italianMaleNames();
std::span<const GivenName> italianFemaleNames();
std::span<const Nationality> nationalities();

inline constexpr std::string_view kMilanCode = "F205";
/// Lombard municipalities other than Milan.
std::span<const Place> lombardPlaces();
/// Other Italian cities (the older residents often came from the South).
std::span<const Place> otherItalianPlaces();

std::span<const Street> milanStreets();
std::span<const Provider> providers();

/// Goals of individual plans, per area (free text).
std::span<const std::string_view> planGoals(std::string_view area);
/// Free-text case notes, per area.
std::span<const std::string_view> caseNotes(std::string_view area);

}  // namespace raccordo::synth::data
