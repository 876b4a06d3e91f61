// src/glm/multinomial.cc
#include "glm/multinomial.h"

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <limits>

#include "glm/multinomial_kernels.h"
#include "thunderdome/core/parallel.h"

namespace td::glm {

namespace {
constexpr std::int64_t kBlock = 2048;  // rows per block of the row passes (a task; 30 on 60,000 rows)
// Dense: rows per step within a block. Both products of a step read its rows while they are in
// the L2 cache (Eigen packs each operand of a product: on a block of thousands of rows that
// copy, made twice per evaluation, costs more than the arithmetic).
constexpr std::int64_t kStep = 64;
constexpr std::int64_t kColBlock = 256;        // compact columns per block of the sparse Xᵀr
constexpr std::int64_t kMaxDenseFeatures = 4096;
// Dense matrices of at least this many values are stored and multiplied in float32 (twice the
// values per vector instruction, half the bytes); margins, the softmax, losses and the
// gradient's sums over steps stay in double.
constexpr std::int64_t kSingleMinValues = std::int64_t{1} << 22;
constexpr std::int64_t kFlushSteps = 16;  // float: steps summed in float before the double sum
// float32 storage: rows of cc chunks of 16 floats, 64-byte aligned (the kernels' layout,
// multinomial_kernels.h; a plain struct: a GCC vector type's alignment depends on the target)
struct alignas(64) V16 {
  float v[16];
  float& operator[](int i) { return v[i]; }
  float operator[](int i) const { return v[i]; }
};
// ... or, when every value is an integer 0..255 (pixels, counts), the raw values as bytes:
// a quarter of the memory traffic of a pass, the scaling applied to the coefficients instead.
struct alignas(16) B16 {
  std::uint8_t v[16];
};
using kernels::kLanes;

using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
}  // namespace

// ---------------------------------------------------------------- problem
std::vector<double> MultinomialProblem::l1Weights(double l1, bool standardization) const {
  std::vector<double> out;
  if (!(l1 > 0.0) || k() == 0) return out;
  out.assign(static_cast<std::size_t>(dim()), 0.0);
  for (std::int64_t c = 0; c < k(); ++c)
    for (int j = 0; j < K; ++j)
      out[static_cast<std::size_t>(c * K + j)] =
          l1 * (standardization ? 1.0 : scaling.invStd[static_cast<std::size_t>(c)]);
  return out;
}

std::vector<double> MultinomialProblem::toCompact(const std::vector<double>& coef,
                                                  const std::vector<double>& b,
                                                  std::int64_t d) const {
  std::vector<double> z(static_cast<std::size_t>(dim()), 0.0);
  for (std::int64_t c = 0; c < k(); ++c) {
    const auto cu = static_cast<std::size_t>(c);
    for (int j = 0; j < K; ++j)
      z[static_cast<std::size_t>(c * K + j)] =
          coef[static_cast<std::size_t>(j * d + stats.active[cu])] * stats.sigma[cu];
  }
  if (scaling.fitIntercept) {
    for (int j = 0; j < K; ++j) {
      double s = 0.0;
      for (std::int64_t c = 0; c < k(); ++c)
        s += z[static_cast<std::size_t>(c * K + j)] * scaling.scaledMean[static_cast<std::size_t>(c)];
      z[static_cast<std::size_t>(k() * K + j)] = b[static_cast<std::size_t>(j)] + s;
    }
  }
  return z;
}

std::vector<double> MultinomialProblem::coefficientMatrix(const std::vector<double>& z,
                                                          std::int64_t d) const {
  std::vector<double> coef(static_cast<std::size_t>(K * d), 0.0);
  for (std::int64_t c = 0; c < k(); ++c) {
    const auto cu = static_cast<std::size_t>(c);
    for (int j = 0; j < K; ++j)
      coef[static_cast<std::size_t>(j * d + stats.active[cu])] =
          z[static_cast<std::size_t>(c * K + j)] * scaling.invStd[cu];
  }
  return coef;
}

std::vector<double> MultinomialProblem::intercepts(const std::vector<double>& z) const {
  std::vector<double> b(static_cast<std::size_t>(K), 0.0);
  if (!scaling.fitIntercept) return b;
  for (int j = 0; j < K; ++j) {
    double s = 0.0;
    for (std::int64_t c = 0; c < k(); ++c)
      s += z[static_cast<std::size_t>(c * K + j)] * scaling.scaledMean[static_cast<std::size_t>(c)];
    b[static_cast<std::size_t>(j)] = z[static_cast<std::size_t>(k() * K + j)] - s;
  }
  return b;
}

// ---------------------------------------------------------------- objective
struct MultinomialObjective::Data {
  bool dense = true;
  bool single = false;                  // dense: stored in float32 (Xv), else X
  RowMatrix X;                          // dense: n × k, (x − μ)/σ (centred only with intercept)
  std::vector<V16> Xv;                  // float32: n rows of cc chunks (zero padded)
  bool bytes = false;                   // float32 products on raw values stored as bytes (Xb)
  std::vector<B16> Xb;
  std::int64_t cc = 0;
  // sparse: the original rows (margins) and a compact column-major copy (gradient)
  const VectorColumn* rows = nullptr;
  std::vector<std::int32_t> compactOf;  // original index → compact column (−1: inactive)
  std::vector<std::int64_t> colPtr;
  std::vector<std::int32_t> colRow;
  std::vector<double> colVal;           // x/σ
  // per row block: K residual sums and the loss; dense: the block's k×K Xᵀr
  std::vector<double> blockResid, blockLoss;
  std::vector<RowMatrix> blockGrad;
  RowMatrix R;                          // sparse: n × K residuals
  std::vector<double> offset;           // K margins' offsets of the current point
};

MultinomialObjective::~MultinomialObjective() = default;

MultinomialObjective::MultinomialObjective(const MultinomialProblem& p, const VectorColumn& X)
    : p_(p), data_(std::make_unique<Data>()) {
  Data& D = *data_;
  const std::int64_t n = p.n, k = p.k();
  const Scaling& s = p.scaling;
  const std::int64_t blocks = parallel::numBlocks(n, kBlock);
  D.blockResid.assign(static_cast<std::size_t>(blocks * p.K), 0.0);
  D.blockLoss.assign(static_cast<std::size_t>(blocks), 0.0);
  D.offset.assign(static_cast<std::size_t>(p.K), 0.0);
  const std::int64_t d = p.d;  // X.dim() may be 0 on an empty shard
  const double storedShare =
      n * d > 0 ? static_cast<double>(X.isDense() ? n * d : X.numStored()) /
                      (static_cast<double>(n) * static_cast<double>(d))
                : 0.0;
  // The layout, agreed by the ranks: dense if any rank's rows are; float32 when the whole
  // matrix (every rank's rows) is large.
  double layout[2] = {(n > 0 && X.isDense()) || (k <= kMaxDenseFeatures && storedShare >= 1.0 / 3.0)
                          ? 1.0
                          : 0.0,
                      static_cast<double>(n)};
  s.red.max(layout, 1);
  s.red.sum(layout + 1, 1);
  D.dense = layout[0] > 0.0;
  if (D.dense) {
    D.single = layout[1] * static_cast<double>(k) >= static_cast<double>(kSingleMinValues);
    D.cc = (k + kLanes - 1) / kLanes;
    std::vector<std::int32_t> compactOf(static_cast<std::size_t>(d), -1);
    for (std::int64_t c = 0; c < k; ++c) compactOf[static_cast<std::size_t>(p.stats.active[static_cast<std::size_t>(c)])] = static_cast<std::int32_t>(c);
    if (D.single) {
      // Bytes when every value of an active feature is an integer 0..255 (on every rank).
      std::vector<char> blockBytes(static_cast<std::size_t>(parallel::numBlocks(n, kBlock)), 1);
      parallel::forBlocks(n, kBlock, [&](std::int64_t b, std::int64_t begin, std::int64_t end) {
        bool ok = true;
        for (std::int64_t i = begin; i < end && ok; ++i) {
          const VectorView v = X[i];
          for (std::int64_t q = 0; q < v.nnz; ++q) {
            const double x = v.values[q];
            if (compactOf[static_cast<std::size_t>(v.indices ? v.indices[q] : q)] >= 0 &&
                !(x >= 0.0 && x <= 255.0 && x == std::floor(x)))
              ok = false;
          }
        }
        blockBytes[static_cast<std::size_t>(b)] = ok ? 1 : 0;
      });
      double notBytes = 0.0;
      for (char ok : blockBytes) notBytes = ok ? notBytes : 1.0;
      s.red.max(&notBytes, 1);
      D.bytes = notBytes == 0.0;
    }
    if (D.bytes) {
      D.Xb.assign(static_cast<std::size_t>(n * D.cc), B16{});
      parallel::forBlocks(n, kBlock, [&](std::int64_t, std::int64_t begin, std::int64_t end) {
        for (std::int64_t i = begin; i < end; ++i) {
          const VectorView v = X[i];
          for (std::int64_t q = 0; q < v.nnz; ++q) {
            const std::int32_t c = compactOf[static_cast<std::size_t>(v.indices ? v.indices[q] : q)];
            if (c >= 0)
              D.Xb[static_cast<std::size_t>(i * D.cc + c / kLanes)].v[c % kLanes] =
                  static_cast<std::uint8_t>(v.values[q]);
          }
        }
      });
      D.blockGrad.assign(static_cast<std::size_t>(blocks), RowMatrix::Zero(k, p.K));
      return;
    }
    if (D.single) D.Xv.assign(static_cast<std::size_t>(n * D.cc), V16{});
    else D.X.resize(n, k);
    parallel::forBlocks(n, kBlock, [&](std::int64_t, std::int64_t begin, std::int64_t end) {
      std::vector<double> row(static_cast<std::size_t>(k));
      for (std::int64_t i = begin; i < end; ++i) {
        for (std::int64_t c = 0; c < k; ++c) row[static_cast<std::size_t>(c)] = -s.scaledMean[static_cast<std::size_t>(c)];
        const VectorView v = X[i];
        for (std::int64_t q = 0; q < v.nnz; ++q) {
          const std::int32_t c = compactOf[static_cast<std::size_t>(v.indices ? v.indices[q] : q)];
          if (c >= 0) row[static_cast<std::size_t>(c)] += v.values[q] * s.invStd[static_cast<std::size_t>(c)];
        }
        if (D.single)
          for (std::int64_t c = 0; c < k; ++c)
            D.Xv[static_cast<std::size_t>(i * D.cc + c / kLanes)][c % kLanes] =
                static_cast<float>(row[static_cast<std::size_t>(c)]);
        else
          std::copy(row.begin(), row.end(), D.X.data() + i * k);
      }
    });
    D.blockGrad.assign(static_cast<std::size_t>(blocks), RowMatrix::Zero(k, p.K));
    return;
  }
  D.rows = &X;
  D.compactOf.assign(static_cast<std::size_t>(d), -1);
  for (std::int64_t c = 0; c < k; ++c)
    D.compactOf[static_cast<std::size_t>(p.stats.active[static_cast<std::size_t>(c)])] =
        static_cast<std::int32_t>(c);
  // Column-major copy of the active entries (rows ascending within a column): count, scatter.
  D.colPtr.assign(static_cast<std::size_t>(k + 1), 0);
  for (std::int64_t i = 0; i < n; ++i) {
    const VectorView v = X[i];
    for (std::int64_t q = 0; q < v.nnz; ++q) {
      const std::int32_t c = D.compactOf[static_cast<std::size_t>(v.indices[q])];
      if (c >= 0) ++D.colPtr[static_cast<std::size_t>(c + 1)];
    }
  }
  for (std::int64_t c = 0; c < k; ++c)
    D.colPtr[static_cast<std::size_t>(c + 1)] += D.colPtr[static_cast<std::size_t>(c)];
  std::vector<std::int64_t> fill(D.colPtr.begin(), D.colPtr.end() - 1);
  D.colRow.resize(static_cast<std::size_t>(D.colPtr.back()));
  D.colVal.resize(static_cast<std::size_t>(D.colPtr.back()));
  for (std::int64_t i = 0; i < n; ++i) {
    const VectorView v = X[i];
    for (std::int64_t q = 0; q < v.nnz; ++q) {
      const std::int32_t c = D.compactOf[static_cast<std::size_t>(v.indices[q])];
      if (c < 0) continue;
      const auto at = static_cast<std::size_t>(fill[static_cast<std::size_t>(c)]++);
      D.colRow[at] = static_cast<std::int32_t>(i);
      D.colVal[at] = v.values[q] * s.invStd[static_cast<std::size_t>(c)];
    }
  }
  D.R.resize(n, p.K);
}

double MultinomialObjective::operator()(const double* z, double* grad) {
  Data& D = *data_;
  const MultinomialProblem& p = p_;
  const std::int64_t n = p.n, k = p.k();
  const int K = p.K;
  const Scaling& s = p.scaling;
  const double W = p.weightSum;
  const std::int64_t blocks = parallel::numBlocks(n, kBlock);
  const Eigen::Map<const RowMatrix> Z(z, k, K);
  // offset_j = b_j − Σ_c μ̃_c z_cj (dense rows are centred already: b_j; bytes are raw)
  for (int j = 0; j < K; ++j) {
    double off = s.fitIntercept ? z[k * K + j] : 0.0;
    if ((!D.dense || D.bytes) && s.fitIntercept)
      for (std::int64_t c = 0; c < k; ++c) off -= s.scaledMean[static_cast<std::size_t>(c)] * z[c * K + j];
    D.offset[static_cast<std::size_t>(j)] = off;
  }
  const double* y = p.y;
  const double* w = p.w;
  // Softmax of one row's margins m (K values, in place → residuals); returns w·loss.
  auto softmaxRow = [&](std::int64_t i, double* m, double* residSum) {
    const double wi = w[i];
    if (wi == 0.0) {
      std::fill(m, m + K, 0.0);
      return 0.0;
    }
    double mx = -std::numeric_limits<double>::infinity();
    for (int j = 0; j < K; ++j) mx = std::max(mx, m[j]);
    const int yi = static_cast<int>(y[i]);
    const double my = m[yi];
    double sum = 0.0;
    for (int j = 0; j < K; ++j) sum += (m[j] = std::exp(m[j] - mx));
    const double inv = 1.0 / sum;
    for (int j = 0; j < K; ++j) {
      const double r = wi * (m[j] * inv - (j == yi ? 1.0 : 0.0));
      m[j] = r;
      residSum[j] += r;
    }
    return wi * (mx + std::log(sum) - my);
  };
  const Eigen::Map<const Eigen::RowVectorXd> off(D.offset.data(), K);
  // float32: Zᵀ, one row of cc chunks per class (zero padded), and a zero row for a lone last row
  const std::int64_t cc = D.cc;
  std::vector<V16> Zt;
  if (D.dense && D.single) {
    Zt.assign(static_cast<std::size_t>(K * cc), V16{});
    for (std::int64_t c = 0; c < k; ++c)
      for (int j = 0; j < K; ++j)
        Zt[static_cast<std::size_t>(j * cc + c / kLanes)][c % kLanes] = static_cast<float>(
            D.bytes ? z[c * K + j] * s.invStd[static_cast<std::size_t>(c)] : z[c * K + j]);
  }
  parallel::forBlocks(n, kBlock, [&](std::int64_t b, std::int64_t begin, std::int64_t end) {
    double* rs = D.blockResid.data() + b * K;
    std::fill(rs, rs + K, 0.0);
    double loss = 0.0;
    if (D.dense) {
      RowMatrix& G = D.blockGrad[static_cast<std::size_t>(b)];
      G.setZero();
      if (D.single) {
        const auto Ku = static_cast<std::size_t>(K);
        std::vector<V16> Gt(Ku * static_cast<std::size_t>(cc), V16{});
        std::vector<float> Ms(static_cast<std::size_t>(kStep) * Ku);
        std::vector<double> mbuf(Ku);
        double* m = mbuf.data();
        std::int64_t steps = 0;
        for (std::int64_t s0 = begin; s0 < end; s0 += kStep) {
          const std::int64_t rows = std::min(kStep, end - s0);
          const auto* xs = D.bytes ? nullptr : reinterpret_cast<const float*>(D.Xv.data() + s0 * cc);
          const auto* xb = D.bytes ? reinterpret_cast<const std::uint8_t*>(D.Xb.data() + s0 * cc) : nullptr;
          if (D.bytes)
            kernels::stepMargins(xb, rows, cc, reinterpret_cast<const float*>(Zt.data()), K, Ms.data());
          else
            kernels::stepMargins(xs, rows, cc, reinterpret_cast<const float*>(Zt.data()), K, Ms.data());
          for (std::int64_t r = 0; r < rows; ++r) {
            float* mr = Ms.data() + r * K;
            for (int j = 0; j < K; ++j)
              m[j] = static_cast<double>(mr[j]) + D.offset[static_cast<std::size_t>(j)];
            loss += softmaxRow(s0 + r, m, rs);
            for (int j = 0; j < K; ++j) mr[j] = static_cast<float>(m[j]);
          }
          if (D.bytes)
            kernels::stepGradient(xb, rows, cc, Ms.data(), K, reinterpret_cast<float*>(Gt.data()));
          else
            kernels::stepGradient(xs, rows, cc, Ms.data(), K, reinterpret_cast<float*>(Gt.data()));
          if (++steps % kFlushSteps == 0 || s0 + kStep >= end) {
            for (std::int64_t c = 0; c < k; ++c)
              for (int j = 0; j < K; ++j)
                G(c, j) += static_cast<double>(Gt[static_cast<std::size_t>(j * cc + c / kLanes)][c % kLanes]);
            std::fill(Gt.begin(), Gt.end(), V16{});
          }
        }
        D.blockLoss[static_cast<std::size_t>(b)] = loss;
        return;
      }
      RowMatrix M(kStep, K);
      for (std::int64_t s0 = begin; s0 < end; s0 += kStep) {
        const std::int64_t rows = std::min(kStep, end - s0);
        const auto Xs = D.X.middleRows(s0, rows);
        auto Ms = M.topRows(rows);
        Ms.noalias() = Xs * Z;
        Ms.rowwise() += off;
        for (std::int64_t i = 0; i < rows; ++i) loss += softmaxRow(s0 + i, Ms.row(i).data(), rs);
        G.noalias() += Xs.transpose() * Ms;
      }
    } else {
      for (std::int64_t i = begin; i < end; ++i) {
        double* m = D.R.row(i).data();
        std::copy(D.offset.begin(), D.offset.end(), m);
        const VectorView v = (*D.rows)[i];
        for (std::int64_t q = 0; q < v.nnz; ++q) {
          const std::int32_t c = D.compactOf[static_cast<std::size_t>(v.indices[q])];
          if (c < 0) continue;
          const double x = v.values[q] * s.invStd[static_cast<std::size_t>(c)];
          const double* zc = z + static_cast<std::int64_t>(c) * K;
          for (int j = 0; j < K; ++j) m[j] += x * zc[j];
        }
        loss += softmaxRow(i, m, rs);
      }
    }
    D.blockLoss[static_cast<std::size_t>(b)] = loss;
  });
  // Combine in block order.
  double lossSum = 0.0;
  std::vector<double> residSum(static_cast<std::size_t>(K), 0.0);
  for (std::int64_t b = 0; b < blocks; ++b) {
    lossSum += D.blockLoss[static_cast<std::size_t>(b)];
    for (int j = 0; j < K; ++j) residSum[static_cast<std::size_t>(j)] += D.blockResid[static_cast<std::size_t>(b * K + j)];
  }
  const std::int64_t dim = p.dim();
  std::fill(grad, grad + dim, 0.0);
  if (D.dense) {
    // Columns split into fixed ranges, each summing the blocks in order.
    parallel::forBlocks(k, kColBlock, [&](std::int64_t, std::int64_t c0, std::int64_t c1) {
      for (std::int64_t b = 0; b < blocks; ++b) {
        const RowMatrix& G = D.blockGrad[static_cast<std::size_t>(b)];
        for (std::int64_t c = c0; c < c1; ++c)
          for (int j = 0; j < K; ++j) grad[c * K + j] += G(c, j);
      }
      if (D.bytes)  // raw values: Σ x̃ r = (Σ x r)/σ − μ̃ Σ r
        for (std::int64_t c = c0; c < c1; ++c) {
          const auto cu = static_cast<std::size_t>(c);
          for (int j = 0; j < K; ++j)
            grad[c * K + j] = grad[c * K + j] * s.invStd[cu] -
                              (s.fitIntercept ? s.scaledMean[cu] * residSum[static_cast<std::size_t>(j)] : 0.0);
        }
    });
  } else {
    parallel::forBlocks(k, kColBlock, [&](std::int64_t, std::int64_t c0, std::int64_t c1) {
      for (std::int64_t c = c0; c < c1; ++c) {
        double* g = grad + c * K;
        for (std::int64_t e = D.colPtr[static_cast<std::size_t>(c)];
             e < D.colPtr[static_cast<std::size_t>(c + 1)]; ++e) {
          const double x = D.colVal[static_cast<std::size_t>(e)];
          const double* r = D.R.row(D.colRow[static_cast<std::size_t>(e)]).data();
          for (int j = 0; j < K; ++j) g[j] += x * r[j];
        }
        if (s.fitIntercept) {
          const double mu = s.scaledMean[static_cast<std::size_t>(c)];
          for (int j = 0; j < K; ++j) g[j] -= mu * residSum[static_cast<std::size_t>(j)];
        }
      }
    });
  }
  if (s.fitIntercept)
    for (int j = 0; j < K; ++j) grad[k * K + j] = residSum[static_cast<std::size_t>(j)];
  // Data-parallel: one allreduce of the loss and the unscaled gradient.
  if (s.red.active()) {
    std::vector<double> buf(grad, grad + dim);
    buf.push_back(lossSum);
    s.red.sum(buf.data(), buf.size());
    std::copy(buf.begin(), buf.begin() + dim, grad);
    lossSum = buf.back();
  }
  for (std::int64_t v = 0; v < dim; ++v) grad[v] /= W;
  double value = lossSum / W;
  if (p.l2 != 0.0) {
    double pen = 0.0;
    for (std::int64_t c = 0; c < k; ++c) {
      const double f = s.l2Factor[static_cast<std::size_t>(c)];
      for (int j = 0; j < K; ++j) {
        const double zc = z[c * K + j];
        pen += f * zc * zc;
        grad[c * K + j] += p.l2 * f * zc;
      }
    }
    value += 0.5 * p.l2 * pen;
  }
  return value;
}

}  // namespace td::glm
