// src/glm/objective.h — the regularized objective of a GLM, as the optimizers of src/optim
// minimize it: F(z) = (1/W)·Σ_i w_i·ℓ(y_i, m_i) + (λ₂/2)·Σ_c f_c z_c² in the compact scaled
// space of design_matrix.h (m = Ã·z); an L1 part λ₁·Σ_c g_c |z_c| goes to OWL-QN as per-variable
// weights (l1Weights()). The loss ℓ is the template argument (loss.h); the definitions are in
// objective_impl.h, instantiated for BinomialLogisticLoss in objective.cc.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "glm/design_matrix.h"
#include "glm/feature_stats.h"
#include "glm/loss.h"
#include "thunderdome/frame/column.h"
#include "thunderdome/optim/newton.h"

namespace td::glm {

/// The training problem of one fit: labels, weights, the features that vary and their scaling,
/// and the penalty (Spark's: regParam·(α·L1 + (1−α)/2·L2), the intercept unpenalised; with
/// standardization=false the penalty is on the raw coefficients, f_c = 1/σ_c²).
struct Problem {
  std::int64_t n = 0;         ///< rows (of this rank)
  const double* y = nullptr;  ///< labels, n values
  const double* w = nullptr;  ///< row weights, n values
  double weightSum = 0.0;     ///< W over every rank
  double l2 = 0.0;            ///< λ(1−α)
  FeatureStats stats;         ///< the active features
  Scaling scaling;            ///< their scaling for this fit

  [[nodiscard]] std::int64_t k() const { return scaling.k; }
  [[nodiscard]] std::int64_t dim() const { return scaling.dim(); }
  /// Per-variable OWL-QN weights of λ₁ = regParam·α (empty when there is no L1 part).
  [[nodiscard]] std::vector<double> l1Weights(double l1, bool standardization) const;
  /// The compact point of coefficients `coef` (original space, dimension d) and `intercept`.
  [[nodiscard]] std::vector<double> toCompact(const std::vector<double>& coef,
                                              double intercept) const;
  /// Coefficients (original space, dimension d) of the compact point z.
  [[nodiscard]] std::vector<double> coefficients(const std::vector<double>& z,
                                                 std::int64_t d) const;
  /// The intercept of the compact point z (0 without one).
  [[nodiscard]] double intercept(const std::vector<double>& z) const {
    return scaling.offset(z.data());
  }
};

/// Dense features: one fused pass over the rows per evaluation (margins, loss and per-block
/// partial gradients), evaluated at every trial point of the line search (an optim::Objective).
template <Loss L>
class DenseObjective {
 public:
  /// X: the dense feature column (original dimension d); p must outlive the objective.
  DenseObjective(const Problem& p, const VectorColumn& X);
  /// F(z) and its gradient.
  double operator()(const double* z, double* grad);

 private:
  const Problem& p_;
  const VectorColumn& X_;
  std::int64_t d_ = 0;
  std::vector<double> beta_;          // coefficients in the original space
  std::vector<double> partialGrad_;   // per-block Xᵀr over the original dimension
  std::vector<double> partialLoss_;   // per block Σ w_i ℓ_i
  std::vector<double> partialResid_;  // per block Σ r_i
  std::vector<double> scratch_;       // per row: the margin, then the residual
};

/// Sparse features on a DesignMatrix, for L-BFGS/OWL-QN (LineObjective) and Newton-CG. The
/// margins m = Ã·z are kept with the current point; a line search computes q = Ã·d once, after
/// which each trial step costs O(rows): m + t·q. Accepting a step costs one X̃ᵀr pass. The L2
/// term along the line is the quadratic A + 2tB + t²C. The Hessian is ÃᵀDÃ/W + λ·diag(f), D_i =
/// w_i·ℓ''(y_i, m_i) at the current margins.
template <Loss L>
class SparseObjective final : public optim::NewtonObjective {
 public:
  /// p must outlive the objective; X's rows are p's rows.
  SparseObjective(const Problem& p, std::shared_ptr<const DesignMatrix> X);

  double evaluate(const double* z, double* grad) override;
  void beginLine(const double* x, const double* d) override;
  double lineValue(double t, double* slope) override;
  double acceptStep(double t, const double* xNew, double* grad) override;
  void hessianVector(const double* v, double* out) override;
  void hessianDiagonal(double* out) override;
  void regularizerDiagonal(double* out) override;

 private:
  double rowPass(double t, bool line, double& residSum, double& slopeSum);
  void ensureCurvature();
  [[nodiscard]] double penaltyAt(double t) const { return pen_ + t * (2.0 * lineB_ + t * lineC_); }

  const Problem& p_;
  std::shared_ptr<const DesignMatrix> X_;
  DesignMatrix::Workspace ws_;
  // Margins of the current point, q and the trial margins of the line, residuals.
  std::vector<double> m_, q_, mt_, r_;
  std::vector<double> rowSums_;       // per row block: 3 scalars
  double pen_ = 0.0;                  // Σ f_c z_c² at the current point
  double lineB_ = 0.0, lineC_ = 0.0;  // Σ f x d, Σ f d²
  double lastT_ = 0.0, lastValue_ = 0.0, lastResidSum_ = 0.0;
  bool haveLast_ = false;
  std::vector<double> curv_, hu_;  // D per row; scratch of n values
  double curvSum_ = 0.0;           // Σ D
  bool haveCurvature_ = false;
};

extern template class DenseObjective<BinomialLogisticLoss>;
extern template class SparseObjective<BinomialLogisticLoss>;

}  // namespace td::glm
