#pragma once
// Routes: one table per module, matched by method and path pattern
// ("/fhir/{type}/{id}"). Handlers are pure: request in, response out.

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "gateway/api/http_types.h"
#include "gateway/core/error.h"

namespace raccordo {

using PathParams = std::map<std::string, std::string>;
using Handler = std::function<HttpResponse(const HttpRequest&, const PathParams&)>;

class Router {
 public:
  /// `summary` documents the route (listed by GET / and in docs/api.md).
  void add(std::string method, std::string pattern, std::string summary, Handler handler);

  /// Dispatches; unknown paths get 404, known paths with another method 405,
  /// exceptions become an OperationOutcome.
  HttpResponse handle(const HttpRequest& request) const;

  struct Route {
    std::string method, pattern, summary;
    std::vector<std::string> segments;
    Handler handler;
  };
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

/// FHIR OperationOutcome response for an error.
HttpResponse errorResponse(const Error& error);
HttpResponse errorResponse(int status, const std::string& code, const std::string& message,
                           const std::string& location = {});
HttpResponse jsonResponse(int status, std::string body, std::string content_type = "application/json");

}  // namespace raccordo
