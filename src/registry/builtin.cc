// src/registry/builtin.cc — THE table of built-in classes: one line each.
#include <fmt/format.h>

#include "thunderdome/classification/logistic_regression.h"
#include "thunderdome/evaluation/binary_classification_evaluator.h"
#include "thunderdome/feature/hashing_tf.h"
#include "thunderdome/feature/idf.h"
#include "thunderdome/feature/stop_words_remover.h"
#include "thunderdome/feature/tokenizer.h"
#include "thunderdome/pipeline/pipeline.h"
#include "thunderdome/registry/registry.h"
#include "thunderdome/tuning/cross_validator.h"
#include "thunderdome/tuning/train_validation_split.h"

namespace td {

const std::vector<StageInfo>& builtinStages() {
  static const std::vector<StageInfo> table{
      entry<Tokenizer>(),
      entry<RegexTokenizer>(),
      entry<HashingTF>(),
      entry<LogisticRegression>(),
      entry<LogisticRegressionModel>(),
      entry<StopWordsRemover>(),
      entry<IDF>(),
      entry<IDFModel>(),
      entry<BinaryClassificationEvaluator>(),
      entry<Pipeline>(),
      entry<PipelineModel>(),
      entry<CrossValidator>(),
      entry<CrossValidatorModel>(),
      entry<TrainValidationSplit>(),
      entry<TrainValidationSplitModel>(),
  };
  return table;
}

std::string_view toString(StageKind k) {
  switch (k) {
    case StageKind::kTransformer: return "Transformer";
    case StageKind::kEstimator: return "Estimator";
    case StageKind::kModel: return "Model";
    case StageKind::kEvaluator: return "Evaluator";
  }
  return "?";
}

const StageInfo& findStageInfo(std::string_view name) {
  for (const auto& s : builtinStages())
    if (s.name == name) return s;
  std::string names;
  for (const auto& s : builtinStages()) names += (names.empty() ? "" : ", ") + s.name;
  throw ParamError(fmt::format("unknown stage class '{}' (known: {})", name, names));
}

std::shared_ptr<Params> createInstance(std::string_view name, const std::string& uid) {
  return findStageInfo(name).create(uid);
}

std::shared_ptr<PipelineStage> createStage(std::string_view name, const std::string& uid) {
  const StageInfo& info = findStageInfo(name);
  if (info.kind == StageKind::kEvaluator)
    throw ParamError(fmt::format("'{}' is an evaluator, not a pipeline stage", name));
  if (info.kind == StageKind::kModel)
    throw ParamError(fmt::format("'{}' is a model: models come from fitting their estimator "
                                 "(or from loading a saved model), not from a spec",
                                 name));
  return std::static_pointer_cast<PipelineStage>(info.create(uid));
}

std::shared_ptr<Evaluator> createEvaluator(std::string_view name, const std::string& uid) {
  const StageInfo& info = findStageInfo(name);
  if (info.kind != StageKind::kEvaluator)
    throw ParamError(fmt::format("'{}' is a {}, not an evaluator", name, toString(info.kind)));
  return std::static_pointer_cast<Evaluator>(info.create(uid));
}

}  // namespace td
