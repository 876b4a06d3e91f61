// src/tuning/cross_validator.cc
#include "thunderdome/tuning/cross_validator.h"

#include <fmt/format.h>

#include <cmath>

#include "grid_search.h"
#include "thunderdome/core/parallel.h"
#include "thunderdome/core/random.h"
#include "thunderdome/core/shared_params.h"

namespace td {

const ParamSchema& CrossValidator::schema() {
  static const ParamSchema s{
      {"numFolds", "number of folds for cross validation (>= 2)", ParamType::kInt, ParamValue(3),
       ParamValidator::gtEq(2)},
      // Java's "org.apache.spark.ml.tuning.CrossValidator".hashCode, Spark's default seed.
      shared::seed(-1191137437),
      {"parallelism",
       "the number of fits to run in parallel (>= 1; default: the number of cores; fits share "
       "one thread pool, so a fit's own threads never oversubscribe the machine)",
       ParamType::kInt, ParamValue(static_cast<std::int64_t>(parallel::defaultConcurrency())),
       ParamValidator::gtEq(1)},
      {"foldCol",
       "The column name of user specified fold number. Once this is specified, CrossValidator "
       "won't do random k-fold split. Note that this column should be integer type with range "
       "[0, numFolds) and Spark will throw exception on out-of-range fold numbers.",
       ParamType::kString, ParamValue(""), ParamValidator::any()},
      tuning::reuseFeaturesParam(),
      tuning::warmStartParam(),
  };
  return s;
}

CrossValidator::CrossValidator() : CrossValidator(randomUid("cv")) {}
CrossValidator::CrossValidator(std::string uid) : Estimator(std::move(uid), schema()) {}

Schema CrossValidator::transformSchema(const Schema& input) const {
  tuning::validateSetup(describe(), estimator_, evaluator_, maps_);
  const std::string foldCol = getString("foldCol");
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
  // Every map must give a schema the estimator accepts.
  for (const auto& m : maps_)
    (void)std::static_pointer_cast<Estimator>(estimator_->copyStage(m))->transformSchema(s);
  return estimator_->transformSchema(s);
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
        throw DataError(fmt::format("{}: fold column '{}' has value {} at row {}; fold numbers "
                                    "must be integers in [0, {})",
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

std::shared_ptr<Model> CrossValidator::fitImpl(const Frame& input) const {
  const std::int64_t k = getNumFolds();
  const std::string foldCol = getString("foldCol");
  const bool shards = dataParallel_ && dataParallel_->size() > 1;  // input: this rank's shard
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
  tuning::GridOptions options{getBool("reuseFeatures"), getBool("warmStart")};
  auto estimator = tuning::dataParallelEstimator(estimator_, dataParallel_, options);  // sets options
  tuning::GridSearch search(estimator, evaluator_, maps_, data, options, comm_);
  auto foldMetrics = search.evaluate(splits, getParallelism(), progress_);
  std::vector<double> avg(maps_.size(), 0.0);
  for (const auto& row : foldMetrics)
    for (std::size_t m = 0; m < row.size(); ++m) avg[m] += row[m] / static_cast<double>(k);
  const std::int64_t best = tuning::bestIndex(avg, evaluator_->isLargerBetter());
  // Task-parallel: every rank holds the metrics; rank 0 alone refits the best map.
  // Data-parallel: the refit is spread over all ranks like every other fit.
  std::shared_ptr<Model> bestModel;
  if (shards || !comm_ || comm_->rank() == 0) bestModel = search.refit(static_cast<std::size_t>(best));
  return std::make_shared<CrossValidatorModel>(*this, std::move(bestModel),
                                               std::move(foldMetrics), best);
}

CrossValidatorModel::CrossValidatorModel(const CrossValidator& parent,
                                         std::shared_ptr<Model> bestModel,
                                         std::vector<std::vector<double>> foldMetrics,
                                         std::int64_t bestIndex)
    : TuningModel(parent.uid(), CrossValidator::schema(), std::move(bestModel),
                  parent.getEstimator(), parent.getEvaluator(), parent.getEstimatorParamMaps(),
                  bestIndex),
      folds_(std::move(foldMetrics)), largerBetter_(parent.getEvaluator()->isLargerBetter()) {
  copyValuesFrom(parent);
  const auto& ev = *parent.getEvaluator();
  metricName_ = ev.hasParam("metricName") ? ev.getString("metricName") : ev.className();
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

}  // namespace td
