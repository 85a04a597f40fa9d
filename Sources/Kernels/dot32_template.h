// Shared body of the 32-block dot products (Q4_0, Q4_1, Q5_0, Q5_1, Q8_0 weights x Q8_0
// activations) of one SIMD tier. Included by dot_avx2.c and dot_avx512.c inside their
// target pragma, after they define
//   DOTQ(a, b)       u8 x s8 -> 8 int32 lanes, each the sum of 4 products (exact here),
//   SUBQ(q, c, y)    q.y - c.y in 8 int32 lanes (c a constant vector),
//   BIT5(qh)         the 32 fifth bits as 0x10 / 0x00 bytes.
// The weight side (prep_*) is split from the activation side (col_*): the four-column
// variant decodes each weight block once for four activation rows, and one column of it
// performs exactly the float operations of the one-column dot, in the same order, so
// pk_matmul and pk_matvec agree bit for bit.

/// One decoded weight block: q the 32 values as bytes (unsigned, or |q| for Q8_0 with
/// the signs in s), d and m the block scale and min in all 8 lanes.
typedef struct { __m256i q, s; __m256 d, m; } pk_w32;

static inline __m256 h8(uint16_t h) { return _mm256_cvtph_ps(_mm_set1_epi16((short)h)); }
static inline __m256i y32(const pk_block_q8_0 *b) { return _mm256_loadu_si256((const __m256i *)b->qs); }

static inline pk_w32 prep_q4_0(const pk_block_q4_0 *a) {
    return (pk_w32){ pk_nibbles32(a->qs), _mm256_setzero_si256(), h8(a->d), _mm256_setzero_ps() };
}
static inline pk_w32 prep_q4_1(const pk_block_q4_1 *a) {
    return (pk_w32){ pk_nibbles32(a->qs), _mm256_setzero_si256(), h8(a->d), h8(a->m) };
}
static inline pk_w32 prep_q5_0(const pk_block_q5_0 *a) {
    return (pk_w32){ _mm256_or_si256(pk_nibbles32(a->qs), BIT5(a->qh)), _mm256_setzero_si256(), h8(a->d),
                     _mm256_setzero_ps() };
}
static inline pk_w32 prep_q5_1(const pk_block_q5_1 *a) {
    return (pk_w32){ _mm256_or_si256(pk_nibbles32(a->qs), BIT5(a->qh)), _mm256_setzero_si256(), h8(a->d), h8(a->m) };
}
static inline pk_w32 prep_q8_0(const pk_block_q8_0 *a) {
    __m256i q = y32(a);
    return (pk_w32){ _mm256_abs_epi8(q), q, h8(a->d), _mm256_setzero_ps() };
}

// (q - c) . y * d * dy
static inline __m256 col_off8(pk_w32 w, const pk_block_q8_0 *b) {
    __m256i y = y32(b);
    return _mm256_mul_ps(_mm256_mul_ps(w.d, h8(b->d)), _mm256_cvtepi32_ps(SUBQ(w.q, _mm256_set1_epi8(8), y)));
}
static inline __m256 col_off16(pk_w32 w, const pk_block_q8_0 *b) {
    __m256i y = y32(b);
    return _mm256_mul_ps(_mm256_mul_ps(w.d, h8(b->d)), _mm256_cvtepi32_ps(SUBQ(w.q, _mm256_set1_epi8(16), y)));
}
// q . y * d * dy + sum(y) * m * dy
static inline __m256 col_min(pk_w32 w, const pk_block_q8_0 *b) {
    __m256i y = y32(b);
    __m256 dy = h8(b->d);
    __m256 ys = _mm256_cvtepi32_ps(DOTQ(_mm256_set1_epi8(1), y));
    return _mm256_fmadd_ps(_mm256_mul_ps(w.d, dy), _mm256_cvtepi32_ps(DOTQ(w.q, y)), _mm256_mul_ps(_mm256_mul_ps(w.m, dy), ys));
}
// |q| . (y with q's signs) * d * dy (|y| <= 127 keeps the u8 x s8 products exact)
static inline __m256 col_q8(pk_w32 w, const pk_block_q8_0 *b) {
    __m256i y = y32(b);
    return _mm256_mul_ps(_mm256_mul_ps(w.d, h8(b->d)), _mm256_cvtepi32_ps(DOTQ(w.q, _mm256_sign_epi8(y, w.s))));
}

// Blocks alternate between two accumulators (even, odd) so consecutive blocks do not
// wait on one add chain; the tail block (odd count) goes to the even one.
#define PK_DOT32(name, name4, WT, PREP, COL)                                               \
    static float name(size_t n, const void *w, const void *x) {                            \
        const WT *a = w;                                                                   \
        const pk_block_q8_0 *b = x;                                                        \
        size_t nb = n / QK, i = 0;                                                         \
        __m256 e = _mm256_setzero_ps(), o = _mm256_setzero_ps();                           \
        for (; i + 2 <= nb; i += 2) {                                                      \
            e = _mm256_add_ps(e, COL(PREP(&a[i]), &b[i]));                                 \
            o = _mm256_add_ps(o, COL(PREP(&a[i + 1]), &b[i + 1]));                         \
        }                                                                                  \
        if (i < nb) e = _mm256_add_ps(e, COL(PREP(&a[i]), &b[i]));                         \
        return pk_hsum_ps256(_mm256_add_ps(e, o));                                         \
    }                                                                                      \
    static void name4(size_t n, const void *w, const void *x, size_t xs, float *out) {     \
        const WT *a = w;                                                                   \
        const pk_block_q8_0 *b0 = x, *b1 = (const void *)((const uint8_t *)x + xs),        \
                            *b2 = (const void *)((const uint8_t *)x + 2 * xs),             \
                            *b3 = (const void *)((const uint8_t *)x + 3 * xs);             \
        size_t nb = n / QK, i = 0;                                                         \
        __m256 e0 = _mm256_setzero_ps(), e1 = e0, e2 = e0, e3 = e0;                        \
        __m256 o0 = e0, o1 = e0, o2 = e0, o3 = e0;                                         \
        for (; i + 2 <= nb; i += 2) {                                                      \
            pk_w32 p = PREP(&a[i]), r = PREP(&a[i + 1]);                                   \
            e0 = _mm256_add_ps(e0, COL(p, &b0[i]));                                        \
            e1 = _mm256_add_ps(e1, COL(p, &b1[i]));                                        \
            e2 = _mm256_add_ps(e2, COL(p, &b2[i]));                                        \
            e3 = _mm256_add_ps(e3, COL(p, &b3[i]));                                        \
            o0 = _mm256_add_ps(o0, COL(r, &b0[i + 1]));                                    \
            o1 = _mm256_add_ps(o1, COL(r, &b1[i + 1]));                                    \
            o2 = _mm256_add_ps(o2, COL(r, &b2[i + 1]));                                    \
            o3 = _mm256_add_ps(o3, COL(r, &b3[i + 1]));                                    \
        }                                                                                  \
        if (i < nb) {                                                                      \
            pk_w32 p = PREP(&a[i]);                                                        \
            e0 = _mm256_add_ps(e0, COL(p, &b0[i]));                                        \
            e1 = _mm256_add_ps(e1, COL(p, &b1[i]));                                        \
            e2 = _mm256_add_ps(e2, COL(p, &b2[i]));                                        \
            e3 = _mm256_add_ps(e3, COL(p, &b3[i]));                                        \
        }                                                                                  \
        out[0] = pk_hsum_ps256(_mm256_add_ps(e0, o0));                                     \
        out[1] = pk_hsum_ps256(_mm256_add_ps(e1, o1));                                     \
        out[2] = pk_hsum_ps256(_mm256_add_ps(e2, o2));                                     \
        out[3] = pk_hsum_ps256(_mm256_add_ps(e3, o3));                                     \
    }

PK_DOT32(dot_q4_0, dot4_q4_0, pk_block_q4_0, prep_q4_0, col_off8)
PK_DOT32(dot_q4_1, dot4_q4_1, pk_block_q4_1, prep_q4_1, col_min)
PK_DOT32(dot_q5_0, dot4_q5_0, pk_block_q5_0, prep_q5_0, col_off16)
PK_DOT32(dot_q5_1, dot4_q5_1, pk_block_q5_1, prep_q5_1, col_min)
PK_DOT32(dot_q8_0, dot4_q8_0, pk_block_q8_0, prep_q8_0, col_q8)

#undef PK_DOT32
