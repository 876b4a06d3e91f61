// include/thunderdome/feature/murmur3.h
#pragma once

#include <cstdint>
#include <string_view>

namespace td {

/// MurmurHash3 x86_32 of `bytes` with `seed`, read as a signed int32: the standard algorithm,
/// identical to Spark 3's `hashUnsafeBytes2`, Python's mmh3 and scikit-learn.
std::int32_t murmur3_x86_32(std::string_view bytes, std::uint32_t seed);

/// Spark 2.x's legacy variant (`hashUnsafeBytes`): each tail byte is sign-extended and mixed as
/// a full block. Equal to the standard hash when the length is a multiple of 4.
std::int32_t murmur3_x86_32_legacy(std::string_view bytes, std::uint32_t seed);

/// Java-style non-negative modulo: the HashingTF index of hash `h` among `n` buckets.
inline std::int64_t nonNegativeMod(std::int64_t h, std::int64_t n) {
  const std::int64_t r = h % n;
  return r < 0 ? r + n : r;
}

}  // namespace td
