// src/feature/murmur3.cc
#include "thunderdome/feature/murmur3.h"

#include <cstring>

namespace td {

namespace {

inline std::uint32_t rotl(std::uint32_t x, int r) { return (x << r) | (x >> (32 - r)); }

inline std::uint32_t mixK1(std::uint32_t k1) {
  k1 *= 0xcc9e2d51U;
  k1 = rotl(k1, 15);
  return k1 * 0x1b873593U;
}

inline std::uint32_t mixH1(std::uint32_t h1, std::uint32_t k1) {
  h1 ^= k1;
  h1 = rotl(h1, 13);
  return h1 * 5U + 0xe6546b64U;
}

inline std::uint32_t fmix(std::uint32_t h1, std::uint32_t length) {
  h1 ^= length;
  h1 ^= h1 >> 16;
  h1 *= 0x85ebca6bU;
  h1 ^= h1 >> 13;
  h1 *= 0xc2b2ae35U;
  h1 ^= h1 >> 16;
  return h1;
}

// The 4-byte little-endian blocks, shared by both variants.
inline std::uint32_t hashBlocks(const unsigned char* data, std::size_t nblocks, std::uint32_t h1) {
  for (std::size_t i = 0; i < nblocks; ++i) {
    const unsigned char* p = data + 4 * i;
    const std::uint32_t k1 = static_cast<std::uint32_t>(p[0]) |
                             (static_cast<std::uint32_t>(p[1]) << 8) |
                             (static_cast<std::uint32_t>(p[2]) << 16) |
                             (static_cast<std::uint32_t>(p[3]) << 24);
    h1 = mixH1(h1, mixK1(k1));
  }
  return h1;
}

}  // namespace

std::int32_t murmur3_x86_32(std::string_view bytes, std::uint32_t seed) {
  const auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
  const std::size_t len = bytes.size();
  const std::size_t nblocks = len / 4;
  std::uint32_t h1 = hashBlocks(data, nblocks, seed);
  const unsigned char* tail = data + nblocks * 4;
  std::uint32_t k1 = 0;
  switch (len & 3U) {
    case 3: k1 ^= static_cast<std::uint32_t>(tail[2]) << 16; [[fallthrough]];
    case 2: k1 ^= static_cast<std::uint32_t>(tail[1]) << 8; [[fallthrough]];
    case 1:
      k1 ^= static_cast<std::uint32_t>(tail[0]);
      h1 ^= mixK1(k1);
      break;
    default: break;
  }
  return static_cast<std::int32_t>(fmix(h1, static_cast<std::uint32_t>(len)));
}

std::int32_t murmur3_x86_32_legacy(std::string_view bytes, std::uint32_t seed) {
  const auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
  const std::size_t len = bytes.size();
  const std::size_t nblocks = len / 4;
  std::uint32_t h1 = hashBlocks(data, nblocks, seed);
  for (std::size_t i = nblocks * 4; i < len; ++i) {
    const auto signedByte = static_cast<std::int32_t>(static_cast<signed char>(data[i]));
    h1 = mixH1(h1, mixK1(static_cast<std::uint32_t>(signedByte)));
  }
  return static_cast<std::int32_t>(fmix(h1, static_cast<std::uint32_t>(len)));
}

}  // namespace td
