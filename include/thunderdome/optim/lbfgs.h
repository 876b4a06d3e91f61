// include/thunderdome/optim/lbfgs.h
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

namespace td::optim {

/// A smooth objective: returns f(x) and writes the gradient ∇f(x) into `grad` (same dimension).
using Objective = std::function<double(const double* x, double* grad)>;

/// Why minimize() stopped.
enum class StopReason {
  kFunctionValues,  ///< Objective improvement over the last fvalMemory values <= tol·|F(x0)|.
  kGradient,        ///< The (pseudo-)gradient norm fell below max(tol·|F|, gradientFloor).
  kMaxIterations,   ///< `maxIter` iterations were performed.
  kSearchFailed,    ///< The line search found no sufficient decrease (numerical limit or bad f).
};

/// Human-readable name of a StopReason.
std::string_view toString(StopReason r);

/// Settings of minimize(); the defaults are Spark's (Breeze LBFGS(maxIter, m = 10, tol)).
struct MinimizeOptions {
  std::int64_t maxIter = 100;  ///< Iteration cap (>= 0); 0 returns the initial point.
  double tol = 1e-6;           ///< Relative tolerance of the stopping rules.
  int historySize = 10;        ///< Number of (s, y) correction pairs kept (L-BFGS memory m).
  int fvalMemory = 20;         ///< Window (>= 2) of objective values the improvement test spans.
  /// Per-coordinate L1 weights λ_j (>= 0). Empty or all zero: plain L-BFGS on f. Otherwise
  /// OWL-QN minimises F(x) = f(x) + Σ_j λ_j·|x_j|; a zero weight leaves x_j unpenalised.
  std::vector<double> l1;
  double gradientFloor = 1e-8;  ///< Absolute floor of the gradient-norm stopping rule.
  /// Store the L-BFGS correction pairs as float32 (each pair scaled by a power of two) when the
  /// dimension is at least 1024: halves the memory traffic of the two-loop recursion, which
  /// dominates an iteration on wide problems. The search direction changes at the 1e-7 relative
  /// level; values, gradients, the line search and the stopping rules stay in double. False:
  /// always double.
  bool compactHistory = true;
};

/// The outcome of minimize().
struct MinimizeResult {
  std::vector<double> x;                 ///< The final point.
  double value = 0.0;                    ///< F(x): f plus the L1 term.
  std::vector<double> objectiveHistory;  ///< F at the initial point and after each iteration.
  std::int64_t iterations = 0;           ///< Iterations performed (objectiveHistory.size() − 1).
  bool converged = false;                ///< Stopped by a tolerance rule (not maxIter/failure).
  StopReason reason = StopReason::kMaxIterations;  ///< Why it stopped.
};

/// An objective with a fast path along search lines, for problems where f(x + t·d) is much
/// cheaper to evaluate than f at an arbitrary point (a generalized linear model: the margins of
/// x + t·d are m + t·(X·d), so a trial step costs O(rows), not O(nnz)). minimize() calls
/// evaluate() at the initial point (and at every OWL-QN trial point); with plain L-BFGS each
/// iteration calls beginLine() once, lineValue() for each trial step and acceptStep() once.
/// Implementations must be deterministic; acceptStep(t) must return exactly what lineValue(t)
/// returned.
class LineObjective {
 public:
  virtual ~LineObjective() = default;
  /// f(x); writes ∇f(x) into grad. x becomes the current point.
  virtual double evaluate(const double* x, double* grad) = 0;
  /// Starts a line search from the current point x along d. Both stay valid and unchanged until
  /// the next beginLine() or evaluate().
  virtual void beginLine(const double* x, const double* d) = 0;
  /// φ(t) = f(x + t·d); writes φ'(t) = ∇f(x + t·d)·d into slope.
  virtual double lineValue(double t, double* slope) = 0;
  /// Makes xNew (= x + t·d, computed by the caller) the current point, writes ∇f(xNew) into grad
  /// and returns f(xNew) as lineValue(t) gave it.
  virtual double acceptStep(double t, const double* xNew, double* grad) = 0;
};

/// Minimises f (plus the optional L1 term) from `x0` with L-BFGS and a strong-Wolfe line search,
/// or with OWL-QN (Andrew & Gao 2007) when any L1 weight is positive. Stopping rules are Breeze's
/// defaultConvergenceCheck (what Spark uses): after k >= fvalMemory iterations,
/// |F_k − max(F_{k−fvalMemory+1..k})| <= tol·|F_0|; or the (pseudo-)gradient norm is at most
/// max(tol·|F_k|, gradientFloor); or k = maxIter. Throws td::ParamError when the options are
/// invalid (negative maxIter/tol, L1 weights of the wrong size, negative or NaN).
MinimizeResult minimize(const Objective& f, std::vector<double> x0,
                        const MinimizeOptions& options = {});

/// The same minimisation of a LineObjective (same rules, same iterates up to rounding).
MinimizeResult minimize(LineObjective& f, std::vector<double> x0,
                        const MinimizeOptions& options = {});

}  // namespace td::optim
