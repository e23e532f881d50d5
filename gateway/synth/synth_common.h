#pragma once
// Internal to the synthetic-data generator (gateway/synth): the PRNG and the
// calendar arithmetic shared by the SISA and ATS parts, so every source draws
// and dates the same way. Not part of the public API (see synth.h).

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace raccordo::synth::detail {

// ---------------------------------------------------------------------------
// Randomness: splitmix64 to seed, xoshiro256** to draw. Both are fully
// specified integer algorithms, so every platform draws the same numbers.

inline uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

class Rng {
 public:
  /// An independent stream per (seed, stream) pair.
  Rng(uint64_t seed, uint64_t stream) {
    uint64_t s = seed;
    uint64_t mixed = splitmix64(s) ^ (stream * 0xD1B54A32D192ED03ULL + 0x8CB92BA72F3D8DD7ULL);
    for (uint64_t& word : state_) word = splitmix64(mixed);
  }

  uint64_t next() {
    const uint64_t result = rotl(state_[1] * 5, 7) * 9;
    const uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = rotl(state_[3], 45);
    return result;
  }

  /// Uniform in [0, n), n > 0, without modulo bias (rejection sampling).
  uint64_t below(uint64_t n) {
    const uint64_t threshold = (0 - n) % n;  // 2^64 mod n
    for (;;) {
      const uint64_t r = next();
      if (r >= threshold) return r % n;
    }
  }

  /// Uniform in [lo, hi]; lo when hi < lo.
  int range(int lo, int hi) {
    if (hi <= lo) return lo;
    return lo + static_cast<int>(below(static_cast<uint64_t>(hi - lo) + 1));
  }

  bool chance(int percent) { return static_cast<int>(below(100)) < percent; }

  template <typename T>
  const T& pick(std::span<const T> items) {
    return items[static_cast<std::size_t>(below(items.size()))];
  }

  /// Index drawn with the given relative weights.
  std::size_t weighted(std::span<const int> weights) {
    int total = 0;
    for (int w : weights) total += w;
    int r = range(0, total - 1);
    for (std::size_t i = 0; i < weights.size(); ++i) {
      if (r < weights[i]) return i;
      r -= weights[i];
    }
    return weights.size() - 1;
  }

  template <typename T>
  void shuffle(std::vector<T>& items) {
    for (std::size_t i = items.size(); i > 1; --i) {
      std::swap(items[i - 1], items[static_cast<std::size_t>(below(i))]);
    }
  }

 private:
  std::array<uint64_t, 4> state_{};
};

// ---------------------------------------------------------------------------
// Dates as days since 1970-01-01 (H. Hinnant's civil-calendar algorithms).

struct Ymd {
  int year;
  int month;
  int day;
};

constexpr int daysFromCivil(int y, int m, int d) {
  y -= m <= 2 ? 1 : 0;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const int yoe = y - era * 400;
  const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

inline Ymd civilFromDays(int z) {
  z += 719468;
  const int era = (z >= 0 ? z : z - 146096) / 146097;
  const int doe = z - era * 146097;
  const int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int mp = (5 * doy + 2) / 153;
  const int d = doy - (153 * mp + 2) / 5 + 1;
  const int m = mp < 10 ? mp + 3 : mp - 9;
  return {yoe + era * 400 + (m <= 2 ? 1 : 0), m, d};
}

inline constexpr int kReferenceDay = daysFromCivil(2026, 11, 1);  // export day; no date after it
inline constexpr int kEarliestDay = daysFromCivil(2015, 1, 1);    // no case, service, ISEE or UVM before it
inline constexpr int kReferenceYear = 2026;

inline std::string padded(uint64_t value, std::size_t width) {
  std::string digits = std::to_string(value);
  if (digits.size() < width) digits.insert(0, width - digits.size(), '0');
  return digits;
}

inline std::string isoDate(int days) {
  const Ymd d = civilFromDays(days);
  return padded(static_cast<uint64_t>(d.year), 4) + '-' + padded(static_cast<uint64_t>(d.month), 2) + '-' +
         padded(static_cast<uint64_t>(d.day), 2);
}

inline int yearOf(int days) { return civilFromDays(days).year; }

/// Full years someone born on `birth` has on `day`.
inline int ageOn(int birth, int day) {
  const Ymd b = civilFromDays(birth);
  const Ymd d = civilFromDays(day);
  return d.year - b.year - ((d.month < b.month || (d.month == b.month && d.day < b.day)) ? 1 : 0);
}

}  // namespace raccordo::synth::detail
