// Fuzzes the gp-cda path a document takes: inspect (what the HTTP listener
// runs before journaling), decode and the FHIR mapping. No input may crash,
// hang or leak; every failure is an Error that says what and where.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "adapters/gp/cda/cda_xml.h"
#include "adapters/gp/gp_cda_adapter.h"
#include "gateway/mapping/fhir_mapping.h"

namespace {

const raccordo::Adapter& adapter() {
  static const raccordo::AdapterPtr a = [] {
    raccordo::AdapterEnvironment env;
    env.mappings_dir = std::string(RACCORDO_SOURCE_DIR) + "/mappings";
    env.schemas_dir = std::string(RACCORDO_SOURCE_DIR) + "/schemas";
    auto made = raccordo::makeGpCdaAdapter(env);
    if (!made.ok()) __builtin_trap();
    return std::move(made.value());
  }();
  return *a;
}

void checkError(const raccordo::Error& e) {
  if (e.message.empty() || e.location.empty()) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  // The XML layer alone, with a tight depth limit.
  raccordo::cda::ParseLimits tight;
  tight.max_depth = 8;
  if (auto doc = raccordo::cda::XmlDocument::parse(bytes, tight); !doc.ok()) checkError(doc.error());

  auto envelope = adapter().inspect(bytes);
  if (!envelope.ok()) {
    checkError(envelope.error());
    return 0;
  }
  raccordo::MessageMeta meta{7, "gp-cda", "fuzz", "application/xml"};
  auto decoded = adapter().decode(bytes, meta);
  if (!decoded.ok()) {
    checkError(decoded.error());
    return 0;
  }
  for (const auto& reject : decoded->rejects) checkError(reject);
  auto mapped = raccordo::mapToFhir(*decoded, raccordo::MappingContext{});
  if (!mapped.ok()) checkError(mapped.error());
  return 0;
}
