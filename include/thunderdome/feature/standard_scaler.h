// include/thunderdome/feature/standard_scaler.h
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "thunderdome/core/shared_params.h"
#include "thunderdome/pipeline/stage.h"

namespace td {

/// Learns the mean and the corrected sample standard deviation (sqrt of the unbiased, n - 1
/// variance) of every feature of a vector column, as Spark 3.5's StandardScaler (its
/// Summarizer "mean" and "std": with one row the std is 0).
class StandardScaler final : public Estimator {
  TD_CLASS(StandardScaler, "stdScal", "org.apache.spark.ml.feature.StandardScaler",
           "Learns feature means and sample standard deviations to standardize vectors")
  TD_SPARK_DIFFERENCES(
      "Same defaults (`withMean=false`, `withStd=true`) and formulas: mean over all rows "
      "(implicit zeros of sparse vectors count), std = sqrt(max(Σ(x - mean)² / (n - 1), 0)), "
      "0 for a single row. Computed in two passes (Spark: one online pass), so the last bits "
      "may differ. Empty data is an error (Spark fails on it too, less clearly).")
  TD_SHARED_PARAM(std::string, inputCol, InputCol, shared::inputCol())
  TD_SHARED_PARAM(std::string, outputCol, OutputCol, shared::outputCol())
  TD_PARAM(bool, withMean, WithMean, "Whether to center data with mean", false)
  TD_PARAM(bool, withStd, WithStd, "Whether to scale the data to unit standard deviation", true)

  StandardScaler();
  explicit StandardScaler(std::string uid);

  [[nodiscard]] Schema transformSchema(const Schema& input) const override;

 protected:
  [[nodiscard]] std::shared_ptr<Model> fitImpl(const Frame& data,
                                               const Context& ctx) const override;
};

/// A fitted StandardScaler: (x - mean) * (1 / std) per feature as Spark's StandardScalerModel,
/// subtracting only with withMean and scaling only with withStd; a feature whose std is 0
/// scales to 0.0. Without withMean sparse stays sparse (same indices), dense stays dense; with
/// withMean the output is dense.
class StandardScalerModel final : public Model {
  TD_MODEL_CLASS(StandardScalerModel, StandardScaler, "stdScal",
                 "org.apache.spark.ml.feature.StandardScalerModel",
                 "A fitted StandardScaler: centers and/or scales vectors feature by feature")
  TD_SPARK_DIFFERENCES(
      "Spark's `mean` and `std` are `mean()` and `std()`. A vector of another dimension "
      "than the fitted one is an error (Spark may fail with an index error or mis-scale it).")

  /// A model with the fitted means and standard deviations (same length).
  StandardScalerModel(std::string uid, std::vector<double> mean, std::vector<double> sd);
  /// An empty model (what loading starts from).
  explicit StandardScalerModel(std::string uid);

  /// The mean of every feature.
  [[nodiscard]] const std::vector<double>& mean() const { return *mean_; }
  /// The corrected sample standard deviation of every feature.
  [[nodiscard]] const std::vector<double>& std() const { return *std_; }
  /// The vector dimension the model expects.
  [[nodiscard]] std::int64_t numFeatures() const {
    return static_cast<std::int64_t>(mean_->size());
  }

  TD_MODEL_PARAM(inputCol, InputCol)
  TD_MODEL_PARAM(outputCol, OutputCol)
  /// The withMean the model was fitted with (Spark's model has no setter for it).
  [[nodiscard]] bool getWithMean() const { return get(StandardScaler::withMean); }
  /// The withStd the model was fitted with (Spark's model has no setter for it).
  [[nodiscard]] bool getWithStd() const { return get(StandardScaler::withStd); }

  [[nodiscard]] Schema transformSchema(const Schema& input) const override;
  [[nodiscard]] bool isRowWise() const override { return true; }
  /// numFeatures.
  [[nodiscard]] std::vector<StateItem> stateSummary() const override;
  /// mean (data/mean.f64le), std (data/std.f64le), numFeatures.
  void saveState(StateWriter& out) const override;
  /// Reads what saveState wrote, checking the arrays against numFeatures.
  void loadState(const StateReader& in) override;

 protected:
  [[nodiscard]] Frame transformImpl(const Frame& input, const Context& ctx) const override;

 private:
  std::shared_ptr<const std::vector<double>> mean_;  // shared between copies
  std::shared_ptr<const std::vector<double>> std_;
};

}  // namespace td
