#pragma once
// Logging set-up: spdlog, text or JSON lines.

#include <string>

namespace raccordo {

/// format: "text" or "json"; level: trace|debug|info|warn|error.
void initLogging(const std::string& format, const std::string& level);

}  // namespace raccordo
