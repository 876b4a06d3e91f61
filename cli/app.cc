// cli/app.cc — argument parsing (CLI11) and the mapping of errors to exit codes.
#include "app.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <ostream>

#include "commands.h"
#include "options.h"
#include "thunderdome/core/error.h"
#include "thunderdome/persist/persist.h"

namespace td::cli {

int exitCodeFor(const std::exception& e) {
  if (const auto* te = dynamic_cast<const Error*>(&e)) {
    switch (te->code()) {
      case ErrorCode::kInvalidArgument: return kExitUsage;
      case ErrorCode::kColumn:
      case ErrorCode::kData: return kExitBadData;
      case ErrorCode::kIo: return kExitIo;
      case ErrorCode::kInternal: return kExitOther;
    }
  }
  return kExitOther;
}

namespace {

constexpr const char* kFooter =
    "Exit codes: 0 ok, 2 usage or bad spec/parameter, 3 bad data (malformed rows, wrong columns "
    "or types, NaN, bad labels), 4 I/O or storage, 1 other.";

void addCommon(CLI::App* cmd, CommonArgs& c, bool withJson) {
  if (withJson) cmd->add_flag("--json", c.json, "Print machine-readable JSON on stdout");
  cmd->add_flag_callback("-q,--quiet", [&c] { c.verbosity = -1; }, "Print only results and errors");
  cmd->add_flag_callback("-v,--verbose", [&c] { c.verbosity = 1; }, "Print progress details");
}

void addInput(CLI::App* cmd, InputArgs& in) {
  cmd->add_option("--format", in.format,
                  "Input format: csv, tsv, libsvm, jsonl (default: from the file extension; "
                  ".gz inputs are decompressed)");
  std::string names;
  for (const auto& n : readerOptionNames()) names += (names.empty() ? "" : ", ") + n;
  cmd->add_option("--option", in.options,
                  "Reader option KEY=VALUE, Spark's names (repeatable): " + names +
                      ". quote= (empty) disables quoting; schema=\"id bigint, text string, "
                      "label double\"; mode=FAILFAST (default), PERMISSIVE (bad bytes become "
                      "U+FFFD) or DROPMALFORMED (bad rows dropped); encoding=UTF-8 or "
                      "ISO-8859-1")
      ->take_all();
}

}  // namespace

int run(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  CLI::App app{"thunderdome: Spark ML pipelines and parallel cross-validation, natively.",
               "thunderdome"};
  app.footer(kFooter);
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("thunderdome ") + std::string(libraryVersion()));

  FitArgs fit;
  auto* fitCmd = app.add_subcommand(
      "fit", "Fit a pipeline spec (tuning it when the spec has a grid), save the model, print "
             "the grid's metrics");
  fitCmd->add_option("--spec", fit.spec, "Pipeline spec (JSON)")->required();
  fitCmd->add_option("--train", fit.train, "Training data (.csv, .tsv, .libsvm, .jsonl, .gz)")
      ->required();
  fitCmd->add_option("--out", fit.out, "Model directory to write")->required();
  fitCmd->add_option("--test", fit.test, "Test data: prints the evaluator's metric on it");
  fitCmd->add_option("--report", fit.report,
                     "Write a self-contained HTML report: grid chart and, on held-out data, ROC and PR "
                     "curves (binary), a confusion matrix (multiclass) or predicted-vs-actual and "
                     "residual plots (regression)");
  fitCmd->add_flag("--overwrite", fit.overwrite, "Replace an existing model directory");
  fitCmd->add_flag("--data-parallel", fit.dataParallel,
                   "Under mpirun: each rank reads only its shard of --train and every fit spans "
                   "all ranks (sums all-reduced each iteration); tuning then runs its fits one "
                   "after another. Default under mpirun: task-parallel tuning on full copies");
  addInput(fitCmd, fit.input);
  addCommon(fitCmd, fit.common, true);
  fitCmd->footer(kFooter);

  PredictArgs pred;
  auto* predCmd = app.add_subcommand(
      "predict", "Apply a saved model; write the input columns plus prediction (and "
                 "probability and rawPrediction for a classifier)");
  predCmd->add_option("--model", pred.model, "Model directory written by fit")->required();
  predCmd->add_option("--input", pred.input, "Data to predict on")->required();
  predCmd->add_option("--output", pred.output, "Output file (.csv, .tsv or .jsonl)")->required();
  predCmd->add_option("--columns", pred.columns,
                      "Columns to write, comma-separated; any column of the transformed data, "
                      "including intermediate ones such as words or features")
      ->delimiter(',');
  predCmd->add_option("--output-format", pred.outputFormat,
                      "Output format: csv, tsv, jsonl (default: from the extension)");
  predCmd->add_flag("--overwrite", pred.overwrite, "Replace an existing output file");
  addInput(predCmd, pred.read);
  addCommon(predCmd, pred.common, false);
  predCmd->footer(kFooter);

  EvaluateArgs ev;
  auto* evCmd = app.add_subcommand("evaluate", "Score a saved model on labeled data");
  evCmd->add_option("--model", ev.model, "Model directory written by fit")->required();
  evCmd->add_option("--input", ev.input, "Labeled data")->required();
  evCmd->add_option("--metric", ev.metric,
                    "Metric (default: the model's tuning metric, else areaUnderROC for two "
                    "classes, f1 for more, rmse for a regression): areaUnderROC, areaUnderPR "
                    "(binary); f1, accuracy, weightedPrecision, weightedRecall, "
                    "weightedFMeasure, precisionByLabel, recallByLabel, fMeasureByLabel, logLoss, "
                    "hammingLoss, ... (multiclass); rmse, mse, r2, mae, var (regression)");
  evCmd->add_option("--metric-label", ev.metricLabel,
                    "The class a per-label multiclass metric (precisionByLabel, ...) is about "
                    "(default 0)");
  addInput(evCmd, ev.read);
  addCommon(evCmd, ev.common, true);
  evCmd->footer(kFooter);

  ShowArgs show;
  auto* showCmd = app.add_subcommand("show", "Describe a saved model: stages, params, tuning "
                                             "results");
  showCmd->add_option("--model", show.model, "Model directory")->required();
  addCommon(showCmd, show.common, true);
  showCmd->footer(kFooter);

  CommonArgs stagesArgs;
  auto* stagesCmd = app.add_subcommand("stages", "List the stage and evaluator classes a spec "
                                                 "can use");
  addCommon(stagesCmd, stagesArgs, true);

  CommonArgs paramsArgs;
  std::string paramsStage;
  auto* paramsCmd = app.add_subcommand("params", "Explain a class's parameters: docs, defaults "
                                                 "(Spark's explainParams)");
  paramsCmd->add_option("STAGE", paramsStage, "Class name, e.g. LogisticRegression")->required();
  addCommon(paramsCmd, paramsArgs, true);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e, out, err);
    return code == 0 ? kExitOk : kExitUsage;
  }

  try {
    if (*fitCmd) return runFit(fit, out, err);
    if (*predCmd) return runPredict(pred, out, err);
    if (*evCmd) return runEvaluate(ev, out, err);
    if (*showCmd) return runShow(show, out, err);
    if (*stagesCmd) return runStages(stagesArgs, out);
    if (*paramsCmd) return runParams(paramsStage, paramsArgs, out);
  } catch (const std::exception& e) {
    err << "error: " << e.what() << "\n";
    return exitCodeFor(e);
  }
  return kExitUsage;
}

}  // namespace td::cli
