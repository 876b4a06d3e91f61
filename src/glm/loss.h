// src/glm/loss.h — the loss seam of the GLM kit: what a generalized linear model contributes
// per row, as a function of the label y and the margin m = w·x + b.
//
// The kit's objective is (1/W)·Σ_i w_i·ℓ(y_i, m_i) + penalty; its kernels (objective.h) call the
// loss once per row and per pass, inlined (the loss is a template argument, not a virtual
// call). A new GLM (LinearRegression: ℓ = ½(m − y)²; LinearSVC: a squared hinge; ...) writes a
// struct with the three members below and instantiates the objectives with it
// (objective_impl.h). Every member takes the row weight w and returns weighted terms, so that a
// loss keeps control of its own rounding order (the kernels only sum what it returns).
#pragma once

#include <cmath>
#include <concepts>

namespace td::glm {

/// The weighted loss of one row and its first derivative in the margin.
struct RowTerms {
  double loss = 0.0;   ///< w·ℓ(y, m)
  double deriv = 0.0;  ///< w·∂ℓ/∂m (the residual of the gradient's Xᵀr)
};

/// What the kit needs of a loss: terms(y, m, w) and curvature(y, m, w) = w·∂²ℓ/∂m².
template <class L>
concept Loss = requires(double y, double m, double w) {
  { L::terms(y, m, w) } -> std::same_as<RowTerms>;
  { L::curvature(y, m, w) } -> std::same_as<double>;
};

/// Numerically stable logistic function; exact 0/1 at ∓inf.
inline double sigmoid(double m) {
  if (m >= 0.0) return 1.0 / (1.0 + std::exp(-m));
  const double e = std::exp(m);
  return e / (1.0 + e);
}

/// log(1 + e^z) without overflow.
inline double softplus(double z) {
  return z > 0.0 ? z + std::log1p(std::exp(-z)) : std::log1p(std::exp(z));
}

/// Binomial logistic loss for labels y ∈ {0, 1}: ℓ = log(1 + e^(−s·m)), s = 2y − 1.
struct BinomialLogisticLoss {
  /// w·softplus(∓m) and w·(σ(m) − y), sharing one exponential e = exp(−|m|) (the same bits as
  /// softplus() and sigmoid() separately).
  static RowTerms terms(double y, double m, double w) {
    const double e = std::exp(-std::abs(m));
    const double l1pe = std::log1p(e);
    const double z = y > 0.5 ? -m : m;  // loss = softplus(z)
    const double sig = m >= 0.0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
    return {w * (z > 0.0 ? z + l1pe : l1pe), w * (sig - y)};
  }
  /// w·σ(m)(1 − σ(m)).
  static double curvature(double /*y*/, double m, double w) {
    const double p = sigmoid(m);
    return w * p * (1.0 - p);
  }
};

static_assert(Loss<BinomialLogisticLoss>);

}  // namespace td::glm
