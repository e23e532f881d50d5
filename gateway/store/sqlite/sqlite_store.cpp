#include "gateway/store/sqlite/sqlite_store.h"

#include <sqlite3.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "gateway/store/indexing.h"

namespace raccordo {

namespace {

constexpr int kSchemaVersion = 1;

constexpr const char* kSchema = R"SQL(
CREATE TABLE IF NOT EXISTS messages(
  id INTEGER PRIMARY KEY,
  adapter TEXT NOT NULL,
  sender TEXT NOT NULL,
  idempotency_key TEXT,
  citizen_key TEXT NOT NULL,
  content_type TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  state TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  retry_base INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL DEFAULT 0,
  answer_status INTEGER NOT NULL,
  error_code TEXT NOT NULL DEFAULT '',
  error_message TEXT NOT NULL DEFAULT '',
  error_location TEXT NOT NULL DEFAULT '',
  result TEXT NOT NULL DEFAULT '',
  size INTEGER NOT NULL,
  raw BLOB NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS messages_idempotency ON messages(adapter, sender, idempotency_key)
  WHERE idempotency_key IS NOT NULL;
CREATE INDEX IF NOT EXISTS messages_waiting_by_citizen ON messages(citizen_key, id)
  WHERE state IN ('queued', 'retrying');
CREATE INDEX IF NOT EXISTS messages_waiting_by_due ON messages(next_attempt_at, id)
  WHERE state IN ('queued', 'retrying');
CREATE INDEX IF NOT EXISTS messages_dead ON messages(id) WHERE state = 'dead';
CREATE TABLE IF NOT EXISTS attempts(
  message_id INTEGER NOT NULL,
  n INTEGER NOT NULL,
  started_at INTEGER NOT NULL,
  finished_at INTEGER NOT NULL,
  outcome TEXT NOT NULL,
  error_code TEXT NOT NULL,
  error_message TEXT NOT NULL,
  error_location TEXT NOT NULL,
  PRIMARY KEY(message_id, n)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS resources(
  type TEXT NOT NULL,
  id TEXT NOT NULL,
  version INTEGER NOT NULL,
  last_updated INTEGER NOT NULL,
  deleted INTEGER NOT NULL DEFAULT 0,
  hash TEXT NOT NULL,
  json TEXT NOT NULL,
  PRIMARY KEY(type, id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS resources_by_updated ON resources(type, last_updated, id);
CREATE TABLE IF NOT EXISTS resource_history(
  type TEXT NOT NULL,
  id TEXT NOT NULL,
  version INTEGER NOT NULL,
  last_updated INTEGER NOT NULL,
  deleted INTEGER NOT NULL DEFAULT 0,
  json TEXT NOT NULL,
  PRIMARY KEY(type, id, version)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS resource_identifiers(type TEXT NOT NULL, id TEXT NOT NULL, system TEXT NOT NULL, value TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS resource_identifiers_by_value ON resource_identifiers(value, type, system);
CREATE INDEX IF NOT EXISTS resource_identifiers_by_owner ON resource_identifiers(type, id);
CREATE TABLE IF NOT EXISTS resource_patients(type TEXT NOT NULL, id TEXT NOT NULL, patient TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS resource_patients_by_patient ON resource_patients(patient, type, id);
CREATE INDEX IF NOT EXISTS resource_patients_by_owner ON resource_patients(type, id);
CREATE TABLE IF NOT EXISTS resource_references(type TEXT NOT NULL, id TEXT NOT NULL, ref TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS resource_references_by_owner ON resource_references(type, id);
)SQL";

[[noreturn]] void fail(sqlite3* db, const std::string& what) {
  int code = db != nullptr ? sqlite3_errcode(db) : SQLITE_ERROR;
  std::string msg = what + ": " + (db != nullptr ? sqlite3_errmsg(db) : "no database");
  ErrorCode ec = (code == SQLITE_BUSY || code == SQLITE_LOCKED || code == SQLITE_IOERR || code == SQLITE_FULL)
                     ? ErrorCode::kUnavailable
                     : ErrorCode::kInternal;
  throw RaccordoException(ec, msg, "sqlite");
}

void exec(sqlite3* db, const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err != nullptr ? err : "unknown";
    sqlite3_free(err);
    fail(db, std::string("exec failed (") + msg + ")");
  }
}

// A prepared statement, reset on scope exit so the cached one can be reused.
class Stmt {
 public:
  /// `owned`: finalized on destruction (one-off SQL); otherwise reset for the cache.
  Stmt(sqlite3* db, sqlite3_stmt* s, bool owned = false) : db_(db), s_(s), owned_(owned) {}
  ~Stmt() {
    if (owned_) {
      sqlite3_finalize(s_);
      return;
    }
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
  }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  Stmt& bind(int i, int64_t v) { check(sqlite3_bind_int64(s_, i, v)); return *this; }
  Stmt& bind(int i, int v) { return bind(i, static_cast<int64_t>(v)); }
  Stmt& bind(int i, std::string_view v) {
    check(sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
    return *this;
  }
  Stmt& bind(int i, const std::string& v) { return bind(i, std::string_view(v)); }
  Stmt& bind(int i, const char* v) { return bind(i, std::string_view(v)); }
  Stmt& bindBlob(int i, std::string_view v) {
    check(sqlite3_bind_blob(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
    return *this;
  }
  Stmt& bindNull(int i) { check(sqlite3_bind_null(s_, i)); return *this; }

  /// true while rows come.
  bool step() {
    int rc = sqlite3_step(s_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    fail(db_, "step failed");
  }
  void run() { while (step()) {} }

  int64_t i64(int col) const { return sqlite3_column_int64(s_, col); }
  bool isNull(int col) const { return sqlite3_column_type(s_, col) == SQLITE_NULL; }
  /// Ready to bind and run again.
  void reset() {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
  }
  std::string text(int col) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s_, col));
    return p != nullptr ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(s_, col))) : std::string();
  }
  std::string blob(int col) const {
    const auto* p = static_cast<const char*>(sqlite3_column_blob(s_, col));
    return p != nullptr ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(s_, col))) : std::string();
  }

 private:
  void check(int rc) {
    if (rc != SQLITE_OK) fail(db_, "bind failed");
  }
  sqlite3* db_;
  sqlite3_stmt* s_;
  bool owned_;
};

// One connection and its prepared-statement cache.
class Connection {
 public:
  Connection(const std::string& path, bool read_only, bool synchronous_full) {
    int flags = read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    flags |= SQLITE_OPEN_NOMUTEX;  // each connection is used by one thread at a time
    if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
      std::string msg = db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory";
      sqlite3_close(db_);
      db_ = nullptr;
      throw RaccordoException(ErrorCode::kConfig, "cannot open SQLite database: " + msg, path);
    }
    sqlite3_busy_timeout(db_, 5000);
    exec(db_, "PRAGMA foreign_keys=OFF; PRAGMA temp_store=MEMORY; PRAGMA cache_size=-65536; PRAGMA mmap_size=1073741824;");
    if (!read_only) {
      exec(db_, "PRAGMA journal_mode=WAL;");
      exec(db_, synchronous_full ? "PRAGMA synchronous=FULL;" : "PRAGMA synchronous=NORMAL;");
    }
  }
  ~Connection() {
    for (auto& [sql, s] : cache_) sqlite3_finalize(s);
    sqlite3_close(db_);
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  sqlite3* db() const { return db_; }

  Stmt prepare(const std::string& sql) {
    auto it = cache_.find(sql);
    if (it == cache_.end()) {
      sqlite3_stmt* s = nullptr;
      if (sqlite3_prepare_v3(db_, sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &s, nullptr) != SQLITE_OK) {
        fail(db_, "prepare failed for: " + sql);
      }
      it = cache_.emplace(sql, s).first;
    }
    return Stmt(db_, it->second);
  }

  /// For SQL whose text depends on the request (searches): not cached, so
  /// clients cannot grow the cache with ever new query shapes.
  Stmt prepareOnce(const std::string& sql) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr) != SQLITE_OK) fail(db_, "prepare failed for: " + sql);
    return Stmt(db_, s, true);
  }

 private:
  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

const char* kMessageColumns =
    "id, adapter, sender, COALESCE(idempotency_key, ''), citizen_key, content_type, received_at, updated_at, state, "
    "attempts, next_attempt_at, answer_status, error_code, error_message, error_location, result, size, retry_base";

MessageRecord readMessage(const Stmt& s) {
  MessageRecord m;
  m.id = s.i64(0);
  m.adapter = s.text(1);
  m.sender = s.text(2);
  m.idempotency_key = s.text(3);
  m.citizen_key = s.text(4);
  m.content_type = s.text(5);
  m.received_at_ms = s.i64(6);
  m.updated_at_ms = s.i64(7);
  m.state = s.text(8);
  m.attempts = static_cast<int>(s.i64(9));
  m.next_attempt_at_ms = s.i64(10);
  m.answer_status = static_cast<int>(s.i64(11));
  m.error_code = s.text(12);
  m.error_message = s.text(13);
  m.error_location = s.text(14);
  m.result = s.text(15);
  m.size = s.i64(16);
  m.retry_base = static_cast<int>(s.i64(17));
  return m;
}

StoredResource readResource(const Stmt& s) {
  StoredResource r;
  r.type = s.text(0);
  r.id = s.text(1);
  r.version = s.i64(2);
  r.last_updated_ms = s.i64(3);
  r.deleted = s.i64(4) != 0;
  r.json = s.text(5);
  return r;
}

class SqliteTx final : public WriteTx {
 public:
  explicit SqliteTx(Connection& c) : c_(c) {}

  // ---- journal ----
  std::optional<MessageRecord> message(int64_t id, bool with_raw) override {
    auto s = c_.prepare(std::string("SELECT ") + kMessageColumns + ", raw FROM messages WHERE id=?");
    s.bind(1, id);
    if (!s.step()) return std::nullopt;
    MessageRecord m = readMessage(s);
    if (with_raw) m.raw = s.blob(18);
    return m;
  }

  std::optional<MessageRecord> messageByKey(const std::string& adapter, const std::string& sender,
                                            const std::string& key) override {
    auto s = c_.prepare(std::string("SELECT ") + kMessageColumns +
                        " FROM messages WHERE adapter=? AND sender=? AND idempotency_key=?");
    s.bind(1, adapter).bind(2, sender).bind(3, key);
    if (!s.step()) return std::nullopt;
    return readMessage(s);
  }

  std::vector<AttemptRecord> attempts(int64_t message_id) override {
    auto s = c_.prepare(
        "SELECT n, started_at, finished_at, outcome, error_code, error_message, error_location FROM attempts "
        "WHERE message_id=? ORDER BY n");
    s.bind(1, message_id);
    std::vector<AttemptRecord> out;
    while (s.step()) {
      AttemptRecord a;
      a.n = static_cast<int>(s.i64(0));
      a.started_at_ms = s.i64(1);
      a.finished_at_ms = s.i64(2);
      a.outcome = s.text(3);
      a.error_code = s.text(4);
      a.error_message = s.text(5);
      a.error_location = s.text(6);
      out.push_back(std::move(a));
    }
    return out;
  }

  std::vector<MessageRecord> deadLetters(int limit, int offset) override {
    auto s = c_.prepare(std::string("SELECT ") + kMessageColumns +
                        " FROM messages WHERE state='dead' ORDER BY id LIMIT ? OFFSET ?");
    s.bind(1, limit).bind(2, offset);
    std::vector<MessageRecord> out;
    while (s.step()) out.push_back(readMessage(s));
    return out;
  }

  int64_t deadLetterCount() override {
    auto s = c_.prepare("SELECT count(*) FROM messages WHERE state='dead'");
    s.step();
    return s.i64(0);
  }

  std::vector<MessageRecord> readyMessages(int64_t now_ms, int limit,
                                           const std::vector<std::string>& busy) override {
    // The oldest waiting message of each citizen, if due. Order per citizen is
    // kept because a later message is never ready while an earlier one waits.
    auto s = c_.prepare(std::string("SELECT ") + kMessageColumns +
                        " FROM messages m WHERE m.state IN ('queued','retrying') AND m.next_attempt_at <= ? "
                        "AND NOT EXISTS (SELECT 1 FROM messages p WHERE p.citizen_key = m.citizen_key "
                        "AND p.state IN ('queued','retrying') AND p.id < m.id) "
                        "ORDER BY m.next_attempt_at, m.id LIMIT ?");
    // Busy citizens are filtered here rather than in SQL: the list is short.
    s.bind(1, now_ms).bind(2, limit + static_cast<int>(busy.size()));
    std::vector<MessageRecord> out;
    while (s.step() && static_cast<int>(out.size()) < limit) {
      MessageRecord m = readMessage(s);
      if (std::find(busy.begin(), busy.end(), m.citizen_key) != busy.end()) continue;
      out.push_back(std::move(m));
    }
    return out;
  }

  std::optional<int64_t> nextDueMs() override {
    auto s = c_.prepare("SELECT min(next_attempt_at) FROM messages WHERE state IN ('queued','retrying')");
    if (!s.step() || s.isNull(0)) return std::nullopt;
    return s.i64(0);
  }

  JournalCounts journalCounts() override {
    auto s = c_.prepare("SELECT state, count(*) FROM messages GROUP BY state");
    JournalCounts c;
    while (s.step()) {
      auto st = s.text(0);
      int64_t n = s.i64(1);
      if (st == msgstate::kQueued) c.queued = n;
      else if (st == msgstate::kRetrying) c.retrying = n;
      else if (st == msgstate::kDone) c.done = n;
      else if (st == msgstate::kDead) c.dead = n;
      else if (st == msgstate::kRejected) c.rejected = n;
    }
    return c;
  }

  int64_t appendMessage(const NewMessage& m, int64_t now_ms) override {
    auto s = c_.prepare(
        "INSERT INTO messages(adapter, sender, idempotency_key, citizen_key, content_type, received_at, updated_at, "
        "state, attempts, next_attempt_at, answer_status, error_code, error_message, error_location, size, raw) "
        "VALUES(?,?,?,?,?,?,?,?,0,?,?,?,?,?,?,?)");
    s.bind(1, m.adapter).bind(2, m.sender);
    if (m.idempotency_key.empty()) s.bindNull(3); else s.bind(3, m.idempotency_key);
    s.bind(4, m.citizen_key).bind(5, m.content_type).bind(6, now_ms).bind(7, now_ms).bind(8, m.state);
    s.bind(9, now_ms).bind(10, m.answer_status).bind(11, m.error_code).bind(12, m.error_message);
    s.bind(13, m.error_location).bind(14, static_cast<int64_t>(m.raw.size())).bindBlob(15, m.raw);
    s.run();
    return sqlite3_last_insert_rowid(c_.db());
  }

  void updateMessage(const MessageRecord& m) override {
    auto s = c_.prepare(
        "UPDATE messages SET state=?, attempts=?, next_attempt_at=?, error_code=?, error_message=?, "
        "error_location=?, result=?, updated_at=?, retry_base=? WHERE id=?");
    s.bind(1, m.state).bind(2, m.attempts).bind(3, m.next_attempt_at_ms).bind(4, m.error_code);
    s.bind(5, m.error_message).bind(6, m.error_location).bind(7, m.result).bind(8, m.updated_at_ms);
    s.bind(9, m.retry_base).bind(10, m.id);
    s.run();
  }

  void addAttempt(int64_t message_id, const AttemptRecord& a) override {
    auto s = c_.prepare(
        "INSERT OR REPLACE INTO attempts(message_id, n, started_at, finished_at, outcome, error_code, error_message, "
        "error_location) VALUES(?,?,?,?,?,?,?,?)");
    s.bind(1, message_id).bind(2, a.n).bind(3, a.started_at_ms).bind(4, a.finished_at_ms).bind(5, a.outcome);
    s.bind(6, a.error_code).bind(7, a.error_message).bind(8, a.error_location);
    s.run();
  }

  // ---- resources ----
  std::optional<StoredResource> resource(const std::string& type, const std::string& id) override {
    auto s = c_.prepare("SELECT type, id, version, last_updated, deleted, json FROM resources WHERE type=? AND id=?");
    s.bind(1, type).bind(2, id);
    if (!s.step()) return std::nullopt;
    return readResource(s);
  }

  std::optional<StoredResource> resourceVersion(const std::string& type, const std::string& id,
                                                int64_t version) override {
    auto s = c_.prepare(
        "SELECT type, id, version, last_updated, deleted, json FROM resource_history WHERE type=? AND id=? AND "
        "version=?");
    s.bind(1, type).bind(2, id).bind(3, version);
    if (!s.step()) return std::nullopt;
    return readResource(s);
  }

  std::vector<StoredResource> history(const std::string& type, const std::string& id) override {
    auto s = c_.prepare(
        "SELECT type, id, version, last_updated, deleted, json FROM resource_history WHERE type=? AND id=? "
        "ORDER BY version DESC");
    s.bind(1, type).bind(2, id);
    std::vector<StoredResource> out;
    while (s.step()) out.push_back(readResource(s));
    return out;
  }

  SearchPage search(const SearchQuery& q) override {
    std::string where = " FROM resources r WHERE r.type=?1 AND r.deleted=0";
    int next = 2;
    std::vector<std::pair<int, std::string>> text_binds;
    std::vector<std::pair<int, int64_t>> int_binds;
    if (q.id) {
      where += " AND r.id=?" + std::to_string(next);
      text_binds.emplace_back(next++, *q.id);
    }
    auto identifierGroup = [&](const std::vector<ResourceIndex::Identifier>& group) {
      if (group.empty()) return;
      where += " AND r.id IN (SELECT i.id FROM resource_identifiers i WHERE i.type=?1 AND (";
      for (size_t k = 0; k < group.size(); ++k) {
        if (k > 0) where += " OR ";
        where += "(i.value=?" + std::to_string(next);
        text_binds.emplace_back(next++, group[k].value);
        if (!group[k].system.empty()) {
          where += " AND i.system=?" + std::to_string(next);
          text_binds.emplace_back(next++, group[k].system);
        }
        where += ")";
      }
      where += "))";
    };
    identifierGroup(q.identifiers);
    for (const auto& group : q.identifiers_and) identifierGroup(group);
    if (q.patient) {
      if (q.type == "Patient") {
        where += " AND r.id=?" + std::to_string(next);
      } else {
        where += " AND r.id IN (SELECT p.id FROM resource_patients p WHERE p.patient=?" + std::to_string(next) +
                 " AND p.type=?1)";
      }
      text_binds.emplace_back(next++, *q.patient);
    }
    if (q.updated_from_ms) {
      where += " AND r.last_updated>=?" + std::to_string(next);
      int_binds.emplace_back(next++, *q.updated_from_ms);
    }
    if (q.updated_to_ms) {
      where += " AND r.last_updated<?" + std::to_string(next);
      int_binds.emplace_back(next++, *q.updated_to_ms);
    }
    auto bindAll = [&](Stmt& s) {
      s.bind(1, q.type);
      for (auto& [i, v] : text_binds) s.bind(i, v);
      for (auto& [i, v] : int_binds) s.bind(i, v);
    };
    SearchPage page;
    {
      auto s = c_.prepareOnce("SELECT count(*)" + where);
      bindAll(s);
      s.step();
      page.total = s.i64(0);
    }
    auto s = c_.prepareOnce("SELECT r.type, r.id, r.version, r.last_updated, r.deleted, r.json" + where +
                        " ORDER BY r.last_updated, r.id LIMIT ?" + std::to_string(next) + " OFFSET ?" +
                        std::to_string(next + 1));
    bindAll(s);
    s.bind(next, q.count).bind(next + 1, q.offset);
    while (s.step()) page.items.push_back(readResource(s));
    return page;
  }

  std::vector<StoredResource> compartment(const std::string& patient_id) override {
    auto s = c_.prepare(
        "SELECT r.type, r.id, r.version, r.last_updated, r.deleted, r.json FROM resource_patients p "
        "JOIN resources r ON r.type=p.type AND r.id=p.id WHERE p.patient=? AND r.deleted=0 ORDER BY r.type, r.id");
    s.bind(1, patient_id);
    std::vector<StoredResource> out;
    while (s.step()) out.push_back(readResource(s));
    return out;
  }

  std::vector<std::string> referencesOf(const std::vector<std::pair<std::string, std::string>>& keys) override {
    std::vector<std::string> out;
    auto s = c_.prepare("SELECT ref FROM resource_references WHERE type=? AND id=?");
    for (const auto& [type, id] : keys) {
      s.bind(1, type).bind(2, id);
      while (s.step()) out.push_back(s.text(0));
      s.reset();
    }
    return out;
  }

  using WriteTx::putResource;

  PutOutcome putResource(const PreparedResource& r, int64_t now_ms) override {
    int64_t version = 1;
    {
      auto s = c_.prepare("SELECT version, hash, deleted FROM resources WHERE type=? AND id=?");
      s.bind(1, r.type).bind(2, r.id);
      if (s.step()) {
        if (s.text(1) == r.hash && s.i64(2) == 0) return {s.i64(0), false};
        version = s.i64(0) + 1;
      }
    }
    std::string body = withVersionMeta(r, version, now_ms);
    {
      auto s = c_.prepare(
          "INSERT INTO resources(type, id, version, last_updated, deleted, hash, json) VALUES(?,?,?,?,0,?,?) "
          "ON CONFLICT(type, id) DO UPDATE SET version=excluded.version, last_updated=excluded.last_updated, "
          "deleted=0, hash=excluded.hash, json=excluded.json");
      s.bind(1, r.type).bind(2, r.id).bind(3, version).bind(4, now_ms).bind(5, r.hash).bind(6, body);
      s.run();
    }
    {
      auto s = c_.prepare(
          "INSERT INTO resource_history(type, id, version, last_updated, deleted, json) VALUES(?,?,?,?,0,?)");
      s.bind(1, r.type).bind(2, r.id).bind(3, version).bind(4, now_ms).bind(5, body);
      s.run();
    }
    replaceIndex(r.type, r.id, r.index, version == 1);
    return {version, true};
  }

 private:
  void replaceIndex(const std::string& type, const std::string& id, const ResourceIndex& index, bool fresh) {
    if (!fresh) {
      for (const char* table : {"resource_identifiers", "resource_patients", "resource_references"}) {
        auto s = c_.prepare(std::string("DELETE FROM ") + table + " WHERE type=? AND id=?");
        s.bind(1, type).bind(2, id);
        s.run();
      }
    }
    for (const auto& ident : index.identifiers) {
      auto s = c_.prepare("INSERT INTO resource_identifiers(type, id, system, value) VALUES(?,?,?,?)");
      s.bind(1, type).bind(2, id).bind(3, ident.system).bind(4, ident.value);
      s.run();
    }
    for (const auto& p : index.patients) {
      auto s = c_.prepare("INSERT INTO resource_patients(type, id, patient) VALUES(?,?,?)");
      s.bind(1, type).bind(2, id).bind(3, p);
      s.run();
    }
    for (const auto& r : index.references) {
      auto s = c_.prepare("INSERT INTO resource_references(type, id, ref) VALUES(?,?,?)");
      s.bind(1, type).bind(2, id).bind(3, r);
      s.run();
    }
  }

  Connection& c_;
};

class SqliteStore final : public Store {
 public:
  explicit SqliteStore(const SqliteOptions& options) : options_(options) {
    writer_ = std::make_unique<Connection>(options.path, false, options.synchronous_full);
    migrate();
    for (int i = 0; i < options.read_connections; ++i) {
      readers_.push_back(std::make_unique<Connection>(options.path, true, false));
      free_readers_.push_back(readers_.back().get());
    }
    // Checkpoints (copying the WAL into the database file, with an fsync)
    // run on their own connection and thread, so a commit never waits for one.
    exec(writer_->db(), "PRAGMA wal_autocheckpoint=0;");
    sqlite3_wal_hook(writer_->db(), &SqliteStore::onWalCommit, this);
    checkpointer_conn_ = std::make_unique<Connection>(options.path, false, options.synchronous_full);
    checkpointer_ = std::thread([this] { checkpointLoop(); });
    thread_ = std::thread([this] { writerLoop(); });
    writer_thread_id_ = thread_.get_id();
  }

  ~SqliteStore() override { close(); }

  void write(const std::function<void(WriteTx&)>& fn, WritePriority priority) override {
    if (std::this_thread::get_id() == writer_thread_id_) {
      // Nested write from inside a write function: same transaction.
      SqliteTx tx(*writer_);
      fn(tx);
      return;
    }
    Job job{&fn};
    {
      std::unique_lock lock(mu_);
      if (closed_) throw RaccordoException(ErrorCode::kUnavailable, "the store is closed", "store");
      (priority == WritePriority::kAck ? queue_ : background_).push_back(&job);
    }
    work_cv_.notify_one();
    // Each writer waits on its own condition variable: waking all of them
    // after every commit cost more CPU than the commit itself. (Not
    // std::binary_semaphore: libstdc++ 12 spins on sched_yield before
    // sleeping, which starves a 2-core machine with 64 waiting threads.)
    {
      std::unique_lock lock(job.mu);
      job.cv.wait(lock, [&] { return job.done; });
    }
    if (job.error) std::rethrow_exception(job.error);
  }

  void read(const std::function<void(ReadTx&)>& fn) override {
    Connection* c = nullptr;
    {
      std::unique_lock lock(mu_);
      reader_cv_.wait(lock, [&] { return !free_readers_.empty() || closed_; });
      if (closed_) throw RaccordoException(ErrorCode::kUnavailable, "the store is closed", "store");
      c = free_readers_.back();
      free_readers_.pop_back();
    }
    struct Release {
      SqliteStore* self;
      Connection* c;
      ~Release() {
        sqlite3_exec(c->db(), "ROLLBACK", nullptr, nullptr, nullptr);
        std::lock_guard lock(self->mu_);
        self->free_readers_.push_back(c);
        self->reader_cv_.notify_all();  // a reader, or close() waiting for reads in flight
      }
    } release{this, c};
    exec(c->db(), "BEGIN");  // one snapshot for the whole read
    SqliteTx tx(*c);
    fn(tx);
  }

  bool ready() override {
    try {
      bool ok = false;
      read([&](ReadTx& tx) {
        tx.nextDueMs();
        ok = true;
      });
      return ok;
    } catch (const std::exception&) {
      return false;
    }
  }

  void close() override {
    {
      std::lock_guard lock(mu_);
      if (closed_) return;
      closed_ = true;
    }
    work_cv_.notify_all();
    reader_cv_.notify_all();
    if (thread_.joinable()) thread_.join();
    {
      std::lock_guard lock(checkpoint_mu_);
      checkpoint_stop_ = true;
    }
    checkpoint_cv_.notify_all();
    if (checkpointer_.joinable()) checkpointer_.join();
    checkpointer_conn_.reset();
    std::unique_lock lock(mu_);
    // Reads in flight keep their connection until they finish.
    reader_cv_.wait(lock, [&] { return free_readers_.size() == readers_.size(); });
    free_readers_.clear();
    readers_.clear();
    if (writer_) {
      sqlite3_exec(writer_->db(), "PRAGMA wal_checkpoint(TRUNCATE)", nullptr, nullptr, nullptr);
      writer_.reset();
    }
  }

  void stats(int64_t& commits, int64_t& writes) const override {
    std::lock_guard lock(mu_);
    commits = commits_;
    writes = writes_;
  }

 private:
  struct Job {
    explicit Job(const std::function<void(WriteTx&)>* f) : fn(f) {}
    const std::function<void(WriteTx&)>* fn;
    std::chrono::steady_clock::time_point queued_at = std::chrono::steady_clock::now();
    std::exception_ptr error;
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;

    void finish() {
      std::lock_guard lock(mu);
      done = true;
      cv.notify_one();  // under the lock: the owner may destroy the Job as soon as it sees done
    }
  };

  void migrate() {
    exec(writer_->db(), "BEGIN IMMEDIATE");
    exec(writer_->db(), kSchema);
    auto s = writer_->prepare("PRAGMA user_version");
    s.step();
    int64_t v = s.i64(0);
    if (v > kSchemaVersion) {
      exec(writer_->db(), "ROLLBACK");
      throw RaccordoException(ErrorCode::kConfig,
                              "database schema version " + std::to_string(v) + " is newer than this program's " +
                                  std::to_string(kSchemaVersion),
                              options_.path);
    }
    exec(writer_->db(), ("PRAGMA user_version=" + std::to_string(kSchemaVersion)).c_str());
    exec(writer_->db(), "COMMIT");
  }

  void writerLoop() {
    std::vector<Job*> batch;
    for (;;) {
      {
        std::unique_lock lock(mu_);
        work_cv_.wait(lock, [&] { return !queue_.empty() || !background_.empty() || closed_; });
        if (queue_.empty() && background_.empty() && closed_) return;
        // Every waiting acknowledgement goes in; background work is added
        // inside runBatch, within a time budget (see there).
        while (!queue_.empty() && static_cast<int>(batch.size()) < options_.group_commit_max) {
          batch.push_back(queue_.front());
          queue_.pop_front();
        }
      }
      runBatch(batch);
      {
        std::lock_guard lock(mu_);
        ++commits_;
        writes_ += static_cast<int64_t>(batch.size());
      }
      // A released Job may be destroyed by its owner at once: touch it no more.
      for (Job* j : batch) j->finish();
      batch.clear();
    }
  }

  // Background jobs (applying a message costs ~100 appends) run in batches
  // of their own when no acknowledgement waits, within a time budget and
  // only until an acknowledgement arrives: an acknowledgement waits at most
  // one budget plus one fsync. Under a burst that never lets the queue
  // empty, one background job that has waited kBackgroundMaxWait rides along
  // with each batch of acknowledgements, so the workers slow down but never stop.
  Job* nextBackground(std::chrono::steady_clock::time_point started, bool with_acks) {
    auto now = std::chrono::steady_clock::now();
    if (!with_acks && now - started > kBackgroundBudget) return nullptr;
    std::lock_guard lock(mu_);
    if (background_.empty()) return nullptr;
    if (with_acks && (batchHasBackground_ || now - background_.front()->queued_at < kBackgroundMaxWait)) return nullptr;
    if (batchHasBackground_ && !queue_.empty()) return nullptr;  // an acknowledgement waits: commit now
    Job* j = background_.front();
    background_.pop_front();
    batchHasBackground_ = true;
    return j;
  }

  /// Runs one job in its own savepoint; false when the whole transaction is
  /// gone (SQLite rolls back by itself on I/O errors, a full disk or no
  /// memory), after which nothing more may run in this batch: a later
  /// savepoint would commit on its own.
  bool runJob(sqlite3* db, SqliteTx& tx, Job* j) {
    try {
      exec(db, "SAVEPOINT job");
      (*j->fn)(tx);
      exec(db, "RELEASE job");
    } catch (...) {
      j->error = std::current_exception();
      if (sqlite3_get_autocommit(db) != 0) return false;
      sqlite3_exec(db, "ROLLBACK TO job; RELEASE job", nullptr, nullptr, nullptr);
    }
    return sqlite3_get_autocommit(db) == 0;
  }

  void runBatch(std::vector<Job*>& batch) {
    sqlite3* db = writer_->db();
    auto started = std::chrono::steady_clock::now();
    bool with_acks = !batch.empty();
    batchHasBackground_ = false;
    try {
      exec(db, "BEGIN IMMEDIATE");
    } catch (...) {
      for (Job* j : batch) j->error = std::current_exception();
      return;
    }
    SqliteTx tx(*writer_);
    bool alive = true;
    for (Job* j : batch) {
      if (!alive) break;
      alive = runJob(db, tx, j);
    }
    while (alive) {
      Job* j = nextBackground(started, with_acks);
      if (j == nullptr) break;
      batch.push_back(j);
      alive = runJob(db, tx, j);
    }
    if (!alive) {
      // Every write of the batch is undone, the ones that ran well included.
      spdlog::error("store: a transaction of {} writes was rolled back by SQLite: {}", batch.size(), sqlite3_errmsg(db));
      auto err = std::make_exception_ptr(RaccordoException(
          ErrorCode::kUnavailable, std::string("the transaction was rolled back: ") + sqlite3_errmsg(db), "sqlite"));
      for (Job* j : batch) {
        if (!j->error) j->error = err;
      }
      return;
    }
    if (sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
      std::string msg = sqlite3_errmsg(db);
      sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
      spdlog::error("store: group commit of {} writes failed: {}", batch.size(), msg);
      auto err = std::make_exception_ptr(
          RaccordoException(ErrorCode::kUnavailable, "commit failed: " + msg, "sqlite"));
      for (Job* j : batch) {
        if (!j->error) j->error = err;
      }
    }
  }

  SqliteOptions options_;
  std::unique_ptr<Connection> writer_;
  std::vector<std::unique_ptr<Connection>> readers_;
  std::vector<Connection*> free_readers_;
  static constexpr std::chrono::microseconds kBackgroundBudget{4000};
  static constexpr std::chrono::milliseconds kBackgroundMaxWait{250};
  bool batchHasBackground_ = false;  // writer thread only
  std::deque<Job*> queue_;       // acknowledgement writes
  std::deque<Job*> background_;  // journal workers' results
  mutable std::mutex mu_;
  std::condition_variable work_cv_, reader_cv_;
  std::thread thread_;

  // Background checkpointing: the WAL hook (writer thread) asks for one when
  // the log passes kCheckpointPages; PASSIVE never blocks the writer.
  static constexpr int kCheckpointPages = 4000;
  static int onWalCommit(void* self, sqlite3*, const char*, int pages) {
    if (pages >= kCheckpointPages) {
      auto* store = static_cast<SqliteStore*>(self);
      {
        std::lock_guard lock(store->checkpoint_mu_);
        store->checkpoint_wanted_ = true;
      }
      store->checkpoint_cv_.notify_one();
    }
    return SQLITE_OK;
  }
  void checkpointLoop() {
    std::unique_lock lock(checkpoint_mu_);
    for (;;) {
      checkpoint_cv_.wait_for(lock, std::chrono::seconds(5), [&] { return checkpoint_wanted_ || checkpoint_stop_; });
      if (checkpoint_stop_) return;
      checkpoint_wanted_ = false;
      lock.unlock();
      int log_pages = 0, done_pages = 0;
      int rc = sqlite3_wal_checkpoint_v2(checkpointer_conn_->db(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &log_pages,
                                         &done_pages);
      if (rc != SQLITE_OK && rc != SQLITE_BUSY) {
        spdlog::warn("store: checkpoint failed: {}", sqlite3_errmsg(checkpointer_conn_->db()));
      }
      lock.lock();
    }
  }
  std::unique_ptr<Connection> checkpointer_conn_;
  std::thread checkpointer_;
  std::mutex checkpoint_mu_;
  std::condition_variable checkpoint_cv_;
  bool checkpoint_wanted_ = false;
  bool checkpoint_stop_ = false;
  std::thread::id writer_thread_id_;
  bool closed_ = false;
  int64_t commits_ = 0;
  int64_t writes_ = 0;
};

}  // namespace

Result<std::unique_ptr<Store>> openSqliteStore(const SqliteOptions& options) {
  try {
    std::filesystem::path p(options.path);
    if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path());
    return std::unique_ptr<Store>(std::make_unique<SqliteStore>(options));
  } catch (const RaccordoException& e) {
    return e.error();
  } catch (const std::exception& e) {
    return Error(ErrorCode::kConfig, std::string("cannot open the store: ") + e.what(), options.path);
  }
}

}  // namespace raccordo
