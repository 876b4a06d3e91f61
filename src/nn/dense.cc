// src/nn/dense.cc — the CPU back-end of nn/dense.h, element-wise part (the GEMMs are in
// nn/dense_gemm.cc): scalar element-wise loops (std::exp, so that a value never depends on where in a buffer it
// sits: results are the same whatever the alignment, batch split or thread count).
#include "nn/dense.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "thunderdome/core/error.h"

namespace td::nn {

Activation activationFromName(std::string_view name) {
  if (name == "linear") return Activation::kLinear;
  if (name == "sigmoid") return Activation::kSigmoid;
  if (name == "tanh") return Activation::kTanh;
  if (name == "relu") return Activation::kRelu;
  if (name == "softmax") return Activation::kSoftmax;
  throw ParamError(fmt::format(
      "unknown activation '{}' (supported: linear, sigmoid, tanh, relu, softmax)", name));
}

std::string_view toString(Activation a) {
  switch (a) {
    case Activation::kLinear: return "linear";
    case Activation::kSigmoid: return "sigmoid";
    case Activation::kTanh: return "tanh";
    case Activation::kRelu: return "relu";
    case Activation::kSoftmax: return "softmax";
  }
  return "?";
}

template <class T>
void activate(Activation a, T* Z, std::int64_t rows, std::int64_t n) {
  const std::int64_t size = rows * n;
  switch (a) {
    case Activation::kLinear: return;
    case Activation::kSigmoid:
      // Spark's SigmoidFunction: 1 / (1 + exp(−x)).
      for (std::int64_t i = 0; i < size; ++i) Z[i] = T(1) / (T(1) + std::exp(-Z[i]));
      return;
    case Activation::kTanh:
      for (std::int64_t i = 0; i < size; ++i) Z[i] = std::tanh(Z[i]);
      return;
    case Activation::kRelu:
      for (std::int64_t i = 0; i < size; ++i) Z[i] = std::max(Z[i], T(0));
      return;
    case Activation::kSoftmax:
      for (std::int64_t j = 0; j < n; ++j) {
        T* col = Z + j * rows;
        T m = std::numeric_limits<T>::lowest();
        for (std::int64_t i = 0; i < rows; ++i) m = std::max(m, col[i]);
        T s = 0;
        for (std::int64_t i = 0; i < rows; ++i) {
          col[i] = std::exp(col[i] - m);
          s += col[i];
        }
        for (std::int64_t i = 0; i < rows; ++i) col[i] /= s;
      }
      return;
  }
}

template <class T>
void activationBackward(Activation a, const T* A, T* delta, std::int64_t rows, std::int64_t n) {
  const std::int64_t size = rows * n;
  switch (a) {
    case Activation::kLinear: return;
    case Activation::kSigmoid:
      // Spark's SigmoidFunction.derivative: (1 − z)·z of the output z.
      for (std::int64_t i = 0; i < size; ++i) delta[i] *= (T(1) - A[i]) * A[i];
      return;
    case Activation::kTanh:
      for (std::int64_t i = 0; i < size; ++i) delta[i] *= T(1) - A[i] * A[i];
      return;
    case Activation::kRelu:
      // A select, not a branch, so that the loop vectorizes.
      for (std::int64_t i = 0; i < size; ++i) delta[i] = A[i] > T(0) ? delta[i] : T(0);
      return;
    case Activation::kSoftmax:
      throw ParamError(
          "nn::activationBackward: softmax has no element-wise derivative; use it with "
          "softmaxCrossEntropy");
  }
}

template <class T>
double softmaxCrossEntropy(const T* Z, const std::int32_t* labels, std::int64_t k, std::int64_t n,
                           T* P, T* delta) {
  double loss = 0.0;
  for (std::int64_t j = 0; j < n; ++j) {
    const T* z = Z + j * k;
    T* p = P + j * k;
    T* d = delta + j * k;
    const std::int32_t label = labels[j];
    T m = std::numeric_limits<T>::lowest();
    for (std::int64_t i = 0; i < k; ++i) m = std::max(m, z[i]);
    T s = 0;
    for (std::int64_t i = 0; i < k; ++i) s += std::exp(z[i] - m);
    // −log p_label = log Σ exp(z − m) − (z_label − m).
    loss += static_cast<double>(std::log(s) - (z[label] - m));
    for (std::int64_t i = 0; i < k; ++i) p[i] = std::exp(z[i] - m) / s;
    for (std::int64_t i = 0; i < k; ++i) d[i] = p[i] - (i == label ? T(1) : T(0));
  }
  return loss;
}

template <class T>
double softmaxCrossEntropyTargets(const T* Z, const T* Y, std::int64_t k, std::int64_t n, T scale,
                                  T* dZ) {
  double loss = 0.0;
  for (std::int64_t j = 0; j < n; ++j) {
    const T* z = Z + j * k;
    const T* y = Y + j * k;
    T* d = dZ + j * k;
    T m = std::numeric_limits<T>::lowest();
    for (std::int64_t i = 0; i < k; ++i) m = std::max(m, z[i]);
    T s = 0, ysum = 0;
    for (std::int64_t i = 0; i < k; ++i) s += std::exp(z[i] - m);
    const T lse = std::log(s);
    for (std::int64_t i = 0; i < k; ++i) {
      // −y log p = y (log Σ e^(z−m) − (z − m)).
      if (y[i] != T(0)) loss += static_cast<double>(y[i] * (lse - (z[i] - m)));
      ysum += y[i];
    }
    for (std::int64_t i = 0; i < k; ++i) {
      const T p = std::exp(z[i] - m) / s;
      d[i] = scale * (p * ysum - y[i]);
    }
  }
  return loss;
}

template <class T>
double sigmoidCrossEntropy(const T* Z, const T* Y, std::int64_t k, std::int64_t n, T scale, T* dZ) {
  double loss = 0.0;
  const std::int64_t size = k * n;
  for (std::int64_t i = 0; i < size; ++i) {
    const T z = Z[i], y = Y[i];
    loss += static_cast<double>(std::max(z, T(0)) - z * y + std::log1p(std::exp(-std::abs(z))));
    dZ[i] = scale * (T(1) / (T(1) + std::exp(-z)) - y);
  }
  return loss;
}

template <class T>
double squaredError(const T* A, const T* Y, std::int64_t k, std::int64_t n, T scale, T* dA) {
  double loss = 0.0;
  const std::int64_t size = k * n;
  for (std::int64_t i = 0; i < size; ++i) {
    const T e = A[i] - Y[i];
    loss += static_cast<double>(e) * static_cast<double>(e);
    dA[i] = scale * T(2) * e;
  }
  return loss;
}

#define TD_NN_INSTANTIATE(T)                                                                    \
  template void activate<T>(Activation, T*, std::int64_t, std::int64_t);                        \
  template void activationBackward<T>(Activation, const T*, T*, std::int64_t, std::int64_t);    \
  template double softmaxCrossEntropy<T>(const T*, const std::int32_t*, std::int64_t,           \
                                         std::int64_t, T*, T*);               \
  template double softmaxCrossEntropyTargets<T>(const T*, const T*, std::int64_t, std::int64_t, \
                                                T, T*);                                          \
  template double sigmoidCrossEntropy<T>(const T*, const T*, std::int64_t, std::int64_t, T, T*); \
  template double squaredError<T>(const T*, const T*, std::int64_t, std::int64_t, T, T*);
TD_NN_INSTANTIATE(float)
TD_NN_INSTANTIATE(double)
#undef TD_NN_INSTANTIATE

}  // namespace td::nn
