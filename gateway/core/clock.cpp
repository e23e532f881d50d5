#include "gateway/core/clock.h"

#include <charconv>
#include <cstdio>
#include <ctime>

namespace raccordo {

namespace {

bool readInt(std::string_view s, size_t pos, size_t len, int& out) {
  if (pos + len > s.size()) return false;
  for (size_t i = pos; i < pos + len; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;  // from_chars would take a sign
  }
  auto [end, ec] = std::from_chars(s.data() + pos, s.data() + pos + len, out);
  return ec == std::errc() && end == s.data() + pos + len;
}

}  // namespace

// After Howard Hinnant's published algorithm.
int64_t daysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

std::string formatInstant(int64_t epoch_ms) {
  // Floor division: -1 ms is 23:59:59.999 of the day before, not "-001".
  int64_t secs_floor = epoch_ms >= 0 ? epoch_ms / 1000 : -((-epoch_ms + 999) / 1000);
  int millis = static_cast<int>(epoch_ms - secs_floor * 1000);
  std::time_t secs = static_cast<std::time_t>(secs_floor);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
  return buf;
}

std::string formatHttpDate(int64_t epoch_ms) {
  std::time_t secs = static_cast<std::time_t>(epoch_ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  static const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday], tm.tm_mday,
                kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

bool parseInstantEnd(std::string_view s, int64_t& epoch_ms) {
  int64_t start = 0;
  if (!parseInstant(s, start)) return false;
  int y = 0, m = 0;
  if (s.size() == 4) {
    readInt(s, 0, 4, y);
    return parseInstant(std::to_string(y + 1), epoch_ms);
  }
  if (s.size() == 7) {
    readInt(s, 0, 4, y);
    readInt(s, 5, 2, m);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d-%02d", m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1);
    return parseInstant(buf, epoch_ms);
  }
  if (s.size() == 10) {
    epoch_ms = start + 86400000LL;
    return true;
  }
  // A dateTime: the unit of its last written field.
  auto t = s.find('T');
  std::string_view time = s.substr(t + 1);
  auto zone = time.find_first_of("Z+-");
  std::string_view clock = time.substr(0, zone);
  if (clock.find('.') != std::string_view::npos) {
    epoch_ms = start + 1;
  } else if (clock.size() > 5) {
    epoch_ms = start + 1000;
  } else {
    epoch_ms = start + 60000;
  }
  return true;
}

bool parseInstant(std::string_view s, int64_t& epoch_ms) {
  int y = 0, mo = 1, d = 1, h = 0, mi = 0, sec = 0, ms = 0;
  if (!readInt(s, 0, 4, y)) return false;
  size_t pos = 4;
  if (pos < s.size()) {
    if (s[pos] != '-' || !readInt(s, pos + 1, 2, mo)) return false;
    pos += 3;
  }
  if (pos < s.size()) {
    if (s[pos] != '-' || !readInt(s, pos + 1, 2, d)) return false;
    pos += 3;
  }
  int offset_min = 0;
  if (pos < s.size()) {
    if (s[pos] != 'T' || !readInt(s, pos + 1, 2, h) || s.size() < pos + 6 || s[pos + 3] != ':' ||
        !readInt(s, pos + 4, 2, mi)) {
      return false;
    }
    pos += 6;
    if (pos < s.size() && s[pos] == ':') {
      if (!readInt(s, pos + 1, 2, sec)) return false;
      pos += 3;
      if (pos < s.size() && s[pos] == '.') {
        size_t start = ++pos;
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
        if (pos == start) return false;  // a '.' needs digits
        std::string frac(s.substr(start, pos - start));
        frac.resize(3, '0');
        ms = std::stoi(frac);
      }
    }
    if (pos < s.size()) {
      if (s[pos] == 'Z') {
        ++pos;
      } else if (s[pos] == '+' || s[pos] == '-') {
        int oh = 0, om = 0;
        if (!readInt(s, pos + 1, 2, oh) || s.size() < pos + 6 || s[pos + 3] != ':' || !readInt(s, pos + 4, 2, om)) {
          return false;
        }
        offset_min = (oh * 60 + om) * (s[pos] == '+' ? 1 : -1);
        pos += 6;
      } else {
        return false;
      }
    }
    if (pos != s.size()) return false;
  }
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (mo < 1 || mo > 12 || h > 23 || mi > 59 || sec > 60) return false;
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (d < 1 || d > kDays[mo - 1] + (mo == 2 && leap ? 1 : 0)) return false;
  int64_t days = daysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  epoch_ms = ((days * 24 + h) * 60 + mi - offset_min) * 60000LL + sec * 1000LL + ms;
  return true;
}

}  // namespace raccordo
