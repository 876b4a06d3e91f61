// include/thunderdome/classification/multilayer_perceptron.h
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "thunderdome/core/shared_params.h"
#include "thunderdome/pipeline/stage.h"

namespace td {

/// A feed-forward neural network classifier as Spark 3.5's MultilayerPerceptronClassifier:
/// affine layers of sizes `layers`, sigmoid hidden units, softmax with cross-entropy on top,
/// trained with L-BFGS (Spark's Breeze iteration) or gradient descent on the mean over row
/// blocks of the block-mean loss, with Spark's weight-vector layout and initialisation law.
class MultilayerPerceptronClassifier final : public Estimator {
  TD_CLASS(MultilayerPerceptronClassifier, "mlpc",
           "org.apache.spark.ml.classification.MultilayerPerceptronClassifier",
           "Feed-forward neural network classifier: sigmoid hidden layers, softmax output "
           "(L-BFGS or gradient descent)")
  TD_SPARK_DIFFERENCES(
      "Spark 3.5's params and defaults (`blockSize=128`, `solver=\"l-bfgs\"`, "
      "`stepSize=0.03`, `maxIter=100`, `tol=1e-6`, `seed` = the class name's Java hashCode "
      "−763139545), objective, gradient, weight layout (per layer W out×in column-major, then "
      "b) and outputs. **Objective:** as Spark with a single partition: the rows, in order, are "
      "cut into blocks of `blockSize`; the objective is the mean over blocks of each block's "
      "mean cross-entropy (Spark cuts blocks per partition, so its last blocks and hence its "
      "weighting depend on the partitioning). L-BFGS is Breeze's (m = 10, Spark's stopping "
      "rules); `gd` is Spark's GradientDescent with miniBatchFraction 1 and ANNUpdater's "
      "constant step `stepSize`, stopping when ‖w_k − w_{k−1}‖ < tol·max(‖w_k‖, 1). The "
      "cross-entropy is computed as log-sum-exp − z_label, so a probability that underflows "
      "gives a large finite loss instead of Spark's Infinity/NaN. **Random initialisation:** "
      "Spark's law (every weight and bias of layer l uniform in [−2.4/√in_l, 2.4/√in_l)) drawn "
      "from thunderdome's seeded generator, not Spark's XORShiftRandom: the same seed gives "
      "other initial weights than Spark (deterministic per seed); with `initialWeights` the "
      "fit follows Spark's. **Checks:** labels integers in [0, layers[-1]) (Spark's messages), "
      "features finite (Spark: not NaN/Infinity), `layers[0]` equal to the features' dimension "
      "and `initialWeights` of the topology's size (Spark fails with an index error or "
      "\"Expected weight vector of size\"). No `weightCol` (as Spark). Not data-parallel.")
  TD_SHARED_PARAM(std::string, featuresCol, FeaturesCol, shared::featuresCol())
  TD_SHARED_PARAM(std::string, labelCol, LabelCol, shared::labelCol())
  TD_SHARED_PARAM(std::string, predictionCol, PredictionCol, shared::predictionCol())
  TD_SHARED_PARAM(std::string, rawPredictionCol, RawPredictionCol, shared::rawPredictionCol())
  TD_SHARED_PARAM(std::string, probabilityCol, ProbabilityCol, shared::probabilityCol())
  /// Required: sizes from the input layer (the features' dimension) to the output layer (the
  /// number of classes).
  TD_PARAM(std::vector<std::int64_t>, layers, Layers,
           "Sizes of layers from input layer to output layer. E.g., Array(780, 100, 10) means "
           "780 inputs, one hidden layer with 100 neurons and output layer of 10 neurons.",
           kNoDefault,
           (ParamValidator{[](const ParamValue& v) {
                             if (v.type() != ParamType::kIntList) return false;
                             const auto& l = v.as<std::vector<std::int64_t>>();
                             if (l.size() < 2) return false;
                             for (const auto s : l)
                               if (s <= 0 || s > 2147483647) return false;
                             return true;
                           },
                           "at least 2 sizes, every size > 0"}),
           ParamExample{std::vector<std::int64_t>{16, 8, 2}})
  TD_PARAM(std::int64_t, blockSize, BlockSize,
           "block size for stacking input data in matrices. Data is stacked within partitions. "
           "If block size is more than remaining data in a partition then it is adjusted to the "
           "size of this data. Recommended size is between 10 and 1000",
           128, ParamValidator::gt(0))
  TD_PARAM(std::string, solver, Solver,
           "The solver algorithm for optimization. Supported options: l-bfgs, gd. (Default "
           "l-bfgs)",
           "l-bfgs", ParamValidator::oneOf({"l-bfgs", "gd"}))
  TD_SHARED_PARAM(std::int64_t, maxIter, MaxIter, shared::maxIter(100))
  TD_SHARED_PARAM(double, tol, Tol, shared::tol(1e-6))
  TD_PARAM(double, stepSize, StepSize,
           "Step size to be used for each iteration of optimization (> 0)", 0.03,
           ParamValidator::gt(0.0))
  /// Spark's default: "org.apache.spark.ml.classification.MultilayerPerceptronClassifier"
  /// .hashCode.
  TD_SHARED_PARAM(std::int64_t, seed, Seed, shared::seed(-763139545))
  /// The starting weights (Spark's layout, see weights()); unset: random from `seed`.
  TD_PARAM(std::vector<double>, initialWeights, InitialWeights, "The initial weights of the model",
           kNoDefault)
  /// Spark's HasThresholds: K values >= 0, at most one of them 0; prediction = argmax p_k/t_k.
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

  MultilayerPerceptronClassifier();
  explicit MultilayerPerceptronClassifier(std::string uid);

  [[nodiscard]] Schema transformSchema(const Schema& input) const override;

 protected:
  [[nodiscard]] std::shared_ptr<Model> fitImpl(const Frame& data,
                                               const Context& ctx) const override;
};

/// Training diagnostics of a MultilayerPerceptronClassificationModel (Spark's summary, the
/// objective part).
struct MultilayerPerceptronTrainingSummary {
  /// L-BFGS: the objective at the initial weights and after each iteration; gd: the objective
  /// at the weights each iteration started from (Spark's stochasticLossHistory).
  std::vector<double> objectiveHistory;
  std::int64_t totalIterations = 0;  ///< Optimizer iterations performed.
};

/// A fitted multilayer perceptron: the flat weight vector (Spark's layout) over `layers`;
/// rawPrediction is the top layer's pre-softmax output, probability its softmax, prediction
/// the argmax (or argmax p/t with thresholds).
class MultilayerPerceptronClassificationModel final : public Model {
  TD_MODEL_CLASS(MultilayerPerceptronClassificationModel, MultilayerPerceptronClassifier, "mlpc",
                 "org.apache.spark.ml.classification.MultilayerPerceptronClassificationModel",
                 "A fitted multilayer perceptron: layer sizes and the flat weight vector")
  TD_SPARK_DIFFERENCES(
      "Spark's `weights`, `numFeatures`, `numClasses`, `predictRaw` and "
      "`summary.objectiveHistory` are `weights()`, `numFeatures()`, `numClasses()`, "
      "`predictRaw()` and `summary().objectiveHistory` (the summary is not saved, as Spark). "
      "Transform does not check the feature values (as Spark).")

  /// A model over `layers` (sets the param) with Spark's flat weight vector.
  MultilayerPerceptronClassificationModel(std::string uid, std::vector<std::int64_t> layers,
                                          std::vector<double> weights);
  /// An empty model (what loading starts from).
  explicit MultilayerPerceptronClassificationModel(std::string uid);

  /// For each affine layer l: W_l (layers[l+1] × layers[l], column-major), then b_l.
  [[nodiscard]] const std::vector<double>& weights() const { return *weights_; }
  [[nodiscard]] const std::vector<std::int64_t>& layers() const { return layers_; }
  [[nodiscard]] std::int64_t numFeatures() const { return layers_.empty() ? 0 : layers_.front(); }
  [[nodiscard]] std::int64_t numClasses() const { return layers_.empty() ? 0 : layers_.back(); }
  [[nodiscard]] const MultilayerPerceptronTrainingSummary& summary() const { return summary_; }
  void setSummary(MultilayerPerceptronTrainingSummary s) { summary_ = std::move(s); }

  TD_MODEL_PARAM(featuresCol, FeaturesCol)
  TD_MODEL_PARAM(predictionCol, PredictionCol)
  TD_MODEL_PARAM(rawPredictionCol, RawPredictionCol)
  TD_MODEL_PARAM(probabilityCol, ProbabilityCol)
  TD_MODEL_PARAM(thresholds, Thresholds)

  /// Spark's predictRaw: the top layer's outputs before the softmax.
  [[nodiscard]] std::vector<double> predictRaw(const VectorView& x) const;
  /// The class probabilities (softmax of predictRaw).
  [[nodiscard]] std::vector<double> predictProbability(const VectorView& x) const;

  [[nodiscard]] Schema transformSchema(const Schema& input) const override;
  [[nodiscard]] bool isRowWise() const override { return true; }
  /// numLayers, numClasses, numFeatures and the number of weights.
  [[nodiscard]] std::vector<StateItem> stateSummary() const override;
  /// The weights (data/weights.f64le); the layers are the `layers` param.
  void saveState(StateWriter& out) const override;
  void loadState(const StateReader& in) override;

 protected:
  [[nodiscard]] Frame transformImpl(const Frame& input, const Context& ctx) const override;

 private:
  std::vector<std::int64_t> layers_;
  std::shared_ptr<const std::vector<double>> weights_;  // shared between copies
  MultilayerPerceptronTrainingSummary summary_;
};

}  // namespace td
