// include/thunderdome/feature/binarizer.h
#pragma once

#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "thunderdome/core/shared_params.h"
#include "thunderdome/pipeline/stage.h"

namespace td {

/// Thresholds continuous features to 0/1, as Spark 3.5's Binarizer: a value > threshold becomes
/// 1.0, anything else (NaN included) 0.0. Reads a double column (out: double) or a vector column
/// (out: vector); one column (inputCol/outputCol/threshold) or several
/// (inputCols/outputCols/thresholds, Spark 3's form, threshold applying to all when thresholds
/// is unset).
class Binarizer final : public Transformer {
  TD_CLASS(Binarizer, "binarizer", "org.apache.spark.ml.feature.Binarizer",
           "Binarizes double or vector columns against a threshold")
  TD_SPARK_DIFFERENCES(
      "Same params (`threshold=0.0`, `thresholds`, single or multi-column form with Spark's "
      "exclusivity checks) and rule: value > threshold → 1.0, else 0.0; a double NaN gives "
      "0.0. Vectors follow Spark's two paths: with threshold >= 0 only the stored non-zero "
      "values above it become 1.0 (NaN → 0); with threshold < 0 every position starts at 1.0 "
      "and the stored non-zero values <= threshold become 0.0 (so NaN → 1.0, as in Spark). "
      "Spark picks dense or sparse per row (`compressed`); here a whole column has one "
      "layout: sparse for threshold >= 0, dense for threshold < 0.")
  TD_SHARED_PARAM(std::string, inputCol, InputCol, shared::inputCol())
  TD_SHARED_PARAM(std::string, outputCol, OutputCol, shared::outputCol())
  TD_PARAM(std::vector<std::string>, inputCols, InputCols, "input column names", kNoDefault)
  TD_PARAM(std::vector<std::string>, outputCols, OutputCols, "output column names", kNoDefault)
  TD_PARAM(double, threshold, Threshold, "threshold used to binarize continuous features", 0.0)
  TD_PARAM(std::vector<double>, thresholds, Thresholds,
           "Array of threshold used to binarize continuous features. This is for multiple "
           "columns input. If transforming multiple columns and thresholds is not set, but "
           "threshold is set, then threshold will be applied across all columns.",
           kNoDefault)

  Binarizer();
  explicit Binarizer(std::string uid);

  /// One (input column, output column, threshold) per column to binarize; throws ParamError
  /// as Spark's checkSingleVsMultiColumnParams and threshold/thresholds checks.
  [[nodiscard]] std::vector<std::tuple<std::string, std::string, double>> columns() const;

  [[nodiscard]] Schema transformSchema(const Schema& input) const override;
  [[nodiscard]] bool isRowWise() const override { return true; }

 protected:
  [[nodiscard]] Frame transformImpl(const Frame& input, const Context& ctx) const override;
};

}  // namespace td
