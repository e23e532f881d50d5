#pragma once
// Process-wide settings made once at the start of main().

namespace raccordo {

/// Keeps freed heap memory for reuse instead of returning it to the kernel
/// after every message: RapidJSON documents allocate 64 KiB pools, and glibc's
/// default trimming turned each one into brk system calls (5x slower mapping,
/// docs/performance.md). Keeps up to 128 MiB of freed heap.
void tuneAllocator();

}  // namespace raccordo
