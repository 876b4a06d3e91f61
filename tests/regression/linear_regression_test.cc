// tests/regression/linear_regression_test.cc
#include "thunderdome/regression/linear_regression.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <limits>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "../testing/thread_communicator.h"
#include "regression/student_t.h"
#include "thunderdome/core/error.h"
#include "thunderdome/dist/communicator.h"
#include "thunderdome/persist/persist.h"
#include "../testing/columns.h"

namespace {

using td::testing::denseColumn;
using td::testing::sparseColumn;

using td::DataType;
using td::Frame;
using td::LinearRegression;
using td::LinearRegressionModel;
using td::VectorColumn;
using ::testing::HasSubstr;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// ---------------------------------------------------------------- data helpers

using Data = td::testing::LabeledRows;

// tests/data/linreg/data.csv: "label,weight,f0,...,f3".
const Data& refData() {
  static const Data data = td::testing::readLabeledCsv("linreg/data.csv", true);
  return data;
}

// Spark's LinearRegressionSuite datasetWithWeight (R: A, b, w).
Data sparkWeighted(double constantLabel = kNaN) {
  Data d;
  d.x = {{0.0, 5.0}, {1.0, 7.0}, {2.0, 11.0}, {3.0, 13.0}};
  d.y = {17.0, 19.0, 23.0, 29.0};
  d.w = {1.0, 2.0, 3.0, 4.0};
  if (!std::isnan(constantLabel)) d.y.assign(4, constantLabel);
  return d;
}

Frame toFrame(const Data& data, bool sparse = false, bool weighted = false) {
  const auto d = static_cast<std::int64_t>(data.d());
  std::vector<std::pair<std::string, td::ColumnPtr>> cols{
      {"label", td::makeDoubleColumn(data.y)},
      {"features", sparse ? sparseColumn(data.x, d) : denseColumn(data.x, d)}};
  if (weighted) cols.emplace_back("weight", td::makeDoubleColumn(data.w));
  return Frame(std::move(cols));
}

std::shared_ptr<LinearRegressionModel> fitModel(const LinearRegression& lr, const Frame& f,
                                                const td::Context& ctx = {}) {
  return td::stageAs<LinearRegressionModel>(lr.fit(f, ctx));
}

// ---------------------------------------------------------------- reference file
struct RefLine {
  std::vector<std::string> head;
  std::vector<double> values;
};

const std::vector<RefLine>& references() {
  static const std::vector<RefLine> refs = [] {
    std::ifstream in(std::string(TD_TEST_DATA_DIR) + "/linreg/reference.txt");
    EXPECT_TRUE(in.good());
    std::vector<RefLine> out;
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty() || line[0] == '#') continue;
      const auto colon = line.find(" : ");
      RefLine r;
      std::stringstream hs(line.substr(0, colon)), vs(line.substr(colon + 3));
      std::string tok;
      while (hs >> tok) r.head.push_back(tok);
      while (vs >> tok) r.values.push_back(std::stod(tok));
      out.push_back(std::move(r));
    }
    return out;
  }();
  return refs;
}

const RefLine& ref(const std::string& kind, const std::string& name,
                   const std::string& solver = "") {
  for (const auto& r : references())
    if (r.head[0] == kind && r.head[1] == name && (solver.empty() || r.head[2] == solver))
      return r;
  ADD_FAILURE() << "no reference " << kind << " " << name << " " << solver;
  static const RefLine none;
  return none;
}

// |a − b| <= tol·max(1, |b|) element-wise.
void expectClose(const std::vector<double>& got, const std::vector<double>& want, double tol,
                 const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (std::size_t i = 0; i < got.size(); ++i)
    EXPECT_NEAR(got[i], want[i], tol * std::max(1.0, std::abs(want[i]))) << what << " [" << i
                                                                         << "]";
}

std::vector<double> coefAndIntercept(const LinearRegressionModel& m) {
  std::vector<double> v = m.coefficients();
  v.push_back(m.intercept());
  return v;
}

// The estimator of a "sq"/"huber" reference line.
LinearRegression estimatorFor(const RefLine& r) {
  LinearRegression lr;
  lr.setSolver(r.head[2]);
  lr.setFitIntercept(r.head[4] == "1").setStandardization(r.head[5] == "1");
  lr.setRegParam(std::stod(r.head[6])).setElasticNetParam(std::stod(r.head[7]));
  if (r.head[3] == "1") lr.setWeightCol("weight");
  if (r.head[0] == "huber") lr.setLoss("huber");
  lr.setTol(1e-12).setMaxIter(10000);
  return lr;
}

// ---------------------------------------------------------------- params
TEST(LinearRegressionTest, DefaultsMatchSpark) {
  LinearRegression lr;
  EXPECT_EQ(lr.uid().rfind("linReg_", 0), 0u) << lr.uid();
  EXPECT_EQ(lr.getFeaturesCol(), "features");
  EXPECT_EQ(lr.getLabelCol(), "label");
  EXPECT_FALSE(lr.isDefined("weightCol"));
  EXPECT_EQ(lr.getPredictionCol(), "prediction");
  EXPECT_EQ(lr.getRegParam(), 0.0);
  EXPECT_EQ(lr.getElasticNetParam(), 0.0);
  EXPECT_EQ(lr.getMaxIter(), 100);
  EXPECT_EQ(lr.getTol(), 1e-6);
  EXPECT_TRUE(lr.getFitIntercept());
  EXPECT_TRUE(lr.getStandardization());
  EXPECT_EQ(lr.getSolver(), "auto");
  EXPECT_EQ(lr.getLoss(), "squaredError");
  EXPECT_EQ(lr.getEpsilon(), 1.35);
}

TEST(LinearRegressionTest, InvalidParamValuesThrowParamError) {
  LinearRegression lr;
  EXPECT_THROW(lr.setRegParam(-0.1), td::ParamError);
  EXPECT_THROW(lr.setElasticNetParam(1.5), td::ParamError);
  EXPECT_THROW(lr.setEpsilon(1.0), td::ParamError);  // must be > 1.0
  EXPECT_THROW(lr.setEpsilon(0.5), td::ParamError);
  EXPECT_THROW(lr.setSolver("sgd"), td::ParamError);
  EXPECT_THROW(lr.setLoss("absolute"), td::ParamError);
  lr.setEpsilon(1.0001).setSolver("normal").setLoss("huber");
  EXPECT_EQ(lr.getEpsilon(), 1.0001);
}

// ---------------------------------------------------------------- known answers
// scikit-learn's optimum of Spark's objective (make_reference.py), every squaredError case on
// both solvers; the l-bfgs path also on sparse features.
TEST(LinearRegressionTest, SquaredErrorMatchesScikitLearn) {
  int cases = 0;
  for (const auto& r : references()) {
    if (r.head[0] != "sq") continue;
    ++cases;
    const LinearRegression lr = estimatorFor(r);
    const bool weighted = r.head[3] == "1";
    for (bool sparse : {false, true}) {
      SCOPED_TRACE(r.head[1] + " " + r.head[2] + (sparse ? " sparse" : " dense"));
      const auto m = fitModel(lr, toFrame(refData(), sparse, weighted));
      expectClose(coefAndIntercept(*m), r.values, 1e-6, "coefficients, intercept");
      EXPECT_EQ(m->scale(), 1.0);
    }
  }
  EXPECT_EQ(cases, 22);
}

TEST(LinearRegressionTest, HuberMatchesScikitLearn) {
  int cases = 0;
  for (const auto& r : references()) {
    if (r.head[0] != "huber") continue;
    ++cases;
    const LinearRegression lr = estimatorFor(r);
    for (bool sparse : {false, true}) {
      SCOPED_TRACE(r.head[1] + (sparse ? " sparse" : " dense"));
      const auto m = fitModel(lr, toFrame(refData(), sparse, r.head[3] == "1"));
      std::vector<double> got = coefAndIntercept(*m);
      got.push_back(m->scale());
      expectClose(got, r.values, 2e-5, "coefficients, intercept, scale");
    }
  }
  EXPECT_EQ(cases, 4);
}

TEST(LinearRegressionTest, TrainingSummaryMatchesReference) {
  for (const std::string name : {"ols", "ols_noint", "ols_w", "ridge_std", "ridge_nostd",
                                 "ridge_noint", "ridge_w", "enet_std", "lasso_nostd"}) {
    SCOPED_TRACE(name);
    const RefLine& fitRef = ref("sq", name, "normal");
    const auto m = fitModel(estimatorFor(fitRef), toFrame(refData(), false, fitRef.head[3] == "1"));
    const auto& s = m->summary();
    const auto& want = ref("metrics", name).values;
    expectClose({s.meanSquaredError, s.rootMeanSquaredError, s.meanAbsoluteError, s.r2, s.r2adj,
                 s.explainedVariance},
                want, 1e-8, "mse rmse mae r2 r2adj explainedVariance");
    EXPECT_EQ(s.numInstances, 60);
    EXPECT_EQ(s.degreesOfFreedom, 60 - 4 - (fitRef.head[4] == "1" ? 1 : 0));
    ASSERT_EQ(s.residuals.size(), 60u);
    for (std::size_t i = 0; i < 60; ++i) {
      double pred = m->intercept();
      for (std::size_t j = 0; j < 4; ++j) pred += m->coefficients()[j] * refData().x[i][j];
      EXPECT_NEAR(s.residuals[i], refData().y[i] - pred, 1e-12);
    }
    if (fitRef.head[7] == "0") {  // no L1: Cholesky, standard errors available
      EXPECT_EQ(s.objectiveHistory, std::vector<double>{0.0});
      EXPECT_EQ(s.totalIterations, 0);
      expectClose(s.coefficientStandardErrors(), ref("se", name).values, 1e-8, "se");
      expectClose(s.tValues(), ref("t", name).values, 1e-7, "t");
      expectClose(s.pValues(), ref("p", name).values, 1e-9, "p");
    } else {  // L1 on the normal equations: quasi-Newton, no standard errors (Spark)
      EXPECT_GT(s.totalIterations, 0);
      EXPECT_THROW((void)s.coefficientStandardErrors(), td::ParamError);
      EXPECT_THROW((void)s.tValues(), td::ParamError);
      EXPECT_THROW((void)s.pValues(), td::ParamError);
    }
  }
}

// Spark's LinearRegressionSuite: "linear regression summary with weighted samples and intercept
// by normal solver" and "... w/o intercept ..." (R's glm on datasetWithWeight).
TEST(LinearRegressionTest, SparkSuiteWeightedSummaryByNormalSolver) {
  LinearRegression lr;
  lr.setWeightCol("weight").setSolver("normal");
  for (bool sparse : {false, true}) {
    const auto m = fitModel(lr, toFrame(sparkWeighted(), sparse, true));
    expectClose(m->coefficients(), {6.080, -0.600}, 1e-3, "coef");
    EXPECT_NEAR(m->intercept(), 18.080, 1e-3);
    const auto& s = m->summary();
    const auto se = s.coefficientStandardErrors(), t = s.tValues(), p = s.pValues();
    const double seR[] = {5.556, 1.960, 9.608}, tR[] = {1.094, -0.306, 1.882},
                 pR[] = {0.471, 0.811, 0.311};
    for (std::size_t i = 0; i < 3; ++i) {
      EXPECT_NEAR(se[i], seR[i], 1e-3);
      EXPECT_NEAR(t[i], tR[i], 1e-3);
      EXPECT_NEAR(p[i], pR[i], 1e-3);
    }
  }
  lr.setFitIntercept(false);
  const auto m = fitModel(lr, toFrame(sparkWeighted(), false, true));
  expectClose(m->coefficients(), {-3.7271, 3.0100}, 1e-4, "coef");
  EXPECT_EQ(m->intercept(), 0.0);
  const auto& s = m->summary();
  const auto se = s.coefficientStandardErrors(), t = s.tValues(), p = s.pValues();
  ASSERT_EQ(se.size(), 2u);
  EXPECT_NEAR(se[0], 2.9032, 1e-4);
  EXPECT_NEAR(se[1], 0.6022, 1e-4);
  EXPECT_NEAR(t[0], -1.284, 1e-3);
  EXPECT_NEAR(t[1], 4.998, 1e-3);
  EXPECT_NEAR(p[0], 0.3279, 1e-4);
  EXPECT_NEAR(p[1], 0.0378, 1e-4);
  // With an L1 part the normal solver runs OWL-QN: a decreasing history, no standard errors.
  lr.setFitIntercept(true).setRegParam(0.5).setElasticNetParam(1.0);
  const auto l1 = fitModel(lr, toFrame(sparkWeighted(), false, true));
  const auto& h = l1->summary().objectiveHistory;
  ASSERT_GT(h.size(), 1u);
  for (std::size_t i = 1; i < h.size(); ++i) EXPECT_LE(h[i], h[i - 1]);
  EXPECT_THROW((void)l1->summary().coefficientStandardErrors(), td::ParamError);
}

// Spark's "linear regression model with constant label": R's lm through the origin gives
// (−9.221298, 3.394343); with an intercept the model is (17, 0, 0) without training; a zero
// label gives zeros. Every solver.
TEST(LinearRegressionTest, SparkSuiteConstantLabel) {
  for (const std::string solver : {"auto", "l-bfgs", "normal"}) {
    for (bool fitIntercept : {false, true}) {
      SCOPED_TRACE(solver + (fitIntercept ? " intercept" : " origin"));
      LinearRegression lr;
      lr.setSolver(solver).setFitIntercept(fitIntercept).setWeightCol("weight");
      lr.setTol(1e-12).setMaxIter(1000);
      const auto m = fitModel(lr, toFrame(sparkWeighted(17.0), false, true));
      if (fitIntercept) {
        expectClose(coefAndIntercept(*m), {0.0, 0.0, 17.0}, 1e-4, "constant");
        EXPECT_EQ(m->summary().objectiveHistory, std::vector<double>{0.0});
      } else {
        expectClose(coefAndIntercept(*m), {-9.221298, 3.394343, 0.0}, 1e-4, "origin");
      }
      const auto z = fitModel(lr, toFrame(sparkWeighted(0.0), false, true));
      expectClose(coefAndIntercept(*z), {0.0, 0.0, 0.0}, 1e-12, "zero label");
    }
  }
}

// Spark's "regularized linear regression through origin with constant label": an error.
TEST(LinearRegressionTest, SparkSuiteRegularizedThroughOriginWithConstantLabelFails) {
  for (const std::string solver : {"auto", "l-bfgs", "normal"})
    for (bool standardization : {false, true}) {
      LinearRegression lr;
      lr.setSolver(solver).setFitIntercept(false).setRegParam(0.1);
      lr.setStandardization(standardization);
      try {
        (void)lr.fit(toFrame(sparkWeighted(17.0)));
        ADD_FAILURE() << solver << ": no error";
      } catch (const td::DataError& e) {
        EXPECT_THAT(e.what(), HasSubstr("standard deviation of the label is zero"));
      }
    }
}

TEST(LinearRegressionTest, IncompleteBetaMatchesScipy) {
  int cases = 0;
  for (const auto& r : references()) {
    if (r.head[0] != "betainc") continue;
    ++cases;
    const double a = std::stod(r.head[1]), b = std::stod(r.head[2]), x = std::stod(r.head[3]);
    const double got = td::regression::regularizedIncompleteBeta(a, b, x);
    EXPECT_NEAR(got, r.values[0], 1e-13 * std::abs(r.values[0]) + 1e-300)
        << a << " " << b << " " << x;
  }
  EXPECT_EQ(cases, 6);
  EXPECT_TRUE(std::isnan(td::regression::regularizedIncompleteBeta(-1.0, 1.0, 0.5)));
  EXPECT_EQ(td::regression::regularizedIncompleteBeta(2.0, 3.0, 0.0), 0.0);
  EXPECT_EQ(td::regression::regularizedIncompleteBeta(2.0, 3.0, 1.0), 1.0);
  // Student's t: t = 2.0 with 5 dof (scipy.stats.t.cdf: 0.94904026...), symmetric.
  EXPECT_NEAR(td::regression::studentTCdf(2.0, 5.0), 0.9490302605850709, 1e-12);
  EXPECT_NEAR(td::regression::studentTCdf(-2.0, 5.0), 1.0 - 0.9490302605850709, 1e-12);
  EXPECT_NEAR(td::regression::studentTTwoSidedPValue(0.0, 7.0), 1.0, 1e-15);
}

// ---------------------------------------------------------------- solver choice and behaviour
TEST(LinearRegressionTest, AutoUsesNormalEquationsUpTo4096Features) {
  LinearRegression lr;
  lr.setRegParam(0.5);
  const auto m = fitModel(lr, toFrame(refData()));
  EXPECT_EQ(m->summary().objectiveHistory, std::vector<double>{0.0});  // Cholesky
  expectClose(coefAndIntercept(*m), ref("sq", "ridge_std", "normal").values, 1e-9, "auto");
  EXPECT_NO_THROW((void)m->summary().coefficientStandardErrors());
  // The l-bfgs solver keeps a decreasing objective history and has no standard errors.
  lr.setSolver("l-bfgs");
  const auto q = fitModel(lr, toFrame(refData()));
  const auto& h = q->summary().objectiveHistory;
  ASSERT_GT(h.size(), 2u);
  for (std::size_t i = 1; i < h.size(); ++i) EXPECT_LE(h[i], h[i - 1]);
  EXPECT_EQ(q->summary().totalIterations, static_cast<std::int64_t>(h.size()) - 1);
  EXPECT_THROW((void)q->summary().pValues(), td::ParamError);
}

TEST(LinearRegressionTest, NormalSolverRejectsMoreThan4096Features) {
  Data d;
  for (int i = 0; i < 3; ++i) {
    d.y.push_back(i);
    d.x.push_back(std::vector<double>(4097, 0.0));
    d.x.back()[static_cast<std::size_t>(i)] = 1.0;
  }
  LinearRegression lr;
  lr.setSolver("normal");
  try {
    (void)lr.fit(toFrame(d, true));
    FAIL() << "no error";
  } catch (const td::ParamError& e) {
    EXPECT_THAT(e.what(), HasSubstr("4096"));
    EXPECT_THAT(e.what(), HasSubstr("4097"));
  }
  // auto takes l-bfgs there
  lr.setSolver("auto");
  const auto m = fitModel(lr, toFrame(d, true));
  EXPECT_GT(m->summary().totalIterations, 0);
  EXPECT_EQ(m->numFeatures(), 4097);
}

TEST(LinearRegressionTest, StandardizationDoesNotChangeUnregularizedOptimum) {
  for (const std::string solver : {"l-bfgs", "normal"}) {
    LinearRegression lr;
    lr.setSolver(solver).setTol(1e-12).setMaxIter(1000);
    const auto a = fitModel(lr, toFrame(refData()));
    lr.setStandardization(false);
    const auto b = fitModel(lr, toFrame(refData()));
    expectClose(coefAndIntercept(*a), coefAndIntercept(*b), 1e-7, solver);
  }
}

TEST(LinearRegressionTest, WeightTwoEqualsDuplicatedRow) {
  Data base = refData();
  Data dup = base;
  std::vector<double> w(base.n(), 1.0);
  w[5] = 2.0;
  w[11] = 3.0;
  base.w = w;
  dup.w.assign(dup.n(), 1.0);
  for (std::size_t r : {5u, 11u, 11u}) {
    dup.y.push_back(dup.y[r]);
    dup.x.push_back(dup.x[r]);
    dup.w.push_back(1.0);
  }
  // Spark's l-bfgs standard deviations are unbiased weighted ones (W − Σw²/W), which differ
  // between weights and repeated rows: the L2 penalty is only equal without regularization.
  for (const std::string solver : {"normal", "l-bfgs"}) {
    for (double reg : {0.0, 0.3}) {
      if (solver == "l-bfgs" && reg != 0.0) continue;
      SCOPED_TRACE(solver);
      LinearRegression lr;
      lr.setSolver(solver).setRegParam(reg).setTol(1e-12).setMaxIter(1000);
      lr.setWeightCol("weight");
      const auto a = fitModel(lr, toFrame(base, false, true));
      const auto b = fitModel(lr, toFrame(dup, false, true));
      expectClose(coefAndIntercept(*a), coefAndIntercept(*b), 1e-7, solver);
    }
  }
}

TEST(LinearRegressionTest, ZeroVarianceFeatureGetsZeroCoefficient) {
  Data d = refData();
  for (auto& row : d.x) row.push_back(3.0);  // constant column
  LinearRegression lr;
  lr.setSolver("l-bfgs").setRegParam(0.1).setTol(1e-12).setMaxIter(1000);
  for (bool sparse : {false, true}) {
    const auto m = fitModel(lr, toFrame(d, sparse));
    EXPECT_EQ(m->coefficients()[4], 0.0);
  }
  // The normal solver: AᵀWA is singular without a penalty, so Spark falls back to the
  // quasi-Newton solver (no standard errors) and reaches the same optimum.
  lr.setSolver("normal").setRegParam(0.0);
  const auto m = fitModel(lr, toFrame(d));
  EXPECT_EQ(m->coefficients()[4], 0.0);
  EXPECT_GT(m->summary().totalIterations, 0);
  EXPECT_THROW((void)m->summary().coefficientStandardErrors(), td::ParamError);
  std::vector<double> got = m->coefficients();
  got.resize(4);
  got.push_back(m->intercept());
  expectClose(got, ref("sq", "ols", "normal").values, 1e-6, "fallback");
}

TEST(LinearRegressionTest, DenseAndSparseGiveTheSameModel) {
  for (const std::string loss : {"squaredError", "huber"})
    for (const std::string solver : {"auto", "l-bfgs"}) {
      LinearRegression lr;
      lr.setLoss(loss).setSolver(solver).setRegParam(0.2).setWeightCol("weight");
      const auto a = fitModel(lr, toFrame(refData(), false, true));
      const auto b = fitModel(lr, toFrame(refData(), true, true));
      expectClose(coefAndIntercept(*a), coefAndIntercept(*b), 1e-9, loss + " " + solver);
      EXPECT_NEAR(a->scale(), b->scale(), 1e-9);
    }
}

TEST(LinearRegressionTest, ProportionalSparseFeaturesReachTheDenseOptimum) {
  // A 5th feature = −4·f0 on every row (a power of two: the ratios are exact in floating point,
  // as term counts are): the sparse path solves the pair as one variable under
  // the pure L2 penalty (issue #17), the dense path keeps both. Same optimum, intercept included
  // (the group's mean enters it through every member); the split is the penalty's.
  Data data = refData();
  for (auto& row : data.x) row.push_back(-4.0 * row[0]);
  for (bool standardization : {false, true}) {
    LinearRegression lr;
    lr.setSolver("l-bfgs").setRegParam(0.2).setStandardization(standardization);
    lr.setTol(1e-12).setMaxIter(1000).setWeightCol("weight");
    const auto dense = fitModel(lr, toFrame(data, false, true));
    const auto sparse = fitModel(lr, toFrame(data, true, true));
    const auto& w = sparse->coefficients();
    ASSERT_NE(w[0], 0.0);
    EXPECT_NEAR(w[4], standardization ? w[0] / -4.0 : -4.0 * w[0], 1e-12 * std::abs(w[0]));
    expectClose(coefAndIntercept(*sparse), coefAndIntercept(*dense), 1e-6,
                standardization ? "standardized" : "raw");
  }
}

TEST(LinearRegressionTest, DataParallelFitMatchesSingleProcess) {
  const Data& data = refData();
  for (const std::string loss : {"squaredError", "huber"})
    for (const std::string solver : {"normal", "l-bfgs"}) {
      if (loss == "huber" && solver == "normal") continue;
      SCOPED_TRACE(loss + " " + solver);
      LinearRegression lr;
      lr.setLoss(loss).setSolver(solver).setRegParam(0.1).setTol(1e-12).setMaxIter(1000);
      lr.setWeightCol("weight");
      const auto whole = fitModel(lr, toFrame(data, false, true));
      constexpr int kRanks = 3;
      std::vector<std::shared_ptr<LinearRegressionModel>> models(kRanks);
      td::testing::runRanks(kRanks, [&](td::testing::ThreadCommunicator& comm) {
        Data part;
        for (auto i = static_cast<std::size_t>(comm.rank()); i < data.n(); i += kRanks) {
          part.y.push_back(data.y[i]);
          part.w.push_back(data.w[i]);
          part.x.push_back(data.x[i]);
        }
        td::Context ctx;
        ctx.comm = std::shared_ptr<td::dist::Communicator>(&comm, [](auto*) {});
        ctx.dataParallel = true;
        LinearRegression mine = lr;
        models[static_cast<std::size_t>(comm.rank())] =
            fitModel(mine, toFrame(part, false, true), ctx);
      });
      for (int r = 0; r < kRanks; ++r)
        EXPECT_EQ(models[static_cast<std::size_t>(r)]->coefficients(), models[0]->coefficients());
      expectClose(coefAndIntercept(*models[0]), coefAndIntercept(*whole), 1e-6, "ranks");
      EXPECT_NEAR(models[0]->summary().r2, whole->summary().r2, 1e-9);
      EXPECT_EQ(models[0]->summary().numInstances, 60);
    }
}

// ---------------------------------------------------------------- model
TEST(LinearRegressionTest, TransformAddsPredictionColumn) {
  LinearRegression lr;
  lr.setPredictionCol("myPrediction");
  const Frame f = toFrame(refData());
  const auto m = fitModel(lr, f);
  const Frame out = m->transform(f);
  const auto pred = out.numeric("myPrediction");
  const auto& X = f.col<VectorColumn>("features");
  for (std::size_t i = 0; i < refData().n(); ++i)
    EXPECT_EQ(pred[i], m->predict(X[static_cast<std::int64_t>(i)]));
  EXPECT_EQ(m->transformSchema(f.schema()).field("myPrediction").type, DataType::kDouble);
  EXPECT_THROW((void)m->transform(out), td::ColumnError);  // the column exists already
}

TEST(LinearRegressionTest, SaveLoadRoundTrip) {
  LinearRegression lr;
  lr.setLoss("huber").setRegParam(0.1).setPredictionCol("p");
  const Frame f = toFrame(refData());
  const auto m = fitModel(lr, f);
  ASSERT_TRUE(m->hasSummary());
  const auto loaded = td::stageAs<LinearRegressionModel>(
      td::deserializeStage(td::serializeStage(*m), "memory:test"));
  EXPECT_EQ(loaded->uid(), m->uid());
  EXPECT_EQ(loaded->coefficients(), m->coefficients());
  EXPECT_EQ(loaded->intercept(), m->intercept());
  EXPECT_EQ(loaded->scale(), m->scale());
  EXPECT_NE(loaded->scale(), 1.0);
  EXPECT_EQ(loaded->getString("predictionCol"), "p");
  EXPECT_EQ(loaded->getString("loss"), "huber");
  EXPECT_EQ(loaded->transform(f).numeric("p"), m->transform(f).numeric("p"));
  EXPECT_FALSE(loaded->hasSummary());  // Spark does not save the summary
  EXPECT_THROW((void)loaded->summary(), td::ParamError);
}

// ---------------------------------------------------------------- errors
TEST(LinearRegressionTest, NaNLabelIsNamed) {
  Data d = refData();
  d.y[7] = kNaN;
  try {
    (void)LinearRegression().fit(toFrame(d));
    FAIL() << "no error";
  } catch (const td::DataError& e) {
    EXPECT_THAT(e.what(), HasSubstr("label column 'label'"));
    EXPECT_THAT(e.what(), HasSubstr("NaN"));
    EXPECT_THAT(e.what(), HasSubstr("row 7"));
  }
}

TEST(LinearRegressionTest, NonFiniteFeatureIsNamed) {
  for (bool sparse : {false, true})
    for (const std::string solver : {"normal", "l-bfgs"}) {
      Data d = refData();
      d.x[9][2] = sparse ? std::numeric_limits<double>::infinity() : kNaN;
      LinearRegression lr;
      lr.setSolver(solver);
      try {
        (void)lr.fit(toFrame(d, sparse));
        ADD_FAILURE() << "no error";
      } catch (const td::DataError& e) {
        EXPECT_THAT(e.what(), HasSubstr("features column 'features'"));
        EXPECT_THAT(e.what(), HasSubstr(sparse ? "Infinity" : "NaN"));
        EXPECT_THAT(e.what(), HasSubstr("row 9"));
        EXPECT_THAT(e.what(), HasSubstr("feature index 2"));
      }
    }
}

TEST(LinearRegressionTest, NegativeWeightIsNamed) {
  Data d = refData();
  d.w[3] = -1.0;
  LinearRegression lr;
  lr.setWeightCol("weight");
  try {
    (void)lr.fit(toFrame(d, false, true));
    FAIL() << "no error";
  } catch (const td::DataError& e) {
    EXPECT_THAT(e.what(), HasSubstr("weight column 'weight'"));
    EXPECT_THAT(e.what(), HasSubstr("-1.0"));
  }
}

TEST(LinearRegressionTest, WrongColumnTypesThrowColumnError) {
  const Frame good = toFrame(refData());
  const Frame badFeatures({{"label", td::makeDoubleColumn(refData().y)},
                           {"features", td::makeDoubleColumn(refData().y)}});
  EXPECT_THROW((void)LinearRegression().fit(badFeatures), td::ColumnError);
  const Frame badLabel({{"label", good.column("features")}, {"features", good.column("features")}});
  try {
    (void)LinearRegression().fit(badLabel);
    FAIL() << "no error";
  } catch (const td::ColumnError& e) {
    EXPECT_THAT(e.what(), HasSubstr("label column 'label' must be numeric"));
  }
  LinearRegression lr;
  lr.setWeightCol("nope");
  EXPECT_THROW((void)lr.fit(good), td::ColumnError);
}

TEST(LinearRegressionTest, HuberRejectsL1AndTheNormalSolver) {
  LinearRegression lr;
  lr.setLoss("huber").setElasticNetParam(0.5).setRegParam(0.1);
  try {
    (void)lr.fit(toFrame(refData()));
    FAIL() << "no error";
  } catch (const td::ParamError& e) {
    EXPECT_THAT(e.what(), HasSubstr("only supports L2 regularization"));
    EXPECT_THAT(e.what(), HasSubstr("elasticNetParam = 0.5"));
  }
  lr.setElasticNetParam(0.0).setSolver("normal");
  try {
    (void)lr.fit(toFrame(refData()));
    FAIL() << "no error";
  } catch (const td::ParamError& e) {
    EXPECT_THAT(e.what(), HasSubstr("doesn't support normal solver"));
  }
}

TEST(LinearRegressionTest, EmptyDataThrowsDataError) {
  Data d;
  const Frame f({{"label", td::makeDoubleColumn(std::vector<double>{})},
                 {"features", VectorColumn::dense(0, 3, {})}});
  for (const std::string solver : {"normal", "l-bfgs"}) {
    LinearRegression lr;
    lr.setSolver(solver);
    try {
      (void)lr.fit(f);
      ADD_FAILURE() << "no error";
    } catch (const td::DataError& e) {
      EXPECT_THAT(e.what(), HasSubstr("empty training data"));
    }
  }
}

TEST(LinearRegressionTest, ModelRejectsWrongDimension) {
  const auto m = fitModel(LinearRegression(), toFrame(refData()));
  Data d;
  d.x = {{1.0, 2.0}};
  d.y = {0.0};
  EXPECT_THROW((void)m->transform(toFrame(d)), td::DataError);
}

}  // namespace

namespace {

// An empty shard whose features column has dimension 0 takes part in every loss: the ranks
// agree on the dimension (the huber objective used to size its sums from the empty column).
TEST(LinearRegressionTest, DataParallelEmptyShardOfDimensionZeroTakesPart) {
  const Data& data = refData();
  for (const std::string loss : {"huber", "squaredError"}) {
    LinearRegression lr;
    lr.setLoss(loss).setSolver("l-bfgs").setRegParam(0.1).setTol(1e-12).setMaxIter(1000);
    const auto whole = fitModel(lr, toFrame(data));
    std::vector<std::shared_ptr<LinearRegressionModel>> models(3);
    std::vector<std::string> errors(3);
    td::testing::runRanks(3, [&](td::testing::ThreadCommunicator& comm) {
      Data part;
      if (comm.rank() < 2)
        for (auto i = static_cast<std::size_t>(comm.rank()); i < data.n(); i += 2) {
          part.y.push_back(data.y[i]);
          part.w.push_back(data.w[i]);
          part.x.push_back(data.x[i]);
        }
      td::Context ctx;
      ctx.comm = std::shared_ptr<td::dist::Communicator>(&comm, [](auto*) {});
      ctx.dataParallel = true;
      const Frame f = comm.rank() < 2 ? toFrame(part)
                                      : Frame({{"label", td::makeDoubleColumn({})},
                                               {"features", VectorColumn::dense(0, 0, {})}});
      try {
        models[static_cast<std::size_t>(comm.rank())] = fitModel(lr, f, ctx);
      } catch (const std::exception& e) {
        errors[static_cast<std::size_t>(comm.rank())] = e.what();
      }
    });
    for (std::size_t r = 0; r < 3; ++r) {
      ASSERT_TRUE(errors[r].empty()) << loss << " rank " << r << ": " << errors[r];
      expectClose(coefAndIntercept(*models[r]), coefAndIntercept(*whole), 1e-6, loss);
    }
  }
}

}  // namespace
