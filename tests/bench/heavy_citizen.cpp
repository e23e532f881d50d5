#include "tests/bench/heavy_citizen.h"

#include <rapidjson/document.h>

#include "gateway/core/json.h"

namespace raccordo::bench {

std::string heavyCitizenJson(const synth::SynthCitizen& base, int resources, const std::string& message_id) {
  rapidjson::Document d;
  d.Parse(base.sisa_json.c_str());
  auto& a = d.GetAllocator();
  d["message_id"].SetString(message_id.c_str(), a);
  for (const char* k : {"cases", "services", "assessments", "isee"}) d.RemoveMember(k);
  rapidjson::Value cases(rapidjson::kArrayType), services(rapidjson::kArrayType),
      assessments(rapidjson::kArrayType);
  rapidjson::Value c(rapidjson::kObjectType);
  c.AddMember("id", "K-HEAVY", a);
  c.AddMember("area", "elderly", a);
  c.AddMember("status", "active", a);
  c.AddMember("opened", "2020-01-15", a);
  rapidjson::Value sw(rapidjson::kObjectType);
  sw.AddMember("id", "AS0001", a);
  sw.AddMember("family_name", "Rossi", a);
  sw.AddMember("given_name", "Anna", a);
  c.AddMember("social_worker", sw, a);
  rapidjson::Value office(rapidjson::kObjectType);
  office.AddMember("code", "MUN1-SS", a);
  office.AddMember("name", "Servizio Sociale Municipio 1", a);
  c.AddMember("office", office, a);
  cases.PushBack(c, a);
  // Each assessment gives a QuestionnaireResponse, 3 score Observations and a plan: 5 resources.
  int n_assessments = std::max(1, (resources - 10) / 5);
  for (int i = 0; i < n_assessments; ++i) {
    rapidjson::Value v(rapidjson::kObjectType);
    v.AddMember("id", json::str("V-HEAVY-" + std::to_string(i), a), a);
    v.AddMember("case_id", "K-HEAVY", a);
    v.AddMember("date", json::str("2024-" + std::string(i % 12 < 9 ? "0" : "") + std::to_string(i % 12 + 1) + "-10", a), a);
    v.AddMember("team", "UVM ASST Nord Milano", a);
    rapidjson::Value instruments(rapidjson::kArrayType);
    for (auto [code, score] : {std::pair{"ADL", 3}, {"IADL", 4}, {"BARTHEL", 55}}) {
      rapidjson::Value ins(rapidjson::kObjectType);
      ins.AddMember("code", rapidjson::StringRef(code), a);
      ins.AddMember("score", score, a);
      instruments.PushBack(ins, a);
    }
    v.AddMember("instruments", instruments, a);
    v.AddMember("outcome", "eligible", a);
    rapidjson::Value plan(rapidjson::kObjectType);
    plan.AddMember("id", json::str("PI-HEAVY-" + std::to_string(i), a), a);
    plan.AddMember("title", "Progetto individuale", a);
    v.AddMember("plan", plan, a);
    assessments.PushBack(v, a);
  }
  for (int i = 0; i < 20; ++i) {
    rapidjson::Value s(rapidjson::kObjectType);
    s.AddMember("id", json::str("S-HEAVY-" + std::to_string(i), a), a);
    s.AddMember("case_id", "K-HEAVY", a);
    s.AddMember("type", rapidjson::StringRef(i % 2 == 0 ? "SAD" : "MEALS"), a);
    s.AddMember("status", "active", a);
    s.AddMember("start", "2024-02-01", a);
    s.AddMember("funding", "municipal", a);
    services.PushBack(s, a);
  }
  d.AddMember("cases", cases, a);
  d.AddMember("services", services, a);
  d.AddMember("assessments", assessments, a);
  return json::write(d);
}

}  // namespace raccordo::bench
