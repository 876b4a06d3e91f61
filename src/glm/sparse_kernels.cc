// src/glm/sparse_kernels.cc — see sparse_kernels.h. No library header and no function with
// external linkage but those the header declares.
#include "glm/sparse_kernels.h"

#if defined(__AVX512F__) && defined(__AVX512VL__) && defined(__AVX512BW__)
#define TD_SPARSE_AVX512 1
#include <immintrin.h>  // compiler intrinsics only (no inline library code)
#else
#define TD_SPARSE_AVX512 0
#endif

namespace td::glm::kernels {

bool simd() { return TD_SPARSE_AVX512 != 0; }

namespace {

using i64 = std::int64_t;

// ---------------------------------------------------------------- scalar loops
// The loops of the builds without AVX-512 (four partial sums, entries q ≡ 0..3 mod 4 from the
// start of each segment or column), and of the short columns of the AVX-512 build.

template <class V>
double dotScalar(const Rows<V>& R, i64 i, const double* __restrict a) {
  const i64* __restrict rp = R.rp;
  const std::uint16_t* __restrict ci = R.ci;
  const V* __restrict rv = R.rv;
  const i64 P = R.P;
  double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
  for (i64 pp = 0; pp < P; ++pp) {
    const double* __restrict ap = a + (pp << 16);
    i64 p = rp[i * P + pp];
    const i64 pe = rp[i * P + pp + 1];
    for (; p + 4 <= pe; p += 4) {
      s0 += static_cast<double>(rv[p]) * ap[ci[p]];
      s1 += static_cast<double>(rv[p + 1]) * ap[ci[p + 1]];
      s2 += static_cast<double>(rv[p + 2]) * ap[ci[p + 2]];
      s3 += static_cast<double>(rv[p + 3]) * ap[ci[p + 3]];
    }
    if (p < pe) s0 += static_cast<double>(rv[p]) * ap[ci[p]];
    if (p + 1 < pe) s1 += static_cast<double>(rv[p + 1]) * ap[ci[p + 1]];
    if (p + 2 < pe) s2 += static_cast<double>(rv[p + 2]) * ap[ci[p + 2]];
  }
  return (s0 + s1) + (s2 + s3);
}

// acc[col] += val·h over row i: four loads are issued before their four stores (a row's
// columns are distinct: no store waits on a load it cannot alias).
template <class V>
void scatterScalar(const Rows<V>& R, i64 i, double h, double* __restrict acc) {
  const i64* __restrict rp = R.rp;
  const std::uint16_t* __restrict ci = R.ci;
  const V* __restrict rv = R.rv;
  const i64 P = R.P;
  for (i64 pp = 0; pp < P; ++pp) {
    double* __restrict ap = acc + (pp << 16);
    i64 p = rp[i * P + pp];
    const i64 pe = rp[i * P + pp + 1];
    for (; p + 4 <= pe; p += 4) {
      const std::uint16_t c0 = ci[p], c1 = ci[p + 1], c2 = ci[p + 2], c3 = ci[p + 3];
      const double x0 = ap[c0] + static_cast<double>(rv[p]) * h;
      const double x1 = ap[c1] + static_cast<double>(rv[p + 1]) * h;
      const double x2 = ap[c2] + static_cast<double>(rv[p + 2]) * h;
      const double x3 = ap[c3] + static_cast<double>(rv[p + 3]) * h;
      ap[c0] = x0, ap[c1] = x1, ap[c2] = x2, ap[c3] = x3;
    }
    for (; p < pe; ++p) ap[ci[p]] += static_cast<double>(rv[p]) * h;
  }
}

// sl[2·col] += d·val², sl[2·col+1] += d·val over row i: both sums of a column in one 16-byte
// pair (one load and one store an entry; AVX-512 gathers and scatters of the two halves measured
// slower).
template <class V>
void scatterPairs(const Rows<V>& R, i64 i, double d, double* __restrict sl) {
  const i64 P = R.P;
  for (i64 pp = 0; pp < P; ++pp) {
    double* __restrict sp = sl + 2 * (pp << 16);
    const i64 pe = R.rp[i * P + pp + 1];
    for (i64 p = R.rp[i * P + pp]; p < pe; ++p) {
      const double x = static_cast<double>(R.rv[p]);
      const double dx = d * x;
      double* __restrict q = sp + 2 * static_cast<i64>(R.ci[p]);
      q[0] += dx * x;
      q[1] += dx;
    }
  }
}

template <class I, class V>
double columnDotScalar(const I* __restrict ri, const V* __restrict cv, i64 p, i64 pe,
                       const double* __restrict rr) {
  double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
  for (; p + 4 <= pe; p += 4) {
    s0 += static_cast<double>(cv[p]) * rr[ri[p]];
    s1 += static_cast<double>(cv[p + 1]) * rr[ri[p + 1]];
    s2 += static_cast<double>(cv[p + 2]) * rr[ri[p + 2]];
    s3 += static_cast<double>(cv[p + 3]) * rr[ri[p + 3]];
  }
  if (p < pe) s0 += static_cast<double>(cv[p]) * rr[ri[p]];
  if (p + 1 < pe) s1 += static_cast<double>(cv[p + 1]) * rr[ri[p + 1]];
  if (p + 2 < pe) s2 += static_cast<double>(cv[p + 2]) * rr[ri[p + 2]];
  return (s0 + s1) + (s2 + s3);
}

template <class I, class V>
void columnScatterScalar(const I* __restrict ri, const V* __restrict cv, i64 p, i64 pe, double sc,
                         double* __restrict P) {
  for (; p < pe; ++p) P[ri[p]] += static_cast<double>(cv[p]) * sc;
}

template <class I, class V>
void columnSquaresScalar(const I* __restrict ri, const V* __restrict cv, i64 p, i64 pe,
                         const double* __restrict dd, double& s1, double& s2) {
  for (; p < pe; ++p) {
    const double x = static_cast<double>(cv[p]);
    const double dx = dd[ri[p]] * x;
    s1 += dx * x;
    s2 += dx;
  }
}

#if TD_SPARSE_AVX512
// ---------------------------------------------------------------- AVX-512
// 8 entries per vector: indices widened to 32 bits, values to double, as loaded; the tail of a
// row or column (1..7 entries) under a mask (masked-off lanes read nothing and add +0).

inline __m256i loadIdx(const std::uint16_t* p) {
  return _mm256_cvtepu16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
}
inline __m256i loadIdx(const std::uint16_t* p, __mmask8 m) {
  return _mm256_cvtepu16_epi32(_mm_maskz_loadu_epi16(m, p));
}
inline __m256i loadIdx(const std::int32_t* p) {
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
}
inline __m256i loadIdx(const std::int32_t* p, __mmask8 m) { return _mm256_maskz_loadu_epi32(m, p); }
inline __m512d loadVal(const float* p) { return _mm512_cvtps_pd(_mm256_loadu_ps(p)); }
inline __m512d loadVal(const float* p, __mmask8 m) {
  return _mm512_cvtps_pd(_mm256_maskz_loadu_ps(m, p));
}
inline __m512d loadVal(const double* p) { return _mm512_loadu_pd(p); }
inline __m512d loadVal(const double* p, __mmask8 m) { return _mm512_maskz_loadu_pd(m, p); }
inline __mmask8 tailMask(i64 n) { return static_cast<__mmask8>((1u << n) - 1u); }  // n in 1..7

// The sum of the 8 lanes in a fixed tree order: halves, then quarters, then pairs (what
// _mm512_reduce_add_pd does, without GCC 12's false -Wuninitialized inside it).
inline double laneSum(__m512d v) {
  return ((v[0] + v[4]) + (v[2] + v[6])) + ((v[1] + v[5]) + (v[3] + v[7]));
}

// s0/s1 += x[q]·a[idx[q]] over [p, pe): entries 16j..16j+7 into s0, 16j+8..16j+15 into s1 (two
// chains: the FMA latency), a last 8 into s0, a tail of 1..7 into s1.
template <class I, class V>
inline void gatherDot(const I* __restrict idx, const V* __restrict x, i64 p, i64 pe,
                      const double* __restrict a, __m512d& s0, __m512d& s1) {
  for (; p + 16 <= pe; p += 16) {
    s0 = _mm512_fmadd_pd(loadVal(x + p), _mm512_i32gather_pd(loadIdx(idx + p), a, 8), s0);
    s1 = _mm512_fmadd_pd(loadVal(x + p + 8), _mm512_i32gather_pd(loadIdx(idx + p + 8), a, 8), s1);
  }
  if (p + 8 <= pe) {
    s0 = _mm512_fmadd_pd(loadVal(x + p), _mm512_i32gather_pd(loadIdx(idx + p), a, 8), s0);
    p += 8;
  }
  if (p < pe) {
    const __mmask8 m = tailMask(pe - p);
    const __m512d g = _mm512_mask_i32gather_pd(_mm512_setzero_pd(), m, loadIdx(idx + p, m), a, 8);
    s1 = _mm512_fmadd_pd(loadVal(x + p, m), g, s1);
  }
}

// acc[idx[q]] += x[q]·h over [p, pe) (distinct indices: one gather and one scatter per 8).
template <class I, class V>
inline void scatterAdd(const I* __restrict idx, const V* __restrict x, i64 p, i64 pe, __m512d h,
                       double* acc) {
  for (; p + 8 <= pe; p += 8) {
    const __m256i j = loadIdx(idx + p);
    const __m512d v = _mm512_fmadd_pd(loadVal(x + p), h, _mm512_i32gather_pd(j, acc, 8));
    _mm512_i32scatter_pd(acc, j, v, 8);
  }
  if (p < pe) {
    const __mmask8 m = tailMask(pe - p);
    const __m256i j = loadIdx(idx + p, m);
    const __m512d v = _mm512_fmadd_pd(loadVal(x + p, m), h,
                                      _mm512_mask_i32gather_pd(_mm512_setzero_pd(), m, j, acc, 8));
    _mm512_mask_i32scatter_pd(acc, m, j, v, 8);
  }
}

template <class V>
double dot(const Rows<V>& R, i64 i, const double* a) {
  __m512d s0 = _mm512_setzero_pd(), s1 = _mm512_setzero_pd();
  const i64 P = R.P;
  for (i64 pp = 0; pp < P; ++pp)
    gatherDot(R.ci, R.rv, R.rp[i * P + pp], R.rp[i * P + pp + 1], a + (pp << 16), s0, s1);
  return laneSum(_mm512_add_pd(s0, s1));
}


// Columns shorter than this take the scalar loop (a gather has a fixed cost; hashed text at
// 2^18 has ~100 k columns of one to three entries).
constexpr i64 kMinSimdColumn = 8;

template <class I, class V>
double columnDot(const I* ri, const V* cv, i64 p, i64 pe, const double* rr) {
  if (pe - p < kMinSimdColumn) return columnDotScalar(ri, cv, p, pe, rr);
  __m512d s0 = _mm512_setzero_pd(), s1 = _mm512_setzero_pd();
  gatherDot(ri, cv, p, pe, rr, s0, s1);
  return laneSum(_mm512_add_pd(s0, s1));
}

template <class I, class V>
void columnScatter(const I* ri, const V* cv, i64 p, i64 pe, double sc, double* P) {
  if (pe - p < kMinSimdColumn) return columnScatterScalar(ri, cv, p, pe, sc, P);
  scatterAdd(ri, cv, p, pe, _mm512_set1_pd(sc), P);
}

template <class I, class V>
void columnSquares(const I* ri, const V* cv, i64 p, i64 pe, const double* dd, double& s1,
                   double& s2) {
  if (pe - p < kMinSimdColumn) return columnSquaresScalar(ri, cv, p, pe, dd, s1, s2);
  __m512d a1 = _mm512_setzero_pd(), a2 = _mm512_setzero_pd();
  for (; p < pe; p += 8) {
    const __mmask8 m = pe - p >= 8 ? static_cast<__mmask8>(0xFF) : tailMask(pe - p);
    const __m512d x = loadVal(cv + p, m);
    const __m512d dx = _mm512_mul_pd(
        x, _mm512_mask_i32gather_pd(_mm512_setzero_pd(), m, loadIdx(ri + p, m), dd, 8));
    a1 = _mm512_fmadd_pd(dx, x, a1);
    a2 = _mm512_add_pd(a2, dx);
  }
  s1 = laneSum(a1);
  s2 = laneSum(a2);
}

#else  // the scalar loops

template <class V>
double dot(const Rows<V>& R, i64 i, const double* a) {
  return dotScalar(R, i, a);
}
template <class I, class V>
double columnDot(const I* ri, const V* cv, i64 p, i64 pe, const double* rr) {
  return columnDotScalar(ri, cv, p, pe, rr);
}
template <class I, class V>
void columnScatter(const I* ri, const V* cv, i64 p, i64 pe, double sc, double* P) {
  columnScatterScalar(ri, cv, p, pe, sc, P);
}
template <class I, class V>
void columnSquares(const I* ri, const V* cv, i64 p, i64 pe, const double* dd, double& s1,
                   double& s2) {
  columnSquaresScalar(ri, cv, p, pe, dd, s1, s2);
}

#endif

// ---------------------------------------------------------------- the range loops
// A row's scatter stays scalar in every build: consecutive rows hit the same (frequent)
// columns, and a gather that follows a scatter to the same address waits for it, where a scalar
// load takes the value from the store (the AVX-512 scatter measured up to 1.25 of the scalar
// loop's time for X̃ᵀr by rows; bench/README.md).
template <class V>
void scatter(const Rows<V>& R, i64 i, double h, double* acc) {
  scatterScalar(R, i, h, acc);
}

template <class V>
void rowDotsT(const Rows<V>& R, i64 i0, i64 i1, const double* a, double off, double* out) {
  for (i64 i = i0; i < i1; ++i) out[i] = dot(R, i, a) + off;
}

template <class V>
double rowHessianT(const Rows<V>& R, i64 i0, i64 i1, const double* a, double off, const double* D,
                   double* h, double* acc) {
  double hs = 0.0;
  if (h == nullptr) {
    for (i64 i = i0; i < i1; ++i) {
      const double hi = D[i] * (dot(R, i, a) + off);  // (D·Ãv)_i, the row still in L1
      hs += hi;
      if (hi != 0.0) scatter(R, i, hi, acc);
    }
    return hs;
  }
  for (i64 i = i0; i < i1; ++i) {
    h[i] = D[i] * (dot(R, i, a) + off);
    hs += h[i];
  }
  for (i64 i = i0; i < i1; ++i)
    if (h[i] != 0.0) scatter(R, i, h[i], acc);
  return hs;
}

template <class V>
void rowScatterT(const Rows<V>& R, i64 i0, i64 i1, const double* r, double* acc) {
  for (i64 i = i0; i < i1; ++i)
    if (r[i] != 0.0) scatter(R, i, r[i], acc);
}

template <class V>
void rowScatter2T(const Rows<V>& R, i64 i0, i64 i1, const double* D, double* sl) {
  for (i64 i = i0; i < i1; ++i)
    if (D[i] != 0.0) scatterPairs(R, i, D[i], sl);
}

template <class I, class V>
void multiplyColumnsT(const Cols<I, V>& X, const ColScaling& s, const double* __restrict a,
                      const double* __restrict b, i64 c0, i64 c1, double* __restrict P,
                      double* __restrict sums) {
  double sMu = 0.0, sAB = 0.0, sAA = 0.0;
  for (i64 c = c0; c < c1; ++c) {
    const double ac = a[c];
    if (ac == 0.0) continue;
    const double fa = s.lf[c] * ac;
    sMu += ac * s.mu[c];
    sAB += fa * b[c];
    sAA += fa * ac;
    columnScatter(X.ri, X.cv, X.cp[c], X.cp[c + 1], ac * s.inv[c], P);
  }
  sums[0] = sMu, sums[1] = sAB, sums[2] = sAA;
}

template <class I, class V>
void gradientColumnsT(const Cols<I, V>& X, const ColScaling& s, const double* __restrict r,
                      const double* __restrict z, double W, double meanResid, double lambda, i64 c0,
                      i64 c1, double* __restrict grad) {
  for (i64 c = c0; c < c1; ++c) {
    const double sum = columnDot(X.ri, X.cv, X.cp[c], X.cp[c + 1], r) * s.inv[c];
    double g = sum / W - s.mu[c] * meanResid;
    if (lambda != 0.0) g += lambda * s.lf[c] * z[c];
    grad[c] = g;
  }
}

template <class I, class V>
void diagonalColumnsT(const Cols<I, V>& X, const ColScaling& s, const double* __restrict D,
                      double dSum, double W, double lambda, i64 c0, i64 c1,
                      double* __restrict out) {
  for (i64 c = c0; c < c1; ++c) {
    double s1 = 0.0, s2 = 0.0;
    columnSquares(X.ri, X.cv, X.cp[c], X.cp[c + 1], D, s1, s2);
    const double iv = s.inv[c], mu = s.mu[c];
    out[c] = (iv * iv * s1 - 2.0 * mu * iv * s2 + mu * mu * dSum) / W + lambda * s.lf[c];
  }
}

}  // namespace

// ---------------------------------------------------------------- the declared overloads
#define TD_SPARSE_ROW_KERNELS(V)                                                             \
  void rowDots(const Rows<V>& R, i64 i0, i64 i1, const double* a, double off, double* out) { \
    rowDotsT(R, i0, i1, a, off, out);                                                        \
  }                                                                                          \
  double rowHessian(const Rows<V>& R, i64 i0, i64 i1, const double* a, double off,           \
                    const double* D, double* h, double* acc) {                               \
    return rowHessianT(R, i0, i1, a, off, D, h, acc);                                        \
  }                                                                                          \
  void rowScatter(const Rows<V>& R, i64 i0, i64 i1, const double* r, double* acc) {          \
    rowScatterT(R, i0, i1, r, acc);                                                          \
  }                                                                                          \
  void rowScatter2(const Rows<V>& R, i64 i0, i64 i1, const double* D, double* sl) {          \
    rowScatter2T(R, i0, i1, D, sl);                                                          \
  }
TD_SPARSE_ROW_KERNELS(float)
TD_SPARSE_ROW_KERNELS(double)
#undef TD_SPARSE_ROW_KERNELS

#define TD_SPARSE_COLUMN_KERNELS(I, V)                                                             \
  void multiplyColumns(const Cols<I, V>& X, const ColScaling& s, const double* a, const double* b, \
                       i64 c0, i64 c1, double* P, double* sums) {                                  \
    multiplyColumnsT(X, s, a, b, c0, c1, P, sums);                                                 \
  }                                                                                                \
  void gradientColumns(const Cols<I, V>& X, const ColScaling& s, const double* r, const double* z, \
                       double W, double meanResid, double lambda, i64 c0, i64 c1, double* grad) {  \
    gradientColumnsT(X, s, r, z, W, meanResid, lambda, c0, c1, grad);                              \
  }                                                                                                \
  void diagonalColumns(const Cols<I, V>& X, const ColScaling& s, const double* D, double dSum,     \
                       double W, double lambda, i64 c0, i64 c1, double* out) {                     \
    diagonalColumnsT(X, s, D, dSum, W, lambda, c0, c1, out);                                       \
  }
TD_SPARSE_COLUMN_KERNELS(std::uint16_t, float)
TD_SPARSE_COLUMN_KERNELS(std::uint16_t, double)
TD_SPARSE_COLUMN_KERNELS(std::int32_t, float)
TD_SPARSE_COLUMN_KERNELS(std::int32_t, double)
#undef TD_SPARSE_COLUMN_KERNELS

}  // namespace td::glm::kernels
