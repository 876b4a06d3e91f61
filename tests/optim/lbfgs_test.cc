// tests/optim/lbfgs_test.cc
#include "thunderdome/optim/lbfgs.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
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
