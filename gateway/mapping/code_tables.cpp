#include "gateway/mapping/code_tables.h"

#include <rapidjson/error/en.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "gateway/core/text.h"

namespace raccordo {

namespace {

// A table's file as messages show it: its folder and name (sisa/sex.json),
// not the server's absolute path, which means nothing to a sender.
std::string shownFile(const std::string& file) {
  std::filesystem::path p(file);
  return (p.parent_path().filename() / p.filename()).string();
}

}  // namespace

// Reads one table file. With `expected_name`, the table is loaded by name: the
// file must exist, its "table" must be that name, and its keys must be unique
// ignoring case (they are looked up that way).
Result<std::pair<std::string, CodeTables::Table>> CodeTables::readTable(const std::filesystem::path& file,
                                                                          const std::string* expected_name) {
  std::ifstream in(file, std::ios::binary);
  if (!in && expected_name != nullptr) {
    return Error(ErrorCode::kConfig, "cannot read the code table '" + *expected_name + "'", file.string());
  }
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  auto doc = std::make_shared<json::Doc>();
  doc->Parse(text.c_str(), text.size());
  if (doc->HasParseError()) {
    return Error(ErrorCode::kConfig,
                 std::string("code table is not valid JSON: ") + rapidjson::GetParseError_En(doc->GetParseError()),
                 file.string() + " offset " + std::to_string(doc->GetErrorOffset()));
  }
  auto name = json::getStr(*doc, "table");
  auto system = json::getStr(*doc, "system");
  const json::Value* codes = json::get(*doc, "codes");
  if (expected_name != nullptr &&
      (name != *expected_name || system.empty() || codes == nullptr || !codes->IsObject())) {
    return Error(ErrorCode::kConfig,
                 "a code table needs \"table\": \"" + *expected_name + "\", a \"system\" and a \"codes\" object",
                 file.string());
  }
  if (name.empty() || system.empty() || codes == nullptr || !codes->IsObject()) {
    return Error(ErrorCode::kConfig, "a code table needs \"table\", \"system\" and a \"codes\" object",
                 file.string());
  }
  Table t;
  t.file = file.string();
  for (auto it = codes->MemberBegin(); it != codes->MemberEnd(); ++it) {
    std::string key(it->name.GetString(), it->name.GetStringLength());
    if (!it->value.IsObject() || json::getStr(it->value, "code").empty()) {
      return Error(ErrorCode::kConfig, "entry needs an object with a \"code\"",
                   file.string() + " /codes/" + json::pointerToken(key));
    }
    auto [folded, fresh] = t.folded.emplace(asciiUpper(key), key);
    if (!fresh && expected_name != nullptr) {
      return Error(ErrorCode::kConfig, "key '" + folded->first + "' given twice (keys match case-insensitively)",
                   file.string() + " /codes/" + json::pointerToken(key));
    }
    Coding c;
    c.system = std::string(system);
    c.code = std::string(json::getStr(it->value, "code"));
    c.display = std::string(json::getStr(it->value, "display"));
    c.extra = &it->value;
    t.codes.emplace(std::move(key), std::move(c));
  }
  t.doc = std::move(doc);
  return std::pair<std::string, Table>(std::string(name), std::move(t));
}

Result<CodeTables> CodeTables::loadFolder(const std::filesystem::path& folder) {
  CodeTables out;
  std::error_code ec;
  if (!std::filesystem::is_directory(folder, ec)) {
    return Error(ErrorCode::kConfig, "code-table folder not found", folder.string());
  }
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(folder)) {
    if (e.path().extension() == ".json") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& file : files) {
    auto table = readTable(file, nullptr);
    if (!table.ok()) return table.error();
    auto& [name, t] = table.value();
    if (out.tables_.count(name) != 0) {
      return Error(ErrorCode::kConfig, "code table '" + name + "' defined twice", file.string());
    }
    out.tables_.emplace(std::move(name), std::move(t));
  }
  return out;
}

Result<CodeTables> CodeTables::loadNamed(const std::filesystem::path& folder, const std::vector<std::string>& names) {
  CodeTables out;
  for (const auto& name : names) {
    if (auto st = out.addNamed(folder, name); !st) return st.error();
  }
  return out;
}

Status CodeTables::addNamed(const std::filesystem::path& folder, const std::string& name) {
  if (has(name)) return {};
  auto table = readTable(folder / (name + ".json"), &name);
  if (!table.ok()) return table.error();
  tables_.emplace(name, std::move(table->second));
  return {};
}

const json::Value* CodeTables::codes(std::string_view table) const {
  auto t = tables_.find(table);
  return t == tables_.end() ? nullptr : json::get(*t->second.doc, "codes");
}

const json::Doc* CodeTables::document(std::string_view table) const {
  auto t = tables_.find(table);
  return t == tables_.end() ? nullptr : t->second.doc.get();
}

Result<Coding> CodeTables::lookup(std::string_view table, std::string_view code, std::string_view location) const {
  auto t = tables_.find(table);
  if (t == tables_.end()) {
    return Error(ErrorCode::kUnknownCode, "code table '" + std::string(table) + "' is not loaded", std::string(location));
  }
  auto c = t->second.codes.find(code);
  if (c == t->second.codes.end()) {
    return Error(ErrorCode::kUnknownCode,
                 "code '" + std::string(code) + "' is not in table '" + std::string(table) + "' (" + shownFile(t->second.file) + ")",
                 std::string(location));
  }
  return c->second;
}

std::optional<CodeTables::Match> CodeTables::findAnyCase(std::string_view table, std::string_view code) const {
  auto t = tables_.find(table);
  if (t == tables_.end()) return std::nullopt;
  auto c = t->second.codes.find(code);
  if (c == t->second.codes.end()) {
    auto f = t->second.folded.find(asciiUpper(code));
    if (f == t->second.folded.end()) return std::nullopt;
    c = t->second.codes.find(f->second);
  }
  return Match{c->first, &c->second};
}

Result<CodeTables::Match> CodeTables::lookupAnyCase(std::string_view table, std::string_view code,
                                                    std::string_view location) const {
  if (auto m = findAnyCase(table, code)) return *m;
  auto t = tables_.find(table);
  if (t == tables_.end()) {
    return Error(ErrorCode::kUnknownCode, "code table '" + std::string(table) + "' is not loaded",
                 std::string(location));
  }
  // The code comes from the input: cut it, the message may be echoed back.
  return Error(ErrorCode::kUnknownCode,
               "code '" + std::string(code.substr(0, 40)) + "' is not in table '" + std::string(table) + "' (" +
                   shownFile(t->second.file) + ")",
               std::string(location));
}

}  // namespace raccordo
