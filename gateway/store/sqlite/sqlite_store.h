#pragma once
// The embedded default back end: one SQLite file in WAL mode. All writes go
// through one writer thread that groups concurrent write() calls into one
// transaction (one fsync) — the group commit that makes durable ingest cheap.
// Reads use a small pool of read-only connections (WAL lets them run beside
// the writer).

#include <memory>
#include <string>

#include "gateway/store/store.h"

namespace raccordo {

struct SqliteOptions {
  std::string path;
  int group_commit_max = 256;
  int read_connections = 8;
  bool synchronous_full = true;
};

Result<std::unique_ptr<Store>> openSqliteStore(const SqliteOptions& options);

}  // namespace raccordo
