// Shared body of the K-quant GEMM micro-kernels (Q4_K, Q5_K, Q6_K weights against
// column-interleaved Q8_K activations, the packed groups of kernels_internal.h) of one
// SIMD tier. Included by gemm_avx2_kquants.c and gemm_avx512_kquants.c inside their
// target pragma, after they define
//   GEMM_ACC(a, w, y)    a + the u8 x s8 products of w (4 broadcast weight bytes) and y
//                        (4 bytes of each of 8 columns), per column lane;
//   GEMM_SCALE(a, sc)    a partial sum times the int sub-block scale sc, in int32 lanes;
//   GEMM_PARTIAL16       1 when GEMM_ACC sums in int16 (then a partial sum covers at
//                        most 16 products per lane: Q5_K and Q6_K sub-blocks are split
//                        in two), 0 when it sums in int32 (then even and odd chunks go to
//                        two partial sums, for two independent accumulator chains).
// Each column's S_i and M_i are exact whichever way they are summed, and the float tail
// is the same code, so both tiers give the same bits (and the one-row dots' bits).
//
// The int32 lanes are activation columns, not positions along the row. Four weight
// values are broadcast to all eight 4-byte slots (vpbroadcastd) and vpmaddubsw pairs
// them with four values of each of the 8 columns, so one instruction does 32 products
// for 8 columns at once (AVX2; with VNNI one vpdpbusd), and the sub-block scale is
// applied once per sub-block and group instead of once per column: the partial sums of
// a whole sub-block are added first. In int16 (AVX2) that needs headroom: Q4_K sums 8
// chunks, each lane <= 15 * 127 * 2 * 8 = 30480; Q5_K 4 chunks, 31 * 127 * 2 * 4 = 31496;
// Q6_K 2 chunks, 63 * 127 * 2 * 2 = 32004, all < 32768. In int32 (VNNI) any count fits.
// The per super-block float work is one vector operation for 8 columns. Each weight
// super-block is decoded once per call into 256 bytes (L1) and serves two groups (16
// columns).
//
// Per column the result is the canonical sequence of dot_avx2_kquants.c: the exact
// integers S_i, M_i per super-block, then acc = fma(d * yd, S_i, acc) and
// accm = fma(-dmin * yd, M_i, accm); out = acc + accm (Q6_K: acc). So a column here is
// bitwise the one-row dot of either SIMD tier.

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
INLINE void k45_decode(int five, const uint8_t *blk, uint8_t *q) {
    const uint8_t *qs = blk + (five ? 48 : 16);
    __m256i hb = five ? _mm256_loadu_si256((const __m256i *)(blk + 16)) : _mm256_setzero_si256();
    for (int g = 0; g < 4; ++g) {
        __m256i q1, q2;
        pk_k45_group(qs, hb, five, g, &q1, &q2);
        _mm256_store_si256((__m256i *)(q + 64 * g), q1);
        _mm256_store_si256((__m256i *)(q + 64 * g + 32), q2);
    }
}

// nr rows (ws bytes apart) x ng groups: out[16 r + 8 g + c]. Each y chunk is loaded once
// for the nr rows, each decoded weight chunk broadcast once for the ng groups.
INLINE void k45_gemm(int five, int nr, int ng, size_t nb, const uint8_t *w, size_t ws, const void *p, size_t gs, float *out) {
    const size_t bsz = five ? sizeof(pk_block_q5_K) : sizeof(pk_block_q4_K);
    __m256 acc[2][2], accm[2][2];
    for (int r = 0; r < nr; ++r) for (int j = 0; j < ng; ++j) acc[r][j] = accm[r][j] = _mm256_setzero_ps();
    uint8_t q[2][QKK] __attribute__((aligned(32)));
    for (size_t i = 0; i < nb; ++i) {
        uint32_t sm[2][4];
        for (int r = 0; r < nr; ++r) {
            const uint8_t *blk = w + r * ws + i * bsz;
            k45_decode(five, blk, q[r]);
            pk_scales_k4_16(blk + 4, sm[r]);
        }
        __m256i S[2][2];
        for (int r = 0; r < nr; ++r) for (int j = 0; j < ng; ++j) S[r][j] = _mm256_setzero_si256();
#pragma clang loop unroll(disable)
        for (int s = 0; s < 8; ++s) {
            // Two partial sums per sub-block, row and group over its 8 chunks: int16 (Q4_K:
            // all 8 chunks in the first; Q5_K: 4 in each), or int32 (even and odd chunks:
            // two chains, as vpdpbusd waits for its accumulator).
            __m256i a[2][2][2];
            for (int r = 0; r < nr; ++r) for (int j = 0; j < ng; ++j) a[r][j][0] = a[r][j][1] = _mm256_setzero_si256();
            for (int k = 0; k < 8; ++k) {
                const int h = GEMM_PARTIAL16 ? (five ? k >> 2 : 0) : k & 1;
                __m256i y[2];
                for (int j = 0; j < ng; ++j) y[j] = ychunk(group(p, gs, j, i), 8 * s + k);
                for (int r = 0; r < nr; ++r) {
                    __m256i wv = bcast4(q[r] + 32 * s + 4 * k);
                    for (int j = 0; j < ng; ++j) a[r][j][h] = GEMM_ACC(a[r][j][h], wv, y[j]);
                }
            }
            for (int r = 0; r < nr; ++r) {
                const int sc = ((const uint8_t *)sm[r])[s];
                for (int j = 0; j < ng; ++j) {
                    __m256i t;
                    if (!GEMM_PARTIAL16) t = GEMM_SCALE(_mm256_add_epi32(a[r][j][0], a[r][j][1]), sc);
                    else if (five) t = _mm256_add_epi32(GEMM_SCALE(a[r][j][0], sc), GEMM_SCALE(a[r][j][1], sc));
                    else t = GEMM_SCALE(a[r][j][0], sc);
                    S[r][j] = _mm256_add_epi32(S[r][j], t);
                }
            }
        }
        for (int r = 0; r < nr; ++r) {
            const uint8_t *blk = w + r * ws + i * bsz, *mn = (const uint8_t *)sm[r] + 8;
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
                acc[r][j] = _mm256_fmadd_ps(_mm256_mul_ps(d, yd), _mm256_cvtepi32_ps(S[r][j]), acc[r][j]);
                accm[r][j] = _mm256_fmadd_ps(_mm256_mul_ps(ndmin, yd), _mm256_cvtepi32_ps(M), accm[r][j]);
            }
        }
    }
    for (int r = 0; r < nr; ++r)
        for (int j = 0; j < ng; ++j) _mm256_storeu_ps(out + 16 * r + 8 * j, _mm256_add_ps(acc[r][j], accm[r][j]));
}

// Q6_K: the 256 values of a super-block are decoded to bytes (0..63) in order into a
// small buffer first (as in dot_avx2_kquants.c), then broadcast four at a time. Sub-block
// j (16 values) = chunks 4j .. 4j+3, summed in int16 two chunks at a time.
// S_i = sum_j sc[j] * (q . y)_j - 32 * sum_j sc[j] * bsums[j].
INLINE void q6_gemm(int nr, int ng, size_t nb, const uint8_t *w, size_t ws, const void *p, size_t gs, float *out) {
    __m256 acc[2][2];
    for (int r = 0; r < nr; ++r) for (int j = 0; j < ng; ++j) acc[r][j] = _mm256_setzero_ps();
    uint8_t q[2][QKK] __attribute__((aligned(32)));
    for (size_t i = 0; i < nb; ++i) {
        __m256i S[2][2];
        for (int r = 0; r < nr; ++r) {
            const pk_block_q6_K *a = (const pk_block_q6_K *)(w + r * ws) + i;
            for (int h = 0; h < 2; ++h) {
                __m256i v[4];
                pk_q6_half(a->ql + 64 * h, a->qh + 32 * h, v);
                for (int k = 0; k < 4; ++k) _mm256_store_si256((__m256i *)(q[r] + 128 * h) + k, v[k]);
            }
            const int8_t *sc = a->scales;
            for (int j = 0; j < ng; ++j) {
                // -32 * sum_j sc[j] * bsums[j], pairs (2t, 2t + 1) per vpmaddwd.
                const __m256i *b16 = (const __m256i *)(group(p, gs, j, i) + PK_KPACK_B16);
                __m256i c = _mm256_setzero_si256();
                for (int t = 0; t < 8; ++t)
                    c = _mm256_add_epi32(c, _mm256_madd_epi16(pair16(sc[2 * t], sc[2 * t + 1]), _mm256_loadu_si256(b16 + t)));
                S[r][j] = _mm256_sub_epi32(_mm256_setzero_si256(), _mm256_slli_epi32(c, 5));
            }
        }
#pragma clang loop unroll(disable)
        for (int sb = 0; sb < 16; ++sb) {
            // Two partial sums of the sub-block's 4 chunks: int16 (chunks 0, 1 and 2, 3),
            // or int32 (even and odd chunks: two chains).
            __m256i a[2][2][2];
            for (int r = 0; r < nr; ++r) for (int j = 0; j < ng; ++j) a[r][j][0] = a[r][j][1] = _mm256_setzero_si256();
            for (int m = 0; m < 4; ++m) {
                const int h = GEMM_PARTIAL16 ? m >> 1 : m & 1;
                __m256i y[2];
                for (int j = 0; j < ng; ++j) y[j] = ychunk(group(p, gs, j, i), 4 * sb + m);
                for (int r = 0; r < nr; ++r) {
                    __m256i wv = bcast4(q[r] + 16 * sb + 4 * m);
                    for (int j = 0; j < ng; ++j) a[r][j][h] = GEMM_ACC(a[r][j][h], wv, y[j]);
                }
            }
            for (int r = 0; r < nr; ++r) {
                const pk_block_q6_K *b = (const pk_block_q6_K *)(w + r * ws) + i;
                const int sc = b->scales[sb];
                for (int j = 0; j < ng; ++j) {
                    __m256i t = GEMM_PARTIAL16 ? _mm256_add_epi32(GEMM_SCALE(a[r][j][0], sc), GEMM_SCALE(a[r][j][1], sc))
                                               : GEMM_SCALE(_mm256_add_epi32(a[r][j][0], a[r][j][1]), sc);
                    S[r][j] = _mm256_add_epi32(S[r][j], t);
                }
            }
        }
        for (int r = 0; r < nr; ++r) {
            // d: the high half of the 32 bits at offset 206 (scales[14..15], d).
            const uint8_t *a = w + r * ws + i * sizeof(pk_block_q6_K);
            __m256 d = _mm256_broadcastss_ps(_mm_movehdup_ps(pk_cvtph_u32(pk_load_u32(a + 206))));
            for (int j = 0; j < ng; ++j) {
                __m256 yd = _mm256_loadu_ps((const float *)(group(p, gs, j, i) + PK_KPACK_YD));
                acc[r][j] = _mm256_fmadd_ps(_mm256_mul_ps(d, yd), _mm256_cvtepi32_ps(S[r][j]), acc[r][j]);
            }
        }
    }
    for (int r = 0; r < nr; ++r) for (int j = 0; j < ng; ++j) _mm256_storeu_ps(out + 16 * r + 8 * j, acc[r][j]);
}

// The shapes a call can take: 1 or 2 rows x 1 or 2 groups (the driver, gemm.c, uses 2 x 2
// and the smaller ones at the edges of its tiles).
#define PK_GEMM_SHAPES(NAME, BODY)                                                                   \
    static void NAME(size_t nb, const void *w, size_t ws, int nr, const void *p, size_t gs, int ng, float *out) { \
        if (nr == 2) { if (ng == 2) BODY(2, 2); else BODY(2, 1); }                                   \
        else { if (ng == 2) BODY(1, 2); else BODY(1, 1); }                                            \
    }
#define Q4K(R, G) k45_gemm(0, R, G, nb, w, ws, p, gs, out)
#define Q5K(R, G) k45_gemm(1, R, G, nb, w, ws, p, gs, out)
#define Q6K(R, G) q6_gemm(R, G, nb, w, ws, p, gs, out)
PK_GEMM_SHAPES(gemm_q4_K, Q4K)
PK_GEMM_SHAPES(gemm_q5_K, Q5K)
PK_GEMM_SHAPES(gemm_q6_K, Q6K)
#undef Q4K
#undef Q5K
#undef Q6K
#undef PK_GEMM_SHAPES

#undef INLINE
