// src/optim/newton.cc — line-search truncated Newton with preconditioned CG.
#include "thunderdome/optim/newton.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "thunderdome/core/error.h"

namespace td::optim {

namespace {

constexpr double kArmijo = 0.01;      // sufficient decrease constant (liblinear's η)
constexpr int kMaxLineSearchTrials = 20;
constexpr double kNumericalLimit = 1e-12;  // relative change below which nothing moves
constexpr double kInf = std::numeric_limits<double>::infinity();
// The estimated gap left (the predicted next decrease) that stops a superlinear run, × tol·|F|.
constexpr double kGapFactor = 1.0;

double dot(const std::vector<double>& a, const std::vector<double>& b) {
  // Four partial sums in a fixed order: deterministic and not bound by one add's latency.
  double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
  const std::size_t n = a.size();
  std::size_t j = 0;
  for (; j + 4 <= n; j += 4) {
    s0 += a[j] * b[j];
    s1 += a[j + 1] * b[j + 1];
    s2 += a[j + 2] * b[j + 2];
    s3 += a[j + 3] * b[j + 3];
  }
  for (; j < n; ++j) s0 += a[j] * b[j];
  return (s0 + s1) + (s2 + s3);
}

void validate(const NewtonOptions& o) {
  auto bad = [](const char* name, double v, const char* rule) {
    return ParamError(fmt::format("Newton solver: {} = {} is invalid: {}", name, v, rule));
  };
  if (o.maxIter < 0) throw bad("maxIter", static_cast<double>(o.maxIter), "must be >= 0");
  if (!(o.tol >= 0.0) || !std::isfinite(o.tol)) throw bad("tol", o.tol, "must be finite and >= 0");
  if (!(o.gradientFloor >= 0.0)) throw bad("gradientFloor", o.gradientFloor, "must be >= 0");
  if (!(o.cgTol > 0.0 && o.cgTol <= 1.0)) throw bad("cgTol", o.cgTol, "must be in (0, 1]");
  if (!(o.warmCgTol > 0.0 && o.warmCgTol <= 1.0))
    throw bad("warmCgTol", o.warmCgTol, "must be in (0, 1]");
  if (o.maxCgIter < 0) throw bad("maxCgIter", static_cast<double>(o.maxCgIter), "must be >= 0");
  if (!(o.preconditionerMix >= 0.0 && o.preconditionerMix <= 1.0))
    throw bad("preconditionerMix", o.preconditionerMix, "must be in [0, 1]");
}

}  // namespace

NewtonResult minimizeNewton(NewtonObjective& f, std::vector<double> x0,
                            const NewtonOptions& options) {
  validate(options);
  const std::size_t n = x0.size();
  NewtonResult res;
  res.x = std::move(x0);
  std::vector<double>& x = res.x;
  std::vector<double> g(n), s(n), r(n), d(n), hd(n), inv(n), m(n, 1.0), reg(n), xNew(n);

  double F = f.evaluate(x.data(), g.data());
  res.objectiveHistory.push_back(F);
  res.value = F;
  res.reason = StopReason::kMaxIterations;
  if (!std::isfinite(F)) {
    res.reason = StopReason::kSearchFailed;
    return res;
  }
  const std::int64_t maxCg =
      options.maxCgIter > 0 ? options.maxCgIter : std::max<std::int64_t>(static_cast<std::int64_t>(n), 5);
  const double a = options.preconditionerMix;
  const double gnorm0 = std::sqrt(dot(g, g));
  double previousDecrease = 0.0;  // F's decrease in the last iteration

  for (;;) {
    const double gnorm = std::sqrt(dot(g, g));
    if (gnorm <= options.gradientFloor) {
      res.reason = StopReason::kGradient;
      res.converged = true;
      break;
    }
    if (res.iterations >= options.maxIter) break;

    // Preconditioner M = (1 − a)·reg + a·diag(H), floored so that every entry is positive.
    if (a > 0.0) {
      f.hessianDiagonal(m.data());
      std::fill(reg.begin(), reg.end(), 0.0);
      f.regularizerDiagonal(reg.data());
      double largest = 0.0;
      for (std::size_t j = 0; j < n; ++j) {
        m[j] = (1.0 - a) * reg[j] + a * m[j];
        if (std::isfinite(m[j])) largest = std::max(largest, m[j]);
      }
      // No usable scale (all zero, or so small that 1/M would overflow): no preconditioning.
      const double floor = largest > 1e-200 ? largest * 1e-12 : 1.0;
      for (double& v : m)
        if (!(v >= floor) || !std::isfinite(v)) v = floor;
    }

    // Preconditioned CG on ∇²f·s = −g, truncated by the quadratic model's progress. Two fused
    // passes over the vectors per step besides H·d (4-lane sums in a fixed order).
    for (std::size_t j = 0; j < n; ++j) inv[j] = 1.0 / m[j];
    double zTr = 0.0;
    {
      double l[4] = {};
      auto start = [&](std::size_t j, int lane) {
        s[j] = 0.0;
        r[j] = -g[j];
        d[j] = r[j] * inv[j];
        l[lane] += d[j] * r[j];
      };
      // Four entries per iteration, entry j into lane j mod 4 (GCC vectorizes this form, not
      // one with l[j & 3]; the same sums in the same order).
      std::size_t j = 0;
      for (; j + 4 <= n; j += 4)
        for (int lane = 0; lane < 4; ++lane) start(j + static_cast<std::size_t>(lane), lane);
      for (int lane = 0; j < n; ++j, ++lane) start(j, lane);
      zTr = (l[0] + l[1]) + (l[2] + l[3]);
    }
    double q = 0.0;
    // Forcing term (Eisenstat & Walker): solve more exactly as the gradient shrinks, which
    // turns the linear convergence of a fixed truncation into a superlinear one.
    const double cgTol =
        std::min(options.warmStart ? options.warmCgTol : options.cgTol, std::sqrt(gnorm / gnorm0));
    std::int64_t steps = 0;
    while (steps < maxCg) {
      f.hessianVector(d.data(), hd.data());
      ++steps;
      const double dHd = dot(d, hd);
      if (!(dHd > 0.0) || !std::isfinite(dHd)) break;  // no (finite) curvature along d
      const double alpha = zTr / dHd;
      double sr[4] = {}, sg[4] = {}, zr[4] = {};
      auto update = [&](std::size_t j, int lane) {
        const double sj = s[j] + alpha * d[j];
        const double rj = r[j] - alpha * hd[j];
        s[j] = sj;
        r[j] = rj;
        sr[lane] += sj * rj;
        sg[lane] += sj * g[j];
        zr[lane] += rj * rj * inv[j];
      };
      std::size_t j = 0;  // as above: entry j into lane j mod 4, four per iteration
      for (; j + 4 <= n; j += 4)
        for (int lane = 0; lane < 4; ++lane) update(j + static_cast<std::size_t>(lane), lane);
      for (int lane = 0; j < n; ++j, ++lane) update(j, lane);
      const double sTr = (sr[0] + sr[1]) + (sr[2] + sr[3]);
      const double sTg = (sg[0] + sg[1]) + (sg[2] + sg[3]);
      const double qNew = -0.5 * (sTr - sTg);
      const double qDiff = qNew - q;
      if (!(qNew <= 0.0 && qDiff <= 0.0)) break;
      if (static_cast<double>(steps) * qDiff >= cgTol * qNew) break;
      q = qNew;
      const double zTrNew = (zr[0] + zr[1]) + (zr[2] + zr[3]);
      const double beta = zTrNew / zTr;
      for (std::size_t j = 0; j < n; ++j) d[j] = r[j] * inv[j] + beta * d[j];
      zTr = zTrNew;
    }
    res.cgIterations += steps;
    double gTs = dot(g, s);
    if (!(gTs < 0.0) || !std::isfinite(gTs)) {  // CG gave nothing usable: scaled steepest descent
      for (std::size_t j = 0; j < n; ++j) s[j] = -g[j] / m[j];
      gTs = dot(g, s);
      if (!(gTs < 0.0) || !std::isfinite(gTs)) {
        res.reason = StopReason::kSearchFailed;
        break;
      }
    }

    // Backtracking from the Newton step.
    f.beginLine(x.data(), s.data());
    double t = 1.0;
    bool accepted = false;
    for (int trial = 0; trial < kMaxLineSearchTrials; ++trial) {
      double slope = 0.0;
      const double ft = f.lineValue(t, &slope);
      if (std::isfinite(ft) && ft - F <= kArmijo * t * gTs) {
        accepted = true;
        break;
      }
      t *= 0.5;
    }
    if (!accepted) {
      res.reason = StopReason::kSearchFailed;
      break;
    }
    for (std::size_t j = 0; j < n; ++j) xNew[j] = x[j] + t * s[j];
    const double fNew = f.acceptStep(t, xNew.data(), g.data());
    const double decrease = F - fNew;
    F = fNew;
    x.swap(xNew);
    ++res.iterations;
    res.objectiveHistory.push_back(F);
    // Converged when a full step lowered F by at most tol·|F|, or when the decreases shrink so
    // fast (ratio ρ = this one / the last) that the next, about ρ·decrease — in a superlinear
    // run close to the whole gap F − F* left — would be at most tol·|F|: the estimated relative
    // gap is then below tol, and the last (longest) CG solve, which would only confirm it, is
    // saved. (Issue #17: the earlier factor 0.01·tol cost one more Newton iteration per fit,
    // about 10% of the passes, for no change in the test AUC or the CV winner; see
    // bench/README.md, "Passes per fit and time to accuracy".)
    const double next = previousDecrease > 0.0 ? decrease * (decrease / previousDecrease) : kInf;
    previousDecrease = decrease;
    if ((t == 1.0 && (decrease <= options.tol * std::abs(F) ||
                      next <= kGapFactor * options.tol * std::abs(F))) ||
        std::abs(decrease) <= kNumericalLimit * std::abs(F)) {
      res.reason = StopReason::kFunctionValues;
      res.converged = true;
      break;
    }
  }
  res.value = F;
  return res;
}

}  // namespace td::optim
