// cli/commands.h — the subcommands; each returns an exit code.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "thunderdome/core/params.h"
#include "thunderdome/pipeline/stage.h"
#include "thunderdome/tuning/validator.h"

namespace td::cli {

/// Flags every subcommand takes.
struct CommonArgs {
  bool json = false;     ///< Machine-readable output on stdout.
  int verbosity = 0;     ///< -1 quiet, 0 normal, 1 verbose.
};

/// How to read a data file: --format and --option KEY=VALUE.
struct InputArgs {
  std::optional<std::string> format;
  std::vector<std::string> options;
};

/// Arguments of `thunderdome fit`.
struct FitArgs {
  std::string spec, train, out, test, report;
  bool overwrite = false;
  bool dataParallel = false;  ///< --data-parallel: ranks read shards, fits span all ranks
  InputArgs input;
  CommonArgs common;
};

/// Arguments of `thunderdome predict`.
struct PredictArgs {
  std::string model, input, output;
  std::vector<std::string> columns;
  std::optional<std::string> outputFormat;
  bool overwrite = false;
  InputArgs read;
  CommonArgs common;
};

/// Arguments of `thunderdome evaluate`.
struct EvaluateArgs {
  std::string model, input;
  std::optional<std::string> metric;
  std::optional<double> metricLabel;  ///< --metric-label: metricLabel of per-label metrics
  InputArgs read;
  CommonArgs common;
};

/// Arguments of `thunderdome show`.
struct ShowArgs {
  std::string model;
  CommonArgs common;
};

int runFit(const FitArgs& a, std::ostream& out, std::ostream& err);
int runPredict(const PredictArgs& a, std::ostream& out, std::ostream& err);
int runEvaluate(const EvaluateArgs& a, std::ostream& out, std::ostream& err);
int runShow(const ShowArgs& a, std::ostream& out, std::ostream& err);
int runStages(const CommonArgs& c, std::ostream& out);
int runParams(const std::string& stage, const CommonArgs& c, std::ostream& out);

/// The tuning results a fitted CrossValidatorModel or TrainValidationSplitModel carries.
/// A tuning model's results (see TuningModel::tuningSummary).
using TuningResults = TuningSummary;

/// The tuning results of `model`, or nullopt when it is not a tuning model.
std::optional<TuningResults> tuningResults(const PipelineStage& model);

/// "hashingTF.numFeatures=100, lr.regParam=0.1" (keys as stage.param).
std::string describeParamMap(const ParamMap& m);

/// {"hashingTF.numFeatures": 100, "lr.regParam": 0.1}.
nlohmann::json paramMapToJson(const ParamMap& m);

/// The results table: one row per param map with its params and metric, best marked.
std::string formatTuningTable(const TuningResults& r);

/// The tuning results as JSON with Spark's names (avgMetrics, stdMetrics, bestParams, ...).
nlohmann::json tuningToJson(const TuningResults& r);

}  // namespace td::cli
