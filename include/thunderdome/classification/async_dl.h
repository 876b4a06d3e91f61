// include/thunderdome/classification/async_dl.h
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "thunderdome/core/shared_params.h"
#include "thunderdome/pipeline/stage.h"

namespace td {

/// Deep-learning training in Sparkflow's role (SparkAsyncDL): a network described in JSON is
/// trained by worker threads on partitions of the rows against a parameter server that holds
/// the weights and the optimizer state, lock-free (Hogwild), under a lock, or synchronously
/// (gradients averaged every step).
class AsyncDL final : public Estimator {
  TD_CLASS(AsyncDL, "asyncdl", "sparkflow.tensorflow_async.SparkAsyncDL",
           "Neural network trained by parallel workers against a parameter server (hogwild, "
           "locked or sync), Sparkflow's SparkAsyncDL")
  TD_SPARK_DIFFERENCES(
      "Sparkflow's params without the `tf` prefix and with its defaults (`inputCol=\"transformed\"`, "
      "`predictionCol=\"predicted\"`, `optimizer=\"adam\"`, `learningRate=0.01`, `iters=1000`, "
      "`partitions=5`, `miniBatchSize=128`, `miniStochasticIters=-1`, `acquireLock=false`, "
      "`shufflePerIter=true`, `labelCol` unset). **Network:** a JSON array of dense (`units`, "
      "`activation` relu|sigmoid|tanh|softmax|linear) and dropout (`rate`) layers instead of a "
      "TensorFlow graph (`tensorflowGraph`, `tfInput`, `tfOutput`, `tfLabel`, `tfDropout`, "
      "`toKeepDropout` do not exist); dense weights start Glorot-uniform with zero biases (TF's "
      "defaults) from thunderdome's seeded generator. `loss` names the loss "
      "(TF1's tf.losses reductions: softmax_cross_entropy is the mean over rows, "
      "sigmoid_cross_entropy and mse the mean over values); with softmax_cross_entropy the label "
      "is a class index or a vector (one-hot) column. **Optimizers:** TF1's update rules and "
      "defaults (rmsprop's mean square starts at 1, adagrad's accumulator at 0.1); "
      "`optimizerOptions` keys add to the learning rate instead of replacing every argument as "
      "Sparkflow does, and an unknown optimizer name is an error (Sparkflow falls back to "
      "gradient descent); adagrad_da, ftrl and the proximal optimizers are missing. **Workers:** "
      "`partitions` threads (tasks on the shared pool) each over a contiguous slice of the rows; "
      "the server lives in the process (no Flask, no port: parallel CrossValidator fits do not "
      "collide). All workers finish iteration i before iteration i+1 starts (Sparkflow's workers "
      "run their iterations independently). `mode`: hogwild (Sparkflow's default), locked "
      "(Sparkflow's acquireLock; `acquireLock=true` selects it too), sync (new: each step "
      "applies the row-weighted mean of the workers' gradients, deterministic for a fixed seed "
      "and partitions). `miniBatchSize` larger than a partition uses the whole partition "
      "(Sparkflow: n−1 rows). New: `validationFraction` and `earlyStopPatience` (sparktorch's "
      "validationPct/earlyStopPatience). `verbose`, `partitionShuffles` and `port` are missing. "
      "**Ranks** (`mpirun ... --data-parallel`): `partitions` is the number of workers over all "
      "ranks (at least one per rank), rank r running workers P·r/R .. P·(r+1)/R−1 over its "
      "shard. Sync: every step the row-weighted gradients are summed in double over the workers "
      "and all-reduced over the ranks, and every rank applies the same update (no server); "
      "equal to the one-process fit with the same `partitions` when each rank's rows are the "
      "rows its workers get there (contiguous equal shards, no validation split). Hogwild and "
      "locked: the server lives on rank 0 and a thread of rank 0 answers the other ranks' pulls "
      "and pushes as MPI messages (no HTTP server, no port); after each iteration every rank "
      "takes rank 0's weights. Each rank holds out its own validationFraction of its shard and "
      "the validation loss is all-reduced, so every rank stops at the same iteration. "
      "`seed` (default 42; Sparkflow has none and TensorFlow draws freshly) "
      "fixes the initial weights, the validation split, the shuffles and the dropout masks.")
  TD_SHARED_PARAM(std::string, inputCol, InputCol, [] {
    auto s = shared::inputCol();
    s.doc = "input column name: the feature vectors";
    s.defaultValue = ParamValue("transformed");
    return s;
  }())
  /// Unset: no label (mse trains an autoencoder on the inputs).
  TD_SHARED_PARAM(std::string, labelCol, LabelCol, [] {
    auto s = shared::labelCol();
    s.doc = "label column name: a class index or a vector (one-hot) column; unset with loss mse: "
            "the inputs (an autoencoder)";
    s.defaultValue.reset();
    return s;
  }())
  TD_SHARED_PARAM(std::string, predictionCol, PredictionCol, [] {
    auto s = shared::predictionCol();
    s.defaultValue = ParamValue("predicted");
    return s;
  }())
  /// Required: the layers, e.g. [{"type": "dense", "units": 10, "activation": "softmax"}].
  TD_PARAM(std::string, network, Network,
           "the network: a JSON array of layers, {\"type\": \"dense\", \"units\": n, "
           "\"activation\": relu|sigmoid|tanh|softmax|linear} or {\"type\": \"dropout\", "
           "\"rate\": r}; the input width is the input column's dimension",
           kNoDefault, ParamValidator::nonEmpty(),
           ParamExample{std::string(
               R"([{"type": "dense", "units": 8, "activation": "relu"}, {"type": "dense", "units": 2, "activation": "softmax"}])")})
  TD_PARAM(std::string, loss, Loss, "the loss: softmax_cross_entropy, sigmoid_cross_entropy, mse",
           "softmax_cross_entropy",
           ParamValidator::oneOf({"softmax_cross_entropy", "sigmoid_cross_entropy", "mse"}))
  TD_PARAM(std::string, optimizer, Optimizer,
           "optimizer: adam, sgd (gradient_descent), momentum, rmsprop, adagrad, adadelta", "adam",
           ParamValidator::oneOf(
               {"adam", "sgd", "gradient_descent", "momentum", "rmsprop", "adagrad", "adadelta"}))
  TD_PARAM(std::string, optimizerOptions, OptimizerOptions,
           "JSON object of optimizer options by TensorFlow's names, e.g. {\"beta1\": 0.9} "
           "(learning_rate, beta1, beta2, epsilon, momentum, use_nesterov, decay, rho, "
           "initial_accumulator_value)",
           kNoDefault)
  TD_PARAM(double, learningRate, LearningRate, "learning rate of the optimizer (> 0)", 0.01,
           ParamValidator::gt(0.0))
  TD_PARAM(std::int64_t, iters, Iters, "number of training iterations (passes of each worker) (>= 1)",
           1000, ParamValidator::gtEq(1))
  TD_PARAM(std::int64_t, partitions, Partitions,
           "number of workers, each over a contiguous slice of the rows (>= 1)", 5,
           ParamValidator::gtEq(1))
  TD_PARAM(std::int64_t, miniBatchSize, MiniBatchSize,
           "rows per mini-batch; -1: the whole partition", 128,
           (ParamValidator{[](const ParamValue& v) {
                             const auto x = v.as<std::int64_t>();
                             return x == -1 || x >= 1;
                           },
                           "-1 or >= 1"}))
  TD_PARAM(std::int64_t, miniStochasticIters, MiniStochasticIters,
           ">= 1: that many random mini-batches per iteration (weights pulled once per "
           "iteration); -1: every mini-batch of the partition in order, pulling before each",
           -1,
           (ParamValidator{[](const ParamValue& v) {
                             const auto x = v.as<std::int64_t>();
                             return x == -1 || x >= 1;
                           },
                           "-1 or >= 1"}))
  TD_PARAM(bool, shufflePerIter, ShufflePerIter, "shuffle each partition's rows every iteration",
           true)
  TD_PARAM(bool, acquireLock, AcquireLock,
           "apply every push under a lock (mode locked); false: the mode param decides", false)
  TD_PARAM(std::string, mode, Mode,
           "hogwild (lock-free pushes), locked (pushes and pulls under a lock), sync (the "
           "workers' gradients averaged every step, deterministic)",
           "hogwild", ParamValidator::oneOf({"hogwild", "locked", "sync"}))
  TD_SHARED_PARAM(std::int64_t, seed, Seed, shared::seed(42))
  TD_PARAM(double, validationFraction, ValidationFraction,
           "fraction of rows held out to measure the validation loss after every iteration "
           "(0: none); the weights of the best validation loss are kept",
           0.0, ParamValidator::inRange(0.0, 1.0, true, false))
  TD_PARAM(std::int64_t, earlyStopPatience, EarlyStopPatience,
           "with validationFraction > 0: stop after this many iterations without a better "
           "validation loss (-1: never)",
           -1,
           (ParamValidator{[](const ParamValue& v) {
                             const auto x = v.as<std::int64_t>();
                             return x == -1 || x >= 1;
                           },
                           "-1 or >= 1"}))

  AsyncDL();
  explicit AsyncDL(std::string uid);

  [[nodiscard]] Schema transformSchema(const Schema& input) const override;
  /// True in mode sync (gradients all-reduced over the ranks every step); hogwild and locked
  /// need a server reachable by messages, which the communicator does not offer.
  [[nodiscard]] bool supportsDataParallel() const override;

 protected:
  [[nodiscard]] std::shared_ptr<Model> fitImpl(const Frame& data,
                                               const Context& ctx) const override;
};

/// Training diagnostics of an AsyncDLModel.
struct AsyncDLTrainingSummary {
  std::vector<double> validationLoss;  ///< After each iteration (with validationFraction > 0).
  std::int64_t iterations = 0;         ///< Iterations run (fewer than iters after early stop).
  std::int64_t bestIteration = 0;      ///< 1-based iteration whose weights were kept (0: last).
  std::int64_t pushes = 0;             ///< Gradients applied by the server.
};

/// A network trained by AsyncDL: its weights (float) over the `network` param; transform adds
/// predictionCol: the class index (argmax) with softmax_cross_entropy, else the output value
/// (one output) or vector.
class AsyncDLModel final : public Model {
  TD_MODEL_CLASS(AsyncDLModel, AsyncDL, "asyncdl", "sparkflow.tensorflow_async.SparkAsyncDLModel",
                 "A trained network: layers, input width and weights")
  TD_SPARK_DIFFERENCES(
      "Sparkflow's model holds the TF graph and weights as JSON (`modelJson`, `modelWeights`) "
      "and evaluates `tfOutput`; here the prediction follows the loss: argmax class index with "
      "softmax_cross_entropy (Sparkflow's examples name an argmax `out`), else the last layer's "
      "output, a double for one output and a vector otherwise. Dropout is the identity at "
      "predict time. The model keeps its estimator's params (Sparkflow's model defaults "
      "inputCol to \"encoded\"; here it is the estimator's value).")

  AsyncDLModel(std::string uid, std::int64_t inputWidth, std::vector<float> weights);
  /// An empty model (what loading starts from).
  explicit AsyncDLModel(std::string uid);

  [[nodiscard]] const std::vector<float>& weights() const { return *weights_; }
  [[nodiscard]] std::int64_t inputWidth() const { return inputWidth_; }
  [[nodiscard]] const AsyncDLTrainingSummary& summary() const { return summary_; }
  void setSummary(AsyncDLTrainingSummary s) { summary_ = std::move(s); }

  TD_MODEL_PARAM(inputCol, InputCol)
  TD_MODEL_PARAM(predictionCol, PredictionCol)

  /// The network's outputs for one row (softmax probabilities, sigmoid or linear outputs).
  [[nodiscard]] std::vector<double> predictOutput(const VectorView& x) const;

  [[nodiscard]] Schema transformSchema(const Schema& input) const override;
  [[nodiscard]] bool isRowWise() const override { return true; }
  [[nodiscard]] std::vector<StateItem> stateSummary() const override;
  /// The weights (data/weights.f64le) and the input width.
  void saveState(StateWriter& out) const override;
  void loadState(const StateReader& in) override;

 protected:
  [[nodiscard]] Frame transformImpl(const Frame& input, const Context& ctx) const override;

 private:
  std::int64_t inputWidth_ = 0;
  std::shared_ptr<const std::vector<float>> weights_;
  AsyncDLTrainingSummary summary_;
};

}  // namespace td
