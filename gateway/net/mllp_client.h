#pragma once
// A small blocking MLLP client (plain TCP) for the demo, the load tool and
// the tests: send one HL7 message, wait for the framed reply. One instance
// per thread; reconnects once if the server closed an idle connection.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "gateway/core/result.h"

namespace raccordo {

class MllpClient {
 public:
  MllpClient(std::string host, uint16_t port, std::chrono::milliseconds timeout = std::chrono::seconds(30));
  ~MllpClient();
  MllpClient(const MllpClient&) = delete;
  MllpClient& operator=(const MllpClient&) = delete;

  /// Frames and sends `message`, returns the reply's payload (the ACK).
  Result<std::string> send(const std::string& message);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace raccordo
