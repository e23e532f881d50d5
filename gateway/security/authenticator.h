#pragma once
// The authentication seam: called with the request head, before the body is
// read, so that nothing from an unauthenticated sender is ever parsed.
// security.mode=open is the only mode until the security work lands.

#include <memory>

#include "gateway/api/http_types.h"
#include "gateway/core/result.h"

namespace raccordo {

class Config;

class Authenticator {
 public:
  virtual ~Authenticator() = default;
  /// kUnauthorized (401) or kForbidden (403) to refuse.
  virtual Result<Principal> authenticate(const RequestHead& head) const = 0;
};

/// Open mode: no credentials, but only from loopback addresses.
class OpenAuthenticator final : public Authenticator {
 public:
  Result<Principal> authenticate(const RequestHead& head) const override;
};

/// Builds the authenticator for security.mode; refuses open mode on a
/// non-loopback listen address.
Result<std::unique_ptr<Authenticator>> makeAuthenticator(const Config& config);

}  // namespace raccordo
