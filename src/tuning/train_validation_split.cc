// src/tuning/train_validation_split.cc
#include "thunderdome/tuning/train_validation_split.h"

#include <fmt/format.h>

#include "grid_search.h"
#include "thunderdome/core/parallel.h"

namespace td {

TrainValidationSplit::TrainValidationSplit() : TrainValidationSplit(randomUid(kUidPrefix)) {}
TrainValidationSplit::TrainValidationSplit(std::string uid)
    : Validator(std::move(uid), schema()) {}

Schema TrainValidationSplit::transformSchema(const Schema& input) const {
  return checkSetup(input);
}

std::shared_ptr<Model> TrainValidationSplit::fitImpl(const Frame& data, const Context& ctx) const {
  const double ratio = getTrainRatio();
  auto parts = data.randomSplitIndices({ratio, 1.0 - ratio}, static_cast<std::uint64_t>(getSeed()));
  const auto& dataParallel_ = ctx.comm;
  const bool shards = ctx.isDataParallel() && ctx.comm->size() > 1;  // data: this rank's shard
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
  const auto evaluator = getEvaluator();
  tuning::GridSearch search(getEstimator(), evaluator, getEstimatorParamMaps(), data,
                            {getReuseFeatures(), getWarmStart(), getDistributedRefit(),
                             getDistributedRefitMinRows()}, ctx);
  auto metrics = search.evaluate({{parts[0], parts[1]}}, getParallelism());
  const std::int64_t best = tuning::bestIndex(metrics[0], evaluator->isLargerBetter());
  // Task-parallel: every rank holds the metrics; the ranks refit the best map data-parallel
  // (distributedRefit), else rank 0 alone. Data-parallel: the refit is spread over all ranks
  // like every other fit.
  std::shared_ptr<Model> bestModel;
  if (search.refitsOnThisRank()) bestModel = search.refit(static_cast<std::size_t>(best));
  return std::make_shared<TrainValidationSplitModel>(*this, std::move(bestModel),
                                                     std::move(metrics[0]), best);
}

std::vector<Frame> TrainValidationSplit::heldOutPredictions(const Frame& train,
                                                           const ParamMap& best,
                                                           const Context& ctx) const {
  const double r = getTrainRatio();
  const auto parts = train.randomSplit({r, 1 - r}, static_cast<std::uint64_t>(getSeed()));
  const auto m = getEstimator()->fit(parts[0], best, ctx);
  return {m->transform(parts[1], best)};
}

std::string TrainValidationSplit::plan(std::size_t numMaps) const {
  return fmt::format("train-validation split: {} param maps", numMaps);
}

TrainValidationSplitModel::TrainValidationSplitModel(const TrainValidationSplit& parent,
                                                     std::shared_ptr<Model> bestModel,
                                                     std::vector<double> validationMetrics,
                                                     std::int64_t bestIndex)
    : TuningModel(parent.uid(), schema(), std::move(bestModel), parent, bestIndex),
      metrics_(std::move(validationMetrics)) {
  copyValuesFrom(parent);
}

TrainValidationSplitModel::TrainValidationSplitModel(std::string uid)
    : TuningModel(std::move(uid), schema()) {}

std::shared_ptr<PipelineStage> TrainValidationSplitModel::copyStage(const ParamMap& extra) const {
  auto c = std::make_shared<TrainValidationSplitModel>(*this);
  c->applyParamMap(extra);
  c->copyBestModel(extra);
  return c;
}

TuningSummary TrainValidationSplitModel::tuningSummary() const {
  TuningSummary r;
  r.method = "trainValidationSplit";
  r.metricName = metricName();
  r.largerBetter = getEvaluator()->isLargerBetter();
  r.maps = getEstimatorParamMaps();
  r.avgMetrics = metrics_;
  r.foldMetrics = {metrics_};
  r.bestIndex = bestIndex();
  return r;
}

void TrainValidationSplitModel::saveState(StateWriter& out) const {
  saveTuning(out);
  out.putDoubles("validationMetrics", metrics_);
}

void TrainValidationSplitModel::loadState(const StateReader& in) {
  loadTuning(in);
  metrics_ = in.getDoubles("validationMetrics");
  if (metrics_.size() != getEstimatorParamMaps().size())
    in.fail("validationMetrics do not match estimatorParamMaps");
}

}  // namespace td
