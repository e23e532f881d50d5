#include "adapters/sisa/sisa_adapter.h"

#include <fstream>
#include <optional>
#include <set>
#include <sstream>

#include "gateway/core/json_schema.h"
#include "gateway/core/text.h"
#include "gateway/identity/codice_fiscale.h"
#include "gateway/mapping/code_tables.h"

namespace raccordo {

namespace {

using json::Value;

constexpr const char* kSource = "sisa";


class SisaAdapter final : public Adapter {
 public:
  SisaAdapter(std::unique_ptr<json::Doc> schema_doc, CodeTables tables, std::string cf_system)
      : schema_(std::move(schema_doc)),
        tables_(std::move(tables)),
        cf_system_(std::move(cf_system)) {}

  std::string name() const override { return "sisa"; }
  std::vector<std::string> mediaTypes() const override { return {"application/json"}; }

  Result<Envelope> inspect(std::string_view bytes) const override {
    auto doc = json::parseObject(bytes);
    if (!doc.ok()) return doc.error();
    Envelope env;
    env.source_message_id = std::string(json::getStr(**doc, "message_id"));
    if (const Value* citizen = json::get(**doc, "citizen")) {
      env.citizen_key = asciiUpper(json::getStr(*citizen, "codice_fiscale"));
    }
    return env;
  }

  Result<DecodedMessage> decode(std::string_view bytes, const MessageMeta&) const override {
    auto parsed = json::parseObject(bytes);
    if (!parsed.ok()) return parsed.error();
    const json::Doc& doc = **parsed;
    if (auto violation = schema_.check(doc)) return json::schemaError(std::move(*violation));
    if (auto bad_date = json::checkCalendarDates(doc, "")) return *bad_date;

    DecodedMessage out;
    out.source = kSource;
    out.source_message_id = std::string(json::getStr(doc, "message_id"));
    out.sent_at = std::string(json::getStr(doc, "exported_at"));
    const Value& citizen = doc["citizen"];
    auto cf = identity::parseCodiceFiscale(json::getStr(citizen, "codice_fiscale"));
    if (!cf.ok()) {
      return Error(ErrorCode::kInvalidInput, "invalid codice fiscale: " + cf.error().message + " (" +
                                                 cf.error().location + ")",
                   "/citizen/codice_fiscale");
    }
    out.citizen_key = cf->code;

    if (auto st = person(citizen, out); !st) return st.error();
    if (const Value* h = json::get(doc, "household")) {
      if (auto st = household(*h, out); !st) return st.error();
    }
    std::set<std::string> case_ids;
    if (const Value* cases = json::get(doc, "cases")) {
      for (rapidjson::SizeType i = 0; i < cases->Size(); ++i) {
        if (auto st = careCase((*cases)[i], "/cases/" + std::to_string(i), out); !st) return st.error();
        case_ids.insert(out.records.back().source_id);
      }
    }
    if (const Value* services = json::get(doc, "services")) {
      for (rapidjson::SizeType i = 0; i < services->Size(); ++i) {
        std::string at = "/services/" + std::to_string(i);
        if (case_ids.count(std::string(json::getStr((*services)[i], "case_id"))) == 0) {
          return Error(ErrorCode::kInvalidInput, "case_id does not name a case of this document", at + "/case_id");
        }
        if (auto st = service((*services)[i], at, out); !st) return st.error();
      }
    }
    if (const Value* isee = json::get(doc, "isee")) {
      for (rapidjson::SizeType i = 0; i < isee->Size(); ++i) {
        if (auto st = income((*isee)[i], "/isee/" + std::to_string(i), out); !st) return st.error();
      }
    }
    if (const Value* assessments = json::get(doc, "assessments")) {
      for (rapidjson::SizeType i = 0; i < assessments->Size(); ++i) {
        std::string at = "/assessments/" + std::to_string(i);
        auto case_id = json::getStr((*assessments)[i], "case_id");
        if (!case_id.empty() && case_ids.count(std::string(case_id)) == 0) {
          return Error(ErrorCode::kInvalidInput, "case_id does not name a case of this document", at + "/case_id");
        }
        if (auto st = assessment((*assessments)[i], at, out); !st) return st.error();
      }
    }
    return out;
  }

 private:
  // Adds {system, code, display} for a source code looked up in a table.
  Status coded(Value& target, const char* name, std::string_view table, std::string_view code,
               const std::string& at, json::Alloc& a) const {
    auto c = tables_.lookup(table, code, at);
    if (!c.ok()) return c.error();
    Value v(rapidjson::kObjectType);
    v.AddMember("system", json::str(c->system, a), a);
    v.AddMember("code", json::str(c->code, a), a);
    v.AddMember("display", json::str(c->display, a), a);
    target.AddMember(Value(name, a), v, a);
    return {};
  }

  static void copyStr(const Value& from, const char* from_name, Value& to, const char* to_name, json::Alloc& a) {
    auto s = json::getStr(from, from_name);
    if (!s.empty()) to.AddMember(Value(to_name, a), json::str(s, a), a);
  }

  static Record record(const char* kind, std::string_view source_id) {
    Record r;
    r.kind = kind;
    r.source_id = std::string(source_id);
    r.data.SetObject();
    return r;
  }

  Status gender(const Value& from, Value& to, const std::string& at, json::Alloc& a) const {
    auto sex = json::getStr(from, "sex");
    if (sex.empty()) return {};
    auto c = tables_.lookup("sex", sex, at + "/sex");
    if (!c.ok()) return c.error();
    to.AddMember("gender", json::str(c->code, a), a);
    return {};
  }

  Value addressOf(const Value& from, const char* use, json::Alloc& a) const {
    Value addr(rapidjson::kObjectType);
    addr.AddMember("use", Value(use, a), a);
    copyStr(from, "line", addr, "line", a);
    copyStr(from, "city", addr, "city", a);
    copyStr(from, "cadastral_code", addr, "city_code", a);
    copyStr(from, "postal_code", addr, "postal_code", a);
    copyStr(from, "province", addr, "province", a);
    return addr;
  }

  Status person(const Value& c, DecodedMessage& out) const {
    Record r = record(kind::kPerson, json::getStr(c, "id"));
    auto& a = r.data.GetAllocator();
    Value ids(rapidjson::kArrayType);
    Value cf(rapidjson::kObjectType);
    cf.AddMember("system", json::str(cf_system_, a), a);
    cf.AddMember("value", json::str(out.citizen_key, a), a);
    ids.PushBack(cf, a);
    Value local(rapidjson::kObjectType);
    local.AddMember("system", json::str("urn:raccordo:sisa:citizen", a), a);
    local.AddMember("value", json::str(r.source_id, a), a);
    ids.PushBack(local, a);
    r.data.AddMember("identifiers", ids, a);
    copyStr(c, "family_name", r.data, "family_name", a);
    copyStr(c, "given_name", r.data, "given_name", a);
    if (auto st = gender(c, r.data, "/citizen", a); !st) return st;
    copyStr(c, "birth_date", r.data, "birth_date", a);
    const Value& place = c["birth_place"];
    Value bp(rapidjson::kObjectType);
    copyStr(place, "cadastral_code", bp, "code", a);
    copyStr(place, "name", bp, "name", a);
    r.data.AddMember("birth_place", bp, a);
    copyStr(c, "citizenship", r.data, "citizenship", a);
    Value addresses(rapidjson::kArrayType);
    if (const Value* res = json::get(c, "residence")) addresses.PushBack(addressOf(*res, "home", a), a);
    if (const Value* dom = json::get(c, "domicile")) addresses.PushBack(addressOf(*dom, "temp", a), a);
    r.data.AddMember("addresses", addresses, a);
    Value telecom(rapidjson::kArrayType);
    if (const Value* contacts = json::get(c, "contacts")) {
      for (rapidjson::SizeType i = 0; i < contacts->Size(); ++i) {
        const Value& ct = (*contacts)[i];
        auto kind = tables_.lookup("contact-type", json::getStr(ct, "type"),
                                   "/citizen/contacts/" + std::to_string(i) + "/type");
        if (!kind.ok()) return kind.error();
        Value t(rapidjson::kObjectType);
        t.AddMember("system", json::str(kind->code, a), a);
        copyStr(ct, "value", t, "value", a);
        if (auto use = json::getStr(*kind->extra, "use"); !use.empty()) t.AddMember("use", json::str(use, a), a);
        telecom.PushBack(t, a);
      }
    }
    r.data.AddMember("telecom", telecom, a);
    out.records.push_back(std::move(r));
    return {};
  }

  Status household(const Value& h, DecodedMessage& out) const {
    Record r = record(kind::kHousehold, json::getStr(h, "id"));
    auto& a = r.data.GetAllocator();
    Value members(rapidjson::kArrayType);
    const Value& list = h["members"];
    for (rapidjson::SizeType i = 0; i < list.Size(); ++i) {
      const Value& m = list[i];
      std::string at = "/household/members/" + std::to_string(i);
      Value v(rapidjson::kObjectType);
      if (auto cf = json::getStr(m, "codice_fiscale"); !cf.empty()) {
        auto parsed = identity::parseCodiceFiscale(cf);
        if (!parsed.ok()) {
          return Error(ErrorCode::kInvalidInput,
                       "invalid codice fiscale: " + parsed.error().message + " (" + parsed.error().location + ")",
                       at + "/codice_fiscale");
        }
        v.AddMember("codice_fiscale", json::str(parsed->code, a), a);
      }
      copyStr(m, "family_name", v, "family_name", a);
      copyStr(m, "given_name", v, "given_name", a);
      if (auto st = gender(m, v, at, a); !st) return st;
      copyStr(m, "birth_date", v, "birth_date", a);
      if (auto st = coded(v, "relationship", "relationship", json::getStr(m, "relationship"), at + "/relationship", a);
          !st) {
        return st;
      }
      members.PushBack(v, a);
    }
    r.data.AddMember("members", members, a);
    if (const Value* head = json::get(h, "citizen_is_head"); head != nullptr && head->IsBool()) {
      r.data.AddMember("citizen_is_head", head->GetBool(), a);
    }
    out.records.push_back(std::move(r));
    return {};
  }

  Status careCase(const Value& c, const std::string& at, DecodedMessage& out) const {
    Record r = record(kind::kCase, json::getStr(c, "id"));
    auto& a = r.data.GetAllocator();
    if (auto st = coded(r.data, "area", "case-area", json::getStr(c, "area"), at + "/area", a); !st) return st;
    auto status = tables_.lookup("case-status", json::getStr(c, "status"), at + "/status");
    if (!status.ok()) return status.error();
    r.data.AddMember("status", json::str(status->code, a), a);
    copyStr(c, "opened", r.data, "opened", a);
    copyStr(c, "closed", r.data, "closed", a);
    r.data.AddMember("social_worker", Value(c["social_worker"], a), a);
    r.data.AddMember("office", Value(c["office"], a), a);
    copyStr(c, "notes", r.data, "notes", a);
    out.records.push_back(std::move(r));
    return {};
  }

  Status service(const Value& s, const std::string& at, DecodedMessage& out) const {
    Record r = record(kind::kService, json::getStr(s, "id"));
    auto& a = r.data.GetAllocator();
    copyStr(s, "case_id", r.data, "case_id", a);
    if (auto st = coded(r.data, "type", "service-type", json::getStr(s, "type"), at + "/type", a); !st) return st;
    auto status = tables_.lookup("service-status", json::getStr(s, "status"), at + "/status");
    if (!status.ok()) return status.error();
    r.data.AddMember("status", json::str(status->code, a), a);
    copyStr(s, "start", r.data, "start", a);
    copyStr(s, "end", r.data, "end", a);
    for (const char* n : {"hours_per_week", "amount_eur"}) {
      if (const Value* v = json::get(s, n)) r.data.AddMember(Value(n, a), Value(*v, a), a);
    }
    copyStr(s, "amount_period", r.data, "amount_period", a);
    if (auto st = coded(r.data, "funding", "funding", json::getStr(s, "funding"), at + "/funding", a); !st) return st;
    if (const Value* p = json::get(s, "provider")) r.data.AddMember("provider", Value(*p, a), a);
    out.records.push_back(std::move(r));
    return {};
  }

  Status income(const Value& i, const std::string& at, DecodedMessage& out) const {
    Record r = record(kind::kIncome,
                      std::string(json::getStr(i, "type")) + "|" + std::string(json::getStr(i, "issued")));
    auto& a = r.data.GetAllocator();
    if (auto st = coded(r.data, "type", "isee-type", json::getStr(i, "type"), at + "/type", a); !st) return st;
    r.data.AddMember("value_eur", Value(i["value_eur"], a), a);
    copyStr(i, "issued", r.data, "issued", a);
    copyStr(i, "expires", r.data, "expires", a);
    copyStr(i, "protocol", r.data, "protocol", a);
    out.records.push_back(std::move(r));
    return {};
  }

  Status assessment(const Value& v, const std::string& at, DecodedMessage& out) const {
    Record r = record(kind::kAssessment, json::getStr(v, "id"));
    auto& a = r.data.GetAllocator();
    copyStr(v, "case_id", r.data, "case_id", a);
    copyStr(v, "date", r.data, "date", a);
    copyStr(v, "team", r.data, "team", a);
    Value instruments(rapidjson::kArrayType);
    const Value& list = v["instruments"];
    for (rapidjson::SizeType k = 0; k < list.Size(); ++k) {
      std::string iat = at + "/instruments/" + std::to_string(k);
      auto c = tables_.lookup("instrument", json::getStr(list[k], "code"), iat + "/code");
      if (!c.ok()) return c.error();
      double score = list[k]["score"].GetDouble();
      const Value* min = json::get(*c->extra, "min");
      const Value* max = json::get(*c->extra, "max");
      if (min != nullptr && max != nullptr && min->IsNumber() && max->IsNumber() &&
          (score < min->GetDouble() || score > max->GetDouble())) {
        return Error(ErrorCode::kInvalidInput,
                     "score " + json::write(list[k]["score"]) + " is outside " + c->code + "'s range " +
                         json::write(*min) + ".." + json::write(*max),
                     iat + "/score");
      }
      Value ins(rapidjson::kObjectType);
      Value coding(rapidjson::kObjectType);
      coding.AddMember("system", json::str(c->system, a), a);
      coding.AddMember("code", json::str(c->code, a), a);
      coding.AddMember("display", json::str(c->display, a), a);
      ins.AddMember("coding", coding, a);
      ins.AddMember("score", score, a);
      if (min != nullptr && max != nullptr) {
        ins.AddMember("min", Value(*min, a), a);
        ins.AddMember("max", Value(*max, a), a);
      }
      instruments.PushBack(ins, a);
    }
    r.data.AddMember("instruments", instruments, a);
    if (auto st = coded(r.data, "outcome", "assessment-outcome", json::getStr(v, "outcome"), at + "/outcome", a); !st) {
      return st;
    }
    if (const Value* plan = json::get(v, "plan")) r.data.AddMember("plan", Value(*plan, a), a);
    out.records.push_back(std::move(r));
    return {};
  }

  json::SchemaPool schema_;
  CodeTables tables_;
  std::string cf_system_;
};

}  // namespace

Result<AdapterPtr> makeSisaAdapter(const AdapterEnvironment& env) {
  auto schema_path = env.schemas_dir / "sisa" / "sisa-record.schema.json";
  std::ifstream in(schema_path, std::ios::binary);
  if (!in) return Error(ErrorCode::kConfig, "cannot read the SISA schema", schema_path.string());
  std::stringstream ss;
  ss << in.rdbuf();
  auto doc = std::make_unique<json::Doc>();
  std::string text = ss.str();
  doc->Parse(text.c_str(), text.size());
  if (doc->HasParseError()) {
    return Error(ErrorCode::kConfig, "the SISA schema is not valid JSON", schema_path.string());
  }
  auto tables = CodeTables::loadFolder(env.mappings_dir / "sisa");
  if (!tables.ok()) return tables.error();
  return AdapterPtr(std::make_shared<SisaAdapter>(std::move(doc), std::move(tables.value()), env.cf_system));
}

}  // namespace raccordo
