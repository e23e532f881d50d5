// The SINAPSIS-style record export of a synthetic citizen's GP
// (schemas/gp/export.schema.json, read back by gp-export): a full export of
// every fact of the GpClinical (the Patient Summary's and the newer ones),
// plus the GP's visits of the last year and, for some, a filed report.

#include <algorithm>
#include <array>
#include <string_view>

#include "gateway/core/json.h"
#include "gateway/synth/synth_gp.h"

namespace raccordo::synth::detail {

namespace {

using json::Value;

// PRNG streams: the GP record uses 2^61 + i; its export 2^61 + 2^60 + i.
constexpr uint64_t kGpExportStream = (uint64_t{1} << 61) + (uint64_t{1} << 60);

/// Six hex digits that tell the seeds apart in export ids.
std::string seedTag(uint64_t seed) {
  uint64_t s = seed ^ 0x4750ULL;
  const uint64_t mixed = splitmix64(s);
  static constexpr std::string_view kHex = "0123456789ABCDEF";
  std::string tag;
  for (int shift = 20; shift >= 0; shift -= 4) tag += kHex[(mixed >> shift) & 0xF];
  return tag;
}

std::string base64(std::string_view bytes) {
  static constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const uint32_t n = (static_cast<uint8_t>(bytes[i]) << 16) | (static_cast<uint8_t>(bytes[i + 1]) << 8) |
                       static_cast<uint8_t>(bytes[i + 2]);
    for (int shift = 18; shift >= 0; shift -= 6) out += kAlphabet[(n >> shift) & 0x3F];
  }
  if (i < bytes.size()) {
    uint32_t n = static_cast<uint8_t>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) n |= static_cast<uint8_t>(bytes[i + 1]) << 8;
    out += kAlphabet[(n >> 18) & 0x3F];
    out += kAlphabet[(n >> 12) & 0x3F];
    out += i + 1 < bytes.size() ? kAlphabet[(n >> 6) & 0x3F] : '=';
    out += '=';
  }
  return out;
}

/// The export's own codes for the contract's (mappings/gp/export-*.json, read backwards).
std::string_view therapyStatus(std::string_view status) {
  if (status == "completed") return "terminata";
  if (status == "stopped") return "interrotta";
  if (status == "on-hold") return "sospesa";
  if (status == "intended") return "prevista";
  return "in_corso";
}

std::string_view allergyCategory(std::string_view category) {
  if (category == "food") return "alimento";
  if (category == "environment") return "ambientale";
  if (category == "biologic") return "biologico";
  return "farmaco";
}

class ExportBuilder {
 public:
  ExportBuilder(uint64_t seed, const AtsCitizen& c, const GpClinical& g)
      : seed_(seed), c_(c), g_(g), rng_(seed, kGpExportStream + static_cast<uint64_t>(c.index)) {
    doc_.SetObject();
  }

  GpFile build() {
    auto& a = doc_.GetAllocator();
    const std::string export_id = "MMG-" + seedTag(seed_) + "-" + c_.person_id;
    put(doc_, "format", "raccordo.gp-export/1");
    put(doc_, "export_id", export_id);
    put(doc_, "kind", "full");
    put(doc_, "generated_at", gpDateTime(kReferenceDay, 6 * 3600 + rng_.range(0, 3599)));
    put(doc_, "certified_at", gpDateTime(g_.certified_day, rng_.range(9 * 3600, 18 * 3600)));
    Value software(rapidjson::kObjectType);
    put(software, "name", "Cartella clinica MMG (sintetica)");
    put(software, "version", "3.1");
    doc_.AddMember("software", software, a);
    Value gp(rapidjson::kObjectType);
    put(gp, "codice_fiscale", g_.gp_codice_fiscale);
    put(gp, "family_name", g_.gp_family_name);
    put(gp, "given_name", g_.gp_given_name);
    put(gp, "role", g_.gp_role);
    put(gp, "asl_code", g_.gp_asl_code);
    doc_.AddMember("gp", gp, a);
    Value patient(rapidjson::kObjectType);
    put(patient, "codice_fiscale", c_.codice_fiscale);
    put(patient, "family_name", c_.family_name);
    put(patient, "given_name", c_.given_name);
    put(patient, "birth_date", isoDate(c_.birth));
    put(patient, "sex", std::string(1, c_.sex));
    doc_.AddMember("patient", patient, a);

    Value problems(rapidjson::kArrayType), allergies(rapidjson::kArrayType), therapies(rapidjson::kArrayType),
        vitals(rapidjson::kArrayType), vaccinations(rapidjson::kArrayType);
    for (const GpFact& f : g_.facts) {
      if (f.kind == "condition") problems.PushBack(problem(f), a);
      if (f.kind == "allergy") allergies.PushBack(allergy(f), a);
      if (f.kind == "medication") therapies.PushBack(therapy(f), a);
      if (f.kind == "vital_sign") vitals.PushBack(vitalSign(f), a);
      if (f.kind == "immunization") vaccinations.PushBack(vaccination(f), a);
      // A device has no list of its own in the export: its problem (V45.01) stands for it.
    }
    for (auto [name, list] : std::array<std::pair<const char*, Value*>, 5>{{{"problems", &problems},
                                                                             {"allergies", &allergies},
                                                                             {"therapies", &therapies},
                                                                             {"vital_signs", &vitals},
                                                                             {"vaccinations", &vaccinations}}}) {
      if (!list->Empty()) doc_.AddMember(Value(name, a), *list, a);
    }
    addVisits();
    addReports();
    GpFile file;
    file.file = c_.person_id + "-export.json";
    file.bytes = json::writePretty(doc_) + "\n";
    file.record_id = export_id;
    return file;
  }

 private:
  void put(Value& obj, const char* name, std::string_view value) {
    auto& a = doc_.GetAllocator();
    obj.AddMember(Value(name, a), json::str(value, a), a);
  }

  /// The item's id and updated time.
  Value item(const GpFact& f) {
    Value v(rapidjson::kObjectType);
    put(v, "id", f.local_id);
    // Afternoons: after the morning's measurements (vital signs are measured at 10:00+01:00).
    if (f.updated_day != 0) put(v, "updated", gpDateTime(f.updated_day, rng_.range(12 * 3600, 19 * 3600)));
    return v;
  }

  Value problem(const GpFact& f) {
    Value v = item(f);
    put(v, "icd9cm", f.code);
    put(v, "description", f.display);
    put(v, "status", f.status == "resolved" ? "risolto" : f.status == "inactive" ? "inattivo" : "attivo");
    put(v, "onset", isoDate(f.start_day));
    if (f.end_day != 0) put(v, "resolved", isoDate(f.end_day));
    return v;
  }

  Value allergy(const GpFact& f) {
    auto& a = doc_.GetAllocator();
    Value v = item(f);
    Value substance(rapidjson::kObjectType);
    put(substance, "system", "ATC");
    put(substance, "code", f.code);
    put(substance, "display", f.display);
    v.AddMember("substance", substance, a);
    put(v, "category", allergyCategory(f.category));
    put(v, "status", f.status == "resolved" ? "risolta" : f.status == "inactive" ? "inattiva" : "attiva");
    put(v, "verification", "confermata");
    put(v, "criticality", f.criticality == "high" ? "alta" : "bassa");
    put(v, "onset", isoDate(f.start_day));
    if (!f.reaction.empty()) {
      Value reaction(rapidjson::kObjectType);
      put(reaction, "description", f.reaction);
      if (!f.reaction_code.empty()) put(reaction, "snomed", f.reaction_code);
      put(reaction, "severity", f.criticality == "high" ? "grave" : "moderata");
      Value reactions(rapidjson::kArrayType);
      reactions.PushBack(reaction, a);
      v.AddMember("reactions", reactions, a);
    }
    return v;
  }

  Value therapy(const GpFact& f) {
    Value v = item(f);
    put(v, "atc", f.code);
    if (!f.other_code.empty()) put(v, "aic", f.other_code);
    put(v, "description", f.display);
    if (!f.dosage.empty()) put(v, "dosage", f.dosage);
    put(v, "start", isoDate(f.start_day));
    if (f.end_day != 0) put(v, "end", isoDate(f.end_day));
    put(v, "status", therapyStatus(f.status));
    return v;
  }

  Value measurement(std::string_view loinc, double value, std::string_view unit) {
    auto& a = doc_.GetAllocator();
    Value m(rapidjson::kObjectType);
    put(m, "loinc", loinc);
    m.AddMember("value", value, a);
    put(m, "unit", unit);
    return m;
  }

  Value vitalSign(const GpFact& f) {
    auto& a = doc_.GetAllocator();
    Value v = item(f);
    put(v, "loinc", f.code);
    // The time the CDA Patient Summary writes too, so both give one effective time.
    put(v, "measured_at", isoDate(f.start_day) + "T10:00:00+01:00");
    if (f.code == "85354-9") {
      Value components(rapidjson::kArrayType);
      components.PushBack(measurement("8480-6", f.value, f.unit), a);
      components.PushBack(measurement("8462-4", f.value2, f.unit), a);
      v.AddMember("components", components, a);
    } else {
      v.AddMember("value", f.value, a);
      put(v, "unit", f.unit);
    }
    return v;
  }

  Value vaccination(const GpFact& f) {
    auto& a = doc_.GetAllocator();
    Value v = item(f);
    Value vaccine(rapidjson::kObjectType);
    put(vaccine, "system", "ATC");
    put(vaccine, "code", f.code);
    put(vaccine, "display", f.display);
    v.AddMember("vaccine", vaccine, a);
    put(v, "date", isoDate(f.start_day));
    if (!f.lot.empty()) put(v, "lot", f.lot);
    if (f.dose_number > 0) v.AddMember("dose_number", f.dose_number, a);
    if (f.status == "not-done") put(v, "status", "non_eseguita");
    return v;
  }

  void addVisits() {
    auto& a = doc_.GetAllocator();
    std::vector<const GpFact*> problems;
    for (const GpFact& f : g_.facts) {
      if (f.kind == "condition") problems.push_back(&f);
    }
    const int count = rng_.range(0, problems.empty() ? 2 : 4);
    std::vector<int> days;
    for (int i = 0; i < count; ++i) days.push_back(kReferenceDay - rng_.range(2, 365));
    std::sort(days.begin(), days.end());
    Value visits(rapidjson::kArrayType);
    static constexpr std::array<std::string_view, 4> kTypes = {"ambulatoriale", "telefonica", "domiciliare",
                                                               "televisita"};
    static constexpr std::array<int, 4> kWeights = {70, 18, 7, 5};
    for (std::size_t i = 0; i < days.size(); ++i) {
      Value v(rapidjson::kObjectType);
      put(v, "id", "VI" + padded(i + 1, 4));
      const int second = rng_.range(8 * 3600, 18 * 3600) / 900 * 900;  // quarter hours
      put(v, "updated", gpDateTime(days[i], second + 1800));
      put(v, "date", gpDateTime(days[i], second));
      put(v, "type", kTypes[rng_.weighted(kWeights)]);
      Value reason(rapidjson::kObjectType);
      if (!problems.empty() && rng_.chance(60)) {
        const GpFact& p = *problems[rng_.below(problems.size())];
        put(reason, "icd9cm", p.code);
        put(reason, "text", "Controllo: " + p.display);
      } else {
        static constexpr std::array<std::string_view, 4> kReasons = {
            "Controllo periodico", "Rinnovo prescrizioni", "Sintomi influenzali", "Dolore lombare"};
        put(reason, "text", kReasons[rng_.below(kReasons.size())]);
      }
      v.AddMember("reason", reason, a);
      visits.PushBack(v, a);
    }
    if (!visits.Empty()) doc_.AddMember("visits", visits, a);
  }

  void addReports() {
    if (!rng_.chance(30)) return;
    auto& a = doc_.GetAllocator();
    const int day = kReferenceDay - rng_.range(10, 300);
    const int glucose = rng_.range(78, 135);
    const int cholesterol = rng_.range(150, 260);
    const std::string text = "Esami ematochimici del " + isoDate(day) + "\nGlicemia: " + std::to_string(glucose) +
                             " mg/dL (70-100)\nColesterolo totale: " + std::to_string(cholesterol) +
                             " mg/dL (< 200)\nReferto sintetico, dati non reali.\n";
    Value r(rapidjson::kObjectType);
    put(r, "id", "RP0001");
    put(r, "updated", gpDateTime(day + 2, 9 * 3600));
    put(r, "type_loinc", "11502-2");
    put(r, "date", isoDate(day));
    put(r, "title", "Esami ematochimici");
    Value author(rapidjson::kObjectType);
    put(author, "family_name", "Laboratorio analisi");
    put(author, "organization", "ASST Fatebenefratelli Sacco");
    r.AddMember("author", author, a);
    Value attachment(rapidjson::kObjectType);
    put(attachment, "id", "1");
    put(attachment, "title", "Referto di laboratorio");
    put(attachment, "media_type", "text/plain");
    put(attachment, "data", base64(text));
    Value attachments(rapidjson::kArrayType);
    attachments.PushBack(attachment, a);
    r.AddMember("attachments", attachments, a);
    Value reports(rapidjson::kArrayType);
    reports.PushBack(r, a);
    doc_.AddMember("reports", reports, a);
  }

  uint64_t seed_;
  const AtsCitizen& c_;
  const GpClinical& g_;
  Rng rng_;
  json::Doc doc_;
};

}  // namespace

GpFile gpExport(uint64_t seed, const AtsCitizen& citizen, const GpClinical& clinical) {
  return ExportBuilder(seed, citizen, clinical).build();
}

}  // namespace raccordo::synth::detail
