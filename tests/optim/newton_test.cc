// tests/optim/newton_test.cc
#include "thunderdome/optim/newton.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "thunderdome/core/error.h"
#include "thunderdome/core/random.h"

namespace {

using td::optim::minimizeNewton;
using td::optim::NewtonObjective;
using td::optim::NewtonOptions;
using td::optim::NewtonResult;
using td::optim::StopReason;

// A NewtonObjective from closures: value+gradient, Hessian·v and diag(H) at a point. The line
// methods evaluate f at x + t·d in full (the fast path is the caller's business).
class Closure final : public NewtonObjective {
 public:
  using Fg = std::function<double(const std::vector<double>&, double*)>;
  using Hv = std::function<void(const std::vector<double>&, const double*, double*)>;
  using Hd = std::function<void(const std::vector<double>&, double*)>;
  Closure(std::size_t n, Fg fg, Hv hv, Hd hd) : n_(n), fg_(fg), hv_(hv), hd_(hd), x_(n), d_(n) {}

  double evaluate(const double* x, double* grad) override {
    x_.assign(x, x + n_);
    ++evaluations;
    return fg_(x_, grad);
  }
  void beginLine(const double* x, const double* d) override {
    x_.assign(x, x + n_);
    d_.assign(d, d + n_);
  }
  double lineValue(double t, double* slope) override {
    std::vector<double> p(n_), g(n_);
    for (std::size_t j = 0; j < n_; ++j) p[j] = x_[j] + t * d_[j];
    const double v = fg_(p, g.data());
    double s = 0.0;
    for (std::size_t j = 0; j < n_; ++j) s += g[j] * d_[j];
    *slope = s;
    return v;
  }
  double acceptStep(double, const double* xNew, double* grad) override {
    x_.assign(xNew, xNew + n_);
    return fg_(x_, grad);
  }
  void hessianVector(const double* v, double* out) override {
    ++hessianProducts;
    hv_(x_, v, out);
  }
  void hessianDiagonal(double* out) override { hd_(x_, out); }

  int evaluations = 0;
  int hessianProducts = 0;

 private:
  std::size_t n_;
  Fg fg_;
  Hv hv_;
  Hd hd_;
  std::vector<double> x_, d_;
};

// f(x) = ½ Σ a_i (x_i − c_i)² + ½ ρ (Σ x_i)²: a dense SPD Hessian diag(a) + ρ·11ᵀ.
Closure quadratic(const std::vector<double>& a, const std::vector<double>& c, double rho) {
  const std::size_t n = a.size();
  return Closure(
      n,
      [=](const std::vector<double>& x, double* g) {
        double s = 0.0, v = 0.0;
        for (std::size_t i = 0; i < n; ++i) s += x[i];
        for (std::size_t i = 0; i < n; ++i) {
          v += 0.5 * a[i] * (x[i] - c[i]) * (x[i] - c[i]);
          g[i] = a[i] * (x[i] - c[i]) + rho * s;
        }
        return v + 0.5 * rho * s * s;
      },
      [=](const std::vector<double>&, const double* v, double* out) {
        double s = 0.0;
        for (std::size_t i = 0; i < n; ++i) s += v[i];
        for (std::size_t i = 0; i < n; ++i) out[i] = a[i] * v[i] + rho * s;
      },
      [=](const std::vector<double>&, double* out) {
        for (std::size_t i = 0; i < n; ++i) out[i] = a[i] + rho;
      });
}

void expectMonotone(const NewtonResult& r) {
  ASSERT_EQ(r.objectiveHistory.size(), static_cast<std::size_t>(r.iterations) + 1);
  for (std::size_t i = 1; i < r.objectiveHistory.size(); ++i)
    EXPECT_LE(r.objectiveHistory[i], r.objectiveHistory[i - 1]) << "iteration " << i;
  EXPECT_DOUBLE_EQ(r.objectiveHistory.back(), r.value);
}

TEST(NewtonTest, QuadraticSolvedInOneStepWithExactCg) {
  // With CG run to the end (cgTol tiny), Newton minimises a quadratic in one step. Known
  // minimiser: a_i (x_i − c_i) + ρ S = 0 with S = Σx ⇒ x_i = c_i − ρS/a_i, S = Σc / (1 + ρΣ1/a).
  const std::vector<double> a{1.0, 10.0, 100.0, 0.5};
  const std::vector<double> c{1.0, -2.0, 3.0, 0.25};
  const double rho = 0.3;
  double sumC = 0.0, sumInv = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) sumC += c[i], sumInv += 1.0 / a[i];
  const double S = sumC / (1.0 + rho * sumInv);
  Closure f = quadratic(a, c, rho);
  NewtonOptions opt;
  opt.cgTol = 1e-12;
  opt.tol = 1e-14;
  const NewtonResult r = minimizeNewton(f, std::vector<double>(4, 0.0), opt);
  EXPECT_TRUE(r.converged);
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(r.x[i], c[i] - rho * S / a[i], 1e-10);
  EXPECT_LE(r.iterations, 2);  // the exact step, then a step that changes nothing
  EXPECT_LE(r.cgIterations, 2 * 5);
  expectMonotone(r);
}

TEST(NewtonTest, WarmStartTruncatesCgAtWarmCgTol) {
  // The same quadratic from a start that is no solution: warmStart switches the truncation
  // from cgTol to warmCgTol. Exact CG only as a warm start gives the one-step solve; loose CG
  // (either way round) takes more Newton steps.
  const std::vector<double> a{1.0, 10.0, 100.0, 0.5};
  const std::vector<double> c{1.0, -2.0, 3.0, 0.25};
  auto run = [&](bool warm, double cgTol, double warmCgTol) {
    Closure f = quadratic(a, c, 0.3);
    NewtonOptions opt;
    opt.tol = 1e-14;
    opt.preconditionerMix = 0.0;  // plain CG: one step no longer solves the badly scaled system
    opt.cgTol = cgTol;
    opt.warmCgTol = warmCgTol;
    opt.warmStart = warm;
    return minimizeNewton(f, std::vector<double>(4, 0.1), opt);
  };
  const NewtonResult exactWarm = run(true, 1.0, 1e-12);
  const NewtonResult looseCold = run(false, 1.0, 1e-12);
  const NewtonResult looseWarm = run(true, 1e-12, 1.0);
  EXPECT_LE(exactWarm.iterations, 2);
  EXPECT_GT(looseCold.iterations, exactWarm.iterations);
  EXPECT_GT(looseWarm.iterations, exactWarm.iterations);
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_NEAR(looseCold.x[i], exactWarm.x[i], 1e-6);
    EXPECT_NEAR(looseWarm.x[i], exactWarm.x[i], 1e-6);
  }
}

// L2-regularised logistic regression on random data: f = (1/n) Σ log(1 + e^{−s_i w·x_i}) + λ/2‖w‖².
struct Logistic {
  std::size_t n, d;
  std::vector<double> x;  // row-major n × d
  std::vector<double> s;  // ±1
  double lambda;

  double value(const std::vector<double>& w, double* g) const {
    std::vector<double> gg(d, 0.0);
    double v = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      double m = 0.0;
      for (std::size_t j = 0; j < d; ++j) m += x[i * d + j] * w[j];
      const double z = -s[i] * m;
      v += z > 0 ? z + std::log1p(std::exp(-z)) : std::log1p(std::exp(z));
      const double p = 1.0 / (1.0 + std::exp(-z));  // σ(z)
      for (std::size_t j = 0; j < d; ++j) gg[j] += -s[i] * p * x[i * d + j];
    }
    v /= static_cast<double>(n);
    for (std::size_t j = 0; j < d; ++j) {
      g[j] = gg[j] / static_cast<double>(n) + lambda * w[j];
      v += 0.5 * lambda * w[j] * w[j];
    }
    return v;
  }
  std::vector<double> curvature(const std::vector<double>& w) const {
    std::vector<double> c(n);
    for (std::size_t i = 0; i < n; ++i) {
      double m = 0.0;
      for (std::size_t j = 0; j < d; ++j) m += x[i * d + j] * w[j];
      const double p = 1.0 / (1.0 + std::exp(-m));
      c[i] = p * (1.0 - p) / static_cast<double>(n);
    }
    return c;
  }
};

double gaussian(td::Rng& rng) {  // Box-Muller
  const double u = 1.0 - rng.uniform(), v = rng.uniform();
  return std::sqrt(-2.0 * std::log(u)) * std::cos(6.283185307179586 * v);
}

Logistic randomLogistic(std::size_t n, std::size_t d, double lambda, std::uint64_t seed) {
  td::Rng rng(seed);
  Logistic p{n, d, std::vector<double>(n * d), std::vector<double>(n), lambda};
  std::vector<double> truth(d);
  for (auto& t : truth) t = gaussian(rng);
  for (std::size_t i = 0; i < n; ++i) {
    double m = 0.0;
    for (std::size_t j = 0; j < d; ++j) {
      // Badly scaled columns (like raw term counts): column j has scale 1 + 10 j.
      const double v = gaussian(rng) * (1.0 + 10.0 * static_cast<double>(j));
      p.x[i * d + j] = v;
      m += v * truth[j] / (1.0 + 10.0 * static_cast<double>(j));
    }
    p.s[i] = rng.uniform() < 1.0 / (1.0 + std::exp(-m)) ? 1.0 : -1.0;
  }
  return p;
}

Closure logisticObjective(const Logistic& p) {
  return Closure(
      p.d, [&p](const std::vector<double>& w, double* g) { return p.value(w, g); },
      [&p](const std::vector<double>& w, const double* v, double* out) {
        const auto c = p.curvature(w);
        for (std::size_t j = 0; j < p.d; ++j) out[j] = p.lambda * v[j];
        for (std::size_t i = 0; i < p.n; ++i) {
          double u = 0.0;
          for (std::size_t j = 0; j < p.d; ++j) u += p.x[i * p.d + j] * v[j];
          for (std::size_t j = 0; j < p.d; ++j) out[j] += c[i] * u * p.x[i * p.d + j];
        }
      },
      [&p](const std::vector<double>& w, double* out) {
        const auto c = p.curvature(w);
        for (std::size_t j = 0; j < p.d; ++j) out[j] = p.lambda;
        for (std::size_t i = 0; i < p.n; ++i)
          for (std::size_t j = 0; j < p.d; ++j) out[j] += c[i] * p.x[i * p.d + j] * p.x[i * p.d + j];
      });
}

TEST(NewtonTest, LogisticRegressionReachesTheOptimumOfLbfgs) {
  const Logistic p = randomLogistic(300, 8, 1e-3, 5);
  Closure f = logisticObjective(p);
  NewtonOptions opt;
  opt.tol = 1e-12;
  const NewtonResult r = minimizeNewton(f, std::vector<double>(p.d, 0.0), opt);
  EXPECT_TRUE(r.converged) << toString(r.reason);
  expectMonotone(r);

  // The same problem by L-BFGS, run long: both must land on the same point.
  td::optim::MinimizeOptions lopt;
  lopt.tol = 0.0;
  lopt.maxIter = 5000;
  lopt.gradientFloor = 1e-13;
  const auto l = td::optim::minimize(
      [&p](const double* w, double* g) { return p.value(std::vector<double>(w, w + p.d), g); },
      std::vector<double>(p.d, 0.0), lopt);
  for (std::size_t j = 0; j < p.d; ++j) EXPECT_NEAR(r.x[j], l.x[j], 1e-6 * (1.0 + std::abs(l.x[j])));
  EXPECT_NEAR(r.value, l.value, 1e-12);
  // Gradient at Newton's point is (near) zero (the run stops at an estimated gap of tol·|F|).
  std::vector<double> g(p.d);
  (void)p.value(r.x, g.data());
  for (double v : g) EXPECT_LT(std::abs(v), 1e-6);
  // Far fewer iterations than the first-order method on this badly scaled problem.
  EXPECT_LT(r.iterations, 30);
  EXPECT_LT(r.iterations * 4, l.iterations);
}

// tol bounds the relative gap left (issue #17): the run stops once the shrinking decreases
// predict a next one — about the gap — of at most tol·|F|; looser tol, fewer CG steps.
TEST(NewtonTest, TolBoundsTheRelativeGapAndLooserTolCostsFewerCgSteps) {
  const Logistic p = randomLogistic(400, 12, 1e-3, 11);
  Closure ref = logisticObjective(p);
  NewtonOptions opt;
  opt.tol = 0.0;  // to rounding: only the numerical limit or the gradient floor stops it
  const NewtonResult best = minimizeNewton(ref, std::vector<double>(p.d, 0.0), opt);
  ASSERT_TRUE(best.converged) << toString(best.reason);
  std::int64_t previousCg = -1;
  std::vector<std::int64_t> cg;
  for (double tol : {1e-2, 1e-4, 1e-6, 1e-8, 1e-10}) {
    Closure f = logisticObjective(p);
    opt.tol = tol;
    const NewtonResult r = minimizeNewton(f, std::vector<double>(p.d, 0.0), opt);
    EXPECT_TRUE(r.converged) << tol;
    EXPECT_GE(r.value, best.value - 1e-15);
    EXPECT_LE(r.value - best.value, tol * best.value) << "tol " << tol;
    EXPECT_GE(r.cgIterations, previousCg) << "tol " << tol;  // tighter never cheaper
    previousCg = r.cgIterations;
    cg.push_back(r.cgIterations);
  }
  EXPECT_LT(cg.front(), cg.back());
}

// A start near the optimum (the solution at a 10x stronger penalty, as along a regParam path,
// or the mean of cross-validation folds' solutions) reaches the same point in fewer CG steps.
TEST(NewtonTest, WarmStartReachesTheSamePointWithFewerCgSteps) {
  Logistic p = randomLogistic(400, 12, 1e-2, 13);
  Closure strong = logisticObjective(p);
  NewtonOptions opt;
  opt.tol = 1e-10;
  const NewtonResult first = minimizeNewton(strong, std::vector<double>(p.d, 0.0), opt);
  p.lambda = 1e-3;
  Closure coldF = logisticObjective(p), warmF = logisticObjective(p);
  const NewtonResult cold = minimizeNewton(coldF, std::vector<double>(p.d, 0.0), opt);
  const NewtonResult warm = minimizeNewton(warmF, first.x, opt);
  EXPECT_TRUE(cold.converged);
  EXPECT_TRUE(warm.converged);
  for (std::size_t j = 0; j < p.d; ++j)
    EXPECT_NEAR(warm.x[j], cold.x[j], 1e-4 * (1.0 + std::abs(cold.x[j]))) << j;
  EXPECT_NEAR(warm.value, cold.value, 1e-9 * cold.value);
  EXPECT_LT(warm.cgIterations, cold.cgIterations);
}

TEST(NewtonTest, PreconditionerOffStillConverges) {
  const Logistic p = randomLogistic(200, 5, 1e-2, 9);
  Closure with = logisticObjective(p), without = logisticObjective(p);
  NewtonOptions opt;
  opt.tol = 1e-12;
  const NewtonResult a = minimizeNewton(with, std::vector<double>(p.d, 0.0), opt);
  opt.preconditionerMix = 0.0;
  const NewtonResult b = minimizeNewton(without, std::vector<double>(p.d, 0.0), opt);
  EXPECT_TRUE(a.converged);
  EXPECT_TRUE(b.converged);
  for (std::size_t j = 0; j < p.d; ++j) EXPECT_NEAR(a.x[j], b.x[j], 1e-6 * (1.0 + std::abs(a.x[j])));
  // Columns scaled 1..41: diagonal preconditioning saves CG steps.
  EXPECT_LT(a.cgIterations, b.cgIterations);
}

TEST(NewtonTest, MaxIterCapsAndZeroReturnsInitialPoint) {
  const Logistic p = randomLogistic(100, 4, 1e-3, 3);
  Closure f = logisticObjective(p);
  NewtonOptions opt;
  opt.maxIter = 0;
  const std::vector<double> x0{0.5, -0.5, 0.25, 0.0};
  const NewtonResult r0 = minimizeNewton(f, x0, opt);
  EXPECT_EQ(r0.x, x0);
  EXPECT_EQ(r0.iterations, 0);
  EXPECT_FALSE(r0.converged);
  EXPECT_EQ(r0.reason, StopReason::kMaxIterations);
  ASSERT_EQ(r0.objectiveHistory.size(), 1u);
  opt.maxIter = 1;
  opt.tol = 0.0;
  const NewtonResult r1 = minimizeNewton(f, x0, opt);
  EXPECT_EQ(r1.iterations, 1);
  EXPECT_LT(r1.value, r0.value);
}

TEST(NewtonTest, StopsAtGradientFloorWhenStartingAtTheOptimum) {
  Closure f = quadratic({2.0, 3.0}, {1.0, -1.0}, 0.0);
  const NewtonResult r = minimizeNewton(f, {1.0, -1.0});
  EXPECT_TRUE(r.converged);
  EXPECT_EQ(r.reason, StopReason::kGradient);
  EXPECT_EQ(r.iterations, 0);
  EXPECT_EQ(f.hessianProducts, 0);
}

TEST(NewtonTest, InvalidOptionsNameTheOption) {
  Closure f = quadratic({1.0}, {0.0}, 0.0);
  auto expectBad = [&](NewtonOptions o, const std::string& name) {
    try {
      (void)minimizeNewton(f, {1.0}, o);
      ADD_FAILURE() << "no error for " << name;
    } catch (const td::ParamError& e) {
      EXPECT_NE(std::string(e.what()).find(name), std::string::npos) << e.what();
    }
  };
  NewtonOptions o;
  o.maxIter = -1;
  expectBad(o, "maxIter");
  o = {};
  o.tol = -1e-3;
  expectBad(o, "tol");
  o = {};
  o.cgTol = 0.0;
  expectBad(o, "cgTol");
  o = {};
  o.warmCgTol = 1.5;
  expectBad(o, "warmCgTol");
  o = {};
  o.preconditionerMix = 1.5;
  expectBad(o, "preconditionerMix");
}

}  // namespace
