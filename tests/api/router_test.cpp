#include "gateway/api/router.h"

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "gateway/api/http_types.h"
#include "gateway/core/json.h"

namespace raccordo {
namespace {

HttpRequest request(const std::string& method, const std::string& target) {
  HttpRequest r;
  r.method = method;
  r.target = target;
  r.splitTarget();
  return r;
}

std::string headerOf(const HttpResponse& r, const std::string& name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return {};
}

// Checks the OperationOutcome shape and returns its single issue.
const json::Value& outcomeIssue(const json::Doc& d) {
  EXPECT_TRUE(d.IsObject());
  EXPECT_EQ(json::getStr(d, "resourceType"), "OperationOutcome");
  const json::Value* issues = json::get(d, "issue");
  EXPECT_NE(issues, nullptr);
  EXPECT_TRUE(issues != nullptr && issues->IsArray() && issues->Size() == 1);
  return (*issues)[0];
}

json::Doc parse(const std::string& text) {
  json::Doc d;
  d.Parse(text.c_str(), text.size());
  EXPECT_FALSE(d.HasParseError()) << text;
  return d;
}

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    saved_level_ = spdlog::get_level();
    spdlog::set_level(spdlog::level::off);  // the 500 path logs an error
    router_.add("GET", "/fhir/{type}/{id}", "read", [](const HttpRequest&, const PathParams& p) {
      return jsonResponse(200, "read " + p.at("type") + " " + p.at("id"));
    });
    router_.add("GET", "/fhir/{type}", "search", [](const HttpRequest& r, const PathParams& p) {
      std::string q;
      for (const auto& [k, v] : r.query) q += k + "=" + v + ";";
      return jsonResponse(200, "search " + p.at("type") + " " + q);
    });
    router_.add("GET", "/fhir/Patient/{id}/$everything", "everything", [](const HttpRequest&, const PathParams& p) {
      return jsonResponse(200, "everything " + p.at("id"));
    });
    router_.add("POST", "/ingest/{adapter}", "ingest", [](const HttpRequest& r, const PathParams& p) {
      return jsonResponse(202, "ingest " + p.at("adapter") + " " + r.body);
    });
    router_.add("PUT", "/ingest/{adapter}", "put", [](const HttpRequest&, const PathParams&) {
      return jsonResponse(200, "put");
    });
    router_.add("GET", "/boom", "throws", [](const HttpRequest&, const PathParams&) -> HttpResponse {
      throw std::runtime_error("kaboom");
    });
    router_.add("GET", "/conflict", "throws raccordo", [](const HttpRequest&, const PathParams&) -> HttpResponse {
      throw RaccordoException(ErrorCode::kConflict, "message 7 is done", "state");
    });
    router_.add("GET", "/missing", "throws not found", [](const HttpRequest&, const PathParams&) -> HttpResponse {
      throw RaccordoException(ErrorCode::kNotFound, "no such thing");
    });
    router_.add("GET", "/", "root", [](const HttpRequest&, const PathParams&) { return jsonResponse(200, "root"); });
  }
  void TearDown() override { spdlog::set_level(saved_level_); }

  Router router_;
  spdlog::level::level_enum saved_level_ = spdlog::level::info;
};

TEST_F(RouterTest, PathParamsAreExtracted) {
  auto r = router_.handle(request("GET", "/fhir/Observation/abc-123"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "read Observation abc-123");
  auto s = router_.handle(request("GET", "/fhir/Patient"));
  EXPECT_EQ(s.body, "search Patient ");
  auto p = router_.handle(request("POST", "/ingest/sisa"));
  EXPECT_EQ(p.status, 202);
  EXPECT_EQ(p.body, "ingest sisa ");
}

TEST_F(RouterTest, LiteralSegmentsAndRouteOrder) {
  // "/fhir/Patient/{id}/$everything" has four segments: only it matches.
  auto r = router_.handle(request("GET", "/fhir/Patient/p1/$everything"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "everything p1");
  auto other = router_.handle(request("GET", "/fhir/Observation/o1/$everything"));
  EXPECT_EQ(other.status, 404);
}

TEST_F(RouterTest, QueryIsDecodedAndPassedToTheHandler) {
  auto r = router_.handle(request("GET", "/fhir/Patient?identifier=http%3A%2F%2Fhl7.it%7CABC&name=Maria+Rossi&x"));
  EXPECT_EQ(r.body, "search Patient identifier=http://hl7.it|ABC;name=Maria Rossi;x=;");
}

TEST_F(RouterTest, EmptySegmentsAndTrailingSlashAreIgnored) {
  EXPECT_EQ(router_.handle(request("GET", "/fhir/Patient/")).body, "search Patient ");
  EXPECT_EQ(router_.handle(request("GET", "//fhir//Patient/p1")).body, "read Patient p1");
  EXPECT_EQ(router_.handle(request("GET", "/")).body, "root");
}

TEST_F(RouterTest, PercentEncodedPathSegmentsAreDecoded) {
  EXPECT_EQ(router_.handle(request("GET", "/fhir/Patient/a%20b")).body, "read Patient a b");
  // '+' is a plus in a path, a space only in a query.
  EXPECT_EQ(router_.handle(request("GET", "/fhir/Patient/a+b")).body, "read Patient a+b");
}

TEST_F(RouterTest, UnknownPathIs404OperationOutcome) {
  auto r = router_.handle(request("GET", "/nowhere/at/all"));
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.content_type, "application/fhir+json");
  json::Doc d = parse(r.body);
  const json::Value& issue = outcomeIssue(d);
  EXPECT_EQ(json::getStr(issue, "code"), "not-found");
  EXPECT_EQ(json::getStr(issue, "severity"), "error");
  EXPECT_NE(json::getStr(issue, "diagnostics").find("/nowhere/at/all"), std::string::npos);
  EXPECT_TRUE(headerOf(r, "Allow").empty());
}

TEST_F(RouterTest, KnownPathWithAnotherMethodIs405WithAllow) {
  auto r = router_.handle(request("DELETE", "/ingest/sisa"));
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(headerOf(r, "Allow"), "POST, PUT");
  json::Doc d = parse(r.body);
  const json::Value& issue = outcomeIssue(d);
  EXPECT_EQ(json::getStr(issue, "code"), "not-supported");
  std::string diag(json::getStr(issue, "diagnostics"));
  EXPECT_NE(diag.find("DELETE"), std::string::npos) << diag;
  EXPECT_NE(diag.find("POST, PUT"), std::string::npos) << diag;

  auto g = router_.handle(request("POST", "/fhir/Patient/p1"));
  EXPECT_EQ(g.status, 405);
  EXPECT_EQ(headerOf(g, "Allow"), "GET");
}

TEST_F(RouterTest, HeadIsServedByGetRoutes) {
  auto r = router_.handle(request("HEAD", "/fhir/Patient/p1"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "read Patient p1");
  EXPECT_EQ(router_.handle(request("HEAD", "/ingest/sisa")).status, 405);
}

TEST_F(RouterTest, ExceptionBecomes500OperationOutcome) {
  auto r = router_.handle(request("GET", "/boom"));
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.content_type, "application/fhir+json");
  json::Doc d = parse(r.body);
  const json::Value& issue = outcomeIssue(d);
  EXPECT_EQ(json::getStr(issue, "severity"), "fatal");
  EXPECT_EQ(json::getStr(issue, "code"), "exception");
  EXPECT_NE(json::getStr(issue, "diagnostics").find("kaboom"), std::string::npos);
}

TEST_F(RouterTest, RaccordoExceptionBecomesItsStatus) {
  auto r = router_.handle(request("GET", "/conflict"));
  EXPECT_EQ(r.status, 409);
  json::Doc d = parse(r.body);
  const json::Value& issue = outcomeIssue(d);
  EXPECT_EQ(json::getStr(issue, "code"), "conflict");
  EXPECT_EQ(json::getStr(issue, "diagnostics"), "message 7 is done (at state)");
  auto m = router_.handle(request("GET", "/missing"));
  EXPECT_EQ(m.status, 404);
  json::Doc md = parse(m.body);
  EXPECT_EQ(json::getStr(outcomeIssue(md), "code"), "not-found");
}

TEST_F(RouterTest, RoutesAreListed) {
  ASSERT_EQ(router_.routes().size(), 9u);
  EXPECT_EQ(router_.routes()[0].method, "GET");
  EXPECT_EQ(router_.routes()[0].pattern, "/fhir/{type}/{id}");
  EXPECT_EQ(router_.routes()[0].summary, "read");
  EXPECT_EQ(router_.routes()[0].segments, std::vector<std::string>({"fhir", "{type}", "{id}"}));
}

// ---------------------------------------------------------------------------
// errorResponse

TEST(ErrorResponseTest, ShapeWithLocation) {
  auto r = errorResponse(Error(ErrorCode::kInvalidInput, "invalid value", "/services/0/hours_per_week"));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.content_type, "application/fhir+json");
  json::Doc d = parse(r.body);
  const json::Value& issue = outcomeIssue(d);
  EXPECT_EQ(json::getStr(issue, "severity"), "error");
  EXPECT_EQ(json::getStr(issue, "code"), "invalid");
  EXPECT_EQ(json::getStr(issue, "diagnostics"), "invalid value (at /services/0/hours_per_week)");
  const json::Value* ext = json::get(issue, "extension");
  ASSERT_NE(ext, nullptr);
  ASSERT_TRUE(ext->IsArray());
  ASSERT_EQ(ext->Size(), 1u);
  EXPECT_EQ(json::getStr((*ext)[0], "url"), "urn:raccordo:fhir:ext:error-location");
  EXPECT_EQ(json::getStr((*ext)[0], "valueString"), "/services/0/hours_per_week");
}

TEST(ErrorResponseTest, ShapeWithoutLocation) {
  auto r = errorResponse(503, "transient", "shutting down");
  EXPECT_EQ(r.status, 503);
  json::Doc d = parse(r.body);
  const json::Value& issue = outcomeIssue(d);
  EXPECT_EQ(json::getStr(issue, "severity"), "fatal");
  EXPECT_EQ(json::getStr(issue, "code"), "transient");
  EXPECT_EQ(json::getStr(issue, "diagnostics"), "shutting down");
  EXPECT_EQ(json::get(issue, "extension"), nullptr);
}

TEST(ErrorResponseTest, IssueCodesPerErrorCode) {
  struct Row {
    ErrorCode code;
    int status;
    const char* issue;
  };
  for (const Row& row : {Row{ErrorCode::kInvalidInput, 400, "invalid"}, Row{ErrorCode::kUnknownCode, 422, "code-invalid"},
                         Row{ErrorCode::kNotFound, 404, "not-found"}, Row{ErrorCode::kConflict, 409, "conflict"},
                         Row{ErrorCode::kTooLarge, 413, "too-costly"}, Row{ErrorCode::kUnsupported, 415, "not-supported"},
                         Row{ErrorCode::kUnauthorized, 401, "login"}, Row{ErrorCode::kForbidden, 403, "forbidden"},
                         Row{ErrorCode::kUnavailable, 503, "transient"}, Row{ErrorCode::kConfig, 500, "exception"},
                         Row{ErrorCode::kInternal, 500, "exception"}}) {
    auto r = errorResponse(Error(row.code, "m"));
    EXPECT_EQ(r.status, row.status) << row.issue;
    json::Doc d = parse(r.body);
    EXPECT_EQ(json::getStr(outcomeIssue(d), "code"), row.issue);
  }
}

TEST(ErrorResponseTest, TextIsJsonEscaped) {
  auto r = errorResponse(Error(ErrorCode::kInvalidInput, "bad \"quote\"\n and \\", "/a~1b"));
  json::Doc d = parse(r.body);
  EXPECT_EQ(json::getStr(outcomeIssue(d), "diagnostics"), "bad \"quote\"\n and \\ (at /a~1b)");
}

TEST(JsonResponseTest, Fields) {
  auto r = jsonResponse(201, "{}", "application/fhir+json");
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(r.body, "{}");
  EXPECT_EQ(r.content_type, "application/fhir+json");
  EXPECT_EQ(jsonResponse(200, "x").content_type, "application/json");
}

// ---------------------------------------------------------------------------
// splitTarget and percent coding

TEST(SplitTargetTest, PathAndQuery) {
  HttpRequest r;
  r.target = "/fhir/Patient?identifier=a%7Cb&_count=5&&name=Anna+Maria%20B&flag&empty=";
  r.splitTarget();
  EXPECT_EQ(r.path, "/fhir/Patient");
  ASSERT_EQ(r.query.size(), 5u);
  EXPECT_EQ(r.query[0], std::make_pair(std::string("identifier"), std::string("a|b")));
  EXPECT_EQ(r.query[1], std::make_pair(std::string("_count"), std::string("5")));
  EXPECT_EQ(r.query[2], std::make_pair(std::string("name"), std::string("Anna Maria B")));
  EXPECT_EQ(r.query[3], std::make_pair(std::string("flag"), std::string("")));
  EXPECT_EQ(r.query[4], std::make_pair(std::string("empty"), std::string("")));
}

TEST(SplitTargetTest, PlusIsASpaceOnlyInTheQuery) {
  HttpRequest r;
  r.target = "/a+b/c%2Bd?k+1=v+1%2B2";
  r.splitTarget();
  EXPECT_EQ(r.path, "/a+b/c+d");
  ASSERT_EQ(r.query.size(), 1u);
  EXPECT_EQ(r.query[0].first, "k 1");
  EXPECT_EQ(r.query[0].second, "v 1+2");
}

TEST(SplitTargetTest, NoQueryAndEmptyQuery) {
  HttpRequest r;
  r.target = "/healthz";
  r.query = {{"stale", "x"}};
  r.splitTarget();
  EXPECT_EQ(r.path, "/healthz");
  EXPECT_TRUE(r.query.empty());
  r.target = "/healthz?";
  r.splitTarget();
  EXPECT_EQ(r.path, "/healthz");
  EXPECT_TRUE(r.query.empty());
}

TEST(SplitTargetTest, EqualsInValueAndRepeatedKeysKeepOrder) {
  HttpRequest r;
  r.target = "/x?a=1=2&a=3";
  r.splitTarget();
  ASSERT_EQ(r.query.size(), 2u);
  EXPECT_EQ(r.query[0].second, "1=2");
  EXPECT_EQ(r.query[1].second, "3");
}

TEST(PercentCodingTest, DecodeEdgeCases) {
  EXPECT_EQ(percentDecode("a%41%62", false), "aAb");
  EXPECT_EQ(percentDecode("%e2%82%ac", false), "\xe2\x82\xac");  // lower-case hex
  EXPECT_EQ(percentDecode("100%", false), "100%");                 // truncated: kept as is
  EXPECT_EQ(percentDecode("%4", false), "%4");
  EXPECT_EQ(percentDecode("%zz", false), "%zz");                   // not hex: kept
  EXPECT_EQ(percentDecode("%00", false), std::string("\0", 1));
  EXPECT_EQ(percentDecode("a+b", false), "a+b");
  EXPECT_EQ(percentDecode("a+b", true), "a b");
  EXPECT_EQ(percentDecode("%2B", true), "+");
  EXPECT_EQ(percentDecode("%41", false), "A");  // exactly three characters
}

TEST(PercentCodingTest, EncodeRoundTrips) {
  EXPECT_EQ(percentEncode("Patient/abc-1_2.3~"), "Patient/abc-1_2.3~");
  EXPECT_EQ(percentEncode("http://x|y z"), "http://x%7Cy%20z");
  EXPECT_EQ(percentEncode("é"), "%C3%A9");
  for (const std::string& s : std::vector<std::string>{"a b+c", "x|y", "100%", std::string("\0\xff", 2), "ümlaut?&="}) {
    EXPECT_EQ(percentDecode(percentEncode(s), false), s);
    EXPECT_EQ(percentDecode(percentEncode(s), true), s);
  }
}

}  // namespace
}  // namespace raccordo
