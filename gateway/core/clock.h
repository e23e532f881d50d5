#pragma once
// Injectable clock: production uses the system clock; tests set the time.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

namespace raccordo {

class Clock {
 public:
  virtual ~Clock() = default;
  /// Milliseconds since the Unix epoch.
  virtual int64_t nowMs() const = 0;
};

class SystemClock final : public Clock {
 public:
  int64_t nowMs() const override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

/// A clock tests move by hand.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(int64_t start_ms) : now_(start_ms) {}
  int64_t nowMs() const override { return now_.load(); }
  void advanceMs(int64_t ms) { now_ += ms; }

 private:
  std::atomic<int64_t> now_;
};

/// Days from 1970-01-01 to the civil date y-m-d (proleptic Gregorian; m 1-12, d 1-31).
int64_t daysFromCivil(int64_t y, unsigned m, unsigned d);

/// FHIR instant in UTC with milliseconds: "2026-11-23T13:20:00.123Z".
std::string formatInstant(int64_t epoch_ms);

/// HTTP date (RFC 9110 IMF-fixdate): "Mon, 23 Nov 2026 13:20:00 GMT".
std::string formatHttpDate(int64_t epoch_ms);

/// The instant just after the period a FHIR date or dateTime prefix denotes:
/// "2026" -> 2027-01-01, "2026-02" -> 2026-03-01, "2026-02-10" -> 2026-02-11,
/// "...T10:00" -> +1 minute, "...T10:00:00" -> +1 second, fractions -> +1 ms.
bool parseInstantEnd(std::string_view text, int64_t& epoch_ms);

/// Parses a FHIR date or dateTime prefix ("2026", "2026-11", "2026-11-23",
/// "2026-11-23T10:00:00Z", "...+01:00") into epoch ms of its start; false if malformed.
bool parseInstant(std::string_view text, int64_t& epoch_ms);

}  // namespace raccordo
