// AVX2 + FMA (+ F16C) dot products; same signatures and integer block sums as
// dot_ref.c (K-quants in dot_avx2_kquants.c). Per block: int8 products summed in int16
// pairs (maddubs; no saturation for the value ranges here: weights 0..63 unsigned or
// |w| <= 128, activations |y| <= 127, which the Q8 quantizers guarantee), then int32
// lanes, then scaled in float and accumulated.
#if defined(__x86_64__)
#include "simd_common.h"
#include <math.h>
#pragma clang attribute push(__attribute__((target("avx2,fma,f16c"))), apply_to = function)

// (q - c) . y = q . y - c . y, subtracted in int16 pairs (|.| <= 7874 + 4064).
#define SUBQ(q, c, y) _mm256_madd_epi16(_mm256_sub_epi16(_mm256_maddubs_epi16(q, y), _mm256_maddubs_epi16(c, y)), _mm256_set1_epi16(1))
#define DOTQ pk_dot_u8s8_avx2
#define BIT5 pk_bit5_32
#define PREFETCH pk_prefetch_span
#include "dot32_template.h"
#undef PREFETCH
#undef SUBQ
#undef DOTQ
#undef BIT5

// Float rows: 4 independent accumulators of 8 lanes; the tail (n % 32) in scalar.
static float dot_f32(size_t n, const void *w, const void *x) {
    const float *a = w, *b = x;
    __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
        s1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), s1);
        s2 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 16), _mm256_loadu_ps(b + i + 16), s2);
        s3 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 24), _mm256_loadu_ps(b + i + 24), s3);
    }
    float s = pk_hsum_ps256(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));
    for (; i < n; ++i) s += a[i] * b[i];
    return s;
}

static inline __m256 load_f16x8(const uint16_t *p) {
    return _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)p));
}

static inline __m256 load_bf16x8(const uint16_t *p) {
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)p)), 16));
}

static float dot_f16(size_t n, const void *w, const void *x) {
    const uint16_t *a = w;
    const float *b = x;
    __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        s0 = _mm256_fmadd_ps(load_f16x8(a + i), _mm256_loadu_ps(b + i), s0);
        s1 = _mm256_fmadd_ps(load_f16x8(a + i + 8), _mm256_loadu_ps(b + i + 8), s1);
        s2 = _mm256_fmadd_ps(load_f16x8(a + i + 16), _mm256_loadu_ps(b + i + 16), s2);
        s3 = _mm256_fmadd_ps(load_f16x8(a + i + 24), _mm256_loadu_ps(b + i + 24), s3);
    }
    float s = pk_hsum_ps256(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));
    for (; i < n; ++i) s += pk_fp16_to_fp32(a[i]) * b[i];
    return s;
}

static float dot_bf16(size_t n, const void *w, const void *x) {
    const uint16_t *a = w;
    const float *b = x;
    __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        s0 = _mm256_fmadd_ps(load_bf16x8(a + i), _mm256_loadu_ps(b + i), s0);
        s1 = _mm256_fmadd_ps(load_bf16x8(a + i + 8), _mm256_loadu_ps(b + i + 8), s1);
        s2 = _mm256_fmadd_ps(load_bf16x8(a + i + 16), _mm256_loadu_ps(b + i + 16), s2);
        s3 = _mm256_fmadd_ps(load_bf16x8(a + i + 24), _mm256_loadu_ps(b + i + 24), s3);
    }
    float s = pk_hsum_ps256(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));
    for (; i < n; ++i) {
        uint32_t bits = (uint32_t)a[i] << 16;
        float f;
        memcpy(&f, &bits, 4);
        s += f * b[i];
    }
    return s;
}

// Q4_1 with a 4-lane float tail, in two instruction widths that give the same bits.
// Per block: [d * dy, m * s] from one 4-half conversion and one multiply (m * s goes to
// lane 1 of the min accumulator); the integer dot as 4 int32 lanes, lane j the products
// of values 4j .. 4j+3 and 16+4j .. 16+4j+3 (at most 8 * 15 * 127 = 15,240: exact in
// int16 pair sums and in float); acc = fma(d * dy, lanes, acc). Blocks alternate
// between two accumulator pairs (even, odd; the tail block to even); the result is
// hsum4(even + odd) + (min even + min odd)[1].
//   256: the 32 values in one register (maddubs, madd), the halves added as int32;
//   128: low and high nibbles in two registers, their int16 pair sums added (<= 7,620),
//        one madd. It is the one-row dot on every AVX2 CPU: about a quarter faster than
//        the 256-bit form where 256-bit operations are split in two (Zen 1), an eighth
//        on Zen 3. Where 256-bit operations are not split, Q4_1 takes the x8 order instead.
// hsum4(even + odd): the Q8_0 and Q4_1 dots' last step (one row and four).
static inline float q8_total(__m128 e, __m128 o) {
    __m128 v = _mm_add_ps(e, o);
    v = _mm_add_ps(v, _mm_movehl_ps(v, v));
    return _mm_cvtss_f32(_mm_add_ss(v, _mm_movehdup_ps(v)));
}
// d, m of a block, converted (lanes 2, 3 zero).
static inline __m128 q41_dm(const pk_block_q4_1 *a) {
    return _mm_cvtph_ps(_mm_cvtsi32_si128((int)pk_load_u32((const uint8_t *)a)));
}
// [d * dy, m * s, 0, 0] from the converted d, m (dm) and the column's dy, s of the block.
static inline __m128 q41_scales(__m128 dm, const float *dy, const float *s) {
    return _mm_mul_ps(dm, _mm_insert_ps(_mm_load_ss(dy), _mm_load_ss(s), 0x10));
}
// The 4 lanes of a block: the 32 products' 8 int32 sums, halves added.
static inline __m128i q41_lanes256(const pk_block_q4_1 *a, const pk_block_q8_0 *b) {
    __m256i p = pk_dot_u8s8_avx2(pk_nibbles32(a->qs), _mm256_loadu_si256((const __m256i *)b->qs));
    return _mm_add_epi32(_mm256_castsi256_si128(p), _mm256_extracti128_si256(p, 1));
}
static inline __m128i q41_lanes128(const pk_block_q4_1 *a, const pk_block_q8_0 *b) {
    const __m128i m4 = _mm_set1_epi8(0x0F);
    __m128i q = _mm_loadu_si128((const __m128i *)a->qs);
    __m128i lo = _mm_maddubs_epi16(_mm_and_si128(q, m4), _mm_loadu_si128((const __m128i *)b->qs));
    __m128i hi = _mm_maddubs_epi16(_mm_and_si128(_mm_srli_epi16(q, 4), m4), _mm_loadu_si128((const __m128i *)(b->qs + 16)));
    return _mm_madd_epi16(_mm_add_epi16(lo, hi), _mm_set1_epi16(1));
}
// One block into a column's accumulators: acc = fma(d * dy, lanes, acc); accm += t.
static inline void q41_step(__m128 t, __m128i lanes, __m128 *acc, __m128 *accm) {
    *acc = _mm_fmadd_ps(_mm_shuffle_ps(t, t, 0), _mm_cvtepi32_ps(lanes), *acc);
    *accm = _mm_add_ps(*accm, t);
}
// hsum4(even + odd) + (min even + min odd)[1]: the one-row dots' last step (the four-row
// dot: q8_total and its rows' min sums).
static inline float q41_total(__m128 e, __m128 o, __m128 em, __m128 om) {
    return q8_total(e, o) + _mm_cvtss_f32(_mm_movehdup_ps(_mm_add_ps(em, om)));
}
#define Q41_STEP(LANES, j, acc, accm) \
    q41_step(q41_scales(q41_dm(&a[j]), &dy[j], &s[j]), LANES(&a[j], &b[j]), &acc, &accm)
#define Q41_DOT(name, LANES)                                                                \
    static float name(size_t n, const void *w, const void *x) {                            \
        const pk_block_q4_1 *a = w;                                                        \
        const pk_block_q8_0 *b = x;                                                        \
        size_t nb = n / QK, i = 0;                                                         \
        const float *dy = pk_q8_dy(x, nb), *s = pk_q8_s(x, nb);                            \
        __m128 e = _mm_setzero_ps(), o = e, em = e, om = e;                                \
        for (; i + 2 <= nb; i += 2) {                                                      \
            pk_prefetch_span(&a[i], 2 * sizeof(pk_block_q4_1));                            \
            Q41_STEP(LANES, i, e, em);                                                     \
            Q41_STEP(LANES, i + 1, o, om);                                                 \
        }                                                                                  \
        if (i < nb) Q41_STEP(LANES, i, e, em);                                             \
        return q41_total(e, o, em, om);                                                    \
    }
Q41_DOT(dot_q4_1_256, q41_lanes256)
Q41_DOT(dot_q4_1_128, q41_lanes128)
#undef Q41_DOT
#undef Q41_STEP

// Q8_0 the same way: |q| . (y with q's signs) as 4 int32 lanes (lane j: values 4j .. 4j+3
// and 16+4j .. 16+4j+3, pair sums <= 2 * 128 * 127 = 32,512 in int16, so the halves are
// added as int32 in both widths); acc = fma(d * dy, lanes, acc), even and odd blocks on
// two accumulators, result hsum4(even + odd). The 128-bit form saves less than Q4_1's
// (no nibble unpacking to spare) but still about an eighth on Zen 1. Where 256-bit
// operations are not split, Q8_0 takes the x8 order instead.
// The 256-bit lanes of weights q (aq = |q|) against activations y.
static inline __m256i q8_products8(__m256i aq, __m256i q, const int8_t *y) {
    return pk_dot_u8s8_avx2(aq, _mm256_sign_epi8(_mm256_loadu_si256((const __m256i *)y), q));
}
static inline __m128i q8_lanes256(const pk_block_q8_0 *a, const pk_block_q8_0 *b) {
    __m256i q = _mm256_loadu_si256((const __m256i *)a->qs);
    __m256i p = q8_products8(_mm256_abs_epi8(q), q, b->qs);
    return _mm_add_epi32(_mm256_castsi256_si128(p), _mm256_extracti128_si256(p, 1));
}
static inline __m128i q8_half128(const int8_t *w, const int8_t *y) {
    __m128i q = _mm_loadu_si128((const __m128i *)w);
    return _mm_madd_epi16(_mm_maddubs_epi16(_mm_abs_epi8(q), _mm_sign_epi8(_mm_loadu_si128((const __m128i *)y), q)), _mm_set1_epi16(1));
}
static inline __m128i q8_lanes128(const pk_block_q8_0 *a, const pk_block_q8_0 *b) {
    return _mm_add_epi32(q8_half128(a->qs, b->qs), q8_half128(a->qs + 16, b->qs + 16));
}
// A block's scale product d * dy in every lane (wd: the weight's d, converted).
static inline __m128 q8_scale(__m128 wd, const float *dy) {
    __m128 t = _mm_mul_ss(wd, _mm_load_ss(dy));
    return _mm_shuffle_ps(t, t, 0);
}
#define Q8_STEP(LANES, j, acc)                                                              \
    acc = _mm_fmadd_ps(q8_scale(_mm_cvtph_ps(_mm_cvtsi32_si128(a[j].d)), &dy[j]),          \
                       _mm_cvtepi32_ps(LANES(&a[j], &b[j])), acc)
#define Q8_DOT(name, LANES)                                                                 \
    static float name(size_t n, const void *w, const void *x) {                            \
        const pk_block_q8_0 *a = w, *b = x;                                                \
        size_t nb = n / QK, i = 0;                                                         \
        const float *dy = pk_q8_dy(x, nb);                                                 \
        __m128 e = _mm_setzero_ps(), o = e;                                                \
        for (; i + 2 <= nb; i += 2) {                                                      \
            pk_prefetch_span(&a[i], 2 * sizeof(pk_block_q8_0));                            \
            Q8_STEP(LANES, i, e);                                                          \
            Q8_STEP(LANES, i + 1, o);                                                      \
        }                                                                                  \
        if (i < nb) Q8_STEP(LANES, i, e);                                                  \
        return q8_total(e, o);                                                             \
    }
Q8_DOT(dot_q8_0_256, q8_lanes256)
Q8_DOT(dot_q8_0_128, q8_lanes128)
#undef Q8_DOT
#undef Q8_STEP

#pragma clang attribute pop

void pk_fill_avx2(struct pk_kernels *k) {
    k->tier = 1;
    k->dot[PK_SLOT_Q4_0] = dot_q4_0;
    k->dot[PK_SLOT_Q4_1] = dot_q4_1_128;
    (void)dot_q4_1;
    k->dot[PK_SLOT_Q5_0] = dot_q5_0;
    k->dot[PK_SLOT_Q5_1] = dot_q5_1;
    k->dot[PK_SLOT_Q8_0] = dot_q8_0_128;
    (void)dot_q8_0;
    // No four-row template kernels here (dot32_template.h): with 16 vector registers they
    // spilled and ran no faster than four one-row dots on Zen 1, and their rounding differs
    // from the one-row dots above, which decode uses. Where the core does not split
    // 256-bit operations, Q4_0, Q4_1 and Q8_0 take x8 kernels with one-row dots in their
    // order (gemv_x8_q32_avx2.c).
    (void)dot4_q4_0; (void)dot4_q4_1; (void)dot4_q5_0; (void)dot4_q5_1; (void)dot4_q8_0;
    if (!pk_cpu_splits_256()) pk_fill_avx2_x8_q32(k);
    pk_fill_avx2_kquants(k);
    pk_fill_avx2_iq(k);
    pk_fill_avx2_gemm(k);  // K-quant prefill (gemm.c)
    pk_fill_avx2_x8(k);    // K-quant decode on row-interleaved weights (x8.c)
    k->dot[PK_SLOT_F32] = dot_f32;
    k->dot[PK_SLOT_F16] = dot_f16;
    k->dot[PK_SLOT_BF16] = dot_bf16;
    k->quantize_q8_0 = pk_quantize_q8_0_avx2;
    k->quantize_q8_K = pk_quantize_q8_K_avx2;
}

float pk_vec_dot_avx2_width(int width, int t, size_t n, const void *w, const void *x) {
    if (pk_max_tier() < 1 || n % QK != 0 || (width != 128 && width != 256)) return NAN;
    switch (t) {
    case PK_Q4_1: return width == 128 ? dot_q4_1_128(n, w, x) : dot_q4_1_256(n, w, x);
    case PK_Q8_0: return width == 128 ? dot_q8_0_128(n, w, x) : dot_q8_0_256(n, w, x);
    default: return NAN;
    }
}
#else
#include "kernels_internal.h"
#include <math.h>
float pk_vec_dot_avx2_width(int width, int t, size_t n, const void *w, const void *x) {
    (void)width; (void)t; (void)n; (void)w; (void)x;
    return NAN;
}
#endif
