// src/pipeline/pipeline.cc
#include "thunderdome/pipeline/pipeline.h"

#include <fmt/format.h>

#include <set>

namespace td {

namespace {
const ParamSchema& noParams() {
  static const ParamSchema s;
  return s;
}
}  // namespace

Pipeline::Pipeline(std::vector<std::shared_ptr<PipelineStage>> stages)
    : Pipeline(randomUid("pipeline"), std::move(stages)) {}

Pipeline::Pipeline(std::string uid, std::vector<std::shared_ptr<PipelineStage>> stages)
    : Estimator(std::move(uid), noParams()) {
  setStages(std::move(stages));
}

Pipeline& Pipeline::setStages(std::vector<std::shared_ptr<PipelineStage>> stages) {
  std::set<const PipelineStage*> seen;
  std::set<std::string> uids;
  for (std::size_t i = 0; i < stages.size(); ++i) {
    if (!stages[i]) throw ParamError(fmt::format("{}: stage {} is null", describe(), i));
    if (!seen.insert(stages[i].get()).second)
      throw ParamError(fmt::format("{}: stage {} ({}) appears more than once", describe(), i,
                                   stages[i]->describe()));
    if (!uids.insert(stages[i]->uid()).second)
      throw ParamError(fmt::format("{}: two stages share the uid '{}'", describe(),
                                   stages[i]->uid()));
    if (!dynamic_cast<const Estimator*>(stages[i].get()) &&
        !dynamic_cast<const Transformer*>(stages[i].get()))
      throw ParamError(fmt::format("{}: stage {} ({}) is neither an Estimator nor a Transformer",
                                   describe(), i, stages[i]->describe()));
  }
  stages_ = std::move(stages);
  return *this;
}

std::shared_ptr<PipelineStage> Pipeline::findStage(std::string_view uid) const {
  for (const auto& s : stages_)
    if (s->uid() == uid) return s;
  return nullptr;
}

Schema Pipeline::transformSchema(const Schema& input) const {
  Schema s = input;
  for (const auto& st : stages_) s = st->transformSchema(s);
  return s;
}

std::shared_ptr<PipelineStage> Pipeline::copyStage(const ParamMap& extra) const {
  std::vector<std::shared_ptr<PipelineStage>> copies;
  copies.reserve(stages_.size());
  for (const auto& st : stages_) copies.push_back(st->copyStage(extra));
  auto p = std::make_shared<Pipeline>(uid(), std::move(copies));
  p->applyParamMap(extra);
  return p;
}

std::shared_ptr<Model> Pipeline::fitImpl(const Frame& data) const {
  // Index of the last estimator: stages after it are not executed during fit.
  std::ptrdiff_t last = -1;
  for (std::size_t i = 0; i < stages_.size(); ++i)
    if (dynamic_cast<const Estimator*>(stages_[i].get())) last = static_cast<std::ptrdiff_t>(i);

  Frame current = data;
  std::vector<std::shared_ptr<Transformer>> fitted;
  for (std::size_t i = 0; i < stages_.size(); ++i) {
    const auto& st = stages_[i];
    std::shared_ptr<Transformer> t;
    if (auto est = std::dynamic_pointer_cast<Estimator>(st)) {
      t = est->fit(current);
    } else {
      t = std::static_pointer_cast<Transformer>(st);
    }
    if (static_cast<std::ptrdiff_t>(i) < last) current = t->transform(current);
    fitted.push_back(std::move(t));
  }
  return std::make_shared<PipelineModel>(uid(), std::move(fitted));
}

PipelineModel::PipelineModel(std::string uid, std::vector<std::shared_ptr<Transformer>> stages)
    : Model(std::move(uid), noParams()), stages_(std::move(stages)) {}

Schema PipelineModel::transformSchema(const Schema& input) const {
  Schema s = input;
  for (const auto& st : stages_) s = st->transformSchema(s);
  return s;
}

std::shared_ptr<PipelineStage> PipelineModel::copyStage(const ParamMap& extra) const {
  std::vector<std::shared_ptr<Transformer>> copies;
  for (const auto& st : stages_)
    copies.push_back(std::static_pointer_cast<Transformer>(st->copyStage(extra)));
  return std::make_shared<PipelineModel>(uid(), std::move(copies));
}

Frame PipelineModel::transformImpl(const Frame& input) const {
  Frame current = input;
  for (const auto& st : stages_) current = st->transform(current);
  return current;
}

void enableDataParallel(PipelineStage& stage, const std::shared_ptr<dist::Communicator>& comm) {
  if (auto* dp = dynamic_cast<DataParallelFittable*>(&stage)) {
    dp->setDataParallel(comm);
  } else if (auto* p = dynamic_cast<Pipeline*>(&stage)) {
    for (const auto& s : p->getStages()) enableDataParallel(*s, comm);
  } else if (dynamic_cast<Estimator*>(&stage)) {
    throw ParamError(fmt::format("{} ({}) cannot be fitted data-parallel: only "
                                 "LogisticRegression, Pipeline, CrossValidator and "
                                 "TrainValidationSplit can",
                                 stage.uid(), stage.className()));
  }
}

}  // namespace td
