// One adapter instance serves every worker thread: decoding must be safe in
// parallel (RapidJSON 1.1's built-in regex was not: it crashed under load).

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "adapters/builtin.h"
#include "gateway/synth/synth.h"
#include "tests/support/temp_dir.h"

namespace raccordo {
namespace {

TEST(SisaAdapterConcurrency, DecodesOnManyThreadsAtOnce) {
  AdapterRegistry registry;
  AdapterEnvironment env = testing::sourceTreeAdapterEnvironment();
  ASSERT_TRUE(registerBuiltinAdapters(registry, env).ok());
  const Adapter* sisa = registry.find("sisa");
  ASSERT_NE(sisa, nullptr);
  auto citizens = synth::generateCitizens({3, 64});
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (const auto& c : citizens) ok += sisa->decode(c.sisa_json, MessageMeta{}).ok() ? 1 : 0;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 8 * static_cast<int>(citizens.size()));
}

}  // namespace
}  // namespace raccordo
