#include "gateway/journal/journal.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <random>

namespace raccordo {

namespace {

// Permanent errors go straight to the dead letters: retrying cannot fix bad
// input or an unknown code; a mapping fix and a replay can.
bool shouldRetry(const Error& e) { return e.retryable() || e.code == ErrorCode::kInternal; }

std::string label(const std::string& adapter) { return "adapter=\"" + adapter + "\""; }

}  // namespace

Journal::Journal(Store& store, const AdapterRegistry& adapters, const MessageProcessor& processor,
                 JournalOptions options, const Clock& clock, Metrics& metrics)
    : store_(store), adapters_(adapters), processor_(processor), options_(options), clock_(clock), metrics_(metrics) {
  metrics_.help("raccordo_messages_received_total", "counter", "Messages journaled, by adapter and first answer.");
  metrics_.help("raccordo_messages_duplicate_total", "counter", "Re-sent messages answered with the first answer.");
  metrics_.help("raccordo_messages_processed_total", "counter", "Message attempts by outcome (done, retry, dead).");
}

Journal::~Journal() { stop(std::chrono::milliseconds(0)); }

IngestAnswer Journal::ingest(const IngestRequest& request) {
  const Adapter* adapter = adapters_.find(request.adapter);
  if (adapter == nullptr) {
    throw RaccordoException(ErrorCode::kNotFound, "no adapter named '" + request.adapter + "'", "adapter");
  }
  Result<Envelope> envelope = adapter->inspect(request.body);
  std::string key = request.idempotency_key;
  if (key.empty() && envelope.ok()) key = envelope->source_message_id;

  IngestAnswer answer;
  int64_t now = clock_.nowMs();
  store_.write([&](WriteTx& tx) {
    if (!key.empty()) {
      if (auto existing = tx.messageByKey(request.adapter, request.sender, key)) {
        answer.status = existing->answer_status;
        answer.message_id = existing->id;
        answer.duplicate = true;
        answer.state = existing->state;
        answer.error = Error(errorCodeFromName(existing->error_code), existing->error_message,
                             existing->error_location);
        answer.received_at_ms = existing->received_at_ms;
        return;
      }
    }
    NewMessage m;
    m.adapter = request.adapter;
    m.sender = request.sender;
    m.idempotency_key = key;
    m.content_type = request.content_type;
    m.raw = request.body;
    if (envelope.ok()) {
      m.citizen_key = envelope->citizen_key;
    } else {
      m.state = msgstate::kRejected;
      m.answer_status = 400;
      m.error_code = errorCodeName(envelope.error().code);
      m.error_message = envelope.error().message;
      m.error_location = envelope.error().location;
    }
    answer.message_id = tx.appendMessage(m, now);
    answer.received_at_ms = now;
    answer.status = m.answer_status;
    answer.state = m.state;
    if (!envelope.ok()) answer.error = envelope.error();
  });

  if (answer.duplicate) {
    metrics_.inc("raccordo_messages_duplicate_total", label(request.adapter));
    spdlog::info("message {} duplicate adapter={} key={}", answer.message_id, request.adapter, key);
  } else {
    metrics_.inc("raccordo_messages_received_total",
                 label(request.adapter) + ",state=\"" + answer.state + "\"");
    if (answer.status == 202) {
      spdlog::info("message {} queued adapter={} size={}", answer.message_id, request.adapter, request.body.size());
      wake();
    } else {
      spdlog::warn("message {} rejected adapter={} reason=\"{}\"", answer.message_id, request.adapter,
                   answer.error.describe());
    }
  }
  return answer;
}

Result<MessageRecord> requeueDeadLetter(WriteTx& tx, int64_t message_id, int64_t now_ms) {
  auto m = tx.message(message_id, false);
  if (!m) return Error(ErrorCode::kNotFound, "no message " + std::to_string(message_id), "message_id");
  if (m->state != msgstate::kDead) {
    return Error(ErrorCode::kConflict,
                 "message " + std::to_string(message_id) + " is " + m->state + "; only dead letters can be replayed",
                 "state");
  }
  m->state = msgstate::kQueued;
  m->retry_base = m->attempts;
  m->next_attempt_at_ms = now_ms;
  m->updated_at_ms = now_ms;
  m->error_code.clear();
  m->error_message.clear();
  m->error_location.clear();
  tx.updateMessage(*m);
  return *m;
}

Result<MessageRecord> Journal::replay(int64_t message_id) {
  std::optional<Result<MessageRecord>> out;
  store_.write([&](WriteTx& tx) { out.emplace(requeueDeadLetter(tx, message_id, clock_.nowMs())); });
  if (out->ok()) {
    spdlog::info("message {} queued (replay) adapter={}", message_id, out->value().adapter);
    wake();
  }
  return std::move(*out);
}

void Journal::start() {
  std::lock_guard lock(mu_);
  stopping_ = false;
  for (int i = 0; i < options_.workers; ++i) threads_.emplace_back([this] { workerLoop(); });
}

void Journal::stop(std::chrono::milliseconds drain) {
  {
    std::unique_lock lock(mu_);
    if (threads_.empty()) return;
    stopping_ = true;
    // Fetched but not started: they stay queued in the store for the next start.
    for (const auto& m : ready_) busy_.erase(m.citizen_key);
    ready_.clear();
    cv_.notify_all();
    if (!idle_cv_.wait_for(lock, drain, [&] { return in_flight_ == 0; })) {
      spdlog::warn("journal: {} message(s) still in flight after the drain timeout; waiting for them", in_flight_);
    }
  }
  for (auto& t : threads_) t.join();
  threads_.clear();
}

void Journal::wake() {
  // Called for every acknowledged message: wake one sleeping worker, and none
  // when all are busy (they look for more work when they finish anyway).
  bool wake_one = false;
  {
    std::lock_guard lock(mu_);
    has_more_ = true;
    wake_one = idle_workers_ > 0;
  }
  if (wake_one) cv_.notify_one();
}

bool Journal::waitIdle(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    bool nothing_due = false;
    {
      std::unique_lock lock(mu_);
      if (in_flight_ == 0 && ready_.empty()) {
        lock.unlock();
        store_.read([&](ReadTx& tx) { nothing_due = tx.readyMessages(clock_.nowMs(), 1, {}).empty(); });
        if (nothing_due) return true;
      }
    }
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::unique_lock lock(mu_);
    idle_cv_.wait_for(lock, std::chrono::milliseconds(20));
  }
}

std::optional<MessageRecord> Journal::takeNext(std::unique_lock<std::mutex>& lock) {
  if (ready_.empty() && has_more_) {
    std::vector<std::string> busy(busy_.begin(), busy_.end());
    std::vector<MessageRecord> fetched;
    int limit = std::max(16, options_.workers * 4);
    // The store read happens under the journal lock so that two workers never
    // fetch the same message; it is one indexed query.
    store_.read([&](ReadTx& tx) { fetched = tx.readyMessages(clock_.nowMs(), limit, busy); });
    has_more_ = static_cast<int>(fetched.size()) == limit;
    for (auto& m : fetched) {
      if (busy_.insert(m.citizen_key).second) ready_.push_back(std::move(m));
    }
  }
  (void)lock;
  if (ready_.empty()) return std::nullopt;
  MessageRecord m = std::move(ready_.front());
  ready_.erase(ready_.begin());
  return m;
}

void Journal::workerLoop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    std::optional<MessageRecord> next;
    try {
      next = takeNext(lock);
    } catch (const std::exception& e) {
      spdlog::error("journal: cannot read the queue: {}", e.what());
    }
    if (!next) {
      // Nothing ready: sleep until woken or for the poll interval (retries
      // that fall due are found by that poll).
      ++idle_workers_;
      cv_.wait_for(lock, std::chrono::milliseconds(options_.poll_interval_ms));
      --idle_workers_;
      has_more_ = true;
      continue;
    }
    ++in_flight_;
    lock.unlock();
    std::string citizen = next->citizen_key;
    process(std::move(*next));
    lock.lock();
    busy_.erase(citizen);
    --in_flight_;
    has_more_ = true;  // the citizen's next message may now be ready
    idle_cv_.notify_all();
    if (idle_workers_ > 0) cv_.notify_one();  // the citizen's next message may be for another worker
  }
}

int64_t Journal::backoffMs(int attempt) {
  int64_t delay = options_.backoff_initial_ms;
  for (int i = 1; i < attempt && delay < options_.backoff_max_ms; ++i) delay *= 2;
  delay = std::min(delay, options_.backoff_max_ms);
  // "Equal jitter": half fixed, half random, so retries of a burst spread out.
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::uniform_int_distribution<int64_t> dist(0, std::max<int64_t>(delay / 2, 1));
  return delay - delay / 2 + dist(rng);
}

void Journal::process(MessageRecord m) {
  int attempt = m.attempts + 1;
  int64_t started = clock_.nowMs();
  std::optional<Error> failure;
  std::string result;
  try {
    std::optional<MessageRecord> full;
    store_.read([&](ReadTx& tx) { full = tx.message(m.id, true); });
    if (!full) throw RaccordoException(ErrorCode::kInternal, "message vanished from the journal", "journal");
    Result<ApplyFn> prepared = processor_.prepare(*full);
    if (!prepared.ok()) {
      failure = prepared.error();
    } else {
      store_.write([&](WriteTx& tx) {
        int64_t now = clock_.nowMs();
        result = (*prepared)(tx, now);
        MessageRecord done = m;
        done.state = msgstate::kDone;
        done.attempts = attempt;
        done.result = result;
        done.updated_at_ms = now;
        done.error_code.clear();
        done.error_message.clear();
        done.error_location.clear();
        tx.updateMessage(done);
        tx.addAttempt(m.id, AttemptRecord{attempt, started, now, "done", "", "", ""});
      }, WritePriority::kBackground);
    }
  } catch (const RaccordoException& e) {
    failure = e.error();
  } catch (const std::exception& e) {
    failure = Error(ErrorCode::kInternal, std::string("unexpected failure: ") + e.what(), "worker");
  }

  if (!failure) {
    metrics_.inc("raccordo_messages_processed_total", label(m.adapter) + ",outcome=\"done\"");
    spdlog::info("message {} done adapter={} attempt={} result={}", m.id, m.adapter, attempt, result);
    return;
  }

  int64_t now = clock_.nowMs();
  bool retry = shouldRetry(*failure) && attempt - m.retry_base < options_.max_attempts;
  m.state = retry ? msgstate::kRetrying : msgstate::kDead;
  m.attempts = attempt;
  m.next_attempt_at_ms = retry ? now + backoffMs(attempt) : now;
  m.updated_at_ms = now;
  m.error_code = errorCodeName(failure->code);
  m.error_message = failure->message;
  m.error_location = failure->location;
  AttemptRecord a{attempt, started, now, retry ? "retry" : "dead", m.error_code, m.error_message, m.error_location};
  try {
    store_.write(
        [&](WriteTx& tx) {
          tx.updateMessage(m);
          tx.addAttempt(m.id, a);
        },
        WritePriority::kBackground);
  } catch (const std::exception& e) {
    // The message stays queued in the store and is taken again later; wait
    // first, so that a store that keeps failing is not hammered.
    spdlog::error("message {} could not record its failure: {}", m.id, e.what());
    std::this_thread::sleep_for(std::chrono::milliseconds(backoffMs(attempt)));
    return;
  }
  metrics_.inc("raccordo_messages_processed_total", label(m.adapter) + ",outcome=\"" + a.outcome + "\"");
  if (retry) {
    spdlog::warn("message {} retrying adapter={} attempt={} in={}ms reason=\"{}\"", m.id, m.adapter, attempt,
                 m.next_attempt_at_ms - now, failure->describe());
  } else {
    spdlog::warn("message {} dead adapter={} attempt={} reason=\"{}\"", m.id, m.adapter, attempt,
                 failure->describe());
  }
}

}  // namespace raccordo
