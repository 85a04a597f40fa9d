// AVX-512 dots of the IQ1/IQ2/IQ3 types against Q8_K activations, for one or four
// activation columns (each group decoded once for all), two 32-value groups
// (iq_groups.h) per 512-bit vector: their 8 grid points gathered into one vector, the
// signs applied to the activations through a 64-bit mask (a masked 0 - y: no sign
// vector to build), the unsigned grid bytes times the signed activations summed in
// int16 pairs (vpmaddubsw: exact, at most 2 * 62 * 127), then times the int16 scale of
// each 16 values and added into int32 lanes in one VNNI vpdpwssd. IQ1's int8 grid
// (-1, 0, 1): the activations negated under its sign bits and zeroed under its zeros,
// summed against ones; its delta term likewise under the delta signs.
//
// Each super-block's integer sums are exactly the reference's (dot_ref_iq.c) and the
// float steps are the reference's, in its order, without FMA, so every result is
// bitwise the reference's (and the AVX2 tier's).
#if defined(__x86_64__)
#include "simd_common.h"
#include "iq_groups.h"
#pragma STDC FP_CONTRACT OFF
#pragma clang attribute push(__attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni,avx2,fma,f16c"))), apply_to = function)

/// The int16 scale 2 sc + 1 of each 16 values of two groups, 8 lanes each.
PK_IQ_INLINE __m512i scales64(const pk_iq32 *q0, const pk_iq32 *q1) {
    const long long one = 0x0001000100010001LL;
    long long s0 = one * (2 * q0->sc[0] + 1), s1 = one * (2 * q0->sc[1] + 1);
    long long s2 = one * (2 * q1->sc[0] + 1), s3 = one * (2 * q1->sc[1] + 1);
    return _mm512_set_epi64(s3, s3, s2, s2, s1, s1, s0, s0);
}

PK_IQ_INLINE __m512i join(__m256i lo, __m256i hi) {
    return _mm512_inserti64x4(_mm512_castsi256_si512(lo), hi, 1);
}

/// IQ2_XS: a whole super-block decoded at once (pk_iq_decode512), its four
/// 64-value chunks summed into two accumulators per column (two vpdpwssd chains), one
/// reduction per super-block and column.
PK_IQ_INLINE void dot_iq_sb(int t, int nc, size_t n, const void *w, const void *x, size_t xs, float *out) {
    const uint8_t *a = w;
    const size_t bs = pk_type_size(t);
    const __m512i zero = _mm512_setzero_si512();
    float sum[4] = {0, 0, 0, 0};
    for (size_t i = 0; i < n / QKK; ++i) {
        const void *blk = a + i * bs;
        pk_prefetch_span(blk, bs);
        pk_iq256 q = pk_iq_decode512(t, blk);
        float d = pk_iq_d_f16c(t, blk);
        for (int c = 0; c < nc; ++c) {
            const pk_block_q8_K *b = pk_iq_column(x, xs, c) + i;
            __m512i acc[2] = {zero, zero};
            for (int j = 0; j < 4; ++j) {
                __m512i y = _mm512_loadu_si512((const void *)(b->qs + 64 * j));
                y = _mm512_mask_sub_epi8(y, q.neg[j], zero, y);
                acc[j & 1] = _mm512_dpwssd_epi32(acc[j & 1], _mm512_maddubs_epi16(q.g[j], y), q.sc[j]);
            }
            sum[c] = pk_iq_step(t, sum[c], d, b->d, _mm512_reduce_add_epi32(_mm512_add_epi32(acc[0], acc[1])), 0);
        }
    }
    for (int c = 0; c < nc; ++c) out[c] = pk_iq_factor(t) * sum[c];
}

PK_IQ_INLINE void dot_iq(int t, int nc, size_t n, const void *w, const void *x, size_t xs, float *out) {
    if (pk_iq_has_decode512(t)) {
        dot_iq_sb(t, nc, n, w, x, xs, out);
        return;
    }
    const uint8_t *a = w;
    const size_t bs = pk_type_size(t);
    const __m512i ones = _mm512_set1_epi8(1), zero = _mm512_setzero_si512();
    float sum[4] = {0, 0, 0, 0};
    for (size_t i = 0; i < n / QKK; ++i) {
        const void *blk = a + i * bs;
        pk_prefetch_span(blk, bs);
        __m512i acc[4], accd[4];
        for (int c = 0; c < nc; ++c) acc[c] = accd[c] = zero;
        for (int ib = 0; ib < 8; ib += 2) {
            pk_iq32 q0 = pk_iq_group(t, blk, ib), q1 = pk_iq_group(t, blk, ib + 1);
            __m512i g = join(pk_iq_points256(t, &q0), pk_iq_points256(t, &q1));
            __mmask64 neg = (__mmask64)q0.neg | (__mmask64)q1.neg << 32;
            __mmask64 gneg = _mm512_movepi8_mask(g), gnz = _mm512_test_epi8_mask(g, g);  // IQ1's -1s, non-zeros
            __m512i sc = scales64(&q0, &q1);
            for (int c = 0; c < nc; ++c) {
                __m512i y = _mm512_loadu_si512((const void *)(pk_iq_column(x, xs, c)[i].qs + 32 * ib));
                __m512i yneg = _mm512_mask_sub_epi8(y, neg, zero, y);
                if (pk_iq_is_iq1(t)) {
                    __m512i yg = _mm512_maskz_mov_epi8(gnz, _mm512_mask_sub_epi8(y, gneg, zero, y));
                    acc[c] = _mm512_dpwssd_epi32(acc[c], _mm512_maddubs_epi16(ones, yg), sc);
                    accd[c] = _mm512_dpwssd_epi32(accd[c], _mm512_maddubs_epi16(ones, yneg), sc);
                } else {
                    acc[c] = _mm512_dpwssd_epi32(acc[c], _mm512_maddubs_epi16(g, yneg), sc);
                }
            }
        }
        float d = pk_iq_d_f16c(t, blk);
        for (int c = 0; c < nc; ++c)
            sum[c] = pk_iq_step(t, sum[c], d, pk_iq_column(x, xs, c)[i].d, _mm512_reduce_add_epi32(acc[c]),
                                pk_iq_is_iq1(t) ? _mm512_reduce_add_epi32(accd[c]) : 0);
    }
    for (int c = 0; c < nc; ++c) out[c] = pk_iq_factor(t) * sum[c];
}

PK_IQ_DOTS(dot_iq)

#pragma clang attribute pop

PK_IQ_FILL(pk_fill_avx512_iq, dot_iq)
#endif  // __x86_64__
