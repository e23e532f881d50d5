// ORU^R01: one lab_report record per OBR, with the OBX that follow it.

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>

#include "adapters/ats/ats_hl7_decoder.h"
#include "gateway/core/text.h"

namespace raccordo::ats {

using hl7::Segment;
using json::Value;

namespace {

Value str(std::string_view s, json::Alloc& a) { return json::str(s, a); }

/// A JSON number from an HL7 NM ("4.06", "-1", "+3,5"), or nullopt.
std::optional<Value> numberValue(std::string_view text) {
  std::string s = trimmed(std::string(text));
  if (!s.empty() && s[0] == '+') s.erase(0, 1);
  std::replace(s.begin(), s.end(), ',', '.');
  if (s.empty() || !(std::isdigit(static_cast<unsigned char>(s[0])) || s[0] == '-' || s[0] == '.')) {
    return std::nullopt;
  }
  const char* end = s.data() + s.size();
  if (s.find('.') == std::string::npos) {
    int64_t i = 0;
    auto r = std::from_chars(s.data(), end, i);
    if (r.ec == std::errc() && r.ptr == end) return Value(i);
  }
  double d = 0;
  auto r = std::from_chars(s.data(), end, d);
  if (r.ec != std::errc() || r.ptr != end || !std::isfinite(d)) return std::nullopt;
  return Value(d);
}

}  // namespace

Status Decoder::labReports() {
  std::optional<Record> report;
  Value results;
  std::size_t obr_count = 0, obx_count = 0, index = 0;
  auto finish = [&] {
    if (!report) return;
    auto& a = report->data.GetAllocator();
    report->data.AddMember("results", results, a);
    out_.records.push_back(std::move(*report));
    report.reset();
  };
  for (const Segment& s : m_.segments()) {
    if (s.name() == "OBR") {
      finish();
      ++obr_count;
      std::string id = trimmed(s.get(3, 1, 1));
      if (id.empty()) id = trimmed(s.get(2, 1, 1));
      if (id.empty()) {
        std::string set_id = trimmed(s.get(1));
        id = control_id_ + "-" + (set_id.empty() ? std::to_string(obr_count) : set_id);
      }
      report.emplace();
      report->kind = kind::kLabReport;
      report->source_id = id;
      report->data.SetObject();
      auto& a = report->data.GetAllocator();
      results = Value(rapidjson::kArrayType);
      index = 0;
      if (trimmed(s.get(4, 1, 1)).empty() && trimmed(s.get(4, 1, 4)).empty()) {
        return Error(ErrorCode::kInvalidInput, "OBR-4 (universal service identifier) is empty",
                     at("OBR", obr_count, 4));
      }
      report->data.AddMember("code", coding(s, 4, 1, a), a);
      std::string status = trimmed(s.get(25));
      if (status.empty()) {
        report->data.AddMember("status", "unknown", a);
      } else {
        auto c = v_.tables.lookupAnyCase("hl7-report-status", status, at("OBR", obr_count, 25));
        if (!c.ok()) return c.error();
        report->data.AddMember("status", str(c->coding->code, a), a);
      }
      if (auto st = dateTime(report->data, "effective", s, 7, at("OBR", obr_count, 7), a); !st) return st;
      if (auto st = dateTime(report->data, "issued", s, 22, at("OBR", obr_count, 22), a); !st) return st;
      if (!facility_.empty()) {
        Value p(rapidjson::kObjectType);
        p.AddMember("code", str(facility_, a), a);
        report->data.AddMember("performer", p, a);
      }
    } else if (s.name() == "OBX") {
      ++obx_count;
      if (!report) {
        warn("an OBX before any OBR is not recorded", at("OBX", obx_count, 1));
        continue;
      }
      if (auto st = labResult(s, obx_count, ++index, report->source_id, results, report->data.GetAllocator()); !st) {
        return st;
      }
    }
  }
  finish();
  if (obr_count == 0) return Error(ErrorCode::kInvalidInput, "an ORU^R01 needs at least one OBR segment", "OBR");
  return {};
}

Status Decoder::labResult(const Segment& obx, std::size_t occurrence, std::size_t index, const std::string& report_id,
                          Value& results, json::Alloc& a) {
  auto loc = [&](std::size_t field) { return at("OBX", occurrence, field); };
  Value r(rapidjson::kObjectType);
  std::string set_id = trimmed(obx.get(1));
  r.AddMember("source_id", str(report_id + "-" + (set_id.empty() ? std::to_string(index) : set_id), a), a);
  if (trimmed(obx.get(3, 1, 1)).empty() && trimmed(obx.get(3, 1, 4)).empty()) {
    return Error(ErrorCode::kInvalidInput, "OBX-3 (observation identifier) is empty", loc(3));
  }
  r.AddMember("code", coding(obx, 3, 1, a), a);
  std::string type = asciiUpper(trimmed(obx.get(2)));
  setIf(r, "value_type", type, a);

  std::string unit = trimmed(obx.get(6, 1, 1));
  if (unit.empty()) unit = trimmed(obx.get(6, 1, 2));
  auto quantity = [&](Value number, std::string_view comparator) {
    Value q(rapidjson::kObjectType);
    q.AddMember("value", number, a);
    setIf(q, "comparator", comparator, a);
    setIf(q, "unit", unit, a);
    r.AddMember("value_quantity", q, a);
  };
  if (!obx.rawField(5).empty()) {
    if (type == "NM") {
      auto n = numberValue(obx.get(5));
      if (!n) {
        return Error(ErrorCode::kInvalidInput, "'" + obx.get(5).substr(0, 40) + "' is not a number (OBX-2 is NM)",
                     loc(5));
      }
      quantity(std::move(*n), "");
    } else if (type == "SN") {
      std::string comparator = trimmed(obx.get(5, 1, 1)), separator = trimmed(obx.get(5, 1, 3));
      auto n = numberValue(obx.get(5, 1, 2));
      bool simple = separator.empty() && trimmed(obx.get(5, 1, 4)).empty() &&
                    (comparator.empty() || comparator == "=" || comparator == "<" || comparator == ">" ||
                     comparator == "<=" || comparator == ">=");
      if (simple && n) {
        quantity(std::move(*n), comparator == "=" ? "" : comparator);
      } else {
        setIf(r, "value_string",
              trimmed(comparator + obx.get(5, 1, 2) + separator + obx.get(5, 1, 4)), a);
      }
    } else if (type == "CE" || type == "CWE" || type == "CNE") {
      if (trimmed(obx.get(5, 1, 1)).empty() && trimmed(obx.get(5, 1, 4)).empty()) {
        setIf(r, "value_string", obx.get(5, 1, 2), a);
      } else {
        r.AddMember("value_coding", coding(obx, 5, 1, a), a);
      }
    } else {
      // ST, TX, FT and the rest: readable text, repetitions as lines.
      std::string text;
      for (std::size_t rep = 1; rep <= obx.repetitionCount(5); ++rep) {
        if (rep > 1) text += '\n';
        text += obx.get(5, rep);
      }
      setIf(r, "value_string", text, a);
    }
  }
  setIf(r, "reference_range", trimmed(obx.get(7)), a);
  if (std::string flag = trimmed(obx.get(8, 1, 1)); !flag.empty()) {
    auto c = v_.tables.lookupAnyCase("hl7-interpretation", flag, loc(8));
    if (!c.ok()) return c.error();
    Value v(rapidjson::kObjectType);
    v.AddMember("system", str(c->coding->system, a), a);
    v.AddMember("code", str(c->coding->code, a), a);
    setIf(v, "display", c->coding->display, a);
    r.AddMember("interpretation", v, a);
  }
  if (std::string status = trimmed(obx.get(11)); !status.empty()) {
    auto c = v_.tables.lookupAnyCase("hl7-observation-status", status, loc(11));
    if (!c.ok()) return c.error();
    r.AddMember("status", str(c->coding->code, a), a);
  } else {
    r.AddMember("status", "final", a);
  }
  if (auto st = dateTime(r, "effective", obx, 14, loc(14), a); !st) return st;
  results.PushBack(r, a);
  return {};
}

}  // namespace raccordo::ats
