// include/thunderdome/classification/logistic_regression.h
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "thunderdome/pipeline/stage.h"

namespace td {

namespace glm {
class WarmStartData;  // src/glm/design_matrix.h: the compact training matrix of one frame
}  // namespace glm

class LogisticRegressionModel;

/// Binomial logistic regression with Spark ML's objective, defaults and outputs:
/// (1/W) Σ w_i·logloss + regParam·(elasticNetParam·L1 + (1−elasticNetParam)/2·L2), intercept
/// unpenalised, optional standardization; OWL-QN for L1/elastic net, L-BFGS (Spark's) or
/// truncated Newton-CG (the default on sparse features) for L2.
class LogisticRegression final : public Estimator, public WarmStartable, public DataParallelFittable {
 public:
  LogisticRegression();
  explicit LogisticRegression(std::string uid);
  [[nodiscard]] std::string className() const override { return "LogisticRegression"; }

  LogisticRegression& setFeaturesCol(const std::string& v) { set("featuresCol", v); return *this; }
  LogisticRegression& setLabelCol(const std::string& v) { set("labelCol", v); return *this; }
  LogisticRegression& setWeightCol(const std::string& v) { set("weightCol", v); return *this; }
  LogisticRegression& setPredictionCol(const std::string& v) { set("predictionCol", v); return *this; }
  LogisticRegression& setRawPredictionCol(const std::string& v) { set("rawPredictionCol", v); return *this; }
  LogisticRegression& setProbabilityCol(const std::string& v) { set("probabilityCol", v); return *this; }
  LogisticRegression& setRegParam(double v) { set("regParam", v); return *this; }
  LogisticRegression& setElasticNetParam(double v) { set("elasticNetParam", v); return *this; }
  LogisticRegression& setMaxIter(std::int64_t v) { set("maxIter", v); return *this; }
  LogisticRegression& setTol(double v) { set("tol", v); return *this; }
  LogisticRegression& setFitIntercept(bool v) { set("fitIntercept", v); return *this; }
  LogisticRegression& setStandardization(bool v) { set("standardization", v); return *this; }
  LogisticRegression& setThreshold(double v) { set("threshold", v); return *this; }
  LogisticRegression& setFamily(const std::string& v) { set("family", v); return *this; }
  /// "auto" (default: Newton-CG for a pure L2 penalty on sparse features, else as "l-bfgs") or
  /// "l-bfgs" (Spark's optimizer, iteration for iteration).
  LogisticRegression& setSolver(const std::string& v) { set("solver", v); return *this; }
  /// Warm start: the optimizer starts from this model's coefficients (and intercept) when its
  /// numFeatures equals the data's and its values are finite; otherwise from the cold start.
  /// A caller tuning regParam passes the previous fit (same features); nullptr clears it.
  LogisticRegression& setInitialModel(std::shared_ptr<const LogisticRegressionModel> m) {
    initialModel_ = std::move(m);
    return *this;
  }
  /// The warm-start model (null when none).
  [[nodiscard]] const std::shared_ptr<const LogisticRegressionModel>& getInitialModel() const {
    return initialModel_;
  }

  [[nodiscard]] std::string warmStartParam() const override { return "regParam"; }
  void setWarmStart(std::shared_ptr<const Model> model) override {
    setInitialModel(std::dynamic_pointer_cast<const LogisticRegressionModel>(model));
  }
  /// Keeps the compact sparse training matrix with the model, so that the next fit of a
  /// regularization path on the same frame (warm-started from it) skips rebuilding it.
  void setKeepWarmStartData(bool keep) override { keepWarmStartData_ = keep; }

  void setDataParallel(std::shared_ptr<dist::Communicator> comm) override { comm_ = std::move(comm); }
  [[nodiscard]] const std::shared_ptr<dist::Communicator>& dataParallel() const override {
    return comm_;
  }

  [[nodiscard]] double getRegParam() const { return getDouble("regParam"); }
  [[nodiscard]] double getElasticNetParam() const { return getDouble("elasticNetParam"); }
  [[nodiscard]] std::int64_t getMaxIter() const { return getInt("maxIter"); }
  [[nodiscard]] double getTol() const { return getDouble("tol"); }
  [[nodiscard]] bool getFitIntercept() const { return getBool("fitIntercept"); }
  [[nodiscard]] bool getStandardization() const { return getBool("standardization"); }
  [[nodiscard]] double getThreshold() const { return getDouble("threshold"); }

  [[nodiscard]] Schema transformSchema(const Schema& input) const override;
  [[nodiscard]] std::shared_ptr<PipelineStage> copyStage(const ParamMap& extra) const override {
    return copyWithExtra(*this, extra);
  }

  /// The parameter declarations of this class.
  static const ParamSchema& schema();

 protected:
  [[nodiscard]] std::shared_ptr<Model> fitImpl(const Frame& data) const override;

 private:
  std::shared_ptr<const LogisticRegressionModel> initialModel_;
  std::shared_ptr<dist::Communicator> comm_;  // data-parallel fits (null: one process)
  bool keepWarmStartData_ = false;
};

/// Training diagnostics of a LogisticRegressionModel (Spark's summary, the objective part).
struct LogisticRegressionTrainingSummary {
  std::vector<double> objectiveHistory;  ///< Objective (loss + penalty) per iteration, incl. start.
  std::int64_t totalIterations = 0;      ///< Optimizer iterations performed.
  bool converged = false;                ///< Stopped by tol rather than maxIter.
  std::int64_t totalCgIterations = 0;    ///< Hessian-vector products (Newton-CG; 0 for L-BFGS).
};

/// A fitted binomial logistic regression: coefficients and intercept in the original feature
/// scale. Adds rawPrediction [−m, m], probability [1−σ(m), σ(m)] and prediction columns.
class LogisticRegressionModel final : public Model {
 public:
  LogisticRegressionModel(std::string uid, std::vector<double> coefficients, double intercept);
  [[nodiscard]] std::string className() const override { return "LogisticRegressionModel"; }

  [[nodiscard]] const std::vector<double>& coefficients() const { return *coefficients_; }
  [[nodiscard]] double intercept() const { return intercept_; }
  [[nodiscard]] std::int64_t numFeatures() const {
    return static_cast<std::int64_t>(coefficients_->size());
  }
  [[nodiscard]] std::int64_t numClasses() const { return 2; }
  [[nodiscard]] const LogisticRegressionTrainingSummary& summary() const { return summary_; }
  void setSummary(LogisticRegressionTrainingSummary s) { summary_ = std::move(s); }
  /// Training data derived from the frame this model was fitted on, kept for a warm-started fit
  /// on the same frame (see LogisticRegression::setKeepWarmStartData); null by default, never
  /// saved.
  [[nodiscard]] const std::shared_ptr<const glm::WarmStartData>& warmStartData() const {
    return warmData_;
  }
  void setWarmStartData(std::shared_ptr<const glm::WarmStartData> d) { warmData_ = std::move(d); }

  LogisticRegressionModel& setThreshold(double v) { set("threshold", v); return *this; }
  LogisticRegressionModel& setFeaturesCol(const std::string& v) { set("featuresCol", v); return *this; }
  LogisticRegressionModel& setPredictionCol(const std::string& v) { set("predictionCol", v); return *this; }
  LogisticRegressionModel& setRawPredictionCol(const std::string& v) { set("rawPredictionCol", v); return *this; }
  LogisticRegressionModel& setProbabilityCol(const std::string& v) { set("probabilityCol", v); return *this; }

  /// The margin w·x + b of one feature vector.
  [[nodiscard]] double margin(const VectorView& x) const;
  /// P(label = 1 | x).
  [[nodiscard]] double predictProbability(const VectorView& x) const;

  [[nodiscard]] Schema transformSchema(const Schema& input) const override;
  [[nodiscard]] std::shared_ptr<PipelineStage> copyStage(const ParamMap& extra) const override {
    return copyWithExtra(*this, extra);
  }

 protected:
  [[nodiscard]] Frame transformImpl(const Frame& input) const override;

 private:
  std::shared_ptr<const std::vector<double>> coefficients_;  // shared between copies
  double intercept_;
  LogisticRegressionTrainingSummary summary_;
  std::shared_ptr<const glm::WarmStartData> warmData_;
};

}  // namespace td
