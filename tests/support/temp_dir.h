#pragma once
// Test helpers shared by the unit and integration tests.

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <string>

#include "adapters/builtin.h"

namespace raccordo::testing {

/// A fresh temporary folder named after the running test, removed on destruction.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = "raccordo-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + "-" +
                       (info != nullptr ? info->name() : "suite");
    std::replace(name.begin(), name.end(), '/', '_');
    path_ = std::filesystem::temp_directory_path() / name;
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

/// The adapters' data folders in the source tree.
inline AdapterEnvironment sourceTreeAdapterEnvironment() {
  AdapterEnvironment env;
  env.mappings_dir = std::string(RACCORDO_SOURCE_DIR) + "/mappings";
  env.schemas_dir = std::string(RACCORDO_SOURCE_DIR) + "/schemas";
  return env;
}

/// The built-in adapters, loaded once per test binary from the source tree.
inline AdapterRegistry& builtinAdaptersForTest() {
  static AdapterRegistry registry = [] {
    AdapterRegistry r;
    auto st = registerBuiltinAdapters(r, sourceTreeAdapterEnvironment());
    if (!st.ok()) {
      ADD_FAILURE() << "cannot load the built-in adapters: " << st.error().describe();
    }
    return r;
  }();
  return registry;
}

}  // namespace raccordo::testing
