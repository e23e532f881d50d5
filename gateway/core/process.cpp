#include "gateway/core/process.h"

#include <malloc.h>

namespace raccordo {

void tuneAllocator() {
  mallopt(M_TOP_PAD, 64 << 20);
  mallopt(M_TRIM_THRESHOLD, 128 << 20);
}

}  // namespace raccordo
