// Fuzzes the gp-export adapter's envelope check and decoding (header schema,
// item schemas, codes, Base64 attachments): no input may crash, hang or leak;
// every failure and every reject must be an Error that says what is wrong.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "adapters/gp/gp_export_adapter.h"

namespace {

const raccordo::Adapter& adapter() {
  static const raccordo::AdapterPtr instance = [] {
    raccordo::AdapterEnvironment env;
    env.mappings_dir = std::string(RACCORDO_SOURCE_DIR) + "/mappings";
    env.schemas_dir = std::string(RACCORDO_SOURCE_DIR) + "/schemas";
    auto made = raccordo::makeGpExportAdapter(env);
    if (!made.ok()) __builtin_trap();
    return made.value();
  }();
  return *instance;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto envelope = adapter().inspect(bytes);
  (void)envelope;
  auto decoded = adapter().decode(bytes, raccordo::MessageMeta{});
  if (!decoded.ok()) {
    if (decoded.error().message.empty() || decoded.error().location.empty()) __builtin_trap();
  } else {
    for (const auto& reject : decoded.value().rejects) {
      if (reject.message.empty() || reject.location.empty()) __builtin_trap();
    }
  }
  return 0;
}
