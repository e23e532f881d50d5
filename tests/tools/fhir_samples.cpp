// Writes the FHIR resources Raccordo makes from representative records of
// every kind (SISA examples, ATS HL7 and CSV messages, GP facts and
// documents), as stored by the pipeline with their Provenance, one file per
// resource, plus what the read API answers about them (the
// CapabilityStatement, each citizen's $everything Bundle, a search Bundle):
//   fhir_samples OUT_DIR [GP_FILE.xml|GP_FILE.json]...
// Further GP files (a CDA document, an export) are sent through gp-cda or
// gp-export after the built-in samples and the examples in
// schemas/gp/examples. The ctest `fhir_validator` then checks the folder with
// an independent FHIR R4 validator (tests/fhir-validator/validate.js).

#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

#include "adapters/builtin.h"
#include "gateway/api/api.h"
#include "gateway/core/clock.h"
#include "gateway/core/metrics.h"
#include "gateway/journal/journal.h"
#include "gateway/mapping/pipeline.h"
#include "gateway/store/sqlite/sqlite_store.h"
#include "tests/support/ats_hl7_fixtures.h"

namespace raccordo {
namespace {

namespace fs = std::filesystem;
namespace fx = testing::hl7fx;

std::string readFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// "gp-samples": the GP kinds as an adapter would decode them; the body is
// {"records": [{kind, source_id, data}]} about fx::kCf.
class GpSamplesAdapter final : public Adapter {
 public:
  std::string name() const override { return "gp-samples"; }
  std::vector<std::string> mediaTypes() const override { return {"application/json"}; }
  Result<Envelope> inspect(std::string_view) const override { return Envelope{}; }
  Result<DecodedMessage> decode(std::string_view bytes, const MessageMeta&) const override {
    json::Doc body;
    body.Parse(bytes.data(), bytes.size());
    if (body.HasParseError()) return Error(ErrorCode::kInvalidInput, "not JSON", "gp-samples");
    DecodedMessage m;
    m.source = "gp";
    m.citizen_key = fx::kCf;
    for (const auto& r : body["records"].GetArray()) {
      Record rec;
      rec.kind = r["kind"].GetString();
      rec.source_id = r["source_id"].GetString();
      rec.data.CopyFrom(r["data"], rec.data.GetAllocator());
      m.records.push_back(std::move(rec));
    }
    return m;
  }
};

// Every GP kind, with the optional fields filled, the Patient Summary listing
// the facts it carries, and a withdrawn fact.
const char* kGpRecords = R"({"records": [
 {"kind": "allergy", "source_id": "PSS-1.all.1", "data": {
   "code": {"system": "http://snomed.info/sct", "code": "91936005", "display": "Allergia alla penicillina"},
   "text": "Allergia alla penicillina", "asserted": "2024-08-31T10:00:00+02:00", "category": "medication",
   "clinical_status": "active", "verification": "confirmed", "criticality": "high", "onset": "2001-05-01",
   "reactions": [{"manifestation": {"system": "http://snomed.info/sct", "code": "247472004", "display": "Orticaria"},
                  "severity": "moderate"}, {"manifestation": "Prurito"}],
   "author": {"id": "BNCLCU75C12F205G", "family_name": "Bianchi", "given_name": "Luca",
              "id_system": "http://hl7.it/sid/codiceFiscale"}, "note": "Riferita dalla paziente"}},
 {"kind": "allergy", "source_id": "PSS-1.all.2", "data": {"text": "Intolleranza al lattosio",
   "asserted": "2024-08-31", "clinical_status": "active", "removed": "entered-in-error"}},
 {"kind": "condition", "source_id": "PSS-1.cond.1", "data": {
   "code": {"system": "http://hl7.org/fhir/sid/icd-9-cm", "code": "250.00", "display": "Diabete mellito tipo II"},
   "asserted": "2024-08-31T10:00:00+02:00", "category": "problem-list-item", "clinical_status": "active",
   "onset": "2015-03-10", "severity": {"system": "http://snomed.info/sct", "code": "6736007", "display": "Moderate"},
   "author": {"id": "BNCLCU75C12F205G", "id_system": "http://hl7.it/sid/codiceFiscale"}}},
 {"kind": "condition", "source_id": "PSS-1.cond.2", "data": {
   "code": {"system": "http://hl7.org/fhir/sid/icd-9-cm", "code": "540.9", "display": "Appendicite acuta"},
   "asserted": "2024-08-31", "category": "problem-list-item", "clinical_status": "resolved",
   "onset": "1985-07-01", "abatement": "1985-07-10"}},
 {"kind": "medication", "source_id": "PSS-1.med.1", "data": {
   "code": {"system": "http://www.whocc.no/atc", "code": "A10BA02", "display": "Metformina"},
   "other_codes": [{"system": "urn:oid:2.16.840.1.113883.2.9.6.1.5", "code": "012345678",
                    "display": "Metformina 500 mg"}],
   "asserted": "2024-08-31T10:00:00+02:00", "status": "active", "start": "2015-03-10",
   "dosage": "500 mg due volte al giorno",
   "route": {"system": "http://snomed.info/sct", "code": "26643006", "display": "Oral"}}},
 {"kind": "medication", "source_id": "EXP-7.med.4", "data": {
   "code": {"system": "http://www.whocc.no/atc", "code": "C09AA05", "display": "Ramipril"},
   "asserted": "2024-09-15", "status": "active", "removed": "deleted"}},
 {"kind": "immunization", "source_id": "PSS-1.imm.1", "data": {
   "code": {"system": "http://www.whocc.no/atc", "code": "J07BB02", "display": "Vaccino antinfluenzale"},
   "date": "2023-11-05", "asserted": "2024-08-31T10:00:00+02:00", "status": "completed", "lot": "L123",
   "dose_number": 1, "site": {"system": "http://snomed.info/sct", "code": "368208006", "display": "Left upper arm"}}},
 {"kind": "vital_sign", "source_id": "PSS-1.vs.1", "data": {
   "code": {"system": "http://loinc.org", "code": "85354-9", "display": "Blood pressure panel"},
   "effective": "2024-08-20T09:30:00+02:00", "asserted": "2024-08-31T10:00:00+02:00",
   "components": [
     {"code": {"system": "http://loinc.org", "code": "8480-6", "display": "Systolic blood pressure"},
      "value_quantity": {"value": 135, "unit": "mmHg", "ucum_code": "mm[Hg]"}},
     {"code": {"system": "http://loinc.org", "code": "8462-4", "display": "Diastolic blood pressure"},
      "value_quantity": {"value": 85, "unit": "mmHg", "ucum_code": "mm[Hg]"}}]}},
 {"kind": "vital_sign", "source_id": "PSS-1.vs.2", "data": {
   "code": {"system": "http://loinc.org", "code": "29463-7", "display": "Body weight"},
   "effective": "2024-08-20T09:30:00+02:00", "asserted": "2024-08-31",
   "value_quantity": {"value": 82.5, "unit": "kg", "ucum_code": "kg"}}},
 {"kind": "device", "source_id": "PSS-1.dev.1", "data": {
   "code": {"system": "http://snomed.info/sct", "code": "14106009", "display": "Pacemaker"},
   "asserted": "2024-08-31T10:00:00+02:00", "status": "active", "start": "2019-02-01"}},
 {"kind": "care_plan", "source_id": "PSS-1.plan", "data": {
   "title": "Piano di cura", "text": "Controllo glicemico trimestrale, dieta.", "asserted": "2024-08-31T10:00:00+02:00",
   "period_start": "2024-09-01", "period_end": "2025-08-31",
   "activities": [{"code": {"system": "http://loinc.org", "code": "4548-4", "display": "Hemoglobin A1c"},
                   "text": "Emoglobina glicata", "scheduled": "2024-12-01"}, {"text": "Visita diabetologica"}],
   "author": {"id": "BNCLCU75C12F205G", "id_system": "http://hl7.it/sid/codiceFiscale"}}},
 {"kind": "visit", "source_id": "EXP-7.visit.3", "data": {
   "date": "2024-09-10T11:00:00+02:00", "reason": "Controllo pressione",
   "type": {"system": "http://snomed.info/sct", "code": "185349003", "display": "Encounter for check up"},
   "practitioner": {"id": "BNCLCU75C12F205G", "id_system": "http://hl7.it/sid/codiceFiscale"}}},
 {"kind": "document", "source_id": "2.16.840.1.113883.2.9.2.30.1^PSS-1", "data": {
   "type": {"system": "http://loinc.org", "code": "60591-5", "display": "Patient summary Document"},
   "title": "Profilo Sanitario Sintetico", "date": "2024-08-31T10:00:00+02:00",
   "certified": "2024-08-31T10:00:00+02:00", "status": "current",
   "document_id": "2.16.840.1.113883.2.9.2.30.1^PSS-1", "set_id": "2.16.840.1.113883.2.9.2.30.1^PSS", "version": 1,
   "author": {"id": "BNCLCU75C12F205G", "id_system": "http://hl7.it/sid/codiceFiscale"},
   "authenticator": {"id": "BNCLCU75C12F205G", "id_system": "http://hl7.it/sid/codiceFiscale"},
   "custodian": {"code": "COOP-MMG-1", "name": "Cooperativa medici"},
   "content_type": "application/xml", "content_base64": "PENsaW5pY2FsRG9jdW1lbnQgeG1sbnM9InVybjpobDctb3JnOnYzIi8+",
   "sections": [{"code": {"system": "http://loinc.org", "code": "11450-4"}, "title": "Lista dei problemi",
                 "text": "Diabete", "mapped": true},
                {"title": "Stile di vita", "text": "Non fuma. Cammina ogni giorno.", "mapped": false}],
   "facts": [{"kind": "allergy", "source_id": "PSS-1.all.1"}, {"kind": "condition", "source_id": "PSS-1.cond.1"},
             {"kind": "medication", "source_id": "PSS-1.med.1"}, {"kind": "immunization", "source_id": "PSS-1.imm.1"},
             {"kind": "vital_sign", "source_id": "PSS-1.vs.1"}, {"kind": "device", "source_id": "PSS-1.dev.1"},
             {"kind": "care_plan", "source_id": "PSS-1.plan"}]}},
 {"kind": "document", "source_id": "EXP-7-R2", "data": {
   "type": {"system": "http://loinc.org", "code": "11502-2", "display": "Laboratory report"},
   "date": "2024-09-01", "status": "current", "document_id": "EXP-7-R2",
   "content_type": "application/pdf", "content_base64": "JVBERi0xLjQK"}}
]})";

struct Sample {
  std::string adapter;
  std::string body;
};

int run(const fs::path& out, const std::vector<fs::path>& extra_gp_files) {
  fs::remove_all(out);
  fs::create_directories(out / "store");
  const fs::path source(RACCORDO_SOURCE_DIR);
  AdapterRegistry registry;
  AdapterEnvironment env;
  env.mappings_dir = source / "mappings";
  env.schemas_dir = source / "schemas";
  if (auto st = registerBuiltinAdapters(registry, env); !st.ok()) {
    std::cerr << "cannot load the adapters: " << st.error().describe() << "\n";
    return 1;
  }
  if (auto st = registry.add(std::make_shared<GpSamplesAdapter>()); !st.ok()) return 1;

  std::vector<Sample> samples;
  for (const auto& e : fs::directory_iterator(source / "schemas/sisa/examples")) {
    if (e.path().extension() == ".json") samples.push_back({"sisa", readFile(e.path())});
  }
  std::sort(samples.begin(), samples.end(), [](const Sample& x, const Sample& y) { return x.body < y.body; });
  samples.push_back({"ats-hl7", fx::adtA01()});
  samples.push_back({"ats-hl7", fx::oruR01()});
  samples.push_back({"ats-hl7", fx::adtA40()});
  samples.push_back({"ats-csv/ticket-exemptions",
                     std::string("codice_fiscale;codice_esenzione;data_inizio;data_fine;ente\n") + fx::kCf +
                         ";E01;2025-01-01;;ASST-FBF-SACCO\n" + fx::kCf + ";048;2024-06-15;2029-06-14;\n"});
  samples.push_back({"gp-samples", kGpRecords});
  // The GP adapters' own examples, decoded by the real adapters.
  std::vector<Sample> gp_examples;
  if (const fs::path dir = source / "schemas/gp/examples"; fs::is_directory(dir)) {
    for (const auto& e : fs::directory_iterator(dir)) {
      std::string adapter = e.path().extension() == ".json" ? "gp-export" : e.path().extension() == ".xml" ? "gp-cda" : "";
      if (!adapter.empty() && e.is_regular_file() && registry.find(adapter) != nullptr) {
        gp_examples.push_back({adapter, readFile(e.path())});
      }
    }
  }
  for (const auto& extra : extra_gp_files) {
    gp_examples.push_back({extra.extension() == ".xml" ? "gp-cda" : "gp-export", readFile(extra)});
  }
  std::sort(gp_examples.begin(), gp_examples.end(), [](const Sample& x, const Sample& y) { return x.body < y.body; });
  samples.insert(samples.end(), gp_examples.begin(), gp_examples.end());

  SqliteOptions options;
  options.path = (out / "store" / "samples.db").string();
  options.synchronous_full = false;
  auto store = openSqliteStore(options);
  if (!store.ok()) {
    std::cerr << "cannot open the store: " << store.error().describe() << "\n";
    return 1;
  }
  Pipeline pipeline(registry, MappingContext{});
  std::set<std::pair<std::string, std::string>> written;  // type, id
  int64_t id = 0;
  for (const auto& s : samples) {
    MessageRecord m;
    m.id = ++id;
    m.adapter = s.adapter;
    m.sender = "fhir-samples";
    m.raw = s.body;
    auto fn = pipeline.prepare(m);
    if (!fn.ok()) {
      std::cerr << "message " << id << " (" << s.adapter << "): " << fn.error().describe() << "\n";
      return 1;
    }
    std::string summary;
    (*store)->write([&](WriteTx& tx) { summary = (*fn)(tx, 1790000000000 + id * 1000); });
    json::Doc d;
    d.Parse(summary.c_str());
    for (const auto& c : d["changed"].GetArray()) {
      std::string text = c.GetString();  // Type/id/_history/n
      auto slash = text.find('/');
      written.emplace(text.substr(0, slash), text.substr(slash + 1, text.find('/', slash + 1) - slash - 1));
    }
    if (auto prov = json::getStr(d, "provenance"); !prov.empty()) {
      written.emplace("Provenance", std::string(prov.substr(prov.find('/') + 1)));
    }
  }
  int files = 0;
  auto save = [&](const std::string& name, const std::string& text) {
    std::ofstream(out / (name + ".json"), std::ios::binary) << text;
    ++files;
  };
  (*store)->read([&](ReadTx& tx) {
    for (const auto& [type, rid] : written) {
      if (auto r = tx.resource(type, rid)) save(type + "-" + rid, r->json);
    }
  });
  // The read API's own resources, through the route handlers (no network).
  ManualClock clock(1790000000000);
  Metrics metrics;
  Config config;
  Journal journal(**store, registry, pipeline, JournalOptions{}, clock, metrics);
  ApiContext api{**store, journal, registry, config, metrics};
  Router router;
  registerFhirRoutes(router, api);
  auto get = [&](const std::string& target, const std::string& name) {
    HttpRequest req;
    req.method = "GET";
    req.target = target;
    req.headers["host"] = "localhost";
    req.splitTarget();
    HttpResponse resp = router.handle(req);
    if (resp.status != 200) {
      std::cerr << "GET " << target << ": " << resp.status << " " << resp.body << "\n";
      return false;
    }
    save(name, resp.body);
    return true;
  };
  bool ok = get("/fhir/metadata", "api-CapabilityStatement");
  for (const auto& [type, rid] : written) {
    if (type == "Patient") ok = get("/fhir/Patient/" + rid + "/$everything", "api-everything-" + rid) && ok;
  }
  ok = get("/fhir/Condition?patient=" + patientIdFor(fx::kCf), "api-search-Condition") && ok;
  if (!ok) return 1;
  (*store)->close();
  fs::remove_all(out / "store");
  std::cout << "fhir_samples: " << files << " resources from " << samples.size() << " messages in " << out.string()
            << "\n";
  return 0;
}

}  // namespace
}  // namespace raccordo

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: fhir_samples OUT_DIR [GP_FILE.xml|GP_FILE.json]...\n";
    return 2;
  }
  try {
    return raccordo::run(argv[1], std::vector<std::filesystem::path>(argv + 2, argv + argc));
  } catch (const std::exception& e) {
    std::cerr << "fhir_samples: " << e.what() << "\n";
    return 1;
  }
}
