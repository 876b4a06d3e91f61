// cli/cmd_predict.cc — `thunderdome predict` and `thunderdome evaluate`.
#include <fmt/format.h>

#include <filesystem>
#include <ostream>

#include "commands.h"
#include "logging.h"
#include "options.h"
#include "scoring.h"
#include "thunderdome/io/frame_io.h"
#include "thunderdome/persist/param_json.h"
#include "thunderdome/persist/persist.h"
#include "thunderdome/storage/storage.h"
#include "thunderdome/tuning/validator.h"

namespace td::cli {

namespace {

bool outputExists(const std::string& path, const storage::Storage& storage) {
  return storage.fileSystem(path)->exists(path);
}

// model.transformSchema(input's), a missing or mistyped input column worded as the file's
// problem.
Schema transformSchemaOf(const Transformer& model, const Frame& input, const std::string& path) {
  try {
    return model.transformSchema(input.schema());
  } catch (const ColumnError& e) {
    throw asInputColumnError(e, input, path);
  }
}

// model.transform(input), errors worded as above.
Frame transformInput(const Transformer& model, const Frame& input, const std::string& path) {
  try {
    return model.transform(input);
  } catch (const ColumnError& e) {
    throw asInputColumnError(e, input, path);
  }
}

// model.transform(input).select(columns), errors worded as above.
Frame transformInput(const Transformer& model, const Frame& input,
                     const std::vector<std::string>& columns, const std::string& path) {
  try {
    return model.transformSelect(input, columns);
  } catch (const ColumnError& e) {
    throw asInputColumnError(e, input, path);
  }
}

std::shared_ptr<Transformer> loadModel(const std::string& path, const storage::Storage& storage) {
  auto stage = loadStage(path, storage);
  if (stage->isEstimator())
    throw ParamError(fmt::format("'{}' holds an unfitted {} ({}), not a model: run `thunderdome "
                                 "fit` to produce one",
                                 path, stage->className(), stage->uid()));
  return std::static_pointer_cast<Transformer>(stage);
}

// The model's own tuning evaluator, else the default for what it predicts (areaUnderROC, f1
// for more than two classes, rmse for a regression); `metric` picks another metric (and the
// evaluator class that computes it).
std::shared_ptr<Evaluator> evaluatorFor(const Transformer& model, const Frame& predictions,
                                        const std::optional<std::string>& metric) {
  std::shared_ptr<Evaluator> e;
  if (const TuningModel* t = model.asTuningModel()) e = t->getEvaluator()->copyEvaluator({});
  else e = defaultEvaluator(predictionKind(predictions));
  return metric ? evaluatorForMetric(*metric, *e) : e;
}

}  // namespace

int runPredict(const PredictArgs& a, std::ostream& out, std::ostream& err) {
  const auto log = makeLogger(err, a.common.verbosity);
  // One storage layer for the whole command: Swift authenticates once.
  const auto store = std::make_shared<const storage::Storage>();
  const auto model = loadModel(a.model, *store);
  WriteOptions w;
  w.storage = store;
  w.format = a.outputFormat;
  // Check the output's format and existence before doing any work.
  if (w.format) (void)formatFromName(*w.format);
  else (void)formatForPath(a.output);
  if (!a.overwrite && outputExists(a.output, *store))
    throw IoError(fmt::format("'{}' already exists (use --overwrite to replace it)", a.output));

  ReadOptions r = makeReadOptions({}, a.read.options, a.read.format);
  r.storage = store;
  std::vector<std::string> warnings;
  const Frame input = readInput(a.input, r, warnings, err);
  log->info("read {}: {} rows", a.input, input.numRows());
  // The output's columns, known from the schema before any work; the transform keeps only
  // them (and what later stages read), so intermediate columns do not pile up in memory.
  const Schema outSchema = transformSchemaOf(*model, input, a.input);
  std::vector<std::string> columns = a.columns;
  if (columns.empty()) {
    columns = input.columnNames();
    for (const char* c : {"prediction", "probability", "rawPrediction"})
      if (outSchema.contains(c) && !input.schema().contains(c)) columns.push_back(c);
  }
  for (const auto& c : columns) (void)outSchema.field(c);  // an unknown --columns name
  const Frame predictions = transformInput(*model, input, columns, a.input);
  writeFrame(predictions, a.output, w);
  log->info("wrote {} rows to {}", predictions.numRows(), a.output);
  (void)out;
  return 0;
}

int runEvaluate(const EvaluateArgs& a, std::ostream& out, std::ostream& err) {
  const auto log = makeLogger(err, a.common.verbosity);
  const auto store = std::make_shared<const storage::Storage>();
  const auto model = loadModel(a.model, *store);
  // An unknown --metric before any work.
  if (a.metric) (void)evaluatorForMetric(*a.metric, *defaultEvaluator(PredictionKind::kBinary));
  ReadOptions r = makeReadOptions({}, a.read.options, a.read.format);
  r.storage = store;
  std::vector<std::string> warnings;
  const Frame input = readInput(a.input, r, warnings, err);
  log->info("read {}: {} rows", a.input, input.numRows());
  const Frame predictions = transformInput(*model, input, a.input);
  const auto evaluator = evaluatorFor(*model, predictions, a.metric);
  if (a.metricLabel) {
    if (!evaluator->hasParam("metricLabel"))
      throw ParamError(fmt::format("--metric-label applies to the per-label multiclass metrics "
                                   "(precisionByLabel, recallByLabel, ...), not to {}",
                                   evaluator->getString("metricName")));
    evaluator->set("metricLabel", *a.metricLabel);
  }
  const double value = evaluateData(*evaluator, predictions, input, a.input);
  const std::string name = evaluator->getString("metricName");
  if (a.common.json) {
    out << nlohmann::json{{"metricName", name},
                          {"evaluator", evaluator->className()},
                          {"value", doubleToJson(value)},
                          {"rows", input.numRows()},
                          {"isLargerBetter", evaluator->isLargerBetter()},
                          {"warnings", warnings}}
               .dump(2)
        << "\n";
  } else {
    out << fmt::format("{}: {:.6f} ({} rows)\n", name, value, input.numRows());
  }
  return 0;
}

}  // namespace td::cli
