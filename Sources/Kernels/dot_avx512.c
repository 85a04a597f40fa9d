// AVX-512 dot products (F, BW, VL, VNNI); same signatures and integer block sums as
// dot_ref.c. 32-block types: one block per 256-bit vector, products summed with VNNI
// (vpdpbusd: u8 x s8, four products per int32 lane, no int16 step). K-quants are in
// dot_avx512_kquants.c. Floats: 512-bit FMA with a masked tail.
#if defined(__x86_64__)
#include "simd_common.h"
#pragma clang attribute push(__attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni,avx2,fma,f16c"))), apply_to = function)

static inline __m256i dp(__m256i a, __m256i b) {
    return _mm256_dpbusd_epi32(_mm256_setzero_si256(), a, b);
}

// 32 bits -> 32 bytes of 0x10 where the bit is set.
static inline __m256i bit5(const uint8_t *qh) {
    return _mm256_maskz_set1_epi8((__mmask32)pk_load_u32(qh), 0x10);
}

#define SUBQ(q, c, y) _mm256_sub_epi32(dp(q, y), dp(c, y))
#define DOTQ dp
#define BIT5 bit5
// The same software prefetch as the AVX2 tier (PK_PREFETCH_AHEAD): on an AVX-512 VNNI
// Xeon, SmolLM2 Q8_0 decode ran 48 -> 64 tok/s on one thread and 63 -> 98 on two with
// it (the hardware prefetcher alone left the dots waiting on memory).
#define PREFETCH pk_prefetch_span
#include "dot32_template.h"
#undef PREFETCH
#undef SUBQ
#undef DOTQ
#undef BIT5

// Float rows: 2 x 16-lane accumulators, masked tail loads (no scalar remainder).
static float dot_f32(size_t n, const void *w, const void *x) {
    const float *a = w, *b = x;
    __m512 s0 = _mm512_setzero_ps(), s1 = s0;
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        s0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i), s0);
        s1 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i + 16), _mm512_loadu_ps(b + i + 16), s1);
    }
    for (; i < n; i += 16) {
        __mmask16 k = n - i >= 16 ? 0xFFFF : (__mmask16)((1u << (n - i)) - 1);
        s0 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(k, a + i), _mm512_maskz_loadu_ps(k, b + i), s0);
    }
    return _mm512_reduce_add_ps(_mm512_add_ps(s0, s1));
}

static inline __m512 f16x16(__mmask16 k, const uint16_t *p) {
    return _mm512_cvtph_ps(_mm256_maskz_loadu_epi16(k, p));
}

static inline __m512 bf16x16(__mmask16 k, const uint16_t *p) {
    return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(_mm256_maskz_loadu_epi16(k, p)), 16));
}

static float dot_f16(size_t n, const void *w, const void *x) {
    const uint16_t *a = w;
    const float *b = x;
    __m512 s0 = _mm512_setzero_ps(), s1 = s0;
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        s0 = _mm512_fmadd_ps(f16x16(0xFFFF, a + i), _mm512_loadu_ps(b + i), s0);
        s1 = _mm512_fmadd_ps(f16x16(0xFFFF, a + i + 16), _mm512_loadu_ps(b + i + 16), s1);
    }
    for (; i < n; i += 16) {
        __mmask16 k = n - i >= 16 ? 0xFFFF : (__mmask16)((1u << (n - i)) - 1);
        s0 = _mm512_fmadd_ps(f16x16(k, a + i), _mm512_maskz_loadu_ps(k, b + i), s0);
    }
    return _mm512_reduce_add_ps(_mm512_add_ps(s0, s1));
}

static float dot_bf16(size_t n, const void *w, const void *x) {
    const uint16_t *a = w;
    const float *b = x;
    __m512 s0 = _mm512_setzero_ps(), s1 = s0;
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        s0 = _mm512_fmadd_ps(bf16x16(0xFFFF, a + i), _mm512_loadu_ps(b + i), s0);
        s1 = _mm512_fmadd_ps(bf16x16(0xFFFF, a + i + 16), _mm512_loadu_ps(b + i + 16), s1);
    }
    for (; i < n; i += 16) {
        __mmask16 k = n - i >= 16 ? 0xFFFF : (__mmask16)((1u << (n - i)) - 1);
        s0 = _mm512_fmadd_ps(bf16x16(k, a + i), _mm512_maskz_loadu_ps(k, b + i), s0);
    }
    return _mm512_reduce_add_ps(_mm512_add_ps(s0, s1));
}

#pragma clang attribute pop

void pk_fill_avx512(struct pk_kernels *k) {
    k->tier = 2;
    k->dot[PK_SLOT_Q5_0] = dot_q5_0;
    k->dot[PK_SLOT_Q5_1] = dot_q5_1;
    k->dot4[PK_SLOT_Q5_0] = dot4_q5_0;
    k->dot4[PK_SLOT_Q5_1] = dot4_q5_1;
    // Q4_0, Q4_1 and Q8_0 take the x8 kernels' float order (gemv_x8_q32_avx512.c).
    (void)dot_q4_0, (void)dot_q4_1, (void)dot_q8_0, (void)dot4_q4_0, (void)dot4_q4_1, (void)dot4_q8_0;
    pk_fill_avx512_kquants(k);
    pk_fill_avx512_iq(k);  // the AVX2 IQ dots, but the IQ2/IQ3 many-column ones
    // K-quant prefill (GEMM) and x8 decode on VNNI: the AVX2 kernels' bodies, which give
    // the same bits as this tier's K-quant dots (one canonical float sequence on exact
    // integers).
    pk_fill_avx512_gemm(k);
    pk_fill_avx512_iq_gemm(k);  // IQ2/IQ3 prefill on int8 tiles (gemm_avx512_iq.c)
    pk_fill_avx512_x8(k);
    pk_fill_avx512_x8_q32(k);
    k->dot[PK_SLOT_F32] = dot_f32;
    k->dot[PK_SLOT_F16] = dot_f16;
    k->dot[PK_SLOT_BF16] = dot_bf16;
    k->quantize_q8_0 = pk_quantize_q8_0_avx512;
    k->quantize_q8_K = pk_quantize_q8_K_avx512;
}
#endif  // __x86_64__
