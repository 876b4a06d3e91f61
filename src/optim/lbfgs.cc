// src/optim/lbfgs.cc
#include "thunderdome/optim/lbfgs.h"

#include <fmt/format.h>

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>
#include <utility>

#include "thunderdome/core/error.h"

namespace td::optim {

std::string_view toString(StopReason r) {
  switch (r) {
    case StopReason::kFunctionValues: return "function values converged";
    case StopReason::kGradient: return "gradient converged";
    case StopReason::kMaxIterations: return "max iterations reached";
    case StopReason::kSearchFailed: return "line search failed";
  }
  return "?";
}

namespace {

using Vec = Eigen::VectorXd;
using Index = Eigen::Index;

constexpr double kC1 = 1e-4;  // sufficient decrease (Armijo) constant
constexpr double kC2 = 0.9;   // curvature constant of the strong Wolfe conditions
constexpr int kMaxLineSearchEvals = 40;

// A point of the search with its smooth value f, smooth gradient g and full value F = f + L1.
struct Point {
  Vec x;
  Vec g;
  double f = 0.0;
  double F = 0.0;
};

// The problem: smooth objective plus optional per-coordinate L1 weights.
class Problem {
 public:
  Problem(const Objective& f, const std::vector<double>& l1, Index n)
      : f_(f), hasL1_(false), l1_(n) {
    l1_.setZero();
    if (!l1.empty()) {
      for (Index j = 0; j < n; ++j) {
        l1_[j] = l1[static_cast<std::size_t>(j)];
        if (l1_[j] > 0.0) hasL1_ = true;
      }
    }
  }

  [[nodiscard]] bool hasL1() const { return hasL1_; }
  [[nodiscard]] const Vec& l1() const { return l1_; }

  // Evaluates p.x: fills p.f, p.g and p.F. Non-finite values become +inf.
  void eval(Point& p) const {
    double v = f_(p.x.data(), p.g.data());
    if (!std::isfinite(v)) v = std::numeric_limits<double>::infinity();
    p.f = v;
    p.F = hasL1_ ? v + l1_.cwiseProduct(p.x.cwiseAbs()).sum() : v;
    if (!std::isfinite(p.F)) p.F = std::numeric_limits<double>::infinity();
  }

  // The pseudo-gradient of F at p (the ordinary gradient without L1).
  void pseudoGradient(const Point& p, Vec& pg) const {
    if (!hasL1_) {
      pg = p.g;
      return;
    }
    const Index n = p.x.size();
    for (Index j = 0; j < n; ++j) {
      const double w = l1_[j];
      const double g = p.g[j];
      const double x = p.x[j];
      if (w == 0.0) {
        pg[j] = g;
      } else if (x > 0.0) {
        pg[j] = g + w;
      } else if (x < 0.0) {
        pg[j] = g - w;
      } else if (g + w < 0.0) {
        pg[j] = g + w;
      } else if (g - w > 0.0) {
        pg[j] = g - w;
      } else {
        pg[j] = 0.0;
      }
    }
  }

 private:
  const Objective& f_;
  bool hasL1_;
  Vec l1_;
};

// The L-BFGS memory: the last m pairs s = x_{k+1} − x_k, y = g_{k+1} − g_k.
class History {
 public:
  History(Index n, int m) : S_(n, m), Y_(n, m), rho_(static_cast<std::size_t>(m)), alpha_(rho_) {}

  void clear() { count_ = 0; }
  [[nodiscard]] bool empty() const { return count_ == 0; }

  // Adds a pair when it has positive curvature; returns whether it was kept.
  bool push(const Vec& s, const Vec& y) {
    const double sy = s.dot(y);
    const double yy = y.squaredNorm();
    if (!(sy > 1e-12 * std::sqrt(s.squaredNorm() * yy)) || !(yy > 0.0) || !std::isfinite(sy))
      return false;
    const int m = static_cast<int>(S_.cols());
    if (m == 0) return false;
    head_ = (head_ + 1) % m;
    S_.col(head_) = s;
    Y_.col(head_) = y;
    rho_[static_cast<std::size_t>(head_)] = 1.0 / sy;
    gamma_ = sy / yy;
    count_ = std::min(count_ + 1, m);
    return true;
  }

  // d = −H·q by the two-loop recursion (H = initial scaling γ·I when empty).
  void direction(const Vec& q, Vec& d) {
    d = q;
    const int m = static_cast<int>(S_.cols());
    int idx = head_;
    for (int k = 0; k < count_; ++k) {
      const auto i = static_cast<std::size_t>(idx);
      alpha_[i] = rho_[i] * S_.col(idx).dot(d);
      d.noalias() -= alpha_[i] * Y_.col(idx);
      idx = (idx - 1 + m) % m;
    }
    if (count_ > 0) d *= gamma_;
    idx = (head_ - count_ + 1 + m) % m;
    for (int k = 0; k < count_; ++k) {
      const auto i = static_cast<std::size_t>(idx);
      const double beta = rho_[i] * Y_.col(idx).dot(d);
      d.noalias() += (alpha_[i] - beta) * S_.col(idx);
      idx = (idx + 1) % m;
    }
    d = -d;
  }

 private:
  Eigen::MatrixXd S_, Y_;
  std::vector<double> rho_, alpha_;
  double gamma_ = 1.0;
  int head_ = -1;
  int count_ = 0;
};

// Minimiser of the cubic interpolating (a, fa, da) and (b, fb, db), safeguarded to stay well
// inside the interval; falls back to bisection.
double interpolate(double a, double fa, double da, double b, double fb, double db) {
  const double lo = std::min(a, b);
  const double hi = std::max(a, b);
  const double w = hi - lo;
  const double mid = 0.5 * (a + b);
  if (!(std::isfinite(fa) && std::isfinite(fb) && std::isfinite(da) && std::isfinite(db)))
    return mid;
  const double d1 = da + db - 3.0 * (fa - fb) / (a - b);
  const double disc = d1 * d1 - da * db;
  if (!(disc >= 0.0)) return mid;
  const double d2 = std::copysign(std::sqrt(disc), b - a);
  const double denom = db - da + 2.0 * d2;
  if (denom == 0.0) return mid;
  const double t = b - (b - a) * (db + d2 - d1) / denom;
  if (!std::isfinite(t) || t < lo + 0.1 * w || t > hi - 0.1 * w) return mid;
  return t;
}

// Line search along d from `cur` satisfying the strong Wolfe conditions (Nocedal & Wright,
// algorithms 3.5/3.6). On success `out` holds the new point. Accepts a point with sufficient
// decrease only when the curvature condition cannot be met within the evaluation budget.
bool wolfeSearch(const Problem& P, const Point& cur, const Vec& d, double alpha0, Point& out,
                 Point& tmp) {
  const double f0 = cur.f;
  const double dphi0 = cur.g.dot(d);
  if (!(dphi0 < 0.0)) return false;
  auto evalAt = [&](double a, Point& p) {
    p.x = cur.x + a * d;
    P.eval(p);
    return p.g.dot(d);
  };
  auto armijo = [&](double a, double fa) { return fa <= f0 + kC1 * a * dphi0; };
  auto curvature = [&](double da) { return std::abs(da) <= -kC2 * dphi0; };

  // Bracketing phase. `out` holds the point at aPrev when havePrevPoint.
  double aPrev = 0.0, fPrev = f0, dPrev = dphi0;
  bool havePrevPoint = false;  // out holds the point at aPrev
  double a = alpha0;
  int evals = 0;
  double aLo = 0, fLo = 0, dLo = 0, aHi = 0, fHi = 0, dHi = 0;
  bool loIsPoint = false;  // whether the "lo" end has its point stored in `out`
  for (;;) {
    const double da = evalAt(a, tmp);
    ++evals;
    const double fa = tmp.f;
    if (!armijo(a, fa) || (evals > 1 && fa >= fPrev)) {
      aLo = aPrev, fLo = fPrev, dLo = dPrev, loIsPoint = havePrevPoint;
      aHi = a, fHi = fa, dHi = da;
      break;
    }
    if (curvature(da)) {
      std::swap(out, tmp);
      return true;
    }
    if (da >= 0.0) {
      aHi = aPrev, fHi = fPrev, dHi = dPrev;
      aLo = a, fLo = fa, dLo = da;
      std::swap(out, tmp);
      loIsPoint = true;
      break;
    }
    // Still descending: keep this point and extrapolate.
    std::swap(out, tmp);
    havePrevPoint = true;
    aPrev = a, fPrev = fa, dPrev = da;
    if (evals >= kMaxLineSearchEvals) return true;  // sufficient decrease, curvature not met
    a *= 4.0;
  }

  // Zoom phase: aLo always satisfies Armijo with the lowest value seen so far.
  while (evals < kMaxLineSearchEvals) {
    const double aj = interpolate(aLo, fLo, dLo, aHi, fHi, dHi);
    if (!(std::abs(aHi - aLo) > 1e-16 * std::max(std::abs(aLo), std::abs(aHi)))) break;
    const double dj = evalAt(aj, tmp);
    ++evals;
    const double fj = tmp.f;
    if (!armijo(aj, fj) || fj >= fLo) {
      aHi = aj, fHi = fj, dHi = dj;
    } else {
      if (curvature(dj)) {
        std::swap(out, tmp);
        return true;
      }
      if (dj * (aHi - aLo) >= 0.0) aHi = aLo, fHi = fLo, dHi = dLo;
      aLo = aj, fLo = fj, dLo = dj;
      std::swap(out, tmp);
      loIsPoint = true;
    }
  }
  // Budget exhausted: accept the best point with sufficient decrease, if any.
  return loIsPoint && aLo > 0.0 && fLo < f0;
}

// OWL-QN backtracking line search along d with projection onto the orthant chosen at `cur`.
bool owlqnSearch(const Problem& P, const Point& cur, const Vec& pg, const Vec& d, double alpha0,
                 Point& out) {
  const Vec& l1 = P.l1();
  const Index n = cur.x.size();
  double a = alpha0;
  for (int it = 0; it < kMaxLineSearchEvals; ++it) {
    out.x = cur.x + a * d;
    for (Index j = 0; j < n; ++j) {
      if (l1[j] == 0.0) continue;
      const double xj = cur.x[j];
      const double orth = xj > 0.0 ? 1.0 : xj < 0.0 ? -1.0 : (pg[j] < 0.0 ? 1.0 : pg[j] > 0.0 ? -1.0 : 0.0);
      if (out.x[j] * orth <= 0.0) out.x[j] = 0.0;
    }
    P.eval(out);
    const double decrease = pg.dot(out.x - cur.x);
    if (out.F <= cur.F + kC1 * decrease && out.F <= cur.F) return true;
    a *= 0.5;
  }
  return false;
}

}  // namespace

MinimizeResult minimize(const Objective& f, std::vector<double> x0,
                        const MinimizeOptions& options) {
  const auto n = static_cast<Index>(x0.size());
  if (options.maxIter < 0)
    throw ParamError(fmt::format("minimize: maxIter must be >= 0 but is {}", options.maxIter));
  if (!(options.tol >= 0.0))
    throw ParamError(fmt::format("minimize: tol must be >= 0 but is {}", options.tol));
  if (options.historySize < 1)
    throw ParamError(
        fmt::format("minimize: historySize must be >= 1 but is {}", options.historySize));
  if (options.fvalMemory < 2)
    throw ParamError(
        fmt::format("minimize: fvalMemory must be >= 2 but is {}", options.fvalMemory));
  if (!options.l1.empty() && static_cast<Index>(options.l1.size()) != n)
    throw ParamError(fmt::format("minimize: {} L1 weights given for dimension {}",
                                 options.l1.size(), n));
  for (std::size_t j = 0; j < options.l1.size(); ++j)
    if (!(options.l1[j] >= 0.0) || !std::isfinite(options.l1[j]))
      throw ParamError(
          fmt::format("minimize: L1 weight {} is {} (must be finite and >= 0)", j, options.l1[j]));

  const Problem P(f, options.l1, n);
  MinimizeResult res;
  Point cur{Eigen::Map<const Vec>(x0.data(), n), Vec(n), 0.0, 0.0};
  Point next{Vec(n), Vec(n), 0.0, 0.0};
  Point tmp{Vec(n), Vec(n), 0.0, 0.0};
  P.eval(cur);
  res.objectiveHistory.push_back(cur.F);

  Vec pg(n), d(n), s(n), y(n);
  P.pseudoGradient(cur, pg);
  History hist(n, options.historySize);

  auto gradientSmall = [&](const Vec& g, double F) {
    return g.norm() <= std::max(options.tol * std::abs(F), options.gradientFloor);
  };

  // The last fvalMemory objective values (Breeze's FunctionValuesConverged window).
  std::deque<double> window;
  const double initialValue = cur.F;

  bool done = false;
  if (!std::isfinite(cur.F)) {
    res.reason = StopReason::kSearchFailed;
    done = true;
  } else if (gradientSmall(pg, cur.F)) {
    res.reason = StopReason::kGradient;
    res.converged = true;
    done = true;
  } else if (options.maxIter == 0) {
    res.reason = StopReason::kMaxIterations;
    done = true;
  }

  while (!done) {
    // Search direction from the (pseudo-)gradient.
    hist.direction(pg, d);
    if (P.hasL1()) {
      // OWL-QN: a coordinate at zero may only leave it in the direction of −pg. Unlike the
      // paper (and Breeze), non-zero coordinates keep their quasi-Newton component even when it
      // disagrees in sign with −pg: inside an orthant F is smooth, zero crossings are handled by
      // the projection in the line search, and the paper's rule makes ill-conditioned problems
      // crawl (thousands of iterations). Descent is still checked below.
      const Vec& l1 = P.l1();
      for (Index j = 0; j < n; ++j)
        if (l1[j] > 0.0 && cur.x[j] == 0.0 && d[j] * pg[j] >= 0.0) d[j] = 0.0;
    }
    if (!(d.dot(pg) < 0.0)) {  // not a descent direction: restart from steepest descent
      hist.clear();
      d = -pg;
    }
    const double dnorm = d.norm();
    const double alpha0 = hist.empty() ? std::min(1.0, 1.0 / dnorm) : 1.0;
    bool ok = P.hasL1() ? owlqnSearch(P, cur, pg, d, alpha0, next)
                        : wolfeSearch(P, cur, d, alpha0, next, tmp);
    if (!ok && !hist.empty()) {  // retry once from steepest descent without the memory
      hist.clear();
      d = -pg;
      const double a0 = std::min(1.0, 1.0 / d.norm());
      ok = P.hasL1() ? owlqnSearch(P, cur, pg, d, a0, next)
                     : wolfeSearch(P, cur, d, a0, next, tmp);
    }
    if (!ok) {
      res.reason = StopReason::kSearchFailed;
      break;
    }

    s = next.x - cur.x;
    y = next.g - cur.g;
    hist.push(s, y);
    std::swap(cur, next);
    P.pseudoGradient(cur, pg);
    ++res.iterations;
    res.objectiveHistory.push_back(cur.F);

    window.push_back(cur.F);
    if (static_cast<int>(window.size()) > options.fvalMemory) window.pop_front();
    const bool valuesConverged =
        res.iterations >= options.fvalMemory &&
        std::abs(cur.F - *std::max_element(window.begin(), window.end())) <=
            options.tol * std::abs(initialValue);
    if (gradientSmall(pg, cur.F)) {
      res.reason = StopReason::kGradient;
      res.converged = true;
      done = true;
    } else if (valuesConverged) {
      res.reason = StopReason::kFunctionValues;
      res.converged = true;
      done = true;
    } else if (res.iterations >= options.maxIter) {
      res.reason = StopReason::kMaxIterations;
      done = true;
    }
  }

  res.value = cur.F;
  res.x.assign(cur.x.data(), cur.x.data() + n);
  return res;
}

}  // namespace td::optim
