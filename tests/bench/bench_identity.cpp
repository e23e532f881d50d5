// Master patient index at regional scale (docs/identity.md, "Performance"):
// index N synthetic people (default 1,000,000), then match M source records
// with injected errors on T threads (default 2), timing each match.
// Prints requests/s, per-match latency p50/p99/max and memory (RSS from
// /proc/self/status before and after indexing).
//
//   build/tests/bench/raccordo_bench_identity [people] [queries] [threads]

#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "gateway/identity/mpi.h"
#include "gateway/synth/synth_identity.h"

using namespace raccordo;

namespace {

long rssKiB() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
  }
  return -1;
}

double seconds(std::chrono::steady_clock::duration d) { return std::chrono::duration<double>(d).count(); }

// CPU time of the calling thread, in microseconds: on shared cores the wall
// latency includes waiting for a core, this does not.
double threadCpuMicros() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
}

}  // namespace

int main(int argc, char** argv) {
  const uint32_t people = argc > 1 ? static_cast<uint32_t>(std::stoul(argv[1])) : 1000000;
  const uint32_t queries = argc > 2 ? static_cast<uint32_t>(std::stoul(argv[2])) : 200000;
  const unsigned threads = argc > 3 ? static_cast<unsigned>(std::stoul(argv[3])) : 2;

  const auto t0 = std::chrono::steady_clock::now();
  synth::SynthIdentityOptions options;
  options.seed = 7;
  options.people = people;
  options.with_records = false;
  const synth::SynthIdentityData data = synth::generateIdentityData(options);
  std::vector<identity::IdentityRecord> query;
  query.reserve(queries);
  for (uint32_t i = 0; i < queries; ++i) {
    const uint32_t p = static_cast<uint32_t>((uint64_t{i} * 2654435761ULL) % people);
    query.push_back(synth::makeIdentityRecord(data.people[p], p, options.seed, 1000 + i, options.errors).record);
  }
  const auto t1 = std::chrono::steady_clock::now();
  const long rssBefore = rssKiB();

  identity::MasterPatientIndex mpi;
  for (const auto& p : data.people) mpi.addPerson(synth::registryRecord(p));
  const auto t2 = std::chrono::steady_clock::now();
  const long rssAfter = rssKiB();

  std::vector<std::vector<double>> latencies(threads);
  std::vector<std::vector<double>> cpuTimes(threads);
  std::vector<std::size_t> outcomes(std::size_t{3} * threads, 0);
  const auto t3 = std::chrono::steady_clock::now();
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      auto& lat = latencies[t];
      auto& cpu = cpuTimes[t];
      lat.reserve(queries / threads + 1);
      cpu.reserve(queries / threads + 1);
      for (uint32_t i = t; i < queries; i += threads) {
        const double c = threadCpuMicros();
        const auto a = std::chrono::steady_clock::now();
        const identity::MatchDecision d = mpi.match(query[i]);
        const auto b = std::chrono::steady_clock::now();
        cpu.push_back(threadCpuMicros() - c);
        lat.push_back(seconds(b - a) * 1e6);
        ++outcomes[std::size_t{3} * t + static_cast<std::size_t>(d.outcome)];
      }
    });
  }
  for (auto& th : pool) th.join();
  const auto t4 = std::chrono::steady_clock::now();

  auto merged = [](const std::vector<std::vector<double>>& parts) {
    std::vector<double> all;
    for (const auto& l : parts) all.insert(all.end(), l.begin(), l.end());
    std::sort(all.begin(), all.end());
    return all;
  };
  const std::vector<double> all = merged(latencies);
  const std::vector<double> cpuAll = merged(cpuTimes);
  auto pctOf = [](const std::vector<double>& v, double p) {
    return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
  };
  auto pct = [&](double p) { return pctOf(all, p); };
  std::size_t links = 0, reviews = 0, news = 0;
  for (unsigned t = 0; t < threads; ++t) {
    links += outcomes[std::size_t{3} * t];
    reviews += outcomes[std::size_t{3} * t + 1];
    news += outcomes[std::size_t{3} * t + 2];
  }
  std::printf("people indexed      %u (generation %.1f s, indexing %.1f s)\n", people, seconds(t1 - t0), seconds(t2 - t1));
  std::printf("memory              RSS before indexing %.1f MiB, after %.1f MiB, index %.1f MiB (structures %.1f MiB)\n",
              static_cast<double>(rssBefore) / 1024.0, static_cast<double>(rssAfter) / 1024.0,
              static_cast<double>(rssAfter - rssBefore) / 1024.0,
              static_cast<double>(mpi.memoryBytes()) / (1024.0 * 1024.0));
  std::printf("matches             %u on %u threads in %.2f s: %.0f requests/s\n", queries, threads, seconds(t4 - t3),
              queries / seconds(t4 - t3));
  std::printf("latency per match   p50 %.1f us, p99 %.1f us, p99.9 %.1f us, max %.1f us\n", pct(0.5), pct(0.99),
              pct(0.999), all.back());
  std::printf("CPU time per match  p50 %.1f us, p99 %.1f us, p99.9 %.1f us (the wall figures above also count waiting for a core)\n",
              pctOf(cpuAll, 0.5), pctOf(cpuAll, 0.99), pctOf(cpuAll, 0.999));
  std::printf("outcomes            link %zu, review %zu, new %zu\n", links, reviews, news);
  return 0;
}
