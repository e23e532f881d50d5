// Sections and entries of a CDA document: Patient Summary sections to
// clinical facts, lab results to lab_report. An entry that cannot be read is a
// reject (with its XPath); the rest of the document applies.

#include <charconv>
#include <cmath>
#include <functional>

#include "adapters/gp/gp_cda_decoder.h"

namespace raccordo::gp {

using cda::Node;
using json::Value;

namespace {

Value str(std::string_view s, json::Alloc& a) { return json::str(s, a); }

/// The clinical statement of an entry: its first child element.
Node statementOf(const Node& entry) {
  auto kids = entry.children();
  return kids.empty() ? Node() : kids.front();
}

/// A sub-observation of `stmt` (under entryRelationship) whose code is `loinc`.
Node related(const Node& stmt, std::string_view loinc) {
  for (const Node& er : stmt.children("entryRelationship")) {
    for (const Node& o : er.children()) {
      if (o.child("code").attr("code") == loinc) return o;
    }
  }
  return {};
}

Node findId(const Node& n, std::string_view id) {
  if (n.attr("ID") == id) return n;
  for (const Node& c : n.children()) {
    if (Node f = findId(c, id); f) return f;
  }
  return {};
}

std::optional<Value> number(std::string_view text) {
  std::string s(text);
  for (char& c : s) if (c == ',') c = '.';
  if (s.empty()) return std::nullopt;
  double d = 0;
  auto r = std::from_chars(s.data(), s.data() + s.size(), d);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size() || !std::isfinite(d)) return std::nullopt;
  return Value(d);
}

}  // namespace

std::optional<Value> CdaDecoder::coding(const Node& code, json::Alloc& a) const {
  if (!code || code.attr("code").empty()) return std::nullopt;
  Value c(rapidjson::kObjectType);
  std::string_view oid = code.attr("codeSystem");
  auto sys = v_.tables.findAnyCase("cda-code-system", oid);
  c.AddMember("system", sys ? str(sys->coding->code, a) : str("urn:raccordo:gp:code:" + std::string(oid), a), a);
  c.AddMember("code", str(code.attr("code"), a), a);
  if (!code.attr("displayName").empty()) c.AddMember("display", str(code.attr("displayName"), a), a);
  return c;
}

std::string CdaDecoder::originalText(const Node& code) const {
  Node ot = code.child("originalText");
  if (!ot) return {};
  Node ref = ot.child("reference");
  std::string_view value = ref.attr("value");
  if (ref && value.size() > 1 && value[0] == '#' && narrative_) {
    if (Node target = findId(narrative_, value.substr(1)); target) return target.text();
    return {};
  }
  return ot.text();
}

Result<std::string> CdaDecoder::time(const Node& ts) const {
  auto t = v_.time.dateTime(ts.attr("value"), "@value");
  if (t.ok()) return t;
  Error e = t.error();
  e.location = ts.path() + "/@value";  // built only when needed: paths are not free
  return e;
}

Status CdaDecoder::setTime(Value& obj, const char* field, const Node& ts, json::Alloc& a) const {
  if (!ts || ts.attr("value").empty()) return {};
  auto t = time(ts);
  if (!t.ok()) return t.error();
  obj.AddMember(rapidjson::StringRef(field), str(*t, a), a);
  return {};
}

std::string CdaDecoder::entryId(const Node& stmt, const Node& entry) {
  std::string id;
  if (Node n = stmt.child("id"); n && !n.attr("root").empty() && !n.hasAttr("nullFlavor")) {
    id = std::string(n.attr("root"));
    if (!n.attr("extension").empty()) id += "^" + std::string(n.attr("extension"));
  }
  // Missing or repeated ids (templates often carry placeholders): the document's id and the entry's place.
  if (id.empty() || used_ids_.count(id) != 0) id = document_id_ + "|" + entry.path();
  used_ids_.insert(id);
  return id;
}

void CdaDecoder::addCommon(Record& r, const Node& stmt) {
  auto& a = r.data.GetAllocator();
  r.data.AddMember("asserted", str(asserted_, a), a);
  if (author_.IsObject() && author_.MemberCount() > 0) r.data.AddMember("author", Value(author_, a), a);
  // The annotation comment (48767-8) hangs off the statement, or off its
  // observation for allergies and problems.
  std::vector<Node> holders{stmt};
  for (const Node& er : stmt.children("entryRelationship")) {
    if (Node o = er.child("observation"); o) holders.push_back(o);
  }
  for (const Node& holder : holders) {
    for (const Node& er : holder.children("entryRelationship")) {
      Node act = er.child("act");
      if (!act || act.child("code").attr("code") != "48767-8") continue;
      std::string note;
      Node ref = act.at("text/reference");
      if (ref && ref.attr("value").size() > 1 && narrative_) {
        if (Node t = findId(narrative_, ref.attr("value").substr(1)); t) note = t.text();
      } else {
        note = act.child("text").text();
      }
      if (!note.empty()) {
        r.data.AddMember("note", str(note, a), a);
        return;
      }
    }
  }
}

void CdaDecoder::push(Record r) {
  facts_.emplace_back(r.kind, r.source_id);
  out_.records.push_back(std::move(r));
}

void CdaDecoder::summarySections(const Node& body) {
  for (const Node& comp : body.children("component")) {
    Node s = comp.child("section");
    if (!s) continue;
    narrative_ = s.child("text");
    std::string_view code = s.child("code").attr("code");
    auto match = v_.tables.findAnyCase("cda-section", code);
    auto& sa = scratch_.GetAllocator();
    Value sec(rapidjson::kObjectType);
    if (!code.empty()) sec.AddMember("code", str(code, sa), sa);
    sec.AddMember("title", str(s.child("title").text(), sa), sa);
    sec.AddMember("text", str(narrative_.text(), sa), sa);
    sec.AddMember("mapped", match.has_value(), sa);
    section_summaries_.push_back(std::move(sec));
    if (!match) continue;
    const std::string record_kind = match->coding->code;
    if (record_kind == kind::kCarePlanNote) {
      carePlan(s);
      continue;
    }
    for (const Node& e : s.children("entry")) {
      if (auto st = entry(record_kind, *match->coding, e); !st) out_.rejects.push_back(st.error());
    }
  }
  narrative_ = Node();
}

void CdaDecoder::labSections(const Node& body) {
  // Lab reports nest sections (a specialty, then one per test): every entry counts.
  std::function<void(const Node&)> walk = [&](const Node& s) {
    narrative_ = s.child("text");
    auto& sa = scratch_.GetAllocator();
    Value sec(rapidjson::kObjectType);
    std::string_view code = s.child("code").attr("code");
    if (!code.empty()) sec.AddMember("code", str(code, sa), sa);
    sec.AddMember("title", str(s.child("title").text(), sa), sa);
    sec.AddMember("text", str(narrative_.text(), sa), sa);
    sec.AddMember("mapped", true, sa);
    section_summaries_.push_back(std::move(sec));
    for (const Node& e : s.children("entry")) {
      Node stmt = statementOf(e);
      Status st = stmt ? labReport(stmt, e)
                       : Status(Error(ErrorCode::kInvalidInput, "the entry has no clinical statement", e.path()));
      if (!st) out_.rejects.push_back(st.error());
    }
    for (const Node& c : s.children("component")) {
      if (Node sub = c.child("section"); sub) walk(sub);
    }
  };
  for (const Node& comp : body.children("component")) {
    if (Node s = comp.child("section"); s) walk(s);
  }
  narrative_ = Node();
}

Status CdaDecoder::entry(const std::string& record_kind, const Coding& section, const Node& e) {
  Node stmt = statementOf(e);
  if (!stmt) return Error(ErrorCode::kInvalidInput, "the entry has no clinical statement", e.path());
  if (record_kind == kind::kVitalSign) return vitalSigns(stmt, e);
  if (record_kind == kind::kLabReport) return labReport(stmt, e);
  Record r;
  r.kind = record_kind;
  r.data.SetObject();
  Status st;
  if (record_kind == kind::kAllergy) st = allergy(stmt, r);
  else if (record_kind == kind::kMedication) st = medication(stmt, r);
  else if (record_kind == kind::kImmunization) st = immunization(stmt, r);
  else if (record_kind == kind::kCondition) st = condition(stmt, section, r);
  else if (record_kind == kind::kDevice) st = device(stmt, r);
  else return Error(ErrorCode::kInternal, "no reader for kind " + record_kind, e.path());
  if (!st) return st;
  if (r.kind.empty()) return {};  // a "nothing known" entry: no fact
  r.source_id = entryId(stmt, e);
  addCommon(r, stmt);
  push(std::move(r));
  return {};
}

Status CdaDecoder::allergy(const Node& act, Record& r) {
  auto& a = r.data.GetAllocator();
  Node obs;
  for (const Node& er : act.children("entryRelationship")) {
    if (Node o = er.child("observation"); o) {
      obs = o;
      break;
    }
  }
  if (!obs) return Error(ErrorCode::kInvalidInput, "the allergy has no observation", act.path() + "/entryRelationship/observation");
  Node agent = obs.at("participant/participantRole/playingEntity/code");
  if (!agent) {
    // "No known allergies" (OINT with a no-allergy-info value) asserts no fact.
    if (obs.child("value").attr("codeSystem") == "2.16.840.1.113883.5.1150.1") {
      r.kind.clear();
      return {};
    }
    return Error(ErrorCode::kInvalidInput, "the allergy names no agent",
                 obs.path() + "/participant/participantRole/playingEntity/code");
  }
  auto code = coding(agent, a);
  std::string text = originalText(agent);
  if (!code && text.empty()) {
    return Error(ErrorCode::kInvalidInput, "the allergy's agent has neither a code nor a text", agent.path());
  }
  if (code) r.data.AddMember("code", *code, a);
  if (!text.empty()) r.data.AddMember("text", str(text, a), a);
  if (auto type = v_.tables.findAnyCase("cda-intolerance-type", obs.child("value").attr("code")); type) {
    std::string_view category = json::getStr(*type->coding->extra, "category");
    if (!category.empty()) r.data.AddMember("category", str(category, a), a);
  }
  if (auto st = setClinicalStatus(obs, "active", r); !st) return st;
  if (Node sev = related(obs, "SEV"); sev) {
    Node v = sev.child("value");
    auto c = v_.tables.lookupAnyCase("cda-severity", v.attr("code"), v.path() + "/@code");
    if (!c.ok()) return c.error();
    r.data.AddMember("criticality", str(json::getStr(*c->coding->extra, "criticality"), a), a);
  }
  if (auto st = setTime(r.data, "onset", obs.at("effectiveTime/low"), a); !st) return st;
  Value reactions(rapidjson::kArrayType);
  for (const Node& er : obs.children("entryRelationship")) {
    if (er.attr("typeCode") != "MFST") continue;
    Node m = er.child("observation");
    Node v = m.child("value");
    Value reaction(rapidjson::kObjectType);
    if (auto c = coding(v, a); c) reaction.AddMember("manifestation", *c, a);
    else if (std::string t = originalText(v); !t.empty()) reaction.AddMember("manifestation", str(t, a), a);
    else continue;
    reactions.PushBack(reaction, a);
  }
  if (!reactions.Empty()) r.data.AddMember("reactions", reactions, a);
  return {};
}

Status CdaDecoder::medicinalCode(const Node& stmt, Record& r, const char* what) {
  auto& a = r.data.GetAllocator();
  Node code = stmt.at("consumable/manufacturedProduct/manufacturedMaterial/code");
  if (!code) {
    return Error(ErrorCode::kInvalidInput, std::string(what) + " names no product",
                 stmt.path() + "/consumable/manufacturedProduct/manufacturedMaterial/code");
  }
  // The contract wants ATC in `code` when the source gives both ATC and AIC.
  std::vector<Value> codes;
  if (auto c = coding(code, a); c) codes.push_back(std::move(*c));
  for (const Node& t : code.children("translation")) {
    if (auto c = coding(t, a); c) codes.push_back(std::move(*c));
  }
  std::size_t main = 0;
  for (std::size_t i = 0; i < codes.size(); ++i) {
    if (json::getStr(codes[i], "system") == "http://www.whocc.no/atc") {
      main = i;
      break;
    }
  }
  std::string text = originalText(code);
  if (codes.empty() && text.empty()) {
    return Error(ErrorCode::kInvalidInput, std::string(what) + "'s product has neither a code nor a text", code.path());
  }
  if (!codes.empty()) {
    r.data.AddMember("code", Value(codes[main], a), a);
    Value others(rapidjson::kArrayType);
    for (std::size_t i = 0; i < codes.size(); ++i) {
      if (i != main) others.PushBack(codes[i], a);
    }
    if (!others.Empty()) r.data.AddMember("other_codes", others, a);
  }
  if (!text.empty()) r.data.AddMember("text", str(text, a), a);
  if (auto route = coding(stmt.child("routeCode"), a); route) r.data.AddMember("route", *route, a);
  return {};
}

Status CdaDecoder::medication(const Node& sa, Record& r) {
  auto& a = r.data.GetAllocator();
  if (sa.child("code").attr("code") == "no-medication-info") {
    r.kind.clear();
    return {};
  }
  if (auto st = medicinalCode(sa, r, "the medication"); !st) return st;
  std::string_view status = sa.child("statusCode").attr("code");
  const char* s = status == "completed" ? "completed"
                  : status == "suspended" ? "on-hold"
                  : status == "aborted" || status == "cancelled" ? "stopped"
                  : "active";
  r.data.AddMember("status", rapidjson::StringRef(s), a);
  for (const Node& eff : sa.children("effectiveTime")) {
    if (eff.attr("type") == "PIVL_TS") continue;
    if (auto st = setTime(r.data, "start", eff.child("low"), a); !st) return st;
    if (auto st = setTime(r.data, "end", eff.child("high"), a); !st) return st;
    break;
  }
  // Dosage: the dose quantity, else the statement's own text (the therapy's line of the narrative).
  std::string dosage;
  if (Node dose = sa.child("doseQuantity"); dose) {
    Node q = dose.hasAttr("value") ? dose : dose.child("low");
    if (q && !q.attr("value").empty()) {
      dosage = std::string(q.attr("value")) + (q.attr("unit").empty() ? "" : " " + std::string(q.attr("unit")));
    }
  }
  if (dosage.empty()) {
    if (Node ref = sa.at("text/reference"); ref && ref.attr("value").size() > 1 && narrative_) {
      if (Node t = findId(narrative_, ref.attr("value").substr(1)); t) dosage = t.text();
    }
  }
  if (!dosage.empty()) r.data.AddMember("dosage", str(dosage, a), a);
  return {};
}

Status CdaDecoder::immunization(const Node& sa, Record& r) {
  auto& a = r.data.GetAllocator();
  if (auto st = medicinalCode(sa, r, "the vaccination"); !st) return st;
  Node eff = sa.child("effectiveTime");
  if (!eff || eff.attr("value").empty()) {
    return Error(ErrorCode::kInvalidInput, "the vaccination has no date (effectiveTime)", sa.path() + "/effectiveTime");
  }
  if (auto st = setTime(r.data, "date", eff, a); !st) return st;
  r.data.AddMember("status", rapidjson::StringRef(sa.attr("negationInd") == "true" ? "not-done" : "completed"), a);
  if (Node lot = sa.at("consumable/manufacturedProduct/manufacturedMaterial/lotNumberText"); lot) {
    if (std::string t = lot.text(); !t.empty()) r.data.AddMember("lot", str(t, a), a);
  }
  if (Node dose = related(sa, "30973-2"); dose) {
    std::string_view v = dose.child("value").attr("value");
    int n = 0;
    auto res = std::from_chars(v.data(), v.data() + v.size(), n);
    if (res.ec != std::errc() || res.ptr != v.data() + v.size() || n <= 0) {
      return Error(ErrorCode::kInvalidInput, "the dose number is not a positive integer", dose.child("value").path() + "/@value");
    }
    r.data.AddMember("dose_number", n, a);
  }
  return {};
}

Status CdaDecoder::condition(const Node& act, const Coding& section, Record& r) {
  auto& a = r.data.GetAllocator();
  Node obs = act.name() == "observation" ? act : Node();
  for (const Node& er : act.children("entryRelationship")) {
    if (obs) break;
    obs = er.child("observation");
  }
  if (!obs) return Error(ErrorCode::kInvalidInput, "the problem has no observation", act.path() + "/entryRelationship/observation");
  Node value = obs.child("value");
  auto code = coding(value, a);
  std::string text = originalText(value);
  if (!code && text.empty()) {
    return Error(ErrorCode::kInvalidInput, "the problem has neither a coded value nor a text", obs.path() + "/value");
  }
  if (code) r.data.AddMember("code", *code, a);
  if (!text.empty()) r.data.AddMember("text", str(text, a), a);
  std::string_view category = section.extra != nullptr ? json::getStr(*section.extra, "category") : "";
  r.data.AddMember("category", str(category.empty() ? "problem-list-item" : category, a), a);
  const bool completed = act.child("statusCode").attr("code") == "completed";
  if (auto st = setClinicalStatus(obs, completed ? "resolved" : "active", r); !st) return st;
  if (auto st = setTime(r.data, "onset", obs.at("effectiveTime/low"), a); !st) return st;
  if (auto st = setTime(r.data, "abatement", obs.at("effectiveTime/high"), a); !st) return st;
  if (Node sev = related(obs, "SEV"); sev) {
    if (auto c = coding(sev.child("value"), a); c) r.data.AddMember("severity", *c, a);
  }
  return {};
}

// `clinical_status` of an allergy or problem: the coded value of its
// clinical-status observation (LOINC 33999-4), else `fallback`.
Status CdaDecoder::setClinicalStatus(const Node& obs, std::string_view fallback, Record& r) const {
  std::string status(fallback);
  if (Node st = related(obs, "33999-4"); st) {
    Node v = st.child("value");
    auto c = v_.tables.lookupAnyCase("cda-clinical-status", v.attr("code"), v.path() + "/@code");
    if (!c.ok()) return c.error();
    status = c->coding->code;
  }
  auto& a = r.data.GetAllocator();
  r.data.AddMember("clinical_status", str(status, a), a);
  return {};
}

Status CdaDecoder::device(const Node& supply, Record& r) {
  auto& a = r.data.GetAllocator();
  Node code = supply.child("code");
  if (!code || code.attr("code").empty()) code = supply.at("participant/participantRole/playingDevice/code");
  auto c = coding(code, a);
  std::string text = originalText(code);
  if (!c && text.empty()) return Error(ErrorCode::kInvalidInput, "the device has neither a code nor a text", supply.path() + "/code");
  if (c) r.data.AddMember("code", *c, a);
  if (!text.empty()) r.data.AddMember("text", str(text, a), a);
  Node eff = supply.child("effectiveTime");
  Node start = eff && eff.attr("value").empty() ? eff.child("low") : eff;
  bool ended = eff && eff.child("high") && !eff.child("high").attr("value").empty();
  r.data.AddMember("status", rapidjson::StringRef(ended ? "completed" : "active"), a);
  Value tmp(rapidjson::kObjectType);
  if (auto st = setTime(tmp, "start", start, a); !st) return st;
  if (tmp.HasMember("start")) {
    std::string day(tmp["start"].GetString(), std::min<std::size_t>(10, tmp["start"].GetStringLength()));
    r.data.AddMember("start", str(day, a), a);
  }
  return {};
}

std::optional<Value> CdaDecoder::quantity(const Node& value, json::Alloc& a) const {
  auto n = number(value.attr("value"));
  if (!n) return std::nullopt;
  Value q(rapidjson::kObjectType);
  q.AddMember("value", *n, a);
  if (!value.attr("unit").empty()) {
    q.AddMember("unit", str(value.attr("unit"), a), a);
    q.AddMember("ucum_code", str(value.attr("unit"), a), a);
  }
  return q;
}

Status CdaDecoder::vitalSigns(const Node& stmt, const Node& e) {
  std::vector<Node> observations;
  if (stmt.name() == "organizer") {
    for (const Node& c : stmt.children("component")) {
      if (Node o = c.child("observation"); o) observations.push_back(o);
    }
  } else {
    observations.push_back(stmt);
  }
  if (observations.empty()) return Error(ErrorCode::kInvalidInput, "the vital signs entry has no observation", stmt.path() + "/component");
  Node systolic, diastolic;
  for (const Node& o : observations) {
    if (o.child("code").attr("code") == "8480-6") systolic = o;
    if (o.child("code").attr("code") == "8462-4") diastolic = o;
  }
  std::vector<Record> made;
  auto effectiveOf = [&](const Node& o) -> Result<std::string> {
    Node eff = o.child("effectiveTime");
    if (!eff || eff.attr("value").empty()) eff = stmt.child("effectiveTime");
    if (!eff || eff.attr("value").empty()) {
      return Error(ErrorCode::kInvalidInput, "the vital sign has no effectiveTime", o.path() + "/effectiveTime");
    }
    return time(eff);
  };
  for (const Node& o : observations) {
    if (systolic && diastolic && (o == systolic || o == diastolic)) continue;
    Record r;
    r.kind = kind::kVitalSign;
    r.data.SetObject();
    auto& a = r.data.GetAllocator();
    auto code = coding(o.child("code"), a);
    if (!code) return Error(ErrorCode::kInvalidInput, "the vital sign has no code", o.path() + "/code");
    r.data.AddMember("code", *code, a);
    auto eff = effectiveOf(o);
    if (!eff.ok()) return eff.error();
    r.data.AddMember("effective", str(*eff, a), a);
    auto q = quantity(o.child("value"), a);
    if (!q) return Error(ErrorCode::kInvalidInput, "the vital sign's value is not a number", o.path() + "/value/@value");
    r.data.AddMember("value_quantity", *q, a);
    r.source_id = entryId(o, o);
    addCommon(r, o);
    made.push_back(std::move(r));
  }
  if (systolic && diastolic) {
    Record r;
    r.kind = kind::kVitalSign;
    r.data.SetObject();
    auto& a = r.data.GetAllocator();
    Value code(rapidjson::kObjectType);
    code.AddMember("system", "http://loinc.org", a);
    code.AddMember("code", "85354-9", a);
    code.AddMember("display", "Blood pressure panel with all children optional", a);
    r.data.AddMember("code", code, a);
    auto eff = effectiveOf(systolic);
    if (!eff.ok()) return eff.error();
    r.data.AddMember("effective", str(*eff, a), a);
    Value components(rapidjson::kArrayType);
    for (const Node& o : {systolic, diastolic}) {
      Value comp(rapidjson::kObjectType);
      comp.AddMember("code", *coding(o.child("code"), a), a);
      auto q = quantity(o.child("value"), a);
      if (!q) return Error(ErrorCode::kInvalidInput, "the blood pressure value is not a number", o.path() + "/value/@value");
      comp.AddMember("value_quantity", *q, a);
      components.PushBack(comp, a);
    }
    r.data.AddMember("components", components, a);
    r.source_id = entryId(stmt, e);
    addCommon(r, stmt);
    made.push_back(std::move(r));
  }
  for (Record& r : made) push(std::move(r));  // all or nothing for the entry
  return {};
}

Status CdaDecoder::labResult(const Node& obs, const std::string& report_id, std::size_t index, Value& results,
                             json::Alloc& a) {
  Value r(rapidjson::kObjectType);
  r.AddMember("source_id", str(report_id + "-" + std::to_string(index), a), a);
  auto code = coding(obs.child("code"), a);
  if (!code) return Error(ErrorCode::kInvalidInput, "the result has no code", obs.path() + "/code");
  r.AddMember("code", *code, a);
  Node v = obs.child("value");
  std::string_view type = v.attr("type");
  if (type == "PQ") {
    auto q = quantity(v, a);
    if (!q) return Error(ErrorCode::kInvalidInput, "the result's value is not a number", v.path() + "/@value");
    q->RemoveMember("ucum_code");
    r.AddMember("value_type", "NM", a);
    r.AddMember("value_quantity", *q, a);
  } else if (type == "CD" || type == "CE" || type == "CV" || type == "CO") {
    if (auto c = coding(v, a); c) {
      r.AddMember("value_type", "CE", a);
      r.AddMember("value_coding", *c, a);
    }
  } else if (v) {
    std::string text = v.hasAttr("value") ? std::string(v.attr("value")) : v.text();
    if (!text.empty()) {
      r.AddMember("value_type", "ST", a);
      r.AddMember("value_string", str(text, a), a);
    }
  }
  if (Node range = obs.at("referenceRange/observationRange"); range) {
    Node low = range.at("value/low"), high = range.at("value/high");
    std::string text = range.child("text").text();
    if (text.empty() && (low || high)) {
      text = std::string(low.attr("value")) + "-" + std::string(high.attr("value"));
      std::string_view unit = high ? high.attr("unit") : low.attr("unit");
      if (!unit.empty()) text += " " + std::string(unit);
    }
    if (!text.empty()) r.AddMember("reference_range", str(text, a), a);
  }
  if (auto c = coding(obs.child("interpretationCode"), a); c) r.AddMember("interpretation", *c, a);
  r.AddMember("status", rapidjson::StringRef(obs.child("statusCode").attr("code") == "active" ? "preliminary" : "final"), a);
  if (auto st = setTime(r, "effective", obs.child("effectiveTime"), a); !st) return st;
  results.PushBack(r, a);
  return {};
}

Status CdaDecoder::labReport(const Node& stmt, const Node& e) {
  Record r;
  r.kind = kind::kLabReport;
  r.data.SetObject();
  auto& a = r.data.GetAllocator();
  auto code = coding(stmt.child("code"), a);
  if (!code) return Error(ErrorCode::kInvalidInput, "the lab entry has no code", stmt.path() + "/code");
  r.source_id = entryId(stmt, e);
  r.data.AddMember("code", *code, a);
  std::string_view status = stmt.child("statusCode").attr("code");
  r.data.AddMember("status", rapidjson::StringRef(status == "active" ? "partial" : "final"), a);
  if (auto st = setTime(r.data, "effective", stmt.child("effectiveTime"), a); !st) return st;
  r.data.AddMember("issued", str(asserted_, a), a);
  std::vector<Node> observations;
  std::function<void(const Node&)> collect = [&](const Node& n) {
    for (const Node& link : n.children()) {
      if (link.name() != "component" && link.name() != "entryRelationship") continue;
      for (const Node& c : link.children()) {
        if (c.name() == "observation") observations.push_back(c);
        else if (c.name() == "organizer") collect(c);
      }
    }
  };
  if (stmt.name() == "observation") observations.push_back(stmt);
  else collect(stmt);
  if (observations.empty()) {
    return Error(ErrorCode::kInvalidInput, "the lab entry has no result observation", stmt.path() + "/component");
  }
  Value results(rapidjson::kArrayType);
  std::size_t index = 0;
  for (const Node& o : observations) {
    if (auto st = labResult(o, r.source_id, ++index, results, a); !st) return st;
  }
  r.data.AddMember("results", results, a);
  push(std::move(r));
  return {};
}

void CdaDecoder::carePlan(const Node& s) {
  Record r;
  r.kind = kind::kCarePlanNote;
  r.source_id = (set_id_.empty() ? document_id_ : set_id_) + "|care-plan";
  r.data.SetObject();
  auto& a = r.data.GetAllocator();
  if (Node title = s.child("title"); title) r.data.AddMember("title", str(title.text(), a), a);
  r.data.AddMember("text", str(narrative_.text(), a), a);
  Value activities(rapidjson::kArrayType);
  for (const Node& e : s.children("entry")) {
    Node stmt = statementOf(e);
    if (!stmt) continue;
    Value act(rapidjson::kObjectType);
    Node code = stmt.child("code");
    if (!code.attr("code").empty()) {
      if (auto c = coding(code, a); c) act.AddMember("code", *c, a);
    } else if (Node m = stmt.at("consumable/manufacturedProduct/manufacturedMaterial/code"); m) {
      if (auto c = coding(m, a); c) act.AddMember("code", *c, a);
    }
    std::string text;
    if (Node ref = stmt.at("text/reference"); ref && ref.attr("value").size() > 1 && narrative_) {
      if (Node t = findId(narrative_, ref.attr("value").substr(1)); t) text = t.text();
    }
    if (text.empty() && act.HasMember("code") && act["code"].HasMember("display")) text = act["code"]["display"].GetString();
    if (text.empty()) text = std::string(stmt.name());
    act.AddMember("text", str(text, a), a);
    Node eff = stmt.child("effectiveTime");
    if (eff && eff.attr("value").empty()) eff = eff.child("low");
    if (auto st = setTime(act, "scheduled", eff, a); !st) {
      out_.rejects.push_back(st.error());
      continue;
    }
    activities.PushBack(act, a);
  }
  if (!activities.Empty()) r.data.AddMember("activities", activities, a);
  addCommon(r, s);
  push(std::move(r));
}

}  // namespace raccordo::gp
