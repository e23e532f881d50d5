#include "adapters/ats/ats_hl7_decoder.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "gateway/core/text.h"
#include "gateway/identity/codice_fiscale.h"

namespace raccordo::ats {

using hl7::Segment;
using json::Value;

namespace {

constexpr const char* kLabCodeSystem = "urn:raccordo:ats:lab-code";

Value str(std::string_view s, json::Alloc& a) { return json::str(s, a); }

Record record(const char* kind, std::string source_id) {
  Record r;
  r.kind = kind;
  r.source_id = std::move(source_id);
  r.data.SetObject();
  return r;
}

bool isCadastral(std::string_view s) {
  return s.size() == 4 && s[0] >= 'A' && s[0] <= 'Z' && std::all_of(s.begin() + 1, s.end(), [](char c) {
           return c >= '0' && c <= '9';
         });
}

bool isIstat(std::string_view s) {
  return s.size() == 6 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

std::string trimmed(std::string s) {
  auto blank = [](char c) { return c == ' ' || c == '\t'; };
  while (!s.empty() && blank(s.back())) s.pop_back();
  std::size_t start = 0;
  while (start < s.size() && blank(s[start])) ++start;
  return s.substr(start);
}

std::string at(std::string_view segment, std::size_t occurrence, std::size_t field, std::size_t repetition,
               std::size_t component, std::size_t subcomponent) {
  std::string out(segment);
  if (occurrence > 0) out += "[" + std::to_string(occurrence) + "]";
  out += "-" + std::to_string(field);
  if (repetition > 0) out += "[" + std::to_string(repetition) + "]";
  if (component > 0) out += "." + std::to_string(component);
  if (subcomponent > 0) out += "." + std::to_string(subcomponent);
  return out;
}

void setIf(Value& o, const char* name, std::string_view v, json::Alloc& a) {
  if (!v.empty()) o.AddMember(Value(name, a), json::str(v, a), a);
}

MessageType MessageType::of(const Segment& msh) {
  MessageType t{asciiUpper(trimmed(msh.get(9, 1, 1))), asciiUpper(trimmed(msh.get(9, 1, 2)))};
  if (t.event.empty()) {
    std::string structure = asciiUpper(trimmed(msh.get(9, 1, 3)));
    if (auto us = structure.find('_'); us != std::string::npos) {
      if (t.code.empty()) t.code = structure.substr(0, us);
      t.event = structure.substr(us + 1);
    }
  }
  return t;
}

bool MessageType::supported() const {
  static constexpr std::array<std::string_view, 9> kAdtEvents = {"A28", "A31", "A01", "A03", "A04",
                                                                  "A08", "A11", "A13", "A40"};
  if (code == "ORU") return event == "R01";
  return code == "ADT" && std::find(kAdtEvents.begin(), kAdtEvents.end(), event) != kAdtEvents.end();
}

std::vector<CxId> readIdentifiers(const Segment& s, std::size_t field, const AuthorityTable& authorities,
                                  std::string_view facility) {
  std::vector<CxId> ids;
  for (std::size_t rep = 1; rep <= s.repetitionCount(field); ++rep) {
    std::string value = trimmed(s.get(field, rep, 1));
    if (value.empty()) continue;
    CxId id;
    id.kind = authorities.recognise(s.get(field, rep, 4, 1), s.get(field, rep, 4, 2), s.get(field, rep, 5), facility);
    id.value = id.kind.citizenKey() ? asciiUpper(value) : std::move(value);
    id.repetition = rep;
    ids.push_back(std::move(id));
  }
  return ids;
}

const CxId* citizenId(const std::vector<CxId>& ids) {
  for (const char* kind : {"cf", "stp", "eni"}) {
    for (const auto& id : ids) {
      if (id.kind.kind == kind) return &id;
    }
  }
  return nullptr;
}

Decoder::Decoder(const Hl7Vocabulary& vocabulary, const hl7::Message& m, DecodedMessage& out)
    : v_(vocabulary), m_(m), msh_(m.segments().front()), out_(out) {
  facility_ = msh_.get(4, 1, 1);
  control_id_ = msh_.get(10);
}

Status Decoder::run(const MessageType& type) {
  if (std::string sent = msh_.get(7, 1, 1); !sent.empty()) {
    auto iso = v_.time.dateTime(sent, "MSH-7");
    if (iso.ok()) {
      out_.sent_at = std::move(iso.value());
    } else {
      warn(iso.error().message + "; the message is applied without its time", "MSH-7");
    }
  }
  const Segment* pid = m_.segment("PID");
  if (pid == nullptr) return Error(ErrorCode::kInvalidInput, "the message has no PID segment", "PID");
  const bool registry_update = type.event == "A28" || type.event == "A31";
  if (auto st = person(*pid, !registry_update); !st) return st;
  if (type.code == "ORU") return labReports();
  if (type.event == "A40") return merge();
  if (registry_update) return {};
  return encounter(type.event);
}

// Every CX of the list, recognised; codici fiscali, STP and ENI codes are
// checked, and a known-wrong authority is listed as a warning.
Result<std::vector<CxId>> Decoder::identifiers(const Segment& s, std::size_t field) {
  std::vector<CxId> ids = readIdentifiers(s, field, v_.authorities, facility_);
  const std::string seg(s.name());
  for (const auto& id : ids) {
    std::string loc = at(seg, 0, field, id.repetition, 1);
    if (id.kind.kind == "cf") {
      auto cf = identity::parseCodiceFiscale(id.value);
      if (!cf.ok()) {
        return Error(ErrorCode::kInvalidInput,
                     "invalid codice fiscale: " + cf.error().message + " (" + cf.error().location + ")", loc);
      }
    } else if ((id.kind.kind == "stp" || id.kind.kind == "eni") && !ats::isStpEniCode(id.value)) {
      return Error(ErrorCode::kInvalidInput,
                   "invalid " + asciiUpper(id.kind.kind) + " code: expected " + asciiUpper(id.kind.kind) + " and 13 digits", loc);
    }
    if (!id.kind.warning.empty()) warn(id.kind.warning, at(seg, 0, field, id.repetition, 4, 2));
  }
  return ids;
}

// An XCN (PD1-4, PV1-7): the first repetition with an id.
std::optional<Value> Decoder::practitioner(const Segment& s, std::size_t field, json::Alloc& a) {
  for (std::size_t rep = 1; rep <= s.repetitionCount(field); ++rep) {
    std::string id = trimmed(s.get(field, rep, 1));
    std::string family = s.get(field, rep, 2, 1), given = s.get(field, rep, 3);
    if (id.empty()) {
      if (!family.empty() || !given.empty()) {
        warn("a practitioner without an id (XCN-1) is not recorded", at(s.name(), 0, field, rep, 1));
      }
      continue;
    }
    Value v(rapidjson::kObjectType);
    setIf(v, "id", id, a);
    setIf(v, "family_name", family, a);
    setIf(v, "given_name", given, a);
    std::string ns = s.get(field, rep, 9, 1), uid = s.get(field, rep, 9, 2), type = s.get(field, rep, 13);
    if (!ns.empty() || !uid.empty() || !type.empty()) {
      setIf(v, "id_system", v_.authorities.recognise(ns, uid, type, facility_).system, a);
    }
    return v;
  }
  return std::nullopt;
}

// A CE/CWE as a coding; the alternate triplet when the first is empty.
Value Decoder::coding(const Segment& s, std::size_t field, std::size_t repetition, json::Alloc& a) const {
  std::size_t first = s.get(field, repetition, 1).empty() && !s.get(field, repetition, 4).empty() ? 4 : 1;
  std::string code = s.get(field, repetition, first);
  std::string display = s.get(field, repetition, first + 1);
  std::string system_name = trimmed(s.get(field, repetition, first + 2));
  auto system = v_.tables.findAnyCase("hl7-coding-system", system_name);
  Value c(rapidjson::kObjectType);
  c.AddMember("system", str(system ? system->coding->code : kLabCodeSystem, a), a);
  c.AddMember("code", str(code, a), a);
  setIf(c, "display", display, a);
  return c;
}

Status Decoder::dateTime(Value& o, const char* name, const Segment& s, std::size_t field,
                         const std::string& location, json::Alloc& a) const {
  std::string ts = trimmed(s.get(field, 1, 1));
  if (ts.empty()) return {};
  auto iso = v_.time.dateTime(ts, location);
  if (!iso.ok()) return iso.error();
  o.AddMember(Value(name, a), str(*iso, a), a);
  return {};
}

Status Decoder::person(const Segment& pid, bool partial) {
  auto ids = identifiers(pid, 3);
  if (!ids.ok()) return ids.error();
  const CxId* key = citizenId(*ids);
  if (key == nullptr) return Error(ErrorCode::kInvalidInput, "PID-3 has no codice fiscale, STP or ENI code", "PID-3");
  out_.citizen_key = key->value;

  Record r = record(kind::kPerson, key->value);
  auto& a = r.data.GetAllocator();
  Value list(rapidjson::kArrayType);
  std::vector<std::string> seen;
  for (const auto& id : *ids) {
    std::string k = id.kind.system + "|" + id.value;
    if (std::find(seen.begin(), seen.end(), k) != seen.end()) continue;
    seen.push_back(std::move(k));
    Value v(rapidjson::kObjectType);
    v.AddMember("system", str(id.kind.system, a), a);
    v.AddMember("value", str(id.value, a), a);
    list.PushBack(v, a);
  }
  r.data.AddMember("identifiers", list, a);

  // The legal name (XPN-7 "L") when the sender gives several.
  std::size_t name_rep = 1;
  for (std::size_t rep = 1; rep <= pid.repetitionCount(5); ++rep) {
    if (asciiUpper(pid.get(5, rep, 7)) == "L") {
      name_rep = rep;
      break;
    }
  }
  setIf(r.data, "family_name", pid.get(5, name_rep, 1, 1), a);
  std::string given = pid.get(5, name_rep, 2), middle = pid.get(5, name_rep, 3);
  setIf(r.data, "given_name", middle.empty() ? given : given + " " + middle, a);

  if (std::string sex = trimmed(pid.get(8, 1, 1)); !sex.empty()) {
    auto c = v_.tables.lookupAnyCase("hl7-sex", sex, "PID-8");
    if (!c.ok()) return c.error();
    r.data.AddMember("gender", str(c->coding->code, a), a);
  }
  if (std::string birth = trimmed(pid.get(7, 1, 1)); !birth.empty()) {
    auto d = v_.time.date(birth, "PID-7");
    if (!d.ok()) return d.error();
    r.data.AddMember("birth_date", str(*d, a), a);
  }

  // Birthplace: PID-23 (a code or a name), completed by a birth address of
  // PID-11 (XAD-7 BDL/N/BR: XAD-9 the code, XAD-3 the town).
  std::string place_code, place_name;
  auto takeCode = [&](std::string v) {
    v = asciiUpper(trimmed(std::move(v)));
    if (place_code.empty() && (isCadastral(v) || isIstat(v))) {
      place_code = v;
      return true;
    }
    return false;
  };
  std::string pid23 = trimmed(pid.get(23, 1, 1));
  if (!takeCode(pid23)) place_name = pid23;
  if (place_name.empty()) place_name = trimmed(pid.get(23, 1, 2));

  Value addresses(rapidjson::kArrayType);
  for (std::size_t rep = 1; rep <= pid.repetitionCount(11); ++rep) {
    std::string type = asciiUpper(trimmed(pid.get(11, rep, 7)));
    if (type == "BDL" || type == "N" || type == "BR") {
      takeCode(pid.get(11, rep, 9));
      if (place_name.empty()) place_name = pid.get(11, rep, 3);
      continue;
    }
    Value addr(rapidjson::kObjectType);
    if (!type.empty()) {
      if (auto use = v_.tables.findAnyCase("hl7-address-type", type)) {
        addr.AddMember("use", str(use->coding->code, a), a);
      } else {
        warn("address type '" + type + "' is not in table 'hl7-address-type': the address has no use",
             at("PID", 0, 11, rep, 7));
      }
    } else {
      addr.AddMember("use", "home", a);
    }
    std::string line = pid.get(11, rep, 1, 1);
    if (line.empty()) line = trimmed(pid.get(11, rep, 1, 2) + " " + pid.get(11, rep, 1, 3));
    if (std::string other = pid.get(11, rep, 2); !other.empty()) line += line.empty() ? other : ", " + other;
    setIf(addr, "line", line, a);
    setIf(addr, "city", pid.get(11, rep, 3), a);
    std::string city_code = asciiUpper(trimmed(pid.get(11, rep, 9)));
    if (isCadastral(city_code) || isIstat(city_code)) setIf(addr, "city_code", city_code, a);
    setIf(addr, "postal_code", pid.get(11, rep, 5), a);
    setIf(addr, "province", pid.get(11, rep, 4), a);
    setIf(addr, "country", pid.get(11, rep, 6), a);
    if (addr.MemberCount() > 1) addresses.PushBack(addr, a);
  }
  if (!place_code.empty() || !place_name.empty()) {
    Value bp(rapidjson::kObjectType);
    setIf(bp, "code", place_code, a);
    if (!place_code.empty()) bp.AddMember("system", Value(isIstat(place_code) ? "istat" : "cadastral", a), a);
    setIf(bp, "name", place_name, a);
    r.data.AddMember("birth_place", bp, a);
  }
  if (std::string c = asciiUpper(trimmed(pid.get(26, 1, 1))); !c.empty()) {
    if (c.size() == 3 && std::all_of(c.begin(), c.end(), [](char ch) { return ch >= 'A' && ch <= 'Z'; })) {
      r.data.AddMember("citizenship", str(c, a), a);
    } else {
      warn("citizenship '" + c + "' is not an ISO 3166 alpha-3 code: not recorded", "PID-26");
    }
  }
  r.data.AddMember("addresses", addresses, a);

  Value telecom(rapidjson::kArrayType);
  for (std::size_t field : {std::size_t{13}, std::size_t{14}}) {
    for (std::size_t rep = 1; rep <= pid.repetitionCount(field); ++rep) {
      std::string equipment = trimmed(pid.get(field, rep, 3));
      std::string email = pid.get(field, rep, 4);
      std::string system = "phone", use = field == 13 ? "home" : "work";
      if (asciiUpper(pid.get(field, rep, 2)) == "NET" || (equipment.empty() && !email.empty())) {
        system = "email";
      } else if (!equipment.empty()) {
        if (auto t = v_.tables.findAnyCase("hl7-telecom-type", equipment)) {
          system = t->coding->code;
          if (auto u = json::getStr(*t->coding->extra, "use"); !u.empty() && field == 13) use = std::string(u);
        } else {
          system = "other";
          warn("equipment type '" + equipment + "' is not in table 'hl7-telecom-type': written as 'other'",
               at("PID", 0, field, rep, 3));
        }
      }
      std::string value;
      if (system == "email") {
        value = email.empty() ? pid.get(field, rep, 1) : email;
      } else {
        value = pid.get(field, rep, 12);
        if (value.empty()) value = pid.get(field, rep, 1);
        if (value.empty()) {
          std::string country = pid.get(field, rep, 5);
          value = trimmed((country.empty() ? "" : "+" + country + " ") + pid.get(field, rep, 6) + " " +
                          pid.get(field, rep, 7));
        }
      }
      value = trimmed(value);
      if (value.empty()) continue;
      Value t(rapidjson::kObjectType);
      t.AddMember("system", str(system, a), a);
      t.AddMember("value", str(value, a), a);
      t.AddMember("use", str(use, a), a);
      telecom.PushBack(t, a);
    }
  }
  r.data.AddMember("telecom", telecom, a);

  if (auto st = dateTime(r.data, "deceased", pid, 29, "PID-29", a); !st) return st;
  if (!r.data.HasMember("deceased") && asciiUpper(trimmed(pid.get(30))) == "Y") r.data.AddMember("deceased", true, a);

  if (const Segment* pd1 = m_.segment("PD1")) {
    if (auto gp = practitioner(*pd1, 4, a)) r.data.AddMember("general_practitioner", *gp, a);
  }
  if (partial) r.data.AddMember("partial", true, a);
  out_.records.push_back(std::move(r));
  return {};
}

Status Decoder::encounter(const std::string& event) {
  const Segment* pv1 = m_.segment("PV1");
  if (pv1 == nullptr) {
    if (event == "A08") return {};  // a demographic update without a visit
    return Error(ErrorCode::kInvalidInput, "an ADT^" + event + " needs a PV1 segment", "PV1");
  }
  std::string visit = trimmed(pv1->get(19, 1, 1));
  Record r = record(kind::kEncounter, visit.empty() ? facility_ + "-" + control_id_ : visit);
  auto& a = r.data.GetAllocator();
  r.data.AddMember("event", str(event, a), a);

  std::string patient_class = trimmed(pv1->get(2, 1, 1));
  if (patient_class.empty()) {
    return Error(ErrorCode::kInvalidInput, "PV1-2 (patient class) is empty", "PV1-2");
  }
  auto cls = v_.tables.lookupAnyCase("patient-class", patient_class, "PV1-2");
  if (!cls.ok()) return cls.error();
  Value c(rapidjson::kObjectType);
  c.AddMember("system", str(cls->coding->system, a), a);
  c.AddMember("code", str(cls->coding->code, a), a);
  setIf(c, "display", cls->coding->display, a);
  r.data.AddMember("class", c, a);

  // Admission and registration happen at the event when PV1-44 is empty;
  // a discharge ends then when PV1-45 is empty (EVN-6, event occurred).
  const Segment* evn = m_.segment("EVN");
  if (auto st = dateTime(r.data, "start", *pv1, 44, "PV1-44", a); !st) return st;
  if (!r.data.HasMember("start") && evn != nullptr && (event == "A01" || event == "A04")) {
    if (auto st = dateTime(r.data, "start", *evn, 6, "EVN-6", a); !st) return st;
  }
  if (event != "A13") {
    if (auto st = dateTime(r.data, "end", *pv1, 45, "PV1-45", a); !st) return st;
    if (!r.data.HasMember("end") && evn != nullptr && event == "A03") {
      if (auto st = dateTime(r.data, "end", *evn, 6, "EVN-6", a); !st) return st;
    }
  }
  // A03 discharges; an admission or update that already has an end is over
  // too, except after A13 (cancel discharge), whose end was just removed.
  const char* status = "in-progress";
  if (event == "A11") {
    status = "cancelled";
  } else if (event == "A03" || (event != "A13" && r.data.HasMember("end"))) {
    status = "finished";
  }
  r.data.AddMember("status", Value(status, a), a);

  std::string location;
  using Part = std::pair<std::size_t, const char*>;
  for (auto [component, label] : {Part{1, ""}, Part{2, "stanza "}, Part{3, "letto "}}) {
    std::string part = trimmed(pv1->get(3, 1, component));
    if (!part.empty()) location += (location.empty() ? "" : ", ") + std::string(label) + part;
  }
  if (std::string description = trimmed(pv1->get(3, 1, 9)); !description.empty()) {
    location = location.empty() ? description : description + " (" + location + ")";
  }
  setIf(r.data, "location", location, a);
  std::string facility = trimmed(pv1->get(3, 1, 4, 1));
  if (facility.empty()) facility = facility_;
  if (!facility.empty()) {
    Value f(rapidjson::kObjectType);
    f.AddMember("code", str(facility, a), a);
    r.data.AddMember("facility", f, a);
  }
  if (auto attending = practitioner(*pv1, 7, a)) r.data.AddMember("attending", *attending, a);
  out_.records.push_back(std::move(r));
  return {};
}

Status Decoder::merge() {
  const Segment* mrg = m_.segment("MRG");
  if (mrg == nullptr) return Error(ErrorCode::kInvalidInput, "an ADT^A40 needs an MRG segment", "MRG");
  auto ids = identifiers(*mrg, 1);
  if (!ids.ok()) return ids.error();
  if (ids->empty()) return Error(ErrorCode::kInvalidInput, "MRG-1 (prior patient identifier list) is empty", "MRG-1");
  if (m_.segments("PID").size() > 1) {
    warn("only the first PID/MRG pair of the message is applied", at("PID", 2, 1));
  }
  Record r = record(kind::kMerge, facility_ + "-" + control_id_);
  auto& a = r.data.GetAllocator();
  Value old(rapidjson::kArrayType);
  for (const auto& id : *ids) {
    Value v(rapidjson::kObjectType);
    v.AddMember("system", str(id.kind.system, a), a);
    v.AddMember("value", str(id.value, a), a);
    old.PushBack(v, a);
  }
  r.data.AddMember("old_identifiers", old, a);
  if (const CxId* key = citizenId(*ids)) r.data.AddMember("old_citizen_key", str(key->value, a), a);
  out_.records.push_back(std::move(r));
  return {};
}

}  // namespace raccordo::ats
