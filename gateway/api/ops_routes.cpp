#include "gateway/api/api.h"
#include "gateway/core/json.h"

namespace raccordo {

void registerOpsRoutes(Router& router, ApiContext& ctx) {
  router.add("GET", "/healthz", "Liveness: the process answers", [](const HttpRequest&, const PathParams&) {
    return jsonResponse(200, R"({"status":"ok"})");
  });
  router.add("GET", "/readyz", "Readiness: the store answers", [&ctx](const HttpRequest&, const PathParams&) {
    if (!ctx.store.ready()) return jsonResponse(503, R"({"status":"unavailable","store":"unreachable"})");
    return jsonResponse(200, R"({"status":"ready","store":"ok"})");
  });
  router.add("GET", "/metrics", "Prometheus metrics", [&ctx](const HttpRequest&, const PathParams&) {
    return jsonResponse(200, ctx.metrics.render(), "text/plain; version=0.0.4");
  });
  router.add("GET", "/", "This list of endpoints", [&router](const HttpRequest&, const PathParams&) {
    json::Doc d(rapidjson::kObjectType);
    auto& a = d.GetAllocator();
    d.AddMember("name", "Raccordo", a);
    rapidjson::Value list(rapidjson::kArrayType);
    for (const auto& r : router.routes()) {
      rapidjson::Value o(rapidjson::kObjectType);
      o.AddMember("method", json::str(r.method, a), a);
      o.AddMember("path", json::str(r.pattern, a), a);
      o.AddMember("summary", json::str(r.summary, a), a);
      list.PushBack(o, a);
    }
    d.AddMember("endpoints", list, a);
    return jsonResponse(200, json::write(d));
  });
}

}  // namespace raccordo
