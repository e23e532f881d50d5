#pragma once
// Internal to the gp-cda adapter: the vocabulary loaded from mappings/gp/ and
// the decoder of one parsed CDA document into records (docs/gp-cda.md).

#include <set>
#include <string>
#include <vector>

#include "adapters/ats/ats_hl7_support.h"
#include "adapters/gp/cda/cda_xml.h"
#include "gateway/adapter/adapter.h"
#include "gateway/mapping/code_tables.h"

namespace raccordo::gp {

inline constexpr const char* kCfRoot = "2.16.840.1.113883.2.9.4.3.2";
inline constexpr const char* kCfTypoRoot = "2.16.840.1.113883.2.9.2.4.3.2";

/// Read-only after the factory: shared by every thread.
struct CdaVocabulary {
  CodeTables tables;
  ats::TimeConverter time;
  std::string cf_system;
  cda::ParseLimits limits;
};

/// The codice fiscale of recordTarget/patientRole/id (upper case, checked) and
/// ClinicalDocument/id as "root^extension": what inspect() and decode() share.
struct CdaKeys {
  std::string citizen_key;
  std::string document_id;
};
Result<CdaKeys> readKeys(const cda::Node& root);

class CdaDecoder {
 public:
  CdaDecoder(const CdaVocabulary& v, std::string_view bytes, DecodedMessage& out) : v_(v), bytes_(bytes), out_(out) {}
  Status run(const cda::Node& root);

 private:
  using Value = json::Value;

  // Header and document (gp_cda_adapter.cpp).
  Status header(const cda::Node& root);
  Value party(const cda::Node& assigned, json::Alloc& a) const;
  void documentRecord(const cda::Node& root, const cda::Node& body);

  // Sections and entries (gp_cda_entries.cpp).
  void summarySections(const cda::Node& body);
  void labSections(const cda::Node& body);
  Status entry(const std::string& record_kind, const Coding& section, const cda::Node& entry);
  Status allergy(const cda::Node& stmt, Record& r);
  Status medication(const cda::Node& stmt, Record& r);
  Status immunization(const cda::Node& stmt, Record& r);
  Status condition(const cda::Node& stmt, const Coding& section, Record& r);
  Status vitalSigns(const cda::Node& stmt, const cda::Node& entry);
  Status device(const cda::Node& stmt, Record& r);
  Status labReport(const cda::Node& stmt, const cda::Node& entry);
  void carePlan(const cda::Node& section);
  Status labResult(const cda::Node& obs, const std::string& report_id, std::size_t index, Value& results,
                   json::Alloc& a);

  // Helpers.
  std::optional<Value> coding(const cda::Node& code, json::Alloc& a) const;
  std::string originalText(const cda::Node& code) const;
  Result<std::string> time(const cda::Node& ts) const;
  Status setTime(Value& obj, const char* field, const cda::Node& ts, json::Alloc& a) const;
  std::string entryId(const cda::Node& stmt, const cda::Node& entry);
  void addCommon(Record& r, const cda::Node& stmt);
  std::optional<Value> quantity(const cda::Node& value, json::Alloc& a) const;
  Status medicinalCode(const cda::Node& stmt, Record& r, const char* what);
  Status setClinicalStatus(const cda::Node& obs, std::string_view fallback, Record& r) const;
  void push(Record r);

  const CdaVocabulary& v_;
  std::string_view bytes_;
  DecodedMessage& out_;
  std::string document_id_;
  std::string set_id_;
  std::string profile_;
  std::string asserted_;       // the certification date-time of the facts
  Value author_;               // the document's author, copied into each fact
  std::vector<Value> section_summaries_;  // document.sections, in order
  std::vector<std::pair<std::string, std::string>> facts_;  // (kind, source_id)
  std::set<std::string> used_ids_;
  cda::Node narrative_;  // the current section's text, for #references
  json::Doc scratch_;    // allocator for author_ and section summaries
};

}  // namespace raccordo::gp
