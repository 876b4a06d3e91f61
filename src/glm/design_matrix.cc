// src/glm/design_matrix.cc
#include "glm/design_matrix.h"

#include <algorithm>
#include <cstring>
#include <type_traits>

#include "glm/sparse_kernels.h"
#include "thunderdome/core/parallel.h"

namespace td::glm {

// ---------------------------------------------------------------- Scaling
Scaling Scaling::make(const FeatureStats& stats, bool fitIntercept, bool standardization,
                      Reducer red) {
  Scaling s;
  s.k = stats.size();
  s.fitIntercept = fitIntercept;
  s.red = red;
  const auto ku = static_cast<std::size_t>(s.k);
  s.invStd.resize(ku);
  s.scaledMean.resize(ku);
  s.l2Factor.resize(ku);
  for (std::size_t c = 0; c < ku; ++c) {
    const double sd = stats.sigma[c];
    s.invStd[c] = 1.0 / sd;
    s.scaledMean[c] = fitIntercept ? stats.mean[c] / sd : 0.0;
    s.l2Factor[c] = standardization ? 1.0 : 1.0 / (sd * sd);
  }
  // A merged group (x_j = a_j·z, z its first member): under the penalty Σ_j P_j w_j² (P_j = 1,
  // or σ_j² = a_j²σ_z² with standardization) the group's margin u·z costs at least
  // u²/Σ_j(a_j²/P_j), reached by w_j = (a_j/P_j)·u/Σ(a²/P): one variable u with that penalty.
  if (stats.merged()) {
    s.memberCoef.resize(stats.memberFeature.size());
    for (std::size_t c = 0; c < ku; ++c) {
      const auto b = static_cast<std::size_t>(stats.memberPtr[c]);
      const auto e = static_cast<std::size_t>(stats.memberPtr[c + 1]);
      double sumSq = 0.0;
      for (std::size_t q = b; q < e; ++q) sumSq += stats.memberRatio[q] * stats.memberRatio[q];
      const double size = static_cast<double>(e - b);
      for (std::size_t q = b; q < e; ++q)
        s.memberCoef[q] =
            standardization ? 1.0 / (stats.memberRatio[q] * size) : stats.memberRatio[q] / sumSq;
      s.l2Factor[c] /= standardization ? size : sumSq;
    }
  }
  return s;
}

double Scaling::offset(const double* z) const {
  if (!fitIntercept) return 0.0;
  double s = 0.0;
  for (std::int64_t c = 0; c < k; ++c) s += z[c] * scaledMean[static_cast<std::size_t>(c)];
  return z[k] - s;
}

// ---------------------------------------------------------------- building
// The compact column-major matrix and the statistics, O(nnz + d) and no sort: count the entries
// of each feature over the rows of positive weight, number the features that occur by length
// then index (a counting sort: the products' inner loops then run over runs of equal-length
// columns, which the branch predictor follows — hashed text at 2^18 has ~100 k columns of a few
// entries each), scatter the entries straight into the compact arrays (rows ascending within a
// column), then the statistics column by column — the same sums in the same order as a
// row-wise pass — keeping, in place, the columns with σ > 0. I is the row index type, V the
// value type (float only when every value is exactly a float).
template <class I, class V>
struct Builder {
  DesignMatrix& M;
  std::vector<I>& rows;
  std::vector<V>& vals;

  // Numbers the features that occur; returns slot (feature -> provisional column) and fills
  // seen/count and the column pointers.
  std::vector<std::int32_t> numberColumns(const VectorColumn& X, std::int64_t d,
                                          const std::vector<double>& w, const RowTotals& t,
                                          const Reducer& red, std::vector<std::int32_t>& seen,
                                          std::vector<double>& count) {
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
    std::vector<std::int64_t> lengthStart(static_cast<std::size_t>(t.positiveRows) + 2, 0);
    for (std::int64_t j = 0; j < d; ++j) ++lengthStart[static_cast<std::size_t>(key(j)) + 1];
    lengthStart[1] = 0;  // features that never occur get no column
    for (std::size_t len = 1; len + 1 < lengthStart.size(); ++len)
      lengthStart[len + 1] += lengthStart[len];
    const auto kSeen = static_cast<std::size_t>(lengthStart.back());
    seen.resize(kSeen);
    count.resize(kSeen);
    auto& colPtr = M.colPtr_;
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
    return slot;
  }

  // Scatters the entries of the rows of positive weight into their provisional columns.
  void scatter(const VectorColumn& X, const std::vector<double>& w,
               const std::vector<std::int32_t>& slot) {
    const auto& colPtr = M.colPtr_;
    rows.resize(static_cast<std::size_t>(colPtr.back()));
    vals.resize(rows.size());
    std::vector<std::int64_t> cursor(colPtr.begin(), colPtr.end() - 1);
    for (std::int64_t i = 0; i < X.size(); ++i) {
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

  // Keeps the columns c with finalOf[c] >= 0 (numbered 0, 1, ... in order), moved down in
  // place; slot (feature -> column) maps through finalOf.
  void keepColumns(const std::vector<std::int32_t>& finalOf, std::vector<std::int32_t>& slot) {
    auto& colPtr = M.colPtr_;
    std::size_t out = 0;
    std::int64_t outPtr = 0;
    for (std::size_t c = 0; c + 1 < colPtr.size(); ++c) {
      if (finalOf[c] < 0) continue;
      const auto pb = static_cast<std::size_t>(colPtr[c]);
      const auto pe = static_cast<std::size_t>(colPtr[c + 1]);
      if (static_cast<std::int64_t>(pb) != outPtr) {  // a column was dropped before: move down
        std::copy(rows.begin() + static_cast<std::ptrdiff_t>(pb),
                  rows.begin() + static_cast<std::ptrdiff_t>(pe), rows.begin() + outPtr);
        std::copy(vals.begin() + static_cast<std::ptrdiff_t>(pb),
                  vals.begin() + static_cast<std::ptrdiff_t>(pe), vals.begin() + outPtr);
      }
      outPtr += static_cast<std::int64_t>(pe - pb);
      // colPtr[out], out <= c + 1: a bound already read, or colPtr[c + 1] itself when no
      // column was dropped yet (then outPtr is its value: unchanged).
      colPtr[++out] = outPtr;
    }
    colPtr.resize(out + 1);
    rows.resize(static_cast<std::size_t>(outPtr));
    vals.resize(static_cast<std::size_t>(outPtr));
    for (auto& v : slot) v = v < 0 ? -1 : finalOf[static_cast<std::size_t>(v)];
  }

  // Keeps the columns with σ > 0; fills stats; slot becomes colOf.
  void compact(const std::vector<std::int32_t>& seen, const std::vector<double>& mean,
               const std::vector<double>& sigma, FeatureStats& stats,
               std::vector<std::int32_t>& slot) {
    const std::size_t kSeen = seen.size();
    std::vector<std::int32_t> finalOf(kSeen, -1);
    for (std::size_t c = 0; c < kSeen; ++c) {
      if (!(sigma[c] > 0.0)) continue;
      finalOf[c] = static_cast<std::int32_t>(stats.active.size());
      stats.active.push_back(seen[c]);
      stats.mean.push_back(mean[c]);
      stats.sigma.push_back(sigma[c]);
    }
    keepColumns(finalOf, slot);
  }

  // The row-major copy (at most 65,536 columns, or the row layout): 16-bit column indices
  // within panels of 65,536 columns, each row's entries grouped by panel (segments).
  void buildRows(const VectorColumn& X, const std::vector<double>& wt,
                 const std::vector<std::int32_t>& colOf) {
    if (!M.rowLayout_) M.useRows_ = M.k_ <= 65536;
    if (!M.useRows_ && !M.rowLayout_) return;
    const std::int64_t n = X.size();
    const std::int64_t P = std::max<std::int64_t>(1, (M.k_ + 65535) / 65536);
    M.panels_ = P;
    const auto Pu = static_cast<std::size_t>(P);
    M.rowPtr_.assign(static_cast<std::size_t>(n) * Pu + 1, 0);
    M.col16_.resize(vals.size());
    std::vector<V>& rv = [&]() -> std::vector<V>& {
      if constexpr (std::is_same_v<V, float>) return M.rval32_;
      else return M.rval64_;
    }();
    rv.resize(vals.size());
    std::vector<std::int64_t> cursor(Pu);
    std::size_t q = 0;
    for (std::int64_t i = 0; i < n; ++i) {
      const std::size_t seg = static_cast<std::size_t>(i) * Pu;
      if (wt[static_cast<std::size_t>(i)] > 0.0) {
        const VectorView v = X[i];  // rows, not the CSR arrays: a fold view is not copied
        if (P == 1) {
          for (std::int64_t p = 0; p < v.nnz; ++p) {
            const std::int32_t c = colOf[static_cast<std::size_t>(v.indices[p])];
            if (c < 0) continue;
            M.col16_[q] = static_cast<std::uint16_t>(c);
            rv[q] = static_cast<V>(v.values[p]);
            ++q;
          }
        } else {  // count per panel, then place: the row's entries grouped by panel
          std::fill(cursor.begin(), cursor.end(), 0);
          for (std::int64_t p = 0; p < v.nnz; ++p) {
            const std::int32_t c = colOf[static_cast<std::size_t>(v.indices[p])];
            if (c >= 0) ++cursor[static_cast<std::size_t>(c >> 16)];
          }
          auto at = static_cast<std::int64_t>(q);
          for (std::size_t pp = 0; pp < Pu; ++pp) {
            M.rowPtr_[seg + pp] = at;
            const std::int64_t len = cursor[pp];
            cursor[pp] = at;
            at += len;
          }
          for (std::int64_t p = 0; p < v.nnz; ++p) {
            const std::int32_t c = colOf[static_cast<std::size_t>(v.indices[p])];
            if (c < 0) continue;
            const auto dst = static_cast<std::size_t>(cursor[static_cast<std::size_t>(c >> 16)]++);
            M.col16_[dst] = static_cast<std::uint16_t>(c & 0xFFFF);
            rv[dst] = static_cast<V>(v.values[p]);
          }
          q = static_cast<std::size_t>(at);
        }
      }
      if (P > 1 && !(wt[static_cast<std::size_t>(i)] > 0.0))  // an empty row: empty segments
        for (std::size_t pp = 1; pp < Pu; ++pp) M.rowPtr_[seg + pp] = static_cast<std::int64_t>(q);
      M.rowPtr_[seg + Pu] = static_cast<std::int64_t>(q);
    }
  }

  // Merges the columns whose entries sit in the same rows with the same ratios to the first
  // entry (mergeProportional): each group keeps its first column (in compact order), the others'
  // entries are dropped, stats gets the groups and slot maps the dropped features to -1. Equal
  // columns have equal lengths, which the compact order already groups: within each run of one
  // length the columns are keyed by a hash of their rows and ratios, then compared exactly.
  void mergeProportional(FeatureStats& stats, std::vector<std::int32_t>& slot) {
    auto& colPtr = M.colPtr_;
    const auto k = static_cast<std::size_t>(stats.size());
    std::vector<std::int32_t> groupOf(k, -1);  // the group's first column
    std::vector<std::pair<std::uint64_t, std::int32_t>> keyed;
    auto ratio = [&](std::size_t p, std::size_t first) {
      return static_cast<double>(vals[p]) / static_cast<double>(vals[first]);
    };
    auto same = [&](std::size_t a, std::size_t b) {
      const auto pa = static_cast<std::size_t>(colPtr[a]), pb = static_cast<std::size_t>(colPtr[b]);
      const auto len = static_cast<std::size_t>(colPtr[a + 1]) - pa;
      for (std::size_t q = 0; q < len; ++q)
        if (rows[pa + q] != rows[pb + q] || ratio(pa + q, pa) != ratio(pb + q, pb)) return false;
      return true;
    };
    bool any = false;
    for (std::size_t run = 0; run < k;) {
      const std::int64_t len = colPtr[run + 1] - colPtr[run];
      std::size_t end = run + 1;
      while (end < k && colPtr[end + 1] - colPtr[end] == len) ++end;
      keyed.clear();
      for (std::size_t c = run; c < end; ++c) {
        const auto pb = static_cast<std::size_t>(colPtr[c]);
        std::uint64_t h = 0x9E3779B97F4A7C15ULL;
        for (std::size_t p = pb; p < static_cast<std::size_t>(colPtr[c + 1]); ++p) {
          const double r = ratio(p, pb);
          std::uint64_t bits = 0;
          std::memcpy(&bits, &r, sizeof bits);
          h = (h ^ static_cast<std::uint64_t>(rows[p])) * 0x100000001B3ULL;
          h = (h ^ bits) * 0x100000001B3ULL;
          h ^= h >> 29;
        }
        keyed.emplace_back(h, static_cast<std::int32_t>(c));
      }
      std::sort(keyed.begin(), keyed.end());
      for (std::size_t a = 0; a < keyed.size();) {
        std::size_t b = a + 1;
        while (b < keyed.size() && keyed[b].first == keyed[a].first) ++b;
        for (std::size_t x = a; x < b; ++x) {  // (a hash shared by unequal columns is rare)
          const auto cx = static_cast<std::size_t>(keyed[x].second);
          if (groupOf[cx] >= 0) continue;
          groupOf[cx] = static_cast<std::int32_t>(cx);
          for (std::size_t y = x + 1; y < b; ++y) {
            const auto cy = static_cast<std::size_t>(keyed[y].second);
            if (groupOf[cy] < 0 && same(cx, cy))
              groupOf[cy] = static_cast<std::int32_t>(cx), any = true;
          }
        }
        a = b;
      }
      run = end;
    }
    if (!any) return;
    // Members of each kept column, in compact order (the kept one first: it comes first).
    std::vector<std::int32_t> finalOf(k, -1);
    std::vector<std::int64_t> memberCount;
    for (std::size_t c = 0; c < k; ++c) {
      if (groupOf[c] == static_cast<std::int32_t>(c)) {
        finalOf[c] = static_cast<std::int32_t>(memberCount.size());
        memberCount.push_back(0);
      }
      ++memberCount[static_cast<std::size_t>(finalOf[static_cast<std::size_t>(groupOf[c])])];
    }
    const std::size_t kept = memberCount.size();
    FeatureStats out;
    out.memberPtr.assign(kept + 1, 0);
    for (std::size_t m = 0; m < kept; ++m) out.memberPtr[m + 1] = out.memberPtr[m] + memberCount[m];
    out.memberFeature.resize(k);
    out.memberRatio.resize(k);
    std::vector<std::int64_t> cursor(out.memberPtr.begin(), out.memberPtr.end() - 1);
    for (std::size_t c = 0; c < k; ++c) {
      const auto g = static_cast<std::size_t>(groupOf[c]);
      const auto at = static_cast<std::size_t>(cursor[static_cast<std::size_t>(finalOf[g])]++);
      out.memberFeature[at] = stats.active[c];
      out.memberRatio[at] = static_cast<double>(vals[static_cast<std::size_t>(colPtr[c])]) /
                            static_cast<double>(vals[static_cast<std::size_t>(colPtr[g])]);
    }
    for (std::size_t c = 0; c < k; ++c) {  // the first column of each group is kept
      if (finalOf[c] < 0) continue;
      out.active.push_back(stats.active[c]);
      out.mean.push_back(stats.mean[c]);
      out.sigma.push_back(stats.sigma[c]);
    }
    keepColumns(finalOf, slot);
    stats = std::move(out);
  }

  void run(const VectorColumn& X, std::int64_t d, const std::vector<double>& w, const RowTotals& t,
           const Reducer& red, FeatureStats& stats, DesignMatrix::Layout layout, bool merge) {
    std::vector<std::int32_t> seen;
    std::vector<double> count, mean, sigma;
    std::vector<std::int32_t> slot = numberColumns(X, d, w, t, red, seen, count);
    scatter(X, w, slot);
    columnStats(M.colPtr_, rows, vals, count, w, t, red, mean, sigma);
    compact(seen, mean, sigma, stats, slot);
    if (merge && !red.active()) mergeProportional(stats, slot);
    M.k_ = stats.size();
    M.nnz_ = M.colPtr_.back();
    // The layout: chooseChunks' rule (the same on every rank of a data-parallel fit only if the
    // shards are alike; each rank's layout is its own business, the sums are the same either way).
    std::int64_t chunks = DesignMatrix::chooseChunks(
        M.nnz_, M.n_, M.k_, 2 + static_cast<std::int64_t>(sizeof(V)));
    if (layout == DesignMatrix::Layout::Rows)  // forced: several chunks even when small
      chunks = std::max(chunks, std::min<std::int64_t>(4, std::max<std::int64_t>(1, M.n_)));
    const std::int64_t rowBytes =
        M.nnz_ * (2 + static_cast<std::int64_t>(sizeof(V))) + 8 * M.n_;
    M.rowLayout_ = M.k_ > 0 && (layout == DesignMatrix::Layout::Rows ||
                                (layout == DesignMatrix::Layout::Auto && chunks >= 2 &&
                                 rowBytes >= DesignMatrix::kMinRowLayoutBytes));
    buildRows(X, w, slot);
    if (M.rowLayout_) {
      M.partitionRows(chunks);
      M.dropColumns();
    }
  }
};

std::shared_ptr<const DesignMatrix> DesignMatrix::build(const VectorColumn& X, std::int64_t d,
                                                        const std::vector<double>& w,
                                                        const RowTotals& totals, bool floats,
                                                        const Reducer& red, FeatureStats& stats,
                                                        Layout layout, bool mergeProportional) {
  auto M = std::make_shared<DesignMatrix>();
  M->n_ = X.size();
  M->rows16_ = M->n_ <= 65536;
  M->vals32_ = floats;
  auto go = [&](auto& rows, auto& vals) {
    using I = typename std::decay_t<decltype(rows)>::value_type;
    using V = typename std::decay_t<decltype(vals)>::value_type;
    Builder<I, V>{*M, rows, vals}.run(X, d, w, totals, red, stats, layout, mergeProportional);
  };
  if (M->rows16_) {
    if (M->vals32_) go(M->row16_, M->val32_);
    else go(M->row16_, M->val64_);
  } else {
    if (M->vals32_) go(M->row32_, M->val32_);
    else go(M->row32_, M->val64_);
  }
  if (!M->rowLayout_) M->partitionColumns();
  return M;
}

std::int64_t DesignMatrix::chooseChunks(std::int64_t nnz, std::int64_t n, std::int64_t k,
                                        std::int64_t entryBytes) {
  if (k <= 0 || n <= 0) return 0;
  const std::int64_t panels = (k + 65535) / 65536;
  const std::int64_t streamBytes = nnz * entryBytes + 8 * n * panels;
  const std::int64_t bound = std::min({kMaxChunks, streamBytes / (kReduceShare * 16 * k),
                                       n / kMinChunkRows});
  std::int64_t c = 1;
  while (2 * c <= bound) c *= 2;
  return bound < 1 ? 1 : c;
}

// Row chunks of about nnz/chunks entries each (boundaries on rows, by the data alone).
void DesignMatrix::partitionRows(std::int64_t chunks) {
  chunkStart_.assign(1, 0);
  const auto P = static_cast<std::size_t>(panels_);
  std::int64_t i = 0;
  for (std::int64_t b = 1; b < chunks; ++b) {
    const std::int64_t target = nnz_ * b / chunks;
    while (i < n_ && rowPtr_[static_cast<std::size_t>(i) * P] < target) ++i;
    chunkStart_.push_back(i);
  }
  chunkStart_.push_back(n_);
}

// The row layout keeps only the row-major copy.
void DesignMatrix::dropColumns() {
  std::vector<std::int64_t>().swap(colPtr_);
  std::vector<std::uint16_t>().swap(row16_);
  std::vector<std::int32_t>().swap(row32_);
  std::vector<float>().swap(val32_);
  std::vector<double>().swap(val64_);
  useRows_ = false;
}

std::int64_t DesignMatrix::residentBytes() const {
  auto b = [](const auto& v) {
    return static_cast<std::int64_t>(v.size() * sizeof(typename std::decay_t<decltype(v)>::value_type));
  };
  return b(colPtr_) + b(row16_) + b(row32_) + b(val32_) + b(val64_) + b(blockStart_) +
         b(rowPtr_) + b(col16_) + b(rval32_) + b(rval64_) + b(chunkStart_);
}

std::int64_t DesignMatrix::bytesPerPass() const {
  auto b = [](const auto& v) {
    return static_cast<std::int64_t>(v.size() * sizeof(typename std::decay_t<decltype(v)>::value_type));
  };
  if (rowLayout_) return b(rowPtr_) + b(col16_) + b(rval32_) + b(rval64_);
  return b(colPtr_) + b(row16_) + b(row32_) + b(val32_) + b(val64_);
}

// Column blocks of about kColBlockNnz entries: the parallel grain of the column passes.
void DesignMatrix::partitionColumns() {
  blockStart_.assign(1, 0);
  std::int64_t acc = 0;
  for (std::int64_t c = 0; c < k_; ++c) {
    acc += colPtr_[static_cast<std::size_t>(c) + 1] - colPtr_[static_cast<std::size_t>(c)];
    if (acc >= kColBlockNnz && c + 1 < k_) {
      blockStart_.push_back(c + 1);
      acc = 0;
    }
  }
  blockStart_.push_back(k_);
}

DesignMatrix::Workspace DesignMatrix::workspace() const {
  Workspace ws;
  if (rowLayout_) {
    const auto C = static_cast<std::size_t>(chunks());
    ws.acc.assign(C * static_cast<std::size_t>(k_), 0.0);
    ws.chunkSums.assign(C, 0.0);
    if (panels_ > 1) ws.rowScratch.assign(static_cast<std::size_t>(n_), 0.0);
    ws.scaled.assign(static_cast<std::size_t>(k_), 0.0);
    return ws;
  }
  const auto nu = static_cast<std::size_t>(n_);
  const std::size_t blocks = blockStart_.size() - 1;
  if (!useRows_) ws.partialMargins.assign((blocks - 1) * nu, 0.0);
  ws.blockSums.assign(3 * blocks, 0.0);
  if (useRows_) ws.scaled.assign(static_cast<std::size_t>(k_), 0.0);
  return ws;
}

// ---------------------------------------------------------------- kernels (sparse_kernels.h)
namespace {

template <class I, class V>
kernels::Cols<I, V> colArrays(const std::int64_t* cp, const I* ri, const V* cv) {
  return {cp, ri, cv};
}

kernels::ColScaling colScaling(const Scaling& s) {
  return {s.invStd.data(), s.l2Factor.data(), s.scaledMean.data()};
}

}  // namespace

template <class F>
void DesignMatrix::withRows(F&& f) const {
  if (vals32_) f(kernels::Rows<float>{rowPtr_.data(), col16_.data(), rval32_.data(), panels_});
  else f(kernels::Rows<double>{rowPtr_.data(), col16_.data(), rval64_.data(), panels_});
}

void DesignMatrix::multiply(const Scaling& s, const double* a, const double* b, double* out,
                            double& fab, double& faa, Workspace& ws) const {
  if (useRows_ || rowLayout_) {
    multiplyByRows(s, a, b, out, fab, faa, ws);
    return;
  }
  const auto nu = static_cast<std::size_t>(n_);
  const auto blocks = static_cast<std::int64_t>(blockStart_.size()) - 1;
  withColumns([&](const auto* ri, const auto* cv) {
    parallel::forBlocks(blocks, 1, [&](std::int64_t blk, std::int64_t, std::int64_t) {
      double* P =
          blk == 0 ? out : ws.partialMargins.data() + static_cast<std::size_t>(blk - 1) * nu;
      std::fill(P, P + nu, 0.0);
      kernels::multiplyColumns(colArrays(colPtr_.data(), ri, cv), colScaling(s), a, b,
                               blockStart_[static_cast<std::size_t>(blk)],
                               blockStart_[static_cast<std::size_t>(blk) + 1], P,
                               ws.blockSums.data() + 3 * blk);
    });
  });
  double sMu = 0.0;
  fab = 0.0, faa = 0.0;
  if (s.red.active()) {
    // The column blocks follow this rank's entries: sum in an order every rank shares.
    sMu = columnSums(s, a, b, fab, faa);
  } else {
    for (std::int64_t blk = 0; blk < blocks; ++blk) {
      const double* bs = ws.blockSums.data() + 3 * blk;
      sMu += bs[0], fab += bs[1], faa += bs[2];
    }
  }
  const double off = s.fitIntercept ? a[s.k] - sMu : 0.0;
  const double* P = ws.partialMargins.data();
  parallel::forBlocks(n_, kRowBlock, [&](std::int64_t, std::int64_t begin, std::int64_t end) {
    for (std::int64_t i = begin; i < end; ++i) {
      double v = out[i];
      for (std::int64_t blk = 1; blk < blocks; ++blk)
        v += P[static_cast<std::size_t>(blk - 1) * nu + static_cast<std::size_t>(i)];
      out[i] = v + off;
    }
  });
}

double DesignMatrix::columnSums(const Scaling& s, const double* a, const double* b, double& fab,
                                double& faa) {
  double sMu[4] = {}, sAB[4] = {}, sAA[4] = {};
  const double* lf = s.l2Factor.data();
  const double* mu = s.scaledMean.data();
  const std::int64_t k = s.k;
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

void DesignMatrix::multiplyByRows(const Scaling& s, const double* a, const double* b, double* out,
                                  double& fab, double& faa, Workspace& ws) const {
  const double sMu = columnSums(s, a, b, fab, faa);
  const double* inv = s.invStd.data();
  double* as = ws.scaled.data();
  for (std::int64_t c = 0; c < k_; ++c) as[c] = a[c] * inv[c];
  const double off = s.fitIntercept ? a[s.k] - sMu : 0.0;
  withRows([&](const auto& R) {
    parallel::forBlocks(n_, kRowBlock, [&](std::int64_t, std::int64_t begin, std::int64_t end) {
      kernels::rowDots(R, begin, end, as, off, out);
    });
  });
}

void DesignMatrix::reduceChunks(const double* acc, double* out) const {
  const std::int64_t C = chunks();
  const auto ku = static_cast<std::size_t>(k_);
  constexpr std::int64_t kColsPerBlock = 8192;
  parallel::forBlocks(k_, kColsPerBlock, [&](std::int64_t, std::int64_t c0, std::int64_t c1) {
    std::copy(acc + c0, acc + c1, out + c0);
    for (std::int64_t b = 1; b < C; ++b) {
      const double* A = acc + static_cast<std::size_t>(b) * ku;
      for (std::int64_t c = c0; c < c1; ++c) out[c] += A[c];
    }
  });
}

void DesignMatrix::hessianProduct(const Scaling& s, const double* v, const double* D, double W,
                                  double lambda, double* out, Workspace& ws) const {
  double fab = 0.0, faa = 0.0;
  const double sMu = columnSums(s, v, v, fab, faa);
  const double* inv = s.invStd.data();
  double* as = ws.scaled.data();
  for (std::int64_t c = 0; c < k_; ++c) as[c] = v[c] * inv[c];
  const double off = s.fitIntercept ? v[s.k] - sMu : 0.0;
  const std::int64_t C = chunks();
  const auto ku = static_cast<std::size_t>(k_);
  // Each row's D·Ãv is scattered while the row is in L1 (one stream of the matrix) when the
  // two k-vectors (gathered v/σ, scattered sums: 16·k bytes, ≤ 1 MiB with one panel) share L2;
  // wider, the chunk's rows are first all gathered, then all scattered — one k-vector at a time
  // in L2 measured no slower than one stream with both (bench/README.md, "Bytes per pass").
  const bool fuseRows = panels_ == 1;
  withRows([&](const auto& R) {
    parallel::forBlocks(C, 1, [&](std::int64_t b, std::int64_t, std::int64_t) {
      double* A = ws.acc.data() + static_cast<std::size_t>(b) * ku;
      std::fill(A, A + ku, 0.0);
      ws.chunkSums[static_cast<std::size_t>(b)] = kernels::rowHessian(
          R, chunkStart_[static_cast<std::size_t>(b)], chunkStart_[static_cast<std::size_t>(b) + 1],
          as, off, D, fuseRows ? nullptr : ws.rowScratch.data(), A);
    });
  });
  reduceChunks(ws.acc.data(), out);
  double hSum = 0.0;
  for (std::int64_t b = 0; b < C; ++b) hSum += ws.chunkSums[static_cast<std::size_t>(b)];
  s.red.sum(&hSum, 1);
  finishGradient(s, hSum, v, W, lambda, out, true);
}

// out_c (Σ val·r over this rank's rows, for every column) becomes the gradient's column c; in a
// data-parallel fit X̃ᵀr/W is first summed over the ranks (residSum already is).
void DesignMatrix::finishGradient(const Scaling& s, double residSum, const double* z, double W,
                                  double lambda, double* out, bool rounded) {
  const bool shards = s.red.active();
  const std::int64_t k = s.k;
  if (shards) {
    for (std::int64_t c = 0; c < k; ++c) out[c] = out[c] * s.invStd[static_cast<std::size_t>(c)] / W;
    if (rounded) s.red.sumRounded(out, static_cast<std::size_t>(k));
    else s.red.sum(out, static_cast<std::size_t>(k));
  }
  const double meanResid = residSum / W;
  for (std::int64_t c = 0; c < k; ++c) {
    const auto cu = static_cast<std::size_t>(c);
    double g = shards ? out[c] : out[c] * s.invStd[cu] / W;
    g -= s.scaledMean[cu] * meanResid;
    if (lambda != 0.0) g += lambda * s.l2Factor[cu] * z[c];
    out[c] = g;
  }
  if (s.fitIntercept) out[k] = meanResid;
}

void DesignMatrix::transposeMultiply(const Scaling& s, const double* r, const double* z, double W,
                                     double residSum, double lambda, double* grad,
                                     Workspace& ws, bool rounded) const {
  if (rowLayout_) {
    const auto ku = static_cast<std::size_t>(k_);
    withRows([&](const auto& R) {
      parallel::forBlocks(chunks(), 1, [&](std::int64_t b, std::int64_t, std::int64_t) {
        double* A = ws.acc.data() + static_cast<std::size_t>(b) * ku;
        std::fill(A, A + ku, 0.0);
        kernels::rowScatter(R, chunkStart_[static_cast<std::size_t>(b)],
                            chunkStart_[static_cast<std::size_t>(b) + 1], r, A);
      });
    });
    reduceChunks(ws.acc.data(), grad);
    finishGradient(s, residSum, z, W, lambda, grad, rounded);
    return;
  }
  const double meanResid = residSum / W;
  const bool shards = s.red.active();  // then: local X̃ᵀr/W, summed, then the rest
  const auto blocks = static_cast<std::int64_t>(blockStart_.size()) - 1;
  withColumns([&](const auto* ri, const auto* cv) {
    parallel::forBlocks(blocks, 1, [&](std::int64_t blk, std::int64_t, std::int64_t) {
      kernels::gradientColumns(colArrays(colPtr_.data(), ri, cv), colScaling(s), r, z, W,
                               shards ? 0.0 : meanResid, shards ? 0.0 : lambda,
                               blockStart_[static_cast<std::size_t>(blk)],
                               blockStart_[static_cast<std::size_t>(blk) + 1], grad);
    });
  });
  if (shards) {
    if (rounded) s.red.sumRounded(grad, static_cast<std::size_t>(s.k));
    else s.red.sum(grad, static_cast<std::size_t>(s.k));
    for (std::int64_t c = 0; c < s.k; ++c) {
      const auto cu = static_cast<std::size_t>(c);
      grad[c] +=
          -s.scaledMean[cu] * meanResid + (lambda != 0.0 ? lambda * s.l2Factor[cu] * z[c] : 0.0);
    }
  }
  if (s.fitIntercept) grad[s.k] = meanResid;
}

void DesignMatrix::weightedSquares(const Scaling& s, const double* D, double dSum, double W,
                                   double lambda, double* out, Workspace& ws) const {
  if (rowLayout_) {
    // Per chunk 2k sums, Σ D x² and Σ D x of a column side by side (one 16-byte pair an entry),
    // in ws.acc grown to 2k per chunk; then added up in place, chunk by chunk in chunk order
    // (the order of reduceChunks).
    const auto k2 = 2 * static_cast<std::size_t>(k_);
    const std::size_t C = static_cast<std::size_t>(chunks());
    if (ws.acc.size() < C * k2) ws.acc.resize(C * k2);
    double* acc = ws.acc.data();
    withRows([&](const auto& R) {
      parallel::forBlocks(chunks(), 1, [&](std::int64_t b, std::int64_t, std::int64_t) {
        double* sl = acc + static_cast<std::size_t>(b) * k2;
        std::fill(sl, sl + k2, 0.0);
        kernels::rowScatter2(R, chunkStart_[static_cast<std::size_t>(b)],
                             chunkStart_[static_cast<std::size_t>(b) + 1], D, sl);
      });
    });
    constexpr std::int64_t kBlock = 16384;
    parallel::forBlocks(static_cast<std::int64_t>(k2), kBlock,
                        [&](std::int64_t, std::int64_t c0, std::int64_t c1) {
                          for (std::size_t b = 1; b < C; ++b) {
                            const double* A = acc + b * k2;
                            for (std::int64_t c = c0; c < c1; ++c) acc[c] += A[c];
                          }
                        });
    const bool shards = s.red.active();
    const std::int64_t k = s.k;
    for (std::int64_t c = 0; c < k; ++c) {
      const auto cu = static_cast<std::size_t>(c);
      const double iv = s.invStd[cu], mu = s.scaledMean[cu];
      out[c] = (iv * iv * acc[2 * cu] - 2.0 * mu * iv * acc[2 * cu + 1] +
                (shards ? 0.0 : mu * mu * dSum)) / W +
               (shards ? 0.0 : lambda * s.l2Factor[cu]);
    }
    if (shards) {
      s.red.sum(out, static_cast<std::size_t>(k));
      for (std::int64_t c = 0; c < k; ++c) {
        const auto cu = static_cast<std::size_t>(c);
        out[c] += s.scaledMean[cu] * s.scaledMean[cu] * dSum / W + lambda * s.l2Factor[cu];
      }
    }
    if (s.fitIntercept) out[k] = dSum / W;
    return;
  }
  const bool shards = s.red.active();  // then: the row sums, summed over ranks, then the rest
  const auto blocks = static_cast<std::int64_t>(blockStart_.size()) - 1;
  withColumns([&](const auto* ri, const auto* cv) {
    parallel::forBlocks(blocks, 1, [&](std::int64_t blk, std::int64_t, std::int64_t) {
      kernels::diagonalColumns(colArrays(colPtr_.data(), ri, cv), colScaling(s), D,
                               shards ? 0.0 : dSum, W, shards ? 0.0 : lambda,
                               blockStart_[static_cast<std::size_t>(blk)],
                               blockStart_[static_cast<std::size_t>(blk) + 1], out);
    });
  });
  if (shards) {
    s.red.sum(out, static_cast<std::size_t>(s.k));
    for (std::int64_t c = 0; c < s.k; ++c) {
      const auto cu = static_cast<std::size_t>(c);
      out[c] += s.scaledMean[cu] * s.scaledMean[cu] * dSum / W + lambda * s.l2Factor[cu];
    }
  }
  if (s.fitIntercept) out[s.k] = dSum / W;
}

// ---------------------------------------------------------------- a dense column as sparse
std::shared_ptr<VectorColumn> toSparse(const VectorColumn& X) {
  // Two parallel passes: count each row's non-zeros, then write them at their offsets (no
  // growing arrays: every page is touched once).
  const std::int64_t n = X.size();
  constexpr std::int64_t kBlock = 8192;
  std::vector<std::int64_t> offsets(static_cast<std::size_t>(n) + 1, 0);
  parallel::forBlocks(n, kBlock, [&](std::int64_t, std::int64_t begin, std::int64_t end) {
    for (std::int64_t i = begin; i < end; ++i) {
      const VectorView v = X[i];
      std::int64_t c = 0;
      for (std::int64_t p = 0; p < v.nnz; ++p) c += v.values[p] != 0.0;
      offsets[static_cast<std::size_t>(i) + 1] = c;
    }
  });
  for (std::size_t i = 1; i < offsets.size(); ++i) offsets[i] += offsets[i - 1];
  std::vector<std::int32_t> indices(static_cast<std::size_t>(offsets.back()));
  std::vector<double> values(indices.size());
  parallel::forBlocks(n, kBlock, [&](std::int64_t, std::int64_t begin, std::int64_t end) {
    for (std::int64_t i = begin; i < end; ++i) {
      const VectorView v = X[i];
      auto q = static_cast<std::size_t>(offsets[static_cast<std::size_t>(i)]);
      for (std::int64_t p = 0; p < v.nnz; ++p) {
        if (v.values[p] == 0.0) continue;
        indices[q] = static_cast<std::int32_t>(v.indices ? v.indices[p] : p);
        values[q] = v.values[p];
        ++q;
      }
    }
  });
  return VectorColumn::sparse(X.dim(), std::move(offsets), std::move(indices), std::move(values));
}

}  // namespace td::glm
