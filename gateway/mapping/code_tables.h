#pragma once
// Code tables loaded from mappings/<source>/<table>.json at start: each maps a
// source code to a target {system, code, display} plus optional extra fields.
// C++ holds the mechanism; the vocabulary is data.
//
// Loaded once, read-only afterwards: safe to share between threads.

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/core/json.h"
#include "gateway/core/result.h"

namespace raccordo {

struct Coding {
  std::string system, code, display;
  const json::Value* extra = nullptr;  // the table entry, for extra fields ("unit", "min", ...)
};

class CodeTables {
 public:
  /// A code found by lookupAnyCase(): the key as the table writes it, and its
  /// coding. Both point into the tables.
  struct Match {
    std::string_view key;
    const Coding* coding = nullptr;
  };

  /// Loads every *.json table in the folder; errors name the file and the problem.
  static Result<CodeTables> loadFolder(const std::filesystem::path& folder);
  /// Loads `<folder>/<name>.json` for every name, and no other file: the
  /// folder may hold other data. Each file's "table" must be its name, and its
  /// keys unique ignoring case. Errors name the file (and JSON pointer).
  static Result<CodeTables> loadNamed(const std::filesystem::path& folder, const std::vector<std::string>& names);
  /// As loadNamed() for one more table, unless it is already loaded.
  Status addNamed(const std::filesystem::path& folder, const std::string& name);

  bool has(std::string_view table) const { return tables_.count(table) != 0; }
  /// The "codes" object of a loaded table, or nullptr.
  const json::Value* codes(std::string_view table) const;
  /// The whole JSON document of a loaded table (for members beyond "codes"), or nullptr.
  const json::Doc* document(std::string_view table) const;

  /// Looks a code up by its exact key; an unknown table or code is a kUnknownCode error at `location`.
  Result<Coding> lookup(std::string_view table, std::string_view code, std::string_view location) const;

  /// Looks a code up ignoring ASCII case: the exact key first, else the key
  /// equal to it ignoring case. nullopt when the table or the code is unknown.
  std::optional<Match> findAnyCase(std::string_view table, std::string_view code) const;
  /// As findAnyCase(), but an unknown code is a kUnknownCode error at `location`.
  Result<Match> lookupAnyCase(std::string_view table, std::string_view code, std::string_view location) const;

 private:
  struct Table {
    std::string file;
    std::shared_ptr<json::Doc> doc;  // owns the entries that Coding::extra points into
    std::map<std::string, Coding, std::less<>> codes;
    std::map<std::string, std::string, std::less<>> folded;  // upper-cased key -> key (the first, in a folder table)
  };
  static Result<std::pair<std::string, Table>> readTable(const std::filesystem::path& file,
                                                          const std::string* expected_name);
  std::map<std::string, Table, std::less<>> tables_;
};

}  // namespace raccordo
