// src/registry/builtin.cc — THE table of built-in stages and evaluators.
#include <fmt/format.h>

#include "thunderdome/classification/logistic_regression.h"
#include "thunderdome/evaluation/binary_classification_evaluator.h"
#include "thunderdome/feature/hashing_tf.h"
#include "thunderdome/feature/tokenizer.h"
#include "thunderdome/registry/registry.h"

namespace td {

std::string_view toString(StageKind k) {
  switch (k) {
    case StageKind::kTransformer: return "Transformer";
    case StageKind::kEstimator: return "Estimator";
    case StageKind::kEvaluator: return "Evaluator";
  }
  return "?";
}

namespace {
template <class T>
std::function<std::shared_ptr<Params>(const std::string&)> maker() {
  return [](const std::string& uid) -> std::shared_ptr<Params> { return std::make_shared<T>(uid); };
}
}  // namespace

const std::vector<StageInfo>& builtinStages() {
  static const std::vector<StageInfo> table{
      {"Tokenizer", StageKind::kTransformer,
       "Lowercases text and splits it on whitespace (Java split semantics)",
       "org.apache.spark.ml.feature.Tokenizer", maker<Tokenizer>()},
      {"RegexTokenizer", StageKind::kTransformer,
       "Splits text by a regular expression (gaps) or extracts its matches",
       "org.apache.spark.ml.feature.RegexTokenizer", maker<RegexTokenizer>()},
      {"HashingTF", StageKind::kTransformer,
       "Maps terms to term frequencies with Spark 3's hashing trick (MurmurHash3, seed 42)",
       "org.apache.spark.ml.feature.HashingTF", maker<HashingTF>()},
      {"LogisticRegression", StageKind::kEstimator,
       "Binomial logistic regression (L-BFGS for L2, OWL-QN for L1/elastic net)",
       "org.apache.spark.ml.classification.LogisticRegression", maker<LogisticRegression>()},
      {"BinaryClassificationEvaluator", StageKind::kEvaluator,
       "Area under the ROC or PR curve of binary predictions",
       "org.apache.spark.ml.evaluation.BinaryClassificationEvaluator",
       maker<BinaryClassificationEvaluator>()},
  };
  return table;
}

const StageInfo& findStageInfo(std::string_view name) {
  for (const auto& s : builtinStages())
    if (s.name == name) return s;
  std::string names;
  for (const auto& s : builtinStages()) names += (names.empty() ? "" : ", ") + s.name;
  throw ParamError(fmt::format("unknown stage class '{}' (known: {})", name, names));
}

std::shared_ptr<PipelineStage> createStage(std::string_view name, const std::string& uid) {
  const StageInfo& info = findStageInfo(name);
  if (info.kind == StageKind::kEvaluator)
    throw ParamError(fmt::format("'{}' is an evaluator, not a pipeline stage", name));
  return std::static_pointer_cast<PipelineStage>(info.create(uid));
}

std::shared_ptr<Evaluator> createEvaluator(std::string_view name, const std::string& uid) {
  const StageInfo& info = findStageInfo(name);
  if (info.kind != StageKind::kEvaluator)
    throw ParamError(fmt::format("'{}' is a {}, not an evaluator", name, toString(info.kind)));
  return std::static_pointer_cast<Evaluator>(info.create(uid));
}

}  // namespace td
