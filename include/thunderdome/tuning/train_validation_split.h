// include/thunderdome/tuning/train_validation_split.h
#pragma once

#include <memory>
#include <vector>

#include "thunderdome/core/shared_params.h"
#include "thunderdome/tuning/validator.h"

namespace td {

/// Validation on one seeded random train/validation split, fitting the maps in parallel and
/// refitting the best on all data (Spark's TrainValidationSplit). Ranks and data-parallel fits
/// come from the Context as for CrossValidator.
class TrainValidationSplit final : public Validator {
  TD_CLASS(TrainValidationSplit, "tvs", "org.apache.spark.ml.tuning.TrainValidationSplit",
           "One seeded train/validation split over a param grid, best map refit on all data")
  TD_SPARK_DIFFERENCES(
      "Seeded per-row split as Spark's `randomSplit`. **`parallelism` defaults to all "
      "cores** (Spark: 1), results are identical for any parallelism. Also `reuseFeatures`, "
      "`warmStart` and `distributedRefit` (see docs/spark-mapping.md).")
  TD_VALIDATOR_PARAMS()
  TD_PARAM(double, trainRatio, TrainRatio,
           "ratio between training set and validation set (>= 0 && <= 1)", 0.75,
           ParamValidator::inRange(0.0, 1.0))
  // Java's "org.apache.spark.ml.tuning.TrainValidationSplit".hashCode.
  TD_SHARED_PARAM(std::int64_t, seed, Seed, shared::seed(-1772833110))
  TD_SHARED_PARAM(std::int64_t, parallelism, Parallelism,
                  parallelismSpec("the number of fits to run in parallel (>= 1; default: the "
                                  "number of cores)"))
  TD_SHARED_PARAM(bool, reuseFeatures, ReuseFeatures, reuseFeaturesSpec())
  TD_SHARED_PARAM(bool, warmStart, WarmStart, warmStartSpec())
  TD_SHARED_PARAM(bool, distributedRefit, DistributedRefit, distributedRefitSpec())
  TD_SHARED_PARAM(std::int64_t, distributedRefitMinRows, DistributedRefitMinRows,
                  distributedRefitMinRowsSpec())

  TrainValidationSplit();
  explicit TrainValidationSplit(std::string uid);

  [[nodiscard]] Schema transformSchema(const Schema& input) const override;
  [[nodiscard]] std::vector<Frame> heldOutPredictions(const Frame& train, const ParamMap& best,
                                                      const Context& ctx = {}) const override;
  [[nodiscard]] std::string plan(std::size_t numMaps) const override;

 protected:
  [[nodiscard]] std::shared_ptr<Model> fitImpl(const Frame& data, const Context& ctx) const override;
};

/// The result of TrainValidationSplit: the best model refit on all data and each map's metric.
class TrainValidationSplitModel final : public TuningModel {
  TD_CLASS(TrainValidationSplitModel, "tvs",
           "org.apache.spark.ml.tuning.TrainValidationSplitModel",
           "A fitted TrainValidationSplit: the best map's model with every map's metric")
  TD_SPARK_DIFFERENCES(
      "Spark's `validationMetrics` and `bestModel` are `validationMetrics()` and "
      "`bestModel()`; also `bestIndex()` and `bestParams()`.")
  TD_SHARED_PARAM(double, trainRatio, TrainRatio, TrainValidationSplit::trainRatio.spec())
  TD_SHARED_PARAM(std::int64_t, seed, Seed, TrainValidationSplit::seed.spec())
  TD_SHARED_PARAM(std::int64_t, parallelism, Parallelism, TrainValidationSplit::parallelism.spec())
  TD_SHARED_PARAM(bool, reuseFeatures, ReuseFeatures, TrainValidationSplit::reuseFeatures.spec())
  TD_SHARED_PARAM(bool, warmStart, WarmStart, TrainValidationSplit::warmStart.spec())
  TD_SHARED_PARAM(bool, distributedRefit, DistributedRefit,
                  TrainValidationSplit::distributedRefit.spec())
  TD_SHARED_PARAM(std::int64_t, distributedRefitMinRows, DistributedRefitMinRows,
                  TrainValidationSplit::distributedRefitMinRows.spec())

  TrainValidationSplitModel(const TrainValidationSplit& parent, std::shared_ptr<Model> bestModel,
                            std::vector<double> validationMetrics, std::int64_t bestIndex);
  /// An empty model (what loading starts from).
  explicit TrainValidationSplitModel(std::string uid);

  /// The validation metric of each param map (Spark's validationMetrics).
  [[nodiscard]] const std::vector<double>& validationMetrics() const { return metrics_; }
  [[nodiscard]] const std::vector<double>& metrics() const override { return metrics_; }
  [[nodiscard]] TuningSummary tuningSummary() const override;

  [[nodiscard]] std::shared_ptr<PipelineStage> copyStage(const ParamMap& extra) const override;
  void saveState(StateWriter& out) const override;
  void loadState(const StateReader& in) override;

 private:
  std::vector<double> metrics_;
};

}  // namespace td
