#pragma once
// Code tables loaded from mappings/<source>/<table>.json at start: each maps a
// source code to a target {system, code, display} plus optional extra fields.
// C++ holds the mechanism; the vocabulary is data.
//
// Loaded once, read-only afterwards: safe to share between threads.

#include <filesystem>
#include <map>
#include <string>

#include "gateway/core/json.h"
#include "gateway/core/result.h"

namespace raccordo {

struct Coding {
  std::string system, code, display;
  const json::Value* extra = nullptr;  // the table entry, for extra fields ("unit", "min", ...)
};

class CodeTables {
 public:
  /// Loads every *.json table in the folder; errors name the file and the problem.
  static Result<CodeTables> loadFolder(const std::filesystem::path& folder);

  /// Looks a code up; an unknown table or code is an kUnknownCode error at `location`.
  Result<Coding> lookup(std::string_view table, std::string_view code, std::string_view location) const;

 private:
  struct Table {
    std::string system;
    std::string file;
    std::shared_ptr<json::Doc> doc;  // owns the entries that Coding::extra points into
    std::map<std::string, const json::Value*, std::less<>> codes;
  };
  std::map<std::string, Table, std::less<>> tables_;
};

}  // namespace raccordo
