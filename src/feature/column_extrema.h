// src/feature/column_extrema.h — per-feature max and min of a vector column, as Spark 3.5's
// Summarizer metrics "max" and "min" (used by MaxAbsScaler and MinMaxScaler).
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>
#include <vector>

#include "thunderdome/core/parallel.h"
#include "thunderdome/frame/column.h"

namespace td::detail {

/// Per-feature max and min over the rows of a vector column.
struct ColumnExtrema {
  std::vector<double> max;  ///< Largest value of each feature.
  std::vector<double> min;  ///< Smallest value of each feature.
};

/// Spark's SummarizerBuffer: only stored non-zero values (NaN included) are visited, starting
/// from max = Double.MinValue and min = Double.MaxValue and updated when `max < v` / `min > v`
/// (so NaN never enters); a feature with fewer non-zeros than rows then takes 0 into account.
/// The caller checks that the column has rows. Order-independent, so exact in parallel.
inline ColumnExtrema columnExtrema(const VectorColumn& col) {
  const auto d = static_cast<std::size_t>(col.dim());
  const std::int64_t rows = col.size();
  constexpr std::int64_t kRowBlock = 1024;
  const auto nb = static_cast<std::size_t>(parallel::numBlocks(rows, kRowBlock));
  std::vector<ColumnExtrema> partial(nb);
  std::vector<std::vector<std::int64_t>> partialNnz(nb);
  parallel::forBlocks(rows, kRowBlock, [&](std::int64_t b, std::int64_t begin, std::int64_t end) {
    auto& e = partial[static_cast<std::size_t>(b)];
    auto& nnz = partialNnz[static_cast<std::size_t>(b)];
    e.max.assign(d, std::numeric_limits<double>::lowest());
    e.min.assign(d, std::numeric_limits<double>::max());
    nnz.assign(d, 0);
    for (std::int64_t r = begin; r < end; ++r)
      col[r].forEach([&](std::int64_t j, double v) {
        if (v == 0.0) return;
        const auto k = static_cast<std::size_t>(j);
        if (e.max[k] < v) e.max[k] = v;
        if (e.min[k] > v) e.min[k] = v;
        ++nnz[k];
      });
  });
  ColumnExtrema out{std::vector<double>(d, std::numeric_limits<double>::lowest()),
                    std::vector<double>(d, std::numeric_limits<double>::max())};
  std::vector<std::int64_t> nnz(d, 0);
  for (std::size_t b = 0; b < nb; ++b)
    for (std::size_t k = 0; k < d; ++k) {
      if (out.max[k] < partial[b].max[k]) out.max[k] = partial[b].max[k];
      if (out.min[k] > partial[b].min[k]) out.min[k] = partial[b].min[k];
      nnz[k] += partialNnz[b][k];
    }
  for (std::size_t k = 0; k < d; ++k) {
    if (nnz[k] < rows && out.max[k] < 0.0) out.max[k] = 0.0;
    if (nnz[k] < rows && out.min[k] > 0.0) out.min[k] = 0.0;
  }
  return out;
}

}  // namespace td::detail
