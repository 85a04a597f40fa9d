// Shared body of the 32-block dot products (Q4_0, Q4_1, Q5_0, Q5_1, Q8_0 weights x Q8_0
// activations) of one SIMD tier. Included by dot_avx2.c and dot_avx512.c inside their
// target pragma, after they define
//   DOTQ(a, b)       u8 x s8 -> 8 int32 lanes, each the sum of 4 products (exact here),
//   SUBQ(q, c, y)    q.y - c.y in 8 int32 lanes (c a constant vector),
//   BIT5(qh)         the 32 fifth bits as 0x10 / 0x00 bytes,
//   PREFETCH(p, n)   a prefetch hint for the n weight bytes at p + PK_PREFETCH_AHEAD
//                    (or nothing).
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

// Column side: b the activation block, dy and s its entries in the activations' side
// arrays (kernels_internal.h). Each adds the block's (q - c) . y * d * dy to acc in 8 lanes
// (one FMA on the product of the scales) and returns it; the min types add m * s to *am
// in every lane (lane 0 counts), an accumulator of its own so that the block's chain
// stays one FMA long.
// (q - c) . y * d * dy
static inline __m256 col_off8(__m256 acc, __m256 *am, pk_w32 w, const pk_block_q8_0 *b, const float *dy, const float *s) {
    (void)am, (void)s;
    __m256i y = y32(b);
    return _mm256_fmadd_ps(_mm256_mul_ps(w.d, _mm256_broadcast_ss(dy)), _mm256_cvtepi32_ps(SUBQ(w.q, _mm256_set1_epi8(8), y)), acc);
}
static inline __m256 col_off16(__m256 acc, __m256 *am, pk_w32 w, const pk_block_q8_0 *b, const float *dy, const float *s) {
    (void)am, (void)s;
    __m256i y = y32(b);
    return _mm256_fmadd_ps(_mm256_mul_ps(w.d, _mm256_broadcast_ss(dy)), _mm256_cvtepi32_ps(SUBQ(w.q, _mm256_set1_epi8(16), y)), acc);
}
// q . y * d * dy, and m * s (s = dy * sum(y) precomputed) into *am
static inline __m256 col_min(__m256 acc, __m256 *am, pk_w32 w, const pk_block_q8_0 *b, const float *dy, const float *s) {
    __m256i y = y32(b);
    *am = _mm256_fmadd_ps(w.m, _mm256_broadcast_ss(s), *am);
    return _mm256_fmadd_ps(_mm256_mul_ps(w.d, _mm256_broadcast_ss(dy)), _mm256_cvtepi32_ps(DOTQ(w.q, y)), acc);
}
// |q| . (y with q's signs) * d * dy (|y| <= 127 keeps the u8 x s8 products exact)
static inline __m256 col_q8(__m256 acc, __m256 *am, pk_w32 w, const pk_block_q8_0 *b, const float *dy, const float *s) {
    (void)am, (void)s;
    __m256i y = y32(b);
    return _mm256_fmadd_ps(_mm256_mul_ps(w.d, _mm256_broadcast_ss(dy)), _mm256_cvtepi32_ps(DOTQ(w.q, _mm256_sign_epi8(y, w.s))), acc);
}

/// The row's value from its accumulators: the block sums (even + odd), plus lane 0 of
/// the min terms for the min types.
static inline float pk_dot32_total(__m256 e, __m256 o, __m256 me, __m256 mo, int has_min) {
    float t = pk_hsum_ps256(_mm256_add_ps(e, o));
    return has_min ? t + _mm256_cvtss_f32(_mm256_add_ps(me, mo)) : t;
}

// Blocks alternate between two accumulators (even, odd) so consecutive blocks do not
// wait on one add chain; the tail block (odd count) goes to the even one.
#define PK_DOT32(name, name4, WT, PREP, COL, HAS_MIN)                                      \
    static float name(size_t n, const void *w, const void *x) {                            \
        const WT *a = w;                                                                   \
        const pk_block_q8_0 *b = x;                                                        \
        size_t nb = n / QK, i = 0;                                                         \
        const float *dy = pk_q8_dy(x, nb), *s = pk_q8_s(x, nb);                            \
        __m256 e = _mm256_setzero_ps(), o = e, me = e, mo = e;                             \
        for (; i + 2 <= nb; i += 2) {                                                      \
            PREFETCH(&a[i], 2 * sizeof(WT));                                               \
            e = COL(e, &me, PREP(&a[i]), &b[i], &dy[i], &s[i]);                            \
            o = COL(o, &mo, PREP(&a[i + 1]), &b[i + 1], &dy[i + 1], &s[i + 1]);            \
        }                                                                                  \
        if (i < nb) e = COL(e, &me, PREP(&a[i]), &b[i], &dy[i], &s[i]);                    \
        return pk_dot32_total(e, o, me, mo, HAS_MIN);                                      \
    }                                                                                      \
    static void name4(size_t n, const void *w, const void *x, size_t xs, float *out) {     \
        const WT *a = w;                                                                   \
        size_t nb = n / QK, i = 0;                                                         \
        const pk_block_q8_0 *b[4];                                                         \
        const float *dy[4], *s[4];                                                         \
        for (int c = 0; c < 4; ++c) {                                                      \
            const void *xc = (const uint8_t *)x + (size_t)c * xs;                          \
            b[c] = xc;                                                                     \
            dy[c] = pk_q8_dy(xc, nb);                                                      \
            s[c] = pk_q8_s(xc, nb);                                                        \
        }                                                                                  \
        __m256 e[4], o[4], me[4], mo[4];                                                   \
        for (int c = 0; c < 4; ++c) e[c] = o[c] = me[c] = mo[c] = _mm256_setzero_ps();     \
        for (; i + 2 <= nb; i += 2) {                                                      \
            pk_w32 p = PREP(&a[i]), r = PREP(&a[i + 1]);                                   \
            for (int c = 0; c < 4; ++c) {                                                  \
                e[c] = COL(e[c], &me[c], p, &b[c][i], &dy[c][i], &s[c][i]);                \
                o[c] = COL(o[c], &mo[c], r, &b[c][i + 1], &dy[c][i + 1], &s[c][i + 1]);    \
            }                                                                              \
        }                                                                                  \
        if (i < nb) {                                                                      \
            pk_w32 p = PREP(&a[i]);                                                        \
            for (int c = 0; c < 4; ++c) e[c] = COL(e[c], &me[c], p, &b[c][i], &dy[c][i], &s[c][i]); \
        }                                                                                  \
        for (int c = 0; c < 4; ++c) out[c] = pk_dot32_total(e[c], o[c], me[c], mo[c], HAS_MIN); \
    }

PK_DOT32(dot_q4_0, dot4_q4_0, pk_block_q4_0, prep_q4_0, col_off8, 0)
PK_DOT32(dot_q4_1, dot4_q4_1, pk_block_q4_1, prep_q4_1, col_min, 1)
PK_DOT32(dot_q5_0, dot4_q5_0, pk_block_q5_0, prep_q5_0, col_off16, 0)
PK_DOT32(dot_q5_1, dot4_q5_1, pk_block_q5_1, prep_q5_1, col_min, 1)
PK_DOT32(dot_q8_0, dot4_q8_0, pk_block_q8_0, prep_q8_0, col_q8, 0)

#undef PK_DOT32
