// src/nn/network.h — a sequential network as AsyncDL's `network` param describes it (dense
// layers with an activation, dropout layers), a loss on top (softmax or sigmoid cross-entropy,
// mean squared error, reduced as TensorFlow 1's tf.losses), its flat weight vector, and its
// forward and backward passes over a batch on nn/dense.h. Internal (td_nn): "nn/network.h".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "nn/dense.h"
#include "thunderdome/core/random.h"

namespace td::nn {

/// One layer of a sequential network.
struct LayerSpec {
  enum class Kind { kDense, kDropout } kind = Kind::kDense;
  std::int64_t units = 0;                     ///< dense: output width
  Activation activation = Activation::kLinear;  ///< dense
  double rate = 0.0;                          ///< dropout: the fraction of units dropped
};

/// The loss on top of a network.
enum class Loss { kSoftmaxCrossEntropy, kSigmoidCrossEntropy, kMse };

/// The loss named `name` (softmax_cross_entropy, sigmoid_cross_entropy, mse); ParamError else.
Loss lossFromName(std::string_view name);
std::string_view toString(Loss l);

/// Parses a JSON array of layers: {"type": "dense", "units": 10, "activation": "relu"} (the
/// activation defaults to linear) and {"type": "dropout", "rate": 0.2}. Throws ParamError
/// naming the layer index and the bad value.
std::vector<LayerSpec> parseNetwork(std::string_view json);

/// The shape of a network over inputs of width `inputWidth` with `loss` on top, and the layout
/// of its weight vector: for each dense layer, W (out×in, column-major) then b (out).
class Network {
 public:
  /// Checks the layers against the loss (the last layer is dense; softmax only as the last
  /// activation, with softmax_cross_entropy; sigmoid_cross_entropy wants a sigmoid or linear
  /// last layer, softmax_cross_entropy a softmax or linear one): ParamError else.
  Network(std::vector<LayerSpec> layers, std::int64_t inputWidth, Loss loss);

  [[nodiscard]] const std::vector<LayerSpec>& layers() const { return layers_; }
  [[nodiscard]] std::int64_t numLayers() const { return static_cast<std::int64_t>(layers_.size()); }
  [[nodiscard]] std::int64_t inputWidth() const { return inputWidth_; }
  [[nodiscard]] std::int64_t outputWidth() const { return widths_.back(); }
  /// Output width of layer l (width(-1) is the input width).
  [[nodiscard]] std::int64_t width(std::int64_t l) const {
    return l < 0 ? inputWidth_ : widths_[static_cast<std::size_t>(l)];
  }
  [[nodiscard]] Loss loss() const { return loss_; }
  [[nodiscard]] std::int64_t numWeights() const { return offsets_.back(); }
  /// Where layer l's W starts (b follows at + in·out); dropout layers own no weights.
  [[nodiscard]] std::int64_t offset(std::int64_t l) const {
    return offsets_[static_cast<std::size_t>(l)];
  }
  /// TensorFlow's tf.layers.dense defaults: W Glorot-uniform in ±√(6/(in+out)), b = 0, drawn
  /// from td::Rng(seed) in weight-vector order.
  [[nodiscard]] std::vector<float> initialWeights(std::uint64_t seed) const;

 private:
  std::vector<LayerSpec> layers_;
  std::int64_t inputWidth_;
  Loss loss_;
  std::vector<std::int64_t> widths_;
  std::vector<std::int64_t> offsets_;  // numLayers() + 1 entries
};

/// The buffers of forward and backward passes over batches of at most `maxBatch` samples (one
/// per worker; reused from call to call). Samples are columns (column-major, width × n).
template <class T>
class NetworkWorkspace {
 public:
  NetworkWorkspace(const Network& network, std::int64_t maxBatch);

  /// The input batch (inputWidth × maxBatch) a caller fills before a pass.
  [[nodiscard]] T* input() { return input_.data(); }
  /// The targets (outputWidth × maxBatch; one-hot rows for class labels) a caller fills before
  /// lossAndGradient / loss.
  [[nodiscard]] T* target() { return target_.data(); }

  /// Inference (no dropout): the network's outputs (after the last activation), outputWidth × n.
  const T* forward(const T* w, std::int64_t n);

  /// The mean loss of the first n columns (TensorFlow's reduction: softmax cross-entropy over
  /// the n rows, sigmoid cross-entropy and mse over the n·outputWidth values), without dropout.
  double loss(const T* w, std::int64_t n);

  /// Training pass: dropout drawn from `rng` (none when rng is null), returns the mean loss
  /// and writes its gradient into grad (numWeights values, overwritten).
  double lossAndGradient(const T* w, std::int64_t n, T* grad, Rng* rng);

 private:
  // Forward with dropout when rng is set; returns the last layer's pre-activation buffer
  // (activated unless the loss takes logits: cross-entropies leave it as logits).
  void forwardImpl(const T* w, std::int64_t n, Rng* rng, bool activateTop);
  double topLoss(std::int64_t n, T* delta);

  const Network* net_;
  std::int64_t maxBatch_;
  std::vector<T> input_, target_;
  std::vector<std::vector<T>> act_;    // act_[l]: output of layer l
  std::vector<std::vector<T>> delta_;  // delta_[l]: ∂loss/∂(output of layer l)
  std::vector<std::vector<T>> mask_;   // dropout layers: 0 or 1/(1 − rate)
};

extern template class NetworkWorkspace<float>;
extern template class NetworkWorkspace<double>;

}  // namespace td::nn
