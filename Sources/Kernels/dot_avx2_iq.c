// AVX2 dots of the IQ1/IQ2/IQ3 types against Q8_K activations, 32 values per 256-bit
// vector. The grid points of 32 values are gathered into one vector (4 IQ2/IQ1 points of
// 8 bytes, 8 IQ3 points of 4), the signs applied to the activations (vpsignb with a
// +-1 byte per value, expanded from 32 sign bits), the unsigned grid bytes times the
// signed activations summed in int16 pairs (vpmaddubsw: exact, at most 2 * 62 * 127),
// then times the int16 scale into int32 (vpmaddwd). IQ1's int8 grid (-1, 0, 1) is
// applied with vpsignb itself and summed against ones.
//
// Each super-block's integer sums are exactly the reference's (dot_ref_iq.c) and the
// float steps are the reference's, in its order, without FMA, so every result is
// bitwise the reference's. The AVX-512 tier uses these kernels too.
#if defined(__x86_64__)
#include "simd_common.h"
#pragma STDC FP_CONTRACT OFF
#pragma clang attribute push(__attribute__((target("avx2,fma,f16c"))), apply_to = function)

#define INLINE static inline __attribute__((always_inline))

/// Bytes +1 / -1 for 32 values: value v is negative when bit v of s is set.
INLINE __m256i signs32(uint32_t s) {
    const __m256i spread = _mm256_set_epi64x(0x0303030303030303, 0x0202020202020202,
                                             0x0101010101010101, 0x0000000000000000);
    const __m256i bits = _mm256_set1_epi64x((long long)0x8040201008040201ULL);
    __m256i v = _mm256_shuffle_epi8(_mm256_set1_epi32((int)s), spread);
    v = _mm256_cmpeq_epi8(_mm256_and_si256(v, bits), bits);
    return _mm256_or_si256(v, _mm256_set1_epi8(1));
}

/// The 32 sign bits of 4 7-bit ksigns indices packed in bits 0-27 of `aux`.
INLINE uint32_t ksigns4(uint32_t aux) {
    return (uint32_t)ksigns_iq2xs[aux & 127] | (uint32_t)ksigns_iq2xs[(aux >> 7) & 127] << 8 |
           (uint32_t)ksigns_iq2xs[(aux >> 14) & 127] << 16 | (uint32_t)ksigns_iq2xs[(aux >> 21) & 127] << 24;
}

/// sum over 32 values of g * (signed y), times int16 scale(s) `sc`, as int32 lanes.
INLINE __m256i grid_dot(__m256i g, const int8_t *y, uint32_t signs, __m256i sc) {
    __m256i ys = _mm256_sign_epi8(_mm256_loadu_si256((const __m256i *)y), signs32(signs));
    return _mm256_madd_epi16(_mm256_maddubs_epi16(g, ys), sc);
}

/// int16 scale a for the first 16 values of a vector, b for the last 16.
INLINE __m256i scales2(int a, int b) {
    return _mm256_set_m128i(_mm_set1_epi16((short)b), _mm_set1_epi16((short)a));
}

static float dot_iq2_xxs(size_t n, const void *w, const void *x) {
    const pk_block_iq2_xxs *a = w;
    const pk_block_q8_K *b = x;
    float sum = 0;
    for (size_t i = 0; i < n / QKK; ++i) {
        pk_prefetch_span(&a[i], sizeof a[i]);
        __m256i acc = _mm256_setzero_si256();
        for (int ib = 0; ib < 8; ++ib) {
            uint32_t aux[2];
            memcpy(aux, a[i].qs + 4 * ib, 8);
            const uint8_t *idx = (const uint8_t *)aux;
            __m256i g = _mm256_set_epi64x((long long)iq2xxs_grid[idx[3]], (long long)iq2xxs_grid[idx[2]],
                                          (long long)iq2xxs_grid[idx[1]], (long long)iq2xxs_grid[idx[0]]);
            int ls = (int)(2 * (aux[1] >> 28) + 1);
            acc = _mm256_add_epi32(acc, grid_dot(g, b[i].qs + 32 * ib, ksigns4(aux[1]), _mm256_set1_epi16((short)ls)));
        }
        sum += pk_h2f(a[i].d) * b[i].d * (float)pk_hsum_epi32_256(acc);
    }
    return 0.125f * sum;
}

static float dot_iq2_xs(size_t n, const void *w, const void *x) {
    const pk_block_iq2_xs *a = w;
    const pk_block_q8_K *b = x;
    float sum = 0;
    for (size_t i = 0; i < n / QKK; ++i) {
        pk_prefetch_span(&a[i], sizeof a[i]);
        __m256i acc = _mm256_setzero_si256();
        for (int ib = 0; ib < 8; ++ib) {
            const uint16_t *q = a[i].qs + 4 * ib;
            __m256i g = _mm256_set_epi64x((long long)iq2xs_grid[q[3] & 511], (long long)iq2xs_grid[q[2] & 511],
                                          (long long)iq2xs_grid[q[1] & 511], (long long)iq2xs_grid[q[0] & 511]);
            uint32_t s = (uint32_t)ksigns_iq2xs[q[0] >> 9] | (uint32_t)ksigns_iq2xs[q[1] >> 9] << 8 |
                         (uint32_t)ksigns_iq2xs[q[2] >> 9] << 16 | (uint32_t)ksigns_iq2xs[q[3] >> 9] << 24;
            int sc = a[i].scales[ib];
            acc = _mm256_add_epi32(acc, grid_dot(g, b[i].qs + 32 * ib, s, scales2(2 * (sc & 15) + 1, 2 * (sc >> 4) + 1)));
        }
        sum += pk_h2f(a[i].d) * b[i].d * (float)pk_hsum_epi32_256(acc);
    }
    return 0.125f * sum;
}

static float dot_iq2_s(size_t n, const void *w, const void *x) {
    const pk_block_iq2_s *a = w;
    const pk_block_q8_K *b = x;
    float sum = 0;
    for (size_t i = 0; i < n / QKK; ++i) {
        pk_prefetch_span(&a[i], sizeof a[i]);
        const uint8_t *qs = a[i].qs, *signs = a[i].qs + QKK / 8;
        __m256i acc = _mm256_setzero_si256();
        for (int ib = 0; ib < 8; ++ib) {
            int qh = a[i].qh[ib];
            const uint8_t *q = qs + 4 * ib;
            __m256i g = _mm256_set_epi64x((long long)iq2s_grid[q[3] | (qh << 2 & 0x300)],
                                          (long long)iq2s_grid[q[2] | (qh << 4 & 0x300)],
                                          (long long)iq2s_grid[q[1] | (qh << 6 & 0x300)],
                                          (long long)iq2s_grid[q[0] | (qh << 8 & 0x300)]);
            int sc = a[i].scales[ib];
            acc = _mm256_add_epi32(acc, grid_dot(g, b[i].qs + 32 * ib, pk_load_u32(signs + 4 * ib),
                                                 scales2(2 * (sc & 15) + 1, 2 * (sc >> 4) + 1)));
        }
        sum += pk_h2f(a[i].d) * b[i].d * (float)pk_hsum_epi32_256(acc);
    }
    return 0.125f * sum;
}

static float dot_iq3_xxs(size_t n, const void *w, const void *x) {
    const pk_block_iq3_xxs *a = w;
    const pk_block_q8_K *b = x;
    float sum = 0;
    for (size_t i = 0; i < n / QKK; ++i) {
        pk_prefetch_span(&a[i], sizeof a[i]);
        __m256i acc = _mm256_setzero_si256();
        for (int ib = 0; ib < 8; ++ib) {
            const uint8_t *q = a[i].qs + 8 * ib;
            uint32_t aux = pk_load_u32(a[i].qs + QKK / 4 + 4 * ib);
            __m256i g = _mm256_set_epi32((int)iq3xxs_grid[q[7]], (int)iq3xxs_grid[q[6]], (int)iq3xxs_grid[q[5]],
                                         (int)iq3xxs_grid[q[4]], (int)iq3xxs_grid[q[3]], (int)iq3xxs_grid[q[2]],
                                         (int)iq3xxs_grid[q[1]], (int)iq3xxs_grid[q[0]]);
            int ls = (int)(2 * (aux >> 28) + 1);
            acc = _mm256_add_epi32(acc, grid_dot(g, b[i].qs + 32 * ib, ksigns4(aux), _mm256_set1_epi16((short)ls)));
        }
        sum += pk_h2f(a[i].d) * b[i].d * (float)pk_hsum_epi32_256(acc);
    }
    return 0.25f * sum;
}

static float dot_iq3_s(size_t n, const void *w, const void *x) {
    const pk_block_iq3_s *a = w;
    const pk_block_q8_K *b = x;
    float sum = 0;
    for (size_t i = 0; i < n / QKK; ++i) {
        pk_prefetch_span(&a[i], sizeof a[i]);
        __m256i acc = _mm256_setzero_si256();
        for (int ib = 0; ib < 8; ++ib) {
            const uint8_t *q = a[i].qs + 8 * ib;
            int qh = a[i].qh[ib];
            __m256i g = _mm256_set_epi32((int)iq3s_grid[q[7] | (qh << 1 & 256)], (int)iq3s_grid[q[6] | (qh << 2 & 256)],
                                         (int)iq3s_grid[q[5] | (qh << 3 & 256)], (int)iq3s_grid[q[4] | (qh << 4 & 256)],
                                         (int)iq3s_grid[q[3] | (qh << 5 & 256)], (int)iq3s_grid[q[2] | (qh << 6 & 256)],
                                         (int)iq3s_grid[q[1] | (qh << 7 & 256)], (int)iq3s_grid[q[0] | (qh << 8 & 256)]);
            int ls = 2 * ((a[i].scales[ib / 2] >> (4 * (ib & 1))) & 15) + 1;
            acc = _mm256_add_epi32(acc, grid_dot(g, b[i].qs + 32 * ib, pk_load_u32(a[i].signs + 4 * ib),
                                                 _mm256_set1_epi16((short)ls)));
        }
        sum += pk_h2f(a[i].d) * b[i].d * (float)pk_hsum_epi32_256(acc);
    }
    return sum;
}

/// sum over 32 values of g * y (g int8 in -1, 0, 1: vpsignb), times int16 scale(s) sc.
INLINE __m256i iq1_dot(__m256i g, __m256i y, __m256i sc) {
    return _mm256_madd_epi16(_mm256_maddubs_epi16(_mm256_set1_epi8(1), _mm256_sign_epi8(y, g)), sc);
}

static float dot_iq1_s(size_t n, const void *w, const void *x) {
    const pk_block_iq1_s *a = w;
    const pk_block_q8_K *b = x;
    float sum = 0;
    for (size_t i = 0; i < n / QKK; ++i) {
        pk_prefetch_span(&a[i], sizeof a[i]);
        __m256i acc = _mm256_setzero_si256();
        int sumd = 0;
        for (int ib = 0; ib < 8; ++ib) {
            int qh = a[i].qh[ib];
            const uint8_t *q = a[i].qs + 4 * ib;
            __m256i g = _mm256_set_epi64x((long long)iq1s_grid[q[3] | (qh >> 1 & 0x700)],
                                          (long long)iq1s_grid[q[2] | (qh << 2 & 0x700)],
                                          (long long)iq1s_grid[q[1] | (qh << 5 & 0x700)],
                                          (long long)iq1s_grid[q[0] | (qh << 8 & 0x700)]);
            int ls = 2 * ((qh >> 12) & 7) + 1, delta = qh & 0x8000 ? -1 : 1;
            acc = _mm256_add_epi32(acc, iq1_dot(g, _mm256_loadu_si256((const __m256i *)(b[i].qs + 32 * ib)),
                                                _mm256_set1_epi16((short)ls)));
            sumd += ls * delta * (b[i].bsums[2 * ib] + b[i].bsums[2 * ib + 1]);
        }
        sum += pk_h2f(a[i].d) * b[i].d * ((float)pk_hsum_epi32_256(acc) + PK_IQ1_DELTA * (float)sumd);
    }
    return sum;
}

static float dot_iq1_m(size_t n, const void *w, const void *x) {
    const pk_block_iq1_m *a = w;
    const pk_block_q8_K *b = x;
    const long long minus = -1, plus = 0x0101010101010101LL;
    float sum = 0;
    for (size_t i = 0; i < n / QKK; ++i) {
        pk_prefetch_span(&a[i], sizeof a[i]);
        uint16_t sc[4];
        memcpy(sc, a[i].scales, 8);
        __m256i acc = _mm256_setzero_si256(), accd = _mm256_setzero_si256();
        for (int ib = 0; ib < 8; ++ib) {  // 32 values: grid points 4 ib ... 4 ib + 3
            const uint8_t *q = a[i].qs + 4 * ib;
            int h0 = a[i].qh[2 * ib], h1 = a[i].qh[2 * ib + 1];
            __m256i g = _mm256_set_epi64x((long long)iq1s_grid[q[3] | (h1 << 4 & 0x700)],
                                          (long long)iq1s_grid[q[2] | (h1 << 8 & 0x700)],
                                          (long long)iq1s_grid[q[1] | (h0 << 4 & 0x700)],
                                          (long long)iq1s_grid[q[0] | (h0 << 8 & 0x700)]);
            __m256i dv = _mm256_set_epi64x(h1 & 0x80 ? minus : plus, h1 & 0x08 ? minus : plus,
                                           h0 & 0x80 ? minus : plus, h0 & 0x08 ? minus : plus);
            int s0 = 2 * ib, s1 = 2 * ib + 1;
            __m256i ls = scales2(2 * ((sc[s0 / 4] >> (3 * (s0 % 4))) & 7) + 1, 2 * ((sc[s1 / 4] >> (3 * (s1 % 4))) & 7) + 1);
            __m256i y = _mm256_loadu_si256((const __m256i *)(b[i].qs + 32 * ib));
            acc = _mm256_add_epi32(acc, iq1_dot(g, y, ls));
            accd = _mm256_add_epi32(accd, iq1_dot(dv, y, ls));
        }
        float sumi = (float)pk_hsum_epi32_256(acc), sumd = (float)pk_hsum_epi32_256(accd);
        sum += pk_h2f(pk_iq1m_d(&a[i])) * b[i].d * (sumi + PK_IQ1_DELTA * sumd);
    }
    return sum;
}

#pragma clang attribute pop

void pk_fill_avx2_iq(struct pk_kernels *k) {
    k->dot[PK_SLOT_IQ2_XXS] = dot_iq2_xxs;
    k->dot[PK_SLOT_IQ2_XS] = dot_iq2_xs;
    k->dot[PK_SLOT_IQ2_S] = dot_iq2_s;
    k->dot[PK_SLOT_IQ3_XXS] = dot_iq3_xxs;
    k->dot[PK_SLOT_IQ3_S] = dot_iq3_s;
    k->dot[PK_SLOT_IQ1_S] = dot_iq1_s;
    k->dot[PK_SLOT_IQ1_M] = dot_iq1_m;
}
#else
void pk_fill_avx2_iq(struct pk_kernels *k) { (void)k; }
#endif
