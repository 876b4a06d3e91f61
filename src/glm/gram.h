// src/glm/gram.h — the weighted Gram matrix kernel of the GLM kit: G += AᵀB over a block of rows
// (A = diag(w)·B), the one dense pass of LinearRegression's normal solver (Spark's
// WeightedLeastSquares moments with the label and a column of ones appended: Σw x xᵀ, Σw x,
// Σw y x, Σw, Σw y, Σw y² in one product).
#pragma once

#include <cstdint>

namespace td::glm {

/// Columns of a row buffer for gramUpper: `cols` rounded up to a multiple of 8 (the kernel's tile).
[[nodiscard]] inline std::int64_t gramStride(std::int64_t cols) { return (cols + 7) / 8 * 8; }

/// G(i, j) += Σ_r A(r, i)·B(r, j) for every j >= i (and some j < i near the diagonal): A and B
/// are `rows` x `stride` row-major (stride = gramStride(...), padding columns zero), G is
/// stride x stride row-major. Only the upper triangle of G is meaningful afterwards. AVX2+FMA
/// when the CPU has them (decided once), else a portable loop: the two may differ in the last
/// bits (FMA rounding).
void gramUpper(const double* A, const double* B, std::int64_t rows, std::int64_t stride,
               double* G);

}  // namespace td::glm
