// AVX-512 K-quant dot products (Q4_K, Q5_K, Q6_K weights x Q8_K activations), one and
// four activation columns. 64 values per 512-bit vector: two Q4_K/Q5_K sub-blocks of 32
// or four Q6_K sub-blocks of 16; u8 x s8 pairs in int16 (exact: q <= 63, |y| <= 127),
// times per-lane int16 scales into int32 (vpmaddwd). The float part is the canonical
// K-quant sequence of dot_avx2_kquants.c (per super-block the exact integers S_i and M_i,
// then one scalar FMA each), so these dots give the same bits as the AVX2 ones, and the
// AVX2 GEMM and x8 kernels, which this tier shares, agree with them bit for bit. The
// one-column dot is the same always-inlined body as the four-column one with nc = 1.
// Software prefetch as on the AVX2 tier (pk_prefetch_span, PK_PREFETCH_AHEAD): these dots
// read the matrices kept in the file's layout (before or without the x8 copies).
#if defined(__x86_64__)
#include "simd_common.h"
#pragma clang attribute push(__attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni,avx2,fma,f16c"))), apply_to = function)

#define INLINE static inline __attribute__((always_inline))

INLINE __m512i join(__m256i lo, __m256i hi) {
    return _mm512_inserti64x4(_mm512_castsi256_si512(lo), hi, 1);
}

// Min term of Q4_K/Q5_K: sum_s m[s] * (bsums[2s] + bsums[2s+1]) in 4 int32 lanes.
INLINE __m128i kmins(const uint32_t *sm, const int16_t *bsums) {
    __m128i bs = _mm_hadd_epi16(_mm_loadu_si128((const __m128i *)bsums),
                                _mm_loadu_si128((const __m128i *)(bsums + 8)));
    __m128i mins = _mm_cvtepu8_epi16(_mm_loadl_epi64((const __m128i *)(sm + 2)));
    return _mm_madd_epi16(mins, bs);
}

static inline const pk_block_q8_K *column(const void *x, size_t xs, int c) {
    return (const pk_block_q8_K *)((const uint8_t *)x + (size_t)c * xs);
}

// Q4_K (five = 0) and Q5_K (five = 1) for nc columns. Per super-block i:
//   out += d*y.d * sum_s sc[s] * (q . y)_s  -  dmin*y.d * sum_s m[s] * bsums pair s.
INLINE void k45_cols(int nc, int five, size_t n, const void *w, const void *x, size_t xs, float *out) {
    const size_t bsz = five ? sizeof(pk_block_q5_K) : sizeof(pk_block_q4_K);
    const __m512i m4 = _mm512_set1_epi8(0x0F), bit = _mm512_set1_epi8(1);
    // int16 lane i of a 64-value product belongs to sub-block 2g + (i >= 16).
    const __m512i hi = _mm512_inserti64x4(_mm512_setzero_si512(), _mm256_set1_epi16(1), 1);
    float acc[4], accm[4];
    for (int c = 0; c < nc; ++c) acc[c] = accm[c] = 0.0f;
    for (size_t i = 0; i < n / QKK; ++i) {
        const uint8_t *blk = (const uint8_t *)w + i * bsz;
        const uint8_t *qs = blk + (five ? 48 : 16);
        pk_prefetch_span(blk, bsz);
        uint32_t sm[4];
        pk_scales_k4_16(blk + 4, sm);
        __m128 dm = pk_cvtph_u32(pk_load_u32(blk));  // d, dmin
        float d = _mm_cvtss_f32(dm), dmin = _mm_cvtss_f32(_mm_movehdup_ps(dm));
        for (int c = 0; c < nc; ++c) {
            const pk_block_q8_K *b = column(x, xs, c) + i;
            accm[c] = pk_fmaf(-dmin * b->d, (float)pk_hsum_epi32_128(kmins(sm, b->bsums)), accm[c]);
        }
        __m512i sc16 = _mm512_castsi256_si512(_mm256_cvtepu8_epi16(_mm_loadl_epi64((const __m128i *)sm)));
        __m256i hb = five ? _mm256_loadu_si256((const __m256i *)(blk + 16)) : _mm256_setzero_si256();
        __m512i sum[4];
        for (int c = 0; c < nc; ++c) sum[c] = _mm512_setzero_si512();
        for (int g = 0; g < 4; ++g) {
            __m256i q = _mm256_loadu_si256((const __m256i *)(qs + 32 * g));
            __m512i qz = _mm512_and_si512(join(q, _mm256_srli_epi16(q, 4)), m4);
            if (five) {
                __m512i hz = join(_mm256_srli_epi16(hb, 2 * g), _mm256_srli_epi16(hb, 2 * g + 1));
                qz = _mm512_or_si512(qz, _mm512_slli_epi16(_mm512_and_si512(hz, bit), 4));
            }
            __m512i scv = _mm512_permutexvar_epi16(_mm512_add_epi16(hi, _mm512_set1_epi16((short)(2 * g))), sc16);
            for (int c = 0; c < nc; ++c) {
                const int8_t *y = column(x, xs, c)[i].qs + 64 * g;
                __m512i p = _mm512_maddubs_epi16(qz, _mm512_loadu_si512((const void *)y));
                sum[c] = _mm512_add_epi32(sum[c], _mm512_madd_epi16(p, scv));
            }
        }
        for (int c = 0; c < nc; ++c)
            acc[c] = pk_fmaf(d * column(x, xs, c)[i].d, (float)_mm512_reduce_add_epi32(sum[c]), acc[c]);
    }
    for (int c = 0; c < nc; ++c) out[c] = acc[c] + accm[c];
}

// Q6_K for nc columns: sum_j sc[j] * (q - 32) . y = sum_j sc[j] * q . y
// - 32 * sum_j sc[j] * bsums[j], q unsigned 0..63.
INLINE void q6_cols(int nc, size_t n, const void *w, const void *x, size_t xs, float *out) {
    const pk_block_q6_K *a = w;
    const __m256i m4 = _mm256_set1_epi8(0x0F), m2 = _mm256_set1_epi8(0x30);
    // int16 lane i of a 64-value product belongs to sub-block i / 8 (of four).
    static const int16_t lane_sub[32] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1,
                                         2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3};
    const __m512i base = _mm512_loadu_si512((const void *)lane_sub);
    float acc[4];
    for (int c = 0; c < nc; ++c) acc[c] = 0.0f;
    for (size_t i = 0; i < n / QKK; ++i) {
        pk_prefetch_span(&a[i], sizeof(pk_block_q6_K));
        __m256i sc16y = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)a[i].scales));
        __m512i sc16 = _mm512_castsi256_si512(sc16y);
        __m512i sum[4];
        for (int c = 0; c < nc; ++c) {
            __m256i bs16 = _mm256_loadu_si256((const __m256i *)column(x, xs, c)[i].bsums);
            __m256i corr = _mm256_slli_epi32(_mm256_madd_epi16(sc16y, bs16), 5);
            sum[c] = _mm512_zextsi256_si512(_mm256_sub_epi32(_mm256_setzero_si256(), corr));
        }
        const uint8_t *ql = a[i].ql, *qh = a[i].qh;
        for (int h = 0; h < 2; ++h, ql += 64, qh += 32) {
            __m256i l1 = _mm256_loadu_si256((const __m256i *)ql);
            __m256i l2 = _mm256_loadu_si256((const __m256i *)(ql + 32));
            __m256i hh = _mm256_loadu_si256((const __m256i *)qh);
            __m256i q0 = _mm256_or_si256(_mm256_and_si256(l1, m4), _mm256_and_si256(_mm256_slli_epi16(hh, 4), m2));
            __m256i q1 = _mm256_or_si256(_mm256_and_si256(l2, m4), _mm256_and_si256(_mm256_slli_epi16(hh, 2), m2));
            __m256i q2 = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l1, 4), m4), _mm256_and_si256(hh, m2));
            __m256i q3 = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l2, 4), m4),
                                         _mm256_and_si256(_mm256_srli_epi16(hh, 2), m2));
            __m512i s01 = _mm512_permutexvar_epi16(_mm512_add_epi16(base, _mm512_set1_epi16((short)(8 * h))), sc16);
            __m512i s23 = _mm512_permutexvar_epi16(_mm512_add_epi16(base, _mm512_set1_epi16((short)(8 * h + 4))), sc16);
            __m512i q01 = join(q0, q1), q23 = join(q2, q3);
            for (int c = 0; c < nc; ++c) {
                const int8_t *y = column(x, xs, c)[i].qs + 128 * h;
                __m512i p01 = _mm512_maddubs_epi16(q01, _mm512_loadu_si512((const void *)y));
                __m512i p23 = _mm512_maddubs_epi16(q23, _mm512_loadu_si512((const void *)(y + 64)));
                sum[c] = _mm512_add_epi32(sum[c], _mm512_madd_epi16(p01, s01));
                sum[c] = _mm512_add_epi32(sum[c], _mm512_madd_epi16(p23, s23));
            }
        }
        // d: the high half of the 32 bits at offset 206 (scales[14..15], d).
        float d = _mm_cvtss_f32(_mm_movehdup_ps(pk_cvtph_u32(pk_load_u32((const uint8_t *)&a[i] + 206))));
        for (int c = 0; c < nc; ++c)
            acc[c] = pk_fmaf(d * column(x, xs, c)[i].d, (float)_mm512_reduce_add_epi32(sum[c]), acc[c]);
    }
    for (int c = 0; c < nc; ++c) out[c] = acc[c];
}

static float dot_q4_K(size_t n, const void *w, const void *x) {
    float r;
    k45_cols(1, 0, n, w, x, 0, &r);
    return r;
}
static float dot_q5_K(size_t n, const void *w, const void *x) {
    float r;
    k45_cols(1, 1, n, w, x, 0, &r);
    return r;
}
static float dot_q6_K(size_t n, const void *w, const void *x) {
    float r;
    q6_cols(1, n, w, x, 0, &r);
    return r;
}
static void dot4_q4_K(size_t n, const void *w, const void *x, size_t xs, float *out) { k45_cols(4, 0, n, w, x, xs, out); }
static void dot4_q5_K(size_t n, const void *w, const void *x, size_t xs, float *out) { k45_cols(4, 1, n, w, x, xs, out); }
static void dot4_q6_K(size_t n, const void *w, const void *x, size_t xs, float *out) { q6_cols(4, n, w, x, xs, out); }

#pragma clang attribute pop

void pk_fill_avx512_kquants(struct pk_kernels *k) {
    k->dot[PK_SLOT_Q4_K] = dot_q4_K;
    k->dot[PK_SLOT_Q5_K] = dot_q5_K;
    k->dot[PK_SLOT_Q6_K] = dot_q6_K;
    k->dot4[PK_SLOT_Q4_K] = dot4_q4_K;
    k->dot4[PK_SLOT_Q5_K] = dot4_q5_K;
    k->dot4[PK_SLOT_Q6_K] = dot4_q6_K;
}
#endif  // __x86_64__
