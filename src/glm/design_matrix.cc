// src/glm/design_matrix.cc
#include "glm/design_matrix.h"

#include <algorithm>
#include <type_traits>

#include "thunderdome/core/parallel.h"

namespace td::glm {

// ---------------------------------------------------------------- Scaling
Scaling Scaling::make(const FeatureStats& stats, bool fitIntercept, bool standardization,
                      Reducer red) {
  Scaling s;
  s.k = stats.size();
  s.fitIntercept = fitIntercept;
  s.red = red;
  const auto ku = static_cast<std::size_t>(s.k);
  s.invStd.resize(ku);
  s.scaledMean.resize(ku);
  s.l2Factor.resize(ku);
  for (std::size_t c = 0; c < ku; ++c) {
    const double sd = stats.sigma[c];
    s.invStd[c] = 1.0 / sd;
    s.scaledMean[c] = fitIntercept ? stats.mean[c] / sd : 0.0;
    s.l2Factor[c] = standardization ? 1.0 : 1.0 / (sd * sd);
  }
  return s;
}

double Scaling::offset(const double* z) const {
  if (!fitIntercept) return 0.0;
  double s = 0.0;
  for (std::int64_t c = 0; c < k; ++c) s += z[c] * scaledMean[static_cast<std::size_t>(c)];
  return z[k] - s;
}

// ---------------------------------------------------------------- building
// The compact column-major matrix and the statistics, O(nnz + d) and no sort: count the entries
// of each feature over the rows of positive weight, number the features that occur by length
// then index (a counting sort: the products' inner loops then run over runs of equal-length
// columns, which the branch predictor follows — hashed text at 2^18 has ~100 k columns of a few
// entries each), scatter the entries straight into the compact arrays (rows ascending within a
// column), then the statistics column by column — the same sums in the same order as a
// row-wise pass — keeping, in place, the columns with σ > 0. I is the row index type, V the
// value type (float only when every value is exactly a float).
template <class I, class V>
struct Builder {
  DesignMatrix& M;
  std::vector<I>& rows;
  std::vector<V>& vals;

  // Numbers the features that occur; returns slot (feature -> provisional column) and fills
  // seen/count and the column pointers.
  std::vector<std::int32_t> numberColumns(const VectorColumn& X, std::int64_t d,
                                          const std::vector<double>& w, const RowTotals& t,
                                          const Reducer& red, std::vector<std::int32_t>& seen,
                                          std::vector<double>& count) {
    const bool shards = red.active();
    const std::int64_t n = X.size();  // d: the dimension over all ranks (an empty shard's may be 0)
    // Rows are read through X[i], not the CSR arrays: a fold (a row view) is never copied.
    std::vector<std::int32_t> slot(static_cast<std::size_t>(d), 0);  // count, then column
    for (std::int64_t i = 0; i < n; ++i) {
      if (!(w[static_cast<std::size_t>(i)] > 0.0)) continue;
      const VectorView v = X[i];
      for (std::int64_t p = 0; p < v.nnz; ++p) ++slot[static_cast<std::size_t>(v.indices[p])];
    }
    std::vector<double> total;  // counts over the ranks (data-parallel only)
    if (shards) {
      total.assign(slot.begin(), slot.end());
      red.sum(total.data(), total.size());
    }
    auto key = [&](std::int64_t j) {
      return shards ? static_cast<std::int64_t>(total[static_cast<std::size_t>(j)])
                    : static_cast<std::int64_t>(slot[static_cast<std::size_t>(j)]);
    };
    std::vector<std::int64_t> lengthStart(static_cast<std::size_t>(t.positiveRows) + 2, 0);
    for (std::int64_t j = 0; j < d; ++j) ++lengthStart[static_cast<std::size_t>(key(j)) + 1];
    lengthStart[1] = 0;  // features that never occur get no column
    for (std::size_t len = 1; len + 1 < lengthStart.size(); ++len)
      lengthStart[len + 1] += lengthStart[len];
    const auto kSeen = static_cast<std::size_t>(lengthStart.back());
    seen.resize(kSeen);
    count.resize(kSeen);
    auto& colPtr = M.colPtr_;
    colPtr.assign(kSeen + 1, 0);
    for (std::int64_t j = 0; j < d; ++j) {
      auto& s = slot[static_cast<std::size_t>(j)];
      const std::int64_t kj = key(j);
      if (kj == 0) {
        s = -1;
        continue;
      }
      const auto c = static_cast<std::size_t>(lengthStart[static_cast<std::size_t>(kj)]++);
      colPtr[c + 1] = s;
      count[c] = static_cast<double>(kj);
      s = static_cast<std::int32_t>(c);
      seen[c] = static_cast<std::int32_t>(j);
    }
    for (std::size_t c = 0; c < kSeen; ++c) colPtr[c + 1] += colPtr[c];
    return slot;
  }

  // Scatters the entries of the rows of positive weight into their provisional columns.
  void scatter(const VectorColumn& X, const std::vector<double>& w,
               const std::vector<std::int32_t>& slot) {
    const auto& colPtr = M.colPtr_;
    rows.resize(static_cast<std::size_t>(colPtr.back()));
    vals.resize(rows.size());
    std::vector<std::int64_t> cursor(colPtr.begin(), colPtr.end() - 1);
    for (std::int64_t i = 0; i < X.size(); ++i) {
      if (!(w[static_cast<std::size_t>(i)] > 0.0)) continue;
      const VectorView v = X[i];
      for (std::int64_t p = 0; p < v.nnz; ++p) {
        const auto at = static_cast<std::size_t>(
            cursor[static_cast<std::size_t>(slot[static_cast<std::size_t>(v.indices[p])])]++);
        rows[at] = static_cast<I>(i);
        vals[at] = static_cast<V>(v.values[p]);
      }
    }
  }

  // Keeps, moved down in place, the columns with σ > 0; fills stats; slot becomes colOf.
  void compact(const std::vector<std::int32_t>& seen, const std::vector<double>& mean,
               const std::vector<double>& sigma, FeatureStats& stats,
               std::vector<std::int32_t>& slot) {
    auto& colPtr = M.colPtr_;
    const std::size_t kSeen = seen.size();
    std::vector<std::int32_t> finalOf(kSeen, -1);
    std::size_t out = 0;
    std::int64_t outPtr = 0;
    for (std::size_t c = 0; c < kSeen; ++c) {
      if (!(sigma[c] > 0.0)) continue;
      const auto pb = static_cast<std::size_t>(colPtr[c]);
      const auto pe = static_cast<std::size_t>(colPtr[c + 1]);
      finalOf[c] = static_cast<std::int32_t>(out);
      stats.active.push_back(seen[c]);
      stats.mean.push_back(mean[c]);
      stats.sigma.push_back(sigma[c]);
      if (static_cast<std::int64_t>(pb) != outPtr) {  // a column was dropped before: move down
        std::copy(rows.begin() + static_cast<std::ptrdiff_t>(pb),
                  rows.begin() + static_cast<std::ptrdiff_t>(pe), rows.begin() + outPtr);
        std::copy(vals.begin() + static_cast<std::ptrdiff_t>(pb),
                  vals.begin() + static_cast<std::ptrdiff_t>(pe), vals.begin() + outPtr);
      }
      outPtr += static_cast<std::int64_t>(pe - pb);
      colPtr[++out] = outPtr;  // out <= c: overwrites only bounds already read
    }
    colPtr.resize(out + 1);
    rows.resize(static_cast<std::size_t>(outPtr));
    vals.resize(static_cast<std::size_t>(outPtr));
    for (auto& v : slot) v = v < 0 ? -1 : finalOf[static_cast<std::size_t>(v)];
  }

  // The row-major copy (at most 65,536 columns): 16-bit column indices.
  void buildRows(const VectorColumn& X, const std::vector<double>& wt,
                 const std::vector<std::int32_t>& colOf) {
    M.useRows_ = M.k_ <= 65536;
    if (!M.useRows_) return;
    const std::int64_t n = X.size();
    M.rowPtr_.assign(static_cast<std::size_t>(n) + 1, 0);
    M.col16_.resize(vals.size());
    std::vector<V>& rv = [&]() -> std::vector<V>& {
      if constexpr (std::is_same_v<V, float>) return M.rval32_;
      else return M.rval64_;
    }();
    rv.resize(vals.size());
    std::size_t q = 0;
    for (std::int64_t i = 0; i < n; ++i) {
      if (wt[static_cast<std::size_t>(i)] > 0.0) {
        const VectorView v = X[i];  // rows, not the CSR arrays: a fold view is not copied
        for (std::int64_t p = 0; p < v.nnz; ++p) {
          const std::int32_t c = colOf[static_cast<std::size_t>(v.indices[p])];
          if (c < 0) continue;
          M.col16_[q] = static_cast<std::uint16_t>(c);
          rv[q] = static_cast<V>(v.values[p]);
          ++q;
        }
      }
      M.rowPtr_[static_cast<std::size_t>(i) + 1] = static_cast<std::int64_t>(q);
    }
  }

  void run(const VectorColumn& X, std::int64_t d, const std::vector<double>& w, const RowTotals& t,
           const Reducer& red, FeatureStats& stats) {
    std::vector<std::int32_t> seen;
    std::vector<double> count, mean, sigma;
    std::vector<std::int32_t> slot = numberColumns(X, d, w, t, red, seen, count);
    scatter(X, w, slot);
    columnStats(M.colPtr_, rows, vals, count, w, t, red, mean, sigma);
    compact(seen, mean, sigma, stats, slot);
    M.k_ = stats.size();
    buildRows(X, w, slot);
  }
};

std::shared_ptr<const DesignMatrix> DesignMatrix::build(const VectorColumn& X, std::int64_t d,
                                                        const std::vector<double>& w,
                                                        const RowTotals& totals, bool floats,
                                                        const Reducer& red, FeatureStats& stats) {
  auto M = std::make_shared<DesignMatrix>();
  M->n_ = X.size();
  M->rows16_ = M->n_ <= 65536;
  M->vals32_ = floats;
  auto go = [&](auto& rows, auto& vals) {
    using I = typename std::decay_t<decltype(rows)>::value_type;
    using V = typename std::decay_t<decltype(vals)>::value_type;
    Builder<I, V>{*M, rows, vals}.run(X, d, w, totals, red, stats);
  };
  if (M->rows16_) {
    if (M->vals32_) go(M->row16_, M->val32_);
    else go(M->row16_, M->val64_);
  } else {
    if (M->vals32_) go(M->row32_, M->val32_);
    else go(M->row32_, M->val64_);
  }
  M->partitionColumns();
  return M;
}

// Column blocks of about kColBlockNnz entries: the parallel grain of the column passes.
void DesignMatrix::partitionColumns() {
  blockStart_.assign(1, 0);
  std::int64_t acc = 0;
  for (std::int64_t c = 0; c < k_; ++c) {
    acc += colPtr_[static_cast<std::size_t>(c) + 1] - colPtr_[static_cast<std::size_t>(c)];
    if (acc >= kColBlockNnz && c + 1 < k_) {
      blockStart_.push_back(c + 1);
      acc = 0;
    }
  }
  blockStart_.push_back(k_);
}

DesignMatrix::Workspace DesignMatrix::workspace() const {
  Workspace ws;
  const auto nu = static_cast<std::size_t>(n_);
  const std::size_t blocks = blockStart_.size() - 1;
  if (!useRows_) ws.partialMargins.assign((blocks - 1) * nu, 0.0);
  ws.blockSums.assign(3 * blocks, 0.0);
  if (useRows_) ws.scaled.assign(static_cast<std::size_t>(k_), 0.0);
  return ws;
}

// ---------------------------------------------------------------- kernels
namespace {

// out_i = Σ_p val·a[col] + off over the rows [i0, i1); four partial sums per row.
template <class V>
void multiplyRows(const std::int64_t* __restrict rp, const std::uint16_t* __restrict ci,
                  const V* __restrict rv, const double* __restrict a, double off, std::int64_t i0,
                  std::int64_t i1, double* __restrict out) {
  for (std::int64_t i = i0; i < i1; ++i) {
    double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
    std::int64_t p = rp[i];
    const std::int64_t pe = rp[i + 1];
    for (; p + 4 <= pe; p += 4) {
      s0 += static_cast<double>(rv[p]) * a[ci[p]];
      s1 += static_cast<double>(rv[p + 1]) * a[ci[p + 1]];
      s2 += static_cast<double>(rv[p + 2]) * a[ci[p + 2]];
      s3 += static_cast<double>(rv[p + 3]) * a[ci[p + 3]];
    }
    if (p < pe) s0 += static_cast<double>(rv[p]) * a[ci[p]];
    if (p + 1 < pe) s1 += static_cast<double>(rv[p + 1]) * a[ci[p + 1]];
    if (p + 2 < pe) s2 += static_cast<double>(rv[p + 2]) * a[ci[p + 2]];
    out[i] = ((s0 + s1) + (s2 + s3)) + off;
  }
}

// P += X̃·a over the columns [c0, c1) (P of n values, zeroed by the caller); sums = [Σ a μ̃,
// Σ f a b, Σ f a a] over those columns.
template <class I, class V>
void multiplyColumns(const std::int64_t* __restrict cp, const I* __restrict ri,
                     const V* __restrict cv, const double* __restrict inv,
                     const double* __restrict lf, const double* __restrict mu,
                     const double* __restrict a, const double* __restrict b, std::int64_t c0,
                     std::int64_t c1, double* __restrict P, double* __restrict sums) {
  double sMu = 0.0, sAB = 0.0, sAA = 0.0;
  for (std::int64_t c = c0; c < c1; ++c) {
    const double ac = a[c];
    if (ac == 0.0) continue;
    const double fa = lf[c] * ac;
    sMu += ac * mu[c];
    sAB += fa * b[c];
    sAA += fa * ac;
    const double sc = ac * inv[c];
    const std::int64_t pe = cp[c + 1];
    for (std::int64_t p = cp[c]; p < pe; ++p) P[ri[p]] += static_cast<double>(cv[p]) * sc;
  }
  sums[0] = sMu, sums[1] = sAB, sums[2] = sAA;
}

// grad_c = (X̃ᵀr)_c/W − μ̃_c·Σr/W + λ f_c z_c over the columns [c0, c1).
template <class I, class V>
void gradientColumns(const std::int64_t* __restrict cp, const I* __restrict ri,
                     const V* __restrict cv, const double* __restrict rr,
                     const double* __restrict inv, const double* __restrict lf,
                     const double* __restrict mu, const double* __restrict z, double W,
                     double meanResid, double lambda, std::int64_t c0, std::int64_t c1,
                     double* __restrict grad) {
  for (std::int64_t c = c0; c < c1; ++c) {
    // Four partial sums (entries p ≡ 0..3 mod 4 from the column start) break the latency
    // chain of long columns; their order is fixed by the data alone.
    double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
    std::int64_t p = cp[c];
    const std::int64_t pe = cp[c + 1];
    for (; p + 4 <= pe; p += 4) {
      s0 += static_cast<double>(cv[p]) * rr[ri[p]];
      s1 += static_cast<double>(cv[p + 1]) * rr[ri[p + 1]];
      s2 += static_cast<double>(cv[p + 2]) * rr[ri[p + 2]];
      s3 += static_cast<double>(cv[p + 3]) * rr[ri[p + 3]];
    }
    if (p < pe) s0 += static_cast<double>(cv[p]) * rr[ri[p]];
    if (p + 1 < pe) s1 += static_cast<double>(cv[p + 1]) * rr[ri[p + 1]];
    if (p + 2 < pe) s2 += static_cast<double>(cv[p + 2]) * rr[ri[p + 2]];
    const double s = ((s0 + s1) + (s2 + s3)) * inv[c];
    double g = s / W - mu[c] * meanResid;
    if (lambda != 0.0) g += lambda * lf[c] * z[c];
    grad[c] = g;
  }
}

// diag_c = (Σ D x̃² − 2 μ̃ Σ D x̃ + μ̃² Σ D)/W + λ f_c over the columns [c0, c1).
template <class I, class V>
void diagonalColumns(const std::int64_t* __restrict cp, const I* __restrict ri,
                     const V* __restrict cv, const double* __restrict dd,
                     const double* __restrict inv, const double* __restrict lf,
                     const double* __restrict mu, double dSum, double W, double lambda,
                     std::int64_t c0, std::int64_t c1, double* __restrict out) {
  for (std::int64_t c = c0; c < c1; ++c) {
    double s1 = 0.0, s2 = 0.0;
    const std::int64_t pe = cp[c + 1];
    for (std::int64_t p = cp[c]; p < pe; ++p) {
      const double x = static_cast<double>(cv[p]);
      const double dx = dd[ri[p]] * x;
      s1 += dx * x;
      s2 += dx;
    }
    const double iv = inv[c];
    out[c] = (iv * iv * s1 - 2.0 * mu[c] * iv * s2 + mu[c] * mu[c] * dSum) / W + lambda * lf[c];
  }
}

}  // namespace

void DesignMatrix::multiply(const Scaling& s, const double* a, const double* b, double* out,
                            double& fab, double& faa, Workspace& ws) const {
  if (useRows_) {
    multiplyByRows(s, a, b, out, fab, faa, ws);
    return;
  }
  const auto nu = static_cast<std::size_t>(n_);
  const auto blocks = static_cast<std::int64_t>(blockStart_.size()) - 1;
  withColumns([&](const auto* ri, const auto* cv) {
    parallel::forBlocks(blocks, 1, [&](std::int64_t blk, std::int64_t, std::int64_t) {
      double* P =
          blk == 0 ? out : ws.partialMargins.data() + static_cast<std::size_t>(blk - 1) * nu;
      std::fill(P, P + nu, 0.0);
      multiplyColumns(colPtr_.data(), ri, cv, s.invStd.data(), s.l2Factor.data(),
                      s.scaledMean.data(), a, b, blockStart_[static_cast<std::size_t>(blk)],
                      blockStart_[static_cast<std::size_t>(blk) + 1], P,
                      ws.blockSums.data() + 3 * blk);
    });
  });
  double sMu = 0.0;
  fab = 0.0, faa = 0.0;
  if (s.red.active()) {
    // The column blocks follow this rank's entries: sum in an order every rank shares.
    sMu = columnSums(s, a, b, fab, faa);
  } else {
    for (std::int64_t blk = 0; blk < blocks; ++blk) {
      const double* bs = ws.blockSums.data() + 3 * blk;
      sMu += bs[0], fab += bs[1], faa += bs[2];
    }
  }
  const double off = s.fitIntercept ? a[s.k] - sMu : 0.0;
  const double* P = ws.partialMargins.data();
  parallel::forBlocks(n_, kRowBlock, [&](std::int64_t, std::int64_t begin, std::int64_t end) {
    for (std::int64_t i = begin; i < end; ++i) {
      double v = out[i];
      for (std::int64_t blk = 1; blk < blocks; ++blk)
        v += P[static_cast<std::size_t>(blk - 1) * nu + static_cast<std::size_t>(i)];
      out[i] = v + off;
    }
  });
}

double DesignMatrix::columnSums(const Scaling& s, const double* a, const double* b, double& fab,
                                double& faa) {
  double sMu[4] = {}, sAB[4] = {}, sAA[4] = {};
  const double* lf = s.l2Factor.data();
  const double* mu = s.scaledMean.data();
  const std::int64_t k = s.k;
  auto lane = [&](std::int64_t c, int l) {
    const double ac = a[c];
    const double fa = lf[c] * ac;
    sMu[l] += ac * mu[c];
    sAB[l] += fa * b[c];
    sAA[l] += fa * ac;
  };
  std::int64_t c = 0;
  for (; c + 4 <= k; c += 4)
    for (int l = 0; l < 4; ++l) lane(c + l, l);
  for (int l = 0; c + l < k; ++l) lane(c + l, l);
  fab = (sAB[0] + sAB[1]) + (sAB[2] + sAB[3]);
  faa = (sAA[0] + sAA[1]) + (sAA[2] + sAA[3]);
  return (sMu[0] + sMu[1]) + (sMu[2] + sMu[3]);
}

void DesignMatrix::multiplyByRows(const Scaling& s, const double* a, const double* b, double* out,
                                  double& fab, double& faa, Workspace& ws) const {
  const double sMu = columnSums(s, a, b, fab, faa);
  const double* inv = s.invStd.data();
  double* as = ws.scaled.data();
  for (std::int64_t c = 0; c < k_; ++c) as[c] = a[c] * inv[c];
  const double off = s.fitIntercept ? a[s.k] - sMu : 0.0;
  parallel::forBlocks(n_, kRowBlock, [&](std::int64_t, std::int64_t begin, std::int64_t end) {
    if (vals32_)
      multiplyRows(rowPtr_.data(), col16_.data(), rval32_.data(), as, off, begin, end, out);
    else multiplyRows(rowPtr_.data(), col16_.data(), rval64_.data(), as, off, begin, end, out);
  });
}

void DesignMatrix::transposeMultiply(const Scaling& s, const double* r, const double* z, double W,
                                     double residSum, double lambda, double* grad) const {
  const double meanResid = residSum / W;
  const bool shards = s.red.active();  // then: local X̃ᵀr/W, summed, then the rest
  const auto blocks = static_cast<std::int64_t>(blockStart_.size()) - 1;
  withColumns([&](const auto* ri, const auto* cv) {
    parallel::forBlocks(blocks, 1, [&](std::int64_t blk, std::int64_t, std::int64_t) {
      gradientColumns(colPtr_.data(), ri, cv, r, s.invStd.data(), s.l2Factor.data(),
                      s.scaledMean.data(), z, W, shards ? 0.0 : meanResid, shards ? 0.0 : lambda,
                      blockStart_[static_cast<std::size_t>(blk)],
                      blockStart_[static_cast<std::size_t>(blk) + 1], grad);
    });
  });
  if (shards) {
    s.red.sum(grad, static_cast<std::size_t>(s.k));
    for (std::int64_t c = 0; c < s.k; ++c) {
      const auto cu = static_cast<std::size_t>(c);
      grad[c] +=
          -s.scaledMean[cu] * meanResid + (lambda != 0.0 ? lambda * s.l2Factor[cu] * z[c] : 0.0);
    }
  }
  if (s.fitIntercept) grad[s.k] = meanResid;
}

void DesignMatrix::weightedSquares(const Scaling& s, const double* D, double dSum, double W,
                                   double lambda, double* out) const {
  const bool shards = s.red.active();  // then: the row sums, summed over ranks, then the rest
  const auto blocks = static_cast<std::int64_t>(blockStart_.size()) - 1;
  withColumns([&](const auto* ri, const auto* cv) {
    parallel::forBlocks(blocks, 1, [&](std::int64_t blk, std::int64_t, std::int64_t) {
      diagonalColumns(colPtr_.data(), ri, cv, D, s.invStd.data(), s.l2Factor.data(),
                      s.scaledMean.data(), shards ? 0.0 : dSum, W, shards ? 0.0 : lambda,
                      blockStart_[static_cast<std::size_t>(blk)],
                      blockStart_[static_cast<std::size_t>(blk) + 1], out);
    });
  });
  if (shards) {
    s.red.sum(out, static_cast<std::size_t>(s.k));
    for (std::int64_t c = 0; c < s.k; ++c) {
      const auto cu = static_cast<std::size_t>(c);
      out[c] += s.scaledMean[cu] * s.scaledMean[cu] * dSum / W + lambda * s.l2Factor[cu];
    }
  }
  if (s.fitIntercept) out[s.k] = dSum / W;
}

// ---------------------------------------------------------------- a dense column as sparse
std::shared_ptr<VectorColumn> toSparse(const VectorColumn& X) {
  // Two parallel passes: count each row's non-zeros, then write them at their offsets (no
  // growing arrays: every page is touched once).
  const std::int64_t n = X.size();
  constexpr std::int64_t kBlock = 8192;
  std::vector<std::int64_t> offsets(static_cast<std::size_t>(n) + 1, 0);
  parallel::forBlocks(n, kBlock, [&](std::int64_t, std::int64_t begin, std::int64_t end) {
    for (std::int64_t i = begin; i < end; ++i) {
      const VectorView v = X[i];
      std::int64_t c = 0;
      for (std::int64_t p = 0; p < v.nnz; ++p) c += v.values[p] != 0.0;
      offsets[static_cast<std::size_t>(i) + 1] = c;
    }
  });
  for (std::size_t i = 1; i < offsets.size(); ++i) offsets[i] += offsets[i - 1];
  std::vector<std::int32_t> indices(static_cast<std::size_t>(offsets.back()));
  std::vector<double> values(indices.size());
  parallel::forBlocks(n, kBlock, [&](std::int64_t, std::int64_t begin, std::int64_t end) {
    for (std::int64_t i = begin; i < end; ++i) {
      const VectorView v = X[i];
      auto q = static_cast<std::size_t>(offsets[static_cast<std::size_t>(i)]);
      for (std::int64_t p = 0; p < v.nnz; ++p) {
        if (v.values[p] == 0.0) continue;
        indices[q] = static_cast<std::int32_t>(v.indices ? v.indices[p] : p);
        values[q] = v.values[p];
        ++q;
      }
    }
  });
  return VectorColumn::sparse(X.dim(), std::move(offsets), std::move(indices), std::move(values));
}

}  // namespace td::glm
