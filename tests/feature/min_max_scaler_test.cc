// tests/feature/min_max_scaler_test.cc
#include "thunderdome/feature/min_max_scaler.h"

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

constexpr double kLongMin = -9.223372036854775808e18;  // Long.MinValue as a double
constexpr double kLongMax = 9.223372036854775807e18;   // Long.MaxValue as a double (2^63)

// MinMaxScalerSuite's data: [1,0,Long.MinValue], [2,0,0], (3,[0,2],[3,Long.MaxValue]),
// (3,[0],[1.5]); here all sparse (dense rows with every entry stored) or all dense.
ColumnPtr suiteSparse() {
  return VectorColumn::sparse(3, {0, 3, 6, 8, 9}, {0, 1, 2, 0, 1, 2, 0, 2, 0},
                              {1, 0, kLongMin, 2, 0, 0, 3, kLongMax, 1.5});
}
ColumnPtr suiteDense() {
  return VectorColumn::dense(4, 3, {1, 0, kLongMin, 2, 0, 0, 3, 0, kLongMax, 1.5, 0, 0});
}

std::shared_ptr<MinMaxScalerModel> fit(ColumnPtr c, double min = -5, double max = 5) {
  MinMaxScaler s;
  s.setInputCol("features").setOutputCol("scaled").setMin(min).setMax(max);
  return stageAs<MinMaxScalerModel>(s.fit(Frame({{"features", std::move(c)}})));
}

// MinMaxScalerSuite "MinMaxScaler fit basic case" (min -5, max 5): expected [-5,0,-5], [0,0,0],
// (3,[0,2],[5,5]), (3,[0],[-2.5]), exactly; the constant feature 1 gives 0.5*(max+min) = 0.
TEST(MinMaxScalerTest, SparkBasicCase) {
  for (bool dense : {false, true}) {
    SCOPED_TRACE(dense ? "dense" : "sparse");
    const auto model = fit(dense ? suiteDense() : suiteSparse());
    EXPECT_THAT(model->originalMin(), ElementsAre(1.0, 0.0, kLongMin));
    EXPECT_THAT(model->originalMax(), ElementsAre(3.0, 0.0, kLongMax));
    const Frame vOut =
        model->transform(Frame({{"features", dense ? suiteDense() : suiteSparse()}}));
    const auto& v = vOut.col<VectorColumn>("scaled");
    ASSERT_TRUE(v.isDense());  // always dense, as Spark's before compression
    EXPECT_EQ(v[0].toString(), "[-5.0,0.0,-5.0]");
    EXPECT_EQ(v[1].toString(), "[0.0,0.0,0.0]");
    EXPECT_EQ(v[2].toString(), "[5.0,0.0,5.0]");
    EXPECT_EQ(v[3].toString(), "[-2.5,0.0,0.0]");
  }
}

// Hand-computed with the defaults [0, 1]: constant features give 0.5, NaN stays NaN (and never
// becomes E_min or E_max), implicit zeros count towards E_min.
TEST(MinMaxScalerTest, DefaultsConstantAndNaN) {
  const auto nan = std::numeric_limits<double>::quiet_NaN();
  MinMaxScaler s;
  EXPECT_EQ(s.getMin(), 0.0);
  EXPECT_EQ(s.getMax(), 1.0);
  s.setInputCol("features").setOutputCol("scaled");
  const Frame f({{"features", VectorColumn::dense(3, 3, {2, 7, nan, 4, 7, 1, 10, 7, 3})}});
  const auto model = stageAs<MinMaxScalerModel>(s.fit(f));
  EXPECT_THAT(model->originalMin(), ElementsAre(2.0, 7.0, 1.0));
  EXPECT_THAT(model->originalMax(), ElementsAre(10.0, 7.0, 3.0));
  const Frame vOut = model->transform(f);
  const auto& v = vOut.col<VectorColumn>("scaled");
  EXPECT_EQ(v[0].values[0], 0.0);
  EXPECT_EQ(v[1].values[0], (4.0 - 2.0) * (1.0 / 8.0));
  EXPECT_EQ(v[2].values[0], 1.0);
  for (std::int64_t r = 0; r < 3; ++r) EXPECT_EQ(v[r].values[1], 0.5);
  EXPECT_TRUE(std::isnan(v[0].values[2]));
  EXPECT_EQ(v[2].values[2], 1.0);
  // A sparse feature some rows lack: E_min is 0; output is dense.
  const auto sparse = fit(VectorColumn::sparse(2, {0, 1, 1}, {1}, {4.0}), 0, 1);
  EXPECT_THAT(sparse->originalMin(), ElementsAre(0.0, 0.0));
  EXPECT_THAT(sparse->originalMax(), ElementsAre(0.0, 4.0));
  const Frame svOut =
      sparse->transform(Frame({{"features", VectorColumn::sparse(2, {0, 1, 1}, {1}, {4.0})}}));
  const auto& sv = svOut.col<VectorColumn>("scaled");
  ASSERT_TRUE(sv.isDense());
  EXPECT_EQ(sv[0].toString(), "[0.5,1.0]");
  EXPECT_EQ(sv[1].toString(), "[0.5,0.0]");
}

// MinMaxScalerSuite "MinMaxScaler arguments max must be larger than min": min 10 max 0 and
// min 0 max 0 are errors when the schema is checked, naming the stage and both values.
TEST(MinMaxScalerTest, MinMustBeBelowMax) {
  const Schema schema(std::vector<Field>{{"feature", DataType::kVector}});
  for (auto [lo, hi] : {std::pair{10.0, 0.0}, std::pair{0.0, 0.0}}) {
    MinMaxScaler s;
    s.setMin(lo).setMax(hi).setInputCol("feature");
    try {
      (void)s.transformSchema(schema);
      FAIL();
    } catch (const ParamError& e) {
      EXPECT_THAT(e.what(), HasSubstr("MinMaxScaler " + s.uid()));
      EXPECT_THAT(e.what(), HasSubstr("The specified min(" + ParamValue(lo).toString() +
                                      ") is larger or equal to max(" +
                                      ParamValue(hi).toString() + ")"));
    }
  }
  const auto model = fit(suiteDense());
  model->setMin(6.0);
  EXPECT_THROW((void)model->transformSchema(schema), ParamError);
}

TEST(MinMaxScalerTest, Errors) {
  MinMaxScaler s;
  s.setInputCol("features");
  try {
    (void)s.fit(Frame({{"features", VectorColumn::dense(0, 2, {})}}));
    FAIL();
  } catch (const DataError& e) {
    EXPECT_THAT(e.what(), HasSubstr("MinMaxScaler " + s.uid()));
    EXPECT_THAT(e.what(), HasSubstr("column 'features' has no rows"));
  }
  try {
    (void)s.fit(Frame({{"features", makeStringColumn({"a"})}}));
    FAIL();
  } catch (const ColumnError& e) {
    EXPECT_THAT(e.what(), HasSubstr("column 'features' must be of type vector but is string"));
  }
  const auto model = fit(suiteDense());
  try {
    (void)model->transform(Frame({{"features", VectorColumn::dense(1, 2, {1, 2})}}));
    FAIL();
  } catch (const DataError& e) {
    EXPECT_THAT(e.what(), HasSubstr("MinMaxScalerModel " + model->uid()));
    EXPECT_THAT(e.what(), HasSubstr("Number of features must be 3 but got 2"));
  }
}

// MinMaxScalerSuite "MinMaxScaler read/write" and "MinMaxScalerModel read/write".
TEST(MinMaxScalerTest, SaveLoadRoundTrip) {
  const auto dir = std::filesystem::temp_directory_path() / randomUid("td_minmax");
  std::filesystem::create_directories(dir);
  MinMaxScaler s;
  s.setInputCol("myInputCol").setOutputCol("myOutputCol").setMax(1.0).setMin(-1.0);
  saveStage(s, (dir / "est").string());
  const auto ls = stageAs<MinMaxScaler>(loadStage((dir / "est").string()));
  EXPECT_EQ(ls->getMin(), -1.0);
  EXPECT_EQ(ls->explainParams(), s.explainParams());
  MinMaxScalerModel model("myMinMaxScalerModel", {-1.0, 0.0}, {1.0, 10.0});
  model.setInputCol("features").setOutputCol("myOutputCol").setMin(-1.0).setMax(1.0);
  saveStage(model, (dir / "model").string());
  const auto loaded = stageAs<MinMaxScalerModel>(loadStage((dir / "model").string()));
  EXPECT_EQ(loaded->uid(), "myMinMaxScalerModel");
  EXPECT_EQ(loaded->originalMin(), model.originalMin());
  EXPECT_EQ(loaded->originalMax(), model.originalMax());
  EXPECT_EQ(loaded->getMin(), -1.0);
  const Frame in({{"features", VectorColumn::dense(1, 2, {0.0, 5.0})}});
  EXPECT_EQ(loaded->transform(in).col<VectorColumn>("myOutputCol")[0].toString(), "[0.0,0.0]");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace td
