#include "gateway/identity/name_compare.h"

#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <thread>
#include <vector>

namespace raccordo::identity {
namespace {

struct FoldCase {
  const char* input;
  const char* folded;
};

// Named by its input in test output (and gtest does not dump its padding bytes).
void PrintTo(const FoldCase& c, std::ostream* os) { *os << c.input; }

class FoldName : public testing::TestWithParam<FoldCase> {};

TEST_P(FoldName, Canonical) { EXPECT_EQ(foldName(GetParam().input), GetParam().folded) << GetParam().input; }

INSTANTIATE_TEST_SUITE_P(Table, FoldName,
                         testing::Values(FoldCase{"Rossi", "ROSSI"}, FoldCase{"d'Angelo", "D ANGELO"},
                                         FoldCase{"D' ANGELO", "D ANGELO"}, FoldCase{"Cantù", "CANTU"},
                                         FoldCase{"CANTU'", "CANTU"}, FoldCase{"Nicolò", "NICOLO"},
                                         FoldCase{"  Della   Rovere ", "DELLA ROVERE"}, FoldCase{"Rossi-Bianchi", "ROSSI BIANCHI"},
                                         FoldCase{"Łukasz", "LUKASZ"}, FoldCase{"Müller", "MULLER"},
                                         FoldCase{"Çelik", "CELIK"}, FoldCase{"Ştefan", "STEFAN"},
                                         FoldCase{"GIAN-MARCO", "GIAN MARCO"}, FoldCase{"Maria1", "MARIA"},
                                         FoldCase{"", ""}, FoldCase{"\xff\xfe", ""}));

TEST(FoldText, KeepsDigitsForAddresses) {
  EXPECT_EQ(foldText("Via Padova, 12 - 20127 Milano"), "VIA PADOVA 12 20127 MILANO");
  EXPECT_EQ(foldText("Piazzale Loreto 3/A"), "PIAZZALE LORETO 3 A");
}

TEST(JaroWinkler, KnownValues) {
  EXPECT_DOUBLE_EQ(jaroWinkler("", ""), 1.0);
  EXPECT_DOUBLE_EQ(jaroWinkler("ROSSI", ""), 0.0);
  EXPECT_DOUBLE_EQ(jaroWinkler("ROSSI", "ROSSI"), 1.0);
  // Textbook pairs: MARTHA/MARHTA 0.961, DIXON/DICKSONX 0.813.
  EXPECT_NEAR(jaroWinkler("MARTHA", "MARHTA"), 0.961, 0.001);
  EXPECT_NEAR(jaroWinkler("DIXON", "DICKSONX"), 0.813, 0.001);
  EXPECT_NEAR(jaroWinkler("ABC", "XYZ"), 0.0, 1e-9);
  EXPECT_DOUBLE_EQ(jaroWinkler("GIUSEPPE", "GIUSEPEP"), jaroWinkler("GIUSEPEP", "GIUSEPPE"));
}

struct LevelCase {
  const char* a;
  const char* b;
  NameLevel level;
};

// Named by its input in test output (and gtest does not dump its padding bytes).
void PrintTo(const LevelCase& c, std::ostream* os) { *os << c.a << " vs " << c.b; }

class CompareNames : public testing::TestWithParam<LevelCase> {};

TEST_P(CompareNames, Level) {
  const LevelCase& c = GetParam();
  EXPECT_EQ(compareFoldedNames(foldName(c.a), foldName(c.b)), c.level)
      << c.a << " vs " << c.b << ": " << nameLevelName(compareFoldedNames(foldName(c.a), foldName(c.b)));
}

INSTANTIATE_TEST_SUITE_P(
    Table, CompareNames,
    testing::Values(LevelCase{"Rossi", "ROSSI", NameLevel::kExact}, LevelCase{"Cantù", "CANTU'", NameLevel::kExact},
                    LevelCase{"D'Angelo", "DANGELO", NameLevel::kEquivalent},
                    LevelCase{"Della Rovere", "DELLAROVERE", NameLevel::kEquivalent},
                    LevelCase{"Rossi Bianchi", "Rossi", NameLevel::kPartial},
                    LevelCase{"Rossi", "Bianchi Rossi", NameLevel::kPartial},
                    LevelCase{"Maria Rosa", "Maria", NameLevel::kPartial},
                    LevelCase{"Giuseppe", "Giusepep", NameLevel::kSimilar},
                    LevelCase{"Ferrari", "Ferarri", NameLevel::kSimilar},
                    LevelCase{"Brambilla", "Brambila", NameLevel::kSimilar},
                    LevelCase{"Rossi", "Russo", NameLevel::kDisagree},
                    LevelCase{"Maria", "Mario", NameLevel::kDisagree},  // another person's name, not a typo
                    LevelCase{"Giovanni", "Giovanna", NameLevel::kDisagree},
                    LevelCase{"Rossi", "Bianchi", NameLevel::kDisagree},
                    LevelCase{"", "Rossi", NameLevel::kMissing}));

TEST(NameCode, FollowsTheCodiceFiscaleRules) {
  EXPECT_EQ(nameCode("ROSSI", false), "RSS");
  EXPECT_EQ(nameCode("ROSSI BIANCHI", false), "RSS");  // double surname keeps the first one's code
  EXPECT_EQ(nameCode("RE", false), "REX");
  EXPECT_EQ(nameCode("D ANGELO", false), "DNG");
  EXPECT_EQ(nameCode("DANGELO", false), "DNG");
  EXPECT_EQ(nameCode("GIANFRANCO", true), "GFR");  // first, third, fourth consonant
  EXPECT_EQ(nameCode("MARIA", true), "MRA");
}

TEST(FoldName, IsThreadSafe) {
  // Each thread clones the ICU transliterator; run under TSan/ASan to catch sharing.
  std::vector<std::thread> threads;
  std::vector<std::string> results(4);
  for (std::size_t t = 0; t < results.size(); ++t) {
    threads.emplace_back([&results, t] {
      std::string last;
      for (int i = 0; i < 200; ++i) last = foldName("Nicolò Cantù D'Àngelo");
      results[t] = last;
    });
  }
  for (auto& th : threads) th.join();
  for (const auto& r : results) EXPECT_EQ(r, "NICOLO CANTU D ANGELO");
}

}  // namespace
}  // namespace raccordo::identity
