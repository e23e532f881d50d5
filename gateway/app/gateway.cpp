#include "gateway/app/gateway.h"

#include <spdlog/spdlog.h>

#include <csignal>
#include <cstdio>
#include <filesystem>

#include "adapters/builtin.h"
#include "gateway/api/api.h"
#include "gateway/app/hl7_listener.h"
#include "gateway/core/clock.h"
#include "gateway/core/metrics.h"
#include "gateway/journal/journal.h"
#include "gateway/mapping/pipeline.h"
#include "gateway/net/file_drop.h"
#include "gateway/net/http_server.h"
#include "gateway/net/mllp_server.h"
#include "gateway/security/authenticator.h"
#include "gateway/store/store.h"

#ifndef RACCORDO_DATA_DIR
#define RACCORDO_DATA_DIR "."
#endif

namespace raccordo {

struct Gateway::Parts {
  Config config;
  SystemClock clock;
  Metrics metrics;
  std::unique_ptr<Store> store;
  AdapterRegistry adapters;
  std::unique_ptr<Pipeline> pipeline;
  std::unique_ptr<Journal> journal;
  std::unique_ptr<Authenticator> auth;
  Router router;
  std::unique_ptr<ApiContext> api;
  std::unique_ptr<HttpServer> http;
  std::unique_ptr<MllpServer> mllp;
  std::unique_ptr<FileDrop> files;
  std::string host;
  bool stopped = false;
};

std::string defaultDataDir() { return RACCORDO_DATA_DIR; }

namespace {

// Written to a temporary name and renamed, so a reader never sees half a number.
void writePortFile(const std::string& path, uint16_t port, const char* key) {
  if (path.empty()) return;
  std::string tmp = path + ".tmp";
  std::error_code ec;
  if (FILE* f = std::fopen(tmp.c_str(), "w")) {
    std::fprintf(f, "%u\n", static_cast<unsigned>(port));
    std::fclose(f);
    std::filesystem::rename(tmp, path, ec);
  } else {
    ec = std::make_error_code(std::errc::permission_denied);
  }
  if (ec) spdlog::warn("cannot write {} {}: {}", key, path, ec.message());
}

}  // namespace

Result<std::unique_ptr<Gateway>> Gateway::start(const Config& config) {
  std::unique_ptr<Gateway> g(new Gateway());
  g->parts_ = std::make_unique<Parts>();
  Parts& p = *g->parts_;
  p.config = config;

  auto auth = makeAuthenticator(config);
  if (!auth.ok()) return auth.error();
  p.auth = std::move(auth.value());

  std::error_code ec;
  std::filesystem::create_directories(config.str("data_dir"), ec);
  auto store = openStore(config);
  if (!store.ok()) return store.error();
  p.store = std::move(store.value());

  AdapterEnvironment env;
  std::string data = defaultDataDir();
  env.mappings_dir = config.str("paths.mappings").empty() ? data + "/mappings" : config.str("paths.mappings");
  env.schemas_dir = config.str("paths.schemas").empty() ? data + "/schemas" : config.str("paths.schemas");
  env.cf_system = config.str("identity.cf_system");
  if (auto st = registerBuiltinAdapters(p.adapters, env); !st) return st.error();

  MappingContext mapping;
  mapping.cf_system = env.cf_system;
  p.pipeline = std::make_unique<Pipeline>(p.adapters, mapping);
  JournalOptions jo;
  jo.workers = static_cast<int>(config.integer("journal.workers"));
  jo.max_attempts = static_cast<int>(config.integer("journal.max_attempts"));
  jo.backoff_initial_ms = config.integer("journal.backoff_initial_ms");
  jo.backoff_max_ms = config.integer("journal.backoff_max_ms");
  jo.poll_interval_ms = config.integer("journal.poll_interval_ms");
  p.journal = std::make_unique<Journal>(*p.store, p.adapters, *p.pipeline, jo, p.clock, p.metrics);

  p.api = std::make_unique<ApiContext>(ApiContext{*p.store, *p.journal, p.adapters, p.config, p.metrics});
  registerIngestRoutes(p.router, *p.api);
  registerFhirRoutes(p.router, *p.api);
  registerOpsRoutes(p.router, *p.api);
  Store* store_ptr = p.store.get();
  p.metrics.onRender([store_ptr](Metrics& m) {
    JournalCounts c;
    store_ptr->read([&](ReadTx& tx) { c = tx.journalCounts(); });
    m.set("raccordo_journal_messages", "state=\"queued\"", static_cast<double>(c.queued));
    m.set("raccordo_journal_messages", "state=\"retrying\"", static_cast<double>(c.retrying));
    m.set("raccordo_journal_messages", "state=\"done\"", static_cast<double>(c.done));
    m.set("raccordo_journal_messages", "state=\"dead\"", static_cast<double>(c.dead));
    m.set("raccordo_journal_messages", "state=\"rejected\"", static_cast<double>(c.rejected));
    int64_t commits = 0, writes = 0;
    store_ptr->stats(commits, writes);
    m.set("raccordo_store_commits_total", "", static_cast<double>(commits), "counter");
    m.set("raccordo_store_writes_total", "", static_cast<double>(writes), "counter");
  });

  auto listen = parseHostPort(config.str("http.listen"), "http.listen");
  if (!listen.ok()) return listen.error();
  p.host = listen->host;
  HttpServerOptions ho;
  ho.host = listen->host;
  ho.port = listen->port;
  ho.body_limit = static_cast<size_t>(config.integer("http.body_limit_bytes"));
  ho.header_limit = static_cast<size_t>(config.integer("http.header_limit_bytes"));
  ho.read_timeout = std::chrono::milliseconds(config.integer("http.read_timeout_ms"));
  ho.idle_timeout = std::chrono::milliseconds(config.integer("http.idle_timeout_ms"));
  ho.io_threads = static_cast<int>(config.integer("http.io_threads"));
  ho.handler_threads = static_cast<int>(config.integer("http.handler_threads"));
  ho.max_connections = static_cast<int>(config.integer("http.max_connections"));
  Router* router = &p.router;
  p.http = std::make_unique<HttpServer>(ho, [router](const HttpRequest& r) { return router->handle(r); }, *p.auth,
                                        p.metrics);
  p.journal->start();
  if (auto st = p.http->start(); !st) {
    p.journal->stop();
    return st.error();
  }
  auto mllp = makeHl7Listener(config, *p.journal, *p.auth, p.metrics);
  if (!mllp.ok()) return mllp.error();
  p.mllp = std::move(mllp.value());
  if (p.mllp) {
    if (auto st = p.mllp->start(); !st) return st.error();
    spdlog::info("raccordo listening for HL7 v2 over MLLP on port {} ({})", p.mllp->port(), config.str("mllp.listen"));
  }
  if (!config.str("files.dir").empty()) {
    FileDropOptions fo;
    fo.dir = config.str("files.dir");
    fo.poll_interval_ms = config.integer("files.poll_interval_ms");
    fo.max_file_bytes = config.integer("files.max_file_bytes");
    p.files = std::make_unique<FileDrop>(fo, *p.journal, p.adapters, p.metrics);
    if (auto st = p.files->prepareFolders(); !st) return st.error();
    p.files->start();
    spdlog::info("raccordo watching {}/{{adapter}}/incoming/", fo.dir.string());
  }
  // The port files say "ready": written last, once every listener and the
  // watched folders are up (MLLP first: readers wait for the HTTP one).
  if (p.mllp) writePortFile(config.str("mllp.port_file"), p.mllp->port(), "mllp.port_file");
  writePortFile(config.str("http.port_file"), g->httpPort(), "http.port_file");
  spdlog::info("raccordo listening on http://{}:{} (store {})", p.host, g->httpPort(), config.str("store"));
  return g;
}

Gateway::~Gateway() { stop(); }

uint16_t Gateway::httpPort() const { return parts_->http->port(); }

uint16_t Gateway::mllpPort() const { return parts_->mllp ? parts_->mllp->port() : 0; }

std::string Gateway::baseUrl() const {
  std::string host = parts_->host.find(':') != std::string::npos ? "[" + parts_->host + "]" : parts_->host;
  return "http://" + host + ":" + std::to_string(httpPort());
}

Store& Gateway::store() { return *parts_->store; }
Journal& Gateway::journal() { return *parts_->journal; }

void Gateway::stop() {
  if (!parts_ || parts_->stopped) return;
  parts_->stopped = true;
  // Also reached when start() failed half-way: only what was built is stopped.
  if (!parts_->http) {
    if (parts_->journal) parts_->journal->stop(std::chrono::milliseconds(0));
    if (parts_->store) parts_->store->close();
    return;
  }
  auto drain = std::chrono::milliseconds(parts_->config.integer("shutdown.drain_timeout_ms"));
  spdlog::info("raccordo stopping: draining in-flight requests and messages");
  parts_->http->stop(drain);
  if (parts_->mllp) parts_->mllp->stop(drain);
  if (parts_->files) parts_->files->stop();
  parts_->journal->stop(drain);
  parts_->store->close();
  spdlog::info("raccordo stopped cleanly");
}

void waitForTerminationSignal() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  int sig = 0;
  sigwait(&set, &sig);
  spdlog::info("received {}", sig == SIGTERM ? "SIGTERM" : "SIGINT");
}

}  // namespace raccordo
