// include/thunderdome/feature/quantile_discretizer.h
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "thunderdome/core/shared_params.h"
#include "thunderdome/feature/bucketizer.h"
#include "thunderdome/pipeline/stage.h"

namespace td {

/// Learns bucket splits at the quantiles i / numBuckets of a numeric column, as Spark 3.5's
/// QuantileDiscretizer; fit gives a Bucketizer with splits -Infinity, the distinct inner
/// quantiles, +Infinity. NaN values are ignored when fitting.
class QuantileDiscretizer final : public Estimator {
  TD_CLASS(QuantileDiscretizer, "quantileDiscretizer",
           "org.apache.spark.ml.feature.QuantileDiscretizer",
           "Learns quantile split points of a numeric column; fits a Bucketizer")
  TD_SPARK_DIFFERENCES(
      "Spark 3.5's params and defaults (`numBuckets=2`, `relativeError=0.001`, "
      "`handleInvalid=error`), and `fit` returns a `Bucketizer`. Quantiles are exact: the "
      "value of rank ceil(p·n) among the n non-NaN values sorted (the first for p <= "
      "relativeError, the last for p >= 1 - relativeError), which is what Spark's "
      "approxQuantile returns while n < 1 / (2·relativeError) (500 rows by default); on "
      "more rows Spark's Greenwald-Khanna summary may pick a value up to relativeError·n "
      "ranks away. Duplicate quantiles are merged as Spark's getDistinctSplits (-0.0 counts "
      "as 0.0), without its log warning (thunderdome has no logger): the Bucketizer then has "
      "fewer buckets. A column whose inner quantiles are all infinite (so fewer than 3 "
      "splits remain), or without a non-NaN value, is an error (Spark fails setting the "
      "splits). **Single column only:** no "
      "`inputCols`/`outputCols`/`numBucketsArray`, since the fitted Bucketizer has no "
      "`splitsArray` (the params have no list-of-double-lists type).")
  TD_SHARED_PARAM(std::string, inputCol, InputCol, shared::inputCol())
  TD_SHARED_PARAM(std::string, outputCol, OutputCol, shared::outputCol())
  TD_PARAM(std::int64_t, numBuckets, NumBuckets,
           "Number of buckets (quantiles, or categories) into which data points are grouped. "
           "Must be >= 2.",
           2, ParamValidator::gtEq(2))
  TD_PARAM(double, relativeError, RelativeError,
           "the relative target precision for the approximate quantile algorithm. Must be in "
           "the range [0, 1]",
           0.001, ParamValidator::inRange(0.0, 1.0))
  TD_PARAM(std::string, handleInvalid, HandleInvalid,
           "how to handle invalid entries. Options are skip (filter out rows with invalid "
           "values), error (throw an error), or keep (keep invalid values in a special "
           "additional bucket).",
           "error", ParamValidator::oneOf({"skip", "error", "keep"}))

  QuantileDiscretizer();
  explicit QuantileDiscretizer(std::string uid);

  /// The splits fit would give for `values` (NaN ignored): -Infinity, the distinct quantiles
  /// i / numBuckets for 0 < i < numBuckets (as above), +Infinity; too few is an error.
  [[nodiscard]] std::vector<double> splitsFor(std::vector<double> values) const;

  [[nodiscard]] Schema transformSchema(const Schema& input) const override;

 protected:
  /// A Bucketizer (Spark's fit returns one) with this stage's uid, columns and handleInvalid.
  [[nodiscard]] std::shared_ptr<Model> fitImpl(const Frame& data,
                                               const Context& ctx) const override;
};

}  // namespace td
