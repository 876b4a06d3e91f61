// src/core/shared_params.cc
#include "thunderdome/core/shared_params.h"

#include <fmt/format.h>

namespace td::shared {

ParamSpec inputCol() {
  return {"inputCol", "input column name", ParamType::kString, std::nullopt,
          ParamValidator::nonEmpty()};
}
ParamSpec outputCol() {
  return {"outputCol", "output column name", ParamType::kString, std::nullopt,
          ParamValidator::nonEmpty()};
}
ParamSpec featuresCol() {
  return {"featuresCol", "features column name", ParamType::kString, ParamValue("features"),
          ParamValidator::nonEmpty()};
}
ParamSpec labelCol() {
  return {"labelCol", "label column name", ParamType::kString, ParamValue("label"),
          ParamValidator::nonEmpty()};
}
ParamSpec weightCol() {
  return {"weightCol",
          "weight column name. If this is not set or empty, we treat all instance weights as 1.0",
          ParamType::kString, std::nullopt, ParamValidator::any()};
}
ParamSpec predictionCol() {
  return {"predictionCol", "prediction column name", ParamType::kString, ParamValue("prediction"),
          ParamValidator::any()};
}
ParamSpec rawPredictionCol() {
  return {"rawPredictionCol", "raw prediction (a.k.a. confidence) column name",
          ParamType::kString, ParamValue("rawPrediction"), ParamValidator::any()};
}
ParamSpec probabilityCol() {
  return {"probabilityCol",
          "Column name for predicted class conditional probabilities. Note: Not all models "
          "output well-calibrated probability estimates! These probabilities should be treated "
          "as confidences, not precise probabilities",
          ParamType::kString, ParamValue("probability"), ParamValidator::any()};
}
ParamSpec numFeatures() {
  return {"numFeatures", "Number of features. Should be greater than 0", ParamType::kInt,
          ParamValue(std::int64_t{1} << 18), ParamValidator::inRange(1, 2147483647.0)};
}
ParamSpec seed(std::int64_t defaultSeed) {
  return {"seed", "random seed", ParamType::kInt, ParamValue(defaultSeed), ParamValidator::any()};
}
ParamSpec maxIter(std::int64_t defaultValue) {
  return {"maxIter", "max number of iterations (>= 0)", ParamType::kInt, ParamValue(defaultValue),
          ParamValidator::gtEq(0)};
}
ParamSpec tol(double defaultValue) {
  return {"tol", "the convergence tolerance for iterative algorithms (>= 0)", ParamType::kDouble,
          ParamValue(defaultValue), ParamValidator::gtEq(0)};
}
ParamSpec regParam() {
  return {"regParam", "regularization parameter (>= 0)", ParamType::kDouble, ParamValue(0.0),
          ParamValidator::gtEq(0)};
}

ParamSpec inputCols() {
  return {"inputCols", "input column names", ParamType::kStringList, std::nullopt,
          ParamValidator::any()};
}
ParamSpec outputCols() {
  return {"outputCols", "output column names", ParamType::kStringList, std::nullopt,
          ParamValidator::any()};
}
ParamSpec handleInvalid(std::string doc, std::vector<std::string> choices) {
  return {"handleInvalid", std::move(doc), ParamType::kString, ParamValue("error"),
          ParamValidator::oneOf(std::move(choices))};
}

std::vector<std::pair<std::string, std::string>> singleOrMultiColumns(const Params& stage) {
  const auto fail = [&](const std::string& why) {
    throw ParamError(fmt::format("{}: {}", stage.describe(), why));
  };
  const bool single = stage.isSet("inputCol");
  if (single && stage.isSet("inputCols"))
    fail("requires exactly one of inputCol, inputCols Params to be set, but both are set");
  if (!single && !stage.isSet("inputCols"))
    fail("requires exactly one of inputCol, inputCols Params to be set, but neither is set");
  if (single) {
    if (stage.isSet("outputCols"))
      fail("requires single-column Params to be set: outputCols is not applicable and should "
           "not be set");
    return {{stage.getString("inputCol"), stage.getString("outputCol")}};
  }
  if (stage.isSet("outputCol"))
    fail("requires multi-column Params to be set: outputCol is not applicable and should not "
         "be set");
  if (!stage.isSet("outputCols")) fail("requires multi-column Params to be set: outputCols is not set");
  const auto ins = stage.getStringList("inputCols");
  const auto outs = stage.getStringList("outputCols");
  if (ins.size() != outs.size())
    fail(fmt::format("has mismatched Params for multi-column transform.  Params (inputCols, "
                     "outputCols) should have equal lengths, but they have different lengths: "
                     "({}, {}).",
                     ins.size(), outs.size()));
  std::vector<std::pair<std::string, std::string>> pairs;
  for (std::size_t k = 0; k < ins.size(); ++k) pairs.emplace_back(ins[k], outs[k]);
  return pairs;
}

}  // namespace td::shared
