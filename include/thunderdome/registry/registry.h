// include/thunderdome/registry/registry.h
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "thunderdome/core/params.h"
#include "thunderdome/evaluation/evaluator.h"
#include "thunderdome/pipeline/stage.h"

namespace td {

/// What a registered class is.
enum class StageKind { kTransformer, kEstimator, kModel, kEvaluator };

/// "Transformer", "Estimator", "Model" or "Evaluator".
std::string_view toString(StageKind k);

/// One registered class: what loading, specs, `thunderdome stages/params`, docs/stages.md and
/// the conformance suite know of it. Made from the class's TD_CLASS declaration by entry<T>().
struct StageInfo {
  std::string name;        ///< Class name as in specs and saved models, e.g. "HashingTF".
  StageKind kind;          ///< Transformer, Estimator, Model or Evaluator.
  std::string summary;     ///< One line saying what it does.
  std::string sparkClass;  ///< The Spark ML class it mirrors.
  std::function<std::shared_ptr<Params>(const std::string& uid)> create;  ///< New instance.
  const ParamSchema* params = nullptr;  ///< Its parameter declarations, in order.
  std::string sparkDifferences;  ///< Where it differs from Spark (TD_SPARK_DIFFERENCES), or "".
  std::string uidPrefix;  ///< The prefix of its random uids, e.g. "hashingTF" (Python's new stages).
};

/// The registry entry of class T (a class declared with TD_CLASS or TD_MODEL_CLASS that has a
/// constructor from a uid). A Model that declares `static constexpr bool kStandaloneModel =
/// true` (Spark's Bucketizer: a Model[Bucketizer] that users also set up themselves) is
/// registered as a Transformer, so specs can create it.
template <class T>
StageInfo entry() {
  StageKind kind = StageKind::kTransformer;
  if constexpr (std::is_base_of_v<Evaluator, T>) kind = StageKind::kEvaluator;
  else if constexpr (std::is_base_of_v<Model, T> && !requires { T::kStandaloneModel; })
    kind = StageKind::kModel;
  else if constexpr (std::is_base_of_v<Estimator, T>) kind = StageKind::kEstimator;
  std::string differences;
  if constexpr (requires { T::kSparkDifferences; }) differences = T::kSparkDifferences;
  return {std::string(T::kClassName), kind, std::string(T::kSummary), std::string(T::kSparkClass),
          [](const std::string& uid) -> std::shared_ptr<Params> { return std::make_shared<T>(uid); },
          &T::schema(), std::move(differences), std::string(T::kUidPrefix)};
}

/// Every built-in class, in a fixed order (the one table of them, src/registry/builtin.cc).
const std::vector<StageInfo>& builtinStages();

/// The entry named `name`; throws ParamError listing every registered name if unknown.
const StageInfo& findStageInfo(std::string_view name);

/// A new instance of any registered class `name` with `uid` (what loading a saved stage uses);
/// throws ParamError if unknown.
std::shared_ptr<Params> createInstance(std::string_view name, const std::string& uid);

/// A new pipeline stage (Transformer or Estimator) of class `name` with `uid`, as a spec names
/// it; throws ParamError if unknown, an evaluator, or a model (models come from fitting).
std::shared_ptr<PipelineStage> createStage(std::string_view name, const std::string& uid);

/// A new evaluator of class `name` with `uid`; throws ParamError if unknown or not an evaluator.
std::shared_ptr<Evaluator> createEvaluator(std::string_view name, const std::string& uid);

}  // namespace td
