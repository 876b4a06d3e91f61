// src/tuning/validator.cc
#include "thunderdome/tuning/validator.h"

#include <fmt/format.h>

#include "grid_search.h"
#include "thunderdome/core/parallel.h"

namespace td {

ParamSpec Validator::estimatorSpec() {
  return {"estimator", "estimator for selection", ParamType::kObject, std::nullopt,
          {[](const ParamValue& v) {
             const auto& p = v.as<std::shared_ptr<Params>>();
             return p && dynamic_cast<const Estimator*>(p.get()) != nullptr;
           },
           "an Estimator"}};
}

ParamSpec Validator::evaluatorSpec() {
  return {"evaluator", "evaluator used to select hyper-parameters that maximize the validated metric",
          ParamType::kObject, std::nullopt,
          {[](const ParamValue& v) {
             const auto& p = v.as<std::shared_ptr<Params>>();
             return p && dynamic_cast<const Evaluator*>(p.get()) != nullptr;
           },
           "an Evaluator"}};
}

ParamSpec Validator::estimatorParamMapsSpec() {
  return {"estimatorParamMaps", "param maps for the estimator", ParamType::kParamMaps,
          std::nullopt, ParamValidator::any()};
}

ParamSpec Validator::parallelismSpec(const char* doc) {
  return {"parallelism", doc, ParamType::kInt,
          ParamValue(static_cast<std::int64_t>(parallel::defaultConcurrency())),
          ParamValidator::gtEq(1)};
}

ParamSpec Validator::reuseFeaturesSpec() { return tuning::reuseFeaturesParam(); }
ParamSpec Validator::warmStartSpec() { return tuning::warmStartParam(); }
ParamSpec Validator::distributedRefitSpec() { return tuning::distributedRefitParam(); }
ParamSpec Validator::distributedRefitMinRowsSpec() {
  return tuning::distributedRefitMinRowsParam();
}

std::shared_ptr<Estimator> Validator::estimatorOrNull() const {
  if (!isSet("estimator")) return nullptr;
  return std::static_pointer_cast<Estimator>(getOrDefault("estimator").as<std::shared_ptr<Params>>());
}

std::shared_ptr<Evaluator> Validator::evaluatorOrNull() const {
  if (!isSet("evaluator")) return nullptr;
  return std::static_pointer_cast<Evaluator>(getOrDefault("evaluator").as<std::shared_ptr<Params>>());
}

std::vector<ParamMap> Validator::paramMaps() const {
  if (!isSet("estimatorParamMaps")) return {};
  const ParamValue v = getOrDefault("estimatorParamMaps");  // as<> refers into v
  const auto& m = v.as<std::shared_ptr<const std::vector<ParamMap>>>();
  return m ? *m : std::vector<ParamMap>{};
}

std::vector<std::string> Validator::columnsRead() const {
  std::vector<std::string> out = PipelineStage::columnsRead();
  if (const auto e = estimatorOrNull()) {
    const auto more = e->columnsRead();
    out.insert(out.end(), more.begin(), more.end());
  }
  if (const auto v = evaluatorOrNull()) {
    const auto more = columnParamValues(*v);
    out.insert(out.end(), more.begin(), more.end());
  }
  for (const auto& m : paramMaps())
    for (const auto& [key, value] : m.entries())
      if (isColumnParam(key.second)) appendColumnNames(value, out);
  return out;
}

Schema Validator::checkSetup(const Schema& input) const {
  const auto estimator = estimatorOrNull();
  const auto maps = paramMaps();
  tuning::validateSetup(describe(), estimator, evaluatorOrNull(), maps);
  // Every map must give a schema the estimator accepts.
  for (const auto& m : maps)
    (void)std::static_pointer_cast<Estimator>(estimator->copyStage(m))->transformSchema(input);
  return estimator->transformSchema(input);
}

void Validator::saveState(StateWriter& out) const {
  const auto estimator = estimatorOrNull();
  const auto evaluator = evaluatorOrNull();
  if (!estimator || !evaluator)
    throw ParamError(describe() + ": cannot save without an estimator and an evaluator");
  out.putParamMaps("estimatorParamMaps", paramMaps());
  out.putStage("estimator/", *estimator);
  out.putEvaluator("evaluator/", *evaluator);
}

void Validator::loadState(const StateReader& in) {
  auto estimator = in.getStage("estimator/");
  if (!estimator->isEstimator()) in.fail("the saved estimator is not an Estimator");
  auto evaluator = in.getEvaluator("evaluator/");
  auto maps = in.getParamMaps("estimatorParamMaps", *estimator, *evaluator);
  set("estimator", ParamValue(std::static_pointer_cast<Params>(estimator)));
  set("evaluator", ParamValue(std::static_pointer_cast<Params>(evaluator)));
  set("estimatorParamMaps",
      ParamValue(std::make_shared<const std::vector<ParamMap>>(std::move(maps))));
}

std::string TuningModel::metricName() const {
  const auto& ev = *evaluator_;
  return ev.hasParam("metricName") ? ev.getString("metricName") : ev.className();
}

void TuningModel::saveTuning(StateWriter& out) const {
  out.putParamMaps("estimatorParamMaps", maps_);
  out.putInt("bestIndex", bestIndex_);
  out.putStage("estimator/", *estimator_);
  out.putEvaluator("evaluator/", *evaluator_);
  out.putStage("bestModel/", *bestModel_);
}

void TuningModel::loadTuning(const StateReader& in) {
  auto estimator = in.getStage("estimator/");
  if (!estimator->isEstimator()) in.fail("the saved estimator is not an Estimator");
  estimator_ = std::static_pointer_cast<Estimator>(estimator);
  evaluator_ = in.getEvaluator("evaluator/");
  maps_ = in.getParamMaps("estimatorParamMaps", *estimator_, *evaluator_);
  bestModel_ = std::dynamic_pointer_cast<Model>(in.getStage("bestModel/"));
  if (!bestModel_) in.fail("bestModel is not a Model");
  bestIndex_ = in.getInt("bestIndex");
  if (bestIndex_ < 0 || bestIndex_ >= static_cast<std::int64_t>(maps_.size()))
    in.fail(fmt::format("bestIndex {} is out of range", bestIndex_));
}

}  // namespace td
