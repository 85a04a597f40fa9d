// The AVX-512 tier's IQ dots. The one- and four-column dots of every IQ type, and IQ1's
// many-column and offset-activation dots, are the AVX2 tier's (dot_avx2_iq.c: the same
// bits): on Zen 4 they measured faster than this tier's own (one column 15 to 18 ns per
// super-block against 18 to 33, IQ1 over 16 columns 7.7 and 9.7 against 12.4 and 13.1);
// prefill of the IQ2/IQ3 types is the GEMM (gemm_avx512_iq.c). What stays here is the
// many-column dot of the IQ2/IQ3 types (up to PK_DOTN_MAX columns, fewer than a GEMM
// group), 5 to 15% faster than the AVX2 one: each super-block decoded once
// (pk_iq_decode_sb), two 32-value groups per 512-bit vector, the signs applied to the
// activations through a 64-bit mask (a masked 0 - y: no sign vector to build), the
// unsigned grid bytes times the signed activations summed in int16 pairs (vpmaddubsw:
// exact, at most 2 * 62 * 127), then times the int16 scale of each 16 values and added
// into int32 lanes in one VNNI vpdpwssd.
//
// Each super-block's integer sums are exactly the reference's (dot_ref_iq.c) and the
// float steps are the reference's, in its order, without FMA, so every result is
// bitwise the reference's (and the AVX2 tier's).
#if defined(__x86_64__)
#include "simd_common.h"
#include "iq_groups.h"
#pragma STDC FP_CONTRACT OFF
#pragma clang attribute push(__attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni,avx2,fma,f16c"))), apply_to = function)

/// A whole IQ2/IQ3 super-block decoded once (pk_iq_decode_sb), then each of the nc
/// columns (at most PK_DOTN_MAX) summed over its four 64-value chunks into two
/// accumulators (two vpdpwssd chains), one reduction per super-block and column.
PK_IQ_INLINE void dot_iq_sb(int t, int nc, size_t n, const void *w, const void *x, size_t xs, float *out) {
    const uint8_t *a = w;
    const size_t bs = pk_type_size(t);
    const __m512i zero = _mm512_setzero_si512();
    float sum[PK_DOTN_MAX] = {0};
    for (size_t i = 0; i < n / QKK; ++i) {
        const void *blk = a + i * bs;
        pk_prefetch_span(blk, bs);
        pk_iq256 q = pk_iq_decode_sb(t, blk);
        float d = pk_iq_d_f16c(t, blk);
        for (int c = 0; c < nc; ++c) {
            const pk_block_q8_K *b = pk_iq_column(x, xs, c) + i;
            __m512i acc[2] = {zero, zero};
            for (int j = 0; j < 4; ++j) {
                __m512i y = _mm512_loadu_si512((const void *)(b->qs + 64 * j));
                acc[j & 1] = _mm512_dpwssd_epi32(acc[j & 1], _mm512_maddubs_epi16(q.g[j], _mm512_mask_sub_epi8(y, q.neg[j], zero, y)),
                                                 q.sc[j]);
            }
            sum[c] = pk_iq_step(t, sum[c], d, b->d, _mm512_reduce_add_epi32(_mm512_add_epi32(acc[0], acc[1])), 0);
        }
    }
    for (int c = 0; c < nc; ++c) out[c] = pk_iq_factor(t) * sum[c];
}

#define DOTN(sfx, T)                                                                                   \
    static void dotn##sfx(size_t n, const void *w, const void *x, size_t xs, int nc, float *out) { \
        dot_iq_sb(T, nc, n, w, x, xs, out);                                                           \
    }
DOTN(_iq2_xxs, PK_IQ2_XXS)
DOTN(_iq2_xs, PK_IQ2_XS)
DOTN(_iq2_s, PK_IQ2_S)
DOTN(_iq3_xxs, PK_IQ3_XXS)
DOTN(_iq3_s, PK_IQ3_S)
#undef DOTN

#pragma clang attribute pop

/// The IQ dots of this tier: the AVX2 tier's, but the IQ2/IQ3 many-column dots above.
void pk_fill_avx512_iq(struct pk_kernels *k) {
    pk_fill_avx2_iq(k);
    k->dotn[PK_SLOT_IQ2_XXS] = dotn_iq2_xxs;
    k->dotn[PK_SLOT_IQ2_XS] = dotn_iq2_xs;
    k->dotn[PK_SLOT_IQ2_S] = dotn_iq2_s;
    k->dotn[PK_SLOT_IQ3_XXS] = dotn_iq3_xxs;
    k->dotn[PK_SLOT_IQ3_S] = dotn_iq3_s;
}
#endif  // __x86_64__
