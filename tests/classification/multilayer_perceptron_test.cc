// tests/classification/multilayer_perceptron_test.cc
#include "thunderdome/classification/multilayer_perceptron.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <tbb/global_control.h>
#include <tbb/task_arena.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "nn/dense.h"
#include "nn/mlp.h"
#include "thunderdome/core/error.h"
#include "thunderdome/io/libsvm.h"
#include "thunderdome/persist/persist.h"
#include "../testing/columns.h"

namespace td {
namespace {

using td::testing::denseColumn;
using td::testing::sparseColumn;

using ::testing::HasSubstr;
using Rows = std::vector<std::vector<double>>;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

Frame makeFrame(const std::vector<double>& y, const Rows& x, bool sparse = false) {
  const auto d = static_cast<std::int64_t>(x.empty() ? 0 : x[0].size());
  return Frame({{"label", makeDoubleColumn(y)},
                {"features", sparse ? sparseColumn(x, d) : denseColumn(x, d)}});
}

std::vector<double> doubles(const Frame& f, const std::string& name) {
  const auto v = f.col<DoubleColumn>(name).values();
  return {v.begin(), v.end()};
}

std::vector<double> flat(const VectorColumn& c) {
  std::vector<double> out;
  for (std::int64_t i = 0; i < c.size(); ++i) {
    const VectorView v = c[i];
    for (std::int64_t j = 0; j < v.size; ++j) out.push_back(v.at(j));
  }
  return out;
}

std::shared_ptr<MultilayerPerceptronClassificationModel> fitModel(
    const MultilayerPerceptronClassifier& mlp, const Frame& f) {
  return stageAs<MultilayerPerceptronClassificationModel>(mlp.fit(f));
}

// A small deterministic generator (LCG), independent of the library's.
struct Lcg {
  std::uint64_t s;
  double uniform() {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<double>(s >> 11) / 9007199254740992.0;
  }
};

// n rows of dimension d, K classes: class c is centred at a class-dependent point; some
// values exactly 0 so that the sparse layout differs from the dense one.
Rows synthetic(std::size_t n, std::size_t d, int K, std::uint64_t seed, std::vector<double>& y) {
  Lcg g{seed};
  Rows x;
  y.clear();
  for (std::size_t i = 0; i < n; ++i) {
    const int c = static_cast<int>(i % static_cast<std::size_t>(K));
    std::vector<double> row(d);
    for (std::size_t j = 0; j < d; ++j) {
      const double centre = ((j + static_cast<std::size_t>(c)) % 3 == 0) ? 1.0 : -0.5;
      row[j] = g.uniform() < 0.25 ? 0.0 : centre + (g.uniform() - 0.5) * 1.5;
    }
    x.push_back(std::move(row));
    y.push_back(c);
  }
  return x;
}

std::vector<double> randomWeights(std::int64_t count, std::uint64_t seed, double scale) {
  Lcg g{seed};
  std::vector<double> w(static_cast<std::size_t>(count));
  for (auto& v : w) v = (g.uniform() * 2 - 1) * scale;
  return w;
}

// ---------------------------------------------------------------- an independent objective
// Spark's objective written out with plain loops, from the weight layout (per layer W out×in
// column-major, then b), sigmoid hidden layers and softmax + cross-entropy on top: the rows cut
// into blocks of blockSize in order, (1/B) Σ_b (1/n_b) Σ_{i∈b} −log p_{y_i}(x_i).
double naiveObjective(const std::vector<std::int64_t>& layers, const std::vector<double>& w,
                      const Rows& x, const std::vector<double>& y, std::size_t blockSize) {
  const std::size_t n = x.size();
  const std::size_t B = (n + blockSize - 1) / blockSize;
  double total = 0.0;
  for (std::size_t b = 0; b < B; ++b) {
    const std::size_t r0 = b * blockSize, r1 = std::min(n, r0 + blockSize);
    double blockLoss = 0.0;
    for (std::size_t i = r0; i < r1; ++i) {
      std::vector<double> a = x[i];
      std::size_t off = 0;
      for (std::size_t l = 0; l + 1 < layers.size(); ++l) {
        const auto in = static_cast<std::size_t>(layers[l]);
        const auto out = static_cast<std::size_t>(layers[l + 1]);
        std::vector<double> z(out);
        for (std::size_t o = 0; o < out; ++o) {
          double s = w[off + in * out + o];
          for (std::size_t j = 0; j < in; ++j) s += w[off + o + j * out] * a[j];
          z[o] = s;
        }
        off += in * out + out;
        if (l + 2 < layers.size()) {
          for (auto& v : z) v = 1.0 / (1.0 + std::exp(-v));
          a = z;
        } else {
          double m = z[0];
          for (const double v : z) m = std::max(m, v);
          double s = 0.0;
          for (const double v : z) s += std::exp(v - m);
          blockLoss += -(z[static_cast<std::size_t>(y[i])] - m - std::log(s));
        }
      }
    }
    total += blockLoss / static_cast<double>(r1 - r0);
  }
  return total / static_cast<double>(B);
}

std::vector<double> finiteDifferenceGradient(const std::vector<std::int64_t>& layers,
                                             std::vector<double> w, const Rows& x,
                                             const std::vector<double>& y,
                                             std::size_t blockSize) {
  std::vector<double> g(w.size());
  for (std::size_t i = 0; i < w.size(); ++i) {
    const double h = 1e-5 * std::max(1.0, std::abs(w[i]));
    const double keep = w[i];
    w[i] = keep + h;
    const double fp = naiveObjective(layers, w, x, y, blockSize);
    w[i] = keep - h;
    const double fm = naiveObjective(layers, w, x, y, blockSize);
    w[i] = keep;
    g[i] = (fp - fm) / (2 * h);
  }
  return g;
}

// ‖a − b‖∞ / max(‖b‖∞, tiny).
double relativeMaxError(const std::vector<double>& a, const std::vector<double>& b) {
  double err = 0.0, scale = 1e-300;
  for (std::size_t i = 0; i < a.size(); ++i) {
    err = std::max(err, std::abs(a[i] - b[i]));
    scale = std::max(scale, std::abs(b[i]));
  }
  return err / scale;
}

// ---------------------------------------------------------------- the math (nn/)

// The layout: per layer W (out×in column-major) then b; Spark's initialisation law.
TEST(MlpTopologyTest, WeightLayoutAndInitialisationLaw) {
  const nn::MlpTopology t({4, 5, 4, 3});
  EXPECT_EQ(t.numWeights(), 4 * 5 + 5 + 5 * 4 + 4 + 4 * 3 + 3);
  EXPECT_EQ(t.offset(1), 25);
  EXPECT_EQ(t.offset(2), 49);
  const auto w = t.initialWeights(42);
  ASSERT_EQ(static_cast<std::int64_t>(w.size()), t.numWeights());
  for (std::int64_t l = 0; l < t.numAffine(); ++l) {
    const double bound =
        2.4 / std::sqrt(static_cast<double>(t.layers()[static_cast<std::size_t>(l)]));
    double largest = 0.0;
    for (std::int64_t i = t.offset(l); i < t.offset(l + 1); ++i) {
      EXPECT_GE(w[static_cast<std::size_t>(i)], -bound);
      EXPECT_LT(w[static_cast<std::size_t>(i)], bound);
      largest = std::max(largest, std::abs(w[static_cast<std::size_t>(i)]));
    }
    EXPECT_GT(largest, 0.8 * bound);  // the whole interval is used (not 2.4/in_l)
  }
  EXPECT_EQ(w, t.initialWeights(42));
  EXPECT_NE(w, t.initialWeights(43));
  EXPECT_THROW(nn::MlpTopology({3}), ParamError);
  EXPECT_THROW(nn::MlpTopology({3, 0}), ParamError);
}

// One forward pass against the plain-loop computation, for double and float.
TEST(MlpTopologyTest, ForwardGivesTheLogits) {
  const std::vector<std::int64_t> layers{3, 4, 2};
  const nn::MlpTopology t(layers);
  const auto w = randomWeights(t.numWeights(), 5, 0.8);
  const Rows x{{0.5, -1.0, 2.0}, {0.0, 0.25, -0.75}};
  nn::MlpWorkspace<double> ws(t, 2);
  nn::MlpWorkspace<float> wf(t, 2);
  std::vector<float> wflt(w.begin(), w.end());
  for (std::size_t i = 0; i < 2; ++i)
    for (std::size_t j = 0; j < 3; ++j) {
      ws.input()[i * 3 + j] = x[i][j];
      wf.input()[i * 3 + j] = static_cast<float>(x[i][j]);
    }
  const double* z = ws.forward(w.data(), 2);
  const float* zf = wf.forward(wflt.data(), 2);
  for (std::size_t i = 0; i < 2; ++i) {
    std::vector<double> h(4);
    for (std::size_t o = 0; o < 4; ++o) {
      double s = w[12 + o];
      for (std::size_t j = 0; j < 3; ++j) s += w[o + j * 4] * x[i][j];
      h[o] = 1.0 / (1.0 + std::exp(-s));
    }
    for (std::size_t o = 0; o < 2; ++o) {
      double s = w[16 + 8 + o];
      for (std::size_t j = 0; j < 4; ++j) s += w[16 + o + j * 2] * h[j];
      EXPECT_NEAR(z[i * 2 + o], s, 1e-14);
      EXPECT_NEAR(zf[i * 2 + o], s, 1e-5);
    }
  }
}

// lossAndGradient against central finite differences of the plain-loop objective, for nets of
// 2, 3 and 4 layers (one block: the batch mean).
TEST(MlpTopologyTest, GradientMatchesFiniteDifferences) {
  for (const auto& layers : std::vector<std::vector<std::int64_t>>{{3, 4}, {3, 5, 4}, {3, 6, 5, 3}}) {
    SCOPED_TRACE(layers.size());
    std::vector<double> y;
    const Rows x = synthetic(17, 3, static_cast<int>(layers.back()), 3, y);
    const nn::MlpTopology t(layers);
    const auto w = randomWeights(t.numWeights(), 9, 1.0);
    nn::MlpWorkspace<double> ws(t, 17);
    std::vector<std::int32_t> labels;
    for (std::size_t i = 0; i < x.size(); ++i) {
      labels.push_back(static_cast<std::int32_t>(y[i]));
      for (std::size_t j = 0; j < 3; ++j) ws.input()[i * 3 + j] = x[i][j];
    }
    std::vector<double> g(w.size(), 0.0);
    const double loss = ws.lossAndGradient(w.data(), labels.data(), 17, 1.0 / 17, g.data());
    EXPECT_NEAR(loss / 17, naiveObjective(layers, w, x, y, 17), 1e-13);
    const auto fd = finiteDifferenceGradient(layers, w, x, y, 17);
    EXPECT_LT(relativeMaxError(g, fd), 1e-6);
  }
}

// ---------------------------------------------------------------- the stage's objective

// The full objective (unequal blocks): objectiveHistory[0] is the plain-loop objective at the
// initial weights, and one gd step of stepSize 1 moves the weights by minus the gradient, which
// matches central finite differences of the plain-loop objective.
TEST(MultilayerPerceptronTest, ObjectiveAndGradientMatchAnIndependentComputation) {
  for (const auto& layers : std::vector<std::vector<std::int64_t>>{{4, 3}, {4, 5, 3}, {4, 6, 5, 3}}) {
    SCOPED_TRACE(layers.size());
    std::vector<double> y;
    const Rows x = synthetic(23, 4, 3, 17, y);
    const nn::MlpTopology t(layers);
    const auto w0 = randomWeights(t.numWeights(), 21, 0.7);
    MultilayerPerceptronClassifier mlp;
    mlp.setLayers(layers).setBlockSize(5).setInitialWeights(w0).setSolver("gd").setStepSize(1.0)
        .setMaxIter(1);
    const auto m = fitModel(mlp, makeFrame(y, x));
    ASSERT_EQ(m->summary().objectiveHistory.size(), 1u);
    EXPECT_NEAR(m->summary().objectiveHistory[0], naiveObjective(layers, w0, x, y, 5), 1e-13);
    std::vector<double> g(w0.size());
    for (std::size_t i = 0; i < g.size(); ++i) g[i] = w0[i] - m->weights()[i];
    EXPECT_LT(relativeMaxError(g, finiteDifferenceGradient(layers, w0, x, y, 5)), 1e-6);

    // L-BFGS with maxIter 0 keeps the initial weights and records f(w0).
    mlp.setSolver("l-bfgs").setMaxIter(0);
    const auto m0 = fitModel(mlp, makeFrame(y, x));
    EXPECT_EQ(m0->weights(), w0);
    ASSERT_EQ(m0->summary().objectiveHistory.size(), 1u);
    EXPECT_NEAR(m0->summary().objectiveHistory[0], naiveObjective(layers, w0, x, y, 5), 1e-13);
  }
}

// gd follows w ← w − stepSize·∇f(w) with Spark's history (the loss before each step) and stops
// by Spark's rule ‖w_k − w_{k−1}‖ < tol·max(‖w_k‖, 1).
TEST(MultilayerPerceptronTest, GradientDescentFollowsSparkSteps) {
  const std::vector<std::int64_t> layers{4, 5, 3};
  std::vector<double> y;
  const Rows x = synthetic(30, 4, 3, 4, y);
  const auto w0 = randomWeights(nn::MlpTopology(layers).numWeights(), 2, 0.5);
  MultilayerPerceptronClassifier mlp;
  mlp.setLayers(layers).setBlockSize(8).setInitialWeights(w0).setSolver("gd").setStepSize(0.5)
      .setMaxIter(3);
  const auto m3 = fitModel(mlp, makeFrame(y, x));
  mlp.setMaxIter(2);
  const auto m2 = fitModel(mlp, makeFrame(y, x));
  ASSERT_EQ(m3->summary().objectiveHistory.size(), 3u);
  EXPECT_EQ(m3->summary().totalIterations, 3);
  EXPECT_NEAR(m3->summary().objectiveHistory[2], naiveObjective(layers, m2->weights(), x, y, 8),
              1e-13);
  EXPECT_LT(m3->summary().objectiveHistory[2], m3->summary().objectiveHistory[0]);
  // A huge tol stops at the second iteration (the first comparison).
  mlp.setMaxIter(50).setTol(1e3);
  EXPECT_EQ(fitModel(mlp, makeFrame(y, x))->summary().totalIterations, 2);
}

// L-BFGS reaches a stationary point of the independent objective.
TEST(MultilayerPerceptronTest, LbfgsReachesAStationaryPoint) {
  const std::vector<std::int64_t> layers{4, 3, 3};
  std::vector<double> y;
  const Rows x = synthetic(40, 4, 3, 8, y);
  MultilayerPerceptronClassifier mlp;
  mlp.setLayers(layers).setBlockSize(16).setMaxIter(500).setTol(1e-12).setSeed(3);
  const auto m = fitModel(mlp, makeFrame(y, x));
  const auto& h = m->summary().objectiveHistory;
  ASSERT_GE(h.size(), 3u);
  for (std::size_t i = 1; i < h.size(); ++i) EXPECT_LE(h[i], h[i - 1] + 1e-15);
  EXPECT_NEAR(h.back(), naiveObjective(layers, m->weights(), x, y, 16), 1e-12);
  const auto g0 =
      finiteDifferenceGradient(layers, nn::MlpTopology(layers).initialWeights(3), x, y, 16);
  const auto g = finiteDifferenceGradient(layers, m->weights(), x, y, 16);
  double n0 = 0, n1 = 0;
  for (std::size_t i = 0; i < g.size(); ++i) {
    n0 += g0[i] * g0[i];
    n1 += g[i] * g[i];
  }
  EXPECT_LT(std::sqrt(n1), 1e-4 * std::sqrt(n0));
}

// ---------------------------------------------------------------- Spark's examples

// MultilayerPerceptronClassifierSuite "XOR function learning as binary classification problem
// with two outputs": layers [2, 5, 2], blockSize 1, seed 123, maxIter 100; predictions equal
// the labels.
TEST(MultilayerPerceptronTest, SparkSuiteXor) {
  const Frame f = makeFrame({0, 1, 1, 0}, {{0, 0}, {0, 1}, {1, 0}, {1, 1}});
  MultilayerPerceptronClassifier mlp;
  mlp.setLayers({2, 5, 2}).setBlockSize(1).setSeed(123).setMaxIter(100).setSolver("l-bfgs");
  const auto m = fitModel(mlp, f);
  EXPECT_EQ(doubles(m->transform(f), "prediction"), (std::vector<double>{0, 1, 1, 0}));
  EXPECT_EQ(m->numFeatures(), 2);
  EXPECT_EQ(m->numClasses(), 2);
  EXPECT_EQ(m->weights().size(), 2u * 5 + 5 + 5 * 2 + 2);
}

// MultilayerPerceptronClassifierSuite "Predicted class probabilities: calibration on toy
// dataset": layers [4, 5, 2], blockSize 1, seed 123, maxIter 100; probabilities within 1e-3
// of the expected ones (including 0.5/0.5 for the contradictory pair).
TEST(MultilayerPerceptronTest, SparkSuiteCalibrationOnToyDataset) {
  const Frame f = makeFrame({0, 1, 0, 1}, {{1, 2, 3, 4}, {4, 3, 2, 1}, {1, 1, 1, 1}, {1, 1, 1, 1}});
  MultilayerPerceptronClassifier mlp;
  mlp.setLayers({4, 5, 2}).setBlockSize(1).setSeed(123).setMaxIter(100);
  const auto m = fitModel(mlp, f);
  const auto p = flat(m->transform(f).col<VectorColumn>("probability"));
  const std::vector<double> expected{1, 0, 0, 1, 0.5, 0.5, 0.5, 0.5};
  for (std::size_t i = 0; i < p.size(); ++i) EXPECT_NEAR(p[i], expected[i], 1e-3) << i;
}

// MultilayerPerceptronClassifierSuite "Test setWeights by training restart": the same initial
// weights give the same fit.
TEST(MultilayerPerceptronTest, SparkSuiteTrainingRestartWithInitialWeights) {
  const Frame f = makeFrame({0, 1, 1, 0}, {{0, 0}, {0, 1}, {1, 0}, {1, 1}});
  MultilayerPerceptronClassifier mlp;
  mlp.setLayers({2, 5, 2}).setBlockSize(1).setSeed(12).setMaxIter(1).setTol(1e-6);
  const auto initial = fitModel(mlp, f)->weights();
  mlp.setInitialWeights(initial);
  const auto a = fitModel(mlp, f)->weights();
  const auto b = fitModel(mlp, f)->weights();
  EXPECT_EQ(a, b);
  EXPECT_NE(a, initial);
}

// Spark's documented example (docs/ml-classification-regression.md, "Multilayer perceptron
// classifier"): sample_multiclass_classification_data.txt split 60/40, layers [4, 5, 4, 3],
// blockSize 128, seed 1234, maxIter 100. Spark reports a test accuracy of about 0.9 (its split
// and random initial weights differ from ours, so the accuracy is checked, not the weights).
TEST(MultilayerPerceptronTest, SparkDocumentedExample) {
  const Frame data =
      readLibSvm(std::string(TD_TEST_DATA_DIR) + "/nb/sample_multiclass_classification_data.txt");
  const auto parts = data.randomSplit({0.6, 0.4}, 1234);
  MultilayerPerceptronClassifier mlp;
  mlp.setLayers({4, 5, 4, 3}).setBlockSize(128).setSeed(1234).setMaxIter(100);
  const auto m = fitModel(mlp, parts[0]);
  const Frame out = m->transform(parts[1]);
  const auto pred = doubles(out, "prediction");
  const auto label = out.numeric("label");
  double correct = 0;
  for (std::size_t i = 0; i < pred.size(); ++i) correct += pred[i] == label[i];
  const double accuracy = correct / static_cast<double>(pred.size());
  EXPECT_GE(accuracy, 0.9) << "test accuracy";
  // The probabilities are the softmax of rawPrediction; prediction their argmax.
  const auto raw = flat(out.col<VectorColumn>("rawPrediction"));
  const auto prob = flat(out.col<VectorColumn>("probability"));
  for (std::size_t i = 0; i < pred.size(); ++i) {
    double m0 = std::max({raw[3 * i], raw[3 * i + 1], raw[3 * i + 2]}), s = 0;
    for (int c = 0; c < 3; ++c) s += std::exp(raw[3 * i + c] - m0);
    std::size_t best = 0;
    for (std::size_t c = 0; c < 3; ++c) {
      EXPECT_NEAR(prob[3 * i + c], std::exp(raw[3 * i + c] - m0) / s, 1e-15);
      if (prob[3 * i + c] > prob[3 * i + best]) best = c;
    }
    EXPECT_EQ(pred[i], static_cast<double>(best));
  }
  // predictRaw / predictProbability of one row agree with the transform.
  const auto r = m->predictRaw(parts[1].col<VectorColumn>("features")[2]);
  EXPECT_EQ(r, std::vector<double>(raw.begin() + 6, raw.begin() + 9));
  const auto p = m->predictProbability(parts[1].col<VectorColumn>("features")[2]);
  for (std::size_t c = 0; c < 3; ++c) EXPECT_NEAR(p[c], prob[6 + c], 1e-15);
}

// ---------------------------------------------------------------- determinism

TEST(MultilayerPerceptronTest, DenseSparseAndThreadCountsGiveBitIdenticalFits) {
  std::vector<double> y;
  const Rows x = synthetic(3000, 20, 4, 13, y);
  const std::vector<std::int64_t> layers{20, 16, 8, 4};
  MultilayerPerceptronClassifier mlp;
  mlp.setLayers(layers).setMaxIter(15).setInitialWeights(
      randomWeights(nn::MlpTopology(layers).numWeights(), 77, 0.3));
  const Frame dense = makeFrame(y, x, false), sparse = makeFrame(y, x, true);
  std::shared_ptr<MultilayerPerceptronClassificationModel> one, four, sp;
  const tbb::global_control allow(tbb::global_control::max_allowed_parallelism, 4);
  tbb::task_arena(1).execute([&] { one = fitModel(mlp, dense); });
  tbb::task_arena(4).execute([&] { four = fitModel(mlp, dense); });
  tbb::task_arena(4).execute([&] { sp = fitModel(mlp, sparse); });
  EXPECT_EQ(one->weights(), four->weights());
  EXPECT_EQ(one->summary().objectiveHistory, four->summary().objectiveHistory);
  EXPECT_EQ(one->weights(), sp->weights());
  EXPECT_EQ(one->summary().objectiveHistory.size(), 16u);
  const Frame a = one->transform(dense), b = one->transform(sparse);
  EXPECT_EQ(flat(a.col<VectorColumn>("rawPrediction")), flat(b.col<VectorColumn>("rawPrediction")));
  EXPECT_EQ(flat(a.col<VectorColumn>("probability")), flat(b.col<VectorColumn>("probability")));
  EXPECT_EQ(doubles(a, "prediction"), doubles(b, "prediction"));
  // The gd solver too.
  mlp.setSolver("gd").setMaxIter(5);
  tbb::task_arena(1).execute([&] { one = fitModel(mlp, sparse); });
  tbb::task_arena(4).execute([&] { four = fitModel(mlp, dense); });
  EXPECT_EQ(one->weights(), four->weights());
}

// ---------------------------------------------------------------- thresholds, save/load

TEST(MultilayerPerceptronTest, ThresholdsPickArgmaxOfPOverT) {
  std::vector<double> y;
  const Rows x = synthetic(60, 4, 3, 5, y);
  MultilayerPerceptronClassifier mlp;
  mlp.setLayers({4, 3}).setMaxIter(20);
  auto m = fitModel(mlp, makeFrame(y, x));
  m->setThresholds({1.0, 0.0, 1.0});  // p/0 = Infinity: class 1 wins everywhere
  const auto pred = doubles(m->transform(makeFrame(y, x)), "prediction");
  for (const double p : pred) EXPECT_EQ(p, 1.0);
  m->setThresholds({0.5, 0.5});
  EXPECT_THROW((void)m->transform(makeFrame(y, x)), ParamError);
}

TEST(MultilayerPerceptronTest, SaveLoadRoundTrip) {
  std::vector<double> y;
  const Rows x = synthetic(50, 4, 3, 6, y);
  MultilayerPerceptronClassifier mlp;
  mlp.setLayers({4, 5, 3}).setMaxIter(30).setSolver("l-bfgs").setPredictionCol("p");
  const auto m = fitModel(mlp, makeFrame(y, x));
  const auto dir = std::filesystem::temp_directory_path() / "td_mlp_roundtrip";
  std::filesystem::remove_all(dir);
  saveStage(*m, dir.string());
  const auto back = loadStageAs<MultilayerPerceptronClassificationModel>(dir.string());
  std::filesystem::remove_all(dir);
  EXPECT_EQ(back->weights(), m->weights());
  EXPECT_EQ(back->layers(), (std::vector<std::int64_t>{4, 5, 3}));
  EXPECT_EQ(back->getPredictionCol(), "p");
  const Frame a = m->transform(makeFrame(y, x)), b = back->transform(makeFrame(y, x));
  EXPECT_EQ(flat(a.col<VectorColumn>("probability")), flat(b.col<VectorColumn>("probability")));
  EXPECT_EQ(doubles(a, "p"), doubles(b, "p"));
  // The estimator round-trips too (in memory), with its params.
  mlp.setInitialWeights(m->weights());
  const auto est = stageAs<MultilayerPerceptronClassifier>(
      deserializeStage(serializeStage(mlp), "memory:mlp"));
  EXPECT_EQ(est->getLayers(), (std::vector<std::int64_t>{4, 5, 3}));
  EXPECT_EQ(est->getInitialWeights(), m->weights());
  EXPECT_EQ(est->getSeed(), -763139545);
  // A model whose weights do not fit its layers is refused.
  EXPECT_THROW(MultilayerPerceptronClassificationModel("m", {4, 3}, {1.0, 2.0}), ParamError);
}

// ---------------------------------------------------------------- errors

void expectFitError(const MultilayerPerceptronClassifier& mlp, const Frame& f,
                    const std::vector<std::string>& parts) {
  try {
    (void)mlp.fit(f);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    for (const auto& p : parts) EXPECT_THAT(e.what(), HasSubstr(p));
  }
}

TEST(MultilayerPerceptronTest, BadInputIsANamedError) {
  MultilayerPerceptronClassifier mlp;
  const Frame f = makeFrame({0, 1, 2}, {{1, 2}, {0, 1}, {3, 4}});
  expectFitError(mlp, f, {"param 'layers' must be set"});
  mlp.setLayers({3, 3});
  expectFitError(mlp, f, {"features column 'features' has vectors of dimension 2 but layers[0] = 3"});
  mlp.setLayers({2, 2});
  expectFitError(mlp, f, {"label column 'label' has invalid value 2.0 at row 2",
                          "Labels MUST be in [0, 2)"});
  mlp.setLayers({2, 3});
  expectFitError(mlp, makeFrame({0, 1.5}, {{1, 2}, {0, 1}}),
                 {"label column 'label' has invalid value 1.5 at row 1", "Labels MUST be Integers"});
  expectFitError(mlp, makeFrame({0, -1}, {{1, 2}, {0, 1}}), {"invalid value -1.0 at row 1"});
  expectFitError(mlp, makeFrame({kNaN, 1}, {{1, 2}, {0, 1}}),
                 {"invalid value NaN at row 0", "Labels MUST NOT be Null or NaN"});
  for (bool sparse : {false, true})
    expectFitError(mlp, makeFrame({0, 1}, {{1, 2}, {0, kNaN}}, sparse),
                   {"features column 'features' has a non-finite value NaN at row 1 (feature "
                    "index 1)"});
  expectFitError(mlp, makeFrame({}, {}), {"dimension 0"});
  mlp.setInitialWeights({1, 2, 3});
  expectFitError(mlp, f, {"initialWeights has 3 values but layers [2, 3] need 9"});
  // The param checks.
  EXPECT_THROW(mlp.setLayers({3}), ParamError);
  EXPECT_THROW(mlp.setLayers({3, 0}), ParamError);
  EXPECT_THROW(mlp.set("solver", ParamValue("adam")), ParamError);
  EXPECT_THROW(mlp.setBlockSize(0), ParamError);
  EXPECT_THROW(mlp.setStepSize(0.0), ParamError);
  // Source lines.
  auto origins = std::make_shared<RowOrigins>();
  origins->sources = {"train.csv"};
  origins->line = {2, 3, 4};
  MultilayerPerceptronClassifier ok;
  ok.setLayers({2, 3});
  expectFitError(ok, makeFrame({0, 1, 2.5}, {{1, 2}, {0, 1}, {3, 4}}).withOrigins(origins),
                 {"train.csv:4: ", "label column 'label' has invalid value 2.5"});
  expectFitError(ok, makeFrame({0, 1, 2}, {{1, 2}, {0, kNaN}, {3, 4}}).withOrigins(origins),
                 {"train.csv:3: ", "non-finite value NaN"});
  // Wrong column types; the model's dimension check.
  const Frame wrongFeatures(
      {{"label", makeDoubleColumn({0, 1})}, {"features", makeDoubleColumn({1, 2})}});
  EXPECT_THROW((void)ok.fit(wrongFeatures), ColumnError);
  const auto m = fitModel(ok, makeFrame({0, 1, 2}, {{1, 2}, {0, 1}, {3, 4}}));
  EXPECT_THROW((void)m->transform(makeFrame({0}, {{1, 2, 3}})), DataError);
}

TEST(MultilayerPerceptronTest, Int64LabelsAreAccepted) {
  const Frame ints({{"label", makeInt64Column({0, 1, 1, 0})},
                    {"features", denseColumn({{0, 0}, {0, 1}, {1, 0}, {1, 1}}, 2)}});
  MultilayerPerceptronClassifier mlp;
  mlp.setLayers({2, 2}).setMaxIter(5);
  EXPECT_EQ(fitModel(mlp, ints)->numClasses(), 2);
}

}  // namespace
}  // namespace td
