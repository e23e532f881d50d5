// Tests for the ATS CSV flows: the declarative layouts and the
// ats-csv/<flow> adapters (the reader is tested in ats_csv_reader_test.cpp).
// All people are invented; their codici fiscali are computed by the official
// algorithm.

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include "adapters/ats/csv/ats_csv_adapter.h"
#include "gateway/identity/codice_fiscale.h"
#include "tests/support/temp_dir.h"

namespace raccordo {
namespace {

namespace fs = std::filesystem;
using identity::Sex;

std::string cfOf(const char* family, const char* given, Sex sex, int y, int m, int d) {
  return identity::computeCodiceFiscale({family, given, sex, y, m, d, "F205"});
}

const std::string kRossi = cfOf("Rossi", "Mario", Sex::kMale, 1940, 3, 12);
const std::string kBianchi = cfOf("Bianchi", "Anna", Sex::kFemale, 1935, 7, 2);
const std::string kNeri = cfOf("Neri", "Giuseppe", Sex::kMale, 1950, 11, 30);

// ---------------------------------------------------------------------------
// Adapters over the source tree's layouts

const std::map<std::string, AdapterPtr>& adapters() {
  static const auto all = [] {
    std::map<std::string, AdapterPtr> out;
    auto loaded = loadAtsCsvAdapters(testing::sourceTreeAdapterEnvironment());
    EXPECT_TRUE(loaded.ok()) << (loaded.ok() ? "" : loaded.error().describe());
    if (loaded.ok()) {
      for (auto& a : loaded.value()) out.emplace(a->name(), a);
    }
    return out;
  }();
  return all;
}

const Adapter& flow(const std::string& name) {
  auto it = adapters().find("ats-csv/" + name);
  if (it == adapters().end()) throw std::runtime_error("no adapter ats-csv/" + name);
  return *it->second;
}

DecodedMessage decodeOk(const std::string& name, std::string_view bytes) {
  auto d = flow(name).decode(bytes, MessageMeta{});
  EXPECT_TRUE(d.ok()) << (d.ok() ? "" : d.error().describe());
  return d.ok() ? std::move(d.value()) : DecodedMessage{};
}

Error decodeErr(const std::string& name, std::string_view bytes) {
  auto d = flow(name).decode(bytes, MessageMeta{});
  EXPECT_FALSE(d.ok());
  return d.ok() ? Error() : d.error();
}

std::string locations(const std::vector<Error>& errors) {
  std::string out;
  for (const auto& e : errors) out += (out.empty() ? "" : " | ") + e.location;
  return out;
}

const std::string kAdiHeader =
    "id_attivazione;codice_fiscale;data_attivazione;data_chiusura;tipo_cure;stato;erogatore;erogatore_nome;"
    "accessi_settimana\r\n";

TEST(AtsCsvAdapter, OneAdapterPerLayoutWithTheSpecMediaTypes) {
  EXPECT_EQ(adapters().size(), 3u);
  for (const char* name : {"adi-activations", "fna-b1", "ticket-exemptions"}) {
    EXPECT_EQ(flow(name).mediaTypes(), (std::vector<std::string>{"text/csv", "text/plain", "application/octet-stream"}));
  }
}

TEST(AtsCsvAdapter, BuiltinRegistryListsTheFlows) {
  const auto& registry = testing::builtinAdaptersForTest();
  EXPECT_NE(registry.find("ats-csv/adi-activations"), nullptr);
  EXPECT_NE(registry.find("ats-csv/fna-b1"), nullptr);
  EXPECT_NE(registry.find("ats-csv/ticket-exemptions"), nullptr);
}

TEST(AtsCsvAdapter, AdiActivationsBecomeACaseAndAServicePerRow) {
  std::string lower_cf = kBianchi;
  for (auto& c : lower_cf) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string csv = "\xEF\xBB\xBF" + kAdiHeader +
                    "ADI-1;" + kRossi + ";10/01/2026;;ADI_INTEGRATA;ATTIVA;030301;\"Cooperativa \"\"La Cura\"\"\";3\r\n"
                    "ADI-2;" + lower_cf + ";2025-11-03;28/02/2026;UCP_DOM;CHIUSA;030302;;\r\n";
  DecodedMessage d = decodeOk("adi-activations", csv);
  EXPECT_EQ(d.source, "ats");
  EXPECT_TRUE(d.citizen_key.empty());
  EXPECT_TRUE(d.source_message_id.empty());
  EXPECT_TRUE(d.rejects.empty()) << locations(d.rejects);
  ASSERT_EQ(d.records.size(), 4u);

  const Record& c1 = d.records[0];
  EXPECT_EQ(c1.kind, kind::kCase);
  EXPECT_EQ(c1.source_id, "adi-ADI-1");
  EXPECT_EQ(c1.citizen_key, kRossi);
  EXPECT_EQ(json::write(c1.data),
            R"({"area":{"system":"urn:raccordo:cs:care-area","code":"home-care","display":"Cure domiciliari"},)"
            R"("status":"active","opened":"2026-01-10","office":{"type":"provider","code":"030301","name":"Cooperativa \"La Cura\""}})");
  const Record& s1 = d.records[1];
  EXPECT_EQ(s1.kind, kind::kService);
  EXPECT_EQ(s1.source_id, "adi-ADI-1");
  EXPECT_EQ(s1.citizen_key, kRossi);
  EXPECT_EQ(json::write(s1.data),
            R"({"case_id":"adi-ADI-1","type":{"system":"urn:raccordo:cs:social-service","code":"ADI_INTEGRATA",)"
            R"x("display":"Assistenza domiciliare integrata (ADI)"},"status":"in-progress","start":"2026-01-10",)x"
            R"("provider":{"code":"030301","name":"Cooperativa \"La Cura\""},)"
            R"("funding":{"system":"urn:raccordo:cs:funding","code":"SSR","display":"Servizio Sanitario Regionale"}})");

  // The second citizen: upper-cased key, closed case, empty name left out.
  EXPECT_EQ(d.records[2].citizen_key, kBianchi);
  EXPECT_EQ(json::write(d.records[2].data),
            R"({"area":{"system":"urn:raccordo:cs:care-area","code":"home-care","display":"Cure domiciliari"},)"
            R"("status":"finished","opened":"2025-11-03","closed":"2026-02-28","office":{"type":"provider","code":"030302"}})");
  EXPECT_EQ(json::getStr(d.records[3].data, "status"), "completed");
  EXPECT_EQ(json::getStr(d.records[3].data, "end"), "2026-02-28");
}

TEST(AtsCsvAdapter, FnaB1CommaIso88591AndDecimalCommas) {
  std::string csv =
      "id_domanda,codice_fiscale,data_decorrenza,data_cessazione,condizione,esito,importo_mensile,isee\n"
      "B1-2025-000001," + kNeri + ",01/03/2025,,C,AMMESSO,\"1100,00\",\"12345,67\"\n"
      "B1-2025-000002," + kRossi + ",01/04/2025,30/09/2025,E,CESSATO,650.5,\n";
  DecodedMessage d = decodeOk("fna-b1", csv);
  ASSERT_EQ(d.records.size(), 4u) << locations(d.rejects);
  EXPECT_EQ(d.records[0].source_id, "fna-b1-B1-2025-000001");
  EXPECT_EQ(json::write(d.records[0].data),
            R"({"area":{"system":"urn:raccordo:cs:care-area","code":"disability","display":"Disabilità"},)"
            R"("status":"active","opened":"2025-03-01"})");
  const Record& s = d.records[1];
  EXPECT_EQ(s.citizen_key, kNeri);
  EXPECT_EQ(json::write(s.data),
            R"({"case_id":"fna-b1-B1-2025-000001","type":{"system":"urn:raccordo:cs:social-service","code":"FNA_B1",)"
            R"x("display":"Misura B1 - buono mensile per persone con disabilità gravissima (FNA)"},)x"
            R"("status":"in-progress","start":"2025-03-01","amount_eur":1100.0,"amount_period":"month",)"
            R"("funding":{"system":"urn:raccordo:cs:funding","code":"FNA","display":"Fondo Non Autosufficienze"}})");
  EXPECT_EQ(json::getStr(d.records[2].data, "status"), "finished");
  EXPECT_EQ(d.records[3].data["amount_eur"].GetDouble(), 650.5);
  EXPECT_EQ(json::getStr(d.records[3].data, "end"), "2025-09-30");
}

TEST(AtsCsvAdapter, TicketExemptionsBecomeExemptionRecords) {
  std::string csv = "codice_fiscale;codice_esenzione;data_inizio;data_fine;ente\n" + kBianchi +
                    ";E01;2025-01-01;;ASST-FBF-SACCO\n" + kBianchi + ";048;2024-06-15;2029-06-14;\n";
  DecodedMessage d = decodeOk("ticket-exemptions", csv);
  ASSERT_EQ(d.records.size(), 2u) << locations(d.rejects);
  EXPECT_EQ(d.records[0].kind, kind::kExemption);
  EXPECT_EQ(d.records[0].source_id, kBianchi + "-E01-2025-01-01");
  EXPECT_EQ(d.records[0].citizen_key, kBianchi);
  EXPECT_EQ(json::write(d.records[0].data),
            R"({"code":{"system":"urn:raccordo:cs:ticket-exemption","code":"E01","display":)"
            R"("Età inferiore a 6 anni o superiore a 65 anni con reddito familiare fino a 36.151,98 euro"},)"
            R"("start":"2025-01-01","issuer":{"code":"ASST-FBF-SACCO"}})");
  EXPECT_EQ(d.records[1].source_id, kBianchi + "-048-2024-06-15");
  EXPECT_EQ(json::write(d.records[1].data),
            R"({"code":{"system":"urn:raccordo:cs:ticket-exemption","code":"048","display":)"
            R"("Soggetti affetti da patologie neoplastiche maligne e da tumori di comportamento incerto"},)"
            R"("start":"2024-06-15","end":"2029-06-14"})");
}

TEST(AtsCsvAdapter, Iso88591ValuesArriveAsUtf8) {
  std::string csv = kAdiHeader + "ADI-9;" + kRossi + ";10/01/2026;;CDOM;ATTIVA;030301;Societ\xE0 Sanit\xE0 Cura;2\r\n";
  DecodedMessage d = decodeOk("adi-activations", csv);
  ASSERT_EQ(d.records.size(), 2u);
  EXPECT_EQ(json::getStr(d.records[0].data["office"], "name"), "Societ\xC3\xA0 Sanit\xC3\xA0 Cura");
}

TEST(AtsCsvAdapter, BadRowsAreRejectedWithTheirRowAndColumnAndTheOthersGoOn) {
  std::string bad_cf = kNeri;
  bad_cf.back() = bad_cf.back() == 'A' ? 'B' : 'A';
  std::string csv = kAdiHeader +
      /* 2 */ "A2;" + kRossi + ";10/01/2026;;CDOM;ATTIVA;E1;\"two\nlines\";1\r\n" +
      /* 4 */ "A4;" + kRossi + ";10/01/2026;;CDOM;RIATTIVATA;E1;;1\r\n" +
      /* 5 */ "A5;" + bad_cf + ";10/01/2026;;CDOM;ATTIVA;E1;;1\r\n" +
      /* 6 */ "A6;" + kBianchi + ";31/02/2026;;CDOM;ATTIVA;E1;;1\r\n" +
      /* 7 */ "A7;" + kBianchi + ";10/01/2026;;CDOM;ATTIVA; ;;1\r\n" +
      /* 8 */ "A8;" + kBianchi + ";10/01/2026;;CDOM;ATTIVA;E1;;100\r\n" +
      /* 9 */ "A9;" + kBianchi + ";10/01/2026;09/01/2026;CDOM;ATTIVA;E1;;1\r\n" +
      /*10 */ "A10;" + kBianchi + ";10/01/2026;;CDOM;ATTIVA;E1\r\n" +
      /*11 */ "A11;" + kBianchi + ";2026/01/10;;CDOM;ATTIVA;E1;;x\r\n" +
      /*12 */ "A12;" + kNeri + ";10/01/2026;;cdom;attiva;E1;;0\r\n";
  DecodedMessage d = decodeOk("adi-activations", csv);
  EXPECT_EQ(locations(d.rejects),
            "row 4, column stato | row 5, column codice_fiscale | row 6, column data_attivazione | "
            "row 7, column erogatore | row 8, column accessi_settimana | row 9, column data_chiusura | "
            "row 10, column erogatore_nome | row 11, column data_attivazione");
  ASSERT_EQ(d.rejects.size(), 8u);
  EXPECT_EQ(d.rejects[0].code, ErrorCode::kUnknownCode);
  EXPECT_NE(d.rejects[0].message.find("RIATTIVATA"), std::string::npos);
  EXPECT_EQ(d.rejects[1].code, ErrorCode::kInvalidInput);
  EXPECT_NE(d.rejects[1].message.find("codice fiscale"), std::string::npos);
  EXPECT_NE(d.rejects[2].message.find("not a calendar date"), std::string::npos) << d.rejects[2].message;
  EXPECT_NE(d.rejects[3].message.find("required"), std::string::npos);
  EXPECT_NE(d.rejects[4].message.find("maximum of 99"), std::string::npos) << d.rejects[4].message;
  EXPECT_NE(d.rejects[5].message.find("before"), std::string::npos);
  EXPECT_NE(d.rejects[6].message.find("7 fields, the header has 9"), std::string::npos) << d.rejects[6].message;
  // Two problems in row 11: the first is located, the second named in the message.
  EXPECT_NE(d.rejects[7].message.find("accessi_settimana"), std::string::npos) << d.rejects[7].message;

  // Rows 2 and 12 are applied; codes match case-insensitively (row 12).
  ASSERT_EQ(d.records.size(), 4u);
  EXPECT_EQ(d.records[0].source_id, "adi-A2");
  EXPECT_EQ(d.records[2].source_id, "adi-A12");
  EXPECT_EQ(d.records[2].citizen_key, kNeri);
  EXPECT_EQ(json::getStr(d.records[3].data["type"], "code"), "CDOM");
}

TEST(AtsCsvAdapter, HeaderIsMatchedCaseInsensitivelyInAnyOrderAndExtraColumnsAreWarned) {
  std::string csv = "STATO;Tipo_Cure;note;codice_fiscale;id_attivazione;data_attivazione;erogatore;\n"
                    "ATTIVA;CDOM;anything;" + kRossi + ";X1;10/01/2026;E1;\n";
  DecodedMessage d = decodeOk("adi-activations", csv);
  ASSERT_EQ(d.records.size(), 2u) << locations(d.rejects);
  EXPECT_EQ(locations(d.warnings), "row 1, column note | row 1, column 8");
  EXPECT_EQ(json::getStr(d.records[1].data, "status"), "in-progress");
}

TEST(AtsCsvAdapter, RowsOfDelimitersAndUnnamedTrailingColumnsAreTolerated) {
  std::string header = kAdiHeader.substr(0, kAdiHeader.size() - 2) + ";;\r\n";  // two unnamed columns
  std::string csv = header + "A1;" + kRossi + ";10/01/2026;;CDOM;ATTIVA;E1;;1\r\n" +  // without them
                    "A2;" + kRossi + ";10/01/2026;;CDOM;ATTIVA;E1;;1;;\r\n" +             // with them
                    ";;;;;;;;;;\r\n" + " ; ;\r\n" +                                         // nothing
                    "A5;" + kRossi + ";10/01/2026;;CDOM;ATTIVA;E1;;1;;;\r\n";              // one too many
  DecodedMessage d = decodeOk("adi-activations", csv);
  EXPECT_EQ(d.records.size(), 4u);
  EXPECT_EQ(locations(d.rejects), "row 6, column 12");
  Error nothing = decodeErr("adi-activations", kAdiHeader + ";;;;;;;;\r\n;;;;;;;;\r\n");
  EXPECT_EQ(nothing.location, "row 2");
}

TEST(AtsCsvAdapter, ARepeatedRecordIsWarned) {
  std::string csv = kAdiHeader + "A1;" + kRossi + ";10/01/2026;;CDOM;ATTIVA;E1;;1\r\n" + "A1;" + kRossi +
                    ";10/01/2026;;CDOM;SOSPESA;E1;;1\r\n";
  DecodedMessage d = decodeOk("adi-activations", csv);
  EXPECT_EQ(d.records.size(), 4u);
  EXPECT_EQ(locations(d.warnings), "row 3 | row 3");
}

TEST(AtsCsvAdapter, InspectChecksTheHeaderOnly) {
  const Adapter& adi = flow("adi-activations");
  auto ok = adi.inspect(kAdiHeader + "garbage;\"never closed\r\n");
  ASSERT_TRUE(ok.ok()) << ok.error().describe();
  EXPECT_TRUE(ok->citizen_key.empty());
  // The content is the file's id: the same bytes again are a re-send.
  EXPECT_EQ(ok->source_message_id.substr(0, 7), "sha256:");
  EXPECT_EQ(ok->source_message_id, adi.inspect(kAdiHeader + "garbage;\"never closed\r\n")->source_message_id);
  EXPECT_NE(ok->source_message_id, adi.inspect(kAdiHeader + "other\r\n")->source_message_id);

  auto missing = adi.inspect("id_attivazione;codice_fiscale;data_attivazione;tipo_cure;erogatore\r\n");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kInvalidInput);
  EXPECT_EQ(missing.error().location, "row 1");
  EXPECT_NE(missing.error().message.find("'stato'"), std::string::npos) << missing.error().message;

  auto empty = adi.inspect("");
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().location, "row 1");

  auto twice = adi.inspect(kAdiHeader.substr(0, kAdiHeader.size() - 2) + ";STATO\r\n");
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.error().location, "row 1, column STATO");
}

TEST(AtsCsvAdapter, WholeFileFailures) {
  // A required column missing.
  Error missing = decodeErr("ticket-exemptions", "codice_fiscale;data_inizio\n" + kRossi + ";2025-01-01\n");
  EXPECT_EQ(missing.location, "row 1");
  // A header and nothing else.
  Error no_rows = decodeErr("ticket-exemptions", "codice_fiscale;codice_esenzione;data_inizio\n");
  EXPECT_EQ(no_rows.location, "row 2");
  // Zero good rows: the first reject says why.
  Error none = decodeErr("ticket-exemptions",
                         "codice_fiscale;codice_esenzione;data_inizio\n" + kRossi + ";E99;2025-01-01\n" + kRossi +
                             ";E01;31/02/2026\n");
  EXPECT_EQ(none.code, ErrorCode::kUnknownCode);
  EXPECT_EQ(none.location, "row 2, column codice_esenzione");
  EXPECT_NE(none.message.find("all 2 data rows"), std::string::npos) << none.message;
  // An unterminated quote.
  Error quote = decodeErr("ticket-exemptions",
                          "codice_fiscale;codice_esenzione;data_inizio\n" + kRossi + ";E01;2025-01-01\n" + kRossi +
                              ";\"E02;2025-01-01\n");
  EXPECT_EQ(quote.location, "row 3, column codice_esenzione");
  // A semicolon layout fed a file whose header cannot be split.
  Error one_column = decodeErr("ticket-exemptions", "codice_fiscale|codice_esenzione|data_inizio\nx|y|z\n");
  EXPECT_NE(one_column.message.find("single column"), std::string::npos) << one_column.message;
}

TEST(AtsCsvAdapter, DecodesTheSameFileOnManyThreads) {
  std::string csv = kAdiHeader;
  for (int i = 0; i < 200; ++i) {
    csv += "A" + std::to_string(i) + ";" + (i % 2 ? kRossi : kBianchi) + ";10/01/2026;;CDOM;ATTIVA;E1;;" +
           std::to_string(i % 7) + "\r\n";
  }
  std::string expected = json::write(decodeOk("adi-activations", csv).records[399].data);
  std::vector<std::thread> threads;
  std::atomic<int> same{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      auto d = flow("adi-activations").decode(csv, MessageMeta{});
      if (d.ok() && d->records.size() == 400 && json::write(d->records[399].data) == expected) ++same;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(same.load(), 4);
}

// ---------------------------------------------------------------------------
// Layout loading

class AtsCsvLayout : public ::testing::Test {
 protected:
  void SetUp() override {
    env_.mappings_dir = dir_.path() / "mappings";
    env_.schemas_dir = std::string(RACCORDO_SOURCE_DIR) + "/schemas";
    fs::create_directories(env_.mappings_dir / "ats" / "flows");
    write("ats/status.json",
          R"({"table": "status", "system": "urn:test", "codes": {"ON": {"code": "on", "extra": "x"}}})");
    // Not a code table: the loader must not read it.
    write("ats/identifier-authorities.json", R"({"authorities": []})");
  }
  void write(const std::string& rel, const std::string& text) {
    std::ofstream(env_.mappings_dir / rel) << text;
  }
  // A valid layout with `patch` applied as a textual replacement.
  std::string layout(const std::string& from = "", const std::string& to = "") {
    std::string s = R"({
      "flow": "demo", "title": "Demo", "charset": "utf-8", "citizen_key": "cf",
      "columns": [
        {"name": "id", "type": "string", "required": true},
        {"name": "cf", "type": "codice_fiscale", "required": true},
        {"name": "st", "type": "code", "table": "status"}
      ],
      "records": [{"kind": "case", "source_id": "demo-${id}", "data": {"status": "${st.extra}"}}]
    })";
    if (!from.empty()) {
      auto at = s.find(from);
      EXPECT_NE(at, std::string::npos) << from;
      s.replace(at, from.size(), to);
    }
    return s;
  }
  Error loadErr() {
    auto r = loadAtsCsvAdapters(env_);
    EXPECT_FALSE(r.ok());
    return r.ok() ? Error() : r.error();
  }
  std::string file() const { return (env_.mappings_dir / "ats" / "flows" / "demo.json").string(); }

  testing::TempDir dir_;
  AdapterEnvironment env_;
};

TEST_F(AtsCsvLayout, AValidLayoutMakesAnAdapterAndOtherFilesAreIgnored) {
  write("ats/flows/demo.json", layout());
  auto r = loadAtsCsvAdapters(env_);
  ASSERT_TRUE(r.ok()) << r.error().describe();
  ASSERT_EQ(r->size(), 1u);
  const Adapter& a = *r->front();
  EXPECT_EQ(a.name(), "ats-csv/demo");
  auto d = a.decode("id,cf,st\n7," + kRossi + ",ON\n8," + kRossi + ",\n", MessageMeta{});
  ASSERT_TRUE(d.ok()) << d.error().describe();
  ASSERT_EQ(d->records.size(), 2u);
  EXPECT_EQ(json::write(d->records[0].data), R"({"status":"x"})");
  EXPECT_EQ(json::write(d->records[1].data), "{}");  // the empty code leaves the member out
}

TEST_F(AtsCsvLayout, BadLayoutsNameTheFileAndThePointer) {
  struct Case {
    std::string from, to, pointer;
  };
  std::vector<Case> cases = {
      {R"("type": "code")", R"("type": "enum")", "/columns/2/type"},
      {R"("title": "Demo", )", "", "/title"},
      {R"("charset": "utf-8")", R"("charset": "utf-8", "colour": "red")", "/colour"},
      {R"("table": "status")", R"("table": "nowhere")", "/columns/2/table"},
      {R"(, "table": "status")", "", "/columns/2/table"},
      {R"("status": "${st.extra}")", R"("status": "${stato}")", "/records/0/data/status"},
      {R"("status": "${st.extra}")", R"("status": "${st.colour}")", "/records/0/data/status"},
      {R"("status": "${st.extra}")", R"("status": "${id")", "/records/0/data/status"},
      {R"("source_id": "demo-${id}")", R"("source_id": "demo-${st}")", "/records/0/source_id"},
      {R"("citizen_key": "cf")", R"("citizen_key": "id")", "/citizen_key"},
      {R"("flow": "demo")", R"("flow": "other")", "/flow"},
      {R"("kind": "case")", R"("kind": "cases")", "/records/0/kind"},
      {R"({"name": "id", "type": "string", "required": true})",
       R"({"name": "id", "type": "string", "required": true, "min": 1})", "/columns/0/min"},
  };
  for (const auto& c : cases) {
    write("ats/flows/demo.json", layout(c.from, c.to));
    Error e = loadErr();
    EXPECT_EQ(e.code, ErrorCode::kConfig) << c.pointer;
    EXPECT_EQ(e.location, file() + " " + c.pointer) << e.describe();
  }
}

TEST_F(AtsCsvLayout, BrokenJsonAndMissingFoldersAreConfigErrors) {
  write("ats/flows/demo.json", "{\"flow\": ");
  Error json_error = loadErr();
  EXPECT_EQ(json_error.code, ErrorCode::kConfig);
  EXPECT_EQ(json_error.location.rfind(file(), 0), 0u) << json_error.location;

  write("ats/flows/demo.json", layout());
  write("ats/status.json", "{}");
  Error table_error = loadErr();
  EXPECT_EQ(table_error.code, ErrorCode::kConfig);
  EXPECT_EQ(table_error.location, (env_.mappings_dir / "ats" / "status.json").string());

  env_.schemas_dir = dir_.path() / "no-schemas";
  EXPECT_EQ(loadErr().code, ErrorCode::kConfig);

  env_.schemas_dir = std::string(RACCORDO_SOURCE_DIR) + "/schemas";
  fs::remove_all(env_.mappings_dir / "ats" / "flows");
  Error no_folder = loadErr();
  EXPECT_EQ(no_folder.code, ErrorCode::kConfig);
  EXPECT_EQ(no_folder.location, (env_.mappings_dir / "ats" / "flows").string());
}

}  // namespace
}  // namespace raccordo
