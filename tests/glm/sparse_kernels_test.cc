// tests/glm/sparse_kernels_test.cc — the design matrix's inner loops (glm/sparse_kernels.h:
// AVX-512 gathers and scatters where the build has them) against plain loops, on random sparse
// data whose rows and columns have every length 0..17 (the vector tails) and some longer ones.
#include "glm/sparse_kernels.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <random>
#include <vector>

namespace td::glm::kernels {
namespace {

// A random sparse matrix stored both ways: rows (16-bit column indices within panels of 65,536
// columns) and columns (row indices of type I).
template <class V>
struct Sparse {
  std::int64_t n = 0, k = 0, P = 1;
  std::vector<std::vector<std::pair<std::int64_t, double>>> rowEntries;  // (column, value)
  std::vector<std::int64_t> rp{0};
  std::vector<std::uint16_t> ci;
  std::vector<V> rv;
  std::vector<std::int64_t> cp;
  std::vector<std::int32_t> ri32;
  std::vector<std::uint16_t> ri16;
  std::vector<V> cv;

  // byColumns: column c has c mod 18 entries, every 5th column 40..79 (rows: what follows);
  // else row i has i mod 18 entries, every 7th row 40..59 (the 16-entry loop).
  Sparse(std::int64_t rows, std::int64_t cols, std::uint32_t seed, bool byColumns = false)
      : n(rows), k(cols) {
    P = (k + 65535) / 65536;
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> val(-2.0, 3.0);
    rowEntries.resize(static_cast<std::size_t>(n));
    auto pick = [&](std::int64_t m, std::int64_t len) {  // len distinct of 0..m-1, ascending
      std::vector<std::int64_t> all(static_cast<std::size_t>(m));
      std::iota(all.begin(), all.end(), 0);
      std::shuffle(all.begin(), all.end(), rng);
      std::vector<std::int64_t> c(all.begin(), all.begin() + std::min(len, m));
      std::sort(c.begin(), c.end());
      return c;
    };
    if (byColumns) {
      for (std::int64_t c = 0; c < k; ++c)  // columns in order: each row's stay ascending
        for (auto i : pick(n, c % 5 == 4 ? 40 + c % 40 : c % 18))
          rowEntries[static_cast<std::size_t>(i)].emplace_back(
              c, static_cast<double>(static_cast<V>(val(rng))));
    } else {
      for (std::int64_t i = 0; i < n; ++i) {
        std::vector<std::int64_t> c = pick(k, i % 7 == 6 ? 40 + i % 20 : i % 18);
        if (P > 1 && c.size() > 2) {  // entries in the last panel too
          c[0] = k - 1, c[1] = 65536 + i % 5;
          std::sort(c.begin(), c.end());
          c.erase(std::unique(c.begin(), c.end()), c.end());
        }
        for (auto j : c)
          rowEntries[static_cast<std::size_t>(i)].emplace_back(
              j, static_cast<double>(static_cast<V>(val(rng))));
      }
    }
    for (std::int64_t i = 0; i < n; ++i) {
      for (std::int64_t p = 0; p < P; ++p) {
        for (auto [j, x] : rowEntries[static_cast<std::size_t>(i)])
          if (j >> 16 == p)
            ci.push_back(static_cast<std::uint16_t>(j & 0xFFFF)), rv.push_back(static_cast<V>(x));
        rp.push_back(static_cast<std::int64_t>(ci.size()));
      }
    }
    std::vector<std::vector<std::pair<std::int64_t, double>>> colEntries(
        static_cast<std::size_t>(k));
    for (std::int64_t i = 0; i < n; ++i)
      for (auto [j, x] : rowEntries[static_cast<std::size_t>(i)])
        colEntries[static_cast<std::size_t>(j)].emplace_back(i, x);
    cp.push_back(0);
    for (const auto& col : colEntries) {
      for (auto [i, x] : col) {
        ri32.push_back(static_cast<std::int32_t>(i));
        ri16.push_back(static_cast<std::uint16_t>(i));
        cv.push_back(static_cast<V>(x));
      }
      cp.push_back(static_cast<std::int64_t>(cv.size()));
    }
  }
  [[nodiscard]] Rows<V> rows() const { return {rp.data(), ci.data(), rv.data(), P}; }
};

std::vector<double> randomVector(std::int64_t m, std::uint32_t seed, double zeroShare = 0.0) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> g;
  std::uniform_real_distribution<double> u;
  std::vector<double> v(static_cast<std::size_t>(m));
  for (auto& x : v) x = u(rng) < zeroShare ? 0.0 : g(rng);
  return v;
}

// |got − want| within rounding of a sum whose terms have absolute sum `scale`.
void expectClose(double got, double want, double scale, const char* what, std::int64_t at) {
  EXPECT_NEAR(got, want, 1e-13 * (scale + 1.0)) << what << " at " << at;
}

template <class V>
void checkRowKernels(std::int64_t n, std::int64_t k, std::uint32_t seed) {
  SCOPED_TRACE(testing::Message() << "n " << n << ", k " << k << ", value bytes " << sizeof(V));
  const Sparse<V> S(n, k, seed);
  const auto R = S.rows();
  const auto a = randomVector(k, seed + 1);
  const auto D = randomVector(n, seed + 2, 0.2);  // some rows of weight 0: not scattered
  const double off = 0.25;
  // Plain loops.
  std::vector<double> dot(static_cast<std::size_t>(n)), dotScale(dot.size());
  std::vector<double> hess(static_cast<std::size_t>(k), 0.0), sq(hess), lin(hess), scat(hess);
  double hs = 0.0;
  for (std::int64_t i = 0; i < n; ++i) {
    const auto iu = static_cast<std::size_t>(i);
    double s = 0.0, sa = 0.0;
    for (auto [j, x] : S.rowEntries[iu])
      s += x * a[static_cast<std::size_t>(j)], sa += std::abs(x * a[static_cast<std::size_t>(j)]);
    dot[iu] = s + off, dotScale[iu] = sa;
    const double h = D[iu] * dot[iu];
    hs += h;
    for (auto [j, x] : S.rowEntries[iu]) {
      const auto ju = static_cast<std::size_t>(j);
      hess[ju] += x * h;
      sq[ju] += D[iu] * x * x;
      lin[ju] += D[iu] * x;
      scat[ju] += x * D[iu];
    }
  }
  std::vector<double> out(static_cast<std::size_t>(n));
  rowDots(R, 0, n, a.data(), off, out.data());
  for (std::int64_t i = 0; i < n; ++i)
    expectClose(out[static_cast<std::size_t>(i)], dot[static_cast<std::size_t>(i)],
                dotScale[static_cast<std::size_t>(i)], "rowDots", i);
  for (double* h : {static_cast<double*>(nullptr), out.data()}) {  // fused, then two sweeps
    std::vector<double> acc(static_cast<std::size_t>(k), 0.0);
    const double got = rowHessian(R, 0, n, a.data(), off, D.data(), h, acc.data());
    EXPECT_NEAR(got, hs, 1e-11);
    for (std::int64_t c = 0; c < k; ++c)
      expectClose(acc[static_cast<std::size_t>(c)], hess[static_cast<std::size_t>(c)], 100.0,
                  "rowHessian", c);
  }
  std::vector<double> acc(static_cast<std::size_t>(k), 0.0);
  rowScatter(R, 0, n, D.data(), acc.data());
  for (std::int64_t c = 0; c < k; ++c)
    expectClose(acc[static_cast<std::size_t>(c)], scat[static_cast<std::size_t>(c)], 100.0,
                "rowScatter", c);
  std::vector<double> pairs(2 * static_cast<std::size_t>(k), 0.0);  // (sq, lin) per column
  rowScatter2(R, 0, n, D.data(), pairs.data());
  for (std::int64_t c = 0; c < k; ++c) {
    expectClose(pairs[2 * static_cast<std::size_t>(c)], sq[static_cast<std::size_t>(c)], 100.0,
                "rowScatter2 sq", c);
    expectClose(pairs[2 * static_cast<std::size_t>(c) + 1], lin[static_cast<std::size_t>(c)], 100.0,
                "rowScatter2 lin", c);
  }
}

template <class I, class V>
void checkColumnKernels(const Sparse<V>& S, const std::vector<I>& ri, std::uint32_t seed) {
  SCOPED_TRACE(testing::Message() << "index bytes " << sizeof(I) << ", value bytes " << sizeof(V));
  const std::int64_t n = S.n, k = S.k;
  const Cols<I, V> X{S.cp.data(), ri.data(), S.cv.data()};
  const auto inv = randomVector(k, seed + 3), lf = randomVector(k, seed + 4),
             mu = randomVector(k, seed + 5);
  const ColScaling sc{inv.data(), lf.data(), mu.data()};
  const auto a = randomVector(k, seed + 6, 0.1), b = randomVector(k, seed + 7),
             z = randomVector(k, seed + 8), r = randomVector(n, seed + 9);
  const double W = 7.5, meanResid = 0.125, lambda = 0.01, dSum = 3.0;
  // Plain loops; columns in two ranges (the kernels' blocks).
  std::vector<double> P(static_cast<std::size_t>(n), 0.0), grad(static_cast<std::size_t>(k)),
      diag(grad);
  double sMu = 0.0, sAB = 0.0, sAA = 0.0;
  for (std::int64_t c = 0; c < k; ++c) {
    const auto cu = static_cast<std::size_t>(c);
    double s = 0.0, s1 = 0.0, s2 = 0.0;
    for (std::int64_t p = S.cp[cu]; p < S.cp[cu + 1]; ++p) {
      const auto i = static_cast<std::size_t>(ri[static_cast<std::size_t>(p)]);
      const double x = static_cast<double>(S.cv[static_cast<std::size_t>(p)]);
      s += x * r[i];
      s1 += r[i] * x * x;  // r as D
      s2 += r[i] * x;
      if (a[cu] != 0.0) P[i] += x * a[cu] * inv[cu];
    }
    if (a[cu] != 0.0)
      sMu += a[cu] * mu[cu], sAB += lf[cu] * a[cu] * b[cu], sAA += lf[cu] * a[cu] * a[cu];
    grad[cu] = s * inv[cu] / W - mu[cu] * meanResid + lambda * lf[cu] * z[cu];
    diag[cu] = (inv[cu] * inv[cu] * s1 - 2.0 * mu[cu] * inv[cu] * s2 + mu[cu] * mu[cu] * dSum) / W +
               lambda * lf[cu];
  }
  const std::int64_t mid = k / 3;
  std::vector<double> gotP(P.size(), 0.0), gotGrad(grad.size()), gotDiag(diag.size());
  double sums[2][3];
  multiplyColumns(X, sc, a.data(), b.data(), 0, mid, gotP.data(), sums[0]);
  multiplyColumns(X, sc, a.data(), b.data(), mid, k, gotP.data(), sums[1]);
  EXPECT_NEAR(sums[0][0] + sums[1][0], sMu, 1e-10);
  EXPECT_NEAR(sums[0][1] + sums[1][1], sAB, 1e-10);
  EXPECT_NEAR(sums[0][2] + sums[1][2], sAA, 1e-10);
  for (std::int64_t i = 0; i < n; ++i)
    expectClose(gotP[static_cast<std::size_t>(i)], P[static_cast<std::size_t>(i)], 1e3,
                "multiplyColumns", i);
  gradientColumns(X, sc, r.data(), z.data(), W, meanResid, lambda, 0, mid, gotGrad.data());
  gradientColumns(X, sc, r.data(), z.data(), W, meanResid, lambda, mid, k, gotGrad.data());
  diagonalColumns(X, sc, r.data(), dSum, W, lambda, 0, mid, gotDiag.data());
  diagonalColumns(X, sc, r.data(), dSum, W, lambda, mid, k, gotDiag.data());
  for (std::int64_t c = 0; c < k; ++c) {
    expectClose(gotGrad[static_cast<std::size_t>(c)], grad[static_cast<std::size_t>(c)], 1e3,
                "gradientColumns", c);
    expectClose(gotDiag[static_cast<std::size_t>(c)], diag[static_cast<std::size_t>(c)], 1e3,
                "diagonalColumns", c);
  }
}

TEST(GlmSparseKernelsTest, RowKernelsMatchPlainLoops) {
  for (std::int64_t k : {1, 7, 9, 17, 1003}) {  // k not a multiple of 8
    checkRowKernels<float>(133, k, 11 + static_cast<std::uint32_t>(k));
    checkRowKernels<double>(133, k, 12 + static_cast<std::uint32_t>(k));
  }
  checkRowKernels<float>(61, 65536 + 37, 13);  // two panels of columns
}

TEST(GlmSparseKernelsTest, ColumnKernelsMatchPlainLoops) {
  for (std::int64_t k : {3, 36, 1001}) {  // columns of every length 0..17, some of 40..79
    const Sparse<float> F(301, k, 21 + static_cast<std::uint32_t>(k), true);
    checkColumnKernels(F, F.ri16, 5);
    checkColumnKernels(F, F.ri32, 6);
    const Sparse<double> G(301, k, 22 + static_cast<std::uint32_t>(k), true);
    checkColumnKernels(G, G.ri16, 7);
    checkColumnKernels(G, G.ri32, 8);
  }
}

TEST(GlmSparseKernelsTest, ColumnLengthsCoverTheTails) {
  // The data above has columns of every length 0..17 (the scalar/vector switch and the tails).
  const Sparse<float> F(301, 36, 50, true);
  std::vector<bool> seen(18, false);
  for (std::size_t c = 0; c + 1 < F.cp.size(); ++c) {
    const auto len = F.cp[c + 1] - F.cp[c];
    if (len < 18) seen[static_cast<std::size_t>(len)] = true;
  }
  for (std::size_t len = 0; len < 18; ++len)
    EXPECT_TRUE(seen[len]) << "no column of length " << len;
}

}  // namespace
}  // namespace td::glm::kernels
