#include <charconv>

#include "gateway/api/api.h"
#include "gateway/core/json.h"

namespace raccordo {

namespace {

using json::Value;

int64_t parseId(const std::string& text, const char* what) {
  int64_t id = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size() || id <= 0) {
    throw RaccordoException(ErrorCode::kNotFound, std::string("no ") + what + " '" + text + "'", what);
  }
  return id;
}

int intParam(const HttpRequest& req, const char* name, int def, int min, int max) {
  for (const auto& [k, v] : req.query) {
    if (k != name) continue;
    int n = 0;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec != std::errc() || end != v.data() + v.size() || n < min || n > max) {
      throw RaccordoException(ErrorCode::kInvalidInput,
                              std::string(name) + " must be an integer in " + std::to_string(min) + ".." +
                                  std::to_string(max),
                              name);
    }
    return n;
  }
  return def;
}

void addError(Value& o, const MessageRecord& m, json::Alloc& a) {
  if (m.error_code.empty()) return;
  Value e(rapidjson::kObjectType);
  e.AddMember("code", json::str(m.error_code, a), a);
  e.AddMember("message", json::str(m.error_message, a), a);
  e.AddMember("location", json::str(m.error_location, a), a);
  o.AddMember("error", e, a);
}

Value messageJson(const MessageRecord& m, json::Alloc& a) {
  Value o(rapidjson::kObjectType);
  o.AddMember("message_id", m.id, a);
  o.AddMember("adapter", json::str(m.adapter, a), a);
  o.AddMember("sender", json::str(m.sender, a), a);
  o.AddMember("state", json::str(m.state, a), a);
  o.AddMember("citizen_key", json::str(m.citizen_key, a), a);
  if (!m.idempotency_key.empty()) o.AddMember("idempotency_key", json::str(m.idempotency_key, a), a);
  o.AddMember("content_type", json::str(m.content_type, a), a);
  o.AddMember("size", m.size, a);
  o.AddMember("received_at", json::str(formatInstant(m.received_at_ms), a), a);
  o.AddMember("updated_at", json::str(formatInstant(m.updated_at_ms), a), a);
  o.AddMember("attempt_count", m.attempts, a);
  if (m.state == msgstate::kRetrying) {
    o.AddMember("next_attempt_at", json::str(formatInstant(m.next_attempt_at_ms), a), a);
  }
  addError(o, m, a);
  o.AddMember("raw", json::str("/messages/" + std::to_string(m.id) + "/raw", a), a);
  return o;
}

HttpResponse ingestAnswer(const IngestAnswer& answer) {
  std::string location = "/messages/" + std::to_string(answer.message_id);
  HttpResponse resp;
  if (answer.status == 202) {
    json::Doc d(rapidjson::kObjectType);
    auto& a = d.GetAllocator();
    d.AddMember("message_id", answer.message_id, a);
    d.AddMember("state", "queued", a);  // the first answer, also for re-sends
    d.AddMember("status_url", json::str(location, a), a);
    resp = jsonResponse(202, json::write(d));
  } else {
    resp = errorResponse(Error(ErrorCode::kInvalidInput,
                               answer.error.message + "; the raw message is kept as " + location,
                               answer.error.location));
  }
  resp.headers.emplace_back("Location", location);
  resp.headers.emplace_back("X-Raccordo-Message-Id", std::to_string(answer.message_id));
  if (answer.duplicate) resp.headers.emplace_back("Idempotent-Replayed", "true");
  return resp;
}

// POST /ingest/{adapter}: the adapter must exist and accept the media type.
HttpResponse ingest(ApiContext& ctx, const HttpRequest& req, const std::string& name) {
  const Adapter* adapter = ctx.adapters.find(name);
  if (adapter == nullptr) {
    std::string known;
    for (const auto& n : ctx.adapters.names()) known += (known.empty() ? "" : ", ") + n;
    return errorResponse(Error(ErrorCode::kNotFound,
                               "unknown adapter '" + name + "'; known adapters: " + known,
                               "/ingest/{adapter}"));
  }
  std::string media = baseMediaType(req.header("content-type"));
  auto types = adapter->mediaTypes();
  if (!media.empty() && std::find(types.begin(), types.end(), media) == types.end()) {
    return errorResponse(Error(ErrorCode::kUnsupported,
                               "adapter '" + adapter->name() + "' accepts " + types.front() +
                                   ", not " + media,
                               "Content-Type"));
  }
  if (req.body.empty()) {
    return errorResponse(Error(ErrorCode::kInvalidInput, "the request body is empty", "body"));
  }
  IngestRequest in;
  in.adapter = adapter->name();
  in.sender = req.principal.subject;
  in.idempotency_key = req.header("idempotency-key");
  if (in.idempotency_key.size() > 256) {
    return errorResponse(Error(ErrorCode::kInvalidInput, "Idempotency-Key is longer than 256 characters",
                               "Idempotency-Key"));
  }
  in.content_type = media.empty() ? types.front() : media;
  in.body = req.body;
  return ingestAnswer(ctx.journal.ingest(in));
}

}  // namespace

void registerIngestRoutes(Router& router, ApiContext& ctx) {
  router.add("POST", "/ingest/{adapter}", "Journal a source message durably; 202 with its message id",
             [&ctx](const HttpRequest& req, const PathParams& p) { return ingest(ctx, req, p.at("adapter")); });
  // Adapters of a family with one adapter per flow: ats-csv/{flow}.
  router.add("POST", "/ingest/{family}/{flow}", "Journal a file of one flow (ats-csv/{flow}); 202 with its message id",
             [&ctx](const HttpRequest& req, const PathParams& p) {
               return ingest(ctx, req, p.at("family") + "/" + p.at("flow"));
             });

  router.add("GET", "/messages/{id}", "A message's state, error and every attempt",
             [&ctx](const HttpRequest&, const PathParams& p) {
               int64_t id = parseId(p.at("id"), "message");
               std::optional<MessageRecord> m;
               std::vector<AttemptRecord> attempts;
               ctx.store.read([&](ReadTx& tx) {
                 m = tx.message(id, false);
                 if (m) attempts = tx.attempts(id);
               });
               if (!m) return errorResponse(Error(ErrorCode::kNotFound, "no message " + p.at("id"), "id"));
               json::Doc d;
               auto& a = d.GetAllocator();
               static_cast<Value&>(d) = messageJson(*m, a);
               if (!m->result.empty()) {
                 json::Doc r;
                 r.Parse(m->result.c_str());
                 if (!r.HasParseError()) d.AddMember("result", Value(r, a), a);
               }
               Value list(rapidjson::kArrayType);
               for (const auto& at : attempts) {
                 Value o(rapidjson::kObjectType);
                 o.AddMember("n", at.n, a);
                 o.AddMember("started_at", json::str(formatInstant(at.started_at_ms), a), a);
                 o.AddMember("finished_at", json::str(formatInstant(at.finished_at_ms), a), a);
                 o.AddMember("outcome", json::str(at.outcome, a), a);
                 if (!at.error_code.empty()) {
                   Value e(rapidjson::kObjectType);
                   e.AddMember("code", json::str(at.error_code, a), a);
                   e.AddMember("message", json::str(at.error_message, a), a);
                   e.AddMember("location", json::str(at.error_location, a), a);
                   o.AddMember("error", e, a);
                 }
                 list.PushBack(o, a);
               }
               d.AddMember("attempts", list, a);
               return jsonResponse(200, json::write(d));
             });

  router.add("GET", "/messages/{id}/raw", "The message's bytes exactly as received",
             [&ctx](const HttpRequest&, const PathParams& p) {
               int64_t id = parseId(p.at("id"), "message");
               std::optional<MessageRecord> m;
               ctx.store.read([&](ReadTx& tx) { m = tx.message(id, true); });
               if (!m) return errorResponse(Error(ErrorCode::kNotFound, "no message " + p.at("id"), "id"));
               return jsonResponse(200, std::move(m->raw), m->content_type);
             });

  router.add("GET", "/dead-letters", "Messages that could not be applied (_count, _offset)",
             [&ctx](const HttpRequest& req, const PathParams&) {
               int count = intParam(req, "_count", 50, 1, 1000);
               int offset = intParam(req, "_offset", 0, 0, INT32_MAX);
               std::vector<MessageRecord> items;
               int64_t total = 0;
               ctx.store.read([&](ReadTx& tx) {
                 items = tx.deadLetters(count, offset);
                 total = tx.deadLetterCount();
               });
               json::Doc d(rapidjson::kObjectType);
               auto& a = d.GetAllocator();
               d.AddMember("total", total, a);
               Value list(rapidjson::kArrayType);
               for (const auto& m : items) {
                 Value o = messageJson(m, a);
                 o.AddMember("replay", json::str("/dead-letters/" + std::to_string(m.id) + "/replay", a), a);
                 list.PushBack(o, a);
               }
               d.AddMember("items", list, a);
               return jsonResponse(200, json::write(d));
             });

  router.add("POST", "/dead-letters/{id}/replay", "Queue a dead letter again (after a mapping fix)",
             [&ctx](const HttpRequest&, const PathParams& p) {
               auto replayed = ctx.journal.replay(parseId(p.at("id"), "message"));
               if (!replayed.ok()) return errorResponse(replayed.error());
               json::Doc d(rapidjson::kObjectType);
               auto& a = d.GetAllocator();
               d.AddMember("message_id", replayed->id, a);
               d.AddMember("state", json::str(replayed->state, a), a);
               d.AddMember("status_url", json::str("/messages/" + std::to_string(replayed->id), a), a);
               return jsonResponse(202, json::write(d));
             });
}

}  // namespace raccordo
