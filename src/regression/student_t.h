// src/regression/student_t.h — Student's t tail probabilities for LinearRegression's p-values,
// through the regularized incomplete beta function I_x(a, b) (C++20 has std::beta but no
// incomplete beta, and boost is not a dependency). Internal to the regression area.
#pragma once

#include <cmath>
#include <limits>

namespace td::regression {

// Continued fraction of I_x(a, b) (modified Lentz's method, the classic "betacf" of Numerical
// Recipes §6.4); converges quickly for x < (a + 1)/(a + b + 2).
inline double betaContinuedFraction(double a, double b, double x) {
  constexpr int kMaxIter = 10000;
  constexpr double kEps = 1e-16;
  constexpr double kTiny = 1e-300;
  const double qab = a + b, qap = a + 1.0, qam = a - 1.0;
  double c = 1.0;
  double d = 1.0 - qab * x / qap;
  if (std::abs(d) < kTiny) d = kTiny;
  d = 1.0 / d;
  double h = d;
  for (int m = 1; m <= kMaxIter; ++m) {
    const double m2 = 2.0 * m;
    double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
    d = 1.0 + aa * d;
    if (std::abs(d) < kTiny) d = kTiny;
    c = 1.0 + aa / c;
    if (std::abs(c) < kTiny) c = kTiny;
    d = 1.0 / d;
    h *= d * c;
    aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
    d = 1.0 + aa * d;
    if (std::abs(d) < kTiny) d = kTiny;
    c = 1.0 + aa / c;
    if (std::abs(c) < kTiny) c = kTiny;
    d = 1.0 / d;
    const double del = d * c;
    h *= del;
    if (std::abs(del - 1.0) < kEps) break;
  }
  return h;
}

/// The regularized incomplete beta function I_x(a, b) for a, b > 0 and 0 <= x <= 1 (NaN
/// otherwise).
inline double regularizedIncompleteBeta(double a, double b, double x) {
  if (!(a > 0.0) || !(b > 0.0) || !(x >= 0.0) || !(x <= 1.0))
    return std::numeric_limits<double>::quiet_NaN();
  if (x == 0.0 || x == 1.0) return x;
  // front = x^a (1 − x)^b / (a B(a, b)), in logs.
  const double lnFront = std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) + a * std::log(x) +
                         b * std::log1p(-x);
  const double front = std::exp(lnFront);
  if (x < (a + 1.0) / (a + b + 2.0)) return front * betaContinuedFraction(a, b, x) / a;
  return 1.0 - front * betaContinuedFraction(b, a, 1.0 - x) / b;
}

/// P(|T| >= |t|) for T ~ Student's t with `dof` degrees of freedom: I_{ν/(ν+t²)}(ν/2, 1/2).
inline double studentTTwoSidedPValue(double t, double dof) {
  if (std::isnan(t) || !(dof > 0.0)) return std::numeric_limits<double>::quiet_NaN();
  if (std::isinf(t)) return 0.0;
  return regularizedIncompleteBeta(0.5 * dof, 0.5, dof / (dof + t * t));
}

/// The CDF of Student's t with `dof` degrees of freedom.
inline double studentTCdf(double t, double dof) {
  const double tail = 0.5 * studentTTwoSidedPValue(t, dof);
  return t >= 0.0 ? 1.0 - tail : tail;
}

}  // namespace td::regression
