// tests/testing/columns.h — vector columns from rows of numbers, for the stages' tests.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "thunderdome/frame/column.h"

namespace td::testing {

/// Rows of numbers, one vector per row.
using Rows = std::vector<std::vector<double>>;

/// A dense vector column of the rows (each of d values).
inline std::shared_ptr<VectorColumn> denseColumn(const Rows& x, std::int64_t d) {
  std::vector<double> v;
  for (const auto& row : x) v.insert(v.end(), row.begin(), row.end());
  return VectorColumn::dense(static_cast<std::int64_t>(x.size()), d, std::move(v));
}

/// A sparse vector column of dimension d holding the rows' non-zero values.
inline std::shared_ptr<VectorColumn> sparseColumn(const Rows& x, std::int64_t d) {
  std::vector<std::int64_t> offsets{0};
  std::vector<std::int32_t> idx;
  std::vector<double> val;
  for (const auto& row : x) {
    for (std::size_t j = 0; j < row.size(); ++j) {
      if (row[j] == 0.0) continue;
      idx.push_back(static_cast<std::int32_t>(j));
      val.push_back(row[j]);
    }
    offsets.push_back(static_cast<std::int64_t>(val.size()));
  }
  return VectorColumn::sparse(d, std::move(offsets), std::move(idx), std::move(val));
}

}  // namespace td::testing
