// include/thunderdome/core/random.h
#pragma once

#include <cstdint>
#include <vector>

namespace td {

/// A small seeded PRNG (splitmix64) whose sequence is fixed by the seed on every platform, so
/// folds and splits are reproducible everywhere (std:: distributions are not).
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}
  /// Next 64 random bits.
  std::uint64_t next();
  /// Uniform double in [0, 1) with 53 random bits.
  double uniform();
  /// Uniform integer in [0, bound) without modulo bias; bound > 0.
  std::uint64_t below(std::uint64_t bound);

 private:
  std::uint64_t state_;
};

/// A seeded random permutation of 0..n-1 (Fisher-Yates with Rng).
std::vector<std::int64_t> randomPermutation(std::int64_t n, std::uint64_t seed);

}  // namespace td
