#ifndef PONDER_ENGINE_KERNELS_H
#define PONDER_ENGINE_KERNELS_H
// Engine's interim kernels (Sources/Kernels/engine_*.c, prefix pe_), kept in their own
// header so they never collide with the Kernels module's pk_* work in Kernels.h.
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Nonzero when `pe_matvec` handles ggml type number `type`
/// (F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0).
int pe_matvec_supports(int type);

/// out[r] = dot(dequantize(row r of w), x) for r in [0, rows). `w` holds `rows` rows of
/// `row_bytes` bytes, each `cols` elements of ggml type `type`; x: (cols), out: (rows).
/// Returns 0, or -1 when the type is not handled (nothing written).
int pe_matvec(int type, const void *w, size_t row_bytes, int rows, int cols,
              const float *x, float *out);

#ifdef __cplusplus
}
#endif
#endif
