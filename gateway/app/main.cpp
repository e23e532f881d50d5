// raccordo: the gateway's single binary. Subcommands: serve, demo, synth,
// migrate, replay, config. Each has --help.

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <csignal>
#include <cstdio>
#include <filesystem>

#include "gateway/app/demo.h"
#include "gateway/app/gateway.h"
#include "gateway/config/config.h"
#include "gateway/core/log.h"
#include "gateway/core/process.h"
#include "gateway/journal/journal.h"
#include "gateway/store/store.h"
#include "gateway/synth/synth.h"

namespace {

using namespace raccordo;

// SIGINT/SIGTERM are taken by sigwait in the main thread; every other thread
// inherits the blocked mask, so they must be blocked before any thread starts.
void blockTerminationSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
}

struct ConfigArgs {
  std::string file;
  std::vector<std::string> overrides;

  void addTo(CLI::App* app, const std::string& default_file) {
    file = default_file;
    app->add_option("--config", file, "Configuration file (JSON, comments allowed)")->capture_default_str();
    app->add_option("--set", overrides, "Override a key: --set http.listen=127.0.0.1:9090 (repeatable)");
  }

  std::optional<Config> load() const {
    auto config = file.empty() ? Config::parse("{}", overrides) : Config::load(file, overrides);
    if (!config.ok()) {
      std::fprintf(stderr, "raccordo: configuration error: %s\n", config.error().describe().c_str());
      return std::nullopt;
    }
    return config.value();
  }
};

}  // namespace

static int run(int argc, char** argv) {
  CLI::App app{"Raccordo: integration gateway for integrated social and health care (SISA, ATS, GP systems)"};
  app.require_subcommand(1);
  std::string data = defaultDataDir();

  ConfigArgs serve_args;
  auto* serve = app.add_subcommand("serve", "Run the gateway until SIGTERM/SIGINT");
  serve_args.addTo(serve, data + "/config/raccordo.example.json");

  ConfigArgs demo_args;
  auto* demo = app.add_subcommand("demo", "Start on SQLite under var/demo/, load synthetic citizens, print URLs");
  demo_args.addTo(demo, data + "/config/demo.json");

  uint64_t seed = 1;
  int citizens = 100;
  std::string out;
  auto* synth_cmd = app.add_subcommand("synth", "Write reproducible synthetic citizens and source messages");
  synth_cmd->add_option("--seed", seed, "Seed: same seed, same bytes")->capture_default_str();
  synth_cmd->add_option("--citizens", citizens, "Number of citizens")->check(CLI::Range(1, 10000000))->capture_default_str();
  synth_cmd->add_option("--out", out, "Output folder")->required();

  ConfigArgs migrate_args;
  auto* migrate = app.add_subcommand("migrate", "Create or upgrade the store's schema, then exit");
  migrate_args.addTo(migrate, data + "/config/raccordo.example.json");

  ConfigArgs replay_args;
  int64_t replay_id = 0;
  auto* replay = app.add_subcommand("replay", "Queue a dead letter again (the server applies it when running)");
  replay_args.addTo(replay, data + "/config/raccordo.example.json");
  replay->add_option("message_id", replay_id, "Message id")->required();

  ConfigArgs print_args;
  auto* print = app.add_subcommand("config", "Print every configuration key with its effective value");
  print_args.addTo(print, "");

  CLI11_PARSE(app, argc, argv);

  if (synth_cmd->parsed()) {
    initLogging("text", "info");
    auto st = synth::writeSynth(synth::SynthOptions{seed, citizens}, out);
    if (!st.ok()) {
      std::fprintf(stderr, "raccordo synth: %s\n", st.error().describe().c_str());
      return 1;
    }
    std::printf("wrote %d citizens to %s (sisa/, ats/, gp/, truth.csv)\n", citizens, out.c_str());
    return 0;
  }

  if (print->parsed()) {
    auto config = print_args.load();
    if (!config) return 2;
    for (const auto& [k, v] : config->values()) std::printf("%s = %s\n", k.c_str(), v.c_str());
    return 0;
  }

  if (serve->parsed() || demo->parsed()) {
    blockTerminationSignals();
    auto config = (serve->parsed() ? serve_args : demo_args).load();
    if (!config) return 2;
    initLogging(config->str("log.format"), config->str("log.level"));
    if (demo->parsed()) return runDemo(*config);
    auto gateway = Gateway::start(*config);
    if (!gateway.ok()) {
      spdlog::error("cannot start: {}", gateway.error().describe());
      return 1;
    }
    waitForTerminationSignal();
    (*gateway)->stop();
    return 0;
  }

  if (migrate->parsed() || replay->parsed()) {
    auto config = (migrate->parsed() ? migrate_args : replay_args).load();
    if (!config) return 2;
    initLogging(config->str("log.format"), config->str("log.level"));
    auto store = openStore(*config);
    if (!store.ok()) {
      spdlog::error("{}", store.error().describe());
      return 1;
    }
    if (migrate->parsed()) {
      std::printf("store %s is at the current schema\n", config->str("store").c_str());
      return 0;
    }
    std::optional<Result<MessageRecord>> requeued;
    SystemClock clock;
    (*store)->write([&](WriteTx& tx) { requeued.emplace(requeueDeadLetter(tx, replay_id, clock.nowMs())); });
    if (!requeued->ok()) {
      std::fprintf(stderr, "raccordo replay: %s\n", requeued->error().describe().c_str());
      return 1;
    }
    std::printf("message %lld queued again\n", static_cast<long long>(replay_id));
    return 0;
  }
  return 0;
}

int main(int argc, char** argv) {
  tuneAllocator();
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    // Setup errors are Results; this is the last line of defence.
    std::fprintf(stderr, "raccordo: fatal: %s\n", e.what());
    return 1;
  }
}
