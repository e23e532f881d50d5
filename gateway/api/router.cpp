#include "gateway/api/router.h"

#include <spdlog/spdlog.h>

#include "gateway/core/json.h"

namespace raccordo {

namespace {

std::vector<std::string> splitPath(std::string_view path) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= path.size()) {
    auto slash = path.find('/', start);
    auto piece = path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (!piece.empty()) out.emplace_back(piece);
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return out;
}

bool match(const std::vector<std::string>& pattern, const std::vector<std::string>& path, PathParams& params) {
  if (pattern.size() != path.size()) return false;
  for (size_t i = 0; i < pattern.size(); ++i) {
    const auto& p = pattern[i];
    if (p.size() > 2 && p.front() == '{' && p.back() == '}') {
      params[p.substr(1, p.size() - 2)] = path[i];
    } else if (p != path[i]) {
      return false;
    }
  }
  return true;
}

// FHIR issue-type codes for our error codes.
const char* issueCode(ErrorCode c) {
  switch (c) {
    case ErrorCode::kInvalidInput: return "invalid";
    case ErrorCode::kUnknownCode: return "code-invalid";
    case ErrorCode::kNotFound: return "not-found";
    case ErrorCode::kConflict: return "conflict";
    case ErrorCode::kTooLarge: return "too-costly";
    case ErrorCode::kUnsupported: return "not-supported";
    case ErrorCode::kUnauthorized: return "login";
    case ErrorCode::kForbidden: return "forbidden";
    case ErrorCode::kUnavailable: return "transient";
    default: return "exception";
  }
}

}  // namespace

void Router::add(std::string method, std::string pattern, std::string summary, Handler handler) {
  Route r{std::move(method), pattern, std::move(summary), splitPath(pattern), std::move(handler)};
  routes_.push_back(std::move(r));
}

HttpResponse Router::handle(const HttpRequest& request) const {
  auto segments = splitPath(request.path);
  bool path_known = false;
  std::string allowed;
  for (const auto& r : routes_) {
    PathParams params;
    if (!match(r.segments, segments, params)) continue;
    path_known = true;
    if (r.method != request.method && !(r.method == "GET" && request.method == "HEAD")) {
      allowed += (allowed.empty() ? "" : ", ") + r.method;
      continue;
    }
    try {
      return r.handler(request, params);
    } catch (const RaccordoException& e) {
      return errorResponse(e.error());
    } catch (const std::exception& e) {
      spdlog::error("{} {}: {}", request.method, request.path, e.what());
      return errorResponse(500, "exception", std::string("internal error: ") + e.what());
    }
  }
  if (path_known) {
    auto resp = errorResponse(405, "not-supported", request.method + " is not allowed here; use " + allowed);
    resp.headers.emplace_back("Allow", allowed);
    return resp;
  }
  return errorResponse(404, "not-found", "no such endpoint: " + request.path);
}

HttpResponse errorResponse(int status, const std::string& code, const std::string& message,
                           const std::string& location) {
  json::Doc d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  d.AddMember("resourceType", "OperationOutcome", a);
  rapidjson::Value issue(rapidjson::kObjectType);
  // The location is in the input's own terms (JSON pointer, HL7 field, CSV
  // row), not FHIRPath, so it goes in an extension and in the text.
  if (!location.empty()) {
    rapidjson::Value ext(rapidjson::kObjectType);
    ext.AddMember("url", "urn:raccordo:fhir:ext:error-location", a);
    ext.AddMember("valueString", json::str(location, a), a);
    rapidjson::Value exts(rapidjson::kArrayType);
    exts.PushBack(ext, a);
    issue.AddMember("extension", exts, a);
  }
  issue.AddMember("severity", status >= 500 ? "fatal" : "error", a);
  issue.AddMember("code", json::str(code, a), a);
  issue.AddMember("diagnostics", json::str(location.empty() ? message : message + " (at " + location + ")", a), a);
  rapidjson::Value issues(rapidjson::kArrayType);
  issues.PushBack(issue, a);
  d.AddMember("issue", issues, a);
  return jsonResponse(status, json::write(d), "application/fhir+json");
}

HttpResponse errorResponse(const Error& error) {
  return errorResponse(httpStatusFor(error.code), issueCode(error.code), error.message, error.location);
}

HttpResponse jsonResponse(int status, std::string body, std::string content_type) {
  HttpResponse r;
  r.status = status;
  r.content_type = std::move(content_type);
  r.body = std::move(body);
  return r;
}

}  // namespace raccordo
