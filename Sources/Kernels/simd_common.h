#ifndef PONDER_SIMD_COMMON_H
#define PONDER_SIMD_COMMON_H
// Small AVX2 helpers shared by the AVX2 and AVX-512 kernel files. Each is a static
// inline function with its own target attribute, so including this file never raises
// the baseline ISA of the translation unit.
#include "kernels_internal.h"
#include <immintrin.h>

#define PK_AVX2 __attribute__((target("avx2,fma,f16c"), always_inline))

/// Two halves packed in 32 bits (low, high) -> floats in lanes 0 and 1, with F16C
/// (exact, as pk_fp16_to_fp32). The empty asm keeps the value opaque: otherwise clang
/// narrows the load to a vpinsrw that merges into whatever register it picks (an
/// accumulator, in practice), chaining every block to the previous one's FMA.
static inline PK_AVX2 __m128 pk_cvtph_u32(uint32_t bits) {
    __m128i v = _mm_cvtsi32_si128((int)bits);
    __asm__("" : "+x"(v));
    return _mm_cvtph_ps(v);
}

/// The product of two halves (as floats, one rounding) in all 8 lanes.
static inline PK_AVX2 __m256 pk_h2f_mul8(uint16_t a, uint16_t b) {
    return _mm256_mul_ps(_mm256_cvtph_ps(_mm_set1_epi16((short)a)), _mm256_cvtph_ps(_mm_set1_epi16((short)b)));
}

static inline PK_AVX2 float pk_hsum_ps256(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

static inline PK_AVX2 float pk_hmax_ps256(__m256 v) {
    __m128 m = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    m = _mm_max_ps(m, _mm_movehl_ps(m, m));
    m = _mm_max_ss(m, _mm_movehdup_ps(m));
    return _mm_cvtss_f32(m);
}

static inline PK_AVX2 float pk_hsum_ps128(__m128 s) {
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

/// 16 bytes of packed nibbles -> 32 bytes: byte j (j < 16) = low nibble of byte j,
/// byte 16 + j = high nibble of byte j (the order of a Q4_0/Q4_1/Q5 block).
static inline PK_AVX2 __m256i pk_nibbles32(const uint8_t *p) {
    __m128i b = _mm_loadu_si128((const __m128i *)p);
    __m256i t = _mm256_set_m128i(_mm_srli_epi16(b, 4), b);
    return _mm256_and_si256(t, _mm256_set1_epi8(0x0F));
}

/// 32 bits of qh -> 32 bytes, 0x10 where bit j is set, else 0 (the fifth bit of Q5).
static inline PK_AVX2 __m256i pk_bit5_32(const uint8_t *qh) {
    uint32_t x = pk_load_u32(qh);
    const __m256i shuf = _mm256_set_epi64x(0x0303030303030303, 0x0202020202020202,
                                           0x0101010101010101, 0x0000000000000000);
    __m256i bytes = _mm256_shuffle_epi8(_mm256_set1_epi32((int)x), shuf);
    __m256i bits = _mm256_set1_epi64x(0x8040201008040201);
    __m256i set = _mm256_cmpeq_epi8(_mm256_and_si256(bytes, bits), bits);
    return _mm256_and_si256(set, _mm256_set1_epi8(0x10));
}

/// The sum of 8 int32 lanes (wrapping; exact when the true sum fits, as in the K-quant
/// kernels) and of 4.
static inline PK_AVX2 int32_t pk_hsum_epi32_128(__m128i v) {
    v = _mm_add_epi32(v, _mm_unpackhi_epi64(v, v));
    v = _mm_add_epi32(v, _mm_shuffle_epi32(v, 0xB1));
    return _mm_cvtsi128_si32(v);
}
static inline PK_AVX2 int32_t pk_hsum_epi32_256(__m256i v) {
    return pk_hsum_epi32_128(_mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1)));
}

/// Software prefetch for the decode dots, which stream each weight row once. On the
/// AVX2 machine measured (a Zen 3 VM), the hardware prefetcher alone kept
/// a Q4_K matvec at 7.2 GB/s on one thread; asking for the bytes PK_PREFETCH_AHEAD
/// ahead of the block being decoded raised it to 10.7 (Q6_K 7.5 -> 10.8, Q8_0 7.0 ->
/// 9.1). 1, 2, 4, 8 and 16 KiB were tried: 4 KiB was best or tied. Past the end of a
/// row it touches the next row, which the same thread reads next; past the end of the
/// matrix it is a hint and never faults.
///
/// The AVX2 x8 kernels (gemv_x8_avx2.c) read huge-page copies and prefetch PK_PREFETCH_AHEAD_X8
/// ahead instead: on the same VM, tokens of the 4B-shaped model's matrices alternated
/// between distances (so that the machine's slow and fast stretches hit all alike) ran
/// 5 to 8% faster at 2, 2.5 or 3 KiB than at 4 KiB, on 1 and on 2 threads, and at 6 KiB
/// slower. The plain dots on 4 KiB pages showed no such difference (3 vs 4 KiB within 3%).
enum { PK_PREFETCH_AHEAD = 4096, PK_PREFETCH_AHEAD_X8 = 3072 };
static inline PK_AVX2 void pk_prefetch_span_at(const void *p, size_t ahead, size_t bytes) {
    const char *c = (const char *)p + ahead;
    for (size_t o = 0; o < bytes; o += 64) _mm_prefetch(c + o, _MM_HINT_T0);
}
/// The same with the non-temporal hint (prefetchnta), for bytes read once: the AVX2 x8
/// kernels use it. On a Zen 1 VM it streamed x8 matrices 2 to
/// 5% faster than the T0 hint from DRAM, on 1 and on 2 threads (best of 5 passes over
/// 512 MiB, alternated; Q4_K 2 threads 26.6 -> 27.4 GB/s, Q6_K 26.7 -> 27.4). T1 tied
/// with T0. Not measured on other AVX2 CPUs.
static inline PK_AVX2 void pk_prefetch_span_nta(const void *p, size_t ahead, size_t bytes) {
    const char *c = (const char *)p + ahead;
    for (size_t o = 0; o < bytes; o += 64) _mm_prefetch(c + o, _MM_HINT_NTA);
}
static inline PK_AVX2 void pk_prefetch_span(const void *p, size_t bytes) {
    pk_prefetch_span_at(p, PK_PREFETCH_AHEAD, bytes);
}

/// fma(a, b, c) in single precision, one rounding (vfmadd, never a separate mul + add).
static inline PK_AVX2 float pk_fmaf(float a, float b, float c) {
    return _mm_cvtss_f32(_mm_fmadd_ss(_mm_set_ss(a), _mm_set_ss(b), _mm_set_ss(c)));
}

/// Sums of 4 adjacent u8 x s8 products into int32 lanes, via int16 pairs. Exact when
/// every pair sum of a*b fits in int16 (a <= 128, |b| <= 127 as used here).
static inline PK_AVX2 __m256i pk_dot_u8s8_avx2(__m256i a, __m256i b) {
    return _mm256_madd_epi16(_mm256_maddubs_epi16(a, b), _mm256_set1_epi16(1));
}

/// Group g (0 ... 3) of a Q4_K/Q5_K super-block's quants (qs: its 128 nibble bytes) as
/// bytes: *lo = sub-block 2g (the low nibbles of qs[32g .. 32g+31]), *hi = sub-block 2g+1
/// (the high nibbles); with five, the fifth bit of value 32s + l is bit s of hb's byte l
/// (hb = Q5_K's qh[0 .. 31]).
static inline PK_AVX2 void pk_k45_group(const uint8_t *qs, __m256i hb, int five, int g, __m256i *lo, __m256i *hi) {
    const __m256i m4 = _mm256_set1_epi8(0x0F), bit = _mm256_set1_epi8(1);
    __m256i v = _mm256_loadu_si256((const __m256i *)(qs + 32 * g));
    *lo = _mm256_and_si256(v, m4);
    *hi = _mm256_and_si256(_mm256_srli_epi16(v, 4), m4);
    if (five) {
        *lo = _mm256_or_si256(*lo, _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hb, 2 * g), bit), 4));
        *hi = _mm256_or_si256(*hi, _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hb, 2 * g + 1), bit), 4));
    }
}

/// Half h of a Q6_K super-block's quants (ql += 64h, qh += 32h) as bytes 0 ... 63:
/// q[k] = the half's values 32k .. 32k+31 (the layout in kernels_internal.h).
static inline PK_AVX2 void pk_q6_half(const uint8_t *ql, const uint8_t *qh, __m256i q[4]) {
    const __m256i m4 = _mm256_set1_epi8(0x0F), m2 = _mm256_set1_epi8(0x30);
    __m256i l1 = _mm256_loadu_si256((const __m256i *)ql);
    __m256i l2 = _mm256_loadu_si256((const __m256i *)(ql + 32));
    __m256i hh = _mm256_loadu_si256((const __m256i *)qh);
    q[0] = _mm256_or_si256(_mm256_and_si256(l1, m4), _mm256_and_si256(_mm256_slli_epi16(hh, 4), m2));
    q[1] = _mm256_or_si256(_mm256_and_si256(l2, m4), _mm256_and_si256(_mm256_slli_epi16(hh, 2), m2));
    q[2] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l1, 4), m4), _mm256_and_si256(hh, m2));
    q[3] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l2, 4), m4), _mm256_and_si256(_mm256_srli_epi16(hh, 2), m2));
}

/// Q4_K/Q5_K scales[12] -> 16 bytes: scales 0..7 then mins 0..7 (as pk_scale_min_k4).
static inline void pk_scales_k4_16(const uint8_t *scales, uint32_t out[4]) {
    uint32_t u[3];
    memcpy(u, scales, 12);
    const uint32_t k1 = 0x3f3f3f3f, k2 = 0x0f0f0f0f, k3 = 0x03030303;
    out[0] = u[0] & k1;
    out[1] = (u[2] & k2) | (((u[0] >> 6) & k3) << 4);
    out[2] = u[1] & k1;
    out[3] = ((u[2] >> 4) & k2) | (((u[1] >> 6) & k3) << 4);
}

#endif
