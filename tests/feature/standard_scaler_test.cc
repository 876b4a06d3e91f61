// tests/feature/standard_scaler_test.cc
#include "thunderdome/feature/standard_scaler.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "thunderdome/core/error.h"
#include "thunderdome/persist/persist.h"

namespace td {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// StandardScalerSuite's data (ml): three dense rows of 3 features.
const std::vector<std::vector<double>> kData{{-2.0, 2.3, 0.0}, {0.0, -5.1, 1.0}, {1.7, -0.6, 3.3}};
// Expected outputs computed once with numpy on kData: X - X.mean(0), X / X.std(0, ddof=1) and
// (X - X.mean(0)) / X.std(0, ddof=1) (Spark's corrected sample std).
const std::vector<std::vector<double>> kWithMean{{-1.9, 3.433333333333333, -1.4333333333333333},
                                                 {0.1, -3.9666666666666663, -0.4333333333333333},
                                                 {1.8, 0.5333333333333333, 1.8666666666666665}};
const std::vector<std::vector<double>> kWithStd{
    {-1.0798984943120777, 0.6168340914150376, 0.0},
    {0.0, -1.3677625505289963, 0.5909681092664519},
    {0.9179137201652661, -0.1609132412387055, 1.9501947605792913}};
const std::vector<std::vector<double>> kWithBoth{
    {-1.0259035695964738, 0.9207813248659257, -0.8470542899485811},
    {0.0539949247156039, -1.0638153170781084, -0.2560861806821292},
    {0.97190864488087, 0.1430339922121826, 1.1031404706307102}};

ColumnPtr denseColumn(const std::vector<std::vector<double>>& rows) {
  std::vector<double> v;
  for (const auto& r : rows) v.insert(v.end(), r.begin(), r.end());
  return VectorColumn::dense(static_cast<std::int64_t>(rows.size()),
                             static_cast<std::int64_t>(rows[0].size()), v);
}
Frame frameOf(ColumnPtr c) { return Frame({{"features", std::move(c)}}); }

std::shared_ptr<StandardScalerModel> fit(const Frame& f, bool withMean, bool withStd) {
  StandardScaler s;
  s.setInputCol("features").setOutputCol("scaled").setWithMean(withMean).setWithStd(withStd);
  return stageAs<StandardScalerModel>(s.fit(f));
}

void expectRows(const Frame& out, const std::vector<std::vector<double>>& want) {
  const auto& c = out.col<VectorColumn>("scaled");
  ASSERT_EQ(c.size(), static_cast<std::int64_t>(want.size()));
  for (std::int64_t r = 0; r < c.size(); ++r)
    for (std::size_t j = 0; j < want[0].size(); ++j)
      EXPECT_NEAR(c[r].at(static_cast<std::int64_t>(j)), want[r][j], 1e-12) << r << "," << j;
}

TEST(StandardScalerTest, DefaultsAndUid) {
  StandardScaler s;
  EXPECT_FALSE(s.getWithMean());
  EXPECT_TRUE(s.getWithStd());
  EXPECT_EQ(s.uid().substr(0, 8), "stdScal_");
}

// The model's mean and std (unbiased, n - 1), and Spark's four modes on the suite's data.
TEST(StandardScalerTest, SparkSuiteDenseAllModes) {
  const Frame f = frameOf(denseColumn(kData));
  const auto m = fit(f, false, true);
  ASSERT_EQ(m->numFeatures(), 3);
  EXPECT_NEAR(m->mean()[0], -0.1, 1e-15);
  EXPECT_NEAR(m->mean()[1], -1.1333333333333333, 1e-15);
  EXPECT_NEAR(m->mean()[2], 1.4333333333333333, 1e-15);
  EXPECT_NEAR(m->std()[0], 1.8520259177452134, 1e-15);
  EXPECT_NEAR(m->std()[1], 3.7287173844813353, 1e-15);
  EXPECT_NEAR(m->std()[2], 1.6921386861996073, 1e-15);

  const Frame outStd = m->transform(f);
  EXPECT_TRUE(outStd.col<VectorColumn>("scaled").isDense());
  expectRows(outStd, kWithStd);
  expectRows(fit(f, true, false)->transform(f), kWithMean);
  expectRows(fit(f, true, true)->transform(f), kWithBoth);
  expectRows(fit(f, false, false)->transform(f), kData);
}

// Sparse input without withMean stays sparse with the same indices; the stats count the
// implicit zeros (the same data sparse and dense give the same model).
TEST(StandardScalerTest, SparseStaysSparseWithSameIndices) {
  // kData as sparse: row 0 (0:-2, 1:2.3), row 1 (1:-5.1, 2:1), row 2 all three; plus an explicit
  // zero stored at (1, 0).
  const auto sparse =
      VectorColumn::sparse(3, {0, 2, 5, 8}, {0, 1, 0, 1, 2, 0, 1, 2},
                           {-2.0, 2.3, 0.0, -5.1, 1.0, 1.7, -0.6, 3.3});
  const Frame f = frameOf(sparse);
  const auto m = fit(f, false, true);
  const auto dm = fit(frameOf(denseColumn(kData)), false, true);
  for (int j = 0; j < 3; ++j) {
    EXPECT_NEAR(m->mean()[j], dm->mean()[j], 1e-15);
    EXPECT_NEAR(m->std()[j], dm->std()[j], 1e-15);
  }
  const Frame out = m->transform(f);
  ASSERT_FALSE(out.col<VectorColumn>("scaled").isDense());
  const auto row1 = out.col<VectorColumn>("scaled")[1];
  EXPECT_THAT(std::vector<std::int32_t>(row1.indices, row1.indices + row1.nnz), ElementsAre(0, 1, 2));
  EXPECT_EQ(row1.values[0], 0.0);  // the explicit zero stays stored
  expectRows(out, kWithStd);
}

// StandardScalerSuite "sparse data and withMean": the output is dense, centered.
TEST(StandardScalerTest, SparseWithMeanGivesDense) {
  const auto sparse = VectorColumn::sparse(3, {0, 2, 4, 7}, {0, 1, 1, 2, 0, 1, 2},
                                           {-2.0, 2.3, -5.1, 1.0, 1.7, -0.6, 3.3});
  const Frame f = frameOf(sparse);
  const Frame out = fit(f, true, false)->transform(f);
  EXPECT_TRUE(out.col<VectorColumn>("scaled").isDense());
  expectRows(out, kWithMean);
  expectRows(fit(f, true, true)->transform(f), kWithBoth);
}

// A constant feature has std 0 and scales to 0.0 (Spark: scale = 0 where std == 0); one row
// gives std 0 everywhere (the n - 1 denominator is 0).
TEST(StandardScalerTest, ZeroVarianceScalesToZero) {
  const Frame f = frameOf(denseColumn({{1.0, 5.0}, {3.0, 5.0}, {5.0, 5.0}}));
  const auto m = fit(f, false, true);
  EXPECT_EQ(m->std()[1], 0.0);
  EXPECT_DOUBLE_EQ(m->std()[0], 2.0);
  expectRows(m->transform(f), {{0.5, 0.0}, {1.5, 0.0}, {2.5, 0.0}});
  expectRows(fit(f, true, true)->transform(f),
             {{-1.0, 0.0}, {0.0, 0.0}, {1.0, 0.0}});

  const Frame one = frameOf(denseColumn({{4.0, -2.0}}));
  const auto m1 = fit(one, false, true);
  EXPECT_THAT(m1->std(), ElementsAre(0.0, 0.0));
  EXPECT_THAT(m1->mean(), ElementsAre(4.0, -2.0));
  expectRows(m1->transform(one), {{0.0, 0.0}});
}

TEST(StandardScalerTest, ErrorsNameStageColumnAndValue) {
  StandardScaler s;
  s.setInputCol("features");
  const Frame empty = frameOf(VectorColumn::dense(0, 3, {}));
  try {
    (void)s.fit(empty);
    FAIL() << "no error";
  } catch (const DataError& e) {
    EXPECT_THAT(e.what(), HasSubstr(s.uid()));
    EXPECT_THAT(e.what(), HasSubstr("'features'"));
  }
  EXPECT_THROW((void)s.fit(Frame({{"features", makeDoubleColumn({1.0})}})), ColumnError);
  const auto m = fit(frameOf(denseColumn(kData)), false, true);
  try {
    (void)m->transform(frameOf(denseColumn({{1.0, 2.0}})));
    FAIL() << "no error";
  } catch (const DataError& e) {
    EXPECT_THAT(e.what(), HasSubstr("dimension 2"));
    EXPECT_THAT(e.what(), HasSubstr("dimension 3"));
  }
}

TEST(StandardScalerTest, SaveLoadRoundTrip) {
  const Frame f = frameOf(denseColumn(kData));
  const auto m = fit(f, true, true);
  const auto loaded =
      stageAs<StandardScalerModel>(deserializeStage(serializeStage(*m), "memory:test"));
  EXPECT_EQ(loaded->uid(), m->uid());
  EXPECT_EQ(loaded->mean(), m->mean());
  EXPECT_EQ(loaded->std(), m->std());
  EXPECT_TRUE(loaded->getWithMean());
  expectRows(loaded->transform(f), kWithBoth);
}

}  // namespace
}  // namespace td
