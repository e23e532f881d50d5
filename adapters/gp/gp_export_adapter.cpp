#include "adapters/gp/gp_export_adapter.h"

#include <array>
#include <cctype>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>

#include "gateway/core/json_schema.h"
#include "gateway/core/text.h"
#include "gateway/identity/codice_fiscale.h"
#include "gateway/mapping/code_tables.h"

namespace raccordo {

namespace {

using json::Value;

constexpr const char* kSource = "gp";
constexpr std::size_t kMaxAttachmentBytes = std::size_t{2} * 1024 * 1024;  // also the schema's maxLength of `data`

// The code tables this adapter reads from mappings/gp/ (other files there belong to gp-cda).
const std::vector<std::string> kTables = {
    "export-sex",           "export-code-system",          "export-problem-status",
    "export-allergy-status", "export-allergy-category",    "export-allergy-verification",
    "export-allergy-criticality", "export-reaction-severity", "export-therapy-status",
    "export-vaccination-status", "export-visit-type",       "export-vital-sign",
    "export-report-type"};

/// One list of the export: its member name, the schema definition of an item
/// and the record kind it becomes.
struct ListSpec {
  const char* member;
  const char* definition;
  const char* kind;
};
constexpr std::array<ListSpec, 8> kLists = {{
    {"problems", "problem", kind::kCondition},
    {"allergies", "allergy", kind::kAllergy},
    {"therapies", "therapy", kind::kMedication},
    {"vital_signs", "vitalSign", kind::kVitalSign},
    {"vaccinations", "vaccination", kind::kImmunization},
    {"visits", "visit", kind::kVisit},
    {"reports", "report", kind::kDocument},
    {"deleted", "deletion", nullptr},
}};

/// Decoded size of Base64 text (RFC 4648, padded), or nullopt when it is not Base64.
std::optional<std::size_t> base64Size(std::string_view s) {
  if (s.empty() || s.size() % 4 != 0) return std::nullopt;
  std::size_t pad = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == '=') {
      if (i + 2 < s.size()) return std::nullopt;  // padding only in the last two places
      ++pad;
    } else if (pad > 0 || !(std::isalnum(c) != 0 || c == '+' || c == '/')) {
      return std::nullopt;
    }
  }
  return s.size() / 4 * 3 - pad;
}

Value coding(std::string_view system, std::string_view code, std::string_view display, json::Alloc& a) {
  Value v(rapidjson::kObjectType);
  v.AddMember("system", json::str(system, a), a);
  v.AddMember("code", json::str(code, a), a);
  if (!display.empty()) v.AddMember("display", json::str(display, a), a);
  return v;
}

void copyStr(const Value& from, const char* from_name, Value& to, const char* to_name, json::Alloc& a) {
  auto s = json::getStr(from, from_name);
  if (!s.empty()) to.AddMember(Value(to_name, a), json::str(s, a), a);
}

/// What every item of one message shares.
struct Context {
  std::string citizen_key;
  std::string certified_at;
  std::string generated_at;
  const Value* author = nullptr;  // the GP as an `author` object
};

class GpExportAdapter final : public Adapter {
 public:
  GpExportAdapter(std::unique_ptr<json::SchemaPool> header, std::map<std::string, std::unique_ptr<json::SchemaPool>> items,
                  CodeTables tables, std::string cf_system)
      : header_(std::move(header)), items_(std::move(items)), tables_(std::move(tables)),
        cf_system_(std::move(cf_system)) {}

  std::string name() const override { return "gp-export"; }
  std::vector<std::string> mediaTypes() const override { return {"application/json"}; }

  Result<Envelope> inspect(std::string_view bytes) const override {
    auto doc = json::parseObject(bytes);
    if (!doc.ok()) return doc.error();
    Envelope env;
    env.source_message_id = std::string(json::getStr(**doc, "export_id"));
    if (const Value* patient = json::get(**doc, "patient")) {
      env.citizen_key = asciiUpper(json::getStr(*patient, "codice_fiscale"));
    }
    return env;
  }

  Result<DecodedMessage> decode(std::string_view bytes, const MessageMeta&) const override {
    auto parsed = json::parseObject(bytes);
    if (!parsed.ok()) return parsed.error();
    const json::Doc& doc = **parsed;
    if (auto v = header_->check(doc)) return json::schemaError(std::move(*v), "");
    std::vector<std::string_view> lists;
    for (const auto& l : kLists) lists.emplace_back(l.member);
    if (auto bad = json::checkCalendarDates(doc, "", lists)) return *bad;

    DecodedMessage out;
    out.source = kSource;
    out.source_message_id = std::string(json::getStr(doc, "export_id"));
    out.sent_at = std::string(json::getStr(doc, "generated_at"));
    const bool delta = json::getStr(doc, "kind") == "delta";
    if (delta && json::get(doc, "since") == nullptr) {
      return Error(ErrorCode::kInvalidInput, "required field 'since' is missing (a delta export needs it)", "/since");
    }
    if (!delta && json::get(doc, "since") != nullptr) {
      return Error(ErrorCode::kInvalidInput, "'since' is only allowed in a delta export", "/since");
    }
    if (!delta && json::get(doc, "deleted") != nullptr) {
      return Error(ErrorCode::kInvalidInput,
                   "'deleted' is only allowed in a delta export: a full export deletes nothing", "/deleted");
    }
    auto cf = checkedCf(doc["patient"], "/patient/codice_fiscale");
    if (!cf.ok()) return cf.error();
    out.citizen_key = *cf;
    auto gp_cf = checkedCf(doc["gp"], "/gp/codice_fiscale");
    if (!gp_cf.ok()) return gp_cf.error();

    Context ctx;
    ctx.citizen_key = out.citizen_key;
    ctx.certified_at = std::string(json::getStr(doc, "certified_at"));
    ctx.generated_at = out.sent_at;
    json::Doc author_doc;
    author_doc.SetObject();
    {
      auto& a = author_doc.GetAllocator();
      const Value& gp = doc["gp"];
      author_doc.AddMember("id", json::str(*gp_cf, a), a);
      copyStr(gp, "family_name", author_doc, "family_name", a);
      copyStr(gp, "given_name", author_doc, "given_name", a);
      author_doc.AddMember("id_system", json::str(cf_system_, a), a);
    }
    ctx.author = &author_doc;
    if (auto st = person(doc, ctx, out); !st) return st.error();

    std::size_t items = 0;
    std::size_t good = 0;
    for (const auto& list : kLists) {
      const Value* values = json::get(doc, list.member);
      if (values == nullptr) continue;
      std::map<std::string, std::string, std::less<>> seen;  // id -> location of its first item
      for (rapidjson::SizeType i = 0; i < values->Size(); ++i) {
        ++items;
        const Value& item = (*values)[i];
        const std::string at = std::string("/") + list.member + "/" + std::to_string(i);
        auto records = decodeItem(list, item, at, ctx);
        if (records.ok()) {
          std::string key = std::string(json::getStr(item, "list")) + "|" + std::string(json::getStr(item, "id"));
          auto [it, fresh] = seen.emplace(key, at);
          if (!fresh) {
            records = Error(ErrorCode::kInvalidInput, "repeats the id '" + std::string(json::getStr(item, "id")) +
                                                          "' of " + it->second + ": the item is left out",
                            at + "/id");
          }
        }
        if (!records.ok()) {
          out.rejects.push_back(records.error());
          continue;
        }
        ++good;
        for (auto& r : *records) out.records.push_back(std::move(r));
      }
    }
    if (items > 0 && good == 0) {
      const Error& first = out.rejects.front();
      return Error(first.code,
                   "no item can be applied: all " + std::to_string(items) + " items are rejected; the first: " +
                       first.message,
                   first.location);
    }
    return out;
  }

 private:
  Result<std::string> checkedCf(const Value& holder, const std::string& at) const {
    auto cf = identity::parseCodiceFiscale(json::getStr(holder, "codice_fiscale"));
    if (!cf.ok()) {
      return Error(ErrorCode::kInvalidInput,
                   "invalid codice fiscale: " + cf.error().message + " (" + cf.error().location + ")", at);
    }
    return cf->code;
  }

  static Record record(const char* kind, std::string source_id) {
    Record r;
    r.kind = kind;
    r.source_id = std::move(source_id);
    r.data.SetObject();
    return r;
  }

  // Item ids are the GP software's, unique within one patient's record: the
  // patient's codice fiscale in front makes them unique within the source.
  static std::string sourceId(const Context& ctx, std::string_view id) {
    return ctx.citizen_key + "/" + std::string(id);
  }

  /// The fields every clinical fact carries: asserted, author, note, removed.
  static void common(Record& r, const Value& item, const Context& ctx, const char* removed) {
    auto& a = r.data.GetAllocator();
    auto updated = json::getStr(item, "updated");
    r.data.AddMember("asserted", json::str(updated.empty() ? ctx.certified_at : updated, a), a);
    r.data.AddMember("author", Value(*ctx.author, a), a);
    copyStr(item, "note", r.data, "note", a);
    if (removed != nullptr) r.data.AddMember("removed", Value(removed, a), a);
  }

  /// A status looked up in its table; "entered-in-error" rows carry `removed`.
  struct ItemStatus {
    Coding coding;
    const char* removed = nullptr;
  };
  Result<ItemStatus> status(std::string_view table, std::string_view code, const std::string& at) const {
    auto c = tables_.lookup(table, code, at);
    if (!c.ok()) return c.error();
    ItemStatus s{*c, nullptr};
    if (json::getStr(*c->extra, "removed") == "entered-in-error") s.removed = "entered-in-error";
    return s;
  }

  /// A {system, code, display?} object of the export as a coding (table export-code-system).
  Result<Value> codeOf(const Value& code, const std::string& at, json::Alloc& a) const {
    auto system = tables_.lookup("export-code-system", json::getStr(code, "system"), at + "/system");
    if (!system.ok()) return system.error();
    return coding(system->code, json::getStr(code, "code"), json::getStr(code, "display"), a);
  }

  Status person(const Value& doc, const Context& ctx, DecodedMessage& out) const {
    const Value& p = doc["patient"];
    Record r = record(kind::kPerson, ctx.citizen_key);
    auto& a = r.data.GetAllocator();
    Value ids(rapidjson::kArrayType);
    Value cf(rapidjson::kObjectType);
    cf.AddMember("system", json::str(cf_system_, a), a);
    cf.AddMember("value", json::str(ctx.citizen_key, a), a);
    ids.PushBack(cf, a);
    r.data.AddMember("identifiers", ids, a);
    copyStr(p, "family_name", r.data, "family_name", a);
    copyStr(p, "given_name", r.data, "given_name", a);
    auto sex = tables_.lookup("export-sex", json::getStr(p, "sex"), "/patient/sex");
    if (!sex.ok()) return sex.error();
    r.data.AddMember("gender", json::str(sex->code, a), a);
    copyStr(p, "birth_date", r.data, "birth_date", a);
    r.data.AddMember("general_practitioner", Value(*ctx.author, a), a);
    // The GP's view of the demographics does not replace the registry's.
    r.data.AddMember("partial", true, a);
    out.records.push_back(std::move(r));
    return {};
  }

  Result<std::vector<Record>> decodeItem(const ListSpec& list, const Value& item, const std::string& at,
                                         const Context& ctx) const {
    if (!item.IsObject()) return Error(ErrorCode::kInvalidInput, "invalid value: expected \"object\"", at);
    if (auto v = items_.at(list.definition)->check(item)) return json::schemaError(std::move(*v), at);
    if (auto bad = json::checkCalendarDates(item, at, {"data"})) return *bad;
    const std::string_view m = list.member;
    if (m == "problems") return one(problem(item, at, ctx));
    if (m == "allergies") return one(allergy(item, at, ctx));
    if (m == "therapies") return one(therapy(item, at, ctx));
    if (m == "vital_signs") return one(vitalSign(item, at, ctx));
    if (m == "vaccinations") return one(vaccination(item, at, ctx));
    if (m == "visits") return one(visit(item, at, ctx));
    if (m == "reports") return report(item, at, ctx);
    return one(deletion(item, at, ctx));
  }

  static Result<std::vector<Record>> one(Result<Record> r) {
    if (!r.ok()) return r.error();
    std::vector<Record> out;
    out.push_back(std::move(r.value()));
    return out;
  }

  Result<Record> problem(const Value& item, const std::string& at, const Context& ctx) const {
    Record r = record(kind::kCondition, sourceId(ctx, json::getStr(item, "id")));
    auto& a = r.data.GetAllocator();
    auto st = status("export-problem-status", json::getStr(item, "status"), at + "/status");
    if (!st.ok()) return st.error();
    auto description = json::getStr(item, "description");
    r.data.AddMember("code", coding("http://hl7.org/fhir/sid/icd-9-cm", json::getStr(item, "icd9cm"), description, a),
                     a);
    if (!description.empty()) r.data.AddMember("text", json::str(description, a), a);
    r.data.AddMember("category", Value("problem-list-item", a), a);
    if (st->removed == nullptr) r.data.AddMember("clinical_status", json::str(st->coding.code, a), a);
    copyStr(item, "onset", r.data, "onset", a);
    copyStr(item, "resolved", r.data, "abatement", a);
    common(r, item, ctx, st->removed);
    return r;
  }

  Result<Record> allergy(const Value& item, const std::string& at, const Context& ctx) const {
    Record r = record(kind::kAllergy, sourceId(ctx, json::getStr(item, "id")));
    auto& a = r.data.GetAllocator();
    const Value& substance = item["substance"];
    auto code = codeOf(substance, at + "/substance", a);
    if (!code.ok()) return code.error();
    r.data.AddMember("code", code.value(), a);
    copyStr(substance, "display", r.data, "text", a);
    if (auto c = json::getStr(item, "category"); !c.empty()) {
      auto cat = tables_.lookup("export-allergy-category", c, at + "/category");
      if (!cat.ok()) return cat.error();
      r.data.AddMember("category", json::str(cat->code, a), a);
    }
    auto st = status("export-allergy-status", json::getStr(item, "status"), at + "/status");
    if (!st.ok()) return st.error();
    if (st->removed == nullptr) r.data.AddMember("clinical_status", json::str(st->coding.code, a), a);
    if (auto v = json::getStr(item, "verification"); !v.empty()) {
      auto ver = tables_.lookup("export-allergy-verification", v, at + "/verification");
      if (!ver.ok()) return ver.error();
      r.data.AddMember("verification", json::str(ver->code, a), a);
    }
    if (auto c = json::getStr(item, "criticality"); !c.empty()) {
      auto crit = tables_.lookup("export-allergy-criticality", c, at + "/criticality");
      if (!crit.ok()) return crit.error();
      r.data.AddMember("criticality", json::str(crit->code, a), a);
    }
    copyStr(item, "onset", r.data, "onset", a);
    if (const Value* reactions = json::get(item, "reactions")) {
      Value list(rapidjson::kArrayType);
      for (rapidjson::SizeType k = 0; k < reactions->Size(); ++k) {
        const Value& re = (*reactions)[k];
        Value v(rapidjson::kObjectType);
        auto text = json::getStr(re, "description");
        if (auto sct = json::getStr(re, "snomed"); !sct.empty()) {
          v.AddMember("manifestation", coding("http://snomed.info/sct", sct, text, a), a);
        } else {
          v.AddMember("manifestation", json::str(text, a), a);
        }
        if (auto sev = json::getStr(re, "severity"); !sev.empty()) {
          auto s = tables_.lookup("export-reaction-severity", sev,
                                  at + "/reactions/" + std::to_string(k) + "/severity");
          if (!s.ok()) return s.error();
          v.AddMember("severity", json::str(s->code, a), a);
        }
        list.PushBack(v, a);
      }
      r.data.AddMember("reactions", list, a);
    }
    common(r, item, ctx, st->removed);
    return r;
  }

  Result<Record> therapy(const Value& item, const std::string& at, const Context& ctx) const {
    Record r = record(kind::kMedication, sourceId(ctx, json::getStr(item, "id")));
    auto& a = r.data.GetAllocator();
    auto atc = json::getStr(item, "atc");
    auto aic = json::getStr(item, "aic");
    auto description = json::getStr(item, "description");
    if (atc.empty() && aic.empty()) {
      return Error(ErrorCode::kInvalidInput, "a therapy needs an 'atc' or an 'aic' code", at + "/atc");
    }
    // The ATC code is the fact key when both are given (docs/adapters.md).
    if (!atc.empty()) {
      r.data.AddMember("code", coding("http://www.whocc.no/atc", atc, description, a), a);
      if (!aic.empty()) {
        Value others(rapidjson::kArrayType);
        others.PushBack(coding("urn:oid:2.16.840.1.113883.2.9.6.1.5", aic, "", a), a);
        r.data.AddMember("other_codes", others, a);
      }
    } else {
      r.data.AddMember("code", coding("urn:oid:2.16.840.1.113883.2.9.6.1.5", aic, description, a), a);
    }
    if (!description.empty()) r.data.AddMember("text", json::str(description, a), a);
    auto st = status("export-therapy-status", json::getStr(item, "status"), at + "/status");
    if (!st.ok()) return st.error();
    r.data.AddMember("status", json::str(st->coding.code, a), a);
    auto start = json::getStr(item, "start");
    auto end = json::getStr(item, "end");
    if (!end.empty() && end < start) {
      return Error(ErrorCode::kInvalidInput, "end " + std::string(end) + " is before start " + std::string(start),
                   at + "/end");
    }
    copyStr(item, "start", r.data, "start", a);
    copyStr(item, "end", r.data, "end", a);
    copyStr(item, "dosage", r.data, "dosage", a);
    common(r, item, ctx, st->removed);
    return r;
  }

  /// A measured value checked against its table entry: the unit (when given)
  /// and the plausible range.
  Result<Value> quantity(const Coding& c, const Value& from, const std::string& at, json::Alloc& a) const {
    const double value = from["value"].GetDouble();
    auto unit = json::getStr(*c.extra, "unit");
    if (auto given = json::getStr(from, "unit"); !given.empty() && given != unit) {
      return Error(ErrorCode::kInvalidInput,
                   "unit '" + std::string(given) + "' is not the unit of " + c.code + " ('" + std::string(unit) + "')",
                   at + "/unit");
    }
    const Value* min = json::get(*c.extra, "min");
    const Value* max = json::get(*c.extra, "max");
    if (min != nullptr && max != nullptr && min->IsNumber() && max->IsNumber() &&
        (value < min->GetDouble() || value > max->GetDouble())) {
      return Error(ErrorCode::kInvalidInput,
                   "value " + json::write(from["value"]) + " is outside " + c.code + "'s plausible range " +
                       json::write(*min) + ".." + json::write(*max),
                   at + "/value");
    }
    Value q(rapidjson::kObjectType);
    q.AddMember("value", value, a);
    q.AddMember("unit", json::str(unit, a), a);
    q.AddMember("ucum_code", json::str(unit, a), a);
    return q;
  }

  Result<Record> vitalSign(const Value& item, const std::string& at, const Context& ctx) const {
    Record r = record(kind::kVitalSign, sourceId(ctx, json::getStr(item, "id")));
    auto& a = r.data.GetAllocator();
    auto c = tables_.lookup("export-vital-sign", json::getStr(item, "loinc"), at + "/loinc");
    if (!c.ok()) return c.error();
    r.data.AddMember("code", coding(c->system, c->code, c->display, a), a);
    r.data.AddMember("effective", json::str(json::getStr(item, "measured_at"), a), a);
    const Value* panel = json::get(*c->extra, "panel");
    const Value* components = json::get(item, "components");
    if (panel != nullptr && panel->IsTrue()) {
      if (components == nullptr) {
        return Error(ErrorCode::kInvalidInput, "required field 'components' is missing (" + c->code + " is a panel)",
                     at + "/components");
      }
      if (json::get(item, "value") != nullptr) {
        return Error(ErrorCode::kInvalidInput, c->code + " is a panel: its values go in 'components'", at + "/value");
      }
      const Value* allowed = json::get(*c->extra, "components");
      Value list(rapidjson::kArrayType);
      std::vector<std::string> seen;
      for (rapidjson::SizeType k = 0; k < components->Size(); ++k) {
        const std::string cat = at + "/components/" + std::to_string(k);
        const Value& comp = (*components)[k];
        auto code = json::getStr(comp, "loinc");
        bool ok = false;
        if (allowed != nullptr && allowed->IsArray()) {
          for (const auto& x : allowed->GetArray()) ok = ok || (x.IsString() && code == x.GetString());
        }
        if (!ok) {
          return Error(ErrorCode::kUnknownCode, "'" + std::string(code) + "' is not a component of " + c->code,
                       cat + "/loinc");
        }
        for (const auto& s : seen) {
          if (s == code) return Error(ErrorCode::kInvalidInput, "component " + s + " is given twice", cat + "/loinc");
        }
        seen.emplace_back(code);
        auto cc = tables_.lookup("export-vital-sign", code, cat + "/loinc");
        if (!cc.ok()) return cc.error();
        auto q = quantity(*cc, comp, cat, a);
        if (!q.ok()) return q.error();
        Value v(rapidjson::kObjectType);
        v.AddMember("code", coding(cc->system, cc->code, cc->display, a), a);
        v.AddMember("value_quantity", q.value(), a);
        list.PushBack(v, a);
      }
      r.data.AddMember("components", list, a);
    } else {
      if (components != nullptr) {
        return Error(ErrorCode::kInvalidInput, c->code + " is not a panel: it takes a 'value', not 'components'",
                     at + "/components");
      }
      if (json::get(item, "value") == nullptr) {
        return Error(ErrorCode::kInvalidInput, "required field 'value' is missing", at + "/value");
      }
      auto q = quantity(*c, item, at, a);
      if (!q.ok()) return q.error();
      r.data.AddMember("value_quantity", q.value(), a);
    }
    const bool eie = json::getStr(item, "status") == "entered-in-error";
    common(r, item, ctx, eie ? "entered-in-error" : nullptr);
    return r;
  }

  Result<Record> vaccination(const Value& item, const std::string& at, const Context& ctx) const {
    Record r = record(kind::kImmunization, sourceId(ctx, json::getStr(item, "id")));
    auto& a = r.data.GetAllocator();
    const Value& vaccine = item["vaccine"];
    auto code = codeOf(vaccine, at + "/vaccine", a);
    if (!code.ok()) return code.error();
    r.data.AddMember("code", code.value(), a);
    copyStr(vaccine, "display", r.data, "text", a);
    copyStr(item, "date", r.data, "date", a);
    auto given = json::getStr(item, "status");
    auto st = status("export-vaccination-status", given.empty() ? "eseguita" : given, at + "/status");
    if (!st.ok()) return st.error();
    r.data.AddMember("status", json::str(st->coding.code, a), a);
    copyStr(item, "lot", r.data, "lot", a);
    if (const Value* dose = json::get(item, "dose_number")) r.data.AddMember("dose_number", dose->GetInt(), a);
    common(r, item, ctx, st->removed);
    return r;
  }

  Result<Record> visit(const Value& item, const std::string& at, const Context& ctx) const {
    Record r = record(kind::kVisit, sourceId(ctx, json::getStr(item, "id")));
    auto& a = r.data.GetAllocator();
    copyStr(item, "date", r.data, "date", a);
    if (const Value* reason = json::get(item, "reason")) {
      auto text = json::getStr(*reason, "text");
      if (auto icd = json::getStr(*reason, "icd9cm"); !icd.empty()) {
        r.data.AddMember("reason", coding("http://hl7.org/fhir/sid/icd-9-cm", icd, text, a), a);
      } else {
        r.data.AddMember("reason", json::str(text, a), a);
      }
    }
    auto type = tables_.lookup("export-visit-type", json::getStr(item, "type"), at + "/type");
    if (!type.ok()) return type.error();
    r.data.AddMember("type", coding(type->system, type->code, type->display, a), a);
    r.data.AddMember("practitioner", Value(*ctx.author, a), a);
    const bool eie = json::getStr(item, "status") == "entered-in-error";
    common(r, item, ctx, eie ? "entered-in-error" : nullptr);
    return r;
  }

  // One `document` per attachment; document_id {codice fiscale}/{report id}/{attachment id}.
  Result<std::vector<Record>> report(const Value& item, const std::string& at, const Context& ctx) const {
    auto type = tables_.lookup("export-report-type", json::getStr(item, "type_loinc"), at + "/type_loinc");
    if (!type.ok()) return type.error();
    const bool eie = json::getStr(item, "status") == "entered-in-error";
    const Value& attachments = item["attachments"];
    std::vector<Record> out;
    std::vector<std::string_view> ids;
    for (rapidjson::SizeType k = 0; k < attachments.Size(); ++k) {
      const Value& att = attachments[k];
      const std::string aat = at + "/attachments/" + std::to_string(k);
      auto att_id = json::getStr(att, "id");
      for (auto id : ids) {
        if (id == att_id) {
          return Error(ErrorCode::kInvalidInput, "attachment id '" + std::string(att_id) + "' is given twice",
                       aat + "/id");
        }
      }
      ids.push_back(att_id);
      auto data = json::getStr(att, "data");
      auto size = base64Size(data);
      if (!size) return Error(ErrorCode::kInvalidInput, "the attachment data is not Base64", aat + "/data");
      if (*size > kMaxAttachmentBytes) {
        return Error(ErrorCode::kTooLarge,
                     "the attachment has " + std::to_string(*size) + " bytes, more than the limit of " +
                         std::to_string(kMaxAttachmentBytes),
                     aat + "/data");
      }
      std::string document_id =
          sourceId(ctx, json::getStr(item, "id")) + "/" + std::string(att_id);
      Record r = record(kind::kDocument, document_id);
      auto& a = r.data.GetAllocator();
      r.data.AddMember("type", coding(type->system, type->code, type->display, a), a);
      auto title = json::getStr(att, "title");
      if (title.empty()) title = json::getStr(item, "title");
      if (!title.empty()) r.data.AddMember("title", json::str(title, a), a);
      copyStr(item, "date", r.data, "date", a);
      r.data.AddMember("status", Value(eie ? "entered-in-error" : "current", a), a);
      r.data.AddMember("document_id", json::str(document_id, a), a);
      if (const Value* author = json::get(item, "author")) {
        Value v(rapidjson::kObjectType);
        if (auto cf = json::getStr(*author, "codice_fiscale"); !cf.empty()) {
          auto parsed = identity::parseCodiceFiscale(cf);
          if (!parsed.ok()) {
            return Error(ErrorCode::kInvalidInput,
                         "invalid codice fiscale: " + parsed.error().message + " (" + parsed.error().location + ")",
                         at + "/author/codice_fiscale");
          }
          v.AddMember("id", json::str(parsed->code, a), a);
          v.AddMember("id_system", json::str(cf_system_, a), a);
        }
        copyStr(*author, "family_name", v, "family_name", a);
        copyStr(*author, "given_name", v, "given_name", a);
        r.data.AddMember("author", v, a);
        if (auto org = json::getStr(*author, "organization"); !org.empty()) {
          Value custodian(rapidjson::kObjectType);
          custodian.AddMember("code", json::str(org, a), a);
          custodian.AddMember("name", json::str(org, a), a);
          r.data.AddMember("custodian", custodian, a);
        }
      }
      copyStr(att, "media_type", r.data, "content_type", a);
      r.data.AddMember("content_base64", json::str(data, a), a);
      auto updated = json::getStr(item, "updated");
      r.data.AddMember("asserted", json::str(updated.empty() ? ctx.certified_at : updated, a), a);
      out.push_back(std::move(r));
    }
    return out;
  }

  // A deleted item: its kind, id and fact key (code, and the date for the
  // kinds whose key has one), so the mapping finds the fact whichever source
  // asserted it.
  Result<Record> deletion(const Value& item, const std::string& at, const Context& ctx) const {
    const std::string_view list = json::getStr(item, "list");
    const char* kind = nullptr;
    for (const auto& l : kLists) {
      if (l.kind != nullptr && list == l.member) kind = l.kind;
    }
    if (kind == nullptr) return Error(ErrorCode::kInternal, "deleted entry of an unknown list", at + "/list");
    Record r = record(kind, sourceId(ctx, json::getStr(item, "id")));
    auto& a = r.data.GetAllocator();
    const Value* code = json::get(item, "code");
    if (code == nullptr && list != "visits") {
      return Error(ErrorCode::kInvalidInput,
                   "required field 'code' is missing (a deleted " + std::string(list) + " item is found by its code)",
                   at + "/code");
    }
    if (code != nullptr) {
      auto coded = codeOf(*code, at + "/code", a);
      if (!coded.ok()) return coded.error();
      r.data.AddMember("code", coded.value(), a);
    }
    const bool dated = list == "vaccinations" || list == "vital_signs";
    auto date = json::getStr(item, "date");
    if (dated && date.empty()) {
      return Error(ErrorCode::kInvalidInput,
                   "required field 'date' is missing (a deleted " + std::string(list) + " item is found by its date)",
                   at + "/date");
    }
    if (dated) r.data.AddMember(Value(list == "vaccinations" ? "date" : "effective", a), json::str(date, a), a);
    auto when = json::getStr(item, "deleted_at");
    r.data.AddMember("asserted", json::str(when.empty() ? ctx.generated_at : when, a), a);
    r.data.AddMember("author", Value(*ctx.author, a), a);
    r.data.AddMember("removed", Value("deleted", a), a);
    return r;
  }

  std::unique_ptr<json::SchemaPool> header_;
  std::map<std::string, std::unique_ptr<json::SchemaPool>> items_;  // by definition name
  CodeTables tables_;
  std::string cf_system_;
};

Result<std::unique_ptr<json::Doc>> readSchema(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error(ErrorCode::kConfig, "cannot read the GP export schema", path.string());
  std::stringstream ss;
  ss << in.rdbuf();
  auto doc = std::make_unique<json::Doc>();
  std::string text = ss.str();
  doc->Parse(text.c_str(), text.size());
  if (doc->HasParseError() || !doc->IsObject()) {
    return Error(ErrorCode::kConfig, "the GP export schema is not a valid JSON object", path.string());
  }
  return doc;
}

}  // namespace

Result<AdapterPtr> makeGpExportAdapter(const AdapterEnvironment& env) {
  auto path = env.schemas_dir / "gp" / "export.schema.json";
  auto full = readSchema(path);
  if (!full.ok()) return full.error();
  const json::Doc& schema = **full;
  const Value* properties = json::get(schema, "properties");
  const Value* definitions = json::get(schema, "definitions");
  if (properties == nullptr || definitions == nullptr) {
    return Error(ErrorCode::kConfig, "the GP export schema has no properties or definitions", path.string());
  }
  // The header schema: the whole schema with each list's items allowed to be
  // anything; every item is then checked against its own definition.
  auto header = std::make_unique<json::Doc>();
  header->CopyFrom(schema, header->GetAllocator());
  std::map<std::string, std::unique_ptr<json::SchemaPool>> items;
  for (const auto& list : kLists) {
    Value* prop = rapidjson::Pointer(std::string("/properties/") + list.member).Get(*header);
    if (prop == nullptr || json::get(*definitions, list.definition) == nullptr) {
      return Error(ErrorCode::kConfig, std::string("the GP export schema lacks the list '") + list.member + "'",
                   path.string());
    }
    Value any(rapidjson::kObjectType);  // a non-object item is the item's reject, not the header's
    (*prop)["items"] = any;
    auto item = std::make_unique<json::Doc>();
    item->SetObject();
    auto& a = item->GetAllocator();
    item->AddMember("definitions", Value(*definitions, a), a);
    item->AddMember("$ref", json::str(std::string("#/definitions/") + list.definition, a), a);
    items.emplace(list.definition, std::make_unique<json::SchemaPool>(std::move(item)));
  }
  auto tables = CodeTables::loadNamed(env.mappings_dir / "gp", kTables);
  if (!tables.ok()) return tables.error();
  return AdapterPtr(std::make_shared<GpExportAdapter>(std::make_unique<json::SchemaPool>(std::move(header)),
                                                      std::move(items), std::move(tables.value()), env.cf_system));
}

}  // namespace raccordo
