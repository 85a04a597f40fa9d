// AVX-512 VNNI GEMM for the IQ2/IQ3 types (IQ2_XXS, IQ2_XS, IQ2_S, IQ3_XXS, IQ3_S)
// against column-interleaved Q8_K activations offset to unsigned (pk_kpack_q8_K_u), run
// by gemm.c's driver: each thread decodes a tile of weight rows once (iq_unpack) into
// int8 weights, then sweeps every group of columns over the tile.
//
// A decoded row holds per super-block PK_IQT_SB bytes:
//   [0, 256)    int8 w: value v, grid point times sign (|w| <= 62)
//   [256, 272)  uint8 f: the factor 2 sc + 1 of values 16 s .. 16 s + 15 (iq_groups.h)
//   [272, 276)  int32 off: -128 * sum_s f_s * (sum of w over those 16 values)
//   [276, 280)  float d: the block's d
// The micro-kernel broadcasts four weights to the eight 4-byte column slots of a packed
// chunk, so one vpdpbusd (256-bit; two per cycle, the same rate as one 512-bit) adds 32
// products (y + 128) w, four per column lane. Per scale block (16 values: IQ2_XS, IQ2_S;
// 32: the types with one scale per 32) the lane sums are multiplied by f (vpmulld) and
// added to the super-block's sum, which starts at off: the activations' + 128 taken back
// exactly, since sum (y + 128) w - 128 sum w = sum y w. So S per row, column and
// super-block is exactly the reference's integer sum (dot_ref_iq.c), and the float step
// is pk_iq_step's, in its order, without FMA: every result is bitwise the one-row dot's.
#if defined(__x86_64__)
#include "simd_common.h"
#include "iq_groups.h"
#pragma STDC FP_CONTRACT OFF
#pragma clang attribute push(__attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni,avx2,fma,f16c"))), apply_to = function)

enum { PK_IQT_W = 0, PK_IQT_F = 256, PK_IQT_OFF = 272, PK_IQT_D = 276, PK_IQT_SB = 288 };

#define INLINE static inline __attribute__((always_inline))

/// Whether type t has a scale per 16 values (else one per 32).
INLINE int per16(int t) { return t == PK_IQ2_XS || t == PK_IQ2_S; }

// ---- Decoding a tile of rows ----------------------------------------------------------

/// One super-block blk of type t into its decoded form o.
INLINE void decode_block(int t, const void *blk, uint8_t *o) {
    const __m512i zero = _mm512_setzero_si512(), k128 = _mm512_set1_epi8((char)0x80);
    pk_iq256 q = pk_iq_decode_sb(t, blk);
    __m512i off = zero;
    for (int j = 0; j < 4; ++j) {
        __m512i w = _mm512_mask_sub_epi8(q.g[j], q.neg[j], zero, q.g[j]);
        _mm512_storeu_si512((void *)(o + PK_IQT_W + 64 * j), w);
        off = _mm512_dpwssd_epi32(off, _mm512_maddubs_epi16(k128, w), q.sc[j]);
        // int16 lane L of chunk j covers values 64 j + 2 L, 2 L + 1: the factor of the 16
        // values 64 j + 16 m is lane 8 m's.
        uint16_t f[32];
        _mm512_storeu_si512((void *)f, q.sc[j]);
        for (int m = 0; m < 4; ++m) o[PK_IQT_F + 4 * j + m] = (uint8_t)f[8 * m];
    }
    int32_t noff = -_mm512_reduce_add_epi32(off);
    float d = pk_iq_d_f16c(t, blk);
    memcpy(o + PK_IQT_OFF, &noff, 4);
    memcpy(o + PK_IQT_D, &d, 4);
}

/// Rows row0 .. row0 + nrows of W, decoded one after the other (pk_gemm_unpack_fn).
static int iq_unpack(int t, const void *W, size_t cols, size_t row0, size_t nrows, void *tile) {
    const size_t nb = cols / QKK, bs = pk_type_size(t), rb = pk_row_size(t, cols);
    for (size_t r = 0; r < nrows; ++r) {
        const uint8_t *row = (const uint8_t *)W + (row0 + r) * rb;
        uint8_t *o = (uint8_t *)tile + r * nb * PK_IQT_SB;
        for (size_t i = 0; i < nb; ++i) decode_block(t, row + i * bs, o + i * PK_IQT_SB);
    }
    return 0;
}

// ---- The micro-kernel -----------------------------------------------------------------

static inline const uint8_t *group(const void *p, size_t gs, int g, size_t i) {
    return (const uint8_t *)p + (size_t)g * gs + i * PK_KPACK_SB;
}
INLINE __m256i bcast4(const uint8_t *p) {
    int32_t v;
    memcpy(&v, p, 4);
    return _mm256_set1_epi32(v);
}

/// nr (1, 2) decoded rows (ws bytes apart) x ng (1, 2) packed groups: out[16 r + 8 g + c].
/// Each y chunk is loaded once for the nr rows, each weight word broadcast once for the
/// ng groups; per scale block two partial sums (even and odd chunks: two vpdpbusd chains).
INLINE void iq_gemm(int t, int nr, int ng, size_t nb, const uint8_t *w, size_t ws, const void *p, size_t gs,
                    float *out) {
    const int sub = per16(t) ? 4 : 8;  // chunks of 4 values per scale block
    __m256 sum[2][2];
    for (int r = 0; r < nr; ++r) for (int j = 0; j < ng; ++j) sum[r][j] = _mm256_setzero_ps();
    for (size_t i = 0; i < nb; ++i) {
        const uint8_t *b[2];
        __m256i S[2][2];
        for (int r = 0; r < nr; ++r) {
            b[r] = w + r * ws + i * PK_IQT_SB;
            int32_t off;
            memcpy(&off, b[r] + PK_IQT_OFF, 4);
            for (int j = 0; j < ng; ++j) S[r][j] = _mm256_set1_epi32(off);
        }
#pragma clang loop unroll(disable)
        for (int s = 0; s < 64 / sub; ++s) {
            __m256i a[2][2][2];
            for (int r = 0; r < nr; ++r)
                for (int j = 0; j < ng; ++j) a[r][j][0] = a[r][j][1] = _mm256_setzero_si256();
            for (int k = 0; k < sub; ++k) {
                __m256i y[2];
                for (int j = 0; j < ng; ++j)
                    y[j] = _mm256_loadu_si256((const __m256i *)(group(p, gs, j, i) + PK_KPACK_YS + 32 * (sub * s + k)));
                for (int r = 0; r < nr; ++r) {
                    __m256i wv = bcast4(b[r] + PK_IQT_W + 4 * (sub * s + k));
                    for (int j = 0; j < ng; ++j) a[r][j][k & 1] = _mm256_dpbusd_epi32(a[r][j][k & 1], y[j], wv);
                }
            }
            for (int r = 0; r < nr; ++r) {
                __m256i f = _mm256_set1_epi32(b[r][PK_IQT_F + sub / 4 * s]);
                for (int j = 0; j < ng; ++j)
                    S[r][j] = _mm256_add_epi32(S[r][j], _mm256_mullo_epi32(_mm256_add_epi32(a[r][j][0], a[r][j][1]), f));
            }
        }
        for (int r = 0; r < nr; ++r) {
            float dr;
            memcpy(&dr, b[r] + PK_IQT_D, 4);
            __m256 d = _mm256_set1_ps(dr);
            for (int j = 0; j < ng; ++j) {
                __m256 yd = _mm256_loadu_ps((const float *)(group(p, gs, j, i) + PK_KPACK_YD));
                sum[r][j] = _mm256_add_ps(sum[r][j], _mm256_mul_ps(_mm256_mul_ps(d, yd), _mm256_cvtepi32_ps(S[r][j])));
            }
        }
    }
    const __m256 factor = _mm256_set1_ps(pk_iq_factor(t));
    for (int r = 0; r < nr; ++r)
        for (int j = 0; j < ng; ++j) _mm256_storeu_ps(out + 16 * r + 8 * j, _mm256_mul_ps(factor, sum[r][j]));
}

#define IQ_GEMM(NAME, T)                                                                              \
    static void NAME(size_t nb, const void *w, size_t ws, int nr, const void *p, size_t gs, int ng, float *out) { \
        if (nr == 2) { if (ng == 2) iq_gemm(T, 2, 2, nb, w, ws, p, gs, out); else iq_gemm(T, 2, 1, nb, w, ws, p, gs, out); } \
        else { if (ng == 2) iq_gemm(T, 1, 2, nb, w, ws, p, gs, out); else iq_gemm(T, 1, 1, nb, w, ws, p, gs, out); }       \
    }
IQ_GEMM(gemm_iq2_xxs, PK_IQ2_XXS)
IQ_GEMM(gemm_iq2_xs, PK_IQ2_XS)
IQ_GEMM(gemm_iq2_s, PK_IQ2_S)
IQ_GEMM(gemm_iq3_xxs, PK_IQ3_XXS)
IQ_GEMM(gemm_iq3_s, PK_IQ3_S)
#undef IQ_GEMM

#pragma clang attribute pop

static struct pk_gemm_spec spec(pk_gemm_fn kernel) {
    return (struct pk_gemm_spec){ .kernel = kernel, .pack = pk_kpack_q8_K_u, .block_values = QKK,
                                  .packed_block_bytes = PK_KPACK_SB, .unpack = iq_unpack,
                                  .unpacked_block_bytes = PK_IQT_SB, .unpack_rows = 1,
                                  .min_columns = 12 };  // below, the dots decode as fast
}

void pk_fill_avx512_iq_gemm(struct pk_kernels *k) {
    k->gemm[PK_SLOT_IQ2_XXS] = spec(gemm_iq2_xxs);
    k->gemm[PK_SLOT_IQ2_XS] = spec(gemm_iq2_xs);
    k->gemm[PK_SLOT_IQ2_S] = spec(gemm_iq2_s);
    k->gemm[PK_SLOT_IQ3_XXS] = spec(gemm_iq3_xxs);
    k->gemm[PK_SLOT_IQ3_S] = spec(gemm_iq3_s);
}
#endif  // __x86_64__
