// include/thunderdome/feature/bucketizer.h
#pragma once

#include <limits>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "thunderdome/core/shared_params.h"
#include "thunderdome/pipeline/stage.h"

namespace td {

/// Maps a numeric column to bucket indices, as Spark 3.5's Bucketizer: with splits s_0 < ... <
/// s_n, bucket i holds [s_i, s_{i+1}) and the last bucket also s_n; a value outside
/// [s_0, s_n] is an error; NaN is an error, a dropped row (skip) or bucket n (keep). One column
/// (inputCol/outputCol) or several (inputCols/outputCols). Like Spark's, it is a Model (what
/// QuantileDiscretizer fits) that users also create and set up themselves.
class Bucketizer final : public Model {
  TD_CLASS(Bucketizer, "bucketizer", "org.apache.spark.ml.feature.Bucketizer",
           "Maps a numeric column to bucket indices by split points")
  TD_SPARK_DIFFERENCES(
      "Spark 3.5's params, rules and messages: `splits` (>= 3 strictly increasing values, no "
      "NaN; -Infinity/+Infinity allowed), `handleInvalid=error` (`skip` drops the rows with a "
      "NaN in any input column, `keep` puts NaN into bucket numBuckets), the last bucket "
      "includes its upper bound, values outside the splits are an error whatever "
      "handleInvalid, -0.0 sorts below 0.0 as in Java's binarySearch. Input columns may be "
      "double or bigint; the output is double, without Spark's nominal-attribute metadata. "
      "**Multi-column form:** the params have no list-of-double-lists type, so there is no "
      "`splitsArray`: `inputCols`/`outputCols` all use the one `splits`.")
  /// Spark's Bucketizer.checkSplits: >= 3 values, strictly increasing, no NaN.
  [[nodiscard]] static bool checkSplits(std::span<const double> splits);
  /// The bucket of `feature` (Spark's binarySearchForBuckets): NaN gives splits.size() - 1 when
  /// keepInvalid, else throws DataError; a value outside the splits throws DataError.
  [[nodiscard]] static double binarySearchForBuckets(std::span<const double> splits,
                                                     double feature, bool keepInvalid);

  TD_SHARED_PARAM(std::string, inputCol, InputCol, shared::inputCol())
  TD_SHARED_PARAM(std::string, outputCol, OutputCol, shared::outputCol())
  TD_PARAM(std::vector<std::string>, inputCols, InputCols, "input column names", kNoDefault)
  TD_PARAM(std::vector<std::string>, outputCols, OutputCols, "output column names", kNoDefault)
  TD_PARAM(std::vector<double>, splits, Splits,
           "Split points for mapping continuous features into buckets. With n+1 splits, there "
           "are n buckets. A bucket defined by splits x,y holds values in the range [x,y) except "
           "the last bucket, which also includes y. The splits should be of length >= 3 and "
           "strictly increasing. Values at -inf, inf must be explicitly provided to cover all "
           "Double values; otherwise, values outside the splits specified will be treated as "
           "errors.",
           kNoDefault,
           (ParamValidator{[](const ParamValue& v) {
                             return v.type() == ParamType::kDoubleList &&
                                    checkSplits(v.as<std::vector<double>>());
                           },
                           "length >= 3, strictly increasing, no NaN"}),
           ParamExample{std::vector<double>{-std::numeric_limits<double>::infinity(), 0.5, 10.0,
                                            std::numeric_limits<double>::infinity()}})
  TD_PARAM(std::string, handleInvalid, HandleInvalid,
           "how to handle invalid entries containing NaN values. Values outside the splits will "
           "always be treated as errors. Options are skip (filter out rows with invalid "
           "values), error (throw an error), or keep (keep invalid values in a special "
           "additional bucket).",
           "error", ParamValidator::oneOf({"skip", "error", "keep"}))

  /// A Bucketizer the user sets up (splits must be set before transform).
  Bucketizer();
  explicit Bucketizer(std::string uid);

  /// Registered, created from specs and driven as a Transformer, though a Model (see registry.h).
  static constexpr bool kStandaloneModel = true;

  /// The (input, output) column pairs: inputCol/outputCol when inputCol is set, else
  /// inputCols/outputCols; throws ParamError as Spark's checkSingleVsMultiColumnParams.
  [[nodiscard]] std::vector<std::pair<std::string, std::string>> inOutCols() const;

  [[nodiscard]] Schema transformSchema(const Schema& input) const override;
  /// Row-wise unless handleInvalid is skip (which drops rows).
  [[nodiscard]] bool isRowWise() const override;

 protected:
  [[nodiscard]] Frame transformImpl(const Frame& input, const Context& ctx) const override;
};

}  // namespace td
