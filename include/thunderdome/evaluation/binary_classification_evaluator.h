// include/thunderdome/evaluation/binary_classification_evaluator.h
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "thunderdome/core/shared_params.h"
#include "thunderdome/evaluation/evaluator.h"

namespace td {

/// One point of a ROC or PR curve.
struct CurvePoint {
  double x;  ///< FPR (ROC) or recall (PR).
  double y;  ///< TPR (ROC) or precision (PR).
};

/// The ROC and PR curves of scores against binary labels, built as Spark's
/// BinaryClassificationMetrics does (one point per distinct score, ties grouped).
struct BinaryCurves {
  std::vector<CurvePoint> roc;  ///< (0,0), one point per threshold, (1,1).
  std::vector<CurvePoint> pr;   ///< (0, p0), one point per threshold.
  std::vector<double> thresholds;
};

/// Computes the curves; labels > 0.5 are positive. `numBins` 0 = exact (one point per distinct
/// score); otherwise Spark's down-sampling into about numBins points.
BinaryCurves binaryCurves(const std::vector<double>& scores, const std::vector<double>& labels,
                          const std::vector<double>& weights = {}, std::int64_t numBins = 0);

/// Area under a curve by the trapezoidal rule, as Spark's AreaUnderCurve.
double areaUnderCurve(const std::vector<CurvePoint>& points);

/// Area under the ROC or PR curve of a rawPrediction (vector: element 1 is the score) or score
/// column against a binary label column (Spark's BinaryClassificationEvaluator).
class BinaryClassificationEvaluator final : public Evaluator {
  TD_CLASS(BinaryClassificationEvaluator, "binEval",
           "org.apache.spark.ml.evaluation.BinaryClassificationEvaluator",
           "Area under the ROC or PR curve of binary predictions")
  TD_SPARK_DIFFERENCES(
      "`areaUnderROC` (default) and `areaUnderPR`, trapezoidal as Spark, ties grouped into "
      "one curve point (a tie counts ½). **`numBins` defaults to 0 (exact areas)**; Spark 3 "
      "defaults to 1000, which only changes results above 2,000 distinct scores and then "
      "depends on Spark's partitioning. Set `numBins` to 1000 for Spark 3's down-sampling "
      "(on a single partition). Single-class or empty input is an error instead of a "
      "meaningless 0.")
  TD_PARAM(std::string, metricName, MetricName,
           "metric name in evaluation (areaUnderROC|areaUnderPR)", "areaUnderROC",
           ParamValidator::oneOf({"areaUnderROC", "areaUnderPR"}))
  TD_SHARED_PARAM(std::string, rawPredictionCol, RawPredictionCol, shared::rawPredictionCol())
  TD_SHARED_PARAM(std::string, labelCol, LabelCol, shared::labelCol())
  TD_SHARED_PARAM(std::string, weightCol, WeightCol, shared::weightCol())
  TD_PARAM(std::int64_t, numBins, NumBins,
           "Number of bins to down-sample the curves (ROC curve, PR curve) in area computation. "
           "If 0, no down-sampling will occur (exact areas; Spark 3 defaults to 1000).",
           0, ParamValidator::gtEq(0))

  BinaryClassificationEvaluator();
  explicit BinaryClassificationEvaluator(std::string uid);

  /// The ROC and PR curves of `predictions` (for reports).
  [[nodiscard]] BinaryCurves curves(const Frame& predictions) const;
  [[nodiscard]] bool isLargerBetter() const override { return true; }

 protected:
  [[nodiscard]] double evaluateImpl(const Frame& predictions) const override;
};

}  // namespace td
