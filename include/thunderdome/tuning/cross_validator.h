// include/thunderdome/tuning/cross_validator.h
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "thunderdome/core/shared_params.h"
#include "thunderdome/tuning/validator.h"

namespace td {

/// k-fold cross-validation over a grid of param maps, fitting folds × maps in parallel on the
/// shared pool and refitting the best map on all data (Spark's CrossValidator). Folds are a
/// seeded random partition into k parts whose sizes differ by at most one row, or given by
/// foldCol. With a Context communicator the fits are dealt to the ranks (every rank must call
/// fit with the same data); the best map is then refit data-parallel over all ranks
/// (distributedRefit), or by rank 0 alone (the others' bestModel() is null) when it is false or
/// a stage cannot fit data-parallel. With Context::dataParallel each rank holds a shard and
/// every fit spans all ranks.
class CrossValidator final : public Validator {
  TD_CLASS(CrossValidator, "cv", "org.apache.spark.ml.tuning.CrossValidator",
           "k-fold cross-validation over a param grid, best map refit on all data")
  TD_SPARK_DIFFERENCES(
      "Params `numFolds=3`, `seed` (Spark's default, −1191137437), `foldCol`, "
      "`parallelism`. **Folds:** a seeded shuffle cut into k parts whose sizes differ by at "
      "most one row (Spark draws each row's fold independently, so its fold sizes vary and "
      "depend on partitioning). **`parallelism` defaults to all cores** (Spark: 1) and all "
      "folds × param maps run at once on one shared oneTBB pool (Spark only parallelises "
      "the maps within a fold); a fit's own threads use the same pool, so nothing is "
      "oversubscribed, and results are bit-for-bit the same for any parallelism. Also "
      "`reuseFeatures`, `warmStart` and `distributedRefit` (see docs/spark-mapping.md).")
  TD_VALIDATOR_PARAMS()
  TD_PARAM(std::int64_t, numFolds, NumFolds, "number of folds for cross validation (>= 2)", 3,
           ParamValidator::gtEq(2))
  // Java's "org.apache.spark.ml.tuning.CrossValidator".hashCode, Spark's default seed.
  TD_SHARED_PARAM(std::int64_t, seed, Seed, shared::seed(-1191137437))
  TD_SHARED_PARAM(std::int64_t, parallelism, Parallelism,
                  parallelismSpec("the number of fits to run in parallel (>= 1; default: the "
                                  "number of cores; fits share one thread pool, so a fit's own "
                                  "threads never oversubscribe the machine)"))
  TD_PARAM(std::string, foldCol, FoldCol,
           "The column name of user specified fold number. Once this is specified, "
           "CrossValidator won't do random k-fold split. Note that this column should be integer "
           "type with range [0, numFolds) and Spark will throw exception on out-of-range fold "
           "numbers.",
           "")
  TD_SHARED_PARAM(bool, reuseFeatures, ReuseFeatures, reuseFeaturesSpec())
  TD_SHARED_PARAM(bool, warmStart, WarmStart, warmStartSpec())
  TD_SHARED_PARAM(bool, distributedRefit, DistributedRefit, distributedRefitSpec())
  TD_SHARED_PARAM(std::int64_t, distributedRefitMinRows, DistributedRefitMinRows,
                  distributedRefitMinRowsSpec())

  CrossValidator();
  explicit CrossValidator(std::string uid);

  /// Fold index (0..numFolds-1) of every row of `data` as fit() would use it.
  [[nodiscard]] std::vector<std::int64_t> foldAssignment(const Frame& data) const;

  [[nodiscard]] Schema transformSchema(const Schema& input) const override;
  [[nodiscard]] std::vector<Frame> heldOutPredictions(const Frame& train, const ParamMap& best,
                                                      const Context& ctx = {}) const override;
  [[nodiscard]] std::string plan(std::size_t numMaps) const override;

 protected:
  [[nodiscard]] std::shared_ptr<Model> fitImpl(const Frame& data, const Context& ctx) const override;
};

/// The result of CrossValidator: the best model refit on all data plus every fold's metric.
class CrossValidatorModel final : public TuningModel {
  TD_CLASS(CrossValidatorModel, "cv", "org.apache.spark.ml.tuning.CrossValidatorModel",
           "A fitted CrossValidator: the best map's model with every fold's metrics")
  TD_SPARK_DIFFERENCES(
      "Spark's `avgMetrics`, `bestModel`, `getEstimatorParamMaps()` are `avgMetrics()`, "
      "`bestModel()`, `getEstimatorParamMaps()`; also `stdMetrics()` (PySpark 3.3+, "
      "population std), `foldMetrics()[fold][map]` (not in Spark), `bestIndex()`, "
      "`bestParams()`.")
  TD_SHARED_PARAM(std::int64_t, numFolds, NumFolds, CrossValidator::numFolds.spec())
  TD_SHARED_PARAM(std::int64_t, seed, Seed, CrossValidator::seed.spec())
  TD_SHARED_PARAM(std::int64_t, parallelism, Parallelism, CrossValidator::parallelism.spec())
  TD_SHARED_PARAM(std::string, foldCol, FoldCol, CrossValidator::foldCol.spec())
  TD_SHARED_PARAM(bool, reuseFeatures, ReuseFeatures, CrossValidator::reuseFeatures.spec())
  TD_SHARED_PARAM(bool, warmStart, WarmStart, CrossValidator::warmStart.spec())
  TD_SHARED_PARAM(bool, distributedRefit, DistributedRefit, CrossValidator::distributedRefit.spec())
  TD_SHARED_PARAM(std::int64_t, distributedRefitMinRows, DistributedRefitMinRows,
                  CrossValidator::distributedRefitMinRows.spec())

  CrossValidatorModel(const CrossValidator& parent, std::shared_ptr<Model> bestModel,
                      std::vector<std::vector<double>> foldMetrics, std::int64_t bestIndex);
  /// An empty model (what loading starts from).
  explicit CrossValidatorModel(std::string uid);

  /// Mean metric over folds for each param map (Spark's avgMetrics).
  [[nodiscard]] const std::vector<double>& avgMetrics() const { return avg_; }
  /// Population standard deviation over folds for each param map (PySpark's stdMetrics).
  [[nodiscard]] const std::vector<double>& stdMetrics() const { return std_; }
  /// foldMetrics()[fold][map]: every fold's metric.
  [[nodiscard]] const std::vector<std::vector<double>>& foldMetrics() const { return folds_; }
  [[nodiscard]] const std::vector<double>& metrics() const override { return avg_; }
  [[nodiscard]] bool isLargerBetter() const { return getEvaluator()->isLargerBetter(); }
  [[nodiscard]] TuningSummary tuningSummary() const override;

  [[nodiscard]] std::shared_ptr<PipelineStage> copyStage(const ParamMap& extra) const override;
  void saveState(StateWriter& out) const override;
  void loadState(const StateReader& in) override;

 private:
  void computeSummaries();
  std::vector<std::vector<double>> folds_;
  std::vector<double> avg_, std_;
};

}  // namespace td
