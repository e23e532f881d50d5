// raccordo_load: a loopback load client for a running gateway.
//   ingest:     POST synthetic SISA records to /ingest/sisa (each a new message id)
//   everything: load heavy citizens once, then GET their $everything
//   mllp:       send synthetic ADT^A28 messages over MLLP (--port is the MLLP
//               port); each needs an AA/CA in its ACK to count as a success
// Closed loop (--rate 0: every connection sends as fast as answers come) or
// open loop (--rate R requests/s in total; latency counted from the planned
// send time, so a stalled server is not hidden). Bounded by --duration.

#include <CLI/CLI.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <thread>

#include "gateway/mapping/fhir_mapping.h"
#include "gateway/net/http_client.h"
#include "gateway/net/mllp_client.h"
#include "gateway/synth/synth.h"
#include "tests/bench/heavy_citizen.h"

using namespace raccordo;
using SteadyClock = std::chrono::steady_clock;

namespace {

std::string withMessageId(const std::string& json, const std::string& id) {
  static const std::string key = "\"message_id\":\"";
  auto start = json.find(key);
  if (start == std::string::npos) return json;
  start += key.size();
  auto end = json.find('"', start);
  return json.substr(0, start) + id + json.substr(end);
}

// A typical ADT^A28 (person add) of about 700 bytes for a synthetic citizen.
std::string adtA28(const synth::SynthCitizen& c, const std::string& control_id) {
  return "MSH|^~\\&|ATS_ANAGRAFE|ATS_MILANO|RACCORDO|COMUNE_MI|20261101120000||ADT^A28^ADT_A05|" + control_id +
         "|P|2.5|||||ITA|UNICODE UTF-8\r"
         "EVN|A28|20261101120000|||OPERATORE^ANAGRAFE\r"
         "PID|1||" + c.codice_fiscale + "^^^MEF&2.16.840.1.113883.2.9.4.3.2&ISO^NNITA~" + control_id.substr(0, 12) +
         "^^^SISS&2.16.840.1.113883.2.9.2.30.4.1&ISO^PI||" + c.family_name + "^" + c.given_name + "||" +
         c.birth_date.substr(0, 4) + c.birth_date.substr(5, 2) + c.birth_date.substr(8, 2) + "|" +
         std::string(1, c.sex) +
         "|||VIA DELLE ROSE 12^^MILANO^MI^20100^ITA^H~^^^^^^BDL^^F205||+390212345678^PRN^PH|||S||||||||||ITA\r"
         "PD1|||MEDICINA GENERALE MILANO^^30123|G123456^VERDI^ANNA^^^DR^^^SISS&2.16.840.1.113883.2.9.2.30.4.1&ISO\r"
         "PV1|1|N\r";
}

double percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  size_t k = std::min(v.size() - 1, static_cast<size_t>(p / 100.0 * static_cast<double>(v.size())));
  std::nth_element(v.begin(), v.begin() + static_cast<long>(k), v.end());
  return v[k];
}

}  // namespace

static int run(int argc, char** argv) {
  CLI::App app{"raccordo_load: loopback load client for a running Raccordo gateway"};
  std::string host = "127.0.0.1", mode = "ingest";
  int port = 8080, connections = 8, duration = 10, citizens = 1000, resources = 100, heavy = 20;
  double rate = 0;
  uint64_t seed = 99;
  app.add_option("--host", host)->capture_default_str();
  app.add_option("--port", port)->capture_default_str();
  app.add_option("--mode", mode, "ingest, everything or mllp")
      ->check(CLI::IsMember({"ingest", "everything", "mllp"}));
  app.add_option("--connections", connections)->check(CLI::Range(1, 1024))->capture_default_str();
  app.add_option("--duration", duration, "Seconds of measured load")->check(CLI::Range(1, 600))->capture_default_str();
  app.add_option("--rate", rate, "Requests/s in total (0: closed loop)")->capture_default_str();
  app.add_option("--citizens", citizens, "Distinct synthetic citizens to draw from")->capture_default_str();
  app.add_option("--resources", resources, "everything: resources per heavy citizen")->capture_default_str();
  app.add_option("--heavy", heavy, "everything: heavy citizens loaded")->capture_default_str();
  app.add_option("--seed", seed)->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  auto pool = synth::generateCitizens({seed, mode == "everything" ? heavy : citizens});
  std::vector<std::string> targets;
  if (mode == "everything") {
    HttpClient setup(host, static_cast<uint16_t>(port));
    std::vector<std::string> ids;
    for (size_t i = 0; i < pool.size(); ++i) {
      auto r = setup.post("/ingest/sisa", bench::heavyCitizenJson(pool[i], resources, "HEAVY-" + std::to_string(seed) + "-" + std::to_string(i)),
                          "application/json");
      if (r.status != 202) {
        std::fprintf(stderr, "setup: ingest answered %d %s\n", r.status, r.body.c_str());
        return 1;
      }
      auto pos = r.body.find(':');
      ids.push_back(r.body.substr(pos + 1, r.body.find(',') - pos - 1));
      targets.push_back("/fhir/Patient/" + patientIdFor(pool[i].codice_fiscale) + "/$everything");
    }
    for (const auto& id : ids) {
      auto deadline = SteadyClock::now() + std::chrono::seconds(120);
      while (SteadyClock::now() < deadline) {
        auto r = setup.get("/messages/" + id);
        if (r.body.find("\"state\":\"done\"") != std::string::npos) break;
        if (r.body.find("\"state\":\"dead\"") != std::string::npos) {
          std::fprintf(stderr, "setup: message %s is dead: %s\n", id.c_str(), r.body.c_str());
          return 1;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    }
    auto sample = setup.get(targets.front());
    auto total = sample.body.find("\"total\":");
    std::printf("setup: %d heavy citizens loaded; $everything total=%s\n", heavy,
                sample.body.substr(total + 8, sample.body.find(',', total) - total - 8).c_str());
  }

  std::atomic<long> sent{0}, errors{0};
  std::mutex mu;
  std::vector<double> latencies;
  auto start = SteadyClock::now();
  auto end = start + std::chrono::seconds(duration);
  std::vector<std::thread> threads;
  for (int t = 0; t < connections; ++t) {
    threads.emplace_back([&, t] {
      HttpClient client(host, static_cast<uint16_t>(port));
      std::unique_ptr<MllpClient> mllp;
      if (mode == "mllp") mllp = std::make_unique<MllpClient>(host, static_cast<uint16_t>(port));
      std::vector<double> mine;
      auto interval = rate > 0 ? std::chrono::duration<double>(connections / rate) : std::chrono::duration<double>(0);
      auto planned = start + std::chrono::duration_cast<SteadyClock::duration>(interval * (static_cast<double>(t) / connections));
      for (long k = 0;; ++k) {
        if (rate > 0) {
          planned += std::chrono::duration_cast<SteadyClock::duration>(interval);
          std::this_thread::sleep_until(planned);
        }
        auto begin = rate > 0 ? planned : SteadyClock::now();
        if (begin >= end) break;
        ClientResponse r;
        if (mode == "mllp") {
          const auto& c = pool[static_cast<size_t>(k * connections + t) % pool.size()];
          std::string id = "L" + std::to_string(seed) + "-" + std::to_string(t) + "-" + std::to_string(k) + "-" +
                           std::to_string(start.time_since_epoch().count() % 1000000007);
          auto ack = mllp->send(adtA28(c, id));
          bool ok = ack.ok() && (ack->find("|AA|") != std::string::npos || ack->find("|CA|") != std::string::npos);
          if (!ok) {
            if (errors++ == 0) std::fprintf(stderr, "first failure: %s\n", ack.ok() ? ack->c_str() : ack.error().describe().c_str());
          }
        } else if (mode == "ingest") {
          const auto& c = pool[static_cast<size_t>(k * connections + t) % pool.size()];
          std::string id = "LOAD-" + std::to_string(seed) + "-" + std::to_string(t) + "-" + std::to_string(k) + "-" +
                           std::to_string(start.time_since_epoch().count());
          r = client.post("/ingest/sisa", withMessageId(c.sisa_json, id), "application/json");
          if (r.status != 202) ++errors;
        } else {
          r = client.get(targets[static_cast<size_t>(k + t) % targets.size()]);
          if (r.status != 200) ++errors;
        }
        ++sent;
        mine.push_back(std::chrono::duration<double, std::milli>(SteadyClock::now() - begin).count());
      }
      std::lock_guard lock(mu);
      latencies.insert(latencies.end(), mine.begin(), mine.end());
    });
  }
  for (auto& th : threads) th.join();
  double seconds = std::chrono::duration<double>(SteadyClock::now() - start).count();
  std::printf(
      "mode=%s connections=%d rate=%s duration=%.1fs requests=%ld errors=%ld throughput=%.0f/s "
      "p50=%.2fms p90=%.2fms p99=%.2fms max=%.2fms\n",
      mode.c_str(), connections, rate > 0 ? std::to_string(static_cast<int>(rate)).c_str() : "closed", seconds,
      sent.load(), errors.load(), static_cast<double>(sent.load()) / seconds, percentile(latencies, 50),
      percentile(latencies, 90), percentile(latencies, 99), percentile(latencies, 100));
  return errors.load() == 0 ? 0 : 1;
}

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "raccordo_load: %s\n", e.what());
    return 2;
  }
}
