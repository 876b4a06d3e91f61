// include/thunderdome/pipeline/stage.h
#pragma once

#include <memory>
#include <string>
#include <typeinfo>

#include "thunderdome/core/params.h"
#include "thunderdome/frame/frame.h"

namespace td {

namespace dist {
class Communicator;
}  // namespace dist

class Model;

/// Anything that can sit in a Pipeline: a Transformer or an Estimator (Spark's PipelineStage).
class PipelineStage : public Params {
 public:
  using Params::Params;
  /// The output schema for `input`; throws ColumnError/ParamError when the stage cannot run.
  [[nodiscard]] virtual Schema transformSchema(const Schema& input) const = 0;
  /// A copy with the same uid and `extra`'s values for this uid applied (Spark's copy(extra)).
  [[nodiscard]] virtual std::shared_ptr<PipelineStage> copyStage(const ParamMap& extra) const = 0;
};

/// A stage that maps a Frame to a Frame with more columns (Spark's Transformer).
class Transformer : public PipelineStage {
 public:
  using PipelineStage::PipelineStage;
  /// Checks the schema, then transforms.
  [[nodiscard]] Frame transform(const Frame& input) const;
  /// transform with `extra` params applied to a copy (Spark's transform(df, paramMap)).
  [[nodiscard]] Frame transform(const Frame& input, const ParamMap& extra) const;
  /// True when output row i depends only on input row i, so transforming some rows equals
  /// taking those rows of the transformed whole (lets tuning featurize once for all folds).
  [[nodiscard]] virtual bool isRowWise() const { return false; }

 protected:
  /// The transformation itself; the schema has been checked.
  [[nodiscard]] virtual Frame transformImpl(const Frame& input) const = 0;
};

/// A fitted Transformer produced by an Estimator (Spark's Model); shares the estimator's uid.
class Model : public Transformer {
 public:
  using Transformer::Transformer;
};

/// A stage that learns a Model from a Frame (Spark's Estimator).
class Estimator : public PipelineStage {
 public:
  using PipelineStage::PipelineStage;
  /// Checks the schema, then fits.
  [[nodiscard]] std::shared_ptr<Model> fit(const Frame& data) const;
  /// fit with `extra` params applied to a copy (Spark's fit(df, paramMap)).
  [[nodiscard]] std::shared_ptr<Model> fit(const Frame& data, const ParamMap& extra) const;

 protected:
  /// The fit itself; the schema has been checked.
  [[nodiscard]] virtual std::shared_ptr<Model> fitImpl(const Frame& data) const = 0;
};

/// An estimator that can start its optimizer from a previous model (a warm start), used by
/// tuning to fit a regularization path: maps differing only in warmStartParam(), fitted in
/// decreasing order of that param, each from the previous solution.
class WarmStartable {
 public:
  virtual ~WarmStartable() = default;
  /// The param whose values form the path, e.g. "regParam".
  [[nodiscard]] virtual std::string warmStartParam() const = 0;
  /// Starts the next fit from `model` (a model this estimator class produced).
  virtual void setWarmStart(std::shared_ptr<const Model> model) = 0;
  /// A hint that a fit warm-started from this fit's model, on the same training frame, follows:
  /// the model may then keep data derived from the frame (e.g. a compact training matrix) for
  /// that fit to reuse instead of rebuilding it. Default: ignored.
  virtual void setKeepWarmStartData(bool /*keep*/) {}
};

/// An estimator that can fit one model on data sharded over the ranks of a communicator
/// (data-parallel training): its statistics and optimizer sums are all-reduced over the ranks,
/// so every rank ends with the same model, the model of the union of the shards.
class DataParallelFittable {
 public:
  virtual ~DataParallelFittable() = default;
  /// From now on fit() treats its data as this rank's shard and sums over `comm`'s ranks; every
  /// rank must then call fit() the same number of times in the same order. Null (the default):
  /// the data is the whole training set. Copies of the stage keep the setting.
  virtual void setDataParallel(std::shared_ptr<dist::Communicator> comm) = 0;
  /// The communicator set by setDataParallel (null when none).
  [[nodiscard]] virtual const std::shared_ptr<dist::Communicator>& dataParallel() const = 0;
};

/// Implements copyStage for a final class T by copy construction + applyParamMap.
template <class T>
std::shared_ptr<PipelineStage> copyWithExtra(const T& self, const ParamMap& extra) {
  auto c = std::make_shared<T>(self);
  c->applyParamMap(extra);
  return c;
}

/// Casts a stage or model pointer to T, with a clear error naming both classes on mismatch.
template <class T, class U>
std::shared_ptr<T> stageAs(const std::shared_ptr<U>& p);

[[noreturn]] void throwStageCastError(const Params* p, const char* wanted);

template <class T, class U>
std::shared_ptr<T> stageAs(const std::shared_ptr<U>& p) {
  auto out = std::dynamic_pointer_cast<T>(p);
  if (!out) throwStageCastError(p.get(), typeid(T).name());
  return out;
}

}  // namespace td
