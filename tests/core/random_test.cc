// tests/core/random_test.cc
#include "thunderdome/core/random.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace td {
namespace {

TEST(RandomTest, SplitMix64KnownSequence) {
  // Reference values of splitmix64 seeded with 0 (Vigna's reference implementation).
  Rng rng(0);
  EXPECT_EQ(rng.next(), 0xE220A8397B1DCDAFULL);
  EXPECT_EQ(rng.next(), 0x6E789E6AA1B965F4ULL);
  EXPECT_EQ(rng.next(), 0x06C45D188009454FULL);
}

TEST(RandomTest, PermutationIsSeededAndComplete) {
  const auto a = randomPermutation(100, 42);
  const auto b = randomPermutation(100, 42);
  const auto c = randomPermutation(100, 43);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  auto sorted = a;
  std::sort(sorted.begin(), sorted.end());
  for (std::int64_t i = 0; i < 100; ++i) EXPECT_EQ(sorted[static_cast<std::size_t>(i)], i);
}

TEST(RandomTest, UniformAndBelowStayInRange) {
  Rng rng(7);
  double sum = 0;
  for (int i = 0; i < 10000; ++i) {
    const double u = rng.uniform();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    sum += u;
    ASSERT_LT(rng.below(3), 3u);
  }
  EXPECT_NEAR(sum / 10000, 0.5, 0.02);
}

}  // namespace
}  // namespace td
