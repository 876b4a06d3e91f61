// include/thunderdome/pipeline/stage.h
#pragma once

#include <memory>
#include <string>
#include <typeinfo>

#include "thunderdome/core/context.h"
#include "thunderdome/core/params.h"
#include "thunderdome/frame/frame.h"

namespace td {

class Model;
class TuningModel;

/// One line of what a stage holds beyond its params, for `thunderdome show` (text and JSON).
struct StateItem {
  std::string key;    ///< JSON key, e.g. "nonZeroCoefficients".
  std::string label;  ///< Text label, e.g. "non-zero coefficients".
  ParamValue value;   ///< The value (numbers, strings).
};

/// Anything that can sit in a Pipeline: a Transformer or an Estimator (Spark's PipelineStage).
class PipelineStage : public Params {
 public:
  using Params::Params;
  /// The output schema for `input`; throws ColumnError/ParamError when the stage cannot run.
  [[nodiscard]] virtual Schema transformSchema(const Schema& input) const = 0;
  /// A copy with the same uid and `extra`'s values for this uid applied (Spark's copy(extra)).
  /// Default: cloneParams() then applyParamMap(extra); a stage holding other stages (Pipeline,
  /// the tuners) overrides it to copy those too.
  [[nodiscard]] virtual std::shared_ptr<PipelineStage> copyStage(const ParamMap& extra) const;
  /// The stages this one runs in sequence (a Pipeline's or PipelineModel's; none otherwise):
  /// what param maps, `show` and data-parallel checks walk into.
  [[nodiscard]] virtual std::vector<std::shared_ptr<PipelineStage>> subStages() const { return {}; }
  /// What this stage holds beyond its params (a model's size, intercept, ...), for `show`.
  [[nodiscard]] virtual std::vector<StateItem> stateSummary() const { return {}; }
  /// The stage with uid `uid`: this one or one nested in subStages(), recursively; else null.
  [[nodiscard]] const PipelineStage* findByUid(std::string_view uid) const;
  /// This stage as a fitted tuner (CrossValidatorModel, TrainValidationSplitModel), else null.
  [[nodiscard]] virtual const TuningModel* asTuningModel() const { return nullptr; }
  /// True for an Estimator (fit gives a Model), false for a Transformer.
  [[nodiscard]] virtual bool isEstimator() const = 0;
  /// True when the stage handles nulls in its input columns itself (Imputer, VectorAssembler,
  /// StringIndexer, ...). Default false: fit and transform first throw DataError naming the
  /// stage, the column and the first null's file and line (requireNoNullInputs).
  [[nodiscard]] virtual bool acceptsNulls() const { return false; }
  /// Throws DataError when a column named by inputCol, inputCols, featuresCol, labelCol or
  /// weightCol holds a null, unless acceptsNulls().
  void requireNoNullInputs(const Frame& input) const;
  /// The columns this stage may read: the values of its params named *Col or *Cols (outputs
  /// included, which only over-counts), and those of its subStages(). A stage that reads a
  /// column named otherwise overrides it. PipelineModel::transformSelect keeps these alive.
  [[nodiscard]] virtual std::vector<std::string> columnsRead() const;
};

/// True for a param that names columns: its name ends in "Col" or "Cols".
[[nodiscard]] bool isColumnParam(std::string_view name);
/// Appends the column name(s) a *Col / *Cols param value holds (nothing for other values).
void appendColumnNames(const ParamValue& v, std::vector<std::string>& out);
/// The values of p's defined *Col and *Cols params (what columnsRead starts from).
[[nodiscard]] std::vector<std::string> columnParamValues(const Params& p);

/// A stage that maps a Frame to a Frame with more columns (Spark's Transformer).
class Transformer : public PipelineStage {
 public:
  using PipelineStage::PipelineStage;
  /// Checks the schema, then transforms (within ctx's threads; checks its cancellation first).
  [[nodiscard]] Frame transform(const Frame& input, const Context& ctx = {}) const;
  /// transform with `extra` params applied to a copy (Spark's transform(df, paramMap)).
  [[nodiscard]] Frame transform(const Frame& input, const ParamMap& extra) const;
  /// transform(input).select(columns), for a caller that needs only some columns of the
  /// output. A PipelineModel releases every column as soon as no later stage reads it and
  /// `columns` do not name it, so its peak memory holds only live columns (what Spark's lazy
  /// plans give); pass the input with std::move to release its columns as well.
  [[nodiscard]] virtual Frame transformSelect(Frame input, const std::vector<std::string>& columns,
                                              const Context& ctx = {}) const;
  /// True when output row i depends only on input row i, so transforming some rows equals
  /// taking those rows of the transformed whole (lets tuning featurize once for all folds).
  [[nodiscard]] virtual bool isRowWise() const { return false; }
  /// Whether deriveOutput can make this stage's output from that of `from`, a stage of the
  /// same class with other params (HashingTF: numFeatures divides from's). Default: false.
  [[nodiscard]] virtual bool derivesFrom(const Transformer& /*from*/) const { return false; }
  /// The column this stage's transform would add, made from `fromOutput`, the column `from`'s
  /// transform added for the same input rows (which need not be at hand): bit for bit what
  /// transform gives, for less work. Tuning makes one setting's features from another's this
  /// way. Null when !derivesFrom(from) or `fromOutput` is not such a column; the default.
  [[nodiscard]] virtual ColumnPtr deriveOutput(const Transformer& /*from*/,
                                               const ColumnPtr& /*fromOutput*/) const {
    return nullptr;
  }
  [[nodiscard]] bool isEstimator() const final { return false; }

 protected:
  /// The transformation itself; the schema has been checked.
  [[nodiscard]] virtual Frame transformImpl(const Frame& input, const Context& ctx) const = 0;
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
  /// Checks the schema, then fits with `ctx` (threads, ranks, cancellation, progress). With
  /// ctx.dataParallel, `data` is this rank's shard and the stage must support it.
  [[nodiscard]] std::shared_ptr<Model> fit(const Frame& data, const Context& ctx = {}) const;
  /// fit with `extra` params applied to a copy (Spark's fit(df, paramMap)).
  [[nodiscard]] std::shared_ptr<Model> fit(const Frame& data, const ParamMap& extra,
                                           const Context& ctx = {}) const;
  [[nodiscard]] bool isEstimator() const final { return true; }
  /// True when fit can run data-parallel (Context::dataParallel): on per-rank shards whose
  /// sums are all-reduced, ending with the model of the union. Default: false.
  [[nodiscard]] virtual bool supportsDataParallel() const { return false; }

 protected:
  /// The fit itself; the schema has been checked.
  [[nodiscard]] virtual std::shared_ptr<Model> fitImpl(const Frame& data, const Context& ctx) const = 0;
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

/// The first estimator in `stage` (itself or nested) that cannot fit data-parallel
/// (Estimator::supportsDataParallel), or null when every one can; transformers need nothing.
const PipelineStage* firstNotDataParallel(const PipelineStage& stage);
/// Throws ParamError naming firstNotDataParallel(stage), if any.
void checkDataParallel(const PipelineStage& stage);

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
