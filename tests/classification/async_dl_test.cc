// tests/classification/async_dl_test.cc — AsyncDL / AsyncDLModel and the nn pieces under it
// (nn/network.h, nn/optimizer.h): finite-difference gradients of every loss and activation,
// optimizer steps against hand-computed values (TensorFlow 1's update rules), hogwild / locked
// / sync training on 3-class blobs, sync determinism, early stopping, save/load, Pipeline and
// CrossValidator, errors; sync over 2 thread-ranks against one process.
#include "thunderdome/classification/async_dl.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <tbb/global_control.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <filesystem>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "nn/network.h"
#include "nn/optimizer.h"
#include "thunderdome/core/error.h"
#include "thunderdome/evaluation/multiclass_classification_evaluator.h"
#include "thunderdome/feature/one_hot_encoder.h"
#include "thunderdome/feature/vector_assembler.h"
#include "thunderdome/persist/persist.h"
#include "thunderdome/pipeline/pipeline.h"
#include "thunderdome/tuning/cross_validator.h"
#include "thunderdome/tuning/param_grid_builder.h"
#include "../testing/thread_communicator.h"
#include "thunderdome/dist/communicator.h"

namespace td {
namespace {

using ::testing::HasSubstr;

// A small deterministic generator (LCG + Box-Muller), independent of the library's.
struct Lcg {
  std::uint64_t s;
  double uniform() {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<double>(s >> 11) * 0x1.0p-53;
  }
  double normal() {
    const double u = uniform() + 1e-12, v = uniform();
    return std::sqrt(-2.0 * std::log(u)) * std::cos(6.283185307179586 * v);
  }
};

// 3 Gaussian blobs in 2-D (centres (0,0), (3,0), (0,3), sd 0.5), labels 0..2, in class order
// interleaved.
Frame blobs(int n, std::uint64_t seed, bool withColumns = false) {
  Lcg r{seed};
  const double cx[3] = {0, 3, 0}, cy[3] = {0, 0, 3};
  std::vector<double> x, a, b, y;
  for (int i = 0; i < n; ++i) {
    const int c = i % 3;
    const double u = cx[c] + 0.5 * r.normal(), v = cy[c] + 0.5 * r.normal();
    x.push_back(u);
    x.push_back(v);
    a.push_back(u);
    b.push_back(v);
    y.push_back(c);
  }
  if (withColumns)
    return Frame({{"a", makeDoubleColumn(a)}, {"b", makeDoubleColumn(b)}, {"label", makeDoubleColumn(y)}});
  return Frame({{"features", VectorColumn::dense(n, 2, x)}, {"label", makeDoubleColumn(y)}});
}

const char* kNet3 =
    R"([{"type": "dense", "units": 16, "activation": "relu"}, {"type": "dense", "units": 3, "activation": "softmax"}])";

AsyncDL blobLearner(const std::string& mode) {
  AsyncDL dl;
  dl.setInputCol("features").setLabelCol("label").setNetwork(kNet3).setMode(mode);
  dl.setIters(20).setPartitions(3).setMiniBatchSize(16).setLearningRate(0.01).setSeed(7);
  return dl;
}

double accuracy(const Frame& out, const std::string& pred = "predicted") {
  const auto p = out.col<DoubleColumn>(pred).values();
  const std::vector<double> y = out.numeric("label");
  double ok = 0;
  for (std::size_t i = 0; i < y.size(); ++i) ok += p[i] == y[i];
  return ok / static_cast<double>(y.size());
}

// ------------------------------------------------------------------ nn: gradients
struct GradCase {
  std::string hidden, top, loss;
  bool dropout;
};

class NetworkGradient : public ::testing::TestWithParam<GradCase> {};

TEST_P(NetworkGradient, MatchesFiniteDifferences) {
  const GradCase c = GetParam();
  std::string json = R"([{"type": "dense", "units": 5, "activation": ")" + c.hidden + R"("},)";
  if (c.dropout) json += R"({"type": "dropout", "rate": 0.3},)";
  json += R"({"type": "dense", "units": 3, "activation": ")" + c.top + R"("}])";
  const nn::Network net(nn::parseNetwork(json), 4, nn::lossFromName(c.loss));
  const std::int64_t n = 6;
  nn::NetworkWorkspace<double> ws(net, n);
  Lcg r{11};
  for (std::int64_t i = 0; i < 4 * n; ++i) ws.input()[i] = r.normal();
  for (std::int64_t j = 0; j < n; ++j)
    for (std::int64_t k = 0; k < 3; ++k) {
      double t = 0.0;
      if (c.loss == "softmax_cross_entropy") t = (k == j % 3) ? 1.0 : 0.0;
      else if (c.loss == "sigmoid_cross_entropy") t = r.uniform();
      else t = r.normal();
      ws.target()[j * 3 + k] = t;
    }
  std::vector<double> w(static_cast<std::size_t>(net.numWeights()));
  for (auto& v : w) v = 0.5 * r.normal();
  std::vector<double> g(w.size()), scratch(w.size());
  // The same dropout mask in every evaluation: a fresh generator of one seed.
  auto lossAt = [&](std::vector<double>& at, double* grad) {
    Rng rng(3);
    return ws.lossAndGradient(at.data(), n, grad, c.dropout ? &rng : nullptr);
  };
  const double f0 = lossAt(w, g.data());
  if (!c.dropout) {
    EXPECT_NEAR(ws.loss(w.data(), n), f0, 1e-12);
  }
  const double h = 1e-6;
  for (std::size_t i = 0; i < w.size(); ++i) {
    const double w0 = w[i];
    w[i] = w0 + h;
    const double fp = lossAt(w, scratch.data());
    w[i] = w0 - h;
    const double fm = lossAt(w, scratch.data());
    w[i] = w0;
    const double fd = (fp - fm) / (2 * h);
    EXPECT_NEAR(g[i], fd, 1e-6 + 1e-5 * std::abs(fd)) << "weight " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(
    LossesAndActivations, NetworkGradient,
    ::testing::Values(GradCase{"relu", "softmax", "softmax_cross_entropy", false},
                      GradCase{"sigmoid", "linear", "softmax_cross_entropy", false},
                      GradCase{"tanh", "softmax", "softmax_cross_entropy", true},
                      GradCase{"linear", "sigmoid", "sigmoid_cross_entropy", false},
                      GradCase{"relu", "linear", "sigmoid_cross_entropy", true},
                      GradCase{"tanh", "linear", "mse", false},
                      GradCase{"sigmoid", "tanh", "mse", false},
                      GradCase{"relu", "sigmoid", "mse", true},
                      GradCase{"linear", "relu", "mse", false}));

TEST(NetworkLoss, KnownValues) {
  // One row, logits (1, 2): softmax CE against class 1 = log(e + e²) − 2.
  const nn::Network net(nn::parseNetwork(R"([{"type": "dense", "units": 2, "activation": "softmax"}])"), 1,
                        nn::Loss::kSoftmaxCrossEntropy);
  nn::NetworkWorkspace<double> ws(net, 1);
  ws.input()[0] = 1.0;
  ws.target()[0] = 0.0;
  ws.target()[1] = 1.0;
  const std::vector<double> w{1.0, 2.0, 0.0, 0.0};  // W = (1, 2)ᵀ, b = 0
  EXPECT_NEAR(ws.loss(w.data(), 1), std::log(std::exp(1.0) + std::exp(2.0)) - 2.0, 1e-12);
  const double* p = ws.forward(w.data(), 1);
  EXPECT_NEAR(p[1], std::exp(2.0) / (std::exp(1.0) + std::exp(2.0)), 1e-12);
  // mse: mean over values of (a − y)²; sigmoid CE of logit 0 against 1 = log 2.
  const nn::Network lin(nn::parseNetwork(R"([{"type": "dense", "units": 2}])"), 1, nn::Loss::kMse);
  nn::NetworkWorkspace<double> wl(lin, 1);
  wl.input()[0] = 1.0;
  wl.target()[0] = 0.0;
  wl.target()[1] = 0.0;
  EXPECT_NEAR(wl.loss(w.data(), 1), (1.0 + 4.0) / 2.0, 1e-12);
  const nn::Network sig(nn::parseNetwork(R"([{"type": "dense", "units": 1, "activation": "sigmoid"}])"), 1,
                        nn::Loss::kSigmoidCrossEntropy);
  nn::NetworkWorkspace<double> wsg(sig, 1);
  wsg.input()[0] = 1.0;
  wsg.target()[0] = 1.0;
  const std::vector<double> w0{0.0, 0.0};
  EXPECT_NEAR(wsg.loss(w0.data(), 1), std::log(2.0), 1e-12);
}

// ------------------------------------------------------------------ nn: optimizers
// Two steps from w = 1 with gradients 0.5 then −1, lr 0.1 (adadelta lr 1), TensorFlow 1's
// defaults; expected values worked out by hand from TF's kernels (training_ops.cc).
double twoSteps(nn::OptimizerConfig c) {
  std::vector<std::vector<float>> slots;
  for (int s = 0; s < nn::numSlots(c); ++s) slots.emplace_back(1, nn::slotInit(c, s));
  std::vector<float*> ptrs;
  for (auto& s : slots) ptrs.push_back(s.data());
  float w = 1.0f;
  const float g[2] = {0.5f, -1.0f};
  for (int t = 1; t <= 2; ++t) nn::applyUpdate(c, &w, ptrs.data(), &g[t - 1], 0, 1, t, t == 2);
  return w;
}

TEST(Optimizers, TwoStepsMatchHandComputedValues) {
  // sgd: 1 − 0.05 + 0.1.
  EXPECT_NEAR(twoSteps(nn::optimizerFromName("sgd", 0.1)), 1.05, 1e-6);
  EXPECT_NEAR(twoSteps(nn::optimizerFromName("gradient_descent", 0.1)), 1.05, 1e-6);
  // momentum 0.9: accum 0.5 → w 0.95; accum 0.45 − 1 = −0.55 → w 1.005.
  EXPECT_NEAR(twoSteps(nn::optimizerFromName("momentum", 0.1)), 1.005, 1e-6);
  auto nesterov = nn::optimizerFromName("momentum", 0.1);
  nn::setOptimizerOption(nesterov, "use_nesterov", 1.0);
  // w −= lr·g + lr·μ·accum: 1 − 0.095 = 0.905, then + 0.1 + 0.0495 = 1.0545.
  EXPECT_NEAR(twoSteps(nesterov), 1.0545, 1e-6);
  // adam: step 1 moves by lr (bias-corrected m/√v = 1): 0.9; step 2: m = −0.055,
  // v = 0.00124975, lr_t = 0.1·√(1 − 0.999²)/(1 − 0.9²) → w = 0.9 + 0.0366104 = 0.9366104.
  EXPECT_NEAR(twoSteps(nn::optimizerFromName("adam", 0.1)), 0.9366104056, 1e-6);
  // rmsprop (ms starts at 1, decay 0.9): ms 0.925 → w 1 − 0.05/√0.925; ms 0.9325 →
  // w + 0.1/√0.9325 = 1.0515686.
  EXPECT_NEAR(twoSteps(nn::optimizerFromName("rmsprop", 0.1)), 1.0515685501, 1e-6);
  // adagrad (accumulator 0.1): 0.35 → w 1 − 0.05/√0.35; 1.35 → + 0.1/√1.35 = 1.0015509.
  EXPECT_NEAR(twoSteps(nn::optimizerFromName("adagrad", 0.1)), 1.0015508711, 1e-6);
  // adadelta (ρ 0.95, ε 1e-8, lr 1): u1 = √1e-8/√(0.0125 + 1e-8)·0.5, ...
  EXPECT_NEAR(twoSteps(nn::optimizerFromName("adadelta", 1.0)), 1.0001213217, 1e-6);
  // Options by TensorFlow's names; an option the optimizer does not take is an error.
  auto adam = nn::optimizerFromName("adam", 0.1);
  nn::setOptimizerOption(adam, "beta1", 0.5);
  EXPECT_EQ(adam.beta1, 0.5);
  EXPECT_THROW(nn::setOptimizerOption(adam, "rho", 0.5), ParamError);
  EXPECT_THROW((void)nn::optimizerFromName("adamw", 0.1), ParamError);
}

// ------------------------------------------------------------------ training
TEST(AsyncDL, Defaults) {
  AsyncDL dl;
  EXPECT_EQ(dl.getInputCol(), "transformed");
  EXPECT_EQ(dl.getPredictionCol(), "predicted");
  EXPECT_FALSE(dl.isDefined(AsyncDL::labelCol));
  EXPECT_EQ(dl.getOptimizer(), "adam");
  EXPECT_EQ(dl.getLearningRate(), 0.01);
  EXPECT_EQ(dl.getIters(), 1000);
  EXPECT_EQ(dl.getPartitions(), 5);
  EXPECT_EQ(dl.getMiniBatchSize(), 128);
  EXPECT_EQ(dl.getMiniStochasticIters(), -1);
  EXPECT_TRUE(dl.getShufflePerIter());
  EXPECT_FALSE(dl.getAcquireLock());
  EXPECT_EQ(dl.getMode(), "hogwild");
  EXPECT_EQ(dl.getLoss(), "softmax_cross_entropy");
  EXPECT_THROW(dl.setOptimizer("ftrl"), ParamError);
  EXPECT_THROW(dl.setMode("async"), ParamError);
}

TEST(AsyncDL, HogwildLockedAndSyncLearnBlobs) {
  const Frame train = blobs(300, 1), test = blobs(300, 2);
  for (const std::string mode : {"hogwild", "locked", "sync"}) {
    const auto m = stageAs<AsyncDLModel>(blobLearner(mode).fit(train));
    EXPECT_GE(accuracy(m->transform(test)), 0.95) << mode;
    // 3 workers × 100 rows / 16 = 7 batches, 20 iterations (sync: one push per step).
    EXPECT_EQ(m->summary().pushes, 7 * 20 * (mode == "sync" ? 1 : 3)) << mode;
  }
  // acquireLock selects the locked mode, miniStochasticIters random batches.
  AsyncDL dl = blobLearner("hogwild");
  dl.setAcquireLock(true).setMiniStochasticIters(2).setIters(60);
  const auto m = stageAs<AsyncDLModel>(dl.fit(train));
  EXPECT_EQ(m->summary().pushes, 60 * 2 * 3);
  EXPECT_GE(accuracy(m->transform(test)), 0.95);
}

TEST(AsyncDL, EveryOptimizerLearnsBlobs) {
  const Frame train = blobs(300, 1), test = blobs(150, 2);
  const std::vector<std::pair<std::string, double>> opts{
      {"sgd", 0.1}, {"momentum", 0.02}, {"rmsprop", 0.01}, {"adagrad", 0.1}, {"adadelta", 1.0}};
  for (const auto& [name, lr] : opts) {
    AsyncDL dl = blobLearner("sync");
    dl.setOptimizer(name).setLearningRate(lr);
    // Adadelta's first steps are tiny (√ε-sized): it needs more iterations.
    if (name == "adadelta") dl.setIters(200).setOptimizerOptions(R"({"epsilon": 1e-4})");
    EXPECT_GE(accuracy(dl.fit(train)->transform(test)), 0.95) << name;
  }
}

TEST(AsyncDL, SyncIsDeterministicWhateverTheThreads) {
  const Frame train = blobs(120, 3);
  AsyncDL dl = blobLearner("sync");
  dl.setIters(5).setNetwork(
      R"([{"type": "dense", "units": 8, "activation": "tanh"}, {"type": "dropout", "rate": 0.2}, {"type": "dense", "units": 3, "activation": "softmax"}])");
  const auto a = stageAs<AsyncDLModel>(dl.fit(train));
  const auto b = stageAs<AsyncDLModel>(dl.fit(train));
  std::shared_ptr<AsyncDLModel> c;
  {
    tbb::global_control one(tbb::global_control::max_allowed_parallelism, 1);
    c = stageAs<AsyncDLModel>(dl.fit(train));
  }
  EXPECT_EQ(a->weights(), b->weights());
  EXPECT_EQ(a->weights(), c->weights());
  dl.setSeed(8);
  EXPECT_NE(stageAs<AsyncDLModel>(dl.fit(train))->weights(), a->weights());
}

TEST(AsyncDL, EarlyStoppingStopsAndKeepsTheBestWeights) {
  // Pure-noise labels: a wide network overfits them and the validation loss rises.
  Lcg r{5};
  std::vector<double> x, y;
  const int n = 80;
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < 5; ++j) x.push_back(r.normal());
    y.push_back(r.uniform() < 0.5 ? 0.0 : 1.0);
  }
  const Frame f({{"features", VectorColumn::dense(n, 5, x)}, {"label", makeDoubleColumn(y)}});
  AsyncDL dl;
  dl.setInputCol("features").setLabelCol("label").setMode("sync").setPartitions(2);
  dl.setNetwork(
      R"([{"type": "dense", "units": 64, "activation": "relu"}, {"type": "dense", "units": 2, "activation": "softmax"}])");
  dl.setLearningRate(0.05).setMiniBatchSize(8).setIters(200).setValidationFraction(0.25);
  dl.setEarlyStopPatience(3);
  const auto a = stageAs<AsyncDLModel>(dl.fit(f));
  const auto& s = a->summary();
  ASSERT_LT(s.iterations, 200);
  EXPECT_EQ(s.iterations, s.bestIteration + 3);
  ASSERT_EQ(static_cast<std::int64_t>(s.validationLoss.size()), s.iterations);
  const auto bestAt = std::min_element(s.validationLoss.begin(), s.validationLoss.end());
  EXPECT_EQ(bestAt - s.validationLoss.begin() + 1, s.bestIteration);
  // The kept weights are those after the best iteration: a run stopped there has them.
  dl.setIters(s.bestIteration).setEarlyStopPatience(-1);
  const auto b = stageAs<AsyncDLModel>(dl.fit(f));
  EXPECT_EQ(b->summary().iterations, s.bestIteration);
  EXPECT_EQ(a->weights(), b->weights());
}

TEST(AsyncDL, AutoencoderWithoutLabels) {
  // 4-D rows on a 2-D subspace: a linear 4-2-4 autoencoder reconstructs them.
  Lcg r{9};
  std::vector<double> x;
  const int n = 200;
  double var = 0.0;
  for (int i = 0; i < n; ++i) {
    const double u = r.normal(), v = r.normal();
    const double row[4] = {u, v, u + v, u - v};
    for (double e : row) {
      x.push_back(e);
      var += e * e;
    }
  }
  var /= 4.0 * n;
  const Frame f({{"features", VectorColumn::dense(n, 4, x)}});
  AsyncDL dl;
  dl.setInputCol("features").setLoss("mse").setMode("sync").setPartitions(2).setIters(100);
  dl.setNetwork(R"([{"type": "dense", "units": 2}, {"type": "dense", "units": 4}])");
  dl.setMiniBatchSize(20).setLearningRate(0.02);
  const Frame out = dl.fit(f)->transform(f);
  const auto& p = out.col<VectorColumn>("predicted");
  ASSERT_EQ(p.dim(), 4);
  double err = 0.0;
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < 4; ++j) err += std::pow(p[i].at(j) - x[static_cast<std::size_t>(i * 4 + j)], 2);
  EXPECT_LT(err / (4.0 * n), 0.02 * var);
}

TEST(AsyncDL, SigmoidCrossEntropyPredictsProbability) {
  Frame f = blobs(150, 4);
  std::vector<double> y = f.numeric("label");
  for (auto& v : y) v = v == 1.0 ? 1.0 : 0.0;
  f = f.withColumn("label", makeDoubleColumn(y));
  AsyncDL dl = blobLearner("sync");
  dl.setLoss("sigmoid_cross_entropy").setNetwork(
      R"([{"type": "dense", "units": 8, "activation": "relu"}, {"type": "dense", "units": 1, "activation": "sigmoid"}])");
  const Frame out = dl.fit(f)->transform(f);
  const auto p = out.col<DoubleColumn>("predicted").values();
  double ok = 0;
  for (std::size_t i = 0; i < y.size(); ++i) {
    EXPECT_TRUE(p[i] > 0.0 && p[i] < 1.0);
    ok += (p[i] > 0.5) == (y[i] == 1.0);
  }
  EXPECT_GE(ok / static_cast<double>(y.size()), 0.95);
}

TEST(AsyncDL, SaveLoadRoundTrip) {
  const Frame train = blobs(150, 1);
  AsyncDL dl = blobLearner("sync");
  dl.setIters(5).setOptimizerOptions(R"({"beta1": 0.8})");
  const auto m = stageAs<AsyncDLModel>(dl.fit(train));
  const auto dir = std::filesystem::temp_directory_path() / "td_asyncdl_roundtrip";
  std::filesystem::remove_all(dir);
  saveStage(*m, dir.string());
  const auto back = loadStageAs<AsyncDLModel>(dir.string());
  std::filesystem::remove_all(dir);
  EXPECT_EQ(back->weights(), m->weights());
  EXPECT_EQ(back->inputWidth(), 2);
  EXPECT_EQ(back->get(AsyncDL::network), kNet3);
  // The training summary's counts travel with the model (5 iterations of 50 rows / 16 = 4
  // sync steps).
  EXPECT_EQ(back->summary().iterations, 5);
  EXPECT_EQ(back->summary().pushes, 5 * 4);
  const Frame out0 = m->transform(train), out1 = back->transform(train);  // (values() is a view)
  const auto p0 = out0.col<DoubleColumn>("predicted").values();
  const auto p1 = out1.col<DoubleColumn>("predicted").values();
  EXPECT_TRUE(std::equal(p0.begin(), p0.end(), p1.begin(), p1.end()));
  const auto o0 = m->predictOutput(train.col<VectorColumn>("features")[3]);
  EXPECT_EQ(o0, back->predictOutput(train.col<VectorColumn>("features")[3]));
  EXPECT_NEAR(o0[0] + o0[1] + o0[2], 1.0, 1e-6);
}

TEST(AsyncDL, PipelineWithAssemblerAndOneHotLabels) {
  // Sparkflow's MNIST example shape: VectorAssembler + OneHotEncoder(dropLast false) + the net
  // on the one-hot label vectors.
  const Frame train = blobs(300, 1, true), test = blobs(150, 2, true);
  auto va = std::make_shared<VectorAssembler>();
  va->setInputCols({"a", "b"}).setOutputCol("features");
  auto enc = std::make_shared<OneHotEncoder>();
  enc->setInputCol("label").setOutputCol("labels").setDropLast(false);
  auto dl = std::make_shared<AsyncDL>(blobLearner("hogwild"));
  dl->setLabelCol("labels");
  Pipeline p({va, enc, dl});
  const Frame out = p.fit(train)->transform(test);
  EXPECT_GE(accuracy(out), 0.95);
}

TEST(AsyncDL, CrossValidatorOverLearningRate) {
  const Frame train = blobs(150, 1);
  auto dl = std::make_shared<AsyncDL>(blobLearner("sync"));
  dl->setIters(8);
  auto ev = std::make_shared<MulticlassClassificationEvaluator>();
  ev->setPredictionCol("predicted").setMetricName("accuracy");
  const auto grid =
      ParamGridBuilder().addGrid(dl->param(AsyncDL::learningRate), {1e-5, 0.05}).build();
  CrossValidator cv;
  cv.setEstimator(dl).setEvaluator(ev).setEstimatorParamMaps(grid).setNumFolds(2);
  const auto model = stageAs<CrossValidatorModel>(cv.fit(train));
  ASSERT_EQ(model->avgMetrics().size(), 2u);
  EXPECT_GT(model->avgMetrics()[1], model->avgMetrics()[0]);
  EXPECT_GT(model->avgMetrics()[1], 0.9);
  const auto best = std::dynamic_pointer_cast<AsyncDLModel>(model->bestModel());
  ASSERT_NE(best, nullptr);
  EXPECT_EQ(best->get(AsyncDL::learningRate), 0.05);
}

// ------------------------------------------------------------------ errors
TEST(AsyncDL, BadNetworkNamesLayerAndValue) {
  const Frame f = blobs(30, 1);
  auto fitWith = [&](const std::string& net, const std::string& loss = "softmax_cross_entropy") {
    AsyncDL dl = blobLearner("sync");
    dl.setIters(1).setNetwork(net).setLoss(loss);
    (void)dl.fit(f);
  };
  auto message = [&](auto fn) -> std::string {
    try {
      fn();
    } catch (const ParamError& e) {
      return e.what();
    }
    return "no ParamError";
  };
  std::string m = message([&] {
    fitWith(R"([{"type": "dense", "units": 4, "activation": "relu"}, {"type": "dense", "units": 3, "activation": "relux"}])");
  });
  EXPECT_THAT(m, HasSubstr("network layer 1"));
  EXPECT_THAT(m, HasSubstr("unknown activation 'relux'"));
  m = message([&] { fitWith(R"([{"type": "conv", "units": 3}])"); });
  EXPECT_THAT(m, HasSubstr("network layer 0: unknown layer type 'conv'"));
  m = message([&] { fitWith(R"([{"type": "dense", "units": 3, "activation": "softmax"}])", "mse"); });
  EXPECT_THAT(m, HasSubstr("'softmax' is only supported on the last layer with loss softmax_cross_entropy"));
  m = message([&] { fitWith(R"([{"type": "dense", "units": 3, "activation": "tanh"}])"); });
  EXPECT_THAT(m, HasSubstr("needs a 'softmax'"));
  m = message([&] { fitWith("[{"); });
  EXPECT_THAT(m, HasSubstr("not valid JSON"));
  m = message([&] { fitWith(R"([{"type": "dropout", "rate": 1.5}])"); });
  EXPECT_THAT(m, HasSubstr("network layer 0: dropout rate 1.5"));
  EXPECT_THROW(AsyncDL().setLoss("hinge"), ParamError);
  // Unknown optimizer option; missing network; no label with a cross-entropy.
  m = message([&] {
    AsyncDL dl = blobLearner("sync");
    dl.setIters(1).setOptimizerOptions(R"({"momentum": 0.5})");
    (void)dl.fit(f);
  });
  EXPECT_THAT(m, HasSubstr("unknown option 'momentum'"));
  m = message([&] {
    AsyncDL dl;
    dl.setInputCol("features").setLabelCol("label");
    (void)dl.fit(f);
  });
  EXPECT_THAT(m, HasSubstr("param 'network' must be set"));
  m = message([&] {
    AsyncDL dl = blobLearner("sync");
    dl.clear(AsyncDL::labelCol);
    (void)dl.fit(f);
  });
  EXPECT_THAT(m, HasSubstr("needs a labelCol"));
}

TEST(AsyncDL, BadDataIsNamed) {
  auto dataMessage = [](const Frame& f, const std::string& net = kNet3) -> std::string {
    AsyncDL dl = blobLearner("sync");
    dl.setIters(1).setNetwork(net);
    try {
      (void)dl.fit(f);
    } catch (const DataError& e) {
      return e.what();
    }
    return "no DataError";
  };
  Frame f = blobs(30, 1);
  std::vector<double> y = f.numeric("label");
  y[4] = 3.0;
  std::string m = dataMessage(f.withColumn("label", makeDoubleColumn(y)));
  EXPECT_THAT(m, HasSubstr("label column 'label' has invalid value 3.0 at row 4"));
  EXPECT_THAT(m, HasSubstr("[0, 3)"));
  y[4] = 0.5;
  EXPECT_THAT(dataMessage(f.withColumn("label", makeDoubleColumn(y))), HasSubstr("integers"));
  y[4] = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THAT(dataMessage(f.withColumn("label", makeDoubleColumn(y))), HasSubstr("NaN"));
  std::vector<double> x(60, 1.0);
  x[13] = std::numeric_limits<double>::quiet_NaN();
  m = dataMessage(f.withColumn("features", VectorColumn::dense(30, 2, x)));
  EXPECT_THAT(m, HasSubstr("input column 'features' has a non-finite value NaN at row 6 (feature index 1)"));
  // A one-hot label column whose width is not the last layer's.
  std::vector<double> oh(30 * 4, 0.0);
  m = dataMessage(f.withColumn("label", VectorColumn::dense(30, 4, oh)));
  EXPECT_THAT(m, HasSubstr("label column 'label' has vectors of dimension 4 but the network's last layer has 3 units"));
}

// ------------------------------------------------------------------ ranks (data-parallel sync)
// Rows [r·n/R, (r+1)·n/R) of f: the contiguous shard of rank r.
Frame contiguousShard(const Frame& f, int r, int ranks) {
  std::vector<std::int64_t> rows;
  for (std::int64_t i = f.numRows() * r / ranks; i < f.numRows() * (r + 1) / ranks; ++i)
    rows.push_back(i);
  return f.take(rows);
}

Context rankContext(testing::ThreadCommunicator& comm) {
  Context ctx;
  ctx.comm = std::shared_ptr<dist::Communicator>(&comm, [](auto*) {});
  ctx.dataParallel = true;
  return ctx;
}

// Fits dl on `ranks` thread-ranks, rank r on shard(r); every rank's model.
std::vector<std::shared_ptr<AsyncDLModel>> fitRanks(const AsyncDL& dl, int ranks,
                                                    const std::function<Frame(int)>& shard) {
  std::vector<std::shared_ptr<AsyncDLModel>> models(static_cast<std::size_t>(ranks));
  testing::runRanks(ranks, [&](testing::ThreadCommunicator& comm) {
    models[static_cast<std::size_t>(comm.rank())] =
        stageAs<AsyncDLModel>(dl.fit(shard(comm.rank()), rankContext(comm)));
  });
  return models;
}

// max |a−b| / max |a|.
double relativeDifference(const std::vector<float>& a, const std::vector<float>& b) {
  double diff = 0.0, scale = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    diff = std::max(diff, std::abs(static_cast<double>(a[i]) - b[i]));
    scale = std::max(scale, std::abs(static_cast<double>(a[i])));
  }
  return diff / scale;
}

TEST(AsyncDLRanks, SyncOnTwoRanksEqualsOneProcessWithTheSameWorkers) {
  // 2 ranks × 2 workers (partitions 4 over all ranks) on contiguous halves = one process with
  // 4 workers: worker g gets the same rows, seed (shuffles, dropout masks) and batches, and the
  // step sums are exact doubles here, so the weights agree bit for bit; 1e-4 relative is the
  // promise (sums that are not exact may round differently).
  const Frame train = blobs(240, 11);
  for (const std::string opt : {"adam", "sgd"}) {
    SCOPED_TRACE(opt);
    AsyncDL dl = blobLearner("sync");
    dl.setPartitions(4).setIters(3).setMiniBatchSize(16).setOptimizer(opt).setNetwork(
        R"([{"type": "dense", "units": 8, "activation": "tanh"}, {"type": "dropout", "rate": 0.2}, {"type": "dense", "units": 3, "activation": "softmax"}])");
    const auto one = stageAs<AsyncDLModel>(dl.fit(train));
    const auto many = fitRanks(dl, 2, [&](int r) { return contiguousShard(train, r, 2); });
    for (const auto& m : many) {
      ASSERT_EQ(m->weights().size(), one->weights().size());
      EXPECT_LE(relativeDifference(one->weights(), m->weights()), 1e-4);
      EXPECT_EQ(m->weights(), one->weights());
      EXPECT_EQ(m->summary().pushes, one->summary().pushes);  // 60 rows / 16 = 4 steps × 3
      EXPECT_EQ(m->summary().pushes, 4 * 3);
    }
    // A different number of workers is a different fit (the test can tell them apart).
    dl.setPartitions(2);
    EXPECT_GT(relativeDifference(one->weights(), stageAs<AsyncDLModel>(dl.fit(train))->weights()),
              1e-3);
  }
}

TEST(AsyncDLRanks, FullBatchOnUnevenShardsEqualsOneProcess) {
  // miniBatchSize -1 (each worker's whole slice per step, no dropout): every step is the
  // gradient of all the rows whatever the split, so uneven shards (70 + 50 rows, 3 workers)
  // give the one-process weights to float rounding.
  const Frame train = blobs(120, 12);
  AsyncDL dl = blobLearner("sync");
  dl.setMiniBatchSize(-1).setIters(30).setLearningRate(0.05);
  const auto one = stageAs<AsyncDLModel>(dl.fit(train));
  const auto many = fitRanks(dl, 2, [&](int r) {
    std::vector<std::int64_t> rows;
    for (std::int64_t i = r == 0 ? 0 : 70; i < (r == 0 ? 70 : 120); ++i) rows.push_back(i);
    return train.take(rows);
  });
  EXPECT_LE(relativeDifference(one->weights(), many[0]->weights()), 1e-4);
  EXPECT_EQ(many[0]->weights(), many[1]->weights());
  EXPECT_EQ(many[0]->summary().pushes, 30);
}

TEST(AsyncDLRanks, ValidationLossAndEarlyStoppingAgreeOverRanks) {
  // Noise labels overfit by a wide network: early stopping fires; both ranks see the same
  // all-reduced validation losses, stop at the same iteration and keep the same weights.
  Lcg r{5};
  std::vector<double> x, y;
  const int n = 120;
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < 5; ++j) x.push_back(r.normal());
    y.push_back(r.uniform() < 0.5 ? 0.0 : 1.0);
  }
  const Frame f({{"features", VectorColumn::dense(n, 5, x)}, {"label", makeDoubleColumn(y)}});
  AsyncDL dl;
  dl.setInputCol("features").setLabelCol("label").setMode("sync").setPartitions(2);
  dl.setNetwork(
      R"([{"type": "dense", "units": 64, "activation": "relu"}, {"type": "dense", "units": 2, "activation": "softmax"}])");
  dl.setLearningRate(0.05).setMiniBatchSize(8).setIters(200).setValidationFraction(0.25);
  dl.setEarlyStopPatience(5);
  const auto many = fitRanks(dl, 2, [&](int k) { return contiguousShard(f, k, 2); });
  const auto& s0 = many[0]->summary();
  EXPECT_LT(s0.iterations, 200);
  EXPECT_EQ(s0.iterations, s0.bestIteration + 5);
  EXPECT_EQ(s0.validationLoss, many[1]->summary().validationLoss);
  EXPECT_EQ(s0.iterations, many[1]->summary().iterations);
  EXPECT_EQ(many[0]->weights(), many[1]->weights());
  // The kept weights are the best iteration's: their validation loss is the minimum.
  EXPECT_EQ(*std::min_element(s0.validationLoss.begin(), s0.validationLoss.end()),
            s0.validationLoss[static_cast<std::size_t>(s0.bestIteration - 1)]);
}

TEST(AsyncDLRanks, BadLabelOnOneRankStopsEveryRank) {
  const Frame train = blobs(60, 1);
  std::vector<double> y = train.numeric("label");
  y[45] = 7.0;  // in rank 1's half
  const Frame bad = train.withColumn("label", makeDoubleColumn(y));
  AsyncDL dl = blobLearner("sync");
  dl.setIters(2);
  std::vector<std::string> messages(2);
  testing::runRanks(2, [&](testing::ThreadCommunicator& comm) {
    try {
      (void)dl.fit(contiguousShard(bad, comm.rank(), 2), rankContext(comm));
    } catch (const dist::DistributedError& e) {
      messages[static_cast<std::size_t>(comm.rank())] = e.what();
    }
  });
  for (const auto& m : messages) {
    EXPECT_THAT(m, HasSubstr("rank 1 of 2: "));
    EXPECT_THAT(m, HasSubstr("label column 'label' has invalid value 7.0 at row 15"));
  }
}

TEST(AsyncDLRanks, HogwildAndLockedServeEveryRankFromRankZero) {
  // Across ranks the parameter server lives on rank 0; the other ranks' workers pull and push
  // through the communicator's service. Every worker's pushes arrive, the ranks end with rank
  // 0's weights, and the model learns as the one-process fit does.
  const Frame train = blobs(300, 1), test = blobs(300, 2);
  for (const std::string mode : {"hogwild", "locked"}) {
    AsyncDL dl = blobLearner(mode);
    EXPECT_TRUE(dl.supportsDataParallel()) << mode;
    std::vector<std::vector<float>> weights(3);
    std::vector<std::int64_t> pushes(3);
    std::shared_ptr<AsyncDLModel> model;
    testing::runRanks(3, [&](testing::ThreadCommunicator& comm) {
      const auto r = static_cast<std::size_t>(comm.rank());
      const Frame shard = contiguousShard(train, comm.rank(), 3);
      const auto m = stageAs<AsyncDLModel>(dl.fit(shard, rankContext(comm)));
      weights[r] = m->weights();
      pushes[r] = m->summary().pushes;
      if (r == 0) model = m;
    });
    // 3 workers (one per rank) × 100 rows / 16 = 7 batches, 20 iterations.
    for (std::size_t r = 0; r < 3; ++r) {
      EXPECT_EQ(pushes[r], 7 * 20 * 3) << mode << " rank " << r;
      EXPECT_EQ(weights[r], weights[0]) << mode << " rank " << r;
    }
    EXPECT_GE(accuracy(model->transform(test)), 0.95) << mode;
  }
}

TEST(AsyncDLRanks, TooFewPartitionsAreRefused) {
  const Frame train = blobs(60, 1);
  std::vector<std::string> messages(3);
  testing::runRanks(2, [&](testing::ThreadCommunicator& comm) {
    const auto r = static_cast<std::size_t>(comm.rank());
    const Frame shard = contiguousShard(train, comm.rank(), 2);
    for (const std::string mode : {"sync", "hogwild"}) {
      try {
        AsyncDL one = blobLearner(mode);
        one.setPartitions(1);
        (void)one.fit(shard, rankContext(comm));
      } catch (const ParamError& e) {
        if (r == 0) messages[mode == "sync" ? 0 : 1] = e.what();
      }
    }
  });
  EXPECT_THAT(messages[0], HasSubstr("partitions 1 is less than the 2 ranks"));
  EXPECT_THAT(messages[1], HasSubstr("partitions 1 is less than the 2 ranks"));
}

}  // namespace
}  // namespace td
