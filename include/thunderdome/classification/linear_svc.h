// include/thunderdome/classification/linear_svc.h
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "thunderdome/core/shared_params.h"
#include "thunderdome/pipeline/stage.h"

namespace td {

/// Linear support vector machine (binary) with Spark ML's objective, defaults and outputs:
/// (1/W) Σ w_i·max(0, 1 − s_i·m_i) + regParam/2·Σ c_j², s_i = 2y_i − 1, intercept unpenalised,
/// optional standardization; minimised with L-BFGS as Spark does (OWL-QN with zero L1 weights).
class LinearSVC final : public Estimator {
  TD_CLASS(LinearSVC, "linearsvc", "org.apache.spark.ml.classification.LinearSVC",
           "Linear support vector machine: hinge loss with an L2 penalty, fitted by L-BFGS")
  TD_SPARK_DIFFERENCES(
      "Same objective (hinge loss averaged with the row weights, L2 penalty on the standardized "
      "or raw coefficients, unpenalised intercept with Spark 3's virtual centring), defaults "
      "(`regParam=0`, `maxIter=100`, `tol=1e-6`, `fitIntercept=true`, `standardization=true`, "
      "`threshold=0.0` on the margin) and outputs (`rawPrediction` [−m, m], `prediction`; no "
      "probability). Spark runs Breeze's OWL-QN with zero L1 weights (a backtracking line "
      "search); thunderdome runs its L-BFGS (strong-Wolfe line search) on the same objective "
      "with the same memory (10), `maxIter` and `tol`. The hinge loss is not differentiable, so "
      "the two reach the optimum by different paths: objectives agree closely, coefficients "
      "only to the flatness of the optimum. Every fit runs on the GLM kit's compact sparse "
      "matrix (dense rows re-coded), so dense and sparse input give the same model bit for bit, "
      "as Spark's suite requires. With `regParam` > 0, features whose values are "
      "proportional on the same rows (in hashed text, the words one document alone contains) "
      "are solved as one variable and split back as the penalty prefers (the same optimum, "
      "fewer variables). `aggregationDepth` and `maxBlockSizeInMB` are not "
      "offered (no tree aggregation). Labels must be 0.0 or 1.0 (any other value is an error "
      "naming the row); all-0 labels are an error as in Spark (one class detected), while "
      "all-1 labels fit as Spark does.")
  TD_SHARED_PARAM(std::string, featuresCol, FeaturesCol, shared::featuresCol())
  TD_SHARED_PARAM(std::string, labelCol, LabelCol, shared::labelCol())
  TD_SHARED_PARAM(std::string, weightCol, WeightCol, shared::weightCol())
  TD_SHARED_PARAM(std::string, predictionCol, PredictionCol, shared::predictionCol())
  TD_SHARED_PARAM(std::string, rawPredictionCol, RawPredictionCol, shared::rawPredictionCol())
  TD_SHARED_PARAM(double, regParam, RegParam, shared::regParam())
  TD_SHARED_PARAM(std::int64_t, maxIter, MaxIter, shared::maxIter(100))
  TD_SHARED_PARAM(double, tol, Tol, shared::tol(1e-6))
  TD_PARAM(bool, fitIntercept, FitIntercept, "whether to fit an intercept term", true)
  TD_PARAM(bool, standardization, Standardization,
           "whether to standardize the training features before fitting the model", true)
  TD_PARAM(double, threshold, Threshold,
           "threshold in binary classification prediction applied to rawPrediction", 0.0)

  LinearSVC();
  explicit LinearSVC(std::string uid);

  /// Data-parallel fits all-reduce the statistics and optimizer sums over Context::comm.
  [[nodiscard]] bool supportsDataParallel() const override { return true; }

  [[nodiscard]] Schema transformSchema(const Schema& input) const override;

 protected:
  [[nodiscard]] std::shared_ptr<Model> fitImpl(const Frame& data, const Context& ctx) const override;
};

/// Training diagnostics of a LinearSVCModel (Spark's summary, the objective part).
struct LinearSVCTrainingSummary {
  std::vector<double> objectiveHistory;  ///< Objective (loss + penalty) per iteration, incl. start.
  std::int64_t totalIterations = 0;      ///< Optimizer iterations performed.
  bool converged = false;                ///< Stopped by tol rather than maxIter.
};

/// A fitted linear SVM: coefficients and intercept in the original feature scale. Adds
/// rawPrediction [−m, m] and prediction (1 iff m > threshold) columns.
class LinearSVCModel final : public Model {
  TD_MODEL_CLASS(LinearSVCModel, LinearSVC, "linearsvc",
                 "org.apache.spark.ml.classification.LinearSVCModel",
                 "A fitted linear support vector machine: coefficients and intercept")
  TD_SPARK_DIFFERENCES(
      "Spark's `coefficients`, `intercept` and `summary.objectiveHistory` are "
      "`coefficients()`, `intercept()` and `summary().objectiveHistory`; the summary's "
      "evaluation metrics are not offered (use BinaryClassificationEvaluator on the "
      "rawPrediction column).")

  LinearSVCModel(std::string uid, std::vector<double> coefficients, double intercept);
  /// An empty model (what loading starts from).
  explicit LinearSVCModel(std::string uid);

  [[nodiscard]] const std::vector<double>& coefficients() const { return *coefficients_; }
  [[nodiscard]] double intercept() const { return intercept_; }
  [[nodiscard]] std::int64_t numFeatures() const {
    return static_cast<std::int64_t>(coefficients_->size());
  }
  [[nodiscard]] std::int64_t numClasses() const { return 2; }
  [[nodiscard]] const LinearSVCTrainingSummary& summary() const { return summary_; }
  void setSummary(LinearSVCTrainingSummary s) { summary_ = std::move(s); }

  TD_MODEL_PARAM(threshold, Threshold)
  TD_MODEL_PARAM(featuresCol, FeaturesCol)
  TD_MODEL_PARAM(predictionCol, PredictionCol)
  TD_MODEL_PARAM(rawPredictionCol, RawPredictionCol)

  /// The margin w·x + b of one feature vector.
  [[nodiscard]] double margin(const VectorView& x) const;
  /// 1.0 when margin(x) > threshold, else 0.0 (Spark's predict).
  [[nodiscard]] double predict(const VectorView& x) const;

  [[nodiscard]] Schema transformSchema(const Schema& input) const override;
  /// numFeatures, intercept and the count of non-zero coefficients.
  [[nodiscard]] std::vector<StateItem> stateSummary() const override;
  /// Coefficients (data/coefficients.f64le), intercept, numFeatures, numClasses.
  void saveState(StateWriter& out) const override;
  void loadState(const StateReader& in) override;

 protected:
  [[nodiscard]] Frame transformImpl(const Frame& input, const Context& ctx) const override;

 private:
  std::shared_ptr<const std::vector<double>> coefficients_;  // shared between copies
  double intercept_;
  LinearSVCTrainingSummary summary_;
};

}  // namespace td
