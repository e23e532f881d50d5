#include "gateway/mapping/pipeline.h"

#include <algorithm>
#include <map>
#include <memory>

#include "gateway/core/clock.h"
#include "gateway/core/ids.h"

namespace raccordo {

namespace {

using json::Value;

// Whether two array elements stand for the same thing: the same "entity"
// (Group.member), the same "other" (Patient.link), or the same system and
// value (identifiers). Elements with none of these never match.
bool sameElement(const Value& x, const Value& y) {
  for (const char* key : {"entity", "other"}) {
    const Value* ex = json::get(x, key);
    const Value* ey = json::get(y, key);
    if (ex != nullptr || ey != nullptr) return ex != nullptr && ey != nullptr && *ex == *ey;
  }
  const Value* vx = json::get(x, "value");
  const Value* vy = json::get(y, "value");
  return vx != nullptr && vy != nullptr && *vx == *vy && json::getStr(x, "system") == json::getStr(y, "system");
}

// A stored element the writer owns (MergedArray::owned_prefix): kept only when
// the write resends it.
bool ownedByWriter(const Value& stored, const MergedArray& rule) {
  return !rule.owned_prefix.empty() && json::getStr(stored, "system").starts_with(rule.owned_prefix) &&
         json::getStr(stored, "use") != "old";
}

// The elements of one merged array (MergedArray), in order: the stored ones
// (or the new element that matches) first, then the new ones.
std::vector<const Value*> mergedElements(const Value& incoming, const Value& stored, const MergedArray& rule) {
  std::vector<const Value*> out;
  for (const auto& old : stored.GetArray()) {
    const Value* replacement = nullptr;
    for (const auto& cur : incoming.GetArray()) {
      if (sameElement(old, cur)) replacement = &cur;
    }
    if (replacement != nullptr) out.push_back(replacement);
    else if (!ownedByWriter(old, rule)) out.push_back(&old);
  }
  for (const auto& cur : incoming.GetArray()) {
    bool known = false;
    for (const auto& old : stored.GetArray()) known = known || sameElement(old, cur);
    if (!known) out.push_back(&cur);
  }
  return out;
}

// Merges one array of `doc` with the stored version's. True when `doc`
// changed: a source re-sending the same picture changes nothing.
bool mergeArray(json::Doc& doc, const Value& stored, const MergedArray& rule) {
  static const Value kNone(rapidjson::kArrayType);
  const Value* old_items = json::get(stored, rule.name.c_str());
  if (old_items == nullptr || !old_items->IsArray()) return false;
  auto it = doc.FindMember(rule.name.c_str());
  if (it != doc.MemberEnd() && !it->value.IsArray()) return false;
  const Value& incoming = it != doc.MemberEnd() ? it->value : kNone;
  std::vector<const Value*> merged = mergedElements(incoming, *old_items, rule);
  bool same = merged.size() == incoming.Size();
  for (rapidjson::SizeType i = 0; same && i < incoming.Size(); ++i) same = merged[i] == &incoming[i];
  if (same) return false;
  auto& a = doc.GetAllocator();
  Value list(rapidjson::kArrayType);
  for (const Value* v : merged) list.PushBack(Value(*v, a), a);
  if (it != doc.MemberEnd()) {
    it->value = list;
  } else {
    doc.AddMember(Value(rule.name.c_str(), a), list, a);
  }
  return true;
}

// Adds the stored version's top-level fields that `doc` lacks and `fields`
// names (kAllFields: every one), never meta. True when it added one.
bool keepStoredFields(json::Doc& doc, const Value& stored, const std::vector<std::string>& fields) {
  const bool all = std::find(fields.begin(), fields.end(), kAllFields) != fields.end();
  auto& a = doc.GetAllocator();
  bool changed = false;
  for (auto it = stored.MemberBegin(); it != stored.MemberEnd(); ++it) {
    std::string_view name(it->name.GetString(), it->name.GetStringLength());
    if (name == "meta" || doc.HasMember(it->name)) continue;
    if (!all && std::find(fields.begin(), fields.end(), name) == fields.end()) continue;
    doc.AddMember(Value(it->name, a), Value(it->value, a), a);
    changed = true;
  }
  return changed;
}

// Whether the stored version was vouched for later than the write
// (ResourceWrite::recorded_element): both values FHIR dates or date-times,
// compared as instants (a bare date as its start). Anything else: false.
bool storedIsNewer(const ResourceWrite& w, const Value& stored) {
  if (w.recorded_element.empty()) return false;
  auto theirs = json::getStr(stored, w.recorded_element.c_str());
  auto ours = json::getStr(w.doc, w.recorded_element.c_str());
  int64_t stored_ms = 0, write_ms = 0;
  return !theirs.empty() && !ours.empty() && parseInstant(theirs, stored_ms) && parseInstant(ours, write_ms) &&
         stored_ms > write_ms;
}

// The newest certified value wins: `doc` becomes the stored content, with
// only the write's additions to the merged arrays (its identifier).
void keepStoredContent(ResourceWrite& w, const Value& stored) {
  json::Doc kept;
  auto& a = kept.GetAllocator();
  kept.CopyFrom(stored, a);
  for (const auto& rule : w.merge_arrays) {
    const Value* old_items = json::get(stored, rule.name.c_str());
    const Value* new_items = json::get(w.doc, rule.name.c_str());
    if (new_items == nullptr || !new_items->IsArray()) continue;
    static const Value kNone(rapidjson::kArrayType);
    const Value& base = old_items != nullptr && old_items->IsArray() ? *old_items : kNone;
    Value list(rapidjson::kArrayType);
    // The stored elements first, as stored; then the write's new ones.
    for (const auto& old : base.GetArray()) list.PushBack(Value(old, a), a);
    for (const auto& cur : new_items->GetArray()) {
      bool known = false;
      for (const auto& old : base.GetArray()) known = known || sameElement(old, cur);
      if (!known) list.PushBack(Value(cur, a), a);
    }
    // In place: the member order (and so the hash of unchanged content) stays.
    auto it = kept.FindMember(rule.name.c_str());
    if (it != kept.MemberEnd()) {
      it->value = list;
    } else {
      kept.AddMember(Value(rule.name.c_str(), a), list, a);
    }
  }
  w.doc.Swap(kept);
}

// What of the stored version the write keeps (ResourceWrite::merge_arrays,
// keep_stored_fields, recorded_element), added to its doc. True when the doc
// changed.
bool mergeWithStored(ResourceWrite& w, const std::string& stored_json) {
  json::Doc stored;
  stored.Parse(stored_json.c_str(), stored_json.size());
  if (!stored.IsObject()) return false;
  if (storedIsNewer(w, stored)) {
    keepStoredContent(w, stored);
    return true;
  }
  bool changed = false;
  for (const auto& rule : w.merge_arrays) changed = mergeArray(w.doc, stored, rule) || changed;
  return keepStoredFields(w.doc, stored, w.keep_stored_fields) || changed;
}

// What one citizen's writes did: the versions made, how many were unchanged,
// and the Provenance naming the message (when something changed).
struct PartOutcome {
  std::vector<std::string> changed;  // Type/id/_history/version
  int unchanged = 0;
  std::string provenance;            // Provenance/id, empty when nothing changed
};

json::Doc provenanceFor(const std::string& prov_id, const PartOutcome& part, bool all_new,
                        const MessageRecord& message, const std::string& patient_id, int64_t now_ms) {
  json::Doc prov(rapidjson::kObjectType);
  auto& a = prov.GetAllocator();
  prov.AddMember("resourceType", "Provenance", a);
  prov.AddMember("id", json::str(prov_id, a), a);
  Value targets(rapidjson::kArrayType);
  std::string patient_prefix = "Patient/" + patient_id + "/";
  bool names_patient = false;
  for (const auto& c : part.changed) {
    Value t(rapidjson::kObjectType);
    t.AddMember("reference", json::str(c, a), a);
    targets.PushBack(t, a);
    names_patient = names_patient || c.starts_with(patient_prefix);
  }
  // The citizen is always a target, so the Provenance is in the patient's
  // compartment (and in $everything) even when only, say, a CarePlan changed.
  if (!names_patient) {
    Value t(rapidjson::kObjectType);
    t.AddMember("reference", json::str("Patient/" + patient_id, a), a);
    targets.PushBack(t, a);
  }
  prov.AddMember("target", targets, a);
  prov.AddMember("recorded", json::str(formatInstant(now_ms), a), a);
  Value activity_coding(rapidjson::kObjectType);
  activity_coding.AddMember("system", "http://terminology.hl7.org/CodeSystem/v3-DataOperation", a);
  activity_coding.AddMember("code", all_new ? "CREATE" : "UPDATE", a);
  Value activity(rapidjson::kObjectType);
  Value codings(rapidjson::kArrayType);
  codings.PushBack(activity_coding, a);
  activity.AddMember("coding", codings, a);
  prov.AddMember("activity", activity, a);
  Value agent(rapidjson::kObjectType);
  Value who(rapidjson::kObjectType);
  Value who_id(rapidjson::kObjectType);
  who_id.AddMember("system", "urn:raccordo:sender", a);
  who_id.AddMember("value", json::str(message.sender, a), a);
  who.AddMember("identifier", who_id, a);
  who.AddMember("display", json::str("adapter " + message.adapter + ", sender " + message.sender, a), a);
  agent.AddMember("who", who, a);
  Value agents(rapidjson::kArrayType);
  agents.PushBack(agent, a);
  prov.AddMember("agent", agents, a);
  Value entity(rapidjson::kObjectType);
  entity.AddMember("role", "source", a);
  Value what(rapidjson::kObjectType);
  Value what_id(rapidjson::kObjectType);
  what_id.AddMember("system", "urn:raccordo:message", a);
  what_id.AddMember("value", json::str(std::to_string(message.id), a), a);
  what.AddMember("identifier", what_id, a);
  what.AddMember("display", json::str("/messages/" + std::to_string(message.id), a), a);
  entity.AddMember("what", what, a);
  Value entities(rapidjson::kArrayType);
  entities.PushBack(entity, a);
  prov.AddMember("entity", entities, a);
  return prov;
}

// Writes one citizen's resources and their Provenance. `prov_id` is the
// Provenance id: one per message, or per message and citizen when a message
// (a CSV flow) speaks of several.
PartOutcome applyPart(WriteTx& tx, std::vector<ResourceWrite>& writes, const MessageRecord& message,
                      const std::string& patient_id, const std::string& prov_id, int64_t now_ms) {
  PartOutcome out;
  bool all_new = true;
  for (auto& w : writes) {
    std::string type = w.prepared ? w.prepared->type : std::string(json::getStr(w.doc, "resourceType"));
    std::string id = w.prepared ? w.prepared->id : std::string(json::getStr(w.doc, "id"));
    if (w.mergesWithStored()) {
      auto current = tx.resource(type, id);
      if (current && !current->deleted && mergeWithStored(w, current->json)) w.prepared.reset();
    }
    PutOutcome put = w.prepared ? tx.putResource(*w.prepared, now_ms) : tx.putResource(w.doc, now_ms);
    if (put.changed) {
      out.changed.push_back(type + "/" + id + "/_history/" + std::to_string(put.version));
      all_new = all_new && put.version == 1;
    } else {
      ++out.unchanged;
    }
  }
  if (!out.changed.empty()) {
    json::Doc prov = provenanceFor(prov_id, out, all_new, message, patient_id, now_ms);
    tx.putResource(prov, now_ms);
    out.provenance = "Provenance/" + prov_id;
  }
  return out;
}

Value errorList(const std::vector<Error>& errors, json::Alloc& a) {
  Value list(rapidjson::kArrayType);
  for (const auto& e : errors) {
    Value item(rapidjson::kObjectType);
    item.AddMember("code", Value(errorCodeName(e.code), a), a);
    item.AddMember("message", json::str(e.message, a), a);
    if (!e.location.empty()) item.AddMember("location", json::str(e.location, a), a);
    list.PushBack(item, a);
  }
  return list;
}

// One citizen's share of a decoded message, mapped and ready to write.
struct Part {
  std::string patient_id;
  std::vector<ResourceWrite> writes;
};

// A message's records grouped by citizen (Record::citizen_key, else the
// message's), in order of first appearance.
std::vector<DecodedMessage> splitByCitizen(DecodedMessage& decoded) {
  std::vector<DecodedMessage> parts;
  std::map<std::string, std::size_t> index;
  for (auto& r : decoded.records) {
    const std::string& key = r.citizen_key.empty() ? decoded.citizen_key : r.citizen_key;
    auto [it, inserted] = index.emplace(key, parts.size());
    if (inserted) {
      DecodedMessage& part = parts.emplace_back();
      part.source = decoded.source;
      part.citizen_key = key;
      part.source_message_id = decoded.source_message_id;
      part.sent_at = decoded.sent_at;
    }
    parts[it->second].records.push_back(std::move(r));
  }
  return parts;
}

// Summaries list at most this many changed versions; the count is always exact.
constexpr std::size_t kSummaryChangedLimit = 200;

}  // namespace

void prepareWrites(std::vector<ResourceWrite>& writes) {
  for (auto& w : writes) w.prepared = prepareResource(w.doc);
}

std::string applyResources(WriteTx& tx, std::vector<ResourceWrite>& writes, const MessageRecord& message,
                           const std::string& patient_id, int64_t now_ms) {
  std::string prov_id = stableId({"Provenance", "message", std::to_string(message.id)});
  PartOutcome part = applyPart(tx, writes, message, patient_id, prov_id, now_ms);
  json::Doc summary(rapidjson::kObjectType);
  auto& sa = summary.GetAllocator();
  if (!part.provenance.empty()) summary.AddMember("provenance", json::str(part.provenance, sa), sa);
  summary.AddMember("patient", json::str("Patient/" + patient_id, sa), sa);
  Value changed(rapidjson::kArrayType);
  for (const auto& c : part.changed) changed.PushBack(json::str(c, sa), sa);
  summary.AddMember("changed", changed, sa);
  summary.AddMember("unchanged", part.unchanged, sa);
  return json::write(summary);
}

Result<ApplyFn> Pipeline::prepare(const MessageRecord& message) const {
  const Adapter* adapter = adapters_.find(message.adapter);
  if (adapter == nullptr) {
    return Error(ErrorCode::kNotFound, "adapter '" + message.adapter + "' is not registered", "adapter");
  }
  MessageMeta meta{message.id, message.adapter, message.sender, message.content_type};
  Result<DecodedMessage> decoded = adapter->decode(message.raw, meta);
  if (!decoded.ok()) return decoded.error();
  MessageRecord header = message;
  header.raw.clear();

  bool per_citizen = std::any_of(decoded->records.begin(), decoded->records.end(),
                                 [](const Record& r) { return !r.citizen_key.empty(); });
  if (!per_citizen && decoded->rejects.empty() && decoded->warnings.empty()) {
    Result<std::vector<ResourceWrite>> mapped = mapToFhir(*decoded, context_);
    if (!mapped.ok()) return mapped.error();
    auto writes = std::make_shared<std::vector<ResourceWrite>>(std::move(mapped.value()));
    prepareWrites(*writes);
    std::string patient_id = patientIdFor(decoded->citizen_key);
    return ApplyFn([writes, header, patient_id](WriteTx& tx, int64_t now_ms) {
      return applyResources(tx, *writes, header, patient_id, now_ms);
    });
  }

  // Several citizens (a CSV flow), or parts left out: one Provenance per
  // citizen, and the rejects and warnings in the message's state.
  auto parts = std::make_shared<std::vector<Part>>();
  for (auto& group : splitByCitizen(*decoded)) {
    Result<std::vector<ResourceWrite>> mapped = mapToFhir(group, context_);
    if (!mapped.ok()) return mapped.error();
    Part& part = parts->emplace_back();
    part.patient_id = patientIdFor(group.citizen_key);
    part.writes = std::move(mapped.value());
    prepareWrites(part.writes);
  }
  auto rejects = std::make_shared<std::vector<Error>>(std::move(decoded->rejects));
  auto warnings = std::make_shared<std::vector<Error>>(std::move(decoded->warnings));
  bool single = !per_citizen;
  return ApplyFn([parts, rejects, warnings, header, single](WriteTx& tx, int64_t now_ms) {
    json::Doc summary(rapidjson::kObjectType);
    auto& sa = summary.GetAllocator();
    Value changed(rapidjson::kArrayType);
    Value provenances(rapidjson::kArrayType);
    std::size_t changed_count = 0;
    int unchanged = 0;
    for (auto& part : *parts) {
      std::string message_id = std::to_string(header.id);
      std::string prov_id = single ? stableId({"Provenance", "message", message_id})
                                   : stableId({"Provenance", "message", message_id, part.patient_id});
      PartOutcome outcome = applyPart(tx, part.writes, header, part.patient_id, prov_id, now_ms);
      for (const auto& c : outcome.changed) {
        if (changed.Size() < kSummaryChangedLimit) changed.PushBack(json::str(c, sa), sa);
      }
      changed_count += outcome.changed.size();
      unchanged += outcome.unchanged;
      if (!outcome.provenance.empty()) provenances.PushBack(json::str(outcome.provenance, sa), sa);
    }
    if (single && parts->size() == 1) {
      if (!provenances.Empty()) summary.AddMember("provenance", Value(provenances[0], sa), sa);
      summary.AddMember("patient", json::str("Patient/" + parts->front().patient_id, sa), sa);
    } else {
      summary.AddMember("patients", static_cast<uint64_t>(parts->size()), sa);
      summary.AddMember("provenances", static_cast<uint64_t>(provenances.Size()), sa);
    }
    summary.AddMember("changed", changed, sa);
    if (changed_count > kSummaryChangedLimit) summary.AddMember("changed_count", static_cast<uint64_t>(changed_count), sa);
    summary.AddMember("unchanged", unchanged, sa);
    summary.AddMember("rejected", errorList(*rejects, sa), sa);
    if (!warnings->empty()) summary.AddMember("warnings", errorList(*warnings, sa), sa);
    return json::write(summary);
  });
}

}  // namespace raccordo
