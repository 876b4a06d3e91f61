// src/glm/multinomial_kernels.cc — see multinomial_kernels.h. Lanes run over features (GCC
// vector extensions: one AVX-512 register, two AVX2 or four SSE ones, whatever the build
// targets), so every lane does useful work whatever the number of classes. No library header
// and no function with external linkage but the two below (see the header).
#include "glm/multinomial_kernels.h"

namespace td::glm::kernels {

namespace {

using V16 = float __attribute__((vector_size(64)));
constexpr int kClassBlock = 8;

float laneSum(V16 a) {
  float s = 0.0f;
  for (int l = 0; l < kLanes; ++l) s += a[l];
  return s;
}

// m0[c0 + c], m1[c0 + c] = x0, x1 · Zt row c0 + c, for NB classes (x1 may be null: one row).
template <int NB>
void marginsPair(const V16* x0, const V16* x1, std::int64_t cc, const V16* Zt, int c0, float* m0,
                 float* m1) {
  V16 a0[NB] = {}, a1[NB] = {};
  const V16* zt = Zt + static_cast<std::int64_t>(c0) * cc;
  if (x1) {
    for (std::int64_t q = 0; q < cc; ++q) {
      const V16 u = x0[q], v = x1[q];
      for (int c = 0; c < NB; ++c) {
        const V16 zc = zt[c * cc + q];
        a0[c] += u * zc;
        a1[c] += v * zc;
      }
    }
  } else {
    for (std::int64_t q = 0; q < cc; ++q) {
      const V16 u = x0[q];
      for (int c = 0; c < NB; ++c) a0[c] += u * zt[c * cc + q];
    }
  }
  for (int c = 0; c < NB; ++c) {
    m0[c0 + c] = laneSum(a0[c]);
    if (x1) m1[c0 + c] = laneSum(a1[c]);
  }
}

// Gt row c0 + c += Σ_r R[r·K + c0 + c]·x_r over the rows, for NB classes.
template <int NB>
void gradientRows(const V16* X, std::int64_t rows, const float* R, int K, int c0, std::int64_t cc,
                  V16* Gt) {
  for (std::int64_t q = 0; q < cc; ++q) {
    V16 a[NB] = {};
    for (std::int64_t r = 0; r < rows; ++r) {
      const V16 xv = X[r * cc + q];
      const float* rr = R + r * K + c0;
      for (int c = 0; c < NB; ++c) a[c] += rr[c] * xv;
    }
    for (int c = 0; c < NB; ++c) Gt[(c0 + c) * cc + q] += a[c];
  }
}

// Calls f.template operator()<NB>(c0) for each block of at most 8 classes.
template <class F>
void forClassBlocks(int K, F&& f) {
  for (int c0 = 0; c0 < K; c0 += kClassBlock) {
    const int nb = K - c0 < kClassBlock ? K - c0 : kClassBlock;
    switch (nb) {
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

}  // namespace

void stepMargins(const float* X, std::int64_t rows, std::int64_t cc, const float* Zt, int K,
                 float* M) {
  const auto* x = reinterpret_cast<const V16*>(X);
  const auto* zt = reinterpret_cast<const V16*>(Zt);
  for (std::int64_t r = 0; r < rows; r += 2) {
    const V16* x0 = x + r * cc;
    const V16* x1 = r + 1 < rows ? x0 + cc : nullptr;
    float* m0 = M + r * K;
    float* m1 = m0 + K;
    forClassBlocks(K, [&]<int NB>(int c0) { marginsPair<NB>(x0, x1, cc, zt, c0, m0, m1); });
  }
}

void stepGradient(const float* X, std::int64_t rows, std::int64_t cc, const float* R, int K,
                  float* Gt) {
  const auto* x = reinterpret_cast<const V16*>(X);
  auto* gt = reinterpret_cast<V16*>(Gt);
  forClassBlocks(K, [&]<int NB>(int c0) { gradientRows<NB>(x, rows, R, K, c0, cc, gt); });
}

}  // namespace td::glm::kernels
