// tests/optim/lbfgs_test.cc
#include "thunderdome/optim/lbfgs.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "thunderdome/core/error.h"

namespace {

using td::optim::MinimizeOptions;
using td::optim::MinimizeResult;
using td::optim::minimize;
using td::optim::StopReason;

// f(x) = Σ_i (100 (x_{i+1} − x_i²)² + (1 − x_i)²), minimum 0 at (1, …, 1).
double rosenbrock(const double* x, double* g, int n) {
  double f = 0.0;
  for (int i = 0; i < n; ++i) g[i] = 0.0;
  for (int i = 0; i + 1 < n; ++i) {
    const double a = x[i + 1] - x[i] * x[i];
    const double b = 1.0 - x[i];
    f += 100.0 * a * a + b * b;
    g[i] += -400.0 * a * x[i] - 2.0 * b;
    g[i + 1] += 200.0 * a;
  }
  return f;
}

void expectMonotone(const MinimizeResult& r) {
  ASSERT_EQ(r.objectiveHistory.size(), static_cast<std::size_t>(r.iterations) + 1);
  for (std::size_t i = 1; i < r.objectiveHistory.size(); ++i)
    EXPECT_LE(r.objectiveHistory[i], r.objectiveHistory[i - 1]) << "iteration " << i;
  EXPECT_DOUBLE_EQ(r.objectiveHistory.back(), r.value);
}

TEST(LbfgsTest, QuadraticWithKnownMinimum) {
  const std::vector<double> a{1.0, 10.0, 100.0, 0.5};
  const std::vector<double> c{1.0, -2.0, 3.0, 0.25};
  auto f = [&](const double* x, double* g) {
    double v = 0.0;
    for (std::size_t i = 0; i < a.size(); ++i) {
      v += 0.5 * a[i] * (x[i] - c[i]) * (x[i] - c[i]);
      g[i] = a[i] * (x[i] - c[i]);
    }
    return v;
  };
  MinimizeOptions opt;
  opt.tol = 1e-12;
  const MinimizeResult r = minimize(f, std::vector<double>(4, 0.0), opt);
  EXPECT_TRUE(r.converged);
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(r.x[i], c[i], 1e-7);
  EXPECT_LT(r.iterations, 30);
  expectMonotone(r);
}

TEST(LbfgsTest, Rosenbrock2D) {
  MinimizeOptions opt;
  opt.maxIter = 500;
  opt.tol = 1e-14;
  const MinimizeResult r =
      minimize([](const double* x, double* g) { return rosenbrock(x, g, 2); }, {-1.2, 1.0}, opt);
  EXPECT_TRUE(r.converged) << toString(r.reason);
  EXPECT_NEAR(r.x[0], 1.0, 1e-5);
  EXPECT_NEAR(r.x[1], 1.0, 1e-5);
  EXPECT_LT(r.value, 1e-10);
  expectMonotone(r);
}

TEST(LbfgsTest, Rosenbrock10D) {
  MinimizeOptions opt;
  opt.maxIter = 1000;
  opt.tol = 1e-14;
  std::vector<double> x0(10, -1.0);
  const MinimizeResult r =
      minimize([](const double* x, double* g) { return rosenbrock(x, g, 10); }, x0, opt);
  for (double xi : r.x) EXPECT_NEAR(xi, 1.0, 1e-4);
  expectMonotone(r);
}

TEST(LbfgsTest, MaxIterZeroReturnsInitialPoint) {
  MinimizeOptions opt;
  opt.maxIter = 0;
  int calls = 0;
  const MinimizeResult r = minimize(
      [&](const double* x, double* g) {
        ++calls;
        return rosenbrock(x, g, 2);
      },
      {-1.2, 1.0}, opt);
  EXPECT_EQ(r.x, (std::vector<double>{-1.2, 1.0}));
  EXPECT_EQ(r.iterations, 0);
  EXPECT_FALSE(r.converged);
  EXPECT_EQ(r.reason, StopReason::kMaxIterations);
  ASSERT_EQ(r.objectiveHistory.size(), 1u);
  EXPECT_DOUBLE_EQ(r.objectiveHistory[0], 24.2);
  EXPECT_EQ(calls, 1);
}

TEST(LbfgsTest, MaxIterCapsIterations) {
  MinimizeOptions opt;
  opt.maxIter = 3;
  const MinimizeResult r =
      minimize([](const double* x, double* g) { return rosenbrock(x, g, 2); }, {-1.2, 1.0}, opt);
  EXPECT_EQ(r.iterations, 3);
  EXPECT_FALSE(r.converged);
  EXPECT_EQ(r.reason, StopReason::kMaxIterations);
  expectMonotone(r);
}

TEST(LbfgsTest, L1SeparableSoftThresholding) {
  // f = ½ Σ a_i (x_i − c_i)², F = f + Σ λ_i |x_i|: x_i = sign(c_i)·max(|c_i| − λ_i/a_i, 0).
  const std::vector<double> a{1.0, 4.0, 2.0, 1.0, 3.0};
  const std::vector<double> c{2.0, -0.1, -3.0, 0.3, 1.5};
  const std::vector<double> l1{0.5, 1.0, 1.0, 0.5, 0.0};  // last coordinate unpenalised
  auto f = [&](const double* x, double* g) {
    double v = 0.0;
    for (std::size_t i = 0; i < a.size(); ++i) {
      v += 0.5 * a[i] * (x[i] - c[i]) * (x[i] - c[i]);
      g[i] = a[i] * (x[i] - c[i]);
    }
    return v;
  };
  MinimizeOptions opt;
  opt.tol = 1e-12;
  opt.l1 = l1;
  const MinimizeResult r = minimize(f, std::vector<double>(5, 0.0), opt);
  EXPECT_TRUE(r.converged) << toString(r.reason);
  for (std::size_t i = 0; i < a.size(); ++i) {
    const double expected =
        std::copysign(std::max(std::abs(c[i]) - l1[i] / a[i], 0.0), c[i]);
    if (expected == 0.0)
      EXPECT_EQ(r.x[i], 0.0) << "coordinate " << i << " must be exactly zero";
    else
      EXPECT_NEAR(r.x[i], expected, 1e-7) << "coordinate " << i;
  }
  expectMonotone(r);
}

// F = ½‖Ax − b‖² + λ‖x‖₁ with a fixed, well-conditioned, correlated design.
struct Lasso {
  static constexpr int m = 12, n = 6;
  std::vector<double> A = std::vector<double>(m * n), b = std::vector<double>(m);
  Lasso() {
    for (int i = 0; i < m; ++i) {
      for (int j = 0; j < n; ++j)
        A[i * n + j] = std::sin(1.0 + i * i * 0.37 + j * j * 1.3 + i * j * 0.11) + (j == 0 ? 0.5 : 0.0);
      b[i] = std::cos(0.3 * i) * 2.0 + 0.1 * i;
    }
  }
  double operator()(const double* x, double* g) const {
    double v = 0.0;
    for (int j = 0; j < n; ++j) g[j] = 0.0;
    for (int i = 0; i < m; ++i) {
      double r = -b[i];
      for (int j = 0; j < n; ++j) r += A[i * n + j] * x[j];
      v += 0.5 * r * r;
      for (int j = 0; j < n; ++j) g[j] += r * A[i * n + j];
    }
    return v;
  }
  // Number of zero coordinates; checks the optimality conditions of the lasso at x.
  int checkKkt(const std::vector<double>& x, double lambda) const {
    std::vector<double> g(n);
    (void)(*this)(x.data(), g.data());
    int zeros = 0;
    for (int j = 0; j < n; ++j) {
      if (x[j] == 0.0) {
        ++zeros;
        EXPECT_LE(std::abs(g[j]), lambda + 1e-7) << "coordinate " << j;
      } else {
        EXPECT_NEAR(g[j] + lambda * (x[j] > 0 ? 1.0 : -1.0), 0.0, 1e-6) << "coordinate " << j;
      }
    }
    return zeros;
  }
};

TEST(LbfgsTest, LassoSatisfiesKkt) {
  const Lasso f;
  const double lambda = 0.8;
  MinimizeOptions opt;
  opt.tol = 1e-12;
  opt.maxIter = 2000;
  opt.l1.assign(Lasso::n, lambda);
  const MinimizeResult r = minimize(std::cref(f), std::vector<double>(Lasso::n, 0.0), opt);
  EXPECT_TRUE(r.converged) << toString(r.reason);
  const int zeros = f.checkKkt(r.x, lambda);
  EXPECT_GT(zeros, 0) << "lambda was chosen to give a sparse solution";
  EXPECT_LT(zeros, Lasso::n);
  expectMonotone(r);
}

TEST(LbfgsTest, OwlqnWithTinyL1ConvergesLikeLbfgs) {
  // With a tiny penalty the solution is dense; OWL-QN must not crawl (regression guard).
  const Lasso f;
  const double lambda = 1e-3;
  MinimizeOptions opt;
  opt.tol = 1e-12;
  opt.maxIter = 2000;
  opt.l1.assign(Lasso::n, lambda);
  const MinimizeResult r = minimize(std::cref(f), std::vector<double>(Lasso::n, 0.0), opt);
  EXPECT_TRUE(r.converged) << toString(r.reason);
  EXPECT_EQ(f.checkKkt(r.x, lambda), 0);
  EXPECT_LT(r.iterations, 200);
}

TEST(LbfgsTest, ZeroL1WeightsIsPlainLbfgs) {
  auto f = [](const double* x, double* g) { return rosenbrock(x, g, 2); };
  MinimizeOptions plain;
  MinimizeOptions zeros;
  zeros.l1 = {0.0, 0.0};
  const MinimizeResult a = minimize(f, {-1.2, 1.0}, plain);
  const MinimizeResult b = minimize(f, {-1.2, 1.0}, zeros);
  EXPECT_EQ(a.x, b.x);
  EXPECT_EQ(a.objectiveHistory, b.objectiveHistory);
}

TEST(LbfgsTest, AlreadyOptimalAndZeroDimension) {
  auto f = [](const double* x, double* g) {
    g[0] = 2.0 * x[0];
    return x[0] * x[0];
  };
  const MinimizeResult r = minimize(f, {0.0});
  EXPECT_TRUE(r.converged);
  EXPECT_EQ(r.iterations, 0);
  EXPECT_EQ(r.reason, StopReason::kGradient);

  const MinimizeResult e = minimize([](const double*, double*) { return 3.0; }, {});
  EXPECT_TRUE(e.converged);
  EXPECT_TRUE(e.x.empty());
  EXPECT_EQ(e.objectiveHistory, (std::vector<double>{3.0}));
}

TEST(LbfgsTest, DeterministicAcrossRuns) {
  auto f = [](const double* x, double* g) { return rosenbrock(x, g, 6); };
  const MinimizeResult a = minimize(f, std::vector<double>(6, 0.3));
  const MinimizeResult b = minimize(f, std::vector<double>(6, 0.3));
  EXPECT_EQ(a.x, b.x);
  EXPECT_EQ(a.objectiveHistory, b.objectiveHistory);
}

TEST(LbfgsTest, InvalidOptionsThrowParamError) {
  auto f = [](const double* x, double* g) { return rosenbrock(x, g, 2); };
  MinimizeOptions bad;
  bad.l1 = {1.0};
  EXPECT_THROW((void)minimize(f, {0.0, 0.0}, bad), td::ParamError);
  bad.l1 = {1.0, -1.0};
  EXPECT_THROW((void)minimize(f, {0.0, 0.0}, bad), td::ParamError);
  bad.l1 = {1.0, NAN};
  EXPECT_THROW((void)minimize(f, {0.0, 0.0}, bad), td::ParamError);
  MinimizeOptions negIter;
  negIter.maxIter = -1;
  EXPECT_THROW((void)minimize(f, {0.0, 0.0}, negIter), td::ParamError);
  MinimizeOptions negTol;
  negTol.tol = -1e-3;
  EXPECT_THROW((void)minimize(f, {0.0, 0.0}, negTol), td::ParamError);
}

}  // namespace

namespace {

// f(x) = ½‖Ax − b‖² + ½μ‖x‖² as a LineObjective (the residual Ax − b is kept with the current
// point and along the line), with A of m rows and n columns.
class RidgeLine final : public td::optim::LineObjective {
 public:
  RidgeLine(int m, int n, double mu) : m_(m), n_(n), mu_(mu), A_(m * n), b_(m), r_(m), q_(m), rt_(m) {
    for (int i = 0; i < m; ++i) {
      for (int j = 0; j < n; ++j) A_[i * n + j] = std::sin(0.3 + 0.7 * i + 1.9 * j + 0.01 * i * j);
      b_[i] = std::cos(0.2 * i) + 0.5;
    }
  }
  // The same function as a plain Objective.
  double operator()(const double* x, double* g) const {
    std::vector<double> r(m_);
    double v = 0.0;
    for (int i = 0; i < m_; ++i) {
      double s = -b_[i];
      for (int j = 0; j < n_; ++j) s += A_[i * n_ + j] * x[j];
      r[i] = s;
      v += 0.5 * s * s;
    }
    for (int j = 0; j < n_; ++j) {
      double s = mu_ * x[j];
      for (int i = 0; i < m_; ++i) s += A_[i * n_ + j] * r[i];
      g[j] = s;
      v += 0.5 * mu_ * x[j] * x[j];
    }
    return v;
  }
  double evaluate(const double* x, double* g) override {
    ++evaluations;
    const double v = (*this)(x, g);
    for (int i = 0; i < m_; ++i) {
      double s = -b_[i];
      for (int j = 0; j < n_; ++j) s += A_[i * n_ + j] * x[j];
      r_[i] = s;
    }
    xx_ = 0.0;
    for (int j = 0; j < n_; ++j) xx_ += x[j] * x[j];
    return v;
  }
  void beginLine(const double* x, const double* d) override {
    ++lines;
    xd_ = dd_ = 0.0;
    for (int j = 0; j < n_; ++j) xd_ += x[j] * d[j], dd_ += d[j] * d[j];
    for (int i = 0; i < m_; ++i) {
      double s = 0.0;
      for (int j = 0; j < n_; ++j) s += A_[i * n_ + j] * d[j];
      q_[i] = s;
    }
  }
  double lineValue(double t, double* slope) override {
    double v = 0.0, sl = 0.0;
    for (int i = 0; i < m_; ++i) {
      rt_[i] = r_[i] + t * q_[i];
      v += 0.5 * rt_[i] * rt_[i];
      sl += rt_[i] * q_[i];
    }
    v += 0.5 * mu_ * (xx_ + t * (2.0 * xd_ + t * dd_));
    *slope = sl + mu_ * (xd_ + t * dd_);
    lastT_ = t;
    lastV_ = v;
    return v;
  }
  double acceptStep(double t, const double* xNew, double* g) override {
    double slope = 0.0;
    if (t != lastT_) (void)lineValue(t, &slope);
    r_ = rt_;
    xx_ += t * (2.0 * xd_ + t * dd_);
    for (int j = 0; j < n_; ++j) {
      double s = mu_ * xNew[j];
      for (int i = 0; i < m_; ++i) s += A_[i * n_ + j] * r_[i];
      g[j] = s;
    }
    return lastV_;
  }
  int evaluations = 0, lines = 0;

 private:
  int m_, n_;
  double mu_;
  std::vector<double> A_, b_, r_, q_, rt_;
  double xx_ = 0.0, xd_ = 0.0, dd_ = 0.0, lastT_ = 0.0, lastV_ = 0.0;
};

TEST(LbfgsTest, LineObjectiveReachesTheSameMinimum) {
  for (int n : {40, 1500}) {  // double and float32 correction pairs
    RidgeLine line(30, n, 1.0);
    MinimizeOptions opt;
    opt.tol = 1e-10;
    opt.maxIter = 2000;
    const MinimizeResult a = minimize(line, std::vector<double>(n, 0.0), opt);
    const MinimizeResult b = minimize(std::cref(line), std::vector<double>(n, 0.0), opt);
    EXPECT_TRUE(a.converged) << toString(a.reason);
    EXPECT_TRUE(b.converged) << toString(b.reason);
    EXPECT_EQ(line.evaluations, 1) << "plain L-BFGS evaluates f only at the start";
    EXPECT_EQ(line.lines, a.iterations);
    for (int j = 0; j < n; ++j) EXPECT_NEAR(a.x[j], b.x[j], 1e-6) << "n " << n << " j " << j;
    EXPECT_NEAR(a.value, b.value, 1e-10 * std::abs(b.value));
    expectMonotone(a);
  }
}

// f = K/2 Σ a_i (x_i − s·c_i)², a_i in [1, 1000]: the minimum is s·c.
struct ScaledQuadratic {
  int n;
  double s, K;
  double operator()(const double* x, double* g) const {
    double v = 0.0;
    for (int i = 0; i < n; ++i) {
      const double a = 1.0 + 999.0 * i / (n - 1);
      const double e = x[i] - s * center(i);
      v += 0.5 * K * a * e * e;
      g[i] = K * a * e;
    }
    return v;
  }
  static double center(int i) { return std::cos(0.37 * i) + 0.1; }
};

TEST(LbfgsTest, Float32HistoryConvergesLikeDouble) {
  // Wide enough for float32 pairs; also with gradient differences far beyond float's range
  // (K = 1e40) and steps far below 1 (s = 1e-6, steps down to ~1e-22): the pairs are stored
  // divided by a power of two.
  const int n = 2048;
  for (const auto& [s, K] : {std::pair{1.0, 1.0}, std::pair{1.0, 1e40}, std::pair{1e-6, 1e12}}) {
    const ScaledQuadratic f{n, s, K};
    // tol 0: the gradient rule is not scale-free (‖g‖ <= tol·|F|), so run to the numerical limit.
    MinimizeOptions single, dbl;
    single.tol = dbl.tol = 0.0;
    single.maxIter = dbl.maxIter = 400;
    single.gradientFloor = dbl.gradientFloor = 0.0;
    dbl.compactHistory = false;
    const MinimizeResult a = minimize(std::cref(f), std::vector<double>(n, 0.0), single);
    const MinimizeResult b = minimize(std::cref(f), std::vector<double>(n, 0.0), dbl);
    // Relative objective gap and relative distance to the minimum.
    const double F0 = a.objectiveHistory.front();
    EXPECT_LT(a.value, 1e-16 * F0) << "scale " << s << ": " << toString(a.reason);
    EXPECT_LT(b.value, 1e-16 * F0) << "scale " << s << ": " << toString(b.reason);
    double e2 = 0.0, c2 = 0.0;
    for (int i = 0; i < n; ++i) {
      const double c = s * ScaledQuadratic::center(i);
      e2 += (a.x[i] - c) * (a.x[i] - c);
      c2 += c * c;
    }
    EXPECT_LT(std::sqrt(e2 / c2), 1e-7) << "scale " << s;
    std::printf("scale %g: float32 pairs %lld iterations (%s, F/F0 %.3g), double %lld (%s, %.3g)\n", s,
                static_cast<long long>(a.iterations), std::string(toString(a.reason)).c_str(),
                a.value / F0, static_cast<long long>(b.iterations),
                std::string(toString(b.reason)).c_str(), b.value / F0);
    expectMonotone(a);
  }
}

}  // namespace
