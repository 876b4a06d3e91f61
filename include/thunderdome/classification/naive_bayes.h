// include/thunderdome/classification/naive_bayes.h
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "thunderdome/core/shared_params.h"
#include "thunderdome/pipeline/stage.h"

namespace td {

/// Naive Bayes classification as Spark 3.5's NaiveBayes: multinomial (default), complement,
/// bernoulli and gaussian models fitted in one pass over the data (per-class weighted sums),
/// with Spark's smoothing, priors, variance epsilon and joint log-likelihood rawPrediction.
class NaiveBayes final : public Estimator {
  TD_CLASS(NaiveBayes, "nb", "org.apache.spark.ml.classification.NaiveBayes",
           "Naive Bayes classifier: multinomial, complement, bernoulli or gaussian")
  TD_SPARK_DIFFERENCES(
      "Spark 3.5's params and defaults (`smoothing=1.0`, `modelType=\"multinomial\"`, "
      "`thresholds` unset), model (`pi`, `theta`, `sigma`), rawPrediction, probability and "
      "prediction for all four model types, and its input checks (multinomial/complement: "
      "values >= 0 and finite; bernoulli: values 0 or 1; gaussian: finite; labels integers "
      ">= 0; weights finite and >= 0). **Classes:** K = max label + 1 (or the length of "
      "`thresholds` when set), as Spark's other classifiers; Spark's NaiveBayes instead makes "
      "one class per label *present*, so labels {0, 2} give Spark 2 classes (and predictions "
      "0/1) but 3 here. A class in 0..K-1 absent from the data (or of weight 0) gets Spark's "
      "formulas with zero sums: prior log(lambda) - log(W + K lambda) (-Infinity when "
      "smoothing=0 or gaussian) and, where a formula gives log 0 - log 0, log-probabilities "
      "-Infinity (gaussian: mean 0, variance epsilon), so it is never predicted "
      "(complement, which ignores priors, still scores it). A single class fits (K=1, "
      "probability [1.0]) as in Spark. **Zeros:** a zero feature value contributes nothing "
      "to rawPrediction, for dense and sparse vectors alike (Spark's dense product gives "
      "NaN for 0 x -Infinity, which only arises with smoothing=0). **Refused** where Spark "
      "fits degenerate models: all weights 0 (Spark: NaN/uniform model) and a gaussian fit "
      "where every feature is constant or there are no features (Spark: epsilon 0, NaN or "
      "infinite log-likelihoods). A NaN or infinite gaussian feature is an error at fit; at "
      "transform gaussian values are not checked (as Spark). **Data-parallel** fits (each "
      "rank a shard of the rows) sum the per-class sums over the ranks and give the "
      "one-process model, bit for bit when the sums are exact (e.g. integer counts and "
      "weights), else to rounding (the sums are added in another order; 1e-12 relative in "
      "the tests); a bad row on one rank stops every rank with that rank's message.")
  /// Spark's thresholds rule: every value >= 0 (no NaN) and at most one of them 0.
  [[nodiscard]] static bool checkThresholds(const std::vector<double>& t);

  TD_SHARED_PARAM(std::string, featuresCol, FeaturesCol, shared::featuresCol())
  TD_SHARED_PARAM(std::string, labelCol, LabelCol, shared::labelCol())
  TD_SHARED_PARAM(std::string, weightCol, WeightCol, shared::weightCol())
  TD_SHARED_PARAM(std::string, predictionCol, PredictionCol, shared::predictionCol())
  TD_SHARED_PARAM(std::string, rawPredictionCol, RawPredictionCol, shared::rawPredictionCol())
  TD_SHARED_PARAM(std::string, probabilityCol, ProbabilityCol, shared::probabilityCol())
  TD_PARAM(double, smoothing, Smoothing, "The smoothing parameter.", 1.0, ParamValidator::gtEq(0.0))
  TD_PARAM(std::string, modelType, ModelType,
           "The model type which is a string (case-sensitive). Supported options: multinomial "
           "(default), complement, bernoulli and gaussian.",
           "multinomial",
           ParamValidator::oneOf({"multinomial", "complement", "bernoulli", "gaussian"}))
  /// Spark's HasThresholds: K values >= 0, at most one of them 0; prediction = argmax p_k/t_k.
  TD_PARAM(std::vector<double>, thresholds, Thresholds,
           "Thresholds in multi-class classification to adjust the probability of predicting "
           "each class. Array must have length equal to the number of classes, with values > 0 "
           "excepting that at most one value may be 0. The class with largest value p/t is "
           "predicted, where p is the original probability of that class and t is the class's "
           "threshold",
           kNoDefault,
           (ParamValidator{[](const ParamValue& v) {
                             return v.type() == ParamType::kDoubleList &&
                                    checkThresholds(v.as<std::vector<double>>());
                           },
                           "every value >= 0, at most one value 0"}))

  NaiveBayes();
  explicit NaiveBayes(std::string uid);

  /// Data-parallel fits all-reduce the per-class sums over Context::comm.
  [[nodiscard]] bool supportsDataParallel() const override { return true; }

  [[nodiscard]] Schema transformSchema(const Schema& input) const override;

 protected:
  [[nodiscard]] std::shared_ptr<Model> fitImpl(const Frame& data,
                                               const Context& ctx) const override;
};

/// A fitted naive Bayes model: log priors pi (K), theta (K x d, row-major: log conditional
/// probabilities, or for gaussian the means) and, for gaussian, the variances sigma (K x d).
/// Adds rawPrediction (K joint log-likelihoods), probability (their softmax) and prediction.
class NaiveBayesModel final : public Model {
  TD_MODEL_CLASS(NaiveBayesModel, NaiveBayes, "nb",
                 "org.apache.spark.ml.classification.NaiveBayesModel",
                 "A fitted naive Bayes model: log priors, conditional log-probabilities or "
                 "gaussian means and variances")
  TD_SPARK_DIFFERENCES(
      "Spark's `pi`, `theta` (a K x d matrix) and `sigma` (K x d for gaussian, else empty) are "
      "`pi()`, `theta()` and `sigma()` (row-major arrays); `predictRaw` and `numClasses` / "
      "`numFeatures` as Spark. See NaiveBayes for class counting and zero values.")

  /// A model of `numClasses` classes over `numFeatures` features; sigma is empty unless gaussian.
  NaiveBayesModel(std::string uid, std::int64_t numClasses, std::int64_t numFeatures,
                  std::vector<double> pi, std::vector<double> theta, std::vector<double> sigma);
  /// An empty model (what loading starts from).
  explicit NaiveBayesModel(std::string uid);

  [[nodiscard]] std::int64_t numClasses() const { return numClasses_; }
  [[nodiscard]] std::int64_t numFeatures() const { return numFeatures_; }
  /// Log class priors (K).
  [[nodiscard]] const std::vector<double>& pi() const { return *pi_; }
  /// K x d, row-major: log P(feature | class) (complement: its negated complement estimate;
  /// gaussian: the means).
  [[nodiscard]] const std::vector<double>& theta() const { return *theta_; }
  /// Gaussian: K x d variances, row-major; empty for the other types.
  [[nodiscard]] const std::vector<double>& sigma() const { return *sigma_; }

  TD_MODEL_PARAM(featuresCol, FeaturesCol)
  TD_MODEL_PARAM(predictionCol, PredictionCol)
  TD_MODEL_PARAM(rawPredictionCol, RawPredictionCol)
  TD_MODEL_PARAM(probabilityCol, ProbabilityCol)
  TD_MODEL_PARAM(thresholds, Thresholds)

  /// Spark's predictRaw: the K joint log-likelihoods of one feature vector (checked as Spark
  /// checks it: multinomial/complement values >= 0, bernoulli values 0 or 1).
  [[nodiscard]] std::vector<double> predictRaw(const VectorView& x) const;

  [[nodiscard]] Schema transformSchema(const Schema& input) const override;
  [[nodiscard]] bool isRowWise() const override { return true; }
  /// numClasses, numFeatures and the model type.
  [[nodiscard]] std::vector<StateItem> stateSummary() const override;
  /// pi, theta, sigma (data/*.f64le), numClasses and numFeatures.
  void saveState(StateWriter& out) const override;
  void loadState(const StateReader& in) override;

 protected:
  [[nodiscard]] Frame transformImpl(const Frame& input, const Context& ctx) const override;

 private:
  std::int64_t numClasses_;
  std::int64_t numFeatures_;
  // Shared between copies (a copy made by copyStage shares them).
  std::shared_ptr<const std::vector<double>> pi_, theta_, sigma_;
};

}  // namespace td
