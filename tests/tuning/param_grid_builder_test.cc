// tests/tuning/param_grid_builder_test.cc
#include "thunderdome/tuning/param_grid_builder.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "thunderdome/classification/logistic_regression.h"
#include "thunderdome/core/error.h"
#include "thunderdome/feature/hashing_tf.h"

namespace td {
namespace {

using ::testing::HasSubstr;

TEST(ParamGridBuilderTest, CartesianProductLastAddedVariesFastest) {
  HashingTF tf;
  LogisticRegression lr;
  const auto grid = ParamGridBuilder()
                        .addGrid(tf.param("numFeatures"), {10, 100, 1000})
                        .addGrid(lr.param("regParam"), {0.1, 0.01})
                        .build();
  ASSERT_EQ(grid.size(), 6u);
  const std::vector<std::pair<std::int64_t, double>> expected{
      {10, 0.1}, {10, 0.01}, {100, 0.1}, {100, 0.01}, {1000, 0.1}, {1000, 0.01}};
  for (std::size_t i = 0; i < grid.size(); ++i) {
    EXPECT_EQ(grid[i].get(tf.uid(), "numFeatures")->as<std::int64_t>(), expected[i].first);
    EXPECT_EQ(grid[i].get(lr.uid(), "regParam")->as<double>(), expected[i].second);
  }
}

TEST(ParamGridBuilderTest, EmptyBuilderGivesOneEmptyMapAndEmptyValuesGiveNone) {
  EXPECT_EQ(ParamGridBuilder().build().size(), 1u);
  EXPECT_TRUE(ParamGridBuilder().build()[0].empty());
  LogisticRegression lr;
  EXPECT_EQ(ParamGridBuilder().addGrid(lr.param("regParam"), {}).build().size(), 0u);
}

TEST(ParamGridBuilderTest, BaseOnAndOverride) {
  LogisticRegression lr;
  const auto grid = ParamGridBuilder()
                        .baseOn(lr.param("maxIter"), 5)
                        .addGrid(lr.param("regParam"), {0.1, 0.2})
                        .addGrid(lr.param("maxIter"), {7, 8})  // replaces the base value
                        .build();
  ASSERT_EQ(grid.size(), 4u);
  EXPECT_EQ(grid[0].get(lr.uid(), "maxIter")->as<std::int64_t>(), 7);
  // Values are coerced to the declared type: an int regParam becomes a double.
  const auto g2 = ParamGridBuilder().addGrid(lr.param("regParam"), {1}).build();
  EXPECT_EQ(g2[0].get(lr.uid(), "regParam")->type(), ParamType::kDouble);
}

TEST(ParamGridBuilderTest, ValidatesValuesWhenAdded) {
  LogisticRegression lr;
  try {
    (void)ParamGridBuilder().addGrid(lr.param("regParam"), {0.1, -1.0});
    FAIL();
  } catch (const ParamError& e) {
    EXPECT_THAT(e.what(), HasSubstr("LogisticRegression " + lr.uid()));
    EXPECT_THAT(e.what(), HasSubstr("'regParam' given invalid value -1"));
  }
  EXPECT_THROW((void)ParamGridBuilder().addGrid(lr, "lambda", {0.1}), ParamError);
  EXPECT_THROW((void)ParamGridBuilder().addGrid(lr, "maxIter", {"ten"}), ParamError);
}

}  // namespace
}  // namespace td
