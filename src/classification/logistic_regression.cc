// src/classification/logistic_regression.cc
#include "thunderdome/classification/logistic_regression.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <utility>

#include "thunderdome/core/error.h"
#include "thunderdome/core/parallel.h"
#include "thunderdome/core/shared_params.h"
#include "thunderdome/dist/communicator.h"
#include "thunderdome/optim/lbfgs.h"
#include "thunderdome/optim/newton.h"

namespace td {

namespace {

// Fixed block sizes: results never depend on the number of threads.
constexpr std::int64_t kDenseRowBlock = 512;   // dense: rows per block of the fused pass
constexpr std::int64_t kRowBlock = 2048;       // sparse: rows per block of the loss pass
constexpr std::int64_t kColBlockNnz = 1 << 16;  // sparse: entries per column block (Xᵀr)
constexpr std::int64_t kTransformBlock = 4096;

// A number as Spark prints it in messages: 2.0, 0.5, -1.0, NaN, Infinity.
std::string num(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  std::string s = fmt::format("{}", v);
  if (s.find_first_of(".eE") == std::string::npos) s += ".0";
  return s;
}

// Numerically stable logistic function; exact 0/1 at ∓inf.
inline double sigmoid(double m) {
  if (m >= 0.0) return 1.0 / (1.0 + std::exp(-m));
  const double e = std::exp(m);
  return e / (1.0 + e);
}

// log(1 + e^z) without overflow.
inline double softplus(double z) {
  return z > 0.0 ? z + std::log1p(std::exp(-z)) : std::log1p(std::exp(z));
}

// Logistic loss of margin m for label y ∈ {0, 1}.
inline double logLoss(double y, double m) { return y > 0.5 ? softplus(-m) : softplus(m); }

std::string optionalString(const Params& p, std::string_view name) {
  return p.isDefined(name) ? p.getString(name) : std::string();
}

// Checks that `name` exists in `input` and is bigint or double.
void requireNumeric(const Schema& input, const std::string& who, std::string_view role,
                    const std::string& name) {
  const int i = input.indexOf(name);
  if (i < 0)
    throw ColumnError(fmt::format("{}: {} column '{}' does not exist (available: {})", who, role,
                                  name, input.names()));
  const DataType t = input.fields()[static_cast<std::size_t>(i)].type;
  if (t != DataType::kDouble && t != DataType::kInt64)
    throw ColumnError(fmt::format("{}: {} column '{}' must be numeric (bigint or double) but is {}",
                                  who, role, name, toString(t)));
}

// Checks the features column and appends the (non-empty) output columns to `input`.
Schema outputSchema(const Params& p, const Schema& input) {
  const std::string who = p.describe();
  input.requireType(who, p.getString("featuresCol"), DataType::kVector);
  Schema out = input;
  const std::pair<const char*, DataType> outputs[] = {{"rawPredictionCol", DataType::kVector},
                                                      {"probabilityCol", DataType::kVector},
                                                      {"predictionCol", DataType::kDouble}};
  for (const auto& [param, type] : outputs) {
    const std::string name = optionalString(p, param);
    if (name.empty()) continue;
    out.requireAbsent(who, name);
    out = out.with(Field{name, type});
  }
  return out;
}

// Sums (and maxima) over the ranks of a data-parallel fit; does nothing within one process.
struct Reducer {
  dist::Communicator* comm = nullptr;
  [[nodiscard]] bool active() const { return comm != nullptr && comm->size() > 1; }
  void sum(double* p, std::size_t n) const {
    if (active() && n > 0) comm->allreduceSum({p, n});
  }
  void max(double* p, std::size_t n) const {
    if (active() && n > 0) comm->allreduceMax({p, n});
  }
};

// The training problem in the compact, scaled space: variables z = [w̃ (k values), b'], where
// w̃_c = σ_j·w_j for the c-th feature j with σ_j > 0, and (when fitting an intercept) the
// features are virtually centred: margin = Σ_c w̃_c (x_j/σ_j − μ_j/σ_j) + b'.
struct ProblemBase {
  std::int64_t n = 0;  // rows
  std::int64_t k = 0;  // active (non-constant) features
  bool fitIntercept = true;
  const double* y = nullptr;
  const double* w = nullptr;
  double weightSum = 0.0;
  double l2 = 0.0;                  // λ(1−α)
  std::vector<std::int32_t> active;  // original index of compact feature c
  std::vector<double> sigma;         // σ_j per compact feature
  std::vector<double> invStd;        // 1/σ_j per compact feature
  std::vector<double> scaledMean;    // μ_j/σ_j per compact feature (0 without centring)
  std::vector<double> l2Factor;      // 1 (standardization) or 1/σ_j² per compact feature
  Reducer red;                       // data-parallel: this rank holds a shard of the rows

  [[nodiscard]] std::int64_t dim() const { return k + (fitIntercept ? 1 : 0); }

  // Offset added to every margin: b' − Σ_c w̃_c μ_c/σ_c (or 0 without intercept).
  [[nodiscard]] double offset(const double* z) const {
    if (!fitIntercept) return 0.0;
    double s = 0.0;
    for (std::int64_t c = 0; c < k; ++c) s += z[c] * scaledMean[static_cast<std::size_t>(c)];
    return z[k] - s;
  }
};

// Dense features: one fused pass over the rows per evaluation (margins, loss and the per-block
// partial gradients), evaluated at every trial point of the line search.
struct DenseProblem : ProblemBase {
  std::int64_t d = 0;  // original dimension
  const VectorColumn* X = nullptr;
  std::vector<double> beta;          // coefficients in the original space
  std::vector<double> partialGrad;   // per-block Xᵀr over the original dimension
  std::vector<double> partialLoss;   // per block Σ w_i ℓ_i
  std::vector<double> partialResid;  // per block Σ r_i

  void prepare() {
    const auto blocks = static_cast<std::size_t>(parallel::numBlocks(n, kDenseRowBlock));
    partialLoss.assign(blocks, 0.0);
    partialResid.assign(blocks, 0.0);
    beta.assign(static_cast<std::size_t>(d), 0.0);
    partialGrad.assign(blocks * static_cast<std::size_t>(d), 0.0);
  }

  // Smooth objective (mean log-loss + L2) and its gradient at z.
  double operator()(const double* z, double* grad) {
    const double off = offset(z);
    const double W = weightSum;
    const std::int64_t blocks = parallel::numBlocks(n, kDenseRowBlock);
    double lossSum = 0.0, residSum = 0.0;
    std::fill(beta.begin(), beta.end(), 0.0);
    for (std::int64_t c = 0; c < k; ++c)
      beta[static_cast<std::size_t>(active[static_cast<std::size_t>(c)])] =
          z[c] * invStd[static_cast<std::size_t>(c)];
    const double* bp = beta.data();
    const double* xv = X->values().data();
    const std::int64_t dd = d;
    parallel::forBlocks(n, kDenseRowBlock,
                        [&](std::int64_t b, std::int64_t begin, std::int64_t end) {
      double* g = partialGrad.data() + b * dd;
      std::fill(g, g + dd, 0.0);
      double loss = 0.0, rs = 0.0;
      for (std::int64_t i = begin; i < end; ++i) {
        const double* xi = xv + i * dd;
        double m = off;
        for (std::int64_t j = 0; j < dd; ++j) m += xi[j] * bp[j];
        const double wi = w[i];
        if (wi == 0.0) continue;
        const double yi = y[i];
        loss += wi * logLoss(yi, m);
        const double r = wi * (sigmoid(m) - yi);
        rs += r;
        for (std::int64_t j = 0; j < dd; ++j) g[j] += r * xi[j];
      }
      partialLoss[static_cast<std::size_t>(b)] = loss;
      partialResid[static_cast<std::size_t>(b)] = rs;
    });
    for (std::int64_t b = 0; b < blocks; ++b) {
      lossSum += partialLoss[static_cast<std::size_t>(b)];
      residSum += partialResid[static_cast<std::size_t>(b)];
    }
    const double meanResid = residSum / W;
    for (std::int64_t c = 0; c < k; ++c) {
      const auto j = static_cast<std::size_t>(active[static_cast<std::size_t>(c)]);
      double s = 0.0;
      for (std::int64_t b = 0; b < blocks; ++b)
        s += partialGrad[static_cast<std::size_t>(b) * static_cast<std::size_t>(dd) + j];
      grad[c] = s * invStd[static_cast<std::size_t>(c)] / W -
                scaledMean[static_cast<std::size_t>(c)] * meanResid;
    }
    double value = lossSum / W;
    if (l2 != 0.0) {
      double pen = 0.0;
      for (std::int64_t c = 0; c < k; ++c) {
        const double f = l2Factor[static_cast<std::size_t>(c)];
        pen += f * z[c] * z[c];
        grad[c] += l2 * f * z[c];
      }
      value += 0.5 * l2 * pen;
    }
    if (fitIntercept) grad[k] = residSum / W;
    return value;
  }
};

// Sparse features, as a LineObjective. The compact matrix (rows of weight 0 left out) is stored
// column-major for X̃ᵀr and, with at most 65,536 columns, also row-major for X̃·v (a gather from
// a cache-resident vector; wider, X̃·v scatters fixed column blocks into per-block margins). The
// values are the raw ones — X̃ = X·diag(1/σ) is applied per column — as float when every value
// is exactly a float (term counts are), with 16-bit indices where they fit: 6 bytes per entry
// instead of 12, as both products stream the whole matrix. The margins m = X̃·z + offset are
// kept with the current point; a line search computes q = X̃·d + offset(d) once, after which
// each trial step costs O(rows): m + t·q. Accepting a step costs one X̃ᵀr pass. The L2 term
// along the line is the quadratic A + 2tB + t²C. Every sum runs in an order fixed by the data
// (columns in fixed blocks of about kColBlockNnz entries, rows in blocks of kRowBlock, partial
// results combined in block order): nothing depends on the number of threads.
struct SparseProblem final : ProblemBase, optim::NewtonObjective {
  std::vector<std::int64_t> colPtr;
  std::vector<std::uint16_t> row16;  // row indices when rows16
  std::vector<std::int32_t> row32;   // otherwise
  std::vector<float> val32;          // raw values when vals32
  std::vector<double> val64;         // otherwise
  bool rows16 = false, vals32 = false;
  std::vector<std::int64_t> blockStart;  // column block b is [blockStart[b], blockStart[b+1])
  // Row-major copy (when useRows): 16-bit column indices, values as in the columns.
  std::vector<std::int64_t> rowPtr;
  std::vector<std::uint16_t> col16;
  std::vector<float> rval32;
  std::vector<double> rval64, scaled;  // scaled: v ⊙ 1/σ for the row-major product
  bool useRows = false;

  template <class V>
  void buildRows(const VectorColumn& X, const std::vector<double>& wt,
                 const std::vector<std::int32_t>& colOf, std::int64_t columns,
                 const std::vector<V>& csc) {
    useRows = columns <= 65536;
    if (!useRows) return;
    const std::int64_t rows = X.size();
    rowPtr.assign(static_cast<std::size_t>(rows) + 1, 0);
    col16.resize(csc.size());
    std::vector<V>& rv = [&]() -> std::vector<V>& {
      if constexpr (std::is_same_v<V, float>) return rval32;
      else return rval64;
    }();
    rv.resize(csc.size());
    std::size_t q = 0;
    for (std::int64_t i = 0; i < rows; ++i) {
      if (wt[static_cast<std::size_t>(i)] > 0.0) {
        const VectorView v = X[i];  // rows, not the CSR arrays: a fold view is not copied
        for (std::int64_t p = 0; p < v.nnz; ++p) {
          const std::int32_t c = colOf[static_cast<std::size_t>(v.indices[p])];
          if (c < 0) continue;
          col16[q] = static_cast<std::uint16_t>(c);
          rv[q] = static_cast<V>(v.values[p]);
          ++q;
        }
      }
      rowPtr[static_cast<std::size_t>(i) + 1] = static_cast<std::int64_t>(q);
    }
    scaled.assign(static_cast<std::size_t>(columns), 0.0);
  }

  // out_i = Σ_p val·a[col] + off over the rows [i0, i1); four partial sums per row.
  template <class V>
  static void multiplyRows(const std::int64_t* __restrict rp, const std::uint16_t* __restrict ci,
                           const V* __restrict rv, const double* __restrict a, double off,
                           std::int64_t i0, std::int64_t i1, double* __restrict out) {
    for (std::int64_t i = i0; i < i1; ++i) {
      double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
      std::int64_t p = rp[i];
      const std::int64_t pe = rp[i + 1];
      for (; p + 4 <= pe; p += 4) {
        s0 += static_cast<double>(rv[p]) * a[ci[p]];
        s1 += static_cast<double>(rv[p + 1]) * a[ci[p + 1]];
        s2 += static_cast<double>(rv[p + 2]) * a[ci[p + 2]];
        s3 += static_cast<double>(rv[p + 3]) * a[ci[p + 3]];
      }
      if (p < pe) s0 += static_cast<double>(rv[p]) * a[ci[p]];
      if (p + 1 < pe) s1 += static_cast<double>(rv[p + 1]) * a[ci[p + 1]];
      if (p + 2 < pe) s2 += static_cast<double>(rv[p + 2]) * a[ci[p + 2]];
      out[i] = ((s0 + s1) + (s2 + s3)) + off;
    }
  }

  // State: margins of the current point, q and the trial margins of the line, residuals.
  std::vector<double> m, q, mt, r;
  std::vector<double> partialMargins;  // per column block but the first: n margins
  std::vector<double> blockSums;       // per column block: 3 scalars
  std::vector<double> rowSums;         // per row block: 3 scalars
  double pen = 0.0;                    // Σ f_c z_c² at the current point
  double lineB = 0.0, lineC = 0.0;     // Σ f x d, Σ f d²
  double lastT = 0.0, lastValue = 0.0, lastResidSum = 0.0;
  bool haveLast = false;

  // Calls f(rowIndices, values) with the typed arrays.
  template <class F>
  void withMatrix(F&& f) const {
    if (rows16) {
      if (vals32) f(row16.data(), val32.data());
      else f(row16.data(), val64.data());
    } else {
      if (vals32) f(row32.data(), val32.data());
      else f(row32.data(), val64.data());
    }
  }

  void prepare() {
    // Column blocks of about kColBlockNnz entries: the parallel grain of the column passes.
    blockStart.assign(1, 0);
    std::int64_t acc = 0;
    for (std::int64_t c = 0; c < k; ++c) {
      acc += colPtr[static_cast<std::size_t>(c) + 1] - colPtr[static_cast<std::size_t>(c)];
      if (acc >= kColBlockNnz && c + 1 < k) {
        blockStart.push_back(c + 1);
        acc = 0;
      }
    }
    blockStart.push_back(k);
    const auto nu = static_cast<std::size_t>(n);
    const std::size_t blocks = blockStart.size() - 1;
    m.assign(nu, 0.0);
    q.assign(nu, 0.0);
    mt.assign(nu, 0.0);
    r.assign(nu, 0.0);
    if (!useRows) partialMargins.assign((blocks - 1) * nu, 0.0);
    blockSums.assign(3 * blocks, 0.0);
    rowSums.assign(3 * static_cast<std::size_t>(parallel::numBlocks(n, kRowBlock)), 0.0);
  }

  // P += X̃·a over the columns [c0, c1) (P of n values, zeroed by the caller); sums = [Σ a μ̃,
  // Σ f a b, Σ f a a] over those columns.
  template <class I, class V>
  static void multiplyColumns(const std::int64_t* __restrict cp, const I* __restrict ri,
                              const V* __restrict cv, const double* __restrict inv,
                              const double* __restrict lf, const double* __restrict mu,
                              const double* __restrict a, const double* __restrict b,
                              std::int64_t c0, std::int64_t c1, double* __restrict P,
                              double* __restrict sums) {
    double sMu = 0.0, sAB = 0.0, sAA = 0.0;
    for (std::int64_t c = c0; c < c1; ++c) {
      const double ac = a[c];
      if (ac == 0.0) continue;
      const double fa = lf[c] * ac;
      sMu += ac * mu[c];
      sAB += fa * b[c];
      sAA += fa * ac;
      const double sc = ac * inv[c];
      const std::int64_t pe = cp[c + 1];
      for (std::int64_t p = cp[c]; p < pe; ++p) P[ri[p]] += static_cast<double>(cv[p]) * sc;
    }
    sums[0] = sMu, sums[1] = sAB, sums[2] = sAA;
  }

  // out = X̃·a + offset(a); with b (may equal a): returns Σ f a b in fab, Σ f a a in faa.
  void multiply(const double* a, const double* b, double* out, double& fab, double& faa) {
    if (useRows) {
      multiplyByRows(a, b, out, fab, faa);
      return;
    }
    const auto nu = static_cast<std::size_t>(n);
    const auto blocks = static_cast<std::int64_t>(blockStart.size()) - 1;
    withMatrix([&](const auto* ri, const auto* cv) {
      parallel::forBlocks(blocks, 1, [&](std::int64_t blk, std::int64_t, std::int64_t) {
        double* P = blk == 0 ? out : partialMargins.data() + static_cast<std::size_t>(blk - 1) * nu;
        std::fill(P, P + nu, 0.0);
        multiplyColumns(colPtr.data(), ri, cv, invStd.data(), l2Factor.data(), scaledMean.data(),
                        a, b, blockStart[static_cast<std::size_t>(blk)],
                        blockStart[static_cast<std::size_t>(blk) + 1], P,
                        blockSums.data() + 3 * blk);
      });
    });
    double sMu = 0.0;
    fab = 0.0, faa = 0.0;
    if (red.active()) {
      // The column blocks follow this rank's entries: sum in an order every rank shares.
      sMu = columnSums(a, b, fab, faa);
    } else {
      for (std::int64_t blk = 0; blk < blocks; ++blk) {
        const double* s = blockSums.data() + 3 * blk;
        sMu += s[0], fab += s[1], faa += s[2];
      }
    }
    const double off = fitIntercept ? a[k] - sMu : 0.0;
    const double* P = partialMargins.data();
    parallel::forBlocks(n, kRowBlock, [&](std::int64_t, std::int64_t begin, std::int64_t end) {
      for (std::int64_t i = begin; i < end; ++i) {
        double v = out[i];
        for (std::int64_t blk = 1; blk < blocks; ++blk)
          v += P[static_cast<std::size_t>(blk - 1) * nu + static_cast<std::size_t>(i)];
        out[i] = v + off;
      }
    });
  }

  // Σ a μ̃ (returned), Σ f a b and Σ f a a over all columns, in an order fixed by k alone (four
  // lanes, c ≡ l mod 4): the same bits on every rank of a data-parallel fit.
  double columnSums(const double* a, const double* b, double& fab, double& faa) const {
    double sMu[4] = {}, sAB[4] = {}, sAA[4] = {};
    const double* lf = l2Factor.data();
    const double* mu = scaledMean.data();
    auto lane = [&](std::int64_t c, int l) {
      const double ac = a[c];
      const double fa = lf[c] * ac;
      sMu[l] += ac * mu[c];
      sAB[l] += fa * b[c];
      sAA[l] += fa * ac;
    };
    std::int64_t c = 0;
    for (; c + 4 <= k; c += 4)
      for (int l = 0; l < 4; ++l) lane(c + l, l);
    for (int l = 0; c + l < k; ++l) lane(c + l, l);
    fab = (sAB[0] + sAB[1]) + (sAB[2] + sAB[3]);
    faa = (sAA[0] + sAA[1]) + (sAA[2] + sAA[3]);
    return (sMu[0] + sMu[1]) + (sMu[2] + sMu[3]);
  }

  void multiplyByRows(const double* a, const double* b, double* out, double& fab, double& faa) {
    const double sMu = columnSums(a, b, fab, faa);
    const double* inv = invStd.data();
    double* as = scaled.data();
    for (std::int64_t c = 0; c < k; ++c) as[c] = a[c] * inv[c];
    const double off = fitIntercept ? a[k] - sMu : 0.0;
    parallel::forBlocks(n, kRowBlock, [&](std::int64_t, std::int64_t begin, std::int64_t end) {
      if (vals32)
        multiplyRows(rowPtr.data(), col16.data(), rval32.data(), as, off, begin, end, out);
      else
        multiplyRows(rowPtr.data(), col16.data(), rval64.data(), as, off, begin, end, out);
    });
  }

  // Loss and residuals at margins mm (= m + t·q when lineQ, else m): fills r; returns
  // Σ w ℓ and writes Σ r and Σ r q.
  double rowPass(const double* mBase, double t, bool line, double* mOut, double& residSum,
                 double& slopeSum) {
    const std::int64_t blocks = parallel::numBlocks(n, kRowBlock);
    parallel::forBlocks(n, kRowBlock, [&](std::int64_t blk, std::int64_t begin, std::int64_t end) {
      double loss = 0.0, rs = 0.0, rq = 0.0;
      for (std::int64_t i = begin; i < end; ++i) {
        const auto iu = static_cast<std::size_t>(i);
        const double mi = line ? mBase[i] + t * q[iu] : mBase[i];
        if (line) mOut[i] = mi;
        const double wi = w[i];
        if (wi == 0.0) {
          r[iu] = 0.0;
          continue;
        }
        // One exponential for both the loss and σ: e = exp(−|m|).
        const double e = std::exp(-std::abs(mi));
        const double l1pe = std::log1p(e);
        const double yi = y[i];
        const double z = yi > 0.5 ? -mi : mi;  // loss = softplus(z)
        loss += wi * (z > 0.0 ? z + l1pe : l1pe);
        const double sig = mi >= 0.0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
        const double ri = wi * (sig - yi);
        r[iu] = ri;
        rs += ri;
        if (line) rq += ri * q[iu];
      }
      double* s = rowSums.data() + 3 * blk;
      s[0] = loss, s[1] = rs, s[2] = rq;
    });
    double lossSum = 0.0;
    residSum = 0.0, slopeSum = 0.0;
    for (std::int64_t blk = 0; blk < blocks; ++blk) {
      const double* s = rowSums.data() + 3 * blk;
      lossSum += s[0], residSum += s[1], slopeSum += s[2];
    }
    if (red.active()) {
      double t[3] = {lossSum, residSum, slopeSum};
      red.sum(t, 3);
      lossSum = t[0], residSum = t[1], slopeSum = t[2];
    }
    return lossSum;
  }

  // grad_c = (X̃ᵀr)_c/W − μ̃_c·Σr/W + λ f_c z_c over the columns [c0, c1).
  template <class I, class V>
  static void gradientColumns(const std::int64_t* __restrict cp, const I* __restrict ri,
                              const V* __restrict cv, const double* __restrict rr,
                              const double* __restrict inv, const double* __restrict lf,
                              const double* __restrict mu, const double* __restrict z, double W,
                              double meanResid, double lambda, std::int64_t c0, std::int64_t c1,
                              double* __restrict grad) {
    for (std::int64_t c = c0; c < c1; ++c) {
      // Four partial sums (entries p ≡ 0..3 mod 4 from the column start) break the latency
      // chain of long columns; their order is fixed by the data alone.
      double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
      std::int64_t p = cp[c];
      const std::int64_t pe = cp[c + 1];
      for (; p + 4 <= pe; p += 4) {
        s0 += static_cast<double>(cv[p]) * rr[ri[p]];
        s1 += static_cast<double>(cv[p + 1]) * rr[ri[p + 1]];
        s2 += static_cast<double>(cv[p + 2]) * rr[ri[p + 2]];
        s3 += static_cast<double>(cv[p + 3]) * rr[ri[p + 3]];
      }
      if (p < pe) s0 += static_cast<double>(cv[p]) * rr[ri[p]];
      if (p + 1 < pe) s1 += static_cast<double>(cv[p + 1]) * rr[ri[p + 1]];
      if (p + 2 < pe) s2 += static_cast<double>(cv[p + 2]) * rr[ri[p + 2]];
      const double s = ((s0 + s1) + (s2 + s3)) * inv[c];
      double g = s / W - mu[c] * meanResid;
      if (lambda != 0.0) g += lambda * lf[c] * z[c];
      grad[c] = g;
    }
  }

  // grad = X̃ᵀr/W − μ̃·Σr/W + λ f z (and Σr/W for the intercept).
  void gradient(const double* z, double residSum, double* grad) {
    gradientOf(r.data(), z, residSum, grad);
  }

  // The same pass with the residuals rr in place of r.
  // residSum is the sum over every rank's rows.
  void gradientOf(const double* rr, const double* z, double residSum, double* grad) {
    const double W = weightSum;
    const double meanResid = residSum / W;
    const bool shards = red.active();  // then: local X̃ᵀr/W, summed, then the rest
    const auto blocks = static_cast<std::int64_t>(blockStart.size()) - 1;
    withMatrix([&](const auto* ri, const auto* cv) {
      parallel::forBlocks(blocks, 1, [&](std::int64_t blk, std::int64_t, std::int64_t) {
        gradientColumns(colPtr.data(), ri, cv, rr, invStd.data(), l2Factor.data(),
                        scaledMean.data(), z, W, shards ? 0.0 : meanResid, shards ? 0.0 : l2,
                        blockStart[static_cast<std::size_t>(blk)],
                        blockStart[static_cast<std::size_t>(blk) + 1], grad);
      });
    });
    if (shards) {
      red.sum(grad, static_cast<std::size_t>(k));
      for (std::int64_t c = 0; c < k; ++c) {
        const auto cu = static_cast<std::size_t>(c);
        grad[c] += -scaledMean[cu] * meanResid + (l2 != 0.0 ? l2 * l2Factor[cu] * z[c] : 0.0);
      }
    }
    if (fitIntercept) grad[k] = meanResid;
  }

  double evaluate(const double* z, double* grad) override {
    double faa = 0.0, fab = 0.0;
    multiply(z, z, m.data(), fab, faa);
    pen = faa;
    double residSum = 0.0, slope = 0.0;
    const double lossSum = rowPass(m.data(), 0.0, false, nullptr, residSum, slope);
    gradient(z, residSum, grad);
    haveLast = false;
    haveCurvature = false;
    return lossSum / weightSum + (l2 != 0.0 ? 0.5 * l2 * pen : 0.0);
  }

  void beginLine(const double* x, const double* d) override {
    multiply(d, x, q.data(), lineB, lineC);
    haveLast = false;
  }

  [[nodiscard]] double penaltyAt(double t) const { return pen + t * (2.0 * lineB + t * lineC); }

  double lineValue(double t, double* slope) override {
    double residSum = 0.0, rq = 0.0;
    const double lossSum = rowPass(m.data(), t, true, mt.data(), residSum, rq);
    double value = lossSum / weightSum;
    double s = rq / weightSum;
    if (l2 != 0.0) {
      value += 0.5 * l2 * penaltyAt(t);
      s += l2 * (lineB + t * lineC);
    }
    *slope = s;
    lastT = t;
    lastValue = value;
    lastResidSum = residSum;
    haveLast = true;
    return value;
  }

  double acceptStep(double t, const double* xNew, double* grad) override {
    if (!haveLast || t != lastT) {
      double slope = 0.0;
      (void)lineValue(t, &slope);
    }
    std::swap(m, mt);
    pen = penaltyAt(t);
    gradient(xNew, lastResidSum, grad);
    haveLast = false;
    haveCurvature = false;
    return lastValue;
  }

  // ---- second order (the Newton solver): H = Ãᵀ D Ã / W + λ·diag(f), Ã = [X̃ − 1μ̃ᵀ, 1],
  // D_i = w_i σ(m_i)(1 − σ(m_i)) at the current margins.
  std::vector<double> curv, hu;  // D per row; scratch of n values
  double curvSum = 0.0;          // Σ D
  bool haveCurvature = false;

  void ensureCurvature() {
    if (haveCurvature) return;
    const auto nu = static_cast<std::size_t>(n);
    curv.resize(nu);
    hu.resize(nu);
    const std::int64_t blocks = parallel::numBlocks(n, kRowBlock);
    parallel::forBlocks(n, kRowBlock, [&](std::int64_t blk, std::int64_t begin, std::int64_t end) {
      double sum = 0.0;
      for (std::int64_t i = begin; i < end; ++i) {
        const double p = sigmoid(m[static_cast<std::size_t>(i)]);
        const double di = w[i] * p * (1.0 - p);
        curv[static_cast<std::size_t>(i)] = di;
        sum += di;
      }
      rowSums[3 * static_cast<std::size_t>(blk)] = sum;
    });
    curvSum = 0.0;
    for (std::int64_t blk = 0; blk < blocks; ++blk) curvSum += rowSums[3 * static_cast<std::size_t>(blk)];
    red.sum(&curvSum, 1);
    haveCurvature = true;
  }

  void hessianVector(const double* v, double* out) override {
    ensureCurvature();
    double fab = 0.0, faa = 0.0;
    multiply(v, v, hu.data(), fab, faa);  // hu = Ã·v
    const std::int64_t blocks = parallel::numBlocks(n, kRowBlock);
    parallel::forBlocks(n, kRowBlock, [&](std::int64_t blk, std::int64_t begin, std::int64_t end) {
      double sum = 0.0;
      for (std::int64_t i = begin; i < end; ++i) {
        const auto iu = static_cast<std::size_t>(i);
        hu[iu] *= curv[iu];
        sum += hu[iu];
      }
      rowSums[3 * static_cast<std::size_t>(blk)] = sum;
    });
    double sum = 0.0;
    for (std::int64_t blk = 0; blk < blocks; ++blk) sum += rowSums[3 * static_cast<std::size_t>(blk)];
    red.sum(&sum, 1);
    gradientOf(hu.data(), v, sum, out);  // Ãᵀ(D·Ãv)/W + λ f v
  }

  // diag_c = (Σ D x̃² − 2 μ̃ Σ D x̃ + μ̃² Σ D)/W + λ f_c over the columns [c0, c1).
  template <class I, class V>
  static void diagonalColumns(const std::int64_t* __restrict cp, const I* __restrict ri,
                              const V* __restrict cv, const double* __restrict dd,
                              const double* __restrict inv, const double* __restrict lf,
                              const double* __restrict mu, double dSum, double W, double lambda,
                              std::int64_t c0, std::int64_t c1, double* __restrict out) {
    for (std::int64_t c = c0; c < c1; ++c) {
      double s1 = 0.0, s2 = 0.0;
      const std::int64_t pe = cp[c + 1];
      for (std::int64_t p = cp[c]; p < pe; ++p) {
        const double x = static_cast<double>(cv[p]);
        const double dx = dd[ri[p]] * x;
        s1 += dx * x;
        s2 += dx;
      }
      const double iv = inv[c];
      out[c] = (iv * iv * s1 - 2.0 * mu[c] * iv * s2 + mu[c] * mu[c] * dSum) / W + lambda * lf[c];
    }
  }

  void hessianDiagonal(double* out) override {
    ensureCurvature();
    const bool shards = red.active();  // then: the row sums, summed over ranks, then the rest
    const auto blocks = static_cast<std::int64_t>(blockStart.size()) - 1;
    withMatrix([&](const auto* ri, const auto* cv) {
      parallel::forBlocks(blocks, 1, [&](std::int64_t blk, std::int64_t, std::int64_t) {
        diagonalColumns(colPtr.data(), ri, cv, curv.data(), invStd.data(), l2Factor.data(),
                        scaledMean.data(), shards ? 0.0 : curvSum, weightSum, shards ? 0.0 : l2,
                        blockStart[static_cast<std::size_t>(blk)],
                        blockStart[static_cast<std::size_t>(blk) + 1], out);
      });
    });
    if (shards) {
      red.sum(out, static_cast<std::size_t>(k));
      for (std::int64_t c = 0; c < k; ++c) {
        const auto cu = static_cast<std::size_t>(c);
        out[c] += scaledMean[cu] * scaledMean[cu] * curvSum / weightSum + l2 * l2Factor[cu];
      }
    }
    if (fitIntercept) out[k] = curvSum / weightSum;
  }

  void regularizerDiagonal(double* out) override {
    for (std::int64_t c = 0; c < k; ++c) out[c] = l2 * l2Factor[static_cast<std::size_t>(c)];
  }
};

// The statistics and the compact column-major matrix of sparse features, O(nnz + d) and no
// sort: count the entries of each feature over the rows of positive weight, number the features
// that occur by length then index (a counting sort: the products' inner loops then run over runs
// of equal-length columns, which the branch predictor follows — hashed text at 2^18 has ~100 k
// columns of a few entries each), scatter the entries straight into the compact arrays (rows
// ascending within a column), then the statistics column by column — the same sums in the same
// order as a row-wise pass — keeping, in place, the columns with σ > 0. I is the row index type,
// V the value type (float only when every value is exactly a float).
template <class I, class V>
void buildColumns(const VectorColumn& X, std::int64_t d, const std::vector<double>& w, double W,
                  double denom,
                  std::int64_t positiveRows, const Reducer& red, std::vector<std::int64_t>& colPtr,
                  std::vector<I>& rows, std::vector<V>& vals, std::vector<std::int32_t>& active,
                  std::vector<double>& activeMean, std::vector<double>& activeSigma,
                  std::vector<std::int32_t>& colOf) {
  // Data-parallel (red.active()): positiveRows, W and denom are over every rank's rows; the
  // column order and statistics come from counts and sums over the ranks, so every rank numbers
  // the same features the same way while storing only its own rows.
  const bool shards = red.active();
  const std::int64_t n = X.size();  // d: the dimension over all ranks (an empty shard's may be 0)
  // Rows are read through X[i], not the CSR arrays: a fold (a row view) is never copied.
  std::vector<std::int32_t> slot(static_cast<std::size_t>(d), 0);  // count, then column
  for (std::int64_t i = 0; i < n; ++i) {
    if (!(w[static_cast<std::size_t>(i)] > 0.0)) continue;
    const VectorView v = X[i];
    for (std::int64_t p = 0; p < v.nnz; ++p) ++slot[static_cast<std::size_t>(v.indices[p])];
  }
  std::vector<double> total;  // counts over the ranks (data-parallel only)
  if (shards) {
    total.assign(slot.begin(), slot.end());
    red.sum(total.data(), total.size());
  }
  auto key = [&](std::int64_t j) {
    return shards ? static_cast<std::int64_t>(total[static_cast<std::size_t>(j)])
                  : static_cast<std::int64_t>(slot[static_cast<std::size_t>(j)]);
  };
  std::vector<std::int64_t> lengthStart(static_cast<std::size_t>(positiveRows) + 2, 0);
  for (std::int64_t j = 0; j < d; ++j) ++lengthStart[static_cast<std::size_t>(key(j)) + 1];
  lengthStart[1] = 0;  // features that never occur get no column
  for (std::size_t len = 1; len + 1 < lengthStart.size(); ++len)
    lengthStart[len + 1] += lengthStart[len];
  const auto kSeen = static_cast<std::size_t>(lengthStart.back());
  std::vector<std::int32_t> seen(kSeen);  // original index of provisional column c
  std::vector<double> count(kSeen);       // entries of column c over all rows
  colPtr.assign(kSeen + 1, 0);
  for (std::int64_t j = 0; j < d; ++j) {
    auto& s = slot[static_cast<std::size_t>(j)];
    const std::int64_t kj = key(j);
    if (kj == 0) {
      s = -1;
      continue;
    }
    const auto c = static_cast<std::size_t>(lengthStart[static_cast<std::size_t>(kj)]++);
    colPtr[c + 1] = s;
    count[c] = static_cast<double>(kj);
    s = static_cast<std::int32_t>(c);
    seen[c] = static_cast<std::int32_t>(j);
  }
  for (std::size_t c = 0; c < kSeen; ++c) colPtr[c + 1] += colPtr[c];
  rows.resize(static_cast<std::size_t>(colPtr.back()));
  vals.resize(rows.size());
  {
    std::vector<std::int64_t> cursor(colPtr.begin(), colPtr.end() - 1);
    for (std::int64_t i = 0; i < n; ++i) {
      if (!(w[static_cast<std::size_t>(i)] > 0.0)) continue;
      const VectorView v = X[i];
      for (std::int64_t p = 0; p < v.nnz; ++p) {
        const auto at = static_cast<std::size_t>(
            cursor[static_cast<std::size_t>(slot[static_cast<std::size_t>(v.indices[p])])]++);
        rows[at] = static_cast<I>(i);
        vals[at] = static_cast<V>(v.values[p]);
      }
    }
  }
  // Per column: Σ w x, Σ w, −min, max (then summed / maximised over the ranks).
  std::vector<double> sum(kSeen, 0.0), nzWeight(kSeen, 0.0), negLo(kSeen), hi(kSeen), m2(kSeen, 0.0);
  for (std::size_t c = 0; c < kSeen; ++c) {
    const auto pb = static_cast<std::size_t>(colPtr[c]);
    const auto pe = static_cast<std::size_t>(colPtr[c + 1]);
    double sm = 0.0, nw = 0.0;
    double lo = std::numeric_limits<double>::infinity(), h = -lo;
    for (std::size_t p = pb; p < pe; ++p) {
      const double wi = w[static_cast<std::size_t>(rows[p])];
      const double x = vals[p];
      sm += wi * x;
      nw += wi;
      lo = std::min(lo, x);
      h = std::max(h, x);
    }
    sum[c] = sm, nzWeight[c] = nw, negLo[c] = -lo, hi[c] = h;
  }
  red.sum(sum.data(), kSeen);
  red.sum(nzWeight.data(), kSeen);
  red.max(negLo.data(), kSeen);
  red.max(hi.data(), kSeen);
  std::vector<char> varies(kSeen, 0);
  for (std::size_t c = 0; c < kSeen; ++c) {
    const double mean = sum[c] / W;
    double lo = -negLo[c], h = hi[c];
    if (count[c] < static_cast<double>(positiveRows)) {  // implicit zeros
      lo = std::min(lo, 0.0);
      h = std::max(h, 0.0);
    }
    if (!(lo < h) || !(denom > 0.0)) continue;  // constant feature (or one row)
    varies[c] = 1;
    const auto pb = static_cast<std::size_t>(colPtr[c]);
    const auto pe = static_cast<std::size_t>(colPtr[c + 1]);
    double acc = 0.0;
    for (std::size_t p = pb; p < pe; ++p) {
      const double dx = static_cast<double>(vals[p]) - mean;
      acc += w[static_cast<std::size_t>(rows[p])] * dx * dx;
    }
    m2[c] = acc;
  }
  red.sum(m2.data(), kSeen);
  std::vector<std::int32_t> finalOf(kSeen, -1);
  std::size_t out = 0;
  std::int64_t outPtr = 0;
  for (std::size_t c = 0; c < kSeen; ++c) {
    if (!varies[c]) continue;
    const auto pb = static_cast<std::size_t>(colPtr[c]);
    const auto pe = static_cast<std::size_t>(colPtr[c + 1]);
    const double mean = sum[c] / W;
    const double zerosWeight = W - nzWeight[c];  // weight of implicit zeros
    const double tot = m2[c] + zerosWeight * mean * mean;
    const double s = std::sqrt(std::max(tot / denom, 0.0));
    if (!(s > 0.0)) continue;
    finalOf[c] = static_cast<std::int32_t>(out);
    active.push_back(seen[c]);
    activeMean.push_back(mean);
    activeSigma.push_back(s);
    if (static_cast<std::int64_t>(pb) != outPtr) {  // a column was dropped before: move down
      std::copy(rows.begin() + static_cast<std::ptrdiff_t>(pb),
                rows.begin() + static_cast<std::ptrdiff_t>(pe),
                rows.begin() + outPtr);
      std::copy(vals.begin() + static_cast<std::ptrdiff_t>(pb),
                vals.begin() + static_cast<std::ptrdiff_t>(pe),
                vals.begin() + outPtr);
    }
    outPtr += static_cast<std::int64_t>(pe - pb);
    colPtr[++out] = outPtr;  // out <= c: overwrites only bounds already read
  }
  colPtr.resize(out + 1);
  rows.resize(static_cast<std::size_t>(outPtr));
  vals.resize(static_cast<std::size_t>(outPtr));
  for (auto& v : slot) v = v < 0 ? -1 : finalOf[static_cast<std::size_t>(v)];
  colOf = std::move(slot);
}

// The compact sparse training matrix and the active features' statistics built from one
// training frame (identified by its columns): a warm-started fit on the same frame (the next
// regParam of a path) copies it instead of rebuilding it.
struct SparseBuild {
  // The frame's columns, held: their identity is the key (no other column can take their place).
  ColumnPtr features, labels, weights;
  std::int64_t rows = 0;
  const void* comm = nullptr;
  bool rows16 = false, vals32 = false, useRows = false;
  std::vector<std::int64_t> colPtr, rowPtr;
  std::vector<std::uint16_t> row16, col16;
  std::vector<std::int32_t> row32, active;
  std::vector<float> val32, rval32;
  std::vector<double> val64, rval64, activeMean, activeSigma;

  [[nodiscard]] bool matches(const SparseBuild& key) const {
    return features == key.features && labels == key.labels && weights == key.weights &&
           rows == key.rows && comm == key.comm;
  }
};

// A dense vector column as a sparse one (zeros left out): the same vectors.
std::shared_ptr<VectorColumn> toSparse(const VectorColumn& X) {
  std::vector<std::int64_t> offsets{0};
  std::vector<std::int32_t> indices;
  std::vector<double> values;
  offsets.reserve(static_cast<std::size_t>(X.size()) + 1);
  for (std::int64_t i = 0; i < X.size(); ++i) {
    const VectorView v = X[i];
    for (std::int64_t p = 0; p < v.nnz; ++p) {
      if (v.values[p] == 0.0) continue;
      indices.push_back(static_cast<std::int32_t>(v.indices ? v.indices[p] : p));
      values.push_back(v.values[p]);
    }
    offsets.push_back(static_cast<std::int64_t>(indices.size()));
  }
  return VectorColumn::sparse(X.dim(), std::move(offsets), std::move(indices), std::move(values));
}

}  // namespace

// ---------------------------------------------------------------- LogisticRegression
LogisticRegression::LogisticRegression() : LogisticRegression(randomUid(kUidPrefix)) {}

LogisticRegression::LogisticRegression(std::string uid) : Estimator(std::move(uid), schema()) {}

Schema LogisticRegression::transformSchema(const Schema& input) const {
  const std::string who = describe();
  input.requireType(who, getString("featuresCol"), DataType::kVector);
  requireNumeric(input, who, "label", getString("labelCol"));
  const std::string weightCol = optionalString(*this, "weightCol");
  if (!weightCol.empty()) requireNumeric(input, who, "weight", weightCol);
  return outputSchema(*this, input);
}

std::shared_ptr<Model> LogisticRegression::fitImpl(const Frame& data, const Context& ctx) const {
  // Data-parallel fits (ctx.dataParallel): `data` is this rank's shard; sums span ctx.comm.
  const std::shared_ptr<dist::Communicator> comm_ = ctx.isDataParallel() ? ctx.comm : nullptr;
  const std::string who = describe();
  const std::string featuresCol = getString("featuresCol");
  const std::string labelCol = getString("labelCol");
  const std::string weightCol = optionalString(*this, "weightCol");
  const double regParam = getRegParam();
  const double alpha = getElasticNetParam();
  const bool fitIntercept = getFitIntercept();
  const bool standardization = getStandardization();

  Reducer red{comm_.get()};
  const bool shards = red.active();  // data-parallel: `data` is this rank's shard
  // Data-parallel fits take the sparse path (which sums over ranks); dense rows are re-coded.
  std::shared_ptr<VectorColumn> recoded;
  if (shards && data.col<VectorColumn>(featuresCol).isDense())
    recoded = toSparse(data.col<VectorColumn>(featuresCol));
  const auto& X = recoded ? *recoded : data.col<VectorColumn>(featuresCol);
  const std::int64_t n = data.numRows();
  std::int64_t d = X.dim();
  // An error found on values summed over the ranks is found by every rank alike: thrown as a
  // DistributedError there, so that no rank reports it as its own failure.
  auto shared = [&](const DataError& e) -> DataError {
    if (shards) throw dist::DistributedError(e.code(), e.what());
    return e;
  };

  auto nonFinite = [&](std::int64_t i, std::int64_t j, double x) {
    return DataError(fmt::format(
        "{}: features column '{}' has a non-finite value {} at row {} (feature index {})", who,
        featuresCol, num(x), i, j));
  };

  // ---- labels, weights and features: validation and weighted statistics (one serial pass).
  // Data-parallel: each rank checks its shard, then the ranks agree (a failure on one rank
  // stops every rank with its message before anything is summed).
  const std::vector<double> y = data.numeric(labelCol);
  const std::vector<double> w =
      weightCol.empty() ? std::vector<double>(static_cast<std::size_t>(n), 1.0)
                        : data.numeric(weightCol);
  double W = 0.0, W2 = 0.0, W1 = 0.0;
  std::int64_t positiveRows = 0;  // rows with weight > 0
  bool floats = true;             // sparse: every value is exactly a float
  auto checkShard = [&] {
  for (std::int64_t i = 0; i < n; ++i) {
    const double yi = y[static_cast<std::size_t>(i)];
    if (!(yi == 0.0 || yi == 1.0))
      throw DataError(fmt::format(
          "{}: label column '{}' has invalid value {} at row {}: binomial labels must be 0.0 or "
          "1.0",
          who, labelCol, num(yi), i));
    const double wi = w[static_cast<std::size_t>(i)];
    if (!(wi >= 0.0) || !std::isfinite(wi))
      throw DataError(fmt::format(
          "{}: weight column '{}' has invalid value {} at row {}: weights must be finite and "
          ">= 0",
          who, weightCol, num(wi), i));
    W += wi;
    W2 += wi * wi;
    if (yi == 1.0) W1 += wi;
    if (wi > 0.0) ++positiveRows;
  }
  if (!X.isDense()) {
    for (std::int64_t i = 0; i < n; ++i) {
      const VectorView row = X[i];
      for (std::int64_t p = 0; p < row.nnz; ++p) {
        const double v = row.values[p];
        if (!std::isfinite(v)) throw nonFinite(i, row.indices[p], v);
        floats = floats && static_cast<double>(static_cast<float>(v)) == v;
      }
    }
  }
  };
  if (shards) {
    std::exception_ptr local;
    try {
      checkShard();
    } catch (...) {
      local = std::current_exception();
    }
    dist::agreeOnErrors(*comm_, local);
    // Every non-empty shard must have the same feature dimension (empty ones take it).
    const double inf = std::numeric_limits<double>::infinity();
    double dims[2] = {n > 0 ? static_cast<double>(d) : -inf, n > 0 ? -static_cast<double>(d) : -inf};
    red.max(dims, 2);
    if (dims[0] != -dims[1] && dims[0] > -inf)
      throw shared(DataError(fmt::format(
          "{}: data-parallel ranks disagree on the dimension of features column '{}': between "
          "{} and {} over the ranks; give every shard the same numFeatures",
          who, featuresCol, -dims[1], dims[0])));
    if (dims[0] > -inf) d = static_cast<std::int64_t>(dims[0]);
  } else {
    checkShard();
  }
  double totalRows = static_cast<double>(n);
  red.sum(&totalRows, 1);
  if (totalRows == 0)
    throw shared(DataError(fmt::format("{}: cannot fit on empty training data (features column "
                                       "'{}' has 0 rows{})",
                                       who, featuresCol, shards ? " on every rank" : "")));
  if (shards) {
    double t[4] = {W, W2, W1, static_cast<double>(positiveRows)};
    red.sum(t, 4);
    W = t[0], W2 = t[1], W1 = t[2], positiveRows = static_cast<std::int64_t>(t[3]);
  }
  if (!(W > 0.0))
    throw shared(DataError(fmt::format("{}: the weights in column '{}' sum to 0; nothing to fit",
                                       who, weightCol)));

  // Weighted mean and unbiased variance per feature (Spark's Summarizer: rows of weight 0 are
  // ignored; variance = Σ w (x − μ)² / (W − Σw²/W)). Constant features get σ = 0 exactly.
  // The features with σ > 0 become the compact columns of the problem.
  const double denom = W - W2 / W;
  const bool dense = X.isDense();  // never when data-parallel (re-coded above)
  SparseBuild buildKey;  // the frame a kept or reused sparse build belongs to
  buildKey.features = data.column(featuresCol);  // re-coding a dense shard is deterministic
  buildKey.labels = data.column(labelCol);
  buildKey.weights = weightCol.empty() ? nullptr : data.column(weightCol);
  buildKey.rows = n;
  buildKey.comm = comm_.get();
  std::shared_ptr<const void> kept;  // SparseBuild for the next fit of a path (when asked)
  std::vector<std::int32_t> active;
  std::vector<double> activeMean, activeSigma;
  DenseProblem denseProb;
  SparseProblem sparseProb;  // its matrix is built with the statistics
  if (dense) {
    const auto du = static_cast<std::size_t>(d);
    std::vector<double> mean(du, 0.0), m2(du, 0.0), nzWeight(du, 0.0);
    std::vector<double> lo(du, std::numeric_limits<double>::infinity());
    std::vector<double> hi(du, -std::numeric_limits<double>::infinity());
    std::vector<std::int64_t> nzRows(du, 0);
    for (std::int64_t i = 0; i < n; ++i) {
      const VectorView v = X[i];
      const double wi = w[static_cast<std::size_t>(i)];
      for (std::int64_t p = 0; p < v.nnz; ++p) {
        const double x = v.values[p];
        const auto j = static_cast<std::size_t>(v.indices ? v.indices[p] : p);
        if (!std::isfinite(x)) throw nonFinite(i, static_cast<std::int64_t>(j), x);
        if (wi == 0.0) continue;
        mean[j] += wi * x;
        nzWeight[j] += wi;
        ++nzRows[j];
        lo[j] = std::min(lo[j], x);
        hi[j] = std::max(hi[j], x);
      }
    }
    for (std::size_t j = 0; j < du; ++j) {
      mean[j] /= W;
      if (nzRows[j] < positiveRows) {  // implicit zeros (sparse rows)
        lo[j] = std::min(lo[j], 0.0);
        hi[j] = std::max(hi[j], 0.0);
      }
    }
    for (std::int64_t i = 0; i < n; ++i) {
      const double wi = w[static_cast<std::size_t>(i)];
      if (wi == 0.0) continue;
      const VectorView v = X[i];
      for (std::int64_t p = 0; p < v.nnz; ++p) {
        const auto j = static_cast<std::size_t>(v.indices ? v.indices[p] : p);
        const double dx = v.values[p] - mean[j];
        m2[j] += wi * dx * dx;
      }
    }
    for (std::size_t j = 0; j < du; ++j) {
      if (!(lo[j] < hi[j]) || !(denom > 0.0)) continue;  // constant feature (or one row)
      const double zerosWeight = W - nzWeight[j];          // weight of implicit zeros
      const double total = m2[j] + zerosWeight * mean[j] * mean[j];
      const double s = std::sqrt(std::max(total / denom, 0.0));
      if (!(s > 0.0)) continue;
      active.push_back(static_cast<std::int32_t>(j));
      activeMean.push_back(mean[j]);
      activeSigma.push_back(s);
    }
  } else {
    auto& sp = sparseProb;
    const auto* cached =
        initialModel_ ? static_cast<const SparseBuild*>(initialModel_->warmStartData().get())
                      : nullptr;
    bool reuse = cached && cached->matches(buildKey);  // the previous fit of a path, same frame
    if (shards) {  // every rank reuses, or none does: building sums over the ranks
      double miss = reuse ? 0.0 : 1.0;
      red.max(&miss, 1);
      reuse = miss == 0.0;
    }
    if (reuse) {
      sp.rows16 = cached->rows16, sp.vals32 = cached->vals32, sp.useRows = cached->useRows;
      sp.colPtr = cached->colPtr, sp.rowPtr = cached->rowPtr;
      sp.row16 = cached->row16, sp.col16 = cached->col16, sp.row32 = cached->row32;
      sp.val32 = cached->val32, sp.rval32 = cached->rval32;
      sp.val64 = cached->val64, sp.rval64 = cached->rval64;
      if (sp.useRows) sp.scaled.assign(cached->active.size(), 0.0);
      active = cached->active, activeMean = cached->activeMean, activeSigma = cached->activeSigma;
    } else {
      sp.rows16 = n <= 65536;
      sp.vals32 = floats;
      std::vector<std::int32_t> colOf;
      auto build = [&](auto& rows, auto& vals) {
        buildColumns(X, d, w, W, denom, positiveRows, red, sp.colPtr, rows, vals, active,
                     activeMean, activeSigma, colOf);
        sp.buildRows(X, w, colOf, static_cast<std::int64_t>(active.size()), vals);
      };
      if (sp.rows16) {
        if (sp.vals32) build(sp.row16, sp.val32);
        else build(sp.row16, sp.val64);
      } else {
        if (sp.vals32) build(sp.row32, sp.val32);
        else build(sp.row32, sp.val64);
      }
    }
    if (keepWarmStartData_) {
      auto keep = std::make_shared<SparseBuild>(buildKey);
      keep->rows16 = sp.rows16, keep->vals32 = sp.vals32, keep->useRows = sp.useRows;
      keep->colPtr = sp.colPtr, keep->rowPtr = sp.rowPtr;
      keep->row16 = sp.row16, keep->col16 = sp.col16, keep->row32 = sp.row32;
      keep->val32 = sp.val32, keep->rval32 = sp.rval32;
      keep->val64 = sp.val64, keep->rval64 = sp.rval64;
      keep->active = active, keep->activeMean = activeMean, keep->activeSigma = activeSigma;
      kept = std::move(keep);
    }
  }

  auto makeModel = [&](std::vector<double> coef, double intercept,
                       LogisticRegressionTrainingSummary summary) {
    auto model = std::make_shared<LogisticRegressionModel>(uid(), std::move(coef), intercept);
    for (const auto& [name, value] : userValues()) model->set(name, value);
    model->setSummary(std::move(summary));
    model->setWarmStartData(kept);
    return model;
  };

  // ---- degenerate: a single class with an intercept -> no training (Spark).
  const auto du = static_cast<std::size_t>(d);
  if (fitIntercept && (W1 == 0.0 || W1 == W)) {
    LogisticRegressionTrainingSummary summary;
    summary.objectiveHistory = {0.0};
    summary.totalIterations = 0;
    summary.converged = true;
    const double inf = std::numeric_limits<double>::infinity();
    return makeModel(std::vector<double>(du, 0.0), W1 > 0.0 ? inf : -inf, std::move(summary));
  }

  // ---- the problem in the compact scaled space
  ProblemBase& prob = dense ? static_cast<ProblemBase&>(denseProb) : sparseProb;
  prob.red = red;
  prob.n = n;
  prob.fitIntercept = fitIntercept;
  prob.y = y.data();
  prob.w = w.data();
  prob.weightSum = W;
  prob.l2 = regParam * (1.0 - alpha);
  prob.active = std::move(active);
  prob.sigma = std::move(activeSigma);
  prob.k = static_cast<std::int64_t>(prob.active.size());
  const std::int64_t k = prob.k;
  const auto ku = static_cast<std::size_t>(k);
  prob.invStd.resize(ku);
  prob.scaledMean.resize(ku);
  prob.l2Factor.resize(ku);
  for (std::size_t c = 0; c < ku; ++c) {
    const double s = prob.sigma[c];
    prob.invStd[c] = 1.0 / s;
    prob.scaledMean[c] = fitIntercept ? activeMean[c] / s : 0.0;
    prob.l2Factor[c] = standardization ? 1.0 : 1.0 / (s * s);
  }
  if (dense) {
    denseProb.d = d;
    denseProb.X = &X;
    denseProb.prepare();
  } else {
    sparseProb.prepare();
  }

  // Initial point: zeros and ln(n1/n0), or the initial model when its dimension matches.
  std::vector<double> z0(static_cast<std::size_t>(prob.dim()), 0.0);
  bool warm = false;
  if (initialModel_ && initialModel_->numFeatures() == d) {
    const auto& c0 = initialModel_->coefficients();
    warm = std::all_of(c0.begin(), c0.end(), [](double v) { return std::isfinite(v); }) &&
           (!fitIntercept || std::isfinite(initialModel_->intercept()));
    if (warm) {
      for (std::size_t c = 0; c < ku; ++c)
        z0[c] = c0[static_cast<std::size_t>(prob.active[c])] * prob.sigma[c];
      if (fitIntercept) {
        double s = 0.0;
        for (std::size_t c = 0; c < ku; ++c) s += z0[c] * prob.scaledMean[c];
        z0[ku] = initialModel_->intercept() + s;
      }
    }
  }
  if (!warm && fitIntercept) z0[ku] = std::log(W1 / (W - W1));

  optim::MinimizeOptions options;
  options.maxIter = getMaxIter();
  options.tol = getTol();
  options.historySize = 10;
  if (regParam * alpha > 0.0 && k > 0) {
    options.l1.assign(static_cast<std::size_t>(prob.dim()), 0.0);
    for (std::size_t c = 0; c < ku; ++c)
      options.l1[c] = regParam * alpha * (standardization ? 1.0 : prob.invStd[c]);
  }
  // Newton-CG where it applies: on raw term counts L-BFGS is still far from the optimum after
  // its 100 iterations, while a few Newton steps (each a preconditioned CG solve, every CG step
  // two passes over the data) reach it to the tolerance.
  const bool newton = !dense && options.l1.empty() && getString("solver") == "auto";
  optim::MinimizeResult res;
  std::int64_t cgIterations = 0;
  if (newton) {
    optim::NewtonOptions nopt;
    nopt.maxIter = options.maxIter;
    nopt.tol = options.tol;
    auto nres = optim::minimizeNewton(sparseProb, z0, nopt);
    cgIterations = nres.cgIterations;
    res = std::move(nres);
  } else {
    res = dense ? optim::minimize(
                      [&denseProb](const double* z, double* g) { return denseProb(z, g); }, z0,
                      options)
                : optim::minimize(static_cast<optim::LineObjective&>(sparseProb), z0, options);
  }

  // Back to the original scale.
  std::vector<double> coef(du, 0.0);
  for (std::size_t c = 0; c < ku; ++c)
    coef[static_cast<std::size_t>(prob.active[c])] = res.x[c] * prob.invStd[c];
  const double intercept = fitIntercept ? prob.offset(res.x.data()) : 0.0;

  LogisticRegressionTrainingSummary summary;
  summary.objectiveHistory = res.objectiveHistory;
  summary.totalIterations = res.iterations;
  summary.converged = res.converged;
  summary.totalCgIterations = cgIterations;
  return makeModel(std::move(coef), intercept, std::move(summary));
}

// ---------------------------------------------------------------- LogisticRegressionModel
LogisticRegressionModel::LogisticRegressionModel(std::string uid, std::vector<double> coefficients,
                                                 double intercept)
    : Model(std::move(uid), schema()),
      coefficients_(std::make_shared<const std::vector<double>>(std::move(coefficients))),
      intercept_(intercept) {}

LogisticRegressionModel::LogisticRegressionModel(std::string uid)
    : LogisticRegressionModel(std::move(uid), {}, 0.0) {}

std::vector<StateItem> LogisticRegressionModel::stateSummary() const {
  std::int64_t nnz = 0;
  for (double c : *coefficients_) nnz += c != 0.0;
  return {{"numFeatures", "numFeatures", numFeatures()},
          {"intercept", "intercept", intercept_},
          {"nonZeroCoefficients", "non-zero coefficients", nnz}};
}

void LogisticRegressionModel::saveState(StateWriter& out) const {
  out.putInt("numFeatures", numFeatures());
  out.putInt("numClasses", numClasses());
  out.putDouble("intercept", intercept_);
  out.putArray("coefficients", *coefficients_);
}

void LogisticRegressionModel::loadState(const StateReader& in) {
  auto coef = in.getArray("coefficients");
  const auto d = in.getInt("numFeatures");
  if (static_cast<std::int64_t>(coef.size()) != d)
    in.fail(fmt::format("data/coefficients.f64le holds {} coefficients but numFeatures is {}",
                        coef.size(), d));
  coefficients_ = std::make_shared<const std::vector<double>>(std::move(coef));
  intercept_ = in.getDouble("intercept");
}

double LogisticRegressionModel::margin(const VectorView& x) const {
  if (x.size != numFeatures())
    throw DataError(fmt::format("{}: feature vector has dimension {} but the model expects {}",
                                describe(), x.size, numFeatures()));
  return x.dot(coefficients_->data()) + intercept_;
}

double LogisticRegressionModel::predictProbability(const VectorView& x) const {
  return sigmoid(margin(x));
}

Schema LogisticRegressionModel::transformSchema(const Schema& input) const {
  return outputSchema(*this, input);
}

Frame LogisticRegressionModel::transformImpl(const Frame& input, const Context& /*ctx*/) const {
  const std::string featuresCol = getString("featuresCol");
  const std::string rawCol = optionalString(*this, "rawPredictionCol");
  const std::string probCol = optionalString(*this, "probabilityCol");
  const std::string predCol = optionalString(*this, "predictionCol");
  const double threshold = getDouble("threshold");
  const auto& X = input.col<VectorColumn>(featuresCol);
  if (X.dim() != numFeatures())
    throw DataError(fmt::format(
        "{}: features column '{}' has vectors of dimension {} but the model expects {}",
        describe(), featuresCol, X.dim(), numFeatures()));
  const std::int64_t n = input.numRows();
  const auto nu = static_cast<std::size_t>(n);
  std::vector<double> raw(rawCol.empty() ? 0 : 2 * nu);
  std::vector<double> prob(probCol.empty() ? 0 : 2 * nu);
  std::vector<double> pred(predCol.empty() ? 0 : nu);
  const double* coef = coefficients_->data();
  parallel::forBlocks(n, kTransformBlock, [&](std::int64_t, std::int64_t begin, std::int64_t end) {
    for (std::int64_t i = begin; i < end; ++i) {
      const double m = X[i].dot(coef) + intercept_;
      const double p = sigmoid(m);
      const auto iu = static_cast<std::size_t>(i);
      if (!raw.empty()) raw[2 * iu] = -m, raw[2 * iu + 1] = m;
      if (!prob.empty()) prob[2 * iu] = 1.0 - p, prob[2 * iu + 1] = p;
      if (!pred.empty()) pred[iu] = p > threshold ? 1.0 : 0.0;
    }
  });
  Frame out = input;
  if (!rawCol.empty()) out = out.withColumn(rawCol, VectorColumn::dense(n, 2, std::move(raw)));
  if (!probCol.empty()) out = out.withColumn(probCol, VectorColumn::dense(n, 2, std::move(prob)));
  if (!predCol.empty())
    out = out.withColumn(predCol, std::make_shared<DoubleColumn>(std::move(pred)));
  return out;
}

}  // namespace td
