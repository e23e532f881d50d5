#include "gateway/app/demo.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <cstdio>
#include <thread>

#include "gateway/app/gateway.h"
#include "gateway/journal/journal.h"
#include "gateway/mapping/fhir_mapping.h"
#include "gateway/net/http_client.h"
#include "gateway/store/store.h"
#include "gateway/synth/synth.h"

namespace raccordo {

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

  spdlog::info("demo: sending {} synthetic SISA records to {}/ingest/sisa", citizens.size(), g.baseUrl());
  std::atomic<size_t> next{0};
  std::atomic<int> accepted{0}, duplicates{0}, failed{0};
  std::vector<std::thread> senders;
  for (int t = 0; t < 8; ++t) {
    senders.emplace_back([&] {
      HttpClient client("127.0.0.1", g.httpPort());
      for (size_t i = next++; i < citizens.size(); i = next++) {
        auto r = client.post("/ingest/sisa", citizens[i].sisa_json, "application/json");
        if (r.status == 202 && r.header("Idempotent-Replayed").empty()) {
          ++accepted;
        } else if (r.status == 202) {
          ++duplicates;
        } else {
          ++failed;
          spdlog::warn("demo: {} answered {} {}", citizens[i].person_id, r.status, r.body.empty() ? r.error : r.body);
        }
      }
    });
  }
  for (auto& t : senders) t.join();
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
      "  Journal: %lld done, %lld dead, %lld waiting. Patients in the record: %lld.\n"
      "\n"
      "  API:            %s/\n"
      "  FHIR endpoint:  %s/fhir/metadata\n"
      "  Health:         %s/healthz   Ready: %s/readyz   Metrics: %s/metrics\n"
      "  Dead letters:   %s/dead-letters\n"
      "\n"
      "  Find %s %s by codice fiscale, then read the integrated record:\n"
      "    curl -s '%s/fhir/Patient?identifier=http://hl7.it/sid/codiceFiscale|%s'\n"
      "    curl -s '%s/fhir/Patient/%s/$everything'\n"
      "\n",
      citizens.size(), accepted.load(), duplicates.load(), failed.load(), idle ? "" : " (still processing)",
      static_cast<long long>(counts.done), static_cast<long long>(counts.dead),
      static_cast<long long>(counts.queued + counts.retrying), static_cast<long long>(patients), base.c_str(),
      base.c_str(), base.c_str(), base.c_str(), base.c_str(), base.c_str(), first.given_name.c_str(),
      first.family_name.c_str(), base.c_str(), first.codice_fiscale.c_str(), base.c_str(),
      patientIdFor(first.codice_fiscale).c_str());
  std::fflush(stdout);
  if (config.boolean("demo.keep_running")) {
    std::printf("  Press Ctrl-C to stop.\n");
    std::fflush(stdout);
    waitForTerminationSignal();
  }
  g.stop();
  return failed.load() == 0 && counts.dead == 0 ? 0 : 1;
}

}  // namespace raccordo
