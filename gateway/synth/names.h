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

// ---------------------------------------------------------------------------
// ATS tables: hospitals, wards, lab panels and home-care providers.

/// A hospital trust (ASST or IRCCS) that sends ADT and lab messages.
struct Facility {
  std::string_view code;  // MSH-4 and PV1-3.4
  std::string_view site;  // the hospital, for PV1-3.9
  int municipi;           // bit (1 << m) for each municipio m it serves; 0: city-wide
};

/// A hospital ward, with how often each age group is admitted to it.
struct Ward {
  std::string_view code;  // PV1-3.1 and PV1-10
  std::string_view name;
  int weight_child;    // under 14
  int weight_adult;    // 14..64
  int weight_elderly;  // 65 and over
};

inline constexpr int kNoLimit = -1;

/// A numeric lab result. Values are integers in units of 10^-decimals.
struct LabAnalyte {
  std::string_view loinc;
  std::string_view name;  // LOINC long common name
  std::string_view unit;  // UCUM
  int decimals;
  int low;   // reference range; kNoLimit when open on that side
  int high;
  int min;   // plausible values drawn from
  int max;
};

struct LabPanel {
  std::string_view loinc;
  std::string_view name;
  std::span<const LabAnalyte> analytes;
};

/// An accredited home-care (ADI / C-DOM) provider, by its codice struttura.
struct AdiProvider {
  std::string_view code;
  std::string_view name;
  bool palliative;  // also runs UCP-Dom (home palliative care)
};

std::span<const Facility> facilities();
std::span<const Ward> wards();
std::span<const LabPanel> labPanels();
std::span<const AdiProvider> adiProviders();

}  // namespace raccordo::synth::data
