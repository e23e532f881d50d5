#pragma once
// The MLLP listener of the ats-hl7 adapter: each message is journaled
// durably, then answered with an ACK built from the journal's answer (so a
// re-sent message gets its first ACK again and is not applied twice).

#include <memory>

#include "gateway/config/config.h"
#include "gateway/core/metrics.h"
#include "gateway/core/result.h"

namespace raccordo {

class Authenticator;
class Journal;
class MllpServer;

/// The listener configured by mllp.* and hl7.* (not started); nullptr when
/// mllp.listen is empty.
Result<std::unique_ptr<MllpServer>> makeHl7Listener(const Config& config, Journal& journal,
                                                    const Authenticator& auth, Metrics& metrics);

}  // namespace raccordo
