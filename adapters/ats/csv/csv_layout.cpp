#include "adapters/ats/csv/csv_layout.h"

#include <rapidjson/error/en.h>
#include <rapidjson/schema.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <set>
#include <sstream>

#include "gateway/core/json_schema.h"

namespace raccordo::csv {

namespace {

using json::Value;

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

Result<std::string> readText(const std::filesystem::path& file, const char* what) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return Error(ErrorCode::kConfig, std::string("cannot read ") + what, file.string());
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Result<std::shared_ptr<json::Doc>> readJson(const std::filesystem::path& file, const char* what) {
  auto text = readText(file, what);
  if (!text.ok()) return text.error();
  auto doc = std::make_shared<json::Doc>();
  doc->Parse(text->c_str(), text->size());
  if (doc->HasParseError()) {
    return Error(ErrorCode::kConfig,
                 std::string(what) + " is not valid JSON: " + rapidjson::GetParseError_En(doc->GetParseError()),
                 file.string() + " offset " + std::to_string(doc->GetErrorOffset()));
  }
  return doc;
}

Error schemaError(const rapidjson::SchemaValidator& v, const Value& schema_root, const Value& doc,
                  const std::string& file) {
  auto violation = json::schemaViolation(v, schema_root, doc, "member");
  return Error(ErrorCode::kConfig, "invalid layout: " + violation.message, file + " " + violation.pointer);
}

std::optional<ColumnType> columnTypeFromName(std::string_view name) {
  for (auto t : {ColumnType::kString, ColumnType::kCodiceFiscale, ColumnType::kDate, ColumnType::kInteger,
                 ColumnType::kDecimal, ColumnType::kCode}) {
    if (name == columnTypeName(t)) return t;
  }
  return std::nullopt;
}

bool isNameChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_'; }

// Builds one Layout from a schema-valid document, checking what the schema cannot.
class LayoutCompiler {
 public:
  LayoutCompiler(std::shared_ptr<json::Doc> doc, std::filesystem::path file, std::filesystem::path ats_dir,
                 CodeTables& tables)
      : doc_(std::move(doc)), file_(std::move(file)), ats_dir_(std::move(ats_dir)), tables_(tables) {}

  Result<Layout> compile() {
    const Value& d = *doc_;
    Layout l;
    l.file = file_.string();
    l.flow = std::string(json::getStr(d, "flow"));
    if (l.flow != file_.stem().string()) {
      return fail("the flow '" + l.flow + "' must be named like its file (" + file_.filename().string() + ")",
                  "/flow");
    }
    l.title = std::string(json::getStr(d, "title"));
    l.description = std::string(json::getStr(d, "description"));
    l.charset = charsetFromName(json::getStr(d, "charset")).value_or(Charset::kAuto);
    if (auto delim = json::getStr(d, "delimiter"); !delim.empty()) l.delimiter = delim[0];
    if (const Value* limits = json::get(d, "limits")) {
      auto take = [&](const char* name, std::size_t& into) {
        if (const Value* v = json::get(*limits, name); v != nullptr && v->IsUint64()) {
          into = static_cast<std::size_t>(v->GetUint64());
        }
      };
      take("max_bytes", l.limits.max_bytes);
      take("max_rows", l.limits.max_rows);
      take("max_fields", l.limits.max_fields);
      take("max_field_length", l.limits.max_field_length);
    }
    if (auto st = columns(l); !st) return st.error();

    auto key = json::getStr(d, "citizen_key");
    auto key_index = columnIndex(l, key);
    if (!key_index) return fail("citizen_key names no column of the layout", "/citizen_key");
    const Column& key_col = l.columns[*key_index];
    if (key_col.type != ColumnType::kCodiceFiscale || !key_col.required) {
      return fail("citizen_key must name a required codice_fiscale column", "/citizen_key");
    }
    l.citizen_column = *key_index;

    const Value& records = d["records"];
    for (rapidjson::SizeType i = 0; i < records.Size(); ++i) {
      std::string at = "/records/" + std::to_string(i);
      RecordTemplate rt;
      rt.kind = std::string(json::getStr(records[i], "kind"));
      auto id = compileNode(l, records[i]["source_id"], at + "/source_id");
      if (!id.ok()) return id.error();
      for (const auto& part : id->parts) {
        if (part.column != TemplateNode::kNoColumn && !l.columns[part.column].required) {
          return fail("source_id may only use required columns ('" + l.columns[part.column].name + "' is not)",
                      at + "/source_id");
        }
      }
      rt.source_id = std::move(id.value());
      auto data = compileNode(l, records[i]["data"], at + "/data");
      if (!data.ok()) return data.error();
      rt.data = std::move(data.value());
      l.records.push_back(std::move(rt));
    }
    l.source = doc_;
    return l;
  }

 private:
  Error fail(std::string message, const std::string& pointer) const {
    return Error(ErrorCode::kConfig, "invalid layout: " + std::move(message), file_.string() + " " + pointer);
  }

  static std::optional<std::size_t> columnIndex(const Layout& l, std::string_view name) {
    for (std::size_t i = 0; i < l.columns.size(); ++i) {
      if (l.columns[i].name == name) return i;
    }
    return std::nullopt;
  }

  Status columns(Layout& l) {
    const Value& cols = (*doc_)["columns"];
    std::set<std::string> seen;
    for (rapidjson::SizeType i = 0; i < cols.Size(); ++i) {
      const Value& c = cols[i];
      std::string at = "/columns/" + std::to_string(i);
      Column col;
      col.name = std::string(json::getStr(c, "name"));
      if (!seen.insert(lower(col.name)).second) {
        return fail("column '" + col.name + "' is listed twice (names are matched case-insensitively)",
                    at + "/name");
      }
      col.description = std::string(json::getStr(c, "description"));
      col.type = columnTypeFromName(json::getStr(c, "type")).value_or(ColumnType::kString);
      if (const Value* r = json::get(c, "required"); r != nullptr && r->IsBool()) col.required = r->GetBool();
      bool numeric = col.type == ColumnType::kInteger || col.type == ColumnType::kDecimal;
      col.table = std::string(json::getStr(c, "table"));
      if (col.type == ColumnType::kCode && col.table.empty()) {
        return fail("a code column needs a \"table\"", at + "/table");
      }
      if (col.type != ColumnType::kCode && !col.table.empty()) {
        return fail("\"table\" applies to code columns only", at + "/table");
      }
      if (!col.table.empty()) {
        if (!std::filesystem::exists(ats_dir_ / (col.table + ".json"))) {
          return fail("unknown code table '" + col.table + "': there is no " +
                          (ats_dir_ / (col.table + ".json")).string(),
                      at + "/table");
        }
        if (auto st = tables_.addNamed(ats_dir_, col.table); !st) return st;
      }
      for (const char* bound : {"min", "max"}) {
        const Value* v = json::get(c, bound);
        if (v == nullptr) continue;
        if (!numeric) return fail(std::string("\"") + bound + "\" applies to integer and decimal columns only",
                                  at + "/" + bound);
        (bound[1] == 'i' ? col.min : col.max) = v->GetDouble();
      }
      if (col.min && col.max && *col.min > *col.max) return fail("\"min\" is above \"max\"", at + "/max");
      if (const Value* v = json::get(c, "max_length")) {
        if (col.type != ColumnType::kString) return fail("\"max_length\" applies to string columns only",
                                                         at + "/max_length");
        col.max_length = static_cast<std::size_t>(v->GetUint64());
      }
      if (const Value* f = json::get(c, "formats")) {
        if (col.type != ColumnType::kDate) return fail("\"formats\" applies to date columns only", at + "/formats");
        for (const auto& fmt : f->GetArray()) col.formats.emplace_back(fmt.GetString());
      } else if (col.type == ColumnType::kDate) {
        col.formats = {"DD/MM/YYYY", "YYYY-MM-DD"};
      }
      l.columns.push_back(std::move(col));
    }
    // not_before may name a column listed later: resolved once all are known.
    for (rapidjson::SizeType i = 0; i < cols.Size(); ++i) {
      auto other = json::getStr(cols[i], "not_before");
      if (other.empty()) continue;
      std::string at = "/columns/" + std::to_string(i) + "/not_before";
      auto idx = columnIndex(l, other);
      if (l.columns[i].type != ColumnType::kDate) return fail("\"not_before\" applies to date columns only", at);
      if (!idx || l.columns[*idx].type != ColumnType::kDate || *idx == i) {
        return fail("\"not_before\" must name another date column", at);
      }
      l.columns[i].not_before = *idx;
    }
    return {};
  }

  Result<TemplateNode> compileNode(const Layout& l, const Value& v, const std::string& at) {
    TemplateNode node;
    if (v.IsString()) {
      std::string_view s(v.GetString(), v.GetStringLength());
      if (s.find("${") == std::string_view::npos) {
        node.literal = &v;
        return node;
      }
      node.kind = TemplateNode::Kind::kText;
      if (auto st = compileText(l, s, at, node); !st) return st.error();
      return node;
    }
    if (v.IsObject()) {
      node.kind = TemplateNode::Kind::kObject;
      for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) {
        auto child = compileNode(l, it->value, at + "/" + json::pointerToken(it->name.GetString()));
        if (!child.ok()) return child.error();
        node.names.emplace_back(it->name.GetString(), it->name.GetStringLength());
        node.children.push_back(std::move(child.value()));
      }
      return node;
    }
    if (v.IsArray()) {
      node.kind = TemplateNode::Kind::kArray;
      for (rapidjson::SizeType i = 0; i < v.Size(); ++i) {
        auto child = compileNode(l, v[i], at + "/" + std::to_string(i));
        if (!child.ok()) return child.error();
        node.children.push_back(std::move(child.value()));
      }
      return node;
    }
    node.literal = &v;
    return node;
  }

  // "adi-${id_attivazione}" -> [{text "adi-", column id_attivazione}].
  Status compileText(const Layout& l, std::string_view s, const std::string& at, TemplateNode& node) {
    std::size_t i = 0;
    while (i < s.size()) {
      std::size_t open = s.find("${", i);
      if (open == std::string_view::npos) {
        node.parts.push_back({std::string(s.substr(i)), TemplateNode::kNoColumn, ""});
        break;
      }
      std::size_t close = s.find('}', open + 2);
      if (close == std::string_view::npos) return fail("a \"${\" is not closed by \"}\"", at);
      std::string_view ref = s.substr(open + 2, close - open - 2);
      std::size_t dot = ref.find('.');
      std::string_view name = ref.substr(0, dot);
      std::string_view accessor = dot == std::string_view::npos ? std::string_view() : ref.substr(dot + 1);
      if (name.empty() || !std::all_of(name.begin(), name.end(), isNameChar) ||
          (dot != std::string_view::npos && (accessor.empty() || !std::all_of(accessor.begin(), accessor.end(),
                                                                             isNameChar)))) {
        return fail("\"${" + std::string(ref) + "}\" is not a reference: write ${column} or ${column.field}", at);
      }
      auto idx = columnIndex(l, name);
      if (!idx) return fail("\"${" + std::string(ref) + "}\" names no column of the layout", at);
      const Column& col = l.columns[*idx];
      if (!accessor.empty()) {
        if (col.type != ColumnType::kCode) {
          return fail("\"${" + std::string(ref) + "}\": only code columns have fields", at);
        }
        if (accessor != "code" && accessor != "display" && accessor != "system" && accessor != "source") {
          const Value* codes = tables_.codes(col.table);
          for (auto it = codes->MemberBegin(); it != codes->MemberEnd(); ++it) {
            if (!it->value.HasMember(Value(accessor.data(), static_cast<rapidjson::SizeType>(accessor.size())))) {
              return fail("\"${" + std::string(ref) + "}\": entry '" + it->name.GetString() + "' of table '" +
                              col.table + "' has no field '" + std::string(accessor) + "'",
                          at);
            }
          }
        }
      }
      node.parts.push_back({std::string(s.substr(i, open - i)), *idx, std::string(accessor)});
      i = close + 1;
    }
    return {};
  }

  std::shared_ptr<json::Doc> doc_;
  std::filesystem::path file_;
  std::filesystem::path ats_dir_;
  CodeTables& tables_;
};

// --- instantiation -------------------------------------------------------

// The text of a reference, or nullopt when it is empty (the member is dropped).
std::optional<std::string> textOf(const Cell& cell, const std::string& accessor) {
  if (cell.empty) return std::nullopt;
  if (accessor.empty() || accessor == "source") return cell.text;
  if (accessor == "system") return cell.coding.system;
  const Value* v = cell.coding.extra != nullptr ? json::get(*cell.coding.extra, accessor.c_str()) : nullptr;
  if (v == nullptr || v->IsNull()) return std::nullopt;
  if (v->IsString()) {
    if (v->GetStringLength() == 0) return std::nullopt;
    return std::string(v->GetString(), v->GetStringLength());
  }
  return json::write(*v);
}

// Writes the typed value of a lone reference into `out`; false when empty.
bool typedValue(const Column& col, const Cell& cell, const std::string& accessor, Value& out, json::Alloc& a) {
  if (cell.empty) return false;
  if (!accessor.empty()) {
    if (accessor == "system" || accessor == "source") {
      out = json::str(accessor == "system" ? cell.coding.system : cell.text, a);
      return true;
    }
    const Value* v = cell.coding.extra != nullptr ? json::get(*cell.coding.extra, accessor.c_str()) : nullptr;
    if (v == nullptr || v->IsNull() || (v->IsString() && v->GetStringLength() == 0)) return false;
    out.CopyFrom(*v, a);
    return true;
  }
  switch (col.type) {
    case ColumnType::kInteger:
      out.SetInt64(cell.integer);
      return true;
    case ColumnType::kDecimal:
      out.SetDouble(cell.number);
      return true;
    case ColumnType::kCode: {
      out.SetObject();
      out.AddMember("system", json::str(cell.coding.system, a), a);
      out.AddMember("code", json::str(cell.coding.code, a), a);
      if (!cell.coding.display.empty()) out.AddMember("display", json::str(cell.coding.display, a), a);
      return true;
    }
    default:
      out = json::str(cell.text, a);
      return true;
  }
}

bool instantiate(const Layout& l, const TemplateNode& node, const std::vector<Cell>& cells, Value& out,
                 json::Alloc& a) {
  switch (node.kind) {
    case TemplateNode::Kind::kLiteral:
      out.CopyFrom(*node.literal, a);
      return true;
    case TemplateNode::Kind::kText: {
      if (node.typed()) {
        const auto& p = node.parts[0];
        return typedValue(l.columns[p.column], cells[p.column], p.accessor, out, a);
      }
      std::string s;
      for (const auto& p : node.parts) {
        s += p.text;
        if (p.column == TemplateNode::kNoColumn) continue;
        auto t = textOf(cells[p.column], p.accessor);
        if (!t) return false;
        s += *t;
      }
      out = json::str(s, a);
      return true;
    }
    case TemplateNode::Kind::kObject: {
      out.SetObject();
      for (std::size_t i = 0; i < node.children.size(); ++i) {
        Value v;
        if (instantiate(l, node.children[i], cells, v, a)) out.AddMember(json::str(node.names[i], a), v, a);
      }
      return out.MemberCount() > 0 || node.children.empty();
    }
    case TemplateNode::Kind::kArray: {
      out.SetArray();
      for (const auto& child : node.children) {
        Value v;
        if (instantiate(l, child, cells, v, a)) out.PushBack(v, a);
      }
      return !out.Empty() || node.children.empty();
    }
  }
  return false;
}

}  // namespace

const char* columnTypeName(ColumnType type) {
  switch (type) {
    case ColumnType::kString: return "string";
    case ColumnType::kCodiceFiscale: return "codice_fiscale";
    case ColumnType::kDate: return "date";
    case ColumnType::kInteger: return "integer";
    case ColumnType::kDecimal: return "decimal";
    case ColumnType::kCode: return "code";
  }
  return "string";
}

Result<std::vector<Record>> Layout::buildRecords(const std::vector<Cell>& cells) const {
  std::vector<Record> out;
  out.reserve(records.size());
  for (const auto& rt : records) {
    Record r;
    r.kind = rt.kind;
    r.data.SetObject();
    auto& a = r.data.GetAllocator();
    Value id;
    if (!instantiate(*this, rt.source_id, cells, id, a) || !id.IsString() || id.GetStringLength() == 0) {
      return Error(ErrorCode::kInvalidInput, "the " + rt.kind + " record's source_id is empty");
    }
    r.source_id = std::string(id.GetString(), id.GetStringLength());
    Value data;
    instantiate(*this, rt.data, cells, data, a);  // always an object, maybe empty
    if (data.IsObject()) static_cast<Value&>(r.data).Swap(data);
    out.push_back(std::move(r));
  }
  return out;
}

Result<FlowCatalog> loadFlowCatalog(const std::filesystem::path& ats_dir, const std::filesystem::path& schema_file) {
  auto schema_json = readJson(schema_file, "the CSV layout schema");
  if (!schema_json.ok()) return schema_json.error();
  rapidjson::SchemaDocument schema(**schema_json);

  auto flows_dir = ats_dir / "flows";
  std::error_code ec;
  if (!std::filesystem::is_directory(flows_dir, ec)) {
    return Error(ErrorCode::kConfig, "CSV layout folder not found", flows_dir.string());
  }
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(flows_dir, ec)) {
    if (e.path().extension() == ".json") files.push_back(e.path());
  }
  if (ec) return Error(ErrorCode::kConfig, "cannot list the CSV layout folder: " + ec.message(), flows_dir.string());
  std::sort(files.begin(), files.end());

  auto tables = std::make_shared<CodeTables>();
  FlowCatalog catalog;
  for (const auto& file : files) {
    auto doc = readJson(file, "CSV layout");
    if (!doc.ok()) return doc.error();
    rapidjson::SchemaValidator validator(schema);
    if (!(*doc)->Accept(validator)) return schemaError(validator, **schema_json, **doc, file.string());
    auto layout = LayoutCompiler(std::move(doc.value()), file, ats_dir, *tables).compile();
    if (!layout.ok()) return layout.error();
    catalog.layouts.push_back(std::make_shared<const Layout>(std::move(layout.value())));
  }
  catalog.tables = std::move(tables);
  return catalog;
}

}  // namespace raccordo::csv
