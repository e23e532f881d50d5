#pragma once
// Logging set-up: spdlog, text or JSON lines.

#include <string>

namespace raccordo {

/// format: "text" or "json"; level: trace|debug|info|warn|error.
void initLogging(const std::string& format, const std::string& level);

}  // namespace raccordo

namespace raccordo {

/// Keeps freed heap memory for reuse instead of returning it to the kernel
/// after every message: RapidJSON documents allocate 64 KiB pools, and glibc's
/// default trimming turned each one into brk system calls (5x slower mapping).
void tuneAllocator();

}  // namespace raccordo
