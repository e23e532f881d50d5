// The Fellegi-Sunter model's vocabulary and defaults: field and level names,
// the default m/u probabilities, their validation, and the explanation text.

#include <cmath>
#include <cstdio>
#include <string>

#include "gateway/identity/mpi.h"

namespace raccordo::identity {

namespace {

constexpr std::size_t idx(Field f) { return static_cast<std::size_t>(f); }
constexpr std::size_t idx(Level l) { return static_cast<std::size_t>(l); }

}  // namespace


const char* fieldName(Field field) {
  switch (field) {
    case Field::kCodiceFiscale: return "codice_fiscale";
    case Field::kForeignCode: return "stp_eni";
    case Field::kFamilyName: return "family_name";
    case Field::kGivenName: return "given_name";
    case Field::kBirthDate: return "birth_date";
    case Field::kSex: return "sex";
    case Field::kBirthPlace: return "birth_place";
    case Field::kAddress: return "address";
    case Field::kPhone: return "phone";
  }
  return "?";
}

const char* levelName(Level level) {
  switch (level) {
    case Level::kExact: return "exact";
    case Level::kEquivalent: return "equivalent";
    case Level::kPartial: return "partial";
    case Level::kSimilar: return "similar";
    case Level::kSwapped: return "swapped";
    case Level::kDisagree: return "disagree";
    case Level::kMissing: return "missing";
  }
  return "?";
}

const char* outcomeName(Outcome outcome) {
  switch (outcome) {
    case Outcome::kLink: return "link";
    case Outcome::kReview: return "review";
    case Outcome::kNew: return "new";
  }
  return "?";
}

MpiConfig defaultMpiConfig() {
  MpiConfig c;
  auto set = [&c](Field f, Level l, double m, double u) { c.probabilities[idx(f)][idx(l)] = {m, u}; };
  // m: among records of the same person; u: among different people who share
  // a blocking key. Chosen from the error rates a registry sees (docs/identity.md).
  set(Field::kCodiceFiscale, Level::kExact, 0.97, 0.000001);
  set(Field::kCodiceFiscale, Level::kPartial, 0.02, 0.0002);
  set(Field::kCodiceFiscale, Level::kDisagree, 0.01, 0.9998);
  set(Field::kForeignCode, Level::kExact, 0.9, 0.00001);
  set(Field::kForeignCode, Level::kDisagree, 0.1, 0.99999);
  set(Field::kFamilyName, Level::kExact, 0.88, 0.01);
  set(Field::kFamilyName, Level::kEquivalent, 0.03, 0.001);
  set(Field::kFamilyName, Level::kPartial, 0.02, 0.002);
  set(Field::kFamilyName, Level::kSimilar, 0.04, 0.005);
  set(Field::kFamilyName, Level::kSwapped, 0.02, 0.0005);
  set(Field::kFamilyName, Level::kDisagree, 0.01, 0.98);
  set(Field::kGivenName, Level::kExact, 0.88, 0.02);
  set(Field::kGivenName, Level::kEquivalent, 0.03, 0.002);
  set(Field::kGivenName, Level::kPartial, 0.02, 0.005);
  set(Field::kGivenName, Level::kSimilar, 0.04, 0.01);
  set(Field::kGivenName, Level::kSwapped, 0.02, 0.0005);
  set(Field::kGivenName, Level::kDisagree, 0.01, 0.96);
  set(Field::kBirthDate, Level::kExact, 0.93, 0.00004);
  set(Field::kBirthDate, Level::kSwapped, 0.02, 0.00003);
  set(Field::kBirthDate, Level::kSimilar, 0.04, 0.003);
  set(Field::kBirthDate, Level::kDisagree, 0.01, 0.997);
  set(Field::kSex, Level::kExact, 0.98, 0.5);
  set(Field::kSex, Level::kDisagree, 0.02, 0.5);
  set(Field::kBirthPlace, Level::kExact, 0.95, 0.3);
  set(Field::kBirthPlace, Level::kDisagree, 0.05, 0.7);
  set(Field::kAddress, Level::kExact, 0.6, 0.0005);
  set(Field::kAddress, Level::kSimilar, 0.1, 0.002);
  set(Field::kAddress, Level::kDisagree, 0.3, 0.9975);
  set(Field::kPhone, Level::kExact, 0.6, 0.0002);
  set(Field::kPhone, Level::kDisagree, 0.4, 0.9998);
  return c;
}

std::optional<double> levelWeight(const MpiConfig& config, Field field, Level level) {
  if (level == Level::kMissing) return 0.0;
  const LevelProbabilities p = config.probabilities[idx(field)][idx(level)];
  if (p.m <= 0 || p.u <= 0) return std::nullopt;
  return std::log2(p.m / p.u);
}

Status validateMpiConfig(const MpiConfig& config) {
  for (std::size_t f = 0; f < kFieldCount; ++f) {
    for (std::size_t l = 0; l < kLevelCount; ++l) {
      const LevelProbabilities p = config.probabilities[f][l];
      const std::string where = std::string("mpi.") + fieldName(static_cast<Field>(f)) + "." + levelName(static_cast<Level>(l));
      if (p.m < 0 || p.m > 1 || p.u < 0 || p.u > 1) {
        return Error(ErrorCode::kConfig, "m and u must be probabilities in [0, 1]", where);
      }
      if ((p.m == 0) != (p.u == 0)) return Error(ErrorCode::kConfig, "m and u must be both set or both 0", where);
    }
    if (config.probabilities[f][idx(Level::kDisagree)].m == 0) {
      return Error(ErrorCode::kConfig, "the disagree level needs m and u",
                   std::string("mpi.") + fieldName(static_cast<Field>(f)) + ".disagree");
    }
  }
  if (!(config.review_threshold < config.link_threshold)) {
    return Error(ErrorCode::kConfig, "review threshold must be below the link threshold", "mpi.review_threshold");
  }
  if (config.max_block_size == 0) return Error(ErrorCode::kConfig, "max block size must be positive", "mpi.max_block_size");
  return {};
}

std::string MatchDecision::explain() const {
  std::string out = std::string("outcome: ") + outcomeName(outcome);
  if (person) out += " person " + std::to_string(*person);
  out += deterministic ? " (deterministic)\n" : "\n";
  out += "reason: " + reason + "\n";
  char buf[160];
  std::snprintf(buf, sizeof buf, "thresholds: link >= %.2f, review >= %.2f; candidates scored: %zu\n", link_threshold,
                review_threshold, candidates_scored);
  out += buf;
  auto describe = [&out, &buf](const char* label, const CandidateScore& c) {
    std::snprintf(buf, sizeof buf, "%s person %u (record %u): total %.2f\n", label, c.person, c.entry, c.total);
    out += buf;
    for (const FieldScore& f : c.fields) {
      std::snprintf(buf, sizeof buf, "  %-14s %-10s %+7.2f  ", fieldName(f.field), levelName(f.level), f.weight);
      out += buf;
      out += "'" + f.query_value + "' vs '" + f.candidate_value + "'\n";
    }
  };
  if (best) describe("best:", *best);
  for (const CandidateScore& c : runners_up) describe("runner-up:", c);
  return out;
}

}  // namespace raccordo::identity
