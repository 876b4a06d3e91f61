// include/thunderdome/registry/registry.h
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "thunderdome/core/params.h"
#include "thunderdome/evaluation/evaluator.h"
#include "thunderdome/pipeline/stage.h"

namespace td {

/// What a registered class is.
enum class StageKind { kTransformer, kEstimator, kEvaluator };

/// "Transformer", "Estimator" or "Evaluator".
std::string_view toString(StageKind k);

/// One built-in class that a spec can name and `thunderdome stages` lists.
struct StageInfo {
  std::string name;        ///< Class name as in specs, e.g. "HashingTF".
  StageKind kind;          ///< Transformer, Estimator or Evaluator.
  std::string summary;     ///< One line saying what it does.
  std::string sparkClass;  ///< The Spark ML class it mirrors.
  std::function<std::shared_ptr<Params>(const std::string& uid)> create;  ///< New instance.
};

/// Every built-in stage and evaluator, in a fixed order (the one table of them).
const std::vector<StageInfo>& builtinStages();

/// The entry named `name`; throws ParamError listing every registered name if unknown.
const StageInfo& findStageInfo(std::string_view name);

/// A new pipeline stage of class `name` with `uid`; throws ParamError if unknown or an evaluator.
std::shared_ptr<PipelineStage> createStage(std::string_view name, const std::string& uid);

/// A new evaluator of class `name` with `uid`; throws ParamError if unknown or not an evaluator.
std::shared_ptr<Evaluator> createEvaluator(std::string_view name, const std::string& uid);

}  // namespace td
