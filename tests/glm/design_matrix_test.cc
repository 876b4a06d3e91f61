// tests/glm/design_matrix_test.cc — the kernels of the compact design matrix against a dense
// hand computation of Ã = [(X − 1μᵀ)/σ, 1], and the objective's derivatives.
#include "glm/design_matrix.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include <tbb/task_arena.h>

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
    std::vector<std::int32_t> used(static_cast<std::size_t>(perRow));
    for (auto& j : used) j = col(rng);
    std::sort(used.begin(), used.end());
    used.erase(std::unique(used.begin(), used.end()), used.end());
    for (const std::int32_t j : used) {
      idx.push_back(j);
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

// The problem of D's rows with labels y and L2 weight l2 (its stats and scaling come later).
Problem problemOf(const Data& D, const std::vector<double>& y, double l2) {
  Problem p;
  p.n = D.X->size();
  p.y = y.data();
  p.w = D.w.data();
  p.weightSum = D.t.weightSum;
  p.l2 = l2;
  return p;
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

using Layout = DesignMatrix::Layout;

void checkKernels(const Data& D, bool fitIntercept, bool standardization,
                  Layout layout = Layout::Auto, bool merge = false) {
  FeatureStats stats;
  const auto M =
      DesignMatrix::build(*D.X, D.X->dim(), D.w, D.t, true, Reducer{}, stats, layout, merge);
  if (merge) {
    EXPECT_TRUE(stats.merged());  // the data below has groups
  }
  if (layout != Layout::Auto) {
    EXPECT_EQ(M->rowLayout(), layout == Layout::Rows);
  }
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
  M->transposeMultiply(sc, r.data(), b.data(), W, rSum, lambda, grad.data(), ws);
  M->weightedSquares(sc, D2.data(), dSum, W, lambda, diag.data(), ws);
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
  if (!M->rowLayout()) return;
  // The fused product ÃᵀDÃa/W + λ f a.
  std::vector<double> hv(dim), Aa(n);
  M->hessianProduct(sc, a.data(), D2.data(), W, lambda, hv.data(), ws);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t c = 0; c < dim; ++c) Aa[i] += dense.A[i][c] * a[c];
  for (std::size_t c = 0; c < dim; ++c) {
    double e = 0.0;
    for (std::size_t i = 0; i < n; ++i) e += dense.A[i][c] * D2[i] * Aa[i];
    e = e / W + (c < static_cast<std::size_t>(sc.k) ? lambda * sc.l2Factor[c] * a[c] : 0.0);
    EXPECT_NEAR(hv[c], e, 1e-9 * (1 + std::abs(e))) << "column " << c;
  }
}

TEST(GlmDesignMatrixTest, KernelsMatchADenseComputation) {
  const Data D = randomData(300, 40, 6, 1);
  checkKernels(D, true, true);
  checkKernels(D, true, false);
  checkKernels(D, false, true);
  for (const Layout l : {Layout::Columns, Layout::Rows}) {
    checkKernels(D, true, true, l);
    checkKernels(D, true, false, l);
    checkKernels(D, false, true, l);
  }
}

TEST(GlmDesignMatrixTest, KernelsOfAMergedMatrixMatchADenseComputation) {
  // 300 rows of ~6 entries over 2,000 features: most features occur once, many in one row.
  const Data D = randomData(300, 2000, 6, 11);
  for (const Layout l : {Layout::Auto, Layout::Columns, Layout::Rows}) {
    checkKernels(D, true, true, l, true);
    checkKernels(D, true, false, l, true);
    checkKernels(D, false, true, l, true);
  }
}

// Six rows; features by their (row, value) entries. 0, 1 = 3·x0 and 7 = −2·x0 share rows {0, 2};
// 2 shares them but not the ratio; 3 and 4 (= 0.4·x3) are alone in row 1; 5 alone in row 3;
// 6 is 1 in every row (constant: dropped); 8 and 9 = 2·x8 share rows {4, 5}; 10 is 1 in rows
// {4, 5} and 2 in row 3 (a superset: not merged with 8).
Data handData() {
  std::vector<std::vector<std::pair<std::int32_t, double>>> rows(6);
  auto put = [&](std::int32_t j, std::vector<std::pair<int, double>> entries) {
    for (auto [i, v] : entries) rows[static_cast<std::size_t>(i)].emplace_back(j, v);
  };
  put(0, {{0, 1}, {2, 2}});
  put(1, {{0, 3}, {2, 6}});
  put(2, {{0, 1}, {2, 3}});
  put(3, {{1, 5}});
  put(4, {{1, 2}});
  put(5, {{3, 1}});
  put(6, {{0, 1}, {1, 1}, {2, 1}, {3, 1}, {4, 1}, {5, 1}});
  put(7, {{0, -2}, {2, -4}});
  put(8, {{4, 1}, {5, 1}});
  put(9, {{4, 2}, {5, 2}});
  put(10, {{3, 2}, {4, 1}, {5, 1}});
  Data out;
  std::vector<std::int64_t> offsets{0};
  std::vector<std::int32_t> idx;
  std::vector<double> val;
  for (auto& r : rows) {
    std::sort(r.begin(), r.end());
    for (auto [j, v] : r) idx.push_back(j), val.push_back(v);
    offsets.push_back(static_cast<std::int64_t>(idx.size()));
    out.w.push_back(1.0);
    out.t.weightSum += 1.0, out.t.weightSqSum += 1.0, ++out.t.positiveRows;
  }
  out.X = VectorColumn::sparse(11, std::move(offsets), std::move(idx), std::move(val));
  return out;
}

TEST(GlmDesignMatrixTest, MergesFeaturesWithTheSameRowsAndRatios) {
  const Data D = handData();
  FeatureStats plain, merged;
  const auto P = DesignMatrix::build(*D.X, 11, D.w, D.t, true, Reducer{}, plain);
  EXPECT_FALSE(plain.merged());
  EXPECT_EQ(P->cols(), 10);  // all but the constant one
  const auto M =
      DesignMatrix::build(*D.X, 11, D.w, D.t, true, Reducer{}, merged, Layout::Auto, true);
  ASSERT_TRUE(merged.merged());
  // Compact order: by length, then index: 3 4 5 | 0 1 2 7 8 9 | 10; merged into 3 5 0 2 8 10.
  EXPECT_EQ(merged.active, (std::vector<std::int32_t>{3, 5, 0, 2, 8, 10}));
  EXPECT_EQ(M->cols(), 6);
  EXPECT_EQ(M->nnz(), 1 + 1 + 2 + 2 + 2 + 3);
  EXPECT_EQ(merged.memberPtr, (std::vector<std::int64_t>{0, 2, 3, 6, 7, 9, 10}));
  EXPECT_EQ(merged.memberFeature, (std::vector<std::int32_t>{3, 4, 5, 0, 1, 7, 2, 8, 9, 10}));
  EXPECT_EQ(merged.memberRatio,
            (std::vector<double>{1.0, 0.4, 1.0, 1.0, 3.0, -2.0, 1.0, 1.0, 2.0, 1.0}));
  // The kept columns' statistics are those of the unmerged build.
  for (std::size_t c = 0; c < merged.active.size(); ++c) {
    const auto at = std::find(plain.active.begin(), plain.active.end(), merged.active[c]);
    ASSERT_NE(at, plain.active.end());
    const auto pc = static_cast<std::size_t>(at - plain.active.begin());
    EXPECT_EQ(merged.mean[c], plain.mean[pc]);
    EXPECT_EQ(merged.sigma[c], plain.sigma[pc]);
  }
  // The penalty of a group is the least a split of its margin costs; the split maps back.
  for (const bool standardization : {false, true}) {
    const Scaling s = Scaling::make(merged, true, standardization, Reducer{});
    // Group {0, 1, 7}: ratios 1, 3, −2 (Σa² = 14); with standardization, 1/|G| = 1/3.
    EXPECT_DOUBLE_EQ(s.l2Factor[2], standardization
                                        ? 1.0 / 3.0
                                        : 1.0 / (14.0 * merged.sigma[2] * merged.sigma[2]));
    Problem p;
    p.stats = merged;
    p.scaling = s;
    std::vector<double> z(7, 0.0);
    z[2] = 0.7 * merged.sigma[2];  // u = 0.7 for the group of x0
    z[6] = -0.25;                  // intercept variable
    const auto coef = p.coefficients(z, 11);
    // Σ a_j w_j = u: the margins of every row are those of u·x0.
    EXPECT_NEAR(coef[0] + 3.0 * coef[1] - 2.0 * coef[7], 0.7, 1e-15);
    if (standardization) {  // P_j = σ_j²: w_j ∝ 1/a_j
      EXPECT_NEAR(coef[1], 0.7 / 9.0, 1e-15);
      EXPECT_NEAR(coef[7], -0.7 / 6.0, 1e-15);
    } else {  // P_j = 1: w_j ∝ a_j
      EXPECT_NEAR(coef[1], 3.0 * 0.7 / 14.0, 1e-15);
      EXPECT_NEAR(coef[7], -2.0 * 0.7 / 14.0, 1e-15);
    }
    // toCompact inverts coefficients (the margin of the group is kept).
    const auto back = p.toCompact(coef, p.intercept(z));
    for (std::size_t c = 0; c < z.size(); ++c) EXPECT_NEAR(back[c], z[c], 1e-14) << c;
  }
  // A merged problem has no L1 part.
  Problem p;
  p.stats = merged;
  p.scaling = Scaling::make(merged, true, false, Reducer{});
  EXPECT_THROW((void)p.l1Weights(0.1, false), std::logic_error);
}

// The merged problem and the plain one have the same optimum: Newton-CG to a tight tolerance
// on both, mapped back to the original features.
void expectMergedFitMatchesPlainFit(bool fitIntercept, bool standardization) {
  const Data D = randomData(400, 3000, 8, 13);
  std::vector<double> y(static_cast<std::size_t>(D.X->size()));
  for (std::size_t i = 0; i < y.size(); ++i) {
    const VectorView v = (*D.X)[static_cast<std::int64_t>(i)];
    y[i] = v.nnz > 0 && v.indices[0] % 3 == 0 ? 1.0 : (i % 5 == 0 ? 1.0 : 0.0);
  }
  std::vector<double> coef[2], objective(2);
  std::int64_t cols[2];
  for (int merge = 0; merge < 2; ++merge) {
    Problem p = problemOf(D, y, 0.02);
    const auto M = DesignMatrix::build(*D.X, D.X->dim(), D.w, D.t, true, Reducer{}, p.stats,
                                       Layout::Auto, merge == 1);
    cols[merge] = M->cols();
    p.scaling = Scaling::make(p.stats, fitIntercept, standardization, Reducer{});
    SparseObjective<BinomialLogisticLoss> f(p, M);
    optim::NewtonOptions opt;
    opt.tol = 1e-14;
    opt.gradientFloor = 1e-13;
    const auto r =
        optim::minimizeNewton(f, std::vector<double>(static_cast<std::size_t>(p.dim()), 0.0), opt);
    coef[merge] = p.coefficients(r.x, D.X->dim());
    if (fitIntercept) coef[merge].push_back(p.intercept(r.x));
    objective[static_cast<std::size_t>(merge)] = r.objectiveHistory.back();
  }
  EXPECT_LT(cols[1], cols[0] * 2 / 3);  // many features merged (here 1,797 into 1,031)
  EXPECT_NEAR(objective[1], objective[0], 1e-12 * objective[0]);
  double scale = 0.0;
  for (double c : coef[0]) scale = std::max(scale, std::abs(c));
  ASSERT_GT(scale, 0.01);
  for (std::size_t j = 0; j < coef[0].size(); ++j)
    EXPECT_NEAR(coef[1][j], coef[0][j], 1e-6 * scale) << "feature " << j;
}

TEST(GlmObjectiveTest, MergedFeaturesReachThePlainOptimum) {
  expectMergedFitMatchesPlainFit(true, false);
  expectMergedFitMatchesPlainFit(true, true);
  expectMergedFitMatchesPlainFit(false, false);
}

TEST(GlmDesignMatrixTest, WideMatrixKernelsMatchADenseComputation) {
  // More than 65,536 active columns: no row-major copy; X̃·v scatters column blocks.
  const Data D = randomData(12, 90000, 20000, 2);
  FeatureStats stats;
  const auto M = DesignMatrix::build(*D.X, D.X->dim(), D.w, D.t, true, Reducer{}, stats);
  ASSERT_GT(M->cols(), 65536);
  checkKernels(D, true, false);
  // The row layout: 16-bit column indices in two panels of 65,536 columns.
  checkKernels(D, true, false, Layout::Rows);
  checkKernels(D, false, true, Layout::Rows);
}

// Ã·v, then D, then Ãᵀ: the two passes of the column layout against the fused sweep of the
// row layout (to rounding), and the row layout's bits under 1 and 4 threads.
struct TwoLayouts {
  Data D;
  FeatureStats stats;
  std::shared_ptr<const DesignMatrix> cols, rows;
  Scaling sc;
  std::vector<double> v, curv;
  explicit TwoLayouts(Data data) : D(std::move(data)) {
    cols = DesignMatrix::build(*D.X, D.X->dim(), D.w, D.t, true, Reducer{}, stats,
                               Layout::Columns);
    FeatureStats s2;
    rows = DesignMatrix::build(*D.X, D.X->dim(), D.w, D.t, true, Reducer{}, s2, Layout::Rows);
    EXPECT_EQ(s2.active, stats.active);
    sc = Scaling::make(stats, true, false, Reducer{});
    std::mt19937 rng(9);
    std::normal_distribution<double> g;
    v.resize(static_cast<std::size_t>(sc.dim()));
    for (auto& x : v) x = g(rng);
    curv.resize(static_cast<std::size_t>(D.X->size()));
    for (std::size_t i = 0; i < curv.size(); ++i) curv[i] = D.w[i] > 0.0 ? 0.25 * D.w[i] : 0.0;
  }
  std::vector<double> twoPass() const {
    auto ws = cols->workspace();
    const auto n = static_cast<std::size_t>(D.X->size());
    std::vector<double> hu(n), out(v.size());
    double fab = 0.0, faa = 0.0, sum = 0.0;
    cols->multiply(sc, v.data(), v.data(), hu.data(), fab, faa, ws);
    for (std::size_t i = 0; i < n; ++i) sum += hu[i] *= curv[i];
    cols->transposeMultiply(sc, hu.data(), v.data(), D.t.weightSum, sum, 0.01, out.data(), ws);
    return out;
  }
  std::vector<double> fused() const {
    auto ws = rows->workspace();
    std::vector<double> out(v.size());
    rows->hessianProduct(sc, v.data(), curv.data(), D.t.weightSum, 0.01, out.data(), ws);
    return out;
  }
  std::vector<double> gradient() const {
    auto ws = rows->workspace();
    std::vector<double> out(v.size());
    rows->transposeMultiply(sc, curv.data(), v.data(), D.t.weightSum, 1.0, 0.01, out.data(), ws);
    return out;
  }
};

void expectFusedMatchesTwoPasses(const TwoLayouts& T) {
  ASSERT_TRUE(T.rows->rowLayout());
  ASSERT_FALSE(T.cols->rowLayout());
  EXPECT_GE(T.rows->chunks(), 2);
  const auto a = T.twoPass();
  const auto b = T.fused();
  double scale = 0.0;
  for (double x : a) scale = std::max(scale, std::abs(x));
  for (std::size_t c = 0; c < a.size(); ++c)
    EXPECT_NEAR(b[c], a[c], 1e-12 * scale) << "variable " << c;
  std::vector<double> one, four, gOne, gFour;
  tbb::task_arena(1).execute([&] { one = T.fused(), gOne = T.gradient(); });
  tbb::task_arena(4).execute([&] { four = T.fused(), gFour = T.gradient(); });
  EXPECT_EQ(one, four);  // the same bits
  EXPECT_EQ(gOne, gFour);
}

TEST(GlmDesignMatrixTest, FusedHessianProductMatchesTwoPasses) {
  expectFusedMatchesTwoPasses(TwoLayouts(randomData(3000, 400, 12, 4)));
}

TEST(GlmDesignMatrixTest, FusedHessianProductWideAndTall) {
  // More than 65,536 columns (two panels) and more than 65,536 rows (no row indices at all in
  // the row layout; 32-bit ones in the column layout).
  expectFusedMatchesTwoPasses(TwoLayouts(randomData(70000, 140000, 3, 6)));
}

TEST(GlmDesignMatrixTest, ChunkCountFollowsTheData) {
  // 6 bytes per entry: 1e6 entries over 100,000 rows and 1,000 columns: 6.8e6 / (4·16·1000) =
  // 106 → 64 (the cap); over 10,000 rows: 39 chunks of 256 rows at most → 32; 100,000 columns
  // (2 panels): 0.96 → 1 (the column layout); 10,000 columns: 9.4 → 8.
  EXPECT_EQ(DesignMatrix::chooseChunks(1000000, 100000, 1000, 6), 64);
  EXPECT_EQ(DesignMatrix::chooseChunks(1000000, 10000, 1000, 6), 32);
  EXPECT_EQ(DesignMatrix::chooseChunks(1000000, 10000, 100000, 6), 1);
  EXPECT_EQ(DesignMatrix::chooseChunks(1000000, 10000, 10000, 6), 8);
  // At least 256 rows per chunk.
  EXPECT_EQ(DesignMatrix::chooseChunks(1000000, 600, 1000, 6), 2);
  // ~3 MB: two chunks or more, but small: the column layout.
  const Data small = randomData(20000, 500, 30, 7);
  FeatureStats s0;
  const auto S = DesignMatrix::build(*small.X, small.X->dim(), small.w, small.t, true, Reducer{}, s0);
  EXPECT_GE(DesignMatrix::chooseChunks(S->nnz(), S->rows(), S->cols(), 6), 2);
  EXPECT_FALSE(S->rowLayout());
  EXPECT_EQ(S->chunks(), 0);
  // ~10 MB: the row layout, one copy of the entries.
  const Data D = randomData(50000, 500, 40, 7);
  FeatureStats stats;
  const auto M = DesignMatrix::build(*D.X, D.X->dim(), D.w, D.t, true, Reducer{}, stats);
  EXPECT_GE(M->bytesPerPass(), DesignMatrix::kMinRowLayoutBytes);
  EXPECT_TRUE(M->rowLayout());
  EXPECT_EQ(M->chunks(), DesignMatrix::chooseChunks(M->nnz(), M->rows(), M->cols(), 6));
  EXPECT_EQ(M->bytesPerPass(), M->nnz() * 6 + 8 * (M->rows() + 1));
  EXPECT_EQ(M->residentBytes(), M->bytesPerPass() + 8 * (M->chunks() + 1));  // one copy only
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

void checkObjectiveDerivatives(DesignMatrix::Layout layout) {
  const Data D = randomData(200, 25, 5, 3);
  std::vector<double> y(static_cast<std::size_t>(D.X->size()));
  for (std::size_t i = 0; i < y.size(); ++i) y[i] = (i * 7919) % 3 == 0 ? 1.0 : 0.0;
  Problem p = problemOf(D, y, 0.05);
  const auto M =
      DesignMatrix::build(*D.X, D.X->dim(), D.w, D.t, true, Reducer{}, p.stats, layout);
  EXPECT_EQ(M->rowLayout(), layout == Layout::Rows);
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

TEST(GlmObjectiveTest, SparseGradientAndHessianMatchFiniteDifferences) {
  checkObjectiveDerivatives(Layout::Columns);
  checkObjectiveDerivatives(Layout::Rows);  // the fused Hessian-vector product
}

}  // namespace
}  // namespace td::glm
