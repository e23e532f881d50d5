// ids, json helpers, metrics, errors and Result.

#include <gtest/gtest.h>

#include <cctype>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "gateway/core/error.h"
#include "gateway/core/ids.h"
#include "gateway/core/json.h"
#include "gateway/core/metrics.h"
#include "gateway/core/result.h"

namespace raccordo {
namespace {

// ---------------------------------------------------------------------------
// ids

TEST(IdsTest, Sha256KnownVectors) {
  // FIPS 180-2 test vectors.
  EXPECT_EQ(sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(IdsTest, Sha256HandlesEmbeddedNul) {
  std::string with_nul("a\0b", 3);
  EXPECT_NE(sha256Hex(with_nul), sha256Hex("a"));
  EXPECT_EQ(sha256Hex(with_nul).size(), 64u);
}

bool isLowerHex(const std::string& s) {
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c)) && (c < 'a' || c > 'f')) return false;
  }
  return true;
}

TEST(IdsTest, StableIdIsDeterministic32LowerHex) {
  std::string a = stableId({"Patient", "CLMGPP38L44A794V"});
  std::string b = stableId({"Patient", "CLMGPP38L44A794V"});
  EXPECT_EQ(a, b);
  EXPECT_EQ(a.size(), 32u);
  EXPECT_TRUE(isLowerHex(a)) << a;
  // It is the first 32 hex chars of the SHA-256 of the parts joined by '|'.
  EXPECT_EQ(a, sha256Hex("Patient|CLMGPP38L44A794V").substr(0, 32));
  EXPECT_EQ(stableId({"abc"}), sha256Hex("abc").substr(0, 32));
}

TEST(IdsTest, StableIdDependsOnEveryPartAndOrder) {
  std::set<std::string> ids = {
      stableId({"Patient", "A"}), stableId({"Patient", "B"}), stableId({"A", "Patient"}),
      stableId({"Observation", "A"}), stableId({"Patient", "A", "x"}),
  };
  EXPECT_EQ(ids.size(), 5u);
}

TEST(IdsTest, StableIdIsAValidFhirId) {
  for (const auto& id : {stableId({}), stableId({""}), stableId({"a", "b", "c"})}) {
    EXPECT_LE(id.size(), 64u);
    EXPECT_FALSE(id.empty());
    for (char c : id) EXPECT_TRUE(std::isdigit(static_cast<unsigned char>(c)) || (c >= 'a' && c <= 'z')) << id;
  }
}

// ---------------------------------------------------------------------------
// json helpers

TEST(JsonTest, WriteIsCompactAndPrettyIndentsByTwo) {
  json::Doc d;
  d.Parse(R"({ "a" : 1, "b": ["x", true] })");
  ASSERT_FALSE(d.HasParseError());
  EXPECT_EQ(json::write(d), R"({"a":1,"b":["x",true]})");
  EXPECT_EQ(json::writePretty(d), "{\n  \"a\": 1,\n  \"b\": [\n    \"x\",\n    true\n  ]\n}");
}

TEST(JsonTest, StrCopiesIncludingNul) {
  json::Doc d(rapidjson::kObjectType);
  std::string text("x\0y", 3);
  json::Value v = json::str(text, d.GetAllocator());
  text[0] = 'z';  // the value owns its copy
  ASSERT_TRUE(v.IsString());
  EXPECT_EQ(std::string(v.GetString(), v.GetStringLength()), std::string("x\0y", 3));
}

TEST(JsonTest, GetStrAndGet) {
  json::Doc d;
  d.Parse(R"({"s": "text", "n": 3, "o": {"k": "v"}})");
  EXPECT_EQ(json::getStr(d, "s"), "text");
  EXPECT_EQ(json::getStr(d, "n"), "");        // not a string
  EXPECT_EQ(json::getStr(d, "missing"), "");  // absent
  EXPECT_EQ(json::getStr(d["s"], "x"), "");   // not an object
  ASSERT_NE(json::get(d, "o"), nullptr);
  EXPECT_EQ(json::getStr(*json::get(d, "o"), "k"), "v");
  EXPECT_EQ(json::get(d, "missing"), nullptr);
  EXPECT_EQ(json::get(d["n"], "x"), nullptr);
}

TEST(JsonTest, PointerTokenEscapesTildeAndSlash) {
  EXPECT_EQ(json::pointerToken("plain"), "plain");
  EXPECT_EQ(json::pointerToken("a/b"), "a~1b");
  EXPECT_EQ(json::pointerToken("a~b"), "a~0b");
  EXPECT_EQ(json::pointerToken("~/"), "~0~1");
  EXPECT_EQ(json::pointerToken(""), "");
}

// ---------------------------------------------------------------------------
// metrics

TEST(MetricsTest, RendersPrometheusTextFormat) {
  Metrics m;
  m.help("raccordo_messages_received_total", "counter", "Messages journaled.");
  m.inc("raccordo_messages_received_total", R"(adapter="sisa",state="queued")");
  m.inc("raccordo_messages_received_total", R"(adapter="sisa",state="queued")", 2);
  m.inc("raccordo_messages_received_total", R"(adapter="sisa",state="rejected")");
  m.set("raccordo_journal_depth", "", 1.5);
  m.inc("a_plain_total");
  EXPECT_EQ(m.render(),
            "# TYPE a_plain_total counter\n"
            "a_plain_total 1\n"
            "# TYPE raccordo_journal_depth gauge\n"
            "raccordo_journal_depth 1.5\n"
            "# HELP raccordo_messages_received_total Messages journaled.\n"
            "# TYPE raccordo_messages_received_total counter\n"
            "raccordo_messages_received_total{adapter=\"sisa\",state=\"queued\"} 3\n"
            "raccordo_messages_received_total{adapter=\"sisa\",state=\"rejected\"} 1\n");
}

TEST(MetricsTest, GaugeSetReplacesAndIntegersHaveNoDecimals) {
  Metrics m;
  m.set("g", R"(state="done")", 7);
  m.set("g", R"(state="done")", 4);
  std::string out = m.render();
  EXPECT_NE(out.find("g{state=\"done\"} 4\n"), std::string::npos) << out;
  EXPECT_EQ(out.find("g{state=\"done\"} 7"), std::string::npos) << out;
  EXPECT_NE(out.find("# TYPE g gauge\n"), std::string::npos);
  m.set("half", "", 0.5);
  out = m.render();
  EXPECT_NE(out.find("half 0.5\n"), std::string::npos) << out;
}

TEST(MetricsTest, RefreshersRunAtRenderTime) {
  Metrics m;
  int calls = 0;
  m.onRender([&](Metrics& mm) {
    ++calls;
    mm.set("raccordo_store_commits", "", calls * 10);
  });
  EXPECT_EQ(calls, 0);
  EXPECT_NE(m.render().find("raccordo_store_commits 10\n"), std::string::npos);
  EXPECT_NE(m.render().find("raccordo_store_commits 20\n"), std::string::npos);
  EXPECT_EQ(calls, 2);
}

TEST(MetricsTest, ConcurrentIncrementsAreAllCounted) {
  Metrics m;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 500; ++i) m.inc("c_total", "x=\"1\"");
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_NE(m.render().find("c_total{x=\"1\"} 2000\n"), std::string::npos);
}

// ---------------------------------------------------------------------------
// errors and Result

TEST(ErrorTest, NamesAndStatuses) {
  struct Row {
    ErrorCode code;
    const char* name;
    int status;
  };
  for (const Row& r : {Row{ErrorCode::kInvalidInput, "invalid-input", 400},
                       Row{ErrorCode::kUnknownCode, "unknown-code", 422}, Row{ErrorCode::kNotFound, "not-found", 404},
                       Row{ErrorCode::kConflict, "conflict", 409}, Row{ErrorCode::kTooLarge, "too-large", 413},
                       Row{ErrorCode::kUnsupported, "unsupported", 415},
                       Row{ErrorCode::kUnauthorized, "unauthorized", 401},
                       Row{ErrorCode::kForbidden, "forbidden", 403}, Row{ErrorCode::kUnavailable, "unavailable", 503},
                       Row{ErrorCode::kConfig, "config", 500}, Row{ErrorCode::kInternal, "internal", 500}}) {
    EXPECT_STREQ(errorCodeName(r.code), r.name);
    EXPECT_EQ(httpStatusFor(r.code), r.status) << r.name;
  }
}

TEST(ErrorTest, DescribeAndRetryable) {
  EXPECT_EQ(Error(ErrorCode::kInvalidInput, "bad", "/a/b").describe(), "bad (at /a/b)");
  EXPECT_EQ(Error(ErrorCode::kInvalidInput, "bad").describe(), "bad");
  EXPECT_TRUE(Error(ErrorCode::kUnavailable, "busy").retryable());
  EXPECT_FALSE(Error(ErrorCode::kInvalidInput, "bad").retryable());
  RaccordoException e(ErrorCode::kConflict, "nope", "state");
  EXPECT_STREQ(e.what(), "nope (at state)");
  EXPECT_EQ(e.error().code, ErrorCode::kConflict);
}

TEST(ResultTest, ValueErrorAndOrThrow) {
  Result<int> ok = 5;
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok, 5);
  EXPECT_EQ(ok.orThrow(), 5);
  Result<int> bad = Error(ErrorCode::kNotFound, "missing", "x");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kNotFound);
  EXPECT_THROW(bad.orThrow(), RaccordoException);
  Status s;
  EXPECT_TRUE(s.ok());
  Status f = Error(ErrorCode::kConfig, "c");
  EXPECT_FALSE(f.ok());
  EXPECT_EQ(f.error().message, "c");
}

}  // namespace
}  // namespace raccordo
