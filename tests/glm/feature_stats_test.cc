// tests/glm/feature_stats_test.cc — row totals and feature statistics of the GLM kit.
#include "glm/feature_stats.h"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

#include "glm/design_matrix.h"

namespace td::glm {
namespace {

RowTotals totalsOf(const std::vector<double>& w) {
  RowTotals t;
  for (double wi : w) {
    t.weightSum += wi;
    t.weightSqSum += wi * wi;
    if (wi > 0.0) ++t.positiveRows;
  }
  return t;
}

const NonFiniteHandler kThrow = [](std::int64_t, std::int64_t, double) {
  throw std::runtime_error("non-finite");
};

TEST(GlmFeatureStatsTest, WeightedMeanAndUnbiasedStdAsComputedByHand) {
  // 4 rows × 3 features; feature 1 is constant (dropped); row 3 has weight 0 (ignored).
  const std::vector<double> x = {1,   5, 0,  //
                                 3,   5, 2,  //
                                 2,   5, 4,  //
                                 100, 7, 100};
  const std::vector<double> w = {1, 2, 1, 0};
  const auto X = VectorColumn::dense(4, 3, x);
  const RowTotals t = totalsOf(w);
  EXPECT_EQ(t.positiveRows, 3);
  EXPECT_DOUBLE_EQ(t.denom(), 4.0 - 6.0 / 4.0);
  const FeatureStats s = rowwiseFeatureStats(*X, w, t, kThrow);
  ASSERT_EQ(s.size(), 2);
  EXPECT_EQ(s.active, (std::vector<std::int32_t>{0, 2}));
  // feature 0: mean (1 + 6 + 2)/4 = 2.25; Σ w (x − μ)² = 1.5625 + 2·0.5625 + 0.0625 = 2.75
  EXPECT_DOUBLE_EQ(s.mean[0], 2.25);
  EXPECT_DOUBLE_EQ(s.sigma[0], std::sqrt(2.75 / 2.5));
  // feature 2: mean (0 + 4 + 4)/4 = 2; Σ w (x − μ)² = 4 + 0 + 4 = 8
  EXPECT_DOUBLE_EQ(s.mean[1], 2.0);
  EXPECT_DOUBLE_EQ(s.sigma[1], std::sqrt(8.0 / 2.5));
}

TEST(GlmFeatureStatsTest, NonFiniteValuesGoToTheHandler) {
  const auto X = VectorColumn::dense(2, 1, {1.0, std::nan("")});
  EXPECT_THROW((void)rowwiseFeatureStats(*X, {1.0, 0.0}, totalsOf({1.0, 0.0}), kThrow),
               std::runtime_error);
}

TEST(GlmFeatureStatsTest, ColumnStatisticsOfTheDesignMatrixEqualTheRowwiseOnesBitForBit) {
  // Sparse rows with implicit zeros; feature 3 never occurs, feature 4 is always 2 (constant).
  const auto X = VectorColumn::sparse(5, {0, 3, 5, 7, 9, 11}, {0, 2, 4, 1, 4, 0, 4, 1, 4, 2, 4},
                                      {0.5, 3.0, 2.0, 1.25, 2.0, 7.0, 2.0, 2.0, 2.0, 1.0, 2.0});
  const std::vector<double> w = {1.0, 0.5, 2.0, 1.5, 0.25};
  const RowTotals t = totalsOf(w);
  const FeatureStats rowwise = rowwiseFeatureStats(*X, w, t, kThrow);
  FeatureStats fromColumns;
  const auto M = DesignMatrix::build(*X, 5, w, t, false, Reducer{}, fromColumns);
  EXPECT_EQ(M->cols(), 3);
  EXPECT_EQ(M->rows(), 5);
  // The matrix numbers columns by entry count, then index: the same features, maybe reordered.
  ASSERT_EQ(fromColumns.size(), rowwise.size());
  for (std::int64_t c = 0; c < fromColumns.size(); ++c) {
    const auto cu = static_cast<std::size_t>(c);
    std::size_t r = 0;
    while (rowwise.active[r] != fromColumns.active[cu]) ++r;
    EXPECT_EQ(fromColumns.mean[cu], rowwise.mean[r]);
    EXPECT_EQ(fromColumns.sigma[cu], rowwise.sigma[r]);
  }
}

TEST(GlmFeatureStatsTest, InactiveReducerLeavesValuesAlone) {
  Reducer red;
  EXPECT_FALSE(red.active());
  double v[2] = {1.5, -2.0};
  red.sum(v, 2);
  red.max(v, 2);
  EXPECT_EQ(v[0], 1.5);
  EXPECT_EQ(v[1], -2.0);
}

}  // namespace
}  // namespace td::glm
