#include "gateway/adapter/adapter.h"

#include <algorithm>
#include <cctype>

namespace raccordo {

Status AdapterRegistry::add(AdapterPtr adapter) {
  std::string name = adapter->name();
  if (name.empty()) return Error(ErrorCode::kConfig, "an adapter has an empty name", "adapters");
  if (adapters_.count(name) != 0) {
    return Error(ErrorCode::kConfig, "adapter '" + name + "' is registered twice", "adapters");
  }
  adapters_.emplace(std::move(name), std::move(adapter));
  return {};
}

const Adapter* AdapterRegistry::find(std::string_view name) const {
  auto it = adapters_.find(name);
  return it == adapters_.end() ? nullptr : it->second.get();
}

std::vector<std::string> AdapterRegistry::names() const {
  std::vector<std::string> out;
  for (const auto& [name, a] : adapters_) out.push_back(name);
  return out;
}

std::string baseMediaType(std::string_view content_type) {
  auto semi = content_type.find(';');
  std::string_view base = content_type.substr(0, semi);
  while (!base.empty() && std::isspace(static_cast<unsigned char>(base.back()))) base.remove_suffix(1);
  while (!base.empty() && std::isspace(static_cast<unsigned char>(base.front()))) base.remove_prefix(1);
  std::string out(base);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

}  // namespace raccordo
