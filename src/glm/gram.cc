// src/glm/gram.cc
#include "glm/gram.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace td::glm {
namespace {

// Portable: 4 x 8 tiles of G, rows innermost (the compiler vectorizes the j loop).
void gramBase(const double* A, const double* B, std::int64_t rows, std::int64_t stride,
              double* G) {
  for (std::int64_t i0 = 0; i0 < stride; i0 += 4) {
    for (std::int64_t j0 = i0 / 8 * 8; j0 < stride; j0 += 8) {
      double acc[4][8] = {};
      for (std::int64_t r = 0; r < rows; ++r) {
        const double* a = A + r * stride + i0;
        const double* b = B + r * stride + j0;
        for (int ii = 0; ii < 4; ++ii)
          for (int jj = 0; jj < 8; ++jj) acc[ii][jj] += a[ii] * b[jj];
      }
      for (int ii = 0; ii < 4; ++ii)
        for (int jj = 0; jj < 8; ++jj) G[(i0 + ii) * stride + j0 + jj] += acc[ii][jj];
    }
  }
}

#if defined(__x86_64__) || defined(__i386__)
// AVX2 + FMA: a 4 x 8 tile in 8 ymm accumulators; per row 2 loads of B, 4 broadcasts of A,
// 8 FMAs. A block of rows (a few hundred) stays in L2 across the tiles.
[[gnu::target("avx2,fma")]] void gramAvx2(const double* A, const double* B, std::int64_t rows,
                                          std::int64_t stride, double* G) {
  for (std::int64_t i0 = 0; i0 < stride; i0 += 4) {
    for (std::int64_t j0 = i0 / 8 * 8; j0 < stride; j0 += 8) {
      __m256d c00 = _mm256_setzero_pd(), c01 = _mm256_setzero_pd();
      __m256d c10 = _mm256_setzero_pd(), c11 = _mm256_setzero_pd();
      __m256d c20 = _mm256_setzero_pd(), c21 = _mm256_setzero_pd();
      __m256d c30 = _mm256_setzero_pd(), c31 = _mm256_setzero_pd();
      const double* a = A + i0;
      const double* b = B + j0;
      for (std::int64_t r = 0; r < rows; ++r, a += stride, b += stride) {
        const __m256d b0 = _mm256_loadu_pd(b), b1 = _mm256_loadu_pd(b + 4);
        __m256d x = _mm256_broadcast_sd(a);
        c00 = _mm256_fmadd_pd(x, b0, c00), c01 = _mm256_fmadd_pd(x, b1, c01);
        x = _mm256_broadcast_sd(a + 1);
        c10 = _mm256_fmadd_pd(x, b0, c10), c11 = _mm256_fmadd_pd(x, b1, c11);
        x = _mm256_broadcast_sd(a + 2);
        c20 = _mm256_fmadd_pd(x, b0, c20), c21 = _mm256_fmadd_pd(x, b1, c21);
        x = _mm256_broadcast_sd(a + 3);
        c30 = _mm256_fmadd_pd(x, b0, c30), c31 = _mm256_fmadd_pd(x, b1, c31);
      }
      double* g = G + i0 * stride + j0;
      const __m256d acc[4][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31}};
      for (int ii = 0; ii < 4; ++ii, g += stride) {
        _mm256_storeu_pd(g, _mm256_add_pd(_mm256_loadu_pd(g), acc[ii][0]));
        _mm256_storeu_pd(g + 4, _mm256_add_pd(_mm256_loadu_pd(g + 4), acc[ii][1]));
      }
    }
  }
}

const bool kAvx2Fma = [] {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") != 0 && __builtin_cpu_supports("fma") != 0;
}();
#endif

}  // namespace

void gramUpper(const double* A, const double* B, std::int64_t rows, std::int64_t stride,
               double* G) {
#if defined(__x86_64__) || defined(__i386__)
  if (kAvx2Fma) return gramAvx2(A, B, rows, stride, G);
#endif
  gramBase(A, B, rows, stride, G);
}

}  // namespace td::glm
