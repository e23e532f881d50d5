#pragma once
// Adapters turn a source's bytes into source-neutral records; mappings
// (gateway/mapping) turn records into FHIR resources.
//
// An adapter is stateless after construction and thread-safe: the same
// instance serves every listener thread and worker.

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/core/json.h"
#include "gateway/core/result.h"

namespace raccordo {

/// What a listener learns from a cheap look at the envelope, before the
/// message is journaled: nothing here may need code tables or the store.
struct Envelope {
  std::string citizen_key;        // ordering key (normally the codice fiscale); may be empty
  std::string source_message_id;  // the source's own id, used for idempotency when no header is given
};

/// Source-neutral record kinds understood by the mappings.
namespace kind {
inline constexpr const char* kPerson = "person";          // demographics of the citizen
inline constexpr const char* kHousehold = "household";    // nucleo familiare
inline constexpr const char* kCase = "case";              // presa in carico
inline constexpr const char* kService = "service";        // an active service or measure of a case
inline constexpr const char* kIncome = "income";          // ISEE
inline constexpr const char* kAssessment = "assessment";  // UVM multidimensional assessment
inline constexpr const char* kEncounter = "encounter";    // a hospital or outpatient contact (HL7 ADT)
inline constexpr const char* kLabReport = "lab_report";   // a lab report and its results (HL7 ORU)
inline constexpr const char* kMerge = "merge";            // identifiers merged into the citizen (HL7 A40)
inline constexpr const char* kExemption = "exemption";    // a ticket exemption (esenzione)
// Clinical facts of the GP record (CDA Patient Summary, SINAPSIS-style export):
// one fact, one resource, whichever GP source asserts it (docs/adapters.md).
inline constexpr const char* kAllergy = "allergy";            // AllergyIntolerance
inline constexpr const char* kCondition = "condition";        // Condition (problem, past history)
inline constexpr const char* kMedication = "medication";      // MedicationStatement
inline constexpr const char* kImmunization = "immunization";  // Immunization
inline constexpr const char* kVitalSign = "vital_sign";       // Observation (vital-signs)
inline constexpr const char* kDevice = "device";              // DeviceUseStatement (+ Device)
inline constexpr const char* kCarePlanNote = "care_plan";     // CarePlan (the GP's plan of care)
inline constexpr const char* kDocument = "document";          // DocumentReference with the original bytes
inline constexpr const char* kVisit = "visit";                // Encounter (a GP visit)
}  // namespace kind

struct Record {
  std::string kind;
  std::string source_id;  // the record's id in its source (unique per kind and source)
  json::Doc data;         // canonical fields of the kind (docs/adapters.md); codes already as {system, code, display}
  /// The citizen this record is about, when a message speaks of several
  /// (a CSV flow: one per row). Empty: the message's citizen_key.
  std::string citizen_key;
};

struct DecodedMessage {
  std::string source;       // "sisa", "ats", "gp": the `urn:raccordo:{source}:{kind}` identifier prefix
  std::string citizen_key;  // codice fiscale, upper case
  std::string source_message_id;
  std::string sent_at;      // the source's own timestamp, if any
  std::vector<Record> records;
  /// Parts of the message left out (a CSV row with a bad date): the rest is
  /// applied, and these are listed in the message's state with their location.
  std::vector<Error> rejects;
  /// Applied, but worth an operator's look (a known-wrong OID, a guessed code).
  std::vector<Error> warnings;
};

struct MessageMeta {
  int64_t message_id = 0;
  std::string adapter;
  std::string sender;
  std::string content_type;
};

class Adapter {
 public:
  virtual ~Adapter() = default;
  virtual std::string name() const = 0;
  /// Media types accepted at /ingest/{name}; the first is the preferred one.
  virtual std::vector<std::string> mediaTypes() const = 0;
  /// Cheap, certain checks of the envelope (well-formedness) and the keys a
  /// listener needs. Errors here are answered at once (HTTP 400).
  virtual Result<Envelope> inspect(std::string_view bytes) const = 0;
  /// Full decoding: schema, codes, identifiers. Errors name the location.
  virtual Result<DecodedMessage> decode(std::string_view bytes, const MessageMeta& meta) const = 0;
  /// A file may hold several messages (an HL7 batch): the watched folders
  /// journal each one apart. Returns views into `bytes`, exactly as
  /// received; a file of one message comes back whole. Errors locate the
  /// problem in the file, which is then refused as a whole.
  virtual Result<std::vector<std::string_view>> split(std::string_view bytes) const {
    return std::vector<std::string_view>{bytes};
  }
};

using AdapterPtr = std::shared_ptr<const Adapter>;

/// Adapters by name. Filled once at start by registerBuiltinAdapters(); read-only afterwards.
class AdapterRegistry {
 public:
  /// Fails on a duplicate name.
  Status add(AdapterPtr adapter);
  const Adapter* find(std::string_view name) const;
  std::vector<std::string> names() const;

 private:
  std::map<std::string, AdapterPtr, std::less<>> adapters_;
};

/// Media type without parameters, lower case: "application/json; charset=utf-8" -> "application/json".
std::string baseMediaType(std::string_view content_type);

}  // namespace raccordo
