#include "gateway/mapping/fhir_mapping.h"

#include <algorithm>

#include "gateway/mapping/fhir_builder.h"

namespace raccordo {

namespace mapping_detail {

namespace {

constexpr const char* kExtCadastral = "urn:raccordo:fhir:ext:cadastral-code";
constexpr const char* kExtIstat = "urn:raccordo:fhir:ext:istat-code";
constexpr const char* kExtFunding = "urn:raccordo:fhir:ext:funding";
constexpr const char* kExtAmount = "urn:raccordo:fhir:ext:amount";
constexpr const char* kExtAmountPeriod = "urn:raccordo:fhir:ext:amount-period";
constexpr const char* kExtSourceId = "urn:raccordo:fhir:ext:source-id";
constexpr const char* kCarePlanType = "urn:raccordo:cs:care-plan-type";

/// The extension naming a town by its code: ISTAT (6 digits) or cadastral.
const char* townCodeExtension(std::string_view code, std::string_view system) {
  return system == "istat" || (system.empty() && code.size() == 6) ? kExtIstat : kExtCadastral;
}

}  // namespace

std::vector<ResourceWrite> Mapper::run() {
  indexDocumentFacts();
  for (const auto& r : m_.records) {
    if (r.kind == kind::kPerson) person(r);
    else if (r.kind == kind::kHousehold) household(r);
    else if (r.kind == kind::kCase) careCase(r);
    else if (r.kind == kind::kIncome) income(r);
    else if (r.kind == kind::kAssessment) assessment(r);
    else if (r.kind == kind::kEncounter) encounter(r);
    else if (r.kind == kind::kLabReport) labReport(r);
    else if (r.kind == kind::kExemption) exemption(r);
    else if (r.kind == kind::kAllergy) allergy(r);
    else if (r.kind == kind::kCondition) condition(r);
    else if (r.kind == kind::kMedication) medication(r);
    else if (r.kind == kind::kImmunization) immunization(r);
    else if (r.kind == kind::kVitalSign) vitalSign(r);
    else if (r.kind == kind::kDevice) device(r);
    else if (r.kind == kind::kCarePlanNote) gpCarePlan(r);
    else if (r.kind == kind::kVisit) visit(r);
    else if (r.kind == kind::kDocument) document(r);
  }
  // A merge amends the Patient its message's person record wrote.
  for (const auto& r : m_.records) {
    if (r.kind == kind::kMerge) merge(r);
  }
  return std::move(out_);
}

ResourceWrite& Mapper::emit(Builder& b, std::vector<MergedArray> merge) {
  ResourceWrite w;
  w.doc = std::move(b.doc());
  w.merge_arrays = std::move(merge);
  out_.push_back(std::move(w));
  return out_.back();
}

// A shared resource (office, provider, social worker, UVM team) may be
// mentioned several times in one message with different details: one write,
// with the union of the fields.
void Mapper::emitShared(Builder& b) {
  std::string id(json::getStr(b.doc(), "id"));
  std::string type(json::getStr(b.doc(), "resourceType"));
  for (auto& w : out_) {
    if (json::getStr(w.doc, "id") != id || json::getStr(w.doc, "resourceType") != type) continue;
    auto& a = w.doc.GetAllocator();
    for (auto it = b.doc().MemberBegin(); it != b.doc().MemberEnd(); ++it) {
      if (!w.doc.HasMember(it->name)) w.doc.AddMember(Value(it->name, a), Value(it->value, a), a);
    }
    return;
  }
  ResourceWrite w;
  w.doc = std::move(b.doc());
  w.keep_stored_fields = {kAllFields};
  out_.push_back(std::move(w));
}

std::string Mapper::organization(const Value& org, std::string_view kind, std::string_view type_code,
                                 std::string_view type_display) {
  std::string code(json::getStr(org, "code"));
  std::string id = idFor("Organization", m_.source, kind, code);
  Builder b("Organization", id);
  b.put("identifier", b.one(b.identifier(sys(kind), code)));
  b.put("active", Value(true));
  b.put("type", b.one(b.codeable(b.coding("urn:raccordo:cs:organization-type", type_code, type_display))));
  b.setIf("name", json::getStr(org, "name"));
  emitShared(b);
  return ref("Organization", id);
}

std::string Mapper::practitioner(const Value& p) {
  std::string local(json::getStr(p, "id"));
  std::string id = idFor("Practitioner", m_.source, "operator", local);
  Builder b("Practitioner", id);
  b.put("identifier", b.one(b.identifier(sys("operator"), local)));
  b.put("active", Value(true));
  b.put("name", b.one(b.humanName(p)));
  if (auto phone = json::getStr(p, "phone"); !phone.empty()) {
    Value t = b.obj();
    b.set(t, "system", "phone");
    b.set(t, "value", phone);
    b.set(t, "use", "work");
    b.put("telecom", b.one(std::move(t)));
  }
  emitShared(b);
  return ref("Practitioner", id);
}

// A physician named by a health source (GP, attending): {id, family_name?,
// given_name?, id_system?}. Keyed by the id's system, so the same doctor
// sent under the same system by two sources is one Practitioner.
std::string Mapper::clinician(const Value& p) {
  std::string local(json::getStr(p, "id"));
  std::string system(json::getStr(p, "id_system"));
  if (system.empty()) system = sys("practitioner");
  std::string id = stableId({"Practitioner", system, local});
  Builder b("Practitioner", id);
  b.put("identifier", b.one(b.identifier(system, local)));
  b.put("active", Value(true));
  if (!json::getStr(p, "family_name").empty() || !json::getStr(p, "given_name").empty()) {
    b.put("name", b.one(b.partialName(p)));
  }
  emitShared(b);
  return ref("Practitioner", id);
}

Value Mapper::address(Builder& b, const Value& a) {
  Value out = b.obj();
  b.setIf(out, "use", json::getStr(a, "use"));
  b.set(out, "type", "physical");
  if (auto line = json::getStr(a, "line"); !line.empty()) b.put(out, "line", b.one(json::str(line, b.a())));
  b.setIf(out, "city", json::getStr(a, "city"));
  if (auto code = json::getStr(a, "city_code"); !code.empty()) {
    Value ext = b.obj();
    b.put(ext, "extension",
          b.one(b.extension(townCodeExtension(code, ""), "valueCode", json::str(code, b.a()))));
    b.put(out, "_city", std::move(ext));
  }
  b.setIf(out, "district", json::getStr(a, "province"));
  b.setIf(out, "postalCode", json::getStr(a, "postal_code"));
  auto country = json::getStr(a, "country");
  b.set(out, "country", country.empty() ? "IT" : country);
  return out;
}

void Mapper::person(const Record& r) {
  const Value& d = r.data;
  Builder b("Patient", patientIdFor(citizenOf(r)));
  Value extensions = b.arr();
  if (const Value* place = json::get(d, "birth_place")) {
    Value addr = b.obj();
    auto code = json::getStr(*place, "code");
    auto system = json::getStr(*place, "system");
    if (code.starts_with("Z") && system != "istat") {
      b.set(addr, "country", code);  // foreign state: the cadastral Z-code names the country
    } else {
      b.setIf(addr, "city", json::getStr(*place, "name"));
      if (!code.empty()) {
        Value ext = b.obj();
        b.put(ext, "extension",
              b.one(b.extension(townCodeExtension(code, system), "valueCode", json::str(code, b.a()))));
        b.put(addr, "_city", std::move(ext));
      }
      b.set(addr, "country", "IT");
    }
    extensions.PushBack(b.extension("http://hl7.org/fhir/StructureDefinition/patient-birthPlace", "valueAddress",
                                    std::move(addr)),
                        b.a());
  }
  if (auto citizenship = json::getStr(d, "citizenship"); !citizenship.empty()) {
    Value e = b.obj();
    b.set(e, "url", "http://hl7.org/fhir/StructureDefinition/patient-citizenship");
    b.put(e, "extension",
          b.one(b.extension("code", "valueCodeableConcept",
                            b.codeable(b.coding("urn:iso:std:iso:3166", citizenship, "")))));
    extensions.PushBack(e, b.a());
  }
  if (!extensions.Empty()) b.put("extension", std::move(extensions));
  Value ids = b.arr();
  for (const auto& i : member(d, "identifiers").GetArray()) ids.PushBack(b.copy(i), b.a());
  b.put("identifier", std::move(ids));
  const bool partial = member(d, "partial").IsTrue();
  if (!partial) b.put("active", Value(true));  // a passing mention does not revive a merged-away Patient
  if (!json::getStr(d, "family_name").empty() || !json::getStr(d, "given_name").empty()) {
    b.put("name", b.one(b.partialName(d)));
  }
  if (const Value* telecom = json::get(d, "telecom"); telecom != nullptr && !telecom->Empty()) {
    b.put("telecom", b.copy(*telecom));
  }
  b.setIf("gender", json::getStr(d, "gender"));
  b.setIf("birthDate", json::getStr(d, "birth_date"));
  if (const Value* deceased = json::get(d, "deceased")) {
    if (deceased->IsString()) b.set("deceasedDateTime", deceased->GetString());
    if (deceased->IsBool()) b.put("deceasedBoolean", Value(deceased->GetBool()));
  }
  if (const Value* addresses = json::get(d, "addresses"); addresses != nullptr && !addresses->Empty()) {
    Value list = b.arr();
    for (const auto& a : addresses->GetArray()) list.PushBack(address(b, a), b.a());
    b.put("address", std::move(list));
  }
  if (const Value* gp = json::get(d, "general_practitioner"); gp != nullptr && gp->IsObject()) {
    std::string gp_ref = clinician(*gp);
    b.put("generalPractitioner", b.one(b.ref(gp_ref)));
  }
  ResourceWrite& w = emit(b);
  if (partial) {
    // Demographics seen in passing (the PID of a lab result): what the
    // record lacks stays as stored, identifiers are added to the stored ones.
    w.merge_arrays = {{"identifier"}, {"link"}};
    w.keep_stored_fields = {kAllFields};
  } else {
    // Every source writes this Patient. The source's picture replaces its own
    // fields and identifiers (urn:raccordo:{source}:*); the identifiers of
    // other sources, the shared ones (codice fiscale), the merge history, a
    // GP another source set and a death another source reported are kept.
    w.merge_arrays = {{"identifier", sys("")}, {"link"}};
    w.keep_stored_fields = {"generalPractitioner"};
    if (!w.doc.HasMember("deceasedDateTime") && !w.doc.HasMember("deceasedBoolean")) {
      w.keep_stored_fields.insert(w.keep_stored_fields.end(), {"deceasedDateTime", "deceasedBoolean"});
    }
  }
}

void Mapper::household(const Record& r) {
  const Value& d = r.data;
  std::string group_id = idFor("Group", m_.source, "household", r.source_id);
  int index = 0;
  for (const auto& mbr : member(d, "members").GetArray()) {
    ++index;
    // A member is the same RelatedPerson across re-sends: keyed by their
    // codice fiscale when known, else by name and birth date.
    std::string key(json::getStr(mbr, "codice_fiscale"));
    if (key.empty()) {
      key = std::string(json::getStr(mbr, "family_name")) + "|" + std::string(json::getStr(mbr, "given_name")) +
            "|" + std::string(json::getStr(mbr, "birth_date"));
    }
    Builder b("RelatedPerson", stableId({"RelatedPerson", m_.source, r.source_id, m_.citizen_key, key}));
    if (auto cf = json::getStr(mbr, "codice_fiscale"); !cf.empty()) {
      b.put("identifier", b.one(b.identifier(ctx_.cf_system, cf)));
    }
    b.put("active", Value(true));
    b.put("patient", b.ref(patient_ref_));
    b.put("relationship", b.one(b.codeable(b.coding(member(mbr, "relationship")))));
    b.put("name", b.one(b.humanName(mbr)));
    b.setIf("gender", json::getStr(mbr, "gender"));
    b.setIf("birthDate", json::getStr(mbr, "birth_date"));
    emit(b);
  }
  Builder g("Group", group_id);
  g.put("identifier", g.one(g.identifier(sys("household"), r.source_id)));
  g.put("active", Value(true));
  g.set("type", "person");
  g.put("actual", Value(true));
  g.put("code", g.codeable(g.coding("urn:raccordo:cs:group-type", "household", "Nucleo familiare")));
  g.set("name", "Nucleo familiare " + r.source_id);
  Value m = g.obj();
  m.AddMember("entity", g.ref(patient_ref_), g.a());
  g.put("member", g.one(std::move(m)));
  emit(g, {{"member"}});
}

void Mapper::careCase(const Record& r) {
  const Value& d = r.data;
  std::string episode_id = idFor("EpisodeOfCare", m_.source, "case", r.source_id);
  const std::string patient = patientRef(r);
  // Both optional: ATS flows name the provider in charge and no social worker.
  std::string sw_ref, office_ref;
  if (const Value* sw = json::get(d, "social_worker"); sw != nullptr && sw->IsObject()) sw_ref = practitioner(*sw);
  if (const Value* office = json::get(d, "office"); hasCode(office)) {
    office_ref = json::getStr(*office, "type") == "provider"
                     ? organization(*office, "provider", "service-provider", "Ente erogatore")
                     : organization(*office, "office", "social-services-office", "Servizio sociale territoriale");
  }
  {
    Builder b("EpisodeOfCare", episode_id);
    b.put("identifier", b.one(b.identifier(sys("case"), r.source_id)));
    b.set("status", json::getStr(d, "status"));
    b.put("type", b.one(b.codeable(b.coding(member(d, "area")))));
    b.put("patient", b.ref(patient));
    if (!office_ref.empty()) b.put("managingOrganization", b.ref(office_ref));
    b.put("period", b.period(json::getStr(d, "opened"), json::getStr(d, "closed")));
    if (!sw_ref.empty()) b.put("careManager", b.ref(sw_ref));
    emit(b);
  }
  Builder p("CarePlan", idFor("CarePlan", m_.source, "case", r.source_id));
  p.put("identifier", p.one(p.identifier(sys("case-plan"), r.source_id)));
  auto status = json::getStr(d, "status");
  p.set("status", status == "active" ? "active" : status == "onhold" ? "on-hold" : "completed");
  p.set("intent", "plan");
  p.put("category", p.one(p.codeable(p.coding(kCarePlanType, "social-services", "Servizi e misure sociali"))));
  p.set("title", "Servizi e misure - " + std::string(json::getStr(member(d, "area"), "display")));
  p.put("subject", p.ref(patient));
  p.put("period", p.period(json::getStr(d, "opened"), json::getStr(d, "closed")));
  if (!sw_ref.empty() || !office_ref.empty()) p.put("author", p.ref(sw_ref.empty() ? office_ref : sw_ref));
  p.put("supportingInfo", p.one(p.ref(ref("EpisodeOfCare", episode_id))));
  Value activities = p.arr();
  for (const auto& s : m_.records) {
    if (s.kind != kind::kService || json::getStr(s.data, "case_id") != r.source_id) continue;
    activities.PushBack(serviceActivity(p, s), p.a());
  }
  if (!activities.Empty()) p.put("activity", std::move(activities));
  emit(p);
}

Value Mapper::serviceActivity(Builder& p, const Record& s) {
  const Value& d = s.data;
  Value detail = p.obj();
  Value ext = p.arr();
  ext.PushBack(p.extension(kExtSourceId, "valueIdentifier", p.identifier(sys("service"), s.source_id)), p.a());
  ext.PushBack(p.extension(kExtFunding, "valueCodeableConcept", p.codeable(p.coding(member(d, "funding")))), p.a());
  if (const Value* amount = json::get(d, "amount_eur"); amount != nullptr && amount->IsNumber()) {
    Value money = p.obj();
    money.AddMember("value", Value(amount->GetDouble()), p.a());
    p.set(money, "currency", "EUR");
    ext.PushBack(p.extension(kExtAmount, "valueMoney", std::move(money)), p.a());
    if (auto per = json::getStr(d, "amount_period"); !per.empty()) {
      ext.PushBack(p.extension(kExtAmountPeriod, "valueCode", json::str(per, p.a())), p.a());
    }
  }
  p.put(detail, "extension", std::move(ext));
  p.set(detail, "kind", "ServiceRequest");
  p.put(detail, "code", p.codeable(p.coding(member(d, "type"))));
  p.set(detail, "status", json::getStr(d, "status"));
  p.put(detail, "scheduledPeriod", p.period(json::getStr(d, "start"), json::getStr(d, "end")));
  if (const Value* provider = json::get(d, "provider")) {
    std::string org = organization(*provider, "provider", "service-provider", "Ente erogatore");
    p.put(detail, "performer", p.one(p.ref(org, json::getStr(*provider, "name"))));
  }
  if (const Value* hours = json::get(d, "hours_per_week"); hours != nullptr && hours->IsNumber()) {
    Value q = p.obj();
    q.AddMember("value", Value(hours->GetDouble()), p.a());
    p.set(q, "unit", "ore/settimana");
    p.set(q, "system", "http://unitsofmeasure.org");
    p.set(q, "code", "h/wk");
    p.put(detail, "quantity", std::move(q));
  }
  p.set(detail, "description", json::getStr(member(d, "type"), "display"));
  Value activity = p.obj();
  p.put(activity, "detail", std::move(detail));
  return activity;
}

void Mapper::income(const Record& r) {
  const Value& d = r.data;
  Builder b("Observation", idFor("Observation", m_.source, "isee", m_.citizen_key + "|" + r.source_id));
  if (auto protocol = json::getStr(d, "protocol"); !protocol.empty()) {
    b.put("identifier", b.one(b.identifier(sys("isee-protocol"), protocol)));
  }
  b.set("status", "final");
  b.put("category", b.one(b.codeable(b.coding("http://terminology.hl7.org/CodeSystem/observation-category",
                                             "social-history", "Social History"))));
  b.put("code", b.codeable(b.coding(member(d, "type"))));
  b.put("subject", b.ref(patient_ref_));
  b.put("effectivePeriod", b.period(json::getStr(d, "issued"), json::getStr(d, "expires")));
  Value q = b.obj();
  q.AddMember("value", Value(member(d, "value_eur").GetDouble()), b.a());
  b.set(q, "unit", "EUR");
  b.set(q, "system", "urn:iso:std:iso:4217");
  b.set(q, "code", "EUR");
  b.put("valueQuantity", std::move(q));
  emit(b);
}

void Mapper::assessment(const Record& r) {
  const Value& d = r.data;
  std::string qr_id = idFor("QuestionnaireResponse", m_.source, "assessment", r.source_id);
  std::string team(json::getStr(d, "team"));
  Value team_org(rapidjson::kObjectType);
  json::Doc scratch;
  team_org.AddMember("code", json::str(team, scratch.GetAllocator()), scratch.GetAllocator());
  team_org.AddMember("name", json::str(team, scratch.GetAllocator()), scratch.GetAllocator());
  std::string team_ref = organization(team_org, "uvm-team", "uvm-team", "Unità di Valutazione Multidimensionale");
  std::string date(json::getStr(d, "date"));
  {
    Builder b("QuestionnaireResponse", qr_id);
    b.put("identifier", b.identifier(sys("assessment"), r.source_id));
    b.set("questionnaire", "urn:raccordo:questionnaire:uvm-assessment");
    b.set("status", "completed");
    b.put("subject", b.ref(patient_ref_));
    b.set("authored", date);
    b.put("author", b.ref(team_ref, team));
    Value items = b.arr();
    for (const auto& ins : member(d, "instruments").GetArray()) {
      const Value& c = member(ins, "coding");
      Value item = b.obj();
      b.set(item, "linkId", "instrument-" + std::string(json::getStr(c, "code")));
      b.set(item, "text", json::getStr(c, "display"));
      Value answer = b.obj();
      answer.AddMember("valueDecimal", Value(member(ins, "score").GetDouble()), b.a());
      b.put(item, "answer", b.one(std::move(answer)));
      items.PushBack(item, b.a());
    }
    Value outcome = b.obj();
    b.set(outcome, "linkId", "outcome");
    b.set(outcome, "text", "Esito della valutazione");
    Value answer = b.obj();
    b.put(answer, "valueCoding", b.coding(member(d, "outcome")));
    b.put(outcome, "answer", b.one(std::move(answer)));
    items.PushBack(outcome, b.a());
    b.put("item", std::move(items));
    emit(b);
  }
  for (const auto& ins : member(d, "instruments").GetArray()) {
    const Value& c = member(ins, "coding");
    Builder o("Observation",
              idFor("Observation", m_.source, "assessment-score", r.source_id + "|" + std::string(json::getStr(c, "code"))));
    o.set("status", "final");
    o.put("category", o.one(o.codeable(o.coding("http://terminology.hl7.org/CodeSystem/observation-category",
                                               "survey", "Survey"))));
    o.put("code", o.codeable(o.coding(c)));
    o.put("subject", o.ref(patient_ref_));
    o.set("effectiveDateTime", date);
    o.put("performer", o.one(o.ref(team_ref, team)));
    Value q = o.obj();
    q.AddMember("value", Value(member(ins, "score").GetDouble()), o.a());
    o.set(q, "unit", "score");
    o.set(q, "system", "http://unitsofmeasure.org");
    o.set(q, "code", "{score}");
    o.put("valueQuantity", std::move(q));
    if (member(ins, "min").IsNumber() && member(ins, "max").IsNumber()) {
      Value range = o.obj();
      Value low = o.obj(), high = o.obj();
      low.AddMember("value", Value(member(ins, "min").GetDouble()), o.a());
      high.AddMember("value", Value(member(ins, "max").GetDouble()), o.a());
      range.AddMember("low", low, o.a());
      range.AddMember("high", high, o.a());
      o.put("referenceRange", o.one(std::move(range)));
    }
    o.put("derivedFrom", o.one(o.ref(ref("QuestionnaireResponse", qr_id))));
    emit(o);
  }
  if (const Value* plan = json::get(d, "plan")) {
    std::string plan_id(json::getStr(*plan, "id"));
    Builder p("CarePlan", idFor("CarePlan", m_.source, "plan", plan_id));
    p.put("identifier", p.one(p.identifier(sys("plan"), plan_id)));
    p.set("status", "active");
    p.set("intent", "plan");
    p.put("category", p.one(p.codeable(p.coding(kCarePlanType, "individual-project", "Progetto individuale"))));
    p.set("title", json::getStr(*plan, "title"));
    p.put("subject", p.ref(patient_ref_));
    p.put("period", p.period(date, json::getStr(*plan, "review_date")));
    p.set("created", date);
    p.put("author", p.ref(team_ref, team));
    p.put("supportingInfo", p.one(p.ref(ref("QuestionnaireResponse", qr_id))));
    if (const Value* goals = json::get(*plan, "goals"); goals != nullptr && !goals->Empty()) {
      Value notes = p.arr();
      for (const auto& goal : goals->GetArray()) {
        Value n = p.obj();
        p.set(n, "text", "Obiettivo: " + std::string(goal.GetString()));
        notes.PushBack(n, p.a());
      }
      p.put("note", std::move(notes));
    }
    emit(p);
  }
}

}  // namespace mapping_detail

std::string patientIdFor(std::string_view citizen_key) { return stableId({"Patient", citizen_key}); }

std::string sourceSystem(std::string_view source, std::string_view kind) {
  return "urn:raccordo:" + std::string(source) + ":" + std::string(kind);
}

Result<std::vector<ResourceWrite>> mapToFhir(const DecodedMessage& message, const MappingContext& context) {
  // A CSV flow's records may each name their citizen; otherwise the message must.
  if (message.citizen_key.empty() &&
      (message.records.empty() || std::any_of(message.records.begin(), message.records.end(),
                                              [](const Record& r) { return r.citizen_key.empty(); }))) {
    return Error(ErrorCode::kInvalidInput, "the message names no citizen", "citizen");
  }
  try {
    return mapping_detail::Mapper(message, context).run();
  } catch (const std::exception& e) {
    return Error(ErrorCode::kInternal, std::string("mapping failed: ") + e.what(), "mapping");
  }
}

}  // namespace raccordo
