// include/thunderdome/evaluation/evaluator.h
#pragma once

#include <memory>

#include "thunderdome/core/context.h"
#include "thunderdome/core/params.h"
#include "thunderdome/frame/frame.h"

namespace td {

/// Scores a Frame of predictions with one metric (Spark's Evaluator).
class Evaluator : public Params {
 public:
  using Params::Params;
  /// The metric for `predictions`, within ctx's threads (its cancellation checked first).
  [[nodiscard]] double evaluate(const Frame& predictions, const Context& ctx = {}) const {
    ctx.cancel.throwIfCancelled(describe());
    double m = 0;
    runWithContext(ctx, [&] { m = evaluateImpl(predictions); });
    return m;
  }
  /// evaluate with `extra` params applied to a copy.
  [[nodiscard]] double evaluate(const Frame& predictions, const ParamMap& extra) const {
    return copyEvaluator(extra)->evaluate(predictions);
  }
  /// True when a larger metric is better (tuning maximises), false when it minimises.
  [[nodiscard]] virtual bool isLargerBetter() const = 0;
  /// A copy with the same uid and `extra` applied.
  /// Default: cloneParams() then applyParamMap(extra).
  [[nodiscard]] virtual std::shared_ptr<Evaluator> copyEvaluator(const ParamMap& extra) const {
    auto c = std::static_pointer_cast<Evaluator>(cloneParams());
    c->applyParamMap(extra);
    return c;
  }

 protected:
  /// The metric itself.
  [[nodiscard]] virtual double evaluateImpl(const Frame& predictions) const = 0;
};

}  // namespace td
