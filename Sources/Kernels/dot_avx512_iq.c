// AVX-512 dots of the IQ1/IQ2/IQ3 types against Q8_K activations, for one, four or up
// to PK_DOTN_MAX activation columns (each group decoded once for all), two 32-value groups
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

/// One column's 64 activations y against a decoded chunk (grid bytes g, signs neg,
/// scales sc), added into acc (and, IQ1, the delta term into accd). IQ1's int8 grid:
/// gneg its -1s, gnz its non-zeros (the activations negated and zeroed under them,
/// summed against ones).
PK_IQ_INLINE void chunk_dot(int t, __m512i *acc, __m512i *accd, __m512i y, __m512i g, __mmask64 neg,
                            __mmask64 gneg, __mmask64 gnz, __m512i sc) {
    const __m512i zero = _mm512_setzero_si512(), ones = _mm512_set1_epi8(1);
    __m512i yneg = _mm512_mask_sub_epi8(y, neg, zero, y);
    if (pk_iq_is_iq1(t)) {
        __m512i yg = _mm512_maskz_mov_epi8(gnz, _mm512_mask_sub_epi8(y, gneg, zero, y));
        *acc = _mm512_dpwssd_epi32(*acc, _mm512_maddubs_epi16(ones, yg), sc);
        *accd = _mm512_dpwssd_epi32(*accd, _mm512_maddubs_epi16(ones, yneg), sc);
    } else {
        *acc = _mm512_dpwssd_epi32(*acc, _mm512_maddubs_epi16(g, yneg), sc);
    }
}

/// A whole super-block decoded once (pk_iq_decode_sb), then each of the nc columns (at most
/// PK_DOTN_MAX) summed over its four 64-value chunks into two accumulators (two vpdpwssd
/// chains; IQ1: two more for the delta term), one reduction per super-block and column.
/// The one- and four-column IQ2_XS dots and every type's many-column dot.
PK_IQ_INLINE void dot_iq_sb(int t, int nc, size_t n, const void *w, const void *x, size_t xs, float *out) {
    const uint8_t *a = w;
    const size_t bs = pk_type_size(t);
    const __m512i zero = _mm512_setzero_si512();
    float sum[PK_DOTN_MAX] = {0};
    for (size_t i = 0; i < n / QKK; ++i) {
        const void *blk = a + i * bs;
        pk_prefetch_span(blk, bs);
        pk_iq256 q = pk_iq_decode_sb(t, blk);
        __mmask64 gneg[4] = {0}, gnz[4] = {0};  // IQ1's -1s and non-zeros
        if (pk_iq_is_iq1(t))
            for (int j = 0; j < 4; ++j) gneg[j] = _mm512_movepi8_mask(q.g[j]), gnz[j] = _mm512_test_epi8_mask(q.g[j], q.g[j]);
        float d = pk_iq_d_f16c(t, blk);
        for (int c = 0; c < nc; ++c) {
            const pk_block_q8_K *b = pk_iq_column(x, xs, c) + i;
            __m512i acc[2] = {zero, zero}, accd[2] = {zero, zero};
            for (int j = 0; j < 4; ++j)
                chunk_dot(t, &acc[j & 1], &accd[j & 1], _mm512_loadu_si512((const void *)(b->qs + 64 * j)), q.g[j],
                          q.neg[j], gneg[j], gnz[j], q.sc[j]);
            int32_t sumd = pk_iq_is_iq1(t) ? _mm512_reduce_add_epi32(_mm512_add_epi32(accd[0], accd[1])) : 0;
            sum[c] = pk_iq_step(t, sum[c], d, b->d, _mm512_reduce_add_epi32(_mm512_add_epi32(acc[0], acc[1])), sumd);
        }
    }
    for (int c = 0; c < nc; ++c) out[c] = pk_iq_factor(t) * sum[c];
}

/// The one- and four-column dots: IQ2_XS by super-block (dot_iq_sb), the others group
/// pair by group pair, each pair decoded and summed into every column at once (IQ3_S's
/// gathered super-block decode measured slower here than its scalar grid loads).
PK_IQ_INLINE void dot_iq(int t, int nc, size_t n, const void *w, const void *x, size_t xs, float *out) {
    if (t == PK_IQ2_XS) {
        dot_iq_sb(t, nc, n, w, x, xs, out);
        return;
    }
    const uint8_t *a = w;
    const size_t bs = pk_type_size(t);
    const __m512i zero = _mm512_setzero_si512();
    float sum[4] = {0, 0, 0, 0};
    for (size_t i = 0; i < n / QKK; ++i) {
        const void *blk = a + i * bs;
        pk_prefetch_span(blk, bs);
        __m512i acc[4], accd[4];
        for (int c = 0; c < nc; ++c) acc[c] = accd[c] = zero;
        for (int j = 0; j < 4; ++j) {
            __m512i g, sc;
            __mmask64 neg;
            pk_iq_decode_chunk(t, blk, j, &g, &neg, &sc);
            __mmask64 gneg = _mm512_movepi8_mask(g), gnz = _mm512_test_epi8_mask(g, g);  // IQ1's -1s, non-zeros
            for (int c = 0; c < nc; ++c)
                chunk_dot(t, &acc[c], &accd[c], _mm512_loadu_si512((const void *)(pk_iq_column(x, xs, c)[i].qs + 64 * j)),
                          g, neg, gneg, gnz, sc);
        }
        float d = pk_iq_d_f16c(t, blk);
        for (int c = 0; c < nc; ++c)
            sum[c] = pk_iq_step(t, sum[c], d, pk_iq_column(x, xs, c)[i].d, _mm512_reduce_add_epi32(acc[c]),
                                pk_iq_is_iq1(t) ? _mm512_reduce_add_epi32(accd[c]) : 0);
    }
    for (int c = 0; c < nc; ++c) out[c] = pk_iq_factor(t) * sum[c];
}

PK_IQ_DOTS2(dot_iq, dot_iq_sb)

#pragma clang attribute pop

/// The IQ dots of this tier (prefill of the IQ2/IQ3 types: the GEMM, gemm_avx512_iq.c).
PK_IQ_FILL(pk_fill_avx512_iq, dot_iq)
#endif  // __x86_64__
