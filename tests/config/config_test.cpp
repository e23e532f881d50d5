#include "gateway/config/config.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "gateway/core/error.h"

namespace raccordo {
namespace {

namespace fs = std::filesystem;

const fs::path kSourceDir = RACCORDO_SOURCE_DIR;

std::string readFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const ConfigKeySpec* specOf(const std::string& key) {
  for (const auto& s : configKeys()) {
    if (s.key == key) return &s;
  }
  return nullptr;
}

// ---------------------------------------------------------------------------
// Defaults

TEST(ConfigTest, DefaultsCoverEveryDeclaredKey) {
  Config c;
  EXPECT_EQ(c.values().size(), configKeys().size());
  for (const auto& spec : configKeys()) {
    ASSERT_TRUE(c.values().count(spec.key)) << spec.key;
    EXPECT_EQ(c.str(spec.key), spec.default_value) << spec.key;
  }
}

TEST(ConfigTest, DefaultValues) {
  Config c;
  EXPECT_EQ(c.str("http.listen"), "127.0.0.1:8080");
  EXPECT_EQ(c.integer("journal.workers"), 4);
  EXPECT_EQ(c.integer("http.body_limit_bytes"), 8 * 1024 * 1024);
  EXPECT_EQ(c.str("security.mode"), "open");
  EXPECT_EQ(c.str("log.format"), "text");
  EXPECT_EQ(c.str("sqlite.synchronous"), "full");
  EXPECT_TRUE(c.boolean("demo.keep_running"));
  EXPECT_EQ(c.str("identity.cf_system"), "http://hl7.it/sid/codiceFiscale");
}

TEST(ConfigTest, EveryDeclaredDefaultPassesItsOwnCheck) {
  for (const auto& spec : configKeys()) {
    Config c;
    auto st = c.set(spec.key, spec.default_value);
    EXPECT_TRUE(st.ok()) << spec.key << ": " << (st.ok() ? "" : st.error().describe());
  }
}

TEST(ConfigTest, KeysAreUniqueAndDescribed) {
  std::set<std::string> seen;
  for (const auto& spec : configKeys()) {
    EXPECT_TRUE(seen.insert(spec.key).second) << "duplicate key " << spec.key;
    EXPECT_FALSE(spec.description.empty()) << spec.key;
    if (spec.type == ConfigType::kEnum) {
      EXPECT_FALSE(spec.choices.empty()) << spec.key;
    }
    if (spec.type == ConfigType::kInt) {
      EXPECT_LE(spec.min, spec.max) << spec.key;
    }
  }
}

TEST(ConfigTest, UndeclaredKeyReadThrows) {
  Config c;
  try {
    (void)c.str("no.such.key");
    FAIL() << "expected an exception";
  } catch (const RaccordoException& e) {
    EXPECT_EQ(e.error().code, ErrorCode::kInternal);
    EXPECT_EQ(e.error().location, "no.such.key");
  }
}

// ---------------------------------------------------------------------------
// Parsing

TEST(ConfigTest, ParsesNestedJsonWithCommentsAndTrailingCommas) {
  const char* text = R"(
    // a line comment
    {
      /* a block comment */
      "data_dir": "/tmp/rac",
      "http": {
        "listen": "127.0.0.1:9999",   // trailing comment
        "io_threads": 3,
      },
      "journal": { "workers": 8, "max_attempts": 2, },
      "log": { "format": "json" },
      "demo": { "keep_running": false },
    }
  )";
  auto c = Config::parse(text, {});
  ASSERT_TRUE(c.ok()) << c.error().describe();
  EXPECT_EQ(c->str("data_dir"), "/tmp/rac");
  EXPECT_EQ(c->str("http.listen"), "127.0.0.1:9999");
  EXPECT_EQ(c->integer("http.io_threads"), 3);
  EXPECT_EQ(c->integer("journal.workers"), 8);
  EXPECT_EQ(c->integer("journal.max_attempts"), 2);
  EXPECT_EQ(c->str("log.format"), "json");
  EXPECT_FALSE(c->boolean("demo.keep_running"));
  // Keys not in the file keep their default.
  EXPECT_EQ(c->integer("http.handler_threads"), 64);
}

TEST(ConfigTest, EmptyObjectGivesDefaults) {
  auto c = Config::parse("{}", {});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->str("http.listen"), "127.0.0.1:8080");
}

TEST(ConfigTest, NotJsonIsAnErrorNamingTheOrigin) {
  auto c = Config::parse("{ \"data_dir\": ", {}, "my.json");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, ErrorCode::kConfig);
  EXPECT_NE(c.error().message.find("not valid JSON"), std::string::npos) << c.error().message;
  EXPECT_EQ(c.error().location.rfind("my.json offset ", 0), 0u) << c.error().location;
}

TEST(ConfigTest, TopLevelMustBeAnObject) {
  auto c = Config::parse("[1, 2]", {}, "arr.json");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, ErrorCode::kConfig);
  EXPECT_EQ(c.error().location, "arr.json");
}

TEST(ConfigTest, UnknownKeyErrorNamesTheKey) {
  auto c = Config::parse(R"({ "http": { "listen": "127.0.0.1:1", "lisen": "x" } })", {});
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, ErrorCode::kConfig);
  EXPECT_EQ(c.error().location, "http.lisen");
  EXPECT_NE(c.error().message.find("unknown"), std::string::npos);
}

TEST(ConfigTest, UnknownTopLevelKeyAndUnknownSection) {
  auto c = Config::parse(R"({ "colour": "blue" })", {});
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().location, "colour");

  auto d = Config::parse(R"({ "nosuch": { "deep": { "key": 1 } } })", {});
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().location, "nosuch.deep.key");

  // A section given a scalar is an unknown key, not a crash.
  auto e = Config::parse(R"({ "http": 5 })", {});
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().location, "http");
}

struct WrongType {
  const char* json;
  const char* key;
};

void PrintTo(const WrongType& c, std::ostream* os) { *os << c.key; }

class ConfigWrongTypeTest : public ::testing::TestWithParam<WrongType> {};

TEST_P(ConfigWrongTypeTest, ErrorNamesTheKey) {
  auto c = Config::parse(GetParam().json, {});
  ASSERT_FALSE(c.ok()) << GetParam().json;
  EXPECT_EQ(c.error().code, ErrorCode::kConfig);
  EXPECT_EQ(c.error().location, GetParam().key);
  EXPECT_NE(c.error().message.find("expected"), std::string::npos) << c.error().message;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ConfigWrongTypeTest,
    ::testing::Values(WrongType{R"({"journal": {"workers": "4"}})", "journal.workers"},
                      WrongType{R"({"journal": {"workers": 4.5}})", "journal.workers"},
                      WrongType{R"({"http": {"listen": 8080}})", "http.listen"},
                      WrongType{R"({"demo": {"keep_running": "true"}})", "demo.keep_running"},
                      WrongType{R"({"demo": {"keep_running": 1}})", "demo.keep_running"},
                      WrongType{R"({"log": {"level": ["info"]}})", "log.level"},
                      WrongType{R"({"data_dir": {"nested": "x"}})", "data_dir"},
                      WrongType{R"({"store": null})", "store"}));

TEST(ConfigTest, IntegerRangeIsChecked) {
  const ConfigKeySpec* spec = specOf("journal.workers");
  ASSERT_NE(spec, nullptr);
  {
    auto c = Config::parse(R"({"journal": {"workers": 0}})", {});
    ASSERT_FALSE(c.ok());
    EXPECT_EQ(c.error().location, "journal.workers");
    EXPECT_NE(c.error().message.find("outside"), std::string::npos) << c.error().message;
    EXPECT_NE(c.error().message.find(std::to_string(spec->min) + ".." + std::to_string(spec->max)),
              std::string::npos)
        << c.error().message;
  }
  {
    auto c = Config::parse(R"({"journal": {"workers": )" + std::to_string(spec->max + 1) + "}}", {});
    ASSERT_FALSE(c.ok());
    EXPECT_EQ(c.error().location, "journal.workers");
  }
  for (int64_t ok : {spec->min, spec->max}) {
    auto c = Config::parse(R"({"journal": {"workers": )" + std::to_string(ok) + "}}", {});
    ASSERT_TRUE(c.ok()) << ok;
    EXPECT_EQ(c->integer("journal.workers"), ok);
  }
  // shutdown.drain_timeout_ms allows 0.
  auto z = Config::parse(R"({"shutdown": {"drain_timeout_ms": 0}})", {});
  ASSERT_TRUE(z.ok());
  EXPECT_EQ(z->integer("shutdown.drain_timeout_ms"), 0);
}

TEST(ConfigTest, EnumChoicesAreChecked) {
  auto c = Config::parse(R"({"log": {"level": "verbose"}})", {});
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().location, "log.level");
  EXPECT_NE(c.error().message.find("verbose"), std::string::npos);
  EXPECT_NE(c.error().message.find("trace, debug, info, warn, error"), std::string::npos) << c.error().message;

  auto s = Config::parse(R"({"security": {"mode": "enforce"}})", {});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().location, "security.mode");

  for (const char* level : {"trace", "debug", "info", "warn", "error"}) {
    auto ok = Config::parse(std::string(R"({"log": {"level": ")") + level + "\"}}", {});
    ASSERT_TRUE(ok.ok()) << level;
    EXPECT_EQ(ok->str("log.level"), level);
  }
}

// ---------------------------------------------------------------------------
// --set overrides

TEST(ConfigTest, SetOverridesApplyAfterTheFileInOrder) {
  auto c = Config::parse(R"({"http": {"listen": "127.0.0.1:1111"}, "journal": {"workers": 2}})",
                         {"http.listen=127.0.0.1:2222", "journal.workers=6", "journal.workers=7",
                          "log.format=json", "demo.keep_running=false", "http.public_base_url="});
  ASSERT_TRUE(c.ok()) << c.error().describe();
  EXPECT_EQ(c->str("http.listen"), "127.0.0.1:2222");
  EXPECT_EQ(c->integer("journal.workers"), 7);
  EXPECT_EQ(c->str("log.format"), "json");
  EXPECT_FALSE(c->boolean("demo.keep_running"));
  EXPECT_EQ(c->str("http.public_base_url"), "");
}

TEST(ConfigTest, SetValueMayContainEquals) {
  auto c = Config::parse("{}", {"http.public_base_url=https://x.example/fhir?a=b"});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->str("http.public_base_url"), "https://x.example/fhir?a=b");
}

TEST(ConfigTest, SetUnknownKeyIsAnErrorNamingTheKey) {
  auto c = Config::parse("{}", {"http.lissen=127.0.0.1:1"});
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, ErrorCode::kConfig);
  EXPECT_EQ(c.error().location, "http.lissen");
}

TEST(ConfigTest, SetBadValueIsAnErrorNamingTheKey) {
  struct Bad {
    const char* override_text;
    const char* key;
  };
  for (const Bad& b : {Bad{"journal.workers=four", "journal.workers"}, Bad{"journal.workers=4x", "journal.workers"},
                       Bad{"journal.workers=", "journal.workers"}, Bad{"journal.workers=999999", "journal.workers"},
                       Bad{"demo.keep_running=yes", "demo.keep_running"}, Bad{"log.format=xml", "log.format"},
                       Bad{"journal.workers=99999999999999999999999", "journal.workers"}}) {
    auto c = Config::parse("{}", {b.override_text});
    ASSERT_FALSE(c.ok()) << b.override_text;
    EXPECT_EQ(c.error().code, ErrorCode::kConfig) << b.override_text;
    EXPECT_EQ(c.error().location, b.key) << b.override_text;
  }
}

TEST(ConfigTest, SetWithoutEqualsIsAnError) {
  auto c = Config::parse("{}", {"journal.workers"});
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, ErrorCode::kConfig);
  EXPECT_EQ(c.error().location, "--set");
  EXPECT_NE(c.error().message.find("journal.workers"), std::string::npos);
}

TEST(ConfigTest, DirectSetChecksTypeAndKeepsOldValueOnError) {
  Config c;
  EXPECT_TRUE(c.set("journal.workers", "12").ok());
  EXPECT_EQ(c.integer("journal.workers"), 12);
  auto st = c.set("journal.workers", "-1");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().location, "journal.workers");
  EXPECT_EQ(c.integer("journal.workers"), 12);
  EXPECT_FALSE(c.set("nope", "1").ok());
}

// ---------------------------------------------------------------------------
// ${data_dir}

TEST(ConfigTest, DataDirIsExpandedInStore) {
  auto c = Config::parse(R"({"data_dir": "/srv/raccordo"})", {});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->str("store"), "sqlite:/srv/raccordo/raccordo.db");

  auto d = Config::parse("{}", {});
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->str("store"), "sqlite:var/raccordo/raccordo.db");
}

TEST(ConfigTest, DataDirExpansionSeesOverridesAndRepeats) {
  auto c = Config::parse(R"({"data_dir": "/a", "store": "sqlite:${data_dir}/x-${data_dir}.db"})",
                         {"data_dir=/b"});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->str("store"), "sqlite:/b/x-/b.db");
  EXPECT_EQ(c->str("data_dir"), "/b");
  // Other string keys are expanded too.
  auto d = Config::parse(R"({"data_dir": "/d", "paths": {"mappings": "${data_dir}/maps"}})", {});
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->str("paths.mappings"), "/d/maps");
}

TEST(ConfigTest, DataDirCannotReferToItself) {
  for (const char* value : {"${data_dir}", "${data_dir}/x", "/a/${data_dir}"}) {
    auto c = Config::parse("{}", {std::string("data_dir=") + value});
    ASSERT_FALSE(c.ok()) << value;
    EXPECT_EQ(c.error().code, ErrorCode::kConfig);
    EXPECT_EQ(c.error().location, "data_dir");
  }
}

// ---------------------------------------------------------------------------
// host:port

TEST(ConfigTest, ParseHostPort) {
  {
    auto hp = parseHostPort("127.0.0.1:8080", "http.listen");
    ASSERT_TRUE(hp.ok());
    EXPECT_EQ(hp->host, "127.0.0.1");
    EXPECT_EQ(hp->port, 8080);
  }
  {
    auto hp = parseHostPort("localhost:0", "http.listen");
    ASSERT_TRUE(hp.ok());
    EXPECT_EQ(hp->host, "localhost");
    EXPECT_EQ(hp->port, 0);
  }
  {
    auto hp = parseHostPort("[::1]:65535", "http.listen");
    ASSERT_TRUE(hp.ok());
    EXPECT_EQ(hp->host, "::1");
    EXPECT_EQ(hp->port, 65535);
  }
  {
    auto hp = parseHostPort("0.0.0.0:2575", "mllp.listen");
    ASSERT_TRUE(hp.ok());
    EXPECT_EQ(hp->host, "0.0.0.0");
    EXPECT_EQ(hp->port, 2575);
  }
}

TEST(ConfigTest, ParseHostPortErrorsNameTheKey) {
  for (const char* bad : {"127.0.0.1", ":8080", "host:", "host:http", "host:65536", "host:-1", "host:80x",
                          "host:99999999999", ""}) {
    auto hp = parseHostPort(bad, "http.listen");
    ASSERT_FALSE(hp.ok()) << bad;
    EXPECT_EQ(hp.error().code, ErrorCode::kConfig) << bad;
    EXPECT_EQ(hp.error().location, "http.listen") << bad;
  }
}

TEST(ConfigTest, IsLoopbackHost) {
  for (const char* h : {"127.0.0.1", "127.1.2.3", "127.255.255.254", "::1", "localhost"}) {
    EXPECT_TRUE(isLoopbackHost(h)) << h;
  }
  for (const char* h : {"0.0.0.0", "10.0.0.1", "192.168.1.1", "::", "", "example.com", "128.0.0.1", "1.127.0.0"}) {
    EXPECT_FALSE(isLoopbackHost(h)) << h;
  }
}

TEST(ConfigTest, IsLoopbackHostRejectsHostNamesThatStartWith127) {
  EXPECT_FALSE(isLoopbackHost("127.example.com"));
  EXPECT_FALSE(isLoopbackHost("127.0.0.1.nip.io"));
}

// ---------------------------------------------------------------------------
// Shipped files and documentation

TEST(ConfigTest, ShippedDemoConfigLoads) {
  fs::path demo = kSourceDir / "config" / "demo.json";
  if (!fs::exists(demo)) GTEST_SKIP() << demo << " is absent";
  auto c = Config::load(demo.string(), {});
  ASSERT_TRUE(c.ok()) << c.error().describe();
  EXPECT_EQ(c->str("store").find("${data_dir}"), std::string::npos);
  auto listen = parseHostPort(c->str("http.listen"), "http.listen");
  ASSERT_TRUE(listen.ok());
  EXPECT_TRUE(isLoopbackHost(listen->host)) << "the demo runs in open mode, which needs loopback";
}

TEST(ConfigTest, ShippedExampleConfigLoads) {
  fs::path example = kSourceDir / "config" / "raccordo.example.json";
  if (!fs::exists(example)) GTEST_SKIP() << example << " is absent";
  auto c = Config::load(example.string(), {});
  ASSERT_TRUE(c.ok()) << c.error().describe();
}

TEST(ConfigTest, LoadMissingFileIsAnErrorNamingThePath) {
  fs::path missing = fs::temp_directory_path() / "raccordo-config-test-no-such-file.json";
  auto c = Config::load(missing.string(), {});
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, ErrorCode::kConfig);
  EXPECT_EQ(c.error().location, missing.string());
}

TEST(ConfigTest, LoadReadsAFileAndAppliesOverrides) {
  fs::path file = fs::temp_directory_path() /
                  ("raccordo-config-test-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
                   "-" + std::to_string(reinterpret_cast<uintptr_t>(&file)) + ".json");
  {
    std::ofstream out(file);
    out << "// test\n{ \"journal\": { \"workers\": 3 }, }\n";
  }
  auto c = Config::load(file.string(), {"journal.max_attempts=9"});
  fs::remove(file);
  ASSERT_TRUE(c.ok()) << c.error().describe();
  EXPECT_EQ(c->integer("journal.workers"), 3);
  EXPECT_EQ(c->integer("journal.max_attempts"), 9);
}

TEST(ConfigTest, EveryKeyIsDocumented) {
  fs::path doc = kSourceDir / "docs" / "configuration.md";
  if (!fs::exists(doc)) GTEST_SKIP() << doc << " is absent";
  std::string text = readFile(doc);
  for (const auto& spec : configKeys()) {
    EXPECT_NE(text.find(spec.key), std::string::npos) << spec.key << " is not in docs/configuration.md";
  }
}

// The example file is nested JSON: flatten it the way Config does and
// compare the dotted keys with the registry.
void flattenKeys(const rapidjson::Value& node, const std::string& prefix, std::set<std::string>& out) {
  for (auto it = node.MemberBegin(); it != node.MemberEnd(); ++it) {
    std::string key = prefix.empty() ? it->name.GetString() : prefix + "." + it->name.GetString();
    if (it->value.IsObject() && specOf(key) == nullptr) {
      flattenKeys(it->value, key, out);
    } else {
      out.insert(key);
    }
  }
}

TEST(ConfigTest, EveryKeyIsInTheExampleConfig) {
  fs::path example = kSourceDir / "config" / "raccordo.example.json";
  if (!fs::exists(example)) GTEST_SKIP() << example << " is absent";
  std::string text = readFile(example);
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseCommentsFlag | rapidjson::kParseTrailingCommasFlag>(text.c_str(), text.size());
  ASSERT_FALSE(doc.HasParseError());
  ASSERT_TRUE(doc.IsObject());
  std::set<std::string> present;
  flattenKeys(doc, "", present);
  for (const auto& spec : configKeys()) {
    EXPECT_TRUE(present.count(spec.key)) << spec.key << " is not in config/raccordo.example.json";
  }
}

// Every key the program reads (config.str/integer/boolean with a literal name)
// must be declared, or reading it throws at run time.
TEST(ConfigTest, EveryKeyReadBySourcesIsDeclared) {
  std::set<std::string> declared;
  for (const auto& s : configKeys()) declared.insert(s.key);
  std::vector<std::string> missing;
  int found = 0;
  for (const char* dir : {"gateway", "adapters"}) {
    for (const auto& e : fs::recursive_directory_iterator(kSourceDir / dir)) {
      if (e.path().extension() != ".cpp") continue;
      if (e.path().filename() == "config.cpp") continue;  // the declarations themselves
      std::string text = readFile(e.path());
      for (const char* call : {".str(\"", ".integer(\"", ".boolean(\"", "->str(\"", "->integer(\"", "->boolean(\""}) {
        for (size_t pos = text.find(call); pos != std::string::npos; pos = text.find(call, pos + 1)) {
          size_t start = pos + std::string_view(call).size();
          size_t end = text.find('"', start);
          if (end == std::string::npos || text.compare(end, 2, "\")") != 0) continue;  // not a one-argument call
          std::string key = text.substr(start, end - start);
          ++found;
          if (!declared.count(key)) missing.push_back(e.path().filename().string() + ": " + key);
        }
      }
    }
  }
  EXPECT_GT(found, 20) << "the scan finds the config reads";
  EXPECT_TRUE(missing.empty()) << ::testing::PrintToString(missing);
}

}  // namespace
}  // namespace raccordo
