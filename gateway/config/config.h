#pragma once
// Configuration: a JSON file (comments allowed) of nested objects, flattened to
// dotted keys ("http.listen"), every key declared once in a registry with its
// type, default and description. Unknown or ill-typed keys are errors that name
// the key. `--set key=value` overrides any key after the file is read.
//
// A Config is immutable after loading and safe to read from any thread.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/core/result.h"

namespace raccordo {

enum class ConfigType { kString, kInt, kBool, kEnum };

struct ConfigKeySpec {
  std::string key;          // dotted path, e.g. "http.listen"
  ConfigType type;
  std::string default_value;  // textual form; "" for strings means empty
  std::string description;
  std::vector<std::string> choices;  // for kEnum
  int64_t min = 0;          // for kInt
  int64_t max = INT64_MAX;  // for kInt
};

/// Every key Raccordo understands, in documentation order.
const std::vector<ConfigKeySpec>& configKeys();

class Config {
 public:
  /// Defaults only.
  Config();

  /// Reads a file, then applies the "key=value" overrides in order.
  static Result<Config> load(const std::string& path, const std::vector<std::string>& overrides);
  /// Same from JSON text (tests, embedded defaults). `origin` names the source in errors.
  static Result<Config> parse(std::string_view json, const std::vector<std::string>& overrides,
                              std::string_view origin = "config");

  /// Sets one key from its textual form, checking type and range.
  Status set(std::string_view key, std::string_view value);

  const std::string& str(std::string_view key) const;
  int64_t integer(std::string_view key) const;
  bool boolean(std::string_view key) const;

  /// Every key with its effective value, for `--print-config` and logs.
  const std::map<std::string, std::string, std::less<>>& values() const { return values_; }

 private:
  std::map<std::string, std::string, std::less<>> values_;
};

/// host:port split; errors name the key.
struct HostPort {
  std::string host;
  uint16_t port = 0;
};
Result<HostPort> parseHostPort(std::string_view text, std::string_view key);

/// True for 127.0.0.0/8, ::1 and "localhost".
bool isLoopbackHost(std::string_view host);

}  // namespace raccordo
