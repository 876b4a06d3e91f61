// tests/feature/pca_test.cc
#include "thunderdome/feature/pca.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

#include "thunderdome/core/error.h"
#include "thunderdome/persist/persist.h"

namespace td {
namespace {

using ::testing::HasSubstr;

// PCASuite's / Spark's PCAExample data: sparse(5, [(1, 1.0), (3, 7.0)]), dense(2, 0, 3, 4, 5),
// dense(4, 0, 0, 6, 7).
ColumnPtr suiteDense() {
  return VectorColumn::dense(3, 5, {0, 1, 0, 7, 0, 2, 0, 3, 4, 5, 4, 0, 0, 6, 7});
}
ColumnPtr suiteSparse() {
  return VectorColumn::sparse(5, {0, 2, 6, 9}, {1, 3, 0, 2, 3, 4, 0, 3, 4},
                              {1, 7, 2, 3, 4, 5, 4, 6, 7});
}
Frame frameOf(ColumnPtr c) { return Frame({{"features", std::move(c)}}); }

std::shared_ptr<PCAModel> fit(const Frame& f, std::int64_t k) {
  PCA pca;
  pca.setInputCol("features").setOutputCol("pcaFeatures").setK(k);
  return stageAs<PCAModel>(pca.fit(f));
}
double out(const Frame& f, std::int64_t r, std::int64_t c) {
  return f.col<VectorColumn>("pcaFeatures")[r].at(c);
}

TEST(PCATest, KIsRequiredWithAnExample) {
  PCA pca;
  EXPECT_FALSE(pca.isDefined(PCA::k));
  ASSERT_TRUE(PCA::k.spec().example.has_value());
  EXPECT_EQ(*PCA::k.spec().example, ParamValue(std::int64_t{2}));
  EXPECT_THROW(pca.setK(0), ParamError);
  pca.setInputCol("features");
  EXPECT_THAT([&] { (void)pca.fit(frameOf(suiteDense())); },
              ::testing::ThrowsMessage<ParamError>(HasSubstr("'k'")));
  EXPECT_EQ(pca.uid().substr(0, 4), "pca_");
}

// Spark's PCAExample output (docs/ml-features, k = 3):
//   [1.6485728230883807,-4.013282700516296,-5.524543751369388]
//   [-4.645104331781534,-1.1167972663619026,-5.524543751369387]
//   [-6.428880535676489,-5.337951427775355,-5.524543751369389]
// Component 1 comes out negated here: Spark's (LAPACK's) has its largest entry (-0.848, feature
// 4) negative, thunderdome makes it positive. Component 2 has the same sign. Component 3 has
// zero variance (3 rows span a plane): any unit vector orthogonal to the first two, so only
// that every row projects to the same value is asserted.
TEST(PCATest, SparkDocumentedExample) {
  for (const auto& col : {suiteDense(), suiteSparse()}) {
    const Frame f = frameOf(col);
    const auto m = fit(f, 3);
    ASSERT_EQ(m->numFeatures(), 5);
    ASSERT_EQ(m->numComponents(), 3);
    const Frame o = m->transform(f);
    const double spark[3][2] = {{1.6485728230883807, -4.013282700516296},
                                {-4.645104331781534, -1.1167972663619026},
                                {-6.428880535676489, -5.337951427775355}};
    for (int r = 0; r < 3; ++r) {
      EXPECT_NEAR(out(o, r, 0), -spark[r][0], 1e-9) << r;
      EXPECT_NEAR(out(o, r, 1), spark[r][1], 1e-9) << r;
    }
    EXPECT_NEAR(out(o, 0, 2), out(o, 1, 2), 1e-9);
    EXPECT_NEAR(out(o, 0, 2), out(o, 2, 2), 1e-9);
    // explainedVariance: eigenvalue shares (numpy: svd(np.cov(X.T)) -> s / s.sum()).
    EXPECT_NEAR(m->explainedVariance()[0], 0.7943932532230531, 1e-12);
    EXPECT_NEAR(m->explainedVariance()[1], 0.205606746776947, 1e-12);
    EXPECT_NEAR(m->explainedVariance()[2], 0.0, 1e-12);
    // pc column 1 (numpy's svd of the covariance, negated by the sign rule).
    const double pc1[5] = {0.44859172075072673, -0.13301985745398529, 0.12523156359782125,
                           -0.21650756651919945, 0.8476512931126826};
    for (int j = 0; j < 5; ++j) EXPECT_NEAR(m->pc(j, 0), pc1[j], 1e-12) << j;
  }
}

// The components are orthonormal eigenvectors of the sample covariance (n - 1), by decreasing
// eigenvalue, each with its largest-magnitude entry positive; transform is pcᵀ x, uncentered.
TEST(PCATest, EigenvectorsOfSampleCovariance) {
  const std::vector<std::vector<double>> x{{2.5, 2.4, 0.5, 1.0}, {0.5, 0.7, -1.2, 2.0},
                                           {2.2, 2.9, 0.3, -1.0}, {1.9, 2.2, 0.8, 0.5},
                                           {3.1, 3.0, -0.4, 0.0}, {2.3, 2.7, 1.1, 1.5},
                                           {2.0, 1.6, -0.9, -0.5}, {1.0, 1.1, 0.2, 3.0}};
  const int n = 8, d = 4;
  std::vector<double> flat;
  for (const auto& r : x) flat.insert(flat.end(), r.begin(), r.end());
  const Frame f = frameOf(VectorColumn::dense(n, d, flat));
  const auto m = fit(f, 3);
  double mean[4] = {0, 0, 0, 0};
  for (const auto& r : x)
    for (int j = 0; j < d; ++j) mean[j] += r[j] / n;
  double cov[4][4] = {};
  for (const auto& r : x)
    for (int i = 0; i < d; ++i)
      for (int j = 0; j < d; ++j) cov[i][j] += (r[i] - mean[i]) * (r[j] - mean[j]) / (n - 1);
  double trace = 0.0;
  for (int i = 0; i < d; ++i) trace += cov[i][i];
  double previous = INFINITY;
  for (int c = 0; c < 3; ++c) {
    // λ = vᵀ C v, C v = λ v, explainedVariance = λ / trace (the eigenvalues sum to the trace).
    double lambda = 0.0;
    for (int i = 0; i < d; ++i)
      for (int j = 0; j < d; ++j) lambda += m->pc(i, c) * cov[i][j] * m->pc(j, c);
    for (int i = 0; i < d; ++i) {
      double cv = 0.0;
      for (int j = 0; j < d; ++j) cv += cov[i][j] * m->pc(j, c);
      EXPECT_NEAR(cv, lambda * m->pc(i, c), 1e-10);
    }
    EXPECT_LE(lambda, previous);
    previous = lambda;
    EXPECT_NEAR(m->explainedVariance()[c], lambda / trace, 1e-12);
    int arg = 0;
    for (int j = 1; j < d; ++j)
      if (std::abs(m->pc(j, c)) > std::abs(m->pc(arg, c))) arg = j;
    EXPECT_GT(m->pc(arg, c), 0.0);
    for (int c2 = 0; c2 < 3; ++c2) {
      double dot = 0.0;
      for (int j = 0; j < d; ++j) dot += m->pc(j, c) * m->pc(j, c2);
      EXPECT_NEAR(dot, c == c2 ? 1.0 : 0.0, 1e-12);
    }
  }
  const Frame o = m->transform(f);
  for (int r = 0; r < n; ++r)
    for (int c = 0; c < 3; ++c) {
      double y = 0.0;
      for (int j = 0; j < d; ++j) y += m->pc(j, c) * x[r][j];
      EXPECT_NEAR(out(o, r, c), y, 1e-12);
    }
}

TEST(PCATest, Errors) {
  PCA pca;
  pca.setInputCol("features").setK(6);
  try {
    (void)pca.fit(frameOf(suiteDense()));
    FAIL() << "no error";
  } catch (const ParamError& e) {
    EXPECT_THAT(e.what(), HasSubstr("source vector size 5 must be no less than k=6"));
    EXPECT_THAT(e.what(), HasSubstr(pca.uid()));
  }
  pca.setK(2);
  EXPECT_THAT([&] { (void)pca.fit(frameOf(VectorColumn::dense(1, 5, {1, 2, 3, 4, 5}))); },
              ::testing::ThrowsMessage<DataError>(HasSubstr("1 rows")));
  const auto m = fit(frameOf(suiteDense()), 2);
  EXPECT_THROW((void)m->transform(frameOf(VectorColumn::dense(1, 4, {1, 2, 3, 4}))), DataError);
  EXPECT_THROW((void)pca.fit(Frame({{"features", makeDoubleColumn({1.0, 2.0})}})), ColumnError);
}

TEST(PCATest, SaveLoadRoundTrip) {
  const Frame f = frameOf(suiteDense());
  const auto m = fit(f, 2);
  const auto loaded = stageAs<PCAModel>(deserializeStage(serializeStage(*m), "memory:test"));
  EXPECT_EQ(loaded->pc(), m->pc());
  EXPECT_EQ(loaded->explainedVariance(), m->explainedVariance());
  EXPECT_EQ(loaded->getK(), 2);
  EXPECT_EQ(loaded->numFeatures(), 5);
  const Frame a = m->transform(f), b = loaded->transform(f);
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 2; ++c) EXPECT_EQ(out(a, r, c), out(b, r, c));
}

}  // namespace
}  // namespace td
