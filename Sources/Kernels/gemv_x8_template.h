// Shared body of the x8 decode kernels (layout in x8.c) of one SIMD tier: 8 weight rows,
// one per 32-bit lane, against 1 to 4 activation columns. Included by gemv_x8_avx2.c and
// gemv_x8_avx512.c inside their target pragma, after they define
//   X8_ACC(a, w, y)          a + the u8 x s8 products of w and y (4 bytes per lane each):
//                            int16 pair sums (AVX2) or int32 (VNNI);
//   X8_MUL(a, s)             a partial sum times a per-lane scale from X8_BYTE_SCALE or
//                            X8_WORD_SCALE, into int32 lanes;
//   X8_BYTE_SCALE(v, j)      byte j (< 4) of each lane of v (unsigned), as X8_MUL wants it;
//   X8_WORD_SCALE(v, w)      int16 w (< 2) of each lane of v (signed), as X8_MUL wants it;
//   X8_INT16                 1 where partial sums are int16 pairs (AVX2), 0 for int32;
//   X8_CHAINS                how many partial sums a Q4_K sub-block is split into (1 or 2;
//                            Q5_K: at least 2);
//   X8_Q6_RUN                how many Q6_K chunks of a sub-block are summed before its
//                            scale (2: int16 headroom; 4: the whole sub-block, one scale
//                            multiply per 16 values);
//   X8_PREFETCH_AHEAD        how far ahead of the block being read to prefetch (bytes);
//   X8_PREFETCH_AHEAD_COLUMNS  the same for several columns, which read the weights slower;
//   X8_PREFETCH(p, a, n)     prefetch n bytes from p + a (simd_common.h's span helpers).
// Each 32-byte weight chunk holds 4 consecutive values of each row; the 4 matching
// activation bytes are broadcast to every lane, so one multiply-add instruction does 32
// products for 8 rows and no horizontal sum is ever needed.
//
// Integers: per row and super-block the same exact S_i and M_i as the one-row dots in
// dot_avx2_kquants.c, and the same float tail per lane (acc = fma(d * y.d, S_i, acc),
// accm = fma(-dmin * y.d, M_i, accm), out = acc + accm), so each result is bitwise that
// dot's, on either tier. int16 headroom (AVX2): Q4_K sums the 8 chunks of a sub-block in
// int16 before its scale (16 products of at most 15 * 127: 30,480); Q6_K sums 2 chunks
// (values <= 63: 32,004). Multiplies (vpdpbusd, vpmulld, vpmaddwd, float mul and FMA)
// share two pipes on Zen 4, so a scale multiply saved is a product's slot won.

#define INLINE static inline __attribute__((always_inline))

/// Bytes (2p, 2p + 1) of each lane's 4 as an int16 pair, p = 0 or 1.
static const uint8_t pair_bytes[2][32] __attribute__((aligned(32))) = {
#define L(j) 0 + j, 0x80, 1 + j, 0x80, 4 + j, 0x80, 5 + j, 0x80, 8 + j, 0x80, 9 + j, 0x80, 12 + j, 0x80, 13 + j, 0x80
    {L(0), L(0)}, {L(2), L(2)},
#undef L
};
INLINE __m256i shuf(__m256i v, const uint8_t m[32]) {
    return _mm256_shuffle_epi8(v, _mm256_load_si256((const __m256i *)m));
}
static inline const pk_block_q8_K *column(const void *x, size_t xs, int c) {
    return (const pk_block_q8_K *)((const uint8_t *)x + (size_t)c * xs);
}

INLINE __m256i bcast32(const void *p) { return _mm256_set1_epi32((int)pk_load_u32(p)); }

INLINE void store8(float *out, size_t ldo, int c, __m256 v) { _mm256_storeu_ps(out + (size_t)c * ldo, v); }

/// How far ahead of the block being read a call of nc columns prefetches (bytes).
INLINE size_t prefetch_ahead(int nc) { return nc == 1 ? X8_PREFETCH_AHEAD : X8_PREFETCH_AHEAD_COLUMNS; }

// Q4_K (five = 0) and Q5_K (five = 1, values up to 31: with int16 partial sums a
// sub-block is split in two chains of 4 chunks, 4 * 2 * 31 * 127 = 31,496 per lane, each
// scaled into int32 on its own).
INLINE void k45_x8(int five, int nc, size_t nb, const uint8_t *p, const void *x, size_t xs, float *out, size_t ldo) {
    const size_t gb = five ? 8 * sizeof(pk_block_q5_K) : 8 * sizeof(pk_block_q4_K), gq = gb / 4;
    const int chains = five && X8_CHAINS < 2 ? 2 : X8_CHAINS;
    const size_t ahead = prefetch_ahead(nc);
    const __m256i one = _mm256_set1_epi8(1);
    const __m256i m4 = _mm256_set1_epi8(0x0F);
    const __m256i k1 = _mm256_set1_epi32(0x3f3f3f3f), k2 = _mm256_set1_epi32(0x0f0f0f0f),
                  k3 = _mm256_set1_epi32(0x03030303);
    __m256 acc[4], accm[4];
    for (int c = 0; c < nc; ++c) acc[c] = accm[c] = _mm256_setzero_ps();
    for (size_t i = 0; i < nb; ++i, p += gb) {
        const __m256 d8 = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)p));
        const __m256 dm8 = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(p + 16)));
        const __m256i u0 = _mm256_loadu_si256((const __m256i *)(p + 32));
        const __m256i u1 = _mm256_loadu_si256((const __m256i *)(p + 64));
        const __m256i u2 = _mm256_loadu_si256((const __m256i *)(p + 96));
        // Each lane's 8 scales and 8 mins as bytes (pk_scales_k4_16, 8 rows at once).
        const __m256i sc[2] = {
            _mm256_and_si256(u0, k1),
            _mm256_or_si256(_mm256_and_si256(u2, k2), _mm256_slli_epi32(_mm256_and_si256(_mm256_srli_epi32(u0, 6), k3), 4)),
        };
        const __m256i mn[2] = {
            _mm256_and_si256(u1, k1),
            _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi32(u2, 4), k2),
                            _mm256_slli_epi32(_mm256_and_si256(_mm256_srli_epi32(u1, 6), k3), 4)),
        };
        // M_i = sum_s m[s] * (sum of sub-block s): min pairs (m[2t], m[2t+1]) against the
        // column's sub-block sum pairs.
        __m256i S[4], M[4];
        for (int c = 0; c < nc; ++c) {
            const pk_block_q8_K *b = column(x, xs, c) + i;
            __m128i ys = _mm_hadd_epi16(_mm_loadu_si128((const __m128i *)b->bsums),
                                        _mm_loadu_si128((const __m128i *)(b->bsums + 8)));
            int32_t yp[4];
            _mm_storeu_si128((__m128i *)yp, ys);  // (sum 2t, sum 2t + 1) as int16 pairs
            __m256i m = _mm256_setzero_si256();
            for (int t = 0; t < 4; ++t)
                m = _mm256_add_epi32(m, _mm256_madd_epi16(shuf(mn[t >> 1], pair_bytes[t & 1]), _mm256_set1_epi32(yp[t])));
            M[c] = m;
            S[c] = _mm256_setzero_si256();
        }
        const uint8_t *q = p + (five ? 384 : 128);
        for (int g = 0; g < 4; ++g) {
            // The block `ahead` bytes on, a quarter per group: 18 prefetches at once
            // overflowed the miss buffers (measured: slower than none).
            X8_PREFETCH(p + gq * g, ahead, gq);
            // `chains` independent partial sums per column and half, chunk k in chain
            // k % chains, added at the end: a multiply-accumulate instruction (vpdpbusd)
            // waits for its accumulator, so one chain of 8 runs at its latency.
            __m256i lo[4][2], hi[4][2];
            for (int c = 0; c < nc; ++c)
                for (int u = 0; u < chains; ++u) lo[c][u] = hi[c][u] = _mm256_setzero_si256();
            // Unrolled in full so that every lo/hi index is a constant: otherwise, with 4
            // columns, the accumulators are indexed by k % chains at run time and live on
            // the stack (a load and a store around every multiply-add: 4x slower).
#pragma clang loop unroll(full)
            for (int k = 0; k < 8; ++k) {
                __m256i v = _mm256_loadu_si256((const __m256i *)(q + 32 * (8 * g + k)));
                __m256i a = _mm256_and_si256(v, m4), h = _mm256_and_si256(_mm256_srli_epi16(v, 4), m4);
                if (five) {  // fifth bits: bits 2g and 2g + 1 of the qh chunk k
                    __m256i hk = _mm256_loadu_si256((const __m256i *)(p + 128 + 32 * k));
                    a = _mm256_or_si256(a, _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hk, 2 * g), one), 4));
                    h = _mm256_or_si256(h, _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hk, 2 * g + 1), one), 4));
                }
                for (int c = 0; c < nc; ++c) {
                    const int8_t *y = column(x, xs, c)[i].qs + 64 * g + 4 * k;
                    lo[c][k % chains] = X8_ACC(lo[c][k % chains], a, bcast32(y));
                    hi[c][k % chains] = X8_ACC(hi[c][k % chains], h, bcast32(y + 32));
                }
            }
            // Sub-blocks 2g and 2g + 1: bytes (2g) % 4 and (2g + 1) % 4 of sc[g / 2].
            __m256i sa = X8_BYTE_SCALE(sc[g >> 1], (2 * g) & 3), sb = X8_BYTE_SCALE(sc[g >> 1], (2 * g + 1) & 3);
            // int32 partial sums are added before their scale; int16 ones each take it:
            // two Q5_K chains added in int16 could reach 62,992.
            for (int c = 0; c < nc; ++c) {
                for (int u = 1; u < chains && !X8_INT16; ++u) {
                    lo[c][0] = _mm256_add_epi32(lo[c][0], lo[c][u]);
                    hi[c][0] = _mm256_add_epi32(hi[c][0], hi[c][u]);
                }
                for (int u = 0; u < (X8_INT16 ? chains : 1); ++u)
                    S[c] = _mm256_add_epi32(S[c], _mm256_add_epi32(X8_MUL(lo[c][u], sa), X8_MUL(hi[c][u], sb)));
            }
        }
        const __m256 ndm8 = _mm256_xor_ps(dm8, _mm256_set1_ps(-0.0f));
        for (int c = 0; c < nc; ++c) {
            __m256 dy = _mm256_set1_ps(column(x, xs, c)[i].d);
            acc[c] = _mm256_fmadd_ps(_mm256_mul_ps(d8, dy), _mm256_cvtepi32_ps(S[c]), acc[c]);
            accm[c] = _mm256_fmadd_ps(_mm256_mul_ps(ndm8, dy), _mm256_cvtepi32_ps(M[c]), accm[c]);
        }
    }
    for (int c = 0; c < nc; ++c) store8(out, ldo, c, _mm256_add_ps(acc[c], accm[c]));
}

// Q6_K: S_i = sum_j sc[j] * (q . y)_j - 32 * sum_j sc[j] * bsums[j], q unsigned 0 ... 63.
INLINE void q6k_x8(int nc, size_t nb, const uint8_t *p, const void *x, size_t xs, float *out, size_t ldo) {
    const __m256i m6 = _mm256_set1_epi8(0x3F), m2a = _mm256_set1_epi8(0x03), m2b = _mm256_set1_epi8(0x0C),
                  m2c = _mm256_set1_epi8(0x30);
    const size_t ahead = prefetch_ahead(nc);
    __m256 acc[4];
    for (int c = 0; c < nc; ++c) acc[c] = _mm256_setzero_ps();
    for (size_t i = 0; i < nb; ++i, p += 8 * sizeof(pk_block_q6_K)) {
        const __m256 d8 = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)p));
        // Pair t: each lane's (sc[2t], sc[2t+1]) as int16.
        __m256i sp[8];
        for (int t = 0; t < 8; ++t) sp[t] = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(p + 16 + 16 * t)));
        __m256i S[4];
        for (int c = 0; c < nc; ++c) {
            const int16_t *bs = column(x, xs, c)[i].bsums;
            __m256i corr = _mm256_setzero_si256();
            for (int t = 0; t < 8; ++t) corr = _mm256_add_epi32(corr, _mm256_madd_epi16(sp[t], bcast32(bs + 2 * t)));
            S[c] = _mm256_sub_epi32(_mm256_setzero_si256(), _mm256_slli_epi32(corr, 5));
        }
        for (int h = 0; h < 2; ++h) {
            // Value 32m + 4k + e of this half (m, e < 4, k < 8) is in sub-block 8h + 2m + k / 4:
            // X8_Q6_RUN chunks k (2 or 4, within one sub-block) are summed before its scale.
#pragma clang loop unroll(full)
            for (int k = 0; k < 8; k += X8_Q6_RUN) {
                __m256i v[X8_Q6_RUN][4];
                for (int u = 0; u < X8_Q6_RUN; ++u) {  // chunks s0, s1, s2 of (h, k + u): x8.c
                    if (!(u & 1)) X8_PREFETCH(p + 210 * (4 * h + (k + u) / 2), ahead, 210);  // an eighth of the block ahead
                    const uint8_t *ch = p + 144 + 96 * (8 * h + k + u);
                    __m256i s0 = _mm256_loadu_si256((const __m256i *)ch);
                    __m256i s1 = _mm256_loadu_si256((const __m256i *)(ch + 32));
                    __m256i s2 = _mm256_loadu_si256((const __m256i *)(ch + 64));
                    v[u][0] = _mm256_and_si256(s0, m6);
                    v[u][1] = _mm256_and_si256(s1, m6);
                    v[u][2] = _mm256_and_si256(s2, m6);
                    v[u][3] = _mm256_or_si256(_mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(s0, 6), m2a),
                                                              _mm256_and_si256(_mm256_srli_epi16(s1, 4), m2b)),
                                              _mm256_and_si256(_mm256_srli_epi16(s2, 2), m2c));
                }
#pragma clang loop unroll(full)
                for (int m = 0; m < 4; ++m) {
                    int j = 8 * h + 2 * m + k / 4;  // the sub-block of the run's chunks
                    __m256i s = X8_WORD_SCALE(sp[j >> 1], j & 1);
                    for (int c = 0; c < nc; ++c) {
                        const int8_t *y = column(x, xs, c)[i].qs + 128 * h + 32 * m + 4 * k;
                        __m256i t = _mm256_setzero_si256();
                        for (int u = 0; u < X8_Q6_RUN; ++u) t = X8_ACC(t, v[u][m], bcast32(y + 4 * u));
                        S[c] = _mm256_add_epi32(S[c], X8_MUL(t, s));
                    }
                }
            }
        }
        for (int c = 0; c < nc; ++c) {
            __m256 dy = _mm256_set1_ps(column(x, xs, c)[i].d);
            acc[c] = _mm256_fmadd_ps(_mm256_mul_ps(d8, dy), _mm256_cvtepi32_ps(S[c]), acc[c]);
        }
    }
    for (int c = 0; c < nc; ++c) store8(out, ldo, c, acc[c]);
}

static void gemv8_q4_K(size_t nb, const void *p, const void *x, size_t xs, int nc, float *out, size_t ldo) {
    switch (nc) {
    case 1: k45_x8(0, 1, nb, p, x, xs, out, ldo); break;
    case 2: k45_x8(0, 2, nb, p, x, xs, out, ldo); break;
    case 3: k45_x8(0, 3, nb, p, x, xs, out, ldo); break;
    default: k45_x8(0, 4, nb, p, x, xs, out, ldo); break;
    }
}
static void gemv8_q5_K(size_t nb, const void *p, const void *x, size_t xs, int nc, float *out, size_t ldo) {
    switch (nc) {
    case 1: k45_x8(1, 1, nb, p, x, xs, out, ldo); break;
    case 2: k45_x8(1, 2, nb, p, x, xs, out, ldo); break;
    case 3: k45_x8(1, 3, nb, p, x, xs, out, ldo); break;
    default: k45_x8(1, 4, nb, p, x, xs, out, ldo); break;
    }
}
static void gemv8_q6_K(size_t nb, const void *p, const void *x, size_t xs, int nc, float *out, size_t ldo) {
    switch (nc) {
    case 1: q6k_x8(1, nb, p, x, xs, out, ldo); break;
    case 2: q6k_x8(2, nb, p, x, xs, out, ldo); break;
    case 3: q6k_x8(3, nb, p, x, xs, out, ldo); break;
    default: q6k_x8(4, nb, p, x, xs, out, ldo); break;
    }
}

#undef INLINE
