// include/thunderdome/tuning/cross_validator.h
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "thunderdome/evaluation/evaluator.h"
#include "thunderdome/pipeline/stage.h"

namespace td::dist {
class Communicator;
}  // namespace td::dist

namespace td {

/// Progress of a tuning run, reported after every finished fit.
struct TuningProgress {
  std::int64_t done = 0;   ///< Fits finished (all folds and param maps).
  std::int64_t total = 0;  ///< Fits in the grid (excluding the final refit).
  double bestMetric = 0;   ///< Best fold metric seen so far.
};

/// Called after each fit, serialised (never concurrently).
using TuningProgressCallback = std::function<void(const TuningProgress&)>;

/// k-fold cross-validation over a grid of param maps, fitting folds × maps in parallel on the
/// shared pool and refitting the best map on all data (Spark's CrossValidator). Folds are a
/// seeded random partition into k parts whose sizes differ by at most one row, or given by
/// foldCol.
class CrossValidator final : public Estimator, public DataParallelFittable {
 public:
  CrossValidator();
  explicit CrossValidator(std::string uid);
  [[nodiscard]] std::string className() const override { return "CrossValidator"; }

  CrossValidator& setEstimator(std::shared_ptr<Estimator> e) { estimator_ = std::move(e); return *this; }
  CrossValidator& setEstimatorParamMaps(std::vector<ParamMap> m) { maps_ = std::move(m); return *this; }
  CrossValidator& setEvaluator(std::shared_ptr<Evaluator> e) { evaluator_ = std::move(e); return *this; }
  CrossValidator& setNumFolds(std::int64_t v) { set("numFolds", v); return *this; }
  CrossValidator& setSeed(std::int64_t v) { set("seed", v); return *this; }
  CrossValidator& setParallelism(std::int64_t v) { set("parallelism", v); return *this; }
  CrossValidator& setFoldCol(const std::string& v) { set("foldCol", v); return *this; }
  CrossValidator& setProgressCallback(TuningProgressCallback cb) { progress_ = std::move(cb); return *this; }
  /// Data-parallel tuning: fit() gets this rank's shard; the folds are cut from every rank's
  /// rows alike, the grid's fits run one after another, each spread over all ranks, and each
  /// metric is computed on every rank's validation rows. Every rank refits the best map (a
  /// collective) and holds the same best model.
  void setDataParallel(std::shared_ptr<dist::Communicator> comm) override { dataParallel_ = std::move(comm); }
  [[nodiscard]] const std::shared_ptr<dist::Communicator>& dataParallel() const override {
    return dataParallel_;
  }
  /// Spreads the (fold × param map) fits over the communicator's ranks (not a Param; default:
  /// this process alone). Every rank must call fit() with the same data; each gets the full
  /// metrics, and only rank 0 refits the best map (the other ranks' bestModel() is null).
  CrossValidator& setCommunicator(std::shared_ptr<dist::Communicator> c) { comm_ = std::move(c); return *this; }
  [[nodiscard]] const std::shared_ptr<dist::Communicator>& getCommunicator() const { return comm_; }

  [[nodiscard]] const std::shared_ptr<Estimator>& getEstimator() const { return estimator_; }
  [[nodiscard]] const std::vector<ParamMap>& getEstimatorParamMaps() const { return maps_; }
  [[nodiscard]] const std::shared_ptr<Evaluator>& getEvaluator() const { return evaluator_; }
  [[nodiscard]] std::int64_t getNumFolds() const { return getInt("numFolds"); }
  [[nodiscard]] std::int64_t getSeed() const { return getInt("seed"); }
  [[nodiscard]] std::int64_t getParallelism() const { return getInt("parallelism"); }

  /// Fold index (0..numFolds-1) of every row of `data` as fit() would use it.
  [[nodiscard]] std::vector<std::int64_t> foldAssignment(const Frame& data) const;

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
  std::shared_ptr<dist::Communicator> comm_;
};

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
  [[nodiscard]] Schema transformSchema(const Schema& input) const override {
    return bestModel_->transformSchema(input);
  }

 protected:
  TuningModel(std::string uid, const ParamSchema& schema, std::shared_ptr<Model> bestModel,
              std::shared_ptr<Estimator> estimator, std::shared_ptr<Evaluator> evaluator,
              std::vector<ParamMap> maps, std::int64_t bestIndex)
      : Model(std::move(uid), schema), bestModel_(std::move(bestModel)),
        estimator_(std::move(estimator)), evaluator_(std::move(evaluator)),
        maps_(std::move(maps)), bestIndex_(bestIndex) {}
  [[nodiscard]] Frame transformImpl(const Frame& input) const override {
    return bestModel_->transform(input);
  }
  /// For copyStage: the copy's best model becomes a copy of this one's with `extra` applied.
  void copyBestModel(const ParamMap& extra) {
    if (bestModel_) bestModel_ = std::static_pointer_cast<Model>(bestModel_->copyStage(extra));
  }

 private:
  std::shared_ptr<Model> bestModel_;
  std::shared_ptr<Estimator> estimator_;
  std::shared_ptr<Evaluator> evaluator_;
  std::vector<ParamMap> maps_;
  std::int64_t bestIndex_;
};

/// The result of CrossValidator: the best model refit on all data plus every fold's metric.
class CrossValidatorModel final : public TuningModel {
 public:
  CrossValidatorModel(const CrossValidator& parent, std::shared_ptr<Model> bestModel,
                      std::vector<std::vector<double>> foldMetrics, std::int64_t bestIndex);
  [[nodiscard]] std::string className() const override { return "CrossValidatorModel"; }

  /// Mean metric over folds for each param map (Spark's avgMetrics).
  [[nodiscard]] const std::vector<double>& avgMetrics() const { return avg_; }
  /// Population standard deviation over folds for each param map (PySpark's stdMetrics).
  [[nodiscard]] const std::vector<double>& stdMetrics() const { return std_; }
  /// foldMetrics()[fold][map]: every fold's metric.
  [[nodiscard]] const std::vector<std::vector<double>>& foldMetrics() const { return folds_; }
  [[nodiscard]] bool isLargerBetter() const { return largerBetter_; }
  [[nodiscard]] std::string metricName() const { return metricName_; }

  [[nodiscard]] std::shared_ptr<PipelineStage> copyStage(const ParamMap& extra) const override;

 private:
  std::vector<std::vector<double>> folds_;
  std::vector<double> avg_, std_;
  bool largerBetter_;
  std::string metricName_;
};

}  // namespace td
