#include "gateway/store/store.h"

#include "gateway/config/config.h"
#include "gateway/store/sqlite/sqlite_store.h"

namespace raccordo {

Result<std::unique_ptr<Store>> openStore(const Config& config) {
  const std::string& url = config.str("store");
  if (url.starts_with("sqlite:")) {
    SqliteOptions options;
    options.path = url.substr(7);
    if (options.path.empty()) return Error(ErrorCode::kConfig, "sqlite: needs a file path", "store");
    options.group_commit_max = static_cast<int>(config.integer("sqlite.group_commit_max"));
    options.read_connections = static_cast<int>(config.integer("sqlite.read_connections"));
    options.synchronous_full = config.str("sqlite.synchronous") == "full";
    return openSqliteStore(options);
  }
  if (url.starts_with("postgresql://") || url.starts_with("postgres://")) {
    return Error(ErrorCode::kConfig, "the PostgreSQL back end is not available in this build yet", "store");
  }
  return Error(ErrorCode::kConfig, "expected sqlite:PATH or a postgresql:// URL, got '" + url + "'", "store");
}

}  // namespace raccordo
