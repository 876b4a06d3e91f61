// src/glm/feature_stats.cc
#include "glm/feature_stats.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <span>

#include "thunderdome/core/parallel.h"

namespace td::glm {

void Reducer::sumRounded(double* p, std::size_t n) const {
  if (!active() || n == 0) return;
  const auto R = static_cast<std::size_t>(comm->size());
  std::vector<float> mine(n), all(n * R);
  for (std::size_t i = 0; i < n; ++i) mine[i] = static_cast<float>(p[i]);
  comm->allgatherEqual(std::as_bytes(std::span<const float>(mine)),
                       std::as_writable_bytes(std::span<float>(all)));
  for (std::size_t i = 0; i < n; ++i) p[i] = static_cast<double>(all[i]);
  for (std::size_t r = 1; r < R; ++r)
    for (std::size_t i = 0; i < n; ++i) p[i] += static_cast<double>(all[r * n + i]);
}

double featureSigma(double m2, double storedWeight, double mean, const RowTotals& t) {
  const double zerosWeight = t.weightSum - storedWeight;  // weight of implicit zeros
  const double total = m2 + zerosWeight * mean * mean;
  return std::sqrt(std::max(total / t.denom(), 0.0));
}

FeatureStats rowwiseFeatureStats(const VectorColumn& X, const std::vector<double>& w,
                                 const RowTotals& t, const NonFiniteHandler& nonFinite,
                                 const Reducer& red, std::int64_t dim) {
  const std::int64_t n = X.size();
  const auto du = static_cast<std::size_t>(dim >= 0 ? dim : X.dim());
  const double W = t.weightSum;
  constexpr double kInf = std::numeric_limits<double>::infinity();
  // Fixed parts of the rows (nothing depends on the thread count), each with its own partial
  // sums, combined in part order; as many parts as keep the partials under ~64 MiB.
  constexpr std::int64_t kMinPartRows = 4096;
  const std::int64_t maxParts = std::clamp<std::int64_t>(
      static_cast<std::int64_t>((64.0 * 1024 * 1024 / 48) / static_cast<double>(du + 1)), 1, 16);
  const std::int64_t parts = std::clamp<std::int64_t>(n / kMinPartRows, 1, maxParts);
  const std::int64_t partRows = std::max<std::int64_t>((n + parts - 1) / parts, 1);
  struct Part {
    std::vector<double> sum, nzWeight, lo, hi, m2;
    std::vector<std::int64_t> nzRows;
    std::int64_t badRow = -1, badCol = -1;
    double badValue = 0.0;
  };
  std::vector<Part> part(static_cast<std::size_t>(parts));
  parallel::forBlocks(n, partRows, [&](std::int64_t b, std::int64_t begin, std::int64_t end) {
    Part& q = part[static_cast<std::size_t>(b)];
    q.sum.assign(du, 0.0), q.nzWeight.assign(du, 0.0), q.nzRows.assign(du, 0);
    q.lo.assign(du, kInf), q.hi.assign(du, -kInf);
    for (std::int64_t i = begin; i < end; ++i) {
      const VectorView v = X[i];
      const double wi = w[static_cast<std::size_t>(i)];
      for (std::int64_t p = 0; p < v.nnz; ++p) {
        const double x = v.values[p];
        const auto j = static_cast<std::size_t>(v.indices ? v.indices[p] : p);
        if (!std::isfinite(x) && q.badRow < 0)
          q.badRow = i, q.badCol = static_cast<std::int64_t>(j), q.badValue = x;
        if (wi == 0.0) continue;
        q.sum[j] += wi * x;
        q.nzWeight[j] += wi;
        ++q.nzRows[j];
        q.lo[j] = std::min(q.lo[j], x);
        q.hi[j] = std::max(q.hi[j], x);
      }
    }
  });
  for (const Part& q : part)  // the first non-finite value in row order
    if (q.badRow >= 0) {
      nonFinite(q.badRow, q.badCol, q.badValue);
      break;
    }
  std::vector<double> mean(du, 0.0), m2(du, 0.0), nzWeight(du, 0.0), lo(du, kInf), hi(du, -kInf);
  std::vector<std::int64_t> nzRows(du, 0);
  for (const Part& q : part) {
    if (q.sum.empty()) continue;
    for (std::size_t j = 0; j < du; ++j) {
      mean[j] += q.sum[j], nzWeight[j] += q.nzWeight[j], nzRows[j] += q.nzRows[j];
      lo[j] = std::min(lo[j], q.lo[j]), hi[j] = std::max(hi[j], q.hi[j]);
    }
  }
  if (red.active()) {  // sums and extrema over the ranks
    std::vector<double> rowsStored(nzRows.begin(), nzRows.end());
    red.sum(mean.data(), du);
    red.sum(nzWeight.data(), du);
    red.sum(rowsStored.data(), du);
    for (std::size_t j = 0; j < du; ++j) lo[j] = -lo[j];
    red.max(lo.data(), du);
    red.max(hi.data(), du);
    for (std::size_t j = 0; j < du; ++j) {
      lo[j] = -lo[j];
      nzRows[j] = static_cast<std::int64_t>(rowsStored[j]);
    }
  }
  for (std::size_t j = 0; j < du; ++j) {
    mean[j] /= W;
    if (nzRows[j] < t.positiveRows) {  // implicit zeros (sparse rows)
      lo[j] = std::min(lo[j], 0.0);
      hi[j] = std::max(hi[j], 0.0);
    }
  }
  parallel::forBlocks(n, partRows, [&](std::int64_t b, std::int64_t begin, std::int64_t end) {
    std::vector<double>& acc = part[static_cast<std::size_t>(b)].m2;
    acc.assign(du, 0.0);
    for (std::int64_t i = begin; i < end; ++i) {
      const double wi = w[static_cast<std::size_t>(i)];
      if (wi == 0.0) continue;
      const VectorView v = X[i];
      for (std::int64_t p = 0; p < v.nnz; ++p) {
        const auto j = static_cast<std::size_t>(v.indices ? v.indices[p] : p);
        const double dx = v.values[p] - mean[j];
        acc[j] += wi * dx * dx;
      }
    }
  });
  for (const Part& q : part)
    for (std::size_t j = 0; j < q.m2.size(); ++j) m2[j] += q.m2[j];
  red.sum(m2.data(), du);
  FeatureStats s;
  for (std::size_t j = 0; j < du; ++j) {
    if (!(lo[j] < hi[j]) || !(t.denom() > 0.0)) continue;  // constant feature (or one row)
    const double sd = featureSigma(m2[j], nzWeight[j], mean[j], t);
    if (!(sd > 0.0)) continue;
    s.active.push_back(static_cast<std::int32_t>(j));
    s.mean.push_back(mean[j]);
    s.sigma.push_back(sd);
  }
  return s;
}

template <class I, class V>
void columnStats(const std::vector<std::int64_t>& colPtr, const std::vector<I>& rows,
                 const std::vector<V>& vals, const std::vector<double>& count,
                 const std::vector<double>& w, const RowTotals& t, const Reducer& red,
                 std::vector<double>& mean, std::vector<double>& sigma) {
  const std::size_t cols = count.size();
  const double W = t.weightSum;
  // Per column: Σ w x, Σ w, −min, max (then summed / maximised over the ranks).
  std::vector<double> sum(cols, 0.0), nzWeight(cols, 0.0), negLo(cols), hi(cols), m2(cols, 0.0);
  for (std::size_t c = 0; c < cols; ++c) {
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
  red.sum(sum.data(), cols);
  red.sum(nzWeight.data(), cols);
  red.max(negLo.data(), cols);
  red.max(hi.data(), cols);
  std::vector<char> varies(cols, 0);
  for (std::size_t c = 0; c < cols; ++c) {
    const double mu = sum[c] / W;
    double lo = -negLo[c], h = hi[c];
    if (count[c] < static_cast<double>(t.positiveRows)) {  // implicit zeros
      lo = std::min(lo, 0.0);
      h = std::max(h, 0.0);
    }
    if (!(lo < h) || !(t.denom() > 0.0)) continue;  // constant feature (or one row)
    varies[c] = 1;
    const auto pb = static_cast<std::size_t>(colPtr[c]);
    const auto pe = static_cast<std::size_t>(colPtr[c + 1]);
    double acc = 0.0;
    for (std::size_t p = pb; p < pe; ++p) {
      const double dx = static_cast<double>(vals[p]) - mu;
      acc += w[static_cast<std::size_t>(rows[p])] * dx * dx;
    }
    m2[c] = acc;
  }
  red.sum(m2.data(), cols);
  mean.assign(cols, 0.0);
  sigma.assign(cols, 0.0);
  for (std::size_t c = 0; c < cols; ++c) {
    mean[c] = sum[c] / W;
    if (varies[c]) sigma[c] = featureSigma(m2[c], nzWeight[c], mean[c], t);
  }
}

#define TD_GLM_COLUMN_STATS(I, V)                                                               \
  template void columnStats<I, V>(const std::vector<std::int64_t>&, const std::vector<I>&,      \
                                  const std::vector<V>&, const std::vector<double>&,            \
                                  const std::vector<double>&, const RowTotals&, const Reducer&, \
                                  std::vector<double>&, std::vector<double>&);
TD_GLM_COLUMN_STATS(std::uint16_t, float)
TD_GLM_COLUMN_STATS(std::uint16_t, double)
TD_GLM_COLUMN_STATS(std::int32_t, float)
TD_GLM_COLUMN_STATS(std::int32_t, double)
#undef TD_GLM_COLUMN_STATS

}  // namespace td::glm
