// include/thunderdome/tuning/validator.h
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "thunderdome/evaluation/evaluator.h"
#include "thunderdome/pipeline/stage.h"

namespace td {

/// Progress of a tuning run (one report per finished fit); see Context::progress.
using TuningProgress = Progress;
/// Called after each fit of a tuning run, serialised.
using TuningProgressCallback = ProgressCallback;

/// A tuning run's results, as `fit` and `show` print them and reports chart them.
struct TuningSummary {
  std::string method;                          ///< "crossValidator" or "trainValidationSplit".
  std::string metricName;                      ///< The evaluator's metric.
  bool largerBetter = true;                    ///< Whether the largest metric wins.
  std::vector<ParamMap> maps;                  ///< The param maps searched.
  std::vector<double> avgMetrics, stdMetrics;  ///< stdMetrics empty for a single split.
  std::vector<std::vector<double>> foldMetrics;  ///< foldMetrics[fold][map].
  std::int64_t bestIndex = 0;                  ///< The winning map.
  std::int64_t numFolds = 1;                   ///< Folds (1 for a single split).
};

/// What CrossValidator and TrainValidationSplit share (Spark's ValidatorParams): the estimator,
/// its param maps and the evaluator as params, the checks on them, and saving them. Each tuner
/// declares these params with TD_SHARED_PARAM from the specs below (so its setters chain).
class Validator : public Estimator {
 public:
  /// "estimator": the estimator (usually a Pipeline) whose param maps are searched.
  static ParamSpec estimatorSpec();
  /// "evaluator": scores each param map's predictions.
  static ParamSpec evaluatorSpec();
  /// "estimatorParamMaps": the param maps to search (ParamGridBuilder's output).
  static ParamSpec estimatorParamMapsSpec();
  /// "parallelism": how many fits run at once on the shared pool.
  static ParamSpec parallelismSpec(const char* doc);
  /// "reuseFeatures" (thunderdome extension, on by default).
  static ParamSpec reuseFeaturesSpec();
  /// "warmStart" (thunderdome extension, on by default).
  static ParamSpec warmStartSpec();
  /// "distributedRefit" (thunderdome extension, on by default).
  static ParamSpec distributedRefitSpec();
  /// "distributedRefitMinRows" (thunderdome extension, 10,000 by default).
  static ParamSpec distributedRefitMinRowsSpec();

  /// The tuned estimator (null until set).
  [[nodiscard]] std::shared_ptr<Estimator> estimatorOrNull() const;
  /// The evaluator (null until set).
  [[nodiscard]] std::shared_ptr<Evaluator> evaluatorOrNull() const;
  /// The param maps (empty until set).
  [[nodiscard]] std::vector<ParamMap> paramMaps() const;
  /// Whether the estimator's stages can fit data-parallel (checked when a fit asks for it).
  [[nodiscard]] bool supportsDataParallel() const override { return true; }
  /// Saves the estimator, evaluator and maps (Spark's layout: estimator/, evaluator/).
  void saveState(StateWriter& out) const override;
  void loadState(const StateReader& in) override;
  /// Predictions of `best` on held-out rows of `train` as tuning cut them (each fold's
  /// validation rows, or the validation split), from fits on the rest: out-of-sample curves.
  [[nodiscard]] virtual std::vector<Frame> heldOutPredictions(const Frame& train,
                                                              const ParamMap& best,
                                                              const Context& ctx = {}) const = 0;
  /// One line saying what fit will do with `numMaps` maps, e.g. "6 param maps x 2 folds".
  [[nodiscard]] virtual std::string plan(std::size_t numMaps) const = 0;
  /// The estimator's and evaluator's columns and every column a param map names.
  [[nodiscard]] std::vector<std::string> columnsRead() const override;

 protected:
  using Estimator::Estimator;
  /// Checks that estimator, evaluator and maps are set and that every map addresses a stage of
  /// the estimator; then that every map gives a schema the estimator accepts for `input`.
  Schema checkSetup(const Schema& input) const;
};

/// Inside a tuner that used TD_CLASS: Spark's ValidatorParams (estimator, evaluator,
/// estimatorParamMaps) with setters that return the tuner.
#define TD_VALIDATOR_PARAMS()                                                       \
  TD_SHARED_PARAM(std::shared_ptr<Estimator>, estimator, Estimator, estimatorSpec()) \
  TD_SHARED_PARAM(std::shared_ptr<Evaluator>, evaluator, Evaluator, evaluatorSpec()) \
  TD_SHARED_PARAM(std::vector<ParamMap>, estimatorParamMaps, EstimatorParamMaps,     \
                  estimatorParamMapsSpec())

/// What the models of CrossValidator and TrainValidationSplit share: the best param map's model
/// refit on all the data (transform delegates to it), the tuned estimator, evaluator and maps.
class TuningModel : public Model {
 public:
  /// The best param map's model, refit on the whole training data.
  [[nodiscard]] const std::shared_ptr<Model>& bestModel() const { return bestModel_; }
  [[nodiscard]] const std::vector<ParamMap>& getEstimatorParamMaps() const { return maps_; }
  /// The estimator that was tuned.
  [[nodiscard]] const std::shared_ptr<Estimator>& getEstimator() const { return estimator_; }
  /// The evaluator that scored the param maps.
  [[nodiscard]] const std::shared_ptr<Evaluator>& getEvaluator() const { return evaluator_; }
  /// Index of the best param map (first wins ties).
  [[nodiscard]] std::int64_t bestIndex() const { return bestIndex_; }
  /// The best param map.
  [[nodiscard]] const ParamMap& bestParams() const {
    return maps_[static_cast<std::size_t>(bestIndex_)];
  }
  /// The metric per param map (CV: the mean over folds; TVS: the validation metric).
  [[nodiscard]] virtual const std::vector<double>& metrics() const = 0;
  /// The evaluator's metric name ("areaUnderROC", ...).
  [[nodiscard]] std::string metricName() const;
  /// The results table's content.
  [[nodiscard]] virtual TuningSummary tuningSummary() const = 0;
  [[nodiscard]] const TuningModel* asTuningModel() const override { return this; }
  [[nodiscard]] Schema transformSchema(const Schema& input) const override {
    return bestModel_->transformSchema(input);
  }
  /// The best model's (transform delegates to it).
  [[nodiscard]] std::vector<std::string> columnsRead() const override {
    return bestModel_ ? bestModel_->columnsRead() : std::vector<std::string>{};
  }
  /// The best model's transformSelect.
  [[nodiscard]] Frame transformSelect(Frame input, const std::vector<std::string>& columns,
                                      const Context& ctx = {}) const override {
    return bestModel_->transformSelect(std::move(input), columns, ctx);
  }

 protected:
  TuningModel(std::string uid, const ParamSchema& schema) : Model(std::move(uid), schema) {}
  TuningModel(std::string uid, const ParamSchema& schema, std::shared_ptr<Model> bestModel,
              const Validator& parent, std::int64_t bestIndex)
      : Model(std::move(uid), schema), bestModel_(std::move(bestModel)),
        estimator_(parent.estimatorOrNull()), evaluator_(parent.evaluatorOrNull()),
        maps_(parent.paramMaps()), bestIndex_(bestIndex) {}
  [[nodiscard]] Frame transformImpl(const Frame& input, const Context& ctx) const override {
    return bestModel_->transform(input, ctx);
  }
  /// For copyStage: the copy's best model becomes a copy of this one's with `extra` applied.
  void copyBestModel(const ParamMap& extra) {
    if (bestModel_) bestModel_ = std::static_pointer_cast<Model>(bestModel_->copyStage(extra));
  }
  /// Writes estimator, evaluator, maps, bestIndex and the best model (the metrics are the
  /// subclass's).
  void saveTuning(StateWriter& out) const;
  /// Reads what saveTuning wrote; checks bestIndex against the maps.
  void loadTuning(const StateReader& in);

 private:
  std::shared_ptr<Model> bestModel_;
  std::shared_ptr<Estimator> estimator_;
  std::shared_ptr<Evaluator> evaluator_;
  std::vector<ParamMap> maps_;
  std::int64_t bestIndex_ = 0;
};

}  // namespace td
