// The CDA documents of a synthetic citizen's GP record: a Patient Summary
// (Profilo Sanitario Sintetico, HL7 Italia PSS) with every fact the GP put in
// it, and for about one citizen in five a hospital discharge letter or a lab
// report. Shaped like the guides' examples, read back by gp-cda.

#include <algorithm>
#include <cstdio>
#include <string_view>

#include "gateway/synth/synth_gp.h"

namespace raccordo::synth::detail {

namespace {

constexpr uint64_t kGpCdaStream = 0x6C0DA2026ULL;  // this generator's PRNG stream family
constexpr std::string_view kCfRoot = "2.16.840.1.113883.2.9.4.3.2";
constexpr std::string_view kDocRoot = "2.16.840.1.113883.2.9.2.30.4.4";    // documents of the (synthetic) regional FSE
constexpr std::string_view kEntryRoot = "2.16.840.1.113883.2.9.2.30.4.5";  // items of the GP's record

std::string esc(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string ts(int day) {
  std::string d = isoDate(day);
  return d.substr(0, 4) + d.substr(5, 2) + d.substr(8, 2);
}

/// A CDA TS with Europe/Rome's offset of that day: "20260915110000+0200".
std::string tsTime(int day, int hour) {
  const std::string iso = gpDateTime(day, hour * 3600);  // 2026-09-15T11:00:00+02:00
  return iso.substr(0, 4) + iso.substr(5, 2) + iso.substr(8, 2) + iso.substr(11, 2) + iso.substr(14, 2) +
         iso.substr(17, 2) + iso.substr(19, 3) + iso.substr(23, 2);
}

std::string_view oidOf(std::string_view system) {
  if (system == "http://hl7.org/fhir/sid/icd-9-cm") return "2.16.840.1.113883.6.103";
  if (system == "http://www.whocc.no/atc") return "2.16.840.1.113883.6.73";
  if (system == "urn:oid:2.16.840.1.113883.2.9.6.1.5") return "2.16.840.1.113883.2.9.6.1.5";
  if (system == "http://loinc.org") return "2.16.840.1.113883.6.1";
  if (system == "http://snomed.info/sct") return "2.16.840.1.113883.6.96";
  if (system.starts_with("urn:oid:")) return system.substr(8);
  return "2.16.840.1.113883.2.9.2.30.6.99";  // a local code system
}

std::string codeEl(std::string_view element, const GpFact& f, std::string_view ref = {}) {
  std::string out = "<" + std::string(element) + " code=\"" + esc(f.code) + "\" codeSystem=\"" +
                    std::string(oidOf(f.code_system)) + "\" displayName=\"" + esc(f.display) + "\"";
  if (ref.empty()) return out + "/>";
  return out + "><originalText><reference value=\"#" + std::string(ref) + "\"/></originalText></" +
         std::string(element) + ">";
}

std::string idEl(const GpFact& f) {
  return "<id root=\"" + std::string(kEntryRoot) + "\" extension=\"" + esc(f.local_id) + "\"/>";
}

std::string statusObs(const std::string& status) {
  std::string_view code = status == "active" ? "LA16666-2" : status == "resolved" ? "LA9041-0" : "LA18632-2";
  return "<entryRelationship typeCode=\"REFR\" inversionInd=\"false\"><observation classCode=\"OBS\" moodCode=\"EVN\">"
         "<templateId root=\"2.16.840.1.113883.2.9.10.1.4.3.1.6\"/>"
         "<code code=\"33999-4\" codeSystem=\"2.16.840.1.113883.6.1\" codeSystemName=\"LOINC\" displayName=\"Stato\"/>"
         "<statusCode code=\"completed\"/><value xsi:type=\"CE\" code=\"" +
         std::string(code) + "\" codeSystem=\"2.16.840.1.113883.6.1\"/></observation></entryRelationship>";
}

std::string intoleranceType(std::string_view category) {
  if (category == "medication") return "DALG";
  if (category == "food") return "FALG";
  if (category == "environment") return "EALG";
  return "ALG";
}

/// Reaction (MFST) and criticality (SEV) of an allergy, when the GP noted them.
std::string allergyDetails(const GpFact& f) {
  std::string out;
  if (!f.reaction_code.empty() || !f.reaction.empty()) {
    out += "<entryRelationship typeCode=\"MFST\"><observation classCode=\"OBS\" moodCode=\"EVN\">"
           "<templateId root=\"2.16.840.1.113883.2.9.10.1.4.3.1.5.1\"/>"
           "<code code=\"75321-0\" codeSystem=\"2.16.840.1.113883.6.1\"/><statusCode code=\"completed\"/>";
    out += f.reaction_code.empty()
               ? "<value xsi:type=\"CD\" nullFlavor=\"OTH\"><originalText>" + esc(f.reaction) + "</originalText></value>"
               : "<value xsi:type=\"CD\" code=\"" + esc(f.reaction_code) +
                     "\" codeSystem=\"2.16.840.1.113883.6.96\" displayName=\"" + esc(f.reaction) + "\"/>";
    out += "</observation></entryRelationship>";
  }
  if (f.criticality == "low" || f.criticality == "high") {
    out += "<entryRelationship typeCode=\"SUBJ\" inversionInd=\"true\"><observation classCode=\"OBS\" moodCode=\"EVN\">"
           "<templateId root=\"2.16.840.1.113883.2.9.10.1.4.3.1.5.3\"/>"
           "<code code=\"SEV\" codeSystem=\"2.16.840.1.113883.5.4\"/><statusCode code=\"completed\"/>"
           "<value xsi:type=\"CD\" code=\"" + std::string(f.criticality == "high" ? "H" : "L") +
           "\" codeSystem=\"2.16.840.1.113883.5.1063\"/></observation></entryRelationship>";
  }
  return out;
}

/// The product of a therapy or vaccination: the AIC code with the ATC code as
/// its translation (as the guide's examples), or the one code given.
std::string productCode(const GpFact& f, const std::string& ref) {
  if (f.other_code.empty()) return codeEl("code", f, ref);
  return "<code code=\"" + esc(f.other_code) + "\" codeSystem=\"2.16.840.1.113883.2.9.6.1.5\" codeSystemName=\"AIC\">"
         "<originalText><reference value=\"#" + ref + "\"/></originalText>" +
         codeEl("translation", f) + "</code>";
}

std::string period(const GpFact& f) {
  std::string out = "<effectiveTime><low value=\"" + ts(f.start_day) + "\"/>";
  if (f.end_day != 0) out += "<high value=\"" + ts(f.end_day) + "\"/>";
  return out + "</effectiveTime>";
}

std::string entryFor(const GpFact& f, std::size_t n) {
  std::string ref = "ref" + std::to_string(n);
  if (f.kind == "allergy") {
    return "<entry><act classCode=\"ACT\" moodCode=\"EVN\"><templateId root=\"2.16.840.1.113883.2.9.10.1.4.3.1.1\"/>" +
           idEl(f) + "<code nullFlavor=\"NA\"/><statusCode code=\"active\"/>" + period(f) +
           "<entryRelationship typeCode=\"SUBJ\"><observation classCode=\"OBS\" moodCode=\"EVN\">"
           "<templateId root=\"2.16.840.1.113883.2.9.10.1.4.3.1.3\"/>" + idEl(f) +
           "<code code=\"52473-6\" codeSystem=\"2.16.840.1.113883.6.1\"/><statusCode code=\"completed\"/>" + period(f) +
           "<value xsi:type=\"CD\" code=\"" + intoleranceType(f.category) + "\" codeSystem=\"2.16.840.1.113883.5.4\"/>"
           "<participant typeCode=\"CSM\"><participantRole classCode=\"MANU\"><playingEntity classCode=\"MMAT\">" +
           codeEl("code", f, ref) + "</playingEntity></participantRole></participant>" + allergyDetails(f) +
           statusObs(f.status) +
           "</observation></entryRelationship></act></entry>";
  }
  if (f.kind == "condition") {
    return "<entry><act classCode=\"ACT\" moodCode=\"EVN\"><templateId root=\"2.16.840.1.113883.2.9.10.1.4.3.4.1\"/>" +
           idEl(f) + "<code nullFlavor=\"NA\"/><statusCode code=\"" + (f.status == "active" ? "active" : "completed") +
           "\"/>" + period(f) +
           "<entryRelationship typeCode=\"SUBJ\" inversionInd=\"false\"><observation classCode=\"OBS\" moodCode=\"EVN\">"
           "<templateId root=\"2.16.840.1.113883.2.9.10.1.4.3.4.2\"/>" + idEl(f) +
           "<code code=\"75326-9\" codeSystem=\"2.16.840.1.113883.6.1\" displayName=\"Problem\"/>"
           "<statusCode code=\"completed\"/>" + period(f) +
           codeEl("value", f, ref).insert(6, " xsi:type=\"CD\"") + statusObs(f.status) +
           "</observation></entryRelationship></act></entry>";
  }
  if (f.kind == "medication" || f.kind == "immunization") {
    bool vaccine = f.kind == "immunization";
    std::string status = vaccine ? "completed"
                         : f.status == "completed" ? "completed"
                         : f.status == "stopped" ? "aborted"
                         : f.status == "on-hold" ? "suspended"
                                                 : "active";
    std::string out = "<entry><substanceAdministration classCode=\"SBADM\" moodCode=\"EVN\"><templateId root=\"" +
                      std::string(vaccine ? "2.16.840.1.113883.2.9.10.1.4.3.3.1" : "2.16.840.1.113883.2.9.10.1.4.3.2.1") +
                      "\"/>" + idEl(f) +
                      (vaccine ? "<code code=\"IMMUNIZ\" codeSystem=\"2.16.840.1.113883.5.4\"/>" : "") +
                      "<statusCode code=\"" + status + "\"/>";
    out += vaccine ? "<effectiveTime value=\"" + ts(f.start_day) + "\"/>"
                   : "<effectiveTime xsi:type=\"IVL_TS\"><low value=\"" + ts(f.start_day) + "\"/>" +
                         (f.end_day != 0 ? "<high value=\"" + ts(f.end_day) + "\"/>" : std::string()) +
                         "</effectiveTime>";
    if (!vaccine && !f.dosage.empty()) out += "<text><reference value=\"#" + ref + "-dose\"/></text>";
    out += "<consumable><manufacturedProduct classCode=\"MANU\"><manufacturedMaterial>" + productCode(f, ref);
    if (vaccine && !f.lot.empty()) out += "<lotNumberText>" + esc(f.lot) + "</lotNumberText>";
    out += "</manufacturedMaterial></manufacturedProduct></consumable>";
    if (vaccine && f.dose_number > 0) {
      out += "<entryRelationship typeCode=\"SUBJ\"><observation classCode=\"OBS\" moodCode=\"EVN\">"
             "<templateId root=\"2.16.840.1.113883.2.9.10.1.4.3.3.4\"/>"
             "<code code=\"30973-2\" codeSystem=\"2.16.840.1.113883.6.1\" displayName=\"Numero dose\"/>"
             "<statusCode code=\"completed\"/><value xsi:type=\"INT\" value=\"" +
             std::to_string(f.dose_number) + "\"/></observation></entryRelationship>";
    }
    out += "</substanceAdministration></entry>";
    return out;
  }
  if (f.kind == "vital_sign") {
    auto obs = [&](std::string_view code, std::string_view display, double value) {
      char number[32];
      std::snprintf(number, sizeof number, "%g", value);
      return "<observation classCode=\"OBS\" moodCode=\"EVN\"><templateId root=\"2.16.840.1.113883.2.9.10.1.4.3.8.2\"/>" +
             std::string("<id root=\"") + std::string(kEntryRoot) + "\" extension=\"" + esc(f.local_id) + "-" +
             std::string(code) + "\"/><code code=\"" + std::string(code) +
             "\" codeSystem=\"2.16.840.1.113883.6.1\" displayName=\"" + std::string(display) +
             "\"/><statusCode code=\"completed\"/><effectiveTime value=\"" + tsTime(f.start_day, 10) +
             "\"/><value xsi:type=\"PQ\" value=\"" + number + "\" unit=\"" + esc(f.unit) + "\"/></observation>";
    };
    if (f.code == "85354-9") {
      return "<entry><organizer classCode=\"CLUSTER\" moodCode=\"EVN\"><templateId root=\"2.16.840.1.113883.2.9.10.1.4.3.8.1\"/>" +
             idEl(f) + "<code code=\"8716-3\" codeSystem=\"2.16.840.1.113883.6.1\"/><statusCode code=\"completed\"/>" +
             "<effectiveTime value=\"" + tsTime(f.start_day, 10) + "\"/><component>" +
             obs("8480-6", "Pressione sistolica", f.value) + "</component><component>" +
             obs("8462-4", "Pressione diastolica", f.value2) + "</component></organizer></entry>";
    }
    std::string o = obs(f.code, esc(f.display), f.value);
    // A single measure carries the item's own id.
    std::size_t id_at = o.find("<id ");
    o.replace(id_at, o.find("/>", id_at) + 2 - id_at, idEl(f));
    return "<entry>" + o + "</entry>";
  }
  if (f.kind == "device") {
    return "<entry><supply moodCode=\"EVN\"><templateId root=\"2.16.840.1.113883.2.9.10.1.4.3.9.1\"/>" + idEl(f) +
           codeEl("code", f) + "<effectiveTime value=\"" + ts(f.start_day) + "\"/></supply></entry>";
  }
  return {};
}

struct SectionSpec {
  std::string_view kind, code, display, title, template_root;
};
constexpr SectionSpec kSections[] = {
    {"allergy", "48765-2", "Allergie, Reazioni Avverse", "Allergie e Intolleranze", "2.16.840.1.113883.2.9.10.1.4.2.1"},
    {"medication", "10160-0", "HISTORY OF MEDICATION USE", "Terapie Farmacologiche", "2.16.840.1.113883.2.9.10.1.4.2.2"},
    {"immunization", "11369-6", "Storia di immunizzazioni", "Vaccinazioni", "2.16.840.1.113883.2.9.10.1.4.2.3"},
    {"condition", "11450-4", "Lista dei Problemi", "Lista dei Problemi", "2.16.840.1.113883.2.9.10.1.4.2.4"},
    {"vital_sign", "8716-3", "Parametri vitali", "Parametri Vitali", "2.16.840.1.113883.2.9.10.1.4.2.8"},
    {"device", "46264-8", "Storia di uso di dispositivi medici", "Protesi, Impianti ed Ausilii", "2.16.840.1.113883.2.9.10.1.4.2.9"},
};

std::string header(const AtsCitizen& c, const GpClinical& g, std::string_view template_root, std::string_view code,
                   std::string_view display, const std::string& doc_id, int day, bool hospital) {
  std::string gp_name = "<name><family>" + esc(g.gp_family_name) + "</family><given>" + esc(g.gp_given_name) +
                        "</given><prefix>Dott.</prefix></name>";
  std::string gp_id = "<id root=\"" + std::string(kCfRoot) + "\" extension=\"" + esc(g.gp_codice_fiscale) +
                      "\" assigningAuthorityName=\"MEF\"/>";
  std::string out =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<ClinicalDocument xmlns=\"urn:hl7-org:v3\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n"
      "<realmCode code=\"IT\"/><typeId root=\"2.16.840.1.113883.1.3\" extension=\"POCD_MT000040UV02\"/>\n"
      "<templateId root=\"" + std::string(template_root) + "\"/>\n"
      "<id root=\"" + std::string(kDocRoot) + "\" extension=\"" + doc_id + "\"/>\n"
      "<code code=\"" + std::string(code) + "\" codeSystem=\"2.16.840.1.113883.6.1\" codeSystemName=\"LOINC\" displayName=\"" +
      std::string(display) + "\"/>\n<title>" + std::string(display) + "</title>\n"
      "<effectiveTime value=\"" + tsTime(day, 9) + "\"/>\n"
      "<confidentialityCode code=\"N\" codeSystem=\"2.16.840.1.113883.5.25\"/><languageCode code=\"it-IT\"/>\n"
      "<setId root=\"" + std::string(kDocRoot) + "\" extension=\"" + doc_id + "\"/><versionNumber value=\"1\"/>\n"
      "<recordTarget><patientRole><id root=\"" + std::string(kCfRoot) + "\" extension=\"" + esc(c.codice_fiscale) +
      "\" assigningAuthorityName=\"MEF\"/><patient><name><family>" + esc(c.family_name) + "</family><given>" +
      esc(c.given_name) + "</given></name><administrativeGenderCode code=\"" + std::string(1, c.sex) +
      "\" codeSystem=\"2.16.840.1.113883.5.1\"/><birthTime value=\"" + ts(c.birth) +
      "\"/></patient></patientRole></recordTarget>\n";
  if (hospital) {
    out += "<author><time value=\"" + tsTime(day, 9) + "\"/><assignedAuthor><id root=\"2.16.840.1.113883.2.9.4.3.2\" extension=\"" +
           esc(g.gp_codice_fiscale) + "\"/><assignedPerson>" + gp_name + "</assignedPerson></assignedAuthor></author>\n";
  } else {
    out += "<author><time value=\"" + tsTime(day, 9) + "\"/><assignedAuthor>" + gp_id +
           "<code code=\"" + esc(g.gp_role) + "\" codeSystem=\"2.16.840.1.113883.2.9.77.22.11.13\"/><assignedPerson>" + gp_name +
           "</assignedPerson></assignedAuthor></author>\n";
  }
  out += "<custodian><assignedCustodian><representedCustodianOrganization><id root=\"2.16.840.1.113883.2.9.4.1.2\" "
         "extension=\"030\"/><name>Regione Lombardia (FSE)</name></representedCustodianOrganization></assignedCustodian></custodian>\n"
         "<legalAuthenticator><time value=\"" + tsTime(day, 11) + "\"/><signatureCode code=\"S\"/><assignedEntity>" + gp_id +
         "<assignedPerson>" + gp_name + "</assignedPerson></assignedEntity></legalAuthenticator>\n";
  return out;
}

std::string section(std::string_view template_root, std::string_view code, std::string_view display,
                    std::string_view title, const std::string& text, const std::string& entries) {
  std::string out = "<component><section>";
  if (!template_root.empty()) out += "<templateId root=\"" + std::string(template_root) + "\"/>";
  return out + "<code code=\"" + std::string(code) + "\" codeSystem=\"2.16.840.1.113883.6.1\" displayName=\"" +
         std::string(display) + "\"/><title>" + std::string(title) + "</title><text>" + text + "</text>" + entries +
         "</section></component>\n";
}

}  // namespace

std::vector<GpFile> gpCdaDocuments(uint64_t seed, const AtsCitizen& citizen, const GpClinical& clinical) {
  Rng rng(seed, kGpCdaStream + static_cast<uint64_t>(citizen.index));
  std::vector<GpFile> files;

  // 1. The Patient Summary, certified on the GP's certification day.
  const std::string pss_id = citizen.person_id + ".PSS." + ts(clinical.certified_day);
  std::string doc = header(citizen, clinical, "2.16.840.1.113883.2.9.10.1.4.1.1", "60591-5",
                           "Profilo Sanitario Sintetico", pss_id, clinical.certified_day, false);
  doc += "<component><structuredBody>\n";
  std::size_t n = 0;
  for (const SectionSpec& spec : kSections) {
    std::string text = "<list>", entries;
    for (const GpFact& f : clinical.facts) {
      if (!f.in_summary || f.kind != spec.kind) continue;
      ++n;
      text += "<item><content ID=\"ref" + std::to_string(n) + "\">" + esc(f.display) + "</content>";
      if (f.kind == "medication" && !f.dosage.empty()) {
        text += " <content ID=\"ref" + std::to_string(n) + "-dose\">" + esc(f.dosage) + "</content>";
      }
      text += "</item>";
      entries += entryFor(f, n);
    }
    if (entries.empty()) continue;
    doc += section(spec.template_root, spec.code, spec.display, spec.title, text + "</list>", entries);
  }
  doc += section("2.16.840.1.113883.2.9.10.1.4.2.6", "29762-2", "Stile di vita", "Stile di vita",
                 rng.chance(50) ? "Non fumatore." : "Fumatore, circa 10 sigarette al giorno.", "");
  doc += "</structuredBody></component>\n</ClinicalDocument>\n";
  files.push_back({citizen.person_id + "-01-PSS.xml", std::move(doc), pss_id});

  // 2. About one citizen in five: a discharge letter or a lab report.
  if (!rng.chance(20)) return files;
  const int day = std::max(clinical.certified_day - rng.range(10, 300), kEarliestDay);
  if (rng.chance(50)) {
    const std::string id = citizen.person_id + ".LDO." + ts(day);
    std::string ldo = header(citizen, clinical, "2.16.840.1.113883.2.9.10.1.5", "34105-7",
                             "Lettera di dimissione ospedaliera", id, day, true);
    ldo += "<component><structuredBody>\n";
    ldo += section("", "46241-6", "Diagnosi di accettazione", "Motivo del ricovero", "Dispnea ingravescente.", "");
    ldo += section("", "8648-8", "Decorso ospedaliero", "Decorso ospedaliero",
                   "Decorso regolare, " + std::to_string(rng.range(3, 12)) + " giorni di degenza.", "");
    ldo += section("", "11535-2", "Diagnosi di dimissione", "Diagnosi di dimissione", "Scompenso cardiaco compensato.", "");
    ldo += "</structuredBody></component>\n</ClinicalDocument>\n";
    files.push_back({citizen.person_id + "-02-LDO.xml", std::move(ldo), id});
  } else {
    const std::string id = citizen.person_id + ".LAB." + ts(day);
    std::string lab = header(citizen, clinical, "2.16.840.1.113883.2.9.10.1.1", "11502-2", "Referto di laboratorio",
                             id, day, true);
    char glucose[16], creatinine[16];
    std::snprintf(glucose, sizeof glucose, "%d", rng.range(70, 160));
    std::snprintf(creatinine, sizeof creatinine, "%d.%d", rng.range(0, 1), rng.range(5, 9));
    auto result = [&](std::string_view code, std::string_view display, const char* value, std::string_view unit,
                      std::string_view low, std::string_view high) {
      return "<entryRelationship typeCode=\"COMP\"><observation classCode=\"OBS\" moodCode=\"EVN\"><code code=\"" +
             std::string(code) + "\" codeSystem=\"2.16.840.1.113883.6.1\" displayName=\"" + std::string(display) +
             "\"/><statusCode code=\"completed\"/><effectiveTime value=\"" + tsTime(day, 8) +
             "\"/><value xsi:type=\"PQ\" value=\"" + value + "\" unit=\"" + std::string(unit) +
             "\"/><referenceRange><observationRange><value xsi:type=\"IVL_PQ\"><low value=\"" + std::string(low) +
             "\" unit=\"" + std::string(unit) + "\"/><high value=\"" + std::string(high) + "\" unit=\"" +
             std::string(unit) + "\"/></value></observationRange></referenceRange></observation></entryRelationship>";
    };
    std::string entry = "<entry><act classCode=\"ACT\" moodCode=\"EVN\"><id root=\"" + std::string(kDocRoot) +
                        "\" extension=\"" + id + ".1\"/><code code=\"24323-8\" codeSystem=\"2.16.840.1.113883.6.1\" "
                        "displayName=\"Pannello metabolico\"/><statusCode code=\"completed\"/><effectiveTime value=\"" +
                        tsTime(day, 8) + "\"/>" + result("2345-7", "Glucosio", glucose, "mg/dL", "70", "110") +
                        result("2160-0", "Creatinina", creatinine, "mg/dL", "0.5", "1.2") + "</act></entry>";
    lab += "<component><structuredBody>\n";
    lab += section("", "18719-5", "Chimica clinica", "Chimica clinica",
                   std::string("Glucosio ") + glucose + " mg/dL; creatinina " + creatinine + " mg/dL.", entry);
    lab += "</structuredBody></component>\n</ClinicalDocument>\n";
    files.push_back({citizen.person_id + "-02-LAB.xml", std::move(lab), id});
  }
  return files;
}

}  // namespace raccordo::synth::detail
