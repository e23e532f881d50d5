#include "gateway/synth/synth_identity.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "gateway/identity/codice_fiscale.h"
#include "gateway/identity/foreign_codes.h"

namespace raccordo::synth {
namespace {

TEST(SynthIdentity, DeterministicFromTheSeed) {
  SynthIdentityOptions o;
  o.people = 300;
  const auto a = generateIdentityData(o);
  const auto b = generateIdentityData(o);
  ASSERT_EQ(a.records.size(), b.records.size());
  for (std::size_t i = 0; i < a.records.size(); ++i) {
    EXPECT_EQ(a.records[i].person, b.records[i].person);
    EXPECT_EQ(a.records[i].record.family_name, b.records[i].record.family_name);
    EXPECT_EQ(a.records[i].record.codice_fiscale, b.records[i].record.codice_fiscale);
  }
  o.seed = 2;
  EXPECT_NE(generateIdentityData(o).people[0].family_name + generateIdentityData(o).people[1].given_name,
            a.people[0].family_name + a.people[1].given_name);
}

TEST(SynthIdentity, TruthIsConsistentAndErrorsAreInjected) {
  SynthIdentityOptions o;
  o.people = 3000;
  const auto data = generateIdentityData(o);
  std::map<std::string, int> errors;
  for (const auto& r : data.records) {
    ASSERT_LT(r.person, data.people.size());
    for (const auto& e : r.errors) ++errors[e];
  }
  for (const char* e : {"typo_family_name", "typo_given_name", "swapped_names", "swapped_day_month", "missing_cf",
                        "omocodic_cf", "wrong_check_char", "changed_address", "changed_phone", "stp_replaced_by_cf"}) {
    EXPECT_GT(errors[e], 0) << e;
  }
  int stp = 0;
  for (const auto& p : data.people) {
    EXPECT_TRUE(identity::parseCodiceFiscale(p.codice_fiscale).ok()) << p.codice_fiscale;
    if (!p.foreign_code.empty()) {
      ++stp;
      EXPECT_TRUE(identity::parseForeignCode(p.foreign_code).ok()) << p.foreign_code;
      EXPECT_TRUE(registryRecord(p).codice_fiscale.empty());
    }
  }
  EXPECT_GT(stp, 0);
}

}  // namespace
}  // namespace raccordo::synth
