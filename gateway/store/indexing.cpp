#include "gateway/store/indexing.h"

#include <algorithm>

#include "gateway/core/ids.h"

namespace raccordo {

namespace {

void addIdentifier(const json::Value& ident, ResourceIndex& index) {
  if (!ident.IsObject()) return;
  auto value = json::getStr(ident, "value");
  if (value.empty()) return;
  index.identifiers.push_back({std::string(json::getStr(ident, "system")), std::string(value)});
}

// Walks the whole resource: every "reference" string is a reference, and the
// Patient ones put the resource in that patient's compartment. Patient.link
// (another patient record of the same person) does not make a compartment.
void walk(const json::Value& v, bool is_patient, ResourceIndex& index) {
  if (v.IsObject()) {
    for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) {
      std::string_view name(it->name.GetString(), it->name.GetStringLength());
      if (name == "reference" && it->value.IsString()) {
        std::string type, id;
        if (splitReference(it->value.GetString(), type, id)) {
          index.references.push_back(type + "/" + id);
          if (type == "Patient" && !is_patient) index.patients.push_back(id);
        }
      } else {
        walk(it->value, is_patient, index);
      }
    }
  } else if (v.IsArray()) {
    for (const auto& e : v.GetArray()) walk(e, is_patient, index);
  }
}

void dedupe(std::vector<std::string>& v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
}

}  // namespace

bool splitReference(std::string_view ref, std::string& type, std::string& id) {
  if (ref.empty() || ref.front() == '#' || ref.find("://") != std::string_view::npos || ref.starts_with("urn:")) {
    return false;
  }
  auto slash = ref.find('/');
  if (slash == std::string_view::npos || slash == 0) return false;
  auto rest = ref.substr(slash + 1);
  auto end = rest.find('/');
  if (end != std::string_view::npos) rest = rest.substr(0, end);
  if (rest.empty()) return false;
  type = std::string(ref.substr(0, slash));
  id = std::string(rest);
  return true;
}

PreparedResource prepareResource(json::Doc& doc) {
  PreparedResource r;
  r.type = std::string(json::getStr(doc, "resourceType"));
  r.id = std::string(json::getStr(doc, "id"));
  if (r.type.empty() || r.id.empty()) {
    throw RaccordoException(ErrorCode::kInternal, "resource without resourceType or id", "prepareResource");
  }
  r.index = indexResource(doc);
  auto meta = doc.FindMember("meta");
  if (meta != doc.MemberEnd()) {
    if (meta->value.IsObject()) {
      // EraseMember keeps the member order (RemoveMember would move the last
      // member into the gap and change the hash of identical content).
      meta->value.EraseMember("versionId");
      meta->value.EraseMember("lastUpdated");
      if (!meta->value.ObjectEmpty()) {
        std::string text = json::write(meta->value);
        r.meta_extra = text.substr(1, text.size() - 2);
      }
    }
    doc.EraseMember(meta);
  }
  r.body = json::write(doc);
  r.hash = sha256Hex(r.meta_extra + "\n" + r.body);
  return r;
}

std::string withVersionMeta(const PreparedResource& r, int64_t version, int64_t now_ms) {
  // body starts {"resourceType":"T","id":"I", ...: meta goes right after the
  // id, where FHIR examples put it. Find the end of the id member.
  std::string meta = "\"meta\":{\"versionId\":\"" + std::to_string(version) + "\",\"lastUpdated\":\"" +
                     formatInstant(now_ms) + "\"" + (r.meta_extra.empty() ? "" : "," + r.meta_extra) + "}";
  std::string id_member = "\"id\":" + json::write(rapidjson::Value(rapidjson::StringRef(r.id.data(), r.id.size())));
  auto pos = r.body.find(id_member);
  if (pos == std::string::npos) {
    // Not where expected (hand-built JSON): put meta first.
    return "{" + meta + (r.body.size() > 2 ? "," : "") + r.body.substr(1);
  }
  pos += id_member.size();
  std::string out;
  out.reserve(r.body.size() + meta.size() + 1);
  out.append(r.body, 0, pos);
  out += ',';
  out += meta;
  out.append(r.body, pos, std::string::npos);
  return out;
}

ResourceIndex indexResource(const json::Value& resource) {
  ResourceIndex index;
  if (const auto* ids = json::get(resource, "identifier")) {
    if (ids->IsArray()) {
      for (const auto& i : ids->GetArray()) addIdentifier(i, index);
    } else {
      addIdentifier(*ids, index);
    }
  }
  bool is_patient = json::getStr(resource, "resourceType") == "Patient";
  walk(resource, is_patient, index);
  dedupe(index.patients);
  dedupe(index.references);
  return index;
}

}  // namespace raccordo
