// Fuzzes our own request-target handling (path/query split, percent
// decoding) and FHIR search-parameter parsing through the router, against a
// real SQLite store in a temporary folder.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

#include "gateway/api/api.h"
#include "gateway/mapping/pipeline.h"

namespace {

struct World {
  raccordo::Config config;
  raccordo::SystemClock clock;
  raccordo::Metrics metrics;
  std::unique_ptr<raccordo::Store> store;
  raccordo::AdapterRegistry adapters;
  std::unique_ptr<raccordo::Pipeline> pipeline;
  std::unique_ptr<raccordo::Journal> journal;
  std::unique_ptr<raccordo::ApiContext> api;
  raccordo::Router router;

  World() {
    auto dir = std::filesystem::temp_directory_path() / ("raccordo-fuzz-http-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir);
    (void)config.set("store", "sqlite:" + (dir / "fuzz.db").string());
    (void)config.set("sqlite.synchronous", "normal");
    store = std::move(raccordo::openStore(config).value());
    // The read routes need no adapters; the registry stays empty.
    pipeline = std::make_unique<raccordo::Pipeline>(adapters, raccordo::MappingContext{});
    journal = std::make_unique<raccordo::Journal>(*store, adapters, *pipeline, raccordo::JournalOptions{}, clock,
                                                  metrics);
    api = std::make_unique<raccordo::ApiContext>(raccordo::ApiContext{*store, *journal, adapters, config, metrics});
    raccordo::registerFhirRoutes(router, *api);
    raccordo::registerOpsRoutes(router, *api);
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static World world;
  raccordo::HttpRequest req;
  req.method = "GET";
  req.target = std::string(reinterpret_cast<const char*>(data), size);
  req.remote_address = "127.0.0.1";
  req.splitTarget();
  auto resp = world.router.handle(req);
  if (resp.status >= 500) __builtin_trap();  // bad targets are 4xx, never a server error
  return 0;
}
