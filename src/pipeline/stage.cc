// src/pipeline/stage.cc
#include "thunderdome/pipeline/stage.h"

#include <fmt/format.h>

namespace td {

void PipelineStage::requireNoNullInputs(const Frame& input) const {
  if (acceptsNulls()) return;
  for (const char* name : {"inputCol", "inputCols", "featuresCol", "labelCol", "weightCol"}) {
    if (!hasParam(name) || !isDefined(name)) continue;
    const ParamValue v = getOrDefault(name);
    std::vector<std::string> cols;
    if (const auto* one = std::get_if<std::string>(&v.variant())) cols.push_back(*one);
    if (const auto* many = std::get_if<std::vector<std::string>>(&v.variant())) cols = *many;
    for (const auto& c : cols)
      if (!c.empty() && input.schema().contains(c)) input.requireNoNulls(describe(), c);
  }
}

bool isColumnParam(std::string_view name) { return name.ends_with("Col") || name.ends_with("Cols"); }

void appendColumnNames(const ParamValue& v, std::vector<std::string>& out) {
  if (const auto* one = std::get_if<std::string>(&v.variant())) out.push_back(*one);
  if (const auto* many = std::get_if<std::vector<std::string>>(&v.variant()))
    out.insert(out.end(), many->begin(), many->end());
}

std::vector<std::string> columnParamValues(const Params& p) {
  std::vector<std::string> out;
  for (const auto& spec : p.params())
    if (isColumnParam(spec.name) && p.isDefined(spec.name))
      appendColumnNames(p.getOrDefault(spec.name), out);
  return out;
}

std::vector<std::string> PipelineStage::columnsRead() const {
  std::vector<std::string> out = columnParamValues(*this);
  for (const auto& st : subStages()) {
    auto sub = st->columnsRead();
    out.insert(out.end(), sub.begin(), sub.end());
  }
  return out;
}

Frame Transformer::transformSelect(Frame input, const std::vector<std::string>& columns,
                                   const Context& ctx) const {
  return transform(input, ctx).select(columns);
}

Frame Transformer::transform(const Frame& input, const Context& ctx) const {
  (void)transformSchema(input.schema());
  requireNoNullInputs(input);
  ctx.cancel.throwIfCancelled(describe());
  Frame out;
  runWithContext(ctx, [&] { out = transformImpl(input, ctx); });
  return out;
}

Frame Transformer::transform(const Frame& input, const ParamMap& extra) const {
  auto c = std::static_pointer_cast<Transformer>(copyStage(extra));
  return c->transform(input);
}

std::shared_ptr<Model> Estimator::fit(const Frame& data, const Context& ctx) const {
  (void)transformSchema(data.schema());
  requireNoNullInputs(data);
  ctx.cancel.throwIfCancelled(describe());
  if (ctx.isDataParallel()) checkDataParallel(*this);
  std::shared_ptr<Model> m;
  runWithContext(ctx, [&] { m = fitImpl(data, ctx); });
  return m;
}

std::shared_ptr<Model> Estimator::fit(const Frame& data, const ParamMap& extra,
                                      const Context& ctx) const {
  auto c = std::static_pointer_cast<Estimator>(copyStage(extra));
  return c->fit(data, ctx);
}

std::shared_ptr<PipelineStage> PipelineStage::copyStage(const ParamMap& extra) const {
  auto c = std::static_pointer_cast<PipelineStage>(cloneParams());
  c->applyParamMap(extra);
  return c;
}

const PipelineStage* PipelineStage::findByUid(std::string_view uid) const {
  if (this->uid() == uid) return this;
  for (const auto& s : subStages())
    if (const PipelineStage* f = s->findByUid(uid)) return f;
  return nullptr;
}

const PipelineStage* firstNotDataParallel(const PipelineStage& stage) {
  if (stage.isEstimator() && !static_cast<const Estimator&>(stage).supportsDataParallel())
    return &stage;
  for (const auto& s : stage.subStages())
    if (const PipelineStage* found = firstNotDataParallel(*s)) return found;
  return nullptr;
}

void checkDataParallel(const PipelineStage& stage) {
  if (const PipelineStage* s = firstNotDataParallel(stage))
    throw ParamError(fmt::format("{} ({}) cannot be fitted data-parallel (docs/stages.md says "
                                 "which estimators can); fit without --data-parallel, where "
                                 "every rank holds all the data",
                                 s->uid(), s->className()));
}

void throwStageCastError(const Params* p, const char* wanted) {
  throw ParamError(fmt::format("stage {} is not a {}", p ? p->describe() : "(null)", wanted));
}

}  // namespace td
