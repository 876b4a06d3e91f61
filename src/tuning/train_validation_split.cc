// src/tuning/train_validation_split.cc
#include "thunderdome/tuning/train_validation_split.h"

#include <fmt/format.h>

#include "grid_search.h"
#include "thunderdome/core/parallel.h"
#include "thunderdome/core/shared_params.h"

namespace td {

const ParamSchema& TrainValidationSplit::schema() {
  static const ParamSchema s{
      {"trainRatio", "ratio between training set and validation set (>= 0 && <= 1)",
       ParamType::kDouble, ParamValue(0.75), ParamValidator::inRange(0.0, 1.0)},
      // Java's "org.apache.spark.ml.tuning.TrainValidationSplit".hashCode.
      shared::seed(-1772833110),
      {"parallelism", "the number of fits to run in parallel (>= 1; default: the number of cores)",
       ParamType::kInt, ParamValue(static_cast<std::int64_t>(parallel::defaultConcurrency())),
       ParamValidator::gtEq(1)},
      tuning::reuseFeaturesParam(),
      tuning::warmStartParam(),
  };
  return s;
}

TrainValidationSplit::TrainValidationSplit() : TrainValidationSplit(randomUid("tvs")) {}
TrainValidationSplit::TrainValidationSplit(std::string uid)
    : Estimator(std::move(uid), schema()) {}

Schema TrainValidationSplit::transformSchema(const Schema& input) const {
  tuning::validateSetup(describe(), estimator_, evaluator_, maps_);
  for (const auto& m : maps_)
    (void)std::static_pointer_cast<Estimator>(estimator_->copyStage(m))->transformSchema(input);
  return estimator_->transformSchema(input);
}

std::shared_ptr<Model> TrainValidationSplit::fitImpl(const Frame& data) const {
  const double ratio = getDouble("trainRatio");
  auto parts = data.randomSplitIndices({ratio, 1.0 - ratio}, static_cast<std::uint64_t>(getInt("seed")));
  const bool shards = dataParallel_ && dataParallel_->size() > 1;  // data: this rank's shard
  double sizes[3] = {static_cast<double>(parts[0].size()), static_cast<double>(parts[1].size()),
                     static_cast<double>(data.numRows())};
  if (shards) dataParallel_->allreduceSum(sizes);
  if (sizes[0] == 0 || sizes[1] == 0) {
    const std::string what = fmt::format("{}: trainRatio {} on {} rows leaves an empty {} set",
                                         describe(), ratio, sizes[2],
                                         sizes[0] == 0 ? "training" : "validation");
    if (shards) throw dist::DistributedError(ErrorCode::kData, what);  // every rank alike
    throw DataError(what);
  }
  tuning::GridOptions options{getBool("reuseFeatures"), getBool("warmStart")};
  auto estimator = tuning::dataParallelEstimator(estimator_, dataParallel_, options);  // sets options
  tuning::GridSearch search(estimator, evaluator_, maps_, data, options, comm_);
  auto metrics = search.evaluate({{parts[0], parts[1]}}, getInt("parallelism"), progress_);
  const std::int64_t best = tuning::bestIndex(metrics[0], evaluator_->isLargerBetter());
  // Task-parallel: every rank holds the metrics; rank 0 alone refits the best map.
  // Data-parallel: the refit is spread over all ranks like every other fit.
  std::shared_ptr<Model> bestModel;
  if (shards || !comm_ || comm_->rank() == 0) bestModel = search.refit(static_cast<std::size_t>(best));
  return std::make_shared<TrainValidationSplitModel>(*this, std::move(bestModel),
                                                     std::move(metrics[0]), best);
}

TrainValidationSplitModel::TrainValidationSplitModel(const TrainValidationSplit& parent,
                                                     std::shared_ptr<Model> bestModel,
                                                     std::vector<double> validationMetrics,
                                                     std::int64_t bestIndex)
    : TuningModel(parent.uid(), TrainValidationSplit::schema(), std::move(bestModel),
                  parent.getEstimator(), parent.getEvaluator(), parent.getEstimatorParamMaps(),
                  bestIndex),
      metrics_(std::move(validationMetrics)) {
  copyValuesFrom(parent);
}

std::shared_ptr<PipelineStage> TrainValidationSplitModel::copyStage(const ParamMap& extra) const {
  auto c = std::make_shared<TrainValidationSplitModel>(*this);
  c->applyParamMap(extra);
  c->copyBestModel(extra);
  return c;
}

}  // namespace td
