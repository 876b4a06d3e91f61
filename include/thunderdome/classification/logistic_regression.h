// include/thunderdome/classification/logistic_regression.h
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "thunderdome/core/shared_params.h"
#include "thunderdome/pipeline/stage.h"

namespace td {

namespace glm {
class WarmStartData;  // src/glm/design_matrix.h: the compact training matrix of one frame
}  // namespace glm

class LogisticRegressionModel;

/// Logistic regression, binomial or multinomial (softmax, K coefficient rows, no pivot), with
/// Spark ML's objective, defaults and outputs: (1/W) Σ w_i·logloss + regParam·(elasticNetParam·L1
/// + (1−elasticNetParam)/2·L2), intercepts unpenalised, optional standardization; OWL-QN for
/// L1/elastic net, L-BFGS (Spark's) or truncated Newton-CG (binomial, sparse features) for L2.
class LogisticRegression final : public Estimator, public WarmStartable {
  TD_CLASS(LogisticRegression, "logreg", "org.apache.spark.ml.classification.LogisticRegression",
           "Logistic regression, binomial or multinomial (Newton-CG or L-BFGS for L2, OWL-QN for "
           "L1/elastic net)")
  TD_SPARK_DIFFERENCES(
      "Same objective, defaults (`maxIter=100`, `tol=1e-6`, `regParam=0`, "
      "`elasticNetParam=0`, `standardization=true`, `threshold=0.5`, `fitIntercept=true`), "
      "outputs (`rawPrediction`, `probability`, `prediction`), zero-variance and "
      "single-class handling. OWL-QN (L1 / elastic net) as Spark. For a pure L2 penalty on "
      "sparse features (hashed text) the default `solver=\"auto\"` (a thunderdome param) "
      "uses a truncated Newton method with preconditioned conjugate gradients (liblinear's, "
      "with an Eisenstat-Walker forcing term) instead of Spark's L-BFGS: on raw term counts "
      "L-BFGS stops at `maxIter=100` still 5-30% above the optimum, while Newton-CG reaches "
      "it (about 6e-8 relative on the spam benchmark) in 10-20 iterations, faster. "
      "`maxIter` then counts Newton iterations; `tol` keeps Spark's name, default and meaning "
      "of a relative objective tolerance, mapped to Newton's test: stop after a full Newton "
      "step that lowered the objective by at most `tol` relative, or once the shrinking "
      "decreases predict that the next one (about the gap left) is at most `tol` relative "
      "(measured: the same test AUC and CV winner as a 100x tighter test, ~10% fewer passes; "
      "bench/README.md). `solver=\"l-bfgs\"` gives Spark's optimizer iteration for "
      "iteration; dense features and multinomial fits always use it. `family` (auto, binomial, "
      "multinomial) and `thresholds` as Spark; the number of classes is max(label) + 1 (there "
      "is no column metadata). A multinomial fit on dense features (or sparse ones with at "
      "most 4096 active features, a third of them stored) of at least 2^22 values stores the "
      "scaled matrix in float32 (or, when every value is an integer 0..255, the raw values as "
      "bytes) and multiplies in float32 (softmax, losses and sums in double): several times "
      "faster, and the optimum it reaches satisfies the double-precision optimality "
      "conditions to about 1e-5 (tested); smaller data use double throughout. "
      "With a pure L2 penalty (`elasticNetParam=0`, `regParam` > 0) on sparse features, "
      "features whose values are proportional on the same rows (in hashed text, the words "
      "one document alone contains) are solved as one variable and split back as the penalty "
      "prefers: the same optimum with fewer variables (0.42 of the columns at 2^18 on the "
      "spam benchmark), where Spark solves each. "
      "Bounds and `aggregationDepth` are not offered. "
      "`setInitialModel` warm-starts the optimizer.")
  TD_SHARED_PARAM(std::string, featuresCol, FeaturesCol, shared::featuresCol())
  TD_SHARED_PARAM(std::string, labelCol, LabelCol, shared::labelCol())
  TD_SHARED_PARAM(std::string, weightCol, WeightCol, shared::weightCol())
  TD_SHARED_PARAM(std::string, predictionCol, PredictionCol, shared::predictionCol())
  TD_SHARED_PARAM(std::string, rawPredictionCol, RawPredictionCol, shared::rawPredictionCol())
  TD_SHARED_PARAM(std::string, probabilityCol, ProbabilityCol, shared::probabilityCol())
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
  TD_PARAM(double, threshold, Threshold,
           "threshold in binary classification prediction, in range [0, 1]", 0.5,
           ParamValidator::inRange(0.0, 1.0))
  TD_PARAM(std::string, family, Family,
           "The name of family which is a description of the label distribution to be used in "
           "the model. Supported options: auto, binomial, multinomial.",
           "auto", ParamValidator::oneOf({"auto", "binomial", "multinomial"}))
  TD_PARAM(std::vector<double>, thresholds, Thresholds,
           "Thresholds in multi-class classification to adjust the probability of predicting "
           "each class. Array must have length equal to the number of classes, with values > 0 "
           "excepting that at most one value may be 0. The class with largest value p/t is "
           "predicted, where p is the original probability of that class and t is the class's "
           "threshold",
           kNoDefault,
           (ParamValidator{[](const ParamValue& v) {
                             if (v.type() != ParamType::kDoubleList) return false;
                             int zeros = 0;
                             for (double t : v.as<std::vector<double>>()) {
                               if (!(t >= 0.0)) return false;
                               zeros += t == 0.0;
                             }
                             return zeros <= 1 && !v.as<std::vector<double>>().empty();
                           },
                           "non-empty, values >= 0, at most one 0"}),
           ParamExample{std::vector<double>{0.5, 0.5}})
  /// "auto" (default: Newton-CG for a pure L2 penalty on sparse features, else as "l-bfgs") or
  /// "l-bfgs" (Spark's optimizer, iteration for iteration).
  TD_PARAM(std::string, solver, Solver,
           "the optimization algorithm (a thunderdome extension). Supported options: auto "
           "(truncated Newton-CG when the penalty is pure L2 and the features are sparse, "
           "otherwise as l-bfgs), l-bfgs (Spark's: L-BFGS, OWL-QN when elasticNetParam > 0)",
           "auto", ParamValidator::oneOf({"auto", "l-bfgs"}))

  LogisticRegression();
  explicit LogisticRegression(std::string uid);

  /// Warm start: the optimizer starts from this model's coefficients (and intercept) when its
  /// numFeatures equals the data's and its values are finite; otherwise from the cold start.
  /// A caller tuning regParam passes the previous fit (same features); nullptr clears it.
  LogisticRegression& setInitialModel(std::shared_ptr<const LogisticRegressionModel> m) {
    initialModel_ = std::move(m);
    return *this;
  }
  /// The warm-start model (null when none).
  [[nodiscard]] const std::shared_ptr<const LogisticRegressionModel>& getInitialModel() const {
    return initialModel_;
  }

  [[nodiscard]] std::string warmStartParam() const override { return "regParam"; }
  void setWarmStart(std::shared_ptr<const Model> model) override {
    setInitialModel(std::dynamic_pointer_cast<const LogisticRegressionModel>(model));
  }
  /// Keeps the compact sparse training matrix with the model, so that the next fit of a
  /// regularization path on the same frame (warm-started from it) skips rebuilding it.
  void setKeepWarmStartData(bool keep) override { keepWarmStartData_ = keep; }

  /// Data-parallel fits all-reduce the statistics and optimizer sums over Context::comm.
  [[nodiscard]] bool supportsDataParallel() const override { return true; }

  [[nodiscard]] Schema transformSchema(const Schema& input) const override;

 protected:
  [[nodiscard]] std::shared_ptr<Model> fitImpl(const Frame& data, const Context& ctx) const override;

 private:
  // The multinomial fit of K classes (family multinomial, or auto with K > 2).
  [[nodiscard]] std::shared_ptr<Model> fitMultinomial(const Frame& data, const Context& ctx,
                                                      std::int64_t K) const;
  std::shared_ptr<const LogisticRegressionModel> initialModel_;
  bool keepWarmStartData_ = false;
};

/// Training diagnostics of a LogisticRegressionModel (Spark's summary, the objective part).
struct LogisticRegressionTrainingSummary {
  std::vector<double> objectiveHistory;  ///< Objective (loss + penalty) per iteration, incl. start.
  std::int64_t totalIterations = 0;      ///< Optimizer iterations performed.
  bool converged = false;                ///< Stopped by tol rather than maxIter.
  std::int64_t totalCgIterations = 0;    ///< Hessian-vector products (Newton-CG; 0 for L-BFGS).
};

/// A fitted logistic regression: binomial (coefficients and intercept; rawPrediction [−m, m],
/// probability [1−σ(m), σ(m)]) or multinomial (a K×d coefficient matrix and K intercepts;
/// rawPrediction the K margins, probability their softmax), in the original feature scale.
class LogisticRegressionModel final : public Model {
  TD_MODEL_CLASS(LogisticRegressionModel, LogisticRegression, "logreg",
                 "org.apache.spark.ml.classification.LogisticRegressionModel",
                 "A fitted logistic regression: coefficients and intercepts")
  TD_SPARK_DIFFERENCES(
      "Spark's `coefficients`, `intercept`, `coefficientMatrix`, `interceptVector` and "
      "`summary.objectiveHistory` are `coefficients()`, `intercept()`, `coefficientMatrix()` "
      "(K×d, row-major), `interceptVector()` and `summary().objectiveHistory`.")

  /// A binomial model.
  LogisticRegressionModel(std::string uid, std::vector<double> coefficients, double intercept);
  /// A multinomial model: a K×d row-major coefficient matrix and K intercepts.
  LogisticRegressionModel(std::string uid, std::int64_t numClasses,
                          std::vector<double> coefficientMatrix, std::vector<double> interceptVector);
  /// An empty model (what loading starts from).
  explicit LogisticRegressionModel(std::string uid);

  /// Binomial: the coefficients (a multinomial model throws, as Spark: use coefficientMatrix).
  [[nodiscard]] const std::vector<double>& coefficients() const;
  /// Binomial: the intercept (a multinomial model throws, as Spark: use interceptVector).
  [[nodiscard]] double intercept() const;
  /// The coefficient matrix, row-major: K×d (multinomial) or 1×d (binomial).
  [[nodiscard]] const std::vector<double>& coefficientMatrix() const { return *coefficients_; }
  /// The intercepts: K (multinomial) or 1 (binomial).
  [[nodiscard]] const std::vector<double>& interceptVector() const { return intercepts_; }
  [[nodiscard]] bool isMultinomial() const { return multinomial_; }
  [[nodiscard]] std::int64_t numFeatures() const { return numFeatures_; }
  [[nodiscard]] std::int64_t numClasses() const { return numClasses_; }
  [[nodiscard]] const LogisticRegressionTrainingSummary& summary() const { return summary_; }
  void setSummary(LogisticRegressionTrainingSummary s) { summary_ = std::move(s); }
  /// Training data derived from the frame this model was fitted on, kept for a warm-started fit
  /// on the same frame (see LogisticRegression::setKeepWarmStartData); null by default, never
  /// saved.
  [[nodiscard]] const std::shared_ptr<const glm::WarmStartData>& warmStartData() const {
    return warmData_;
  }
  void setWarmStartData(std::shared_ptr<const glm::WarmStartData> d) { warmData_ = std::move(d); }

  TD_MODEL_PARAM(threshold, Threshold)
  TD_MODEL_PARAM(thresholds, Thresholds)
  TD_MODEL_PARAM(featuresCol, FeaturesCol)
  TD_MODEL_PARAM(predictionCol, PredictionCol)
  TD_MODEL_PARAM(rawPredictionCol, RawPredictionCol)
  TD_MODEL_PARAM(probabilityCol, ProbabilityCol)

  /// Binomial: the margin w·x + b of one feature vector.
  [[nodiscard]] double margin(const VectorView& x) const;
  /// Binomial: P(label = 1 | x).
  [[nodiscard]] double predictProbability(const VectorView& x) const;

  [[nodiscard]] Schema transformSchema(const Schema& input) const override;
  /// numClasses, numFeatures, intercept(s) and the count of non-zero coefficients.
  [[nodiscard]] std::vector<StateItem> stateSummary() const override;
  /// Coefficients (data/coefficients.f64le: K×d row-major when multinomial), intercept (binomial)
  /// or interceptVector, numFeatures, numClasses, isMultinomial.
  void saveState(StateWriter& out) const override;
  void loadState(const StateReader& in) override;

 protected:
  [[nodiscard]] Frame transformImpl(const Frame& input, const Context& ctx) const override;

 private:
  void checkFeatures(std::int64_t dim) const;
  std::shared_ptr<const std::vector<double>> coefficients_;  // K×d or 1×d, shared between copies
  std::vector<double> intercepts_;                           // K or 1
  std::int64_t numClasses_ = 2, numFeatures_ = 0;
  bool multinomial_ = false;
  LogisticRegressionTrainingSummary summary_;
  std::shared_ptr<const glm::WarmStartData> warmData_;
};

}  // namespace td
