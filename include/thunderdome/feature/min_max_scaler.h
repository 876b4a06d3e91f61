// include/thunderdome/feature/min_max_scaler.h
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "thunderdome/core/shared_params.h"
#include "thunderdome/pipeline/stage.h"

namespace td {

/// Learns the minimum and maximum of every feature of a vector column, as Spark 3.5's
/// MinMaxScaler (Summarizer min and max: implicit zeros count, NaN is skipped), to rescale each
/// feature linearly to [min, max].
class MinMaxScaler final : public Estimator {
  TD_CLASS(MinMaxScaler, "minMaxScal", "org.apache.spark.ml.feature.MinMaxScaler",
           "Learns each feature's range, to rescale features linearly to [min, max]")
  TD_SPARK_DIFFERENCES(
      "Same params (`min=0.0`, `max=1.0`, min < max checked when the schema is) and "
      "statistics (Summarizer min/max: implicit zeros count, NaN never becomes the min or "
      "max). Empty data is an error, as in Spark (\"Nothing has been added\").")
  TD_SHARED_PARAM(std::string, inputCol, InputCol, shared::inputCol())
  TD_SHARED_PARAM(std::string, outputCol, OutputCol, shared::outputCol())
  TD_PARAM(double, min, Min, "lower bound of the output feature range", 0.0)
  TD_PARAM(double, max, Max, "upper bound of the output feature range", 1.0)

  MinMaxScaler();
  explicit MinMaxScaler(std::string uid);

  [[nodiscard]] Schema transformSchema(const Schema& input) const override;

 protected:
  [[nodiscard]] std::shared_ptr<Model> fitImpl(const Frame& data,
                                               const Context& ctx) const override;
};

/// A fitted MinMaxScaler, as Spark's MinMaxScalerModel: each value e of feature i becomes
/// (e - E_min) * (max - min) / (E_max - E_min) + min, or 0.5 * (max + min) where E_max == E_min;
/// NaN stays NaN. The output is dense (zeros of sparse rows usually move).
class MinMaxScalerModel final : public Model {
  TD_MODEL_CLASS(MinMaxScalerModel, MinMaxScaler, "minMaxScal",
                 "org.apache.spark.ml.feature.MinMaxScalerModel",
                 "A fitted MinMaxScaler: rescales each feature linearly to [min, max]")
  TD_SPARK_DIFFERENCES(
      "Spark's `originalMin` and `originalMax` are `originalMin()` and `originalMax()`. "
      "Spark's formula term by term: scale_i = (max - min) / (E_max - E_min) (0 for a constant "
      "feature, which then gives 0.5 * (max + min)), value (e - E_min) * scale_i + min; NaN "
      "stays NaN. Output is a dense column (Spark compresses each row, choosing sparse when "
      "smaller). A vector of another dimension than the fitted one is an error, as in Spark.")

  /// A model with the per-feature minimum and maximum seen when fitting.
  MinMaxScalerModel(std::string uid, std::vector<double> originalMin,
                    std::vector<double> originalMax);
  /// An empty model (what loading starts from).
  explicit MinMaxScalerModel(std::string uid);

  /// The minimum of each feature seen when fitting.
  [[nodiscard]] const std::vector<double>& originalMin() const { return *originalMin_; }
  /// The maximum of each feature seen when fitting.
  [[nodiscard]] const std::vector<double>& originalMax() const { return *originalMax_; }
  /// The vector dimension the model expects.
  [[nodiscard]] std::int64_t numFeatures() const {
    return static_cast<std::int64_t>(originalMin_->size());
  }

  TD_MODEL_PARAM(inputCol, InputCol)
  TD_MODEL_PARAM(outputCol, OutputCol)
  TD_MODEL_PARAM(min, Min)
  TD_MODEL_PARAM(max, Max)

  [[nodiscard]] Schema transformSchema(const Schema& input) const override;
  [[nodiscard]] bool isRowWise() const override { return true; }
  /// numFeatures.
  [[nodiscard]] std::vector<StateItem> stateSummary() const override;
  /// originalMin and originalMax (data/*.f64le) and numFeatures.
  void saveState(StateWriter& out) const override;
  /// Reads what saveState wrote, checking the arrays against numFeatures.
  void loadState(const StateReader& in) override;

 protected:
  [[nodiscard]] Frame transformImpl(const Frame& input, const Context& ctx) const override;

 private:
  std::shared_ptr<const std::vector<double>> originalMin_;  // shared between copies
  std::shared_ptr<const std::vector<double>> originalMax_;
};

}  // namespace td
