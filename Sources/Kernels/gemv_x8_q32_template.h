// Shared body of the x8 kernels of the 32-block types (layout in x8.c) and of the one-row
// dots in their float order, for one SIMD tier. Included by gemv_x8_q32_avx2.c and
// gemv_x8_q32_avx512.c inside their target pragma, after they define
//   Q32_SUM(init, w, yq)  init + the exact block sums of 8 rows, one per int32 lane: w[k]
//                         chunk k of the rows' unsigned values (4 per lane), yq the
//                         column's 32 int8 activations;
//   Q32_DOT(q, y)         the 32 products of one row's unsigned bytes q and int8 y summed
//                         into 8 int32 lanes (exact);
//   X8Q_Q80               1 where the tier has Q8_0's x8 kernel, with
//   Q80_SIGNED            0: Q80_SUM(init, w, ws, yq) is Q32_SUM on the stored chunks w
//                         (the weights biased to 0 ... 255), init holding the bias term;
//                         1: Q80_SUM(init, w, ws, yq) sums |q| . (y with q's signs) from
//                         w = |q| and ws = q, the weights' signed values (init 0).
//
// The order, per row and column: for each block b in turn, the exact integer
// B = sum over the block of q * y (Q4_0: (q - 8) * y; Q8_0: w * y), then
//   acc = fma(d * dy[b], (float)B, acc)                    (|B| < 2^24: exact as a float)
// and for Q4_1 also accm = fma(m, s[b], accm), the result acc + accm (else acc); acc and
// accm start at 0. dy, s and ncorr are the activations' side arrays (kernels_internal.h).
//
// A lane of the x8 kernel does exactly that for its row. The plain layout's one-row dot
// needs a horizontal sum per block for B, where the x8 kernel needs none: the x8 kernel
// spends its instructions on products and shares the rest among 8 rows. Measured on one
// Zen 4 core from cache (AVX-512), ns per row and block, against the per-lane dots of
// dot32_template.h:
//            one column          four columns
//   Q4_1     0.33 (dot: 1.39)    0.86 (dot4: 2.85)
//   Q8_0     0.49 (dot: 1.07)    0.98 (dot4: 2.65)
// The plain one-row dots serve matrices not (yet) packed.

#define INLINE static inline __attribute__((always_inline))

enum { Q40, Q41, Q80 };

/// Group block bytes of each kind (x8.c).
#define GB(kind) ((kind) == Q80 ? 8 * sizeof(pk_block_q8_0) : (kind) == Q41 ? 8 * sizeof(pk_block_q4_1) : 8 * sizeof(pk_block_q4_0))

// nc (1 ... 4) columns of nb blocks, xs bytes apart, against one group of 8 rows at p:
// out[c * ldo + r] for row r of the group.
INLINE void q32_x8(int kind, int nc, size_t nb, const uint8_t *p, const void *x, size_t xs, float *out, size_t ldo) {
    const size_t gb = GB(kind);
    const __m256i m4 = _mm256_set1_epi8(0x0F);
    const pk_block_q8_0 *y[4];
    const float *dy[4], *s[4];
    const int32_t *nco[4];
    __m256 acc[4], accm[4];
    for (int c = 0; c < nc; ++c) {
        const uint8_t *xc = (const uint8_t *)x + (size_t)c * xs;
        y[c] = (const pk_block_q8_0 *)xc;
        dy[c] = pk_q8_dy(xc, nb), s[c] = pk_q8_s(xc, nb), nco[c] = pk_q8_ncorr(xc, nb);
        acc[c] = accm[c] = _mm256_setzero_ps();
    }
    for (size_t b = 0; b < nb; ++b, p += gb) {
        pk_prefetch_span_at(p, PK_PREFETCH_AHEAD, gb);
        const __m256 d8 = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)p));
        const __m256 m8 = kind == Q41 ? _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(p + 16))) : _mm256_setzero_ps();
        // w[k]: chunk k's bytes of the 8 rows (values 4k .. 4k + 3 of each), unsigned.
        __m256i w[8], ws[8];
        if (kind == Q80) {
            for (int k = 0; k < 8; ++k) w[k] = _mm256_loadu_si256((const __m256i *)(p + 16 + 32 * k));
            if (Q80_SIGNED)  // the signed values and their magnitudes, shared by the columns
                for (int k = 0; k < 8; ++k) ws[k] = _mm256_xor_si256(w[k], _mm256_set1_epi8((char)0x80)), w[k] = _mm256_abs_epi8(ws[k]);
        } else {
            const uint8_t *q = p + (kind == Q41 ? 32 : 16);
            for (int k = 0; k < 4; ++k) {
                __m256i v = _mm256_loadu_si256((const __m256i *)(q + 32 * k));
                w[k] = _mm256_and_si256(v, m4);
                w[k + 4] = _mm256_and_si256(_mm256_srli_epi16(v, 4), m4);
            }
        }
        for (int c = 0; c < nc; ++c) {
            const int8_t *yq = y[c][b].qs;
            // B: the bias term (Q8_0 biased: -128 sum y; Q4_0: -8 sum y) plus the products.
            const __m256i init = kind == Q41 || (kind == Q80 && Q80_SIGNED) ? _mm256_setzero_si256()
                               : kind == Q80 ? _mm256_set1_epi32(nco[c][b]) : _mm256_set1_epi32(nco[c][b] >> 4);
            const __m256i B = kind == Q80 ? Q80_SUM(init, w, ws, yq) : Q32_SUM(init, w, yq);
            acc[c] = _mm256_fmadd_ps(_mm256_mul_ps(d8, _mm256_broadcast_ss(dy[c] + b)), _mm256_cvtepi32_ps(B), acc[c]);
            if (kind == Q41) accm[c] = _mm256_fmadd_ps(m8, _mm256_broadcast_ss(s[c] + b), accm[c]);
        }
    }
    for (int c = 0; c < nc; ++c)
        _mm256_storeu_ps(out + (size_t)c * ldo, kind == Q41 ? _mm256_add_ps(acc[c], accm[c]) : acc[c]);
}

#define GEMV8(name, kind)                                                                          \
    static void name(size_t nb, const void *p, const void *x, size_t xs, int nc, float *out, size_t ldo) { \
        switch (nc) {                                                                              \
        case 1: q32_x8(kind, 1, nb, p, x, xs, out, ldo); break;                                    \
        case 2: q32_x8(kind, 2, nb, p, x, xs, out, ldo); break;                                    \
        case 3: q32_x8(kind, 3, nb, p, x, xs, out, ldo); break;                                    \
        default: q32_x8(kind, 4, nb, p, x, xs, out, ldo); break;                                   \
        }                                                                                          \
    }
GEMV8(gemv8_q4_0, Q40)
GEMV8(gemv8_q4_1, Q41)
#if X8Q_Q80
GEMV8(gemv8_q8_0, Q80)
#endif
#undef GEMV8

// ---- One-row dots over the plain layout, in the same order ---------------------------

INLINE __m256i y32(const pk_block_q8_0 *b) { return _mm256_loadu_si256((const __m256i *)b->qs); }

static float dot_q4_0(size_t n, const void *w, const void *x) {
    const pk_block_q4_0 *a = w;
    const pk_block_q8_0 *yb = x;
    const size_t nb = n / QK;
    const float *dy = pk_q8_dy(x, nb);
    const int32_t *nco = pk_q8_ncorr(x, nb);
    float acc = 0;
    for (size_t b = 0; b < nb; ++b) {
        if ((b & 1) == 0) pk_prefetch_span(&a[b], 2 * sizeof a[b]);
        int32_t B = pk_hsum_epi32_256(Q32_DOT(pk_nibbles32(a[b].qs), y32(&yb[b]))) + (nco[b] >> 4);
        acc = pk_fmaf(pk_fp16_to_fp32(a[b].d) * dy[b], (float)B, acc);
    }
    return acc;
}

static float dot_q4_1(size_t n, const void *w, const void *x) {
    const pk_block_q4_1 *a = w;
    const pk_block_q8_0 *yb = x;
    const size_t nb = n / QK;
    const float *dy = pk_q8_dy(x, nb), *s = pk_q8_s(x, nb);
    float acc = 0, accm = 0;
    for (size_t b = 0; b < nb; ++b) {
        if ((b & 1) == 0) pk_prefetch_span(&a[b], 2 * sizeof a[b]);
        int32_t B = pk_hsum_epi32_256(Q32_DOT(pk_nibbles32(a[b].qs), y32(&yb[b])));
        acc = pk_fmaf(pk_fp16_to_fp32(a[b].d) * dy[b], (float)B, acc);
        accm = pk_fmaf(pk_fp16_to_fp32(a[b].m), s[b], accm);
    }
    return acc + accm;
}

#if X8Q_Q80
static float dot_q8_0(size_t n, const void *w, const void *x) {
    const pk_block_q8_0 *a = w, *yb = x;
    const size_t nb = n / QK;
    const float *dy = pk_q8_dy(x, nb);
    float acc = 0;
    for (size_t b = 0; b < nb; ++b) {
        if ((b & 1) == 0) pk_prefetch_span(&a[b], 2 * sizeof a[b]);
        __m256i q = y32(&a[b]);  // |w| . (y with w's signs): |y| <= 127 keeps it exact
        int32_t B = pk_hsum_epi32_256(Q32_DOT(_mm256_abs_epi8(q), _mm256_sign_epi8(y32(&yb[b]), q)));
        acc = pk_fmaf(pk_fp16_to_fp32(a[b].d) * dy[b], (float)B, acc);
    }
    return acc;
}
#endif

#undef INLINE
#undef Q32_SUM
#undef Q32_DOT
#undef X8Q_Q80
#undef Q80_SUM
#undef Q80_SIGNED
