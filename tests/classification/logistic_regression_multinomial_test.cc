// tests/classification/logistic_regression_multinomial_test.cc — family="multinomial": known
// answers from scikit-learn (tests/data/lr/make_multinomial_reference.py), optimality (KKT) with
// an L1 part, dense = sparse, data-parallel = one process, outputs, thresholds, save/load, errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "../testing/thread_communicator.h"
#include "thunderdome/classification/logistic_regression.h"
#include "thunderdome/core/error.h"
#include "thunderdome/persist/persist.h"

namespace {

using td::Frame;
using td::LogisticRegression;
using td::LogisticRegressionModel;
using td::VectorColumn;

constexpr int K = 3;
constexpr std::size_t D = 4;
constexpr double kInfinity() { return std::numeric_limits<double>::infinity(); }

struct Multi {
  std::vector<std::vector<double>> x;
  std::vector<double> y, w;
};

Multi loadMulti() {
  std::ifstream in(std::string(TD_TEST_DATA_DIR) + "/lr/multi.csv");
  std::string line;
  std::getline(in, line);  // header
  Multi m;
  while (std::getline(in, line)) {
    std::stringstream ss(line);
    std::string cell;
    std::vector<double> v;
    while (std::getline(ss, cell, ',')) v.push_back(std::stod(cell));
    m.y.push_back(v[0]);
    m.x.emplace_back(v.begin() + 1, v.begin() + 1 + static_cast<std::ptrdiff_t>(D));
    m.w.push_back(v[1 + D]);
  }
  return m;
}

std::shared_ptr<VectorColumn> features(const std::vector<std::vector<double>>& x, bool sparse) {
  const auto n = static_cast<std::int64_t>(x.size());
  const auto d = static_cast<std::int64_t>(x.empty() ? D : x[0].size());
  if (!sparse) {
    std::vector<double> flat;
    for (const auto& r : x) flat.insert(flat.end(), r.begin(), r.end());
    return VectorColumn::dense(n, d, std::move(flat));
  }
  std::vector<std::int64_t> off{0};
  std::vector<std::int32_t> idx;
  std::vector<double> val;
  for (const auto& r : x) {
    for (std::size_t j = 0; j < r.size(); ++j)
      if (r[j] != 0.0) idx.push_back(static_cast<std::int32_t>(j)), val.push_back(r[j]);
    off.push_back(static_cast<std::int64_t>(idx.size()));
  }
  return VectorColumn::sparse(d, std::move(off), std::move(idx), std::move(val));
}

Frame toFrame(const Multi& m, bool sparse = false) {
  return Frame({{"label", td::makeDoubleColumn(m.y)},
                {"features", features(m.x, sparse)},
                {"weight", td::makeDoubleColumn(m.w)}});
}

std::shared_ptr<const LogisticRegressionModel> fitLr(const LogisticRegression& lr, const Frame& f,
                                                     const td::Context& ctx = {}) {
  return std::dynamic_pointer_cast<const LogisticRegressionModel>(lr.fit(f, ctx));
}

LogisticRegression tight() {
  LogisticRegression lr;
  lr.setMaxIter(2000).setTol(1e-12);
  return lr;
}

struct Reference {
  std::string name;
  double regParam = 0.0;
  bool standardization = true, fitIntercept = true, weighted = false;
  std::vector<double> coef, intercept;
};

std::vector<Reference> loadReferences() {
  std::ifstream in(std::string(TD_TEST_DATA_DIR) + "/lr/multi_reference.txt");
  std::vector<Reference> refs;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::stringstream ss(line);
    Reference r;
    int s = 0, fi = 0, wt = 0;
    std::string bar;
    ss >> r.name >> r.regParam >> s >> fi >> wt >> bar;
    r.standardization = s != 0, r.fitIntercept = fi != 0, r.weighted = wt != 0;
    for (std::size_t i = 0; i < K * D; ++i) r.coef.push_back(0), ss >> r.coef.back();
    ss >> bar;
    for (int i = 0; i < K; ++i) r.intercept.push_back(0), ss >> r.intercept.back();
    refs.push_back(r);
  }
  return refs;
}

void expectRel(double got, double want, double rel, const std::string& what) {
  EXPECT_NEAR(got, want, rel * std::max(1.0, std::abs(want))) << what;
}

TEST(LogisticRegressionMultinomialTest, MatchesScikitLearnOnSparksObjective) {
  const Multi m = loadMulti();
  const auto refs = loadReferences();
  ASSERT_EQ(refs.size(), 5u);
  for (const auto& r : refs)
    for (bool sparse : {false, true}) {
      LogisticRegression lr = tight();
      lr.setRegParam(r.regParam).setStandardization(r.standardization).setFitIntercept(r.fitIntercept);
      if (r.weighted) lr.setWeightCol("weight");
      const auto model = fitLr(lr, toFrame(m, sparse));
      ASSERT_TRUE(model->isMultinomial()) << r.name;
      ASSERT_EQ(model->numClasses(), K);
      ASSERT_EQ(model->numFeatures(), static_cast<std::int64_t>(D));
      const std::string what = r.name + (sparse ? " sparse" : " dense");
      for (std::size_t i = 0; i < K * D; ++i)
        expectRel(model->coefficientMatrix()[i], r.coef[i], 1e-5, what + " coef " + std::to_string(i));
      for (std::size_t c = 0; c < K; ++c)
        expectRel(model->interceptVector()[c], r.intercept[c], 1e-5, what + " intercept");
      EXPECT_TRUE(model->summary().converged) << what;
    }
}

TEST(LogisticRegressionMultinomialTest, FamilyAutoPicksBinomialForTwoClasses) {
  Multi m = loadMulti();
  for (auto& v : m.y) v = v == 2.0 ? 1.0 : v;
  EXPECT_FALSE(fitLr(LogisticRegression(), toFrame(m))->isMultinomial());
  LogisticRegression multi;
  multi.setFamily("multinomial");
  const auto model = fitLr(multi, toFrame(m));
  ASSERT_TRUE(model->isMultinomial());
  EXPECT_EQ(model->numClasses(), 2);
  EXPECT_EQ(model->coefficientMatrix().size(), 2 * D);
  EXPECT_THROW((void)model->coefficients(), td::ParamError);
  EXPECT_THROW((void)model->intercept(), td::ParamError);
}

// With an L1 part there is no closed reference; the optimum satisfies the KKT conditions of
// Spark's objective: |∂f/∂c| <= λ₁ where c = 0, and ∂f/∂c = −λ₁·sign(c) elsewhere (c the
// standardized coefficient σ_j·w_kj, so ∂m/∂c = x_j/σ_j).
TEST(LogisticRegressionMultinomialTest, ElasticNetSatisfiesKkt) {
  const Multi m = loadMulti();
  const double lambda = 0.03, alpha = 0.7;
  LogisticRegression lr = tight();
  lr.setRegParam(lambda).setElasticNetParam(alpha);
  const auto model = fitLr(lr, toFrame(m));
  const std::size_t n = m.y.size();
  std::vector<double> mean(D, 0.0), sd(D, 0.0);
  for (const auto& r : m.x)
    for (std::size_t j = 0; j < D; ++j) mean[j] += r[j] / static_cast<double>(n);
  for (const auto& r : m.x)
    for (std::size_t j = 0; j < D; ++j) sd[j] += (r[j] - mean[j]) * (r[j] - mean[j]);
  for (auto& v : sd) v = std::sqrt(v / static_cast<double>(n - 1));
  const auto& W = model->coefficientMatrix();
  const auto& b = model->interceptVector();
  std::vector<double> g(K * D, 0.0), gb(K, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    double mg[K], mx = -1e300, s = 0.0;
    for (int c = 0; c < K; ++c) {
      mg[c] = b[c];
      for (std::size_t j = 0; j < D; ++j) mg[c] += W[c * D + j] * m.x[i][j];
      mx = std::max(mx, mg[c]);
    }
    for (double& v : mg) s += (v = std::exp(v - mx));
    for (int c = 0; c < K; ++c) {
      const double r = mg[c] / s - (m.y[i] == c ? 1.0 : 0.0);
      gb[c] += r / static_cast<double>(n);
      for (std::size_t j = 0; j < D; ++j) g[c * D + j] += r * m.x[i][j] / sd[j] / static_cast<double>(n);
    }
  }
  int zeros = 0;
  for (std::size_t c = 0; c < K; ++c) {
    EXPECT_NEAR(gb[c], 0.0, 1e-6);
    for (std::size_t j = 0; j < D; ++j) {
      const double z = W[c * D + j] * sd[j];
      const double smooth = g[c * D + j] + lambda * (1.0 - alpha) * z;
      if (z == 0.0) {
        ++zeros;
        EXPECT_LE(std::abs(smooth), lambda * alpha + 1e-6);
      } else {
        EXPECT_NEAR(smooth, -lambda * alpha * (z > 0 ? 1.0 : -1.0), 1e-6);
      }
    }
  }
  EXPECT_GT(zeros, 0);  // the L1 part sets some coefficients to exactly 0
}

TEST(LogisticRegressionMultinomialTest, TransformGivesMarginsSoftmaxAndArgmax) {
  const Multi m = loadMulti();
  LogisticRegression lr;
  lr.setRegParam(0.05);
  const auto model = fitLr(lr, toFrame(m));
  const Frame out = model->transform(toFrame(m));
  const auto& raw = out.col<VectorColumn>("rawPrediction");
  const auto& prob = out.col<VectorColumn>("probability");
  const auto pred = out.numeric("prediction");
  ASSERT_EQ(raw.dim(), K);
  ASSERT_EQ(prob.dim(), K);
  const auto& W = model->coefficientMatrix();
  for (std::size_t i = 0; i < m.y.size(); ++i) {
    double mg[K], s = 0.0;
    int best = 0;
    for (int c = 0; c < K; ++c) {
      mg[c] = model->interceptVector()[c];
      for (std::size_t j = 0; j < D; ++j) mg[c] += W[c * D + j] * m.x[i][j];
      EXPECT_NEAR(raw[static_cast<std::int64_t>(i)].values[c], mg[c], 1e-12);
      s += std::exp(mg[c]);
      if (mg[c] > mg[best]) best = c;
    }
    for (int c = 0; c < K; ++c)
      EXPECT_NEAR(prob[static_cast<std::int64_t>(i)].values[c], std::exp(mg[c]) / s, 1e-12);
    EXPECT_EQ(pred[i], best);
  }
  // thresholds: argmax p/t; a tiny threshold for class 2 makes it win everywhere.
  auto withT = std::dynamic_pointer_cast<LogisticRegressionModel>(model->copyStage({}));
  withT->set("thresholds", td::ParamValue(std::vector<double>{1.0, 1.0, 1e-9}));
  for (double v : withT->transform(toFrame(m)).numeric("prediction")) EXPECT_EQ(v, 2.0);
  withT->set("thresholds", td::ParamValue(std::vector<double>{1.0, 1.0}));
  EXPECT_THROW((void)withT->transform(toFrame(m)), td::ParamError);
}

TEST(LogisticRegressionMultinomialTest, SingleClassGivesInfiniteInterceptWithoutTraining) {
  Multi m = loadMulti();
  for (auto& v : m.y) v = 2.0;
  const auto model = fitLr(LogisticRegression(), toFrame(m));
  ASSERT_TRUE(model->isMultinomial());
  EXPECT_EQ(model->numClasses(), 3);
  EXPECT_EQ(model->interceptVector()[2], std::numeric_limits<double>::infinity());
  EXPECT_EQ(model->interceptVector()[0], 0.0);
  for (double c : model->coefficientMatrix()) EXPECT_EQ(c, 0.0);
  const Frame out = model->transform(toFrame(m));
  for (double v : out.numeric("prediction")) EXPECT_EQ(v, 2.0);
  EXPECT_EQ(out.col<VectorColumn>("probability")[0].values[2], 1.0);
}

TEST(LogisticRegressionMultinomialTest, SaveLoadRoundTrip) {
  const Multi m = loadMulti();
  LogisticRegression lr;
  lr.setRegParam(0.01).setThresholds({0.3, 0.3, 0.4});
  const auto model = fitLr(lr, toFrame(m));
  const auto dir = std::filesystem::temp_directory_path() / "td_lr_multinomial_roundtrip";
  std::filesystem::remove_all(dir);
  td::saveStage(*model, dir.string());
  const auto back = td::loadStageAs<LogisticRegressionModel>(dir.string());
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(back->isMultinomial());
  EXPECT_EQ(back->numClasses(), K);
  EXPECT_EQ(back->coefficientMatrix(), model->coefficientMatrix());
  EXPECT_EQ(back->interceptVector(), model->interceptVector());
  const Frame a = model->transform(toFrame(m)), b = back->transform(toFrame(m));
  EXPECT_EQ(a.numeric("prediction"), b.numeric("prediction"));
}

TEST(LogisticRegressionMultinomialTest, DataParallelMatchesOneProcess) {
  const Multi m = loadMulti();
  for (bool sparse : {false, true}) {
    LogisticRegression lr;
    lr.setRegParam(0.02).setWeightCol("weight");
    const auto one = fitLr(lr, toFrame(m, sparse));
    std::vector<std::shared_ptr<const LogisticRegressionModel>> models(2);
    td::testing::runRanks(2, [&](td::testing::ThreadCommunicator& comm) {
      Multi part;
      for (std::size_t i = static_cast<std::size_t>(comm.rank()); i < m.y.size(); i += 2) {
        part.x.push_back(m.x[i]);
        part.y.push_back(m.y[i]);
        part.w.push_back(m.w[i]);
      }
      td::Context ctx;
      ctx.comm = std::shared_ptr<td::dist::Communicator>(&comm, [](auto*) {});
      ctx.dataParallel = true;
      models[static_cast<std::size_t>(comm.rank())] = fitLr(lr, toFrame(part, sparse), ctx);
    });
    for (const auto& mod : models) {
      ASSERT_TRUE(mod);
      for (std::size_t i = 0; i < K * D; ++i)
        EXPECT_NEAR(mod->coefficientMatrix()[i], one->coefficientMatrix()[i], 1e-6);
    }
    EXPECT_EQ(models[0]->coefficientMatrix(), models[1]->coefficientMatrix());
  }
}

TEST(LogisticRegressionMultinomialTest, BadInputIsANamedError) {
  Multi m = loadMulti();
  m.x[5][2] = std::nan("");
  LogisticRegression lr;
  lr.setFamily("multinomial");
  try {
    (void)lr.fit(toFrame(m));
    FAIL() << "NaN feature accepted";
  } catch (const td::DataError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("features"), std::string::npos) << msg;
    EXPECT_NE(msg.find("NaN"), std::string::npos) << msg;
    EXPECT_NE(msg.find("row 5"), std::string::npos) << msg;
  }
  Multi neg = loadMulti();
  neg.w[3] = -1.0;
  lr.setWeightCol("weight");
  EXPECT_THROW((void)lr.fit(toFrame(neg)), td::DataError);
}

}  // namespace

namespace {

// Large dense data take the float32 kernels (n·k >= 2^22 values; integers 0..255 are stored as
// bytes, other values as floats): the fit must still reach the double-precision optimum — the
// gradient of Spark's objective, computed here in double, is ~0.
void largeDenseReachesTheOptimum(double shift) {
  const std::size_t n = 6000, d = 700;
  const int classes = 4;
  std::uint64_t st = 12345;
  auto uniform = [&] {
    st = st * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<double>(st >> 11) / 9007199254740992.0;
  };
  std::vector<double> flat(n * d), y(n);
  for (std::size_t i = 0; i < n; ++i) {
    double m[classes] = {0, 0, 0, 0};
    for (std::size_t j = 0; j < d; ++j) {
      const double v = std::floor(uniform() * 256.0) + shift;  // pixel-like values
      flat[i * d + j] = v;
      if (j < 40) m[j % classes] += (v - 128.0) / 400.0;
    }
    int best = 0;
    for (int c = 1; c < classes; ++c) best = m[c] > m[best] ? c : best;
    y[i] = uniform() < 0.8 ? best : static_cast<int>(uniform() * classes);
  }
  const Frame f({{"label", td::makeDoubleColumn(y)},
                 {"features", VectorColumn::dense(static_cast<std::int64_t>(n),
                                                  static_cast<std::int64_t>(d), flat)}});
  LogisticRegression lr;
  lr.setRegParam(0.05).setMaxIter(500).setTol(1e-10);
  const auto model = fitLr(lr, f);
  // Gradient in the standardized space: Σ r x/σ / n + λ σ w (penalty on σ·w).
  std::vector<double> mean(d, 0.0), sd(d, 0.0);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < d; ++j) mean[j] += flat[i * d + j] / static_cast<double>(n);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < d; ++j)
      sd[j] += (flat[i * d + j] - mean[j]) * (flat[i * d + j] - mean[j]);
  for (auto& v : sd) v = std::sqrt(v / static_cast<double>(n - 1));
  const auto& W = model->coefficientMatrix();
  const auto& b = model->interceptVector();
  std::vector<double> g(classes * d, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    double m[classes], mx = -1e300, s = 0.0;
    for (int c = 0; c < classes; ++c) {
      m[c] = b[static_cast<std::size_t>(c)];
      for (std::size_t j = 0; j < d; ++j) m[c] += W[c * d + j] * flat[i * d + j];
      mx = std::max(mx, m[c]);
    }
    for (double& v : m) s += (v = std::exp(v - mx));
    for (int c = 0; c < classes; ++c) {
      const double r = m[c] / s - (y[i] == c ? 1.0 : 0.0);
      for (std::size_t j = 0; j < d; ++j) g[c * d + j] += r * flat[i * d + j] / sd[j] / static_cast<double>(n);
    }
  }
  double gmax = 0.0, wmax = 0.0;
  for (int c = 0; c < classes; ++c)
    for (std::size_t j = 0; j < d; ++j) {
      const double z = W[c * d + j] * sd[j];
      wmax = std::max(wmax, std::abs(z));
      gmax = std::max(gmax, std::abs(g[c * d + j] + 0.05 * z));
    }
  EXPECT_GT(wmax, 1e-3);
  EXPECT_LT(gmax, 1e-5) << "largest gradient component at the float32 fit (shift " << shift << ")";
}

TEST(LogisticRegressionMultinomialTest, LargeDenseByteKernelsReachTheOptimum) {
  largeDenseReachesTheOptimum(0.0);
}

TEST(LogisticRegressionMultinomialTest, LargeDenseFloatKernelsReachTheOptimum) {
  largeDenseReachesTheOptimum(0.25);
}

}  // namespace

namespace {

// An empty shard whose features column has dimension 0 takes part (dense and sparse): the
// ranks agree on the dimension, no rank sizes its sums from its own empty column.
TEST(LogisticRegressionMultinomialTest, DataParallelEmptyShardOfDimensionZeroTakesPart) {
  const Multi m = loadMulti();
  for (bool sparse : {false, true}) {
    LogisticRegression lr;
    lr.setRegParam(0.02).setFamily("multinomial").setWeightCol("weight");
    const auto one = fitLr(lr, toFrame(m, sparse));
    std::vector<std::shared_ptr<const LogisticRegressionModel>> models(3);
    std::vector<std::string> errors(3);
    td::testing::runRanks(3, [&](td::testing::ThreadCommunicator& comm) {
      Multi part;
      if (comm.rank() < 2)
        for (std::size_t i = static_cast<std::size_t>(comm.rank()); i < m.y.size(); i += 2) {
          part.x.push_back(m.x[i]);
          part.y.push_back(m.y[i]);
          part.w.push_back(m.w[i]);
        }
      td::Context ctx;
      ctx.comm = std::shared_ptr<td::dist::Communicator>(&comm, [](auto*) {});
      ctx.dataParallel = true;
      const Frame f = comm.rank() < 2
                          ? toFrame(part, sparse)
                          : Frame({{"label", td::makeDoubleColumn({})},
                                   {"features", sparse ? VectorColumn::sparse(0, {0}, {}, {})
                                                       : VectorColumn::dense(0, 0, {})},
                                   {"weight", td::makeDoubleColumn({})}});
      try {
        models[static_cast<std::size_t>(comm.rank())] = fitLr(lr, f, ctx);
      } catch (const std::exception& e) {
        errors[static_cast<std::size_t>(comm.rank())] = e.what();
      }
    });
    for (std::size_t r = 0; r < 3; ++r) {
      ASSERT_TRUE(errors[r].empty()) << "rank " << r << ": " << errors[r];
      for (std::size_t i = 0; i < K * D; ++i)
        EXPECT_NEAR(models[r]->coefficientMatrix()[i], one->coefficientMatrix()[i], 1e-6);
    }
  }
}

// Rows of weight 0 do not count as classes and their labels are not checked (Spark's
// MultiClassSummarizer): two classes plus a weight-0 row labelled 2 (or 0.5) is binomial.
TEST(LogisticRegressionMultinomialTest, RowsOfWeightZeroAreNotClasses) {
  Multi m = loadMulti();
  for (auto& v : m.y) v = v == 2.0 ? 1.0 : v;
  for (double stray : {2.0, 0.5, 7.0}) {
    Multi withStray = m;
    withStray.y[4] = stray;
    withStray.w[4] = 0.0;
    LogisticRegression lr;
    lr.setWeightCol("weight");
    EXPECT_FALSE(fitLr(lr, toFrame(withStray))->isMultinomial()) << stray;
  }
  // multinomial: the weight-0 row's label beyond K-1 is ignored too
  Multi three = loadMulti();
  three.y[4] = 9.0;
  three.w[4] = 0.0;
  LogisticRegression lr;
  lr.setWeightCol("weight").setFamily("multinomial");
  EXPECT_EQ(fitLr(lr, toFrame(three))->numClasses(), 3);
}

// A stray huge label would ask for a model of billions of values: a named error instead.
TEST(LogisticRegressionMultinomialTest, HugeLabelIsANamedError) {
  Multi m = loadMulti();
  m.y[6] = 900000000.0;
  try {
    (void)LogisticRegression().fit(toFrame(m));
    FAIL() << "a label of 9e8 was accepted";
  } catch (const td::DataError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("row 6"), std::string::npos) << msg;
    EXPECT_NE(msg.find("900000001 classes x 4 features"), std::string::npos) << msg;
  }
}

// Spark's probability2prediction: p/t, so a zero threshold wins unless that class's
// probability is 0 (0/0 is NaN, never chosen).
TEST(LogisticRegressionMultinomialTest, ZeroThresholdLosesWhenItsProbabilityIsZero) {
  auto model = std::make_shared<LogisticRegressionModel>(
      "lr", 3, std::vector<double>{0.0, 0.0, 0.0}, std::vector<double>{0.0, 1.0, -kInfinity()});
  model->set("thresholds", td::ParamValue(std::vector<double>{0.5, 0.5, 0.0}));
  const Frame f({{"features", VectorColumn::dense(1, 1, {1.0})}});
  EXPECT_EQ(model->transform(f).numeric("prediction")[0], 1.0);
  model->set("thresholds", td::ParamValue(std::vector<double>{0.0, 0.5, 0.5}));
  EXPECT_EQ(model->transform(f).numeric("prediction")[0], 0.0);
}

}  // namespace
