#pragma once
// The HTTP API's route tables, one per module.

#include "gateway/adapter/adapter.h"
#include "gateway/api/router.h"
#include "gateway/config/config.h"
#include "gateway/core/metrics.h"
#include "gateway/journal/journal.h"
#include "gateway/store/store.h"

namespace raccordo {

struct ApiContext {
  Store& store;
  Journal& journal;
  const AdapterRegistry& adapters;
  const Config& config;
  Metrics& metrics;
};

/// POST /ingest/{adapter}, GET /messages/{id}[/raw], GET /dead-letters, POST /dead-letters/{id}/replay.
void registerIngestRoutes(Router& router, ApiContext& ctx);
/// GET /fhir/metadata, /fhir/{type}[/{id}[/_history[/{vid}]]], /fhir/Patient/{id}/$everything.
void registerFhirRoutes(Router& router, ApiContext& ctx);
/// GET /healthz, /readyz, /metrics, / (route list).
void registerOpsRoutes(Router& router, ApiContext& ctx);

/// Base URL of the FHIR endpoint for links: http.public_base_url or http://{Host}/fhir.
std::string fhirBase(const HttpRequest& request, const Config& config);

}  // namespace raccordo
