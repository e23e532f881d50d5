#include "gateway/identity/mpi.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <string>
#include <thread>
#include <vector>

#include "gateway/identity/codice_fiscale.h"

namespace raccordo::identity {
namespace {

IdentityRecord person(std::string family, std::string given, char sex, int y, int m, int d, std::string place = "F205") {
  IdentityRecord r;
  r.family_name = std::move(family);
  r.given_name = std::move(given);
  r.sex = sex;
  r.year = y;
  r.month = m;
  r.day = d;
  r.birth_place = std::move(place);
  return r;
}

std::string cfOf(const IdentityRecord& r) {
  return computeCodiceFiscale({r.family_name, r.given_name, r.sex == 'F' ? Sex::kFemale : Sex::kMale, r.year, r.month,
                               r.day, r.birth_place});
}

IdentityRecord withCf(IdentityRecord r) {
  r.codice_fiscale = cfOf(r);
  return r;
}

Level levelOf(const MatchDecision& d, Field f) {
  for (const FieldScore& s : d.best->fields) {
    if (s.field == f) return s.level;
  }
  return Level::kMissing;
}

// A small index: a few people who look alike, as a registry has them.
class MpiTest : public testing::Test {
 protected:
  void SetUp() override {
    IdentityRecord giuseppe = withCf(person("D'Angelo", "Giuseppe", 'M', 1950, 3, 7));
    giuseppe.address = "Via Padova 12, 20127 Milano";
    giuseppe.phone = "02 2614 5566";
    giuseppe_ = mpi_.addPerson(giuseppe);
    IdentityRecord maria = withCf(person("Rossi", "Maria", 'F', 1982, 11, 4, "L682"));
    maria.address = "Viale Monza 100, 20127 Milano";
    maria.phone = "+39 347 1234567";
    maria_ = mpi_.addPerson(maria);
    IdentityRecord giovanni = withCf(person("Della Rovere", "Giovanni", 'M', 1975, 5, 21));
    giovanni.address = "Corso Buenos Aires 3, 20124 Milano";
    giovanni_ = mpi_.addPerson(giovanni);
    // Twins: same surname, birth date, place, address and phone.
    IdentityRecord luca = person("Brambilla", "Luca", 'M', 2001, 9, 15);
    luca.address = "Via Ripamonti 88, 20141 Milano";
    luca.phone = "02 5730 1122";
    luca_ = mpi_.addPerson(luca);
    IdentityRecord marco = luca;
    marco.given_name = "Marco";
    marco_ = mpi_.addPerson(marco);
  }

  MasterPatientIndex mpi_;
  PersonId giuseppe_ = 0, maria_ = 0, giovanni_ = 0, luca_ = 0, marco_ = 0;
};

TEST(MpiConfig, WeightsAreLogLikelihoodRatios) {
  MpiConfig c = defaultMpiConfig();
  ASSERT_TRUE(validateMpiConfig(c).ok());
  const LevelProbabilities p = c.probabilities[static_cast<std::size_t>(Field::kBirthDate)][0];
  EXPECT_DOUBLE_EQ(*levelWeight(c, Field::kBirthDate, Level::kExact), std::log2(p.m / p.u));
  EXPECT_GT(*levelWeight(c, Field::kBirthDate, Level::kExact), *levelWeight(c, Field::kBirthDate, Level::kSwapped));
  EXPECT_GT(*levelWeight(c, Field::kBirthDate, Level::kSwapped), *levelWeight(c, Field::kBirthDate, Level::kSimilar));
  EXPECT_LT(*levelWeight(c, Field::kFamilyName, Level::kDisagree), 0);
  EXPECT_DOUBLE_EQ(*levelWeight(c, Field::kPhone, Level::kMissing), 0);
  EXPECT_FALSE(levelWeight(c, Field::kSex, Level::kSwapped).has_value());  // not a level of that field
}

TEST(MpiConfig, ValidationNamesTheSetting) {
  MpiConfig c = defaultMpiConfig();
  c.probabilities[static_cast<std::size_t>(Field::kGivenName)][static_cast<std::size_t>(Level::kExact)].m = 1.5;
  auto s = validateMpiConfig(c);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().location, "mpi.given_name.exact");
  c = defaultMpiConfig();
  c.review_threshold = 30;
  s = validateMpiConfig(c);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().location, "mpi.review_threshold");
}

TEST_F(MpiTest, OmocodicCodiceFiscaleLinksDeterministically) {
  const std::string cf = cfOf(person("D'Angelo", "Giuseppe", 'M', 1950, 3, 7));
  const auto variants = omocodiaVariants(cf);
  ASSERT_GT(variants.size(), 5U);
  // Only the code: no name, no date.
  IdentityRecord q;
  q.codice_fiscale = variants[5];
  const MatchDecision d = mpi_.match(q);
  EXPECT_EQ(d.outcome, Outcome::kLink) << d.explain();
  EXPECT_TRUE(d.deterministic);
  EXPECT_EQ(d.person, giuseppe_);
  EXPECT_EQ(levelOf(d, Field::kCodiceFiscale), Level::kExact);
  EXPECT_NE(d.reason.find("codice fiscale"), std::string::npos);
}

TEST_F(MpiTest, CodiceFiscaleOfSomeoneElseGoesToReview) {
  // Maria's code on a record whose every other field says another person
  // (e.g. a relative's code typed in).
  IdentityRecord q = person("Esposito", "Gennaro", 'M', 1931, 1, 2, "F839");
  q.codice_fiscale = cfOf(person("Rossi", "Maria", 'F', 1982, 11, 4, "L682"));
  const MatchDecision d = mpi_.match(q);
  EXPECT_EQ(d.outcome, Outcome::kReview) << d.explain();
  EXPECT_TRUE(d.deterministic);
  EXPECT_EQ(d.person, maria_);
  EXPECT_NE(d.reason.find("someone else"), std::string::npos);
}

struct StickyCase {
  const char* label;
  IdentityRecord query;
  Field field;
  Level level;
};

TEST_F(MpiTest, ItalianNameVariantsLinkWithoutCodiceFiscale) {
  auto g = [] { return person("D'Angelo", "Giuseppe", 'M', 1950, 3, 7); };
  std::vector<StickyCase> cases;
  {
    IdentityRecord q = g();
    q.family_name = "DANGELO";
    cases.push_back({"apostrophe dropped", q, Field::kFamilyName, Level::kEquivalent});
  }
  {
    IdentityRecord q = g();
    q.family_name = "d angelo";
    cases.push_back({"apostrophe as space", q, Field::kFamilyName, Level::kExact});
  }
  {
    IdentityRecord q = g();
    std::swap(q.family_name, q.given_name);
    cases.push_back({"name/surname swap", q, Field::kFamilyName, Level::kSwapped});
  }
  {
    IdentityRecord q = g();
    std::swap(q.day, q.month);
    cases.push_back({"day/month swap", q, Field::kBirthDate, Level::kSwapped});
  }
  {
    IdentityRecord q = g();
    q.given_name = "Giusepep";
    cases.push_back({"typo", q, Field::kGivenName, Level::kSimilar});
  }
  {
    IdentityRecord q = g();
    q.family_name = "D'Angelo Ferri";
    cases.push_back({"double surname", q, Field::kFamilyName, Level::kPartial});
  }
  for (StickyCase& c : cases) {
    c.query.address = "Via Padova 12, 20127 Milano";
    const MatchDecision d = mpi_.match(c.query);
    EXPECT_EQ(d.outcome, Outcome::kLink) << c.label << "\n" << d.explain();
    EXPECT_EQ(d.person, giuseppe_) << c.label;
    EXPECT_FALSE(d.deterministic) << c.label;
    ASSERT_TRUE(d.best.has_value());
    EXPECT_EQ(levelOf(d, c.field), c.level) << c.label << "\n" << d.explain();
  }
}

TEST_F(MpiTest, AccentsFoldThroughIcu) {
  IdentityRecord q = person("Della Rovere", "Giovanni", 'M', 1975, 5, 21);
  q.family_name = "DELLAROVERE";
  q.address = "Corso Buenos Aires 3, 20124 Milano";
  MatchDecision d = mpi_.match(q);
  EXPECT_EQ(d.outcome, Outcome::kLink) << d.explain();
  EXPECT_EQ(levelOf(d, Field::kFamilyName), Level::kEquivalent);

  MasterPatientIndex mpi;
  const PersonId nicolo = mpi.addPerson(person("Cantù", "Nicolò", 'M', 1990, 2, 1));
  d = mpi.match(person("CANTU'", "NICOLO", 'M', 1990, 2, 1));
  EXPECT_EQ(d.person, nicolo);
  EXPECT_EQ(levelOf(d, Field::kFamilyName), Level::kExact);
  EXPECT_EQ(levelOf(d, Field::kGivenName), Level::kExact);
}

TEST_F(MpiTest, WrongCheckCharacterStillFindsThePerson) {
  IdentityRecord q = person("Rossi", "Maria", 'F', 1982, 11, 4, "L682");
  q.codice_fiscale = cfOf(q);
  q.codice_fiscale[15] = q.codice_fiscale[15] == 'A' ? 'B' : 'A';
  q.family_name = "Rosi";  // and a typo that changes the surname code
  const MatchDecision d = mpi_.match(q);
  EXPECT_EQ(d.outcome, Outcome::kLink) << d.explain();
  EXPECT_EQ(d.person, maria_);
  EXPECT_FALSE(d.deterministic);
  EXPECT_EQ(levelOf(d, Field::kCodiceFiscale), Level::kPartial);
}

TEST_F(MpiTest, TwinsAreNeverLinkedAutomatically) {
  IdentityRecord q = person("Brambilla", "Matteo", 'M', 2001, 9, 15);
  q.address = "Via Ripamonti 88, 20141 Milano";
  q.phone = "02 5730 1122";
  const MatchDecision d = mpi_.match(q);
  EXPECT_EQ(d.outcome, Outcome::kReview) << d.explain();
  EXPECT_NE(d.reason.find("given_name disagrees"), std::string::npos) << d.reason;
}

TEST(Mpi, IdenticalPersonsAreAmbiguous) {
  MasterPatientIndex mpi;
  mpi.addPerson(person("Colombo", "Anna", 'F', 1960, 4, 4));
  mpi.addPerson(person("Colombo", "Anna", 'F', 1960, 4, 4));
  const MatchDecision d = mpi.match(person("Colombo", "Anna", 'F', 1960, 4, 4));
  EXPECT_EQ(d.outcome, Outcome::kReview) << d.explain();
  EXPECT_NE(d.reason.find("ambiguous"), std::string::npos);
  EXPECT_EQ(d.runners_up.size(), 1U);
}

TEST_F(MpiTest, WeakEvidenceGoesToReviewAndNoEvidenceIsNew) {
  // Same names, birth date one component off, nothing else.
  IdentityRecord q = person("Rossi", "Maria", 'F', 1982, 11, 14, "");
  MatchDecision d = mpi_.match(q);
  EXPECT_EQ(d.outcome, Outcome::kReview) << d.explain();
  EXPECT_EQ(d.person, maria_);
  EXPECT_GE(d.best->total, d.review_threshold);
  EXPECT_LT(d.best->total, d.link_threshold);

  d = mpi_.match(person("Rossi", "Paola", 'F', 1999, 1, 30));
  EXPECT_EQ(d.outcome, Outcome::kNew) << d.explain();
  d = mpi_.match(person("Kowalski", "Jan", 'M', 1970, 6, 6, "Z127"));
  EXPECT_EQ(d.outcome, Outcome::kNew);
  EXPECT_FALSE(d.best.has_value());
}

TEST_F(MpiTest, ExplanationAddsUp) {
  IdentityRecord q = person("ROSSI", "MARIA", 'F', 1982, 11, 4, "L682");
  q.phone = "347-1234567";
  const MatchDecision d = mpi_.match(q);
  ASSERT_EQ(d.outcome, Outcome::kLink);
  ASSERT_TRUE(d.best.has_value());
  ASSERT_EQ(d.best->fields.size(), kFieldCount);
  double sum = 0;
  for (const FieldScore& f : d.best->fields) {
    sum += f.weight;
    EXPECT_DOUBLE_EQ(f.weight, *levelWeight(mpi_.config(), f.field, f.level)) << fieldName(f.field);
  }
  EXPECT_NEAR(sum, d.best->total, 1e-9);
  EXPECT_EQ(levelOf(d, Field::kPhone), Level::kExact);  // +39 and separators normalised
  const std::string text = d.explain();
  for (const char* part : {"outcome: link", "thresholds: link >= 20.00, review >= 9.00", "family_name", "birth_date",
                           "'1982-11-04' vs '1982-11-04'", "phone"}) {
    EXPECT_NE(text.find(part), std::string::npos) << part << "\n" << text;
  }
}

TEST_F(MpiTest, ThresholdsAreConfiguration) {
  MpiConfig strict = defaultMpiConfig();
  strict.link_threshold = 60;
  strict.review_threshold = 50;
  MasterPatientIndex mpi(strict);
  mpi.addPerson(person("Rossi", "Maria", 'F', 1982, 11, 4, "L682"));
  const MatchDecision d = mpi.match(person("Rossi", "Maria", 'F', 1982, 11, 4, "L682"));
  EXPECT_EQ(d.outcome, Outcome::kNew);
  EXPECT_DOUBLE_EQ(d.link_threshold, 60);
}

TEST(Mpi, StpLaterReplacedByCodiceFiscale) {
  MasterPatientIndex mpi;
  IdentityRecord stp = person("Popescu", "Ion", 'M', 1988, 7, 19, "Z129");
  stp.foreign_code = "STP0303081234567";
  stp.phone = "3281112223";
  const PersonId ion = mpi.addPerson(stp);

  IdentityRecord byStp;
  byStp.foreign_code = "stp 030 308 1234567";
  byStp.family_name = "POPESCU";
  MatchDecision d = mpi.match(byStp);
  EXPECT_EQ(d.person, ion);
  EXPECT_EQ(levelOf(d, Field::kForeignCode), Level::kExact);

  IdentityRecord withCode = person("Popescu", "Ion", 'M', 1988, 7, 19, "Z129");
  withCode.codice_fiscale = cfOf(withCode);
  d = mpi.match(withCode);
  ASSERT_EQ(d.outcome, Outcome::kLink) << d.explain();
  EXPECT_EQ(d.person, ion);
  ASSERT_TRUE(mpi.addRecord(ion, withCode).ok());
  // Now both codes find the person: the CF deterministically, the STP still.
  EXPECT_TRUE(mpi.match(withCode).deterministic);
  EXPECT_EQ(mpi.match(byStp).person, ion);
}

TEST(Mpi, UpdateReplacesARecord) {
  MasterPatientIndex mpi;
  const PersonId p = mpi.addPerson(person("Gatti", "Elena", 'F', 1970, 1, 1));
  auto entry = mpi.addRecord(p, person("Gatti", "Elena", 'F', 1970, 1, 1));
  ASSERT_TRUE(entry.ok());
  EXPECT_EQ(mpi.entryCount(), 2U);
  auto updated = mpi.updateRecord(*entry, person("Fabbri", "Elena", 'F', 1970, 1, 1));  // married name
  ASSERT_TRUE(updated.ok());
  EXPECT_EQ(mpi.entryCount(), 2U);
  EXPECT_EQ(mpi.personCount(), 1U);
  const MatchDecision d = mpi.match(person("Fabbri", "Elena", 'F', 1970, 1, 1));
  EXPECT_EQ(d.outcome, Outcome::kLink);
  EXPECT_EQ(d.person, p);
  EXPECT_EQ(d.best->entry, *updated);
  EXPECT_FALSE(mpi.updateRecord(*entry, person("X", "Y", 'F', 1970, 1, 1)).ok());  // no longer live
  auto missing = mpi.addRecord(99, person("X", "Y", 'F', 1970, 1, 1));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

TEST(Mpi, ConcurrentReadersAndAWriter) {
  MasterPatientIndex mpi;
  for (int i = 0; i < 200; ++i) mpi.addPerson(person("Sala", "Piero", 'M', 1940 + i % 50, 1 + i % 12, 1 + i % 28));
  std::atomic<int> links{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t) {
    readers.emplace_back([&mpi, &links] {
      for (int i = 0; i < 200; ++i) {
        const MatchDecision d = mpi.match(person("Sala", "Piero", 'M', 1940 + i % 50, 1 + i % 12, 1 + i % 28));
        if (d.outcome != Outcome::kNew) links.fetch_add(1);
      }
    });
  }
  for (int i = 0; i < 200; ++i) mpi.addPerson(person("Villa", "Rosa", 'F', 1950 + i % 40, 1 + i % 12, 1 + i % 28));
  for (auto& t : readers) t.join();
  EXPECT_EQ(links.load(), 600);
  EXPECT_EQ(mpi.personCount(), 400U);
}

}  // namespace
}  // namespace raccordo::identity
