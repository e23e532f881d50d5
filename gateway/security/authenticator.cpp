#include "gateway/security/authenticator.h"

#include <spdlog/spdlog.h>

#include "gateway/config/config.h"

namespace raccordo {

Result<Principal> OpenAuthenticator::authenticate(const RequestHead& head) const {
  std::string_view addr = head.remote_address;
  if (addr.starts_with("::ffff:")) addr.remove_prefix(7);
  if (!isLoopbackHost(addr)) {
    return Error(ErrorCode::kForbidden, "security.mode=open serves loopback clients only", "remote address");
  }
  return Principal{"anonymous", "open"};
}

Result<std::unique_ptr<Authenticator>> makeAuthenticator(const Config& config) {
  const std::string& mode = config.str("security.mode");
  if (mode == "open") {
    for (const char* key : {"http.listen", "mllp.listen"}) {
      if (config.str(key).empty()) continue;  // that listener is off
      auto hp = parseHostPort(config.str(key), key);
      if (!hp.ok()) return hp.error();
      if (!isLoopbackHost(hp->host)) {
        return Error(ErrorCode::kConfig,
                     "security.mode=open is refused on a non-loopback address (" + config.str(key) + ")", key);
      }
    }
    spdlog::warn("security.mode=open: NO AUTHENTICATION. Loopback clients only; never use this in production.");
    return std::unique_ptr<Authenticator>(std::make_unique<OpenAuthenticator>());
  }
  return Error(ErrorCode::kConfig, "unknown security.mode '" + mode + "'", "security.mode");
}

}  // namespace raccordo
