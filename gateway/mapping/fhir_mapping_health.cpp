// The health kinds (ATS: encounter, lab_report, merge, exemption) of the
// Mapper in fhir_builder.h.

#include "gateway/mapping/fhir_builder.h"

namespace raccordo::mapping_detail {

namespace {

constexpr const char* kObservationCategory = "http://terminology.hl7.org/CodeSystem/observation-category";

}  // namespace

ResourceWrite* Mapper::findWrite(std::string_view type, std::string_view id) {
  for (auto& w : out_) {
    if (json::getStr(w.doc, "resourceType") == type && json::getStr(w.doc, "id") == id) return &w;
  }
  return nullptr;
}

std::string Mapper::facility(const Value& org) {
  return organization(org, "facility", "healthcare-facility", "Struttura sanitaria");
}

void Mapper::encounter(const Record& r) {
  const Value& d = r.data;
  Builder b("Encounter", idFor("Encounter", m_.source, "encounter", r.source_id));
  b.put("identifier", b.one(b.identifier(sys("encounter"), r.source_id)));
  b.set("status", json::getStr(d, "status"));
  b.put("class", b.coding(member(d, "class")));
  b.put("subject", b.ref(patientRef(r)));
  if (const Value* attending = json::get(d, "attending"); attending != nullptr && attending->IsObject()) {
    Value participant = b.obj();
    b.put(participant, "type",
          b.one(b.codeable(b.coding("http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "ATND",
                                    "attender"))));
    b.put(participant, "individual", b.ref(clinician(*attending)));
    b.put("participant", b.one(std::move(participant)));
  }
  auto start = json::getStr(d, "start");
  auto end = json::getStr(d, "end");
  if (!start.empty() || !end.empty()) b.put("period", b.period(start, end));
  if (auto location = json::getStr(d, "location"); !location.empty()) {
    Value l = b.obj();
    Value lref = b.obj();
    b.set(lref, "display", location);
    b.put(l, "location", std::move(lref));
    b.put("location", b.one(std::move(l)));
  }
  if (const Value* f = json::get(d, "facility"); hasCode(f)) {
    std::string org = facility(*f);
    b.put("serviceProvider", b.ref(org, json::getStr(*f, "name")));
  }
  emit(b);
}

// One DiagnosticReport and an Observation per result; the report lists the
// results in the source's order.
void Mapper::labReport(const Record& r) {
  const Value& d = r.data;
  const std::string patient = patientRef(r);
  std::string performer;
  if (const Value* p = json::get(d, "performer"); hasCode(p)) performer = facility(*p);
  auto effective = json::getStr(d, "effective");
  auto issued = json::getStr(d, "issued");
  // FHIR `issued` is an instant: a date alone does not qualify.
  const bool issued_instant = issued.find('T') != std::string_view::npos;
  Builder report("DiagnosticReport", idFor("DiagnosticReport", m_.source, "lab-report", r.source_id));
  Value result_refs = report.arr();
  for (const auto& res : member(d, "results").GetArray()) {
    std::string local(json::getStr(res, "source_id"));
    std::string obs_id = idFor("Observation", m_.source, "lab-result", local);
    Builder o("Observation", obs_id);
    o.put("identifier", o.one(o.identifier(sys("lab-result"), local)));
    o.set("status", json::getStr(res, "status").empty() ? "final" : json::getStr(res, "status"));
    o.put("category", o.one(o.codeable(o.coding(kObservationCategory, "laboratory", "Laboratory"))));
    o.put("code", o.codeable(o.coding(member(res, "code"))));
    o.put("subject", o.ref(patient));
    auto when = json::getStr(res, "effective");
    o.setIf("effectiveDateTime", when.empty() ? effective : when);
    if (issued_instant) o.set("issued", issued);
    if (!performer.empty()) o.put("performer", o.one(o.ref(performer)));
    if (const Value* q = json::get(res, "value_quantity"); q != nullptr && q->IsObject()) {
      Value quantity = o.obj();
      quantity.AddMember("value", o.copy(member(*q, "value")), o.a());
      o.setIf(quantity, "comparator", json::getStr(*q, "comparator"));
      o.setIf(quantity, "unit", json::getStr(*q, "unit"));
      o.put("valueQuantity", std::move(quantity));
    } else if (const Value* c = json::get(res, "value_coding"); c != nullptr && c->IsObject()) {
      o.put("valueCodeableConcept", o.codeable(o.coding(*c)));
    } else if (auto text = json::getStr(res, "value_string"); !text.empty()) {
      o.set("valueString", text);
    }
    if (const Value* i = json::get(res, "interpretation"); i != nullptr && i->IsObject()) {
      o.put("interpretation", o.one(o.codeable(o.coding(*i))));
    }
    if (auto range = json::getStr(res, "reference_range"); !range.empty()) {
      Value rr = o.obj();
      o.set(rr, "text", range);
      o.put("referenceRange", o.one(std::move(rr)));
    }
    emit(o);
    result_refs.PushBack(report.ref(ref("Observation", obs_id)), report.a());
  }
  report.put("identifier", report.one(report.identifier(sys("lab-report"), r.source_id)));
  report.set("status", json::getStr(d, "status"));
  report.put("category", report.one(report.codeable(
                             report.coding("http://terminology.hl7.org/CodeSystem/v2-0074", "LAB", "Laboratory"))));
  report.put("code", report.codeable(report.coding(member(d, "code"))));
  report.put("subject", report.ref(patient));
  report.setIf("effectiveDateTime", effective);
  if (issued_instant) report.set("issued", issued);
  if (!performer.empty()) report.put("performer", report.one(report.ref(performer)));
  if (!result_refs.Empty()) report.put("result", std::move(result_refs));
  emit(report);
}

// The surviving Patient (the message's citizen) keeps the old identifiers
// with use "old" and a "replaces" link; the old Patient, when the merge
// names one, is made inactive with a "replaced-by" link and keeps its
// stored fields. Both keep their merge history on later updates.
void Mapper::merge(const Record& r) {
  const Value& d = r.data;
  const std::string& key = citizenOf(r);
  const std::string survivor_id = patientIdFor(key);
  std::string old_key(json::getStr(d, "old_citizen_key"));
  const bool other_patient = !old_key.empty() && old_key != key;
  const std::string old_id = other_patient ? patientIdFor(old_key) : std::string();

  ResourceWrite* survivor = findWrite("Patient", survivor_id);
  if (survivor == nullptr) {
    Builder b("Patient", survivor_id);
    b.put("identifier", b.arr());
    ResourceWrite& w = emit(b, {{"identifier"}, {"link"}});
    w.keep_stored_fields = {kAllFields};
    survivor = &w;
  }
  json::Doc& doc = survivor->doc;
  auto& a = doc.GetAllocator();
  if (!doc.HasMember("identifier")) doc.AddMember("identifier", Value(rapidjson::kArrayType), a);
  Value& ids = doc["identifier"];
  for (const auto& old : member(d, "old_identifiers").GetArray()) {
    auto system = json::getStr(old, "system");
    auto value = json::getStr(old, "value");
    bool known = false;
    for (const auto& cur : ids.GetArray()) {
      known = known || (json::getStr(cur, "system") == system && json::getStr(cur, "value") == value);
    }
    if (known) continue;
    Value id(rapidjson::kObjectType);
    id.AddMember("use", "old", a);
    id.AddMember("system", json::str(system, a), a);
    id.AddMember("value", json::str(value, a), a);
    ids.PushBack(id, a);
  }
  if (!other_patient) return;
  auto link = [](json::Alloc& alloc, const std::string& other, const char* type) {
    Value reference(rapidjson::kObjectType);
    reference.AddMember("reference", json::str("Patient/" + other, alloc), alloc);
    Value l(rapidjson::kObjectType);
    l.AddMember("other", reference, alloc);
    l.AddMember("type", Value(type, alloc), alloc);
    return l;
  };
  if (!doc.HasMember("link")) doc.AddMember("link", Value(rapidjson::kArrayType), a);
  doc["link"].PushBack(link(a, old_id, "replaces"), a);

  Builder old("Patient", old_id);
  Value old_ids = old.arr();
  for (const auto& i : member(d, "old_identifiers").GetArray()) {
    old_ids.PushBack(old.identifier(json::getStr(i, "system"), json::getStr(i, "value")), old.a());
  }
  old.put("identifier", std::move(old_ids));
  old.put("active", Value(false));
  old.put("link", old.one(link(old.a(), survivor_id, "replaced-by")));
  ResourceWrite& w = emit(old, {{"identifier"}, {"link"}});
  w.keep_stored_fields = {kAllFields};
}

void Mapper::exemption(const Record& r) {
  const Value& d = r.data;
  Builder b("Coverage", idFor("Coverage", m_.source, "exemption", r.source_id));
  b.put("identifier", b.one(b.identifier(sys("exemption"), r.source_id)));
  b.set("status", "active");
  b.put("type", b.codeable(b.coding("urn:raccordo:cs:coverage-type", "ticket-exemption", "Esenzione ticket")));
  b.put("beneficiary", b.ref(patientRef(r)));
  if (const Value* issuer = json::get(d, "issuer"); hasCode(issuer)) {
    std::string org = organization(*issuer, "issuer", "exemption-issuer", "Ente che rilascia l'esenzione");
    b.put("payor", b.one(b.ref(org, json::getStr(*issuer, "name"))));
  } else {
    Value payor = b.obj();
    b.set(payor, "display", "Servizio Sanitario Nazionale");
    b.put("payor", b.one(std::move(payor)));
  }
  b.put("period", b.period(json::getStr(d, "start"), json::getStr(d, "end")));
  const Value& code = member(d, "code");
  Value cls = b.obj();
  b.put(cls, "type",
        b.codeable(b.coding("http://terminology.hl7.org/CodeSystem/coverage-class", "plan", "Plan")));
  b.set(cls, "value", json::getStr(code, "code"));
  b.setIf(cls, "name", json::getStr(code, "display"));
  b.put("class", b.one(std::move(cls)));
  emit(b);
}

}  // namespace raccordo::mapping_detail
