#pragma once
// Watched folders: the file-drop listener. For every adapter there is a
// folder DIR/{adapter}/ (e.g. DIR/ats-csv/fna-b1/) with four sub-folders:
//
//   incoming/    senders put files here (write elsewhere or under a dot-name,
//                then rename: files starting with '.' or ending in .tmp/.part
//                are left alone)
//   processing/  a file is renamed here before it is read; one found here at
//                start (a crash) is simply taken again — the journal knows it
//   done/        journaled; beside it NAME.rejects.csv lists the parts (CSV
//                rows) that were left out, if any
//   rejected/    refused as a whole; beside it NAME.rejects.csv says why
//
// Every move is a rename inside one file system, so a file is always in
// exactly one place. The idempotency key is the file's name and content hash:
// dropping the same file twice journals it once.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>

#include "gateway/core/metrics.h"
#include "gateway/journal/journal.h"

namespace raccordo {

struct FileDropOptions {
  std::filesystem::path dir;
  int64_t poll_interval_ms = 1000;
  int64_t max_file_bytes = 256LL * 1024 * 1024;
};

class FileDrop {
 public:
  FileDrop(FileDropOptions options, Journal& journal, const AdapterRegistry& adapters, Metrics& metrics);
  ~FileDrop();
  FileDrop(const FileDrop&) = delete;
  FileDrop& operator=(const FileDrop&) = delete;

  /// Creates the four folders of every registered adapter.
  Status prepareFolders();

  /// One pass over every adapter's processing/ (left by a crash) and
  /// incoming/ folders; returns the number of files handled.
  int scanOnce();

  /// Scans every poll interval on a thread of its own until stop().
  void start();
  void stop();

 private:
  void handle(const std::string& adapter, const std::filesystem::path& processing_file);

  FileDropOptions options_;
  Journal& journal_;
  const AdapterRegistry& adapters_;
  Metrics& metrics_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace raccordo
