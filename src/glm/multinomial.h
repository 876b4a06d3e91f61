// src/glm/multinomial.h — the multinomial (softmax) logistic objective of the GLM kit, Spark's
// family="multinomial": F(Z, b) = (1/W)·Σ_i w_i·(log Σ_k e^{m_ik} − m_{i,y_i}) + (λ₂/2)·Σ_c f_c
// Σ_k z_ck², with K coefficient rows and no pivot class, in the compact scaled space of
// design_matrix.h (m_ik = Σ_c x̃_ic z_ck + offset_k, features scaled by 1/σ and, with an
// intercept, centred). The L1 part goes to OWL-QN as per-variable weights (l1Weights()).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "glm/design_matrix.h"
#include "glm/feature_stats.h"
#include "thunderdome/frame/column.h"

namespace td::glm {

/// The training problem of one multinomial fit. Variables: z[c·K + k] for the k-th class's
/// coefficient of compact feature c (a k×K row-major matrix), then K intercepts.
struct MultinomialProblem {
  std::int64_t n = 0;         ///< rows (of this rank)
  std::int64_t d = 0;         ///< features' dimension (agreed by the ranks)
  int K = 0;                  ///< classes
  const double* y = nullptr;  ///< labels 0..K−1 (as doubles), n values
  const double* w = nullptr;  ///< row weights, n values
  double weightSum = 0.0;     ///< W over every rank
  double l2 = 0.0;            ///< λ(1−α)
  FeatureStats stats;         ///< the active features
  Scaling scaling;            ///< their scaling for this fit

  [[nodiscard]] std::int64_t k() const { return scaling.k; }
  [[nodiscard]] std::int64_t dim() const {
    return (scaling.k + (scaling.fitIntercept ? 1 : 0)) * K;
  }
  /// Per-variable OWL-QN weights of λ₁ = regParam·α (empty when there is no L1 part).
  [[nodiscard]] std::vector<double> l1Weights(double l1, bool standardization) const;
  /// The compact point of a K×d row-major coefficient matrix (original space) and K intercepts.
  [[nodiscard]] std::vector<double> toCompact(const std::vector<double>& coef,
                                              const std::vector<double>& intercepts,
                                              std::int64_t d) const;
  /// The K×d row-major coefficient matrix (original space) of the compact point z.
  [[nodiscard]] std::vector<double> coefficientMatrix(const std::vector<double>& z,
                                                      std::int64_t d) const;
  /// The K intercepts of z in the original space (zeros without an intercept).
  [[nodiscard]] std::vector<double> intercepts(const std::vector<double>& z) const;
};

/// F and its gradient for optim::minimize (L-BFGS / OWL-QN). Dense features (and sparse ones
/// with at most 4096 active features and a third of their entries stored) become one scaled,
/// centred row-major matrix: each evaluation is two matrix products per block of rows (Eigen)
/// with the softmax in between. Wider sparse features keep their rows (margins) and a compact
/// column-major copy (the gradient, column by column). Data-parallel, the ranks agree on the
/// layout (dense if any rank's rows are, float32 if the matrix over all ranks is large). Every
/// sum runs in an order fixed by the
/// data (rows in fixed blocks, partial results combined in block order), so results never
/// depend on the number of threads. Data-parallel: the loss and gradient are summed over the
/// ranks.
class MultinomialObjective {
 public:
  /// p must outlive the objective; X's rows are p's rows.
  MultinomialObjective(const MultinomialProblem& p, const VectorColumn& X);
  ~MultinomialObjective();
  MultinomialObjective(const MultinomialObjective&) = delete;
  MultinomialObjective& operator=(const MultinomialObjective&) = delete;

  /// F(z); writes ∇F(z) into grad.
  double operator()(const double* z, double* grad);

 private:
  struct Data;
  const MultinomialProblem& p_;
  std::unique_ptr<Data> data_;
};

}  // namespace td::glm
