#pragma once
// A running gateway: store, adapters, journal and HTTP server built from a
// Config. Used by `raccordo serve`, `raccordo demo` and the integration tests.

#include <chrono>
#include <memory>

#include "gateway/config/config.h"
#include "gateway/core/result.h"

namespace raccordo {

class Store;
class Journal;

class Gateway {
 public:
  static Result<std::unique_ptr<Gateway>> start(const Config& config);
  ~Gateway();

  uint16_t httpPort() const;
  uint16_t mllpPort() const;  // 0 when mllp.listen is empty
  std::string baseUrl() const;  // http://host:port
  Store& store();
  Journal& journal();

  /// Graceful stop: no new requests, in-flight ones finish, workers drain.
  void stop();

 private:
  Gateway() = default;
  struct Parts;
  std::unique_ptr<Parts> parts_;
};

/// Folder holding mappings/ and schemas/ when paths.* are not configured.
std::string defaultDataDir();

/// Blocks until SIGINT or SIGTERM.
void waitForTerminationSignal();

}  // namespace raccordo
