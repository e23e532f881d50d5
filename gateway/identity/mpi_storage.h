#pragma once
// Internal to the master patient index (mpi.cpp): the compact storage it is
// built on. Not thread-safe by itself: the index guards it with its lock.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace raccordo::identity::detail {

// Compact storage: strings interned once (households share addresses, names
// repeat), keys hashed to 64 bits, postings in flat vectors.

inline uint64_t hash64(std::string_view s, uint64_t seed = 0xcbf29ce484222325ULL) {
  uint64_t h = seed;
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  // Final avalanche (splitmix64) so low bits index well.
  h ^= h >> 30;
  h *= 0xBF58476D1CE4E5B9ULL;
  h ^= h >> 27;
  h *= 0x94D049BB133111EBULL;
  h ^= h >> 31;
  return h;
}

/// Interned strings: id 0 is the empty string. Ids are dense, views are
/// recomputed from offsets (the arena may move when it grows).
class StringPool {
 public:
  StringPool() { offsets_.push_back(0); offsets_.push_back(0); slots_.assign(1024, 0); }

  std::string_view view(uint32_t id) const {
    return {arena_.data() + offsets_[id], static_cast<std::size_t>(offsets_[id + 1] - offsets_[id])};
  }

  /// The id of s, or nullopt when it was never interned.
  std::optional<uint32_t> find(std::string_view s) const {
    if (s.empty()) return 0U;
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = hash64(s) & mask;; i = (i + 1) & mask) {
      const uint32_t id = slots_[i];
      if (id == 0) return std::nullopt;
      if (view(id) == s) return id;
    }
  }

  uint32_t intern(std::string_view s) {
    if (s.empty()) return 0;
    if (auto id = find(s)) return *id;
    if ((count_ + 1) * 4 > slots_.size() * 3) grow();
    arena_.insert(arena_.end(), s.begin(), s.end());
    const auto id = static_cast<uint32_t>(offsets_.size() - 1);
    offsets_.push_back(static_cast<uint32_t>(arena_.size()));
    place(id);
    ++count_;
    return id;
  }

  std::size_t bytes() const {
    return arena_.capacity() + offsets_.capacity() * sizeof(uint32_t) + slots_.capacity() * sizeof(uint32_t);
  }

 private:
  void place(uint32_t id) {
    const std::size_t mask = slots_.size() - 1;
    std::size_t i = hash64(view(id)) & mask;
    while (slots_[i] != 0) i = (i + 1) & mask;
    slots_[i] = id;
  }
  void grow() {
    slots_.assign(slots_.size() * 2, 0);
    for (uint32_t id = 1; id + 1 < offsets_.size(); ++id) place(id);
  }

  std::vector<char> arena_;
  std::vector<uint32_t> offsets_;  // offsets_[id]..offsets_[id+1]
  std::vector<uint32_t> slots_;    // open addressing, 0 = empty
  std::size_t count_ = 0;
};

/// Blocking index: key hash -> chain of entries. Open addressing on the high
/// 32 bits of the key hash as fingerprint (a rare fingerprint clash only merges
/// two blocks, which adds candidates and never loses one).
class PostingIndex {
 public:
  PostingIndex() { fingerprints_.assign(1024, 0); heads_.assign(1024, 0); }

  void add(uint64_t key, uint32_t entry) {
    if ((keys_ + 1) * 4 > fingerprints_.size() * 3) grow();
    const std::size_t slot = findSlot(key);
    if (fingerprints_[slot] == 0) {
      fingerprints_[slot] = fingerprint(key);
      ++keys_;
    }
    postings_.push_back({entry, heads_[slot]});
    heads_[slot] = static_cast<uint32_t>(postings_.size());  // 1-based; 0 ends a chain
  }

  /// Calls f(entry) for up to `limit` entries of the block; returns false when the block was larger.
  template <typename F>
  bool forEach(uint64_t key, uint32_t limit, F&& f) const {
    const std::size_t slot = findSlot(key);
    if (fingerprints_[slot] == 0) return true;
    uint32_t n = 0;
    for (uint32_t p = heads_[slot]; p != 0; p = postings_[p - 1].next) {
      if (++n > limit) return false;
      f(postings_[p - 1].entry);
    }
    return true;
  }

  std::size_t bytes() const {
    return fingerprints_.capacity() * sizeof(uint32_t) + heads_.capacity() * sizeof(uint32_t) +
           postings_.capacity() * sizeof(Posting);
  }

 private:
  struct Posting {
    uint32_t entry;
    uint32_t next;
  };
  static uint32_t fingerprint(uint64_t key) {
    const auto f = static_cast<uint32_t>(key >> 32);
    return f == 0 ? 1 : f;
  }
  // The slot comes from the fingerprint too, so growing needs no full keys.
  std::size_t findSlot(uint64_t key) const {
    const std::size_t mask = fingerprints_.size() - 1;
    const uint32_t f = fingerprint(key);
    std::size_t i = f & mask;
    while (fingerprints_[i] != 0 && fingerprints_[i] != f) i = (i + 1) & mask;
    return i;
  }
  void grow() {
    std::vector<uint32_t> oldF = std::move(fingerprints_);
    std::vector<uint32_t> oldH = std::move(heads_);
    fingerprints_.assign(oldF.size() * 2, 0);
    heads_.assign(oldF.size() * 2, 0);
    const std::size_t mask = fingerprints_.size() - 1;
    for (std::size_t i = 0; i < oldF.size(); ++i) {
      if (oldF[i] == 0) continue;
      std::size_t j = oldF[i] & mask;
      while (fingerprints_[j] != 0) j = (j + 1) & mask;
      fingerprints_[j] = oldF[i];
      heads_[j] = oldH[i];
    }
  }

  std::vector<uint32_t> fingerprints_;
  std::vector<uint32_t> heads_;
  std::vector<Posting> postings_;
  std::size_t keys_ = 0;
};

}  // namespace raccordo::identity::detail
