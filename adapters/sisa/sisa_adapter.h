#pragma once
// SISA (municipal social-services system of Milan): one JSON document per
// citizen, format "raccordo.sisa/1" (schemas/sisa/, docs/sisa-format.md).

#include "adapters/builtin.h"

namespace raccordo {

Result<AdapterPtr> makeSisaAdapter(const AdapterEnvironment& env);

}  // namespace raccordo
