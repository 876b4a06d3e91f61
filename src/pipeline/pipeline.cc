// src/pipeline/pipeline.cc
#include "thunderdome/pipeline/pipeline.h"

#include <fmt/format.h>

#include <set>

namespace td {

namespace {
// `f` with only the columns named in `keep` (in f's order).
Frame keepColumns(const Frame& f, const std::set<std::string, std::less<>>& keep) {
  std::vector<std::string> names;
  for (const auto& field : f.schema().fields())
    if (keep.contains(field.name)) names.push_back(field.name);
  return names.size() == f.numColumns() ? f : f.select(names);
}
}  // namespace

Pipeline::Pipeline(std::vector<std::shared_ptr<PipelineStage>> stages)
    : Pipeline(randomUid(kUidPrefix), std::move(stages)) {}

Pipeline::Pipeline(std::string uid, std::vector<std::shared_ptr<PipelineStage>> stages)
    : Estimator(std::move(uid), schema()) {
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

std::shared_ptr<Model> Pipeline::fitImpl(const Frame& data, const Context& ctx) const {
  // Index of the last estimator: stages after it are not executed during fit.
  std::ptrdiff_t last = -1;
  for (std::size_t i = 0; i < stages_.size(); ++i)
    if (stages_[i]->isEstimator()) last = static_cast<std::ptrdiff_t>(i);

  // readLater[i]: the columns stages after i read; a transformed frame keeps only those, so
  // a column no later stage needs is released as soon as it has been used.
  std::vector<std::set<std::string, std::less<>>> readLater(stages_.size());
  for (std::size_t i = stages_.size(); i-- > 1;) {
    readLater[i - 1] = readLater[i];
    for (auto& c : stages_[i]->columnsRead()) readLater[i - 1].insert(std::move(c));
  }
  Frame current = data;
  std::vector<std::shared_ptr<Transformer>> fitted;
  for (std::size_t i = 0; i < stages_.size(); ++i) {
    const auto& st = stages_[i];
    std::shared_ptr<Transformer> t;
    if (st->isEstimator()) {
      t = std::static_pointer_cast<Estimator>(st)->fit(current, ctx);
    } else {
      t = std::static_pointer_cast<Transformer>(st);
    }
    if (static_cast<std::ptrdiff_t>(i) < last)
      current = keepColumns(t->transform(current, ctx), readLater[i]);
    else if (static_cast<std::ptrdiff_t>(i) == last)
      current = Frame();
    fitted.push_back(std::move(t));
  }
  return std::make_shared<PipelineModel>(uid(), std::move(fitted));
}

void Pipeline::saveState(StateWriter& out) const { out.putStages(stages_); }

void Pipeline::loadState(const StateReader& in) { setStages(in.getStages()); }

PipelineModel::PipelineModel(std::string uid, std::vector<std::shared_ptr<Transformer>> stages)
    : Model(std::move(uid), schema()), stages_(std::move(stages)) {}

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

Frame PipelineModel::transformImpl(const Frame& input, const Context& ctx) const {
  Frame current = input;
  for (const auto& st : stages_) current = st->transform(current, ctx);
  return current;
}

Frame PipelineModel::transformSelect(Frame input, const std::vector<std::string>& columns,
                                     const Context& ctx) const {
  // Every stage's error, and an unknown output column, before any work.
  const Schema out = transformSchema(input.schema());
  for (const auto& c : columns) (void)out.field(c);
  // live[i]: the columns wanted once stages [0, i) have run.
  std::vector<std::set<std::string, std::less<>>> live(stages_.size() + 1);
  live.back().insert(columns.begin(), columns.end());
  for (std::size_t i = stages_.size(); i-- > 0;) {
    live[i] = live[i + 1];
    for (auto& c : stages_[i]->columnsRead()) live[i].insert(std::move(c));
  }
  Frame current = keepColumns(input, live[0]);
  input = Frame();  // the caller's columns that no stage reads go now
  for (std::size_t i = 0; i < stages_.size(); ++i)
    current = keepColumns(stages_[i]->transform(current, ctx), live[i + 1]);
  return current.select(columns);
}

void PipelineModel::saveState(StateWriter& out) const { out.putStages(subStages()); }

void PipelineModel::loadState(const StateReader& in) {
  std::vector<std::shared_ptr<Transformer>> ts;
  for (auto& s : in.getStages()) {
    if (s->isEstimator())
      in.fail(fmt::format("stage {} of a PipelineModel is not a Transformer", s->describe()));
    ts.push_back(std::static_pointer_cast<Transformer>(s));
  }
  stages_ = std::move(ts);
}

}  // namespace td
