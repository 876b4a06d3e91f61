// src/classification/one_vs_rest.cc
#include "thunderdome/classification/one_vs_rest.h"

#include <fmt/format.h>

#include <atomic>
#include <cmath>
#include <exception>
#include <mutex>
#include <utility>

#include "glm/stage_util.h"
#include "thunderdome/core/error.h"
#include "thunderdome/core/parallel.h"

namespace td {

namespace {

constexpr std::int64_t kTransformBlock = 4096;  // rows per block of transform()

using stage_util::optionalString;

// A binary classifier as OneVsRest drives it: an Estimator with these params.
bool isClassifier(const Params& p) {
  return dynamic_cast<const Estimator*>(&p) != nullptr && p.hasParam("featuresCol") &&
         p.hasParam("labelCol") && p.hasParam("rawPredictionCol");
}

// Checks the features column and appends the (non-empty) output columns to `input`.
Schema outputSchema(const Params& p, const Schema& input) {
  return stage_util::withOutputs(
      p, input, {{"rawPredictionCol", DataType::kVector}, {"predictionCol", DataType::kDouble}});
}

}  // namespace

// ---------------------------------------------------------------- OneVsRest
ParamSpec OneVsRest::classifierSpec() {
  return {"classifier", "base binary classifier", ParamType::kObject, std::nullopt,
          {[](const ParamValue& v) {
             const auto& p = v.as<std::shared_ptr<Params>>();
             return p && isClassifier(*p);
           },
           "a binary classifier (an Estimator with featuresCol, labelCol and rawPredictionCol)"}};
}

OneVsRest::OneVsRest() : OneVsRest(randomUid(kUidPrefix)) {}

OneVsRest::OneVsRest(std::string uid) : Estimator(std::move(uid), schema()) {}

std::shared_ptr<Estimator> OneVsRest::classifierOrNull() const {
  if (!isSet("classifier")) return nullptr;
  return std::static_pointer_cast<Estimator>(
      getOrDefault("classifier").as<std::shared_ptr<Params>>());
}

std::shared_ptr<PipelineStage> OneVsRest::copyStage(const ParamMap& extra) const {
  auto copy = std::static_pointer_cast<OneVsRest>(Estimator::copyStage(extra));
  if (const auto c = copy->classifierOrNull())
    copy->set("classifier", ParamValue(std::static_pointer_cast<Params>(c->copyStage(extra))));
  return copy;
}

std::vector<std::shared_ptr<PipelineStage>> OneVsRest::subStages() const {
  if (auto c = classifierOrNull()) return {std::move(c)};
  return {};
}

Schema OneVsRest::transformSchema(const Schema& input) const {
  const std::string who = describe();
  if (!classifierOrNull()) throw ParamError(who + ": param 'classifier' is not set");
  stage_util::requireNumeric(input, who, "label", getString("labelCol"));
  return outputSchema(*this, input);
}

void OneVsRest::saveState(StateWriter& out) const {
  const auto c = classifierOrNull();
  if (!c) throw ParamError(describe() + ": cannot save without a classifier");
  out.putStage("classifier/", *c);
}

void OneVsRest::loadState(const StateReader& in) {
  auto c = in.getStage("classifier/");
  if (!isClassifier(*c)) in.fail("the saved classifier is not a binary classifier");
  set("classifier", ParamValue(std::static_pointer_cast<Params>(c)));
}

std::shared_ptr<Model> OneVsRest::fitImpl(const Frame& data, const Context& ctx) const {
  const std::string who = describe();
  const auto classifier = classifierOrNull();
  const std::string labelCol = getString("labelCol");
  const std::string weightCol = optionalString(*this, "weightCol");
  // Labels: non-negative integers; numClasses = max + 1 (Spark, without label metadata).
  const std::vector<double> y = data.numeric(labelCol);
  double maxLabel = -1.0;
  std::int64_t maxRow = -1;
  for (std::size_t i = 0; i < y.size(); ++i) {
    const double v = y[i];
    if (!(v >= 0.0) || !std::isfinite(v) || v != std::floor(v))
      stage_util::throwInvalidValue(data, static_cast<std::int64_t>(i), who, "label", labelCol, v,
                                    "class labels must be integers 0, 1, ..., numClasses - 1");
    if (v > maxLabel) maxLabel = v, maxRow = static_cast<std::int64_t>(i);
  }
  // One model per class: a stray huge label would ask for millions of fits (K x d values of
  // models at most 2^31, as LogisticRegression and NaiveBayes).
  const double dim = static_cast<double>(
      std::max<std::int64_t>(1, data.col<VectorColumn>(getString("featuresCol")).dim()));
  if ((maxLabel + 1.0) * dim > 2147483648.0)
    stage_util::throwInvalidValue(
        data, maxRow, who, "label", labelCol, maxLabel,
        fmt::format("{} classes would mean {} one-vs-rest models of {} features (at most 2^31 "
                    "values); class labels must be integers 0, 1, ..., numClasses - 1",
                    maxLabel + 1.0, maxLabel + 1.0, dim));
  if (y.empty())
    throw DataError(fmt::format("{}: cannot fit on empty training data", who));
  const auto numClasses = static_cast<std::int64_t>(maxLabel) + 1;

  // One task per class on the shared pool, at most `parallelism` at once.
  std::vector<std::shared_ptr<Model>> models(static_cast<std::size_t>(numClasses));
  std::atomic<std::int64_t> next{0};
  std::exception_ptr error;
  std::int64_t errorClass = numClasses;
  std::mutex mu;
  auto worker = [&] {
    for (std::int64_t k = next++; k < numClasses; k = next++) {
      try {
        const std::string newLabel = fmt::format("mc2b${}", k);
        std::vector<double> binary(y.size());
        for (std::size_t i = 0; i < y.size(); ++i)
          binary[i] = y[i] == static_cast<double>(k) ? 1.0 : 0.0;
        // Columns are shared: the features are not copied.
        const Frame train = data.withColumn(newLabel, makeDoubleColumn(std::move(binary)));
        auto est = std::static_pointer_cast<Estimator>(classifier->copyStage(ParamMap()));
        est->set("labelCol", newLabel);
        est->set("featuresCol", getString("featuresCol"));
        if (!weightCol.empty() && est->hasParam("weightCol")) est->set("weightCol", weightCol);
        models[static_cast<std::size_t>(k)] = est->fit(train, ctx.local());
      } catch (...) {
        std::lock_guard lock(mu);
        if (k < errorClass) errorClass = k, error = std::current_exception();
      }
    }
  };
  const std::int64_t workers = std::max<std::int64_t>(1, std::min(getParallelism(), numClasses));
  if (workers == 1) {
    worker();
  } else {
    parallel::TaskGroup group;
    for (std::int64_t w = 0; w < workers; ++w) group.run(worker);
    group.wait();
  }
  if (error) std::rethrow_exception(error);
  auto model = std::make_shared<OneVsRestModel>(uid(), std::move(models));
  for (const auto& [name, value] : userValues()) model->set(name, value);
  return model;
}

// ---------------------------------------------------------------- OneVsRestModel
OneVsRestModel::OneVsRestModel(std::string uid, std::vector<std::shared_ptr<Model>> models)
    : Model(std::move(uid), schema()), models_(std::move(models)) {}

OneVsRestModel::OneVsRestModel(std::string uid) : OneVsRestModel(std::move(uid), {}) {}

Schema OneVsRestModel::transformSchema(const Schema& input) const {
  return outputSchema(*this, input);
}

std::vector<StateItem> OneVsRestModel::stateSummary() const {
  return {{"numClasses", "numClasses", numClasses()}};
}

void OneVsRestModel::saveState(StateWriter& out) const {
  out.putInt("numClasses", numClasses());
  out.putInt("hasClassifier", isSet("classifier") ? 1 : 0);
  if (isSet("classifier"))
    out.putStage("classifier/", *std::static_pointer_cast<PipelineStage>(
                                    getOrDefault("classifier").as<std::shared_ptr<Params>>()));
  for (std::size_t k = 0; k < models_.size(); ++k)
    out.putStage(fmt::format("model_{}/", k), *models_[k]);
}

void OneVsRestModel::loadState(const StateReader& in) {
  const std::int64_t k = in.getInt("numClasses");
  if (k < 0) in.fail(fmt::format("numClasses is {}", k));
  std::vector<std::shared_ptr<Model>> models;
  for (std::int64_t c = 0; c < k; ++c) {
    auto m = std::dynamic_pointer_cast<Model>(in.getStage(fmt::format("model_{}/", c)));
    if (!m || !m->hasParam("rawPredictionCol"))
      in.fail(fmt::format("model_{} is not a classification model", c));
    models.push_back(std::move(m));
  }
  models_ = std::move(models);
  if (in.getInt("hasClassifier") != 0)
    set("classifier", ParamValue(std::static_pointer_cast<Params>(in.getStage("classifier/"))));
}

Frame OneVsRestModel::transformImpl(const Frame& input, const Context& ctx) const {
  const std::string featuresCol = getString("featuresCol");
  const std::string rawCol = optionalString(*this, "rawPredictionCol");
  const std::string predCol = optionalString(*this, "predictionCol");
  const std::int64_t n = input.numRows();
  const auto K = static_cast<std::size_t>(numClasses());
  // Each model's positive raw margin (Spark: rawPrediction(1) of each model) on the features.
  const Frame features({{featuresCol, input.column(featuresCol)}});
  std::vector<double> raw(K * static_cast<std::size_t>(n));
  for (std::size_t k = 0; k < K; ++k) {
    auto m = std::static_pointer_cast<Model>(models_[k]->copyStage(ParamMap()));
    m->set("featuresCol", featuresCol);
    m->set("rawPredictionCol", std::string("raw"));
    for (const char* other : {"predictionCol", "probabilityCol"})
      if (m->hasParam(other)) m->set(other, std::string());
    const Frame out = m->transform(features, ctx);
    const auto& r = out.col<VectorColumn>("raw");
    for (std::int64_t i = 0; i < n; ++i) raw[static_cast<std::size_t>(i) * K + k] = r[i].at(1);
  }
  std::vector<double> pred(predCol.empty() ? 0 : static_cast<std::size_t>(n));
  if (!pred.empty())
    parallel::forBlocks(n, kTransformBlock, [&](std::int64_t, std::int64_t begin, std::int64_t end) {
      for (std::int64_t i = begin; i < end; ++i) {
        const double* r = raw.data() + static_cast<std::size_t>(i) * K;
        std::size_t best = 0;
        for (std::size_t k = 1; k < K; ++k)
          if (r[k] > r[best]) best = k;
        pred[static_cast<std::size_t>(i)] = static_cast<double>(best);
      }
    });
  Frame out = input;
  if (!rawCol.empty())
    out = out.withColumn(rawCol, VectorColumn::dense(n, static_cast<std::int64_t>(K), std::move(raw)));
  if (!predCol.empty())
    out = out.withColumn(predCol, std::make_shared<DoubleColumn>(std::move(pred)));
  return out;
}

}  // namespace td
