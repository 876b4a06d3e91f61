// tests/classification/naive_bayes_test.cc
#include "thunderdome/classification/naive_bayes.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <tbb/global_control.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "../testing/thread_communicator.h"
#include "thunderdome/core/error.h"
#include "thunderdome/dist/communicator.h"
#include "thunderdome/io/libsvm.h"
#include "thunderdome/persist/persist.h"
#include "../testing/columns.h"

namespace td {
namespace {

using td::testing::denseColumn;
using td::testing::sparseColumn;

using ::testing::HasSubstr;

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

using Rows = std::vector<std::vector<double>>;

Frame makeFrame(const std::vector<double>& y, const Rows& x, bool sparse = false,
                const std::vector<double>* w = nullptr) {
  const auto d = static_cast<std::int64_t>(x.empty() ? 0 : x[0].size());
  std::vector<std::pair<std::string, ColumnPtr>> cols{
      {"label", makeDoubleColumn(y)},
      {"features", sparse ? sparseColumn(x, d) : denseColumn(x, d)}};
  if (w) cols.emplace_back("weight", makeDoubleColumn(*w));
  return Frame(std::move(cols));
}

std::vector<double> doubles(const Frame& f, const std::string& name) {
  const auto v = f.col<DoubleColumn>(name).values();
  return {v.begin(), v.end()};
}

std::shared_ptr<NaiveBayesModel> fitModel(const NaiveBayes& nb, const Frame& f) {
  return stageAs<NaiveBayesModel>(nb.fit(f));
}

std::vector<double> flat(const VectorColumn& c) {
  std::vector<double> out;
  for (std::int64_t i = 0; i < c.size(); ++i) {
    const VectorView v = c[i];
    for (std::int64_t j = 0; j < v.size; ++j) out.push_back(v.at(j));
  }
  return out;
}

// |a - b| <= tol * max(1, |b|) element-wise (infinities must match exactly).
void expectNear(const std::vector<double>& a, const std::vector<double>& b, double tol,
                const std::string& what) {
  ASSERT_EQ(a.size(), b.size()) << what;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::isinf(b[i])) {
      EXPECT_EQ(a[i], b[i]) << what << "[" << i << "]";
      continue;
    }
    EXPECT_NEAR(a[i], b[i], tol * std::max(1.0, std::abs(b[i]))) << what << "[" << i << "]";
  }
}

// ---------------------------------------------------------------- the committed data set

// tests/data/nb/data.csv: label, weight, c0..c4 (counts), g0..g2 (real values).
struct NbData {
  std::vector<double> y, w;
  Rows counts, binary, real;
};

const NbData& nbData() {
  static const NbData data = [] {
    NbData d;
    const td::testing::LabeledRows raw = td::testing::readLabeledCsv("nb/data.csv", true);
    d.y = raw.y;
    d.w = raw.w;
    for (const auto& v : raw.x) {
      d.counts.emplace_back(v.begin(), v.begin() + 5);
      std::vector<double> b;
      for (auto it = v.begin(); it != v.begin() + 5; ++it) b.push_back(*it > 0 ? 1.0 : 0.0);
      d.binary.push_back(b);
      d.real.emplace_back(v.begin() + 5, v.end());
    }
    return d;
  }();
  return data;
}

// tests/data/nb/reference.txt: "<config>.<name> v v ..." (see make_reference.py).
const std::map<std::string, std::vector<double>>& reference() {
  static const std::map<std::string, std::vector<double>> ref = [] {
    std::map<std::string, std::vector<double>> r;
    std::ifstream in(std::string(TD_TEST_DATA_DIR) + "/nb/reference.txt");
    EXPECT_TRUE(in.good());
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty() || line[0] == '#') continue;
      std::stringstream ss(line);
      std::string key;
      ss >> key;
      std::vector<double> v;
      std::string tok;
      while (ss >> tok) v.push_back(std::stod(tok));
      r[key] = v;
    }
    return r;
  }();
  return ref;
}

const std::vector<double>& expected(const std::string& key) {
  const auto it = reference().find(key);
  EXPECT_NE(it, reference().end()) << key;
  static const std::vector<double> none;
  return it == reference().end() ? none : it->second;
}

// Fits one configuration of make_reference.py (dense and sparse) and compares the model and
// the transform of the training rows with scikit-learn's numbers mapped to Spark's.
void expectMatchesReference(const std::string& type, double smoothing, bool weighted,
                            const std::string& config) {
  const NbData& d = nbData();
  const Rows& x = type == "gaussian" ? d.real : type == "bernoulli" ? d.binary : d.counts;
  for (const bool sparse : {false, true}) {
    SCOPED_TRACE(config + (sparse ? " sparse" : " dense"));
    NaiveBayes nb;
    nb.setModelType(type).setSmoothing(smoothing);
    if (weighted) nb.setWeightCol("weight");
    const Frame f = makeFrame(d.y, x, sparse, weighted ? &d.w : nullptr);
    const auto model = fitModel(nb, f);
    EXPECT_EQ(model->numClasses(), 3);
    EXPECT_EQ(model->numFeatures(), static_cast<std::int64_t>(x[0].size()));
    expectNear(model->pi(), expected(config + ".pi"), 1e-12, "pi");
    expectNear(model->theta(), expected(config + ".theta"), 1e-12, "theta");
    if (type == "gaussian") {
      expectNear(model->sigma(), expected(config + ".sigma"), 1e-10, "sigma");
    } else {
      EXPECT_TRUE(model->sigma().empty());
    }
    const Frame out = model->transform(f);
    expectNear(flat(out.col<VectorColumn>("rawPrediction")), expected(config + ".raw"), 1e-10,
               "raw");
    const auto prob = flat(out.col<VectorColumn>("probability"));
    expectNear(prob, expected(config + ".prob"), 1e-10, "probability");
    const auto& pred = out.col<DoubleColumn>("prediction");
    const auto& p = expected(config + ".prob");
    for (std::int64_t i = 0; i < f.numRows(); ++i) {
      const auto r = static_cast<std::size_t>(i) * 3;
      const double best =
          static_cast<double>(std::max_element(p.begin() + static_cast<std::ptrdiff_t>(r),
                                               p.begin() + static_cast<std::ptrdiff_t>(r + 3)) -
                              (p.begin() + static_cast<std::ptrdiff_t>(r)));
      EXPECT_EQ(pred.values()[static_cast<std::size_t>(i)], best) << "row " << i;
    }
  }
}

// ---------------------------------------------------------------- params

// NaiveBayesSuite "naive bayes: default params".
TEST(NaiveBayesTest, DefaultsMatchSpark) {
  NaiveBayes nb;
  EXPECT_EQ(nb.getLabelCol(), "label");
  EXPECT_EQ(nb.getFeaturesCol(), "features");
  EXPECT_EQ(nb.getPredictionCol(), "prediction");
  EXPECT_EQ(nb.getRawPredictionCol(), "rawPrediction");
  EXPECT_EQ(nb.getProbabilityCol(), "probability");
  EXPECT_EQ(nb.getSmoothing(), 1.0);
  EXPECT_EQ(nb.getModelType(), "multinomial");
  EXPECT_FALSE(nb.isDefined(NaiveBayes::weightCol));
  EXPECT_FALSE(nb.isDefined(NaiveBayes::thresholds));
  EXPECT_EQ(std::string(NaiveBayes::kUidPrefix), "nb");
}

TEST(NaiveBayesTest, InvalidParamValuesThrowParamError) {
  NaiveBayes nb;
  EXPECT_THROW(nb.setSmoothing(-0.1), ParamError);
  EXPECT_NO_THROW(nb.setSmoothing(0.0));
  EXPECT_THROW(nb.setModelType("Multinomial"), ParamError);  // case-sensitive, as Spark
  EXPECT_THROW(nb.setModelType("poisson"), ParamError);
  for (const auto* t : {"multinomial", "complement", "bernoulli", "gaussian"})
    EXPECT_NO_THROW(nb.setModelType(t));
  EXPECT_THROW(nb.setThresholds({0.5, -0.1}), ParamError);
  EXPECT_THROW(nb.setThresholds({0.0, 0.0, 1.0}), ParamError);  // at most one zero
  EXPECT_THROW(nb.setThresholds({kNaN, 1.0}), ParamError);
  EXPECT_NO_THROW(nb.setThresholds({0.0, 2.0, 1.0}));
  EXPECT_NO_THROW(nb.set("thresholds", ParamValue(std::vector<double>{0.3, 0.7})));
}

// ---------------------------------------------------------------- known answers (scikit-learn)

TEST(NaiveBayesTest, MultinomialMatchesScikitLearn) {
  expectMatchesReference("multinomial", 1.0, false, "multinomial_1_unweighted");
}
TEST(NaiveBayesTest, MultinomialWeightedSmoothingHalfMatchesScikitLearn) {
  expectMatchesReference("multinomial", 0.5, true, "multinomial_0.5_weighted");
}
TEST(NaiveBayesTest, BernoulliMatchesScikitLearn) {
  expectMatchesReference("bernoulli", 1.0, false, "bernoulli_1_unweighted");
}
TEST(NaiveBayesTest, BernoulliWeightedMatchesScikitLearn) {
  expectMatchesReference("bernoulli", 0.3, true, "bernoulli_0.3_weighted");
}
TEST(NaiveBayesTest, ComplementMatchesScikitLearn) {
  expectMatchesReference("complement", 1.0, false, "complement_1_unweighted");
}
TEST(NaiveBayesTest, ComplementWeightedMatchesScikitLearn) {
  expectMatchesReference("complement", 2.0, true, "complement_2_weighted");
}
TEST(NaiveBayesTest, GaussianMatchesScikitLearn) {
  expectMatchesReference("gaussian", 1.0, false, "gaussian_1_unweighted");
}
TEST(NaiveBayesTest, GaussianWeightedMatchesScikitLearn) {
  expectMatchesReference("gaussian", 1.0, true, "gaussian_1_weighted");
}

// ---------------------------------------------------------------- hand-computed answers

// NaiveBayesSuite "detect non zero or one values in Bernoulli": its okTrain, by hand.
// Class 0: 2 rows, x = 0; class 1: 5 rows, x = 1; smoothing 1, K = 2.
TEST(NaiveBayesTest, BernoulliSuiteDataByHand) {
  NaiveBayes nb;
  nb.setModelType("bernoulli").setSmoothing(1.0);
  const auto model =
      fitModel(nb, makeFrame({1, 0, 1, 1, 0, 1, 1}, {{1}, {0}, {1}, {1}, {0}, {1}, {1}}));
  expectNear(model->pi(), {std::log(3.0 / 9.0), std::log(6.0 / 9.0)}, 1e-15, "pi");
  expectNear(model->theta(), {std::log(1.0 / 4.0), std::log(6.0 / 7.0)}, 1e-15, "theta");
  // raw(x) = pi + x·theta + (1 - x)·log(1 - e^theta).
  const auto r1 = model->predictRaw(VectorView{1, 1, nullptr, std::vector<double>{1.0}.data()});
  expectNear(r1, {std::log(3.0 / 9.0) + std::log(0.25), std::log(6.0 / 9.0) + std::log(6.0 / 7.0)},
             1e-14, "raw(1)");
  const std::vector<double> zero{0.0};
  const auto r0 = model->predictRaw(VectorView{1, 1, nullptr, zero.data()});
  expectNear(r0, {std::log(3.0 / 9.0) + std::log(0.75), std::log(6.0 / 9.0) + std::log(1.0 / 7.0)},
             1e-14, "raw(0)");
  // Spark's suite: a 2.0 at transform is an error.
  const Frame bad = makeFrame({1, 1, 1, 1}, {{1}, {2}, {1}, {0}});
  try {
    (void)model->transform(bad);
    FAIL() << "no error";
  } catch (const DataError& e) {
    EXPECT_THAT(e.what(), HasSubstr("features column 'features' has invalid value 2.0 at row 1"));
    EXPECT_THAT(e.what(), HasSubstr("bernoulli naive Bayes requires feature values 0 or 1"));
  }
}

// Multinomial by hand: class 0 rows [2,0],[1,1]; class 1 row [0,3]; smoothing 1.
// S0 = [3,1] -> theta0 = log([4,2]/6); S1 = [0,3] -> theta1 = log([1,4]/5);
// pi = log([3,2]/5). Complement: comp0 = S1, comp1 = S0 -> theta0 = -log([1,4]/5),
// theta1 = -log([4,2]/6).
TEST(NaiveBayesTest, MultinomialAndComplementByHand) {
  const Frame f = makeFrame({0, 0, 1}, {{2, 0}, {1, 1}, {0, 3}});
  NaiveBayes nb;
  const auto m = fitModel(nb, f);
  expectNear(m->pi(), {std::log(3.0 / 5.0), std::log(2.0 / 5.0)}, 1e-15, "pi");
  expectNear(m->theta(),
             {std::log(4.0 / 6.0), std::log(2.0 / 6.0), std::log(1.0 / 5.0), std::log(4.0 / 5.0)},
             1e-15, "theta");
  const std::vector<double> x{1.0, 2.0};
  const auto raw = m->predictRaw(VectorView{2, 2, nullptr, x.data()});
  expectNear(raw,
             {std::log(0.6) + std::log(4.0 / 6.0) + 2 * std::log(2.0 / 6.0),
              std::log(0.4) + std::log(0.2) + 2 * std::log(0.8)},
             1e-14, "raw");
  nb.setModelType("complement");
  const auto c = fitModel(nb, f);
  expectNear(c->pi(), m->pi(), 0, "complement pi (stored, unused)");
  expectNear(
      c->theta(),
      {-std::log(1.0 / 5.0), -std::log(4.0 / 5.0), -std::log(4.0 / 6.0), -std::log(2.0 / 6.0)},
      1e-15, "complement theta");
  // raw = theta·x - logsumexp(theta·x).
  const double a = -std::log(0.2) - 2 * std::log(0.8),
               b = -std::log(4.0 / 6.0) - 2 * std::log(2.0 / 6.0);
  const double lse =
      std::max(a, b) + std::log(std::exp(a - std::max(a, b)) + std::exp(b - std::max(a, b)));
  expectNear(c->predictRaw(VectorView{2, 2, nullptr, x.data()}), {a - lse, b - lse}, 1e-14,
             "complement raw");
}

// Gaussian by hand: class 0 x = {1, 3}, class 1 x = {10, 14, 18}. Spark's variance (weighted,
// population) plus epsilon = 1e-9 x the variance of all five values.
TEST(NaiveBayesTest, GaussianByHand) {
  NaiveBayes nb;
  nb.setModelType("gaussian");
  const auto m = fitModel(nb, makeFrame({0, 0, 1, 1, 1}, {{1}, {3}, {10}, {14}, {18}}));
  const double mean = 46.0 / 5.0, var = (1 + 9 + 100 + 196 + 324) / 5.0 - mean * mean;
  const double eps = 1e-9 * var;
  expectNear(m->pi(), {std::log(0.4), std::log(0.6)}, 1e-15, "pi");
  expectNear(m->theta(), {2.0, 14.0}, 1e-15, "theta");
  expectNear(m->sigma(), {1.0 + eps, 32.0 / 3.0 + eps}, 1e-13, "sigma");
  const std::vector<double> x{5.0};
  expectNear(m->predictRaw(VectorView{1, 1, nullptr, x.data()}),
             {std::log(0.4) - (9.0 / (1.0 + eps) + std::log(1.0 + eps)) / 2,
              std::log(0.6) - (81.0 / (32.0 / 3.0 + eps) + std::log(32.0 / 3.0 + eps)) / 2},
             1e-13, "raw");
}

// NaiveBayesSuite "Naive Bayes Gaussian - Model Coefficients": Spark's
// data/mllib/sample_multiclass_classification_data.txt (committed as
// tests/data/nb/sample_multiclass_classification_data.txt) and the suite's expected values
// (scikit-learn's GaussianNB, relTol 1e-5 as the suite).
TEST(NaiveBayesTest, GaussianSparkSuiteModelCoefficients) {
  const Frame f =
      readLibSvm(std::string(TD_TEST_DATA_DIR) + "/nb/sample_multiclass_classification_data.txt");
  NaiveBayes nb;
  nb.setModelType("gaussian");
  const auto m = fitModel(nb, f);
  ASSERT_EQ(m->numClasses(), 3);
  ASSERT_EQ(m->numFeatures(), 4);
  const std::vector<double> pi{0.33333333, 0.33333333, 0.33333333};
  const std::vector<double> theta{0.27111101,  -0.18833335, 0.54305072,  0.60500005,
                                  -0.60777778, 0.18166667,  -0.84271174, -0.88000014,
                                  -0.09111114, -0.35833336, 0.10508474,  0.0216667};
  const std::vector<double> sigma{0.12230125, 0.07078052, 0.03430001, 0.05133607,
                                  0.03758145, 0.0988028,  0.0033903,  0.00782224,
                                  0.08058764, 0.06701387, 0.02486641, 0.02661392};
  for (std::size_t c = 0; c < 3; ++c) EXPECT_NEAR(std::exp(m->pi()[c]), pi[c], 1e-5 * pi[c]) << c;
  for (std::size_t i = 0; i < 12; ++i) {
    EXPECT_NEAR(m->theta()[i], theta[i], 1e-5 * std::abs(theta[i])) << i;
    EXPECT_NEAR(m->sigma()[i], sigma[i], 1e-5 * sigma[i]) << i;
  }
}

// NaiveBayesSuite's validateProbabilities: probability = exp(pi + theta x) normalised
// (multinomial) and with the (1 - x) log(1 - e^theta) terms (bernoulli), to 1e-10.
TEST(NaiveBayesTest, ProbabilitiesFollowSparkSuiteFormulas) {
  const NbData& d = nbData();
  for (const std::string type : {"multinomial", "bernoulli"}) {
    SCOPED_TRACE(type);
    const Rows& x = type == "bernoulli" ? d.binary : d.counts;
    NaiveBayes nb;
    nb.setModelType(type).setSmoothing(0.7);
    const Frame f = makeFrame(d.y, x);
    const auto m = fitModel(nb, f);
    const auto prob = flat(m->transform(f).col<VectorColumn>("probability"));
    for (std::size_t i = 0; i < x.size(); ++i) {
      std::vector<double> e(3);
      double sum = 0.0;
      for (std::size_t c = 0; c < 3; ++c) {
        double l = m->pi()[c];
        for (std::size_t j = 0; j < 5; ++j) {
          const double t = m->theta()[c * 5 + j];
          l += x[i][j] * t;
          if (type == "bernoulli") l += (1.0 - x[i][j]) * std::log(1.0 - std::exp(t));
        }
        e[c] = std::exp(l);
        sum += e[c];
      }
      double total = 0.0;
      for (std::size_t c = 0; c < 3; ++c) {
        EXPECT_NEAR(prob[i * 3 + c], e[c] / sum, 1e-10 * e[c] / sum + 1e-300) << i;
        total += prob[i * 3 + c];
      }
      EXPECT_NEAR(total, 1.0, 1e-10);
    }
  }
}

// ---------------------------------------------------------------- weights (NaiveBayesSuite
// "Naive Bayes with weighted samples")

TEST(NaiveBayesTest, SmoothingZeroIsInvariantToScaledWeights) {
  const NbData& d = nbData();
  for (const std::string type : {"multinomial", "bernoulli", "complement", "gaussian"}) {
    SCOPED_TRACE(type);
    const Rows& x = type == "gaussian" ? d.real : type == "bernoulli" ? d.binary : d.counts;
    NaiveBayes nb;
    nb.setModelType(type).setSmoothing(0.0).setWeightCol("weight");
    const auto a = fitModel(nb, makeFrame(d.y, x, false, &d.w));
    std::vector<double> scaled = d.w;
    for (double& v : scaled) v *= 42.5;
    const auto b = fitModel(nb, makeFrame(d.y, x, false, &scaled));
    expectNear(b->pi(), a->pi(), 1e-12, "pi");
    expectNear(b->theta(), a->theta(), 1e-12, "theta");
    expectNear(b->sigma(), a->sigma(), 1e-12, "sigma");
  }
}

TEST(NaiveBayesTest, WeightTwoEqualsDuplicatedRowAndZeroWeightIsIgnored) {
  const NbData& d = nbData();
  for (const std::string type : {"multinomial", "bernoulli", "complement", "gaussian"}) {
    SCOPED_TRACE(type);
    const Rows& x = type == "gaussian" ? d.real : type == "bernoulli" ? d.binary : d.counts;
    // Weights 2 on rows 0-5, 0 on rows 6-8, 1 elsewhere vs rows 0-5 twice and 6-8 dropped.
    std::vector<double> w(d.y.size(), 1.0), y2;
    Rows x2;
    for (std::size_t i = 0; i < d.y.size(); ++i) {
      if (i < 6) w[i] = 2.0;
      if (i >= 6 && i < 9) {
        w[i] = 0.0;
        continue;
      }
      y2.push_back(d.y[i]);
      x2.push_back(x[i]);
      if (i < 6) {
        y2.push_back(d.y[i]);
        x2.push_back(x[i]);
      }
    }
    NaiveBayes nb;
    nb.setModelType(type);
    const auto dup = fitModel(nb, makeFrame(y2, x2));
    nb.setWeightCol("weight");
    const auto weighted = fitModel(nb, makeFrame(d.y, x, false, &w));
    expectNear(weighted->pi(), dup->pi(), 1e-13, "pi");
    expectNear(weighted->theta(), dup->theta(), 1e-13, "theta");
    expectNear(weighted->sigma(), dup->sigma(), 1e-12, "sigma");
  }
}

// ---------------------------------------------------------------- dense vs sparse, threads

Rows syntheticRows(std::size_t n, std::size_t d, bool binary, bool real, std::uint64_t seed,
                   std::vector<double>& y) {
  std::uint64_t s = seed;
  auto uniform = [&] {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<double>(s >> 11) / 9007199254740992.0;
  };
  Rows x;
  y.clear();
  for (std::size_t i = 0; i < n; ++i) {
    const double label = static_cast<double>(i % 4);
    std::vector<double> row(d, 0.0);
    for (std::size_t j = 0; j < d; ++j) {
      if (uniform() < 0.3 + 0.1 * static_cast<double>((j + static_cast<std::size_t>(label)) % 3)) {
        row[j] = binary ? 1.0
                 : real ? std::round((uniform() * 6 - 3 + label) * 1000) / 1000
                        : std::floor(uniform() * 5) + 1;
      }
    }
    y.push_back(label);
    x.push_back(std::move(row));
  }
  return x;
}

TEST(NaiveBayesTest, DenseAndSparseGiveBitIdenticalModelsAndOutputs) {
  for (const std::string type : {"multinomial", "bernoulli", "complement", "gaussian"}) {
    SCOPED_TRACE(type);
    std::vector<double> y;
    const Rows x = syntheticRows(5000, 23, type == "bernoulli", type == "gaussian", 7, y);
    NaiveBayes nb;
    nb.setModelType(type).setSmoothing(0.5);
    const Frame dense = makeFrame(y, x, false), sparse = makeFrame(y, x, true);
    const auto a = fitModel(nb, dense);
    const auto b = fitModel(nb, sparse);
    EXPECT_EQ(a->pi(), b->pi());
    EXPECT_EQ(a->theta(), b->theta());
    EXPECT_EQ(a->sigma(), b->sigma());
    EXPECT_EQ(a->numClasses(), 4);
    const Frame oa = a->transform(dense), ob = a->transform(sparse);
    EXPECT_EQ(flat(oa.col<VectorColumn>("rawPrediction")),
              flat(ob.col<VectorColumn>("rawPrediction")));
    EXPECT_EQ(flat(oa.col<VectorColumn>("probability")), flat(ob.col<VectorColumn>("probability")));
    EXPECT_EQ(doubles(oa, "prediction"), doubles(ob, "prediction"));
    // predictRaw of one row equals the transform's row.
    const auto r = a->predictRaw(sparse.col<VectorColumn>("features")[4321]);
    const auto all = flat(oa.col<VectorColumn>("rawPrediction"));
    EXPECT_EQ(r, std::vector<double>(all.begin() + 4321 * 4, all.begin() + 4322 * 4));
  }
}

TEST(NaiveBayesTest, BitForBitIdenticalAcrossThreadCounts) {
  std::vector<double> y;
  const Rows x = syntheticRows(20000, 17, false, true, 11, y);
  NaiveBayes nb;
  nb.setModelType("gaussian");
  const Frame f = makeFrame(y, x, true);
  std::shared_ptr<NaiveBayesModel> one;
  {
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism, 1);
    one = fitModel(nb, f);
  }
  const auto many = fitModel(nb, f);
  EXPECT_EQ(one->pi(), many->pi());
  EXPECT_EQ(one->theta(), many->theta());
  EXPECT_EQ(one->sigma(), many->sigma());
}

// ---------------------------------------------------------------- data-parallel fits

const std::vector<std::string> kModelTypes{"multinomial", "complement", "bernoulli", "gaussian"};

const Rows& rowsOf(const NbData& d, const std::string& type) {
  return type == "gaussian" ? d.real : type == "bernoulli" ? d.binary : d.counts;
}

// v rounded to a multiple of 1/scale.
double onGrid(double v, double scale) { return std::round(v * scale) / scale; }

// The committed data with real values on a 1/64 grid and weights on a 1/4 grid: every product
// and sum of the fit (Σw, Σw·x, Σw·x²) is exact, in any order.
NbData exactData() {
  NbData d = nbData();
  for (double& w : d.w) w = std::max(0.25, onGrid(w, 4));
  for (auto& row : d.real)
    for (double& v : row) v = onGrid(v, 64);
  return d;
}

// A shard of `d` for rank r of `ranks`: rows i with i % ranks == r ("round robin"), or the rows
// whose label % ranks == r ("by label": most ranks see only some classes and a smaller largest
// label than the whole data).
NbData shardOf(const NbData& d, int r, int ranks, bool byLabel) {
  NbData s;
  for (std::size_t i = 0; i < d.y.size(); ++i) {
    const auto key = byLabel ? static_cast<std::size_t>(d.y[i]) : i;
    if (key % static_cast<std::size_t>(ranks) != static_cast<std::size_t>(r)) continue;
    s.y.push_back(d.y[i]);
    s.w.push_back(d.w[i]);
    s.counts.push_back(d.counts[i]);
    s.binary.push_back(d.binary[i]);
    s.real.push_back(d.real[i]);
  }
  return s;
}

Context rankContext(testing::ThreadCommunicator& comm) {
  Context ctx;
  ctx.comm = std::shared_ptr<dist::Communicator>(&comm, [](auto*) {});
  ctx.dataParallel = true;
  return ctx;
}

// Fits `nb` on `ranks` threads, rank r on shard(r), and returns every rank's model.
std::vector<std::shared_ptr<NaiveBayesModel>> fitRanks(const NaiveBayes& nb, int ranks,
                                                       const std::function<Frame(int)>& shard) {
  std::vector<std::shared_ptr<NaiveBayesModel>> models(static_cast<std::size_t>(ranks));
  testing::runRanks(ranks, [&](testing::ThreadCommunicator& comm) {
    models[static_cast<std::size_t>(comm.rank())] =
        stageAs<NaiveBayesModel>(nb.fit(shard(comm.rank()), rankContext(comm)));
  });
  return models;
}

// Every rank's model is the one-process model: bit for bit (`exact`) or to 1e-12 relative.
void expectSameModels(const std::vector<std::shared_ptr<NaiveBayesModel>>& models,
                      const NaiveBayesModel& one, bool exact) {
  for (std::size_t r = 0; r < models.size(); ++r) {
    SCOPED_TRACE("rank " + std::to_string(r));
    ASSERT_TRUE(models[r]);
    EXPECT_EQ(models[r]->numClasses(), one.numClasses());
    EXPECT_EQ(models[r]->numFeatures(), one.numFeatures());
    if (exact) {
      EXPECT_EQ(models[r]->pi(), one.pi());
      EXPECT_EQ(models[r]->theta(), one.theta());
      EXPECT_EQ(models[r]->sigma(), one.sigma());
    } else {
      expectNear(models[r]->pi(), one.pi(), 1e-12, "pi");
      expectNear(models[r]->theta(), one.theta(), 1e-12, "theta");
      expectNear(models[r]->sigma(), one.sigma(), 1e-12, "sigma");
    }
    // The ranks sum in the same order: their models are identical.
    EXPECT_EQ(models[r]->pi(), models[0]->pi());
    EXPECT_EQ(models[r]->theta(), models[0]->theta());
    EXPECT_EQ(models[r]->sigma(), models[0]->sigma());
  }
}

// Issue #13: 2 and 3 ranks give the one-process model for every model type, bit for bit when
// the sums are exact (counts, 1/4-grid weights, 1/64-grid real values).
TEST(NaiveBayesTest, DataParallelMatchesOneProcessBitForBitOnExactSums) {
  const NbData d = exactData();
  for (const auto& type : kModelTypes) {
    for (const bool sparse : {false, true}) {
      NaiveBayes nb;
      nb.setModelType(type).setWeightCol("weight").setSmoothing(0.5);
      const auto one = fitModel(nb, makeFrame(d.y, rowsOf(d, type), sparse, &d.w));
      for (const int ranks : {2, 3}) {
        for (const bool byLabel : {false, true}) {
          SCOPED_TRACE(type + (sparse ? " sparse " : " dense ") + std::to_string(ranks) + " ranks" +
                       (byLabel ? " by label" : " round robin"));
          const auto models = fitRanks(nb, ranks, [&](int r) {
            const NbData s = shardOf(d, r, ranks, byLabel);
            return makeFrame(s.y, rowsOf(s, type), sparse, &s.w);
          });
          expectSameModels(models, *one, true);
        }
      }
    }
  }
}

// The committed data as they are (2-digit weights, 3-digit real values): the sums are added in
// another order than in one process, so the models agree to rounding only.
TEST(NaiveBayesTest, DataParallelMatchesOneProcessToRounding) {
  const NbData& d = nbData();
  for (const auto& type : kModelTypes) {
    NaiveBayes nb;
    nb.setModelType(type).setWeightCol("weight");
    const auto one = fitModel(nb, makeFrame(d.y, rowsOf(d, type), false, &d.w));
    for (const int ranks : {2, 3}) {
      SCOPED_TRACE(type + " " + std::to_string(ranks) + " ranks");
      const auto models = fitRanks(nb, ranks, [&](int r) {
        const NbData s = shardOf(d, r, ranks, false);
        return makeFrame(s.y, rowsOf(s, type), false, &s.w);
      });
      expectSameModels(models, *one, false);
    }
  }
}

// An empty shard (0 rows, a features column of dimension 0) takes part: it adds nothing and
// takes the dimension and classes of the others.
TEST(NaiveBayesTest, DataParallelEmptyShardTakesPart) {
  const NbData d = exactData();
  for (const auto& type : kModelTypes) {
    for (const bool sparse : {false, true}) {
      SCOPED_TRACE(type + (sparse ? " sparse" : " dense"));
      NaiveBayes nb;
      nb.setModelType(type);
      const auto one = fitModel(nb, makeFrame(d.y, rowsOf(d, type), sparse));
      const auto models = fitRanks(nb, 3, [&](int r) {
        if (r == 1) return makeFrame({}, {}, sparse);
        const NbData s = shardOf(d, r == 0 ? 0 : 1, 2, false);
        return makeFrame(s.y, rowsOf(s, type), sparse);
      });
      expectSameModels(models, *one, true);
    }
  }
  // Every shard empty: every rank stops with the same error.
  NaiveBayes nb;
  testing::runRanks(2, [&](testing::ThreadCommunicator& comm) {
    try {
      (void)nb.fit(makeFrame({}, {}), rankContext(comm));
      ADD_FAILURE() << "rank " << comm.rank() << ": no error";
    } catch (const dist::DistributedError& e) {
      EXPECT_THAT(e.what(), HasSubstr("empty training data")) << e.what();
    }
  });
}

// Runs `nb` on 2 ranks over shards(r) and expects every rank to throw a DistributedError
// holding each of `parts`.
void expectRanksFail(const NaiveBayes& nb, const std::function<Frame(int)>& shard,
                     const std::vector<std::string>& parts) {
  std::vector<std::string> messages(2);
  testing::runRanks(2, [&](testing::ThreadCommunicator& comm) {
    try {
      (void)nb.fit(shard(comm.rank()), rankContext(comm));
    } catch (const dist::DistributedError& e) {
      messages[static_cast<std::size_t>(comm.rank())] = e.what();
    }
  });
  for (std::size_t r = 0; r < messages.size(); ++r) {
    SCOPED_TRACE("rank " + std::to_string(r));
    EXPECT_FALSE(messages[r].empty()) << "no error";
    for (const auto& p : parts) EXPECT_THAT(messages[r], HasSubstr(p));
  }
  EXPECT_EQ(messages[0], messages[1]);
}

// A bad row in rank 1's shard only stops both ranks (no hang) with rank 1's message, which
// names the row of that shard; errors found on the summed values are every rank's alike.
TEST(NaiveBayesTest, DataParallelBadRowOnOneRankStopsEveryRank) {
  const NbData d = exactData();
  const std::map<std::string, std::pair<double, std::string>> bad{
      {"multinomial", {-1.0, "invalid value -1.0 at row 2 (feature index 1)"}},
      {"complement", {-1.0, "invalid value -1.0 at row 2 (feature index 1)"}},
      {"bernoulli", {2.0, "invalid value 2.0 at row 2 (feature index 1)"}},
      {"gaussian", {kNaN, "invalid value NaN at row 2 (feature index 1)"}}};
  for (const auto& type : kModelTypes) {
    SCOPED_TRACE(type);
    NaiveBayes nb;
    nb.setModelType(type);
    const double value = bad.at(type).first;  // (clang 14 cannot capture structured bindings)
    const std::string message = bad.at(type).second;
    expectRanksFail(nb,
                    [&](int r) {
                      NbData s = shardOf(d, r, 2, false);
                      Rows x = rowsOf(s, type);
                      if (r == 1) x[2][1] = value;
                      return makeFrame(s.y, x, false);
                    },
                    {"rank 1 of 2: ", "features column 'features' has " + message});
  }
  // A bad label and a bad weight on rank 1.
  NaiveBayes nb;
  expectRanksFail(nb,
                  [&](int r) {
                    NbData s = shardOf(d, r, 2, false);
                    if (r == 1) s.y[3] = 1.5;
                    return makeFrame(s.y, s.counts);
                  },
                  {"rank 1 of 2: ", "label column 'label' has invalid value 1.5 at row 3"});
  nb.setWeightCol("weight");
  expectRanksFail(nb,
                  [&](int r) {
                    NbData s = shardOf(d, r, 2, false);
                    if (r == 1) s.w[0] = -2.0;
                    return makeFrame(s.y, s.counts, false, &s.w);
                  },
                  {"rank 1 of 2: ", "weight column 'weight' has invalid value -2.0 at row 0"});
  // Weights that are 0 on every rank; shards of different dimensions.
  expectRanksFail(nb,
                  [&](int r) {
                    NbData s = shardOf(d, r, 2, false);
                    std::fill(s.w.begin(), s.w.end(), 0.0);
                    return makeFrame(s.y, s.counts, false, &s.w);
                  },
                  {"weights in column 'weight' sum to 0"});
  nb.clear(NaiveBayes::weightCol);
  expectRanksFail(nb,
                  [&](int r) {
                    NbData s = shardOf(d, r, 2, false);
                    if (r == 1)
                      for (auto& row : s.counts) row.resize(3);
                    return makeFrame(s.y, s.counts);
                  },
                  {"ranks disagree on the dimension of features column 'features'"});
}

// ---------------------------------------------------------------- classes and thresholds

// Spark fits a single class: pi = [0], probability [1.0], prediction 0.
TEST(NaiveBayesTest, SingleClassFits) {
  for (const std::string type : {"multinomial", "bernoulli", "complement", "gaussian"}) {
    SCOPED_TRACE(type);
    NaiveBayes nb;
    nb.setModelType(type);
    const Frame f = makeFrame({0, 0, 0}, {{1, 0}, {0, 1}, {1, 1}});
    const auto m = fitModel(nb, f);
    ASSERT_EQ(m->numClasses(), 1);
    EXPECT_EQ(m->pi(), std::vector<double>{0.0});
    const Frame out = m->transform(f);
    EXPECT_EQ(flat(out.col<VectorColumn>("probability")), std::vector<double>({1.0, 1.0, 1.0}));
    EXPECT_EQ(doubles(out, "prediction"), std::vector<double>({0.0, 0.0, 0.0}));
  }
}

// K = max label + 1: a class absent from the data gets Spark's formulas with zero sums.
TEST(NaiveBayesTest, AbsentClassIsNeverPredicted) {
  const Frame f = makeFrame({0, 2, 0, 2}, {{1, 0}, {0, 2}, {2, 1}, {1, 3}});
  NaiveBayes nb;
  auto m = fitModel(nb, f);
  ASSERT_EQ(m->numClasses(), 3);
  expectNear(m->pi(), {std::log(3.0 / 7.0), std::log(1.0 / 7.0), std::log(3.0 / 7.0)}, 1e-15, "pi");
  expectNear({m->theta()[2], m->theta()[3]}, {std::log(0.5), std::log(0.5)}, 1e-15, "theta[1]");
  nb.setSmoothing(0.0);
  m = fitModel(nb, f);
  EXPECT_EQ(m->pi()[1], -kInf);
  EXPECT_EQ(m->theta()[2], -kInf);  // log 0 - log 0 -> -Infinity, not NaN
  Frame out = m->transform(f);
  auto prob = flat(out.col<VectorColumn>("probability"));
  for (std::size_t i = 0; i < 4; ++i) EXPECT_EQ(prob[i * 3 + 1], 0.0);
  nb.setModelType("gaussian");
  m = fitModel(nb, f);
  EXPECT_EQ(m->pi()[1], -kInf);
  out = m->transform(f);
  prob = flat(out.col<VectorColumn>("probability"));
  for (std::size_t i = 0; i < 4; ++i) EXPECT_EQ(prob[i * 3 + 1], 0.0);
  for (const double p : doubles(out, "prediction")) EXPECT_NE(p, 1.0);
}

// Spark's probability2prediction: argmax of p_k / t_k, first index on ties; a 0 threshold
// always wins unless its probability is 0.
TEST(NaiveBayesTest, ThresholdsScaleProbabilities) {
  const NbData& d = nbData();
  NaiveBayes nb;
  const Frame f = makeFrame(d.y, d.counts);
  const auto plain = fitModel(nb, f);
  const Frame base = plain->transform(f);
  const auto prob = flat(base.col<VectorColumn>("probability"));
  const std::vector<double> t{0.9, 0.05, 0.9};
  nb.setThresholds(t);
  const auto m = fitModel(nb, f);
  EXPECT_EQ(m->pi(), plain->pi());
  const auto pred = doubles(m->transform(f), "prediction");
  int changed = 0;
  for (std::size_t i = 0; i < d.y.size(); ++i) {
    std::size_t best = 0;
    for (std::size_t c = 1; c < 3; ++c)
      if (prob[i * 3 + c] / t[c] > prob[i * 3 + best] / t[best]) best = c;
    EXPECT_EQ(pred[i], static_cast<double>(best)) << i;
    changed += pred[i] != doubles(base, "prediction")[i];
  }
  EXPECT_GT(changed, 0);
  m->setThresholds({1.0, 1.0, 0.0});
  for (const double p : doubles(m->transform(f), "prediction")) EXPECT_EQ(p, 2.0);
  // Equal scaled values: the first index wins.
  const auto model1 = std::make_shared<NaiveBayesModel>(
      "nb_tie", 2, 1, std::vector<double>{std::log(0.5), std::log(0.5)},
      std::vector<double>{0.0, 0.0}, std::vector<double>{});
  model1->setThresholds({2.0, 2.0});
  const Frame one = makeFrame({0}, {{1.0}});
  EXPECT_EQ(doubles(model1->transform(one), "prediction")[0], 0.0);
  model1->clear(NaiveBayes::thresholds);
  EXPECT_EQ(doubles(model1->transform(one), "prediction")[0], 0.0);
  // Wrong length: Spark's transform error.
  m->setThresholds({0.5, 0.5});
  try {
    (void)m->transform(f);
    FAIL() << "no error";
  } catch (const ParamError& e) {
    EXPECT_THAT(e.what(), HasSubstr("numClasses=3, but thresholds has length 2"));
  }
  // At fit, labels must be below thresholds' length (Spark's checkClassificationLabels).
  nb.setThresholds({0.5, 0.5});
  try {
    (void)nb.fit(f);
    FAIL() << "no error";
  } catch (const DataError& e) {
    EXPECT_THAT(e.what(), HasSubstr("label column 'label' has invalid value 2.0 at row 2"));
    EXPECT_THAT(e.what(), HasSubstr("[0, 2) (thresholds has 2 values)"));
  }
}

// ---------------------------------------------------------------- errors

void expectFitError(const NaiveBayes& nb, const Frame& f, const std::vector<std::string>& parts) {
  try {
    (void)nb.fit(f);
    ADD_FAILURE() << "no error";
  } catch (const DataError& e) {
    for (const auto& p : parts) EXPECT_THAT(e.what(), HasSubstr(p));
  }
}

// NaiveBayesSuite "detect negative values" (dense, sparse, NaN) and Spark's other checks.
TEST(NaiveBayesTest, BadValuesAreNamedErrors) {
  NaiveBayes nb;
  for (const bool sparse : {false, true}) {
    expectFitError(nb, makeFrame({1, 0, 1, 1}, {{1}, {-1}, {1}, {0}}, sparse),
                   {"features column 'features' has invalid value -1.0 at row 1 (feature index 0)",
                    "multinomial naive Bayes requires finite feature values >= 0"});
    expectFitError(nb, makeFrame({1, 0, 1, 1}, {{1}, {kNaN}, {1}, {0}}, sparse),
                   {"invalid value NaN at row 1"});
  }
  expectFitError(nb, makeFrame({0, 1}, {{1, kInf}, {0, 1}}),
                 {"invalid value Infinity at row 0 (feature index 1)"});
  nb.setModelType("complement");
  expectFitError(nb, makeFrame({0, 1}, {{1, 2}, {-0.5, 1}}),
                 {"invalid value -0.5 at row 1", "complement"});
  nb.setModelType("bernoulli");
  expectFitError(
      nb, makeFrame({1, 0, 1, 1}, {{1}, {2}, {1}, {0}}),
      {"invalid value 2.0 at row 1", "bernoulli naive Bayes requires feature values 0 or 1"});
  nb.setModelType("gaussian");
  expectFitError(
      nb, makeFrame({0, 1, 0}, {{1, 2}, {-3, 1}, {kNaN, 0}}, true),
      {"invalid value NaN at row 2 (feature index 0)", "gaussian naive Bayes requires finite"});
  // Labels: 1.5, -1, NaN.
  nb.setModelType("multinomial");
  expectFitError(nb, makeFrame({0, 1.5}, {{1}, {2}}),
                 {"label column 'label' has invalid value 1.5 at row 1", "integers"});
  expectFitError(nb, makeFrame({-1, 1}, {{1}, {2}}),
                 {"label column 'label' has invalid value -1.0 at row 0"});
  expectFitError(nb, makeFrame({0, kNaN}, {{1}, {2}}), {"invalid value NaN at row 1", "NaN"});
  expectFitError(nb, makeFrame({0, 3e9}, {{1}, {2}}), {"invalid value 3000000000.0 at row 1"});
  expectFitError(nb, makeFrame({0, 2e9}, {{1, 0, 2}, {2, 1, 0}}),
                 {"largest label 2000000000.0 so the model would have 2000000001 classes x 3"});
  // Weights.
  nb.setWeightCol("weight");
  const std::vector<double> neg{1.0, -2.0}, zero{0.0, 0.0};
  expectFitError(nb, makeFrame({0, 1}, {{1}, {2}}, false, &neg),
                 {"weight column 'weight' has invalid value -2.0 at row 1", "finite and >= 0"});
  expectFitError(nb, makeFrame({0, 1}, {{1}, {2}}, false, &zero), {"sum to 0"});
  // Empty data; gaussian with constant features.
  nb.clear(NaiveBayes::weightCol);
  expectFitError(nb, makeFrame({}, {}), {"empty training data"});
  nb.setModelType("gaussian");
  expectFitError(nb, makeFrame({0, 1}, {{2.5}, {2.5}}), {"variance", "constant"});
}

TEST(NaiveBayesTest, ErrorsNameTheSourceLine) {
  auto origins = std::make_shared<RowOrigins>();
  origins->sources = {"train.csv"};
  origins->line = {2, 3, 4};
  const Frame f = makeFrame({0, 1, 1}, {{1, 2}, {0, 1}, {3, -4}}).withOrigins(origins);
  NaiveBayes nb;
  expectFitError(
      nb, f,
      {"train.csv:4: ", "features column 'features' has invalid value -4.0 (feature index 1)"});
  const Frame labels = makeFrame({0, 1, 2.5}, {{1, 2}, {0, 1}, {3, 4}}).withOrigins(origins);
  expectFitError(nb, labels, {"train.csv:4: ", "label column 'label' has invalid value 2.5"});
  const auto m = fitModel(nb, makeFrame({0, 1}, {{1, 2}, {0, 1}}));
  try {
    (void)m->transform(f);
    FAIL() << "no error";
  } catch (const DataError& e) {
    EXPECT_THAT(e.what(), HasSubstr("train.csv:4: "));
    EXPECT_THAT(e.what(), HasSubstr("invalid value -4.0 (feature index 1): multinomial naive Bayes "
                                    "requires feature values >= 0"));
  }
}

TEST(NaiveBayesTest, WrongColumnTypesThrowColumnError) {
  NaiveBayes nb;
  const Frame wrongFeatures(
      {{"label", makeDoubleColumn({0, 1})}, {"features", makeDoubleColumn({1, 2})}});
  EXPECT_THROW((void)nb.fit(wrongFeatures), ColumnError);
  const Frame wrongLabel(
      {{"label", makeStringColumn({"a", "b"})}, {"features", denseColumn({{1}, {2}}, 1)}});
  try {
    (void)nb.fit(wrongLabel);
    FAIL() << "no error";
  } catch (const ColumnError& e) {
    EXPECT_THAT(e.what(), HasSubstr("label column 'label' must be numeric"));
  }
  nb.setWeightCol("w");
  EXPECT_THROW((void)nb.fit(makeFrame({0, 1}, {{1}, {2}})), ColumnError);  // no column 'w'
  const auto m = fitModel(NaiveBayes(), makeFrame({0, 1}, {{1}, {2}}));
  EXPECT_THROW((void)m->transform(wrongFeatures), ColumnError);
  EXPECT_THROW((void)m->transform(makeFrame({0}, {{1, 2}})), DataError);  // dimension 2 vs 1
  EXPECT_THROW((void)m->transform(m->transform(makeFrame({0}, {{1}}))),
               ColumnError);  // outputs exist
}

TEST(NaiveBayesTest, Int64LabelsAreAccepted) {
  const Frame ints({{"label", makeInt64Column({0, 1, 1})},
                    {"features", denseColumn({{1, 0}, {0, 1}, {1, 2}}, 2)}});
  const Frame doubles = makeFrame({0, 1, 1}, {{1, 0}, {0, 1}, {1, 2}});
  NaiveBayes nb;
  EXPECT_EQ(fitModel(nb, ints)->theta(), fitModel(nb, doubles)->theta());
}

// ---------------------------------------------------------------- persistence

// NaiveBayesSuite "read/write": pi, theta (and sigma for gaussian) and the params round-trip.
TEST(NaiveBayesTest, SaveLoadRoundTrip) {
  const auto dir = std::filesystem::temp_directory_path() / randomUid("td_nb");
  std::filesystem::create_directories(dir);
  const NbData& d = nbData();
  for (const std::string type : {"multinomial", "gaussian", "bernoulli"}) {
    SCOPED_TRACE(type);
    NaiveBayes nb;
    nb.setModelType(type).setSmoothing(0.1).setPredictionCol("myPrediction");
    if (type == "bernoulli") nb.setThresholds({0.2, 0.3, 0.5});
    const Rows& x = type == "gaussian" ? d.real : type == "bernoulli" ? d.binary : d.counts;
    const Frame f = makeFrame(d.y, x, true);
    saveStage(nb, (dir / (type + "_est")).string());
    const auto le = stageAs<NaiveBayes>(loadStage((dir / (type + "_est")).string()));
    EXPECT_EQ(le->explainParams(), nb.explainParams());
    const auto m = fitModel(nb, f);
    saveStage(*m, (dir / type).string());
    const auto l = stageAs<NaiveBayesModel>(loadStage((dir / type).string()));
    EXPECT_EQ(l->uid(), m->uid());
    EXPECT_EQ(l->getString("modelType"), type);
    EXPECT_EQ(l->numClasses(), 3);
    EXPECT_EQ(l->numFeatures(), m->numFeatures());
    EXPECT_EQ(l->pi(), m->pi());
    EXPECT_EQ(l->theta(), m->theta());
    EXPECT_EQ(l->sigma(), m->sigma());
    EXPECT_EQ(type == "gaussian", !l->sigma().empty());
    EXPECT_EQ(l->explainParams(), m->explainParams());
    const Frame a = m->transform(f), b = l->transform(f);
    EXPECT_EQ(flat(a.col<VectorColumn>("probability")), flat(b.col<VectorColumn>("probability")));
    EXPECT_EQ(doubles(a, "myPrediction"), doubles(b, "myPrediction"));
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace td
