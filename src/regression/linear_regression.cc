// src/regression/linear_regression.cc
//
// Spark 3.5's LinearRegression (ml/regression/LinearRegression.scala) and its solvers:
//
//  * "normal" (WeightedLeastSquares + NormalEquationSolver): one pass of weighted moments, the
//    normal equations in the space standardized by the POPULATION standard deviations (weights
//    summing to W: σ² = Σw x²/W − x̄²), Cholesky; OWL-QN on the normal equations when an L1
//    part is present; L-BFGS on them when AᵀWA is singular (Spark's auto fallback).
//  * "l-bfgs": L-BFGS / OWL-QN over the data on the GLM kit (src/glm), in the space
//    standardized by the UNBIASED weighted standard deviations of Spark's Summarizer
//    (σ² = Σw(x − x̄)²/(W − Σw²/W)), labels divided by their σ_y.
//  * huber: Spark's joint objective in (coefficients, intercept, σ), L-BFGS.
//
// The effective squaredError objective (both solvers, derived from Spark's sources): Spark
// minimizes, in the scaled space (z_j = β_j·σ_j/σ_y, labels y/σ_y),
//     1/(2W) Σ w_i (Σ_j z_j x̃_ij + b' − y_i/σ_y)² + λ(1−α)/σ_y·½Σ f_j z_j² + λα/σ_y·Σ g_j|z_j|
// with f_j = 1, g_j = 1 (standardization=true) or f_j = 1/σ_j², g_j = 1/σ_j (false). Multiplied
// by σ_y², in the original coefficients β this is
//     1/(2W) Σ w_i (y_i − x_i·β − b)² + λ·[ α·Σ s_j|β_j| + (1−α)/(2σ_y)·Σ s_j²β_j² ]
// with s_j = σ_j (standardization=true) or 1 (false). The L2 part carries 1/σ_y, the L1 part
// does not (glmnet's convention, label standardized); σ_j and σ_y are the population
// standard deviations on the normal path and the unbiased ones on the l-bfgs path (Spark's).
// Huber (no label scaling): (1/2W) Σ w_i (σ + H_ε(r_i/σ)·σ) + ½λ·Σ s_j²β_j².
#include "thunderdome/regression/linear_regression.h"

#include <fmt/format.h>

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "glm/design_matrix.h"
#include "glm/feature_stats.h"
#include "glm/gram.h"
#include "glm/loss.h"
#include "glm/objective.h"
#include "glm/objective_impl.h"
#include "glm/stage_util.h"
#include "regression/student_t.h"
#include "thunderdome/core/error.h"
#include "thunderdome/core/parallel.h"
#include "thunderdome/core/shared_params.h"
#include "thunderdome/dist/communicator.h"
#include "thunderdome/optim/lbfgs.h"

namespace td {
namespace glm {

/// Squared error ℓ = ½(m − y)² (Spark's LeastSquares aggregators).
struct SquaredErrorLoss {
  static RowTerms terms(double y, double m, double w) {
    const double r = m - y;
    return {0.5 * w * r * r, w * r};
  }
  static double curvature(double /*y*/, double /*m*/, double w) { return w; }
};
static_assert(Loss<SquaredErrorLoss>);

template class DenseObjective<SquaredErrorLoss>;
template class SparseObjective<SquaredErrorLoss>;

}  // namespace glm

namespace {

using glm::Reducer;

constexpr std::int64_t kTransformBlock = 4096;  // rows per block of transform()
constexpr std::int64_t kRowBlock = 4096;        // rows per block of the row passes

using stage_util::FitColumns;
using stage_util::num;
using stage_util::optionalString;
using Rows = stage_util::FitRows;

// Checks the features column and appends the (non-empty) prediction column to `input`.
Schema outputSchema(const Params& p, const Schema& input) {
  return stage_util::withOutputs(p, input, {{"predictionCol", DataType::kDouble}});
}

// Labels and weights of `data`, checked and totalled over the ranks; d becomes the features'
// dimension agreed by every non-empty shard (as LogisticRegression's). The checks are Spark's
// checkRegressionLabels / checkNonNegativeWeights / checkNonNanVectors, in one serial pass over
// this process's rows (every feature value, dense or sparse, row by row).
Rows loadRows(const Frame& data, const FitColumns& cols, const VectorColumn& X,
              dist::Communicator* comm, std::int64_t& d) {
  const glm::NonFiniteHandler nonFinite =
      stage_util::nonFiniteFeature(data, cols.who, cols.features);
  Rows rows = stage_util::loadFitRows(data, cols, comm, d, [&](Rows& r) {
    bool floats = true;
    stage_util::checkLabelsAndWeights(
        data, cols, r, [](double y) { return std::isfinite(y); },
        "labels must not be NaN or Infinity", [&](std::int64_t i, double, double) {
          const VectorView row = X[i];
          for (std::int64_t p = 0; p < row.nnz; ++p) {
            const double v = row.values[p];
            if (!std::isfinite(v)) nonFinite(i, row.indices ? row.indices[p] : p, v);
            floats = floats && static_cast<double>(static_cast<float>(v)) == v;
          }
        });
    r.floats = floats;
  });
  stage_util::requirePositiveWeightSum(rows.totals.weightSum, cols, Reducer{comm}.active());
  return rows;
}

// A fit's result before the summary.
struct Fitted {
  std::vector<double> coef;
  double intercept = 0.0;
  double scale = 1.0;
  std::vector<double> diagInvAtWA;  // empty: not available
  std::vector<double> objectiveHistory{0.0};
};

// ---------------------------------------------------------------- normal equations
// Spark's WeightedLeastSquares.Aggregator: Σw, Σwy, Σwy², Σw x, Σw y x, Σw x xᵀ.
struct Moments {
  double wSum = 0.0, bSum = 0.0, bbSum = 0.0;
  Eigen::VectorXd aSum, abSum;
  Eigen::MatrixXd aaSum;  // full symmetric
};

Moments moments(const VectorColumn& X, std::int64_t d, const Rows& rows, const Reducer& red) {
  const std::int64_t n = X.size();
  // Every moment is one entry of the weighted Gram matrix of the rows [x, 1, y]: Σw x xᵀ, then
  // Σw x (column d), Σw y x (column d + 1), Σw, Σw y, Σw y². Fixed partition (nothing depends on
  // the thread count): at most ~128 MiB of partial matrices, sub-blocks of kSub rows copied into
  // padded row buffers B and A = diag(w)·B for the kernel (glm/gram.h).
  constexpr std::int64_t kSub = 256;
  const std::int64_t stride = glm::gramStride(d + 2);
  const double matBytes = 8.0 * static_cast<double>(stride) * static_cast<double>(stride) + 1.0;
  const std::int64_t maxParts = std::clamp<std::int64_t>(
      static_cast<std::int64_t>((128.0 * 1024 * 1024) / matBytes), 1, 16);
  const std::int64_t parts = std::min<std::int64_t>(maxParts, parallel::numBlocks(n, kSub));
  const std::int64_t partRows = parts > 0 ? (n + parts - 1) / parts : 1;
  const auto gramSize = static_cast<std::size_t>(stride * stride);
  std::vector<std::vector<double>> partial(static_cast<std::size_t>(std::max<std::int64_t>(parts, 1)));
  parallel::forBlocks(n, partRows, [&](std::int64_t b, std::int64_t begin, std::int64_t end) {
    std::vector<double>& G = partial[static_cast<std::size_t>(b)];
    G.assign(gramSize, 0.0);
    std::vector<double> bufB(static_cast<std::size_t>(kSub * stride), 0.0);
    std::vector<double> bufA(static_cast<std::size_t>(kSub * stride), 0.0);
    for (std::int64_t s = begin; s < end; s += kSub) {
      const std::int64_t e = std::min(end, s + kSub);
      for (std::int64_t i = s; i < e; ++i) {
        double* rb = bufB.data() + (i - s) * stride;
        double* ra = bufA.data() + (i - s) * stride;
        const VectorView v = X[i];
        if (v.isDense()) {
          std::copy(v.values, v.values + d, rb);
        } else {
          std::fill(rb, rb + d, 0.0);
          for (std::int64_t p = 0; p < v.nnz; ++p) rb[v.indices[p]] = v.values[p];
        }
        rb[d] = 1.0;
        rb[d + 1] = rows.y[static_cast<std::size_t>(i)];
        const double wi = rows.w[static_cast<std::size_t>(i)];
        for (std::int64_t j = 0; j < d + 2; ++j) ra[j] = wi * rb[j];
      }
      glm::gramUpper(bufA.data(), bufB.data(), e - s, stride, G.data());
    }
  });
  std::vector<double> G(gramSize, 0.0);
  for (std::int64_t b = 0; b < parts; ++b) {
    const std::vector<double>& g = partial[static_cast<std::size_t>(b)];
    for (std::size_t t = 0; t < gramSize; ++t) G[t] += g[t];
  }
  if (red.active()) red.sum(G.data(), gramSize);
  auto at = [&](std::int64_t i, std::int64_t j) {  // upper triangle
    return i <= j ? G[static_cast<std::size_t>(i * stride + j)]
                  : G[static_cast<std::size_t>(j * stride + i)];
  };
  Moments total;
  total.aSum = Eigen::VectorXd(d);
  total.abSum = Eigen::VectorXd(d);
  total.aaSum = Eigen::MatrixXd(d, d);
  for (std::int64_t j = 0; j < d; ++j) {
    for (std::int64_t i = 0; i < d; ++i) total.aaSum(i, j) = at(i, j);
    total.aSum(j) = at(j, d);
    total.abSum(j) = at(j, d + 1);
  }
  total.wSum = at(d, d);
  total.bSum = at(d, d + 1);
  total.bbSum = at(d + 1, d + 1);
  return total;
}

struct NormalSettings {
  bool fitIntercept = true, standardization = true;
  double regParam = 0.0, alpha = 0.0, tol = 1e-6;
  std::int64_t maxIter = 100;
};

// WeightedLeastSquares.fit with standardizeLabel = true and solverType = Auto.
Fitted fitNormal(const Moments& mo, std::int64_t d, const NormalSettings& s,
                 const std::string& who) {
  const double W = mo.wSum;
  const double rawBBar = mo.bSum / W;
  const double rawBStd = std::sqrt(std::max(mo.bbSum / W - rawBBar * rawBBar, 0.0));
  Fitted out;
  out.coef.assign(static_cast<std::size_t>(d), 0.0);
  if (rawBStd == 0.0) {
    if (s.fitIntercept || rawBBar == 0.0) {  // constant label: no training (Spark)
      out.intercept = rawBBar;
      return out;
    }
    if (s.regParam > 0.0)
      throw DataError(fmt::format("{}: the standard deviation of the label is zero. Model cannot "
                                  "be regularized when labels are standardized.",
                                  who));
  }
  const double bStd = rawBStd == 0.0 ? std::abs(rawBBar) : rawBStd;
  const double bBar = rawBBar / bStd;
  const double bbBar = mo.bbSum / W / (bStd * bStd);
  const auto du = static_cast<std::size_t>(d);
  std::vector<double> aStd(du);
  for (std::int64_t j = 0; j < d; ++j) {
    const double aw = mo.aSum(j) / W;
    aStd[static_cast<std::size_t>(j)] = std::sqrt(std::max(mo.aaSum(j, j) / W - aw * aw, 0.0));
  }
  auto inv = [&](std::int64_t j) {
    const double sd = aStd[static_cast<std::size_t>(j)];
    return sd == 0.0 ? 0.0 : 1.0 / sd;
  };
  // The standardized moments and AᵀA (k = d + 1 with the intercept's column of ones).
  const std::int64_t k = s.fitIntercept ? d + 1 : d;
  Eigen::MatrixXd aa = Eigen::MatrixXd::Zero(k, k);
  Eigen::VectorXd ab = Eigen::VectorXd::Zero(k);
  Eigen::VectorXd aBar(d);
  for (std::int64_t j = 0; j < d; ++j) {
    aBar(j) = mo.aSum(j) / W * inv(j);
    ab(j) = mo.abSum(j) / W * inv(j) / bStd;
    for (std::int64_t i = 0; i < d; ++i) aa(i, j) = mo.aaSum(i, j) / W * inv(i) * inv(j);
  }
  const double effReg = s.regParam / bStd;
  const double effL1 = s.alpha * effReg;
  const double effL2 = (1.0 - s.alpha) * effReg;
  for (std::int64_t j = 0; j < d; ++j) {
    double lambda = effL2;
    if (!s.standardization) {
      const double sd = aStd[static_cast<std::size_t>(j)];
      lambda = sd != 0.0 ? lambda / (sd * sd) : 0.0;
    }
    aa(j, j) += lambda;
  }
  if (s.fitIntercept) {
    aa.block(d, 0, 1, d) = aBar.transpose();
    aa.block(0, d, d, 1) = aBar;
    aa(d, d) = 1.0;
    ab(d) = bBar;
  }

  // NormalEquationSolver's QuasiNewtonSolver: the quadratic in the moments, the intercept
  // fixed to its closed form bBar − aBar·x at every evaluation.
  auto quasiNewton = [&](bool withL1) {
    optim::MinimizeOptions opt;
    opt.maxIter = s.maxIter;
    opt.tol = s.tol;
    opt.historySize = 10;
    if (withL1 && effL1 != 0.0) {
      opt.l1.assign(static_cast<std::size_t>(k), 0.0);
      for (std::int64_t j = 0; j < d; ++j)
        opt.l1[static_cast<std::size_t>(j)] = s.standardization ? effL1 : effL1 * inv(j);
    }
    std::vector<double> x0(static_cast<std::size_t>(k), 0.0);
    if (s.fitIntercept) x0[static_cast<std::size_t>(d)] = bBar;
    Eigen::VectorXd c(k), g(k);
    auto f = [&](const double* x, double* grad) {
      for (std::int64_t j = 0; j < k; ++j) c(j) = x[j];
      if (s.fitIntercept) c(d) = bBar - aBar.dot(c.head(d));
      g.noalias() = aa.selfadjointView<Eigen::Lower>() * c;
      const double value = 0.5 * bbBar - ab.dot(c) + 0.5 * c.dot(g);
      g -= ab;
      for (std::int64_t j = 0; j < k; ++j) grad[j] = g(j);
      if (s.fitIntercept) grad[d] = 0.0;
      return value;
    };
    optim::MinimizeResult res = optim::minimize(f, std::move(x0), opt);
    Eigen::VectorXd x(k);
    for (std::int64_t j = 0; j < k; ++j) x(j) = res.x[static_cast<std::size_t>(j)];
    if (s.fitIntercept) x(d) = bBar - aBar.dot(x.head(d));
    out.objectiveHistory = std::move(res.objectiveHistory);
    return x;
  };

  Eigen::VectorXd x;
  if (s.alpha != 0.0 && s.regParam != 0.0) {
    x = quasiNewton(true);
  } else {
    Eigen::LLT<Eigen::MatrixXd> llt(aa);
    if (llt.info() == Eigen::Success) {
      x = llt.solve(ab);
      const Eigen::MatrixXd aaInv = llt.solve(Eigen::MatrixXd::Identity(k, k));
      out.diagInvAtWA.resize(static_cast<std::size_t>(k));
      for (std::int64_t i = 0; i < k; ++i) {
        const double mult =
            (s.fitIntercept && i == d) ? 1.0 : aStd[static_cast<std::size_t>(i)] *
                                                    aStd[static_cast<std::size_t>(i)];
        out.diagInvAtWA[static_cast<std::size_t>(i)] = aaInv(i, i) / (W * mult);
      }
    } else {  // singular AᵀWA: Spark's Auto falls back to the quasi-Newton solver (no L1)
      x = quasiNewton(false);
    }
  }
  for (std::int64_t j = 0; j < d; ++j) out.coef[static_cast<std::size_t>(j)] = x(j) * bStd * inv(j);
  out.intercept = s.fitIntercept ? x(d) * bStd : 0.0;
  return out;
}

// ---------------------------------------------------------------- huber
// Spark's HuberBlockAggregator over the active (σ_j > 0) features: variables
// [z (k), b' (with an intercept), σ], features x_j/σ_j centred virtually by μ_j/σ_j.
class HuberObjective {
 public:
  // d: the features' dimension agreed by the ranks (an empty shard's column may have dimension 0)
  HuberObjective(const glm::Problem& p, const VectorColumn& X, double epsilon, std::int64_t d)
      : p_(p), X_(X), eps_(epsilon), d_(d) {
    mult_.assign(static_cast<std::size_t>(p.n), 0.0);
    beta_.assign(static_cast<std::size_t>(d_), 0.0);
    g_.assign(static_cast<std::size_t>(d_), 0.0);
    sums_.assign(3 * static_cast<std::size_t>(parallel::numBlocks(p.n, kRowBlock)), 0.0);
  }

  double operator()(const double* z, double* grad) {
    const glm::Scaling& s = p_.scaling;
    const std::int64_t k = s.k, dim = p_.dim() + 1;
    const double sigma = z[dim - 1];
    if (!(sigma > 0.0)) {  // outside Spark's bound σ > 0: the line search backs off
      std::fill(grad, grad + dim, 0.0);
      return std::numeric_limits<double>::infinity();
    }
    std::fill(beta_.begin(), beta_.end(), 0.0);
    double off = 0.0;
    for (std::int64_t c = 0; c < k; ++c) {
      const auto cu = static_cast<std::size_t>(c);
      beta_[static_cast<std::size_t>(p_.stats.active[cu])] = z[c] * s.invStd[cu];
      off -= z[c] * s.scaledMean[cu];
    }
    if (s.fitIntercept) off += z[k];
    else off = 0.0;
    const double eps = eps_;
    parallel::forBlocks(p_.n, kRowBlock, [&](std::int64_t b, std::int64_t begin, std::int64_t end) {
      double loss = 0.0, multSum = 0.0, sigGrad = 0.0;
      for (std::int64_t i = begin; i < end; ++i) {
        const auto iu = static_cast<std::size_t>(i);
        const double w = p_.w[iu];
        if (!(w > 0.0)) {
          mult_[iu] = 0.0;
          continue;
        }
        const double r = p_.y[iu] - (X_[i].dot(beta_.data()) + off);
        double m;
        if (std::abs(r) <= sigma * eps) {
          loss += 0.5 * w * (sigma + r * r / sigma);
          const double rs = r / sigma;
          m = -w * rs;
          sigGrad += 0.5 * w * (1.0 - rs * rs);
        } else {
          loss += 0.5 * w * (sigma + 2.0 * eps * std::abs(r) - sigma * eps * eps);
          m = w * (r >= 0 ? -1.0 : 1.0) * eps;
          sigGrad += 0.5 * w * (1.0 - eps * eps);
        }
        mult_[iu] = m;
        multSum += m;
      }
      double* o = sums_.data() + 3 * b;
      o[0] = loss, o[1] = multSum, o[2] = sigGrad;
    });
    double t[3] = {0.0, 0.0, 0.0};
    for (std::size_t b = 0; b < sums_.size() / 3; ++b)
      for (int q = 0; q < 3; ++q) t[q] += sums_[3 * b + static_cast<std::size_t>(q)];
    std::fill(g_.begin(), g_.end(), 0.0);
    for (std::int64_t i = 0; i < p_.n; ++i) {  // Xᵀ·multiplier, in row order
      const double m = mult_[static_cast<std::size_t>(i)];
      if (m == 0.0) continue;
      const VectorView v = X_[i];
      for (std::int64_t q = 0; q < v.nnz; ++q)
        g_[static_cast<std::size_t>(v.indices ? v.indices[q] : q)] += m * v.values[q];
    }
    s.red.sum(t, 3);
    s.red.sum(g_.data(), g_.size());
    const double W = p_.weightSum;
    double value = t[0] / W;
    for (std::int64_t c = 0; c < k; ++c) {
      const auto cu = static_cast<std::size_t>(c);
      grad[c] = g_[static_cast<std::size_t>(p_.stats.active[cu])] * s.invStd[cu] / W;
      if (s.fitIntercept) grad[c] -= t[1] * s.scaledMean[cu] / W;
    }
    if (s.fitIntercept) grad[k] = t[1] / W;
    grad[dim - 1] = t[2] / W;
    if (p_.l2 != 0.0) {
      double pen = 0.0;
      for (std::int64_t c = 0; c < k; ++c) {
        const double f = s.l2Factor[static_cast<std::size_t>(c)];
        pen += f * z[c] * z[c];
        grad[c] += p_.l2 * f * z[c];
      }
      value += 0.5 * p_.l2 * pen;
    }
    return value;
  }

 private:
  const glm::Problem& p_;
  const VectorColumn& X_;
  double eps_;
  std::int64_t d_;
  std::vector<double> mult_, beta_, g_, sums_;
};

// ---------------------------------------------------------------- summary
// Spark's LinearRegressionSummary over the training rows (RegressionMetrics with weights,
// throughOrigin = !fitIntercept), sums over every rank.
std::shared_ptr<LinearRegressionTrainingSummary> makeSummary(const VectorColumn& X,
                                                             const Rows& rows, const Fitted& f,
                                                             bool fitIntercept,
                                                             const Reducer& red) {
  auto s = std::make_shared<LinearRegressionTrainingSummary>();
  const std::int64_t n = X.size();
  const auto nu = static_cast<std::size_t>(n);
  s->residuals.resize(nu);
  std::vector<double> pred(nu);
  const auto d = static_cast<Eigen::Index>(f.coef.size());
  const Eigen::Map<const Eigen::VectorXd> coef(f.coef.data(), d);
  parallel::forBlocks(n, kTransformBlock, [&](std::int64_t, std::int64_t begin, std::int64_t end) {
    bool contiguous = X.isDense() && end > begin;  // rows one after another in memory
    const double* base = contiguous ? X[begin].values : nullptr;
    for (std::int64_t i = begin + 1; contiguous && i < end; ++i)
      contiguous = X[i].values == base + (i - begin) * d;
    if (contiguous) {  // one Eigen product
      using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
      const Eigen::Map<const RowMajor> block(base, end - begin, d);
      Eigen::Map<Eigen::VectorXd>(pred.data() + begin, end - begin).noalias() = block * coef;
      for (std::int64_t i = begin; i < end; ++i) pred[static_cast<std::size_t>(i)] += f.intercept;
    } else {
      for (std::int64_t i = begin; i < end; ++i)
        pred[static_cast<std::size_t>(i)] = X[i].dot(f.coef.data()) + f.intercept;
    }
    for (std::int64_t i = begin; i < end; ++i) {
      const auto iu = static_cast<std::size_t>(i);
      s->residuals[iu] = rows.y[iu] - pred[iu];
    }
  });
  // Σw, Σw², Σwy, Σwy², Σw r², Σw|r|, count (rows of positive weight)
  double t[7] = {0, 0, 0, 0, 0, 0, 0};
  for (std::size_t i = 0; i < nu; ++i) {
    const double w = rows.w[i];
    if (!(w > 0.0)) continue;
    const double y = rows.y[i], r = s->residuals[i];
    t[0] += w, t[1] += w * w, t[2] += w * y, t[3] += w * y * y;
    t[4] += w * r * r, t[5] += w * std::abs(r), t[6] += 1.0;
  }
  red.sum(t, 7);
  const double W = t[0], ybar = t[2] / W;
  double u[2] = {0, 0};  // Σw(y − ȳ)², Σw(ŷ − ȳ)²
  for (std::size_t i = 0; i < nu; ++i) {
    const double w = rows.w[i];
    if (!(w > 0.0)) continue;
    u[0] += w * (rows.y[i] - ybar) * (rows.y[i] - ybar);
    u[1] += w * (pred[i] - ybar) * (pred[i] - ybar);
  }
  red.sum(u, 2);
  s->meanSquaredError = t[4] / W;
  s->rootMeanSquaredError = std::sqrt(s->meanSquaredError);
  s->meanAbsoluteError = t[5] / W;
  s->explainedVariance = u[1] / W;
  if (fitIntercept) {
    // Spark: SStot = variance(y)·(W − 1), variance = M2/(W − Σw²/W).
    const double denom = W - t[1] / W;
    const double sstot = denom > 0.0 ? u[0] / denom * (W - 1.0) : 0.0;
    s->r2 = 1.0 - t[4] / sstot;
  } else {
    s->r2 = 1.0 - t[4] / t[3];
  }
  s->numInstances = static_cast<std::int64_t>(t[6]);
  const auto numFeatures = static_cast<std::int64_t>(f.coef.size());
  const std::int64_t interceptDof = fitIntercept ? 1 : 0;
  s->degreesOfFreedom = s->numInstances - numFeatures - interceptDof;
  s->r2adj = 1.0 - (1.0 - s->r2) * static_cast<double>(s->numInstances - interceptDof) /
                       static_cast<double>(s->numInstances - numFeatures - interceptDof);
  s->weightedRss = t[4];
  s->objectiveHistory = f.objectiveHistory;
  s->totalIterations = static_cast<std::int64_t>(f.objectiveHistory.size()) - 1;
  s->diagInvAtWA = f.diagInvAtWA;
  s->estimates = f.coef;
  if (fitIntercept) s->estimates.push_back(f.intercept);
  return s;
}

}  // namespace

// ---------------------------------------------------------------- summary accessors
std::vector<double> LinearRegressionTrainingSummary::coefficientStandardErrors() const {
  if (diagInvAtWA.empty())
    throw ParamError(
        "No Std. Error of coefficients available for this LinearRegressionModel (only the "
        "normal solver without an L1 part computes them)");
  const double sigma2 = weightedRss / static_cast<double>(degreesOfFreedom);
  std::vector<double> out(diagInvAtWA.size());
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = std::sqrt(diagInvAtWA[i] * sigma2);
  return out;
}

std::vector<double> LinearRegressionTrainingSummary::tValues() const {
  if (diagInvAtWA.empty())
    throw ParamError("No t-statistic available for this LinearRegressionModel");
  const std::vector<double> se = coefficientStandardErrors();
  std::vector<double> out(se.size());
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = estimates[i] / se[i];
  return out;
}

std::vector<double> LinearRegressionTrainingSummary::pValues() const {
  if (diagInvAtWA.empty()) throw ParamError("No p-value available for this LinearRegressionModel");
  std::vector<double> t = tValues();
  for (double& v : t)
    v = regression::studentTTwoSidedPValue(v, static_cast<double>(degreesOfFreedom));
  return t;
}

// ---------------------------------------------------------------- LinearRegression
LinearRegression::LinearRegression() : LinearRegression(randomUid(kUidPrefix)) {}

LinearRegression::LinearRegression(std::string uid) : Estimator(std::move(uid), schema()) {}

Schema LinearRegression::transformSchema(const Schema& input) const {
  stage_util::requireFitColumns(*this, input);
  return outputSchema(*this, input);
}

std::shared_ptr<Model> LinearRegression::fitImpl(const Frame& data, const Context& ctx) const {
  const std::shared_ptr<dist::Communicator> comm = ctx.isDataParallel() ? ctx.comm : nullptr;
  const Reducer red{comm.get()};
  const FitColumns cols = stage_util::fitColumns(*this);
  const double regParam = getRegParam();
  const double alpha = getElasticNetParam();
  const bool fitIntercept = getFitIntercept();
  const bool standardization = getStandardization();
  const std::string solver = getSolver();
  const bool huber = getLoss() == "huber";
  // Spark's validateAndTransformSchema(fitting = true).
  if (huber && solver == "normal")
    throw ParamError(fmt::format("{}: LinearRegression with huber loss doesn't support normal "
                                 "solver, please change solver to auto or l-bfgs.",
                                 cols.who));
  if (huber && alpha != 0.0)
    throw ParamError(fmt::format("{}: LinearRegression with huber loss only supports L2 "
                                 "regularization, but got elasticNetParam = {}.",
                                 cols.who, num(alpha)));

  const auto& X0 = data.col<VectorColumn>(cols.features);
  std::int64_t d = X0.dim();
  Rows rows = loadRows(data, cols, X0, comm.get(), d);
  const double W = rows.totals.weightSum;

  auto makeModel = [&](Fitted f, const VectorColumn& X) {
    auto summary = makeSummary(X, rows, f, fitIntercept, red);
    auto model =
        std::make_shared<LinearRegressionModel>(uid(), std::move(f.coef), f.intercept, f.scale);
    for (const auto& [name, value] : userValues()) model->set(name, value);
    model->setSummary(std::move(summary));
    return model;
  };

  // ---- the normal equations (Spark: squaredError and (normal, or auto with <= 4096 features))
  if (!huber && (solver == "normal" || (solver == "auto" && d <= kMaxNormalFeatures))) {
    if (d > kMaxNormalFeatures)
      throw ParamError(fmt::format(
          "{}: In order to take the normal equation approach efficiently, we set the max number "
          "of features to {} but got {} (use solver=l-bfgs)",
          cols.who, kMaxNormalFeatures, d));
    NormalSettings s{fitIntercept, standardization, regParam, alpha, getTol(), getMaxIter()};
    return makeModel(fitNormal(moments(X0, d, rows, red), d, s, cols.who), X0);
  }

  // ---- label statistics (Spark's Summarizer: weighted mean, unbiased std)
  double ly[2] = {0.0, 0.0};
  for (std::size_t i = 0; i < rows.y.size(); ++i) ly[0] += rows.w[i] * rows.y[i];
  red.sum(ly, 1);
  const double yMean = ly[0] / W;
  for (std::size_t i = 0; i < rows.y.size(); ++i)
    ly[1] += rows.w[i] * (rows.y[i] - yMean) * (rows.y[i] - yMean);
  red.sum(ly + 1, 1);
  const double denom = rows.totals.denom();
  const double rawYStd = denom > 0.0 ? std::sqrt(std::max(ly[1] / denom, 0.0)) : 0.0;
  if (rawYStd == 0.0) {
    if (fitIntercept || yMean == 0.0) {  // trainWithConstantLabel
      Fitted f;
      f.coef.assign(static_cast<std::size_t>(d), 0.0);
      f.intercept = yMean;
      return makeModel(std::move(f), X0);
    }
    if (regParam != 0.0)
      throw DataError(fmt::format(
          "{}: The standard deviation of the label is zero. Model cannot be regularized.",
          cols.who));
  }
  const double yStd = rawYStd > 0.0 ? rawYStd : std::abs(yMean);

  // Data-parallel fits take the sparse path of the kit (which sums over ranks).
  std::shared_ptr<VectorColumn> recoded;
  if (red.active() && X0.isDense()) recoded = glm::toSparse(X0);
  const auto& X = recoded ? *recoded : X0;
  glm::FeatureStats stats;
  std::shared_ptr<const glm::DesignMatrix> matrix;
  if (X.isDense()) {
    stats = glm::rowwiseFeatureStats(X, rows.w, rows.totals,
                                     [](std::int64_t, std::int64_t, double) {});
  } else {
    // A pure L2 penalty (squared error): proportional features are solved as one
    // (DesignMatrix::build's mergeProportional; exact, one process only).
    const bool merge = !huber && !red.active() && alpha == 0.0 && regParam > 0.0;
    matrix = glm::DesignMatrix::build(X, d, rows.w, rows.totals, rows.floats, red, stats,
                                      glm::DesignMatrix::Layout::Auto, merge);
  }

  glm::Problem prob;
  prob.n = data.numRows();
  prob.w = rows.w.data();
  prob.weightSum = W;
  prob.stats = std::move(stats);
  prob.scaling = glm::Scaling::make(prob.stats, fitIntercept, standardization, red);
  optim::MinimizeOptions options;
  options.maxIter = getMaxIter();
  options.tol = getTol();
  options.historySize = 10;
  const std::int64_t k = prob.k();

  Fitted f;
  if (huber) {
    // Spark: effective regParam = regParam (no label scaling); start at all ones (σ = 1), the
    // intercept adapted to the centred features.
    prob.y = rows.y.data();
    prob.l2 = regParam;
    HuberObjective obj(prob, X, getEpsilon(), d);
    std::vector<double> z0(static_cast<std::size_t>(prob.dim() + 1), 1.0);
    if (fitIntercept)
      for (std::int64_t c = 0; c < k; ++c)
        z0[static_cast<std::size_t>(k)] += prob.scaling.scaledMean[static_cast<std::size_t>(c)];
    optim::MinimizeResult res =
        optim::minimize([&obj](const double* z, double* g) { return obj(z, g); }, std::move(z0),
                        options);
    f.coef = prob.coefficients(res.x, d);
    f.intercept = fitIntercept ? prob.intercept(res.x) : 0.0;
    f.scale = res.x.back();
    f.objectiveHistory = std::move(res.objectiveHistory);
    return makeModel(std::move(f), X0);
  }

  // squaredError over the data: labels scaled by σ_y, effective regParam = regParam/σ_y
  // (the objective derived at the top of this file).
  std::vector<double> yScaled(rows.y.size());
  for (std::size_t i = 0; i < yScaled.size(); ++i) yScaled[i] = rows.y[i] / yStd;
  prob.y = yScaled.data();
  const double effReg = regParam / yStd;
  prob.l2 = (1.0 - alpha) * effReg;
  options.l1 = prob.l1Weights(alpha * effReg, standardization);
  // Start where Spark's centred problem starts (zero coefficients, intercept ȳ/σ_y).
  std::vector<double> z0(static_cast<std::size_t>(prob.dim()), 0.0);
  if (fitIntercept) z0[static_cast<std::size_t>(k)] = yMean / yStd;
  optim::MinimizeResult res;
  if (matrix) {
    glm::SparseObjective<glm::SquaredErrorLoss> sparse(prob, matrix);
    res = optim::minimize(static_cast<optim::LineObjective&>(sparse), std::move(z0), options);
  } else {
    glm::DenseObjective<glm::SquaredErrorLoss> dense(prob, X);
    res = optim::minimize([&dense](const double* z, double* g) { return dense(z, g); },
                          std::move(z0), options);
  }
  f.coef = prob.coefficients(res.x, d);
  for (double& c : f.coef) c *= yStd;
  if (fitIntercept) {
    // Spark's closed form (glmnet's): ȳ − β·x̄.
    f.intercept = yMean;
    const glm::FeatureStats& st = prob.stats;
    for (std::int64_t c = 0; c < k; ++c) {
      const auto cu = static_cast<std::size_t>(c);
      if (!st.merged()) {
        f.intercept -= f.coef[static_cast<std::size_t>(st.active[cu])] * st.mean[cu];
        continue;
      }
      for (auto q = static_cast<std::size_t>(st.memberPtr[cu]);  // member j's mean is a_j·μ_c
           q < static_cast<std::size_t>(st.memberPtr[cu + 1]); ++q)
        f.intercept -= f.coef[static_cast<std::size_t>(st.memberFeature[q])] *
                       st.memberRatio[q] * st.mean[cu];
    }
  }
  f.objectiveHistory = std::move(res.objectiveHistory);
  return makeModel(std::move(f), X0);
}

// ---------------------------------------------------------------- LinearRegressionModel
LinearRegressionModel::LinearRegressionModel(std::string uid, std::vector<double> coefficients,
                                             double intercept, double scale)
    : Model(std::move(uid), schema()),
      coefficients_(std::make_shared<const std::vector<double>>(std::move(coefficients))),
      intercept_(intercept),
      scale_(scale) {}

LinearRegressionModel::LinearRegressionModel(std::string uid)
    : LinearRegressionModel(std::move(uid), {}, 0.0, 1.0) {}

const LinearRegressionTrainingSummary& LinearRegressionModel::summary() const {
  if (!summary_)
    throw ParamError(fmt::format("{}: no training summary is available (hasSummary is false: the "
                                 "model was loaded, not fitted)",
                                 describe()));
  return *summary_;
}

std::vector<StateItem> LinearRegressionModel::stateSummary() const {
  std::int64_t nnz = 0;
  for (double c : *coefficients_) nnz += c != 0.0;
  return {{"numFeatures", "numFeatures", numFeatures()},
          {"intercept", "intercept", intercept_},
          {"scale", "scale", scale_},
          {"nonZeroCoefficients", "non-zero coefficients", nnz}};
}

void LinearRegressionModel::saveState(StateWriter& out) const {
  out.putInt("numFeatures", numFeatures());
  out.putDouble("intercept", intercept_);
  out.putDouble("scale", scale_);
  out.putArray("coefficients", *coefficients_);
}

void LinearRegressionModel::loadState(const StateReader& in) {
  auto coef = in.getArray("coefficients");
  const auto d = in.getInt("numFeatures");
  if (static_cast<std::int64_t>(coef.size()) != d)
    in.fail(fmt::format("data/coefficients.f64le holds {} coefficients but numFeatures is {}",
                        coef.size(), d));
  coefficients_ = std::make_shared<const std::vector<double>>(std::move(coef));
  intercept_ = in.getDouble("intercept");
  scale_ = in.getDouble("scale");
}

double LinearRegressionModel::predict(const VectorView& x) const {
  stage_util::requireVectorDimension(describe(), x.size, numFeatures());
  return x.dot(coefficients_->data()) + intercept_;
}

Schema LinearRegressionModel::transformSchema(const Schema& input) const {
  return outputSchema(*this, input);
}

Frame LinearRegressionModel::transformImpl(const Frame& input, const Context& /*ctx*/) const {
  const std::string featuresCol = getString("featuresCol");
  const std::string predCol = optionalString(*this, "predictionCol");
  if (predCol.empty()) return input;
  const auto& X = input.col<VectorColumn>(featuresCol);
  stage_util::requireColumnDimension(describe(), featuresCol, X.dim(), numFeatures());
  const std::int64_t n = input.numRows();
  std::vector<double> pred(static_cast<std::size_t>(n));
  const double* coef = coefficients_->data();
  parallel::forBlocks(n, kTransformBlock, [&](std::int64_t, std::int64_t begin, std::int64_t end) {
    for (std::int64_t i = begin; i < end; ++i)
      pred[static_cast<std::size_t>(i)] = X[i].dot(coef) + intercept_;
  });
  return input.withColumn(predCol, std::make_shared<DoubleColumn>(std::move(pred)));
}

}  // namespace td
