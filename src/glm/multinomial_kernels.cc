// src/glm/multinomial_kernels.cc — see multinomial_kernels.h. Lanes run over features (GCC
// vector extensions: one AVX-512 register, two AVX2 or four SSE ones, whatever the build
// targets), so every lane does useful work whatever the number of classes. No library header
// and no function with external linkage but the two below (see the header).
#include "glm/multinomial_kernels.h"

#if defined(__AVX512F__)
#include <immintrin.h>  // compiler intrinsics only (no inline library code)
#endif

// Without AVX-512 (TD_NATIVE_KERNELS=OFF) GCC notes that these internal 64-byte vectors would be
// passed differently with it: nothing here crosses an ABI boundary.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wpsabi"
#endif

namespace td::glm::kernels {

namespace {

using V16 = float __attribute__((vector_size(64)));
using I16 = int __attribute__((vector_size(64)));
constexpr int kClassBlock = 12;  // 2 rows x 12 classes: 24 accumulators (of 32 AVX-512 registers)

// The sum of the 16 lanes, as a tree of vector adds (halves, quarters, ...): a fixed order, and
// a few vector operations where a lane-by-lane sum is a chain of 16 dependent adds.
float laneSum(V16 a) {
  a += __builtin_shufflevector(a, a, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7);
  a += __builtin_shufflevector(a, a, 4, 5, 6, 7, 0, 1, 2, 3, 12, 13, 14, 15, 8, 9, 10, 11);
  a += __builtin_shufflevector(a, a, 2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13);
  a += __builtin_shufflevector(a, a, 1, 0, 3, 2, 5, 4, 7, 6, 9, 8, 11, 10, 13, 12, 15, 14);
  return a[0];
}

// Row storage: float32 chunks, or bytes (values 0..255 stored exactly, converted as loaded).
using U8x16 = std::uint8_t __attribute__((vector_size(16)));
struct FloatRows {
  using Chunk = V16;
  static V16 load(const Chunk* x, std::int64_t q) { return x[q]; }
};
struct ByteRows {
  using Chunk = U8x16;
  // Two vector instructions (zero extension, int -> float). GCC 12 converts lane by lane for
  // __builtin_convertvector from bytes, so AVX-512 builds name the two instructions.
  static V16 load(const Chunk* x, std::int64_t q) {
#if defined(__AVX512F__)
    return reinterpret_cast<V16>(_mm512_cvtepi32_ps(
        _mm512_cvtepu8_epi32(reinterpret_cast<__m128i>(x[q]))));
#else
    return __builtin_convertvector(__builtin_convertvector(x[q], I16), V16);
#endif
  }
};

// m0[c0 + c], m1[c0 + c] = x0, x1 · Zt row c0 + c, for NB classes (x1 may be null: one row).
template <class S, int NB>
void marginsPair(const typename S::Chunk* x0, const typename S::Chunk* x1, std::int64_t cc,
                 const V16* Zt, int c0, float* m0, float* m1) {
  V16 a0[NB] = {}, a1[NB] = {};
  const V16* zt = Zt + static_cast<std::int64_t>(c0) * cc;
  if (x1) {
    for (std::int64_t q = 0; q < cc; ++q) {
      const V16 u = S::load(x0, q), v = S::load(x1, q);
      for (int c = 0; c < NB; ++c) {
        const V16 zc = zt[c * cc + q];
        a0[c] += u * zc;
        a1[c] += v * zc;
      }
    }
  } else {
    for (std::int64_t q = 0; q < cc; ++q) {
      const V16 u = S::load(x0, q);
      for (int c = 0; c < NB; ++c) a0[c] += u * zt[c * cc + q];
    }
  }
  for (int c = 0; c < NB; ++c) {
    m0[c0 + c] = laneSum(a0[c]);
    if (x1) m1[c0 + c] = laneSum(a1[c]);
  }
}

// Gt row c0 + c += Σ_r R[r·K + c0 + c]·x_r over the rows, for NB classes.
template <class S, int NB>
void gradientRows(const typename S::Chunk* X, std::int64_t rows, const float* R, int K, int c0,
                  std::int64_t cc, V16* Gt) {
  for (std::int64_t q = 0; q < cc; ++q) {
    V16 a[NB] = {};
    for (std::int64_t r = 0; r < rows; ++r) {
      const V16 xv = S::load(X + r * cc, q);
      const float* rr = R + r * K + c0;
      for (int c = 0; c < NB; ++c) a[c] += rr[c] * xv;
    }
    for (int c = 0; c < NB; ++c) Gt[(c0 + c) * cc + q] += a[c];
  }
}

// Calls f.template operator()<NB>(c0) for each block of at most kClassBlock classes.
template <class F>
void forClassBlocks(int K, F&& f) {
  for (int c0 = 0; c0 < K; c0 += kClassBlock) {
    const int nb = K - c0 < kClassBlock ? K - c0 : kClassBlock;
    switch (nb) {
      case 12: f.template operator()<12>(c0); break;
      case 11: f.template operator()<11>(c0); break;
      case 10: f.template operator()<10>(c0); break;
      case 9: f.template operator()<9>(c0); break;
      case 8: f.template operator()<8>(c0); break;
      case 7: f.template operator()<7>(c0); break;
      case 6: f.template operator()<6>(c0); break;
      case 5: f.template operator()<5>(c0); break;
      case 4: f.template operator()<4>(c0); break;
      case 3: f.template operator()<3>(c0); break;
      case 2: f.template operator()<2>(c0); break;
      default: f.template operator()<1>(c0); break;
    }
  }
}


template <class S>
void margins(const typename S::Chunk* x, std::int64_t rows, std::int64_t cc, const float* Zt,
             int K, float* M) {
  const auto* zt = reinterpret_cast<const V16*>(Zt);
  for (std::int64_t r = 0; r < rows; r += 2) {
    const auto* x0 = x + r * cc;
    const auto* x1 = r + 1 < rows ? x0 + cc : nullptr;
    float* m0 = M + r * K;
    float* m1 = m0 + K;
    forClassBlocks(K, [&]<int NB>(int c0) { marginsPair<S, NB>(x0, x1, cc, zt, c0, m0, m1); });
  }
}

template <class S>
void gradient(const typename S::Chunk* x, std::int64_t rows, std::int64_t cc, const float* R,
              int K, float* Gt) {
  auto* gt = reinterpret_cast<V16*>(Gt);
  forClassBlocks(K, [&]<int NB>(int c0) { gradientRows<S, NB>(x, rows, R, K, c0, cc, gt); });
}

}  // namespace

void stepMargins(const float* X, std::int64_t rows, std::int64_t cc, const float* Zt, int K,
                 float* M) {
  margins<FloatRows>(reinterpret_cast<const V16*>(X), rows, cc, Zt, K, M);
}

void stepGradient(const float* X, std::int64_t rows, std::int64_t cc, const float* R, int K,
                  float* Gt) {
  gradient<FloatRows>(reinterpret_cast<const V16*>(X), rows, cc, R, K, Gt);
}

void stepMargins(const std::uint8_t* X, std::int64_t rows, std::int64_t cc, const float* Zt, int K,
                 float* M) {
  margins<ByteRows>(reinterpret_cast<const U8x16*>(X), rows, cc, Zt, K, M);
}

void stepGradient(const std::uint8_t* X, std::int64_t rows, std::int64_t cc, const float* R, int K,
                  float* Gt) {
  gradient<ByteRows>(reinterpret_cast<const U8x16*>(X), rows, cc, R, K, Gt);
}

}  // namespace td::glm::kernels
