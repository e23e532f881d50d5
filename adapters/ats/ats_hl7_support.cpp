#include "adapters/ats/ats_hl7_support.h"

#include <date/tz.h>

#include <cctype>
#include <chrono>
#include <cstdio>

#include "gateway/core/clock.h"
#include "gateway/core/text.h"

namespace raccordo::ats {

namespace {

bool allDigits(std::string_view s) {
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

int number(std::string_view s) {
  int out = 0;
  for (char c : s) out = out * 10 + (c - '0');
  return out;
}

int daysInMonth(int y, int m) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return kDays[m - 1] + (m == 2 && leap ? 1 : 0);
}

// Day of the month of the last Sunday.
int lastSunday(int y, int m) {
  int last = daysInMonth(y, m);
  int64_t days = daysFromCivil(y, static_cast<unsigned>(m), static_cast<unsigned>(last));
  int weekday = static_cast<int>(((days + 4) % 7 + 7) % 7);  // 1970-01-01 was a Thursday; 0 = Sunday
  return last - weekday;
}

/// The parts of an HL7 TS, checked against the calendar.
struct Ts {
  int year = 0, month = 0, day = 0, hour = -1, minute = -1, second = -1;
  std::string fraction;  // digits after the point, when given
  bool has_offset = false;
  int offset_minutes = 0;
};

Result<Ts> parseTs(std::string_view text, std::string_view location) {
  auto bad = [&](const std::string& why) {
    std::string shown(text.substr(0, 40));
    return Error(ErrorCode::kInvalidInput, "'" + shown + "' is not an HL7 date/time: " + why, std::string(location));
  };
  Ts ts;
  std::string_view s = text;
  std::size_t zone = s.find_first_of("+-");
  if (zone != std::string_view::npos) {
    std::string_view z = s.substr(zone + 1);
    if (z.size() != 4 || !allDigits(z)) return bad("the offset must be +hhmm or -hhmm");
    int hours = number(z.substr(0, 2)), minutes = number(z.substr(2, 2));
    if (hours > 14 || minutes > 59) return bad("offset out of range");
    ts.has_offset = true;
    ts.offset_minutes = (hours * 60 + minutes) * (s[zone] == '-' ? -1 : 1);
    s = s.substr(0, zone);
  }
  std::size_t point = s.find('.');
  if (point != std::string_view::npos) {
    ts.fraction = std::string(s.substr(point + 1));
    s = s.substr(0, point);
    if (ts.fraction.empty() || ts.fraction.size() > 4 || !allDigits(ts.fraction) || s.size() != 14) {
      return bad("fractions of a second need 1 to 4 digits after the seconds");
    }
  }
  if (!allDigits(s) || s.size() < 4 || s.size() > 14 || s.size() % 2 != 0) {
    return bad("expected YYYY[MM[DD[HH[MM[SS]]]]]");
  }
  ts.year = number(s.substr(0, 4));
  if (s.size() >= 6) ts.month = number(s.substr(4, 2));
  if (s.size() >= 8) ts.day = number(s.substr(6, 2));
  if (s.size() >= 10) ts.hour = number(s.substr(8, 2));
  if (s.size() >= 12) ts.minute = number(s.substr(10, 2));
  if (s.size() >= 14) ts.second = number(s.substr(12, 2));
  if (s.size() >= 6 && (ts.month < 1 || ts.month > 12)) return bad("no such month");
  if (s.size() >= 8 && (ts.day < 1 || ts.day > daysInMonth(ts.year, ts.month))) return bad("no such day");
  if (ts.hour > 23 || ts.minute > 59 || ts.second > 59) return bad("no such time of day");
  if (ts.has_offset && ts.hour < 0) return bad("an offset needs a time");
  return ts;
}

std::string datePart(const Ts& ts) {
  char buf[16];
  if (ts.month == 0) {
    std::snprintf(buf, sizeof buf, "%04d", ts.year);
  } else if (ts.day == 0) {
    std::snprintf(buf, sizeof buf, "%04d-%02d", ts.year, ts.month);
  } else {
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", ts.year, ts.month, ts.day);
  }
  return buf;
}

}  // namespace

// ---- AuthorityTable ----

Result<AuthorityTable> AuthorityTable::build(const CodeTables& tables, const std::string& cf_system) {
  constexpr const char* kName = "identifier-authorities";
  const json::Doc* doc = tables.document(kName);
  if (doc == nullptr) return Error(ErrorCode::kConfig, "the identifier-authorities table is not loaded", kName);
  const bool oid_systems = cf_system.starts_with("urn:oid:");
  AuthorityTable out;
  const json::Value& codes = (*doc)["codes"];
  for (auto it = codes.MemberBegin(); it != codes.MemberEnd(); ++it) {
    const json::Value& e = it->value;
    IdentifierKind k;
    k.kind = std::string(json::getStr(e, "code"));
    k.warning = std::string(json::getStr(e, "warning"));
    auto oid = json::getStr(e, "oid");
    auto url = json::getStr(e, "url");
    // The web address unless the configured CF system asks for urn:oid
    // forms; the other form when only one is known.
    bool use_url = !url.empty() && (!oid_systems || oid.empty());
    if (k.kind == "cf") {
      k.system = cf_system;
    } else if (use_url) {
      k.system = std::string(url);
    } else if (!oid.empty()) {
      k.system = "urn:oid:" + std::string(oid);
    } else {
      return Error(ErrorCode::kConfig, "an identifier authority needs an \"oid\" or a \"url\"",
                   std::string(kName) + ".json /codes/" + it->name.GetString());
    }
    out.by_authority_.emplace(asciiUpper(it->name.GetString()), std::move(k));
  }
  if (const json::Value* types = json::get(*doc, "type_codes")) {
    if (!types->IsObject()) return Error(ErrorCode::kConfig, "\"type_codes\" must be an object", kName);
    for (auto it = types->MemberBegin(); it != types->MemberEnd(); ++it) {
      auto target = it->value.IsString() ? out.by_authority_.find(asciiUpper(it->value.GetString())) : out.by_authority_.end();
      if (target == out.by_authority_.end()) {
        return Error(ErrorCode::kConfig, "a type code must name an authority of \"codes\"",
                     std::string(kName) + ".json /type_codes/" + it->name.GetString());
      }
      out.by_type_.emplace(asciiUpper(it->name.GetString()), target->second);
    }
  }
  return out;
}

IdentifierKind AuthorityTable::recognise(std::string_view namespace_id, std::string_view universal_id,
                                         std::string_view type_code, std::string_view fallback_authority) const {
  auto bare = [](std::string_view id) {
    if (id.size() > 8 && asciiUpper(id.substr(0, 8)) == "URN:OID:") id.remove_prefix(8);
    return id;
  };
  std::string_view oid = bare(universal_id);
  namespace_id = bare(namespace_id);
  for (std::string_view key : {oid, namespace_id}) {
    if (key.empty()) continue;
    if (auto it = by_authority_.find(asciiUpper(key)); it != by_authority_.end()) return it->second;
  }
  if (!type_code.empty()) {
    if (auto it = by_type_.find(asciiUpper(type_code)); it != by_type_.end()) return it->second;
  }
  std::string_view authority = !oid.empty() ? oid : !namespace_id.empty() ? namespace_id : fallback_authority;
  IdentifierKind unknown;
  unknown.system = "urn:raccordo:ats:id:" + std::string(authority.empty() ? std::string_view("unknown") : authority);
  return unknown;
}

bool isStpEniCode(std::string_view code) {
  return code.size() == 16 && (code.starts_with("STP") || code.starts_with("ENI")) && allDigits(code.substr(3));
}

// ---- TimeConverter ----

TimeConverter::TimeConverter() {
  try {
    rome_ = date::locate_zone("Europe/Rome");
  } catch (const std::exception&) {
    rome_ = nullptr;  // no tz database on this host: the EU rule below
  }
}

int TimeConverter::euRuleRomeOffsetMinutes(int year, int month, int day, int hour, int) {
  // Summer time from 02:00 local on the last Sunday of March to 03:00 local
  // on the last Sunday of October. 02:xx that March Sunday does not exist
  // (read as winter time, like the tz database's first choice); 02:xx that
  // October Sunday happens twice (read as summer time).
  constexpr int kWinter = 60, kSummer = 120;
  if (month < 3 || month > 10) return kWinter;
  if (month > 3 && month < 10) return kSummer;
  int last = lastSunday(year, month);
  if (month == 3) return day > last || (day == last && hour >= 3) ? kSummer : kWinter;
  return day < last || (day == last && hour < 3) ? kSummer : kWinter;
}

int TimeConverter::romeOffsetMinutes(int year, int month, int day, int hour, int minute) const {
  if (rome_ == nullptr) return euRuleRomeOffsetMinutes(year, month, day, hour, minute);
  using namespace std::chrono;
  date::local_seconds local = date::local_days{date::year{year} / month / day} + hours{hour} + minutes{minute};
  date::local_info info = rome_->get_info(local);
  return static_cast<int>(duration_cast<minutes>(info.first.offset).count());
}

Result<std::string> TimeConverter::date(std::string_view ts, std::string_view location) const {
  auto parsed = parseTs(ts, location);
  if (!parsed.ok()) return parsed.error();
  return datePart(*parsed);
}

Result<std::string> TimeConverter::dateTime(std::string_view ts, std::string_view location) const {
  auto parsed = parseTs(ts, location);
  if (!parsed.ok()) return parsed.error();
  const Ts& t = *parsed;
  std::string out = datePart(t);
  if (t.hour < 0) return out;
  if (t.day == 0) {
    return Error(ErrorCode::kInvalidInput, "'" + std::string(ts.substr(0, 40)) + "' has a time but no day",
                 std::string(location));
  }
  int offset = t.has_offset ? t.offset_minutes
                            : romeOffsetMinutes(t.year, t.month, t.day, t.hour, t.minute < 0 ? 0 : t.minute);
  char buf[48];
  std::snprintf(buf, sizeof buf, "T%02d:%02d:%02d", t.hour, t.minute < 0 ? 0 : t.minute, t.second < 0 ? 0 : t.second);
  out += buf;
  if (!t.fraction.empty()) out += "." + t.fraction;
  int abs_offset = offset < 0 ? -offset : offset;
  std::snprintf(buf, sizeof buf, "%c%02d:%02d", offset < 0 ? '-' : '+', abs_offset / 60, abs_offset % 60);
  out += buf;
  return out;
}

}  // namespace raccordo::ats
