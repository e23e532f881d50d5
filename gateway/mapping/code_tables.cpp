#include "gateway/mapping/code_tables.h"

#include <rapidjson/error/en.h>

#include <algorithm>
#include <fstream>
#include <vector>
#include <sstream>

namespace raccordo {

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
    std::ifstream in(file, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    auto doc = std::make_shared<json::Doc>();
    std::string text = ss.str();
    doc->Parse(text.c_str(), text.size());
    if (doc->HasParseError()) {
      return Error(ErrorCode::kConfig,
                   std::string("code table is not valid JSON: ") + rapidjson::GetParseError_En(doc->GetParseError()),
                   file.string() + " offset " + std::to_string(doc->GetErrorOffset()));
    }
    auto name = json::getStr(*doc, "table");
    auto system = json::getStr(*doc, "system");
    const json::Value* codes = json::get(*doc, "codes");
    if (name.empty() || system.empty() || codes == nullptr || !codes->IsObject()) {
      return Error(ErrorCode::kConfig, "a code table needs \"table\", \"system\" and a \"codes\" object",
                   file.string());
    }
    Table t;
    t.system = std::string(system);
    t.file = file.string();
    for (auto it = codes->MemberBegin(); it != codes->MemberEnd(); ++it) {
      if (!it->value.IsObject() || json::getStr(it->value, "code").empty()) {
        return Error(ErrorCode::kConfig, "entry needs an object with a \"code\"",
                     file.string() + " /codes/" + it->name.GetString());
      }
      t.codes.emplace(it->name.GetString(), &it->value);
    }
    t.doc = std::move(doc);
    if (out.tables_.count(std::string(name)) != 0) {
      return Error(ErrorCode::kConfig, "code table '" + std::string(name) + "' defined twice", file.string());
    }
    out.tables_.emplace(std::string(name), std::move(t));
  }
  return out;
}

Result<Coding> CodeTables::lookup(std::string_view table, std::string_view code, std::string_view location) const {
  auto t = tables_.find(table);
  if (t == tables_.end()) {
    return Error(ErrorCode::kUnknownCode, "code table '" + std::string(table) + "' is not loaded", std::string(location));
  }
  auto c = t->second.codes.find(code);
  if (c == t->second.codes.end()) {
    return Error(ErrorCode::kUnknownCode,
                 "code '" + std::string(code) + "' is not in table '" + std::string(table) + "' (" + t->second.file + ")",
                 std::string(location));
  }
  Coding out;
  out.system = t->second.system;
  out.code = std::string(json::getStr(*c->second, "code"));
  out.display = std::string(json::getStr(*c->second, "display"));
  out.extra = c->second;
  return out;
}

}  // namespace raccordo
