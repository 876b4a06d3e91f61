// src/glm/multinomial_kernels.h — the float32 inner loops of the multinomial objective
// (multinomial.cc), in their own translation unit: it is the only one compiled for the build
// machine's vector units (TD_NATIVE_KERNELS), and it includes no library header, so it emits no
// inline or template symbol that another object file also defines (the linker would pick one
// copy for the whole program, AVX-512 code included).
#pragma once

#include <cstdint>

namespace td::glm::kernels {

/// Floats per chunk: every row is stored as cc chunks of 16 floats, zero padded, 64-byte aligned.
inline constexpr int kLanes = 16;

/// M[r·K + c] = Σ_j X_r[j]·Zt_c[j] for the `rows` consecutive rows X_r = X + r·cc·16 and the K
/// rows Zt_c = Zt + c·cc·16. Rows two at a time, classes twelve at a time, then a sum across
/// the lanes in a fixed tree order (deterministic).
void stepMargins(const float* X, std::int64_t rows, std::int64_t cc, const float* Zt, int K,
                 float* M);

/// Gt_c[j] += Σ_r R[r·K + c]·X_r[j] over the `rows` rows (rows in order), for the K classes.
void stepGradient(const float* X, std::int64_t rows, std::int64_t cc, const float* R, int K,
                  float* Gt);

/// The same on rows stored as bytes (chunks of 16 values 0..255, 16-byte aligned): X_r = X +
/// r·cc·16, each value converted to float as it is loaded.
void stepMargins(const std::uint8_t* X, std::int64_t rows, std::int64_t cc, const float* Zt, int K,
                 float* M);
void stepGradient(const std::uint8_t* X, std::int64_t rows, std::int64_t cc, const float* R, int K,
                  float* Gt);

}  // namespace td::glm::kernels
