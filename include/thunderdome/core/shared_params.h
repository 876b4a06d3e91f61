// include/thunderdome/core/shared_params.h
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "thunderdome/core/params.h"

/// Declarations of parameters many stages share, with Spark's names, docs and defaults.
namespace td::shared {

ParamSpec inputCol();
ParamSpec outputCol();  ///< Default set per instance to uid + "__output".
ParamSpec featuresCol();
ParamSpec labelCol();
ParamSpec weightCol();  ///< No default: unset means every row has weight 1.0.
ParamSpec predictionCol();
ParamSpec rawPredictionCol();
ParamSpec probabilityCol();
ParamSpec numFeatures();
ParamSpec seed(std::int64_t defaultSeed);
ParamSpec maxIter(std::int64_t defaultValue);
ParamSpec tol(double defaultValue);
ParamSpec regParam();
ParamSpec inputCols();   ///< No default.
ParamSpec outputCols();  ///< No default.
/// Spark's handleInvalid with the given choices (e.g. {"skip", "error", "keep"}) and `doc`.
ParamSpec handleInvalid(std::string doc, std::vector<std::string> choices);

/// The (input, output) column pairs of a stage with Spark 3's single- and multi-column forms:
/// inputCol/outputCol when inputCol is set, else inputCols/outputCols. Throws ParamError with
/// Spark's checkSingleVsMultiColumnParams messages when both or neither are set, when a param
/// of the other form is set, or when the lists differ in length.
std::vector<std::pair<std::string, std::string>> singleOrMultiColumns(const Params& stage);

}  // namespace td::shared
