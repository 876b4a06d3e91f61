// tests/evaluation/regression_evaluator_test.cc
#include "thunderdome/evaluation/regression_evaluator.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

#include "thunderdome/core/error.h"
#include "thunderdome/io/csv.h"
#include "../testing/io_helpers.h"

namespace td {
namespace {

using ::testing::HasSubstr;
using td::testing::messageOf;

// scikit-learn's documentation example (y_true, y_pred), with weights for the weighted case.
Frame example() {
  return Frame({{"label", makeDoubleColumn({3.0, -0.5, 2.0, 7.0})},
                {"prediction", makeDoubleColumn({2.5, 0.0, 2.0, 8.0})},
                {"w", makeDoubleColumn({1.0, 2.0, 1.0, 0.5})}});
}

double metric(const std::string& name, bool weighted = false, bool throughOrigin = false) {
  RegressionEvaluator e;
  e.setMetricName(name).setThroughOrigin(throughOrigin);
  if (weighted) e.setWeightCol("w");
  return e.evaluate(example());
}

TEST(RegressionEvaluator, MetricsAsSparkAndScikitLearnCompute) {
  // scikit-learn 1.2: mean_squared_error, mean_absolute_error, r2_score on the same rows.
  EXPECT_DOUBLE_EQ(metric("mse"), 0.375);
  EXPECT_DOUBLE_EQ(metric("rmse"), 0.6123724356957945);
  EXPECT_DOUBLE_EQ(metric("mae"), 0.5);
  EXPECT_DOUBLE_EQ(metric("r2"), 0.9486081370449679);
  // Spark's explained variance Σ(ŷ - ȳ)²/n (ȳ = 2.875), and r2 through the origin 1 - SSerr/Σy².
  EXPECT_DOUBLE_EQ(metric("var"), 8.859375);
  EXPECT_DOUBLE_EQ(metric("r2", false, true), 1.0 - 1.5 / 62.25);
  // The default is rmse; only r2 and var are larger-is-better.
  RegressionEvaluator e;
  EXPECT_EQ(e.getMetricName(), "rmse");
  EXPECT_DOUBLE_EQ(e.evaluate(example()), 0.6123724356957945);
  EXPECT_FALSE(e.isLargerBetter());
  EXPECT_TRUE(e.setMetricName("r2").isLargerBetter());
  EXPECT_TRUE(e.setMetricName("var").isLargerBetter());
  EXPECT_FALSE(e.setMetricName("mae").isLargerBetter());
}

TEST(RegressionEvaluator, WeightsAsSparksRegressionMetrics) {
  // W = 4.5: Σw(y-ŷ)² = 1.25, Σw|y-ŷ| = 2, ȳ = 7.5/4.5, Σw(ŷ-ȳ)² = 26.41666…
  EXPECT_DOUBLE_EQ(metric("mse", true), 1.25 / 4.5);
  EXPECT_DOUBLE_EQ(metric("mae", true), 2.0 / 4.5);
  EXPECT_DOUBLE_EQ(metric("var", true), 5.87037037037037);
  // Spark's SStot is its unbiased weighted variance × (W - 1), M2 / (W - ΣW²/W) × (W - 1);
  // scikit-learn's weighted r2 (Σw(y-ȳ)² as SStot) is 0.95098.
  EXPECT_NEAR(metric("r2", true), 0.9564270152505446, 1e-15);
}

TEST(RegressionEvaluator, BadInputIsNamed) {
  const Frame f = readCsvString("label,prediction,w\n1,2,1\n2,,1\n", {}, "p.csv");
  RegressionEvaluator e;
  EXPECT_THAT(messageOf<DataError>([&] { (void)e.evaluate(f); }),
              HasSubstr("column 'prediction' holds a null (a missing value) at p.csv:3"));
  const Frame nan = readCsvString("label,prediction,w\n1,2,1\nNaN,1,1\n", {}, "n.csv");
  EXPECT_THAT(messageOf<DataError>([&] { (void)e.evaluate(nan); }),
              HasSubstr("column 'label' holds nan at n.csv:3"));
  const Frame neg = readCsvString("label,prediction,w\n1,2,-1\n", {}, "w.csv");
  e.setWeightCol("w");
  EXPECT_THAT(messageOf<DataError>([&] { (void)e.evaluate(neg); }),
              HasSubstr("negative weight -1 at w.csv:2"));
  EXPECT_THAT(messageOf<DataError>([&] { (void)e.evaluate(example().take(std::vector<std::int64_t>{})); }),
              HasSubstr("empty dataset"));
  const Frame text({{"label", makeDoubleColumn({1.0})}, {"prediction", makeStringColumn({"x"})}});
  EXPECT_THROW((void)RegressionEvaluator().evaluate(text), ColumnError);
  EXPECT_THROW(RegressionEvaluator().setMetricName("auc"), ParamError);
}

}  // namespace
}  // namespace td
