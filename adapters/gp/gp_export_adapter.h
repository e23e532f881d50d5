#pragma once
// gp-export: a GP's (MMG/PLS) record export of one patient, SINAPSIS style,
// format "raccordo.gp-export/1" (schemas/gp/export.schema.json,
// docs/gp-export.md). Produces the GP record kinds of docs/adapters.md ("The
// GP kinds"), source "gp". The header is checked as a whole; each list item
// on its own, so one bad item is a reject and the others are applied.

#include "adapters/builtin.h"

namespace raccordo {

Result<AdapterPtr> makeGpExportAdapter(const AdapterEnvironment& env);

}  // namespace raccordo
