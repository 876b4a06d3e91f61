// src/nn/dense_gemm.cc — the GEMMs of nn/dense.h (affine layers forward and backward) on Eigen,
// over mapped column-major arrays. With TD_NATIVE_KERNELS this file alone is compiled for the
// build machine's CPU (-march=native: AVX-512/AVX2 + FMA GEMM kernels, about twice the speed of
// the baseline x86-64 SSE2 ones). So that the linker can never swap these Eigen instantiations
// with another file's baseline ones (or hand ours to another file), it includes no library
// header but Eigen and nn/dense.h, and it builds Eigen with a 32-bit Index type
// (EIGEN_DEFAULT_DENSE_INDEX_TYPE=int, set here before Eigen is included): every Eigen template
// instantiated here then has a mangled name no other file uses (they use std::ptrdiff_t).
// Network layers are far below 2^31 values, and callers pass sizes that fit (checked by the
// network's construction: every layer's W has out·in < 2^31 values, batches < 2^31 / width).
// Eigen's GEMM packs its operands into blocking buffers on every call; above this limit they
// come from malloc, and a fresh buffer of a few hundred KiB per call costs page faults at every
// mini-batch (glibc hands big blocks back to the kernel). Up to 1 MiB they live on the stack
// (TBB's and the main thread's stacks are 4 MiB and more); above, Eigen still falls back to malloc.
#define EIGEN_STACK_ALLOCATION_LIMIT (1 << 20)
#define EIGEN_DEFAULT_DENSE_INDEX_TYPE int
#include <Eigen/Core>
#include <climits>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "nn/dense.h"

namespace td::nn {

namespace {

template <class T>
using Mat = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::ColMajor>;
template <class T>
using Vec = Eigen::Matrix<T, Eigen::Dynamic, 1>;
template <class T>
using MapM = Eigen::Map<Mat<T>>;
template <class T>
using CMapM = Eigen::Map<const Mat<T>>;
template <class T>
using MapV = Eigen::Map<Vec<T>>;
template <class T>
using CMapV = Eigen::Map<const Vec<T>>;

using Index = Eigen::Index;
static_assert(sizeof(Index) == 4, "dense_gemm.cc must build Eigen with a 32-bit Index");

// The three matrices of a layer's GEMM (out×in, in×n, out×n) must each hold < 2^31 values.
[[gnu::cold, gnu::noinline]] void tooLarge(std::int64_t out, std::int64_t in, std::int64_t n) {
  throw std::length_error("nn: a dense layer of " + std::to_string(out) + " x " +
                          std::to_string(in) + " over a batch of " + std::to_string(n) +
                          " has a matrix of 2^31 values or more");
}
inline void checkSize(std::int64_t out, std::int64_t in, std::int64_t n) {
  if (out * in > INT_MAX || in * n > INT_MAX || out * n > INT_MAX) tooLarge(out, in, n);
}

}  // namespace

template <class T>
void affineForward(const T* W, const T* b, std::int64_t out, std::int64_t in, const T* X,
                   std::int64_t n, T* Y) {
  checkSize(out, in, n);
  MapM<T> y(Y, static_cast<Index>(out), static_cast<Index>(n));
  const CMapM<T> w(W, static_cast<Index>(out), static_cast<Index>(in));
  const CMapM<T> x(X, static_cast<Index>(in), static_cast<Index>(n));
  const CMapV<T> bias(b, static_cast<Index>(out));
  // As Spark's AffineLayerModel.eval: the biases first, then Y += W·X.
  y.colwise() = bias;
  y.noalias() += w * x;
}

template <class T>
void affineBackward(const T* W, std::int64_t out, std::int64_t in, const T* dY, std::int64_t n,
                    T* dX) {
  checkSize(out, in, n);
  MapM<T> dx(dX, static_cast<Index>(in), static_cast<Index>(n));
  const CMapM<T> w(W, static_cast<Index>(out), static_cast<Index>(in));
  const CMapM<T> dy(dY, static_cast<Index>(out), static_cast<Index>(n));
  dx.noalias() = w.transpose() * dy;
}

template <class T>
void affineGradient(const T* dY, std::int64_t out, const T* X, std::int64_t in, std::int64_t n,
                    T scale, T* gW, T* gb) {
  checkSize(out, in, n);
  MapM<T> gw(gW, static_cast<Index>(out), static_cast<Index>(in));
  MapV<T> gbias(gb, static_cast<Index>(out));
  const CMapM<T> dy(dY, static_cast<Index>(out), static_cast<Index>(n));
  const CMapM<T> x(X, static_cast<Index>(in), static_cast<Index>(n));
  gw.noalias() += scale * (dy * x.transpose());
  // Row sums in a fixed order (a plain loop: Eigen's rowwise().sum() may vectorize differently
  // with the alignment of the buffer).
  for (std::int64_t j = 0; j < n; ++j) {
    const T* col = dY + j * out;
    for (std::int64_t i = 0; i < out; ++i) gb[i] += scale * col[i];
  }
}

#define TD_NN_INSTANTIATE(T)                                                                    \
  template void affineForward<T>(const T*, const T*, std::int64_t, std::int64_t, const T*,       \
                                 std::int64_t, T*);                                              \
  template void affineBackward<T>(const T*, std::int64_t, std::int64_t, const T*, std::int64_t, \
                                  T*);                                                           \
  template void affineGradient<T>(const T*, std::int64_t, const T*, std::int64_t, std::int64_t, \
                                  T, T*, T*);
TD_NN_INSTANTIATE(float)
TD_NN_INSTANTIATE(double)
#undef TD_NN_INSTANTIATE

}  // namespace td::nn
