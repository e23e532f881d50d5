#include "gateway/journal/journal.h"

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "gateway/core/clock.h"
#include "gateway/core/metrics.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_store.h"

namespace raccordo {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;
using namespace std::chrono_literals;

constexpr auto kDeadline = std::chrono::seconds(10);


// Body: "CITIZEN:payload", optionally "CITIZEN:payload@SOURCE-MESSAGE-ID".
// No ':' at all is an envelope error.
class FakeAdapter final : public Adapter {
 public:
  std::string name() const override { return "fake"; }
  std::vector<std::string> mediaTypes() const override { return {"text/plain"}; }
  Result<Envelope> inspect(std::string_view bytes) const override {
    auto colon = bytes.find(':');
    if (colon == std::string_view::npos) {
      return Error(ErrorCode::kInvalidInput, "no citizen before ':'", "/envelope/citizen");
    }
    Envelope e;
    e.citizen_key = std::string(bytes.substr(0, colon));
    if (auto at = bytes.find('@'); at != std::string_view::npos) e.source_message_id = std::string(bytes.substr(at + 1));
    return e;
  }
  Result<DecodedMessage> decode(std::string_view, const MessageMeta&) const override {
    return Error(ErrorCode::kUnsupported, "the fake adapter does not decode", "fake");
  }
};

std::string payloadOf(const std::string& raw) {
  auto colon = raw.find(':');
  std::string p = raw.substr(colon + 1);
  return p.substr(0, p.find('@'));
}

enum class Outcome { kOk, kTransient, kPermanent, kFailInApply };

struct Applied {
  int64_t id;
  std::string citizen, payload;
};

// Scripted per payload: each attempt takes the next outcome; once the script
// is used up (or for a payload without one) the message applies fine.
class FakeProcessor final : public MessageProcessor {
 public:
  void script(const std::string& payload, std::vector<Outcome> outcomes) {
    std::lock_guard lock(mu_);
    scripts_[payload] = std::deque<Outcome>(outcomes.begin(), outcomes.end());
  }
  /// Runs in prepare() for that payload, before the scripted outcome.
  void hook(const std::string& payload, std::function<void()> fn) {
    std::lock_guard lock(mu_);
    hooks_[payload] = std::move(fn);
  }
  std::vector<Applied> applied() const {
    std::lock_guard lock(mu_);
    return applied_;
  }
  int prepared(const std::string& payload) const {
    std::lock_guard lock(mu_);
    auto it = prepared_.find(payload);
    return it == prepared_.end() ? 0 : it->second;
  }

  Result<ApplyFn> prepare(const MessageRecord& m) const override {
    std::string payload = payloadOf(m.raw);
    Outcome outcome = Outcome::kOk;
    std::function<void()> hook;
    {
      std::lock_guard lock(mu_);
      ++prepared_[payload];
      auto it = scripts_.find(payload);
      if (it != scripts_.end() && !it->second.empty()) {
        outcome = it->second.front();
        it->second.pop_front();
      }
      if (auto h = hooks_.find(payload); h != hooks_.end()) hook = h->second;
    }
    if (hook) hook();
    switch (outcome) {
      case Outcome::kTransient:
        return Error(ErrorCode::kUnavailable, "store busy", "fake/transient");
      case Outcome::kPermanent:
        return Error(ErrorCode::kInvalidInput, "bad field in " + payload, "/records/0/field");
      case Outcome::kFailInApply:
        return ApplyFn([payload](WriteTx& tx, int64_t now) -> std::string {
          json::Doc d(rapidjson::kObjectType);
          d.AddMember("resourceType", "Basic", d.GetAllocator());
          d.AddMember("id", json::str("half-" + payload, d.GetAllocator()), d.GetAllocator());
          tx.putResource(d, now);
          throw RaccordoException(ErrorCode::kUnavailable, "failed halfway", "apply");
        });
      case Outcome::kOk:
        break;
    }
    int64_t id = m.id;
    std::string citizen = m.citizen_key;
    return ApplyFn([this, id, citizen, payload](WriteTx& tx, int64_t now) {
      json::Doc d(rapidjson::kObjectType);
      d.AddMember("resourceType", "Basic", d.GetAllocator());
      d.AddMember("id", json::str("m" + std::to_string(id), d.GetAllocator()), d.GetAllocator());
      tx.putResource(d, now);
      std::lock_guard lock(mu_);
      applied_.push_back({id, citizen, payload});
      return std::string(R"({"applied":")") + payload + "\"}";
    });
  }

 private:
  mutable std::mutex mu_;
  mutable std::map<std::string, std::deque<Outcome>> scripts_;
  mutable std::map<std::string, int> prepared_;
  std::map<std::string, std::function<void()>> hooks_;
  mutable std::vector<Applied> applied_;
};

template <typename Pred>
bool pollUntil(Pred pred, std::chrono::milliseconds timeout = kDeadline) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!pred()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::yield();
  }
  return true;
}

constexpr int64_t kStart = 1'795'440'000'000;

class JournalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // The journal logs every message; keep the test output readable.
    saved_level_ = spdlog::get_level();
    spdlog::set_level(spdlog::level::err);
    store_ = testing::openTestStore(dir_.path(), 4);
    ASSERT_NE(store_, nullptr);
    ASSERT_TRUE(adapters_.add(std::make_shared<FakeAdapter>()).ok());
    options_.workers = 4;
    options_.max_attempts = 3;
    options_.backoff_initial_ms = 1000;
    options_.backoff_max_ms = 8000;
    options_.poll_interval_ms = 20;
  }
  void TearDown() override {
    if (journal_) journal_->stop(0ms);
    journal_.reset();
    if (store_) store_->close();
    spdlog::set_level(saved_level_);
  }

  Journal& journal() {
    if (!journal_) journal_ = std::make_unique<Journal>(*store_, adapters_, processor_, options_, clock_, metrics_);
    return *journal_;
  }
  void start() { journal().start(); }
  void waitIdle() { ASSERT_TRUE(journal().waitIdle(kDeadline)) << "the journal did not become idle"; }

  IngestAnswer ingest(const std::string& body, const std::string& key = "", const std::string& sender = "s1") {
    IngestRequest r;
    r.adapter = "fake";
    r.sender = sender;
    r.idempotency_key = key;
    r.content_type = "text/plain";
    r.body = body;
    return journal().ingest(r);
  }

  MessageRecord message(int64_t id) {
    std::optional<MessageRecord> m;
    store_->read([&](ReadTx& tx) { m = tx.message(id, true); });
    EXPECT_TRUE(m.has_value()) << "message " << id;
    return m.value_or(MessageRecord{});
  }
  std::vector<AttemptRecord> attempts(int64_t id) {
    std::vector<AttemptRecord> a;
    store_->read([&](ReadTx& tx) { a = tx.attempts(id); });
    return a;
  }
  bool hasResource(const std::string& id) {
    bool found = false;
    store_->read([&](ReadTx& tx) { found = tx.resource("Basic", id).has_value(); });
    return found;
  }
  /// Moves the clock past a message's next attempt and wakes the workers.
  void advancePast(int64_t id) {
    MessageRecord m = message(id);
    int64_t delta = m.next_attempt_at_ms - clock_.nowMs();
    clock_.advanceMs(std::max<int64_t>(delta, 0) + 1);
    journal().wake();
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
  AdapterRegistry adapters_;
  FakeProcessor processor_;
  JournalOptions options_;
  ManualClock clock_{kStart};
  Metrics metrics_;
  std::unique_ptr<Journal> journal_;
  spdlog::level::level_enum saved_level_ = spdlog::level::info;
};

// ---------------------------------------------------------------------------
// Intake

TEST_F(JournalTest, IngestAnswers202AndTheMessageIsDurable) {
  IngestAnswer a = ingest("CIT1:hello", "K1");
  EXPECT_EQ(a.status, 202);
  EXPECT_GT(a.message_id, 0);
  EXPECT_FALSE(a.duplicate);
  EXPECT_EQ(a.state, msgstate::kQueued);
  MessageRecord m = message(a.message_id);
  EXPECT_EQ(m.adapter, "fake");
  EXPECT_EQ(m.sender, "s1");
  EXPECT_EQ(m.idempotency_key, "K1");
  EXPECT_EQ(m.citizen_key, "CIT1");
  EXPECT_EQ(m.content_type, "text/plain");
  EXPECT_EQ(m.raw, "CIT1:hello");
  EXPECT_EQ(m.state, msgstate::kQueued);
  EXPECT_EQ(m.received_at_ms, kStart);
  EXPECT_EQ(m.next_attempt_at_ms, kStart);
  // Not started: nothing is applied.
  EXPECT_TRUE(processor_.applied().empty());
  std::string metrics = metrics_.render();
  EXPECT_NE(metrics.find(R"(raccordo_messages_received_total{adapter="fake",state="queued"} 1)"), std::string::npos)
      << metrics;
}

TEST_F(JournalTest, UnknownAdapterThrowsNotFound) {
  IngestRequest r;
  r.adapter = "nope";
  r.body = "A:x";
  try {
    journal().ingest(r);
    FAIL() << "expected an exception";
  } catch (const RaccordoException& e) {
    EXPECT_EQ(e.error().code, ErrorCode::kNotFound);
  }
}

TEST_F(JournalTest, DuplicateIdempotencyKeyGetsTheFirstAnswerAndIsNotAppliedTwice) {
  start();
  IngestAnswer first = ingest("CIT1:one", "K1");
  ASSERT_EQ(first.status, 202);
  waitIdle();
  IngestAnswer again = ingest("CIT1:one", "K1");
  EXPECT_EQ(again.status, 202);
  EXPECT_TRUE(again.duplicate);
  EXPECT_EQ(again.message_id, first.message_id);
  EXPECT_EQ(again.state, msgstate::kDone);  // what happened to the first since
  // Even with a different body, the key decides.
  IngestAnswer third = ingest("CIT1:other body", "K1");
  EXPECT_TRUE(third.duplicate);
  EXPECT_EQ(third.message_id, first.message_id);
  waitIdle();
  auto applied = processor_.applied();
  ASSERT_EQ(applied.size(), 1u);
  EXPECT_EQ(applied[0].id, first.message_id);
  JournalCounts c;
  store_->read([&](ReadTx& tx) { c = tx.journalCounts(); });
  EXPECT_EQ(c.done, 1);
  EXPECT_EQ(c.queued, 0);
  std::string metrics = metrics_.render();
  EXPECT_NE(metrics.find(R"(raccordo_messages_duplicate_total{adapter="fake"} 2)"), std::string::npos) << metrics;
}

TEST_F(JournalTest, SameKeyFromAnotherSenderIsAnotherMessage) {
  IngestAnswer a = ingest("CIT1:one", "K1", "sender-a");
  IngestAnswer b = ingest("CIT1:one", "K1", "sender-b");
  EXPECT_FALSE(b.duplicate);
  EXPECT_NE(a.message_id, b.message_id);
}

TEST_F(JournalTest, SourceMessageIdIsTheKeyWhenNoHeaderIsGiven) {
  IngestAnswer a = ingest("CIT1:one@SRC-1");
  IngestAnswer b = ingest("CIT1:one again@SRC-1");
  EXPECT_TRUE(b.duplicate);
  EXPECT_EQ(a.message_id, b.message_id);
  EXPECT_EQ(message(a.message_id).idempotency_key, "SRC-1");
  // The header wins over the source's id.
  IngestAnswer c = ingest("CIT1:x@SRC-1", "HDR");
  EXPECT_FALSE(c.duplicate);
  EXPECT_EQ(message(c.message_id).idempotency_key, "HDR");
  // Neither: every send is a new message.
  EXPECT_NE(ingest("CIT1:nokey").message_id, ingest("CIT1:nokey").message_id);
}

TEST_F(JournalTest, EnvelopeErrorIsRejectedWith400AndTheRawIsKept) {
  start();
  IngestAnswer a = ingest("no colon here", "K9");
  EXPECT_EQ(a.status, 400);
  EXPECT_FALSE(a.duplicate);
  EXPECT_EQ(a.state, msgstate::kRejected);
  EXPECT_EQ(a.error.code, ErrorCode::kInvalidInput);
  EXPECT_EQ(a.error.message, "no citizen before ':'");
  EXPECT_EQ(a.error.location, "/envelope/citizen");
  MessageRecord m = message(a.message_id);
  EXPECT_EQ(m.state, msgstate::kRejected);
  EXPECT_EQ(m.answer_status, 400);
  EXPECT_EQ(m.raw, "no colon here");
  EXPECT_EQ(m.error_code, "invalid-input");
  EXPECT_EQ(m.error_message, "no citizen before ':'");
  EXPECT_EQ(m.error_location, "/envelope/citizen");
  waitIdle();
  EXPECT_EQ(processor_.prepared("no colon here"), 0);
  EXPECT_EQ(message(a.message_id).state, msgstate::kRejected);
  // A re-send gets the same 400 again.
  IngestAnswer again = ingest("no colon here", "K9");
  EXPECT_EQ(again.status, 400);
  EXPECT_TRUE(again.duplicate);
  EXPECT_EQ(again.message_id, a.message_id);
  EXPECT_EQ(again.error.message, "no citizen before ':'");
  EXPECT_EQ(again.error.location, "/envelope/citizen");
  std::string metrics = metrics_.render();
  EXPECT_NE(metrics.find(R"(raccordo_messages_received_total{adapter="fake",state="rejected"} 1)"),
            std::string::npos)
      << metrics;
}

// ---------------------------------------------------------------------------
// Order and parallelism

TEST_F(JournalTest, MessagesOfOneCitizenAreAppliedInIdOrder) {
  // Queued before the workers start, interleaved across citizens.
  std::map<std::string, std::vector<int64_t>> sent;
  for (int i = 0; i < 12; ++i) {
    for (const char* c : {"A", "B", "C"}) {
      sent[c].push_back(ingest(std::string(c) + ":" + c + std::to_string(i)).message_id);
    }
  }
  start();
  // And more while they run.
  for (int i = 12; i < 18; ++i) {
    for (const char* c : {"A", "B", "C"}) {
      sent[c].push_back(ingest(std::string(c) + ":" + c + std::to_string(i)).message_id);
    }
  }
  waitIdle();
  std::map<std::string, std::vector<int64_t>> applied;
  for (const auto& a : processor_.applied()) applied[a.citizen].push_back(a.id);
  for (const char* c : {"A", "B", "C"}) {
    EXPECT_EQ(applied[c], sent[c]) << "citizen " << c;
  }
  JournalCounts counts;
  store_->read([&](ReadTx& tx) { counts = tx.journalCounts(); });
  EXPECT_EQ(counts.done, 54);
}

TEST_F(JournalTest, DifferentCitizensAreProcessedInParallel) {
  std::atomic<bool> a_in{false}, b_in{false};
  std::atomic<bool> a_saw_b{false}, b_saw_a{false};
  processor_.hook("a", [&] {
    a_in = true;
    a_saw_b = pollUntil([&] { return b_in.load(); }, 5s);
  });
  processor_.hook("b", [&] {
    b_in = true;
    b_saw_a = pollUntil([&] { return a_in.load(); }, 5s);
  });
  ingest("A:a");
  ingest("B:b");
  start();
  waitIdle();
  EXPECT_TRUE(a_saw_b.load()) << "citizen B's message was not in flight while A's was";
  EXPECT_TRUE(b_saw_a.load());
  EXPECT_EQ(processor_.applied().size(), 2u);
}

TEST_F(JournalTest, OneCitizenIsNeverProcessedInParallel) {
  std::atomic<int> in_flight{0}, max_in_flight{0};
  for (int i = 0; i < 8; ++i) {
    std::string p = "p" + std::to_string(i);
    processor_.hook(p, [&] {
      int now = ++in_flight;
      int prev = max_in_flight.load();
      while (now > prev && !max_in_flight.compare_exchange_weak(prev, now)) {
      }
      // Give another worker a chance to (wrongly) start the citizen's next message.
      for (int k = 0; k < 200; ++k) std::this_thread::yield();
      --in_flight;
    });
    ingest("A:" + p);
  }
  start();
  waitIdle();
  EXPECT_EQ(max_in_flight.load(), 1);
  EXPECT_EQ(processor_.applied().size(), 8u);
}

// ---------------------------------------------------------------------------
// Failures

TEST_F(JournalTest, TransientFailureRetriesAfterTheBackoff) {
  processor_.script("x", {Outcome::kTransient});
  start();
  int64_t id = ingest("A:x").message_id;
  waitIdle();  // idle: the retry is not due yet on the manual clock
  MessageRecord m = message(id);
  EXPECT_EQ(m.state, msgstate::kRetrying);
  EXPECT_EQ(m.attempts, 1);
  EXPECT_EQ(m.error_code, "unavailable");
  EXPECT_EQ(m.error_message, "store busy");
  EXPECT_EQ(m.error_location, "fake/transient");
  // Backoff with jitter: between half and all of backoff_initial_ms.
  EXPECT_GT(m.next_attempt_at_ms, clock_.nowMs());
  EXPECT_GE(m.next_attempt_at_ms, kStart + options_.backoff_initial_ms / 2);
  EXPECT_LE(m.next_attempt_at_ms, kStart + options_.backoff_initial_ms);
  EXPECT_TRUE(processor_.applied().empty());

  advancePast(id);
  waitIdle();
  m = message(id);
  EXPECT_EQ(m.state, msgstate::kDone);
  EXPECT_EQ(m.attempts, 2);
  EXPECT_TRUE(m.error_code.empty());
  EXPECT_TRUE(m.error_message.empty());
  EXPECT_EQ(m.result, R"({"applied":"x"})");
  auto a = attempts(id);
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a[0].n, 1);
  EXPECT_EQ(a[0].outcome, "retry");
  EXPECT_EQ(a[0].error_code, "unavailable");
  EXPECT_EQ(a[1].n, 2);
  EXPECT_EQ(a[1].outcome, "done");
  EXPECT_TRUE(a[1].error_code.empty());
  EXPECT_EQ(processor_.applied().size(), 1u);
  std::string metrics = metrics_.render();
  EXPECT_NE(metrics.find(R"(raccordo_messages_processed_total{adapter="fake",outcome="retry"} 1)"),
            std::string::npos);
  EXPECT_NE(metrics.find(R"(raccordo_messages_processed_total{adapter="fake",outcome="done"} 1)"),
            std::string::npos);
}

TEST_F(JournalTest, FailureInsideTheApplyFunctionIsRolledBackAndRetried) {
  processor_.script("x", {Outcome::kFailInApply});
  start();
  int64_t id = ingest("A:x").message_id;
  waitIdle();
  MessageRecord m = message(id);
  EXPECT_EQ(m.state, msgstate::kRetrying);
  EXPECT_EQ(m.error_message, "failed halfway");
  EXPECT_FALSE(hasResource("half-x"));  // its write was rolled back
  advancePast(id);
  waitIdle();
  EXPECT_EQ(message(id).state, msgstate::kDone);
  EXPECT_TRUE(hasResource("m" + std::to_string(id)));
  EXPECT_FALSE(hasResource("half-x"));
}

TEST_F(JournalTest, MaxAttemptsExhaustedMakesADeadLetter) {
  processor_.script("x", {Outcome::kTransient, Outcome::kTransient, Outcome::kTransient});
  start();
  int64_t id = ingest("A:x").message_id;
  waitIdle();
  ASSERT_EQ(message(id).state, msgstate::kRetrying);
  int64_t first_delay = message(id).next_attempt_at_ms - clock_.nowMs();
  advancePast(id);
  waitIdle();
  MessageRecord m = message(id);
  ASSERT_EQ(m.state, msgstate::kRetrying);
  EXPECT_EQ(m.attempts, 2);
  // The second delay is drawn from the doubled backoff.
  int64_t second_delay = m.next_attempt_at_ms - clock_.nowMs();
  EXPECT_GE(second_delay, options_.backoff_initial_ms);
  EXPECT_LE(second_delay, 2 * options_.backoff_initial_ms);
  EXPECT_LE(first_delay, options_.backoff_initial_ms);
  advancePast(id);
  waitIdle();
  m = message(id);
  EXPECT_EQ(m.state, msgstate::kDead);
  EXPECT_EQ(m.attempts, 3);
  EXPECT_EQ(m.error_code, "unavailable");
  auto a = attempts(id);
  ASSERT_EQ(a.size(), 3u);
  EXPECT_EQ(a[0].outcome, "retry");
  EXPECT_EQ(a[1].outcome, "retry");
  EXPECT_EQ(a[2].outcome, "dead");
  EXPECT_EQ(processor_.prepared("x"), 3);
  std::vector<MessageRecord> dead;
  store_->read([&](ReadTx& tx) { dead = tx.deadLetters(10, 0); });
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].id, id);
  // Dead is final: time passing does not bring it back.
  clock_.advanceMs(1'000'000);
  journal().wake();
  waitIdle();
  EXPECT_EQ(processor_.prepared("x"), 3);
}

TEST_F(JournalTest, PermanentErrorIsDeadAtOnceWithMessageAndLocation) {
  processor_.script("x", {Outcome::kPermanent});
  start();
  int64_t id = ingest("A:x").message_id;
  waitIdle();
  MessageRecord m = message(id);
  EXPECT_EQ(m.state, msgstate::kDead);
  EXPECT_EQ(m.attempts, 1);
  EXPECT_EQ(m.error_code, "invalid-input");
  EXPECT_EQ(m.error_message, "bad field in x");
  EXPECT_EQ(m.error_location, "/records/0/field");
  EXPECT_EQ(m.raw, "A:x");  // the raw bytes stay with the dead letter
  auto a = attempts(id);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].outcome, "dead");
  EXPECT_EQ(a[0].error_message, "bad field in x");
  EXPECT_EQ(a[0].error_location, "/records/0/field");
  EXPECT_TRUE(processor_.applied().empty());
}

TEST_F(JournalTest, ALaterMessageWaitsWhileAnEarlierOneIsRetrying) {
  processor_.script("first", {Outcome::kTransient});
  start();
  int64_t first = ingest("A:first").message_id;
  int64_t second = ingest("A:second").message_id;
  int64_t other = ingest("B:other").message_id;
  waitIdle();
  EXPECT_EQ(message(first).state, msgstate::kRetrying);
  EXPECT_EQ(message(second).state, msgstate::kQueued);
  EXPECT_EQ(processor_.prepared("second"), 0);
  EXPECT_EQ(message(other).state, msgstate::kDone);  // another citizen is not held up
  advancePast(first);
  waitIdle();
  EXPECT_EQ(message(first).state, msgstate::kDone);
  EXPECT_EQ(message(second).state, msgstate::kDone);
  std::vector<int64_t> order;
  for (const auto& a : processor_.applied()) {
    if (a.citizen == "A") order.push_back(a.id);
  }
  EXPECT_EQ(order, std::vector<int64_t>({first, second}));
}

// ---------------------------------------------------------------------------
// Replay

TEST_F(JournalTest, ReplayOfADeadLetterAppliesItAfterTheFix) {
  processor_.script("x", {Outcome::kPermanent});
  start();
  int64_t id = ingest("A:x").message_id;
  waitIdle();
  ASSERT_EQ(message(id).state, msgstate::kDead);
  // The script is used up: the "mapping" is fixed.
  clock_.advanceMs(5000);
  auto replayed = journal().replay(id);
  ASSERT_TRUE(replayed.ok()) << replayed.error().describe();
  EXPECT_EQ(replayed->state, msgstate::kQueued);
  EXPECT_EQ(replayed->next_attempt_at_ms, kStart + 5000);
  EXPECT_TRUE(replayed->error_code.empty());
  waitIdle();
  MessageRecord m = message(id);
  EXPECT_EQ(m.state, msgstate::kDone);
  EXPECT_TRUE(m.error_message.empty());
  auto a = attempts(id);
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a[0].outcome, "dead");
  EXPECT_EQ(a[1].outcome, "done");
  EXPECT_EQ(processor_.applied().size(), 1u);
}

TEST_F(JournalTest, ReplayWhileStoppedQueuesAndTheNextStartApplies) {
  processor_.script("x", {Outcome::kPermanent});
  start();
  int64_t id = ingest("A:x").message_id;
  waitIdle();
  journal().stop();
  ASSERT_TRUE(journal().replay(id).ok());
  EXPECT_EQ(message(id).state, msgstate::kQueued);
  start();
  waitIdle();
  EXPECT_EQ(message(id).state, msgstate::kDone);
}

TEST_F(JournalTest, ReplayOfANonDeadMessageIsAConflict) {
  start();
  int64_t id = ingest("A:x").message_id;
  waitIdle();
  ASSERT_EQ(message(id).state, msgstate::kDone);
  auto r = journal().replay(id);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kConflict);
  EXPECT_NE(r.error().message.find("done"), std::string::npos) << r.error().message;
  EXPECT_EQ(message(id).state, msgstate::kDone);

  int64_t rejected = ingest("no colon").message_id;
  auto rr = journal().replay(rejected);
  ASSERT_FALSE(rr.ok());
  EXPECT_EQ(rr.error().code, ErrorCode::kConflict);

  auto missing = journal().replay(987654);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(processor_.applied().size(), 1u);
}

TEST_F(JournalTest, ReplayedMessageGetsItsRetriesAgain) {
  processor_.script("x", {Outcome::kTransient, Outcome::kTransient, Outcome::kTransient, Outcome::kTransient});
  start();
  int64_t id = ingest("A:x").message_id;
  for (int i = 0; i < 3; ++i) {
    waitIdle();
    if (message(id).state == msgstate::kRetrying) advancePast(id);
  }
  waitIdle();
  ASSERT_EQ(message(id).state, msgstate::kDead);
  ASSERT_TRUE(journal().replay(id).ok());
  waitIdle();
  // The replay hit one transient failure (the 4th scripted): it should be retried, not dead again.
  ASSERT_EQ(message(id).state, msgstate::kRetrying);
  advancePast(id);
  waitIdle();
  EXPECT_EQ(message(id).state, msgstate::kDone);
  EXPECT_EQ(attempts(id).size(), 5u);
}

// ---------------------------------------------------------------------------
// Stop

TEST_F(JournalTest, StopDrainsTheMessageInFlight) {
  std::atomic<bool> in_prepare{false}, stop_called{false};
  processor_.hook("slow", [&] {
    in_prepare = true;
    pollUntil([&] { return stop_called.load(); }, 5s);
  });
  start();
  int64_t id = ingest("A:slow").message_id;
  ASSERT_TRUE(pollUntil([&] { return in_prepare.load(); }));
  std::thread stopper([&] {
    stop_called = true;
    journal().stop(5s);
  });
  stopper.join();
  // stop() returned only after the in-flight message was finished and recorded.
  EXPECT_EQ(message(id).state, msgstate::kDone);
  EXPECT_EQ(processor_.applied().size(), 1u);
  journal().stop();  // a second stop is harmless

  // Stopped: intake still journals, nothing is applied until the next start.
  int64_t later = ingest("A:later").message_id;
  EXPECT_TRUE(journal().waitIdle(0ms) == false);  // one message is due and nobody takes it
  EXPECT_EQ(message(later).state, msgstate::kQueued);
  start();
  waitIdle();
  EXPECT_EQ(message(later).state, msgstate::kDone);
}

TEST_F(JournalTest, WaitIdleTimesOutWhileWorkIsDue) {
  ingest("A:x");  // never started
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_FALSE(journal().waitIdle(30ms));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 2s);
}

TEST_F(JournalTest, DestructorStopsTheWorkers) {
  start();
  ingest("A:x");
  waitIdle();
  journal_.reset();  // must join its threads, not hang or crash
  SUCCEED();
}

}  // namespace
}  // namespace raccordo
