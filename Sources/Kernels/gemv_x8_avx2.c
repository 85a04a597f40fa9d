// AVX2 x8 kernels: the body is gemv_x8_template.h, with int16 pair sums (vpmaddubsw +
// vpaddw) scaled into int32 by vpmaddwd against each lane's scale repeated as an int16
// pair (vpshufb).
#if defined(__x86_64__)
#include "simd_common.h"
#pragma clang attribute push(__attribute__((target("avx2,fma,f16c"))), apply_to = function)

/// Byte j of each lane's 4 (as 0 ... 3), repeated as an int16 pair (j, j) per lane.
static const uint8_t dup_byte[4][32] __attribute__((aligned(32))) = {
#define L(j) 0 + j, 0x80, 0 + j, 0x80, 4 + j, 0x80, 4 + j, 0x80, 8 + j, 0x80, 8 + j, 0x80, 12 + j, 0x80, 12 + j, 0x80
    {L(0), L(0)}, {L(1), L(1)}, {L(2), L(2)}, {L(3), L(3)},
#undef L
};
/// Each lane's first (w = 0) or second (w = 1) int16 in both halves.
static const uint8_t dup_word[2][32] __attribute__((aligned(32))) = {
#define L(j) 0 + j, 1 + j, 0 + j, 1 + j, 4 + j, 5 + j, 4 + j, 5 + j, 8 + j, 9 + j, 8 + j, 9 + j, 12 + j, 13 + j, 12 + j, 13 + j
    {L(0), L(0)}, {L(2), L(2)},
#undef L
};
#define X8_ACC(a, w, y) _mm256_add_epi16((a), _mm256_maddubs_epi16((w), (y)))
#define X8_MUL(a, s) _mm256_madd_epi16((a), (s))
#define X8_BYTE_SCALE(v, j) shuf((v), dup_byte[j])
#define X8_WORD_SCALE(v, w) shuf((v), dup_word[w])
#define X8_INT16 1
#define X8_CHAINS 1  // vpaddw's latency is 1 cycle
#define X8_Q6_RUN 2  // int16 sums: 2 chunks of values <= 63 (32,004)
#define X8_PREFETCH_AHEAD PK_PREFETCH_AHEAD_X8
#define X8_PREFETCH_AHEAD_COLUMNS PK_PREFETCH_AHEAD_X8
#define X8_PREFETCH(p, a, n) pk_prefetch_span_nta((p), (a), (n))
#include "gemv_x8_template.h"

#pragma clang attribute pop

void pk_fill_avx2_x8(struct pk_kernels *k) {
    k->gemv8[PK_SLOT_Q4_K] = gemv8_q4_K;
    k->gemv8[PK_SLOT_Q5_K] = gemv8_q5_K;
    k->gemv8[PK_SLOT_Q6_K] = gemv8_q6_K;
}
#endif  // __x86_64__
