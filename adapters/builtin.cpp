#include "adapters/builtin.h"

#include "adapters/sisa/sisa_adapter.h"

namespace raccordo {

Status registerBuiltinAdapters(AdapterRegistry& registry, const AdapterEnvironment& env) {
  auto sisa = makeSisaAdapter(env);
  if (!sisa.ok()) return sisa.error();
  if (auto st = registry.add(std::move(sisa.value())); !st) return st;
  return {};
}

}  // namespace raccordo
