#pragma once
// Internal to the ats-hl7 adapter: the decoding of one parsed HL7 v2 message
// into records (ats_hl7_decoder.cpp: person, encounter, merge;
// ats_hl7_lab.cpp: lab reports). Errors and warnings name HL7 locations.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/ats/ats_hl7_support.h"
#include "adapters/ats/hl7/hl7.h"
#include "gateway/adapter/adapter.h"

namespace raccordo::ats {

/// What the adapter loads once and every decoding reads.
struct Hl7Vocabulary {
  CodeTables tables;  // loaded by name; looked up ignoring case
  AuthorityTable authorities;
  TimeConverter time;
};

/// MSH-9: message code and trigger event.
struct MessageType {
  std::string code, event;
  /// "ADT^A01". The event may be given only through the message structure
  /// (MSH-9.3, "ADT_A01").
  static MessageType of(const hl7::Segment& msh);
  std::string text() const { return code + "^" + event; }
  /// ADT A28, A31, A01, A03, A04, A08, A11, A13, A40 and ORU R01.
  bool supported() const;
};

/// One identifier of a CX list (PID-3, MRG-1).
struct CxId {
  IdentifierKind kind;
  std::string value;  // upper-cased for codici fiscali, STP and ENI codes
  std::size_t repetition = 0;
};

/// The list as written, recognised but not checked. `facility` (MSH-4.1) is
/// the authority of identifiers that name none.
std::vector<CxId> readIdentifiers(const hl7::Segment& s, std::size_t field, const AuthorityTable& authorities,
                                  std::string_view facility);

/// The citizen key among identifiers: the codice fiscale, else STP, else ENI.
const CxId* citizenId(const std::vector<CxId>& ids);

/// The decoding of one message: fills `out` with records and warnings.
class Decoder {
 public:
  Decoder(const Hl7Vocabulary& vocabulary, const hl7::Message& m, DecodedMessage& out);
  Status run(const MessageType& type);

 private:
  /// `partial`: the PID of an encounter, result or merge, not a registry
  /// update (A28/A31): what it lacks is not a deletion.
  Status person(const hl7::Segment& pid, bool partial);
  Status encounter(const std::string& event);
  Status labReports();
  Status labResult(const hl7::Segment& obx, std::size_t occurrence, std::size_t index, const std::string& report_id,
                   json::Value& results, json::Alloc& a);
  Status merge();

  Result<std::vector<CxId>> identifiers(const hl7::Segment& s, std::size_t field);
  std::optional<json::Value> practitioner(const hl7::Segment& s, std::size_t field, json::Alloc& a);
  json::Value coding(const hl7::Segment& s, std::size_t field, std::size_t repetition, json::Alloc& a) const;
  Status dateTime(json::Value& o, const char* name, const hl7::Segment& s, std::size_t field,
                  const std::string& location, json::Alloc& a) const;
  void warn(std::string message, std::string location) {
    out_.warnings.emplace_back(ErrorCode::kInvalidInput, std::move(message), std::move(location));
  }

  const Hl7Vocabulary& v_;
  const hl7::Message& m_;
  const hl7::Segment& msh_;
  DecodedMessage& out_;
  std::string facility_;    // MSH-4.1
  std::string control_id_;  // MSH-10
};

// Small helpers shared by the decoder's files.
/// Without leading and trailing spaces and tabs.
std::string trimmed(std::string s);
/// "PID-3[2].1", "OBX[2]-5": occurrence and repetition appear when non-zero.
std::string at(std::string_view segment, std::size_t occurrence, std::size_t field, std::size_t repetition = 0,
               std::size_t component = 0, std::size_t subcomponent = 0);
/// Adds `name` when `v` is not empty.
void setIf(json::Value& o, const char* name, std::string_view v, json::Alloc& a);

}  // namespace raccordo::ats
