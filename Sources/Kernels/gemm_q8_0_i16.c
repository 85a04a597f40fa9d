// The 16-bit Q8_0 prefill GEMM (AVX2; the AVX-512 tier runs the same code): Q8_0 weights
// against float activations rounded to int16 per 32-value block, for prompt-sized calls
// on the default path. Why 16 bits: SmolLM2 Q8_0's perplexity on GPL-3 with activations
// rounded per block to 8 bits is +0.4% off the float path's, to 16 bits within 0.002%
// (measured; see BENCHMARKS.md's git history), while the integer products still run two to a lane
// (vpmaddwd: 16 multiply-adds per instruction, twice an FMA's 8).
//
// Activations: per column and block, d = max|x| / 32767, q = rne(x / d) (x * (1 / d),
// as the Q8_0 quantizer), |q| <= 32767. Packed 8 columns to a group, per block b at
// group + b * Q16P_BLOCK:
//   [0, 512)    int16 ys: pair k (values 2k, 2k+1) of column c at 32k + 4c
//   [512, 544)  float dy[8]: each column's d
// Columns past the real ones (a last, partial group) are zero.
//
// Kernel: per block, row r and column c the exact integer B = sum w q (|B| <= 32 * 128
// * 32767 < 2^31), then acc = fma(d_r * dy_c, (float)B, acc), block after block: a fixed
// order, so results depend neither on the thread count nor on the batch's other columns.
#include "kernels_internal.h"

enum { Q16P_YS = 0, Q16P_DY = 512, Q16P_BLOCK = 544 };

#if defined(__x86_64__)
#include "simd_common.h"
#pragma clang attribute push(__attribute__((target("avx2,fma,f16c"))), apply_to = function)

#define INLINE static inline __attribute__((always_inline))

// ---- Packing --------------------------------------------------------------------------

/// nc (1 ... 8) float rows of nb blocks, xs bytes apart, rounded and packed into a group.
static void pack_f32_i16(const void *x, size_t xs, int nc, size_t nb, uint8_t *out) {
    const __m256 sign = _mm256_set1_ps(-0.0f);
    for (size_t b = 0; b < nb; ++b) {
        uint8_t *o = out + b * Q16P_BLOCK;
        if (nc < 8) memset(o, 0, Q16P_BLOCK);
        for (int c = 0; c < nc; ++c) {
            const float *xc = (const float *)((const uint8_t *)x + (size_t)c * xs) + b * QK;
            __m256 v[4];
            __m256 m = _mm256_setzero_ps();
            for (int i = 0; i < 4; ++i) {
                v[i] = _mm256_loadu_ps(xc + 8 * i);
                m = _mm256_max_ps(m, _mm256_andnot_ps(sign, v[i]));
            }
            float d = pk_hmax_ps256(m) / 32767.0f;
            float id = d != 0 ? 1.0f / d : 0.0f;
            __m256 vid = _mm256_set1_ps(id);
            __m256i q[4];
            for (int i = 0; i < 4; ++i) q[i] = _mm256_cvtps_epi32(_mm256_mul_ps(v[i], vid));  // rne
            // packs interleaves 128-bit lanes: [a0..3 b0..3 a4..7 b4..7] -> reorder.
            int16_t h[QK] __attribute__((aligned(32)));
            _mm256_store_si256((__m256i *)h, _mm256_permute4x64_epi64(_mm256_packs_epi32(q[0], q[1]), 0xD8));
            _mm256_store_si256((__m256i *)(h + 16), _mm256_permute4x64_epi64(_mm256_packs_epi32(q[2], q[3]), 0xD8));
            for (int k = 0; k < QK / 2; ++k) memcpy(o + Q16P_YS + 32 * k + 4 * c, h + 2 * k, 4);
            memcpy(o + Q16P_DY + 4 * c, &d, 4);
        }
    }
}

// ---- The micro-kernel -----------------------------------------------------------------

/// nr (1, 2) weight rows, ws bytes apart, of nb blocks against ng (1, 2) packed groups,
/// gs bytes apart: out[16 r + 8 g + c].
INLINE void i16_gemm(int nr, int ng, size_t nb, const uint8_t *w, size_t ws, const uint8_t *p, size_t gs, float *out) {
    __m256 acc[2][2];
    for (int r = 0; r < nr; ++r) for (int j = 0; j < ng; ++j) acc[r][j] = _mm256_setzero_ps();
    int16_t u[2][QK] __attribute__((aligned(32)));  // the rows' weights, widened
    for (size_t b = 0; b < nb; ++b) {
        __m256 d[2];
        for (int r = 0; r < nr; ++r) {
            const pk_block_q8_0 *blk = (const pk_block_q8_0 *)(w + (size_t)r * ws) + b;
            __m256i q = _mm256_loadu_si256((const __m256i *)blk->qs);
            _mm256_store_si256((__m256i *)u[r], _mm256_cvtepi8_epi16(_mm256_castsi256_si128(q)));
            _mm256_store_si256((__m256i *)(u[r] + 16), _mm256_cvtepi8_epi16(_mm256_extracti128_si256(q, 1)));
            d[r] = _mm256_cvtph_ps(_mm_set1_epi16((short)blk->d));  // F16C, exact
        }
        // Keep u in memory: the pairs below are broadcast straight from it (a load each);
        // without this clang forwards the stores through shuffles and spills.
        __asm__ volatile("" ::: "memory");
        const uint8_t *pg[2];
        __m256i s[2][2];
        for (int j = 0; j < ng; ++j) {
            pg[j] = p + (size_t)j * gs + b * Q16P_BLOCK;
            for (int r = 0; r < nr; ++r) s[r][j] = _mm256_setzero_si256();
        }
        // Not unrolled whole: clang then hoists every load and spills (measured).
#pragma clang loop unroll_count(4)
        for (int k = 0; k < QK / 2; ++k) {
            __m256i y[2];
            for (int j = 0; j < ng; ++j) y[j] = _mm256_loadu_si256((const __m256i *)(pg[j] + Q16P_YS + 32 * k));
            for (int r = 0; r < nr; ++r) {
                __m256i wv = _mm256_set1_epi32((int)pk_load_u32((const uint8_t *)(u[r] + 2 * k)));
                for (int j = 0; j < ng; ++j) s[r][j] = _mm256_add_epi32(s[r][j], _mm256_madd_epi16(wv, y[j]));
            }
        }
        for (int j = 0; j < ng; ++j) {
            __m256 dy = _mm256_loadu_ps((const float *)(pg[j] + Q16P_DY));
            for (int r = 0; r < nr; ++r)
                acc[r][j] = _mm256_fmadd_ps(_mm256_mul_ps(d[r], dy), _mm256_cvtepi32_ps(s[r][j]), acc[r][j]);
        }
    }
    for (int r = 0; r < nr; ++r) for (int j = 0; j < ng; ++j) _mm256_storeu_ps(out + 16 * r + 8 * j, acc[r][j]);
}

static void i16_gemm_avx2(size_t nb, const void *w, size_t ws, int nr, const void *p, size_t gs, int ng, float *out) {
    if (nr == 2) { if (ng == 2) i16_gemm(2, 2, nb, w, ws, p, gs, out); else i16_gemm(2, 1, nb, w, ws, p, gs, out); }
    else { if (ng == 2) i16_gemm(1, 2, nb, w, ws, p, gs, out); else i16_gemm(1, 1, nb, w, ws, p, gs, out); }
}

#undef INLINE
#pragma clang attribute pop
#endif  // __x86_64__

/// The tier's spec for type t (kernel NULL where it has none).
static struct pk_gemm_spec spec_for(int tier, int t) {
    struct pk_gemm_spec spec = { .block_values = QK, .packed_block_bytes = Q16P_BLOCK };
#if defined(__x86_64__)
    if (t == PK_Q8_0 && tier >= 1 && pk_kernels_for_tier(tier)->tier >= 1) {
        spec.kernel = i16_gemm_avx2;
        spec.pack = pack_f32_i16;
    }
#else
    (void)tier; (void)t;
#endif
    return spec;
}

// ---- Entry (the driver is gemm.c's) --------------------------------------------------

int pk_gemm16_supports(int tier, int t) { return spec_for(tier, t).kernel != NULL; }

int pk_gemm16_tier(int tier, pk_pool *pool, int t, const void *W, size_t rows, size_t cols,
                   const float *x, size_t nx, float *out, size_t ldo) {
    int rc = pk_matmul_check(t, W, rows, cols, x, nx, out, ldo);
    if (rc != PK_OK) return rc;
    if (rows == 0 || nx == 0) return PK_OK;
    struct pk_gemm_spec spec = spec_for(tier, t);
    spec.input_row_bytes = cols * sizeof(float);
    if (!spec.kernel || pk_gemm_run(&spec, pool, t, W, rows, cols, x, nx, out, ldo) != 0) return PK_EUNSUPPORTED;
    return PK_OK;
}
