// src/tuning/cross_validator.cc
#include "thunderdome/tuning/cross_validator.h"

#include <fmt/format.h>

#include <cmath>

#include "grid_search.h"
#include "thunderdome/core/parallel.h"
#include "thunderdome/core/random.h"

namespace td {

CrossValidator::CrossValidator() : CrossValidator(randomUid(kUidPrefix)) {}
CrossValidator::CrossValidator(std::string uid) : Validator(std::move(uid), schema()) {}

Schema CrossValidator::transformSchema(const Schema& input) const {
  tuning::validateSetup(describe(), estimatorOrNull(), evaluatorOrNull(), paramMaps());
  const std::string foldCol = getFoldCol();
  Schema s = input;
  if (!foldCol.empty()) {
    const DataType t = input.field(foldCol).type;
    if (t != DataType::kInt64 && t != DataType::kDouble)
      throw ColumnError(fmt::format("{}: fold column '{}' must be an integer column but is {}",
                                    describe(), foldCol, toString(t)));
    std::vector<Field> fields;
    for (const auto& f : input.fields())
      if (f.name != foldCol) fields.push_back(f);
    s = Schema(std::move(fields));
  }
  return checkSetup(s);
}

std::vector<std::int64_t> CrossValidator::foldAssignment(const Frame& data) const {
  const std::int64_t k = getNumFolds();
  const std::int64_t n = data.numRows();
  const std::string foldCol = getString("foldCol");
  std::vector<std::int64_t> fold(static_cast<std::size_t>(n));
  if (!foldCol.empty()) {
    const std::vector<double> v = data.numeric(foldCol);
    for (std::int64_t i = 0; i < n; ++i) {
      const double f = v[static_cast<std::size_t>(i)];
      if (!(f >= 0 && f < static_cast<double>(k)) || f != std::floor(f))
        throw DataError(fmt::format("{}{}: fold column '{}' has value {} at row {}; fold "
                                    "numbers must be integers in [0, {})",
                                    data.origins() ? data.rowLocation(i) + ": " : "",
                                    describe(), foldCol, f, i, k));
      fold[static_cast<std::size_t>(i)] = static_cast<std::int64_t>(f);
    }
    return fold;
  }
  // A seeded permutation cut into k nearly equal parts: every fold gets n/k rows (±1).
  const auto perm = randomPermutation(n, static_cast<std::uint64_t>(getSeed()));
  for (std::int64_t pos = 0; pos < n; ++pos)
    fold[static_cast<std::size_t>(perm[static_cast<std::size_t>(pos)])] = pos * k / n;
  return fold;
}

std::shared_ptr<Model> CrossValidator::fitImpl(const Frame& input, const Context& ctx) const {
  const std::int64_t k = getNumFolds();
  const std::string foldCol = getFoldCol();
  const auto& dataParallel_ = ctx.comm;
  const bool shards = ctx.isDataParallel() && ctx.comm->size() > 1;  // input: this rank's shard
  // Data-parallel: errors on summed values are every rank's (DistributedError), and a bad fold
  // number in one rank's shard is agreed on before the next sum.
  auto fail = [&](const std::string& what) {
    if (shards) throw dist::DistributedError(ErrorCode::kData, what);
    throw DataError(what);
  };
  double rows = static_cast<double>(input.numRows());
  if (shards) dataParallel_->allreduceSum({&rows, 1});
  if (rows < static_cast<double>(k))
    fail(fmt::format("{}: {} rows cannot be split into numFolds = {} folds", describe(), rows, k));
  std::vector<std::int64_t> fold;
  if (shards) {
    std::exception_ptr local;
    try {
      fold = foldAssignment(input);
    } catch (...) {
      local = std::current_exception();
    }
    dist::agreeOnErrors(*dataParallel_, local);
  } else {
    fold = foldAssignment(input);
  }
  const Frame data = foldCol.empty() ? input : input.drop(foldCol);

  std::vector<tuning::SplitRows> splits(static_cast<std::size_t>(k));
  for (std::int64_t i = 0; i < data.numRows(); ++i)
    for (std::int64_t f = 0; f < k; ++f)
      (fold[static_cast<std::size_t>(i)] == f ? splits[static_cast<std::size_t>(f)].validation
                                              : splits[static_cast<std::size_t>(f)].train)
          .push_back(i);
  std::vector<double> sizes;  // training and validation rows per fold (over all ranks)
  for (const auto& sp : splits) {
    sizes.push_back(static_cast<double>(sp.train.size()));
    sizes.push_back(static_cast<double>(sp.validation.size()));
  }
  if (shards) dataParallel_->allreduceSum(sizes);
  for (std::int64_t f = 0; f < k; ++f)
    if (sizes[2 * static_cast<std::size_t>(f)] == 0 || sizes[2 * static_cast<std::size_t>(f) + 1] == 0)
      fail(fmt::format("{}: fold {} has an empty {} set", describe(), f,
                       sizes[2 * static_cast<std::size_t>(f)] == 0 ? "training" : "validation"));
  const auto maps = getEstimatorParamMaps();
  const auto evaluator = getEvaluator();
  tuning::GridSearch search(getEstimator(), evaluator, maps, data,
                            {getReuseFeatures(), getWarmStart(), getDistributedRefit(),
                             getDistributedRefitMinRows()}, ctx);
  auto foldMetrics = search.evaluate(splits, getParallelism());
  std::vector<double> avg(maps.size(), 0.0);
  for (const auto& row : foldMetrics)
    for (std::size_t m = 0; m < row.size(); ++m) avg[m] += row[m] / static_cast<double>(k);
  const std::int64_t best = tuning::bestIndex(avg, evaluator->isLargerBetter());
  // Task-parallel: every rank holds the metrics; the ranks refit the best map data-parallel
  // (distributedRefit), else rank 0 alone. Data-parallel: the refit is spread over all ranks
  // like every other fit.
  std::shared_ptr<Model> bestModel;
  if (search.refitsOnThisRank()) bestModel = search.refit(static_cast<std::size_t>(best));
  return std::make_shared<CrossValidatorModel>(*this, std::move(bestModel),
                                               std::move(foldMetrics), best);
}

std::vector<Frame> CrossValidator::heldOutPredictions(const Frame& train, const ParamMap& best,
                                                     const Context& ctx) const {
  const auto fold = foldAssignment(train);
  const std::string foldCol = getFoldCol();
  const Frame data = foldCol.empty() ? train : train.drop(foldCol);
  std::vector<Frame> out;
  for (std::int64_t f = 0; f < getNumFolds(); ++f) {
    std::vector<std::int64_t> tr, va;
    for (std::int64_t i = 0; i < data.numRows(); ++i)
      (fold[static_cast<std::size_t>(i)] == f ? va : tr).push_back(i);
    const auto m = getEstimator()->fit(data.take(tr), best, ctx);
    out.push_back(m->transform(data.take(va), best));
  }
  return out;
}

std::string CrossValidator::plan(std::size_t numMaps) const {
  return fmt::format("cross-validating {} param maps x {} folds = {} fits (parallelism {})",
                     numMaps, getNumFolds(), static_cast<std::int64_t>(numMaps) * getNumFolds(),
                     getParallelism());
}

CrossValidatorModel::CrossValidatorModel(const CrossValidator& parent,
                                         std::shared_ptr<Model> bestModel,
                                         std::vector<std::vector<double>> foldMetrics,
                                         std::int64_t bestIndex)
    : TuningModel(parent.uid(), schema(), std::move(bestModel), parent, bestIndex),
      folds_(std::move(foldMetrics)) {
  copyValuesFrom(parent);
  computeSummaries();
}

CrossValidatorModel::CrossValidatorModel(std::string uid) : TuningModel(std::move(uid), schema()) {}

void CrossValidatorModel::computeSummaries() {
  const std::size_t numMaps = getEstimatorParamMaps().size();
  avg_.assign(numMaps, 0.0);
  std_.assign(numMaps, 0.0);
  const auto k = static_cast<double>(folds_.size());
  for (std::size_t m = 0; m < numMaps; ++m) {
    double sum = 0.0;
    for (const auto& row : folds_) sum += row[m];
    avg_[m] = sum / k;
    double sq = 0.0;
    for (const auto& row : folds_) sq += (row[m] - avg_[m]) * (row[m] - avg_[m]);
    std_[m] = std::sqrt(sq / k);  // population std (numpy ddof=0), as PySpark
  }
}

std::shared_ptr<PipelineStage> CrossValidatorModel::copyStage(const ParamMap& extra) const {
  auto c = std::make_shared<CrossValidatorModel>(*this);
  c->applyParamMap(extra);
  c->copyBestModel(extra);
  return c;
}

TuningSummary CrossValidatorModel::tuningSummary() const {
  TuningSummary r;
  r.method = "crossValidator";
  r.metricName = metricName();
  r.largerBetter = isLargerBetter();
  r.maps = getEstimatorParamMaps();
  r.avgMetrics = avg_;
  r.stdMetrics = std_;
  r.foldMetrics = folds_;
  r.bestIndex = bestIndex();
  r.numFolds = static_cast<std::int64_t>(folds_.size());
  return r;
}

void CrossValidatorModel::saveState(StateWriter& out) const {
  saveTuning(out);
  out.putDoubles("avgMetrics", avg_);
  out.putDoubles("stdMetrics", std_);
  out.putDoubleRows("foldMetrics", folds_);
  out.putString("metricName", metricName());
}

void CrossValidatorModel::loadState(const StateReader& in) {
  loadTuning(in);
  folds_ = in.getDoubleRows("foldMetrics");
  for (const auto& row : folds_)
    if (row.size() != getEstimatorParamMaps().size())
      in.fail("foldMetrics rows do not match estimatorParamMaps");
  computeSummaries();
}

}  // namespace td
