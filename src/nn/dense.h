// src/nn/dense.h — the dense-layer math of the neural-network stages: affine layers forward and
// backward as GEMMs, element-wise activations and their derivatives, softmax with cross-entropy.
// One small interface, float and double, so that the stages (MultilayerPerceptronClassifier
// today, a mini-batch trainer later) share it and another back-end (cuBLAS) can replace the CPU
// one behind it. Internal (td_nn): "nn/dense.h". No Eigen type appears here; the implementation
// (nn/dense.cc) maps the raw arrays onto Eigen matrices.
//
// Layout (Spark's ml.ann): a batch of n samples of width m is an m×n column-major matrix, one
// sample per column; an affine layer of `in` inputs and `out` outputs has a weight matrix W of
// out×in, column-major, followed by its `out` biases b.
#pragma once

#include <cstdint>
#include <string_view>

namespace td::nn {

/// An element-wise activation (softmax: per column).
enum class Activation { kLinear, kSigmoid, kTanh, kRelu, kSoftmax };

/// The activation named `name` (linear, sigmoid, tanh, relu, softmax); throws ParamError else.
Activation activationFromName(std::string_view name);
/// The name of `a`.
std::string_view toString(Activation a);

/// Y (out×n) = W (out×in) · X (in×n) + b·1ᵀ.
template <class T>
void affineForward(const T* W, const T* b, std::int64_t out, std::int64_t in, const T* X,
                   std::int64_t n, T* Y);

/// dX (in×n) = Wᵀ · dY (out×n): the delta passed to the layer below.
template <class T>
void affineBackward(const T* W, std::int64_t out, std::int64_t in, const T* dY, std::int64_t n,
                    T* dX);

/// gW (out×in) += scale · dY · Xᵀ and gb (out) += scale · dY · 1: the gradient of the weights
/// (and biases) of an affine layer, added into the running sums.
template <class T>
void affineGradient(const T* dY, std::int64_t out, const T* X, std::int64_t in, std::int64_t n,
                    T scale, T* gW, T* gb);

/// Z (rows×n) := f(Z) in place; softmax normalises each column (max-shifted, as Spark's
/// Utils.softmax).
template <class T>
void activate(Activation a, T* Z, std::int64_t rows, std::int64_t n);

/// delta ⊙= f'(·) written in terms of the activation's output A (sigmoid: A(1−A); tanh: 1−A²;
/// relu: A > 0; linear: 1). Softmax is only used with its cross-entropy loss, which gives its
/// delta directly (softmaxCrossEntropy); passing kSoftmax throws.
template <class T>
void activationBackward(Activation a, const T* A, T* delta, std::int64_t rows, std::int64_t n);

/// Softmax cross-entropy of the logits Z (k×n) against class indices labels[0..n): writes the
/// probabilities into P (k×n; P may be Z) and P − onehot(label) into delta (k×n; may be P),
/// and returns Σ_j −log p_{label_j, j} computed as log-sum-exp − z_label (finite even when a
/// probability underflows to 0).
template <class T>
double softmaxCrossEntropy(const T* Z, const std::int32_t* labels, std::int64_t k, std::int64_t n,
                           T* P, T* delta);

/// Softmax cross-entropy of the logits Z (k×n) against target distributions Y (k×n, e.g.
/// one-hot rows; any non-negative weights): returns Σ_j Σ_i −y_ij log p_ij (as y·(lse − z), finite
/// when a probability underflows) and writes scale · ∂/∂Z = scale · (p·Σ_i y_ij − y) into dZ
/// (k×n; may alias Z after use: Z is read before dZ is written, column by column).
template <class T>
double softmaxCrossEntropyTargets(const T* Z, const T* Y, std::int64_t k, std::int64_t n, T scale,
                                  T* dZ);

/// Sigmoid cross-entropy of the logits Z (k×n) against targets Y in [0, 1] (TensorFlow's
/// sigmoid_cross_entropy_with_logits: max(z, 0) − z·y + log(1 + e^−|z|), element-wise): returns
/// the sum and writes scale · (σ(z) − y) into dZ (may alias Z).
template <class T>
double sigmoidCrossEntropy(const T* Z, const T* Y, std::int64_t k, std::int64_t n, T scale, T* dZ);

/// Squared error of the outputs A (k×n) against Y: returns Σ (a − y)² and writes
/// scale · 2(a − y) into dA (may alias A).
template <class T>
double squaredError(const T* A, const T* Y, std::int64_t k, std::int64_t n, T scale, T* dA);

namespace detail {
/// Throws ParamError: a dense layer's GEMM has a matrix of 2^31 values or more (out×in weights,
/// in×n inputs or out×n outputs).
[[noreturn]] void throwLayerTooLarge(std::int64_t out, std::int64_t in, std::int64_t n);
}  // namespace detail

}  // namespace td::nn
