// ATS CSV flows through the real binary: POST /ingest/ats-csv/{flow} and the
// watched folder. Good rows are applied, bad rows are listed with their row
// number in the message's state and, for dropped files, beside the file.

#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>

#include "gateway/mapping/fhir_mapping.h"
#include "gateway/synth/synth.h"
#include "tests/integration/test_util.h"

namespace raccordo::testing {
namespace {

namespace fs = std::filesystem;

class AtsCsvE2E : public ServerTest {
 protected:
  void SetUp() override {
    startServer({"files.poll_interval_ms=20"});
    citizens_ = synth::generateCitizens({11, 3});
  }
  int64_t count(const std::string& query) {
    auto r = client_->get("/fhir/" + query);
    return r.status == 200 ? parse(r.body)["total"].GetInt64() : -1;
  }

  std::vector<synth::SynthCitizen> citizens_;
};

TEST_F(AtsCsvE2E, PostedFlowAppliesGoodRowsAndListsTheBadOnes) {
  const std::string& a = citizens_[0].codice_fiscale;
  const std::string& b = citizens_[1].codice_fiscale;
  std::string csv =
      "id_domanda;codice_fiscale;data_decorrenza;data_cessazione;condizione;esito;importo_mensile;isee\r\n"
      "B1-1;" + a + ";01/03/2026;;A;AMMESSO;\"1100,00\";12000\r\n"
      "B1-2;" + b + ";31/02/2026;;B;AMMESSO;650;\r\n"          // no such date
      "B1-3;" + b + ";01/04/2026;;Z;AMMESSO;650;\r\n";         // unknown condition
  auto r = client_->post("/ingest/ats-csv/fna-b1", csv, "text/csv");
  ASSERT_EQ(r.status, 202) << r.body;
  int64_t id = messageId(r);
  auto state = waitFinal(*client_, id);
  ASSERT_STREQ(state["state"].GetString(), "done") << server_->log();
  const auto& rejected = state["result"]["rejected"];
  ASSERT_EQ(rejected.Size(), 2u) << r.body;
  EXPECT_EQ(std::string(rejected[0]["location"].GetString()).rfind("row 3", 0), 0u);
  EXPECT_EQ(std::string(rejected[1]["location"].GetString()).rfind("row 4", 0), 0u);
  EXPECT_STREQ(rejected[1]["code"].GetString(), "unknown-code");

  std::string patient = patientIdFor(a);
  EXPECT_EQ(count("EpisodeOfCare?patient=Patient/" + patient), 1);
  EXPECT_EQ(count("CarePlan?patient=Patient/" + patient), 1);
  EXPECT_EQ(count("EpisodeOfCare?patient=Patient/" + patientIdFor(b)), 0);

  // The same file again is a re-send: the first answer, nothing applied twice.
  auto again = client_->post("/ingest/ats-csv/fna-b1", csv, "text/csv");
  EXPECT_EQ(messageId(again), id);
  EXPECT_EQ(again.header("Idempotent-Replayed"), "true");
}

TEST_F(AtsCsvE2E, UnknownFlowIs404) {
  auto r = client_->post("/ingest/ats-csv/no-such-flow", "a;b\r\n", "text/csv");
  EXPECT_EQ(r.status, 404) << r.body;
  EXPECT_NE(r.body.find("ats-csv/fna-b1"), std::string::npos) << r.body;  // lists the known ones
}

TEST_F(AtsCsvE2E, DroppedFileIsAppliedAndItsRejectsWrittenBeside) {
  fs::path flow = dir_.path() / "drop" / "ats-csv" / "ticket-exemptions";
  ASSERT_TRUE(fs::is_directory(flow / "incoming"));
  const std::string& a = citizens_[2].codice_fiscale;
  std::string csv =
      "codice_fiscale,codice_esenzione,data_inizio,data_fine,ente\n"
      + a + ",013,2024-05-02,,ATS Milano\n"
      "NOTACODICEFISCALE,048,2024-05-02,,ATS Milano\n";
  {
    std::ofstream out(flow / "incoming" / ".esenzioni.csv", std::ios::binary);
    out << csv;
  }
  fs::rename(flow / "incoming" / ".esenzioni.csv", flow / "incoming" / "esenzioni.csv");
  ASSERT_TRUE(pollUntil([&] { return fs::exists(flow / "done" / "esenzioni.csv"); }, std::chrono::seconds(20)))
      << server_->log();
  std::string rejects = readFile(flow / "done" / "esenzioni.csv.rejects.csv");
  EXPECT_NE(rejects.find("row 3"), std::string::npos) << rejects;
  ASSERT_TRUE(pollUntil([&] { return count("Coverage?patient=Patient/" + patientIdFor(a)) == 1; },
                        std::chrono::seconds(20)))
      << server_->log();
}

TEST_F(AtsCsvE2E, DroppedFileWithoutItsColumnsIsRejected) {
  fs::path flow = dir_.path() / "drop" / "ats-csv" / "adi-activations";
  {
    std::ofstream out(flow / "incoming" / "x.csv.part", std::ios::binary);
    out << "nome;cognome\r\nMario;Rossi\r\n";
  }
  fs::rename(flow / "incoming" / "x.csv.part", flow / "incoming" / "x.csv");
  // The reject file is written first, then the file itself is moved: wait for the move.
  ASSERT_TRUE(pollUntil([&] { return fs::exists(flow / "rejected" / "x.csv"); }, std::chrono::seconds(20)))
      << server_->log();
  EXPECT_FALSE(fs::exists(flow / "processing" / "x.csv"));
  EXPECT_NE(readFile(flow / "rejected" / "x.csv.rejects.csv").find("row 1"), std::string::npos);
}

}  // namespace
}  // namespace raccordo::testing
