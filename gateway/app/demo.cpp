#include "gateway/app/demo.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <map>
#include <string_view>
#include <thread>

#include "gateway/app/gateway.h"
#include "gateway/journal/journal.h"
#include "gateway/mapping/fhir_mapping.h"
#include "gateway/net/http_client.h"
#include "gateway/net/mllp_client.h"
#include "gateway/store/store.h"
#include "gateway/synth/synth.h"

namespace raccordo {

namespace {

namespace fs = std::filesystem;

struct Sent {
  std::atomic<int> accepted{0}, duplicates{0}, failed{0};
};

// SISA: one JSON document per citizen through POST /ingest/sisa, 8 senders.
void sendSisa(const Gateway& g, const std::vector<synth::SynthCitizen>& citizens, Sent& sent) {
  spdlog::info("demo: sending {} synthetic SISA records to {}/ingest/sisa", citizens.size(), g.baseUrl());
  std::atomic<size_t> next{0};
  std::vector<std::thread> senders;
  for (int t = 0; t < 8; ++t) {
    senders.emplace_back([&] {
      HttpClient client("127.0.0.1", g.httpPort());
      for (size_t i = next++; i < citizens.size(); i = next++) {
        auto r = client.post("/ingest/sisa", citizens[i].sisa_json, "application/json");
        if (r.status == 202 && r.header("Idempotent-Replayed").empty()) {
          ++sent.accepted;
        } else if (r.status == 202) {
          ++sent.duplicates;
        } else {
          ++sent.failed;
          spdlog::warn("demo: {} answered {} {}", citizens[i].person_id, r.status, r.body.empty() ? r.error : r.body);
        }
      }
    });
  }
  for (auto& t : senders) t.join();
}

std::string readAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// The files of `dir` with one of `extensions`, one lane per synthetic person
// (the name's part before the first '-'), each lane in name order: the order
// in which that person's messages must be sent.
std::vector<std::vector<fs::path>> lanesByPerson(const fs::path& dir, std::initializer_list<std::string_view> extensions) {
  std::map<std::string, std::vector<fs::path>> by_person;
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string ext = e.path().extension().string();
    if (std::find(extensions.begin(), extensions.end(), ext) == extensions.end()) continue;
    const std::string name = e.path().filename().string();
    by_person[name.substr(0, name.find('-'))].push_back(e.path());
  }
  std::vector<std::vector<fs::path>> lanes;
  for (auto& [person, files] : by_person) {
    std::sort(files.begin(), files.end());
    lanes.push_back(std::move(files));
  }
  return lanes;
}

// ATS HL7: the synthetic ats/*.hl7 over MLLP, 4 connections; each citizen's
// messages go in file-name order on one connection (A28, A01, A03, ORU).
void sendAtsHl7(const Gateway& g, const fs::path& synth_dir, Sent& sent) {
  const auto lanes = lanesByPerson(synth_dir / "ats", {".hl7"});
  spdlog::info("demo: sending the HL7 messages of {} citizens over MLLP to port {}", lanes.size(), g.mllpPort());
  std::atomic<size_t> next{0};
  std::vector<std::thread> senders;
  for (int t = 0; t < 4; ++t) {
    senders.emplace_back([&] {
      MllpClient client("127.0.0.1", g.mllpPort());
      for (size_t i = next++; i < lanes.size(); i = next++) {
        for (const auto& file : lanes[i]) {
          auto ack = client.send(readAll(file));
          if (ack.ok() && ack->find("|AA|") != std::string::npos) {
            ++sent.accepted;
          } else {
            ++sent.failed;
            spdlog::warn("demo: {} answered {}", file.filename().string(), ack.ok() ? *ack : ack.error().describe());
          }
        }
      }
    });
  }
  for (auto& t : senders) t.join();
}

// GP: the synthetic gp/*.xml (CDA documents) to /ingest/gp-cda and
// gp/*.json (record exports) to /ingest/gp-export, 4 senders; each citizen's
// files in name order on one connection (the Patient Summary first).
void sendGp(const Gateway& g, const fs::path& synth_dir, Sent& sent) {
  const auto lanes = lanesByPerson(synth_dir / "gp", {".xml", ".json"});
  spdlog::info("demo: sending the GP documents and exports of {} citizens to {}", lanes.size(), g.baseUrl());
  std::atomic<size_t> next{0};
  std::vector<std::thread> senders;
  for (int t = 0; t < 4; ++t) {
    senders.emplace_back([&] {
      HttpClient client("127.0.0.1", g.httpPort());
      for (size_t i = next++; i < lanes.size(); i = next++) {
        for (const auto& file : lanes[i]) {
          const bool cda = file.extension() == ".xml";
          auto r = client.post(cda ? "/ingest/gp-cda" : "/ingest/gp-export", readAll(file),
                               cda ? "application/xml" : "application/json");
          if (r.status == 202) {
            ++sent.accepted;
          } else {
            ++sent.failed;
            spdlog::warn("demo: {} answered {} {}", file.filename().string(), r.status, r.body.empty() ? r.error : r.body);
          }
        }
      }
    });
  }
  for (auto& t : senders) t.join();
}

// ATS CSV: each flow's file dropped into its watched folder (written under a
// dot-name, then renamed in); waits until the gateway has taken them all.
int dropAtsCsv(const Config& config, const fs::path& synth_dir) {
  fs::path drop = config.str("files.dir");
  std::vector<fs::path> waiting;
  for (const auto& e : fs::directory_iterator(synth_dir / "ats")) {
    if (e.path().extension() != ".csv") continue;
    std::string flow = e.path().stem().string();
    fs::path incoming = drop / "ats-csv" / flow / "incoming";
    std::string name = flow + "-demo.csv";
    fs::copy_file(e.path(), incoming / ("." + name), fs::copy_options::overwrite_existing);
    fs::rename(incoming / ("." + name), incoming / name);
    waiting.push_back(incoming / name);
  }
  spdlog::info("demo: dropped {} CSV files under {}/ats-csv/", waiting.size(), drop.string());
  auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(2);
  for (const auto& f : waiting) {
    while (fs::exists(f) || fs::exists(f.parent_path().parent_path() / "processing" / f.filename())) {
      if (std::chrono::steady_clock::now() > deadline) return static_cast<int>(waiting.size());
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  return static_cast<int>(waiting.size());
}

}  // namespace

int runDemo(const Config& config) {
  auto gateway = Gateway::start(config);
  if (!gateway.ok()) {
    spdlog::error("demo: {}", gateway.error().describe());
    return 1;
  }
  Gateway& g = **gateway;
  synth::SynthOptions options;
  options.seed = static_cast<uint64_t>(config.integer("demo.seed"));
  options.citizens = static_cast<int>(config.integer("demo.citizens"));
  auto citizens = synth::generateCitizens(options);

  Sent sisa, hl7, gp;
  sendSisa(g, citizens, sisa);
  // The other sources speak of the same synthetic citizens (same seed).
  fs::path synth_dir = fs::path(config.str("data_dir")) / "demo-synth";
  if (auto st = synth::writeSynth(options, synth_dir); !st) {
    spdlog::error("demo: {}", st.error().describe());
    return 1;
  }
  if (g.mllpPort() != 0) sendAtsHl7(g, synth_dir, hl7);
  int csv_files = config.str("files.dir").empty() ? 0 : dropAtsCsv(config, synth_dir);
  sendGp(g, synth_dir, gp);
  bool idle = g.journal().waitIdle(std::chrono::minutes(5));
  JournalCounts counts;
  int64_t patients = 0, resources = 0;
  g.store().read([&](ReadTx& tx) {
    counts = tx.journalCounts();
    SearchQuery q;
    q.type = "Patient";
    q.count = 0;
    patients = tx.search(q).total;
  });
  (void)resources;
  const auto& first = citizens.front();
  std::string base = g.baseUrl();
  std::printf(
      "\n"
      "  Raccordo demo is running.\n"
      "  Sent %zu SISA records: %d accepted, %d already present, %d failed%s.\n"
      "  Sent %d ATS HL7 messages over MLLP (port %u): %d failed. Dropped %d ATS CSV files.\n"
      "  Sent %d GP documents and record exports: %d failed.\n"
      "  Journal: %lld done, %lld dead, %lld waiting. Patients in the record: %lld.\n"
      "\n"
      "  API:            %s/\n"
      "  FHIR endpoint:  %s/fhir/metadata\n"
      "  Health:         %s/healthz   Ready: %s/readyz   Metrics: %s/metrics\n"
      "  Dead letters:   %s/dead-letters\n"
      "  HL7 over MLLP:  mllp_send --loose -p %u -f %s/ats/%s-01-ADT_A28.hl7 127.0.0.1\n"
      "  CSV drop:       %s/ats-csv/{adi-activations,fna-b1,ticket-exemptions}/incoming/\n"
      "  GP upload:      curl -s -H 'Content-Type: application/xml' --data-binary @%s/gp/%s-01-PSS.xml %s/ingest/gp-cda\n"
      "\n"
      "  Find %s %s by codice fiscale, then read the integrated record:\n"
      "    curl -s '%s/fhir/Patient?identifier=http://hl7.it/sid/codiceFiscale|%s'\n"
      "    curl -s '%s/fhir/Patient/%s/$everything'\n"
      "\n",
      citizens.size(), sisa.accepted.load(), sisa.duplicates.load(), sisa.failed.load(), idle ? "" : " (still processing)",
      hl7.accepted.load() + hl7.failed.load(), static_cast<unsigned>(g.mllpPort()), hl7.failed.load(), csv_files,
      gp.accepted.load() + gp.failed.load(), gp.failed.load(),
      static_cast<long long>(counts.done), static_cast<long long>(counts.dead),
      static_cast<long long>(counts.queued) + static_cast<long long>(counts.retrying), static_cast<long long>(patients), base.c_str(),
      base.c_str(), base.c_str(), base.c_str(), base.c_str(), base.c_str(), static_cast<unsigned>(g.mllpPort()),
      synth_dir.c_str(), first.person_id.c_str(), config.str("files.dir").c_str(), synth_dir.c_str(),
      first.person_id.c_str(), base.c_str(), first.given_name.c_str(),
      first.family_name.c_str(), base.c_str(), first.codice_fiscale.c_str(), base.c_str(),
      patientIdFor(first.codice_fiscale).c_str());
  std::fflush(stdout);
  if (config.boolean("demo.keep_running")) {
    std::printf("  Press Ctrl-C to stop.\n");
    std::fflush(stdout);
    waitForTerminationSignal();
  }
  g.stop();
  return sisa.failed.load() == 0 && hl7.failed.load() == 0 && gp.failed.load() == 0 && counts.dead == 0 ? 0 : 1;
}

}  // namespace raccordo
