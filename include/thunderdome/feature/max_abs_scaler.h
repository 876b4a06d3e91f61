// include/thunderdome/feature/max_abs_scaler.h
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "thunderdome/core/shared_params.h"
#include "thunderdome/pipeline/stage.h"

namespace td {

/// Learns the largest absolute value of every feature of a vector column, as Spark 3.5's
/// MaxAbsScaler: maxAbs_j = max(|min_j|, |max_j|) with Spark's Summarizer max and min (implicit
/// zeros count, NaN is skipped).
class MaxAbsScaler final : public Estimator {
  TD_CLASS(MaxAbsScaler, "maxAbsScal", "org.apache.spark.ml.feature.MaxAbsScaler",
           "Learns each feature's maximum absolute value, to scale features into [-1, 1]")
  TD_SPARK_DIFFERENCES(
      "Same statistic as Spark (Summarizer max/min: implicit zeros count, NaN never becomes "
      "the max or min). Empty data is an error, as in Spark (\"Nothing has been added\").")
  TD_SHARED_PARAM(std::string, inputCol, InputCol, shared::inputCol())
  TD_SHARED_PARAM(std::string, outputCol, OutputCol, shared::outputCol())

  MaxAbsScaler();
  explicit MaxAbsScaler(std::string uid);

  [[nodiscard]] Schema transformSchema(const Schema& input) const override;

 protected:
  [[nodiscard]] std::shared_ptr<Model> fitImpl(const Frame& data,
                                               const Context& ctx) const override;
};

/// A fitted MaxAbsScaler: multiplies each feature by 1/maxAbs (by 1 where maxAbs is 0), as
/// Spark's MaxAbsScalerModel; sparse stays sparse with the same indices, dense stays dense.
class MaxAbsScalerModel final : public Model {
  TD_MODEL_CLASS(MaxAbsScalerModel, MaxAbsScaler, "maxAbsScal",
                 "org.apache.spark.ml.feature.MaxAbsScalerModel",
                 "A fitted MaxAbsScaler: divides each feature by its maximum absolute value")
  TD_SPARK_DIFFERENCES(
      "Spark's `maxAbs` is `maxAbs()`. Each value is multiplied by 1/maxAbs as in Spark "
      "(1 where maxAbs is 0); explicit zeros of sparse rows are kept. A vector of another "
      "dimension than the fitted one is an error (Spark may fail or silently mis-scale).")

  /// A model with its per-feature maximum absolute values.
  MaxAbsScalerModel(std::string uid, std::vector<double> maxAbs);
  /// An empty model (what loading starts from).
  explicit MaxAbsScalerModel(std::string uid);

  /// The maximum absolute value of each feature.
  [[nodiscard]] const std::vector<double>& maxAbs() const { return *maxAbs_; }
  /// The vector dimension the model expects.
  [[nodiscard]] std::int64_t numFeatures() const {
    return static_cast<std::int64_t>(maxAbs_->size());
  }

  TD_MODEL_PARAM(inputCol, InputCol)
  TD_MODEL_PARAM(outputCol, OutputCol)

  [[nodiscard]] Schema transformSchema(const Schema& input) const override;
  [[nodiscard]] bool isRowWise() const override { return true; }
  /// numFeatures.
  [[nodiscard]] std::vector<StateItem> stateSummary() const override;
  /// maxAbs (data/maxAbs.f64le) and numFeatures.
  void saveState(StateWriter& out) const override;
  /// Reads what saveState wrote, checking the array against numFeatures.
  void loadState(const StateReader& in) override;

 protected:
  [[nodiscard]] Frame transformImpl(const Frame& input, const Context& ctx) const override;

 private:
  std::shared_ptr<const std::vector<double>> maxAbs_;  // shared between copies
};

}  // namespace td
