// src/nn/mlp.h — Spark's multilayer perceptron (ml.ann.FeedForwardTopology.multiLayerPerceptron
// with softmaxOnTop): affine layers layers[0] → layers[1] → … → layers[L], sigmoid after every
// hidden layer, softmax with cross-entropy on top; its flat weight vector (Spark's layout) and
// its forward and backward passes over a batch on nn/dense.h. Internal (td_nn): "nn/mlp.h".
#pragma once

#include <cstdint>
#include <vector>

#include "nn/dense.h"

namespace td::nn {

/// The shape of a multilayer perceptron and the layout of its weight vector: for each affine
/// layer l (in = layers[l], out = layers[l+1]), W_l (out×in, column-major) then b_l (out), as
/// Spark's AffineLayerModel rolls them, layer after layer.
class MlpTopology {
 public:
  /// layers: the sizes from the input to the output layer (at least 2, every size > 0).
  explicit MlpTopology(std::vector<std::int64_t> layers);

  [[nodiscard]] const std::vector<std::int64_t>& layers() const { return layers_; }
  /// Number of affine layers (layers().size() − 1).
  [[nodiscard]] std::int64_t numAffine() const {
    return static_cast<std::int64_t>(layers_.size()) - 1;
  }
  [[nodiscard]] std::int64_t inputSize() const { return layers_.front(); }
  [[nodiscard]] std::int64_t outputSize() const { return layers_.back(); }
  /// Σ_l (in_l·out_l + out_l).
  [[nodiscard]] std::int64_t numWeights() const { return offsets_.back(); }
  /// Where W_l starts in the weight vector (b_l follows it at + in_l·out_l).
  [[nodiscard]] std::int64_t offset(std::int64_t l) const {
    return offsets_[static_cast<std::size_t>(l)];
  }
  /// Spark's random initialisation scheme (AffineLayerModel.randomWeights, Bottou's heuristic):
  /// every weight and bias of layer l uniform in [−2.4/√in_l, 2.4/√in_l), here from
  /// td::Rng(seed) drawn in weight vector order (Spark draws from its XORShiftRandom; the values
  /// differ, the law does not).
  [[nodiscard]] std::vector<double> initialWeights(std::uint64_t seed) const;

 private:
  std::vector<std::int64_t> layers_;
  std::vector<std::int64_t> offsets_;  // numAffine() + 1 entries
};

/// The buffers of forward and backward passes over batches of at most `maxBatch` samples (one
/// per thread; reused from call to call).
template <class T>
class MlpWorkspace {
 public:
  MlpWorkspace(const MlpTopology& topology, std::int64_t maxBatch);

  /// The input batch (layers[0] × maxBatch, column-major) a caller fills before forward().
  [[nodiscard]] T* input() { return input_.data(); }

  /// Forward pass of the first n columns of input() with weights w: returns the logits (the
  /// top layer's pre-softmax outputs, Spark's predictRaw), outputSize × n, column-major.
  const T* forward(const T* w, std::int64_t n);

  /// Forward and backward pass of the first n columns of input() against class indices
  /// labels[0..n): returns Σ_j cross-entropy_j and adds scale · ∂(Σ_j cross-entropy_j)/∂w to
  /// grad (numWeights values).
  double lossAndGradient(const T* w, const std::int32_t* labels, std::int64_t n, T scale, T* grad);

 private:
  const MlpTopology* topology_;
  std::int64_t maxBatch_;
  std::vector<T> input_;
  std::vector<std::vector<T>> act_;    // act_[l]: output of affine layer l after its activation
  std::vector<std::vector<T>> delta_;  // delta_[l]: ∂loss/∂(pre-activation of layer l)
};

extern template class MlpWorkspace<float>;
extern template class MlpWorkspace<double>;

}  // namespace td::nn
