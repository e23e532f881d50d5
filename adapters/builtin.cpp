#include "adapters/builtin.h"

#include "adapters/ats/ats_hl7_adapter.h"
#include "adapters/ats/csv/ats_csv_adapter.h"
#include "adapters/gp/gp_cda_adapter.h"
#include "adapters/gp/gp_export_adapter.h"
#include "adapters/sisa/sisa_adapter.h"

namespace raccordo {

Status registerBuiltinAdapters(AdapterRegistry& registry, const AdapterEnvironment& env) {
  auto sisa = makeSisaAdapter(env);
  if (!sisa.ok()) return sisa.error();
  if (auto st = registry.add(std::move(sisa.value())); !st) return st;
  auto ats_csv = loadAtsCsvAdapters(env);  // one adapter per layout: ats-csv/<flow>
  if (!ats_csv.ok()) return ats_csv.error();
  for (auto& adapter : ats_csv.value()) {
    if (auto st = registry.add(std::move(adapter)); !st) return st;
  }
  auto ats_hl7 = makeAtsHl7Adapter(env.mappings_dir / "ats", env.cf_system);
  if (!ats_hl7.ok()) return ats_hl7.error();
  if (auto st = registry.add(std::move(ats_hl7.value())); !st) return st;
  auto gp_cda = makeGpCdaAdapter(env);
  if (!gp_cda.ok()) return gp_cda.error();
  if (auto st = registry.add(std::move(gp_cda.value())); !st) return st;
  auto gp_export = makeGpExportAdapter(env);
  if (!gp_export.ok()) return gp_export.error();
  if (auto st = registry.add(std::move(gp_export.value())); !st) return st;
  return {};
}

}  // namespace raccordo
