#pragma once
// The one place that lists the built-in adapters: a new adapter is a folder
// under adapters/ plus one line in registerBuiltinAdapters().

#include <filesystem>
#include <string>

#include "gateway/adapter/adapter.h"

namespace raccordo {

struct AdapterEnvironment {
  std::filesystem::path mappings_dir;  // mappings/
  std::filesystem::path schemas_dir;   // schemas/
  std::string cf_system = "http://hl7.it/sid/codiceFiscale";
};

/// Builds and registers every built-in adapter; errors name the file or adapter at fault.
Status registerBuiltinAdapters(AdapterRegistry& registry, const AdapterEnvironment& env);

}  // namespace raccordo
