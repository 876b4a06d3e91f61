// tests/classification/linear_svc_test.cc
#include "thunderdome/classification/linear_svc.h"

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

#include "thunderdome/core/error.h"
#include "thunderdome/dist/communicator.h"
#include "thunderdome/persist/persist.h"
#include "../testing/thread_communicator.h"
#include "../testing/columns.h"

namespace {

using td::testing::denseColumn;
using td::testing::sparseColumn;

using td::DataType;
using td::Frame;
using td::LinearSVC;
using td::LinearSVCModel;
using td::VectorColumn;

constexpr double kInf = std::numeric_limits<double>::infinity();

// ---------------------------------------------------------------- data helpers

using Data = td::testing::LabeledRows;

// tests/data/svc/data.csv: "label,weight,f0,...,f3".
const Data& svcData() {
  static const Data data = td::testing::readLabeledCsv("svc/data.csv", true);
  return data;
}

Frame toFrame(const Data& data, bool sparse = false, bool weights = false) {
  const auto d = static_cast<std::int64_t>(data.d());
  std::vector<std::pair<std::string, td::ColumnPtr>> cols{
      {"label", td::makeDoubleColumn(data.y)},
      {"features", sparse ? sparseColumn(data.x, d) : denseColumn(data.x, d)}};
  if (weights) cols.emplace_back("weight", td::makeDoubleColumn(data.w));
  return Frame(std::move(cols));
}

std::shared_ptr<LinearSVCModel> fitModel(const LinearSVC& svc, const Frame& f,
                                         const td::Context& ctx = {}) {
  return td::stageAs<LinearSVCModel>(svc.fit(f, ctx));
}

// ---------------------------------------------------------------- independent objective

// Spark's objective at (w, b), computed here from the data: (1/W) Σ v_i max(0, 1 − s_i m_i) +
// λ/2 Σ c_j², c_j = σ_j w_j (σ the weighted unbiased deviation) or w_j.
double sparkObjective(const Data& data, bool weighted, const std::vector<double>& w, double b,
                      double lambda, bool standardization) {
  const std::size_t n = data.n(), d = data.d();
  double W = 0, W2 = 0, loss = 0;
  std::vector<double> sum(d, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    const double v = weighted ? data.w[i] : 1.0;
    W += v, W2 += v * v;
    double m = b;
    for (std::size_t j = 0; j < d; ++j) m += w[j] * data.x[i][j], sum[j] += v * data.x[i][j];
    loss += v * std::max(0.0, 1.0 - (2.0 * data.y[i] - 1.0) * m);
  }
  double pen = 0;
  for (std::size_t j = 0; j < d; ++j) {
    double sigma = 1.0;
    if (standardization) {
      const double mu = sum[j] / W;
      double m2 = 0;
      for (std::size_t i = 0; i < n; ++i) {
        const double v = weighted ? data.w[i] : 1.0;
        m2 += v * (data.x[i][j] - mu) * (data.x[i][j] - mu);
      }
      sigma = std::sqrt(m2 / (W - W2 / W));
    }
    pen += sigma * sigma * w[j] * w[j];
  }
  return loss / W + 0.5 * lambda * pen;
}

double marginOf(const std::vector<double>& w, double b, const std::vector<double>& x) {
  double m = b;
  for (std::size_t j = 0; j < x.size(); ++j) m += w[j] * x[j];
  return m;
}

// ---------------------------------------------------------------- scikit-learn references

struct Reference {
  double regParam = 0;
  bool standardization = true, fitIntercept = true, weighted = false;
  double objective = 0, intercept = 0;
  std::vector<double> coefficients;
};

// tests/data/svc/reference.txt, written by make_reference.py (libsvm / liblinear / linprog).
const std::map<std::string, Reference>& references() {
  static const std::map<std::string, Reference> refs = [] {
    std::ifstream in(std::string(TD_TEST_DATA_DIR) + "/svc/reference.txt");
    EXPECT_TRUE(in.good());
    std::map<std::string, Reference> out;
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty() || line[0] == '#') continue;
      std::stringstream ss(line);
      std::string name;
      Reference r;
      int st = 0, fi = 0, wt = 0;
      ss >> name >> r.regParam >> st >> fi >> wt >> r.objective >> r.intercept;
      r.standardization = st != 0, r.fitIntercept = fi != 0, r.weighted = wt != 0;
      double c = 0;
      while (ss >> c) r.coefficients.push_back(c);
      out[name] = r;
    }
    return out;
  }();
  return refs;
}

// Our fit of a reference case reaches the reference optimum's objective (hinge + L-BFGS is
// non-smooth: no coefficient equality is expected) to `relTol`, reports that objective as its
// last history entry, and classifies the training rows as the reference does.
void expectReachesReference(const std::string& name, std::int64_t maxIter, double tol,
                            double relTol) {
  SCOPED_TRACE(name);
  ASSERT_TRUE(references().count(name));
  const Reference& ref = references().at(name);
  const Data& data = svcData();
  LinearSVC svc;
  svc.setRegParam(ref.regParam)
      .setStandardization(ref.standardization)
      .setFitIntercept(ref.fitIntercept)
      .setMaxIter(maxIter)
      .setTol(tol);
  if (ref.weighted) svc.setWeightCol("weight");
  const auto model = fitModel(svc, toFrame(data, false, ref.weighted));
  ASSERT_EQ(model->coefficients().size(), ref.coefficients.size());
  const double ours = sparkObjective(data, ref.weighted, model->coefficients(), model->intercept(),
                                     ref.regParam, ref.standardization);
  const double theirs = sparkObjective(data, ref.weighted, ref.coefficients, ref.intercept,
                                       ref.regParam, ref.standardization);
  EXPECT_NEAR(theirs, ref.objective, 1e-12 * ref.objective);  // the same objective as Python's
  EXPECT_LE(ours, ref.objective * (1.0 + relTol)) << "ours " << ours << " reference "
                                                  << ref.objective;
  EXPECT_NEAR(model->summary().objectiveHistory.back(), ours, 1e-12 * ours);
  if (!ref.fitIntercept) {
    EXPECT_EQ(model->intercept(), 0.0);
  }
  const auto X = denseColumn(data.x, 4);
  int disagree = 0;
  for (std::size_t i = 0; i < data.n(); ++i) {
    const double m = marginOf(ref.coefficients, ref.intercept, data.x[i]);
    const double mine = model->predict((*X)[static_cast<std::int64_t>(i)]);
    disagree += mine != (m > 0.0 ? 1.0 : 0.0);
  }
  EXPECT_EQ(disagree, 0);
}

// ---------------------------------------------------------------- params and schema

TEST(LinearSVCTest, DefaultsMatchSpark) {
  LinearSVC svc;
  EXPECT_EQ(svc.uid().rfind("linearsvc_", 0), 0u) << svc.uid();
  EXPECT_EQ(svc.getString("featuresCol"), "features");
  EXPECT_EQ(svc.getString("labelCol"), "label");
  EXPECT_FALSE(svc.isDefined("weightCol"));
  EXPECT_EQ(svc.getString("predictionCol"), "prediction");
  EXPECT_EQ(svc.getString("rawPredictionCol"), "rawPrediction");
  EXPECT_FALSE(svc.hasParam("probabilityCol"));
  EXPECT_EQ(svc.getRegParam(), 0.0);
  EXPECT_EQ(svc.getMaxIter(), 100);
  EXPECT_EQ(svc.getTol(), 1e-6);
  EXPECT_TRUE(svc.getFitIntercept());
  EXPECT_TRUE(svc.getStandardization());
  EXPECT_EQ(svc.getThreshold(), 0.0);
  // Spark: any real threshold, infinities included.
  svc.setThreshold(-kInf);
  EXPECT_EQ(svc.getThreshold(), -kInf);
  EXPECT_THROW(svc.setRegParam(-0.1), td::ParamError);
  EXPECT_THROW(svc.setMaxIter(-1), td::ParamError);
}

TEST(LinearSVCTest, TransformSchemaAddsRawPredictionAndPrediction) {
  LinearSVC svc;
  const td::Schema out = svc.transformSchema(toFrame(svcData()).schema());
  EXPECT_EQ(out.field("rawPrediction").type, DataType::kVector);
  EXPECT_EQ(out.field("prediction").type, DataType::kDouble);
  EXPECT_FALSE(out.contains("probability"));
  svc.setRawPredictionCol("");
  EXPECT_FALSE(svc.transformSchema(toFrame(svcData()).schema()).contains("rawPrediction"));
}

// ---------------------------------------------------------------- the optimum

TEST(LinearSVCTest, ReachesScikitLearnOptimumWithStandardization) {
  expectReachesReference("l2_std", 1000, 1e-10, 1e-4);
}
TEST(LinearSVCTest, ReachesScikitLearnOptimumWithoutStandardization) {
  expectReachesReference("l2_nostd", 1000, 1e-10, 1e-4);
}
TEST(LinearSVCTest, ReachesScikitLearnOptimumWithSmallRegParam) {
  expectReachesReference("small_std", 1000, 1e-10, 1e-4);
}
TEST(LinearSVCTest, ReachesScikitLearnOptimumWithoutIntercept) {
  expectReachesReference("l2_nointercept", 1000, 1e-10, 1e-4);
}
TEST(LinearSVCTest, ReachesScikitLearnOptimumWithWeights) {
  expectReachesReference("weighted_std", 1000, 1e-10, 1e-4);
}
TEST(LinearSVCTest, ReachesLinearProgrammeOptimumWithoutRegularization) {
  expectReachesReference("unregularized", 1000, 1e-10, 1e-3);
}
TEST(LinearSVCTest, SparkDefaultsGetCloseToTheOptimum) {
  // maxIter = 100, tol = 1e-6, as Spark runs it.
  expectReachesReference("l2_std", 100, 1e-6, 1e-4);
}

TEST(LinearSVCTest, ObjectiveHistoryStartsAtTheZeroModel) {
  // From w = 0, b = 0 every row has hinge loss 1: F(0) = 1.
  LinearSVC svc;
  svc.setRegParam(0.1);
  const auto model = fitModel(svc, toFrame(svcData()));
  const auto& h = model->summary().objectiveHistory;
  ASSERT_GE(h.size(), 2u);
  EXPECT_EQ(h.front(), 1.0);
  for (std::size_t i = 1; i < h.size(); ++i) EXPECT_LE(h[i], h[i - 1]) << i;
  EXPECT_EQ(model->summary().totalIterations, static_cast<std::int64_t>(h.size()) - 1);
}

TEST(LinearSVCTest, DenseAndSparseInputGiveTheSameModel) {
  // Spark's suite: the models are equal (both run on the same compact matrix here).
  for (double lambda : {0.0, 0.05}) {
    for (bool standardization : {true, false}) {
      LinearSVC svc;
      svc.setRegParam(lambda).setStandardization(standardization);
      const auto dense = fitModel(svc, toFrame(svcData(), false));
      const auto sparse = fitModel(svc, toFrame(svcData(), true));
      EXPECT_EQ(dense->coefficients(), sparse->coefficients()) << lambda << " " << standardization;
      EXPECT_EQ(dense->intercept(), sparse->intercept());
      EXPECT_EQ(dense->summary().objectiveHistory, sparse->summary().objectiveHistory);
    }
  }
}

TEST(LinearSVCTest, ProportionalFeaturesAreSolvedAsOne) {
  // A 5th feature = 2·f0 on every row: the fit solves the pair as one variable (issue #17) and
  // splits it as the penalty prefers (w ∝ a raw, w ∝ 1/a standardized); the objective it
  // reports is Spark's objective of the model it returns, computed here from the data.
  Data data = svcData();
  for (auto& row : data.x) row.push_back(2.0 * row[0]);
  for (bool standardization : {false, true}) {
    LinearSVC svc;
    svc.setRegParam(0.05).setStandardization(standardization);
    const auto m = fitModel(svc, toFrame(data, true));
    const auto& w = m->coefficients();
    ASSERT_NE(w[0], 0.0);
    EXPECT_NEAR(w[4], standardization ? w[0] / 2.0 : 2.0 * w[0], 1e-12 * std::abs(w[0]));
    EXPECT_NEAR(m->summary().objectiveHistory.back(),
                sparkObjective(data, false, w, m->intercept(), 0.05, standardization), 1e-12);
  }
}

TEST(LinearSVCTest, WeightsEqualRepeatedRows) {
  // A row of integer weight v is the same problem as v copies of it (Spark's oversampling
  // test: the same optimum, reached along a different path), and scaling every weight by a
  // power of two changes no bit (Spark's arbitrarily scaled weights). Without standardization:
  // the weighted unbiased variance (denominator W − Σw²/W) is not that of the copies (n − 1).
  const Data& data = svcData();
  Data repeated;
  for (std::size_t i = 0; i < data.n(); ++i)
    for (int k = 0; k < static_cast<int>(data.w[i]); ++k) {
      repeated.y.push_back(data.y[i]);
      repeated.x.push_back(data.x[i]);
    }
  LinearSVC svc;
  svc.setRegParam(0.02).setStandardization(false).setMaxIter(1000).setTol(1e-10);
  const auto copies = fitModel(svc, toFrame(repeated));
  svc.setWeightCol("weight");
  const auto weighted = fitModel(svc, toFrame(data, false, true));
  Data scaled = data;
  for (double& v : scaled.w) v *= 4.0;
  const auto scaledModel = fitModel(svc, toFrame(scaled, false, true));
  const double f1 = copies->summary().objectiveHistory.back();
  const double f2 = weighted->summary().objectiveHistory.back();
  const double f3 = scaledModel->summary().objectiveHistory.back();
  EXPECT_NEAR(f1, f2, 1e-4 * f2);
  EXPECT_EQ(f3, f2);
  EXPECT_EQ(scaledModel->coefficients(), weighted->coefficients());
  EXPECT_EQ(scaledModel->intercept(), weighted->intercept());
}

TEST(LinearSVCTest, ZeroWeightRowsAreIgnored) {
  Data data = svcData();
  std::vector<double> w(data.n(), 1.0);
  Data kept;
  for (std::size_t i = 0; i < data.n(); ++i) {
    if (i % 7 == 3) {
      w[i] = 0.0;
      data.x[i][1] = 1e6;  // would dominate σ and the loss if counted
    } else {
      kept.y.push_back(data.y[i]);
      kept.x.push_back(data.x[i]);
    }
  }
  data.w = w;
  LinearSVC svc;
  svc.setRegParam(0.05);
  const auto all = fitModel(svc, toFrame(kept));
  svc.setWeightCol("weight");
  const auto zeroed = fitModel(svc, toFrame(data, false, true));
  EXPECT_NEAR(zeroed->summary().objectiveHistory.back(), all->summary().objectiveHistory.back(),
              1e-9);
  for (std::size_t j = 0; j < 4; ++j)
    EXPECT_NEAR(zeroed->coefficients()[j], all->coefficients()[j], 1e-6);
}

TEST(LinearSVCTest, ConstantFeatureGetsZeroCoefficient) {
  Data data = svcData();
  for (auto& row : data.x) row.push_back(4.25);
  LinearSVC svc;
  svc.setRegParam(0.1);
  const auto model = fitModel(svc, toFrame(data));
  ASSERT_EQ(model->numFeatures(), 5);
  EXPECT_EQ(model->coefficients()[4], 0.0);
  const auto without = fitModel(svc, toFrame(svcData()));
  for (std::size_t j = 0; j < 4; ++j)
    EXPECT_NEAR(model->coefficients()[j], without->coefficients()[j], 1e-9);
}

// ---------------------------------------------------------------- Spark's LinearSVCSuite

TEST(LinearSVCTest, FitInterceptFalseGivesZeroIntercept) {
  // "linear svc doesn't fit intercept when fitIntercept is off" (maxIter 5).
  LinearSVC svc;
  svc.setFitIntercept(false).setMaxIter(5);
  EXPECT_EQ(fitModel(svc, toFrame(svcData()))->intercept(), 0.0);
  svc.setFitIntercept(true);
  EXPECT_NE(fitModel(svc, toFrame(svcData()))->intercept(), 0.0);
}

TEST(LinearSVCTest, ThresholdActsOnRawPrediction) {
  // Spark's "LinearSVC threshold acts on rawPrediction": margins 1e-7, 0, −1e-7.
  LinearSVCModel model("myLSVCM", {1.0}, 0.0);
  const Frame in({{"features", VectorColumn::dense(3, 1, {1e-7, 0.0, -1e-7})}});
  auto predictions = [&](double t, bool withRaw) {
    model.setThreshold(t).setRawPredictionCol(withRaw ? "rawPrediction" : "");
    const Frame out = model.transform(in);
    const auto& p = out.col<td::DoubleColumn>("prediction");
    return std::vector<double>{p[0], p[1], p[2]};
  };
  for (bool withRaw : {true, false}) {
    EXPECT_EQ(predictions(0.0, withRaw), (std::vector<double>{1.0, 0.0, 0.0}));
    EXPECT_EQ(predictions(kInf, withRaw), (std::vector<double>{0.0, 0.0, 0.0}));
    EXPECT_EQ(predictions(-kInf, withRaw), (std::vector<double>{1.0, 1.0, 1.0}));
  }
}

TEST(LinearSVCTest, TransformProducesRawPredictionAndPrediction) {
  LinearSVCModel model("linearsvc_t", {1.0, -2.0}, 0.5);
  const Frame in({{"features", VectorColumn::dense(3, 2, {0.0, 0.0, 1.0, 1.0, -1.0, 0.25})}});
  const Frame out = model.transform(in);
  const auto& raw = out.col<VectorColumn>("rawPrediction");
  const auto& pred = out.col<td::DoubleColumn>("prediction");
  const double margins[] = {0.5, -0.5, -1.0};
  for (std::int64_t i = 0; i < 3; ++i) {
    EXPECT_EQ(raw[i].size, 2);
    EXPECT_EQ(raw[i].values[0], -margins[i]);
    EXPECT_EQ(raw[i].values[1], margins[i]);
    EXPECT_EQ(pred[i], margins[i] > 0.0 ? 1.0 : 0.0);
    EXPECT_EQ(model.predict(in.col<VectorColumn>("features")[i]), pred[i]);
  }
  EXPECT_FALSE(out.schema().contains("probability"));
  const Frame wrongDim({{"features", VectorColumn::dense(1, 3, {1.0, 2.0, 3.0})}});
  EXPECT_THROW((void)model.transform(wrongDim), td::DataError);
}

TEST(LinearSVCTest, ModelCopiesParamsAndUid) {
  LinearSVC svc;
  svc.setThreshold(0.6).setPredictionCol("myPredict").setRawPredictionCol("myRaw").setRegParam(0.01);
  const auto model = fitModel(svc, toFrame(svcData()));
  EXPECT_EQ(model->uid(), svc.uid());
  EXPECT_EQ(&model->params(), &LinearSVC::schema());
  EXPECT_EQ(model->getThreshold(), 0.6);
  EXPECT_EQ(model->getDouble("regParam"), 0.01);
  EXPECT_EQ(model->numClasses(), 2);
  EXPECT_EQ(model->numFeatures(), 4);
  const Frame out = model->transform(toFrame(svcData()));
  EXPECT_TRUE(out.schema().contains("myPredict"));
  EXPECT_TRUE(out.schema().contains("myRaw"));
}

TEST(LinearSVCTest, SaveLoadRoundTrip) {
  // Spark's "read/write: SVM" settings.
  LinearSVC svc;
  svc.setRegParam(0.01).setMaxIter(2).setTol(0.8).setStandardization(false).setThreshold(0.6)
      .setPredictionCol("myPredict").setRawPredictionCol("myRawPredict");
  const auto loadedEstimator =
      td::stageAs<LinearSVC>(td::deserializeStage(td::serializeStage(svc), "memory:svc"));
  EXPECT_EQ(loadedEstimator->uid(), svc.uid());
  EXPECT_EQ(loadedEstimator->getTol(), 0.8);
  EXPECT_EQ(loadedEstimator->getThreshold(), 0.6);
  EXPECT_FALSE(loadedEstimator->getStandardization());

  const auto model = fitModel(svc, toFrame(svcData()));
  const auto loaded =
      td::stageAs<LinearSVCModel>(td::deserializeStage(td::serializeStage(*model), "memory:svc"));
  EXPECT_EQ(loaded->uid(), model->uid());
  EXPECT_EQ(loaded->coefficients(), model->coefficients());
  EXPECT_EQ(loaded->intercept(), model->intercept());
  EXPECT_EQ(loaded->numFeatures(), model->numFeatures());
  EXPECT_EQ(loaded->getThreshold(), 0.6);
  const Frame a = model->transform(toFrame(svcData()));
  const Frame b = loaded->transform(toFrame(svcData()));
  const auto& ra = a.col<VectorColumn>("myRawPredict");
  const auto& rb = b.col<VectorColumn>("myRawPredict");
  for (std::int64_t i = 0; i < a.numRows(); ++i) EXPECT_EQ(ra[i].values[1], rb[i].values[1]);
  EXPECT_EQ(a.numeric("myPredict"), b.numeric("myPredict"));
  // An infinite threshold survives the JSON too.
  LinearSVCModel inf = *model;
  inf.setThreshold(-kInf);
  EXPECT_EQ(td::stageAs<LinearSVCModel>(td::deserializeStage(td::serializeStage(inf), "m"))
                ->getThreshold(),
            -kInf);
}

// ---------------------------------------------------------------- bad input

template <class E>
void expectError(const LinearSVC& svc, const Frame& f, const std::vector<std::string>& fragments) {
  try {
    (void)svc.fit(f);
    FAIL() << "expected an exception";
  } catch (const E& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find(svc.uid()), std::string::npos) << msg;
    for (const auto& frag : fragments) EXPECT_NE(msg.find(frag), std::string::npos) << msg;
  } catch (const std::exception& e) {
    FAIL() << "wrong exception type: " << e.what();
  }
}

TEST(LinearSVCTest, InvalidLabelThrowsDataError) {
  const std::pair<double, std::string> bad[] = {
      {2.0, "2.0"}, {0.5, "0.5"}, {-1.0, "-1.0"}, {std::nan(""), "NaN"}};
  for (const auto& [value, text] : bad) {
    Data data = svcData();
    data.y[7] = value;
    expectError<td::DataError>(LinearSVC(), toFrame(data), {"label", text, "row 7", "0.0 or 1.0"});
  }
}

TEST(LinearSVCTest, BadRowIsNamedBySourceAndLine) {
  Data data = svcData();
  data.y[4] = 2.0;
  auto origins = std::make_shared<td::RowOrigins>();
  origins->sources = {"train.csv"};
  for (std::size_t i = 0; i < data.n(); ++i) origins->line.push_back(static_cast<std::int64_t>(i) + 2);
  expectError<td::DataError>(LinearSVC(), toFrame(data).withOrigins(origins),
                             {"train.csv:6", "label", "2.0"});
  Data nan = svcData();
  nan.x[9][2] = std::nan("");
  expectError<td::DataError>(LinearSVC(), toFrame(nan).withOrigins(origins),
                             {"train.csv:11", "features", "NaN"});
}

TEST(LinearSVCTest, NonFiniteFeatureThrowsDataError) {
  for (double value : {std::nan(""), kInf}) {
    Data data = svcData();
    data.x[11][3] = value;
    for (bool sparse : {false, true})
      expectError<td::DataError>(LinearSVC(), toFrame(data, sparse),
                                 {"features", "row 11", std::isnan(value) ? "NaN" : "Infinity"});
  }
}

TEST(LinearSVCTest, InvalidWeightThrowsDataError) {
  Data data = svcData();
  data.w[5] = -1.0;
  LinearSVC svc;
  svc.setWeightCol("weight");
  expectError<td::DataError>(svc, toFrame(data, false, true), {"weight", "-1.0", "row 5"});
}

TEST(LinearSVCTest, WrongColumnTypesThrowColumnError) {
  const Frame f({{"label", td::makeDoubleColumn({0, 1})},
                 {"features", td::makeDoubleColumn({0.5, 1.5})}});
  expectError<td::ColumnError>(LinearSVC(), f, {"features", "vector", "double"});
  const Frame stringLabel({{"label", td::makeStringColumn({"a", "b"})},
                           {"features", VectorColumn::dense(2, 1, {0.5, 1.5})}});
  expectError<td::ColumnError>(LinearSVC(), stringLabel, {"label", "string"});
  const Frame clash = toFrame(svcData()).withColumn("prediction", td::makeDoubleColumn(svcData().y));
  expectError<td::ColumnError>(LinearSVC(), clash, {"prediction", "already exists"});
}

TEST(LinearSVCTest, SingleClassAsSpark) {
  // Spark counts classes by the label histogram's length: all 0 is one class (an error),
  // all 1 is a histogram of length 2, which trains (every margin is pushed to >= 1).
  Data zeros = svcData();
  std::fill(zeros.y.begin(), zeros.y.end(), 0.0);
  expectError<td::DataError>(LinearSVC(), toFrame(zeros), {"binary", "1 classes", "label"});
  Data ones = svcData();
  std::fill(ones.y.begin(), ones.y.end(), 1.0);
  LinearSVC svc;
  svc.setRegParam(0.1);
  const auto model = fitModel(svc, toFrame(ones));
  EXPECT_LT(model->summary().objectiveHistory.back(), 1e-6);
  const Frame out = model->transform(toFrame(ones));
  for (double p : out.numeric("prediction")) EXPECT_EQ(p, 1.0);
}

TEST(LinearSVCTest, EmptyDataThrowsDataError) {
  const Frame f({{"label", td::makeDoubleColumn({})}, {"features", VectorColumn::dense(0, 3, {})}});
  expectError<td::DataError>(LinearSVC(), f, {"empty", "features"});
}

TEST(LinearSVCTest, Int64LabelsAreAccepted) {
  std::vector<std::int64_t> labels;
  for (double y : svcData().y) labels.push_back(static_cast<std::int64_t>(y));
  LinearSVC svc;
  svc.setRegParam(0.1);
  const auto a = fitModel(svc, toFrame(svcData()).withColumn("label", td::makeInt64Column(labels)));
  const auto b = fitModel(svc, toFrame(svcData()));
  EXPECT_EQ(a->coefficients(), b->coefficients());
}

// ---------------------------------------------------------------- data-parallel

td::Context shardContext(td::dist::Communicator& comm) {
  td::Context ctx;
  ctx.comm = std::shared_ptr<td::dist::Communicator>(&comm, [](auto*) {});
  ctx.dataParallel = true;
  return ctx;
}

TEST(LinearSVCTest, DataParallelFitMatchesSingleProcess) {
  // Every rank ends with the same bits; the sums over ranks round differently from one
  // process's, so (non-smooth loss) the optimum is reached along another path: the objective
  // agrees with the single-process fit's and the reference optimum to 1e-4.
  const Data& data = svcData();
  const Reference& ref = references().at("l2_std");
  for (bool sparse : {false, true}) {
    SCOPED_TRACE(sparse);
    LinearSVC svc;
    svc.setRegParam(ref.regParam).setMaxIter(1000).setTol(1e-10);
    const auto whole = fitModel(svc, toFrame(data));
    constexpr int kRanks = 3;
    std::vector<std::shared_ptr<LinearSVCModel>> models(kRanks);
    td::testing::runRanks(kRanks, [&](td::testing::ThreadCommunicator& comm) {
      Data part;
      for (auto i = static_cast<std::size_t>(comm.rank()); i < data.n(); i += kRanks) {
        part.y.push_back(data.y[i]);
        part.x.push_back(data.x[i]);
      }
      LinearSVC mine = svc;
      models[static_cast<std::size_t>(comm.rank())] =
          fitModel(mine, toFrame(part, sparse), shardContext(comm));
    });
    for (int r = 1; r < kRanks; ++r) {
      EXPECT_EQ(models[static_cast<std::size_t>(r)]->coefficients(), models[0]->coefficients());
      EXPECT_EQ(models[static_cast<std::size_t>(r)]->intercept(), models[0]->intercept());
    }
    const double f0 = whole->summary().objectiveHistory.back();
    const double fr = sparkObjective(data, false, models[0]->coefficients(),
                                     models[0]->intercept(), ref.regParam, true);
    EXPECT_NEAR(models[0]->summary().objectiveHistory.back(), fr, 1e-12 * fr);
    EXPECT_NEAR(fr, f0, 1e-4 * f0);
    EXPECT_LE(fr, ref.objective * (1 + 1e-4));
  }
}

}  // namespace
