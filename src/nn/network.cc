// src/nn/network.cc — sequential networks on nn/dense.h (see nn/network.h).
#include "nn/network.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "thunderdome/core/error.h"

namespace td::nn {

Loss lossFromName(std::string_view name) {
  if (name == "softmax_cross_entropy") return Loss::kSoftmaxCrossEntropy;
  if (name == "sigmoid_cross_entropy") return Loss::kSigmoidCrossEntropy;
  if (name == "mse") return Loss::kMse;
  throw ParamError(fmt::format(
      "unknown loss '{}' (supported: softmax_cross_entropy, sigmoid_cross_entropy, mse)", name));
}

std::string_view toString(Loss l) {
  switch (l) {
    case Loss::kSoftmaxCrossEntropy: return "softmax_cross_entropy";
    case Loss::kSigmoidCrossEntropy: return "sigmoid_cross_entropy";
    case Loss::kMse: return "mse";
  }
  return "?";
}

std::vector<LayerSpec> parseNetwork(std::string_view text) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw ParamError(fmt::format("network: not valid JSON ({})", e.what()));
  }
  if (!j.is_array() || j.empty())
    throw ParamError(
        "network: expected a non-empty JSON array of layers, e.g. [{\"type\": \"dense\", "
        "\"units\": 10, \"activation\": \"softmax\"}]");
  std::vector<LayerSpec> layers;
  for (std::size_t i = 0; i < j.size(); ++i) {
    const auto& o = j[i];
    auto bad = [&](const std::string& what) {
      return ParamError(fmt::format("network layer {}: {} (layer: {})", i, what, o.dump()));
    };
    if (!o.is_object()) throw bad("expected a JSON object");
    if (!o.contains("type") || !o["type"].is_string()) throw bad("missing string field 'type'");
    const std::string type = o["type"].get<std::string>();
    LayerSpec l;
    if (type == "dense") {
      l.kind = LayerSpec::Kind::kDense;
      if (!o.contains("units") || !o["units"].is_number_integer() || o["units"].get<std::int64_t>() <= 0)
        throw bad("dense layers need an integer 'units' > 0");
      l.units = o["units"].get<std::int64_t>();
      if (o.contains("activation")) {
        if (!o["activation"].is_string()) throw bad("'activation' must be a string");
        const std::string a = o["activation"].get<std::string>();
        try {
          l.activation = activationFromName(a);
        } catch (const ParamError&) {
          throw bad(fmt::format("unknown activation '{}' (supported: relu, sigmoid, tanh, "
                                "softmax, linear)",
                                a));
        }
      }
      for (const auto& [key, v] : o.items())
        if (key != "type" && key != "units" && key != "activation")
          throw bad(fmt::format("unknown field '{}' for a dense layer", key));
    } else if (type == "dropout") {
      l.kind = LayerSpec::Kind::kDropout;
      if (!o.contains("rate") || !o["rate"].is_number()) throw bad("dropout layers need a 'rate'");
      l.rate = o["rate"].get<double>();
      if (!(l.rate >= 0.0 && l.rate < 1.0))
        throw bad(fmt::format("dropout rate {} is not in [0, 1)", l.rate));
      for (const auto& [key, v] : o.items())
        if (key != "type" && key != "rate")
          throw bad(fmt::format("unknown field '{}' for a dropout layer", key));
    } else {
      throw bad(fmt::format("unknown layer type '{}' (supported: dense, dropout)", type));
    }
    layers.push_back(l);
  }
  return layers;
}

Network::Network(std::vector<LayerSpec> layers, std::int64_t inputWidth, Loss loss)
    : layers_(std::move(layers)), inputWidth_(inputWidth), loss_(loss) {
  if (layers_.empty()) throw ParamError("network: no layers");
  if (inputWidth_ <= 0) throw ParamError(fmt::format("network: input width {} <= 0", inputWidth_));
  offsets_.push_back(0);
  std::int64_t in = inputWidth_;
  const auto L = layers_.size();
  for (std::size_t l = 0; l < L; ++l) {
    const LayerSpec& s = layers_[l];
    if (s.kind == LayerSpec::Kind::kDense) {
      if (s.activation == Activation::kSoftmax &&
          !(l + 1 == L && loss_ == Loss::kSoftmaxCrossEntropy))
        throw ParamError(fmt::format(
            "network layer {}: activation 'softmax' is only supported on the last layer with "
            "loss softmax_cross_entropy (loss is {})",
            l, toString(loss_)));
      offsets_.push_back(offsets_.back() + s.units * in + s.units);
      in = s.units;
    } else {
      offsets_.push_back(offsets_.back());
    }
    widths_.push_back(in);
  }
  const LayerSpec& top = layers_.back();
  if (top.kind != LayerSpec::Kind::kDense)
    throw ParamError(fmt::format("network layer {}: the last layer must be dense, not dropout",
                                 L - 1));
  if (loss_ == Loss::kSoftmaxCrossEntropy && top.activation != Activation::kSoftmax &&
      top.activation != Activation::kLinear)
    throw ParamError(fmt::format(
        "network layer {}: loss softmax_cross_entropy needs a 'softmax' (or 'linear': logits) "
        "last activation, not '{}'",
        L - 1, toString(top.activation)));
  if (loss_ == Loss::kSigmoidCrossEntropy && top.activation != Activation::kSigmoid &&
      top.activation != Activation::kLinear)
    throw ParamError(fmt::format(
        "network layer {}: loss sigmoid_cross_entropy needs a 'sigmoid' (or 'linear': logits) "
        "last activation, not '{}'",
        L - 1, toString(top.activation)));
}

std::vector<float> Network::initialWeights(std::uint64_t seed) const {
  std::vector<float> w(static_cast<std::size_t>(numWeights()), 0.0f);
  Rng rng(seed);
  for (std::int64_t l = 0; l < numLayers(); ++l) {
    const LayerSpec& s = layers_[static_cast<std::size_t>(l)];
    if (s.kind != LayerSpec::Kind::kDense) continue;
    const std::int64_t in = width(l - 1), out = s.units;
    const double limit = std::sqrt(6.0 / static_cast<double>(in + out));
    for (std::int64_t i = 0; i < in * out; ++i)
      w[static_cast<std::size_t>(offset(l) + i)] =
          static_cast<float>((rng.uniform() * 2.0 - 1.0) * limit);
  }
  return w;
}

template <class T>
NetworkWorkspace<T>::NetworkWorkspace(const Network& network, std::int64_t maxBatch)
    : net_(&network), maxBatch_(maxBatch) {
  const auto batch = static_cast<std::size_t>(maxBatch);
  input_.assign(static_cast<std::size_t>(network.inputWidth()) * batch, T(0));
  target_.assign(static_cast<std::size_t>(network.outputWidth()) * batch, T(0));
  for (std::int64_t l = 0; l < network.numLayers(); ++l) {
    const auto w = static_cast<std::size_t>(network.width(l));
    act_.emplace_back(w * batch);
    delta_.emplace_back(w * batch);
    mask_.emplace_back(network.layers()[static_cast<std::size_t>(l)].kind ==
                               LayerSpec::Kind::kDropout
                           ? w * batch
                           : 0);
  }
}

template <class T>
void NetworkWorkspace<T>::forwardImpl(const T* w, std::int64_t n, Rng* rng, bool activateTop) {
  const Network& net = *net_;
  const T* x = input_.data();
  const std::int64_t L = net.numLayers();
  for (std::int64_t l = 0; l < L; ++l) {
    const LayerSpec& s = net.layers()[static_cast<std::size_t>(l)];
    const auto lu = static_cast<std::size_t>(l);
    const std::int64_t in = net.width(l - 1), out = net.width(l);
    T* y = act_[lu].data();
    if (s.kind == LayerSpec::Kind::kDense) {
      const T* W = w + net.offset(l);
      affineForward(W, W + in * out, out, in, x, n, y);
      if (l + 1 < L || activateTop) activate(s.activation, y, out, n);
    } else if (rng != nullptr && s.rate > 0.0) {
      // Inverted dropout (tf.layers.dropout): keep with probability 1 − rate, scaled by
      // 1/(1 − rate), so inference is the identity.
      T* m = mask_[lu].data();
      const T scale = T(1) / static_cast<T>(1.0 - s.rate);
      for (std::int64_t i = 0; i < out * n; ++i) {
        m[i] = rng->uniform() < s.rate ? T(0) : scale;
        y[i] = x[i] * m[i];
      }
    } else {
      std::copy(x, x + out * n, y);
    }
    x = y;
  }
}

template <class T>
double NetworkWorkspace<T>::topLoss(std::int64_t n, T* delta) {
  const Network& net = *net_;
  const std::int64_t k = net.outputWidth();
  const T* top = act_.back().data();
  const T* y = target_.data();
  switch (net.loss()) {
    case Loss::kSoftmaxCrossEntropy: {
      const T scale = T(1) / static_cast<T>(n);
      return softmaxCrossEntropyTargets(top, y, k, n, scale, delta) / static_cast<double>(n);
    }
    case Loss::kSigmoidCrossEntropy: {
      const T scale = T(1) / static_cast<T>(n * k);
      return sigmoidCrossEntropy(top, y, k, n, scale, delta) / static_cast<double>(n * k);
    }
    case Loss::kMse: {
      const T scale = T(1) / static_cast<T>(n * k);
      return squaredError(top, y, k, n, scale, delta) / static_cast<double>(n * k);
    }
  }
  return 0.0;
}

template <class T>
const T* NetworkWorkspace<T>::forward(const T* w, std::int64_t n) {
  forwardImpl(w, n, nullptr, true);
  return act_.back().data();
}

template <class T>
double NetworkWorkspace<T>::loss(const T* w, std::int64_t n) {
  forwardImpl(w, n, nullptr, net_->loss() == Loss::kMse);
  return topLoss(n, delta_.back().data());
}

template <class T>
double NetworkWorkspace<T>::lossAndGradient(const T* w, std::int64_t n, T* grad, Rng* rng) {
  const Network& net = *net_;
  const bool logitsLoss = net.loss() != Loss::kMse;
  forwardImpl(w, n, rng, !logitsLoss);
  const std::int64_t L = net.numLayers();
  const double loss = topLoss(n, delta_.back().data());
  std::fill(grad, grad + net.numWeights(), T(0));
  // delta_[l] holds ∂loss/∂(output of layer l); for the top layer of a cross-entropy it holds
  // ∂loss/∂(logits) already (preActivation).
  bool preActivation = logitsLoss;
  for (std::int64_t l = L - 1; l >= 0; --l) {
    const auto lu = static_cast<std::size_t>(l);
    const LayerSpec& s = net.layers()[lu];
    const std::int64_t in = net.width(l - 1), out = net.width(l);
    T* d = delta_[lu].data();
    const T* x = l == 0 ? input_.data() : act_[lu - 1].data();
    if (s.kind == LayerSpec::Kind::kDense) {
      if (!preActivation) activationBackward(s.activation, act_[lu].data(), d, out, n);
      T* gW = grad + net.offset(l);
      affineGradient(d, out, x, in, n, T(1), gW, gW + in * out);
      if (l > 0) affineBackward(w + net.offset(l), out, in, d, n, delta_[lu - 1].data());
    } else if (l > 0) {
      T* below = delta_[lu - 1].data();
      if (rng != nullptr && s.rate > 0.0) {
        const T* m = mask_[lu].data();
        for (std::int64_t i = 0; i < out * n; ++i) below[i] = d[i] * m[i];
      } else {
        std::copy(d, d + out * n, below);
      }
    }
    preActivation = false;
  }
  return loss;
}

template class NetworkWorkspace<float>;
template class NetworkWorkspace<double>;

}  // namespace td::nn
