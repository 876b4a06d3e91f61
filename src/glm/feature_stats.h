// src/glm/feature_stats.h — row totals and per-feature statistics of a GLM's training data
// (Spark's Summarizer: weighted mean, unbiased variance, the features that vary), and the
// data-parallel hook every sum over rows goes through.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "thunderdome/dist/communicator.h"
#include "thunderdome/frame/column.h"

namespace td::glm {

/// Sums (and maxima) over the ranks of a data-parallel fit; does nothing within one process.
struct Reducer {
  dist::Communicator* comm = nullptr;
  [[nodiscard]] bool active() const { return comm != nullptr && comm->size() > 1; }
  void sum(double* p, std::size_t n) const {
    if (active() && n > 0) comm->allreduceSum({p, n});
  }
  void max(double* p, std::size_t n) const {
    if (active() && n > 0) comm->allreduceMax({p, n});
  }
  /// Σ over the ranks of the values rounded to float32, added as doubles in rank order: the same
  /// bits on every rank, and each rank sends 4 bytes a value (an allgather) instead of a
  /// reduce-then-broadcast of 8. For products whose relative error of ~1e-7 the solver absorbs
  /// (Newton-CG's Hessian-vector products); never for a gradient or a statistic.
  void sumRounded(double* p, std::size_t n) const;
};

/// Totals over the rows of positive weight (over every rank in a data-parallel fit).
struct RowTotals {
  double weightSum = 0.0;         ///< W = Σ w_i
  double weightSqSum = 0.0;       ///< Σ w_i²
  std::int64_t positiveRows = 0;  ///< rows with w_i > 0
  /// The unbiased variance's denominator W − Σw²/W (Spark's).
  [[nodiscard]] double denom() const { return weightSum - weightSqSum / weightSum; }
};

/// The features that vary (σ > 0) in ascending compact order, with their mean and σ. A compact
/// feature can stand for a group of original features whose values are proportional on every
/// training row (x_j = a_j·x_c: the same rows, the same ratios — a word seen in one document is
/// one; DesignMatrix::build's mergeProportional): then its mean and σ are those of x_c, the
/// first (active[c]), and members lists the group. Under an L2 penalty only, the group's best
/// coefficients are a fixed split of one (see Scaling::make), so one variable solves for all.
struct FeatureStats {
  std::vector<std::int32_t> active;  ///< original index of compact feature c
  std::vector<double> mean;          ///< weighted mean μ_j of compact feature c
  std::vector<double> sigma;         ///< weighted unbiased standard deviation σ_j (> 0)
  /// Merged groups (empty when none was merged): compact feature c stands for the original
  /// features memberFeature[q], q in [memberPtr[c], memberPtr[c+1]), x_j = memberRatio[q]·x_c
  /// (the first member is active[c] itself, ratio 1).
  std::vector<std::int64_t> memberPtr;
  std::vector<std::int32_t> memberFeature;
  std::vector<double> memberRatio;
  [[nodiscard]] std::int64_t size() const { return static_cast<std::int64_t>(active.size()); }
  /// Whether some compact feature stands for several original ones.
  [[nodiscard]] bool merged() const { return !memberPtr.empty(); }
};

/// σ of one feature from Σ w (x − μ)² over its stored entries, the weight of its stored entries
/// and its mean (the implicit zeros add their weight·μ²); 0 when it does not vary.
double featureSigma(double m2, double storedWeight, double mean, const RowTotals& t);

/// Called with (row, feature index, value) for a non-finite feature value; must throw.
using NonFiniteHandler = std::function<void(std::int64_t, std::int64_t, double)>;

/// Statistics of a dense (or sparse, read row by row) feature column over the rows of positive
/// weight, within one process: two serial passes (sums, then Σ w (x − μ)²). Checks every value
/// (rows of weight 0 included) for finiteness. Data-parallel (red.active()): X is this rank's
/// shard and the sums span every rank (t is over every rank already); dim is then the dimension
/// the ranks agreed on (an empty shard's column may have dimension 0), default X.dim().
FeatureStats rowwiseFeatureStats(const VectorColumn& X, const std::vector<double>& w,
                                 const RowTotals& t, const NonFiniteHandler& nonFinite,
                                 const Reducer& red = {}, std::int64_t dim = -1);

/// Per column of a compact column-major matrix (entries rows[colPtr[c]..colPtr[c+1]) with
/// values vals, count[c] of them over every rank): the weighted mean and σ, summed and
/// maximised over the ranks through `red`; σ = 0 for columns that do not vary. The sums run
/// column by column in entry order, as a row-wise pass would. I: row index type, V: value type.
template <class I, class V>
void columnStats(const std::vector<std::int64_t>& colPtr, const std::vector<I>& rows,
                 const std::vector<V>& vals, const std::vector<double>& count,
                 const std::vector<double>& w, const RowTotals& t, const Reducer& red,
                 std::vector<double>& mean, std::vector<double>& sigma);

}  // namespace td::glm
