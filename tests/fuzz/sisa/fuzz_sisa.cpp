// Fuzzes the SISA adapter's envelope check, decoding and FHIR mapping: no
// input may crash, hang or leak; every failure must be an Error.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "adapters/builtin.h"
#include "gateway/mapping/fhir_mapping.h"

namespace {

const raccordo::Adapter& adapter() {
  static raccordo::AdapterRegistry registry = [] {
    raccordo::AdapterRegistry r;
    raccordo::AdapterEnvironment env;
    env.mappings_dir = std::string(RACCORDO_SOURCE_DIR) + "/mappings";
    env.schemas_dir = std::string(RACCORDO_SOURCE_DIR) + "/schemas";
    if (!raccordo::registerBuiltinAdapters(r, env).ok()) __builtin_trap();
    return r;
  }();
  return *registry.find("sisa");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto envelope = adapter().inspect(bytes);
  (void)envelope;
  auto decoded = adapter().decode(bytes, raccordo::MessageMeta{});
  if (decoded.ok()) {
    auto mapped = raccordo::mapToFhir(decoded.value(), raccordo::MappingContext{});
    (void)mapped;
  } else if (decoded.error().message.empty()) {
    __builtin_trap();  // every error must say what is wrong
  }
  return 0;
}
