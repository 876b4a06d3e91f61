// include/thunderdome/feature/imputer.h
#pragma once

#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "thunderdome/core/shared_params.h"
#include "thunderdome/pipeline/stage.h"

namespace td {

/// Learns a replacement (mean, median or mode) for missing values of numeric columns, as
/// Spark 3.5's Imputer: nulls, and values equal to missingValue (NaN by default), are missing.
class Imputer final : public Estimator {
  TD_CLASS(Imputer, "imputer", "org.apache.spark.ml.feature.Imputer",
           "Fills missing values (null, NaN) with each column's mean, median or mode")
  TD_SPARK_DIFFERENCES(
      "Spark 3.5's params and defaults (`strategy=mean`, `missingValue=NaN`), single- and "
      "multi-column forms; the surrogate is computed from the values that are not null, not "
      "NaN and not missingValue; `mode` picks the smallest of equally frequent values; the "
      "output has the input's type (a bigint column gets the surrogate cast to bigint, "
      "truncated, as Spark casts it). The median is exact: the smallest value with at least "
      "half of the values at or below it (what Spark's approxQuantile gives with "
      "relativeError 0; `relativeError` is accepted and ignored).")
  TD_SHARED_PARAM(std::string, inputCol, InputCol, shared::inputCol())
  TD_SHARED_PARAM(std::string, outputCol, OutputCol, shared::outputCol())
  TD_SHARED_PARAM(std::vector<std::string>, inputCols, InputCols, shared::inputCols())
  TD_SHARED_PARAM(std::vector<std::string>, outputCols, OutputCols, shared::outputCols())
  TD_PARAM(std::string, strategy, Strategy,
           "strategy for imputation. If mean, then replace missing values using the mean value "
           "of the feature. If median, then replace missing values using the median value of "
           "the feature. If mode, then replace missing using the most frequent value of the "
           "feature.",
           "mean", ParamValidator::oneOf({"mean", "median", "mode"}))
  TD_PARAM(double, missingValue, MissingValue,
           "The placeholder for the missing values. All occurrences of missingValue will be "
           "imputed.",
           std::numeric_limits<double>::quiet_NaN())
  TD_PARAM(double, relativeError, RelativeError,
           "the relative target precision for the approximate quantile algorithm. Must be in "
           "the range [0, 1]",
           0.001, ParamValidator::inRange(0.0, 1.0))

  Imputer();
  explicit Imputer(std::string uid);

  [[nodiscard]] Schema transformSchema(const Schema& input) const override;
  [[nodiscard]] bool acceptsNulls() const override { return true; }

 protected:
  [[nodiscard]] std::shared_ptr<Model> fitImpl(const Frame& data,
                                               const Context& ctx) const override;
};

/// A fitted Imputer: replaces the missing values of each column by its surrogate.
class ImputerModel final : public Model {
  TD_MODEL_CLASS(ImputerModel, Imputer, "imputer", "org.apache.spark.ml.feature.ImputerModel",
                 "A fitted Imputer: fills missing values with learned surrogates")
  TD_SPARK_DIFFERENCES("Spark's `surrogateDF` is `surrogates()` (one value per input column).")

  /// A model with one surrogate per input column.
  ImputerModel(std::string uid, std::vector<double> surrogates);
  /// An empty model (what loading starts from).
  explicit ImputerModel(std::string uid);

  /// The replacement of each input column's missing values.
  [[nodiscard]] const std::vector<double>& surrogates() const { return surrogates_; }

  TD_MODEL_PARAM(inputCol, InputCol)
  TD_MODEL_PARAM(outputCol, OutputCol)
  TD_MODEL_PARAM(inputCols, InputCols)
  TD_MODEL_PARAM(outputCols, OutputCols)
  TD_MODEL_PARAM(missingValue, MissingValue)

  [[nodiscard]] Schema transformSchema(const Schema& input) const override;
  [[nodiscard]] bool isRowWise() const override { return true; }
  [[nodiscard]] bool acceptsNulls() const override { return true; }
  /// The surrogates.
  [[nodiscard]] std::vector<StateItem> stateSummary() const override;
  /// surrogates.
  void saveState(StateWriter& out) const override;
  /// Reads what saveState wrote.
  void loadState(const StateReader& in) override;

 protected:
  [[nodiscard]] Frame transformImpl(const Frame& input, const Context& ctx) const override;

 private:
  std::vector<double> surrogates_;
};

}  // namespace td
