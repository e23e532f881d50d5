#pragma once
// A SQLite store in a test's temporary folder.

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>

#include "gateway/store/sqlite/sqlite_store.h"

namespace raccordo::testing {

/// Opens a fresh SQLite store in `dir` without fsync (tests open many and
/// never outlive a crash). On failure the test fails and the result is null:
/// callers ASSERT_NE(store, nullptr).
inline std::unique_ptr<Store> openTestStore(const std::filesystem::path& dir, int read_connections = 8) {
  SqliteOptions o;
  o.path = (dir / "test.db").string();
  o.read_connections = read_connections;
  o.synchronous_full = false;
  auto s = openSqliteStore(o);
  if (!s.ok()) {
    ADD_FAILURE() << "cannot open the test store in " << dir << ": " << s.error().describe();
    return nullptr;
  }
  return std::move(s.value());
}

}  // namespace raccordo::testing
