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
// arrays (kernels_internal.h). Each returns the block's contribution in 8 lanes.
// (q - c) . y * d * dy
static inline __m256 col_off8(pk_w32 w, const pk_block_q8_0 *b, const float *dy, const float *s) {
    (void)s;
    __m256i y = y32(b);
    return _mm256_mul_ps(_mm256_mul_ps(w.d, _mm256_broadcast_ss(dy)), _mm256_cvtepi32_ps(SUBQ(w.q, _mm256_set1_epi8(8), y)));
}
static inline __m256 col_off16(pk_w32 w, const pk_block_q8_0 *b, const float *dy, const float *s) {
    (void)s;
    __m256i y = y32(b);
    return _mm256_mul_ps(_mm256_mul_ps(w.d, _mm256_broadcast_ss(dy)), _mm256_cvtepi32_ps(SUBQ(w.q, _mm256_set1_epi8(16), y)));
}
// q . y * d * dy + m * s (the min term in lane 0; s = dy * sum(y) precomputed)
static inline __m256 col_min(pk_w32 w, const pk_block_q8_0 *b, const float *dy, const float *s) {
    __m256i y = y32(b);
    // Vector ops only: a scalar half conversion here compiles to a vpinsrw merging into
    // a live register (an accumulator), which serializes the two accumulator chains.
    __m256 ms = _mm256_blend_ps(_mm256_setzero_ps(), _mm256_mul_ps(w.m, _mm256_broadcast_ss(s)), 1);
    return _mm256_fmadd_ps(_mm256_mul_ps(w.d, _mm256_broadcast_ss(dy)), _mm256_cvtepi32_ps(DOTQ(w.q, y)), ms);
}
// |q| . (y with q's signs) * d * dy (|y| <= 127 keeps the u8 x s8 products exact)
static inline __m256 col_q8(pk_w32 w, const pk_block_q8_0 *b, const float *dy, const float *s) {
    (void)s;
    __m256i y = y32(b);
    return _mm256_mul_ps(_mm256_mul_ps(w.d, _mm256_broadcast_ss(dy)), _mm256_cvtepi32_ps(DOTQ(w.q, _mm256_sign_epi8(y, w.s))));
}

// Blocks alternate between two accumulators (even, odd) so consecutive blocks do not
// wait on one add chain; the tail block (odd count) goes to the even one.
#define PK_DOT32(name, name4, WT, PREP, COL)                                               \
    static float name(size_t n, const void *w, const void *x) {                            \
        const WT *a = w;                                                                   \
        const pk_block_q8_0 *b = x;                                                        \
        size_t nb = n / QK, i = 0;                                                         \
        const float *dy = pk_q8_dy(x, nb), *s = pk_q8_s(x, nb);                            \
        __m256 e = _mm256_setzero_ps(), o = _mm256_setzero_ps();                           \
        for (; i + 2 <= nb; i += 2) {                                                      \
            PREFETCH(&a[i], 2 * sizeof(WT));                                               \
            e = _mm256_add_ps(e, COL(PREP(&a[i]), &b[i], &dy[i], &s[i]));                  \
            o = _mm256_add_ps(o, COL(PREP(&a[i + 1]), &b[i + 1], &dy[i + 1], &s[i + 1]));  \
        }                                                                                  \
        if (i < nb) e = _mm256_add_ps(e, COL(PREP(&a[i]), &b[i], &dy[i], &s[i]));          \
        return pk_hsum_ps256(_mm256_add_ps(e, o));                                         \
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
        __m256 e[4], o[4];                                                                 \
        for (int c = 0; c < 4; ++c) e[c] = o[c] = _mm256_setzero_ps();                     \
        for (; i + 2 <= nb; i += 2) {                                                      \
            pk_w32 p = PREP(&a[i]), r = PREP(&a[i + 1]);                                   \
            for (int c = 0; c < 4; ++c) {                                                  \
                e[c] = _mm256_add_ps(e[c], COL(p, &b[c][i], &dy[c][i], &s[c][i]));         \
                o[c] = _mm256_add_ps(o[c], COL(r, &b[c][i + 1], &dy[c][i + 1], &s[c][i + 1])); \
            }                                                                              \
        }                                                                                  \
        if (i < nb) {                                                                      \
            pk_w32 p = PREP(&a[i]);                                                        \
            for (int c = 0; c < 4; ++c) e[c] = _mm256_add_ps(e[c], COL(p, &b[c][i], &dy[c][i], &s[c][i])); \
        }                                                                                  \
        for (int c = 0; c < 4; ++c) out[c] = pk_hsum_ps256(_mm256_add_ps(e[c], o[c]));     \
    }

PK_DOT32(dot_q4_0, dot4_q4_0, pk_block_q4_0, prep_q4_0, col_off8)
PK_DOT32(dot_q4_1, dot4_q4_1, pk_block_q4_1, prep_q4_1, col_min)
PK_DOT32(dot_q5_0, dot4_q5_0, pk_block_q5_0, prep_q5_0, col_off16)
PK_DOT32(dot_q5_1, dot4_q5_1, pk_block_q5_1, prep_q5_1, col_min)
PK_DOT32(dot_q8_0, dot4_q8_0, pk_block_q8_0, prep_q8_0, col_q8)

#undef PK_DOT32
