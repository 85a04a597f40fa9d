// The Q8_0 prefill GEMM (AVX-512 VNNI): Q8_0 weights against Q8_0 activations, for
// prompt-sized calls. Unlike the K-quant GEMM (gemm.c) its results are not bitwise the
// decode dots': it has its own float order (below). The engine's int8 path takes it for
// prefill; pk_matmul keeps its bitwise promise and never takes it.
//
// Layout of the packed activations (8 columns per group, per 32-value block b, at
// group + b * Q8P_BLOCK):
//   [0, 256)    int8 ys: chunk k (values 4k .. 4k+3) of column c at 32k + 4c
//   [256, 288)  float dy[8]: each column's block scale
//   [288, 320)  int32 ncorr[8]: -128 * (sum of the column's 32 values)
// Columns past the real ones (a last, partial group) are zero.
//
// Kernel: vpdpbusd multiplies unsigned by signed bytes, and both sides of Q8_0 are
// signed; so each weight block is biased to unsigned once (w + 128, an xor with 0x80) and
// the bias is taken back exactly: sum (w + 128) y - 128 sum y = sum w y. The int32 lanes
// are the 8 columns of a group; four weight bytes are broadcast to every lane, so one
// vpdpbusd does 32 products for 8 columns. Per block, row r and column c the exact
// integer B = sum w y is formed, then acc = fma(d_r * dy_c, B, acc), block after block:
// a fixed order, so results do not depend on the thread count.
#include "kernels_internal.h"

enum { Q8P_YS = 0, Q8P_DY = 256, Q8P_NCORR = 288, Q8P_BLOCK = 320 };

// ---- Packing (every tier: plain C) ----------------------------------------------------

/// nc (1 ... 8) Q8_0 activation rows of nb blocks (with side arrays), xs bytes apart.
static void pack_q8_0(const void *x, size_t xs, int nc, size_t nb, uint8_t *out) {
    for (size_t b = 0; b < nb; ++b) {
        uint8_t *o = out + b * Q8P_BLOCK;
        memset(o, 0, Q8P_BLOCK);
        for (int c = 0; c < nc; ++c) {
            const uint8_t *xc = (const uint8_t *)x + (size_t)c * xs;
            const pk_block_q8_0 *blk = (const pk_block_q8_0 *)xc + b;
            int32_t sum = 0;
            for (int k = 0; k < QK / 4; ++k) memcpy(o + Q8P_YS + 32 * k + 4 * c, blk->qs + 4 * k, 4);
            for (int l = 0; l < QK; ++l) sum += blk->qs[l];
            int32_t ncorr = -128 * sum;
            memcpy(o + Q8P_DY + 4 * c, pk_q8_dy(xc, nb) + b, 4);
            memcpy(o + Q8P_NCORR + 4 * c, &ncorr, 4);
        }
    }
}

// ---- The VNNI micro-kernel ------------------------------------------------------------

#if defined(__x86_64__)
#include "simd_common.h"
#pragma clang attribute push(__attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni,avx2,fma,f16c"))), apply_to = function)

#define INLINE static inline __attribute__((always_inline))

/// nr (1, 2) weight rows, ws bytes apart, of nb blocks against ng (1, 2) packed groups,
/// gs bytes apart: out[16 r + 8 g + c].
INLINE void q8_gemm(int nr, int ng, size_t nb, const uint8_t *w, size_t ws, const uint8_t *p, size_t gs, float *out) {
    __m256 acc[2][2];
    for (int r = 0; r < nr; ++r) for (int j = 0; j < ng; ++j) acc[r][j] = _mm256_setzero_ps();
    uint8_t u[2][QK] __attribute__((aligned(32)));  // the rows' biased bytes
    const __m256i bias = _mm256_set1_epi8((char)0x80);
    for (size_t b = 0; b < nb; ++b) {
        __m256 d[2];
        for (int r = 0; r < nr; ++r) {
            const pk_block_q8_0 *blk = (const pk_block_q8_0 *)(w + (size_t)r * ws) + b;
            _mm256_store_si256((__m256i *)u[r], _mm256_xor_si256(_mm256_loadu_si256((const __m256i *)blk->qs), bias));
            d[r] = _mm256_cvtph_ps(_mm_set1_epi16((short)blk->d));  // F16C, exact
        }
        // Two chains per row and group (even and odd chunks; vpdpbusd waits for its
        // accumulator), the first starting from the bias correction.
        const uint8_t *pg[2];
        __m256i s[2][2][2];
        for (int j = 0; j < ng; ++j) {
            pg[j] = p + (size_t)j * gs + b * Q8P_BLOCK;
            __m256i nc = _mm256_loadu_si256((const __m256i *)(pg[j] + Q8P_NCORR));
            for (int r = 0; r < nr; ++r) { s[r][j][0] = nc; s[r][j][1] = _mm256_setzero_si256(); }
        }
        for (int k = 0; k < QK / 4; ++k) {
            __m256i y[2];
            for (int j = 0; j < ng; ++j) y[j] = _mm256_loadu_si256((const __m256i *)(pg[j] + Q8P_YS + 32 * k));
            for (int r = 0; r < nr; ++r) {
                __m256i wv = _mm256_set1_epi32((int)pk_load_u32(u[r] + 4 * k));
                for (int j = 0; j < ng; ++j) s[r][j][k & 1] = _mm256_dpbusd_epi32(s[r][j][k & 1], wv, y[j]);
            }
        }
        for (int j = 0; j < ng; ++j) {
            __m256 dy = _mm256_loadu_ps((const float *)(pg[j] + Q8P_DY));
            for (int r = 0; r < nr; ++r) {
                __m256i B = _mm256_add_epi32(s[r][j][0], s[r][j][1]);
                acc[r][j] = _mm256_fmadd_ps(_mm256_mul_ps(d[r], dy), _mm256_cvtepi32_ps(B), acc[r][j]);
            }
        }
    }
    for (int r = 0; r < nr; ++r) for (int j = 0; j < ng; ++j) _mm256_storeu_ps(out + 16 * r + 8 * j, acc[r][j]);
}

static void q8_gemm_avx512(size_t nb, const void *w, size_t ws, int nr, const void *p, size_t gs, int ng, float *out) {
    if (nr == 2) { if (ng == 2) q8_gemm(2, 2, nb, w, ws, p, gs, out); else q8_gemm(2, 1, nb, w, ws, p, gs, out); }
    else { if (ng == 2) q8_gemm(1, 2, nb, w, ws, p, gs, out); else q8_gemm(1, 1, nb, w, ws, p, gs, out); }
}

#undef INLINE
#pragma clang attribute pop
#endif  // __x86_64__

/// The tier's kernel (pk_gemm_fn shape, over 32-value blocks), or NULL.
static pk_gemm_fn kernel_for(int tier, int t) {
#if defined(__x86_64__)
    if (t == PK_Q8_0 && tier >= 2 && pk_kernels_for_tier(tier)->tier >= 2) return q8_gemm_avx512;
#else
    (void)tier; (void)t;
#endif
    return NULL;
}

// ---- Entry (the driver is gemm.c's) --------------------------------------------------

int pk_prefill_gemm_supports(int tier, int t) { return kernel_for(tier, t) != NULL; }

/// The driver's spec for the tier's kernel on plain rows (kernel NULL: none).
static struct pk_gemm_spec spec_for(int tier, int t) {
    return (struct pk_gemm_spec){ .kernel = kernel_for(tier, t), .pack = pack_q8_0,
                                  .block_values = QK, .packed_block_bytes = Q8P_BLOCK };
}

int pk_prefill_gemm_tier(int tier, pk_pool *pool, int t, const void *W, size_t rows, size_t cols,
                         const void *xq, size_t nx, float *out, size_t ldo) {
    int rc = pk_matmul_check(t, W, rows, cols, xq, nx, out, ldo);
    if (rc != PK_OK) return rc;
    if (rows == 0 || nx == 0) return PK_OK;
    struct pk_gemm_spec spec = spec_for(tier, t);
    if (spec.kernel && pk_gemm_run(&spec, pool, t, W, rows, cols, xq, nx, out, ldo) == 0) return PK_OK;
    // No kernel, nx < 8, or no memory for the packing: the dot kernels.
    return pk_matmul_tier(tier, pool, t, W, rows, cols, xq, nx, out, ldo);
}

int pk_prefill_gemm_x8_tier(int tier, pk_pool *pool, int t, const void *P, size_t rows, size_t cols,
                            const void *xq, size_t nx, float *out, size_t ldo) {
    int rc = pk_matmul_check(t, P, rows, cols, xq, nx, out, ldo);
    if (rc != PK_OK) return rc;
    if (rows % 8 != 0 || pk_x8_group_block_bytes(t) == 0) return PK_EBADSHAPE;
    if (rows == 0 || nx == 0) return PK_OK;
    // Each worker unpacks its tiles of rows (whole x8 groups) to plain rows for the kernel.
    struct pk_gemm_spec spec = spec_for(tier, t);
    spec.unpack = pk_x8_unpack, spec.unpacked_block_bytes = sizeof(pk_block_q8_0), spec.unpack_rows = 8;
    if (spec.kernel && pk_gemm_run(&spec, pool, t, P, rows, cols, xq, nx, out, ldo) == 0) return PK_OK;
    return pk_matmul_x8_tier(tier, pool, t, P, rows, cols, xq, nx, out, ldo);
}
