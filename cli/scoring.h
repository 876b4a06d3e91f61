// cli/scoring.h — which evaluator scores a model's predictions (binary, multiclass or
// regression), the label checks that go with it, and the report's plots on held-out data.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "thunderdome/evaluation/evaluator.h"
#include "thunderdome/frame/frame.h"
#include "thunderdome/report/html_report.h"

namespace td::cli {

/// What a model predicts, from its output.
enum class PredictionKind { kBinary, kMulticlass, kRegression };

/// A rawPrediction vector column of width 2 (or none of its rows to tell) is binary, a wider one
/// multiclass; no rawPrediction column is regression.
PredictionKind predictionKind(const Frame& predictions);

/// Spark's default evaluator for the kind: areaUnderROC (BinaryClassificationEvaluator), f1
/// (MulticlassClassificationEvaluator), rmse (RegressionEvaluator).
std::shared_ptr<Evaluator> defaultEvaluator(PredictionKind kind);

/// An evaluator of `metric`: a copy of `base` with metricName set when base's class computes
/// it, else the evaluator class that does, with base's label, prediction and weight columns.
/// ParamError listing every metric by class for an unknown name.
std::shared_ptr<Evaluator> evaluatorForMetric(const std::string& metric, const Evaluator& base);

/// evaluator.evaluate(predictions) on the data read from `path`, with the labels checked first
/// for a classification evaluator (integers >= 0, and 0 or 1 for areaUnderROC/PR: DataError
/// naming path:line) and a missing or mistyped column worded as the file's problem.
double evaluateData(const Evaluator& evaluator, const Frame& predictions, const Frame& input,
                    const std::string& path);

/// The checks of evaluateData alone.
void checkLabels(const Evaluator& evaluator, const Frame& predictions, const std::string& path);

/// For a BinaryClassificationEvaluator: DataError naming path:line at the first label of
/// `data` that is an integer >= 2 (a third class, which areaUnderROC/PR would count as
/// positive); nothing for other labels (the fit checks them) or other evaluators.
void checkBinaryClasses(const Evaluator& evaluator, const Frame& data, const std::string& path);

/// The plots the report shows for `evaluator`'s kind on held-out `predictions` (one frame per
/// fold, or the test set): ROC/PR curves (binary), the confusion matrix (multiclass), or
/// predicted-vs-actual points and rmse, mae, r2 (regression) — pooled over the frames.
void addHeldOutPlots(ReportData& report, const Evaluator& evaluator,
                     const std::vector<Frame>& predictions);

}  // namespace td::cli
