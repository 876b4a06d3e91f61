// tests/feature/murmur3_test.cc
#include "thunderdome/feature/murmur3.h"

#include <gtest/gtest.h>

namespace td {
namespace {

TEST(Murmur3Test, StandardVectors) {
  // Published MurmurHash3_x86_32 vectors.
  EXPECT_EQ(static_cast<std::uint32_t>(murmur3_x86_32("", 1)), 0x514E28B7U);
  EXPECT_EQ(static_cast<std::uint32_t>(murmur3_x86_32("Hello, world!", 1234)), 0xfaf6cdb3U);
  EXPECT_EQ(murmur3_x86_32("", 0), 0);
}

struct TermCase {
  const char* term;
  std::int32_t v2;      // Spark 3.x hash
  std::int32_t legacy;  // Spark 2.x hash
};

// From ../shared/reference/spark-ml-semantics.md §2 (seed 42).
constexpr TermCase kCases[] = {
    {"a", -1293573533, 1485273170},     {"b", 861554165, 1905031361},
    {"spark", -226056714, 2101843105},  {"hadoop", -98892415, -378380819},
    {"test", -335093414, -335093414},   {"", 142593372, 142593372},
    {"\xC3\xA9t\xC3\xA9", 439823461, -149728428},                        // "été"
    {"\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E", -976822600, -1143049834},  // "日本語"
};

TEST(Murmur3Test, SparkReferenceHashes) {
  for (const auto& c : kCases) {
    EXPECT_EQ(murmur3_x86_32(c.term, 42), c.v2) << c.term;
    EXPECT_EQ(murmur3_x86_32_legacy(c.term, 42), c.legacy) << c.term;
  }
}

TEST(Murmur3Test, NonNegativeModLikeJava) {
  EXPECT_EQ(nonNegativeMod(-1293573533, 262144), 107107);
  EXPECT_EQ(nonNegativeMod(-226056714, 1000), 286);
  EXPECT_EQ(nonNegativeMod(861554165, 10), 5);
  EXPECT_EQ(nonNegativeMod(-10, 10), 0);
}

}  // namespace
}  // namespace td
