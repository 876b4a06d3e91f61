// src/glm/sparse_kernels.h — the inner loops of the sparse design matrix (design_matrix.cc):
// gathers (X̃·v by rows, X̃ᵀr and the Hessian diagonal by columns) and scatters (X̃ᵀr and the
// Hessian diagonal by rows, X̃·v by columns). Like glm/multinomial_kernels.h, their own
// translation unit, compiled for the build machine's vector units (TD_NATIVE_KERNELS); it
// includes no library header, so it emits no inline or template symbol that another object file
// also defines. With AVX-512 the gathers load 8 doubles an instruction (16-bit indices widened
// as loaded) and so does the columns' scatter; the rows' scatters stay scalar (measured faster:
// see sparse_kernels.cc). Without AVX-512 every loop is the scalar one.
//
// Summation order: every sum runs in lanes fixed by the position of an entry in its row or
// column (8 or 16 lanes with AVX-512, 4 without), then across the lanes in a fixed order: the
// same bits for the same data whatever the number of threads. A column's indices are distinct,
// so a scatter within one column never has two lanes on one address.
#pragma once

#include <cstdint>

namespace td::glm::kernels {

/// Whether the kernels were compiled with AVX-512 (else the scalar loops).
bool simd();

/// The row-major arrays of the design matrix: segment i·P + p of row i is [rp[i·P+p],
/// rp[i·P+p+1]), its entries in columns 65536·p + ci[q] with values rv[q].
template <class V>
struct Rows {
  const std::int64_t* rp;
  const std::uint16_t* ci;
  const V* rv;
  std::int64_t P;
};

/// out[i] = Σ_q rv[q]·a[col q] + off for the rows [i0, i1).
void rowDots(const Rows<float>& R, std::int64_t i0, std::int64_t i1, const double* a, double off,
             double* out);
void rowDots(const Rows<double>& R, std::int64_t i0, std::int64_t i1, const double* a, double off,
             double* out);

/// For the rows [i0, i1): h_i = D[i]·(Σ_q rv[q]·a[col q] + off), acc[col q] += rv[q]·h_i;
/// returns Σ h_i (in row order). h null: each row is scattered right after its dot (the row in
/// L1); else h_i is stored in h[i] and the rows are scattered after all the dots.
double rowHessian(const Rows<float>& R, std::int64_t i0, std::int64_t i1, const double* a,
                  double off, const double* D, double* h, double* acc);
double rowHessian(const Rows<double>& R, std::int64_t i0, std::int64_t i1, const double* a,
                  double off, const double* D, double* h, double* acc);

/// acc[col q] += rv[q]·r[i] for the rows [i0, i1) with r[i] ≠ 0.
void rowScatter(const Rows<float>& R, std::int64_t i0, std::int64_t i1, const double* r,
                double* acc);
void rowScatter(const Rows<double>& R, std::int64_t i0, std::int64_t i1, const double* r,
                double* acc);

/// sl[2·col q] += D[i]·rv[q]², sl[2·col q + 1] += D[i]·rv[q] for the rows [i0, i1) with
/// D[i] ≠ 0 (the two sums of a column side by side: 2·65536·P values).
void rowScatter2(const Rows<float>& R, std::int64_t i0, std::int64_t i1, const double* D,
                 double* sl);
void rowScatter2(const Rows<double>& R, std::int64_t i0, std::int64_t i1, const double* D,
                 double* sl);

/// The column-major arrays: column c is [cp[c], cp[c+1]), its entries in rows ri[p] (I:
/// std::uint16_t or std::int32_t) with values cv[p] (V: float or double).
template <class I, class V>
struct Cols {
  const std::int64_t* cp;
  const I* ri;
  const V* cv;
};

/// The per-fit scaling of the columns (glm::Scaling's arrays).
struct ColScaling {
  const double* inv;  ///< 1/σ
  const double* lf;   ///< L2 factor
  const double* mu;   ///< μ/σ
};

/// P[ri[p]] += cv[p]·a[c]/σ_c over the columns [c0, c1) with a[c] ≠ 0; sums = [Σ a μ̃, Σ f a b,
/// Σ f a a] over those columns.
#define TD_SPARSE_COLUMN_KERNELS(I, V)                                                             \
  void multiplyColumns(const Cols<I, V>& X, const ColScaling& s, const double* a, const double* b, \
                       std::int64_t c0, std::int64_t c1, double* P, double* sums);                 \
  void gradientColumns(const Cols<I, V>& X, const ColScaling& s, const double* r, const double* z, \
                       double W, double meanResid, double lambda, std::int64_t c0,                 \
                       std::int64_t c1, double* grad);                                             \
  void diagonalColumns(const Cols<I, V>& X, const ColScaling& s, const double* D, double dSum,     \
                       double W, double lambda, std::int64_t c0, std::int64_t c1, double* out);
/// gradientColumns: grad_c = (Σ cv·r[ri])/σ_c/W − μ̃_c·meanResid + λ f_c z_c over [c0, c1).
/// diagonalColumns: out_c = (Σ D x̃² − 2 μ̃ Σ D x̃ + μ̃² dSum)/W + λ f_c over [c0, c1).
TD_SPARSE_COLUMN_KERNELS(std::uint16_t, float)
TD_SPARSE_COLUMN_KERNELS(std::uint16_t, double)
TD_SPARSE_COLUMN_KERNELS(std::int32_t, float)
TD_SPARSE_COLUMN_KERNELS(std::int32_t, double)
#undef TD_SPARSE_COLUMN_KERNELS

}  // namespace td::glm::kernels
