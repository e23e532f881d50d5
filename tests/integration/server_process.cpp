#include "tests/integration/server_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace raccordo::testing {

bool pollUntil(const std::function<bool()>& condition, std::chrono::milliseconds deadline) {
  auto end = std::chrono::steady_clock::now() + deadline;
  while (std::chrono::steady_clock::now() < end) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return condition();
}

std::string readFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

ServerProcess::ServerProcess(std::filesystem::path data_dir, std::vector<std::string> extra)
    : data_dir_(std::move(data_dir)), extra_(std::move(extra)) {}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) {
    kill(SIGKILL);
    wait(std::chrono::seconds(10));
  }
}

void ServerProcess::start() {
  auto port_file = data_dir_ / "port";
  auto mllp_port_file = data_dir_ / "mllp-port";
  std::filesystem::remove(port_file);
  std::filesystem::remove(mllp_port_file);
  std::vector<std::string> args = {RACCORDO_BINARY,
                                   "serve",
                                   "--config",
                                   std::string(RACCORDO_SOURCE_DIR) + "/config/demo.json",
                                   "--set",
                                   "data_dir=" + data_dir_.string(),
                                   "--set",
                                   "http.listen=127.0.0.1:0",
                                   "--set",
                                   "http.port_file=" + port_file.string(),
                                   "--set",
                                   "mllp.listen=127.0.0.1:0",
                                   "--set",
                                   "mllp.port_file=" + mllp_port_file.string(),
                                   "--set",
                                   "log.level=info",
                                   "--set",
                                   "journal.backoff_initial_ms=50"};
  for (const auto& e : extra_) {
    args.push_back("--set");
    args.push_back(e);
  }
  std::string log_path = (data_dir_ / "server.log").string();
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    int fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
    }
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  bool up = pollUntil([&] { return std::filesystem::exists(port_file); }, std::chrono::seconds(30));
  if (!up) throw std::runtime_error("server did not start; log:\n" + log());
  port_ = static_cast<uint16_t>(std::stoi(readFile(port_file)));
  // The gateway writes the MLLP port file before the HTTP one, once everything
  // is up (there is none when a test turns MLLP off).
  if (std::filesystem::exists(mllp_port_file)) {
    mllp_port_ = static_cast<uint16_t>(std::stoi(readFile(mllp_port_file)));
  }
}

void ServerProcess::kill(int signal) {
  if (pid_ > 0) ::kill(pid_, signal);
}

int ServerProcess::wait(std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return -1000;
  int status = 0;
  bool done = pollUntil(
      [&] {
        pid_t r = waitpid(pid_, &status, WNOHANG);
        return r == pid_;
      },
      timeout);
  if (!done) return -1000;
  pid_ = -1;
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return -WTERMSIG(status);
  return -999;
}

std::string ServerProcess::log() const { return readFile(data_dir_ / "server.log"); }

}  // namespace raccordo::testing
