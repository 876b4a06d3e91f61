// include/thunderdome/evaluation/regression_evaluator.h
#pragma once

#include <string>

#include "thunderdome/core/shared_params.h"
#include "thunderdome/evaluation/evaluator.h"

namespace td {

/// Spark's regression metrics of a prediction column against a real label column (rmse, mse,
/// r2, mae, var), optionally weighted (Spark's RegressionEvaluator).
class RegressionEvaluator final : public Evaluator {
  TD_CLASS(RegressionEvaluator, "regEval", "org.apache.spark.ml.evaluation.RegressionEvaluator",
           "Regression metrics (rmse, mse, r2, mae, explained variance) of predictions")
  TD_SPARK_DIFFERENCES(
      "Spark's formulas (`RegressionMetrics`), weights included: `var` is Σw(ŷ−ȳ)²/Σw (not "
      "scikit-learn's explained_variance_score), `r2` with `throughOrigin` is 1 − SSerr/Σwy². "
      "A null, NaN or infinite prediction or label, a negative weight and an empty dataset "
      "are errors naming the row, where Spark would return NaN.")
  TD_PARAM(std::string, metricName, MetricName,
           "metric name in evaluation (mse|rmse|r2|mae|var)", "rmse",
           ParamValidator::oneOf({"mse", "rmse", "r2", "mae", "var"}))
  TD_PARAM(bool, throughOrigin, ThroughOrigin,
           "whether the regression is through the origin (affects r2)", false)
  TD_SHARED_PARAM(std::string, predictionCol, PredictionCol, shared::predictionCol())
  TD_SHARED_PARAM(std::string, labelCol, LabelCol, shared::labelCol())
  TD_SHARED_PARAM(std::string, weightCol, WeightCol, shared::weightCol())

  RegressionEvaluator();
  explicit RegressionEvaluator(std::string uid);

  /// True for r2 and var, false for the errors (mse, rmse, mae).
  [[nodiscard]] bool isLargerBetter() const override;

 protected:
  [[nodiscard]] double evaluateImpl(const Frame& predictions) const override;
};

}  // namespace td
