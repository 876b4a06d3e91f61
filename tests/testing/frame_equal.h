// tests/testing/frame_equal.h — cell-by-cell, bitwise comparison of two frames, for tests.
#pragma once

#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <string>

#include "thunderdome/frame/frame.h"

namespace td::testing {

namespace detail {
// True when the doubles have the same bits (NaN equals the same NaN, -0.0 differs from 0.0).
inline bool sameBits(double a, double b) {
  return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b);
}

// True when the two cells (same type) hold identical values; doubles compared bitwise.
inline bool sameCell(const Column& a, const Column& b, std::int64_t row) {
  if (a.isNull(row) != b.isNull(row)) return false;
  if (a.isNull(row)) return true;
  switch (a.type()) {
    case DataType::kInt64:
      return static_cast<const Int64Column&>(a)[row] == static_cast<const Int64Column&>(b)[row];
    case DataType::kDouble:
      return sameBits(static_cast<const DoubleColumn&>(a)[row],
                      static_cast<const DoubleColumn&>(b)[row]);
    case DataType::kString:
      return static_cast<const StringColumn&>(a)[row] == static_cast<const StringColumn&>(b)[row];
    case DataType::kBoolean:
      return static_cast<const BooleanColumn&>(a)[row] == static_cast<const BooleanColumn&>(b)[row];
    case DataType::kStringArray: {
      const auto x = static_cast<const StringArrayColumn&>(a)[row];
      const auto y = static_cast<const StringArrayColumn&>(b)[row];
      if (x.size() != y.size()) return false;
      for (std::size_t k = 0; k < x.size(); ++k)
        if (x[k] != y[k]) return false;
      return true;
    }
    case DataType::kVector: {
      const VectorView x = static_cast<const VectorColumn&>(a)[row];
      const VectorView y = static_cast<const VectorColumn&>(b)[row];
      if (x.size != y.size || x.nnz != y.nnz || x.isDense() != y.isDense()) return false;
      for (std::int64_t k = 0; k < x.nnz; ++k) {
        if (!x.isDense() && x.indices[k] != y.indices[k]) return false;
        if (!sameBits(x.values[k], y.values[k])) return false;
      }
      return true;
    }
  }
  return false;
}
}  // namespace detail

/// Success when `a` and `b` have the same schema and every cell is identical (doubles and
/// vector values bitwise, vector layout included); otherwise the first difference.
inline ::testing::AssertionResult framesIdentical(const Frame& a, const Frame& b) {
  if (!(a.schema() == b.schema()))
    return ::testing::AssertionFailure()
           << "schemas differ: " << a.schema().toString() << " vs " << b.schema().toString();
  if (a.numRows() != b.numRows())
    return ::testing::AssertionFailure()
           << "row counts differ: " << a.numRows() << " vs " << b.numRows();
  for (const auto& f : a.schema().fields()) {
    const Column& x = *a.column(f.name);
    const Column& y = *b.column(f.name);
    for (std::int64_t r = 0; r < a.numRows(); ++r)
      if (!detail::sameCell(x, y, r))
        return ::testing::AssertionFailure()
               << "column '" << f.name << "' row " << r << ": " << a.cellToString(r, f.name)
               << " vs " << b.cellToString(r, f.name);
  }
  return ::testing::AssertionSuccess();
}

}  // namespace td::testing
