// src/feature/scale_columns.h — element-wise scaling of a vector column (IDFModel,
// MaxAbsScalerModel, StandardScalerModel): x_j * w_j, sparse staying sparse with the same
// indices (shared with the input column; explicit zeros kept), dense staying dense.
#pragma once

#include <cstdint>
#include <vector>

#include "thunderdome/core/parallel.h"
#include "thunderdome/frame/column.h"

namespace td::detail {

/// `col` with every value at feature j multiplied by w[j] (w holds col.dim() values).
inline ColumnPtr scaleColumn(const VectorColumn& col, const double* w) {
  constexpr std::int64_t kValueBlock = 1 << 16;
  const auto in = col.values();
  std::vector<double> values(in.size());
  const auto n = static_cast<std::int64_t>(in.size());
  if (col.isDense()) {
    const std::int64_t d = col.dim();
    parallel::forBlocks(n, kValueBlock, [&](std::int64_t, std::int64_t begin, std::int64_t end) {
      for (std::int64_t k = begin; k < end; ++k) values[k] = in[k] * w[k % d];
    });
    return VectorColumn::dense(col.size(), d, std::move(values));
  }
  const auto idx = col.indices();
  parallel::forBlocks(n, kValueBlock, [&](std::int64_t, std::int64_t begin, std::int64_t end) {
    for (std::int64_t k = begin; k < end; ++k) values[k] = in[k] * w[idx[k]];
  });
  return VectorColumn::withValues(col, std::move(values));  // the indices are shared, not copied
}

}  // namespace td::detail
