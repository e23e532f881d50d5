#pragma once
// The journal: durable intake of raw messages, and the workers that apply
// them. A message is appended (group-committed) before its sender is
// answered; workers then apply messages in order per citizen key, citizens in
// parallel, retrying transient failures with exponential backoff and jitter
// and moving the rest to the dead letters with the raw bytes and the reason.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "gateway/adapter/adapter.h"
#include "gateway/core/clock.h"
#include "gateway/core/metrics.h"
#include "gateway/store/store.h"

namespace raccordo {

/// Applies one prepared message inside the write transaction; returns a JSON
/// summary of what was written (kept in the message's state).
using ApplyFn = std::function<std::string(WriteTx& tx, int64_t now_ms)>;

/// Turns a journaled message into the writes it causes. prepare() does the
/// CPU work (decode, validate, map) outside any transaction.
class MessageProcessor {
 public:
  virtual ~MessageProcessor() = default;
  virtual Result<ApplyFn> prepare(const MessageRecord& message) const = 0;
};

struct JournalOptions {
  int workers = 4;
  int max_attempts = 5;
  int64_t backoff_initial_ms = 500;
  int64_t backoff_max_ms = 300000;
  int64_t poll_interval_ms = 200;
};

struct IngestRequest {
  std::string adapter;
  std::string sender;
  std::string idempotency_key;  // from the Idempotency-Key header; empty: use the source's message id
  std::string content_type;
  std::string body;
};

struct IngestAnswer {
  int status = 202;         // 202 accepted, 400 rejected at the envelope
  int64_t message_id = 0;
  bool duplicate = false;   // a re-send: this is the first answer again
  std::string state;
  Error error;              // for 400: what is wrong and where
  int64_t received_at_ms = 0;  // when the message was first journaled (a re-send: the first time)
};

/// Puts a dead letter back in the queue inside the caller's transaction.
Result<MessageRecord> requeueDeadLetter(WriteTx& tx, int64_t message_id, int64_t now_ms);

class Journal {
 public:
  Journal(Store& store, const AdapterRegistry& adapters, const MessageProcessor& processor, JournalOptions options,
          const Clock& clock, Metrics& metrics);
  ~Journal();
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;

  /// Journals a message durably and returns the answer for its sender. The
  /// adapter must exist. Throws RaccordoException if the store fails.
  IngestAnswer ingest(const IngestRequest& request);

  /// Puts a dead letter back in the queue (after a mapping fix).
  Result<MessageRecord> replay(int64_t message_id);

  void start();
  /// Stops taking new messages; waits for the in-flight ones up to `drain`.
  void stop(std::chrono::milliseconds drain = std::chrono::seconds(20));

  /// True when nothing is in flight and nothing is due (tests, demo).
  bool waitIdle(std::chrono::milliseconds timeout);

  /// Wakes the workers (new message, replay).
  void wake();

 private:
  void workerLoop();
  std::optional<MessageRecord> takeNext(std::unique_lock<std::mutex>& lock);
  void process(MessageRecord message);
  int64_t backoffMs(int attempt);

  Store& store_;
  const AdapterRegistry& adapters_;
  const MessageProcessor& processor_;
  JournalOptions options_;
  const Clock& clock_;
  Metrics& metrics_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::condition_variable idle_cv_;
  std::vector<MessageRecord> ready_;   // fetched, not yet taken; their citizens are in busy_
  std::set<std::string> busy_;         // citizen keys fetched or in flight
  int in_flight_ = 0;
  int idle_workers_ = 0;               // workers waiting on cv_
  bool stopping_ = false;
  bool has_more_ = true;               // last fetch may have left ready messages behind
  std::vector<std::thread> threads_;
};

}  // namespace raccordo
