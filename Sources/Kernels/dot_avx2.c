// AVX2 + FMA (+ F16C) dot products; same signatures and integer block sums as
// dot_ref.c (K-quants in dot_avx2_kquants.c). Per block: int8 products summed in int16
// pairs (maddubs; no saturation for the value ranges here: weights 0..63 unsigned or
// |w| <= 128, activations |y| <= 127, which the Q8 quantizers guarantee), then int32
// lanes, then scaled in float and accumulated.
#if defined(__x86_64__)
#include "simd_common.h"
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

#pragma clang attribute pop

void pk_fill_avx2(struct pk_kernels *k) {
    k->tier = 1;
    k->dot[PK_SLOT_Q4_0] = dot_q4_0;
    k->dot[PK_SLOT_Q4_1] = dot_q4_1;
    k->dot[PK_SLOT_Q5_0] = dot_q5_0;
    k->dot[PK_SLOT_Q5_1] = dot_q5_1;
    k->dot[PK_SLOT_Q8_0] = dot_q8_0;
    // No four-row 32-block kernels here: with 16 vector registers they spill and run
    // no faster than four one-row dots (measured); pk_matmul falls back to those.
    (void)dot4_q4_0; (void)dot4_q4_1; (void)dot4_q5_0; (void)dot4_q5_1; (void)dot4_q8_0;
    pk_fill_avx2_kquants(k);
    pk_fill_avx2_gemm(k);  // K-quant prefill (gemm.c)
    pk_fill_avx2_x8(k);    // K-quant decode on row-interleaved weights (x8.c)
    k->dot[PK_SLOT_F32] = dot_f32;
    k->dot[PK_SLOT_F16] = dot_f16;
    k->dot[PK_SLOT_BF16] = dot_bf16;
    k->quantize_q8_0 = pk_quantize_q8_0_avx2;
    k->quantize_q8_K = pk_quantize_q8_K_avx2;
}
#endif  // __x86_64__
