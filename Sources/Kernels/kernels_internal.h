#ifndef PONDER_KERNELS_INTERNAL_H
#define PONDER_KERNELS_INTERNAL_H
// Block layouts (ggml-compatible, byte-exact, little-endian), the kernel table and the
// small helpers shared by the kernel files. Not part of the public header.
#include "Kernels.h"
#include <assert.h>
#include <string.h>

#define QK 32    // values per block of the 32-block types
#define QKK 256  // values per super-block of the K types

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

static inline float pk_h2f(uint16_t h) { return pk_fp16_to_fp32(h); }

static inline uint32_t pk_load_u32(const uint8_t *p) {
    uint32_t v; memcpy(&v, p, 4); return v;
}

/// A dot product kernel: n values of a weight row w against activations x.
typedef float (*pk_dot_fn)(size_t n, const void *w, const void *x);
/// An activation quantizer: n floats -> blocks.
typedef void (*pk_quant_fn)(const float *x, void *y, size_t n);

/// Type slots in a kernel table.
enum { PK_SLOT_Q4_0, PK_SLOT_Q4_1, PK_SLOT_Q5_0, PK_SLOT_Q5_1, PK_SLOT_Q8_0,
       PK_SLOT_Q4_K, PK_SLOT_Q5_K, PK_SLOT_Q6_K, PK_SLOT_F32, PK_SLOT_F16, PK_SLOT_BF16,
       PK_SLOT_COUNT };

struct pk_kernels {
    int tier;
    pk_dot_fn dot[PK_SLOT_COUNT];
    pk_quant_fn quantize_q8_0;
    pk_quant_fn quantize_q8_K;
};

/// The slot of type t, or -1.
int pk_slot_of(int t);

// Per-tier tables, filled in dot_ref.c, dot_avx2.c, dot_avx512.c (+ quantize.c).
void pk_fill_ref(struct pk_kernels *k);
void pk_fill_avx2(struct pk_kernels *k);
void pk_fill_avx512(struct pk_kernels *k);

// Quantizers per tier (quantize.c).
void pk_quantize_q8_0_ref(const float *x, void *y, size_t n);
void pk_quantize_q8_K_ref(const float *x, void *y, size_t n);
void pk_quantize_q8_0_avx2(const float *x, void *y, size_t n);
void pk_quantize_q8_K_avx2(const float *x, void *y, size_t n);
void pk_quantize_q8_0_avx512(const float *x, void *y, size_t n);
void pk_quantize_q8_K_avx512(const float *x, void *y, size_t n);

#endif
