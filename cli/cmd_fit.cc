// cli/cmd_fit.cc — `thunderdome fit`: spec + data -> tuned, saved model.
#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <optional>
#include <ostream>
#include <sstream>
#include <thread>

#include "app.h"
#include "commands.h"
#include "logging.h"
#include "options.h"
#include "progress.h"
#include "thunderdome/core/memory.h"
#include "thunderdome/core/work_counters.h"
#include "thunderdome/dist/communicator.h"
#include "thunderdome/dist/read_shard.h"
#include "scoring.h"
#include "thunderdome/evaluation/binary_classification_evaluator.h"
#include "thunderdome/evaluation/regression_evaluator.h"
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

// The one label every row of `data` has in column `labelCol` ("0.0" or "1.0"), or nullopt when
// there are two classes (or the column is missing or not numeric: the fit reports that).
std::optional<std::string> singleClass(const Frame& data, const std::string& labelCol) {
  if (data.numRows() == 0 || !data.schema().contains(labelCol)) return std::nullopt;
  const DataType t = data.column(labelCol)->type();
  if (t != DataType::kDouble && t != DataType::kInt64) return std::nullopt;
  const std::vector<double> y = data.numeric(labelCol);
  for (const double v : y)
    if (v != y[0]) return std::nullopt;
  return fmt::format("{:.1f}", y[0]);
}

double secondsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Predictions of the best configuration on held-out data: the test set's when given, else
// out-of-fold predictions (one refit of the best map per fold, or on the TVS split); none
// without tuning or a test set.
std::vector<Frame> heldOutPredictions(const PipelineSpec& spec, const Model& model,
                                      const Frame& train, const std::optional<Frame>& testPred) {
  if (testPred) return {*testPred};
  if (spec.tuner && model.asTuningModel())
    return spec.tuner->heldOutPredictions(train, model.asTuningModel()->bestParams());
  return {};
}

// True when the spec's pipeline ends in a classifier (a stage with a rawPredictionCol) and is
// not scored as a regression.
bool isClassifier(const PipelineSpec& spec) {
  if (dynamic_cast<const RegressionEvaluator*>(spec.evaluator.get())) return false;
  for (const auto& stage : spec.pipeline->getStages())
    if (stage->hasParam("rawPredictionCol")) return true;
  return false;
}

// A checksum of a frame's schema and cells, for the ranks' agreement check.
std::uint64_t frameChecksum(const Frame& f) {
  std::uint64_t h = dist::fnv1a(f.schema().toString());
  for (const auto& field : f.schema().fields()) {
    const auto& c = f.column(field.name);
    if (const auto* d = dynamic_cast<const DoubleColumn*>(c.get())) {
      const auto v = d->values();
      h = dist::fnv1a({reinterpret_cast<const char*>(v.data()), v.size_bytes()}, h);
    } else if (const auto* i = dynamic_cast<const Int64Column*>(c.get())) {
      const auto v = i->values();
      h = dist::fnv1a({reinterpret_cast<const char*>(v.data()), v.size_bytes()}, h);
    } else {
      for (std::int64_t r = 0; r < f.numRows(); ++r)
        h = dist::fnv1a(f.cellToString(r, field.name) + '\x1f', h);
    }
  }
  return h;
}

std::string fileText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return path;  // not a local file: the loader reports it
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Collective: every rank reports whether it could load its inputs and what they are; a rank
// that failed, or inputs that differ from rank 0's, fail every rank alike.
// Data-parallel (`sharded`): the ranks' shards differ, so only the spec and the schema are
// compared; `train` may be null (the spec alone, before the collective read).
void checkAgreement(dist::Communicator& comm, const std::exception_ptr& error,
                    const std::string& specText, const std::string& trainPath, const Frame* train,
                    bool sharded = false) {
  dist::ByteWriter w;
  w.put<std::uint8_t>(error ? 1 : 0);
  if (error) {
    const dist::ErrorReport e = dist::reportOf(error);
    w.put<std::int32_t>(static_cast<std::int32_t>(e.code)).putString(e.what);
  } else {
    w.put<std::uint64_t>(dist::fnv1a(specText)).putString(trainPath);
    w.putString(train ? train->schema().toString() : "");
    w.put<std::int64_t>(train && !sharded ? train->numRows() : 0);
    w.put<std::uint64_t>(train && !sharded ? frameChecksum(*train) : 0);
  }
  const auto all = comm.allgather(w.bytes());
  const int n = comm.size();
  struct Inputs {
    std::uint64_t spec = 0;
    std::string path, schema;
    std::int64_t rows = 0;
    std::uint64_t data = 0;
  };
  std::vector<Inputs> inputs;
  for (int r = 0; r < n; ++r) {
    dist::ByteReader in(all[static_cast<std::size_t>(r)]);
    if (in.get<std::uint8_t>()) {
      const auto code = static_cast<ErrorCode>(in.get<std::int32_t>());
      throw dist::DistributedError(code, fmt::format("rank {} of {}: {}", r, n, in.getString()));
    }
    Inputs x;
    x.spec = in.get<std::uint64_t>();
    x.path = in.getString();
    x.schema = in.getString();
    x.rows = in.get<std::int64_t>();
    x.data = in.get<std::uint64_t>();
    inputs.push_back(std::move(x));
  }
  for (int r = 1; r < n; ++r) {
    const Inputs& a = inputs[0];
    const Inputs& b = inputs[static_cast<std::size_t>(r)];
    std::string what;
    if (b.spec != a.spec) what = "a different spec";
    else if (b.schema != a.schema) what = fmt::format("schema ({}) vs ({})", b.schema, a.schema);
    else if (b.rows != a.rows) what = fmt::format("{} rows vs {}", b.rows, a.rows);
    else if (b.data != a.data) what = "the same schema and row count but different values";
    if (!what.empty())
      throw dist::DistributedError(
          ErrorCode::kInvalidArgument,
          fmt::format("ranks disagree on their inputs: rank {} of {} read '{}' and rank 0 read "
                      "'{}': {}; every rank must read the same spec and {}",
                      r, n, b.path, a.path, what,
                      sharded ? "data of the same columns" : "training data"));
  }
}

}  // namespace

int runFit(const FitArgs& args, std::ostream& out, std::ostream& err) {
  // Under mpirun with several ranks the fits are spread over the ranks (the refit too, unless
  // distributedRefit is false); rank 0 alone logs, saves and prints.
  const auto comm = dist::makeWorldCommunicator();
  const bool distributed = comm->size() > 1;
  const bool root = comm->rank() == 0;
  // Data-parallel: each rank reads its shard of --train and every fit spans all ranks.
  const bool dataParallel = args.dataParallel && distributed;
  FitArgs a = args;
  // One storage layer for the whole command: Swift authenticates once.
  const auto store = std::make_shared<const storage::Storage>();
  if (!root) a.common.verbosity = -1;
  const auto log = makeLogger(err, a.common.verbosity);
  if (a.dataParallel && !distributed)
    log->info("--data-parallel with a single process (not started by mpirun -np N, N > 1): "
              "fitting on all the data here");
  const auto t0 = std::chrono::steady_clock::now();
  workCounters().reset();  // this job's fits only (tests run several commands in one process)
  std::optional<PipelineSpec> specHolder;
  std::optional<Frame> trainHolder;
  std::optional<Frame> test;
  std::exception_ptr loadError;
  // Rank r's failure becomes every rank's DistributedError; rank 0 reports it.
  auto agree = [&](const Frame* train) -> int {
    try {
      checkAgreement(*comm, loadError, fileText(a.spec), a.train, train, dataParallel);
    } catch (const dist::DistributedError& e) {
      if (root) throw;
      return exitCodeFor(e);
    }
    return -1;
  };
  std::optional<ReadOptions> readOpts;
  std::vector<std::string> readWarnings;  // what the reader's mode repaired or dropped
  try {
    specHolder = loadPipelineSpec(a.spec);
    readOpts = makeReadOptions(specHolder->input, a.input.options, a.input.format);
    readOpts->storage = store;
    // Before any data is read: every stage must support data-parallel fitting.
    if (dataParallel) checkDataParallel(*specHolder->estimator);
    // Refuse to overwrite before spending time on the fit.
    if (root && !a.overwrite && modelExists(a.out, *store))
      throw IoError(fmt::format("'{}' already exists (use --overwrite to replace it)", a.out));
    if (!dataParallel) {
      trainHolder = readInput(a.train, *readOpts, readWarnings, err);
      log->info("read {}: {} rows ({})", a.train, trainHolder->numRows(),
                trainHolder->schema().toString());
      // Empty or header-only input is the data's fault, not the first stage's.
      if (trainHolder->numRows() == 0)
        throw DataError(fmt::format("no data rows in {}", a.train));
    }
  } catch (...) {
    if (!distributed) throw;
    loadError = std::current_exception();
  }
  if (dataParallel) {
    // The spec first (the shard read is collective), then every rank reads its shard.
    if (const int rc = agree(nullptr); rc >= 0) return rc;
    try {
      ShardInfo info;
      trainHolder = readFrameShard(a.train, *readOpts, *comm, &info);
      log->info("read shard 0 of {} of {}: {} rows ({})", comm->size(), a.train,
                trainHolder->numRows(), trainHolder->schema().toString());
    } catch (const dist::DistributedError& e) {
      if (root) throw;
      return exitCodeFor(e);
    }
  }
  try {
    // Schema errors (a wrong column name) before any work: under mpirun every rank would find
    // them; the agreement below reports them once.
    if (trainHolder) {
      try {
        (void)specHolder->estimator->transformSchema(trainHolder->schema());
      } catch (const ColumnError& e) {
        throw asInputColumnError(e, *trainHolder, a.train);
      }
    }
    if (root && !a.test.empty()) {
      test = readInput(a.test, *readOpts, readWarnings, err);
      log->info("read {}: {} rows", a.test, test->numRows());
      traceMemory("read the data");
    }
  } catch (...) {
    if (!distributed) throw;
    loadError = std::current_exception();
  }
  if (distributed) {
    if (const int rc = agree(trainHolder ? &*trainHolder : nullptr); rc >= 0) return rc;
    log->info("{} ranks agree on the spec and the {}", comm->size(),
              dataParallel ? "data's columns" : "data");
  }
  const PipelineSpec& spec = *specHolder;
  const Frame& train = *trainHolder;
  double trainRows = static_cast<double>(train.numRows());
  if (dataParallel) {
    comm->allreduceSum({&trainRows, 1});
    if (trainRows == 0) {  // every rank knows it; rank 0 reports it
      if (root) throw DataError(fmt::format("no data rows in {}", a.train));
      return exitCodeFor(DataError(""));
    }
  }

  const std::string metricName =
      spec.evaluator && spec.evaluator->hasParam("metricName") ? spec.evaluator->getString("metricName") : "";
  ProgressReporter progress(stderr, isTerminal(stderr), a.common.verbosity, metricName);
  auto onProgress = [&progress](const TuningProgress& p) { progress.update(p); };
  if (dataParallel) {
    log->info("data-parallel: {} ranks, {} training rows in all; each fit spans every rank",
              comm->size(), trainRows);
  }
  const std::string labelCol = spec.evaluator && spec.evaluator->hasParam("labelCol")
                                   ? spec.evaluator->getString("labelCol")
                                   : "label";
  const bool classifier = isClassifier(spec);
  const bool binaryMetric =
      dynamic_cast<const BinaryClassificationEvaluator*>(spec.evaluator.get()) != nullptr;
  // A third class under a binary metric would be scored as positive on every fold: say so
  // before any fit (other bad labels are left to the fit, which names their line).
  // Every rank holds the same data here (checked above), so each stops alike; rank 0 says why.
  if (binaryMetric && !dataParallel) {
    try {
      checkBinaryClasses(*spec.evaluator, train, a.train);
    } catch (const DataError& e) {
      if (root) throw;
      return exitCodeFor(e);
    }
  }
  // Single-class data under tuning: the metric is undefined on every fold, so say so about the
  // whole file before any fit.
  if (spec.tuner && !dataParallel && binaryMetric) {
    if (const auto oneClass = singleClass(train, labelCol);
        oneClass && (*oneClass == "0.0" || *oneClass == "1.0"))
      throw DataError(fmt::format(
          "all {} rows of {} have label {} in column '{}': {} needs both classes to score the "
          "param maps ({} is undefined on single-class data); without tuning (\"tuning\": "
          "{{\"method\": \"none\"}}) fit warns and fits it as Spark does",
          train.numRows(), a.train, *oneClass, labelCol, spec.tuner->describe(),
          metricName.empty() ? "the metric" : metricName));
  }
  if (spec.tuner) log->info("{}", spec.tuner->plan(spec.grid.size()));
  Context ctx;
  ctx.progress = onProgress;
  if (distributed) ctx.comm = comm;
  ctx.dataParallel = dataParallel;
  std::shared_ptr<Model> model;
  try {
    model = spec.estimator->fit(train, ctx);
  } catch (const dist::DistributedError& e) {
    if (root) throw;
    return exitCodeFor(e);  // every rank has it; rank 0 reports it
  } catch (const std::exception& e) {
    // Task-parallel, rank 0's own failure is reported as usual. Data-parallel, the other ranks
    // may be waiting in a sum rooted at rank 0, so every rank ends the job as below.
    if (!distributed || (root && !dataParallel)) throw;
    // A failure outside the collectives on another rank: say which, then end the job.
    err << "error: rank " << comm->rank() << " of " << comm->size() << ": " << e.what() << "\n";
    err.flush();
    std::this_thread::sleep_for(std::chrono::seconds(1));  // let rank 0 report a shared error
    comm->abort(exitCodeFor(e));
  }
  progress.finish();
  traceMemory("fit done");
  // The solver work of the job, over every rank (each counted the fits it ran, a distributed
  // refit on every rank).
  std::vector<double> work{static_cast<double>(workCounters().fits.load()),
                           static_cast<double>(workCounters().iterations.load()),
                           static_cast<double>(workCounters().cgSteps.load()),
                           static_cast<double>(workCounters().passes.load()),
                           static_cast<double>(workCounters().featurized.load()),
                           static_cast<double>(workCounters().derived.load())};
  if (distributed && !dataParallel) comm->allreduceSum(work);
  if (!root) return 0;  // rank 0 saves and prints
  const double fitSeconds = secondsSince(t0);
  log->info("fitted in {:.3f} s", fitSeconds);

  // The test set's predictions, once: for the metric and the report's plots. Without an
  // evaluator in the spec, the one Spark would use for what the model predicts (areaUnderROC,
  // f1 for more than two classes, rmse for a regression).
  std::optional<double> testMetric;
  std::optional<Frame> testPred;
  std::shared_ptr<Evaluator> evaluator = spec.evaluator;
  if (test) testPred = model->transform(*test);
  if (!evaluator)
    evaluator = defaultEvaluator(testPred ? predictionKind(*testPred)
                                 : classifier ? PredictionKind::kBinary
                                              : PredictionKind::kRegression);
  if (test) testMetric = evaluateData(*evaluator, *testPred, *test, a.test);

  // Single-class training data: Spark's LogisticRegression fits it (an infinite intercept and
  // zero coefficients) and warns; so does fit, on stderr and in --json.
  std::vector<std::string> warnings = readWarnings;
  if (!dataParallel && classifier) {
    if (const auto oneClass = singleClass(train, labelCol)) warnings.push_back(
        fmt::format("all {} rows of {} have label {} in column '{}': the model predicts that "
                    "class for every row (an infinite intercept, as Spark's LogisticRegression "
                    "fits)",
                    train.numRows(), a.train, *oneClass, labelCol));
  }
  for (std::size_t k = readWarnings.size(); k < warnings.size(); ++k)  // read ones: printed
    err << "warning: " << warnings[k] << "\n";
  // The model first: a report that cannot be written never loses it.
  saveStage(*model, a.out, a.overwrite, *store);
  log->info("saved model to {}", a.out);

  const auto results = tuningResults(*model);
  if (!a.report.empty()) {
    ReportData report;
    report.title = fmt::format("thunderdome fit: {}", a.spec);
    report.metricName = results ? results->metricName : evaluator->getString("metricName");
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
    report.largerBetter = results ? results->largerBetter : evaluator->isLargerBetter();
    // Out-of-fold plots refit on this process's data: only without data-parallel shards.
    if (test || !dataParallel)
      addHeldOutPlots(report, *evaluator, heldOutPredictions(spec, *model, train, testPred));
    report.facts = {{"tuning", spec.tuningMethod},
                    {"training data", fmt::format("{} ({} rows)", a.train, trainRows)},
                    {"param maps", std::to_string(spec.grid.size())},
                    {"elapsed", fmt::format("{:.3f} s", fitSeconds)},
                    {"plots on", test ? "test data" : "out-of-fold validation data"}};
    if (results && results->method == "crossValidator")
      report.facts.emplace_back("folds", std::to_string(results->numFolds));
    if (testMetric)
      report.facts.emplace_back("test " + evaluator->getString("metricName"),
                                fmt::format("{:.6f}", *testMetric));
    writeHtmlReport(report, a.report);
    log->info("wrote report {}", a.report);
  }

  if (a.common.json) {
    json j{{"model", a.out},
           {"class", model->className()},
           {"method", spec.tuningMethod},
           {"trainRows", static_cast<std::int64_t>(trainRows)},
           {"elapsedSeconds", fitSeconds}};
    if (results) j.update(tuningToJson(*results));
    // Counts of the fits (the refit included; data-parallel: one rank's count of the shared fits;
    // task-parallel: summed over the ranks, so a refit spread over N ranks counts N times, each
    // rank's passes being over its share of the rows).
    j["work"] = {{"fits", static_cast<std::int64_t>(work[0])},
                 {"iterations", static_cast<std::int64_t>(work[1])},
                 {"cgSteps", static_cast<std::int64_t>(work[2])},
                 {"passes", static_cast<std::int64_t>(work[3])}};
    // Tuning's feature groups (reuseFeatures), summed over the ranks: made by running the
    // feature stages, or derived from another group's features. These depend on scheduling
    // (a group derives only from one held at that moment), the counts above do not.
    j["featureGroups"] = {{"featurized", static_cast<std::int64_t>(work[4])},
                          {"derived", static_cast<std::int64_t>(work[5])}};
    j["warnings"] = warnings;
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
