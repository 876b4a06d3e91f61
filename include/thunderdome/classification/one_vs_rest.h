// include/thunderdome/classification/one_vs_rest.h
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "thunderdome/core/shared_params.h"
#include "thunderdome/pipeline/stage.h"

namespace td {

/// Multiclass classification by reduction to binary (Spark's OneVsRest): one fit of the binary
/// `classifier` per class k on the label "label == k", prediction the class of largest margin.
class OneVsRest final : public Estimator {
  TD_CLASS(OneVsRest, "oneVsRest", "org.apache.spark.ml.classification.OneVsRest",
           "One-vs-rest reduction of multiclass classification to a binary classifier")
  TD_SPARK_DIFFERENCES(
      "Same params (`classifier`, `featuresCol`, `labelCol`, `weightCol`, `predictionCol`, "
      "`rawPredictionCol`, `parallelism=1`), relabelling (class k fits the classifier on a new "
      "column `mc2b$k` = 1.0 where label == k, else 0.0, added to the frame without copying "
      "the features) and outputs (`rawPrediction`: the K positive-class raw margins, "
      "`prediction`: their argmax, the first on ties). `parallelism` fits run as tasks of the "
      "shared oneTBB pool (the classifier's own threads share it; results do not depend on "
      "it). The number of classes is the largest label + 1 as in Spark (no label metadata); "
      "labels must be non-negative integers (an error names the row otherwise). A pipeline "
      "spec gives the classifier as a nested stage, `\"classifier\": {\"class\": "
      "\"LogisticRegression\", \"params\": {...}}` (its uid is `<name>.classifier`; grid keys "
      "`<name>.classifier.regParam` reach its params, as `copy(extra)` does in Spark).")
  /// "classifier": the binary classifier estimator (it must have featuresCol, labelCol and
  /// rawPredictionCol params).
  static ParamSpec classifierSpec();
  TD_SHARED_PARAM(std::shared_ptr<Estimator>, classifier, Classifier, classifierSpec())
  TD_SHARED_PARAM(std::string, featuresCol, FeaturesCol, shared::featuresCol())
  TD_SHARED_PARAM(std::string, labelCol, LabelCol, shared::labelCol())
  TD_SHARED_PARAM(std::string, weightCol, WeightCol, shared::weightCol())
  TD_SHARED_PARAM(std::string, predictionCol, PredictionCol, shared::predictionCol())
  TD_SHARED_PARAM(std::string, rawPredictionCol, RawPredictionCol, shared::rawPredictionCol())
  TD_PARAM(std::int64_t, parallelism, Parallelism,
           "the number of threads to use when running parallel algorithms (>= 1)", 1,
           ParamValidator::gtEq(1))

  OneVsRest();
  explicit OneVsRest(std::string uid);

  /// The classifier (null until set).
  [[nodiscard]] std::shared_ptr<Estimator> classifierOrNull() const;
  [[nodiscard]] Schema transformSchema(const Schema& input) const override;
  /// A copy whose classifier is a copy too, with `extra`'s values for its uid (Spark's copy).
  [[nodiscard]] std::shared_ptr<PipelineStage> copyStage(const ParamMap& extra) const override;
  /// The classifier (when set): param maps and tuners reach its params through it.
  [[nodiscard]] std::vector<std::shared_ptr<PipelineStage>> subStages() const override;
  /// The classifier, under classifier/ (Spark's layout).
  void saveState(StateWriter& out) const override;
  void loadState(const StateReader& in) override;

 protected:
  [[nodiscard]] std::shared_ptr<Model> fitImpl(const Frame& data, const Context& ctx) const override;
};

/// A fitted OneVsRest: one binary model per class. Adds rawPrediction (the K models' positive
/// raw margins) and prediction (their argmax) columns.
class OneVsRestModel final : public Model {
  TD_MODEL_CLASS(OneVsRestModel, OneVsRest, "oneVsRest",
                 "org.apache.spark.ml.classification.OneVsRestModel",
                 "A fitted one-vs-rest classifier: one binary model per class")
  TD_SPARK_DIFFERENCES("Spark's `models` is `models()`; saved as Spark lays it out (model_k/).")

  OneVsRestModel(std::string uid, std::vector<std::shared_ptr<Model>> models);
  /// An empty model (what loading starts from).
  explicit OneVsRestModel(std::string uid);

  /// The binary model of class k at index k.
  [[nodiscard]] const std::vector<std::shared_ptr<Model>>& models() const { return models_; }
  [[nodiscard]] std::int64_t numClasses() const {
    return static_cast<std::int64_t>(models_.size());
  }

  TD_MODEL_PARAM(featuresCol, FeaturesCol)
  TD_MODEL_PARAM(predictionCol, PredictionCol)
  TD_MODEL_PARAM(rawPredictionCol, RawPredictionCol)

  [[nodiscard]] Schema transformSchema(const Schema& input) const override;
  [[nodiscard]] std::vector<StateItem> stateSummary() const override;
  /// numClasses, the classifier (classifier/) and the models (model_0/, model_1/, ...).
  void saveState(StateWriter& out) const override;
  void loadState(const StateReader& in) override;

 protected:
  [[nodiscard]] Frame transformImpl(const Frame& input, const Context& ctx) const override;

 private:
  std::vector<std::shared_ptr<Model>> models_;
};

}  // namespace td
