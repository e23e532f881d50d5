#include <algorithm>
#include <charconv>
#include <set>

#include "gateway/api/api.h"
#include "gateway/core/json.h"
#include "gateway/store/indexing.h"

namespace raccordo {

namespace {

constexpr const char* kFhirJson = "application/fhir+json";

// Resource types this server holds; anything else is an unknown type (404).
const std::set<std::string, std::less<>>& knownTypes() {
  static const std::set<std::string, std::less<>> types = {
      "Patient",       "RelatedPerson", "Group",         "EpisodeOfCare",         "CarePlan",
      "Observation",   "QuestionnaireResponse",          "Organization",          "Practitioner",
      "PractitionerRole", "Provenance", "Condition",     "AllergyIntolerance",    "MedicationStatement",
      "Immunization",  "Encounter",     "DocumentReference", "DiagnosticReport",  "DeviceUseStatement",
      "Coverage",      "Consent",       "AuditEvent"};
  return types;
}

void checkType(const std::string& type) {
  if (knownTypes().count(type) == 0) {
    throw RaccordoException(ErrorCode::kNotFound, "resource type '" + type + "' is not supported by this server",
                            "type");
  }
}

HttpResponse resourceResponse(const StoredResource& r) {
  HttpResponse resp = jsonResponse(200, r.json, kFhirJson);
  resp.headers.emplace_back("ETag", "W/\"" + std::to_string(r.version) + "\"");
  resp.headers.emplace_back("Last-Modified", formatHttpDate(r.last_updated_ms));
  return resp;
}

// Bundles are assembled as text around the stored JSON: resources are never
// parsed again on the read path.
class BundleWriter {
 public:
  BundleWriter(const char* type, const std::string& base) : base_(base) {
    out_ = std::string(R"({"resourceType":"Bundle","type":")") + type + "\"";
  }
  void total(int64_t n) { out_ += ",\"total\":" + std::to_string(n); }
  void links(const std::vector<std::pair<std::string, std::string>>& links) {
    if (links.empty()) return;
    out_ += ",\"link\":[";
    bool first = true;
    for (const auto& [rel, url] : links) {
      if (!first) out_ += ',';
      first = false;
      out_ += R"({"relation":")" + rel + R"(","url":)" + quote(url) + "}";
    }
    out_ += ']';
  }
  void entry(const StoredResource& r, const char* mode) {
    out_ += entries_ == 0 ? ",\"entry\":[" : ",";
    ++entries_;
    out_ += "{\"fullUrl\":" + quote(base_ + "/" + r.type + "/" + r.id) + ",\"resource\":" + r.json;
    if (mode != nullptr) out_ += std::string(R"(,"search":{"mode":")") + mode + "\"}";
    out_ += '}';
  }
  void historyEntry(const StoredResource& r) {
    out_ += entries_ == 0 ? ",\"entry\":[" : ",";
    ++entries_;
    out_ += "{\"fullUrl\":" + quote(base_ + "/" + r.type + "/" + r.id) + ",\"resource\":" + r.json +
            R"(,"request":{"method":")" + (r.version == 1 ? "POST" : "PUT") + R"(","url":")" + r.type +
            (r.version == 1 ? "" : "/" + r.id) + R"("},"response":{"status":")" + (r.version == 1 ? "201" : "200") +
            R"(","etag":"W/\")" + std::to_string(r.version) + "\\\"\"}}";
  }
  std::string finish() {
    if (entries_ > 0) out_ += ']';
    out_ += '}';
    return std::move(out_);
  }

 private:
  static std::string quote(const std::string& s) {
    rapidjson::Value v(rapidjson::StringRef(s.data(), s.size()));
    return json::write(v);
  }
  std::string base_;
  std::string out_;
  int entries_ = 0;
};

int64_t parseVersion(const std::string& text) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v <= 0) {
    throw RaccordoException(ErrorCode::kNotFound, "no version '" + text + "'", "_history");
  }
  return v;
}

int intValue(const std::string& name, const std::string& v, int min, int max) {
  int n = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || end != v.data() + v.size() || n < min) {
    throw RaccordoException(ErrorCode::kInvalidInput,
                            name + " must be an integer >= " + std::to_string(min) + ", got '" + v + "'", name);
  }
  return std::min(n, max);
}

// _lastUpdated=ge2026-01-01 (prefixes eq, ge, gt, le, lt; no prefix = eq).
void lastUpdated(const std::string& value, SearchQuery& q) {
  std::string prefix = "eq";
  std::string date = value;
  if (value.size() >= 2 && std::isalpha(static_cast<unsigned char>(value[0])) &&
      std::isalpha(static_cast<unsigned char>(value[1]))) {
    prefix = value.substr(0, 2);
    date = value.substr(2);
  }
  int64_t ms = 0, end = 0;
  if (!parseInstant(date, ms) || !parseInstantEnd(date, end)) {
    throw RaccordoException(ErrorCode::kInvalidInput, "_lastUpdated needs a FHIR date or dateTime, got '" + value + "'",
                            "_lastUpdated");
  }
  // A value covers its whole precision: "2026-02" is all of February.
  auto from = [&](int64_t v) { q.updated_from_ms = q.updated_from_ms ? std::max(*q.updated_from_ms, v) : v; };
  auto to = [&](int64_t v) { q.updated_to_ms = q.updated_to_ms ? std::min(*q.updated_to_ms, v) : v; };
  if (prefix == "eq") {
    from(ms);
    to(end);
  } else if (prefix == "ge") {
    from(ms);
  } else if (prefix == "gt") {
    from(end);
  } else if (prefix == "lt") {
    to(ms);
  } else if (prefix == "le") {
    to(end);
  } else {
    throw RaccordoException(ErrorCode::kInvalidInput, "unsupported _lastUpdated prefix '" + prefix + "'", "_lastUpdated");
  }
}

// Bounds on one search, so that no request builds an unbounded SQL query.
constexpr size_t kMaxIdentifierValues = 100;
constexpr size_t kMaxIdentifierParams = 10;

std::vector<ResourceIndex::Identifier> identifiers(const std::string& value) {
  std::vector<ResourceIndex::Identifier> out;
  size_t start = 0;
  while (start <= value.size()) {
    auto comma = value.find(',', start);
    std::string token = value.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    auto bar = token.find('|');
    if (bar == std::string::npos) {
      out.push_back({"", token});
    } else {
      out.push_back({token.substr(0, bar), token.substr(bar + 1)});
    }
    if (out.back().value.empty()) {
      throw RaccordoException(ErrorCode::kInvalidInput, "identifier needs a value: [system|]value", "identifier");
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
    if (out.size() >= kMaxIdentifierValues) {
      throw RaccordoException(ErrorCode::kInvalidInput,
                              "identifier has more than " + std::to_string(kMaxIdentifierValues) + " values",
                              "identifier");
    }
  }
  return out;
}

std::string patientId(const std::string& value) {
  std::string type, id;
  if (splitReference(value, type, id)) {
    if (type != "Patient") {
      throw RaccordoException(ErrorCode::kInvalidInput, "patient must reference a Patient, got '" + value + "'",
                              "patient");
    }
    return id;
  }
  return value;
}

HttpResponse search(ApiContext& ctx, const HttpRequest& req, const std::string& type) {
  SearchQuery q;
  q.type = type;
  q.count = static_cast<int>(ctx.config.integer("fhir.default_count"));
  int max_count = static_cast<int>(ctx.config.integer("fhir.max_count"));
  std::string self_query;
  for (const auto& [name, value] : req.query) {
    if (name == "_count") {
      q.count = intValue(name, value, 0, max_count);
    } else if (name == "_offset") {
      q.offset = intValue(name, value, 0, INT32_MAX);
      continue;  // not part of the query the links repeat
    } else if (name == "identifier") {
      // Commas inside one parameter are OR; repeated parameters are AND.
      if (q.identifiers.empty()) {
        q.identifiers = identifiers(value);
      } else {
        if (q.identifiers_and.size() + 1 >= kMaxIdentifierParams) {
          throw RaccordoException(ErrorCode::kInvalidInput,
                                  "more than " + std::to_string(kMaxIdentifierParams) + " identifier parameters",
                                  "identifier");
        }
        q.identifiers_and.push_back(identifiers(value));
      }
    } else if (name == "patient" || (name == "subject" && type != "Patient")) {
      q.patient = patientId(value);
    } else if (name == "_id") {
      q.id = value;
    } else if (name == "_lastUpdated") {
      lastUpdated(value, q);
    } else if (name == "_format") {
      // JSON is the only format served.
    } else {
      throw RaccordoException(ErrorCode::kInvalidInput,
                              "unknown search parameter '" + name +
                                  "' (supported: identifier, patient, subject, _id, _lastUpdated, _count, _offset)",
                              name);
    }
    self_query += (self_query.empty() ? "" : "&") + percentEncode(name) + "=" + percentEncode(value);
  }
  SearchPage page;
  ctx.store.read([&](ReadTx& tx) { page = tx.search(q); });
  std::string base = fhirBase(req, ctx.config);
  std::string url = base + "/" + type + "?" + self_query + (self_query.empty() ? "" : "&");
  std::vector<std::pair<std::string, std::string>> links;
  links.emplace_back("self", url + "_offset=" + std::to_string(q.offset));
  int64_t next_offset = static_cast<int64_t>(q.offset) + q.count;  // _offset may be near INT32_MAX
  if (q.count > 0 && next_offset < page.total) {
    links.emplace_back("next", url + "_offset=" + std::to_string(next_offset));
  }
  if (q.offset > 0 && q.count > 0) {
    links.emplace_back("previous", url + "_offset=" + std::to_string(std::max(0, q.offset - q.count)));
  }
  BundleWriter b("searchset", base);
  b.total(page.total);
  b.links(links);
  for (const auto& r : page.items) b.entry(r, "match");
  return jsonResponse(200, b.finish(), kFhirJson);
}

HttpResponse everything(ApiContext& ctx, const HttpRequest& req, const std::string& id) {
  std::optional<StoredResource> patient;
  std::vector<StoredResource> members, referenced;
  ctx.store.read([&](ReadTx& tx) {
    patient = tx.resource("Patient", id);
    if (!patient || patient->deleted) return;
    members = tx.compartment(id);
    // Resources the record points to (the social worker, the office, the
    // provider) complete it, as HAPI FHIR's $everything does.
    std::vector<std::pair<std::string, std::string>> keys{{"Patient", id}};
    std::set<std::string> have{"Patient/" + id};
    for (const auto& m : members) {
      keys.emplace_back(m.type, m.id);
      have.insert(m.type + "/" + m.id);
    }
    std::set<std::string> wanted;
    for (const auto& ref : tx.referencesOf(keys)) {
      if (have.count(ref) == 0) wanted.insert(ref);
    }
    for (const auto& ref : wanted) {
      std::string type, rid;
      if (!splitReference(ref, type, rid) || type == "Patient") continue;
      if (auto r = tx.resource(type, rid); r && !r->deleted) referenced.push_back(std::move(*r));
    }
  });
  if (!patient || patient->deleted) {
    return errorResponse(Error(ErrorCode::kNotFound, "Patient/" + id + " is not known", "id"));
  }
  std::string base = fhirBase(req, ctx.config);
  BundleWriter b("searchset", base);
  b.total(static_cast<int64_t>(1 + members.size() + referenced.size()));
  b.links({{"self", base + "/Patient/" + id + "/$everything"}});
  b.entry(*patient, "match");
  for (const auto& r : members) b.entry(r, "match");
  for (const auto& r : referenced) b.entry(r, "include");
  return jsonResponse(200, b.finish(), kFhirJson);
}

std::string capabilityStatement(const std::string& base) {
  json::Doc d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  d.AddMember("resourceType", "CapabilityStatement", a);
  d.AddMember("status", "active", a);
  d.AddMember("date", "2026-11-23", a);
  d.AddMember("publisher", "Raccordo", a);
  d.AddMember("kind", "instance", a);
  rapidjson::Value software(rapidjson::kObjectType);
  software.AddMember("name", "Raccordo", a);
  software.AddMember("version", "0.1.0", a);
  d.AddMember("software", software, a);
  rapidjson::Value impl(rapidjson::kObjectType);
  impl.AddMember("description", "Raccordo integrated-care record (read-only FHIR R4 API)", a);
  impl.AddMember("url", json::str(base, a), a);
  d.AddMember("implementation", impl, a);
  d.AddMember("fhirVersion", "4.0.1", a);
  rapidjson::Value formats(rapidjson::kArrayType);
  formats.PushBack("application/fhir+json", a);
  formats.PushBack("json", a);
  d.AddMember("format", formats, a);
  rapidjson::Value rest(rapidjson::kObjectType);
  rest.AddMember("mode", "server", a);
  rapidjson::Value resources(rapidjson::kArrayType);
  for (const auto& type : knownTypes()) {
    rapidjson::Value r(rapidjson::kObjectType);
    r.AddMember("type", json::str(type, a), a);
    rapidjson::Value interactions(rapidjson::kArrayType);
    for (const char* code : {"read", "vread", "history-instance", "search-type"}) {
      rapidjson::Value i(rapidjson::kObjectType);
      i.AddMember("code", rapidjson::StringRef(code), a);
      interactions.PushBack(i, a);
    }
    r.AddMember("interaction", interactions, a);
    r.AddMember("versioning", "versioned", a);
    r.AddMember("readHistory", true, a);
    rapidjson::Value params(rapidjson::kArrayType);
    for (auto [name, ptype] : std::initializer_list<std::pair<const char*, const char*>>{
             {"_id", "token"}, {"_lastUpdated", "date"}, {"identifier", "token"}, {"patient", "reference"}}) {
      if (type == "Patient" && std::string_view(name) == "patient") continue;
      rapidjson::Value p(rapidjson::kObjectType);
      p.AddMember("name", rapidjson::StringRef(name), a);
      p.AddMember("type", rapidjson::StringRef(ptype), a);
      params.PushBack(p, a);
    }
    r.AddMember("searchParam", params, a);
    if (type == "Patient") {
      rapidjson::Value ops(rapidjson::kArrayType);
      rapidjson::Value op(rapidjson::kObjectType);
      op.AddMember("name", "everything", a);
      op.AddMember("definition", "http://hl7.org/fhir/OperationDefinition/Patient-everything", a);
      ops.PushBack(op, a);
      r.AddMember("operation", ops, a);
    }
    resources.PushBack(r, a);
  }
  rest.AddMember("resource", resources, a);
  rapidjson::Value rests(rapidjson::kArrayType);
  rests.PushBack(rest, a);
  d.AddMember("rest", rests, a);
  return json::write(d);
}

}  // namespace

std::string fhirBase(const HttpRequest& request, const Config& config) {
  const std::string& configured = config.str("http.public_base_url");
  if (!configured.empty()) return configured;
  std::string host = request.header("host");
  if (host.empty()) host = config.str("http.listen");
  return "http://" + host + "/fhir";
}

void registerFhirRoutes(Router& router, ApiContext& ctx) {
  router.add("GET", "/fhir/metadata", "CapabilityStatement", [&ctx](const HttpRequest& req, const PathParams&) {
    return jsonResponse(200, capabilityStatement(fhirBase(req, ctx.config)), kFhirJson);
  });
  router.add("GET", "/fhir/Patient/{id}/$everything", "The integrated-care record of a citizen",
             [&ctx](const HttpRequest& req, const PathParams& p) { return everything(ctx, req, p.at("id")); });
  router.add("GET", "/fhir/{type}", "Search (identifier, patient, _id, _lastUpdated, _count, _offset)",
             [&ctx](const HttpRequest& req, const PathParams& p) {
               checkType(p.at("type"));
               return search(ctx, req, p.at("type"));
             });
  router.add("GET", "/fhir/{type}/{id}", "Read the current version",
             [&ctx](const HttpRequest&, const PathParams& p) {
               checkType(p.at("type"));
               std::optional<StoredResource> r;
               ctx.store.read([&](ReadTx& tx) { r = tx.resource(p.at("type"), p.at("id")); });
               if (!r || r->deleted) {
                 return errorResponse(Error(ErrorCode::kNotFound, p.at("type") + "/" + p.at("id") + " is not known", "id"));
               }
               return resourceResponse(*r);
             });
  router.add("GET", "/fhir/{type}/{id}/_history", "Every version, newest first",
             [&ctx](const HttpRequest& req, const PathParams& p) {
               checkType(p.at("type"));
               std::vector<StoredResource> versions;
               ctx.store.read([&](ReadTx& tx) { versions = tx.history(p.at("type"), p.at("id")); });
               if (versions.empty()) {
                 return errorResponse(Error(ErrorCode::kNotFound, p.at("type") + "/" + p.at("id") + " is not known", "id"));
               }
               std::string base = fhirBase(req, ctx.config);
               BundleWriter b("history", base);
               b.total(static_cast<int64_t>(versions.size()));
               b.links({{"self", base + "/" + p.at("type") + "/" + p.at("id") + "/_history"}});
               for (const auto& v : versions) b.historyEntry(v);
               return jsonResponse(200, b.finish(), kFhirJson);
             });
  router.add("GET", "/fhir/{type}/{id}/_history/{vid}", "Read one version",
             [&ctx](const HttpRequest&, const PathParams& p) {
               checkType(p.at("type"));
               std::optional<StoredResource> r;
               int64_t v = parseVersion(p.at("vid"));
               ctx.store.read([&](ReadTx& tx) { r = tx.resourceVersion(p.at("type"), p.at("id"), v); });
               if (!r) {
                 return errorResponse(Error(ErrorCode::kNotFound,
                                            p.at("type") + "/" + p.at("id") + " has no version " + p.at("vid"), "vid"));
               }
               return resourceResponse(*r);
             });
}

}  // namespace raccordo
