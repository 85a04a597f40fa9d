// AVX2 dots of the IQ1/IQ2/IQ3 types against Q8_K activations, for one, four or up to
// PK_DOTN_MAX activation columns (each group decoded once for all), one 32-value group
// (iq_groups.h) per 256-bit vector: its grid points gathered into one vector, the signs
// applied to the activations (vpsignb with a +-1 byte per value, expanded from the 32
// sign bits), the unsigned grid bytes times the signed activations summed in int16
// pairs (vpmaddubsw: exact, at most 2 * 62 * 127), then times the int16 scales into
// int32 (vpmaddwd). IQ1's int8 grid (-1, 0, 1) and IQ1_M's delta signs are applied
// with vpsignb itself and summed against ones; IQ1_S's delta (one sign per 32 values)
// takes the activations' sums of 16 (bsums) instead.
//
// Each super-block's integer sums are exactly the reference's (dot_ref_iq.c) and the
// float steps are the reference's, in its order, without FMA, so every result is
// bitwise the reference's.
#if defined(__x86_64__)
#include "simd_common.h"
#include "iq_groups.h"
#pragma STDC FP_CONTRACT OFF
#pragma clang attribute push(__attribute__((target("avx2,fma,f16c"))), apply_to = function)

/// Bytes +1 / -1 for 32 values from their spread sign bytes: value v is negative when
/// bit v % 8 of byte v is set.
PK_IQ_INLINE __m256i signs_of_bytes(__m256i v) {
    const __m256i bits = _mm256_set1_epi64x((long long)0x8040201008040201ULL);
    v = _mm256_cmpeq_epi8(_mm256_and_si256(v, bits), bits);
    return _mm256_or_si256(v, _mm256_set1_epi8(1));
}

/// sum over 32 values of u * (y with the signs of s), times int16 scales sc, as int32 lanes.
PK_IQ_INLINE __m256i signed_dot(__m256i u, __m256i y, __m256i s, __m256i sc) {
    return _mm256_madd_epi16(_mm256_maddubs_epi16(u, _mm256_sign_epi8(y, s)), sc);
}

/// One decoded 32-value group: g the grid points (unsigned bytes; IQ1: int8 -1, 0, 1),
/// sg its signs as +-1 bytes (IQ1: the delta signs), sc its two int16 scales (2 s + 1),
/// one per 128-bit half.
typedef struct { __m256i g, sg, sc; } group256;

/// Group ib of the super-block `sb` spread by pk_iq_decode_sb2.
PK_IQ_INLINE group256 group_of(int t, const pk_iq_sb2 *sb, int ib) {
    return (group256){ pk_iq_sb2_points(t, sb, ib), signs_of_bytes(pk_iq_sb2_signbytes(t, sb, ib)),
                       pk_iq_sb2_scales(sb, ib) };
}

/// Adds one group's products with the column's 32 activations y to acc (IQ1: the grid
/// part; IQ1_M's delta part to accd, IQ1_S's is delta_sums').
PK_IQ_INLINE void group_dot(int t, group256 gr, __m256i y, __m256i *acc, __m256i *accd) {
    if (pk_iq_is_iq1(t)) {
        const __m256i ones = _mm256_set1_epi8(1);
        *acc = _mm256_add_epi32(*acc, signed_dot(ones, y, gr.g, gr.sc));
        if (t == PK_IQ1_M) *accd = _mm256_add_epi32(*accd, signed_dot(ones, y, gr.sg, gr.sc));
    } else {
        *acc = _mm256_add_epi32(*acc, signed_dot(gr.g, y, gr.sg, gr.sc));
    }
}

/// IQ1_S's delta sum of a super-block with column block b, as int32 lanes: its factors
/// and signs per 16 values (sb->dsc) times the column's sums of 16 values (bsums).
PK_IQ_INLINE __m256i delta_sums(const pk_iq_sb2 *sb, const pk_block_q8_K *b) {
    return _mm256_madd_epi16(_mm256_loadu_si256((const __m256i *)b->bsums), sb->dsc);
}

PK_IQ_INLINE void dot_iq(int t, int nc, size_t n, const void *w, const void *x, size_t xs, float *out) {
    const uint8_t *a = w;
    const size_t bs = pk_type_size(t);
    float sum[4] = {0, 0, 0, 0};
    for (size_t i = 0; i < n / QKK; ++i) {
        const void *blk = a + i * bs;
        pk_prefetch_span(blk, bs);
        __m256i acc[4], accd[4];
        for (int c = 0; c < nc; ++c) acc[c] = accd[c] = _mm256_setzero_si256();
        pk_iq_sb2 sb;
        pk_iq_decode_sb2(t, blk, &sb);
#pragma clang loop unroll(full)
        for (int ib = 0; ib < 8; ++ib) {
            group256 gr = group_of(t, &sb, ib);
            for (int c = 0; c < nc; ++c)
                group_dot(t, gr, _mm256_loadu_si256((const __m256i *)(pk_iq_column(x, xs, c)[i].qs + 32 * ib)),
                          &acc[c], &accd[c]);
        }
        if (t == PK_IQ1_S)
            for (int c = 0; c < nc; ++c) accd[c] = delta_sums(&sb, pk_iq_column(x, xs, c) + i);
        float d = pk_iq_d_f16c(t, blk);
        for (int c = 0; c < nc; ++c)
            sum[c] = pk_iq_step(t, sum[c], d, pk_iq_column(x, xs, c)[i].d, pk_hsum_epi32_256(acc[c]),
                                pk_iq_is_iq1(t) ? pk_hsum_epi32_256(accd[c]) : 0);
    }
    for (int c = 0; c < nc; ++c) out[c] = pk_iq_factor(t) * sum[c];
}

/// The eight int32 lane sums of a[0 .. 7], lane k a[k]'s (exact: integer adds).
PK_IQ_INLINE __m256i hsum8x8(const __m256i a[8]) {
    __m256i h0 = _mm256_hadd_epi32(_mm256_hadd_epi32(a[0], a[1]), _mm256_hadd_epi32(a[2], a[3]));
    __m256i h1 = _mm256_hadd_epi32(_mm256_hadd_epi32(a[4], a[5]), _mm256_hadd_epi32(a[6], a[7]));
    return _mm256_add_epi32(_mm256_permute2x128_si256(h0, h1, 0x20), _mm256_permute2x128_si256(h0, h1, 0x31));
}

/// pk_iq_step for eight columns at once, lane k column k's: the same multiplies and adds,
/// lane for lane (no FMA in this file). d: the block's scale in every lane, yd the
/// columns' activation scales, sumi and sumd (IQ1's delta sums) their integer sums.
PK_IQ_INLINE __m256 iq_step8(int t, __m256 sum, __m256 d, __m256 yd, __m256i sumi, __m256i sumd) {
    __m256 dd = _mm256_mul_ps(d, yd), f = _mm256_cvtepi32_ps(sumi);
    if (pk_iq_is_iq1(t)) f = _mm256_add_ps(f, _mm256_mul_ps(_mm256_set1_ps(PK_IQ1_DELTA), _mm256_cvtepi32_ps(sumd)));
    return _mm256_add_ps(sum, _mm256_mul_ps(dd, f));
}

/// The many-column dot: each super-block's eight groups decoded once into vectors (held
/// on the stack: more than the 16 registers), then each of the nc columns (at most
/// PK_DOTN_MAX) summed over them in registers, eight columns' sums reduced together and
/// stepped in one vector (iq_step8). The same integer sums and float steps as dot_iq.
PK_IQ_INLINE void dot_iq_wide(int t, int nc, size_t n, const void *w, const void *x, size_t xs, float *out) {
    const uint8_t *a = w;
    const size_t bs = pk_type_size(t);
    const int nh = (nc + 7) / 8;
    __m256 sum[PK_DOTN_MAX / 8];
    for (int h = 0; h < PK_DOTN_MAX / 8; ++h) sum[h] = _mm256_setzero_ps();
    for (size_t i = 0; i < n / QKK; ++i) {
        const void *blk = a + i * bs;
        pk_prefetch_span(blk, bs);
        group256 gr[8];
        pk_iq_sb2 sb;
        pk_iq_decode_sb2(t, blk, &sb);
        for (int ib = 0; ib < 8; ++ib) gr[ib] = group_of(t, &sb, ib);
        const __m256 d = _mm256_set1_ps(pk_iq_d_f16c(t, blk));
        for (int h = 0; h < nh; ++h) {
            __m256i acc[8], accd[8];
            float yd[8];
            for (int k = 0; k < 8; ++k) {
                acc[k] = accd[k] = _mm256_setzero_si256();
                yd[k] = 0;
                if (8 * h + k >= nc) continue;
                const pk_block_q8_K *b = pk_iq_column(x, xs, 8 * h + k) + i;
                yd[k] = b->d;
                for (int ib = 0; ib < 8; ++ib)
                    group_dot(t, gr[ib], _mm256_loadu_si256((const __m256i *)(b->qs + 32 * ib)), &acc[k], &accd[k]);
                if (t == PK_IQ1_S) accd[k] = delta_sums(&sb, b);
            }
            sum[h] = iq_step8(t, sum[h], d, _mm256_loadu_ps(yd), hsum8x8(acc),
                              pk_iq_is_iq1(t) ? hsum8x8(accd) : _mm256_setzero_si256());
        }
    }
    float all[PK_DOTN_MAX];
    const __m256 f = _mm256_set1_ps(pk_iq_factor(t));
    for (int h = 0; h < nh; ++h) _mm256_storeu_ps(all + 8 * h, _mm256_mul_ps(f, sum[h]));
    for (int c = 0; c < nc; ++c) out[c] = all[c];
}

/// nr weight rows (at most PK_DOTU_ROWS, ws bytes apart) against nc columns (a multiple
/// of 16, at most PK_DOTU_MAX) of offset activations (pk_q8_K_offset), out[c * ldo + r].
/// Super-block by super-block: each row's block is decoded once for all nc columns, its
/// signs put on the grid bytes (int8 weights, on the stack; IQ1's grid is int8 already)
/// and the offset's share (128 times the scaled sum of the weights) taken once; each group
/// of a column is then one vpmaddubsw (the offset activations times the signed weights,
/// at most 2 * 255 * 62 in int16) and one vpmaddwd by the scales, the two multiplies per
/// 32 values that bound this loop. IQ1_M's delta term is summed the same way on its +-1
/// delta signs (offset taken back likewise), IQ1_S's from the bsums (delta_sums: the
/// offset leaves them as they were). The nc columns' block (16 KiB at 64) stays in L1
/// while the nr rows pass it. Eight columns' sums are reduced and stepped together
/// (iq_step8), each row and column in super-block order: the same exact integers and
/// float steps as dot_iq.
PK_IQ_INLINE void dot_iq_xu(int t, size_t n, const void *w, size_t ws, int nr, const void *xu, size_t xs, int nc,
                            float *out, size_t ldo) {
    const size_t bs = pk_type_size(t);
    const __m256i k128 = _mm256_set1_epi8((char)0x80);
    const int nh = nc / 8;
    __m256 sum[PK_DOTU_ROWS][PK_DOTU_MAX / 8];
    for (int r = 0; r < nr; ++r)
        for (int h = 0; h < nh; ++h) sum[r][h] = _mm256_setzero_ps();
    for (size_t i = 0; i < n / QKK; ++i) {
        for (int r = 0; r < nr; ++r) {
            const void *blk = (const uint8_t *)w + (size_t)r * ws + i * bs;
            pk_prefetch_span(blk, bs);
            __m256i wv[8], dv[8], sc[8], off = _mm256_setzero_si256(), offd = off;
            pk_iq_sb2 sb;
            pk_iq_decode_sb2(t, blk, &sb);
            for (int ib = 0; ib < 8; ++ib) {
                group256 gr = group_of(t, &sb, ib);
                wv[ib] = pk_iq_is_iq1(t) ? gr.g : _mm256_sign_epi8(gr.g, gr.sg);
                dv[ib] = gr.sg;
                sc[ib] = gr.sc;
                off = _mm256_add_epi32(off, _mm256_madd_epi16(_mm256_maddubs_epi16(k128, wv[ib]), sc[ib]));
                if (t == PK_IQ1_M)
                    offd = _mm256_add_epi32(offd, _mm256_madd_epi16(_mm256_maddubs_epi16(k128, dv[ib]), sc[ib]));
            }
            const __m256i offset = _mm256_set1_epi32(pk_hsum_epi32_256(off));
            const __m256i offsetd = _mm256_set1_epi32(pk_hsum_epi32_256(offd));
            const __m256 d = _mm256_set1_ps(pk_iq_d_f16c(t, blk));
            for (int h = 0; h < nh; ++h) {
                __m256i acc[8], accd[8];
                float yd[8];
                for (int k = 0; k < 8; ++k) {
                    const pk_block_q8_K *b = pk_iq_column(xu, xs, 8 * h + k) + i;
                    yd[k] = b->d;
                    acc[k] = accd[k] = _mm256_setzero_si256();
                    for (int ib = 0; ib < 8; ++ib) {
                        __m256i y = _mm256_loadu_si256((const __m256i *)(b->qs + 32 * ib));
                        acc[k] = _mm256_add_epi32(acc[k], _mm256_madd_epi16(_mm256_maddubs_epi16(y, wv[ib]), sc[ib]));
                        if (t == PK_IQ1_M)
                            accd[k] = _mm256_add_epi32(accd[k], _mm256_madd_epi16(_mm256_maddubs_epi16(y, dv[ib]), sc[ib]));
                    }
                }
                if (t == PK_IQ1_S)  // its own pass: in the loop above, its factors were one
                                    // register too many (8.4 against 5.7 ns per column and block)
                    for (int k = 0; k < 8; ++k) accd[k] = delta_sums(&sb, pk_iq_column(xu, xs, 8 * h + k) + i);
                sum[r][h] = iq_step8(t, sum[r][h], d, _mm256_loadu_ps(yd), _mm256_sub_epi32(hsum8x8(acc), offset),
                                     pk_iq_is_iq1(t) ? _mm256_sub_epi32(hsum8x8(accd), offsetd) : _mm256_setzero_si256());
            }
        }
    }
    const __m256 f = _mm256_set1_ps(pk_iq_factor(t));
    for (int r = 0; r < nr; ++r)
        for (int h = 0; h < nh; ++h) {
            float o[8];
            _mm256_storeu_ps(o, _mm256_mul_ps(f, sum[r][h]));
            for (int k = 0; k < 8; ++k) out[(size_t)(8 * h + k) * ldo + (size_t)r] = o[k];
        }
}

PK_IQ_DOTS2(dot_iq, dot_iq_wide)

PK_IQ_DOTSU(dot_iq_xu)

#pragma clang attribute pop

static PK_IQ_FILL(fill_dots, dot_iq)

/// The IQ dots of this tier, with their many-row, many-column offset dots.
void pk_fill_avx2_iq(struct pk_kernels *k) {
    fill_dots(k);
    PK_IQ_FILLU(k, dot_iq_xu);
}
#else
#include "kernels_internal.h"
void pk_fill_avx2_iq(struct pk_kernels *k) { (void)k; }
#endif
