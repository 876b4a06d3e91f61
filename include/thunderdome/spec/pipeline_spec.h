// include/thunderdome/spec/pipeline_spec.h
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "thunderdome/evaluation/evaluator.h"
#include "thunderdome/pipeline/pipeline.h"
#include "thunderdome/tuning/validator.h"

namespace td {

/// A tuning job described in JSON, as a PySpark script would set it up: the stages with their
/// classes and params, the grid ("stage.param" keys), the tuning method and the evaluator.
///
/// ```json
/// {"stages": [{"name": "tokenizer", "class": "Tokenizer",
///              "params": {"inputCol": "text", "outputCol": "words"}}, ...],
///  "grid": {"hashingTF.numFeatures": [10, 100, 1000], "lr.regParam": [0.1, 0.01]},
///  "tuning": {"method": "crossValidator", "numFolds": 2, "seed": 42},
///  "evaluator": {"class": "BinaryClassificationEvaluator",
///                "params": {"metricName": "areaUnderROC"}},
///  "labelCol": "label", "featuresCol": "features",
///  "input": {"header": true, "sep": ","}}
/// ```
///
/// A stage-valued param (OneVsRest's classifier) takes a nested stage object,
/// `"classifier": {"class": "LogisticRegression", "params": {"regParam": 0.1}}`, built by the
/// registry with uid "<stage name>.classifier"; grid keys name its params by that path
/// ("ovr.classifier.regParam").
struct PipelineSpec {
  std::shared_ptr<Pipeline> pipeline;      ///< The stages; each stage's uid is its spec name.
  std::vector<ParamMap> grid;              ///< Built grid (one empty map without "grid").
  std::shared_ptr<Evaluator> evaluator;    ///< The evaluator (null only without tuning).
  std::shared_ptr<Estimator> estimator;    ///< What `fit` runs: a CrossValidator,
                                           ///< TrainValidationSplit, or the pipeline itself.
  std::shared_ptr<Validator> tuner;        ///< The estimator when it is a tuner, else null.
  std::string tuningMethod;                ///< "crossValidator", "trainValidationSplit" or "none".
  std::map<std::string, std::string> input;  ///< Reader options (Spark names), as text.
};

/// Parses a spec; every error is a ParamError naming `source` and the location in the spec
/// (e.g. "stages[2] (lr).params.regParam") with the offending value.
PipelineSpec parsePipelineSpec(std::string_view json, const std::string& source);

/// Reads and parses the spec file at `path`.
PipelineSpec loadPipelineSpec(const std::string& path);

/// The tuning methods a spec may name.
const std::vector<std::string>& tuningMethods();

}  // namespace td
