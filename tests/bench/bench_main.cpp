// In-process benchmarks of the hot paths (figures in docs/performance.md):
// SISA decode and map, codice fiscale parsing, the $everything handler and
// the store's durable group commit.

#include <benchmark/benchmark.h>

#include <filesystem>
#include <thread>

#include "adapters/builtin.h"
#include "gateway/api/api.h"
#include "gateway/core/process.h"
#include "gateway/identity/codice_fiscale.h"
#include "gateway/mapping/pipeline.h"
#include "gateway/synth/synth.h"
#include "tests/bench/heavy_citizen.h"

using namespace raccordo;

namespace {

AdapterEnvironment sourceTree() {
  AdapterEnvironment env;
  env.mappings_dir = std::string(RACCORDO_SOURCE_DIR) + "/mappings";
  env.schemas_dir = std::string(RACCORDO_SOURCE_DIR) + "/schemas";
  return env;
}

const AdapterRegistry& adapters() {
  static AdapterRegistry registry = [] {
    AdapterRegistry r;
    if (!registerBuiltinAdapters(r, sourceTree()).ok()) std::abort();
    return r;
  }();
  return registry;
}

const Adapter& sisa() { return *adapters().find("sisa"); }

const std::vector<synth::SynthCitizen>& citizens() {
  static auto c = synth::generateCitizens({5, 256});
  return c;
}

void BM_SisaInspect(benchmark::State& state) {
  size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(sisa().inspect(citizens()[i++ % citizens().size()].sisa_json));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SisaInspect);

void BM_SisaDecodeAndMap(benchmark::State& state) {
  size_t i = 0;
  for (auto _ : state) {
    auto decoded = sisa().decode(citizens()[i++ % citizens().size()].sisa_json, MessageMeta{});
    auto mapped = mapToFhir(decoded.value(), MappingContext{});
    benchmark::DoNotOptimize(mapped);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SisaDecodeAndMap);

void BM_CodiceFiscaleParse(benchmark::State& state) {
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(identity::parseCodiceFiscale(citizens()[i++ % citizens().size()].codice_fiscale));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CodiceFiscaleParse);

// A store in a temporary folder, removed at exit.
struct TempStore {
  std::filesystem::path dir;
  Config config;
  std::unique_ptr<Store> store;
  explicit TempStore(const std::string& name, bool full_sync) {
    dir = std::filesystem::temp_directory_path() / ("raccordo-bench-" + name + "-" + std::to_string(getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    (void)config.set("store", "sqlite:" + (dir / "bench.db").string());
    (void)config.set("sqlite.synchronous", full_sync ? "full" : "normal");
    store = std::move(openStore(config).value());
  }
  ~TempStore() {
    store->close();
    std::filesystem::remove_all(dir);
  }
};

// $everything of a citizen with ~100 resources, through the route handler
// (no network): the store read plus bundle assembly.
void BM_EverythingHandler(benchmark::State& state) {
  TempStore ts("everything", false);
  ManualClock clock(1'700'000'000'000);
  Metrics metrics;
  Pipeline pipeline(adapters(), MappingContext{});
  Journal journal(*ts.store, adapters(), pipeline, JournalOptions{}, clock, metrics);
  ApiContext api{*ts.store, journal, adapters(), ts.config, metrics};
  Router router;
  registerFhirRoutes(router, api);
  const auto& c = citizens()[0];
  MessageRecord m;
  m.id = 1;
  m.adapter = "sisa";
  m.raw = bench::heavyCitizenJson(c, static_cast<int>(state.range(0)), "BENCH-1");
  auto apply = pipeline.prepare(m);
  ts.store->write([&](WriteTx& tx) { (*apply)(tx, clock.nowMs()); });
  HttpRequest req;
  req.method = "GET";
  req.target = "/fhir/Patient/" + patientIdFor(c.codice_fiscale) + "/$everything";
  req.headers["host"] = "localhost";
  req.splitTarget();
  size_t bytes = 0;
  for (auto _ : state) {
    auto resp = router.handle(req);
    if (resp.status != 200) state.SkipWithError("not 200");
    bytes = resp.body.size();
  }
  state.counters["bundle_bytes"] = static_cast<double>(bytes);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EverythingHandler)->Arg(100)->Unit(benchmark::kMicrosecond);

// The single writer's share of applying one message (a new citizen, ~20
// resources): what limits how fast workers apply the journal. The mapping
// and preparation are done before the timed write, as the workers do.
void BM_ApplyNewCitizen(benchmark::State& state) {
  TempStore ts("apply", false);
  Pipeline pipeline(adapters(), MappingContext{});
  auto people = synth::generateCitizens({77, 4000});
  size_t i = 0;
  int64_t resources = 0;
  for (auto _ : state) {
    state.PauseTiming();
    MessageRecord m;
    m.id = static_cast<int64_t>(i) + 1;
    m.adapter = "sisa";
    m.raw = people[i++ % people.size()].sisa_json;
    auto apply = pipeline.prepare(m);
    state.ResumeTiming();
    ts.store->write([&](WriteTx& tx) { (*apply)(tx, 1'700'000'000'000); }, WritePriority::kBackground);
    resources += people[(i - 1) % people.size()].resource_hint;
  }
  state.counters["resources_per_message"] = static_cast<double>(resources) / static_cast<double>(state.iterations());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ApplyNewCitizen)->Iterations(3000)->UseRealTime()->Unit(benchmark::kMicrosecond);

// Durable appends from many threads: the group commit at work. Items/s is
// acknowledged messages per second with synchronous=FULL (one fsync per group).
void BM_JournalAppendGroupCommit(benchmark::State& state) {
  static TempStore* ts = nullptr;
  if (state.thread_index() == 0) ts = new TempStore("append", true);
  std::string raw = citizens()[0].sisa_json;
  int64_t n = 0;
  for (auto _ : state) {
    NewMessage m;
    m.adapter = "sisa";
    m.sender = "bench";
    m.citizen_key = "T" + std::to_string(state.thread_index());
    m.content_type = "application/json";
    m.raw = raw;
    ts->store->write([&](WriteTx& tx) { tx.appendMessage(m, ++n); });
  }
  state.SetItemsProcessed(state.iterations());
  if (state.thread_index() == 0) {
    int64_t commits = 0, writes = 0;
    ts->store->stats(commits, writes);
    state.counters["writes_per_commit"] = commits > 0 ? static_cast<double>(writes) / static_cast<double>(commits) : 0;
    delete ts;
    ts = nullptr;
  }
}
BENCHMARK(BM_JournalAppendGroupCommit)->Threads(1)->Threads(8)->Threads(64)->UseRealTime();

}  // namespace

int main(int argc, char** argv) {
  tuneAllocator();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
