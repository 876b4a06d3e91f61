// cli/cmd_fit.cc — `thunderdome fit`: spec + data -> tuned, saved model.
#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <ostream>

#include "commands.h"
#include "logging.h"
#include "options.h"
#include "progress.h"
#include "thunderdome/evaluation/binary_classification_evaluator.h"
#include "thunderdome/io/frame_io.h"
#include "thunderdome/persist/param_json.h"
#include "thunderdome/persist/persist.h"
#include "thunderdome/report/html_report.h"
#include "thunderdome/spec/pipeline_spec.h"
#include "thunderdome/tuning/cross_validator.h"
#include "thunderdome/tuning/train_validation_split.h"

namespace td::cli {

namespace {

using nlohmann::json;

double secondsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Scores (rawPrediction[1] or a double column) and labels of a prediction frame.
void collectScores(const Frame& pred, const Evaluator& ev, std::vector<double>& scores,
                   std::vector<double>& labels) {
  const std::string raw = ev.getString("rawPredictionCol");
  const std::string label = ev.getString("labelCol");
  const auto lab = pred.numeric(label);
  labels.insert(labels.end(), lab.begin(), lab.end());
  if (pred.schema().field(raw).type == DataType::kVector) {
    const auto& v = pred.col<VectorColumn>(raw);
    for (std::int64_t i = 0; i < pred.numRows(); ++i) scores.push_back(v[i].at(1));
  } else {
    const auto s = pred.numeric(raw);
    scores.insert(scores.end(), s.begin(), s.end());
  }
}

// ROC/PR curves of the best configuration on held-out data: the test set when given, else
// out-of-fold predictions (one refit of the best map per fold, or on the TVS split).
std::optional<BinaryCurves> bestCurves(const PipelineSpec& spec, const Model& model,
                                       const Frame& train, const Frame* test) {
  const auto* bce = dynamic_cast<const BinaryClassificationEvaluator*>(spec.evaluator.get());
  if (!bce) return std::nullopt;
  std::vector<double> scores, labels;
  if (test) {
    collectScores(model.transform(*test), *bce, scores, labels);
  } else if (const auto* cv = dynamic_cast<const CrossValidator*>(spec.estimator.get())) {
    const auto& best = dynamic_cast<const CrossValidatorModel&>(model).bestParams();
    const auto fold = cv->foldAssignment(train);
    const std::string foldCol = cv->getString("foldCol");
    const Frame data = foldCol.empty() ? train : train.drop(foldCol);
    for (std::int64_t f = 0; f < cv->getNumFolds(); ++f) {
      std::vector<std::int64_t> tr, va;
      for (std::int64_t i = 0; i < data.numRows(); ++i)
        (fold[static_cast<std::size_t>(i)] == f ? va : tr).push_back(i);
      const auto m = spec.pipeline->fit(data.take(tr), best);
      collectScores(m->transform(data.take(va), best), *bce, scores, labels);
    }
  } else if (const auto* tvs = dynamic_cast<const TrainValidationSplit*>(spec.estimator.get())) {
    const auto& best = dynamic_cast<const TrainValidationSplitModel&>(model).bestParams();
    const double r = tvs->getDouble("trainRatio");
    const auto parts = train.randomSplit({r, 1 - r}, static_cast<std::uint64_t>(tvs->getInt("seed")));
    const auto m = spec.pipeline->fit(parts[0], best);
    collectScores(m->transform(parts[1], best), *bce, scores, labels);
  } else {
    return std::nullopt;
  }
  return binaryCurves(scores, labels, {}, 0);
}

}  // namespace

int runFit(const FitArgs& a, std::ostream& out, std::ostream& err) {
  const auto log = makeLogger(err, a.common.verbosity);
  const auto t0 = std::chrono::steady_clock::now();
  const PipelineSpec spec = loadPipelineSpec(a.spec);
  const ReadOptions readOpts = makeReadOptions(spec.input, a.input.options, a.input.format);
  // Refuse to overwrite before spending time on the fit.
  if (!a.overwrite && modelExists(a.out))
    throw IoError(fmt::format("'{}' already exists (use --overwrite to replace it)", a.out));

  const Frame train = readFrame(a.train, readOpts);
  log->info("read {}: {} rows ({})", a.train, train.numRows(), train.schema().toString());
  std::optional<Frame> test;
  if (!a.test.empty()) {
    test = readFrame(a.test, readOpts);
    log->info("read {}: {} rows", a.test, test->numRows());
  }

  const std::string metricName =
      spec.evaluator && spec.evaluator->hasParam("metricName") ? spec.evaluator->getString("metricName") : "";
  ProgressReporter progress(stderr, isTerminal(stderr), a.common.verbosity, metricName);
  auto onProgress = [&progress](const TuningProgress& p) { progress.update(p); };
  if (auto cv = std::dynamic_pointer_cast<CrossValidator>(spec.estimator)) {
    cv->setProgressCallback(onProgress);
    log->info("cross-validating {} param maps x {} folds = {} fits (parallelism {})",
              spec.grid.size(), cv->getNumFolds(),
              static_cast<std::int64_t>(spec.grid.size()) * cv->getNumFolds(), cv->getParallelism());
  } else if (auto tvs = std::dynamic_pointer_cast<TrainValidationSplit>(spec.estimator)) {
    tvs->setProgressCallback(onProgress);
    log->info("train-validation split: {} param maps", spec.grid.size());
  }
  const auto model = spec.estimator->fit(train);
  progress.finish();
  const double fitSeconds = secondsSince(t0);
  log->info("fitted in {:.3f} s", fitSeconds);

  std::optional<double> testMetric;
  std::shared_ptr<Evaluator> evaluator = spec.evaluator;
  if (!evaluator) evaluator = std::make_shared<BinaryClassificationEvaluator>("evaluator");
  if (test) testMetric = evaluator->evaluate(model->transform(*test));

  const auto results = tuningResults(*model);
  if (!a.report.empty()) {
    ReportData report;
    report.title = fmt::format("thunderdome fit: {}", a.spec);
    report.metricName = results ? results->metricName : metricName;
    report.largerBetter = results ? results->largerBetter : true;
    if (results) {
      for (std::size_t i = 0; i < results->maps.size(); ++i) {
        ReportRow row;
        row.params = describeParamMap(results->maps[i]);
        row.mean = results->avgMetrics[i];
        row.std = results->stdMetrics.empty() ? 0.0 : results->stdMetrics[i];
        for (const auto& f : results->foldMetrics) row.foldMetrics.push_back(f[i]);
        row.best = static_cast<std::int64_t>(i) == results->bestIndex;
        report.rows.push_back(std::move(row));
      }
    }
    report.curves = bestCurves(spec, *model, train, test ? &*test : nullptr);
    report.facts = {{"tuning", spec.tuningMethod},
                    {"training data", fmt::format("{} ({} rows)", a.train, train.numRows())},
                    {"param maps", std::to_string(spec.grid.size())},
                    {"elapsed", fmt::format("{:.3f} s", fitSeconds)},
                    {"curves on", test ? "test data" : "out-of-fold validation data"}};
    if (results && results->method == "crossValidator")
      report.facts.emplace_back("folds", std::to_string(results->numFolds));
    if (testMetric)
      report.facts.emplace_back("test " + evaluator->getString("metricName"),
                                fmt::format("{:.6f}", *testMetric));
    writeHtmlReport(report, a.report);
    log->info("wrote report {}", a.report);
  }

  saveStage(*model, a.out, a.overwrite);
  log->info("saved model to {}", a.out);

  if (a.common.json) {
    json j{{"model", a.out},
           {"class", model->className()},
           {"method", spec.tuningMethod},
           {"trainRows", train.numRows()},
           {"elapsedSeconds", fitSeconds}};
    if (results) j.update(tuningToJson(*results));
    if (testMetric) {
      j["testMetric"] = doubleToJson(*testMetric);
      j["testMetricName"] = evaluator->getString("metricName");
      j["testRows"] = test->numRows();
    }
    out << j.dump(2) << "\n";
    return 0;
  }
  if (results) {
    out << formatTuningTable(*results);
    out << "Best params: "
        << describeParamMap(results->maps[static_cast<std::size_t>(results->bestIndex)]) << "\n";
  }
  if (testMetric)
    out << fmt::format("Test {}: {:.6f} ({} rows)\n", evaluator->getString("metricName"),
                       *testMetric, test->numRows());
  out << fmt::format("Model saved to {}\n", a.out);
  return 0;
}

}  // namespace td::cli
