#pragma once
// STP and ENI codes: the identifiers given to people without a codice fiscale
// who receive care. STP (Straniero Temporaneamente Presente) for non-EU
// migrants without a residence permit; ENI (Europeo Non Iscritto) for indigent
// EU citizens not registered with the health service. Both have the same shape
// (docs/identity.md, ../shared/DOMAIN-NOTES.md):
//
//   STP 030 308 1234567   prefix, 3-digit ISTAT region, 3-digit health authority
//                         (ASL/ATS), 7-digit serial: 16 characters, no check character.
//
// No rule beyond the shape is checked (region and authority codes are not
// validated against a table: that table is data, not part of this rule).
// Pure functions, thread-safe, no I/O.

#include <string>
#include <string_view>

#include "gateway/core/result.h"

namespace raccordo::identity {

enum class ForeignCodeKind { kStp, kEni };

/// "STP" or "ENI".
const char* foreignCodeKindName(ForeignCodeKind kind);

struct ForeignCode {
  ForeignCodeKind kind = ForeignCodeKind::kStp;
  std::string code;       // 16 characters, upper-case, separators removed
  std::string region;     // 3-digit ISTAT region code, e.g. "030"
  std::string authority;  // 3-digit health-authority (ASL/ATS) code
  std::string serial;     // 7 digits
};

/// Parses an STP or ENI code. Case-insensitive; spaces, hyphens and dots
/// between groups are accepted and dropped. Errors name the rule broken and
/// the 1-based position in the compacted code ("position 4").
Result<ForeignCode> parseForeignCode(std::string_view text);

/// What kind of personal identifier a string looks like, by shape only (no
/// check-character validation): used to route a value to the right parser.
enum class PatientIdShape { kCodiceFiscale, kProvisionalCf, kStp, kEni, kUnknown };
PatientIdShape patientIdShape(std::string_view text);

}  // namespace raccordo::identity
