// src/classification/multilayer_perceptron.cc
#include "thunderdome/classification/multilayer_perceptron.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "glm/stage_util.h"
#include "nn/mlp.h"
#include "thunderdome/core/error.h"
#include "thunderdome/core/parallel.h"
#include "thunderdome/optim/lbfgs.h"

// Spark 3.5's MultilayerPerceptronClassifier (ml/classification/MultilayerPerceptronClassifier
// .scala) over ml/ann (Layer.scala, LossFunction.scala): FeedForwardTrainer stacks the rows into
// blocks of blockSize (DataStacker), ANNGradient gives each block's mean cross-entropy and its
// gradient (AffineLayerModel.grad scales by 1/rows of the block), and mllib's LBFGS /
// GradientDescent average those over the blocks (numExamples = the number of blocks). The math
// is nn/mlp.h on Eigen GEMMs; the blocks run in parallel in fixed chunks added in chunk order,
// so the result is the same whatever the thread count.
namespace td {

namespace {

constexpr std::int64_t kCheckBlock = 8192;      // rows per block of the fit's row checks
constexpr std::int64_t kTransformBlock = 512;   // rows per block of transform()
constexpr std::int64_t kMaxChunks = 64;         // most chunks of blocks in one evaluation
constexpr double kChunkBudget = 512.0 * 1024 * 1024;  // bytes all chunks' buffers may take

using stage_util::num;
using stage_util::optionalString;
using stage_util::rowWhere;

Schema outputSchema(const Params& p, const Schema& input) {
  return stage_util::withOutputs(p, input,
                                 {{"rawPredictionCol", DataType::kVector},
                                  {"probabilityCol", DataType::kVector},
                                  {"predictionCol", DataType::kDouble}});
}

std::string layersText(const std::vector<std::int64_t>& layers) {
  return fmt::format("[{}]", fmt::join(layers, ", "));
}

// Writes rows [begin, end) of X as the columns of `dst` (dim × (end − begin), column-major).
void fillColumns(const VectorColumn& X, std::int64_t begin, std::int64_t end, std::int64_t dim,
                 double* dst) {
  for (std::int64_t i = begin; i < end; ++i) {
    double* col = dst + (i - begin) * dim;
    const VectorView x = X[i];
    if (x.isDense()) {
      std::copy(x.values, x.values + dim, col);
    } else {
      std::fill(col, col + dim, 0.0);
      for (std::int64_t k = 0; k < x.nnz; ++k) col[x.indices[k]] = x.values[k];
    }
  }
}

// Spark's argmax (the first index of the largest value).
std::int64_t argmax(const double* v, std::int64_t k) {
  std::int64_t best = 0;
  for (std::int64_t c = 1; c < k; ++c)
    if (v[c] > v[best]) best = c;
  return best;
}

// Spark's training objective over the stacked rows: (1/B) Σ_b (1/n_b) Σ_{i∈b} CE_i and its
// gradient. The B blocks are cut into fixed chunks (their number depends only on the data and
// the topology), each evaluated serially into its own sums; the chunks run in parallel and are
// added in chunk order.
class BlockObjective {
 public:
  BlockObjective(const nn::MlpTopology& topo, const VectorColumn& X,
                 const std::vector<std::int32_t>& labels, std::int64_t blockSize)
      : topo_(topo), X_(X), labels_(labels), n_(X.size()), blockSize_(std::min(blockSize, n_)) {
    numBlocks_ = parallel::numBlocks(n_, blockSize_);
    std::int64_t units = 0;
    for (const auto s : topo.layers()) units += s;
    const double chunkBytes =
        8.0 * (static_cast<double>(topo.numWeights()) + static_cast<double>(blockSize_ * units) * 2);
    const auto byBudget = static_cast<std::int64_t>(kChunkBudget / chunkBytes);
    const std::int64_t chunks = std::clamp<std::int64_t>(std::min(numBlocks_, byBudget), 1,
                                                         kMaxChunks);
    blocksPerChunk_ = (numBlocks_ + chunks - 1) / chunks;
    chunks_.resize(static_cast<std::size_t>(parallel::numBlocks(numBlocks_, blocksPerChunk_)));
  }

  [[nodiscard]] std::int64_t numBlocks() const { return numBlocks_; }

  double operator()(const double* w, double* grad) {
    const auto nw = static_cast<std::size_t>(topo_.numWeights());
    parallel::forBlocks(numBlocks_, blocksPerChunk_, [&](std::int64_t c, std::int64_t b0,
                                                         std::int64_t b1) {
      Chunk& ch = chunks_[static_cast<std::size_t>(c)];
      if (!ch.ws) ch.ws = std::make_unique<nn::MlpWorkspace<double>>(topo_, blockSize_);
      ch.grad.assign(nw, 0.0);
      ch.loss = 0.0;
      for (std::int64_t b = b0; b < b1; ++b) {
        const std::int64_t r0 = b * blockSize_;
        const std::int64_t r1 = std::min(n_, r0 + blockSize_);
        const std::int64_t rows = r1 - r0;
        fillColumns(X_, r0, r1, topo_.inputSize(), ch.ws->input());
        const double inv = 1.0 / static_cast<double>(rows);
        const double loss = ch.ws->lossAndGradient(
            w, labels_.data() + r0, rows, inv, ch.grad.data());
        ch.loss += loss / static_cast<double>(rows);
      }
    });
    double loss = 0.0;
    std::fill(grad, grad + nw, 0.0);
    for (const Chunk& ch : chunks_) {
      loss += ch.loss;
      for (std::size_t i = 0; i < nw; ++i) grad[i] += ch.grad[i];
    }
    const auto B = static_cast<double>(numBlocks_);
    for (std::size_t i = 0; i < nw; ++i) grad[i] /= B;
    return loss / B;
  }

 private:
  struct Chunk {
    std::unique_ptr<nn::MlpWorkspace<double>> ws;
    std::vector<double> grad;
    double loss = 0.0;
  };
  const nn::MlpTopology& topo_;
  const VectorColumn& X_;
  const std::vector<std::int32_t>& labels_;
  std::int64_t n_, blockSize_, numBlocks_ = 0, blocksPerChunk_ = 1;
  std::vector<Chunk> chunks_;
};

double norm2(const std::vector<double>& v) {
  double s = 0.0;
  for (const double x : v) s += x * x;
  return std::sqrt(s);
}

}  // namespace

// ---------------------------------------------------------------- MultilayerPerceptronClassifier
MultilayerPerceptronClassifier::MultilayerPerceptronClassifier()
    : MultilayerPerceptronClassifier(randomUid(kUidPrefix)) {}

MultilayerPerceptronClassifier::MultilayerPerceptronClassifier(std::string uid)
    : Estimator(std::move(uid), schema()) {}

Schema MultilayerPerceptronClassifier::transformSchema(const Schema& input) const {
  // As stage_util::requireFitColumns, without a weight column (Spark's MLP has none).
  input.requireType(describe(), getFeaturesCol(), DataType::kVector);
  stage_util::requireNumeric(input, describe(), "label", getLabelCol());
  return outputSchema(*this, input);
}

std::shared_ptr<Model> MultilayerPerceptronClassifier::fitImpl(const Frame& data,
                                                               const Context& /*ctx*/) const {
  const std::string who = describe();
  const std::string featuresCol = getFeaturesCol(), labelCol = getLabelCol();
  if (!isDefined(layers))
    throw ParamError(fmt::format(
        "{}: param 'layers' must be set: the layer sizes from the input layer (one unit per "
        "feature) to the output layer (one unit per class), e.g. [4, 5, 4, 3]",
        who));
  const std::vector<std::int64_t> sizes = getLayers();
  const nn::MlpTopology topo(sizes);
  const auto& X = data.col<VectorColumn>(featuresCol);
  const std::int64_t n = data.numRows();
  const std::int64_t d = X.dim();
  if (d != sizes.front())
    throw DataError(fmt::format(
        "{}: features column '{}' has vectors of dimension {} but layers[0] = {} (layers = {}); "
        "the input layer must have one unit per feature",
        who, featuresCol, d, sizes.front(), layersText(sizes)));
  if (n == 0)
    throw DataError(fmt::format(
        "{}: cannot fit on empty training data (features column '{}' has 0 rows)", who,
        featuresCol));
  const std::int64_t K = sizes.back();
  const auto Kd = static_cast<double>(K);
  const std::vector<double> y = data.numeric(labelCol);

  // ---- row checks (Spark's checkClassificationLabels with numClasses = layers.last, and
  // checkNonNanVectors), in parallel blocks; the first bad row in row order is reported.
  auto labelRule = [&](double v) -> std::string {
    if (std::isnan(v)) return "Labels MUST NOT be Null or NaN";
    if (v < 0.0 || v >= Kd)
      return fmt::format(
          "Labels MUST be in [0, {}): the last layer has {} units, one per class (layers = {})",
          K, K, layersText(sizes));
    if (v != std::floor(v)) return "Labels MUST be Integers";
    return "";
  };
  auto featureBad = [&](const VectorView& x) -> std::int64_t {
    for (std::int64_t k = 0; k < x.nnz; ++k)
      if (!std::isfinite(x.values[k])) return k;
    return -1;
  };
  std::vector<std::int32_t> labels(static_cast<std::size_t>(n));
  const std::int64_t bad = parallel::firstFailure(n, kCheckBlock, [&](std::int64_t i) {
    const double v = y[static_cast<std::size_t>(i)];
    if (!(v >= 0.0 && v < Kd && v == std::floor(v))) return false;
    if (featureBad(X[i]) >= 0) return false;
    labels[static_cast<std::size_t>(i)] = static_cast<std::int32_t>(v);
    return true;
  });
  if (bad >= 0) {
    const double v = y[static_cast<std::size_t>(bad)];
    const std::string rule = labelRule(v);
    if (!rule.empty()) stage_util::throwInvalidValue(data, bad, who, "label", labelCol, v, rule);
    const VectorView x = X[bad];
    const std::int64_t q = featureBad(x);
    const auto [at, atRow] = rowWhere(data, bad);
    throw DataError(fmt::format(
        "{}{}: features column '{}' has a non-finite value {}{} (feature index {}): Vector "
        "values MUST NOT be NaN or Infinity",
        at, who, featuresCol, num(x.values[q]), atRow, x.indices ? x.indices[q] : q));
  }

  // ---- the starting point: initialWeights, or Spark's random law from the seed.
  std::vector<double> w0;
  if (isDefined(initialWeights)) {
    w0 = getInitialWeights();
    if (static_cast<std::int64_t>(w0.size()) != topo.numWeights())
      throw ParamError(fmt::format(
          "{}: initialWeights has {} values but layers {} need {} (Spark: Expected weight "
          "vector of size {} but got size {}.)",
          who, w0.size(), layersText(sizes), topo.numWeights(), topo.numWeights(), w0.size()));
    for (std::size_t i = 0; i < w0.size(); ++i)
      if (!std::isfinite(w0[i]))
        throw ParamError(fmt::format("{}: initialWeights[{}] is {}; the weights must be finite",
                                     who, i, num(w0[i])));
  } else {
    w0 = topo.initialWeights(static_cast<std::uint64_t>(getSeed()));
  }

  BlockObjective objective(topo, X, labels, getBlockSize());
  MultilayerPerceptronTrainingSummary summary;
  std::vector<double> w;
  if (getSolver() == "l-bfgs") {
    optim::MinimizeOptions opts;
    opts.maxIter = getMaxIter();
    opts.tol = getTol();
    opts.compactHistory = false;  // Spark's Breeze keeps the history in double
    auto res = optim::minimize(
        [&](const double* x, double* g) { return objective(x, g); }, std::move(w0), opts);
    w = std::move(res.x);
    summary.objectiveHistory = std::move(res.objectiveHistory);
    summary.totalIterations = res.iterations;
  } else {
    // mllib GradientDescent.runMiniBatchSGD with miniBatchFraction 1 and ANNUpdater (a
    // constant step: w ← w − stepSize·∇f(w)); converged when ‖w_k − w_{k−1}‖ < tol·max(‖w_k‖,
    // 1), checked from the second iteration on.
    const double step = getStepSize(), tol = getTol();
    const std::int64_t maxIter = getMaxIter();
    w = std::move(w0);
    std::vector<double> g(w.size()), prev;
    for (std::int64_t it = 1; it <= maxIter; ++it) {
      const double loss = objective(w.data(), g.data());
      summary.objectiveHistory.push_back(loss);
      for (std::size_t i = 0; i < w.size(); ++i) w[i] += -step * g[i];
      ++summary.totalIterations;
      if (!prev.empty()) {
        double diff = 0.0;
        for (std::size_t i = 0; i < w.size(); ++i) diff += (prev[i] - w[i]) * (prev[i] - w[i]);
        if (std::sqrt(diff) < tol * std::max(norm2(w), 1.0)) break;
      }
      prev = w;
    }
  }

  auto model = std::make_shared<MultilayerPerceptronClassificationModel>(uid(), sizes,
                                                                         std::move(w));
  for (const auto& [name, value] : userValues()) model->set(name, value);
  model->setSummary(std::move(summary));
  return model;
}

// ---------------------------------------------------------------- the model
MultilayerPerceptronClassificationModel::MultilayerPerceptronClassificationModel(
    std::string uid, std::vector<std::int64_t> layerSizes, std::vector<double> weights)
    : Model(std::move(uid), schema()),
      layers_(std::move(layerSizes)),
      weights_(std::make_shared<const std::vector<double>>(std::move(weights))) {
  if (layers_.empty() && weights_->empty()) return;  // an empty model
  const nn::MlpTopology topo(layers_);
  if (static_cast<std::int64_t>(weights_->size()) != topo.numWeights())
    throw ParamError(fmt::format(
        "MultilayerPerceptronClassificationModel: layers {} need {} weights but {} were given "
        "(Spark: Expected weight vector of size {} but got size {}.)",
        layersText(layers_), topo.numWeights(), weights_->size(), topo.numWeights(),
        weights_->size()));
  set(EstimatorParams::layers, layers_);
}

MultilayerPerceptronClassificationModel::MultilayerPerceptronClassificationModel(std::string uid)
    : MultilayerPerceptronClassificationModel(std::move(uid), {}, {}) {}

std::vector<StateItem> MultilayerPerceptronClassificationModel::stateSummary() const {
  return {{"numLayers", "layers", static_cast<std::int64_t>(layers_.size())},
          {"numClasses", "numClasses", numClasses()},
          {"numFeatures", "numFeatures", numFeatures()},
          {"numWeights", "weights", static_cast<std::int64_t>(weights_->size())}};
}

void MultilayerPerceptronClassificationModel::saveState(StateWriter& out) const {
  out.putArray("weights", *weights_);
}

void MultilayerPerceptronClassificationModel::loadState(const StateReader& in) {
  auto w = in.getArray("weights");
  if (!isDefined(EstimatorParams::layers)) in.fail("the saved model has no 'layers' param");
  std::vector<std::int64_t> sizes = get(EstimatorParams::layers);
  const nn::MlpTopology topo(sizes);
  if (static_cast<std::int64_t>(w.size()) != topo.numWeights())
    in.fail(fmt::format("weights holds {} values but layers {} need {}", w.size(),
                        layersText(sizes), topo.numWeights()));
  layers_ = std::move(sizes);
  weights_ = std::make_shared<const std::vector<double>>(std::move(w));
}

Schema MultilayerPerceptronClassificationModel::transformSchema(const Schema& input) const {
  return outputSchema(*this, input);
}

std::vector<double> MultilayerPerceptronClassificationModel::predictRaw(const VectorView& x) const {
  stage_util::requireVectorDimension(describe(), x.size, numFeatures());
  const nn::MlpTopology topo(layers_);
  nn::MlpWorkspace<double> ws(topo, 1);
  std::fill(ws.input(), ws.input() + x.size, 0.0);
  x.forEach([&](std::int64_t j, double v) { ws.input()[j] = v; });
  const double* raw = ws.forward(weights_->data(), 1);
  return {raw, raw + numClasses()};
}

std::vector<double> MultilayerPerceptronClassificationModel::predictProbability(
    const VectorView& x) const {
  std::vector<double> p = predictRaw(x);
  nn::activate(nn::Activation::kSoftmax, p.data(), static_cast<std::int64_t>(p.size()), 1);
  return p;
}

Frame MultilayerPerceptronClassificationModel::transformImpl(const Frame& input,
                                                             const Context& /*ctx*/) const {
  const std::string who = describe();
  const std::string featuresCol = getFeaturesCol();
  const std::string rawCol = optionalString(*this, "rawPredictionCol");
  const std::string probCol = optionalString(*this, "probabilityCol");
  const std::string predCol = optionalString(*this, "predictionCol");
  if (layers_.empty())
    throw ParamError(fmt::format("{}: the model has no layers (an empty model)", who));
  const std::int64_t k = numClasses();
  const bool hasThresholds = isDefined(EstimatorParams::thresholds);
  const std::vector<double> thr = hasThresholds ? getThresholds() : std::vector<double>{};
  if (hasThresholds && static_cast<std::int64_t>(thr.size()) != k)
    throw ParamError(
        fmt::format("{}: transform() called with non-matching numClasses and thresholds.length. "
                    "numClasses={}, but thresholds has length {}",
                    who, k, thr.size()));
  const auto& X = input.col<VectorColumn>(featuresCol);
  stage_util::requireColumnDimension(who, featuresCol, X.dim(), numFeatures());
  const std::int64_t n = input.numRows();
  const auto nu = static_cast<std::size_t>(n);
  const auto ku = static_cast<std::size_t>(k);
  std::vector<double> raw(rawCol.empty() ? 0 : nu * ku);
  std::vector<double> prob(probCol.empty() ? 0 : nu * ku);
  std::vector<double> pred(predCol.empty() ? 0 : nu);
  const nn::MlpTopology topo(layers_);
  parallel::forBlocks(n, kTransformBlock, [&](std::int64_t, std::int64_t begin, std::int64_t end) {
    nn::MlpWorkspace<double> ws(topo, end - begin);
    fillColumns(X, begin, end, numFeatures(), ws.input());
    const double* logits = ws.forward(weights_->data(), end - begin);
    std::vector<double> p(ku);
    for (std::int64_t i = begin; i < end; ++i) {
      const auto iu = static_cast<std::size_t>(i);
      const double* r = logits + (i - begin) * k;
      if (!raw.empty()) std::copy(r, r + k, raw.data() + iu * ku);
      // Spark's ProbabilisticClassificationModel: probability = softmax(raw); prediction =
      // argmax of the probability (with thresholds: of p / t), or of raw when no probability
      // is asked for.
      double* pr = prob.empty() ? p.data() : prob.data() + iu * ku;
      if (!prob.empty() || hasThresholds) {
        std::copy(r, r + k, pr);
        nn::activate(nn::Activation::kSoftmax, pr, k, 1);
      }
      if (!pred.empty())
        pred[iu] = static_cast<double>(hasThresholds  ? stage_util::thresholdArgmax(pr, thr)
                                       : prob.empty() ? argmax(r, k)
                                                      : argmax(pr, k));
    }
  });
  Frame out = input;
  if (!rawCol.empty()) out = out.withColumn(rawCol, VectorColumn::dense(n, k, std::move(raw)));
  if (!probCol.empty()) out = out.withColumn(probCol, VectorColumn::dense(n, k, std::move(prob)));
  if (!predCol.empty())
    out = out.withColumn(predCol, std::make_shared<DoubleColumn>(std::move(pred)));
  return out;
}

}  // namespace td
