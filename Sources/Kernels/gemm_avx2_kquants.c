// AVX2 GEMM micro-kernels for K-quant weights (Q4_K, Q5_K, Q6_K) against column-
// interleaved Q8_K activations (the packed groups of kernels_internal.h).
//
// The int32 lanes are activation columns, not positions along the row. Four weight
// values are broadcast to all eight 4-byte slots (vpbroadcastd) and vpmaddubsw pairs
// them with four values of each of the 8 columns, so one instruction does 32 products
// for 8 columns at once and the sub-block scale is applied once per sub-block and group
// (vpmaddwd) instead of once per column: the int16 partial sums of a whole sub-block are
// added first (Q4_K: 8 chunks, each lane <= 15 * 127 * 2 * 8 = 30480; Q5_K: 4 chunks,
// 31 * 127 * 2 * 4 = 31496; Q6_K: 2 chunks, 63 * 127 * 2 * 2 = 32004, all < 32768).
// The per super-block float work is one vector operation for 8 columns. Each weight
// super-block is decoded once per call into 256 bytes (L1) and serves two groups (16
// columns).
//
// Per column the result is the canonical sequence of dot_avx2_kquants.c: the exact
// integers S_i, M_i per super-block, then acc = fma(d * yd, S_i, acc) and
// accm = fma(-dmin * yd, M_i, accm); out = acc + accm (Q6_K: acc). So a column here is
// bitwise the one-row dot of the same tier.
#if defined(__x86_64__)
#include "simd_common.h"
#pragma clang attribute push(__attribute__((target("avx2,fma,f16c"))), apply_to = function)

#define INLINE static inline __attribute__((always_inline))

static inline const uint8_t *group(const void *p, size_t gs, int g, size_t i) {
    return (const uint8_t *)p + (size_t)g * gs + i * PK_KPACK_SB;
}
INLINE __m256i ychunk(const uint8_t *pg, int k) {
    return _mm256_loadu_si256((const __m256i *)(pg + PK_KPACK_YS + 32 * k));
}
INLINE __m256i bcast4(const uint8_t *p) {
    int32_t v;
    memcpy(&v, p, 4);
    return _mm256_set1_epi32(v);
}
/// Two int16 scales (a in the low half) in every 32-bit lane.
INLINE __m256i pair16(int a, int b) {
    return _mm256_set1_epi32((int32_t)((uint32_t)(uint16_t)a | (uint32_t)(uint16_t)b << 16));
}

// Q4_K (five = 0) and Q5_K (five = 1): the 256 values of a super-block are decoded to
// bytes in order into a small buffer (values 64g + l, l < 32, are the low nibbles of
// qs[32g + l], values 64g + 32 + l the high nibbles; Q5_K's fifth bit of value 32s + l is
// bit s of qh[l]), then broadcast four at a time.
INLINE void k45_gemm(int five, int ng, size_t nb, const uint8_t *w, const void *p, size_t gs, float *out) {
    const size_t bsz = five ? sizeof(pk_block_q5_K) : sizeof(pk_block_q4_K);
    const __m256i m4 = _mm256_set1_epi8(0x0F), bit = _mm256_set1_epi8(1);
    __m256 acc[2] = {_mm256_setzero_ps(), _mm256_setzero_ps()}, accm[2] = {acc[0], acc[1]};
    uint8_t q[QKK] __attribute__((aligned(32)));
    for (size_t i = 0; i < nb; ++i) {
        const uint8_t *blk = w + i * bsz, *qs = blk + (five ? 48 : 16);
        __m256i hb = five ? _mm256_loadu_si256((const __m256i *)(blk + 16)) : _mm256_setzero_si256();
        for (int g = 0; g < 4; ++g) {
            __m256i v = _mm256_loadu_si256((const __m256i *)(qs + 32 * g));
            __m256i q1 = _mm256_and_si256(v, m4), q2 = _mm256_and_si256(_mm256_srli_epi16(v, 4), m4);
            if (five) {
                q1 = _mm256_or_si256(q1, _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hb, 2 * g), bit), 4));
                q2 = _mm256_or_si256(q2, _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hb, 2 * g + 1), bit), 4));
            }
            _mm256_store_si256((__m256i *)(q + 64 * g), q1);
            _mm256_store_si256((__m256i *)(q + 64 * g + 32), q2);
        }
        uint32_t sm[4];
        pk_scales_k4_16(blk + 4, sm);
        const uint8_t *sc = (const uint8_t *)sm, *mn = sc + 8;
        __m256i S[2] = {_mm256_setzero_si256(), _mm256_setzero_si256()};
#pragma clang loop unroll(disable)
        for (int s = 0; s < 8; ++s) {
            // One int16 sum per sub-block and group over its 8 chunks (Q5_K: two of 4).
            __m256i a[2][2];
            for (int j = 0; j < ng; ++j) a[j][0] = a[j][1] = _mm256_setzero_si256();
            for (int k = 0; k < 8; ++k) {
                __m256i wv = bcast4(q + 32 * s + 4 * k);
                const int h = five ? k >> 2 : 0;
                for (int j = 0; j < ng; ++j)
                    a[j][h] = _mm256_add_epi16(a[j][h], _mm256_maddubs_epi16(wv, ychunk(group(p, gs, j, i), 8 * s + k)));
            }
            __m256i s16 = _mm256_set1_epi16(sc[s]);
            for (int j = 0; j < ng; ++j) {
                __m256i t = _mm256_madd_epi16(a[j][0], s16);
                if (five) t = _mm256_add_epi32(t, _mm256_madd_epi16(a[j][1], s16));
                S[j] = _mm256_add_epi32(S[j], t);
            }
        }
        __m128 dm = pk_cvtph_u32(pk_load_u32(blk));  // d, dmin
        __m256 d = _mm256_broadcastss_ps(dm);
        __m256 ndmin = _mm256_broadcastss_ps(_mm_sub_ps(_mm_setzero_ps(), _mm_movehdup_ps(dm)));
        for (int j = 0; j < ng; ++j) {
            const uint8_t *pg = group(p, gs, j, i);
            const __m256i *bsp = (const __m256i *)(pg + PK_KPACK_BSP);
            __m256i M = _mm256_madd_epi16(pair16(mn[0], mn[1]), _mm256_loadu_si256(bsp));
            M = _mm256_add_epi32(M, _mm256_madd_epi16(pair16(mn[2], mn[3]), _mm256_loadu_si256(bsp + 1)));
            M = _mm256_add_epi32(M, _mm256_madd_epi16(pair16(mn[4], mn[5]), _mm256_loadu_si256(bsp + 2)));
            M = _mm256_add_epi32(M, _mm256_madd_epi16(pair16(mn[6], mn[7]), _mm256_loadu_si256(bsp + 3)));
            __m256 yd = _mm256_loadu_ps((const float *)(pg + PK_KPACK_YD));
            acc[j] = _mm256_fmadd_ps(_mm256_mul_ps(d, yd), _mm256_cvtepi32_ps(S[j]), acc[j]);
            accm[j] = _mm256_fmadd_ps(_mm256_mul_ps(ndmin, yd), _mm256_cvtepi32_ps(M), accm[j]);
        }
    }
    for (int j = 0; j < ng; ++j) _mm256_storeu_ps(out + 8 * j, _mm256_add_ps(acc[j], accm[j]));
}

// Q6_K: the 256 values of a super-block are decoded to bytes (0..63) in order into a
// small buffer first (as in dot_avx2_kquants.c), then broadcast four at a time. Sub-block
// j (16 values) = chunks 4j .. 4j+3, summed in int16 two chunks at a time.
// S_i = sum_j sc[j] * (q . y)_j - 32 * sum_j sc[j] * bsums[j].
INLINE void q6_gemm(int ng, size_t nb, const uint8_t *w, const void *p, size_t gs, float *out) {
    const __m256i m4 = _mm256_set1_epi8(0x0F), m2 = _mm256_set1_epi8(0x30);
    __m256 acc[2] = {_mm256_setzero_ps(), _mm256_setzero_ps()};
    uint8_t q[QKK] __attribute__((aligned(32)));
    for (size_t i = 0; i < nb; ++i) {
        const pk_block_q6_K *a = (const pk_block_q6_K *)w + i;
        for (int h = 0; h < 2; ++h) {
            const uint8_t *ql = a->ql + 64 * h, *qh = a->qh + 32 * h;
            __m256i l1 = _mm256_loadu_si256((const __m256i *)ql);
            __m256i l2 = _mm256_loadu_si256((const __m256i *)(ql + 32));
            __m256i hh = _mm256_loadu_si256((const __m256i *)qh);
            __m256i *o = (__m256i *)(q + 128 * h);
            _mm256_store_si256(o, _mm256_or_si256(_mm256_and_si256(l1, m4), _mm256_and_si256(_mm256_slli_epi16(hh, 4), m2)));
            _mm256_store_si256(o + 1, _mm256_or_si256(_mm256_and_si256(l2, m4), _mm256_and_si256(_mm256_slli_epi16(hh, 2), m2)));
            _mm256_store_si256(o + 2, _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l1, 4), m4), _mm256_and_si256(hh, m2)));
            _mm256_store_si256(o + 3, _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l2, 4), m4),
                                                      _mm256_and_si256(_mm256_srli_epi16(hh, 2), m2)));
        }
        const int8_t *sc = a->scales;
        __m256i S[2];
        for (int j = 0; j < ng; ++j) {
            // -32 * sum_j sc[j] * bsums[j], pairs (2t, 2t + 1) per vpmaddwd.
            const __m256i *b16 = (const __m256i *)(group(p, gs, j, i) + PK_KPACK_B16);
            __m256i c = _mm256_setzero_si256();
            for (int t = 0; t < 8; ++t)
                c = _mm256_add_epi32(c, _mm256_madd_epi16(pair16(sc[2 * t], sc[2 * t + 1]), _mm256_loadu_si256(b16 + t)));
            S[j] = _mm256_sub_epi32(_mm256_setzero_si256(), _mm256_slli_epi32(c, 5));
        }
#pragma clang loop unroll(disable)
        for (int sb = 0; sb < 16; ++sb) {
            __m256i s16 = _mm256_set1_epi16(sc[sb]);
            __m256i w0 = bcast4(q + 16 * sb), w1 = bcast4(q + 16 * sb + 4);
            __m256i w2 = bcast4(q + 16 * sb + 8), w3 = bcast4(q + 16 * sb + 12);
            for (int j = 0; j < ng; ++j) {
                const uint8_t *pg = group(p, gs, j, i);
                __m256i a01 = _mm256_add_epi16(_mm256_maddubs_epi16(w0, ychunk(pg, 4 * sb)), _mm256_maddubs_epi16(w1, ychunk(pg, 4 * sb + 1)));
                __m256i a23 = _mm256_add_epi16(_mm256_maddubs_epi16(w2, ychunk(pg, 4 * sb + 2)), _mm256_maddubs_epi16(w3, ychunk(pg, 4 * sb + 3)));
                S[j] = _mm256_add_epi32(S[j], _mm256_add_epi32(_mm256_madd_epi16(a01, s16), _mm256_madd_epi16(a23, s16)));
            }
        }
        // d: the high half of the 32 bits at offset 206 (scales[14..15], d).
        __m256 d = _mm256_broadcastss_ps(_mm_movehdup_ps(pk_cvtph_u32(pk_load_u32((const uint8_t *)a + 206))));
        for (int j = 0; j < ng; ++j) {
            __m256 yd = _mm256_loadu_ps((const float *)(group(p, gs, j, i) + PK_KPACK_YD));
            acc[j] = _mm256_fmadd_ps(_mm256_mul_ps(d, yd), _mm256_cvtepi32_ps(S[j]), acc[j]);
        }
    }
    for (int j = 0; j < ng; ++j) _mm256_storeu_ps(out + 8 * j, acc[j]);
}

static void gemm_q4_K(size_t nb, const void *w, const void *p, size_t gs, int ng, float *out) {
    if (ng == 2) k45_gemm(0, 2, nb, w, p, gs, out);
    else k45_gemm(0, 1, nb, w, p, gs, out);
}
static void gemm_q5_K(size_t nb, const void *w, const void *p, size_t gs, int ng, float *out) {
    if (ng == 2) k45_gemm(1, 2, nb, w, p, gs, out);
    else k45_gemm(1, 1, nb, w, p, gs, out);
}
static void gemm_q6_K(size_t nb, const void *w, const void *p, size_t gs, int ng, float *out) {
    if (ng == 2) q6_gemm(2, nb, w, p, gs, out);
    else q6_gemm(1, nb, w, p, gs, out);
}

#pragma clang attribute pop

void pk_fill_avx2_gemm(struct pk_kernels *k) {
    k->gemm[PK_SLOT_Q4_K] = gemm_q4_K;
    k->gemm[PK_SLOT_Q5_K] = gemm_q5_K;
    k->gemm[PK_SLOT_Q6_K] = gemm_q6_K;
}
#endif  // __x86_64__
