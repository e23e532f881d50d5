// The GP kinds (gp-cda, gp-export) of the Mapper in fhir_builder.h: clinical
// facts, the GP's plan of care and visits, and documents with their original
// bytes. A clinical fact's id comes from the citizen and its fact key, not
// from the source's id, so the Patient Summary and the export meet on one
// resource; its identifiers gather every source record that asserted it, and
// the newest certified value wins (ResourceWrite::recorded_element).

#include <charconv>
#include <cstdio>

#include "gateway/mapping/fhir_builder.h"

namespace raccordo::mapping_detail {

namespace {

constexpr const char* kExtDerivedFrom = "urn:raccordo:fhir:ext:derived-from";
constexpr const char* kExtCertified = "urn:raccordo:fhir:ext:certified";
constexpr const char* kExtReviewDue = "urn:raccordo:fhir:ext:review-due";
constexpr const char* kObservationCategory = "http://terminology.hl7.org/CodeSystem/observation-category";
constexpr const char* kPatientSummaryLoinc = "60591-5";

/// FHIR `instant`: a date-time with seconds and a zone. Shorter values
/// (a date, a time without a zone) do not qualify.
bool isInstant(std::string_view v) {
  if (v.size() < 20 || v[10] != 'T' || v[13] != ':' || v[16] != ':') return false;
  return v.back() == 'Z' || v[v.size() - 6] == '+' || v[v.size() - 6] == '-';
}

/// `date` (YYYY-MM-DD, or the date part of a date-time) plus six months, the
/// day clamped to the month's length; empty when the value is not a full date.
std::string plusSixMonths(std::string_view date) {
  auto number = [](std::string_view digits, int& out) {
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), out);
    return ec == std::errc() && end == digits.data() + digits.size();
  };
  int y = 0, m = 0, d = 0;
  if (date.size() < 10 || date[4] != '-' || date[7] != '-' || !number(date.substr(0, 4), y) ||
      !number(date.substr(5, 2), m) || !number(date.substr(8, 2), d) || m < 1 || m > 12 || d < 1) {
    return {};
  }
  m += 6;
  if (m > 12) {
    m -= 12;
    ++y;
  }
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  int last = kDays[m - 1] + (m == 2 && leap ? 1 : 0);
  if (d > last) d = last;
  char out[16];
  std::snprintf(out, sizeof out, "%04d-%02d-%02d", y, m, d);
  return out;
}

std::string base64(std::string_view in) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    unsigned n = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8) |
                 static_cast<unsigned char>(in[i + 2]);
    for (int s : {18, 12, 6, 0}) out += kAlphabet[(n >> s) & 63];
  }
  if (i < in.size()) {
    unsigned n = static_cast<unsigned char>(in[i]) << 16;
    if (i + 1 < in.size()) n |= static_cast<unsigned char>(in[i + 1]) << 8;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += i + 1 < in.size() ? kAlphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

bool nonEmptyArray(const Value* v) { return v != nullptr && v->IsArray() && !v->Empty(); }

bool hasCoding(const Value& d, const char* name) {
  const Value* c = json::get(d, name);
  return c != nullptr && c->IsObject() && !json::getStr(*c, "code").empty();
}

/// The fact key (docs/adapters.md, "One fact, one resource"): what makes two
/// sources' records the same fact. Uncoded facts fall back to the source id.
std::string factKey(const Record& r) {
  const Value& d = r.data;
  if (!hasCoding(d, "code")) return r.source_id;
  const Value& c = member(d, "code");
  std::string key = std::string(json::getStr(c, "system")) + "|" + std::string(json::getStr(c, "code"));
  if (r.kind == kind::kImmunization) key += "|" + std::string(json::getStr(d, "date").substr(0, 10));
  if (r.kind == kind::kVitalSign) key += "|" + std::string(json::getStr(d, "effective"));
  return key;
}

}  // namespace

void Mapper::indexDocumentFacts() {
  for (const auto& r : m_.records) {
    const Value* facts = json::get(r.data, "facts");
    if (r.kind != kind::kDocument || facts == nullptr || !facts->IsArray()) continue;
    std::string doc_ref = ref("DocumentReference", gpId("DocumentReference", r));
    for (const auto& f : facts->GetArray()) {
      fact_documents_[{std::string(json::getStr(f, "kind")), std::string(json::getStr(f, "source_id"))}].push_back(
          doc_ref);
    }
  }
}

// stableId(type, source, kind, citizen, fact key): care plans, visits,
// documents and uncoded facts are keyed by their source id.
std::string Mapper::gpId(const char* type, const Record& r) const {
  const bool keyed_by_fact = r.kind != kind::kCarePlanNote && r.kind != kind::kVisit && r.kind != kind::kDocument;
  return stableId({type, m_.source, r.kind, citizenOf(r), keyed_by_fact ? factKey(r) : r.source_id});
}

std::vector<std::string> Mapper::documentsOf(const Record& r) const {
  auto it = fact_documents_.find({r.kind, r.source_id});
  return it == fact_documents_.end() ? std::vector<std::string>{} : it->second;
}

// A doctor the GP record names ({id, family_name?, given_name?, id_system?}):
// the Practitioner when there is an id, else a reference by name alone (a
// laboratory signing a report); null when there is neither.
Value Mapper::doctorRef(Builder& b, const Value& d, const char* field) {
  const Value* p = json::get(d, field);
  if (p == nullptr || !p->IsObject()) return Value();
  if (!json::getStr(*p, "id").empty()) return b.ref(clinician(*p));
  std::string name(json::getStr(*p, "given_name"));
  if (auto family = json::getStr(*p, "family_name"); !family.empty()) {
    name += (name.empty() ? "" : " ") + std::string(family);
  }
  if (name.empty()) return Value();
  Value r = b.obj();
  b.set(r, "display", name);
  return r;
}

// The fields every fact shares: identifier (merged across sources), code
// with its translations and text, notes; then the newest-wins rule.
ResourceWrite& Mapper::emitFact(Builder& b, const Record& r, const char* recorded_element) {
  const Value& d = r.data;
  if (auto note = json::getStr(d, "note"); !note.empty()) {
    Value n = b.obj();
    b.set(n, "text", note);
    b.put("note", b.one(std::move(n)));
  }
  ResourceWrite& w = emit(b, {{"identifier"}});
  w.recorded_element = recorded_element != nullptr ? recorded_element : "";
  return w;
}

namespace {

/// The fact's CodeableConcept: `code` then `other_codes`, and `text`.
Value factCode(Builder& b, const Value& d) {
  Value c = b.obj();
  Value codings = b.arr();
  if (hasCoding(d, "code")) codings.PushBack(b.coding(member(d, "code")), b.a());
  if (const Value* others = json::get(d, "other_codes"); others != nullptr && others->IsArray()) {
    for (const auto& o : others->GetArray()) {
      if (!json::getStr(o, "code").empty()) codings.PushBack(b.coding(o), b.a());
    }
  }
  if (!codings.Empty()) b.put(c, "coding", std::move(codings));
  auto text = json::getStr(d, "text");
  if (text.empty() && !hasCoding(d, "code")) text = "(senza descrizione)";
  b.setIf(c, "text", text);
  return c;
}

/// A coding field, or a bare text, as a CodeableConcept; null when absent.
Value codingOrText(Builder& b, const Value& d, const char* name) {
  const Value* v = json::get(d, name);
  if (v == nullptr) return Value();
  if (v->IsString() && v->GetStringLength() > 0) {
    Value c = b.obj();
    b.set(c, "text", v->GetString());
    return c;
  }
  if (v->IsObject() && !json::getStr(*v, "code").empty()) return b.codeable(b.coding(*v));
  if (v->IsObject() && !json::getStr(*v, "text").empty()) {
    Value c = b.obj();
    b.set(c, "text", json::getStr(*v, "text"));
    return c;
  }
  return Value();
}

Value derivedFromExtensions(Builder& b, const std::vector<std::string>& docs) {
  Value list = b.arr();
  for (const auto& d : docs) list.PushBack(b.extension(kExtDerivedFrom, "valueReference", b.ref(d)), b.a());
  return list;
}

Value refs(Builder& b, const std::vector<std::string>& docs) {
  Value list = b.arr();
  for (const auto& d : docs) list.PushBack(b.ref(d), b.a());
  return list;
}

Value quantity(Builder& b, const Value& q) {
  Value out = b.obj();
  out.AddMember("value", b.copy(member(q, "value")), b.a());
  b.setIf(out, "unit", json::getStr(q, "unit"));
  if (auto ucum = json::getStr(q, "ucum_code"); !ucum.empty()) {
    b.set(out, "system", "http://unitsofmeasure.org");
    b.set(out, "code", ucum);
  }
  return out;
}

}  // namespace

void Mapper::allergy(const Record& r) {
  const Value& d = r.data;
  auto removed = json::getStr(d, "removed");
  Builder b("AllergyIntolerance", gpId("AllergyIntolerance", r));
  // AllergyIntolerance has no element pointing at its source document.
  if (auto docs = documentsOf(r); !docs.empty()) b.put("extension", derivedFromExtensions(b, docs));
  b.put("identifier", b.one(b.identifier(sys(r.kind), r.source_id)));
  // ait-1: an entered-in-error allergy has no clinical status.
  if (removed != "entered-in-error") {
    auto status = removed == "deleted" ? std::string_view("inactive") : json::getStr(d, "clinical_status");
    if (!status.empty()) {
      b.put("clinicalStatus", b.codeable(b.coding("http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical",
                                                  status, "")));
    }
  }
  auto verification =
      removed == "entered-in-error" ? std::string_view("entered-in-error") : json::getStr(d, "verification");
  if (!verification.empty()) {
    b.put("verificationStatus", b.codeable(b.coding(
                                    "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification",
                                    verification, "")));
  }
  if (auto category = json::getStr(d, "category"); !category.empty()) {
    b.put("category", b.one(json::str(category, b.a())));
  }
  b.setIf("criticality", json::getStr(d, "criticality"));
  b.put("code", factCode(b, d));
  b.put("patient", b.ref(patientRef(r)));
  b.setIf("onsetDateTime", json::getStr(d, "onset"));
  b.setIf("recordedDate", json::getStr(d, "asserted"));
  if (Value gp = doctorRef(b, d, "author"); !gp.IsNull()) {
    b.put("recorder", b.copy(gp));
    b.put("asserter", std::move(gp));
  }
  if (const Value* reactions = json::get(d, "reactions"); nonEmptyArray(reactions)) {
    Value list = b.arr();
    for (const auto& rx : reactions->GetArray()) {
      Value manifestation = codingOrText(b, rx, "manifestation");
      if (manifestation.IsNull()) continue;
      Value reaction = b.obj();
      b.put(reaction, "manifestation", b.one(std::move(manifestation)));
      b.setIf(reaction, "severity", json::getStr(rx, "severity"));
      list.PushBack(reaction, b.a());
    }
    if (!list.Empty()) b.put("reaction", std::move(list));
  }
  emitFact(b, r, "recordedDate");
}

void Mapper::condition(const Record& r) {
  const Value& d = r.data;
  auto removed = json::getStr(d, "removed");
  Builder b("Condition", gpId("Condition", r));
  b.put("identifier", b.one(b.identifier(sys(r.kind), r.source_id)));
  // con-5: an entered-in-error condition has no clinical status.
  if (removed != "entered-in-error") {
    auto status = removed == "deleted" ? std::string_view("inactive") : json::getStr(d, "clinical_status");
    if (!status.empty()) {
      b.put("clinicalStatus",
            b.codeable(b.coding("http://terminology.hl7.org/CodeSystem/condition-clinical", status, "")));
    }
  } else {
    b.put("verificationStatus", b.codeable(b.coding("http://terminology.hl7.org/CodeSystem/condition-ver-status",
                                                     "entered-in-error", "Entered in Error")));
  }
  auto category = json::getStr(d, "category");
  if (category.empty()) category = "problem-list-item";
  b.put("category", b.one(b.codeable(b.coding("http://terminology.hl7.org/CodeSystem/condition-category", category,
                                              category == "encounter-diagnosis" ? "Encounter Diagnosis"
                                                                                : "Problem List Item"))));
  if (hasCoding(d, "severity")) b.put("severity", b.codeable(b.coding(member(d, "severity"))));
  b.put("code", factCode(b, d));
  b.put("subject", b.ref(patientRef(r)));
  b.setIf("onsetDateTime", json::getStr(d, "onset"));
  b.setIf("abatementDateTime", json::getStr(d, "abatement"));
  b.setIf("recordedDate", json::getStr(d, "asserted"));
  if (Value gp = doctorRef(b, d, "author"); !gp.IsNull()) {
    b.put("recorder", b.copy(gp));
    b.put("asserter", std::move(gp));
  }
  if (auto docs = documentsOf(r); !docs.empty()) {
    Value evidence = b.obj();
    b.put(evidence, "detail", refs(b, docs));
    b.put("evidence", b.one(std::move(evidence)));
  }
  emitFact(b, r, "recordedDate");
}

void Mapper::medication(const Record& r) {
  const Value& d = r.data;
  auto removed = json::getStr(d, "removed");
  Builder b("MedicationStatement", gpId("MedicationStatement", r));
  b.put("identifier", b.one(b.identifier(sys(r.kind), r.source_id)));
  b.set("status", removed == "entered-in-error" ? "entered-in-error"
                  : removed == "deleted"        ? "stopped"
                                                : json::getStr(d, "status"));
  b.put("medicationCodeableConcept", factCode(b, d));
  b.put("subject", b.ref(patientRef(r)));
  auto start = json::getStr(d, "start");
  auto end = json::getStr(d, "end");
  if (!start.empty() || !end.empty()) b.put("effectivePeriod", b.period(start, end));
  b.setIf("dateAsserted", json::getStr(d, "asserted"));
  if (Value gp = doctorRef(b, d, "author"); !gp.IsNull()) b.put("informationSource", std::move(gp));
  if (auto docs = documentsOf(r); !docs.empty()) b.put("derivedFrom", refs(b, docs));
  auto dosage_text = json::getStr(d, "dosage");
  Value route = codingOrText(b, d, "route");
  if (!dosage_text.empty() || !route.IsNull()) {
    Value dosage = b.obj();
    b.setIf(dosage, "text", dosage_text);
    if (!route.IsNull()) b.put(dosage, "route", std::move(route));
    b.put("dosage", b.one(std::move(dosage)));
  }
  emitFact(b, r, "dateAsserted");
}

void Mapper::immunization(const Record& r) {
  const Value& d = r.data;
  auto removed = json::getStr(d, "removed");
  Builder b("Immunization", gpId("Immunization", r));
  // Immunization has no element pointing at its source document
  // (reasonReference is why it was given, not where it was read).
  if (auto docs = documentsOf(r); !docs.empty()) b.put("extension", derivedFromExtensions(b, docs));
  b.put("identifier", b.one(b.identifier(sys(r.kind), r.source_id)));
  // Immunization has no inactive state: a deletion withdraws it as an error.
  b.set("status", !removed.empty() ? "entered-in-error" : json::getStr(d, "status"));
  b.put("vaccineCode", factCode(b, d));
  b.put("patient", b.ref(patientRef(r)));
  b.set("occurrenceDateTime", json::getStr(d, "date"));
  b.setIf("recorded", json::getStr(d, "asserted"));
  b.setIf("lotNumber", json::getStr(d, "lot"));
  if (Value site = codingOrText(b, d, "site"); !site.IsNull()) b.put("site", std::move(site));
  if (Value route = codingOrText(b, d, "route"); !route.IsNull()) b.put("route", std::move(route));
  if (const Value* dose = json::get(d, "dose_number"); dose != nullptr && dose->IsInt() && dose->GetInt() > 0) {
    Value applied = b.obj();
    applied.AddMember("doseNumberPositiveInt", Value(dose->GetInt()), b.a());
    b.put("protocolApplied", b.one(std::move(applied)));
  }
  emitFact(b, r, "recorded");
}

void Mapper::vitalSign(const Record& r) {
  const Value& d = r.data;
  auto removed = json::getStr(d, "removed");
  Builder b("Observation", gpId("Observation", r));
  b.put("identifier", b.one(b.identifier(sys(r.kind), r.source_id)));
  b.set("status", removed == "entered-in-error" ? "entered-in-error" : removed == "deleted" ? "cancelled" : "final");
  b.put("category", b.one(b.codeable(b.coding(kObservationCategory, "vital-signs", "Vital Signs"))));
  b.put("code", factCode(b, d));
  b.put("subject", b.ref(patientRef(r)));
  b.setIf("effectiveDateTime", json::getStr(d, "effective"));
  // `issued` is an instant: an assertion known only by its day is left out.
  if (auto asserted = json::getStr(d, "asserted"); isInstant(asserted)) b.set("issued", asserted);
  if (Value gp = doctorRef(b, d, "author"); !gp.IsNull()) b.put("performer", b.one(std::move(gp)));
  if (const Value* q = json::get(d, "value_quantity"); q != nullptr && q->IsObject()) {
    b.put("valueQuantity", quantity(b, *q));
  }
  if (auto docs = documentsOf(r); !docs.empty()) b.put("derivedFrom", refs(b, docs));
  if (const Value* components = json::get(d, "components"); nonEmptyArray(components)) {
    Value list = b.arr();
    for (const auto& c : components->GetArray()) {
      Value comp = b.obj();
      b.put(comp, "code", b.codeable(b.coding(member(c, "code"))));
      if (const Value* q = json::get(c, "value_quantity"); q != nullptr && q->IsObject()) {
        b.put(comp, "valueQuantity", quantity(b, *q));
      }
      list.PushBack(comp, b.a());
    }
    b.put("component", std::move(list));
  }
  emitFact(b, r, "issued");
}

void Mapper::device(const Record& r) {
  const Value& d = r.data;
  auto removed = json::getStr(d, "removed");
  Builder b("DeviceUseStatement", gpId("DeviceUseStatement", r));
  // The device itself is known only by its type: a contained Device.
  Value dev = b.obj();
  b.set(dev, "resourceType", "Device");
  b.set(dev, "id", "device");
  b.put(dev, "type", factCode(b, d));
  b.put(dev, "patient", b.ref(patientRef(r)));
  b.put("contained", b.one(std::move(dev)));
  b.put("identifier", b.one(b.identifier(sys(r.kind), r.source_id)));
  b.set("status", removed == "entered-in-error" ? "entered-in-error"
                  : removed == "deleted"        ? "stopped"
                                                : json::getStr(d, "status"));
  b.put("subject", b.ref(patientRef(r)));
  if (auto docs = documentsOf(r); !docs.empty()) b.put("derivedFrom", refs(b, docs));
  if (auto start = json::getStr(d, "start"); !start.empty()) b.put("timingPeriod", b.period(start, ""));
  b.setIf("recordedOn", json::getStr(d, "asserted"));
  if (Value gp = doctorRef(b, d, "author"); !gp.IsNull()) b.put("source", std::move(gp));
  b.put("device", b.ref("#device"));
  emitFact(b, r, "recordedOn");
}

void Mapper::gpCarePlan(const Record& r) {
  const Value& d = r.data;
  auto removed = json::getStr(d, "removed");
  Builder b("CarePlan", gpId("CarePlan", r));
  b.put("identifier", b.one(b.identifier(sys(r.kind), r.source_id)));
  b.set("status", removed == "entered-in-error" ? "entered-in-error" : removed == "deleted" ? "revoked" : "active");
  b.set("intent", "plan");
  b.put("category", b.one(b.codeable(b.coding("http://hl7.org/fhir/us/core/CodeSystem/careplan-category",
                                             "assess-plan", "Assessment and Plan of Treatment"))));
  b.setIf("title", json::getStr(d, "title"));
  b.setIf("description", json::getStr(d, "text"));
  b.put("subject", b.ref(patientRef(r)));
  auto start = json::getStr(d, "period_start");
  auto end = json::getStr(d, "period_end");
  if (!start.empty() || !end.empty()) b.put("period", b.period(start, end));
  b.setIf("created", json::getStr(d, "asserted"));
  if (Value gp = doctorRef(b, d, "author"); !gp.IsNull()) b.put("author", std::move(gp));
  if (auto docs = documentsOf(r); !docs.empty()) b.put("supportingInfo", refs(b, docs));
  if (const Value* activities = json::get(d, "activities"); nonEmptyArray(activities)) {
    Value list = b.arr();
    for (const auto& act : activities->GetArray()) {
      Value detail = b.obj();
      if (Value code = codingOrText(b, act, "code"); !code.IsNull()) b.put(detail, "code", std::move(code));
      auto scheduled = json::getStr(act, "scheduled");
      b.set(detail, "status", scheduled.empty() ? "not-started" : "scheduled");
      if (!scheduled.empty()) b.put(detail, "scheduledPeriod", b.period(scheduled, ""));
      b.setIf(detail, "description", json::getStr(act, "text"));
      Value activity = b.obj();
      b.put(activity, "detail", std::move(detail));
      list.PushBack(activity, b.a());
    }
    b.put("activity", std::move(list));
  }
  emitFact(b, r, "created");
}

void Mapper::visit(const Record& r) {
  const Value& d = r.data;
  auto removed = json::getStr(d, "removed");
  Builder b("Encounter", gpId("Encounter", r));
  // Encounter has no element pointing at the document that reports it.
  if (auto docs = documentsOf(r); !docs.empty()) b.put("extension", derivedFromExtensions(b, docs));
  b.put("identifier", b.one(b.identifier(sys(r.kind), r.source_id)));
  b.set("status", removed == "entered-in-error" ? "entered-in-error" : removed == "deleted" ? "cancelled" : "finished");
  b.put("class", b.coding("http://terminology.hl7.org/CodeSystem/v3-ActCode", "AMB", "ambulatory"));
  if (hasCoding(d, "type")) b.put("type", b.one(b.codeable(b.coding(member(d, "type")))));
  b.put("subject", b.ref(patientRef(r)));
  Value doctor = doctorRef(b, d, "practitioner");
  if (doctor.IsNull()) doctor = doctorRef(b, d, "author");
  if (!doctor.IsNull()) {
    Value participant = b.obj();
    b.put(participant, "type",
          b.one(b.codeable(b.coding("http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "PPRF",
                                    "primary performer"))));
    b.put(participant, "individual", std::move(doctor));
    b.put("participant", b.one(std::move(participant)));
  }
  if (auto date = json::getStr(d, "date"); !date.empty()) b.put("period", b.period(date, date));
  if (Value reason = codingOrText(b, d, "reason"); !reason.IsNull()) b.put("reasonCode", b.one(std::move(reason)));
  // No `recorded` element: a visit is the source's own record, the write applies.
  emitFact(b, r, nullptr);
}

// The document with its original bytes; sections Raccordo does not read are
// kept as their own text/plain attachments. A Patient Summary carries the
// GP's certification and the date its review falls due (six months later).
void Mapper::document(const Record& r) {
  const Value& d = r.data;
  auto removed = json::getStr(d, "removed");
  Builder b("DocumentReference", gpId("DocumentReference", r));
  const Value& type = member(d, "type");
  auto certified = json::getStr(d, "certified");
  if (!certified.empty()) {
    Value ext = b.arr();
    ext.PushBack(b.extension(kExtCertified, "valueDateTime", json::str(certified, b.a())), b.a());
    if (json::getStr(type, "code") == kPatientSummaryLoinc) {
      if (auto due = plusSixMonths(certified); !due.empty()) {
        ext.PushBack(b.extension(kExtReviewDue, "valueDate", json::str(due, b.a())), b.a());
      }
    }
    b.put("extension", std::move(ext));
  }
  b.put("identifier", b.one(b.identifier(sys(r.kind), r.source_id)));
  auto status = json::getStr(d, "status");
  b.set("status", removed == "entered-in-error" ? "entered-in-error" : status.empty() ? "current" : status);
  if (!certified.empty()) b.set("docStatus", "final");
  if (!json::getStr(type, "code").empty()) b.put("type", b.codeable(b.coding(type)));
  b.put("subject", b.ref(patientRef(r)));
  // `date` is an instant: a document known only by its day has none.
  auto date = json::getStr(d, "date");
  if (isInstant(date)) b.set("date", date);
  if (Value gp = doctorRef(b, d, "author"); !gp.IsNull()) b.put("author", b.one(std::move(gp)));
  if (Value gp = doctorRef(b, d, "authenticator"); !gp.IsNull()) b.put("authenticator", std::move(gp));
  if (const Value* custodian = json::get(d, "custodian"); hasCode(custodian)) {
    std::string org = organization(*custodian, "custodian", "document-custodian", "Custode del documento");
    b.put("custodian", b.ref(org, json::getStr(*custodian, "name")));
  }
  b.setIf("description", json::getStr(d, "title"));
  Value content = b.arr();
  {
    Value attachment = b.obj();
    auto media = json::getStr(d, "content_type");
    b.set(attachment, "contentType", media.empty() ? "application/octet-stream" : media);
    b.setIf(attachment, "data", json::getStr(d, "content_base64"));
    b.setIf(attachment, "title", json::getStr(d, "title"));
    if (!date.empty()) b.set(attachment, "creation", date);
    Value c = b.obj();
    b.put(c, "attachment", std::move(attachment));
    content.PushBack(c, b.a());
  }
  if (const Value* sections = json::get(d, "sections"); sections != nullptr && sections->IsArray()) {
    for (const auto& s : sections->GetArray()) {
      auto text = json::getStr(s, "text");
      if (member(s, "mapped").IsTrue() || text.empty()) continue;
      Value attachment = b.obj();
      b.set(attachment, "contentType", "text/plain; charset=utf-8");
      b.set(attachment, "data", base64(text));
      b.setIf(attachment, "title", json::getStr(s, "title"));
      Value c = b.obj();
      b.put(c, "attachment", std::move(attachment));
      content.PushBack(c, b.a());
    }
  }
  b.put("content", std::move(content));
  emit(b, {{"identifier"}});
}

}  // namespace raccordo::mapping_detail
