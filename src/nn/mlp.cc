// src/nn/mlp.cc — Spark's multilayer perceptron on nn/dense.h (see nn/mlp.h).
#include "nn/mlp.h"

#include <fmt/format.h>

#include <cmath>

#include "thunderdome/core/error.h"
#include "thunderdome/core/random.h"

namespace td::nn {

MlpTopology::MlpTopology(std::vector<std::int64_t> layers) : layers_(std::move(layers)) {
  if (layers_.size() < 2)
    throw ParamError(fmt::format("MlpTopology: need at least 2 layer sizes, got {}",
                                 layers_.size()));
  offsets_.push_back(0);
  for (std::size_t l = 0; l + 1 < layers_.size(); ++l) {
    if (layers_[l] <= 0 || layers_[l + 1] <= 0)
      throw ParamError("MlpTopology: every layer size must be > 0");
    offsets_.push_back(offsets_.back() + layers_[l] * layers_[l + 1] + layers_[l + 1]);
  }
}

std::vector<double> MlpTopology::initialWeights(std::uint64_t seed) const {
  std::vector<double> w(static_cast<std::size_t>(numWeights()));
  Rng rng(seed);
  for (std::int64_t l = 0; l < numAffine(); ++l) {
    const double sqrtIn = std::sqrt(static_cast<double>(layers_[static_cast<std::size_t>(l)]));
    for (std::int64_t i = offset(l); i < offset(l + 1); ++i)
      w[static_cast<std::size_t>(i)] = (rng.uniform() * 4.8 - 2.4) / sqrtIn;
  }
  return w;
}

template <class T>
MlpWorkspace<T>::MlpWorkspace(const MlpTopology& topology, std::int64_t maxBatch)
    : topology_(&topology), maxBatch_(maxBatch) {
  const auto& s = topology.layers();
  const auto batch = static_cast<std::size_t>(maxBatch);
  input_.assign(static_cast<std::size_t>(s.front()) * batch, T(0));
  for (std::int64_t l = 0; l < topology.numAffine(); ++l) {
    const auto out = static_cast<std::size_t>(s[static_cast<std::size_t>(l) + 1]);
    act_.emplace_back(out * batch);
    delta_.emplace_back(out * batch);
  }
}

template <class T>
const T* MlpWorkspace<T>::forward(const T* w, std::int64_t n) {
  const auto& s = topology_->layers();
  const std::int64_t L = topology_->numAffine();
  const T* x = input_.data();
  for (std::int64_t l = 0; l < L; ++l) {
    const std::int64_t in = s[static_cast<std::size_t>(l)];
    const std::int64_t out = s[static_cast<std::size_t>(l) + 1];
    const T* W = w + topology_->offset(l);
    T* y = act_[static_cast<std::size_t>(l)].data();
    affineForward(W, W + in * out, out, in, x, n, y);
    if (l + 1 < L) activate(Activation::kSigmoid, y, out, n);
    x = y;
  }
  return act_.back().data();
}

template <class T>
double MlpWorkspace<T>::lossAndGradient(const T* w, const std::int32_t* labels, std::int64_t n,
                                        T scale, T* grad) {
  const auto& s = topology_->layers();
  const std::int64_t L = topology_->numAffine();
  forward(w, n);
  // Top: softmax + cross-entropy gives delta = p − onehot (Spark's
  // SoftmaxLayerModelWithCrossEntropyLoss.loss); the probabilities overwrite the logits.
  T* top = act_.back().data();
  const double loss = softmaxCrossEntropy(top, labels, s.back(), n, top,
                                          delta_.back().data());
  for (std::int64_t l = L - 1; l >= 0; --l) {
    const std::int64_t in = s[static_cast<std::size_t>(l)];
    const std::int64_t out = s[static_cast<std::size_t>(l) + 1];
    const T* W = w + topology_->offset(l);
    const T* x = l == 0 ? input_.data() : act_[static_cast<std::size_t>(l) - 1].data();
    const T* d = delta_[static_cast<std::size_t>(l)].data();
    T* gW = grad + topology_->offset(l);
    affineGradient(d, out, x, in, n, scale, gW, gW + in * out);
    if (l > 0) {
      T* below = delta_[static_cast<std::size_t>(l) - 1].data();
      affineBackward(W, out, in, d, n, below);
      activationBackward(Activation::kSigmoid, act_[static_cast<std::size_t>(l) - 1].data(),
                         below, in, n);
    }
  }
  return loss;
}

template class MlpWorkspace<float>;
template class MlpWorkspace<double>;

}  // namespace td::nn
