#include "gateway/store/sqlite/sqlite_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "gateway/config/config.h"
#include "gateway/core/clock.h"
#include "gateway/core/json.h"
#include "gateway/store/store.h"
#include "tests/support/temp_dir.h"

namespace raccordo {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

// A fresh folder per test, removed afterwards.

std::unique_ptr<Store> openAt(const fs::path& file, int group_commit_max = 256, bool full = false) {
  SqliteOptions o;
  o.path = file.string();
  o.group_commit_max = group_commit_max;
  o.read_connections = 4;
  o.synchronous_full = full;
  auto s = openSqliteStore(o);
  EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().describe());
  if (!s.ok()) return nullptr;
  return std::move(s.value());
}

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = openAt(dir_.path() / "raccordo.db");
    ASSERT_NE(store_, nullptr);
  }
  void TearDown() override {
    if (store_) store_->close();
    store_.reset();
  }

  PutOutcome put(const std::string& text, int64_t now_ms) {
    PutOutcome out;
    store_->write([&](WriteTx& tx) {
      json::Doc d;
      d.Parse(text.c_str(), text.size());
      if (d.HasParseError()) throw std::runtime_error("bad test JSON: " + text);
      out = tx.putResource(d, now_ms);
    });
    return out;
  }

  std::optional<StoredResource> get(const std::string& type, const std::string& id) {
    std::optional<StoredResource> r;
    store_->read([&](ReadTx& tx) { r = tx.resource(type, id); });
    return r;
  }

  SearchPage search(const SearchQuery& q) {
    SearchPage p;
    store_->read([&](ReadTx& tx) { p = tx.search(q); });
    return p;
  }

  static std::vector<std::string> ids(const SearchPage& p) {
    std::vector<std::string> out;
    for (const auto& r : p.items) out.push_back(r.id);
    return out;
  }

  int64_t append(const std::string& citizen, const std::string& key = "", int64_t now = 1000,
                 const std::string& raw = "payload", const std::string& sender = "tester") {
    int64_t id = 0;
    store_->write([&](WriteTx& tx) {
      NewMessage m;
      m.adapter = "fake";
      m.sender = sender;
      m.idempotency_key = key;
      m.citizen_key = citizen;
      m.content_type = "text/plain";
      m.raw = raw;
      id = tx.appendMessage(m, now);
    });
    return id;
  }

  MessageRecord message(int64_t id, bool with_raw = false) {
    std::optional<MessageRecord> m;
    store_->read([&](ReadTx& tx) { m = tx.message(id, with_raw); });
    EXPECT_TRUE(m.has_value()) << id;
    return m.value_or(MessageRecord{});
  }

  void update(const MessageRecord& m) {
    store_->write([&](WriteTx& tx) { tx.updateMessage(m); });
  }

  void setState(int64_t id, const char* state, int64_t next_attempt_at_ms = 0) {
    MessageRecord m = message(id);
    m.state = state;
    m.next_attempt_at_ms = next_attempt_at_ms;
    update(m);
  }

  std::vector<int64_t> ready(int64_t now, int limit = 100, const std::vector<std::string>& busy = {}) {
    std::vector<int64_t> out;
    store_->read([&](ReadTx& tx) {
      for (const auto& m : tx.readyMessages(now, limit, busy)) out.push_back(m.id);
    });
    return out;
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
};

json::Doc parse(const std::string& text) {
  json::Doc d;
  d.Parse(text.c_str(), text.size());
  return d;
}

// ---------------------------------------------------------------------------
// Resources: versions

constexpr const char* kPatientV1 =
    R"({"resourceType":"Patient","id":"p1","identifier":[{"system":"S","value":"A"}],"gender":"female"})";
constexpr const char* kPatientV2 =
    R"({"resourceType":"Patient","id":"p1","identifier":[{"system":"S","value":"A"}],"gender":"male"})";

TEST_F(SqliteStoreTest, PutCreatesVersionOneWithMeta) {
  PutOutcome out = put(kPatientV1, 1795440000123);
  EXPECT_TRUE(out.changed);
  EXPECT_EQ(out.version, 1);
  auto r = get("Patient", "p1");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->type, "Patient");
  EXPECT_EQ(r->id, "p1");
  EXPECT_EQ(r->version, 1);
  EXPECT_EQ(r->last_updated_ms, 1795440000123);
  EXPECT_FALSE(r->deleted);
  json::Doc d = parse(r->json);
  ASSERT_TRUE(d.IsObject());
  EXPECT_EQ(json::getStr(d, "gender"), "female");
  ASSERT_TRUE(d.HasMember("meta"));
  EXPECT_EQ(json::getStr(d["meta"], "versionId"), "1");
  EXPECT_EQ(json::getStr(d["meta"], "lastUpdated"), "2026-11-23T13:20:00.123Z");
  // The stored form puts meta right after id (store.h, withVersionMeta).
  auto it = d.MemberBegin();
  ASSERT_GE(d.MemberCount(), 3u);
  EXPECT_STREQ((it + 2)->name.GetString(), "meta");
}

TEST_F(SqliteStoreTest, IdenticalContentIsNotANewVersion) {
  ASSERT_TRUE(put(kPatientV1, 1000).changed);
  PutOutcome again = put(kPatientV1, 2000);
  EXPECT_FALSE(again.changed);
  EXPECT_EQ(again.version, 1);
  // Client-supplied versionId/lastUpdated are the store's to set: ignored in the comparison.
  PutOutcome with_meta = put(
      R"({"resourceType":"Patient","id":"p1","identifier":[{"system":"S","value":"A"}],"gender":"female",)"
      R"("meta":{"versionId":"7","lastUpdated":"2001-01-01T00:00:00Z"}})",
      3000);
  EXPECT_FALSE(with_meta.changed);
  EXPECT_EQ(with_meta.version, 1);
  auto r = get("Patient", "p1");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->version, 1);
  EXPECT_EQ(r->last_updated_ms, 1000);
  std::vector<StoredResource> h;
  store_->read([&](ReadTx& tx) { h = tx.history("Patient", "p1"); });
  EXPECT_EQ(h.size(), 1u);
}

TEST_F(SqliteStoreTest, StoredJsonPutBackIsUnchanged) {
  ASSERT_TRUE(put(kPatientV1, 1000).changed);
  auto r = get("Patient", "p1");
  ASSERT_TRUE(r);
  PutOutcome back = put(r->json, 2000);
  EXPECT_FALSE(back.changed);
  EXPECT_EQ(back.version, 1);
}

TEST_F(SqliteStoreTest, IdenticalContentWithMetaBeforeOtherMembersIsNotANewVersion) {
  ASSERT_TRUE(put(kPatientV1, 1000).changed);
  // FHIR JSON usually puts meta right after id.
  PutOutcome with_meta = put(
      R"({"resourceType":"Patient","id":"p1","meta":{"versionId":"1","lastUpdated":"2001-01-01T00:00:00Z"},)"
      R"("identifier":[{"system":"S","value":"A"}],"gender":"female"})",
      2000);
  EXPECT_FALSE(with_meta.changed);
  EXPECT_EQ(with_meta.version, 1);
  // Other meta members keep their order too.
  ASSERT_TRUE(put(R"({"resourceType":"Basic","id":"b","meta":{"profile":["p"],"tag":[{"code":"t"}]}})", 1000).changed);
  auto stored = get("Basic", "b");
  ASSERT_TRUE(stored);
  EXPECT_FALSE(put(stored->json, 2000).changed);
}

TEST_F(SqliteStoreTest, ChangedContentIsVersionTwoAndHistoryIsNewestFirst) {
  ASSERT_TRUE(put(kPatientV1, 1000).changed);
  PutOutcome v2 = put(kPatientV2, 2000);
  EXPECT_TRUE(v2.changed);
  EXPECT_EQ(v2.version, 2);
  PutOutcome v3 = put(kPatientV1, 3000);  // back to the first content: still a new version
  EXPECT_TRUE(v3.changed);
  EXPECT_EQ(v3.version, 3);

  auto cur = get("Patient", "p1");
  ASSERT_TRUE(cur);
  EXPECT_EQ(cur->version, 3);
  EXPECT_EQ(cur->last_updated_ms, 3000);

  std::vector<StoredResource> h;
  std::optional<StoredResource> v1, v2r, v9;
  store_->read([&](ReadTx& tx) {
    h = tx.history("Patient", "p1");
    v1 = tx.resourceVersion("Patient", "p1", 1);
    v2r = tx.resourceVersion("Patient", "p1", 2);
    v9 = tx.resourceVersion("Patient", "p1", 9);
  });
  ASSERT_EQ(h.size(), 3u);
  EXPECT_EQ(h[0].version, 3);
  EXPECT_EQ(h[1].version, 2);
  EXPECT_EQ(h[2].version, 1);
  EXPECT_EQ(h[1].last_updated_ms, 2000);
  ASSERT_TRUE(v1);
  ASSERT_TRUE(v2r);
  EXPECT_FALSE(v9);
  EXPECT_EQ(json::getStr(parse(v1->json), "gender"), "female");
  EXPECT_EQ(json::getStr(parse(v2r->json), "gender"), "male");
  json::Doc d2 = parse(v2r->json);
  EXPECT_EQ(json::getStr(d2["meta"], "versionId"), "2");
  EXPECT_EQ(json::getStr(d2["meta"], "lastUpdated"), formatInstant(2000));
}

TEST_F(SqliteStoreTest, OtherMetaFieldsAreKept) {
  put(R"({"resourceType":"Patient","id":"p1","meta":{"profile":["http://x/P"],"versionId":"x"}})", 1000);
  json::Doc d = parse(get("Patient", "p1")->json);
  ASSERT_TRUE(d["meta"].HasMember("profile"));
  EXPECT_EQ(json::getStr(d["meta"], "versionId"), "1");
  // Same profile, no version meta: unchanged.
  EXPECT_FALSE(put(R"({"resourceType":"Patient","id":"p1","meta":{"profile":["http://x/P"]}})", 2000).changed);
}

TEST_F(SqliteStoreTest, MissingResourceAndOtherTypeWithSameId) {
  put(kPatientV1, 1000);
  EXPECT_FALSE(get("Patient", "nope"));
  EXPECT_FALSE(get("Observation", "p1"));
  std::vector<StoredResource> h;
  store_->read([&](ReadTx& tx) { h = tx.history("Patient", "nope"); });
  EXPECT_TRUE(h.empty());
}

TEST_F(SqliteStoreTest, ResourceWithoutIdIsRefusedAndTheErrorReachesTheCaller) {
  try {
    put(R"({"resourceType":"Patient"})", 1000);
    FAIL() << "expected an exception";
  } catch (const RaccordoException& e) {
    EXPECT_EQ(e.error().code, ErrorCode::kInternal);
  }
  EXPECT_THROW(put(R"({"id":"x"})", 1000), RaccordoException);
}

// ---------------------------------------------------------------------------
// Resources: search

class SqliteSearchTest : public SqliteStoreTest {
 protected:
  void SetUp() override {
    SqliteStoreTest::SetUp();
    put(R"({"resourceType":"Patient","id":"p1","identifier":[{"system":"S","value":"A"},{"system":"L","value":"1"}]})",
        100);
    put(R"({"resourceType":"Patient","id":"p2","identifier":[{"system":"S","value":"B"}]})", 200);
    put(R"({"resourceType":"Patient","id":"p3","identifier":[{"system":"O","value":"A"}]})", 300);
    // Observations o1..o5 at 1000..5000; o1, o2, o4 about p1; o3 about p2; o5 about nobody.
    put(R"({"resourceType":"Observation","id":"o1","identifier":[{"system":"S","value":"A"}],)"
        R"("subject":{"reference":"Patient/p1"},"performer":[{"reference":"Practitioner/x"}]})",
        1000);
    put(R"({"resourceType":"Observation","id":"o2","subject":{"reference":"Patient/p1"}})", 2000);
    put(R"({"resourceType":"Observation","id":"o3","subject":{"reference":"Patient/p2"}})", 3000);
    put(R"({"resourceType":"Observation","id":"o4","subject":{"reference":"Patient/p1/_history/1"}})", 4000);
    put(R"({"resourceType":"Observation","id":"o5","status":"final"})", 5000);
    put(R"({"resourceType":"EpisodeOfCare","id":"e1","patient":{"reference":"Patient/p1"}})", 6000);
  }

  SearchQuery q(const char* type) {
    SearchQuery query;
    query.type = type;
    query.count = 100;
    return query;
  }
};

TEST_F(SqliteSearchTest, ByIdentifierSystemAndValue) {
  auto query = q("Patient");
  query.identifiers = {{"S", "A"}};
  auto page = search(query);
  EXPECT_EQ(ids(page), std::vector<std::string>({"p1"}));
  EXPECT_EQ(page.total, 1);
}

TEST_F(SqliteSearchTest, ByIdentifierValueOnlyMatchesAnySystem) {
  auto query = q("Patient");
  query.identifiers = {{"", "A"}};
  auto page = search(query);
  EXPECT_EQ(ids(page), std::vector<std::string>({"p1", "p3"}));
  EXPECT_EQ(page.total, 2);
}

TEST_F(SqliteSearchTest, ByIdentifierOrOfTwo) {
  auto query = q("Patient");
  query.identifiers = {{"S", "A"}, {"S", "B"}};
  auto page = search(query);
  EXPECT_EQ(ids(page), std::vector<std::string>({"p1", "p2"}));
  EXPECT_EQ(page.total, 2);

  query.identifiers = {{"S", "nope"}, {"O", "A"}};
  EXPECT_EQ(ids(search(query)), std::vector<std::string>({"p3"}));
}

TEST_F(SqliteSearchTest, RepeatedIdentifierGroupsAreAnded) {
  auto query = q("Patient");
  query.identifiers = {{"S", "A"}, {"S", "B"}};
  query.identifiers_and = {{{"L", "1"}}};
  auto page = search(query);
  EXPECT_EQ(ids(page), std::vector<std::string>({"p1"}));
  EXPECT_EQ(page.total, 1);
  query.identifiers_and = {{{"L", "2"}}};
  EXPECT_TRUE(search(query).items.empty());
  // Each group is an OR; groups are ANDed, also without the first list.
  query.identifiers.clear();
  query.identifiers_and = {{{"S", "B"}, {"L", "1"}}, {{"", "A"}}};
  EXPECT_EQ(ids(search(query)), std::vector<std::string>({"p1"}));
  query.identifiers_and = {{{"S", "B"}}, {}};  // an empty group adds no condition
  EXPECT_EQ(ids(search(query)), std::vector<std::string>({"p2"}));
}

TEST_F(SqliteSearchTest, IdentifierSearchStaysWithinTheType) {
  auto query = q("Observation");
  query.identifiers = {{"S", "A"}};
  EXPECT_EQ(ids(search(query)), std::vector<std::string>({"o1"}));
  query.identifiers = {{"L", "1"}};
  EXPECT_TRUE(search(query).items.empty());
}

TEST_F(SqliteSearchTest, NoMatch) {
  auto query = q("Patient");
  query.identifiers = {{"S", "Z"}};
  auto page = search(query);
  EXPECT_TRUE(page.items.empty());
  EXPECT_EQ(page.total, 0);
  EXPECT_EQ(search(q("Nothing")).total, 0);
}

TEST_F(SqliteSearchTest, ByPatient) {
  auto query = q("Observation");
  query.patient = "p1";
  auto page = search(query);
  EXPECT_EQ(ids(page), std::vector<std::string>({"o1", "o2", "o4"}));
  EXPECT_EQ(page.total, 3);
  query.patient = "p2";
  EXPECT_EQ(ids(search(query)), std::vector<std::string>({"o3"}));
  query.patient = "p9";
  EXPECT_TRUE(search(query).items.empty());
  // For Patient itself, patient=X is the Patient X.
  auto pq = q("Patient");
  pq.patient = "p2";
  EXPECT_EQ(ids(search(pq)), std::vector<std::string>({"p2"}));
}

TEST_F(SqliteSearchTest, ByLastUpdatedRange) {
  auto query = q("Observation");
  query.updated_from_ms = 2000;
  EXPECT_EQ(ids(search(query)), std::vector<std::string>({"o2", "o3", "o4", "o5"}));
  query.updated_from_ms.reset();
  query.updated_to_ms = 3000;  // exclusive
  EXPECT_EQ(ids(search(query)), std::vector<std::string>({"o1", "o2"}));
  query.updated_from_ms = 2000;
  query.updated_to_ms = 4001;
  auto page = search(query);
  EXPECT_EQ(ids(page), std::vector<std::string>({"o2", "o3", "o4"}));
  EXPECT_EQ(page.total, 3);
}

TEST_F(SqliteSearchTest, ById) {
  auto query = q("Observation");
  query.id = "o3";
  auto page = search(query);
  EXPECT_EQ(ids(page), std::vector<std::string>({"o3"}));
  EXPECT_EQ(page.total, 1);
  query.id = "p1";
  EXPECT_TRUE(search(query).items.empty());
}

TEST_F(SqliteSearchTest, CombinedParametersAreAnded) {
  auto query = q("Observation");
  query.patient = "p1";
  query.updated_from_ms = 1500;
  query.id = "o4";
  EXPECT_EQ(ids(search(query)), std::vector<std::string>({"o4"}));
  query.id = "o1";
  EXPECT_TRUE(search(query).items.empty());
}

TEST_F(SqliteSearchTest, CountOffsetPagingAndTotal) {
  auto query = q("Observation");
  query.count = 2;
  query.offset = 0;
  auto p1 = search(query);
  EXPECT_EQ(ids(p1), std::vector<std::string>({"o1", "o2"}));
  EXPECT_EQ(p1.total, 5);
  query.offset = 2;
  auto p2 = search(query);
  EXPECT_EQ(ids(p2), std::vector<std::string>({"o3", "o4"}));
  EXPECT_EQ(p2.total, 5);
  query.offset = 4;
  auto p3 = search(query);
  EXPECT_EQ(ids(p3), std::vector<std::string>({"o5"}));
  EXPECT_EQ(p3.total, 5);
  query.offset = 10;
  auto p4 = search(query);
  EXPECT_TRUE(p4.items.empty());
  EXPECT_EQ(p4.total, 5);
}

TEST_F(SqliteSearchTest, OrderIsLastUpdatedThenId) {
  put(R"({"resourceType":"Observation","id":"o0","status":"x"})", 5000);  // same time as o5, smaller id
  put(R"({"resourceType":"Observation","id":"o1","status":"changed","subject":{"reference":"Patient/p1"}})",
      9000);  // o1 moves to the end
  auto page = search(q("Observation"));
  EXPECT_EQ(ids(page), std::vector<std::string>({"o2", "o3", "o4", "o0", "o5", "o1"}));
}

TEST_F(SqliteSearchTest, UpdatedIndexesFollowTheNewVersion) {
  // o1 stops being about p1 and loses its identifier.
  put(R"({"resourceType":"Observation","id":"o1","subject":{"reference":"Patient/p2"}})", 7000);
  auto query = q("Observation");
  query.patient = "p1";
  EXPECT_EQ(ids(search(query)), std::vector<std::string>({"o2", "o4"}));
  query.patient = "p2";
  EXPECT_EQ(ids(search(query)), std::vector<std::string>({"o3", "o1"}));
  auto byId = q("Observation");
  byId.identifiers = {{"S", "A"}};
  EXPECT_TRUE(search(byId).items.empty());
  std::vector<std::string> refs;
  store_->read([&](ReadTx& tx) { refs = tx.referencesOf({{"Observation", "o1"}}); });
  EXPECT_EQ(refs, std::vector<std::string>({"Patient/p2"}));
}

TEST_F(SqliteSearchTest, Compartment) {
  std::vector<StoredResource> c;
  store_->read([&](ReadTx& tx) { c = tx.compartment("p1"); });
  std::vector<std::string> keys;
  for (const auto& r : c) keys.push_back(r.type + "/" + r.id);
  // Sorted by type, then id; the Patient itself is not part of it.
  EXPECT_EQ(keys, std::vector<std::string>({"EpisodeOfCare/e1", "Observation/o1", "Observation/o2",
                                            "Observation/o4"}));
  for (const auto& r : c) EXPECT_FALSE(r.json.empty());
  store_->read([&](ReadTx& tx) { c = tx.compartment("p3"); });
  EXPECT_TRUE(c.empty());
}

TEST_F(SqliteSearchTest, ReferencesOf) {
  std::vector<std::string> refs;
  store_->read([&](ReadTx& tx) {
    refs = tx.referencesOf({{"Observation", "o1"}, {"Observation", "o4"}, {"Observation", "o5"}, {"X", "none"}});
  });
  std::sort(refs.begin(), refs.end());
  EXPECT_EQ(refs, std::vector<std::string>({"Patient/p1", "Patient/p1", "Practitioner/x"}));
  store_->read([&](ReadTx& tx) { refs = tx.referencesOf({}); });
  EXPECT_TRUE(refs.empty());
}

// ---------------------------------------------------------------------------
// Journal tables

TEST_F(SqliteStoreTest, AppendAndReadMessage) {
  store_->write([&](WriteTx& tx) {
    NewMessage m;
    m.adapter = "sisa";
    m.sender = "sisa-milano";
    m.idempotency_key = "SISA-1";
    m.citizen_key = "CLMGPP38L44A794V";
    m.content_type = "application/json";
    m.raw = std::string("{\"a\":1}\0tail", 12);
    EXPECT_EQ(tx.appendMessage(m, 5000), 1);
    m.idempotency_key = "SISA-2";
    EXPECT_EQ(tx.appendMessage(m, 6000), 2);
  });
  MessageRecord m = message(1, true);
  EXPECT_EQ(m.id, 1);
  EXPECT_EQ(m.adapter, "sisa");
  EXPECT_EQ(m.sender, "sisa-milano");
  EXPECT_EQ(m.idempotency_key, "SISA-1");
  EXPECT_EQ(m.citizen_key, "CLMGPP38L44A794V");
  EXPECT_EQ(m.content_type, "application/json");
  EXPECT_EQ(m.received_at_ms, 5000);
  EXPECT_EQ(m.updated_at_ms, 5000);
  EXPECT_EQ(m.next_attempt_at_ms, 5000);
  EXPECT_EQ(m.state, msgstate::kQueued);
  EXPECT_EQ(m.attempts, 0);
  EXPECT_EQ(m.answer_status, 202);
  EXPECT_EQ(m.size, 12);
  EXPECT_EQ(m.raw, std::string("{\"a\":1}\0tail", 12));  // binary-safe
  EXPECT_TRUE(m.error_code.empty());
  EXPECT_TRUE(m.result.empty());
  EXPECT_TRUE(message(1, false).raw.empty());
  std::optional<MessageRecord> none;
  store_->read([&](ReadTx& tx) { none = tx.message(99, true); });
  EXPECT_FALSE(none);
}

TEST_F(SqliteStoreTest, RejectedMessageKeepsItsErrorAndAnswer) {
  int64_t id = 0;
  store_->write([&](WriteTx& tx) {
    NewMessage m;
    m.adapter = "sisa";
    m.sender = "s";
    m.content_type = "application/json";
    m.raw = "not json";
    m.state = msgstate::kRejected;
    m.answer_status = 400;
    m.error_code = "invalid-input";
    m.error_message = "not valid JSON";
    m.error_location = "offset 0";
    id = tx.appendMessage(m, 10);
  });
  MessageRecord m = message(id, true);
  EXPECT_EQ(m.state, msgstate::kRejected);
  EXPECT_EQ(m.answer_status, 400);
  EXPECT_EQ(m.error_code, "invalid-input");
  EXPECT_EQ(m.error_message, "not valid JSON");
  EXPECT_EQ(m.error_location, "offset 0");
  EXPECT_EQ(m.raw, "not json");
  EXPECT_TRUE(m.idempotency_key.empty());
}

TEST_F(SqliteStoreTest, MessageByKey) {
  int64_t a = append("C1", "K1", 1000, "x", "sender-a");
  int64_t b = append("C1", "K1", 1000, "x", "sender-b");  // same key, other sender: another message
  EXPECT_NE(a, b);
  std::optional<MessageRecord> found, other, none;
  store_->read([&](ReadTx& tx) {
    found = tx.messageByKey("fake", "sender-a", "K1");
    other = tx.messageByKey("fake", "sender-b", "K1");
    none = tx.messageByKey("fake", "sender-a", "K2");
  });
  ASSERT_TRUE(found);
  EXPECT_EQ(found->id, a);
  ASSERT_TRUE(other);
  EXPECT_EQ(other->id, b);
  EXPECT_FALSE(none);
}

TEST_F(SqliteStoreTest, IdempotencyKeyIsUniquePerAdapterAndSenderButEmptyKeysAreNot) {
  append("C1", "K1");
  EXPECT_THROW(append("C1", "K1"), RaccordoException);
  // Messages without a key never clash.
  int64_t x = append("C1");
  int64_t y = append("C1");
  EXPECT_NE(x, y);
}

TEST_F(SqliteStoreTest, UpdateMessage) {
  int64_t id = append("C1", "K1", 1000);
  MessageRecord m = message(id);
  m.state = msgstate::kRetrying;
  m.attempts = 2;
  m.next_attempt_at_ms = 9000;
  m.updated_at_ms = 8000;
  m.error_code = "unavailable";
  m.error_message = "busy";
  m.error_location = "sqlite";
  m.result = R"({"x":1})";
  update(m);
  MessageRecord back = message(id, true);
  EXPECT_EQ(back.state, msgstate::kRetrying);
  EXPECT_EQ(back.attempts, 2);
  EXPECT_EQ(back.next_attempt_at_ms, 9000);
  EXPECT_EQ(back.updated_at_ms, 8000);
  EXPECT_EQ(back.received_at_ms, 1000);
  EXPECT_EQ(back.error_code, "unavailable");
  EXPECT_EQ(back.error_message, "busy");
  EXPECT_EQ(back.error_location, "sqlite");
  EXPECT_EQ(back.result, R"({"x":1})");
  EXPECT_EQ(back.raw, "payload");  // untouched
  EXPECT_EQ(back.idempotency_key, "K1");
}

TEST_F(SqliteStoreTest, AttemptsInOrder) {
  int64_t id = append("C1");
  int64_t other = append("C2");
  store_->write([&](WriteTx& tx) {
    tx.addAttempt(id, AttemptRecord{2, 30, 40, "dead", "invalid-input", "bad", "/x"});
    tx.addAttempt(id, AttemptRecord{1, 10, 20, "retry", "unavailable", "busy", "sqlite"});
    tx.addAttempt(other, AttemptRecord{1, 1, 2, "done", "", "", ""});
  });
  std::vector<AttemptRecord> a;
  store_->read([&](ReadTx& tx) { a = tx.attempts(id); });
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a[0].n, 1);
  EXPECT_EQ(a[0].started_at_ms, 10);
  EXPECT_EQ(a[0].finished_at_ms, 20);
  EXPECT_EQ(a[0].outcome, "retry");
  EXPECT_EQ(a[0].error_code, "unavailable");
  EXPECT_EQ(a[0].error_message, "busy");
  EXPECT_EQ(a[0].error_location, "sqlite");
  EXPECT_EQ(a[1].n, 2);
  EXPECT_EQ(a[1].outcome, "dead");
  store_->read([&](ReadTx& tx) { a = tx.attempts(12345); });
  EXPECT_TRUE(a.empty());
}

TEST_F(SqliteStoreTest, DeadLettersAndCounts) {
  std::vector<int64_t> ids_;
  for (int i = 0; i < 7; ++i) ids_.push_back(append("C" + std::to_string(i)));
  setState(ids_[1], msgstate::kDead);
  setState(ids_[3], msgstate::kDead);
  setState(ids_[4], msgstate::kDead);
  setState(ids_[5], msgstate::kDone);
  setState(ids_[6], msgstate::kRetrying, 99999);
  store_->write([&](WriteTx& tx) {
    NewMessage m;
    m.adapter = "fake";
    m.sender = "s";
    m.content_type = "x";
    m.state = msgstate::kRejected;
    m.answer_status = 400;
    tx.appendMessage(m, 1);
  });

  std::vector<MessageRecord> page1, page2;
  int64_t dead_count = 0;
  JournalCounts c;
  store_->read([&](ReadTx& tx) {
    page1 = tx.deadLetters(2, 0);
    page2 = tx.deadLetters(2, 2);
    dead_count = tx.deadLetterCount();
    c = tx.journalCounts();
  });
  ASSERT_EQ(page1.size(), 2u);
  EXPECT_EQ(page1[0].id, ids_[1]);
  EXPECT_EQ(page1[1].id, ids_[3]);
  ASSERT_EQ(page2.size(), 1u);
  EXPECT_EQ(page2[0].id, ids_[4]);
  EXPECT_EQ(dead_count, 3);
  EXPECT_EQ(c.queued, 2);
  EXPECT_EQ(c.retrying, 1);
  EXPECT_EQ(c.done, 1);
  EXPECT_EQ(c.dead, 3);
  EXPECT_EQ(c.rejected, 1);
}

TEST_F(SqliteStoreTest, EmptyJournal) {
  JournalCounts c;
  std::optional<int64_t> due;
  int64_t dead = -1;
  store_->read([&](ReadTx& tx) {
    c = tx.journalCounts();
    due = tx.nextDueMs();
    dead = tx.deadLetterCount();
  });
  EXPECT_EQ(c.queued + c.retrying + c.done + c.dead + c.rejected, 0);
  EXPECT_FALSE(due);
  EXPECT_EQ(dead, 0);
  EXPECT_TRUE(ready(1 << 30).empty());
}

TEST_F(SqliteStoreTest, NextDueIsTheEarliestWaitingMessage) {
  int64_t a = append("A", "", 5000);
  int64_t b = append("B", "", 7000);
  std::optional<int64_t> due;
  store_->read([&](ReadTx& tx) { due = tx.nextDueMs(); });
  EXPECT_EQ(due, 5000);
  setState(a, msgstate::kDone);
  store_->read([&](ReadTx& tx) { due = tx.nextDueMs(); });
  EXPECT_EQ(due, 7000);
  setState(b, msgstate::kRetrying, 20000);
  store_->read([&](ReadTx& tx) { due = tx.nextDueMs(); });
  EXPECT_EQ(due, 20000);
  setState(b, msgstate::kDead);
  store_->read([&](ReadTx& tx) { due = tx.nextDueMs(); });
  EXPECT_FALSE(due);
}

// ---------------------------------------------------------------------------
// readyMessages

TEST_F(SqliteStoreTest, ReadyGivesOnlyTheOldestWaitingMessagePerCitizen) {
  int64_t a1 = append("A", "", 1000);
  int64_t a2 = append("A", "", 1000);
  int64_t b1 = append("B", "", 1000);
  int64_t a3 = append("A", "", 1000);
  int64_t b2 = append("B", "", 1000);
  EXPECT_EQ(ready(1000), std::vector<int64_t>({a1, b1}));
  setState(a1, msgstate::kDone);
  EXPECT_EQ(ready(1000), std::vector<int64_t>({a2, b1}));
  setState(a2, msgstate::kDead);  // dead is final: the next one goes ahead
  setState(b1, msgstate::kDone);
  EXPECT_EQ(ready(1000), std::vector<int64_t>({a3, b2}));
}

TEST_F(SqliteStoreTest, ReadyHonoursNextAttemptAt) {
  int64_t a1 = append("A", "", 1000);
  int64_t a2 = append("A", "", 1000);
  int64_t b1 = append("B", "", 1000);
  int64_t c1 = append("C", "", 3000);  // not due before 3000
  EXPECT_EQ(ready(999), std::vector<int64_t>());
  EXPECT_EQ(ready(1000), std::vector<int64_t>({a1, b1}));
  // a1 waits for a retry: A's later message must wait too.
  setState(a1, msgstate::kRetrying, 5000);
  EXPECT_EQ(ready(1000), std::vector<int64_t>({b1}));
  EXPECT_EQ(ready(3000), std::vector<int64_t>({b1, c1}));
  // Earliest due first.
  EXPECT_EQ(ready(5000), std::vector<int64_t>({b1, c1, a1}));
  (void)a2;
}

TEST_F(SqliteStoreTest, ReadySkipsBusyCitizensAndHonoursTheLimit) {
  int64_t a1 = append("A", "", 1000);
  int64_t b1 = append("B", "", 1000);
  int64_t c1 = append("C", "", 1000);
  EXPECT_EQ(ready(1000, 100, {"A"}), std::vector<int64_t>({b1, c1}));
  EXPECT_EQ(ready(1000, 100, {"A", "C"}), std::vector<int64_t>({b1}));
  EXPECT_EQ(ready(1000, 1), std::vector<int64_t>({a1}));
  // The limit counts what is returned, after the busy ones are skipped.
  EXPECT_EQ(ready(1000, 1, {"A"}), std::vector<int64_t>({b1}));
  EXPECT_EQ(ready(1000, 2, {"A", "B"}), std::vector<int64_t>({c1}));
  EXPECT_EQ(ready(1000, 100, {"A", "B", "C"}), std::vector<int64_t>());
}

TEST_F(SqliteStoreTest, ReadyNeverReturnsFinalStates) {
  int64_t a = append("A", "", 1000);
  int64_t b = append("B", "", 1000);
  int64_t c = append("C", "", 1000);
  setState(a, msgstate::kDone);
  setState(b, msgstate::kDead);
  setState(c, msgstate::kRejected);
  EXPECT_TRUE(ready(1 << 30).empty());
}

TEST_F(SqliteStoreTest, EmptyCitizenKeyIsOneSharedLane) {
  int64_t x = append("", "", 1000);
  int64_t y = append("", "", 1000);
  EXPECT_EQ(ready(1000), std::vector<int64_t>({x}));
  setState(x, msgstate::kDone);
  EXPECT_EQ(ready(1000), std::vector<int64_t>({y}));
}

// ---------------------------------------------------------------------------
// Group commit

TEST(SqliteGroupCommitTest, ConcurrentWritersAreAllDurableAndGrouped) {
  TempDir dir;
  auto store = openAt(dir.path() / "g.db", 256, /*full=*/true);
  ASSERT_NE(store, nullptr);
  constexpr int kThreads = 16, kWrites = 50;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kWrites; ++i) {
        try {
          store->write([&](WriteTx& tx) {
            NewMessage m;
            m.adapter = "fake";
            m.sender = "t" + std::to_string(t);
            m.idempotency_key = std::to_string(i);
            m.citizen_key = "C" + std::to_string(t);
            m.content_type = "x";
            m.raw = "r";
            tx.appendMessage(m, 1);
          });
        } catch (...) {
          ++failures;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  int64_t commits = 0, writes = 0;
  store->stats(commits, writes);
  EXPECT_EQ(writes, kThreads * kWrites);
  EXPECT_LT(commits, writes) << "no two writes were ever committed together";
  EXPECT_GT(commits, 0);
  store->close();

  // Reopen: every write is there.
  auto again = openAt(dir.path() / "g.db");
  ASSERT_NE(again, nullptr);
  JournalCounts c;
  std::optional<MessageRecord> last;
  again->read([&](ReadTx& tx) {
    c = tx.journalCounts();
    last = tx.messageByKey("fake", "t15", "49");
  });
  EXPECT_EQ(c.queued, kThreads * kWrites);
  EXPECT_TRUE(last);
  again->close();
}

TEST(SqliteGroupCommitTest, GroupCommitMaxBoundsTheBatch) {
  TempDir dir;
  auto store = openAt(dir.path() / "g.db", /*group_commit_max=*/1);
  ASSERT_NE(store, nullptr);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10; ++i) store->write([](WriteTx&) {});
    });
  }
  for (auto& th : threads) th.join();
  int64_t commits = 0, writes = 0;
  store->stats(commits, writes);
  EXPECT_EQ(writes, 40);
  EXPECT_EQ(commits, 40);
  store->close();
}

// A throwing function in a group: only its own changes are rolled back, the
// others in the same commit are kept, and the exception reaches its caller.
TEST(SqliteGroupCommitTest, ThrowingWriteRollsBackOnlyItself) {
  TempDir dir;
  auto store = openAt(dir.path() / "g.db");
  ASSERT_NE(store, nullptr);

  bool grouped_once = false;
  for (int round = 0; round < 20 && !grouped_once; ++round) {
    std::atomic<int> about_to_write{0};
    std::atomic<bool> release{false};
    int64_t commits_before = 0, writes_before = 0;
    store->stats(commits_before, writes_before);

    // Holds the writer thread so that the next three writes queue up behind it
    // and are taken as one group.
    std::atomic<bool> blocking{false};
    std::thread blocker([&] {
      store->write([&](WriteTx&) {
        blocking = true;
        auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
        while (!release.load() && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
      });
    });
    // The writer thread is now busy with the blocker.
    {
      auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
      while (!blocking.load() && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
    }
    std::string tag = std::to_string(round);
    bool good1_ok = false, good2_ok = false;
    std::string bad_error;
    auto writeMessage = [&](WriteTx& tx, const std::string& key) {
      NewMessage m;
      m.adapter = "fake";
      m.sender = "s";
      m.idempotency_key = key;
      m.citizen_key = key;
      m.content_type = "x";
      tx.appendMessage(m, 1);
    };
    std::thread good1([&] {
      ++about_to_write;
      store->write([&](WriteTx& tx) { writeMessage(tx, "good1-" + tag); });
      good1_ok = true;
    });
    std::thread bad([&] {
      ++about_to_write;
      try {
        store->write([&](WriteTx& tx) {
          writeMessage(tx, "bad-" + tag);
          json::Doc d = parse(R"({"resourceType":"Patient","id":"bad"})");
          tx.putResource(d, 1);
          throw RaccordoException(ErrorCode::kInvalidInput, "scripted failure " + tag, "/here");
        });
      } catch (const RaccordoException& e) {
        bad_error = e.error().describe();
      }
    });
    std::thread good2([&] {
      ++about_to_write;
      store->write([&](WriteTx& tx) {
        writeMessage(tx, "good2-" + tag);
        json::Doc d = parse(R"({"resourceType":"Patient","id":"good-)" + tag + R"("})");
        tx.putResource(d, 1);
      });
      good2_ok = true;
    });
    // Let the three callers reach write(): a polling loop with a deadline. They
    // enqueue while the writer still commits the blocker's batch; should one be
    // late, the round is simply not counted as grouped and another is run.
    {
      auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
      while (about_to_write.load() < 3 && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
    }
    release = true;
    blocker.join();
    good1.join();
    bad.join();
    good2.join();

    EXPECT_TRUE(good1_ok);
    EXPECT_TRUE(good2_ok);
    EXPECT_EQ(bad_error, "scripted failure " + tag + " (at /here)");
    std::optional<MessageRecord> g1, g2, b;
    std::optional<StoredResource> bad_patient, good_patient;
    store->read([&](ReadTx& tx) {
      g1 = tx.messageByKey("fake", "s", "good1-" + tag);
      g2 = tx.messageByKey("fake", "s", "good2-" + tag);
      b = tx.messageByKey("fake", "s", "bad-" + tag);
      bad_patient = tx.resource("Patient", "bad");
      good_patient = tx.resource("Patient", "good-" + tag);
    });
    EXPECT_TRUE(g1);
    EXPECT_TRUE(g2);
    EXPECT_FALSE(b);
    EXPECT_FALSE(bad_patient);
    EXPECT_TRUE(good_patient);

    int64_t commits = 0, writes = 0;
    store->stats(commits, writes);
    EXPECT_EQ(writes - writes_before, 4);
    grouped_once = commits - commits_before == 2;  // the blocker alone, then the three together
  }
  EXPECT_TRUE(grouped_once) << "the three writes were never committed as one group";
  store->close();
}

TEST(SqliteGroupCommitTest, ConcurrentMixOfFailingAndSucceedingWrites) {
  TempDir dir;
  auto store = openAt(dir.path() / "g.db");
  ASSERT_NE(store, nullptr);
  constexpr int kThreads = 8, kWrites = 40;
  std::atomic<int> caught{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kWrites; ++i) {
        bool fail = (t * kWrites + i) % 3 == 0;
        try {
          store->write([&](WriteTx& tx) {
            NewMessage m;
            m.adapter = "fake";
            m.sender = "s";
            m.idempotency_key = std::to_string(t) + "-" + std::to_string(i);
            m.citizen_key = "C";
            m.content_type = "x";
            tx.appendMessage(m, 1);
            if (fail) throw std::runtime_error("boom");
          });
        } catch (const std::runtime_error& e) {
          EXPECT_STREQ(e.what(), "boom");
          ++caught;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  int expected_failures = 0;
  for (int k = 0; k < kThreads * kWrites; ++k) expected_failures += k % 3 == 0 ? 1 : 0;
  EXPECT_EQ(caught.load(), expected_failures);
  int missing_ok = 0, present_bad = 0;
  store->read([&](ReadTx& tx) {
    for (int t = 0; t < kThreads; ++t) {
      for (int i = 0; i < kWrites; ++i) {
        bool fail = (t * kWrites + i) % 3 == 0;
        bool present = tx.messageByKey("fake", "s", std::to_string(t) + "-" + std::to_string(i)).has_value();
        if (fail && present) ++present_bad;
        if (!fail && !present) ++missing_ok;
      }
    }
  });
  EXPECT_EQ(missing_ok, 0);
  EXPECT_EQ(present_bad, 0);
  store->close();
}

TEST_F(SqliteStoreTest, BackgroundWritesAreDurableAndReportErrors) {
  store_->write(
      [](WriteTx& tx) {
        json::Doc d = parse(kPatientV1);
        tx.putResource(d, 1);
      },
      WritePriority::kBackground);
  EXPECT_TRUE(get("Patient", "p1"));
  EXPECT_THROW(store_->write([](WriteTx&) { throw std::runtime_error("bg"); }, WritePriority::kBackground),
               std::runtime_error);
}

TEST_F(SqliteStoreTest, NestedWriteRunsInTheSameTransaction) {
  store_->write([&](WriteTx& tx) {
    json::Doc d = parse(R"({"resourceType":"Patient","id":"outer"})");
    tx.putResource(d, 1);
    store_->write([&](WriteTx& inner) {
      json::Doc e = parse(R"({"resourceType":"Patient","id":"inner"})");
      inner.putResource(e, 1);
      EXPECT_TRUE(inner.resource("Patient", "outer"));  // sees the outer's uncommitted change
    });
  });
  EXPECT_TRUE(get("Patient", "outer"));
  EXPECT_TRUE(get("Patient", "inner"));
}

TEST_F(SqliteStoreTest, NestedWriteFailureRollsBackTheWholeFunction) {
  EXPECT_THROW(store_->write([&](WriteTx& tx) {
                 json::Doc d = parse(R"({"resourceType":"Patient","id":"outer"})");
                 tx.putResource(d, 1);
                 store_->write([&](WriteTx&) { throw std::runtime_error("inner"); });
               }),
               std::runtime_error);
  EXPECT_FALSE(get("Patient", "outer"));
}

// ---------------------------------------------------------------------------
// Lifecycle

TEST(SqliteLifecycleTest, ReopeningKeepsTheData) {
  TempDir dir;
  fs::path file = dir.path() / "sub" / "dir" / "r.db";  // parent folders are created
  int64_t id = 0;
  {
    auto store = openAt(file);
    ASSERT_NE(store, nullptr);
    store->write([&](WriteTx& tx) {
      json::Doc d = parse(kPatientV1);
      tx.putResource(d, 1000);
      json::Doc e = parse(kPatientV2);
      tx.putResource(e, 2000);
      NewMessage m;
      m.adapter = "fake";
      m.sender = "s";
      m.idempotency_key = "K";
      m.citizen_key = "A";
      m.content_type = "x";
      m.raw = "raw bytes";
      id = tx.appendMessage(m, 1000);
      tx.addAttempt(id, AttemptRecord{1, 1, 2, "retry", "unavailable", "x", "y"});
    });
    store->close();
    store->close();  // idempotent
  }
  auto store = openAt(file);
  ASSERT_NE(store, nullptr);
  std::optional<StoredResource> r;
  std::vector<StoredResource> h;
  std::optional<MessageRecord> m;
  std::vector<AttemptRecord> a;
  SearchPage p;
  store->read([&](ReadTx& tx) {
    r = tx.resource("Patient", "p1");
    h = tx.history("Patient", "p1");
    m = tx.message(id, true);
    a = tx.attempts(id);
    SearchQuery q;
    q.type = "Patient";
    q.identifiers = {{"S", "A"}};
    p = tx.search(q);
  });
  ASSERT_TRUE(r);
  EXPECT_EQ(r->version, 2);
  EXPECT_EQ(h.size(), 2u);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->raw, "raw bytes");
  EXPECT_EQ(a.size(), 1u);
  EXPECT_EQ(p.total, 1);
  // And new ids continue after the old ones.
  int64_t next = 0;
  store->write([&](WriteTx& tx) {
    NewMessage n;
    n.adapter = "fake";
    n.sender = "s";
    n.citizen_key = "A";
    n.content_type = "x";
    next = tx.appendMessage(n, 1);
  });
  EXPECT_GT(next, id);
  store->close();
}

TEST(SqliteLifecycleTest, ClosedStoreRefusesWork) {
  TempDir dir;
  auto store = openAt(dir.path() / "c.db");
  ASSERT_NE(store, nullptr);
  EXPECT_TRUE(store->ready());
  store->close();
  EXPECT_FALSE(store->ready());
  try {
    store->write([](WriteTx&) {});
    FAIL() << "expected an exception";
  } catch (const RaccordoException& e) {
    EXPECT_EQ(e.error().code, ErrorCode::kUnavailable);
  }
  EXPECT_THROW(store->read([](ReadTx&) {}), RaccordoException);
}

// close() while another thread is inside read(): close waits for the read to
// finish (its connection must not be freed under it), then refuses new reads.
TEST(SqliteLifecycleTest, CloseWaitsForAReadInFlight) {
  TempDir dir;
  auto store = openAt(dir.path() / "c.db");
  ASSERT_NE(store, nullptr);
  store->write([](WriteTx& tx) {
    json::Doc d = parse(kPatientV1);
    tx.putResource(d, 1);
  });
  std::atomic<bool> in_read{false}, closed{false};
  bool found = false, closed_while_reading = false, close_started = false;
  std::thread reader([&] {
    store->read([&](ReadTx& tx) {
      in_read = true;
      // close() has started once the store refuses new work.
      auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
      while (store->ready() && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
      close_started = !store->ready();
      // Give a wrong close() the chance to return (and free our connection).
      auto grace = std::chrono::steady_clock::now() + std::chrono::milliseconds(50);
      while (!closed.load() && std::chrono::steady_clock::now() < grace) std::this_thread::yield();
      closed_while_reading = closed.load();
      found = tx.resource("Patient", "p1").has_value();
    });
  });
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!in_read.load() && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
  std::thread closer([&] {
    store->close();
    closed = true;
  });
  closer.join();
  reader.join();
  EXPECT_TRUE(close_started);
  EXPECT_FALSE(closed_while_reading) << "close() returned while a read was still using its connection";
  EXPECT_TRUE(found);
  EXPECT_THROW(store->read([](ReadTx&) {}), RaccordoException);
}

TEST(SqliteLifecycleTest, NewerSchemaVersionIsRefused) {
  TempDir dir;
  fs::path file = dir.path() / "v.db";
  {
    auto store = openAt(file);
    ASSERT_NE(store, nullptr);
    store->close();
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(file.string().c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "PRAGMA user_version=99", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  SqliteOptions o;
  o.path = file.string();
  o.read_connections = 1;
  auto s = openSqliteStore(o);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kConfig);
  EXPECT_NE(s.error().message.find("newer"), std::string::npos) << s.error().message;
}

TEST(SqliteLifecycleTest, UnopenablePathIsAnError) {
  TempDir dir;
  SqliteOptions o;
  o.path = dir.path().string();  // a folder, not a file
  o.read_connections = 1;
  auto s = openSqliteStore(o);
  EXPECT_FALSE(s.ok());
}

TEST(SqliteLifecycleTest, OpenStoreFromConfig) {
  TempDir dir;
  auto config = Config::parse("{}", {"data_dir=" + dir.path().string(), "sqlite.read_connections=2"});
  ASSERT_TRUE(config.ok());
  auto store = openStore(*config);
  ASSERT_TRUE(store.ok()) << store.error().describe();
  (*store)->close();
  EXPECT_TRUE(fs::exists(dir.path() / "raccordo.db"));

  auto pg = Config::parse("{}", {"store=postgresql://localhost/raccordo"});
  ASSERT_TRUE(pg.ok());
  auto no_pg = openStore(*pg);
  ASSERT_FALSE(no_pg.ok());
  EXPECT_EQ(no_pg.error().location, "store");

  auto bad = Config::parse("{}", {"store=mysql://x"});
  ASSERT_TRUE(bad.ok());
  auto no = openStore(*bad);
  ASSERT_FALSE(no.ok());
  EXPECT_EQ(no.error().code, ErrorCode::kConfig);

  auto empty = Config::parse("{}", {"store=sqlite:"});
  ASSERT_TRUE(empty.ok());
  EXPECT_FALSE(openStore(*empty).ok());
}

TEST(SqliteLifecycleTest, ReadsSeeOneSnapshot) {
  TempDir dir;
  auto store = openAt(dir.path() / "s.db");
  ASSERT_NE(store, nullptr);
  store->write([](WriteTx& tx) {
    json::Doc d = parse(kPatientV1);
    tx.putResource(d, 1);
  });
  store->read([&](ReadTx& tx) {
    auto before = tx.resource("Patient", "p1");
    ASSERT_TRUE(before);
    // A write committed meanwhile is not seen inside this read.
    store->write([](WriteTx& wtx) {
      json::Doc d = parse(kPatientV2);
      wtx.putResource(d, 2);
    });
    auto after = tx.resource("Patient", "p1");
    ASSERT_TRUE(after);
    EXPECT_EQ(after->version, 1);
  });
  std::optional<StoredResource> now;
  store->read([&](ReadTx& tx) { now = tx.resource("Patient", "p1"); });
  EXPECT_EQ(now->version, 2);
  store->close();
}

}  // namespace
}  // namespace raccordo
