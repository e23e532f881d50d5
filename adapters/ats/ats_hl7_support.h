#pragma once
// Pieces of the ats-hl7 adapter that are not about one message type: the
// code tables it loads by name from mappings/ats/, the recognition of
// identifiers by assigning authority, and HL7 TS -> ISO 8601 conversion.
// Loaded once by the factory; read-only and thread-safe afterwards.

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/core/json.h"
#include "gateway/core/result.h"
#include "gateway/mapping/code_tables.h"

namespace date {
class time_zone;
}

namespace raccordo::ats {

/// What an identifier (CX of PID-3 or MRG-1, XCN of PD1-4 or PV1-7) is.
struct IdentifierKind {
  std::string kind;     // "cf", "stp", "eni", "team", "anpr", "ana", "regional"; "" when unrecognised
  std::string system;   // FHIR Identifier.system
  std::string warning;  // set for a known-wrong authority that is still recognised
  bool citizenKey() const { return kind == "cf" || kind == "stp" || kind == "eni"; }
};

/// mappings/ats/identifier-authorities.json: authorities by universal id
/// (OID) or namespace, and type codes.
class AuthorityTable {
 public:
  /// Checks the table (every entry has a system, every type code names an
  /// entry) and resolves the systems against the configured CF system.
  static Result<AuthorityTable> build(const CodeTables& tables, const std::string& cf_system);

  /// Recognises an identifier by its authority's universal id, then its
  /// namespace, then its type code. Unrecognised: `urn:raccordo:ats:id:<authority>`
  /// (the universal id or namespace; `fallback_authority` when both are empty).
  IdentifierKind recognise(std::string_view namespace_id, std::string_view universal_id, std::string_view type_code,
                           std::string_view fallback_authority) const;

 private:
  std::map<std::string, IdentifierKind, std::less<>> by_authority_;  // upper-cased keys
  std::map<std::string, IdentifierKind, std::less<>> by_type_;
};

/// STP or ENI code: the 3 letters and 13 digits (region, ASL, serial).
bool isStpEniCode(std::string_view code);

/// Converts HL7 TS/DTM values ("YYYY[MM[DD[HH[MM[SS[.S+]]]]]][+/-ZZZZ]") to
/// FHIR date and dateTime. A value without an offset is local time in
/// Europe/Rome (tz database, or the EU summer-time rule where the database is
/// missing).
class TimeConverter {
 public:
  TimeConverter();  // looks Europe/Rome up once

  /// "YYYY", "YYYY-MM" or "YYYY-MM-DD" (any time part is dropped).
  Result<std::string> date(std::string_view ts, std::string_view location) const;
  /// A date (as above) when the value has no time, else
  /// "YYYY-MM-DDThh:mm:ss[.fff]+hh:mm" (minutes and seconds padded with zeros).
  Result<std::string> dateTime(std::string_view ts, std::string_view location) const;

  /// Europe/Rome's UTC offset in minutes at a local wall-clock time; for the
  /// hour that repeats in October, the summer-time offset.
  int romeOffsetMinutes(int year, int month, int day, int hour, int minute) const;
  /// The same by the EU rule alone (last Sunday of March / October, 01:00 UTC).
  static int euRuleRomeOffsetMinutes(int year, int month, int day, int hour, int minute);

 private:
  const date::time_zone* rome_ = nullptr;
};

}  // namespace raccordo::ats
