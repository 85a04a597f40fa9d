// AVX2 K-quant dot products (Q4_K, Q5_K, Q6_K weights x Q8_K activations), one and four
// activation columns. 32 values per 256-bit vector (one Q4_K/Q5_K sub-block, two Q6_K
// sub-blocks); u8 x s8 pairs in int16 (exact: q <= 63, |y| <= 127), times int16 scales
// into int32 (vpmaddwd). The one-column dot is the always-inlined four-column body with
// nc = 1 (bitwise equal).
//
// The float part is the canonical K-quant sequence of this tier, shared with the
// column-interleaved GEMM (gemm_avx2_kquants.c), so pk_matmul and pk_matvec agree bit
// for bit whichever kernel a call takes: per super-block i the exact integers
//   S_i = sum_s sc[s] * (q . y)_s   (Q6_K: sum_j sc[j] * ((q - 32) . y)_j)
//   M_i = sum_s m[s] * (y sum of sub-block s)   (Q4_K/Q5_K only)
// are formed, then acc = fma(d * y.d, S_i, acc) and accm = fma(-dmin * y.d, M_i, accm)
// in single precision, one super-block after the other; the result is acc + accm
// (Q6_K: acc).
#if defined(__x86_64__)
#include "simd_common.h"
#pragma clang attribute push(__attribute__((target("avx2,fma,f16c"))), apply_to = function)

#define INLINE static inline __attribute__((always_inline))

// Min term of Q4_K/Q5_K: sum_s m[s] * (bsums[2s] + bsums[2s+1]) in 4 int32 lanes.
INLINE __m128i kmins(const uint32_t *sm, const int16_t *bsums) {
    __m128i bs = _mm_hadd_epi16(_mm_loadu_si128((const __m128i *)bsums),
                                _mm_loadu_si128((const __m128i *)(bsums + 8)));
    __m128i mins = _mm_cvtepu8_epi16(_mm_loadl_epi64((const __m128i *)(sm + 2)));
    return _mm_madd_epi16(mins, bs);
}

/// vpshufb masks that broadcast int16 element e of each 128-bit lane to the whole lane:
/// row e (e < 8) picks element e in both lanes; row 8 + k picks element 2k in the low lane
/// and 2k + 1 in the high lane (Q6_K's pairs of 16-value sub-blocks).
static const uint8_t scale_shuffle[12][32] __attribute__((aligned(32))) = {
#define B2(a) (a), (a) + 1
#define L8(a) B2(a), B2(a), B2(a), B2(a), B2(a), B2(a), B2(a), B2(a)
    {L8(0), L8(0)}, {L8(2), L8(2)}, {L8(4), L8(4)}, {L8(6), L8(6)},
    {L8(8), L8(8)}, {L8(10), L8(10)}, {L8(12), L8(12)}, {L8(14), L8(14)},
    {L8(0), L8(2)}, {L8(4), L8(6)}, {L8(8), L8(10)}, {L8(12), L8(14)},
#undef L8
#undef B2
};
INLINE __m256i broadcast16(__m256i v, int row) {
    return _mm256_shuffle_epi8(v, _mm256_load_si256((const __m256i *)scale_shuffle[row]));
}

static inline const pk_block_q8_K *column(const void *x, size_t xs, int c) {
    return (const pk_block_q8_K *)((const uint8_t *)x + (size_t)c * xs);
}

// Q4_K (five = 0) and Q5_K (five = 1) for nc columns (see dot_ref.c for the formula).
INLINE void k45_cols(int nc, int five, size_t n, const void *w, const void *x, size_t xs, float *out) {
    const size_t bsz = five ? sizeof(pk_block_q5_K) : sizeof(pk_block_q4_K);
    float acc[4], accm[4];
    for (int c = 0; c < nc; ++c) acc[c] = accm[c] = 0.0f;
    for (size_t i = 0; i < n / QKK; ++i) {
        const uint8_t *blk = (const uint8_t *)w + i * bsz;
        const uint8_t *qs = blk + (five ? 48 : 16);
        pk_prefetch_span(blk, bsz);
        uint32_t sm[4];
        pk_scales_k4_16(blk + 4, sm);
        // The 8 scales as int16 in both lanes, each broadcast with one vpshufb below.
        const __m256i sc16 = _mm256_broadcastsi128_si256(_mm_cvtepu8_epi16(_mm_loadl_epi64((const __m128i *)sm)));
        __m128 dm = pk_cvtph_u32(pk_load_u32(blk));  // d, dmin
        float d = _mm_cvtss_f32(dm), dmin = _mm_cvtss_f32(_mm_movehdup_ps(dm));
        for (int c = 0; c < nc; ++c) {
            const pk_block_q8_K *b = column(x, xs, c) + i;
            accm[c] = pk_fmaf(-dmin * b->d, (float)pk_hsum_epi32_128(kmins(sm, b->bsums)), accm[c]);
        }
        __m256i hb = five ? _mm256_loadu_si256((const __m256i *)(blk + 16)) : _mm256_setzero_si256();
        __m256i sum[4];
        for (int c = 0; c < nc; ++c) sum[c] = _mm256_setzero_si256();
        for (int g = 0; g < 4; ++g) {
            __m256i q1, q2;
            pk_k45_group(qs, hb, five, g, &q1, &q2);
            __m256i s1 = broadcast16(sc16, 2 * g), s2 = broadcast16(sc16, 2 * g + 1);
            for (int c = 0; c < nc; ++c) {
                const int8_t *y = column(x, xs, c)[i].qs + 64 * g;
                __m256i p1 = _mm256_maddubs_epi16(q1, _mm256_loadu_si256((const __m256i *)y));
                __m256i p2 = _mm256_maddubs_epi16(q2, _mm256_loadu_si256((const __m256i *)(y + 32)));
                sum[c] = _mm256_add_epi32(sum[c], _mm256_madd_epi16(p1, s1));
                sum[c] = _mm256_add_epi32(sum[c], _mm256_madd_epi16(p2, s2));
            }
        }
        for (int c = 0; c < nc; ++c)
            acc[c] = pk_fmaf(d * column(x, xs, c)[i].d, (float)pk_hsum_epi32_256(sum[c]), acc[c]);
    }
    for (int c = 0; c < nc; ++c) out[c] = acc[c] + accm[c];
}

// Q6_K for nc columns: sum_j sc[j] * (q - 32) . y = sum_j sc[j] * q . y
// - 32 * sum_j sc[j] * bsums[j], q unsigned 0..63 (maddubs pair sums <= 16002).
INLINE void q6_cols(int nc, size_t n, const void *w, const void *x, size_t xs, float *out) {
    const pk_block_q6_K *a = w;
    float acc[4];
    for (int c = 0; c < nc; ++c) acc[c] = 0.0f;
    for (size_t i = 0; i < n / QKK; ++i) {
        const int8_t *sc = a[i].scales;
        pk_prefetch_span(&a[i], sizeof(pk_block_q6_K));
        __m256i sc16 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)sc));
        __m256i sum[4];
        for (int c = 0; c < nc; ++c) {
            __m256i bs16 = _mm256_loadu_si256((const __m256i *)column(x, xs, c)[i].bsums);
            sum[c] = _mm256_sub_epi32(_mm256_setzero_si256(), _mm256_slli_epi32(_mm256_madd_epi16(sc16, bs16), 5));
        }
        const uint8_t *ql = a[i].ql, *qh = a[i].qh;
        for (int h = 0; h < 2; ++h, ql += 64, qh += 32) {
            // This half's 8 scales (sc16's lane h) in both lanes.
            __m256i hs = h ? _mm256_permute2x128_si256(sc16, sc16, 0x11) : _mm256_permute2x128_si256(sc16, sc16, 0x00);
            __m256i q[4];
            pk_q6_half(ql, qh, q);
            for (int k = 0; k < 4; ++k) {
                // q[k] covers sub-blocks 2k, 2k+1 of this half: 16 values each.
                __m256i s16 = broadcast16(hs, 8 + k);  // sc[2k] low lane, sc[2k + 1] high
                for (int c = 0; c < nc; ++c) {
                    const int8_t *y = column(x, xs, c)[i].qs + 128 * h + 32 * k;
                    __m256i p = _mm256_maddubs_epi16(q[k], _mm256_loadu_si256((const __m256i *)y));
                    sum[c] = _mm256_add_epi32(sum[c], _mm256_madd_epi16(p, s16));
                }
            }
        }
        // d: the high half of the 32 bits at offset 206 (scales[14..15], d).
        float d = _mm_cvtss_f32(_mm_movehdup_ps(pk_cvtph_u32(pk_load_u32((const uint8_t *)&a[i] + 206))));
        for (int c = 0; c < nc; ++c)
            acc[c] = pk_fmaf(d * column(x, xs, c)[i].d, (float)pk_hsum_epi32_256(sum[c]), acc[c]);
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

void pk_fill_avx2_kquants(struct pk_kernels *k) {
    k->dot[PK_SLOT_Q4_K] = dot_q4_K;
    k->dot[PK_SLOT_Q5_K] = dot_q5_K;
    k->dot[PK_SLOT_Q6_K] = dot_q6_K;
    k->dot4[PK_SLOT_Q4_K] = dot4_q4_K;
    k->dot4[PK_SLOT_Q5_K] = dot4_q5_K;
    k->dot4[PK_SLOT_Q6_K] = dot4_q6_K;
}
#endif  // __x86_64__
