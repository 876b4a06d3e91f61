// include/thunderdome/optim/newton.h — truncated Newton (Newton-CG) for smooth convex problems
// with a cheap Hessian-vector product, such as L2-regularised logistic regression.
#pragma once

#include <cstdint>
#include <vector>

#include "thunderdome/optim/lbfgs.h"

namespace td::optim {

/// A twice-differentiable objective for minimizeNewton(): a LineObjective that can also apply
/// its Hessian at the current point (the point of the last evaluate() or acceptStep()).
class NewtonObjective : public LineObjective {
 public:
  /// out = ∇²f(x)·v at the current point x.
  virtual void hessianVector(const double* v, double* out) = 0;
  /// out = the diagonal of ∇²f(x) at the current point x (the preconditioner's raw material).
  virtual void hessianDiagonal(double* out) = 0;
  /// The weight of each coordinate in the curvature a regulariser alone would give (λ·f_j for
  /// an L2 term λ/2·Σ f_j x_j²): the preconditioner mixes it with the diagonal like liblinear,
  /// M = (1 − a)·reg + a·diag(H), a = 0.01. Default: nothing written (M = a·diag(H)).
  virtual void regularizerDiagonal(double* /*out*/) {}
};

/// Settings of minimizeNewton().
struct NewtonOptions {
  std::int64_t maxIter = 100;  ///< Newton iterations (>= 0); 0 returns the initial point.
  /// Relative objective tolerance: stop after a full Newton step (step length 1) that lowered F
  /// by at most tol·|F|, or whose decrease d_k, at the rate d_k/d_{k−1}, predicts a next
  /// decrease d_k²/d_{k−1} of at most tol·|F|. Near the optimum Newton converges
  /// superlinearly, so the next decrease is about the whole gap left: the estimated relative
  /// gap (F − F*)/|F| is at most tol (issue #17; the spam benchmark stops ~6e-8 above F* at
  /// tol 1e-6).
  double tol = 1e-6;
  double gradientFloor = 1e-10;  ///< Stop when ‖∇F‖₂ falls to this (absolute).
  /// Conjugate-gradient truncation (liblinear's quadratic-model rule): stop CG at step i when
  /// i·(Q_i − Q_{i−1}) >= min(cgTol, √(‖∇F‖/‖∇F₀‖))·Q_i, Q the model's value.
  double cgTol = 0.5;
  /// x0 is the solution of a neighbouring problem (the previous fit of a regularization path):
  /// the quadratic model is good from the first step, so CG is truncated at warmCgTol instead
  /// of cgTol. On the spam CV jobs this takes 6–13% fewer matrix passes (1×: 7,290 → 6,766;
  /// 10×: 7,688 → 7,301; standardized: 4,250 → 3,769), for the same CV winner and test AUC;
  /// the same tighter truncation on cold starts gained little more there and cost up to 30%
  /// more CG steps on single cold fits (bench/README.md, "CG truncation").
  bool warmStart = false;  ///< x0 solves a neighbouring problem: truncate at warmCgTol.
  double warmCgTol = 0.1;  ///< cgTol of a warm start.
  std::int64_t maxCgIter = 0;  ///< CG steps per Newton iteration; 0: max(dimension, 5).
  double preconditionerMix = 0.01;  ///< a in M = (1 − a)·reg + a·diag(H); 0: no preconditioner.
};

/// The outcome of minimizeNewton(): MinimizeResult plus the CG work done.
struct NewtonResult : MinimizeResult {
  std::int64_t cgIterations = 0;  ///< Hessian-vector products over all Newton iterations.
};

/// Minimises f from x0 with a line-search truncated Newton method (Lin, Weng & Keerthi 2008;
/// liblinear 2.4's variant): each iteration solves ∇²f·s = −∇f approximately by diagonally
/// preconditioned CG, then backtracks from step 1 (Armijo, η = 0.01, halving, 20 trials) along s
/// using the objective's cheap line evaluations. Deterministic: serial vector arithmetic, and
/// the objective's own sums in a fixed order. Throws td::ParamError on invalid options.
NewtonResult minimizeNewton(NewtonObjective& f, std::vector<double> x0,
                            const NewtonOptions& options = {});

}  // namespace td::optim
