#pragma once
// Runs the real `raccordo serve` binary as a child process on a free loopback
// port with its own temporary data folder, for integration tests.

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "tests/support/temp_dir.h"

namespace raccordo::testing {

class ServerProcess {
 public:
  /// `data_dir` holds the SQLite file and the log; `extra` are more --set overrides.
  ServerProcess(std::filesystem::path data_dir, std::vector<std::string> extra = {});
  ~ServerProcess();

  /// Starts and waits (with a deadline) until the port file appears.
  void start();
  void kill(int signal);
  /// Waits for exit; returns the exit status (or -signal), -1000 on timeout.
  int wait(std::chrono::milliseconds timeout);
  bool running() const { return pid_ > 0; }

  uint16_t port() const { return port_; }
  /// The MLLP listener's port; 0 when MLLP is off.
  uint16_t mllpPort() const { return mllp_port_; }
  std::string log() const;

 private:
  std::filesystem::path data_dir_;
  std::vector<std::string> extra_;
  pid_t pid_ = -1;
  uint16_t port_ = 0;
  uint16_t mllp_port_ = 0;
};

/// Polls `condition` until it holds or the deadline passes.
bool pollUntil(const std::function<bool()>& condition, std::chrono::milliseconds deadline);

/// Reads a whole file.
std::string readFile(const std::filesystem::path& path);

}  // namespace raccordo::testing
