#pragma once
// Internal to the synthetic-data generator: what ATS (the health protection
// agency) sends about a synthetic citizen, as HL7 v2.5 messages and rows of
// its CSV flows (layouts: /work/notes/ats-spec.md, mappings/ats/flows/).
// The citizen's data come from their SISA record, so both sources agree on
// names, birth, residence and codice fiscale.
//
// Determinism: the output for a citizen depends only on the seed, on the
// citizen's index and on the AtsCitizen given, through a PRNG stream of its
// own, so the SISA documents do not change when ATS content does.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/core/result.h"
#include "gateway/synth/synth_common.h"

namespace raccordo::synth::detail {

/// The facts about a citizen that ATS content depends on.
struct AtsCitizen {
  int index = 0;           // 0-based position in the population
  std::string person_id;   // "P000001"
  std::string codice_fiscale;
  std::string family_name;
  std::string given_name;
  char sex = 'M';
  int birth = 0;  // days since 1970-01-01
  std::string birth_place_code;
  std::string residence_line;  // the SISA residence, in Milan
  std::string residence_postal_code;
  int municipio = 1;
  std::string area;  // area of the first SISA case: "elderly", "disability", ...
  bool has_fna_b2 = false;          // a SISA FNA_B2 service: B1 and B2 exclude each other
  bool has_home_help = false;       // a SISA SAD (home help) service
  std::optional<int64_t> isee_cents;  // newest ISEE
  std::optional<int> adl;             // lowest ADL score of the UVM assessments (0..6)
};

/// One HL7 message, one file.
struct AtsMessage {
  std::string file;       // name inside ats/: "P000001-02-ADT_A01.hl7"
  std::string bytes;      // CR-terminated segments, in the charset MSH-18 names
  std::string record_id;  // truth.csv record_id: regional id, visit or filler number
};

enum class AtsFlow { kAdiActivations, kFnaB1, kTicketExemptions };
inline constexpr std::array kAtsFlows = {AtsFlow::kAdiActivations, AtsFlow::kFnaB1, AtsFlow::kTicketExemptions};

struct AtsCsvRow {
  AtsFlow flow;
  std::vector<std::string> values;  // UTF-8, in the order of csvColumns(flow)
  std::string record_id;            // truth.csv record_id
};

struct AtsOutput {
  std::vector<AtsMessage> messages;  // in sending order (also file-name order)
  std::vector<AtsCsvRow> rows;
};

/// Everything ATS sends about one citizen.
Result<AtsOutput> generateAts(uint64_t seed, const AtsCitizen& citizen);

/// "adi-activations.csv", ...
std::string csvFileName(AtsFlow flow);
std::span<const std::string_view> csvColumns(AtsFlow flow);
/// The whole file: header and rows with the flow's delimiter, quoting, line
/// ending, charset and byte-order mark.
std::string encodeCsv(AtsFlow flow, const std::vector<std::vector<std::string>>& rows);

// Shared by synth_ats.cpp and synth_ats_csv.cpp.

/// Conditions drawn once per citizen, so messages and flows agree (a cancer
/// patient gets exemption 048 and may be in home palliative care).
struct AtsHealth {
  int age = 0;
  bool cancer = false;
  bool diabetes = false;
};

void addCsvRows(Rng& rng, const AtsCitizen& citizen, const AtsHealth& health, AtsOutput& out);

/// The ASST serving a municipio: exemption issuer and usual hospital.
std::string_view asstCodeFor(int municipio);

}  // namespace raccordo::synth::detail
