// src/glm/design_matrix.h — the compact sparse training matrix of a GLM and its kernels.
//
// The fit works in a compact, scaled space: variables z = [w̃ (k values), b'], w̃_c = σ_j·w_j for
// the c-th feature j with σ_j > 0 and, when fitting an intercept, virtually centred features:
// margin = Σ_c w̃_c (x_j/σ_j − μ_j/σ_j) + b'. The matrix Ã = [X̃ − 1μ̃ᵀ, 1] is never formed:
// DesignMatrix holds the raw values of the active features (rows of weight 0 left out) and
// Scaling the per-fit 1/σ, μ/σ and L2 weights, applied inside the kernels.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "glm/feature_stats.h"
#include "thunderdome/frame/column.h"

namespace td::glm {

// Fixed block sizes: results never depend on the number of threads.
inline constexpr std::int64_t kRowBlock = 2048;        ///< rows per block of the row passes
inline constexpr std::int64_t kColBlockNnz = 1 << 16;  ///< entries per column block (Xᵀr)

/// How one fit sees the compact features: x̃_c = x_j·invStd_c, centred by scaledMean_c = μ_j/σ_j
/// (0 without an intercept), L2 weight l2Factor_c (1 with standardization, else 1/σ_j²).
struct Scaling {
  std::int64_t k = 0;  ///< active (non-constant) features
  bool fitIntercept = true;
  std::vector<double> invStd;      ///< 1/σ_j per compact feature
  std::vector<double> scaledMean;  ///< μ_j/σ_j per compact feature (0 without centring)
  std::vector<double> l2Factor;    ///< 1 (standardization) or 1/σ_j² per compact feature
  Reducer red;                     ///< data-parallel: this rank holds a shard of the rows

  /// The scaling of the features in `stats` for a fit with these settings.
  static Scaling make(const FeatureStats& stats, bool fitIntercept, bool standardization,
                      Reducer red);
  /// Variables of the compact problem: k, plus the intercept.
  [[nodiscard]] std::int64_t dim() const { return k + (fitIntercept ? 1 : 0); }
  /// Offset added to every margin: b' − Σ_c w̃_c μ_c/σ_c (or 0 without intercept).
  [[nodiscard]] double offset(const double* z) const;
};

/// The compact sparse training matrix of one frame: column-major for X̃ᵀr and, with at most
/// 65,536 columns, also row-major for X̃·v (a gather from a cache-resident vector; wider, X̃·v
/// scatters fixed column blocks into per-block margins). Values are the raw ones, as float when
/// every value is exactly a float (term counts are), with 16-bit indices where they fit: 6 bytes
/// per entry instead of 12, as every product streams the whole matrix. Immutable once built
/// (shared between fits of a regularization path); every sum runs in an order fixed by the data
/// (columns in fixed blocks of about kColBlockNnz entries, rows in blocks of kRowBlock, partial
/// results combined in block order): nothing depends on the number of threads.
class DesignMatrix {
 public:
  /// Per-user scratch of the kernels (one per objective).
  struct Workspace {
    std::vector<double> partialMargins;  ///< per column block but the first: n margins
    std::vector<double> blockSums;       ///< per column block: 3 scalars
    std::vector<double> scaled;          ///< v ⊙ 1/σ for the row-major product
  };

  /// Builds the matrix of the features of X (dimension d over every rank) over the rows of
  /// positive weight, and their statistics: the features that vary become the columns, in the
  /// order of their entry counts (then index). floats: every value is exactly a float.
  /// Data-parallel (red.active()): the totals are over every rank, and the column order and
  /// statistics come from sums over the ranks, while each rank stores only its own rows.
  static std::shared_ptr<const DesignMatrix> build(const VectorColumn& X, std::int64_t d,
                                                   const std::vector<double>& w,
                                                   const RowTotals& totals, bool floats,
                                                   const Reducer& red, FeatureStats& stats);

  [[nodiscard]] std::int64_t rows() const { return n_; }
  [[nodiscard]] std::int64_t cols() const { return k_; }
  [[nodiscard]] std::int64_t nnz() const { return colPtr_.empty() ? 0 : colPtr_.back(); }
  /// Scratch sized for this matrix.
  [[nodiscard]] Workspace workspace() const;

  /// out = Ã·a, i.e. X̃·a + offset(a) (n values); fab = Σ f a b, faa = Σ f a a (b may equal a).
  void multiply(const Scaling& s, const double* a, const double* b, double* out, double& fab,
                double& faa, Workspace& ws) const;
  /// grad = X̃ᵀr/W − μ̃·Σr/W + λ f z over the k columns, and Σr/W for the intercept; residSum is
  /// Σr over every rank's rows (in a data-parallel fit X̃ᵀr is summed over the ranks).
  void transposeMultiply(const Scaling& s, const double* r, const double* z, double W,
                         double residSum, double lambda, double* grad) const;
  /// out = diag(ÃᵀDÃ)/W + λ f: (Σ D x̃² − 2 μ̃ Σ D x̃ + μ̃² Σ D)/W + λ f_c, and ΣD/W for the
  /// intercept; dSum is ΣD over every rank's rows.
  void weightedSquares(const Scaling& s, const double* D, double dSum, double W, double lambda,
                       double* out) const;
  /// Σ a μ̃ (returned), Σ f a b and Σ f a a over all columns, in an order fixed by k alone
  /// (four lanes, c ≡ l mod 4): the same bits on every rank of a data-parallel fit.
  static double columnSums(const Scaling& s, const double* a, const double* b, double& fab,
                           double& faa);

 private:
  template <class I, class V>
  friend struct Builder;

  // Calls f(rowIndices, values) with the typed arrays.
  template <class F>
  void withColumns(F&& f) const {
    if (rows16_) {
      if (vals32_) f(row16_.data(), val32_.data());
      else f(row16_.data(), val64_.data());
    } else {
      if (vals32_) f(row32_.data(), val32_.data());
      else f(row32_.data(), val64_.data());
    }
  }
  void multiplyByRows(const Scaling& s, const double* a, const double* b, double* out, double& fab,
                      double& faa, Workspace& ws) const;
  void partitionColumns();

  std::int64_t n_ = 0, k_ = 0;
  std::vector<std::int64_t> colPtr_;
  std::vector<std::uint16_t> row16_;  // row indices when rows16_
  std::vector<std::int32_t> row32_;   // otherwise
  std::vector<float> val32_;          // raw values when vals32_
  std::vector<double> val64_;         // otherwise
  bool rows16_ = false, vals32_ = false;
  std::vector<std::int64_t> blockStart_;  // column block b is [blockStart_[b], blockStart_[b+1])
  // Row-major copy (when useRows_): 16-bit column indices, values as in the columns.
  std::vector<std::int64_t> rowPtr_;
  std::vector<std::uint16_t> col16_;
  std::vector<float> rval32_;
  std::vector<double> rval64_;
  bool useRows_ = false;
};

/// Training data derived from one frame (identified by its columns), kept with a fitted model:
/// a warm-started fit on the same frame (the next regParam of a path) reuses it.
class WarmStartData {
 public:
  /// What identifies the frame: its columns, held (no other column can take their place).
  struct Key {
    ColumnPtr features, labels, weights;
    std::int64_t rows = 0;
    const dist::Communicator* comm = nullptr;
    bool operator==(const Key&) const = default;
  };
  WarmStartData(Key key, std::shared_ptr<const DesignMatrix> matrix, FeatureStats stats)
      : key_(std::move(key)), matrix_(std::move(matrix)), stats_(std::move(stats)) {}
  [[nodiscard]] const Key& key() const { return key_; }
  [[nodiscard]] const std::shared_ptr<const DesignMatrix>& matrix() const { return matrix_; }
  [[nodiscard]] const FeatureStats& stats() const { return stats_; }

 private:
  Key key_;
  std::shared_ptr<const DesignMatrix> matrix_;
  FeatureStats stats_;
};

/// A dense vector column as a sparse one (zeros left out): the same vectors.
std::shared_ptr<VectorColumn> toSparse(const VectorColumn& X);

}  // namespace td::glm
