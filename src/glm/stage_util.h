// src/glm/stage_util.h — what the classification and regression stages share besides the math:
// Spark's number printing in messages, where a bad row is, the checks of the columns a fit
// reads and of its rows (labels, weights, non-finite feature values, with the agreement of the
// ranks of a data-parallel fit), the output schema, the model's dimension checks. Internal
// (td_glm, which td_classification and td_regression link): "glm/stage_util.h".
#pragma once

#include <cmath>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "glm/feature_stats.h"
#include "thunderdome/core/error.h"
#include "thunderdome/core/params.h"
#include "thunderdome/frame/frame.h"

namespace td::stage_util {

/// A number as Spark prints it in messages: 2.0, 0.5, -1.0, NaN, Infinity.
std::string num(double v);

/// Spark's probability2prediction with thresholds: the first index of the largest p_k / t_k
/// (a 0 threshold gives +Infinity, or NaN when p_k is 0 too, which never wins).
std::int64_t thresholdArgmax(const double* p, const std::vector<double>& t);

/// The value of an optional string param: "" when it has none.
std::string optionalString(const Params& p, std::string_view name);

/// Where row i of `data` is, for an error: ("data.csv:14: ", "") when its origin is known (row
/// provenance), else ("", " at row 5").
std::pair<std::string, std::string> rowWhere(const Frame& data, std::int64_t i);

/// Throws DataError "<at><who>: <role> column '<column>' has invalid value <v><at row>: <rule>"
/// for row i of `data` (role: label, weight).
[[noreturn]] void throwInvalidValue(const Frame& data, std::int64_t i, std::string_view who,
                                    std::string_view role, std::string_view column, double v,
                                    std::string_view rule);

/// The rule every weight column follows (Spark's checkNonNegativeWeights, and finite).
inline constexpr std::string_view kWeightRule = "weights must be finite and >= 0";

/// Whether a weight is finite and >= 0.
inline bool weightOk(double w) { return w >= 0.0 && std::isfinite(w); }

/// The handler of a non-finite stored feature value (row i, feature index j): throws DataError
/// "<at><who>: features column '<column>' has a non-finite value <x><at row> (feature index j)".
glm::NonFiniteHandler nonFiniteFeature(const Frame& data, std::string who, std::string column);

/// Checks that `name` exists in `input` and is bigint or double (role: label, weight).
void requireNumeric(const Schema& input, const std::string& who, std::string_view role,
                    const std::string& name);

/// An estimator's input checks: featuresCol is a vector column, labelCol is numeric, and so is
/// weightCol when set.
void requireFitColumns(const Params& p, const Schema& input);

/// An output column: the param naming it and its type.
struct OutputColumn {
  const char* param;
  DataType type;
};

/// Checks the features column and appends the output columns whose params are non-empty to
/// `input` (each must not exist yet).
Schema withOutputs(const Params& p, const Schema& input,
                   std::initializer_list<OutputColumn> outputs);

/// A model's checks of the dimension of one feature vector, and of a features column.
void requireVectorDimension(std::string_view who, std::int64_t dim, std::int64_t numFeatures);
void requireColumnDimension(std::string_view who, std::string_view column, std::int64_t dim,
                            std::int64_t numFeatures);

/// Throws e, as a DistributedError in a data-parallel fit (`shards`): an error found on values
/// summed over the ranks is found by every rank alike, so that no rank reports it as its own.
[[noreturn]] void throwShared(bool shards, const DataError& e);

// ---------------------------------------------------------------- the rows of a GLM fit
/// The column names a fit reads.
struct FitColumns {
  std::string who, features, label, weight;  // weight: empty when none
};

/// The columns of an estimator with featuresCol, labelCol and an optional weightCol.
FitColumns fitColumns(const Params& p);

/// Labels, weights and their totals for one fit.
struct FitRows {
  std::vector<double> y, w;
  glm::RowTotals totals;  // W, Σw², rows of positive weight (over every rank once agreed)
  bool floats = true;     // sparse: every value is exactly a float
};

/// One serial pass over the rows of `r` (this process's): label i is checked with labelOk
/// (else DataError with labelRule), weight i with weightOk (else kWeightRule), then the totals
/// are added and perRow(i, y_i, w_i) is called (a stage's own sums and checks). Sets r.totals.
/// skipZeroWeightLabels: the label of a row of weight 0 is not checked (Spark's
/// MultiClassSummarizer ignores such rows).
template <class LabelOk, class PerRow>
void checkLabelsAndWeights(const Frame& data, const FitColumns& cols, FitRows& r,
                           LabelOk labelOk, std::string_view labelRule, PerRow perRow,
                           bool skipZeroWeightLabels = false) {
  const auto n = static_cast<std::int64_t>(r.y.size());
  double W = 0.0, W2 = 0.0;
  std::int64_t positiveRows = 0;
  for (std::int64_t i = 0; i < n; ++i) {
    const double yi = r.y[static_cast<std::size_t>(i)];
    const double wi = r.w[static_cast<std::size_t>(i)];
    if (!(skipZeroWeightLabels && wi == 0.0) && !labelOk(yi))
      throwInvalidValue(data, i, cols.who, "label", cols.label, yi, labelRule);
    if (!weightOk(wi)) throwInvalidValue(data, i, cols.who, "weight", cols.weight, wi, kWeightRule);
    W += wi;
    W2 += wi * wi;
    if (wi > 0.0) ++positiveRows;
    perRow(i, yi, wi);
  }
  r.totals = {W, W2, positiveRows};
}

/// Sparse X: passes every stored non-finite value to nonFinite (row, feature index, value) and
/// returns whether every stored value is exactly a float. Dense X: true, nothing checked.
bool scanSparseValues(const VectorColumn& X, const glm::NonFiniteHandler& nonFinite);

/// Labels and weights (1 without a weight column) of `data`, checked by `check` (this
/// process's rows: it throws at a bad row and sets rows.totals, rows.floats and the stage's own
/// sums in `extra`) and totalled over the ranks; d becomes the features' dimension agreed by
/// every non-empty shard. Data-parallel (comm with several ranks): each rank checks its shard,
/// then the ranks agree (a failure on one rank stops every rank with its message before
/// anything is summed), and the totals and `extra` are summed over the ranks. Throws when there
/// are no rows at all; the caller checks the weight sum (requirePositiveWeightSum) after its own
/// checks of the totals.
FitRows loadFitRows(const Frame& data, const FitColumns& cols, dist::Communicator* comm,
                    std::int64_t& d, const std::function<void(FitRows&)>& check,
                    std::span<double> extra = {});

/// Throws (throwShared) when the weights (weightSum) sum to 0: nothing to fit.
void requirePositiveWeightSum(double weightSum, const FitColumns& cols, bool shards);

}  // namespace td::stage_util
