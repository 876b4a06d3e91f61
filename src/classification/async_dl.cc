// src/classification/async_dl.cc
#include "thunderdome/classification/async_dl.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <limits>
#include <mutex>
#include <nlohmann/json.hpp>
#include <shared_mutex>
#include <utility>

#include "glm/stage_util.h"
#include "nn/network.h"
#include "nn/optimizer.h"
#include "thunderdome/core/error.h"
#include "thunderdome/core/parallel.h"
#include "thunderdome/core/random.h"
#include "thunderdome/dist/communicator.h"

// Sparkflow's SparkAsyncDL (lifeomic/sparkflow: tensorflow_async.py, HogwildSparkModel.py) in
// one process: a parameter server object holds the weights and the optimizer's slots; each
// worker (a task on the shared TBB pool) owns a contiguous slice of the rows and, per
// iteration, pulls the weights, computes gradients on mini-batches (nn/network.h on Eigen
// GEMMs, float32) and pushes them; the server applies the optimizer (nn/optimizer.h).
//  - hogwild: pushes and pulls touch the shared arrays with relaxed atomic element accesses and
//    no lock (HOGWILD!: concurrent updates of one element may overwrite each other);
//  - locked: pulls under a shared lock, pushes under an exclusive one (Sparkflow's RW lock);
//  - sync: every step, each worker's gradient at the same weights, weighted by its rows and
//    summed in double in worker order, is applied once: the result depends only on the seed and
//    the number of partitions, not on the threads.
// Data-parallel (ctx.comm with several ranks, e.g. MPI ranks under mpirun): each rank holds a
// shard of the rows and runs workers P·r/R .. P·(r+1)/R−1 (seeded by their global index) over
// it. Hogwild and locked: the parameter server lives on rank 0; the other ranks' workers pull
// and push through the communicator's Service (messages answered by a thread of rank 0, no
// HTTP, no port), and after each iteration every rank takes rank 0's weights. Sync: the step's
// sums (Σ rows·gradient and Σ rows, in double) are all-reduced, so every rank applies the same
// update to the same weights. Each rank's sum is exact when the workers' values of one weight
// are within a factor ~2^20 of each other (a float times a row count has 24 + log2(rows) bits),
// and then the order of the additions (workers, ranks) does not change a bit.
// The workers of one iteration are tasks of parallel::forBlocks (no barrier inside an
// iteration, so fewer threads than workers only serialises them); the iteration ends when all
// are done, which is where the validation loss is measured.
namespace td {

namespace {

using stage_util::num;
using stage_util::rowWhere;

constexpr std::int64_t kEvalBlock = 1024;  // rows per block of validation and transform
constexpr std::int64_t kUpdateBlock = 16384;  // weights per block of a sync step's update

enum class Mode { kHogwild, kLocked, kSync };

nn::Network buildNetwork(const Params& p, const std::string& who, std::int64_t inputWidth) {
  try {
    return nn::Network(nn::parseNetwork(p.get(AsyncDL::network)), inputWidth,
                       nn::lossFromName(p.get(AsyncDL::loss)));
  } catch (const ParamError& e) {
    throw ParamError(fmt::format("{}: {}", who, e.what()));
  }
}

nn::OptimizerConfig buildOptimizer(const Params& p, const std::string& who) {
  nn::OptimizerConfig c = nn::optimizerFromName(p.get(AsyncDL::optimizer), p.get(AsyncDL::learningRate));
  if (!p.isDefined(AsyncDL::optimizerOptions)) return c;
  const std::string text = p.get(AsyncDL::optimizerOptions);
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw ParamError(fmt::format("{}: optimizerOptions is not valid JSON ({})", who, e.what()));
  }
  if (!j.is_object())
    throw ParamError(fmt::format("{}: optimizerOptions must be a JSON object, got {}", who, text));
  for (const auto& [key, v] : j.items()) {
    double value = 0.0;
    if (v.is_boolean()) value = v.get<bool>() ? 1.0 : 0.0;
    else if (v.is_number()) value = v.get<double>();
    else throw ParamError(fmt::format("{}: optimizerOptions '{}' must be a number", who, key));
    try {
      nn::setOptimizerOption(c, key, value);
    } catch (const ParamError& e) {
      throw ParamError(fmt::format("{}: {} ({})", who, e.what(), p.get(AsyncDL::optimizer)));
    }
  }
  if (!(c.learningRate > 0.0))
    throw ParamError(fmt::format("{}: optimizerOptions learning_rate must be > 0", who));
  return c;
}

// The type of the prediction column: the class index for softmax cross-entropy, else the
// output value (one output) or vector.
DataType predictionType(const nn::Network& net) {
  return net.loss() == nn::Loss::kSoftmaxCrossEntropy || net.outputWidth() == 1
             ? DataType::kDouble
             : DataType::kVector;
}

// The last dense layer's width from the network param (for schemas before the input width is
// known).
std::int64_t outputUnits(const Params& p, const std::string& who) {
  try {
    const auto layers = nn::parseNetwork(p.get(AsyncDL::network));
    return layers.back().units;
  } catch (const ParamError& e) {
    throw ParamError(fmt::format("{}: {}", who, e.what()));
  }
}

Schema outputSchema(const Params& p, const Schema& input, const std::string& who) {
  const std::string inputCol = p.get(AsyncDL::inputCol);
  input.requireType(who, inputCol, DataType::kVector);
  const std::string pred = p.get(AsyncDL::predictionCol);
  if (pred.empty()) return input;
  input.requireAbsent(who, pred);
  const bool classIndex =
      p.get(AsyncDL::loss) == "softmax_cross_entropy" || outputUnits(p, who) == 1;
  return input.with({pred, classIndex ? DataType::kDouble : DataType::kVector});
}

// Copies row `r` of the column-major d×n matrix `src` into column `c` of `dst`.
inline void copyColumn(const float* src, std::int64_t d, std::int64_t r, float* dst,
                       std::int64_t c) {
  std::copy(src + r * d, src + (r + 1) * d, dst + c * d);
}

// The training rows as float matrices: features d×n, targets k×n (one-hot class indices,
// label vectors, or the features for an autoencoder).
struct Data {
  std::int64_t d = 0, k = 0, n = 0;
  std::vector<float> X, Y;
  const float* targets() const { return Y.empty() ? X.data() : Y.data(); }
};

// Fills the workspace's input and target columns with the rows idx[0..b).
void fillBatch(const Data& data, const std::int64_t* idx, std::int64_t b,
               nn::NetworkWorkspace<float>& ws) {
  const float* T = data.targets();
  for (std::int64_t c = 0; c < b; ++c) {
    copyColumn(data.X.data(), data.d, idx[c], ws.input(), c);
    copyColumn(T, data.k, idx[c], ws.target(), c);
  }
}

// What a worker talks to: the parameter server itself, or (ranks other than 0 of a
// data-parallel fit) its proxy over the communicator.
class ServerApi {
 public:
  virtual ~ServerApi() = default;
  // A copy of the weights into dst.
  virtual void pull(float* dst) = 0;
  // Applies one gradient with the optimizer.
  virtual void push(const float* g) = 0;
  // push(g), then pull(dst) (one round trip to a remote server).
  virtual void pushPull(const float* g, float* dst) = 0;
};

// The parameter server: the weights and the optimizer's slots.
class ParameterServer final : public ServerApi {
 public:
  ParameterServer(std::vector<float> w0, nn::OptimizerConfig cfg, Mode mode)
      : w_(std::move(w0)), cfg_(cfg), mode_(mode) {
    for (int s = 0; s < nn::numSlots(cfg_); ++s)
      slots_.emplace_back(w_.size(), nn::slotInit(cfg_, s));
    for (auto& s : slots_) slotPtrs_.push_back(s.data());
  }

  void pull(float* dst) override {
    const auto n = static_cast<std::int64_t>(w_.size());
    if (mode_ == Mode::kHogwild) {
      for (std::int64_t i = 0; i < n; ++i)
        dst[i] = std::atomic_ref<float>(w_[static_cast<std::size_t>(i)]).load(std::memory_order_relaxed);
    } else if (mode_ == Mode::kLocked) {
      std::shared_lock lock(mu_);
      std::copy(w_.begin(), w_.end(), dst);
    } else {
      std::copy(w_.begin(), w_.end(), dst);
    }
  }

  void push(const float* g) override {
    const auto n = static_cast<std::int64_t>(w_.size());
    if (mode_ == Mode::kLocked) {
      std::unique_lock lock(mu_);
      const std::int64_t t = step_.fetch_add(1, std::memory_order_relaxed) + 1;
      nn::applyUpdate(cfg_, w_.data(), slotPtrs_.data(), g, 0, n, t, false);
    } else {
      const std::int64_t t = step_.fetch_add(1, std::memory_order_relaxed) + 1;
      nn::applyUpdate(cfg_, w_.data(), slotPtrs_.data(), g, 0, n, t, mode_ == Mode::kHogwild);
    }
  }

  void pushPull(const float* g, float* dst) override {
    push(g);
    pull(dst);
  }

  // Ranks other than 0, between iterations: rank 0's weights and count of pushes.
  void assign(const float* w, std::int64_t pushes) {
    std::copy(w, w + w_.size(), w_.begin());
    step_.store(pushes);
  }

  // Sync mode: the step count of the next update (adam's t), then its parts applied by
  // update() over disjoint ranges of the weights, in parallel.
  std::int64_t nextStep() { return step_.fetch_add(1, std::memory_order_relaxed) + 1; }
  void update(const float* g, std::int64_t begin, std::int64_t end, std::int64_t t) {
    nn::applyUpdate(cfg_, w_.data(), slotPtrs_.data(), g, begin, end, t, false);
  }

  // Between iterations (no worker running): the weights themselves.
  [[nodiscard]] const std::vector<float>& weights() const { return w_; }
  [[nodiscard]] std::int64_t pushes() const { return step_.load(); }

 private:
  std::vector<float> w_;
  std::vector<std::vector<float>> slots_;
  std::vector<float*> slotPtrs_;
  nn::OptimizerConfig cfg_;
  Mode mode_;
  std::atomic<std::int64_t> step_{0};
  std::shared_mutex mu_;
};

// Rank 0's parameter server as seen from another rank of a data-parallel fit (hogwild,
// locked): every pull and push is a call of the communicator's service, which rank 0 answers
// on its server thread (request: a gradient or nothing; reply: the weights after it).
class RemoteServer final : public ServerApi {
 public:
  RemoteServer(dist::Service& service, std::size_t numWeights)
      : service_(&service), bytes_(numWeights * sizeof(float)), scratch_(numWeights) {}
  void pull(float* dst) override { service_->call({}, {reinterpret_cast<std::byte*>(dst), bytes_}); }
  void push(const float* g) override {
    std::lock_guard lock(mu_);  // one scratch reply for the threads of this rank
    pushPull(g, scratch_.data());
  }
  void pushPull(const float* g, float* dst) override {
    service_->call({reinterpret_cast<const std::byte*>(g), bytes_},
                   {reinterpret_cast<std::byte*>(dst), bytes_});
  }

 private:
  dist::Service* service_;
  std::size_t bytes_;
  std::vector<float> scratch_;
  std::mutex mu_;
};

struct Schedule {
  std::int64_t miniBatch = 128;   // -1: whole partition
  std::int64_t stochastic = -1;   // >= 1: random batches per iteration
  bool shuffle = true;
};

// One worker: its rows, its random stream (shuffles, sampling, dropout), its buffers.
class Worker {
 public:
  Worker(const nn::Network& net, std::vector<std::int64_t> rows, std::uint64_t seed,
         const Schedule& s)
      : rows_(std::move(rows)), rng_(seed), sched_(s) {
    const auto n = static_cast<std::int64_t>(rows_.size());
    batch_ = s.miniBatch < 1 ? n : std::min(s.miniBatch, n);
    ws_ = std::make_unique<nn::NetworkWorkspace<float>>(net, batch_);
    w_.resize(static_cast<std::size_t>(net.numWeights()));
    g_.resize(w_.size());
  }

  // The batches of one iteration (row indices, consecutive runs of rows_ order): shuffles,
  // samples; returned as (start, size) into order_.
  std::vector<std::pair<std::int64_t, std::int64_t>> plan() {
    const auto n = static_cast<std::int64_t>(rows_.size());
    std::vector<std::pair<std::int64_t, std::int64_t>> out;
    if (sched_.stochastic >= 1) {
      // miniStochasticIters random batches, each sampled without replacement.
      order_.clear();
      for (std::int64_t s = 0; s < sched_.stochastic; ++s) {
        for (std::int64_t i = 0; i < batch_; ++i) {
          const auto j = i + static_cast<std::int64_t>(rng_.below(static_cast<std::uint64_t>(n - i)));
          std::swap(rows_[static_cast<std::size_t>(i)], rows_[static_cast<std::size_t>(j)]);
        }
        out.emplace_back(static_cast<std::int64_t>(order_.size()), batch_);
        order_.insert(order_.end(), rows_.begin(), rows_.begin() + batch_);
      }
      return out;
    }
    if (sched_.shuffle) {
      for (std::int64_t i = n - 1; i > 0; --i) {
        const auto j = static_cast<std::int64_t>(rng_.below(static_cast<std::uint64_t>(i + 1)));
        std::swap(rows_[static_cast<std::size_t>(i)], rows_[static_cast<std::size_t>(j)]);
      }
    }
    order_ = rows_;
    for (std::int64_t r = 0; r < n; r += batch_) out.emplace_back(r, std::min(batch_, n - r));
    return out;
  }

  // The mean loss's gradient at weights w over one planned batch, into g().
  double gradient(const Data& data, const float* w, std::pair<std::int64_t, std::int64_t> b) {
    fillBatch(data, order_.data() + b.first, b.second, *ws_);
    return ws_->lossAndGradient(w, b.second, g_.data(), &rng_);
  }

  // One asynchronous iteration (hogwild, locked): Sparkflow's handle_model loop body.
  void iterate(const Data& data, ServerApi& server) {
    const auto batches = plan();
    server.pull(w_.data());
    for (std::size_t k = 0; k < batches.size(); ++k) {
      gradient(data, w_.data(), batches[k]);
      // Stochastic batches use the weights pulled once; sequential batches re-pull after each
      // push.
      if (sched_.stochastic < 1 && k + 1 < batches.size())
        server.pushPull(g_.data(), w_.data());
      else
        server.push(g_.data());
    }
  }

  [[nodiscard]] std::vector<float>& g() { return g_; }

 private:
  std::vector<std::int64_t> rows_, order_;
  Rng rng_;
  Schedule sched_;
  std::int64_t batch_ = 1;
  std::unique_ptr<nn::NetworkWorkspace<float>> ws_;
  std::vector<float> w_, g_;
};

// The summed loss of the rows `rows` at weights w (blocks summed in block order).
double sumLoss(const nn::Network& net, const Data& data, const std::vector<std::int64_t>& rows,
               const float* w) {
  const auto n = static_cast<std::int64_t>(rows.size());
  if (n == 0) return 0.0;
  return parallel::sumBlocks(n, kEvalBlock, [&](std::int64_t b0, std::int64_t b1) {
    nn::NetworkWorkspace<float> ws(net, b1 - b0);
    fillBatch(data, rows.data() + b0, b1 - b0, ws);
    return ws.loss(w, b1 - b0) * static_cast<double>(b1 - b0);
  });
}

Mode modeOf(const AsyncDL& dl) {
  const std::string name = dl.getMode();
  return dl.getAcquireLock() && name == "hogwild" ? Mode::kLocked
         : name == "sync"                         ? Mode::kSync
         : name == "locked"                       ? Mode::kLocked
                                                  : Mode::kHogwild;
}

std::uint64_t mixSeed(std::uint64_t seed, std::uint64_t k) {
  Rng r(seed ^ (0x9E3779B97F4A7C15ULL * (k + 1)));
  return r.next();
}

}  // namespace

// ---------------------------------------------------------------- AsyncDL
AsyncDL::AsyncDL() : AsyncDL(randomUid(kUidPrefix)) {}

AsyncDL::AsyncDL(std::string uid) : Estimator(std::move(uid), schema()) {}

Schema AsyncDL::transformSchema(const Schema& input) const {
  const std::string who = describe();
  if (isDefined(labelCol)) {
    const std::string label = getLabelCol();
    if (!input.contains(label) || input.field(label).type != DataType::kVector)
      stage_util::requireNumeric(input, who, "label", label);
  } else if (getLoss() != "mse") {
    throw ParamError(fmt::format(
        "{}: loss {} needs a labelCol; only mse trains without labels (an autoencoder)", who,
        getLoss()));
  }
  return outputSchema(*this, input, who);
}

bool AsyncDL::supportsDataParallel() const { return true; }

std::shared_ptr<Model> AsyncDL::fitImpl(const Frame& frame, const Context& ctx) const {
  const std::string who = describe();
  // Data-parallel over several ranks: `frame` is this rank's shard. Every check below that
  // depends only on params fails alike on every rank; checks of the rows are agreed on.
  dist::Communicator* comm =
      ctx.isDataParallel() && ctx.comm->size() > 1 ? ctx.comm.get() : nullptr;
  const int ranks = comm ? comm->size() : 1, rank = comm ? comm->rank() : 0;
  const Mode mode = modeOf(*this);
  if (comm && getPartitions() < ranks)
    throw ParamError(fmt::format(
        "{}: partitions {} is less than the {} ranks of the data-parallel fit; partitions counts "
        "the workers over all ranks and every rank needs one",
        who, getPartitions(), ranks));
  if (!isDefined(network))
    throw ParamError(fmt::format(
        "{}: param 'network' must be set: a JSON array of layers, e.g. [{{\"type\": \"dense\", "
        "\"units\": 64, \"activation\": \"relu\"}}, {{\"type\": \"dense\", \"units\": 10, "
        "\"activation\": \"softmax\"}}]",
        who));
  const std::string inputCol = getInputCol();
  const auto& X = frame.col<VectorColumn>(inputCol);
  const std::int64_t n = frame.numRows();
  std::int64_t d = X.dim();
  if (comm) {
    // The ranks' row count and the dimension of the non-empty shards (empty ones take it).
    const double inf = std::numeric_limits<double>::infinity();
    const double dn = static_cast<double>(d);
    double dims[2] = {n > 0 ? dn : -inf, n > 0 ? -dn : -inf};
    comm->allreduceMax(dims);
    double rows = static_cast<double>(n);
    comm->allreduceSum({&rows, 1});
    if (rows == 0.0)
      throw DataError(fmt::format(
          "{}: cannot fit on empty training data (input column '{}' has 0 rows on all {} ranks)",
          who, inputCol, ranks));
    if (dims[0] != -dims[1])
      throw DataError(fmt::format(
          "{}: data-parallel ranks disagree on the dimension of input column '{}': between {} and "
          "{} over the ranks",
          who, inputCol, -dims[1], dims[0]));
    d = static_cast<std::int64_t>(dims[0]);
  } else if (n == 0) {
    throw DataError(fmt::format("{}: cannot fit on empty training data (input column '{}' has 0 rows)",
                                who, inputCol));
  }
  const nn::Network net = buildNetwork(*this, who, d);
  const nn::OptimizerConfig opt = buildOptimizer(*this, who);
  const std::int64_t K = net.outputWidth();
  const nn::Loss lossKind = net.loss();
  const std::string lossName(nn::toString(lossKind));

  Data data;
  data.d = d;
  data.k = K;
  data.n = n;
  data.X.resize(static_cast<std::size_t>(d * n));
  // The rows' checks: one rank's bad row stops every rank with that rank's message.
  auto loadRows = [&] {
    // ---- features: finite, as float columns.
    const std::int64_t badX = parallel::firstFailure(n, 4096, [&](std::int64_t i) {
      float* col = data.X.data() + i * d;
      std::fill(col, col + d, 0.0f);
      const VectorView x = X[i];
      bool ok = true;
      x.forEach([&](std::int64_t j, double v) {
        if (!std::isfinite(v)) ok = false;
        col[j] = static_cast<float>(v);
      });
      return ok;
    });
    if (badX >= 0) {
      const VectorView x = X[badX];
      std::int64_t q = -1;
      double bad = 0.0;
      x.forEach([&](std::int64_t j, double v) {
        if (q < 0 && !std::isfinite(v)) {
          q = j;
          bad = v;
        }
      });
      const auto [at, atRow] = rowWhere(frame, badX);
      throw DataError(fmt::format(
          "{}{}: input column '{}' has a non-finite value {}{} (feature index {}): feature values "
          "must be finite",
          at, who, inputCol, num(bad), atRow, q));
    }
    // ---- targets.
    if (!isDefined(labelCol)) {
      if (lossKind != nn::Loss::kMse)
        throw ParamError(fmt::format(
            "{}: loss {} needs a labelCol; only mse trains without labels (an autoencoder)", who,
            lossName));
      if (K != d)
        throw ParamError(fmt::format(
            "{}: without labelCol (an autoencoder) the last layer must have as many units as the "
            "input column '{}' has features: {} units, {} features",
            who, inputCol, K, d));
    } else {
      const std::string labelCol = getLabelCol();
      data.Y.assign(static_cast<std::size_t>(K * n), 0.0f);
      const bool vectorLabel = frame.schema().contains(labelCol) &&
                               frame.schema().field(labelCol).type == DataType::kVector;
      if (vectorLabel) {
        const auto& Ycol = frame.col<VectorColumn>(labelCol);
        if (n > 0 && Ycol.dim() != K)
          throw DataError(fmt::format(
              "{}: label column '{}' has vectors of dimension {} but the network's last layer has "
              "{} units",
              who, labelCol, Ycol.dim(), K));
        const bool unit = lossKind == nn::Loss::kSigmoidCrossEntropy;
        const bool nonNeg = lossKind == nn::Loss::kSoftmaxCrossEntropy;
        const std::int64_t bad = parallel::firstFailure(n, 4096, [&](std::int64_t i) {
          float* col = data.Y.data() + i * K;
          bool ok = true;
          Ycol[i].forEach([&](std::int64_t j, double v) {
            if (!std::isfinite(v) || (unit && (v < 0.0 || v > 1.0)) || (nonNeg && v < 0.0))
              ok = false;
            col[j] = static_cast<float>(v);
          });
          return ok;
        });
        if (bad >= 0) {
          const auto [at, atRow] = rowWhere(frame, bad);
          throw DataError(fmt::format(
              "{}{}: label column '{}' has an invalid vector{}: values must be finite{}", at, who,
              labelCol, atRow,
              unit ? " and in [0, 1] (sigmoid_cross_entropy)" : nonNeg ? " and >= 0" : ""));
        }
      } else {
        const std::vector<double> y = frame.numeric(labelCol);
        auto rule = [&](double v) -> std::string {
          if (std::isnan(v)) return "labels must not be NaN";
          if (lossKind == nn::Loss::kSoftmaxCrossEntropy) {
            if (v < 0.0 || v >= static_cast<double>(K))
              return fmt::format("class indices must be in [0, {}): the last layer has {} units, "
                                 "one per class",
                                 K, K);
            if (v != std::floor(v)) return "class indices must be integers";
            return "";
          }
          if (K != 1)
            return fmt::format("a numeric label needs a last layer of 1 unit (it has {}); use a "
                               "vector label column",
                               K);
          if (!std::isfinite(v)) return "labels must be finite";
          if (lossKind == nn::Loss::kSigmoidCrossEntropy && (v < 0.0 || v > 1.0))
            return "labels must be in [0, 1] (sigmoid_cross_entropy)";
          return "";
        };
        for (std::int64_t i = 0; i < n; ++i) {
          const double v = y[static_cast<std::size_t>(i)];
          const std::string r = rule(v);
          if (!r.empty()) stage_util::throwInvalidValue(frame, i, who, "label", labelCol, v, r);
          if (lossKind == nn::Loss::kSoftmaxCrossEntropy)
            data.Y[static_cast<std::size_t>(i * K + static_cast<std::int64_t>(v))] = 1.0f;
          else
            data.Y[static_cast<std::size_t>(i)] = static_cast<float>(v);
        }
      }
    }
  };
  if (comm) {
    std::exception_ptr local;
    try {
      loadRows();
    } catch (...) {
      local = std::current_exception();
    }
    dist::agreeOnErrors(*comm, local);
  } else {
    loadRows();
  }

  // ---- validation split and partitions.
  const auto seed = static_cast<std::uint64_t>(getSeed());
  const double vf = getValidationFraction();
  // Each rank holds out its share of its own rows (rank 0 of 1: the one-process split).
  const auto nVal = static_cast<std::int64_t>(std::llround(vf * static_cast<double>(n)));
  double counts[2] = {static_cast<double>(nVal), static_cast<double>(n)};
  if (comm) comm->allreduceSum(counts);
  const auto nValAll = static_cast<std::int64_t>(counts[0]);
  const auto nAll = static_cast<std::int64_t>(counts[1]);
  if (vf > 0.0 && (nValAll < 1 || nValAll >= nAll))
    throw DataError(fmt::format(
        "{}: validationFraction {} of {} rows leaves {} validation and {} training rows; both "
        "need at least 1",
        who, num(vf), nAll, nValAll, nAll - nValAll));
  std::vector<std::int64_t> trainRows, valRows;
  if (nVal > 0) {
    const auto perm =
        randomPermutation(n, mixSeed(seed, 1000003 + static_cast<std::uint64_t>(rank)));
    valRows.assign(perm.begin(), perm.begin() + nVal);
    trainRows.assign(perm.begin() + nVal, perm.end());
    std::sort(valRows.begin(), valRows.end());
    std::sort(trainRows.begin(), trainRows.end());
  } else {
    trainRows.resize(static_cast<std::size_t>(n));
    for (std::int64_t i = 0; i < n; ++i) trainRows[static_cast<std::size_t>(i)] = i;
  }
  const auto nTrain = static_cast<std::int64_t>(trainRows.size());
  // This rank's workers: global indices g0 .. g0+P-1 of `partitions` over all ranks.
  const std::int64_t g0 = getPartitions() * rank / ranks;
  const std::int64_t P = std::min(getPartitions() * (rank + 1) / ranks - g0, nTrain);
  Schedule sched;
  sched.miniBatch = getMiniBatchSize();
  sched.stochastic = getMiniStochasticIters();
  sched.shuffle = getShufflePerIter();
  std::vector<std::unique_ptr<Worker>> workers;
  for (std::int64_t p = 0; p < P; ++p) {
    const std::int64_t b0 = p * nTrain / P, b1 = (p + 1) * nTrain / P;
    workers.push_back(std::make_unique<Worker>(
        net,
        std::vector<std::int64_t>(trainRows.begin() + b0, trainRows.begin() + b1),
        mixSeed(seed, static_cast<std::uint64_t>(g0 + p)), sched));
  }

  ParameterServer server(net.initialWeights(seed), opt, mode);
  const std::int64_t iters = getIters(), patience = getEarlyStopPatience();
  AsyncDLTrainingSummary summary;
  std::vector<float> best;
  double bestLoss = std::numeric_limits<double>::infinity();
  std::int64_t since = 0;
  const auto nw = static_cast<std::size_t>(net.numWeights());
  std::vector<float> gsum(nw);
  std::vector<double> acc(nw + 1);  // Σ rows·gradient, then Σ rows
  for (std::int64_t it = 1; it <= iters; ++it) {
    if (mode == Mode::kSync) {
      std::vector<std::vector<std::pair<std::int64_t, std::int64_t>>> plans;
      std::size_t steps = 0;
      for (auto& w : workers) {
        plans.push_back(w->plan());
        steps = std::max(steps, plans.back().size());
      }
      if (comm) {  // the longest plan over the ranks (a rank whose workers are done adds zeros)
        double mx = static_cast<double>(steps);
        comm->allreduceMax({&mx, 1});
        steps = static_cast<std::size_t>(mx);
      }
      for (std::size_t s = 0; s < steps; ++s) {
        const float* w = server.weights().data();
        parallel::forBlocks(P, 1, [&](std::int64_t p, std::int64_t, std::int64_t) {
          const auto& plan = plans[static_cast<std::size_t>(p)];
          if (s < plan.size()) workers[static_cast<std::size_t>(p)]->gradient(data, w, plan[s]);
        });
        // Σ_p rows_p · g_p / Σ_p rows_p in double, in worker order, then over the ranks; the
        // sums and the optimizer's update run in parallel over ranges of the weights (each
        // weight's sum in the same order whatever the threads).
        std::vector<std::pair<double, const float*>> parts;  // (rows, gradient) of this step
        double rows = 0.0;
        for (std::int64_t p = 0; p < P; ++p) {
          const auto& plan = plans[static_cast<std::size_t>(p)];
          if (s >= plan.size()) continue;
          parts.emplace_back(static_cast<double>(plan[s].second),
                             workers[static_cast<std::size_t>(p)]->g().data());
          rows += parts.back().first;
        }
        auto sumRange = [&](std::int64_t b0, std::int64_t b1, double* out) {
          for (std::int64_t i = b0; i < b1; ++i) {
            double a = 0.0;
            for (const auto& [r, g] : parts) a += r * static_cast<double>(g[i]);
            out[i - b0] = a;
          }
        };
        const auto nwi = static_cast<std::int64_t>(nw);
        if (comm) {
          parallel::forBlocks(nwi, kUpdateBlock, [&](std::int64_t, std::int64_t b0,
                                                      std::int64_t b1) {
            sumRange(b0, b1, acc.data() + b0);
          });
          acc[nw] = rows;
          comm->allreduceSum(acc);
          rows = acc[nw];
        }
        const std::int64_t t = server.nextStep();
        parallel::forBlocks(nwi, kUpdateBlock, [&](std::int64_t, std::int64_t b0,
                                                    std::int64_t b1) {
          const double* a = acc.data() + b0;
          if (!comm) {
            sumRange(b0, b1, acc.data() + b0);
          }
          for (std::int64_t i = b0; i < b1; ++i)
            gsum[static_cast<std::size_t>(i)] = static_cast<float>(a[i - b0] / rows);
          server.update(gsum.data(), b0, b1, t);
        });
      }
    } else if (!comm) {
      parallel::forBlocks(P, 1, [&](std::int64_t p, std::int64_t, std::int64_t) {
        workers[static_cast<std::size_t>(p)]->iterate(data, server);
      });
    } else {
      // Across ranks: rank 0's workers use the server, the others' call it through the
      // communicator's service (answered by a thread of rank 0); afterwards every rank takes
      // rank 0's weights (for the validation loss, early stopping and the model).
      const std::unique_ptr<dist::Service> service = comm->service(
          nw * sizeof(float),
          [&](int, std::span<const std::byte> request, std::span<std::byte> reply) {
            if (!request.empty()) server.push(reinterpret_cast<const float*>(request.data()));
            server.pull(reinterpret_cast<float*>(reply.data()));
          });
      RemoteServer remote(*service, nw);
      ServerApi& api = rank == 0 ? static_cast<ServerApi&>(server) : remote;
      std::exception_ptr failed;
      try {
        parallel::forBlocks(P, 1, [&](std::int64_t p, std::int64_t, std::int64_t) {
          workers[static_cast<std::size_t>(p)]->iterate(data, api);
        });
      } catch (...) {
        failed = std::current_exception();
      }
      service->finish();
      dist::agreeOnErrors(*comm, failed);
      std::vector<std::byte> bytes;
      if (rank == 0) {
        dist::ByteWriter out;
        out.put<std::int64_t>(server.pushes());
        bytes = out.bytes();
        const auto* wb = reinterpret_cast<const std::byte*>(server.weights().data());
        bytes.insert(bytes.end(), wb, wb + nw * sizeof(float));
      }
      comm->broadcast(bytes, 0);
      if (rank != 0) {
        dist::ByteReader in(bytes);
        const auto pushes = in.get<std::int64_t>();
        std::vector<float> w(nw);
        std::memcpy(w.data(), bytes.data() + sizeof(std::int64_t), nw * sizeof(float));
        server.assign(w.data(), pushes);
      }
    }
    summary.iterations = it;
    if (nValAll > 0) {
      double vsum = sumLoss(net, data, valRows, server.weights().data());
      if (comm) comm->allreduceSum({&vsum, 1});
      const double vl = vsum / static_cast<double>(nValAll);
      summary.validationLoss.push_back(vl);
      if (!std::isfinite(vl))
        throw DataError(fmt::format(
            "{}: the validation loss is {} after iteration {}: training diverged (try a smaller "
            "learningRate)",
            who, num(vl), it));
      if (vl < bestLoss) {
        bestLoss = vl;
        best = server.weights();
        summary.bestIteration = it;
        since = 0;
      } else if (++since >= patience && patience >= 1) {
        break;
      }
    }
  }
  summary.pushes = server.pushes();
  std::vector<float> w = nValAll > 0 ? std::move(best) : server.weights();
  for (const float v : w)
    if (!std::isfinite(v))
      throw DataError(fmt::format(
          "{}: training diverged (a weight is {}); try a smaller learningRate", who, num(v)));
  auto model = std::make_shared<AsyncDLModel>(uid(), d, std::move(w));
  for (const auto& [name, value] : userValues()) model->set(name, value);
  model->setSummary(std::move(summary));
  return model;
}

// ---------------------------------------------------------------- AsyncDLModel
AsyncDLModel::AsyncDLModel(std::string uid, std::int64_t inputWidth, std::vector<float> weights)
    : Model(std::move(uid), schema()),
      inputWidth_(inputWidth),
      weights_(std::make_shared<const std::vector<float>>(std::move(weights))) {}

AsyncDLModel::AsyncDLModel(std::string uid) : AsyncDLModel(std::move(uid), 0, {}) {}

std::vector<StateItem> AsyncDLModel::stateSummary() const {
  return {{"inputWidth", "inputWidth", inputWidth_},
          {"numWeights", "weights", static_cast<std::int64_t>(weights_->size())},
          {"iterations", "iterations", summary_.iterations},
          {"pushes", "pushes", summary_.pushes}};
}

void AsyncDLModel::saveState(StateWriter& out) const {
  out.putInt("inputWidth", inputWidth_);
  out.putInt("iterations", summary_.iterations);
  out.putInt("bestIteration", summary_.bestIteration);
  out.putInt("pushes", summary_.pushes);
  out.putArray("weights", std::vector<double>(weights_->begin(), weights_->end()));
}

void AsyncDLModel::loadState(const StateReader& in) {
  const std::int64_t width = in.getInt("inputWidth");
  const auto w = in.getArray("weights");
  if (!isDefined(EstimatorParams::network)) in.fail("the saved model has no 'network' param");
  const nn::Network net = buildNetwork(*this, describe(), width);
  if (static_cast<std::int64_t>(w.size()) != net.numWeights())
    in.fail(fmt::format("weights holds {} values but the network needs {}", w.size(),
                        net.numWeights()));
  inputWidth_ = width;
  weights_ = std::make_shared<const std::vector<float>>(w.begin(), w.end());
  // The training summary's counts (models saved before they were kept have none).
  summary_ = {};
  if (in.has("iterations")) summary_.iterations = in.getInt("iterations");
  if (in.has("bestIteration")) summary_.bestIteration = in.getInt("bestIteration");
  if (in.has("pushes")) summary_.pushes = in.getInt("pushes");
}

Schema AsyncDLModel::transformSchema(const Schema& input) const {
  return outputSchema(*this, input, describe());
}

std::vector<double> AsyncDLModel::predictOutput(const VectorView& x) const {
  stage_util::requireVectorDimension(describe(), x.size, inputWidth_);
  const nn::Network net = buildNetwork(*this, describe(), inputWidth_);
  nn::NetworkWorkspace<float> ws(net, 1);
  std::fill(ws.input(), ws.input() + inputWidth_, 0.0f);
  x.forEach([&](std::int64_t j, double v) { ws.input()[j] = static_cast<float>(v); });
  const float* out = ws.forward(weights_->data(), 1);
  return {out, out + net.outputWidth()};
}

Frame AsyncDLModel::transformImpl(const Frame& input, const Context& /*ctx*/) const {
  const std::string who = describe();
  if (weights_->empty()) throw ParamError(fmt::format("{}: the model has no weights", who));
  const std::string inputCol = getInputCol(), predCol = getPredictionCol();
  if (predCol.empty()) return input;
  const auto& X = input.col<VectorColumn>(inputCol);
  stage_util::requireColumnDimension(who, inputCol, X.dim(), inputWidth_);
  const nn::Network net = buildNetwork(*this, who, inputWidth_);
  const std::int64_t n = input.numRows(), k = net.outputWidth(), d = inputWidth_;
  const bool classIndex = net.loss() == nn::Loss::kSoftmaxCrossEntropy;
  const bool scalar = predictionType(net) == DataType::kDouble;
  std::vector<double> out(static_cast<std::size_t>(scalar ? n : n * k));
  parallel::forBlocks(n, kEvalBlock, [&](std::int64_t, std::int64_t b0, std::int64_t b1) {
    nn::NetworkWorkspace<float> ws(net, b1 - b0);
    for (std::int64_t i = b0; i < b1; ++i) {
      float* col = ws.input() + (i - b0) * d;
      std::fill(col, col + d, 0.0f);
      X[i].forEach([&](std::int64_t j, double v) { col[j] = static_cast<float>(v); });
    }
    const float* o = ws.forward(weights_->data(), b1 - b0);
    for (std::int64_t i = b0; i < b1; ++i) {
      const float* r = o + (i - b0) * k;
      const auto iu = static_cast<std::size_t>(i);
      if (classIndex) {
        std::int64_t best = 0;
        for (std::int64_t c = 1; c < k; ++c)
          if (r[c] > r[best]) best = c;
        out[iu] = static_cast<double>(best);
      } else if (scalar) {
        out[iu] = r[0];
      } else {
        std::copy(r, r + k, out.begin() + static_cast<std::ptrdiff_t>(iu * static_cast<std::size_t>(k)));
      }
    }
  });
  if (scalar) return input.withColumn(predCol, std::make_shared<DoubleColumn>(std::move(out)));
  return input.withColumn(predCol, VectorColumn::dense(n, k, std::move(out)));
}

}  // namespace td
