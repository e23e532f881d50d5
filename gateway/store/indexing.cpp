#include "gateway/store/indexing.h"

#include <algorithm>

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
