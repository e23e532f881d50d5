#include "gateway/mapping/pipeline.h"

#include <memory>

#include "gateway/core/ids.h"

namespace raccordo {

namespace {

using json::Value;

// Merges `array` with the stored version's, by "entity": stored elements keep
// their place (replaced by the new element with the same entity, if any), new
// entities are appended. A member re-sending the same picture changes nothing.
void mergeArray(json::Doc& doc, const std::string& stored_json, const char* array) {
  json::Doc stored;
  stored.Parse(stored_json.c_str(), stored_json.size());
  const Value* old_items = json::get(stored, array);
  if (old_items == nullptr || !old_items->IsArray()) return;
  auto& a = doc.GetAllocator();
  auto it = doc.FindMember(array);
  if (it == doc.MemberEnd()) {
    doc.AddMember(Value(array, a), Value(rapidjson::kArrayType), a);
    it = doc.FindMember(array);
  }
  Value incoming(it->value, a);
  Value merged(rapidjson::kArrayType);
  auto sameEntity = [](const Value& x, const Value& y) {
    const Value* ex = json::get(x, "entity");
    const Value* ey = json::get(y, "entity");
    return ex != nullptr && ey != nullptr && *ex == *ey;
  };
  for (const auto& old : old_items->GetArray()) {
    const Value* replacement = nullptr;
    for (const auto& cur : incoming.GetArray()) {
      if (sameEntity(old, cur)) replacement = &cur;
    }
    merged.PushBack(Value(replacement != nullptr ? *replacement : old, a), a);
  }
  for (const auto& cur : incoming.GetArray()) {
    bool known = false;
    for (const auto& old : old_items->GetArray()) known = known || sameEntity(old, cur);
    if (!known) merged.PushBack(Value(cur, a), a);
  }
  it->value = merged;
}

// Adds the stored version's top-level fields that `doc` lacks (not meta).
void keepStoredFields(json::Doc& doc, const std::string& stored_json) {
  json::Doc stored;
  stored.Parse(stored_json.c_str(), stored_json.size());
  if (!stored.IsObject()) return;
  auto& a = doc.GetAllocator();
  for (auto it = stored.MemberBegin(); it != stored.MemberEnd(); ++it) {
    if (std::string_view(it->name.GetString()) == "meta" || doc.HasMember(it->name)) continue;
    doc.AddMember(Value(it->name, a), Value(it->value, a), a);
  }
}

}  // namespace

std::string applyResources(WriteTx& tx, std::vector<ResourceWrite>& writes, const MessageRecord& message,
                           const std::string& patient_id, int64_t now_ms) {
  json::Doc summary(rapidjson::kObjectType);
  auto& sa = summary.GetAllocator();
  Value changed(rapidjson::kArrayType);
  int unchanged = 0;
  bool all_new = true;
  for (auto& w : writes) {
    std::string type = w.prepared ? w.prepared->type : std::string(json::getStr(w.doc, "resourceType"));
    std::string id = w.prepared ? w.prepared->id : std::string(json::getStr(w.doc, "id"));
    if (!w.merge_arrays.empty() || w.keep_stored_fields) {
      if (auto current = tx.resource(type, id)) {
        for (const auto& array : w.merge_arrays) mergeArray(w.doc, current->json, array.c_str());
        if (w.keep_stored_fields) keepStoredFields(w.doc, current->json);
      }
    }
    PutOutcome put = w.prepared ? tx.putResource(*w.prepared, now_ms) : tx.putResource(w.doc, now_ms);
    if (put.changed) {
      changed.PushBack(json::str(type + "/" + id + "/_history/" + std::to_string(put.version), sa), sa);
      all_new = all_new && put.version == 1;
    } else {
      ++unchanged;
    }
  }

  if (!changed.Empty()) {
    json::Doc prov(rapidjson::kObjectType);
    auto& a = prov.GetAllocator();
    std::string prov_id = stableId({"Provenance", "message", std::to_string(message.id)});
    prov.AddMember("resourceType", "Provenance", a);
    prov.AddMember("id", json::str(prov_id, a), a);
    Value targets(rapidjson::kArrayType);
    std::string patient_prefix = "Patient/" + patient_id + "/";
    bool names_patient = false;
    for (const auto& c : changed.GetArray()) {
      Value t(rapidjson::kObjectType);
      t.AddMember("reference", Value(c, a), a);
      targets.PushBack(t, a);
      names_patient = names_patient || std::string_view(c.GetString()).starts_with(patient_prefix);
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
    tx.putResource(prov, now_ms);
    summary.AddMember("provenance", json::str("Provenance/" + prov_id, sa), sa);
  }
  summary.AddMember("patient", json::str("Patient/" + patient_id, sa), sa);
  summary.AddMember("changed", changed, sa);
  summary.AddMember("unchanged", unchanged, sa);
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
  Result<std::vector<ResourceWrite>> mapped = mapToFhir(*decoded, context_);
  if (!mapped.ok()) return mapped.error();
  auto writes = std::make_shared<std::vector<ResourceWrite>>(std::move(mapped.value()));
  for (auto& w : *writes) {
    if (w.merge_arrays.empty() && !w.keep_stored_fields) w.prepared = prepareResource(w.doc);
  }
  std::string patient_id = patientIdFor(decoded->citizen_key);
  MessageRecord header = message;
  header.raw.clear();
  return ApplyFn([writes, header, patient_id](WriteTx& tx, int64_t now_ms) {
    return applyResources(tx, *writes, header, patient_id, now_ms);
  });
}

}  // namespace raccordo
