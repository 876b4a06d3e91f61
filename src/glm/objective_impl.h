// src/glm/objective_impl.h — the definitions of the objective templates of objective.h. A stage
// with a new loss includes this in its .cc and instantiates the objectives for its loss:
//   template class td::glm::SparseObjective<MyLoss>;
#pragma once

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <utility>

#include "glm/objective.h"
#include "thunderdome/core/parallel.h"

namespace td::glm {

inline constexpr std::int64_t kDenseRowBlock = 512;  ///< dense: rows per block of the fused pass

// ---------------------------------------------------------------- DenseObjective
template <Loss L>
DenseObjective<L>::DenseObjective(const Problem& p, const VectorColumn& X)
    : p_(p), X_(X), d_(X.dim()) {
  const auto blocks = static_cast<std::size_t>(parallel::numBlocks(p.n, kDenseRowBlock));
  partialLoss_.assign(blocks, 0.0);
  partialResid_.assign(blocks, 0.0);
  beta_.assign(static_cast<std::size_t>(d_), 0.0);
  partialGrad_.assign(blocks * static_cast<std::size_t>(d_), 0.0);
  scratch_.assign(static_cast<std::size_t>(p.n), 0.0);
}

template <Loss L>
double DenseObjective<L>::operator()(const double* z, double* grad) {
  const Scaling& s = p_.scaling;
  const std::int64_t k = s.k;
  const double off = s.offset(z);
  const double W = p_.weightSum;
  const std::int64_t blocks = parallel::numBlocks(p_.n, kDenseRowBlock);
  double lossSum = 0.0, residSum = 0.0;
  std::fill(beta_.begin(), beta_.end(), 0.0);
  for (std::int64_t c = 0; c < k; ++c)
    beta_[static_cast<std::size_t>(p_.stats.active[static_cast<std::size_t>(c)])] =
        z[c] * s.invStd[static_cast<std::size_t>(c)];
  const double* bp = beta_.data();
  const double* xv = X_.values().data();
  const double* y = p_.y;
  const double* w = p_.w;
  const std::int64_t dd = d_;
  // Per block of rows: margins m = X_b·β and the partial gradient X_bᵀr as two Eigen
  // matrix-vector products (the block stays in cache between them).
  using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  const Eigen::Map<const Eigen::VectorXd> betaVec(bp, dd);
  auto block = [&](std::int64_t b, std::int64_t begin, std::int64_t end) {
    const std::int64_t rows = end - begin;
    const Eigen::Map<const RowMajor> xb(xv + begin * dd, rows, dd);
    Eigen::Map<Eigen::VectorXd> m(scratch_.data() + begin, rows);
    m.noalias() = xb * betaVec;
    double loss = 0.0, rs = 0.0;
    for (std::int64_t i = begin; i < end; ++i) {
      double& mi = scratch_[static_cast<std::size_t>(i)];
      const double wi = w[i];
      if (wi == 0.0) {
        mi = 0.0;
        continue;
      }
      const RowTerms t = L::terms(y[i], mi + off, wi);
      loss += t.loss;
      rs += t.deriv;
      mi = t.deriv;  // the residual replaces the margin
    }
    Eigen::Map<Eigen::VectorXd>(partialGrad_.data() + b * dd, dd).noalias() = xb.transpose() * m;
    partialLoss_[static_cast<std::size_t>(b)] = loss;
    partialResid_[static_cast<std::size_t>(b)] = rs;
  };
  parallel::forBlocks(p_.n, kDenseRowBlock, block);
  for (std::int64_t b = 0; b < blocks; ++b) {
    lossSum += partialLoss_[static_cast<std::size_t>(b)];
    residSum += partialResid_[static_cast<std::size_t>(b)];
  }
  const double meanResid = residSum / W;
  for (std::int64_t c = 0; c < k; ++c) {
    const auto j = static_cast<std::size_t>(p_.stats.active[static_cast<std::size_t>(c)]);
    double sum = 0.0;
    for (std::int64_t b = 0; b < blocks; ++b)
      sum += partialGrad_[static_cast<std::size_t>(b) * static_cast<std::size_t>(dd) + j];
    grad[c] = sum * s.invStd[static_cast<std::size_t>(c)] / W -
              s.scaledMean[static_cast<std::size_t>(c)] * meanResid;
  }
  double value = lossSum / W;
  if (p_.l2 != 0.0) {
    double pen = 0.0;
    for (std::int64_t c = 0; c < k; ++c) {
      const double f = s.l2Factor[static_cast<std::size_t>(c)];
      pen += f * z[c] * z[c];
      grad[c] += p_.l2 * f * z[c];
    }
    value += 0.5 * p_.l2 * pen;
  }
  if (s.fitIntercept) grad[k] = residSum / W;
  return value;
}

// ---------------------------------------------------------------- SparseObjective
template <Loss L>
SparseObjective<L>::SparseObjective(const Problem& p, std::shared_ptr<const DesignMatrix> X)
    : p_(p), X_(std::move(X)), ws_(X_->workspace()) {
  const auto nu = static_cast<std::size_t>(p.n);
  m_.assign(nu, 0.0);
  q_.assign(nu, 0.0);
  mt_.assign(nu, 0.0);
  r_.assign(nu, 0.0);
  rowSums_.assign(3 * static_cast<std::size_t>(parallel::numBlocks(p.n, kRowBlock)), 0.0);
}

// Loss and residuals at the margins m (line: m + t·q, written to mt): fills r; returns Σ w ℓ
// and writes Σ r and Σ r q, summed over the ranks.
template <Loss L>
double SparseObjective<L>::rowPass(double t, bool line, double& residSum, double& slopeSum) {
  const std::int64_t n = p_.n;
  const std::int64_t blocks = parallel::numBlocks(n, kRowBlock);
  const double* mBase = m_.data();
  double* mOut = mt_.data();
  const double* y = p_.y;
  const double* w = p_.w;
  parallel::forBlocks(n, kRowBlock, [&](std::int64_t blk, std::int64_t begin, std::int64_t end) {
    double loss = 0.0, rs = 0.0, rq = 0.0;
    for (std::int64_t i = begin; i < end; ++i) {
      const auto iu = static_cast<std::size_t>(i);
      const double mi = line ? mBase[i] + t * q_[iu] : mBase[i];
      if (line) mOut[i] = mi;
      const double wi = w[i];
      if (wi == 0.0) {
        r_[iu] = 0.0;
        continue;
      }
      const RowTerms rt = L::terms(y[i], mi, wi);
      loss += rt.loss;
      const double ri = rt.deriv;
      r_[iu] = ri;
      rs += ri;
      if (line) rq += ri * q_[iu];
    }
    double* s = rowSums_.data() + 3 * blk;
    s[0] = loss, s[1] = rs, s[2] = rq;
  });
  double lossSum = 0.0;
  residSum = 0.0, slopeSum = 0.0;
  for (std::int64_t blk = 0; blk < blocks; ++blk) {
    const double* s = rowSums_.data() + 3 * blk;
    lossSum += s[0], residSum += s[1], slopeSum += s[2];
  }
  const Reducer& red = p_.scaling.red;
  if (red.active()) {
    double tot[3] = {lossSum, residSum, slopeSum};
    red.sum(tot, 3);
    lossSum = tot[0], residSum = tot[1], slopeSum = tot[2];
  }
  return lossSum;
}

template <Loss L>
double SparseObjective<L>::evaluate(const double* z, double* grad) {
  double faa = 0.0, fab = 0.0;
  X_->multiply(p_.scaling, z, z, m_.data(), fab, faa, ws_);
  pen_ = faa;
  double residSum = 0.0, slope = 0.0;
  const double lossSum = rowPass(0.0, false, residSum, slope);
  X_->transposeMultiply(p_.scaling, r_.data(), z, p_.weightSum, residSum, p_.l2, grad, ws_);
  haveLast_ = false;
  haveCurvature_ = false;
  return lossSum / p_.weightSum + (p_.l2 != 0.0 ? 0.5 * p_.l2 * pen_ : 0.0);
}

template <Loss L>
void SparseObjective<L>::beginLine(const double* x, const double* d) {
  X_->multiply(p_.scaling, d, x, q_.data(), lineB_, lineC_, ws_);
  haveLast_ = false;
}

template <Loss L>
double SparseObjective<L>::lineValue(double t, double* slope) {
  double residSum = 0.0, rq = 0.0;
  const double lossSum = rowPass(t, true, residSum, rq);
  double value = lossSum / p_.weightSum;
  double s = rq / p_.weightSum;
  if (p_.l2 != 0.0) {
    value += 0.5 * p_.l2 * penaltyAt(t);
    s += p_.l2 * (lineB_ + t * lineC_);
  }
  *slope = s;
  lastT_ = t;
  lastValue_ = value;
  lastResidSum_ = residSum;
  haveLast_ = true;
  return value;
}

template <Loss L>
double SparseObjective<L>::acceptStep(double t, const double* xNew, double* grad) {
  if (!haveLast_ || t != lastT_) {
    double slope = 0.0;
    (void)lineValue(t, &slope);
  }
  std::swap(m_, mt_);
  pen_ = penaltyAt(t);
  X_->transposeMultiply(p_.scaling, r_.data(), xNew, p_.weightSum, lastResidSum_, p_.l2, grad,
                        ws_);
  haveLast_ = false;
  haveCurvature_ = false;
  return lastValue_;
}

// D_i = w_i·ℓ''(y_i, m_i) at the current margins, and ΣD over the ranks.
template <Loss L>
void SparseObjective<L>::ensureCurvature() {
  if (haveCurvature_) return;
  const std::int64_t n = p_.n;
  const auto nu = static_cast<std::size_t>(n);
  curv_.resize(nu);
  const double* y = p_.y;
  const double* w = p_.w;
  const std::int64_t blocks = parallel::numBlocks(n, kRowBlock);
  parallel::forBlocks(n, kRowBlock, [&](std::int64_t blk, std::int64_t begin, std::int64_t end) {
    double sum = 0.0;
    for (std::int64_t i = begin; i < end; ++i) {
      const double di = L::curvature(y[i], m_[static_cast<std::size_t>(i)], w[i]);
      curv_[static_cast<std::size_t>(i)] = di;
      sum += di;
    }
    rowSums_[3 * static_cast<std::size_t>(blk)] = sum;
  });
  curvSum_ = 0.0;
  for (std::int64_t blk = 0; blk < blocks; ++blk)
    curvSum_ += rowSums_[3 * static_cast<std::size_t>(blk)];
  p_.scaling.red.sum(&curvSum_, 1);
  haveCurvature_ = true;
}

template <Loss L>
void SparseObjective<L>::hessianVector(const double* v, double* out) {
  ensureCurvature();
  if (X_->rowLayout()) {  // one fused sweep over the rows
    X_->hessianProduct(p_.scaling, v, curv_.data(), p_.weightSum, p_.l2, out, ws_);
    return;
  }
  hu_.resize(static_cast<std::size_t>(p_.n));
  double fab = 0.0, faa = 0.0;
  X_->multiply(p_.scaling, v, v, hu_.data(), fab, faa, ws_);  // hu = Ã·v
  const std::int64_t blocks = parallel::numBlocks(p_.n, kRowBlock);
  parallel::forBlocks(p_.n, kRowBlock, [&](std::int64_t blk, std::int64_t begin, std::int64_t end) {
    double sum = 0.0;
    for (std::int64_t i = begin; i < end; ++i) {
      const auto iu = static_cast<std::size_t>(i);
      hu_[iu] *= curv_[iu];
      sum += hu_[iu];
    }
    rowSums_[3 * static_cast<std::size_t>(blk)] = sum;
  });
  double sum = 0.0;
  for (std::int64_t blk = 0; blk < blocks; ++blk)
    sum += rowSums_[3 * static_cast<std::size_t>(blk)];
  p_.scaling.red.sum(&sum, 1);
  // Ãᵀ(D·Ãv)/W + λ f v
  X_->transposeMultiply(p_.scaling, hu_.data(), v, p_.weightSum, sum, p_.l2, out, ws_,
                        /*rounded=*/true);
}

template <Loss L>
void SparseObjective<L>::hessianDiagonal(double* out) {
  ensureCurvature();
  X_->weightedSquares(p_.scaling, curv_.data(), curvSum_, p_.weightSum, p_.l2, out, ws_);
}

template <Loss L>
void SparseObjective<L>::regularizerDiagonal(double* out) {
  for (std::int64_t c = 0; c < p_.k(); ++c)
    out[c] = p_.l2 * p_.scaling.l2Factor[static_cast<std::size_t>(c)];
}

}  // namespace td::glm
