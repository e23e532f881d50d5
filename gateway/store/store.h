#pragma once
// The Store: journal (raw messages, their states and attempts) and record store
// (versioned FHIR resources with search indexes) behind one interface, so that
// a message's result and its new state commit in one transaction.
//
// Callers never hold a transaction: they hand a function to write() or read();
// the store commits, rolls back and retries. write() may run the function in a
// group commit with other writers' functions (each isolated by a savepoint):
// when write() returns, the function's changes are durable. A function that
// throws has its own changes rolled back and the exception rethrown to its
// caller; the other functions in the group are unaffected.
//
// Thread-safety: a Store is shared by all threads; a ReadTx/WriteTx belongs to
// the thread running the function and must not escape it.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gateway/core/clock.h"
#include "gateway/core/json.h"
#include "gateway/core/result.h"

namespace raccordo {

class Config;

// ---- Journal -------------------------------------------------------------

/// Message states. queued and retrying wait for a worker; done, dead and
/// rejected are final (dead can be replayed).
namespace msgstate {
inline constexpr const char* kQueued = "queued";
inline constexpr const char* kRetrying = "retrying";
inline constexpr const char* kDone = "done";
inline constexpr const char* kDead = "dead";
inline constexpr const char* kRejected = "rejected";  // refused at the listener; raw kept, never processed
}  // namespace msgstate

struct NewMessage {
  std::string adapter;
  std::string sender;
  std::string idempotency_key;  // empty: none
  std::string citizen_key;      // ordering key; empty goes to a shared lane
  std::string content_type;
  std::string raw;
  std::string state = msgstate::kQueued;
  int answer_status = 202;       // the HTTP status of the first answer, replayed to re-sends
  std::string error_code, error_message, error_location;  // for rejected
};

struct MessageRecord {
  int64_t id = 0;
  std::string adapter, sender, idempotency_key, citizen_key, content_type;
  int64_t received_at_ms = 0;
  int64_t updated_at_ms = 0;
  std::string state;
  int attempts = 0;
  int retry_base = 0;  // attempts made before the last replay: each replay gets a fresh retry budget
  int64_t next_attempt_at_ms = 0;
  int answer_status = 202;
  std::string error_code, error_message, error_location;
  std::string result;  // JSON summary of what was applied
  int64_t size = 0;
  std::string raw;     // filled only when asked for
};

struct AttemptRecord {
  int n = 0;
  int64_t started_at_ms = 0;
  int64_t finished_at_ms = 0;
  std::string outcome;  // done | retry | dead
  std::string error_code, error_message, error_location;
};

// ---- Resources -----------------------------------------------------------

struct StoredResource {
  std::string type, id;
  int64_t version = 0;
  int64_t last_updated_ms = 0;
  bool deleted = false;
  std::string json;  // with meta.versionId and meta.lastUpdated
};

/// What a resource is found by; computed once from its JSON (see indexing.h).
struct ResourceIndex {
  struct Identifier {
    std::string system, value;
  };
  std::vector<Identifier> identifiers;
  std::vector<std::string> patients;  // Patient ids whose compartment holds the resource
  std::vector<std::string> references;  // "Type/id" references, for $everything's referenced resources
};

/// A resource made ready for the store outside the write transaction: its
/// canonical JSON without the version meta, the hash of that, and its index.
/// Writers run on one thread; everything costly happens before it.
struct PreparedResource {
  std::string type, id;
  std::string body;        // compact JSON without meta.versionId/lastUpdated and without meta
  std::string meta_extra;  // other meta members as JSON text without braces (e.g. security labels), or ""
  std::string hash;        // SHA-256 of the content (body and meta_extra)
  ResourceIndex index;
};

/// Builds a PreparedResource; `doc` needs resourceType and id (kInternal otherwise).
PreparedResource prepareResource(json::Doc& doc);

/// The stored form: body with "meta" (versionId, lastUpdated, extras) spliced in after "id".
std::string withVersionMeta(const PreparedResource& r, int64_t version, int64_t now_ms);

struct PutOutcome {
  int64_t version = 0;
  bool changed = false;  // false: identical to the current version, nothing written
};

struct SearchQuery {
  std::string type;
  std::vector<ResourceIndex::Identifier> identifiers;  // OR; empty system matches any system
  /// Further identifier groups (repeated `identifier` parameters): each must
  /// also match, as FHIR ANDs repeated parameters.
  std::vector<std::vector<ResourceIndex::Identifier>> identifiers_and;
  std::optional<std::string> patient;                   // Patient id
  std::optional<int64_t> updated_from_ms;               // inclusive
  std::optional<int64_t> updated_to_ms;                 // exclusive
  std::optional<std::string> id;                        // _id
  int count = 20;
  int offset = 0;
};

struct SearchPage {
  std::vector<StoredResource> items;
  int64_t total = 0;
};

struct JournalCounts {
  int64_t queued = 0, retrying = 0, done = 0, dead = 0, rejected = 0;
};

class ReadTx {
 public:
  virtual ~ReadTx() = default;

  virtual std::optional<MessageRecord> message(int64_t id, bool with_raw) = 0;
  virtual std::optional<MessageRecord> messageByKey(const std::string& adapter, const std::string& sender,
                                                    const std::string& key) = 0;
  virtual std::vector<AttemptRecord> attempts(int64_t message_id) = 0;
  virtual std::vector<MessageRecord> deadLetters(int limit, int offset) = 0;
  virtual int64_t deadLetterCount() = 0;
  /// Ready messages in id order, at most one per citizen key and only the
  /// citizen's oldest unfinished one, skipping the given citizen keys (busy).
  virtual std::vector<MessageRecord> readyMessages(int64_t now_ms, int limit,
                                                   const std::vector<std::string>& busy_citizens) = 0;
  /// Earliest next_attempt_at among waiting messages, if any.
  virtual std::optional<int64_t> nextDueMs() = 0;
  virtual JournalCounts journalCounts() = 0;

  virtual std::optional<StoredResource> resource(const std::string& type, const std::string& id) = 0;
  virtual std::optional<StoredResource> resourceVersion(const std::string& type, const std::string& id,
                                                        int64_t version) = 0;
  virtual std::vector<StoredResource> history(const std::string& type, const std::string& id) = 0;
  virtual SearchPage search(const SearchQuery& query) = 0;
  /// Every current resource in the patient's compartment (the Patient itself excluded).
  virtual std::vector<StoredResource> compartment(const std::string& patient_id) = 0;
  /// References ("Type/id") made by the given resources.
  virtual std::vector<std::string> referencesOf(const std::vector<std::pair<std::string, std::string>>& keys) = 0;
};

class WriteTx : public virtual ReadTx {
 public:
  /// Appends a message; the id is assigned by the store.
  virtual int64_t appendMessage(const NewMessage& message, int64_t now_ms) = 0;
  virtual void updateMessage(const MessageRecord& message) = 0;  // state, attempts, next attempt, error, result
  virtual void addAttempt(int64_t message_id, const AttemptRecord& attempt) = 0;

  /// Creates or updates a resource; content identical to the current version
  /// writes nothing. meta.versionId and meta.lastUpdated are the store's.
  virtual PutOutcome putResource(const PreparedResource& resource, int64_t now_ms) = 0;
  /// Same, preparing inside the transaction (for small or merged resources).
  PutOutcome putResource(json::Doc& doc, int64_t now_ms) { return putResource(prepareResource(doc), now_ms); }
};

/// kAck: someone waits on the answer (an acknowledgement, an operator);
/// kBackground: work the journal can do later (applying messages). A back end
/// may commit ack writes first so that heavy background work never delays
/// an acknowledgement.
enum class WritePriority { kAck, kBackground };

class Store {
 public:
  virtual ~Store() = default;
  virtual void write(const std::function<void(WriteTx&)>& fn, WritePriority priority = WritePriority::kAck) = 0;
  virtual void read(const std::function<void(ReadTx&)>& fn) = 0;
  /// Cheap liveness probe of the back end (for /readyz).
  virtual bool ready() = 0;
  /// Flushes and closes; further calls fail.
  virtual void close() = 0;
  /// Statistics for /metrics: commits and writes grouped in them.
  virtual void stats(int64_t& commits, int64_t& writes) const = 0;
};

/// Opens the store named by the `store` configuration key.
Result<std::unique_ptr<Store>> openStore(const Config& config);

}  // namespace raccordo
