// tests/feature/normalizer_test.cc
#include "thunderdome/feature/normalizer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <limits>

#include "thunderdome/core/error.h"
#include "thunderdome/persist/persist.h"

namespace td {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// NormalizerSuite's data, all sparse (the suite's dense rows with every entry stored):
//   (3,[0,1],[-2,2.3]), [0,0,0], [0.6,-1.1,-3], (3,[1,2],[0.91,3.2]), (3,[0,1,2],[5.7,0.72,2.7]),
//   (3,[],[]).
ColumnPtr suiteSparse() {
  return VectorColumn::sparse(3, {0, 2, 5, 8, 10, 13, 13}, {0, 1, 0, 1, 2, 0, 1, 2, 1, 2, 0, 1, 2},
                              {-2.0, 2.3, 0.0, 0.0, 0.0, 0.6, -1.1, -3.0, 0.91, 3.2, 5.7, 0.72,
                               2.7});
}
// The same rows dense.
ColumnPtr suiteDense() {
  return VectorColumn::dense(6, 3, {-2.0, 2.3, 0.0, 0.0, 0.0, 0.0, 0.6, -1.1, -3.0, 0.0, 0.91, 3.2,
                                    5.7, 0.72, 2.7, 0.0, 0.0, 0.0});
}

const std::vector<std::vector<double>> kL1 = {{-0.465116279, 0.53488372, 0.0},
                                              {0.0, 0.0, 0.0},
                                              {0.12765957, -0.23404255, -0.63829787},
                                              {0.0, 0.22141119, 0.7785888},
                                              {0.625, 0.07894737, 0.29605263},
                                              {0.0, 0.0, 0.0}};
const std::vector<std::vector<double>> kL2 = {{-0.65617871, 0.75460552, 0.0},
                                              {0.0, 0.0, 0.0},
                                              {0.184549876, -0.3383414, -0.922749378},
                                              {0.0, 0.27352993, 0.96186349},
                                              {0.897906166, 0.113419726, 0.42532397},
                                              {0.0, 0.0, 0.0}};

Frame normalize(double p, ColumnPtr c) {
  Normalizer n;
  n.setInputCol("features").setOutputCol("normalized_features").setP(p);
  return n.transform(Frame({{"features", std::move(c)}}));
}

// NormalizerSuite's expectations, to its absTol 1e-5, and the layout kept.
void expectSuite(const Frame& out, const std::vector<std::vector<double>>& expected, bool dense) {
  const auto& v = out.col<VectorColumn>("normalized_features");
  ASSERT_EQ(v.isDense(), dense);
  for (std::int64_t r = 0; r < 6; ++r)
    for (std::int64_t j = 0; j < 3; ++j)
      EXPECT_NEAR(v[r].at(j), expected[r][j], 1e-5) << r << "," << j;
}

// NormalizerSuite "Normalization with default parameter" (L2) and "with setter" (L1).
TEST(NormalizerTest, SparkL2AndL1) {
  expectSuite(normalize(2.0, suiteSparse()), kL2, false);
  expectSuite(normalize(2.0, suiteDense()), kL2, true);
  expectSuite(normalize(1.0, suiteSparse()), kL1, false);
  expectSuite(normalize(1.0, suiteDense()), kL1, true);
  // Sparse stays sparse with the same indices, explicit zeros kept; zero rows unchanged.
  const Frame vOut = normalize(2.0, suiteSparse());
  const auto& v = vOut.col<VectorColumn>("normalized_features");
  EXPECT_EQ(v[1].toString(), "(3,[0,1,2],[0.0,0.0,0.0])");
  EXPECT_EQ(v[5].toString(), "(3,[],[])");
  EXPECT_EQ(v[0].nnz, 2);
  EXPECT_EQ(Normalizer().getP(), 2.0);
}

// Hand-computed: p = inf divides by max |x|; p = 3 by (sum |x|^3)^(1/3); exact formulas.
TEST(NormalizerTest, InfAndGeneralP) {
  const auto c = VectorColumn::dense(2, 3, {3.0, -4.0, 1.0, 0.0, 0.0, 0.0});
  const Frame infOut = normalize(std::numeric_limits<double>::infinity(), c);
  const auto& inf = infOut.col<VectorColumn>("normalized_features");
  EXPECT_EQ(inf[0].toString(), "[0.75,-1.0,0.25]");
  EXPECT_EQ(inf[1].toString(), "[0.0,0.0,0.0]");
  const double n3 = std::pow(27.0 + 64.0 + 1.0, 1.0 / 3.0);
  const Frame p3Out = normalize(3.0, c);
  const auto& p3 = p3Out.col<VectorColumn>("normalized_features");
  EXPECT_EQ(p3[0].values[0], 3.0 / n3);
  EXPECT_EQ(p3[0].values[1], -4.0 / n3);
  EXPECT_EQ(Normalizer::norm(c->values().data(), 3, 2.0), std::sqrt(26.0));
  EXPECT_EQ(Normalizer::norm(c->values().data(), 3, 1.0), 8.0);
  // NaN flows through: the norm is NaN, so is every value (Spark divides when norm != 0).
  const auto nan = std::numeric_limits<double>::quiet_NaN();
  const Frame withNanOut = normalize(2.0, VectorColumn::dense(1, 2, {nan, 1.0}));
  const auto& withNan = withNanOut.col<VectorColumn>("normalized_features");
  EXPECT_TRUE(std::isnan(withNan[0].values[0]));
  EXPECT_TRUE(std::isnan(withNan[0].values[1]));
}

TEST(NormalizerTest, ParamsAndErrors) {
  Normalizer n;
  try {
    n.setP(0.5);
    FAIL();
  } catch (const ParamError& e) {
    EXPECT_THAT(e.what(), HasSubstr("Normalizer " + n.uid()));
    EXPECT_THAT(e.what(), HasSubstr("'p' given invalid value 0.5"));
  }
  n.setP(1.0).setInputCol("x");
  try {
    (void)n.transform(Frame({{"x", makeDoubleColumn({1.0})}}));
    FAIL();
  } catch (const ColumnError& e) {
    EXPECT_THAT(e.what(), HasSubstr("column 'x' must be of type vector but is double"));
  }
}

// Row views (as tuning cuts folds) transform like the rows of the whole.
TEST(NormalizerTest, RowViewsTransformLikeTheWhole) {
  const Frame f({{"features", suiteSparse()}});
  Normalizer n;
  n.setInputCol("features").setOutputCol("out");
  const Frame whole = n.transform(f);
  const std::vector<std::int64_t> rows{4, 0, 3};
  const Frame part = n.transform(f.take(rows));
  for (std::size_t k = 0; k < rows.size(); ++k)
    EXPECT_EQ(part.col<VectorColumn>("out")[static_cast<std::int64_t>(k)].toString(),
              whole.col<VectorColumn>("out")[rows[k]].toString());
}

// NormalizerSuite "read/write".
TEST(NormalizerTest, SaveLoadRoundTrip) {
  const auto dir = std::filesystem::temp_directory_path() / randomUid("td_normalizer");
  Normalizer n;
  n.setInputCol("myInputCol").setOutputCol("myOutputCol").setP(3.0);
  saveStage(n, dir.string());
  const auto loaded = stageAs<Normalizer>(loadStage(dir.string()));
  EXPECT_EQ(loaded->getP(), 3.0);
  EXPECT_EQ(loaded->explainParams(), n.explainParams());
  std::filesystem::remove_all(dir);
  n.setP(std::numeric_limits<double>::infinity());
  saveStage(n, dir.string());
  EXPECT_EQ(stageAs<Normalizer>(loadStage(dir.string()))->getP(),
            std::numeric_limits<double>::infinity());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace td
