#ifndef PONDER_KERNELS_INTERNAL_H
#define PONDER_KERNELS_INTERNAL_H
// Block layouts (ggml-compatible, byte-exact, little-endian), the kernel table and the
// small helpers shared by the kernel files. Not part of the public header.
#include "Kernels.h"
#include "IQGrids.h"
#include <assert.h>
#include <string.h>

#define QK 32    // values per block of the 32-block types
#define QKK 256  // values per super-block of the K types

static inline float pk_h2f(uint16_t h) { return pk_fp16_to_fp32(h); }

// x = (q - 8) * d, q = nibble. Values 0..15 in the low nibbles of qs[0..15],
// values 16..31 in the high nibbles.
typedef struct { uint16_t d; uint8_t qs[QK / 2]; } pk_block_q4_0;
// x = q * d + m, nibbles as Q4_0.
typedef struct { uint16_t d, m; uint8_t qs[QK / 2]; } pk_block_q4_1;
// x = (q - 16) * d, q = nibble | bit << 4; bit j of the little-endian u32 qh is the
// fifth bit of value j (j < 16 low nibbles, j >= 16 high nibbles).
typedef struct { uint16_t d; uint8_t qh[4]; uint8_t qs[QK / 2]; } pk_block_q5_0;
// x = q * d + m, q as Q5_0.
typedef struct { uint16_t d, m; uint8_t qh[4]; uint8_t qs[QK / 2]; } pk_block_q5_1;
// x = q * d, q signed.
typedef struct { uint16_t d; int8_t qs[QK]; } pk_block_q8_0;
// ggml's Q8_1 (s = d * sum(q)); layout only, not used by the dots here.
typedef struct { uint16_t d, s; int8_t qs[QK]; } pk_block_q8_1;

// Q4_K: 8 sub-blocks of 32. scales[12] packs 8 6-bit scales and 8 6-bit mins
// (pk_scale_min_k4). Value l of the 64-value group g (0..3): qs[32g + l%32], low nibble
// for l < 32 (sub-block 2g), high nibble otherwise (sub-block 2g+1).
// x = d * sc[s] * q - dmin * m[s].
typedef struct { uint16_t d, dmin; uint8_t scales[12]; uint8_t qs[QKK / 2]; } pk_block_q4_K;
// Q5_K: as Q4_K plus a fifth bit: value 32*s + l (sub-block s, l < 32) has its fifth bit
// at qh[l] bit s. x = d * sc[s] * q - dmin * m[s].
typedef struct {
    uint16_t d, dmin; uint8_t scales[12]; uint8_t qh[QKK / 8]; uint8_t qs[QKK / 2];
} pk_block_q5_K;
// Q6_K: 16 sub-blocks of 16 with int8 scales. Per 128-value half h (ql += 64h,
// qh += 32h), l < 32: values l, l+32, l+64, l+96 are
//   ql[l] & 15 | (qh[l] & 3) << 4,  ql[l+32] & 15 | (qh[l] >> 2 & 3) << 4,
//   ql[l] >> 4 | (qh[l] >> 4 & 3) << 4, ql[l+32] >> 4 | (qh[l] >> 6 & 3) << 4,
// each minus 32; x = d * scales[value / 16] * q.
typedef struct {
    uint8_t ql[QKK / 2]; uint8_t qh[QKK / 4]; int8_t scales[QKK / 16]; uint16_t d;
} pk_block_q6_K;
// Q8_K: x = q * d (d a float); bsums[j] = sum of qs[16j .. 16j+15].
typedef struct { float d; int8_t qs[QKK]; int16_t bsums[QKK / 16]; } pk_block_q8_K;

// The IQ1/IQ2/IQ3 types (ggml's layouts): grid indices into IQGrids.h's tables, signs
// and small scales per 32 values; the meaning of each field is spelled out in their
// one reader (iq_groups.h). Every bit pattern of every field but d is valid.
typedef struct { uint16_t d; uint16_t qs[QKK / 8]; } pk_block_iq2_xxs;
typedef struct { uint16_t d; uint16_t qs[QKK / 8]; uint8_t scales[QKK / 32]; } pk_block_iq2_xs;
typedef struct {
    uint16_t d; uint8_t qs[QKK / 4]; uint8_t qh[QKK / 32]; uint8_t scales[QKK / 32];
} pk_block_iq2_s;  // qs: 32 grid index bytes, then 32 sign bytes
typedef struct { uint16_t d; uint8_t qs[3 * QKK / 8]; } pk_block_iq3_xxs;  // 64 indices, 8 u32 signs+scale
typedef struct {
    uint16_t d; uint8_t qs[QKK / 4]; uint8_t qh[QKK / 32]; uint8_t signs[QKK / 8]; uint8_t scales[QKK / 64];
} pk_block_iq3_s;
typedef struct { uint16_t d; uint8_t qs[QKK / 8]; uint16_t qh[QKK / 32]; } pk_block_iq1_s;
typedef struct { uint8_t qs[QKK / 8]; uint8_t qh[QKK / 16]; uint8_t scales[QKK / 32]; } pk_block_iq1_m;

static_assert(sizeof(pk_block_iq2_xxs) == 66, "IQ2_XXS layout");
static_assert(sizeof(pk_block_iq2_xs) == 74, "IQ2_XS layout");
static_assert(sizeof(pk_block_iq2_s) == 82, "IQ2_S layout");
static_assert(sizeof(pk_block_iq3_xxs) == 98, "IQ3_XXS layout");
static_assert(sizeof(pk_block_iq3_s) == 110, "IQ3_S layout");
static_assert(sizeof(pk_block_iq1_s) == 50, "IQ1_S layout");
static_assert(sizeof(pk_block_iq1_m) == 56, "IQ1_M layout");
/// IQ1_M's f16 d, spread over the top nibbles of its four u16 scale words.
static inline uint16_t pk_iq1m_d(const pk_block_iq1_m *b) {
    uint16_t sc[4];
    memcpy(sc, b->scales, 8);
    return (uint16_t)((sc[0] >> 12) | ((sc[1] >> 8) & 0x00F0) | ((sc[2] >> 4) & 0x0F00) | (sc[3] & 0xF000));
}
/// The offset of IQ1_S/IQ1_M's delta (ggml's IQ1S_DELTA, IQ1M_DELTA).
#define PK_IQ1_DELTA 0.125f

static_assert(sizeof(pk_block_q4_0) == 18, "Q4_0 layout");
static_assert(sizeof(pk_block_q4_1) == 20, "Q4_1 layout");
static_assert(sizeof(pk_block_q5_0) == 22, "Q5_0 layout");
static_assert(sizeof(pk_block_q5_1) == 24, "Q5_1 layout");
static_assert(sizeof(pk_block_q8_0) == 34, "Q8_0 layout");
static_assert(sizeof(pk_block_q8_1) == 36, "Q8_1 layout");
static_assert(sizeof(pk_block_q4_K) == 144, "Q4_K layout");
static_assert(sizeof(pk_block_q5_K) == 176, "Q5_K layout");
static_assert(sizeof(pk_block_q6_K) == 210, "Q6_K layout");
static_assert(sizeof(pk_block_q8_K) == 292, "Q8_K layout");

/// Scale j (0..7) and min j of a Q4_K/Q5_K scales[12] array (6 bits each):
/// j < 4: sc = q[j] & 63, m = q[j+4] & 63;
/// else:  sc = q[j+4] & 15 | (q[j-4] >> 6) << 4, m = q[j+4] >> 4 | (q[j] >> 6) << 4.
static inline void pk_scale_min_k4(int j, const uint8_t *q, uint8_t *sc, uint8_t *m) {
    if (j < 4) {
        *sc = q[j] & 63; *m = q[j + 4] & 63;
    } else {
        *sc = (q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4);
        *m = (q[j + 4] >> 4) | ((q[j] >> 6) << 4);
    }
}

/// All 8 scales and 8 mins of a Q4_K/Q5_K block at once (the same bits as above).
static inline void pk_unpack_scales_k4(const uint8_t *q, uint8_t sc[8], uint8_t m[8]) {
    for (int j = 0; j < 8; ++j) pk_scale_min_k4(j, q, &sc[j], &m[j]);
}


static inline uint32_t pk_load_u32(const uint8_t *p) {
    uint32_t v; memcpy(&v, p, 4); return v;
}

// Activations of the 32-block weight types ("Q8_0 with side arrays"), nb = n / 32:
//   [0, 34 nb)                 nb ggml Q8_0 blocks, byte-exact (pk_quantize_row_q8_0)
//   [o, o + 4 nb), o = 34 nb rounded up to 4:  float dy[nb], each block's d as float
//   [o + 4 nb, o + 8 nb)       float s[nb] = dy[b] * (sum of block b's 32 int8 values)
//   [o + 8 nb, o + 12 nb)      int32 ncorr[nb] = -128 * (sum of block b's 32 int8 values):
//                              the exact correction of a product with weights biased to
//                              unsigned (w + 128), as the x8 Q8_0 kernel reads them
// The side arrays are computed once per activation row, so the dots do not redo per
// weight row what only depends on the activations (the min term m * s of Q4_1/Q5_1,
// the scale conversion of dy).
static inline size_t pk_q8_side_offset(size_t nb) { return (nb * sizeof(pk_block_q8_0) + 3) & ~(size_t)3; }
static inline const float *pk_q8_dy(const void *x, size_t nb) {
    return (const float *)((const uint8_t *)x + pk_q8_side_offset(nb));
}
static inline const float *pk_q8_s(const void *x, size_t nb) { return pk_q8_dy(x, nb) + nb; }
static inline const int32_t *pk_q8_ncorr(const void *x, size_t nb) { return (const int32_t *)(pk_q8_dy(x, nb) + 2 * nb); }
/// Fills the side arrays of nb Q8_0 blocks at y (same on every tier).
void pk_q8_0_fill_side(void *y, size_t nb);

/// A dot product kernel: n values of a weight row w against activations x.
typedef float (*pk_dot_fn)(size_t n, const void *w, const void *x);
/// The same dot for four activation rows x, x + xstride, x + 2 xstride, x + 3 xstride
/// (bytes), each result bitwise equal to the one-row dot's; out[0..3].
typedef void (*pk_dot4_fn)(size_t n, const void *w, const void *x, size_t xstride, float *out);
/// The most activation rows one pk_dotn_fn call takes.
enum { PK_DOTN_MAX = 16 };
/// The same dot for nc (1 ... PK_DOTN_MAX) activation rows xstride bytes apart, each
/// result bitwise equal to the one-row dot's; out[0 .. nc). For weights whose decoding
/// costs more than the products (the IQ grid types): each block decoded once for all nc.
typedef void (*pk_dotn_fn)(size_t n, const void *w, const void *x, size_t xstride, int nc, float *out);
/// The most activation rows and weight rows one pk_dotu_fn call takes.
enum { PK_DOTU_MAX = 64, PK_DOTU_ROWS = 16 };
/// nr weight rows (at most PK_DOTU_ROWS, wstride bytes apart) against nc Q8_K activation
/// rows (a multiple of 16, at most PK_DOTU_MAX) whose qs bytes are offset to unsigned
/// (pk_q8_K_offset: each byte XOR 0x80, that is + 128), so a kernel can take them as
/// vpmaddubsw's unsigned operand: out[c * ldo + r], each bitwise the one-row dot of
/// weight row r and activation row c as it was.
typedef void (*pk_dotu_fn)(size_t n, const void *w, size_t wstride, int nr, const void *xu, size_t xstride,
                           int nc, float *out, size_t ldo);
/// An x8 kernel (x8.c): one group of 8 rows in x8 layout (nb super-blocks at p) against
/// nc (1 ... 4) activation rows, xs bytes apart; out[c * ldo + r] for row r (< 8) and
/// column c, each bitwise the tier's one-row dot.
typedef void (*pk_gemv8_fn)(size_t nb, const void *p, const void *x, size_t xs, int nc, float *out, size_t ldo);
/// A GEMM micro-kernel (K-quant weights, column-interleaved activations; gemm.c): nr
/// weight rows (ws bytes apart) of nb super-blocks against ng packed groups of 8
/// activation columns (gs bytes apart), nr and ng 1 or 2; out[16 r + 8 g + c]
/// for row r, group g, column c. For the K-quants each result is bitwise the tier's
/// one-row dot of that row and column (the canonical sequence in dot_avx2_kquants.c);
/// the Q8_0 prefill GEMM (gemm_q8_0.c) has its own float order and nb blocks of 32.
typedef void (*pk_gemm_fn)(size_t nb, const void *w, size_t ws, int nr, const void *packed, size_t gs, int ng,
                           float *out);

// Column-interleaved Q8_K activations ("packed groups", pk_kpack_q8_K): 8 columns per
// group; per super-block PK_KPACK_SB bytes:
//   [0, 2048)     int8 ys: chunk k (values 4k .. 4k+3) of column c at 32 k + 4 c
//   [2048, 2080)  float yd[8]: each column's d
//   [2080, 2208)  int16 bsp[4][8][2]: column c's sums of sub-blocks 2t and 2t+1 (32
//                 values each: the Q4_K/Q5_K min term)
//   [2208, 2464)  int16 b16[8][8][2]: column c's bsums[2t] and bsums[2t+1] (Q6_K)
// Columns past the real ones (a last, partial group) are zero.
enum { PK_KPACK_YS = 0, PK_KPACK_YD = 2048, PK_KPACK_BSP = 2080, PK_KPACK_B16 = 2208,
       PK_KPACK_SB = 2464 };
/// Packs nc (1 ... 8) Q8_K activation rows of nb super-blocks, xs bytes apart.
void pk_kpack_q8_K(const void *x, size_t xs, int nc, size_t nb, uint8_t *out);
/// pk_kpack_q8_K with the ys offset to unsigned (each byte XOR 0x80, that is + 128), for
/// kernels that take the activations as vpdpbusd's unsigned operand (the IQ GEMM).
void pk_kpack_q8_K_u(const void *x, size_t xs, int nc, size_t nb, uint8_t *out);
/// A GEMM's packing of nc (1 ... 8) activation rows of nb blocks, xs bytes apart, into one
/// group.
typedef void (*pk_gemm_pack_fn)(const void *x, size_t xs, int nc, size_t nb, uint8_t *out);
/// A GEMM's row-tile unpacking (pk_x8_unpack's signature): rows row0 .. row0 + nrows of
/// the weights W (cols values each) written to `tile` in the form its micro-kernel reads,
/// one row after the other; 0 on success.
typedef int (*pk_gemm_unpack_fn)(int t, const void *W, size_t cols, size_t row0, size_t nrows, void *tile);
/// What gemm.c's driver needs of a GEMM: its micro-kernel (NULL: none), its packing, the
/// values per block (256 for the K-quants, 32 for Q8_0), a packed group's bytes per block,
/// and the bytes of one input row (0: a quantized activation row, pk_activation_size; the
/// 16-bit GEMM packs float rows). With an unpacking, each thread unpacks a tile of rows at
/// a time into its own buffer and the kernel reads the tile (unpacked_block_bytes per
/// block of a row); every tile of rows is then whole units of unpack_rows (which divides
/// gemm.c's tile height).
struct pk_gemm_spec {
    pk_gemm_fn kernel;
    pk_gemm_pack_fn pack;
    size_t block_values, packed_block_bytes;
    size_t input_row_bytes;
    pk_gemm_unpack_fn unpack;  // NULL: the kernel reads the rows as stored
    size_t unpacked_block_bytes, unpack_rows;
    size_t min_columns;        // fewer columns go to the dots (0: the driver's 8)
};
/// The tier's K-quant GEMM spec around its micro-kernel (column-interleaved Q8_K groups).
struct pk_gemm_spec pk_kquant_gemm_spec(pk_gemm_fn kernel);
/// Dynamic work sharing inside one pool job: its threads take chunks of [0, n) from a
/// counter of the job's (zero before pk_pool_run) until none is left, so a thread slowed
/// by another process on its core takes fewer chunks instead of holding up the rest.
/// Takes the next chunk [*a, *b) of [0, n); false when none is left. Each chunk is done
/// whole by one thread, and an output element is one sequential computation whichever
/// thread does it, so results stay bitwise the same. `chunk` for n items over nth threads
/// (pk_chunk_size): about 8 chunks per thread, at least `least`, a multiple of `unit`.
static inline int pk_take_chunk(size_t *counter, size_t chunk, size_t n, size_t *a, size_t *b) {
    *a = __atomic_fetch_add(counter, chunk, __ATOMIC_RELAXED);
    if (*a >= n) return 0;
    *b = n - *a < chunk ? n : *a + chunk;
    return 1;
}
static inline size_t pk_chunk_size(size_t n, int nth, size_t least, size_t unit) {
    size_t c = n / (8 * (size_t)(nth > 0 ? nth : 1));
    if (c < least) c = least;
    return (c + unit - 1) / unit * unit;
}

/// Runs a GEMM over the pool (gemm.c): packing, then rows split over the threads, tiles of
/// rows against every pair of groups. Returns 0, or -1 when it did nothing (no kernel,
/// too few columns, cols not whole blocks, no memory).
int pk_gemm_run(const struct pk_gemm_spec *spec, pk_pool *pool, int t, const void *W, size_t rows,
                size_t cols, const void *xq, size_t nx, float *out, size_t ldo);

/// Grow-only, 64-byte aligned scratch owned by the calling thread, one per slot (kept for
/// the thread's next call, freed at its exit), or NULL when out of memory.
enum { PK_TBUF_GEMM, PK_TBUF_X8, PK_TBUF_IQ, PK_TBUF_TAIL, PK_TBUF_COUNT };
void *pk_thread_buffer(int slot, size_t bytes);

/// An activation quantizer: n floats -> blocks.
typedef void (*pk_quant_fn)(const float *x, void *y, size_t n);

/// Type slots in a kernel table.
enum { PK_SLOT_Q4_0, PK_SLOT_Q4_1, PK_SLOT_Q5_0, PK_SLOT_Q5_1, PK_SLOT_Q8_0,
       PK_SLOT_Q4_K, PK_SLOT_Q5_K, PK_SLOT_Q6_K, PK_SLOT_F32, PK_SLOT_F16, PK_SLOT_BF16,
       PK_SLOT_IQ2_XXS, PK_SLOT_IQ2_XS, PK_SLOT_IQ2_S, PK_SLOT_IQ3_XXS, PK_SLOT_IQ3_S,
       PK_SLOT_IQ1_S, PK_SLOT_IQ1_M, PK_SLOT_COUNT };

struct pk_kernels {
    int tier;
    pk_dot_fn dot[PK_SLOT_COUNT];
    pk_dot4_fn dot4[PK_SLOT_COUNT];  // NULL where a tier has no four-row variant
    pk_dotn_fn dotn[PK_SLOT_COUNT];  // NULL where a tier has no many-row variant
    pk_dotu_fn dotu[PK_SLOT_COUNT];  // NULL where a tier has no offset-activation variant
    struct pk_gemm_spec gemm[PK_SLOT_COUNT];  // .kernel NULL where a tier has no GEMM for the type
    pk_gemv8_fn gemv8[PK_SLOT_COUNT];  // NULL where a tier has no x8 kernel for the type
    void (*axpy[PK_SLOT_COUNT])(size_t n, float a, const void *x, float *y);  // float slots only
    void (*softmax)(float *x, size_t n);
    void (*swiglu)(float *gate, const float *up, size_t n);
    pk_quant_fn quantize_q8_0;
    pk_quant_fn quantize_q8_K;
};

/// nb Q8_K blocks copied with their qs offset to unsigned (each byte XOR 0x80, that is
/// + 128 as uint8); d and bsums as they were. The input of pk_dotu_fn kernels.
void pk_q8_K_offset(const void *x, size_t nb, void *out);

/// The argument checks every matrix product shares (pk_matmul_tier's): PK_OK, or the
/// PK_E* code for an unknown type, cols not whole blocks, or missing pointers / ldo < rows.
int pk_matmul_check(int t, const void *W, size_t rows, size_t cols, const void *xq, size_t nx,
                    const float *out, size_t ldo);

/// The slot of type t, or -1.
int pk_slot_of(int t);

/// Whether this CPU runs 256-bit vector operations as two 128-bit halves (AMD Zen 1 and
/// Zen+), where some AVX2 kernels have a 128-bit form that does less work (dispatch.c).
int pk_cpu_splits_256(void);

// Per-tier tables, filled in dot_ref.c, dot_avx2.c, dot_avx512.c (+ quantize.c).
void pk_fill_ref(struct pk_kernels *k);
void pk_fill_ref_iq(struct pk_kernels *k);  // dot_ref_iq.c, called by pk_fill_ref
/// The IQ1/IQ2/IQ3 dequantizers (dequant_iq.c): 0, or PK_EBADTYPE for another type.
int pk_dequantize_iq(int t, const void *src, float *dst, size_t nb);
void pk_fill_avx2(struct pk_kernels *k);
void pk_fill_avx512(struct pk_kernels *k);
void pk_fill_avx512_kquants(struct pk_kernels *k);
void pk_fill_avx2_kquants(struct pk_kernels *k);
void pk_fill_avx2_iq(struct pk_kernels *k);  // dot_avx2_iq.c
void pk_fill_avx512_iq(struct pk_kernels *k);  // dot_avx512_iq.c
void pk_fill_avx2_gemm(struct pk_kernels *k);
void pk_fill_avx512_x8_q32(struct pk_kernels *k);  // gemv_x8_q32_avx512.c: Q4_0, Q4_1, Q8_0 dots and x8
void pk_fill_avx2_x8_q32(struct pk_kernels *k);  // gemv_x8_q32_avx2.c: Q4_0, Q4_1 dots and x8
/// pk_matmul_tier's path for nx >= 2 columns on a plain matrix of a 32-block type whose
/// tier has an x8 kernel (x8.c): rows packed 8 at a time as the workers go, bitwise the
/// one-row dots. PK_EUNSUPPORTED (doing nothing) for other types, tiers and calls.
int pk_x8_matmul_plain(const struct pk_kernels *k, pk_pool *pool, int t, const void *W, size_t rows, size_t cols,
                       const void *xq, size_t nx, float *out, size_t ldo);
void pk_fill_avx512_gemm(struct pk_kernels *k);
void pk_fill_avx512_iq_gemm(struct pk_kernels *k);  // gemm_avx512_iq.c
void pk_fill_avx2_x8(struct pk_kernels *k);
void pk_fill_avx512_x8(struct pk_kernels *k);
/// The tier's GEMM for t (gemm.c: the K-quants', the IQ types') when it has one and nx is
/// large enough; returns 0 when it did the call, -1 when the caller should take the dots.
int pk_gemm_try(const struct pk_kernels *k, pk_pool *pool, int t, const void *W, size_t rows,
                size_t cols, const void *xq, size_t nx, float *out, size_t ldo);
/// pk_gemm_try on an x8 matrix P (x8.c): each worker unpacks a tile of rows at a time.
int pk_gemm_try_x8(const struct pk_kernels *k, pk_pool *pool, int t, const void *P, size_t rows,
                   size_t cols, const void *xq, size_t nx, float *out, size_t ldo);
void pk_fill_axpy(struct pk_kernels *k);  // after tier is set

// Row operations (ops.c, ops_simd.c).
void pk_softmax_ref(float *x, size_t n);
void pk_swiglu_ref(float *gate, const float *up, size_t n);
void pk_softmax_avx2(float *x, size_t n);
void pk_swiglu_avx2(float *gate, const float *up, size_t n);

// Quantizers per tier (quantize.c).
void pk_quantize_q8_0_ref(const float *x, void *y, size_t n);
void pk_quantize_q8_K_ref(const float *x, void *y, size_t n);
void pk_quantize_q8_0_avx2(const float *x, void *y, size_t n);
void pk_quantize_q8_K_avx2(const float *x, void *y, size_t n);
void pk_quantize_q8_0_avx512(const float *x, void *y, size_t n);
void pk_quantize_q8_K_avx512(const float *x, void *y, size_t n);

#endif
