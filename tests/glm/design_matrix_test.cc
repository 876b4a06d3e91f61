// tests/glm/design_matrix_test.cc — the kernels of the compact design matrix against a dense
// hand computation of Ã = [(X − 1μᵀ)/σ, 1], and the objective's derivatives.
#include "glm/design_matrix.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "glm/objective.h"

namespace td::glm {
namespace {

struct Data {
  std::shared_ptr<VectorColumn> X;
  std::vector<double> w;
  RowTotals t;
};

// n rows over d features, about `perRow` entries each (small integer counts), weights in
// [0, 2] with some zeros.
Data randomData(std::int64_t n, std::int64_t d, int perRow, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<std::int32_t> col(0, static_cast<std::int32_t>(d) - 1);
  std::uniform_int_distribution<int> count(1, 3);
  std::uniform_real_distribution<double> weight(0.0, 2.0);
  std::vector<std::int64_t> offsets{0};
  std::vector<std::int32_t> idx;
  std::vector<double> val;
  Data out;
  for (std::int64_t i = 0; i < n; ++i) {
    std::vector<char> used(static_cast<std::size_t>(d), 0);
    for (int p = 0; p < perRow; ++p) used[static_cast<std::size_t>(col(rng))] = 1;
    for (std::int64_t j = 0; j < d; ++j)
      if (used[static_cast<std::size_t>(j)]) {
        idx.push_back(static_cast<std::int32_t>(j));
        val.push_back(count(rng));
      }
    offsets.push_back(static_cast<std::int64_t>(idx.size()));
    const double wi = i % 7 == 3 ? 0.0 : weight(rng);
    out.w.push_back(wi);
    out.t.weightSum += wi;
    out.t.weightSqSum += wi * wi;
    if (wi > 0.0) ++out.t.positiveRows;
  }
  out.X = VectorColumn::sparse(d, std::move(offsets), std::move(idx), std::move(val));
  return out;
}

// Ã·a and Ãᵀr/W by hand, over the rows of positive weight (the others have no entries).
struct Dense {
  std::vector<std::vector<double>> A;  // n × dim
  Dense(const Data& D, const FeatureStats& s, const Scaling& sc) {
    const std::int64_t n = D.X->size();
    const auto dim = static_cast<std::size_t>(sc.dim());
    A.assign(static_cast<std::size_t>(n), std::vector<double>(dim, 0.0));
    for (std::int64_t i = 0; i < n; ++i)
      for (std::int64_t c = 0; c < sc.k; ++c) {
        const auto cu = static_cast<std::size_t>(c);
        const double x = D.w[static_cast<std::size_t>(i)] > 0.0 ? (*D.X)[i].at(s.active[cu]) : 0.0;
        A[static_cast<std::size_t>(i)][cu] = x / s.sigma[cu] - sc.scaledMean[cu];
      }
    if (sc.fitIntercept)
      for (auto& row : A) row.back() = 1.0;
  }
};

void checkKernels(const Data& D, bool fitIntercept, bool standardization) {
  FeatureStats stats;
  const auto M = DesignMatrix::build(*D.X, D.X->dim(), D.w, D.t, true, Reducer{}, stats);
  const Scaling sc = Scaling::make(stats, fitIntercept, standardization, Reducer{});
  const Dense dense(D, stats, sc);
  const auto n = static_cast<std::size_t>(D.X->size());
  const auto dim = static_cast<std::size_t>(sc.dim());
  std::mt19937 rng(5);
  std::normal_distribution<double> g;
  std::vector<double> a(dim), b(dim), r(n), out(n), grad(dim), diag(dim), D2(n);
  for (auto& v : a) v = g(rng);
  for (auto& v : b) v = g(rng);
  for (std::size_t i = 0; i < n; ++i) {
    r[i] = D.w[i] > 0.0 ? g(rng) : 0.0;
    D2[i] = D.w[i] > 0.0 ? std::abs(g(rng)) : 0.0;
  }
  auto ws = M->workspace();
  double fab = 0.0, faa = 0.0;
  M->multiply(sc, a.data(), b.data(), out.data(), fab, faa, ws);
  double efab = 0.0, efaa = 0.0;
  for (std::size_t c = 0; c < static_cast<std::size_t>(sc.k); ++c) {
    efab += sc.l2Factor[c] * a[c] * b[c];
    efaa += sc.l2Factor[c] * a[c] * a[c];
  }
  EXPECT_NEAR(fab, efab, 1e-9 * (1 + std::abs(efab)));
  EXPECT_NEAR(faa, efaa, 1e-9 * (1 + efaa));
  const double W = D.t.weightSum;
  double rSum = 0.0, dSum = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    double e = 0.0;
    for (std::size_t c = 0; c < dim; ++c) e += dense.A[i][c] * a[c];
    if (D.w[i] > 0.0) {
      EXPECT_NEAR(out[i], e, 1e-9 * (1 + std::abs(e))) << "row " << i;
    }
    rSum += r[i];
    dSum += D2[i];
  }
  const double lambda = 0.3;
  M->transposeMultiply(sc, r.data(), b.data(), W, rSum, lambda, grad.data());
  M->weightedSquares(sc, D2.data(), dSum, W, lambda, diag.data());
  for (std::size_t c = 0; c < dim; ++c) {
    double e = 0.0, ed = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      e += dense.A[i][c] * r[i];
      ed += D2[i] * dense.A[i][c] * dense.A[i][c];
    }
    const bool coef = c < static_cast<std::size_t>(sc.k);
    e = e / W + (coef ? lambda * sc.l2Factor[c] * b[c] : 0.0);
    ed = ed / W + (coef ? lambda * sc.l2Factor[c] : 0.0);
    EXPECT_NEAR(grad[c], e, 1e-9 * (1 + std::abs(e))) << "column " << c;
    EXPECT_NEAR(diag[c], ed, 1e-9 * (1 + std::abs(ed))) << "column " << c;
  }
}

TEST(GlmDesignMatrixTest, KernelsMatchADenseComputation) {
  const Data D = randomData(300, 40, 6, 1);
  checkKernels(D, true, true);
  checkKernels(D, true, false);
  checkKernels(D, false, true);
}

TEST(GlmDesignMatrixTest, WideMatrixKernelsMatchADenseComputation) {
  // More than 65,536 active columns: no row-major copy; X̃·v scatters column blocks.
  const Data D = randomData(12, 90000, 20000, 2);
  FeatureStats stats;
  const auto M = DesignMatrix::build(*D.X, D.X->dim(), D.w, D.t, true, Reducer{}, stats);
  ASSERT_GT(M->cols(), 65536);
  checkKernels(D, true, false);
}

TEST(GlmDesignMatrixTest, ToSparseKeepsTheVectors) {
  const auto X = VectorColumn::dense(2, 3, {0.0, 1.5, 0.0, -2.0, 0.0, 3.0});
  const auto S = toSparse(*X);
  ASSERT_FALSE(S->isDense());
  EXPECT_EQ(S->dim(), 3);
  for (std::int64_t i = 0; i < 2; ++i)
    for (std::int64_t j = 0; j < 3; ++j) EXPECT_EQ((*S)[i].at(j), (*X)[i].at(j));
  EXPECT_EQ((*S)[0].nnz, 1);
}

TEST(GlmObjectiveTest, SparseGradientAndHessianMatchFiniteDifferences) {
  const Data D = randomData(200, 25, 5, 3);
  std::vector<double> y(static_cast<std::size_t>(D.X->size()));
  for (std::size_t i = 0; i < y.size(); ++i) y[i] = (i * 7919) % 3 == 0 ? 1.0 : 0.0;
  Problem p;
  p.n = D.X->size();
  p.y = y.data();
  p.w = D.w.data();
  p.weightSum = D.t.weightSum;
  p.l2 = 0.05;
  const auto M = DesignMatrix::build(*D.X, D.X->dim(), D.w, D.t, true, Reducer{}, p.stats);
  p.scaling = Scaling::make(p.stats, true, false, Reducer{});
  SparseObjective<BinomialLogisticLoss> f(p, M);
  const auto dim = static_cast<std::size_t>(p.dim());
  std::vector<double> z(dim), grad(dim), gp(dim), gm(dim), v(dim), hv(dim), zp(dim), zm(dim);
  for (std::size_t c = 0; c < dim; ++c) {
    z[c] = 0.1 * std::sin(static_cast<double>(c));
    v[c] = std::cos(3.0 * static_cast<double>(c));
  }
  (void)f.evaluate(z.data(), grad.data());
  f.hessianVector(v.data(), hv.data());
  const double h = 1e-6;
  for (std::size_t c = 0; c < dim; ++c) {
    zp = z, zm = z;
    zp[c] += h, zm[c] -= h;
    const double fp = f.evaluate(zp.data(), gp.data());
    const double fd = (fp - f.evaluate(zm.data(), gm.data())) / (2 * h);
    EXPECT_NEAR(grad[c], fd, 1e-6) << "variable " << c;
  }
  for (std::size_t c = 0; c < dim; ++c) {
    zp[c] = z[c] + h * v[c];
    zm[c] = z[c] - h * v[c];
  }
  (void)f.evaluate(zp.data(), gp.data());
  (void)f.evaluate(zm.data(), gm.data());
  for (std::size_t c = 0; c < dim; ++c)
    EXPECT_NEAR(hv[c], (gp[c] - gm[c]) / (2 * h), 1e-6) << "variable " << c;
}

}  // namespace
}  // namespace td::glm
