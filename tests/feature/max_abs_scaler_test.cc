// tests/feature/max_abs_scaler_test.cc
#include "thunderdome/feature/max_abs_scaler.h"

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

// MaxAbsScalerSuite's data: [1,0,100], [2,0,0], (3,[0,2],[-2,-100]), (3,[0],[-1.5]); here all
// sparse (the dense rows with every entry stored, explicit zeros included) or all dense.
ColumnPtr suiteSparse() {
  return VectorColumn::sparse(3, {0, 3, 6, 8, 9}, {0, 1, 2, 0, 1, 2, 0, 2, 0},
                              {1, 0, 100, 2, 0, 0, -2, -100, -1.5});
}
ColumnPtr suiteDense() {
  return VectorColumn::dense(4, 3, {1, 0, 100, 2, 0, 0, -2, 0, -100, -1.5, 0, 0});
}

std::shared_ptr<MaxAbsScalerModel> fit(ColumnPtr c) {
  MaxAbsScaler s;
  s.setInputCol("features").setOutputCol("scaled");
  return stageAs<MaxAbsScalerModel>(s.fit(Frame({{"features", std::move(c)}})));
}

// MaxAbsScalerSuite "MaxAbsScaler fit basic case": expected [0.5,0,1], [1,0,0],
// (3,[0,2],[-1,-1]), (3,[0],[-0.75]), exactly.
TEST(MaxAbsScalerTest, SparkBasicCase) {
  for (bool dense : {false, true}) {
    SCOPED_TRACE(dense ? "dense" : "sparse");
    const auto model = fit(dense ? suiteDense() : suiteSparse());
    EXPECT_THAT(model->maxAbs(), ElementsAre(2.0, 0.0, 100.0));
    const Frame out = model->transform(Frame({{"features", dense ? suiteDense() : suiteSparse()}}));
    const auto& v = out.col<VectorColumn>("scaled");
    ASSERT_EQ(v.isDense(), dense);
    if (dense) {
      EXPECT_EQ(v[0].toString(), "[0.5,0.0,1.0]");
      EXPECT_EQ(v[1].toString(), "[1.0,0.0,0.0]");
      EXPECT_EQ(v[2].toString(), "[-1.0,0.0,-1.0]");
      EXPECT_EQ(v[3].toString(), "[-0.75,0.0,0.0]");
    } else {  // same indices, explicit zeros kept
      EXPECT_EQ(v[0].toString(), "(3,[0,1,2],[0.5,0.0,1.0])");
      EXPECT_EQ(v[1].toString(), "(3,[0,1,2],[1.0,0.0,0.0])");
      EXPECT_EQ(v[2].toString(), "(3,[0,2],[-1.0,-1.0])");
      EXPECT_EQ(v[3].toString(), "(3,[0],[-0.75])");
    }
  }
}

// Hand-computed Summarizer semantics: a feature only ever negative and stored in every row has
// maxAbs = |min|; implicit zeros count; NaN is skipped; values are x * (1 / maxAbs).
TEST(MaxAbsScalerTest, SummarizerSemantics) {
  const auto nan = std::numeric_limits<double>::quiet_NaN();
  const auto model = fit(VectorColumn::dense(3, 3, {-3, nan, 0.5, -6, 4, 0, -1, -8, 0}));
  EXPECT_THAT(model->maxAbs(), ElementsAre(6.0, 8.0, 0.5));
  const auto out = model->transform(Frame({{"features", VectorColumn::dense(1, 3, {3, nan, 7})}}));
  const VectorView v = out.col<VectorColumn>("scaled")[0];
  EXPECT_EQ(v.values[0], 3 * (1.0 / 6.0));
  EXPECT_TRUE(std::isnan(v.values[1]));
  EXPECT_EQ(v.values[2], 14.0);
  // Only negative values in a sparse feature that some row lacks: max becomes 0, min stays.
  const auto sparse = fit(VectorColumn::sparse(2, {0, 1, 1}, {1}, {-4.0}));
  EXPECT_THAT(sparse->maxAbs(), ElementsAre(0.0, 4.0));
}

TEST(MaxAbsScalerTest, Errors) {
  MaxAbsScaler s;
  s.setInputCol("features");
  try {
    (void)s.fit(Frame({{"features", VectorColumn::dense(0, 3, {})}}));
    FAIL();
  } catch (const DataError& e) {
    EXPECT_THAT(e.what(), HasSubstr("MaxAbsScaler " + s.uid()));
    EXPECT_THAT(e.what(), HasSubstr("column 'features' has no rows"));
  }
  try {
    (void)s.fit(Frame({{"features", makeDoubleColumn({1.0})}}));
    FAIL();
  } catch (const ColumnError& e) {
    EXPECT_THAT(e.what(), HasSubstr("column 'features' must be of type vector but is double"));
  }
  const auto model = fit(suiteDense());
  try {
    (void)model->transform(Frame({{"features", VectorColumn::dense(1, 2, {1, 2})}}));
    FAIL();
  } catch (const DataError& e) {
    EXPECT_THAT(e.what(), HasSubstr("MaxAbsScalerModel " + model->uid()));
    EXPECT_THAT(e.what(), HasSubstr("dimension 2 but the model was fitted on dimension 3"));
  }
}

// MaxAbsScalerSuite "MaxAbsScaler read/write" and "MaxAbsScalerModel read/write".
TEST(MaxAbsScalerTest, SaveLoadRoundTrip) {
  const auto dir = std::filesystem::temp_directory_path() / randomUid("td_maxabs");
  std::filesystem::create_directories(dir);
  MaxAbsScaler s;
  s.setInputCol("myInputCol").setOutputCol("myOutputCol");
  saveStage(s, (dir / "est").string());
  EXPECT_EQ(stageAs<MaxAbsScaler>(loadStage((dir / "est").string()))->explainParams(),
            s.explainParams());
  MaxAbsScalerModel model("myMaxAbsScalerModel", {1.0, 10.0});
  model.setInputCol("features").setOutputCol("myOutputCol");
  saveStage(model, (dir / "model").string());
  const auto loaded = stageAs<MaxAbsScalerModel>(loadStage((dir / "model").string()));
  EXPECT_EQ(loaded->uid(), "myMaxAbsScalerModel");
  EXPECT_EQ(loaded->maxAbs(), model.maxAbs());
  EXPECT_EQ(loaded->getOutputCol(), "myOutputCol");
  const Frame in({{"features", VectorColumn::dense(1, 2, {-2.0, 5.0})}});
  EXPECT_EQ(loaded->transform(in).col<VectorColumn>("myOutputCol")[0].toString(), "[-2.0,0.5]");
  ASSERT_EQ(loaded->stateSummary().size(), 1u);
  EXPECT_EQ(loaded->stateSummary()[0].value, ParamValue(2));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace td
