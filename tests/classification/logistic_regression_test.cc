// tests/classification/logistic_regression_test.cc
#include "thunderdome/classification/logistic_regression.h"

#include <gtest/gtest.h>
#include <tbb/global_control.h>
#include <tbb/task_arena.h>

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

#include "thunderdome/core/error.h"
#include "thunderdome/dist/communicator.h"
#include "../testing/thread_communicator.h"
#include "../testing/columns.h"

namespace {

using td::testing::denseColumn;
using td::testing::sparseColumn;

using td::DataType;
using td::Frame;
using td::LogisticRegression;
using td::LogisticRegressionModel;
using td::VectorColumn;

constexpr double kInf = std::numeric_limits<double>::infinity();

// ---------------------------------------------------------------- data helpers

using Data = td::testing::LabeledRows;

// tests/data/lr/data.csv: "label,f0,...,f4".
const Data& lrData() {
  static const Data data = td::testing::readLabeledCsv("lr/data.csv", false);
  return data;
}

Frame toFrame(const Data& data, bool sparse = false, const std::vector<double>* weights = nullptr) {
  const auto d = static_cast<std::int64_t>(data.d());
  std::vector<std::pair<std::string, td::ColumnPtr>> cols{
      {"label", td::makeDoubleColumn(data.y)},
      {"features", sparse ? sparseColumn(data.x, d) : denseColumn(data.x, d)}};
  if (weights) cols.emplace_back("weight", td::makeDoubleColumn(*weights));
  return Frame(std::move(cols));
}

// Deterministic pseudo-random data (LCG), for the larger multi-block tests.
Data syntheticData(std::size_t n, std::size_t d, double density, std::uint64_t seed) {
  std::uint64_t s = seed;
  auto uniform = [&] {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<double>(s >> 11) / 9007199254740992.0;
  };
  Data data;
  for (std::size_t i = 0; i < n; ++i) {
    std::vector<double> row(d, 0.0);
    double m = -0.2;
    for (std::size_t j = 0; j < d; ++j) {
      if (uniform() < density) row[j] = std::round((uniform() * 4.0 - 1.0) * 1000.0) / 1000.0;
      m += row[j] * (j % 3 == 0 ? 0.7 : j % 3 == 1 ? -0.4 : 0.1);
    }
    data.y.push_back(uniform() < 1.0 / (1.0 + std::exp(-m)) ? 1.0 : 0.0);
    data.x.push_back(std::move(row));
  }
  return data;
}

std::shared_ptr<LogisticRegressionModel> fitModel(const LogisticRegression& lr, const Frame& f,
                                                  const td::Context& ctx = {}) {
  return td::stageAs<LogisticRegressionModel>(lr.fit(f, ctx));
}

// A data-parallel fit's context over `comm` (a thread-rank communicator the test owns).
td::Context shardContext(td::dist::Communicator& comm) {
  td::Context ctx;
  ctx.comm = std::shared_ptr<td::dist::Communicator>(&comm, [](auto*) {});
  ctx.dataParallel = true;
  return ctx;
}

// ---------------------------------------------------------------- independent objective

double sigmoid(double m) { return 1.0 / (1.0 + std::exp(-m)); }

std::vector<double> sampleStd(const Data& data) {
  const std::size_t n = data.n(), d = data.d();
  std::vector<double> mean(d, 0.0), sd(d, 0.0);
  for (const auto& r : data.x)
    for (std::size_t j = 0; j < d; ++j) mean[j] += r[j] / static_cast<double>(n);
  for (const auto& r : data.x)
    for (std::size_t j = 0; j < d; ++j) sd[j] += (r[j] - mean[j]) * (r[j] - mean[j]);
  for (auto& v : sd) v = std::sqrt(v / static_cast<double>(n - 1));
  return sd;
}

// Largest violation of the optimality conditions of Spark's objective at (w, b).
double kktViolation(const Data& data, const std::vector<double>& w, double b, double lambda,
                    double alpha, bool standardization, bool fitIntercept) {
  const std::size_t n = data.n(), d = data.d();
  const std::vector<double> sd = sampleStd(data);
  std::vector<double> g(d, 0.0);
  double gb = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    double m = b;
    for (std::size_t j = 0; j < d; ++j) m += w[j] * data.x[i][j];
    const double r = (sigmoid(m) - data.y[i]) / static_cast<double>(n);
    gb += r;
    for (std::size_t j = 0; j < d; ++j) g[j] += r * data.x[i][j];
  }
  double viol = fitIntercept ? std::abs(gb) : 0.0;
  for (std::size_t j = 0; j < d; ++j) {
    const double pen = standardization ? sd[j] : 1.0;
    const double gj = g[j] + lambda * (1.0 - alpha) * pen * pen * w[j];
    const double l1 = lambda * alpha * pen;
    if (w[j] != 0.0)
      viol = std::max(viol, std::abs(gj + (w[j] > 0 ? l1 : -l1)));
    else
      viol = std::max(viol, std::abs(gj) - l1);
  }
  return viol;
}

// ---------------------------------------------------------------- scikit-learn references

struct Reference {
  double regParam = 0, elasticNet = 0;
  bool standardization = true, fitIntercept = true;
  double intercept = 0;
  std::vector<double> coefficients;
};

std::map<std::string, Reference> readReferences() {
  std::ifstream in(std::string(TD_TEST_DATA_DIR) + "/lr/reference.txt");
  EXPECT_TRUE(in.good());
  std::map<std::string, Reference> out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::stringstream ss(line);
    std::string name;
    Reference r;
    int st = 0, fi = 0;
    ss >> name >> r.regParam >> r.elasticNet >> st >> fi >> r.intercept;
    r.standardization = st != 0;
    r.fitIntercept = fi != 0;
    double c = 0;
    while (ss >> c) r.coefficients.push_back(c);
    out[name] = r;
  }
  return out;
}

void expectMatchesReference(const std::string& name) {
  static const std::map<std::string, Reference> refs = readReferences();
  ASSERT_TRUE(refs.count(name)) << name;
  const Reference& ref = refs.at(name);
  LogisticRegression lr;
  lr.setRegParam(ref.regParam)
      .setElasticNetParam(ref.elasticNet)
      .setStandardization(ref.standardization)
      .setFitIntercept(ref.fitIntercept)
      .setTol(1e-12)
      .setMaxIter(1000);
  const auto model = fitModel(lr, toFrame(lrData()));
  ASSERT_EQ(model->coefficients().size(), ref.coefficients.size());
  auto close = [](double a, double b) { return std::abs(a - b) <= 1e-5 * std::abs(b) + 1e-7; };
  for (std::size_t j = 0; j < ref.coefficients.size(); ++j) {
    EXPECT_PRED2(close, model->coefficients()[j], ref.coefficients[j]) << name << " coef " << j;
    if (ref.coefficients[j] == 0.0) {
      EXPECT_EQ(model->coefficients()[j], 0.0) << name << ": L1 must give an exact zero at " << j;
    }
  }
  EXPECT_PRED2(close, model->intercept(), ref.intercept) << name << " intercept";
  EXPECT_TRUE(model->summary().converged) << name;
}

// ---------------------------------------------------------------- params and schema

TEST(LogisticRegressionTest, DefaultsMatchSpark) {
  LogisticRegression lr;
  EXPECT_EQ(lr.uid().rfind("logreg_", 0), 0u) << lr.uid();
  EXPECT_EQ(lr.getString("featuresCol"), "features");
  EXPECT_EQ(lr.getString("labelCol"), "label");
  EXPECT_FALSE(lr.isDefined("weightCol"));
  EXPECT_EQ(lr.getString("predictionCol"), "prediction");
  EXPECT_EQ(lr.getString("rawPredictionCol"), "rawPrediction");
  EXPECT_EQ(lr.getString("probabilityCol"), "probability");
  EXPECT_EQ(lr.getRegParam(), 0.0);
  EXPECT_EQ(lr.getElasticNetParam(), 0.0);
  EXPECT_EQ(lr.getMaxIter(), 100);
  EXPECT_EQ(lr.getTol(), 1e-6);
  EXPECT_TRUE(lr.getFitIntercept());
  EXPECT_TRUE(lr.getStandardization());
  EXPECT_EQ(lr.getThreshold(), 0.5);
  EXPECT_EQ(lr.getString("family"), "auto");
  EXPECT_EQ(&lr.params(), &LogisticRegression::schema());
}

TEST(LogisticRegressionTest, InvalidParamValuesThrowParamError) {
  LogisticRegression lr;
  EXPECT_THROW(lr.setRegParam(-0.1), td::ParamError);
  EXPECT_THROW(lr.setElasticNetParam(1.5), td::ParamError);
  EXPECT_THROW(lr.setThreshold(-0.5), td::ParamError);
  EXPECT_THROW(lr.setMaxIter(-1), td::ParamError);
  EXPECT_THROW(lr.setTol(-1e-3), td::ParamError);
  try {
    lr.setFamily("poisson");
    FAIL() << "poisson must be rejected";
  } catch (const td::ParamError& e) {
    EXPECT_NE(std::string(e.what()).find("family"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("poisson"), std::string::npos) << e.what();
  }
  EXPECT_THROW(lr.setThresholds({0.5, -0.1}), td::ParamError);
  EXPECT_THROW(lr.setThresholds({0.0, 0.0, 1.0}), td::ParamError);
  EXPECT_THROW(lr.setThresholds({}), td::ParamError);
  lr.setFamily("binomial");
  EXPECT_EQ(lr.getString("family"), "binomial");
}

TEST(LogisticRegressionTest, TransformSchemaAddsOutputColumns) {
  LogisticRegression lr;
  const td::Schema out = lr.transformSchema(toFrame(lrData()).schema());
  EXPECT_EQ(out.field("rawPrediction").type, DataType::kVector);
  EXPECT_EQ(out.field("probability").type, DataType::kVector);
  EXPECT_EQ(out.field("prediction").type, DataType::kDouble);
  lr.setProbabilityCol("");
  EXPECT_FALSE(lr.transformSchema(toFrame(lrData()).schema()).contains("probability"));
}

// ---------------------------------------------------------------- optimum

TEST(LogisticRegressionTest, OptimumSatisfiesKktConditions) {
  struct Setting {
    double lambda, alpha;
    bool standardization, fitIntercept;
  };
  const Setting settings[] = {{0.1, 0.0, true, true},   {0.1, 0.0, false, true},
                              {0.05, 0.5, true, true},  {0.03, 1.0, false, true},
                              {0.05, 0.3, true, false}, {0.0, 0.0, true, true}};
  for (const auto& s : settings) {
    LogisticRegression lr;
    lr.setRegParam(s.lambda)
        .setElasticNetParam(s.alpha)
        .setStandardization(s.standardization)
        .setFitIntercept(s.fitIntercept)
        .setTol(1e-12)
        .setMaxIter(1000);
    const auto model = fitModel(lr, toFrame(lrData()));
    const double v = kktViolation(lrData(), model->coefficients(), model->intercept(), s.lambda,
                                  s.alpha, s.standardization, s.fitIntercept);
    EXPECT_LT(v, 1e-7) << "lambda " << s.lambda << " alpha " << s.alpha << " std "
                       << s.standardization << " intercept " << s.fitIntercept;
    if (!s.fitIntercept) {
      EXPECT_EQ(model->intercept(), 0.0);
    }
    const auto& h = model->summary().objectiveHistory;
    ASSERT_GE(h.size(), 2u);
    EXPECT_EQ(model->summary().totalIterations, static_cast<std::int64_t>(h.size()) - 1);
    for (std::size_t i = 1; i < h.size(); ++i) EXPECT_LE(h[i], h[i - 1]);
  }
}

TEST(LogisticRegressionTest, MatchesScikitLearnL2WithoutStandardization) {
  expectMatchesReference("l2_nostd");
}
TEST(LogisticRegressionTest, MatchesScikitLearnL2WithStandardization) {
  expectMatchesReference("l2_std");
}
TEST(LogisticRegressionTest, MatchesScikitLearnElasticNet) { expectMatchesReference("enet_std"); }
TEST(LogisticRegressionTest, MatchesScikitLearnL1WithStandardization) {
  expectMatchesReference("l1_std");
}
TEST(LogisticRegressionTest, MatchesScikitLearnL1WithoutStandardization) {
  expectMatchesReference("l1_nostd");
}
TEST(LogisticRegressionTest, MatchesScikitLearnWithoutIntercept) {
  expectMatchesReference("l2_nointercept");
}
TEST(LogisticRegressionTest, MatchesScikitLearnUnregularized) {
  expectMatchesReference("unregularized");
}

TEST(LogisticRegressionTest, StandardizationDoesNotChangeUnregularizedOptimum) {
  LogisticRegression a, b;
  a.setTol(1e-12).setMaxIter(1000).setStandardization(true);
  b.setTol(1e-12).setMaxIter(1000).setStandardization(false);
  const auto ma = fitModel(a, toFrame(lrData()));
  const auto mb = fitModel(b, toFrame(lrData()));
  for (std::size_t j = 0; j < ma->coefficients().size(); ++j)
    EXPECT_NEAR(ma->coefficients()[j], mb->coefficients()[j], 1e-6);
  EXPECT_NEAR(ma->intercept(), mb->intercept(), 1e-6);
}

TEST(LogisticRegressionTest, MaxIterZeroReturnsInitialPoint) {
  LogisticRegression lr;
  lr.setMaxIter(0);
  const auto model = fitModel(lr, toFrame(lrData()));
  double n1 = 0;
  for (double y : lrData().y) n1 += y;
  const double n0 = static_cast<double>(lrData().n()) - n1;
  for (double c : model->coefficients()) EXPECT_EQ(c, 0.0);
  EXPECT_NEAR(model->intercept(), std::log(n1 / n0), 1e-15);
  EXPECT_EQ(model->summary().objectiveHistory.size(), 1u);
  EXPECT_EQ(model->summary().totalIterations, 0);
}

// ---------------------------------------------------------------- degenerate data

TEST(LogisticRegressionTest, ZeroVarianceFeatureGetsZeroCoefficient) {
  Data withConst = lrData();
  for (auto& r : withConst.x) r.insert(r.begin() + 2, 3.5);
  for (bool fitIntercept : {true, false}) {
    for (bool standardization : {true, false}) {
      LogisticRegression lr;
      lr.setRegParam(0.05).setFitIntercept(fitIntercept).setStandardization(standardization)
          .setTol(1e-12).setMaxIter(1000);
      const auto m5 = fitModel(lr, toFrame(lrData()));
      const auto m6 = fitModel(lr, toFrame(withConst));
      ASSERT_EQ(m6->numFeatures(), 6);
      EXPECT_EQ(m6->coefficients()[2], 0.0);
      for (std::size_t j = 0; j < 5; ++j)
        EXPECT_NEAR(m6->coefficients()[j < 2 ? j : j + 1], m5->coefficients()[j], 1e-9);
      EXPECT_NEAR(m6->intercept(), m5->intercept(), 1e-9);
    }
  }
}

TEST(LogisticRegressionTest, SingleClassLabelsGiveInfiniteIntercept) {
  for (double label : {1.0, 0.0}) {
    Data data = lrData();
    for (auto& y : data.y) y = label;
    LogisticRegression lr;
    const auto model = fitModel(lr, toFrame(data));
    EXPECT_EQ(model->intercept(), label == 1.0 ? kInf : -kInf);
    for (double c : model->coefficients()) EXPECT_EQ(c, 0.0);
    EXPECT_EQ(model->summary().objectiveHistory, std::vector<double>{0.0});
    EXPECT_EQ(model->summary().totalIterations, 0);
    const Frame out = model->transform(toFrame(data));
    const auto& prob = out.col<VectorColumn>("probability");
    const auto& raw = out.col<VectorColumn>("rawPrediction");
    const auto& pred = out.col<td::DoubleColumn>("prediction");
    for (std::int64_t i = 0; i < out.numRows(); ++i) {
      EXPECT_EQ(prob[i].values[0], 1.0 - label);
      EXPECT_EQ(prob[i].values[1], label);
      EXPECT_EQ(raw[i].values[1], label == 1.0 ? kInf : -kInf);
      EXPECT_EQ(pred[i], label);
    }
  }
}

// ---------------------------------------------------------------- errors

template <class E>
void expectError(const LogisticRegression& lr, const Frame& f,
                 const std::vector<std::string>& fragments) {
  try {
    (void)lr.fit(f);
    FAIL() << "expected an exception";
  } catch (const E& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find(lr.uid()), std::string::npos) << msg;
    for (const auto& frag : fragments) EXPECT_NE(msg.find(frag), std::string::npos) << msg;
  } catch (const std::exception& e) {
    FAIL() << "wrong exception type: " << e.what();
  }
}

TEST(LogisticRegressionTest, EmptyDataThrowsDataError) {
  Data empty;
  const Frame f({{"label", td::makeDoubleColumn({})},
                 {"features", VectorColumn::dense(0, 3, {})}});
  expectError<td::DataError>(LogisticRegression(), f, {"empty", "features"});
}

TEST(LogisticRegressionTest, InvalidLabelThrowsDataError) {
  const std::pair<double, std::string> bad[] = {
      {0.5, "0.5"}, {-1.0, "-1.0"}, {std::nan(""), "NaN"}, {kInf, "Infinity"}};
  for (const auto& [value, text] : bad) {
    Data data = lrData();
    data.y[7] = value;
    for (const char* family : {"auto", "binomial", "multinomial"}) {
      LogisticRegression lr;
      lr.setFamily(family);
      expectError<td::DataError>(lr, toFrame(data),
                                 {"label", text, "row 7", "integers 0, 1, ..., K-1"});
    }
  }
  // A third class is fine for auto and multinomial, an error for binomial.
  Data data = lrData();
  data.y[7] = 2.0;
  LogisticRegression binomial;
  binomial.setFamily("binomial");
  expectError<td::DataError>(binomial, toFrame(data),
                             {"Binomial family only supports 1 or 2 outcome classes but found 3"});
  const auto model = std::dynamic_pointer_cast<const td::LogisticRegressionModel>(
      LogisticRegression().fit(toFrame(data)));
  EXPECT_TRUE(model->isMultinomial());
  EXPECT_EQ(model->numClasses(), 3);
}

TEST(LogisticRegressionTest, NonFiniteFeatureThrowsDataError) {
  for (double value : {std::nan(""), kInf}) {
    Data data = lrData();
    data.x[11][3] = value;
    for (bool sparse : {false, true})
      expectError<td::DataError>(LogisticRegression(), toFrame(data, sparse),
                                 {"features", "row 11", std::isnan(value) ? "NaN" : "Infinity"});
  }
}

TEST(LogisticRegressionTest, InvalidWeightThrowsDataError) {
  const std::pair<double, std::string> bad[] = {{-1.0, "-1.0"}, {std::nan(""), "NaN"}};
  for (const auto& [value, text] : bad) {
    std::vector<double> w(lrData().n(), 1.0);
    w[5] = value;
    LogisticRegression lr;
    lr.setWeightCol("weight");
    expectError<td::DataError>(lr, toFrame(lrData(), false, &w), {"weight", text, "row 5"});
  }
}

TEST(LogisticRegressionTest, WrongFeaturesTypeThrowsColumnError) {
  const Frame f({{"label", td::makeDoubleColumn({0, 1})},
                 {"features", td::makeDoubleColumn({0.5, 1.5})}});
  expectError<td::ColumnError>(LogisticRegression(), f, {"features", "vector", "double"});
}

TEST(LogisticRegressionTest, MissingOrNonNumericLabelThrowsColumnError) {
  const Frame noLabel({{"features", VectorColumn::dense(2, 1, {0.5, 1.5})}});
  expectError<td::ColumnError>(LogisticRegression(), noLabel, {"label"});
  const Frame stringLabel({{"label", td::makeStringColumn({"a", "b"})},
                           {"features", VectorColumn::dense(2, 1, {0.5, 1.5})}});
  expectError<td::ColumnError>(LogisticRegression(), stringLabel, {"label", "string"});
  LogisticRegression lr;
  lr.setWeightCol("w");
  expectError<td::ColumnError>(lr, toFrame(lrData()), {"weight", "'w'"});
}

TEST(LogisticRegressionTest, ExistingOutputColumnThrowsColumnError) {
  const Frame f = toFrame(lrData()).withColumn("prediction", td::makeDoubleColumn(lrData().y));
  expectError<td::ColumnError>(LogisticRegression(), f, {"prediction", "already exists"});
}

TEST(LogisticRegressionTest, Int64LabelsAreAccepted) {
  std::vector<std::int64_t> labels;
  for (double y : lrData().y) labels.push_back(static_cast<std::int64_t>(y));
  const Frame f = toFrame(lrData()).withColumn("label", td::makeInt64Column(labels));
  LogisticRegression lr;
  lr.setRegParam(0.1);
  const auto a = fitModel(lr, f);
  const auto b = fitModel(lr, toFrame(lrData()));
  EXPECT_EQ(a->coefficients(), b->coefficients());
  EXPECT_EQ(a->intercept(), b->intercept());
}

// ---------------------------------------------------------------- weights, layouts, threads

TEST(LogisticRegressionTest, WeightTwoEqualsDuplicatedRow) {
  Data dup = lrData();
  std::vector<double> w(lrData().n(), 1.0);
  for (std::size_t i : {0u, 3u, 10u, 41u}) {
    w[i] = 2.0;
    dup.y.push_back(lrData().y[i]);
    dup.x.push_back(lrData().x[i]);
  }
  for (double alpha : {0.0, 1.0}) {
    LogisticRegression lr;
    lr.setRegParam(0.05).setElasticNetParam(alpha).setStandardization(false).setTol(1e-12)
        .setMaxIter(1000);
    const auto a = fitModel(lr, toFrame(dup));
    lr.setWeightCol("weight");
    const auto b = fitModel(lr, toFrame(lrData(), false, &w));
    for (std::size_t j = 0; j < a->coefficients().size(); ++j)
      EXPECT_NEAR(a->coefficients()[j], b->coefficients()[j], 1e-7) << "alpha " << alpha;
    EXPECT_NEAR(a->intercept(), b->intercept(), 1e-7);
  }
}

TEST(LogisticRegressionTest, ZeroWeightRowsAreIgnored) {
  Data more = lrData();
  std::vector<double> w(lrData().n(), 1.0);
  more.y.push_back(1.0);
  more.x.push_back({100.0, -50.0, 3.0, 1.0, 2.0});
  w.push_back(0.0);
  LogisticRegression lr;
  lr.setRegParam(0.1).setTol(1e-12).setMaxIter(1000);
  const auto a = fitModel(lr, toFrame(lrData()));
  lr.setWeightCol("weight");
  const auto b = fitModel(lr, toFrame(more, false, &w));
  for (std::size_t j = 0; j < a->coefficients().size(); ++j)
    EXPECT_NEAR(a->coefficients()[j], b->coefficients()[j], 1e-8);
  EXPECT_NEAR(a->intercept(), b->intercept(), 1e-8);
}

TEST(LogisticRegressionTest, DenseAndSparseInputGiveSameModel) {
  Data data = syntheticData(700, 30, 0.3, 7);
  for (double alpha : {0.0, 0.5}) {
    for (bool standardization : {true, false}) {
      LogisticRegression lr;
      lr.setRegParam(0.01).setElasticNetParam(alpha).setStandardization(standardization)
          .setTol(1e-12).setMaxIter(1000);
      const auto dense = fitModel(lr, toFrame(data, false));
      const auto sparse = fitModel(lr, toFrame(data, true));
      // Newton-CG (sparse) stops once its estimated relative gap is below tol (issue #17): the
      // two solvers' points agree to ~1e-7, not to rounding.
      for (std::size_t j = 0; j < dense->coefficients().size(); ++j)
        EXPECT_NEAR(dense->coefficients()[j], sparse->coefficients()[j], 1e-6);
      EXPECT_NEAR(dense->intercept(), sparse->intercept(), 1e-6);
    }
  }
}

TEST(LogisticRegressionTest, BitForBitIdenticalAcrossThreadCounts) {
  // Enough rows and features for several row blocks (dense) and row + column blocks (sparse).
  const Data denseData = syntheticData(3000, 40, 0.5, 5);
  const Data sparseData = syntheticData(3000, 2500, 0.01, 11);
  for (bool sparse : {false, true}) {
    const Frame f = toFrame(sparse ? sparseData : denseData, sparse);
    LogisticRegression lr;
    lr.setRegParam(0.01).setElasticNetParam(sparse ? 0.3 : 0.0).setMaxIter(30);
    std::shared_ptr<LogisticRegressionModel> one, four;
    // Allow 4 threads even on a 2-core machine, so the 4-thread arena really gets them.
    const tbb::global_control allow(tbb::global_control::max_allowed_parallelism, 4);
    tbb::task_arena(1).execute([&] { one = fitModel(lr, f); });
    tbb::task_arena(4).execute([&] { four = fitModel(lr, f); });
    EXPECT_EQ(one->coefficients(), four->coefficients()) << (sparse ? "sparse" : "dense");
    EXPECT_EQ(one->intercept(), four->intercept());
    EXPECT_EQ(one->summary().objectiveHistory, four->summary().objectiveHistory);
  }
}

// ---------------------------------------------------------------- sparse layouts

// Integer-valued synthetic data (term-count-like): the sparse path stores float values.
Data countData(std::size_t n, std::size_t d, double density, std::uint64_t seed) {
  Data data = syntheticData(n, d, density, seed);
  for (auto& row : data.x)
    for (auto& v : row)
      if (v != 0.0) v = std::floor(std::abs(v) * 3.0) + 1.0;
  return data;
}

TEST(LogisticRegressionTest, SparseCountsMatchDense) {
  const Data data = countData(600, 40, 0.2, 3);
  for (bool standardization : {true, false}) {
    LogisticRegression lr;
    lr.setRegParam(0.02).setStandardization(standardization).setTol(1e-12).setMaxIter(1000);
    const auto dense = fitModel(lr, toFrame(data, false));
    const auto sparse = fitModel(lr, toFrame(data, true));
    EXPECT_TRUE(sparse->summary().converged);
    for (std::size_t j = 0; j < dense->coefficients().size(); ++j)
      EXPECT_NEAR(dense->coefficients()[j], sparse->coefficients()[j], 1e-7) << j;
    EXPECT_NEAR(dense->intercept(), sparse->intercept(), 1e-7);
    const auto& hd = dense->summary().objectiveHistory;
    const auto& hs = sparse->summary().objectiveHistory;
    EXPECT_NEAR(hd.front(), hs.front(), 1e-14);
    EXPECT_NEAR(hd.back(), hs.back(), 1e-12);
    for (std::size_t i = 1; i < hs.size(); ++i) EXPECT_LE(hs[i], hs[i - 1]);
  }
}

TEST(LogisticRegressionTest, SparseL2UsesNewtonAndReachesTheOptimum) {
  // Raw counts, weak regularization: ill-conditioned, where L-BFGS stops far from the optimum.
  // More features than rows, nearly separable: like hashed text at 2^18 with a few thousand
  // messages.
  Data data = countData(400, 2000, 0.02, 17);
  for (auto& row : data.x)  // column j's counts scaled by 1 + j mod 40, like frequent words
    for (std::size_t j = 0; j < row.size(); ++j) row[j] *= static_cast<double>(1 + j % 40);
  const Frame f = toFrame(data, true);
  LogisticRegression lr;
  lr.setRegParam(1e-3).setStandardization(false);
  EXPECT_EQ(lr.getString("solver"), "auto");
  const auto newton = fitModel(lr, f);  // defaults: tol 1e-6, maxIter 100
  LogisticRegression spark = lr;
  spark.setSolver("l-bfgs");
  const auto lbfgs100 = fitModel(spark, f);
  spark.setTol(1e-12).setMaxIter(20000);
  const auto lbfgsLong = fitModel(spark, f);

  const double best = lbfgsLong->summary().objectiveHistory.back();
  const double fNewton = newton->summary().objectiveHistory.back();
  EXPECT_TRUE(newton->summary().converged);
  EXPECT_LT(newton->summary().totalIterations, 40);
  EXPECT_LE(fNewton - best, 1e-6 * best) << fNewton << " vs " << best;
  EXPECT_LT(fNewton, lbfgs100->summary().objectiveHistory.back());
  EXPECT_LT(kktViolation(data, newton->coefficients(), newton->intercept(), 1e-3, 0.0, false, true),
            1e-7);
  const auto& h = newton->summary().objectiveHistory;
  for (std::size_t i = 1; i < h.size(); ++i) EXPECT_LE(h[i], h[i - 1]);

  // Dense features and elastic net keep Spark's optimizers; solver=l-bfgs is Spark's path.
  lr.setElasticNetParam(0.5);
  const auto enet = fitModel(lr, f);
  spark.setElasticNetParam(0.5).setTol(1e-6).setMaxIter(100);
  const auto enetSpark = fitModel(spark, f);
  EXPECT_EQ(enet->coefficients(), enetSpark->coefficients());
}

TEST(LogisticRegressionTest, ProportionalSparseFeaturesReachTheDenseOptimum) {
  // ~12 of 3,000 features a row: most features occur once, and the sparse path solves each
  // row's such features (and any proportional ones) as one variable (issue #17). Feature 1 is
  // 2·feature 0 on every row. The dense path keeps every feature: the optima must agree.
  Data data = countData(300, 3000, 0.004, 23);
  for (auto& row : data.x) row[1] = 2.0 * row[0];
  for (bool standardization : {false, true}) {
    LogisticRegression lr;
    lr.setRegParam(0.01).setStandardization(standardization).setTol(1e-12).setMaxIter(1000);
    const auto dense = fitModel(lr, toFrame(data, false));
    const auto sparse = fitModel(lr, toFrame(data, true));
    const auto& ws = sparse->coefficients();
    ASSERT_NE(ws[0], 0.0);
    // The penalty's split of a shared margin: w ∝ a (raw penalty) or w ∝ 1/a (standardized).
    EXPECT_NEAR(ws[1], standardization ? ws[0] / 2.0 : 2.0 * ws[0], 1e-12 * std::abs(ws[0]));
    for (std::size_t j = 0; j < ws.size(); ++j)
      EXPECT_NEAR(ws[j], dense->coefficients()[j], 1e-6) << "feature " << j;
    EXPECT_NEAR(sparse->intercept(), dense->intercept(), 1e-6);
    EXPECT_NEAR(sparse->summary().objectiveHistory.back(), dense->summary().objectiveHistory.back(),
                1e-10);
    EXPECT_LT(kktViolation(data, ws, sparse->intercept(), 0.01, 0.0, standardization, true), 1e-7);
  }
}

// ---------------------------------------------------------------- data-parallel

// Rows i with i % deal == rank as a frame of dimension d; deal = size, or size − 1 when the
// last rank gets no rows at all.
Frame shardFrame(const Data& data, int rank, int size, bool sparse, std::size_t d,
                 bool lastEmpty = false) {
  Data part;
  const int deal = lastEmpty ? size - 1 : size;
  for (auto i = static_cast<std::size_t>(rank); rank < deal && i < data.n();
       i += static_cast<std::size_t>(deal)) {
    part.y.push_back(data.y[i]);
    part.x.push_back(data.x[i]);
  }
  const auto dim = static_cast<std::int64_t>(d);
  return Frame({{"label", td::makeDoubleColumn(part.y)},
                {"features", sparse ? sparseColumn(part.x, dim) : denseColumn(part.x, dim)}});
}

TEST(LogisticRegressionTest, DataParallelFitMatchesSingleProcess) {
  const Data data = countData(600, 80, 0.1, 31);
  struct Setting {
    bool standardization;
    double alpha;
    std::string solver;
    bool sparse;
    int ranks;
  };
  const Setting settings[] = {{false, 0.0, "auto", true, 3},   {true, 0.0, "auto", true, 2},
                              {false, 0.0, "l-bfgs", true, 3}, {true, 0.5, "auto", true, 3},
                              {true, 0.0, "auto", false, 3},   {false, 0.0, "auto", true, 5}};
  for (const auto& st : settings) {
    SCOPED_TRACE(::testing::Message() << "std " << st.standardization << " alpha " << st.alpha
                                      << " " << st.solver << " sparse " << st.sparse << " ranks "
                                      << st.ranks);
    LogisticRegression lr;
    lr.setRegParam(0.01).setElasticNetParam(st.alpha).setStandardization(st.standardization)
        .setSolver(st.solver).setTol(1e-10).setMaxIter(500);
    const auto whole = fitModel(lr, toFrame(data, st.sparse));
    const int size = st.ranks;
    const bool lastEmpty = size == 5;  // one rank without rows still takes part
    std::vector<std::shared_ptr<LogisticRegressionModel>> models(static_cast<std::size_t>(size));
    td::testing::runRanks(size, [&](td::testing::ThreadCommunicator& comm) {
      LogisticRegression mine = lr;
      models[static_cast<std::size_t>(comm.rank())] = fitModel(
          mine, shardFrame(data, comm.rank(), size, st.sparse, data.d(), lastEmpty),
          shardContext(comm));
    });
    double scale = std::abs(whole->intercept());
    for (double c : whole->coefficients()) scale = std::max(scale, std::abs(c));
    for (int r = 0; r < size; ++r) {
      const auto& m = *models[static_cast<std::size_t>(r)];
      EXPECT_EQ(m.coefficients(), models[0]->coefficients()) << "rank " << r;  // same bits
      EXPECT_EQ(m.intercept(), models[0]->intercept());
    }
    // Other sums, another path: both stop within tol of the optimum (Newton-CG: estimated
    // relative gap below tol), so the points agree to a few 1e-7 of the coefficients' scale.
    for (std::size_t j = 0; j < whole->coefficients().size(); ++j)
      EXPECT_NEAR(models[0]->coefficients()[j], whole->coefficients()[j], 3e-6 * scale) << j;
    EXPECT_NEAR(models[0]->intercept(), whole->intercept(), 3e-6 * scale);
    EXPECT_NEAR(models[0]->summary().objectiveHistory.back(),
                whole->summary().objectiveHistory.back(),
                1e-9 * whole->summary().objectiveHistory.back());
  }
}

TEST(LogisticRegressionTest, DataParallelShardsWithDifferentDimensionsFail) {
  const Data data = countData(60, 10, 0.3, 5);
  std::vector<std::string> errors(2);
  td::testing::runRanks(2, [&](td::testing::ThreadCommunicator& comm) {
    LogisticRegression lr;
    try {
      (void)lr.fit(shardFrame(data, comm.rank(), 2, true, comm.rank() == 0 ? 10 : 12),
                   shardContext(comm));
    } catch (const td::dist::DistributedError& e) {  // found on summed values: every rank alike
      errors[static_cast<std::size_t>(comm.rank())] = e.what();
    }
  });
  for (const auto& e : errors) {
    EXPECT_NE(e.find("disagree on the dimension"), std::string::npos) << e;
    EXPECT_NE(e.find("between 10 and 12"), std::string::npos) << e;
  }
}

TEST(LogisticRegressionTest, DataParallelBadRowOnOneRankStopsEveryRank) {
  Data data = countData(60, 10, 0.3, 5);
  data.y[1] = 0.5;  // row 1 goes to rank 1 of 2
  std::vector<std::string> errors(2);
  td::testing::runRanks(2, [&](td::testing::ThreadCommunicator& comm) {
    LogisticRegression lr;
    try {
      (void)lr.fit(shardFrame(data, comm.rank(), 2, true, 10), shardContext(comm));
    } catch (const td::dist::DistributedError& e) {
      errors[static_cast<std::size_t>(comm.rank())] = e.what();
      EXPECT_EQ(e.code(), td::ErrorCode::kData);
    }
  });
  for (const auto& e : errors) {  // no rank waits for the other: both name rank 1's row
    EXPECT_NE(e.find("rank 1 of 2: "), std::string::npos) << e;
    EXPECT_NE(e.find("label column 'label' has invalid value 0.5 at row 0"), std::string::npos) << e;
  }
}

TEST(LogisticRegressionTest, DataParallelEmptyShardOfDimensionZeroTakesPart) {
  const Data data = countData(200, 20, 0.2, 9);
  LogisticRegression lr;
  lr.setRegParam(0.01).setTol(1e-10).setMaxIter(500);
  const auto whole = fitModel(lr, toFrame(data, true));
  std::vector<std::shared_ptr<LogisticRegressionModel>> models(3);
  td::testing::runRanks(3, [&](td::testing::ThreadCommunicator& comm) {
    LogisticRegression mine = lr;
    // Rank 2 read no rows, so its (empty) vector column has dimension 0.
    const std::size_t dim = comm.rank() == 2 ? 0 : data.d();
    models[static_cast<std::size_t>(comm.rank())] =
        fitModel(mine, shardFrame(data, comm.rank(), 3, true, dim, true), shardContext(comm));
  });
  for (const auto& m : models) {
    ASSERT_EQ(m->coefficients().size(), whole->coefficients().size());
    for (std::size_t j = 0; j < m->coefficients().size(); ++j)
      EXPECT_NEAR(m->coefficients()[j], whole->coefficients()[j], 1e-6);
  }
}

TEST(LogisticRegressionTest, UnknownSolverIsRejected) {
  LogisticRegression lr;
  try {
    lr.setSolver("newton-raphson");
    FAIL() << "unknown solver accepted";
  } catch (const td::ParamError& e) {
    EXPECT_NE(std::string(e.what()).find("solver"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("newton-raphson"), std::string::npos) << e.what();
  }
}

TEST(LogisticRegressionTest, SparseConstantAndEmptyFeaturesGetZeroCoefficients) {
  // Feature 2 is constant (3.5 in every row), feature 6 never occurs: both are left out of the
  // problem and get 0; the others match the fit without them.
  Data wider = lrData();
  for (auto& r : wider.x) {
    r.insert(r.begin() + 2, 3.5);
    r.push_back(0.0);
  }
  for (bool fitIntercept : {true, false}) {
    LogisticRegression lr;
    lr.setRegParam(0.05).setFitIntercept(fitIntercept).setTol(1e-12).setMaxIter(1000);
    const auto m5 = fitModel(lr, toFrame(lrData(), true));
    const auto m7 = fitModel(lr, toFrame(wider, true));
    ASSERT_EQ(m7->numFeatures(), 7);
    EXPECT_EQ(m7->coefficients()[2], 0.0);
    EXPECT_EQ(m7->coefficients()[6], 0.0);
    for (std::size_t j = 0; j < 5; ++j)
      EXPECT_NEAR(m7->coefficients()[j < 2 ? j : j + 1], m5->coefficients()[j], 1e-8);
    EXPECT_NEAR(m7->intercept(), m5->intercept(), 1e-8);
  }
}

TEST(LogisticRegressionTest, SparseWithMoreThan65536Rows) {
  // 820 copies of every row (65,600 rows: 32-bit row indices) give the optimum of the original
  // rows weighted 820 (without standardization σ only rescales the problem internally).
  const Data& base = lrData();
  Data copies;
  for (int c = 0; c < 820; ++c)
    for (std::size_t i = 0; i < base.n(); ++i) {
      copies.y.push_back(base.y[i]);
      copies.x.push_back(base.x[i]);
    }
  ASSERT_GT(copies.n(), 65536u);
  const std::vector<double> w(base.n(), 820.0);
  LogisticRegression lr;
  lr.setRegParam(0.01).setStandardization(false).setTol(1e-12).setMaxIter(1000);
  const auto many = fitModel(lr, toFrame(copies, true));
  lr.setWeightCol("weight");
  const auto weighted = fitModel(lr, toFrame(base, true, &w));
  for (std::size_t j = 0; j < many->coefficients().size(); ++j)
    EXPECT_NEAR(many->coefficients()[j], weighted->coefficients()[j], 1e-6) << j;
  EXPECT_NEAR(many->intercept(), weighted->intercept(), 1e-6);
}

TEST(LogisticRegressionTest, SparseBitForBitIdenticalAcrossThreadCounts) {
  // Plain L-BFGS (the line-search fast path), float values, float32 correction pairs (2,500
  // features), several column blocks (~75 k entries) and row blocks; also warm-started.
  const Frame f = toFrame(countData(4500, 2500, 0.01, 13), true);
  LogisticRegression lr;
  lr.setRegParam(0.01).setStandardization(false).setMaxIter(40);
  const tbb::global_control allow(tbb::global_control::max_allowed_parallelism, 4);
  std::shared_ptr<LogisticRegressionModel> one, four, warmOne, warmFour;
  tbb::task_arena(1).execute([&] { one = fitModel(lr, f); });
  tbb::task_arena(4).execute([&] { four = fitModel(lr, f); });
  EXPECT_EQ(one->coefficients(), four->coefficients());
  EXPECT_EQ(one->intercept(), four->intercept());
  EXPECT_EQ(one->summary().objectiveHistory, four->summary().objectiveHistory);
  LogisticRegression next = lr;
  next.setRegParam(0.005).setInitialModel(one);
  ASSERT_EQ(next.getInitialModel(), one);
  tbb::task_arena(1).execute([&] { warmOne = fitModel(next, f); });
  tbb::task_arena(4).execute([&] { warmFour = fitModel(next, f); });
  EXPECT_EQ(warmOne->coefficients(), warmFour->coefficients());
  EXPECT_EQ(warmOne->summary().objectiveHistory, warmFour->summary().objectiveHistory);
}

TEST(LogisticRegressionTest, SparseWithMoreThan65536Columns) {
  // 70,000 rare features (1–3 rows each) plus 5 common ones: the column-major product path.
  // Checked against the optimality conditions computed here from the raw rows, and across
  // thread counts.
  const std::int64_t n = 3000, rare = 70000, dim = rare + 5;
  std::uint64_t st = 17;
  auto next = [&] {
    st = st * 6364136223846793005ULL + 1442695040888963407ULL;
    return st >> 33;
  };
  std::vector<std::vector<std::pair<std::int32_t, double>>> rowsOf(static_cast<std::size_t>(n));
  for (std::int64_t j = 0; j < rare; ++j) {
    const int copies = 1 + static_cast<int>(next() % 3);
    for (int c = 0; c < copies; ++c)
      rowsOf[next() % n].push_back({static_cast<std::int32_t>(5 + j), 1.0 + static_cast<double>(next() % 2)});
  }
  std::vector<double> labels;
  for (std::int64_t i = 0; i < n; ++i) {
    auto& r = rowsOf[static_cast<std::size_t>(i)];
    double m = -0.3;
    for (std::int32_t j = 0; j < 5; ++j)
      if (next() % 10 < 3) {
        const double v = 1.0 + static_cast<double>(next() % 3);
        r.push_back({j, v});
        m += v * (j % 2 == 0 ? 0.4 : -0.3);
      }
    std::sort(r.begin(), r.end());
    r.erase(std::unique(r.begin(), r.end(),
                        [](const auto& a, const auto& b) { return a.first == b.first; }),
            r.end());
    labels.push_back((next() % 1000) / 1000.0 < 1.0 / (1.0 + std::exp(-m)) ? 1.0 : 0.0);
  }
  std::vector<std::int64_t> offsets{0};
  std::vector<std::int32_t> idx;
  std::vector<double> val;
  for (const auto& r : rowsOf) {
    for (const auto& [j, v] : r) idx.push_back(j), val.push_back(v);
    offsets.push_back(static_cast<std::int64_t>(idx.size()));
  }
  const Frame f({{"label", td::makeDoubleColumn(labels)},
                 {"features", VectorColumn::sparse(dim, offsets, idx, val)}});
  const double lambda = 0.05;
  LogisticRegression lr;
  lr.setRegParam(lambda).setStandardization(false).setTol(1e-12).setMaxIter(2000);
  const auto model = fitModel(lr, f);
  const auto& w = model->coefficients();
  std::vector<double> g(static_cast<std::size_t>(dim), 0.0);
  double gb = 0.0;
  for (std::int64_t i = 0; i < n; ++i) {
    double m = model->intercept();
    for (std::int64_t p = offsets[i]; p < offsets[i + 1]; ++p) m += w[idx[p]] * val[p];
    const double r = (sigmoid(m) - labels[static_cast<std::size_t>(i)]) / static_cast<double>(n);
    gb += r;
    for (std::int64_t p = offsets[i]; p < offsets[i + 1]; ++p) g[idx[p]] += r * val[p];
  }
  double viol = std::abs(gb);
  for (std::int64_t j = 0; j < dim; ++j) viol = std::max(viol, std::abs(g[j] + lambda * w[j]));
  EXPECT_LT(viol, 1e-7) << model->summary().totalIterations << " iterations";

  lr.setTol(1e-6).setMaxIter(30);
  const tbb::global_control allow(tbb::global_control::max_allowed_parallelism, 4);
  std::shared_ptr<LogisticRegressionModel> one, four;
  tbb::task_arena(1).execute([&] { one = fitModel(lr, f); });
  tbb::task_arena(4).execute([&] { four = fitModel(lr, f); });
  EXPECT_EQ(one->coefficients(), four->coefficients());
  EXPECT_EQ(one->summary().objectiveHistory, four->summary().objectiveHistory);
}

TEST(LogisticRegressionTest, SparseWarmStartConvergesToSameOptimumFaster) {
  const Frame f = toFrame(countData(800, 60, 0.15, 21), true);
  LogisticRegression first;
  first.setRegParam(0.02).setStandardization(false).setTol(1e-10).setMaxIter(2000);
  const auto start = fitModel(first, f);
  LogisticRegression cold = first;
  cold.setRegParam(0.018);
  const auto coldModel = fitModel(cold, f);
  LogisticRegression warm = cold;
  warm.setInitialModel(start);
  const auto warmModel = fitModel(warm, f);
  EXPECT_LT(warmModel->summary().totalIterations, coldModel->summary().totalIterations);
  EXPECT_LT(warmModel->summary().objectiveHistory.front(),
            coldModel->summary().objectiveHistory.front());
  for (std::size_t j = 0; j < coldModel->coefficients().size(); ++j)
    EXPECT_NEAR(warmModel->coefficients()[j], coldModel->coefficients()[j], 1e-5);
  EXPECT_NEAR(warmModel->intercept(), coldModel->intercept(), 1e-5);
}

// ---------------------------------------------------------------- warm start

TEST(LogisticRegressionTest, KeptWarmStartDataGivesTheSameFitAsRebuilding) {
  const Frame f = toFrame(countData(500, 300, 0.05, 13), true);
  LogisticRegression first;
  first.setRegParam(0.1).setStandardization(false);
  const auto plain = fitModel(first, f);
  EXPECT_EQ(plain->warmStartData(), nullptr);  // kept only when asked
  first.setKeepWarmStartData(true);
  const auto keeping = fitModel(first, f);
  ASSERT_NE(keeping->warmStartData(), nullptr);
  EXPECT_EQ(keeping->coefficients(), plain->coefficients());

  // The next fit of the path, from each: the kept matrix is reused, with identical results.
  LogisticRegression next;
  next.setRegParam(0.01).setStandardization(false);
  next.setInitialModel(plain);
  const auto rebuilt = fitModel(next, f);
  next.setInitialModel(keeping);
  const auto reused = fitModel(next, f);
  EXPECT_EQ(reused->coefficients(), rebuilt->coefficients());
  EXPECT_EQ(reused->intercept(), rebuilt->intercept());
  EXPECT_EQ(reused->summary().objectiveHistory, rebuilt->summary().objectiveHistory);

  // Another frame: the kept data must not be taken for it.
  const Frame other = toFrame(countData(500, 300, 0.05, 14), true);
  const auto fresh = fitModel(next, other);
  next.setInitialModel(plain);
  EXPECT_EQ(fitModel(next, other)->coefficients(), fresh->coefficients());
}

TEST(LogisticRegressionTest, WarmStartConvergesToSameOptimumFaster) {
  LogisticRegression first;
  first.setRegParam(0.02).setTol(1e-10).setMaxIter(1000);
  const auto start = fitModel(first, toFrame(lrData()));

  LogisticRegression cold;
  cold.setRegParam(0.018).setTol(1e-10).setMaxIter(1000);
  const auto coldModel = fitModel(cold, toFrame(lrData()));
  LogisticRegression warm = cold;
  warm.setInitialModel(start);
  const auto warmModel = fitModel(warm, toFrame(lrData()));

  EXPECT_LT(warmModel->summary().totalIterations, coldModel->summary().totalIterations);
  EXPECT_LT(warmModel->summary().objectiveHistory.front(),
            coldModel->summary().objectiveHistory.front());
  for (std::size_t j = 0; j < coldModel->coefficients().size(); ++j)
    EXPECT_NEAR(warmModel->coefficients()[j], coldModel->coefficients()[j], 1e-5);
  EXPECT_NEAR(warmModel->intercept(), coldModel->intercept(), 1e-5);

  // An initial model of another dimension is ignored.
  Data wider = lrData();
  for (auto& r : wider.x) r.push_back(r[0] * 0.5 + 1.0);
  const auto other = fitModel(cold, toFrame(wider));
  LogisticRegression ignored = cold;
  ignored.setInitialModel(other);
  const auto ignoredModel = fitModel(ignored, toFrame(lrData()));
  EXPECT_EQ(ignoredModel->coefficients(), coldModel->coefficients());
}

// ---------------------------------------------------------------- the model

TEST(LogisticRegressionTest, ModelCopiesParamsAndUid) {
  LogisticRegression lr;
  lr.setThreshold(0.3).setPredictionCol("pred").setRegParam(0.1);
  const auto model = fitModel(lr, toFrame(lrData()));
  EXPECT_EQ(model->uid(), lr.uid());
  EXPECT_EQ(&model->params(), &LogisticRegression::schema());
  EXPECT_EQ(model->getDouble("threshold"), 0.3);
  EXPECT_EQ(model->getString("predictionCol"), "pred");
  EXPECT_EQ(model->getDouble("regParam"), 0.1);
  EXPECT_EQ(model->numClasses(), 2);
  EXPECT_EQ(model->numFeatures(), 5);
  EXPECT_TRUE(model->transform(toFrame(lrData())).schema().contains("pred"));
}

TEST(LogisticRegressionTest, TransformProducesRawProbabilityAndPrediction) {
  LogisticRegressionModel model("logreg_test", {1.0, -2.0}, 0.5);
  const Frame in({{"features", VectorColumn::dense(4, 2, {0.0, 0.0, 1.0, 1.0, -1.0, 0.25, 40.0, -380.0})}});
  const Frame out = model.transform(in);
  ASSERT_TRUE(out.schema().contains("rawPrediction"));
  const auto& raw = out.col<VectorColumn>("rawPrediction");
  const auto& prob = out.col<VectorColumn>("probability");
  const auto& pred = out.col<td::DoubleColumn>("prediction");
  const double margins[] = {0.5, -0.5, -1.0, 800.5};
  for (std::int64_t i = 0; i < 4; ++i) {
    const double m = margins[i];
    const double p = 1.0 / (1.0 + std::exp(-m));
    EXPECT_EQ(raw[i].size, 2);
    EXPECT_DOUBLE_EQ(raw[i].values[0], -m);
    EXPECT_DOUBLE_EQ(raw[i].values[1], m);
    EXPECT_DOUBLE_EQ(prob[i].values[1], p);
    EXPECT_DOUBLE_EQ(prob[i].values[0], 1.0 - p);
    EXPECT_EQ(pred[i], p > 0.5 ? 1.0 : 0.0);
    EXPECT_DOUBLE_EQ(model.margin(in.col<VectorColumn>("features")[i]), m);
  }
  EXPECT_EQ(prob[3].values[1], 1.0);
  // Only non-empty output names are produced.
  LogisticRegressionModel quiet = model;
  quiet.setRawPredictionCol("").setProbabilityCol("");
  const Frame small = quiet.transform(in);
  EXPECT_EQ(small.numColumns(), 2u);
  EXPECT_TRUE(small.schema().contains("prediction"));
}

TEST(LogisticRegressionTest, ThresholdIsStrict) {
  LogisticRegressionModel model("logreg_t", {1.0}, 0.0);
  const Frame in({{"features", VectorColumn::dense(3, 1, {0.0, 2.0, -2.0})}});
  auto predictions = [&](double t) {
    model.setThreshold(t);
    const Frame out = model.transform(in);
    const auto& p = out.col<td::DoubleColumn>("prediction");
    return std::vector<double>{p[0], p[1], p[2]};
  };
  EXPECT_EQ(predictions(0.5), (std::vector<double>{0.0, 1.0, 0.0}));  // σ(0) = 0.5 is not > 0.5
  EXPECT_EQ(predictions(0.0), (std::vector<double>{1.0, 1.0, 1.0}));
  EXPECT_EQ(predictions(1.0), (std::vector<double>{0.0, 0.0, 0.0}));
  EXPECT_EQ(predictions(0.1), (std::vector<double>{1.0, 1.0, 1.0}));
  EXPECT_EQ(predictions(0.9), (std::vector<double>{0.0, 0.0, 0.0}));
}

TEST(LogisticRegressionTest, ModelTransformSchemaChecksColumns) {
  LogisticRegressionModel model("logreg_m", {1.0, 2.0}, 0.0);
  const Frame wrongType({{"features", td::makeDoubleColumn({1.0})}});
  EXPECT_THROW((void)model.transform(wrongType), td::ColumnError);
  const Frame clash({{"features", VectorColumn::dense(1, 2, {1.0, 2.0})},
                     {"probability", td::makeDoubleColumn({1.0})}});
  EXPECT_THROW((void)model.transform(clash), td::ColumnError);
  const Frame wrongDim({{"features", VectorColumn::dense(1, 3, {1.0, 2.0, 3.0})}});
  EXPECT_THROW((void)model.transform(wrongDim), td::DataError);
}

TEST(LogisticRegressionTest, HighDimensionalSparseFit) {
  // 2^18 hashed features, few used: must be quick and give zero weight to unused ones.
  const std::int64_t dim = 1 << 18;
  std::vector<std::int64_t> offsets{0};
  std::vector<std::int32_t> idx;
  std::vector<double> val;
  std::vector<double> labels;
  std::uint64_t s = 3;
  auto next = [&] {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    return s >> 33;
  };
  for (int i = 0; i < 2000; ++i) {
    std::vector<std::int32_t> row;
    for (int t = 0; t < 20; ++t) row.push_back(static_cast<std::int32_t>((next() % 5000) * 37 % dim));
    std::sort(row.begin(), row.end());
    row.erase(std::unique(row.begin(), row.end()), row.end());
    double m = 0;
    for (auto j : row) {
      idx.push_back(j);
      val.push_back(1.0 + static_cast<double>(j % 3));
      m += (j % 2 == 0 ? 0.3 : -0.3);
    }
    offsets.push_back(static_cast<std::int64_t>(idx.size()));
    labels.push_back((next() % 1000) / 1000.0 < 1.0 / (1.0 + std::exp(-m)) ? 1.0 : 0.0);
  }
  const Frame f({{"label", td::makeDoubleColumn(labels)},
                 {"features", VectorColumn::sparse(dim, offsets, idx, val)}});
  LogisticRegression lr;
  lr.setRegParam(0.01).setStandardization(false);
  const auto model = fitModel(lr, f);
  ASSERT_EQ(model->numFeatures(), dim);
  EXPECT_EQ(model->coefficients()[1], 0.0);  // 1 is never a used index (multiples of 37 only)
  const auto& h = model->summary().objectiveHistory;
  EXPECT_LT(h.back(), h.front());
}

}  // namespace
