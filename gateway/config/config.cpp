#include "gateway/config/config.h"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <arpa/inet.h>

#include <charconv>
#include <fstream>
#include <sstream>

namespace raccordo {

namespace {

ConfigKeySpec str(std::string key, std::string def, std::string desc) {
  return {std::move(key), ConfigType::kString, std::move(def), std::move(desc), {}, 0, 0};
}
ConfigKeySpec num(std::string key, int64_t def, int64_t min, int64_t max, std::string desc) {
  return {std::move(key), ConfigType::kInt, std::to_string(def), std::move(desc), {}, min, max};
}
ConfigKeySpec boolean(std::string key, bool def, std::string desc) {
  return {std::move(key), ConfigType::kBool, def ? "true" : "false", std::move(desc), {}, 0, 0};
}
ConfigKeySpec choice(std::string key, std::string def, std::vector<std::string> choices, std::string desc) {
  return {std::move(key), ConfigType::kEnum, std::move(def), std::move(desc), std::move(choices), 0, 0};
}

const ConfigKeySpec* findSpec(std::string_view key) {
  for (const auto& spec : configKeys()) {
    if (spec.key == key) return &spec;
  }
  return nullptr;
}

Status checkValue(const ConfigKeySpec& spec, std::string_view value) {
  switch (spec.type) {
    case ConfigType::kString:
      return {};
    case ConfigType::kBool:
      if (value == "true" || value == "false") return {};
      return Error(ErrorCode::kConfig, "expected true or false, got '" + std::string(value) + "'", spec.key);
    case ConfigType::kInt: {
      int64_t n = 0;
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (ec != std::errc() || end != value.data() + value.size()) {
        return Error(ErrorCode::kConfig, "expected an integer, got '" + std::string(value) + "'", spec.key);
      }
      if (n < spec.min || n > spec.max) {
        return Error(ErrorCode::kConfig,
                     "value " + std::string(value) + " is outside " + std::to_string(spec.min) + ".." +
                         std::to_string(spec.max),
                     spec.key);
      }
      return {};
    }
    case ConfigType::kEnum:
      for (const auto& c : spec.choices) {
        if (c == value) return {};
      }
      {
        std::string list;
        for (const auto& c : spec.choices) list += (list.empty() ? "" : ", ") + c;
        return Error(ErrorCode::kConfig, "'" + std::string(value) + "' is not one of: " + list, spec.key);
      }
  }
  return {};
}

Status flatten(const rapidjson::Value& node, const std::string& prefix, Config& config) {
  for (auto it = node.MemberBegin(); it != node.MemberEnd(); ++it) {
    std::string key = prefix.empty() ? it->name.GetString() : prefix + "." + it->name.GetString();
    const rapidjson::Value& v = it->value;
    const ConfigKeySpec* spec = findSpec(key);
    if (v.IsObject() && spec == nullptr) {
      if (auto st = flatten(v, key, config); !st) return st;
      continue;
    }
    if (spec == nullptr) {
      return Error(ErrorCode::kConfig, "unknown configuration key", it->name.GetStringLength() == 0 ? prefix + "(empty key)" : key);
    }
    std::string text;
    switch (spec->type) {
      case ConfigType::kString:
      case ConfigType::kEnum:
        if (!v.IsString()) return Error(ErrorCode::kConfig, "expected a string", key);
        text = v.GetString();
        break;
      case ConfigType::kInt:
        if (!v.IsInt64()) return Error(ErrorCode::kConfig, "expected an integer", key);
        text = std::to_string(v.GetInt64());
        break;
      case ConfigType::kBool:
        if (!v.IsBool()) return Error(ErrorCode::kConfig, "expected true or false", key);
        text = v.GetBool() ? "true" : "false";
        break;
    }
    if (auto st = config.set(key, text); !st) return st;
  }
  return {};
}

}  // namespace

const std::vector<ConfigKeySpec>& configKeys() {
  static const std::vector<ConfigKeySpec> keys = {
      str("data_dir", "var/raccordo", "Folder for the gateway's own files (SQLite database, generated keys)."),
      str("store", "sqlite:${data_dir}/raccordo.db",
          "Record store and journal: `sqlite:PATH` (embedded default) or a `postgresql://` URL. "
          "`${data_dir}` is replaced by the data_dir value."),
      str("paths.mappings", "", "Folder with the code tables (mappings/). Empty: the one shipped with the build."),
      str("paths.schemas", "", "Folder with the JSON Schemas (schemas/). Empty: the one shipped with the build."),
      str("http.listen", "127.0.0.1:8080", "HTTP API address, host:port (port 0 picks a free port)."),
      str("http.port_file", "",
          "If set, the bound HTTP port is written to this file once listening (useful with port 0)."),
      str("http.public_base_url", "",
          "Base URL written into FHIR links (Bundle.link, fullUrl). Empty: derived from the request's Host header."),
      num("http.body_limit_bytes", 8LL * 1024 * 1024, 1024, 1LL << 30, "Largest request body accepted; larger gets 413."),
      num("http.header_limit_bytes", 16LL * 1024, 1024, 1 << 20, "Largest request header block accepted."),
      num("http.read_timeout_ms", 30000, 100, 3600000, "Time allowed to receive one whole request."),
      num("http.idle_timeout_ms", 60000, 100, 3600000, "Keep-alive connections idle longer than this are closed."),
      num("http.io_threads", 2, 1, 64, "Threads running network I/O."),
      num("http.handler_threads", 64, 1, 1024,
          "Threads running request handlers (they wait on durable commits; more threads, bigger group commits)."),
      num("http.max_connections", 1024, 1, 100000, "Connections served at once; more are refused."),
      str("mllp.listen", "127.0.0.1:2575",
          "HL7 v2 MLLP listener address for the ats-hl7 adapter, host:port (port 0 picks a free port; "
          "empty: no MLLP listener)."),
      str("mllp.port_file", "",
          "If set, the bound MLLP port is written to this file once listening (useful with port 0)."),
      num("mllp.max_message_bytes", 1024LL * 1024, 1024, 1LL << 30,
          "Largest HL7 message accepted over MLLP; a larger one gets an AR ACK and the connection is closed."),
      num("mllp.idle_timeout_ms", 300000, 100, 86400000, "MLLP connections idle longer than this are closed."),
      num("mllp.read_timeout_ms", 120000, 100, 86400000,
          "Time allowed to receive one whole MLLP message once its first byte arrived; a slower sender is cut off."),
      num("mllp.max_connections", 1024, 1, 100000, "MLLP connections served at once; more are refused."),
      num("mllp.io_threads", 1, 1, 64, "Threads running MLLP network I/O."),
      num("mllp.handler_threads", 32, 1, 1024,
          "Threads journaling MLLP messages (each waits on a durable commit; more threads, bigger group commits)."),
      str("mllp.tls.cert_file", "", "PEM certificate chain of the MLLP listener; set with key_file to turn TLS on."),
      str("mllp.tls.key_file", "", "PEM private key of the MLLP listener."),
      str("mllp.tls.ca_file", "", "PEM CA certificates that sign accepted client certificates."),
      boolean("mllp.tls.require_client_cert", false,
              "Refuse MLLP clients without a certificate signed by mllp.tls.ca_file (mutual TLS)."),
      str("hl7.receiving_application", "RACCORDO", "MSH-3 of the ACKs Raccordo sends (the original MSH-5 if empty)."),
      str("hl7.receiving_facility", "", "MSH-4 of the ACKs Raccordo sends (the original MSH-6 if empty)."),
      str("files.dir", "${data_dir}/drop",
          "Watched folders: a file put in DIR/{adapter}/incoming/ is journaled and moved to processing/, "
          "then done/ or rejected/ (e.g. DIR/ats-csv/fna-b1/incoming/). Empty: no watched folders."),
      num("files.poll_interval_ms", 1000, 10, 3600000, "How often the watched folders are scanned."),
      num("files.max_file_bytes", 256LL * 1024 * 1024, 1024, 1LL << 34,
          "Largest file taken from a watched folder; a larger one goes to rejected/ with a reason."),
      choice("security.mode", "open", {"open"},
             "`open`: no authentication, allowed only on loopback listen addresses and loudly logged. "
             "(`enforce` arrives with the security work.)"),
      choice("log.format", "text", {"text", "json"}, "Log lines as human text or JSON lines."),
      choice("log.level", "info", {"trace", "debug", "info", "warn", "error"}, "Lowest level written."),
      num("journal.workers", 4, 1, 256, "Worker threads applying journal entries (different citizens in parallel)."),
      num("journal.max_attempts", 5, 1, 100, "Attempts of a transiently failing message before it is a dead letter."),
      num("journal.backoff_initial_ms", 500, 1, 3600000, "Delay before the first retry; doubles each attempt."),
      num("journal.backoff_max_ms", 300000, 1, 86400000, "Longest delay between retries."),
      num("journal.poll_interval_ms", 200, 1, 60000, "How often workers look for due retries when nothing wakes them."),
      num("sqlite.group_commit_max", 256, 1, 10000, "Most acknowledgement writes (ingest) committed together in one transaction, one fsync; "
          "workers' writes go in batches of their own."),
      num("sqlite.read_connections", 8, 1, 256, "Read-only connections kept open (SQLite)."),
      choice("sqlite.synchronous", "full", {"full", "normal"},
             "SQLite durability: `full` fsyncs every commit (survives power loss); `normal` only on checkpoints."),
      num("fhir.default_count", 20, 1, 1000, "Search page size when _count is not given."),
      num("fhir.max_count", 500, 1, 10000, "Largest _count honoured."),
      str("identity.cf_system", "http://hl7.it/sid/codiceFiscale",
          "System written for the codice fiscale (the hl7.it address or urn:oid:2.16.840.1.113883.2.9.4.3.2)."),
      num("shutdown.drain_timeout_ms", 20000, 0, 600000, "On SIGTERM, time allowed to finish in-flight work."),
      num("demo.citizens", 300, 1, 100000, "Synthetic citizens the demo pushes through ingest."),
      num("demo.seed", 42, 0, INT64_MAX, "Seed of the demo's synthetic data."),
      boolean("demo.keep_running", true, "After loading, keep serving until Ctrl-C (false: exit, for tests)."),
  };
  return keys;
}

Config::Config() {
  for (const auto& spec : configKeys()) values_[spec.key] = spec.default_value;
}

Status Config::set(std::string_view key, std::string_view value) {
  const ConfigKeySpec* spec = findSpec(key);
  if (spec == nullptr) {
    return Error(ErrorCode::kConfig, "unknown configuration key", key.empty() ? "(empty key)" : std::string(key));
  }
  if (auto st = checkValue(*spec, value); !st) return st;
  values_[spec->key] = std::string(value);
  return {};
}

Result<Config> Config::parse(std::string_view json, const std::vector<std::string>& overrides,
                             std::string_view origin) {
  Config config;
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseCommentsFlag | rapidjson::kParseTrailingCommasFlag>(json.data(), json.size());
  if (doc.HasParseError()) {
    return Error(ErrorCode::kConfig,
                 std::string("not valid JSON: ") + rapidjson::GetParseError_En(doc.GetParseError()),
                 std::string(origin) + " offset " + std::to_string(doc.GetErrorOffset()));
  }
  if (!doc.IsObject()) return Error(ErrorCode::kConfig, "the configuration must be a JSON object", std::string(origin));
  if (auto st = flatten(doc, "", config); !st) return st.error();
  for (const auto& o : overrides) {
    auto eq = o.find('=');
    if (eq == std::string::npos) {
      return Error(ErrorCode::kConfig, "--set expects key=value, got '" + o + "'", "--set");
    }
    if (auto st = config.set(std::string_view(o).substr(0, eq), std::string_view(o).substr(eq + 1)); !st) {
      return st.error();
    }
  }
  // ${data_dir} expansion, once, after every override is in. data_dir itself
  // is not expanded (it would refer to itself).
  const std::string data_dir = config.values_["data_dir"];
  if (data_dir.find("${data_dir}") != std::string::npos) {
    return Error(ErrorCode::kConfig, "data_dir cannot contain ${data_dir}", "data_dir");
  }
  for (auto& [k, v] : config.values_) {
    for (auto pos = v.find("${data_dir}"); pos != std::string::npos; pos = v.find("${data_dir}", pos + data_dir.size())) {
      v.replace(pos, 11, data_dir);
    }
  }
  return config;
}

Result<Config> Config::load(const std::string& path, const std::vector<std::string>& overrides) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error(ErrorCode::kConfig, "cannot read the configuration file", path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return parse(buffer.str(), overrides, path);
}

const std::string& Config::str(std::string_view key) const {
  auto it = values_.find(key);
  if (it == values_.end()) throw RaccordoException(ErrorCode::kInternal, "undeclared configuration key", std::string(key));
  return it->second;
}

int64_t Config::integer(std::string_view key) const { return std::stoll(str(key)); }

bool Config::boolean(std::string_view key) const { return str(key) == "true"; }

Result<HostPort> parseHostPort(std::string_view text, std::string_view key) {
  auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    return Error(ErrorCode::kConfig, "expected host:port, got '" + std::string(text) + "'", std::string(key));
  }
  HostPort hp;
  hp.host = std::string(text.substr(0, colon));
  if (hp.host.size() > 2 && hp.host.front() == '[' && hp.host.back() == ']') hp.host = hp.host.substr(1, hp.host.size() - 2);
  auto port_text = text.substr(colon + 1);
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port > 65535) {
    return Error(ErrorCode::kConfig, "bad port '" + std::string(port_text) + "'", std::string(key));
  }
  hp.port = static_cast<uint16_t>(port);
  return hp;
}

bool isLoopbackHost(std::string_view host) {
  if (host == "localhost" || host == "::1") return true;
  // An IPv4 address in 127.0.0.0/8, written as one: "127.example.com" is a name, not loopback.
  in_addr addr{};
  std::string text(host);
  return inet_pton(AF_INET, text.c_str(), &addr) == 1 && (ntohl(addr.s_addr) >> 24) == 127;
}

}  // namespace raccordo
