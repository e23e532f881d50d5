#include "adapters/gp/gp_cda_adapter.h"

#include "adapters/gp/gp_cda_decoder.h"
#include "gateway/identity/codice_fiscale.h"

namespace raccordo {

namespace gp {

namespace {

using cda::Node;
using json::Value;

const std::vector<std::string> kTables = {"cda-document",        "cda-section",  "cda-code-system",
                                          "cda-clinical-status", "cda-severity", "cda-intolerance-type",
                                          "cda-gender"};

Value str(std::string_view s, json::Alloc& a) { return json::str(s, a); }

std::string iiOf(const Node& id) {
  std::string root(id.attr("root"));
  std::string_view ext = id.attr("extension");
  if (!ext.empty()) root += "^" + std::string(ext);
  return root;
}

std::string base64(std::string_view bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out((bytes.size() + 2) / 3 * 4, '=');
  const auto* in = reinterpret_cast<const uint8_t*>(bytes.data());
  char* o = out.data();
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3, o += 4) {
    const uint32_t n = (uint32_t{in[i]} << 16) | (uint32_t{in[i + 1]} << 8) | in[i + 2];
    o[0] = kAlphabet[(n >> 18) & 63];
    o[1] = kAlphabet[(n >> 12) & 63];
    o[2] = kAlphabet[(n >> 6) & 63];
    o[3] = kAlphabet[n & 63];
  }
  if (i < bytes.size()) {
    uint32_t n = uint32_t{in[i]} << 16;
    if (i + 1 < bytes.size()) n |= uint32_t{in[i + 1]} << 8;
    o[0] = kAlphabet[(n >> 18) & 63];
    o[1] = kAlphabet[(n >> 12) & 63];
    if (i + 1 < bytes.size()) o[2] = kAlphabet[(n >> 6) & 63];
  }
  return out;
}

}  // namespace

Result<CdaKeys> readKeys(const Node& root) {
  if (root.name() != "ClinicalDocument") {
    return Error(ErrorCode::kInvalidInput,
                 "the root element is '" + std::string(root.name()) + "', not a CDA ClinicalDocument", root.path());
  }
  CdaKeys keys;
  Node id = root.child("id");
  if (!id) return Error(ErrorCode::kInvalidInput, "the document has no id", "/ClinicalDocument/id");
  if (id.attr("root").empty()) {
    return Error(ErrorCode::kInvalidInput, "the document id has no root", "/ClinicalDocument/id/@root");
  }
  keys.document_id = iiOf(id);
  Node role = root.at("recordTarget/patientRole");
  if (!role) {
    return Error(ErrorCode::kInvalidInput, "the document names no patient (recordTarget/patientRole)",
                 "/ClinicalDocument/recordTarget/patientRole");
  }
  for (const Node& pid : role.children("id")) {
    if (pid.attr("root") != kCfRoot && pid.attr("root") != kCfTypoRoot) continue;
    auto cf = identity::parseCodiceFiscale(pid.attr("extension"));
    if (!cf.ok()) {
      return Error(ErrorCode::kInvalidInput, "invalid codice fiscale: " + cf.error().message,
                   pid.path() + "/@extension");
    }
    keys.citizen_key = cf->code;
    return keys;
  }
  return Error(ErrorCode::kInvalidInput,
               "recordTarget/patientRole has no id with the codice fiscale root " + std::string(kCfRoot),
               role.path() + "/id");
}

Status CdaDecoder::run(const Node& root) {
  scratch_.SetObject();
  auto keys = readKeys(root);
  if (!keys.ok()) return keys.error();
  out_.citizen_key = keys->citizen_key;
  out_.source_message_id = keys->document_id;
  document_id_ = keys->document_id;
  Node code = root.child("code");
  if (!code || code.attr("code").empty()) {
    return Error(ErrorCode::kInvalidInput, "the document has no code", "/ClinicalDocument/code");
  }
  auto doc_type = v_.tables.findAnyCase("cda-document", code.attr("code"));
  if (!doc_type) {
    return Error(ErrorCode::kUnsupported,
                 "document type " + std::string(code.attr("code")) + " is not accepted by gp-cda",
                 "/ClinicalDocument/code/@code");
  }
  const Value& extra = *doc_type->coding->extra;
  std::string_view want = json::getStr(extra, "template");
  bool template_ok = false;
  for (const Node& t : root.children("templateId")) template_ok = template_ok || t.attr("root") == want;
  if (!template_ok) {
    return Error(ErrorCode::kInvalidInput,
                 "a " + doc_type->coding->display + " must carry templateId " + std::string(want) +
                     " (wrong or missing template)",
                 "/ClinicalDocument/templateId");
  }
  profile_ = std::string(json::getStr(extra, "profile"));
  if (auto st = header(root); !st) return st;
  Node body = root.at("component/structuredBody");
  if (!body && profile_ != "document") {
    return Error(ErrorCode::kInvalidInput, "a " + doc_type->coding->display + " needs a structuredBody",
                 "/ClinicalDocument/component/structuredBody");
  }
  if (body) {
    if (profile_ == "summary") summarySections(body);
    else if (profile_ == "lab") labSections(body);
    else {
      for (const Node& comp : body.children("component")) {
        Node s = comp.child("section");
        if (!s) continue;
        auto& a = scratch_.GetAllocator();
        Value sec(rapidjson::kObjectType);
        if (!s.at("code").attr("code").empty()) sec.AddMember("code", str(s.child("code").attr("code"), a), a);
        sec.AddMember("title", str(s.child("title").text(), a), a);
        sec.AddMember("text", str(s.child("text").text(), a), a);
        sec.AddMember("mapped", false, a);
        section_summaries_.push_back(std::move(sec));
      }
    }
  }
  documentRecord(root, body);
  return {};
}

Value CdaDecoder::party(const Node& assigned, json::Alloc& a) const {
  Value p(rapidjson::kObjectType);
  Node chosen;
  for (const Node& id : assigned.children("id")) {
    if (id.attr("root") == kCfRoot) chosen = id;
  }
  if (!chosen) chosen = assigned.child("id");
  if (chosen && !chosen.attr("extension").empty()) {
    p.AddMember("id", str(chosen.attr("extension"), a), a);
    std::string system = chosen.attr("root") == kCfRoot ? v_.cf_system : "urn:oid:" + std::string(chosen.attr("root"));
    p.AddMember("id_system", str(system, a), a);
  }
  Node name = assigned.at("assignedPerson/name");
  if (name) {
    if (Node f = name.child("family"); f) p.AddMember("family_name", str(f.text(), a), a);
    if (Node g = name.child("given"); g) p.AddMember("given_name", str(g.text(), a), a);
  }
  return p;
}

Status CdaDecoder::header(const Node& root) {
  Node eff = root.child("effectiveTime");
  if (!eff || eff.attr("value").empty()) {
    return Error(ErrorCode::kInvalidInput, "the document has no effectiveTime", "/ClinicalDocument/effectiveTime");
  }
  Node assigned = root.at("author/assignedAuthor");
  if (!assigned) {
    return Error(ErrorCode::kInvalidInput, "the document has no author", "/ClinicalDocument/author/assignedAuthor");
  }
  if (!root.at("custodian/assignedCustodian/representedCustodianOrganization")) {
    return Error(ErrorCode::kInvalidInput, "the document has no custodian",
                 "/ClinicalDocument/custodian/assignedCustodian/representedCustodianOrganization");
  }
  auto date = time(eff);
  if (!date.ok()) return date.error();
  Node legal = root.at("legalAuthenticator/time");
  asserted_ = *date;
  if (legal && !legal.attr("value").empty()) {
    auto t = time(legal);
    if (!t.ok()) return t.error();
    asserted_ = *t;
  }
  author_ = party(assigned, scratch_.GetAllocator());
  if (Node set = root.child("setId"); set && !set.attr("root").empty()) set_id_ = iiOf(set);
  out_.sent_at = *date;

  // The patient, as the document shows them: partial demographics.
  Node role = root.at("recordTarget/patientRole");
  for (const Node& pid : role.children("id")) {
    if (pid.attr("root") == kCfTypoRoot) {
      out_.warnings.emplace_back(ErrorCode::kInvalidInput,
                                 "the codice fiscale root is the known typo " + std::string(kCfTypoRoot),
                                 pid.path() + "/@root");
    }
  }
  Record person;
  person.kind = kind::kPerson;
  person.source_id = out_.citizen_key;
  person.data.SetObject();
  auto& a = person.data.GetAllocator();
  Value ids(rapidjson::kArrayType);
  Value cf(rapidjson::kObjectType);
  cf.AddMember("system", str(v_.cf_system, a), a);
  cf.AddMember("value", str(out_.citizen_key, a), a);
  ids.PushBack(cf, a);
  person.data.AddMember("identifiers", ids, a);
  Node patient = role.child("patient");
  if (Node f = patient.at("name/family"); f) person.data.AddMember("family_name", str(f.text(), a), a);
  if (Node g = patient.at("name/given"); g) person.data.AddMember("given_name", str(g.text(), a), a);
  if (Node gender = patient.child("administrativeGenderCode"); gender && !gender.attr("code").empty()) {
    auto g = v_.tables.lookupAnyCase("cda-gender", gender.attr("code"), gender.path() + "/@code");
    if (!g.ok()) return g.error();
    person.data.AddMember("gender", str(g->coding->code, a), a);
  }
  if (Node birth = patient.child("birthTime"); birth && !birth.attr("value").empty()) {
    auto d = v_.time.date(birth.attr("value"), birth.path() + "/@value");
    if (!d.ok()) return d.error();
    person.data.AddMember("birth_date", str(*d, a), a);
  }
  person.data.AddMember("partial", true, a);
  out_.records.push_back(std::move(person));
  return {};
}

void CdaDecoder::documentRecord(const Node& root, const Node& /*body*/) {
  Record doc;
  doc.kind = kind::kDocument;
  doc.source_id = document_id_;
  doc.data.SetObject();
  auto& a = doc.data.GetAllocator();
  Node code = root.child("code");
  Value type(rapidjson::kObjectType);
  type.AddMember("system", "http://loinc.org", a);
  type.AddMember("code", str(code.attr("code"), a), a);
  if (!code.attr("displayName").empty()) type.AddMember("display", str(code.attr("displayName"), a), a);
  doc.data.AddMember("type", type, a);
  if (Node title = root.child("title"); title) doc.data.AddMember("title", str(title.text(), a), a);
  doc.data.AddMember("date", str(out_.sent_at, a), a);
  doc.data.AddMember("certified", str(asserted_, a), a);
  doc.data.AddMember("status", "current", a);
  doc.data.AddMember("document_id", str(document_id_, a), a);
  if (!set_id_.empty()) doc.data.AddMember("set_id", str(set_id_, a), a);
  if (Node v = root.child("versionNumber"); v && !v.attr("value").empty()) {
    int version = 0;
    for (char c : v.attr("value")) {
      if (c < '0' || c > '9' || version > 100000) {
        version = -1;
        break;
      }
      version = version * 10 + (c - '0');
    }
    if (version >= 0) doc.data.AddMember("version", version, a);
  }
  doc.data.AddMember("author", Value(author_, a), a);
  if (Node legal = root.at("legalAuthenticator/assignedEntity"); legal) {
    doc.data.AddMember("authenticator", party(legal, a), a);
  }
  Node org = root.at("custodian/assignedCustodian/representedCustodianOrganization");
  Value custodian(rapidjson::kObjectType);
  Node org_id = org.child("id");
  custodian.AddMember("code", str(org_id.attr("extension").empty() ? org_id.attr("root") : org_id.attr("extension"), a), a);
  if (Node name = org.child("name"); name) custodian.AddMember("name", str(name.text(), a), a);
  doc.data.AddMember("custodian", custodian, a);
  doc.data.AddMember("content_type", "application/xml", a);
  doc.data.AddMember("content_base64", str(base64(bytes_), a), a);
  Value sections(rapidjson::kArrayType);
  for (const Value& s : section_summaries_) sections.PushBack(Value(s, a), a);
  doc.data.AddMember("sections", sections, a);
  Value facts(rapidjson::kArrayType);
  for (const auto& [k, id] : facts_) {
    Value f(rapidjson::kObjectType);
    f.AddMember("kind", str(k, a), a);
    f.AddMember("source_id", str(id, a), a);
    facts.PushBack(f, a);
  }
  doc.data.AddMember("facts", facts, a);
  out_.records.push_back(std::move(doc));
}

namespace {

/// Stateless after construction: one instance serves every thread.
class GpCdaAdapter final : public Adapter {
 public:
  explicit GpCdaAdapter(CdaVocabulary v) : v_(std::move(v)) {}

  std::string name() const override { return "gp-cda"; }
  std::vector<std::string> mediaTypes() const override {
    return {"application/xml", "text/xml", "application/hl7-cda+xml"};
  }

  // Well-formed without DOCTYPE, within the limits; the CF and the document id.
  Result<Envelope> inspect(std::string_view bytes) const override {
    auto doc = cda::XmlDocument::parse(bytes, v_.limits);
    if (!doc.ok()) return doc.error();
    auto keys = readKeys(doc->root());
    if (!keys.ok()) return keys.error();
    return Envelope{std::move(keys->citizen_key), std::move(keys->document_id)};
  }

  Result<DecodedMessage> decode(std::string_view bytes, const MessageMeta&) const override {
    auto doc = cda::XmlDocument::parse(bytes, v_.limits);
    if (!doc.ok()) return doc.error();
    DecodedMessage out;
    out.source = "gp";
    CdaDecoder decoder(v_, bytes, out);
    if (auto st = decoder.run(doc->root()); !st) return st.error();
    return out;
  }

 private:
  CdaVocabulary v_;
};

}  // namespace

}  // namespace gp

Result<AdapterPtr> makeGpCdaAdapter(const AdapterEnvironment& env) {
  auto tables = CodeTables::loadNamed(env.mappings_dir / "gp", gp::kTables);
  if (!tables.ok()) return tables.error();
  return AdapterPtr(std::make_shared<gp::GpCdaAdapter>(
      gp::CdaVocabulary{std::move(tables.value()), ats::TimeConverter(), env.cf_system, cda::ParseLimits{}}));
}

}  // namespace raccordo
