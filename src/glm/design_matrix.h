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
  /// Merged groups (FeatureStats::merged()): coefficient of member q = memberCoef[q]·(the
  /// compact feature's coefficient in the original space), the split of least penalty.
  std::vector<double> memberCoef;
  Reducer red;                     ///< data-parallel: this rank holds a shard of the rows

  /// The scaling of the features in `stats` for a fit with these settings.
  static Scaling make(const FeatureStats& stats, bool fitIntercept, bool standardization,
                      Reducer red);
  /// Variables of the compact problem: k, plus the intercept.
  [[nodiscard]] std::int64_t dim() const { return k + (fitIntercept ? 1 : 0); }
  /// Offset added to every margin: b' − Σ_c w̃_c μ_c/σ_c (or 0 without intercept).
  [[nodiscard]] double offset(const double* z) const;
};

/// The compact sparse training matrix of one frame, in one of two layouts (chosen at build by
/// chooseChunks, below; values are the raw ones, as float when every value is exactly a float —
/// term counts are):
/// - rows (row-major only): 16-bit column indices within column panels of 65,536 (segment (i, p)
///   of row i holds its entries of columns [65536·p, 65536·(p+1))), no row indices, 6 bytes per
///   entry. X̃·v gathers from v; X̃ᵀr scatters the rows of fixed row chunks into per-chunk
///   accumulators of k doubles, added in chunk order; a Hessian-vector product Ãᵀ(D·Ãv) is one
///   fused sweep (hessianProduct): each row's margin is gathered, scaled by D_i and scattered back
///   while the row is in L1 — one stream of the matrix per CG step instead of two (with more than
///   one panel, a chunk's rows are gathered, then scattered: see hessianProduct).
/// - columns (column-major, 16-bit row indices up to 65,536 rows, 32-bit beyond): for small
///   matrices, and those too small to split into two chunks whose accumulators cost little
///   next to the matrix (see chooseChunks); with at most 65,536 columns also a row-major copy for X̃·v (a gather), wider
///   X̃·v scatters fixed column blocks into per-block margins.
/// The inner loops (gathers and scatters, AVX-512 where the build has it) are in
/// glm/sparse_kernels.h. Immutable once built (shared between fits of a regularization path);
/// every sum runs in an order fixed by the data (column blocks of about kColBlockNnz entries, row chunks and blocks of
/// kRowBlock rows, partial results combined in block order): nothing depends on the number of
/// threads.
class DesignMatrix {
 public:
  /// Which layout build() makes: Auto applies chooseChunks; the others force one (tests, benches).
  enum class Layout { Auto, Columns, Rows };

  /// Per-user scratch of the kernels (one per objective).
  struct Workspace {
    std::vector<double> partialMargins;  ///< columns, wide: per column block but the first: n
    std::vector<double> blockSums;       ///< columns: per column block: 3 scalars
    std::vector<double> scaled;          ///< v ⊙ 1/σ for the row-major products
    std::vector<double> acc;             ///< rows: per row chunk, k column sums (2k: weightedSquares)
    std::vector<double> chunkSums;       ///< rows: per row chunk, one scalar
    std::vector<double> rowScratch;      ///< rows, several panels: n values (D·Ãv)
  };

  /// Builds the matrix of the features of X (dimension d over every rank) over the rows of
  /// positive weight, and their statistics: the features that vary become the columns, in the
  /// order of their entry counts (then index). floats: every value is exactly a float.
  /// Data-parallel (red.active()): the totals are over every rank, and the column order and
  /// statistics come from sums over the ranks, while each rank stores only its own rows.
  /// mergeProportional (within one process; for fits whose only penalty is L2): features whose
  /// entries sit in the same rows with the same ratios become one column, the first of them
  /// (FeatureStats::memberPtr lists each group). Hashed text has many: at 2^18 a word seen in
  /// one document is a column of one entry, and each document's such words are one group
  /// (SpamAssassin, 2/3 of the rows: 102,923 columns become 42,941, the entries 0.87).
  static std::shared_ptr<const DesignMatrix> build(const VectorColumn& X, std::int64_t d,
                                                   const std::vector<double>& w,
                                                   const RowTotals& totals, bool floats,
                                                   const Reducer& red, FeatureStats& stats,
                                                   Layout layout = Layout::Auto,
                                                   bool mergeProportional = false);

  /// The number of row chunks of the row layout for a matrix of `nnz` entries of `entryBytes`
  /// bytes over n rows and k columns: the largest power of two (at most kMaxChunks, at least
  /// kMinChunkRows rows each) whose accumulators — zeroed, scattered into and added up, about
  /// 16·k bytes per chunk and pass — cost at most 1/kReduceShare of one stream of the matrix.
  /// A function of the data alone, never of the thread count. build() (Layout::Auto) uses the
  /// row layout when it is at least 2 (two threads have work and the reduction stays small) and
  /// the row-major copy is at least kMinRowLayoutBytes; otherwise the column layout. Measured
  /// (bench/README.md, "Bytes per pass"): on the SpamAssassin rows ×10 (37–55 MB matrices) a CG
  /// step costs 0.70–0.86 of the column layout's, on the rows ×1 (3–6 MB, the n-vector the
  /// column kernels gather from and scatter to sits in L1) 1.1–1.2 of it.
  static std::int64_t chooseChunks(std::int64_t nnz, std::int64_t n, std::int64_t k,
                                   std::int64_t entryBytes);
  static constexpr std::int64_t kMaxChunks = 64;       ///< chooseChunks' upper bound
  static constexpr std::int64_t kMinChunkRows = 256;   ///< rows per chunk at least
  static constexpr std::int64_t kReduceShare = 4;      ///< accumulators ≤ 1/4 of a stream
  static constexpr std::int64_t kMinRowLayoutBytes = std::int64_t{8} << 20;  ///< 8 MiB

  [[nodiscard]] std::int64_t rows() const { return n_; }
  [[nodiscard]] std::int64_t cols() const { return k_; }
  [[nodiscard]] std::int64_t nnz() const { return nnz_; }
  /// Whether this matrix has the row layout (else the column one).
  [[nodiscard]] bool rowLayout() const { return rowLayout_; }
  /// Row chunks of the row layout (0 in the column layout).
  [[nodiscard]] std::int64_t chunks() const {
    return rowLayout_ ? static_cast<std::int64_t>(chunkStart_.size()) - 1 : 0;
  }
  /// Bytes the matrix holds (every copy, index and pointer array).
  [[nodiscard]] std::int64_t residentBytes() const;
  /// Bytes one sweep over the matrix reads (the copy that sweep uses, with its pointers).
  [[nodiscard]] std::int64_t bytesPerPass() const;
  /// Scratch sized for this matrix.
  [[nodiscard]] Workspace workspace() const;

  /// out = Ã·a, i.e. X̃·a + offset(a) (n values); fab = Σ f a b, faa = Σ f a a (b may equal a).
  void multiply(const Scaling& s, const double* a, const double* b, double* out, double& fab,
                double& faa, Workspace& ws) const;
  /// grad = X̃ᵀr/W − μ̃·Σr/W + λ f z over the k columns, and Σr/W for the intercept; residSum is
  /// Σr over every rank's rows (in a data-parallel fit X̃ᵀr is summed over the ranks).
  /// rounded: a Hessian-vector product's X̃ᵀu, summed over the ranks through
  /// Reducer::sumRounded (half the bytes).
  void transposeMultiply(const Scaling& s, const double* r, const double* z, double W,
                         double residSum, double lambda, double* grad, Workspace& ws,
                         bool rounded = false) const;
  /// out = diag(ÃᵀDÃ)/W + λ f: (Σ D x̃² − 2 μ̃ Σ D x̃ + μ̃² Σ D)/W + λ f_c, and ΣD/W for the
  /// intercept; dSum is ΣD over every rank's rows.
  void weightedSquares(const Scaling& s, const double* D, double dSum, double W, double lambda,
                       double* out, Workspace& ws) const;
  /// Row layout only: out = Ãᵀ(D·Ãv)/W + λ f v (and Σ D·Ãv / W for the intercept) in one sweep
  /// over the rows; in a data-parallel fit the sums are over every rank (X̃ᵀu through
  /// Reducer::sumRounded).
  void hessianProduct(const Scaling& s, const double* v, const double* D, double W,
                      double lambda, double* out, Workspace& ws) const;
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
  // Calls f(kernels::Rows<V>) with the typed row-major arrays (glm/sparse_kernels.h).
  template <class F>
  void withRows(F&& f) const;
  // Row layout: Σ_chunks acc (k values per chunk) into out, column by column in chunk order.
  void reduceChunks(const double* acc, double* out) const;
  // out_c = Σ val·r (column c) becomes X̃ᵀr/W − μ̃·Σr/W + λ f z; residSum is over every rank.
  static void finishGradient(const Scaling& s, double residSum, const double* z, double W,
                             double lambda, double* out, bool rounded);
  void partitionColumns();
  void partitionRows(std::int64_t chunks);
  void dropColumns();

  std::int64_t n_ = 0, k_ = 0, nnz_ = 0;
  std::vector<std::int64_t> colPtr_;
  std::vector<std::uint16_t> row16_;  // row indices when rows16_
  std::vector<std::int32_t> row32_;   // otherwise
  std::vector<float> val32_;          // raw values when vals32_
  std::vector<double> val64_;         // otherwise
  bool rows16_ = false, vals32_ = false;
  std::vector<std::int64_t> blockStart_;  // column block b is [blockStart_[b], blockStart_[b+1])
  // Row-major copy (useRows_, at most 65,536 columns) or the row layout (rowLayout_): 16-bit
  // column indices; segment s = i·panels_ + p of row i is [rowPtr_[s], rowPtr_[s+1]), its
  // columns 65536·p + col16_[q]; values as in the columns.
  std::vector<std::int64_t> rowPtr_;
  std::vector<std::uint16_t> col16_;
  std::vector<float> rval32_;
  std::vector<double> rval64_;
  std::int64_t panels_ = 1;
  bool useRows_ = false, rowLayout_ = false;
  std::vector<std::int64_t> chunkStart_;  // row layout: chunk b is rows [chunkStart_[b], [b+1])
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
    bool mergeProportional = false;  ///< how the matrix was built (build's argument)
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
