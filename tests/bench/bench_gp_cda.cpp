// gp-cda: decoding a 30-entry Patient Summary, and decoding plus the FHIR
// mapping (the worker's whole cost of one summary). Target: 2,000 summaries/s
// on one core for decode and map (docs/performance.md).

#include <benchmark/benchmark.h>

#include "adapters/builtin.h"
#include "gateway/mapping/fhir_mapping.h"
#include "tests/adapters/gp/cda_fixtures.h"

using namespace raccordo;

namespace {

const Adapter& gpCda() {
  static AdapterRegistry registry = [] {
    AdapterRegistry r;
    AdapterEnvironment env;
    env.mappings_dir = std::string(RACCORDO_SOURCE_DIR) + "/mappings";
    env.schemas_dir = std::string(RACCORDO_SOURCE_DIR) + "/schemas";
    if (!registerBuiltinAdapters(r, env).ok()) std::abort();
    return r;
  }();
  return *registry.find("gp-cda");
}

const std::string& summary30() {
  static const std::string s = testing::cdaSummary(30);
  return s;
}

void BM_GpCdaDecode(benchmark::State& state) {
  const Adapter& adapter = gpCda();
  MessageMeta meta{1, "gp-cda", "bench", "application/xml"};
  for (auto _ : state) {
    auto decoded = adapter.decode(summary30(), meta);
    if (!decoded.ok()) {
      state.SkipWithError(decoded.error().describe().c_str());
      break;
    }
    benchmark::DoNotOptimize(decoded);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(summary30().size()));
}
BENCHMARK(BM_GpCdaDecode)->Unit(benchmark::kMicrosecond);

void BM_GpCdaDecodeAndMap(benchmark::State& state) {
  const Adapter& adapter = gpCda();
  MessageMeta meta{1, "gp-cda", "bench", "application/xml"};
  for (auto _ : state) {
    auto decoded = adapter.decode(summary30(), meta);
    if (!decoded.ok()) {
      state.SkipWithError(decoded.error().describe().c_str());
      break;
    }
    auto mapped = mapToFhir(*decoded, MappingContext{});
    if (!mapped.ok()) {
      state.SkipWithError(mapped.error().describe().c_str());
      break;
    }
    benchmark::DoNotOptimize(mapped);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_GpCdaDecodeAndMap)->Unit(benchmark::kMicrosecond);

}  // namespace
