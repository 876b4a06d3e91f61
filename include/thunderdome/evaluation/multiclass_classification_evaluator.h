// include/thunderdome/evaluation/multiclass_classification_evaluator.h
#pragma once

#include <map>
#include <string>

#include "thunderdome/core/shared_params.h"
#include "thunderdome/evaluation/evaluator.h"

namespace td {

/// The weighted counts of (label, prediction) pairs that every multiclass metric is made of
/// (Spark's MulticlassMetrics): labels ascending.
struct ConfusionCounts {
  std::map<std::pair<double, double>, double> cells;  ///< (label, prediction) -> weight
  std::map<double, double> byLabel;                   ///< label -> weight of its rows
  std::map<double, double> truePositives;             ///< label -> weight predicted right
  std::map<double, double> falsePositives;            ///< prediction -> weight predicted wrong
  double total = 0.0;                                 ///< weight of all rows
};

/// Spark's multiclass metrics of a prediction column against a label column: f1 (default),
/// accuracy, the weighted and per-label rates, hammingLoss and logLoss
/// (Spark's MulticlassClassificationEvaluator).
class MulticlassClassificationEvaluator final : public Evaluator {
  TD_CLASS(MulticlassClassificationEvaluator, "mcEval",
           "org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator",
           "Multiclass metrics (f1, accuracy, weighted and per-label rates, log loss) of predictions")
  TD_SPARK_DIFFERENCES(
      "Spark's formulas (`MulticlassMetrics`), weights included. A `metricLabel` that is not a "
      "label of the data, a false positive rate with a single class (0/0: NaN in Spark), a "
      "null or NaN label, prediction or weight, a negative weight and an empty dataset are "
      "errors naming the value or row.")
  TD_PARAM(std::string, metricName, MetricName,
           "metric name in evaluation (f1|accuracy|weightedPrecision|weightedRecall|"
           "weightedTruePositiveRate|weightedFalsePositiveRate|weightedFMeasure|"
           "truePositiveRateByLabel|falsePositiveRateByLabel|precisionByLabel|recallByLabel|"
           "fMeasureByLabel|logLoss|hammingLoss)",
           "f1",
           ParamValidator::oneOf({"f1", "accuracy", "weightedPrecision", "weightedRecall",
                                  "weightedTruePositiveRate", "weightedFalsePositiveRate",
                                  "weightedFMeasure", "truePositiveRateByLabel",
                                  "falsePositiveRateByLabel", "precisionByLabel",
                                  "recallByLabel", "fMeasureByLabel", "logLoss",
                                  "hammingLoss"}))
  TD_PARAM(double, metricLabel, MetricLabel,
           "The class whose metric will be computed in truePositiveRateByLabel|"
           "falsePositiveRateByLabel|precisionByLabel|recallByLabel|fMeasureByLabel. Must be >= 0. "
           "The default value is 0.",
           0.0, ParamValidator::gtEq(0.0))
  TD_PARAM(double, beta, Beta,
           "The beta value, which controls precision vs recall weighting, used in "
           "weightedFMeasure|fMeasureByLabel. Must be > 0. The default value is 1.",
           1.0, ParamValidator::gt(0.0))
  TD_PARAM(double, eps, Eps,
           "log-loss is undefined for p=0 or p=1, so probabilities are clipped to "
           "max(eps, min(1 - eps, p)). Must be in range (0, 0.5). The default value is 1e-15.",
           1e-15, ParamValidator::inRange(0.0, 0.5, false, false))
  TD_SHARED_PARAM(std::string, predictionCol, PredictionCol, shared::predictionCol())
  TD_SHARED_PARAM(std::string, labelCol, LabelCol, shared::labelCol())
  TD_SHARED_PARAM(std::string, weightCol, WeightCol, shared::weightCol())
  TD_SHARED_PARAM(std::string, probabilityCol, ProbabilityCol, shared::probabilityCol())

  MulticlassClassificationEvaluator();
  explicit MulticlassClassificationEvaluator(std::string uid);

  /// The weighted confusion counts of `predictions` (for reports: the confusion matrix).
  [[nodiscard]] ConfusionCounts confusion(const Frame& predictions) const;
  /// False for weightedFalsePositiveRate, falsePositiveRateByLabel, logLoss and hammingLoss.
  [[nodiscard]] bool isLargerBetter() const override;

 protected:
  [[nodiscard]] double evaluateImpl(const Frame& predictions) const override;
};

}  // namespace td
