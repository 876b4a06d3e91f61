// include/thunderdome/tuning/train_validation_split.h
#pragma once

#include <memory>
#include <vector>

#include "thunderdome/tuning/cross_validator.h"

namespace td {

/// Validation on one seeded random train/validation split, fitting the maps in parallel and
/// refitting the best on all data (Spark's TrainValidationSplit).
class TrainValidationSplit final : public Estimator, public DataParallelFittable {
 public:
  TrainValidationSplit();
  explicit TrainValidationSplit(std::string uid);
  [[nodiscard]] std::string className() const override { return "TrainValidationSplit"; }

  TrainValidationSplit& setEstimator(std::shared_ptr<Estimator> e) { estimator_ = std::move(e); return *this; }
  TrainValidationSplit& setEstimatorParamMaps(std::vector<ParamMap> m) { maps_ = std::move(m); return *this; }
  TrainValidationSplit& setEvaluator(std::shared_ptr<Evaluator> e) { evaluator_ = std::move(e); return *this; }
  TrainValidationSplit& setTrainRatio(double v) { set("trainRatio", v); return *this; }
  TrainValidationSplit& setSeed(std::int64_t v) { set("seed", v); return *this; }
  TrainValidationSplit& setParallelism(std::int64_t v) { set("parallelism", v); return *this; }
  TrainValidationSplit& setProgressCallback(TuningProgressCallback cb) { progress_ = std::move(cb); return *this; }
  /// Spreads the param maps' fits over the communicator's ranks (not a Param; default: this
  /// process alone). Every rank must call fit() with the same data; each gets every validation
  /// metric, and only rank 0 refits the best map (the other ranks' bestModel() is null).
  TrainValidationSplit& setCommunicator(std::shared_ptr<dist::Communicator> c) { comm_ = std::move(c); return *this; }
  /// Data-parallel tuning: fit() gets this rank's shard; the folds are cut from every rank's
  /// rows alike, the grid's fits run one after another, each spread over all ranks, and each
  /// metric is computed on every rank's validation rows. Every rank refits the best map (a
  /// collective) and holds the same best model.
  void setDataParallel(std::shared_ptr<dist::Communicator> comm) override { dataParallel_ = std::move(comm); }
  [[nodiscard]] const std::shared_ptr<dist::Communicator>& dataParallel() const override {
    return dataParallel_;
  }

  [[nodiscard]] const std::vector<ParamMap>& getEstimatorParamMaps() const { return maps_; }
  [[nodiscard]] const std::shared_ptr<Estimator>& getEstimator() const { return estimator_; }
  [[nodiscard]] const std::shared_ptr<Evaluator>& getEvaluator() const { return evaluator_; }

  [[nodiscard]] Schema transformSchema(const Schema& input) const override;
  [[nodiscard]] std::shared_ptr<PipelineStage> copyStage(const ParamMap& extra) const override {
    return copyWithExtra(*this, extra);
  }
  static const ParamSchema& schema();

 protected:
  [[nodiscard]] std::shared_ptr<Model> fitImpl(const Frame& data) const override;

 private:
  std::shared_ptr<Estimator> estimator_;
  std::vector<ParamMap> maps_;
  std::shared_ptr<Evaluator> evaluator_;
  TuningProgressCallback progress_;
  std::shared_ptr<dist::Communicator> dataParallel_;
  std::shared_ptr<dist::Communicator> comm_;  // task-parallel ranks
};

/// The result of TrainValidationSplit: the best model refit on all data and each map's metric.
class TrainValidationSplitModel final : public TuningModel {
 public:
  TrainValidationSplitModel(const TrainValidationSplit& parent, std::shared_ptr<Model> bestModel,
                            std::vector<double> validationMetrics, std::int64_t bestIndex);
  [[nodiscard]] std::string className() const override { return "TrainValidationSplitModel"; }

  /// The validation metric of each param map (Spark's validationMetrics).
  [[nodiscard]] const std::vector<double>& validationMetrics() const { return metrics_; }

  [[nodiscard]] std::shared_ptr<PipelineStage> copyStage(const ParamMap& extra) const override;

 private:
  std::vector<double> metrics_;
};

}  // namespace td
