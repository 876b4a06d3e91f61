// include/thunderdome/regression/linear_regression.h
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "thunderdome/core/shared_params.h"
#include "thunderdome/pipeline/stage.h"

namespace td {

class LinearRegressionModel;

/// Linear regression with Spark ML's objectives, solvers, defaults and training summary:
/// squaredError (1/2W) Σ w_i (y_i − m_i)² + regParam·(α·L1 + (1−α)/2·L2) with Spark's label
/// standardization, or Spark's huber loss (joint coefficients, intercept and scale σ, L2 only).
class LinearRegression final : public Estimator {
  TD_CLASS(LinearRegression, "linReg", "org.apache.spark.ml.regression.LinearRegression",
           "Linear regression (normal equations, L-BFGS / OWL-QN; squared error or huber loss)")
  TD_SPARK_DIFFERENCES(
      "Same objectives, defaults and solver choice (`solver=\"auto\"`: the normal equations "
      "(WeightedLeastSquares) for squaredError with at most 4096 features, OWL-QN on the "
      "normal equations when an L1 part is present, else L-BFGS / OWL-QN over the data). "
      "The normal solver factors AᵀWA with Eigen's Cholesky (LLT) where Spark calls LAPACK "
      "dppsv; a singular matrix falls back to L-BFGS on the normal equations as Spark's. "
      "Huber: Spark bounds σ > 0 with Breeze's L-BFGS-B; here L-BFGS sees +∞ for σ <= 0 "
      "(the line search backs off), so iterates (not the optimum) differ. The L-BFGS "
      "iterations are thunderdome's (Breeze's rules), so `objectiveHistory` and "
      "`totalIterations` differ from Spark's in detail. p-values are computed as the "
      "regularized incomplete beta directly (Spark's 2·(1 − cdf) rounds below ~1e-16 to 0). "
      "Squared error with a pure L2 penalty over sparse features (L-BFGS over the data): "
      "features whose values are proportional on the same rows (in hashed text, the words one "
      "document alone contains) are solved as one variable and split back as the penalty "
      "prefers (the same optimum, fewer variables). "
      "`aggregationDepth` and `maxBlockSizeInMB` are not offered (no tree aggregation); "
      "the summary is Spark's training summary, in memory only (not saved, as Spark).")
  TD_SHARED_PARAM(std::string, featuresCol, FeaturesCol, shared::featuresCol())
  TD_SHARED_PARAM(std::string, labelCol, LabelCol, shared::labelCol())
  TD_SHARED_PARAM(std::string, weightCol, WeightCol, shared::weightCol())
  TD_SHARED_PARAM(std::string, predictionCol, PredictionCol, shared::predictionCol())
  TD_SHARED_PARAM(double, regParam, RegParam, shared::regParam())
  TD_PARAM(double, elasticNetParam, ElasticNetParam,
           "the ElasticNet mixing parameter, in range [0, 1]. For alpha = 0, the penalty is an L2 "
           "penalty. For alpha = 1, it is an L1 penalty",
           0.0, ParamValidator::inRange(0.0, 1.0))
  TD_SHARED_PARAM(std::int64_t, maxIter, MaxIter, shared::maxIter(100))
  TD_SHARED_PARAM(double, tol, Tol, shared::tol(1e-6))
  TD_PARAM(bool, fitIntercept, FitIntercept, "whether to fit an intercept term", true)
  TD_PARAM(bool, standardization, Standardization,
           "whether to standardize the training features before fitting the model", true)
  TD_PARAM(std::string, solver, Solver,
           "The solver algorithm for optimization. Supported options: auto, normal, l-bfgs. "
           "(Default auto)",
           "auto", ParamValidator::oneOf({"auto", "normal", "l-bfgs"}))
  TD_PARAM(std::string, loss, Loss,
           "The loss function to be optimized. Supported options: squaredError, huber. (Default "
           "squaredError)",
           "squaredError", ParamValidator::oneOf({"squaredError", "huber"}))
  TD_PARAM(double, epsilon, Epsilon,
           "The shape parameter to control the amount of robustness. Must be > 1.0.", 1.35,
           ParamValidator::gt(1.0))

  LinearRegression();
  explicit LinearRegression(std::string uid);

  /// Data-parallel fits all-reduce the statistics and optimizer sums over Context::comm.
  [[nodiscard]] bool supportsDataParallel() const override { return true; }

  [[nodiscard]] Schema transformSchema(const Schema& input) const override;

  /// Spark's WeightedLeastSquares.MAX_NUM_FEATURES: the normal solver's limit.
  static constexpr std::int64_t kMaxNormalFeatures = 4096;

 protected:
  [[nodiscard]] std::shared_ptr<Model> fitImpl(const Frame& data, const Context& ctx) const override;
};

/// Spark's LinearRegressionTrainingSummary: the fit's metrics on its training data
/// (RegressionMetrics, weighted, through the origin without an intercept) and, for the normal
/// solver's Cholesky path, the coefficients' standard errors, t-values and p-values
/// (coefficients first, the intercept last). Kept in memory with the model; never saved.
struct LinearRegressionTrainingSummary {
  std::vector<double> objectiveHistory;  ///< Objective per iteration ([0] for closed forms).
  std::int64_t totalIterations = 0;      ///< objectiveHistory.size() − 1.
  double meanSquaredError = 0.0;
  double rootMeanSquaredError = 0.0;
  double meanAbsoluteError = 0.0;
  double r2 = 0.0;
  double r2adj = 0.0;
  double explainedVariance = 0.0;  ///< Spark's: Σ w (ŷ − ȳ)² / W.
  std::vector<double> residuals;   ///< label − prediction, per row of this process's data.
  std::int64_t numInstances = 0;   ///< Rows of positive weight.
  std::int64_t degreesOfFreedom = 0;
  /// Diagonal of (AᵀWA)⁻¹ in the original scale (Spark's diagInvAtWA); empty when not
  /// available (l-bfgs, huber, L1 on the normal equations, singular AᵀWA, constant label).
  std::vector<double> diagInvAtWA;
  double weightedRss = 0.0;  ///< Σ w (y − ŷ)², for the standard errors.

  /// Standard errors of the coefficients (and the intercept, last); throws ParamError when
  /// they are not available (as Spark's UnsupportedOperationException).
  [[nodiscard]] std::vector<double> coefficientStandardErrors() const;
  /// Estimates over their standard errors.
  [[nodiscard]] std::vector<double> tValues() const;
  /// Two-sided p-values of the t-values under Student's t with degreesOfFreedom.
  [[nodiscard]] std::vector<double> pValues() const;

  // For tValues(): the estimates (coefficients, then the intercept when fitted).
  std::vector<double> estimates;
};

/// A fitted linear regression: coefficients, intercept and (huber) scale; adds predictionCol
/// = coefficients·x + intercept.
class LinearRegressionModel final : public Model {
  TD_MODEL_CLASS(LinearRegressionModel, LinearRegression, "linReg",
                 "org.apache.spark.ml.regression.LinearRegressionModel",
                 "A fitted linear regression: coefficients, intercept and scale")
  TD_SPARK_DIFFERENCES(
      "Spark's `coefficients`, `intercept`, `scale`, `numFeatures` and `summary` are "
      "`coefficients()`, `intercept()`, `scale()`, `numFeatures()` and `summary()`. "
      "`evaluate(dataset)` and PMML export are not offered.")

  LinearRegressionModel(std::string uid, std::vector<double> coefficients, double intercept,
                        double scale = 1.0);
  /// An empty model (what loading starts from).
  explicit LinearRegressionModel(std::string uid);

  [[nodiscard]] const std::vector<double>& coefficients() const { return *coefficients_; }
  [[nodiscard]] double intercept() const { return intercept_; }
  /// Huber's σ; 1.0 for squaredError.
  [[nodiscard]] double scale() const { return scale_; }
  [[nodiscard]] std::int64_t numFeatures() const {
    return static_cast<std::int64_t>(coefficients_->size());
  }
  /// Whether a training summary is attached (a fitted model, not a loaded one).
  [[nodiscard]] bool hasSummary() const { return summary_ != nullptr; }
  /// The training summary; throws ParamError when there is none (Spark: hasSummary false).
  [[nodiscard]] const LinearRegressionTrainingSummary& summary() const;
  void setSummary(std::shared_ptr<const LinearRegressionTrainingSummary> s) {
    summary_ = std::move(s);
  }

  TD_MODEL_PARAM(featuresCol, FeaturesCol)
  TD_MODEL_PARAM(predictionCol, PredictionCol)

  /// coefficients·x + intercept.
  [[nodiscard]] double predict(const VectorView& x) const;

  [[nodiscard]] Schema transformSchema(const Schema& input) const override;
  /// numFeatures, intercept, scale and the count of non-zero coefficients.
  [[nodiscard]] std::vector<StateItem> stateSummary() const override;
  /// Coefficients (data/coefficients.f64le), intercept, scale, numFeatures.
  void saveState(StateWriter& out) const override;
  void loadState(const StateReader& in) override;

 protected:
  [[nodiscard]] Frame transformImpl(const Frame& input, const Context& ctx) const override;

 private:
  std::shared_ptr<const std::vector<double>> coefficients_;  // shared between copies
  double intercept_;
  double scale_;
  std::shared_ptr<const LinearRegressionTrainingSummary> summary_;
};

}  // namespace td
