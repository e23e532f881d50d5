#pragma once
// Internal to raccordo_mapping, not part of fhir_mapping.h: the resource
// Builder and the Mapper whose kinds are split over fhir_mapping.cpp (core,
// social-care kinds), fhir_mapping_health.cpp (health kinds) and
// fhir_mapping_gp.cpp (the GP record's facts and documents).

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gateway/core/ids.h"
#include "gateway/core/json.h"
#include "gateway/mapping/fhir_mapping.h"

namespace raccordo::mapping_detail {

using json::Value;

// Builds one resource; keeps the allocator at hand so building reads as data.
class Builder {
 public:
  Builder(const char* type, const std::string& id) {
    doc_.SetObject();
    set(doc_, "resourceType", type);
    set(doc_, "id", id);
  }
  json::Doc& doc() { return doc_; }
  json::Alloc& a() { return doc_.GetAllocator(); }

  Value obj() { return Value(rapidjson::kObjectType); }
  Value arr() { return Value(rapidjson::kArrayType); }
  void set(Value& o, const char* k, std::string_view v) {
    o.AddMember(Value(k, a()), json::str(v, a()), a());
  }
  void setIf(Value& o, const char* k, std::string_view v) {
    if (!v.empty()) set(o, k, v);
  }
  void put(Value& o, const char* k, Value v) { o.AddMember(Value(k, a()), v, a()); }
  void put(const char* k, Value v) { put(doc_, k, std::move(v)); }
  void set(const char* k, std::string_view v) { set(doc_, k, v); }
  void setIf(const char* k, std::string_view v) { setIf(doc_, k, v); }

  Value ref(std::string_view reference, std::string_view display = {}) {
    Value r = obj();
    set(r, "reference", reference);
    setIf(r, "display", display);
    return r;
  }
  Value coding(const Value& c) {
    Value out = obj();
    set(out, "system", json::getStr(c, "system"));
    set(out, "code", json::getStr(c, "code"));
    setIf(out, "display", json::getStr(c, "display"));
    return out;
  }
  Value coding(std::string_view system, std::string_view code, std::string_view display) {
    Value out = obj();
    set(out, "system", system);
    set(out, "code", code);
    setIf(out, "display", display);
    return out;
  }
  Value codeable(Value coding_value) {
    Value c = obj();
    Value list = arr();
    list.PushBack(coding_value, a());
    put(c, "coding", std::move(list));
    return c;
  }
  Value identifier(std::string_view system, std::string_view value) {
    Value i = obj();
    set(i, "system", system);
    set(i, "value", value);
    return i;
  }
  Value one(Value v) {
    Value list = arr();
    list.PushBack(v, a());
    return list;
  }
  Value period(std::string_view start, std::string_view end) {
    Value p = obj();
    setIf(p, "start", start);
    setIf(p, "end", end);
    return p;
  }
  Value humanName(const Value& data) {
    Value n = obj();
    set(n, "use", "official");
    set(n, "family", json::getStr(data, "family_name"));
    put(n, "given", one(json::str(json::getStr(data, "given_name"), a())));
    return n;
  }
  /// As humanName, leaving out the parts the source did not give.
  Value partialName(const Value& data) {
    Value n = obj();
    set(n, "use", "official");
    setIf(n, "family", json::getStr(data, "family_name"));
    if (auto given = json::getStr(data, "given_name"); !given.empty()) put(n, "given", one(json::str(given, a())));
    return n;
  }
  Value extension(const char* url, const char* value_key, Value v) {
    Value e = obj();
    set(e, "url", url);
    put(e, value_key, std::move(v));
    return e;
  }
  Value copy(const Value& v) { return Value(v, a()); }

 private:
  json::Doc doc_;
};

inline std::string idFor(std::string_view type, std::string_view source, std::string_view kind,
                         std::string_view local) {
  return stableId({type, source, kind, local});
}

inline std::string ref(std::string_view type, const std::string& id) { return std::string(type) + "/" + id; }

/// An optional {code, name?} that names something.
inline bool hasCode(const Value* org) {
  return org != nullptr && org->IsObject() && !json::getStr(*org, "code").empty();
}

inline const Value& member(const Value& o, const char* name) {
  static const Value kNull;
  const Value* v = json::get(o, name);
  return v != nullptr ? *v : kNull;
}

// Maps one message's records; run() once. The kinds' functions write into
// out_ through emit / emitShared.
class Mapper {
 public:
  Mapper(const DecodedMessage& m, const MappingContext& ctx) : m_(m), ctx_(ctx) {
    patient_id_ = patientIdFor(m.citizen_key);
    patient_ref_ = ref("Patient", patient_id_);
  }

  std::vector<ResourceWrite> run();

 private:
  std::string sys(std::string_view kind) const { return sourceSystem(m_.source, kind); }

  /// The citizen a record is about: its own key (CSV flows), else the message's.
  const std::string& citizenOf(const Record& r) const { return r.citizen_key.empty() ? m_.citizen_key : r.citizen_key; }
  std::string patientRef(const Record& r) const {
    return r.citizen_key.empty() ? patient_ref_ : ref("Patient", patientIdFor(r.citizen_key));
  }

  // Shared by the kinds of both files (fhir_mapping.cpp).
  ResourceWrite& emit(Builder& b, std::vector<MergedArray> merge = {});
  void emitShared(Builder& b);
  std::string organization(const Value& org, std::string_view kind, std::string_view type_code,
                           std::string_view type_display);
  std::string practitioner(const Value& p);
  std::string clinician(const Value& p);
  Value address(Builder& b, const Value& a);

  // The citizen and social-care kinds (fhir_mapping.cpp).
  void person(const Record& r);
  void household(const Record& r);
  void careCase(const Record& r);
  Value serviceActivity(Builder& p, const Record& s);
  void income(const Record& r);
  void assessment(const Record& r);

  // The health kinds (fhir_mapping_health.cpp).
  void encounter(const Record& r);
  void labReport(const Record& r);
  void merge(const Record& r);
  void exemption(const Record& r);
  ResourceWrite* findWrite(std::string_view type, std::string_view id);
  std::string facility(const Value& org);

  // The GP kinds (fhir_mapping_gp.cpp): one fact, one resource, whichever GP
  // source asserts it (docs/adapters.md, "One fact, one resource").
  void indexDocumentFacts();
  std::string gpId(const char* type, const Record& r) const;
  std::vector<std::string> documentsOf(const Record& r) const;
  ResourceWrite& emitFact(Builder& b, const Record& r, const char* recorded_element);
  Value doctorRef(Builder& b, const Value& d, const char* field);
  void allergy(const Record& r);
  void condition(const Record& r);
  void medication(const Record& r);
  void immunization(const Record& r);
  void vitalSign(const Record& r);
  void device(const Record& r);
  void gpCarePlan(const Record& r);
  void visit(const Record& r);
  void document(const Record& r);

  const DecodedMessage& m_;
  const MappingContext& ctx_;
  std::string patient_id_, patient_ref_;
  std::vector<ResourceWrite> out_;
  /// (kind, source_id) of a fact -> the DocumentReferences of this message
  /// that list it in their `facts`.
  std::map<std::pair<std::string, std::string>, std::vector<std::string>> fact_documents_;
};

}  // namespace raccordo::mapping_detail
