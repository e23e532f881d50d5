// ATS CSV flows for a synthetic citizen: home-care activations (ADI), FNA
// measure B1 and ticket exemptions. Each flow is written the way its real
// sender does it, so the CSV adapter's delimiter, charset, BOM, line-ending
// and decimal handling all get exercised:
//   adi-activations.csv    ';'  UTF-8 with BOM  CRLF  dates DD/MM/YYYY
//   fna-b1.csv             ','  ISO-8859-1      LF    dates DD/MM/YYYY, decimals "1100,00" (quoted)
//   ticket-exemptions.csv  ';'  UTF-8           LF    dates YYYY-MM-DD

#include <algorithm>
#include <utility>

#include "adapters/ats/hl7/hl7.h"
#include "gateway/synth/names.h"
#include "gateway/synth/synth_ats.h"

namespace raccordo::synth::detail {

namespace {

using namespace std::string_view_literals;

constexpr std::array kAdiColumns = {"id_attivazione"sv, "codice_fiscale"sv, "data_attivazione"sv,
                                    "data_chiusura"sv,  "tipo_cure"sv,      "stato"sv,
                                    "erogatore"sv,      "erogatore_nome"sv, "accessi_settimana"sv};
constexpr std::array kFnaColumns = {"id_domanda"sv, "codice_fiscale"sv, "data_decorrenza"sv, "data_cessazione"sv,
                                    "condizione"sv, "esito"sv,          "importo_mensile"sv, "isee"sv};
constexpr std::array kExemptionColumns = {"codice_fiscale"sv, "codice_esenzione"sv, "data_inizio"sv, "data_fine"sv,
                                          "ente"sv};

struct CsvLayout {
  char delimiter;
  bool bom;
  std::string_view eol;
  bool latin1;
};

CsvLayout layoutOf(AtsFlow flow) {
  switch (flow) {
    case AtsFlow::kAdiActivations: return {';', true, "\r\n", false};
    case AtsFlow::kFnaB1: return {',', false, "\n", true};
    case AtsFlow::kTicketExemptions: return {';', false, "\n", false};
  }
  return {';', false, "\n", false};
}

/// DD/MM/YYYY, as Italian spreadsheets export dates.
std::string italianDate(int days) {
  const Ymd d = civilFromDays(days);
  return padded(static_cast<uint64_t>(d.day), 2) + "/" + padded(static_cast<uint64_t>(d.month), 2) + "/" +
         padded(static_cast<uint64_t>(d.year), 4);
}

/// Euros with a decimal comma and no thousands separator: "1100,00".
std::string euros(int64_t cents) {
  return std::to_string(cents / 100) + "," + padded(static_cast<uint64_t>(cents % 100), 2);
}

/// The first day someone born on `birth` is `years` old (Feb 29 -> Mar 1).
int birthday(int birth, int years) {
  const Ymd b = civilFromDays(birth);
  if (b.month == 2 && b.day == 29) return daysFromCivil(b.year + years, 3, 1);
  return daysFromCivil(b.year + years, b.month, b.day);
}

// ---------------------------------------------------------------------------
// adi-activations: mostly frail elderly people, some adults with disabilities.

int adiPercent(const AtsCitizen& c, const AtsHealth& h) {
  int p = 0;
  if (c.area == "elderly") {
    p = 14 + (c.adl && *c.adl <= 3 ? 22 : 0) + (c.has_home_help ? 8 : 0) + (h.age >= 85 ? 8 : 0);
  } else if (c.area == "disability") {
    p = 12;
  } else if (c.area == "mental_health" || c.area == "adults_hardship") {
    p = 3;
  } else {
    p = 1;
  }
  return p + (h.cancer ? 12 : 0);
}

const data::AdiProvider& adiProvider(Rng& rng, bool palliative) {
  std::vector<const data::AdiProvider*> fit;
  for (const data::AdiProvider& p : data::adiProviders()) {
    if (!palliative || p.palliative) fit.push_back(&p);
  }
  return *fit[static_cast<std::size_t>(rng.below(fit.size()))];
}

AtsCsvRow adiRow(Rng& rng, const AtsCitizen& c, const AtsHealth& h, int serial, int start, std::optional<int> end,
                 std::string_view status) {
  std::string_view care;
  if (h.cancer && h.age >= 40 && rng.chance(35)) {
    care = "UCP_DOM";
  } else {
    static constexpr std::array kFrail = {10, 45, 45};
    static constexpr std::array kOther = {45, 20, 35};
    static constexpr std::array kCare = {"ADI_BASE"sv, "ADI_INTEGRATA"sv, "CDOM"sv};
    care = kCare[rng.weighted(c.adl && *c.adl <= 2 ? kFrail : kOther)];
  }
  const data::AdiProvider& provider = adiProvider(rng, care == "UCP_DOM");
  int lo = 1;
  int hi = 4;
  if (care == "ADI_BASE") hi = 2;
  else if (care == "ADI_INTEGRATA") lo = 2, hi = 5;
  else if (care == "UCP_DOM") lo = 3, hi = 7;
  const std::string id = "ADI-" + std::to_string(yearOf(start)) + "-" + padded(static_cast<uint64_t>(c.index) * 2 + serial, 6);
  AtsCsvRow row{AtsFlow::kAdiActivations,
                {id, c.codice_fiscale, italianDate(start), end ? italianDate(*end) : "", std::string(care),
                 std::string(status), std::string(provider.code), rng.chance(85) ? std::string(provider.name) : "",
                 rng.chance(92) ? std::to_string(rng.range(lo, hi)) : ""},
                id};
  return row;
}

void addAdi(Rng& rng, const AtsCitizen& c, const AtsHealth& h, AtsOutput& out) {
  if (!rng.chance(adiPercent(c, h))) return;
  const int s = rng.range(0, 99);
  const std::string_view status = s < 65 ? "ATTIVA"sv : s < 75 ? "SOSPESA"sv : "CHIUSA"sv;
  int start = 0;
  std::optional<int> end;
  if (status == "CHIUSA") {
    start = rng.range(std::max(c.birth, daysFromCivil(2019, 1, 1)), kReferenceDay - 45);
    end = rng.range(start + 14, std::min(start + 365, kReferenceDay - 1));
  } else {
    start = rng.range(std::max(c.birth, kReferenceDay - 730), kReferenceDay - 7);
  }
  // An earlier activation, closed before this one began.
  if (start - daysFromCivil(2016, 1, 1) > 120 && rng.chance(20)) {
    const int earlier = rng.range(std::max(c.birth, daysFromCivil(2016, 1, 1)), start - 90);
    out.rows.push_back(adiRow(rng, c, h, 0, earlier, rng.range(earlier + 14, start - 30), "CHIUSA"));
  }
  out.rows.push_back(adiRow(rng, c, h, 1, start, end, status));
}

// ---------------------------------------------------------------------------
// fna-b1: very severe disability (gravissima): the oldest and most dependent
// elderly people, adults with disabilities, a few children. B1 and B2 exclude
// each other, so nobody with a SISA FNA_B2 service gets one.

int fnaPercent(const AtsCitizen& c, const AtsHealth& h) {
  if (c.has_fna_b2) return 0;
  if (c.area == "elderly") {
    if (h.age < 75) return 0;
    if (!c.adl) return 10;
    return *c.adl <= 1 ? 55 : *c.adl <= 3 ? 20 : 4;
  }
  if (c.area == "disability") return 22;
  if (c.area == "minors_families" && h.age < 18) return 4;
  if (c.area == "mental_health") return 3;
  return 0;
}

void addFnaB1(Rng& rng, const AtsCitizen& c, const AtsHealth& h, AtsOutput& out) {
  if (!rng.chance(fnaPercent(c, h))) return;
  // DM 26/09/2016 art. 3 letters: dementia (C) among the elderly; spinal
  // injuries, motor, autism and intellectual disability among the younger.
  static constexpr std::array kLetters = {"A"sv, "B"sv, "C"sv, "D"sv, "E"sv, "F"sv, "G"sv, "H"sv, "I"sv};
  static constexpr std::array kElderly = {4, 8, 45, 3, 12, 3, 0, 0, 25};
  static constexpr std::array kAdults = {3, 8, 2, 15, 20, 5, 12, 20, 15};
  static constexpr std::array kChildren = {0, 5, 0, 0, 10, 0, 45, 30, 10};
  const auto& weights = h.age < 18 ? kChildren : c.area == "elderly" ? kElderly : kAdults;
  const std::string_view condition = kLetters[rng.weighted(weights)];

  const int s = rng.range(0, 99);
  const std::string_view outcome = s < 75 ? "AMMESSO"sv : s < 85 ? "SOSPESO"sv : "CESSATO"sv;
  const int start = rng.range(std::max(c.birth + 30, daysFromCivil(2017, 1, 1)), kReferenceDay - 30);
  std::string end;
  if (outcome == "CESSATO") end = italianDate(rng.range(std::min(start + 60, kReferenceDay - 1), kReferenceDay - 1));
  static constexpr std::array kAmounts = {int64_t{110000}, int64_t{90000}, int64_t{65000}};
  static constexpr std::array kAmountWeights = {70, 15, 15};
  const int64_t amount = h.age < 18 && rng.chance(40) ? 165000 : kAmounts[rng.weighted(kAmountWeights)];
  const int64_t isee = c.isee_cents ? *c.isee_cents : int64_t{rng.range(3000, 45000)} * 100 + rng.range(0, 99);
  const std::string id = "B1-" + std::to_string(yearOf(start)) + "-" + padded(static_cast<uint64_t>(c.index), 6);
  out.rows.push_back({AtsFlow::kFnaB1,
                      {id, c.codice_fiscale, italianDate(start), end, std::string(condition), std::string(outcome),
                       euros(amount), euros(isee)},
                      id});
}

// ---------------------------------------------------------------------------
// ticket-exemptions: one income-based code (E01 over 65 or under 6, E02
// unemployed, E03 social pension, E04 minimum pension) and disease codes
// (048 cancer, 013 diabetes); at most two per citizen.

struct Exemption {
  std::string_view code;
  int start = 0;
  std::optional<int> end;
};

/// A start day on or after `from` (and 2015-01-01), before the export day.
int startFrom(Rng& rng, int from) {
  return rng.range(std::min(std::max(from, kEarliestDay), kReferenceDay - 1), kReferenceDay - 1);
}

std::optional<Exemption> incomeExemption(Rng& rng, const AtsCitizen& c, const AtsHealth& h) {
  const int64_t isee = c.isee_cents.value_or(-1);  // -1: unknown
  const bool lowIncome = isee >= 0 ? isee < 3615198 : rng.chance(70);  // E01: family income under 36,151.98
  if (h.age < 6) {
    if (!rng.chance(90)) return std::nullopt;
    return Exemption{"E01", startFrom(rng, c.birth), birthday(c.birth, 6) - 1};
  }
  if (h.age >= 67 && isee >= 0 && isee < 800000 && rng.chance(50)) {
    return Exemption{"E03", startFrom(rng, birthday(c.birth, 67)), std::nullopt};
  }
  if (h.age >= 60 && isee >= 0 && isee < 1200000 && rng.chance(h.age >= 65 ? 30 : 40)) {
    return Exemption{"E04", startFrom(rng, birthday(c.birth, 60)), std::nullopt};
  }
  if (h.age >= 65 && lowIncome && rng.chance(70)) {
    return Exemption{"E01", startFrom(rng, birthday(c.birth, 65)), std::nullopt};
  }
  if (h.age >= 18 && h.age < 65) {
    const int percent = c.area == "adults_hardship" ? 35 : isee >= 0 && isee < 936000 ? 12 : 0;
    if (rng.chance(percent)) {
      // Unemployment is certified for a year at a time.
      const int start = rng.range(kReferenceDay - 300, kReferenceDay - 1);
      return Exemption{"E02", start, start + 364};
    }
  }
  return std::nullopt;
}

void addExemptions(Rng& rng, const AtsCitizen& c, const AtsHealth& h, AtsOutput& out) {
  std::vector<Exemption> all;
  if (std::optional<Exemption> e = incomeExemption(rng, c, h)) all.push_back(*e);
  if (h.cancer && rng.chance(85)) {
    const int start = startFrom(rng, birthday(c.birth, std::min(h.age, 18)));
    all.push_back({"048", start, start + 5 * 365});  // certified for five years, then renewed
  }
  if (h.diabetes && rng.chance(90)) all.push_back({"013", startFrom(rng, c.birth), std::nullopt});
  if (all.size() > 2) all.resize(2);
  const bool withIssuer = rng.chance(90);
  for (const Exemption& e : all) {
    const std::string start = isoDate(e.start);
    out.rows.push_back({AtsFlow::kTicketExemptions,
                        {c.codice_fiscale, std::string(e.code), start, e.end ? isoDate(*e.end) : "",
                         withIssuer ? std::string(asstCodeFor(c.municipio)) : ""},
                        c.codice_fiscale + "-" + std::string(e.code) + "-" + start});
  }
}

void appendField(std::string& out, std::string_view value, char delimiter) {
  if (value.find_first_of(std::string{delimiter, '"', '\r', '\n'}) == std::string_view::npos) {
    out += value;
    return;
  }
  out += '"';
  for (char ch : value) {
    if (ch == '"') out += '"';
    out += ch;
  }
  out += '"';
}

}  // namespace

void addCsvRows(Rng& rng, const AtsCitizen& citizen, const AtsHealth& health, AtsOutput& out) {
  addAdi(rng, citizen, health, out);
  addFnaB1(rng, citizen, health, out);
  addExemptions(rng, citizen, health, out);
}

std::string csvFileName(AtsFlow flow) {
  switch (flow) {
    case AtsFlow::kAdiActivations: return "adi-activations.csv";
    case AtsFlow::kFnaB1: return "fna-b1.csv";
    case AtsFlow::kTicketExemptions: return "ticket-exemptions.csv";
  }
  return "unknown.csv";
}

std::span<const std::string_view> csvColumns(AtsFlow flow) {
  switch (flow) {
    case AtsFlow::kAdiActivations: return kAdiColumns;
    case AtsFlow::kFnaB1: return kFnaColumns;
    case AtsFlow::kTicketExemptions: return kExemptionColumns;
  }
  return {};
}

std::string encodeCsv(AtsFlow flow, const std::vector<std::vector<std::string>>& rows) {
  const CsvLayout layout = layoutOf(flow);
  std::string out = layout.bom ? "\xEF\xBB\xBF" : "";
  const auto columns = csvColumns(flow);
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (i > 0) out += layout.delimiter;
    out += columns[i];
  }
  out += layout.eol;
  for (const std::vector<std::string>& row : rows) {
    for (std::size_t i = 0; i < row.size(); ++i) {
      if (i > 0) out += layout.delimiter;
      appendField(out, row[i], layout.delimiter);
    }
    out += layout.eol;
  }
  return layout.latin1 ? hl7::utf8ToLatin1(out) : out;
}

}  // namespace raccordo::synth::detail
