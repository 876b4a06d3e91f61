// include/thunderdome/evaluation/binary_classification_evaluator.h
#pragma once

#include <string>
#include <utility>
#include <vector>

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
 public:
  BinaryClassificationEvaluator();
  explicit BinaryClassificationEvaluator(std::string uid);
  [[nodiscard]] std::string className() const override { return "BinaryClassificationEvaluator"; }

  BinaryClassificationEvaluator& setMetricName(const std::string& v) { set("metricName", v); return *this; }
  BinaryClassificationEvaluator& setRawPredictionCol(const std::string& v) { set("rawPredictionCol", v); return *this; }
  BinaryClassificationEvaluator& setLabelCol(const std::string& v) { set("labelCol", v); return *this; }
  BinaryClassificationEvaluator& setWeightCol(const std::string& v) { set("weightCol", v); return *this; }
  BinaryClassificationEvaluator& setNumBins(std::int64_t v) { set("numBins", v); return *this; }
  [[nodiscard]] std::string getMetricName() const { return getString("metricName"); }

  [[nodiscard]] double evaluate(const Frame& predictions) const override;
  using Evaluator::evaluate;
  /// The ROC and PR curves of `predictions` (for reports).
  [[nodiscard]] BinaryCurves curves(const Frame& predictions) const;
  [[nodiscard]] bool isLargerBetter() const override { return true; }
  [[nodiscard]] std::shared_ptr<Evaluator> copyEvaluator(const ParamMap& extra) const override;
  static const ParamSchema& schema();
};

}  // namespace td
