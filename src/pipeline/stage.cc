// src/pipeline/stage.cc
#include "thunderdome/pipeline/stage.h"

#include <fmt/format.h>

namespace td {

Frame Transformer::transform(const Frame& input) const {
  (void)transformSchema(input.schema());
  return transformImpl(input);
}

Frame Transformer::transform(const Frame& input, const ParamMap& extra) const {
  auto c = std::static_pointer_cast<Transformer>(copyStage(extra));
  return c->transform(input);
}

std::shared_ptr<Model> Estimator::fit(const Frame& data) const {
  (void)transformSchema(data.schema());
  return fitImpl(data);
}

std::shared_ptr<Model> Estimator::fit(const Frame& data, const ParamMap& extra) const {
  auto c = std::static_pointer_cast<Estimator>(copyStage(extra));
  return c->fit(data);
}

void throwStageCastError(const Params* p, const char* wanted) {
  throw ParamError(fmt::format("stage {} is not a {}", p ? p->describe() : "(null)", wanted));
}

}  // namespace td
