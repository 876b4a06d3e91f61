// include/thunderdome/core/shared_params.h
#pragma once

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

}  // namespace td::shared
