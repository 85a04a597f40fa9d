// The 32-block types Q4_0, Q4_1 and Q8_0 on the AVX2 tier: x8 decode kernels and the
// one-row dots in their float order (gemv_x8_q32_template.h). Q4_0/Q4_1 block sums
// through int16 pairs (vpmaddubsw: at most 2 * 15 * 127 = 3,810 per pair; the 8 chunks of
// a block summed in int16, at most 30,480), then one vpmaddwd into int32. Q8_0's stored
// weights are biased (up to 255: the pairs would overflow int16), so its chunks are
// taken back to signed values once per block for all columns (q80_sum_avx2). Taken where
// 256-bit operations are not split in two (pk_fill_avx2); Zen 1 keeps the per-lane
// 128-bit dots. Measured on a Zen 4 core from cache, this tier forced: Q8_0 x8 49.7 to
// 51.9 GB/s per thread against 19.4 to 20.8 for the 256-bit one-row dot.
#if defined(__x86_64__)
#include "simd_common.h"
#pragma clang attribute push(__attribute__((target("avx2,fma,f16c"))), apply_to = function)

static inline __attribute__((always_inline)) __m256i q32_sum_avx2(__m256i init, const __m256i w[8], const int8_t *yq) {
#define P(k) _mm256_maddubs_epi16(w[k], _mm256_set1_epi32((int)pk_load_u32((const uint8_t *)yq + 4 * (k))))
    __m256i s0 = _mm256_add_epi16(_mm256_add_epi16(P(0), P(2)), _mm256_add_epi16(P(4), P(6)));
    __m256i s1 = _mm256_add_epi16(_mm256_add_epi16(P(1), P(3)), _mm256_add_epi16(P(5), P(7)));
#undef P
    return _mm256_add_epi32(init, _mm256_madd_epi16(_mm256_add_epi16(s0, s1), _mm256_set1_epi16(1)));
}
// Q8_0: |q| . (y with q's signs) per chunk (pairs at most 2 * 128 * 127 = 32,512), each
// chunk's pairs into int32 on its own (two would overflow int16), in two chains.
static inline __attribute__((always_inline)) __m256i q80_sum_avx2(const __m256i aq[8], const __m256i q[8], const int8_t *yq) {
#define P(k) pk_dot_u8s8_avx2(aq[k], _mm256_sign_epi8(_mm256_set1_epi32((int)pk_load_u32((const uint8_t *)yq + 4 * (k))), q[k]))
    __m256i s0 = _mm256_add_epi32(_mm256_add_epi32(P(0), P(2)), _mm256_add_epi32(P(4), P(6)));
    __m256i s1 = _mm256_add_epi32(_mm256_add_epi32(P(1), P(3)), _mm256_add_epi32(P(5), P(7)));
#undef P
    return _mm256_add_epi32(s0, s1);
}
#define Q32_SUM q32_sum_avx2
#define Q32_DOT pk_dot_u8s8_avx2
#define X8Q_Q80 1
#define Q80_SIGNED 1
#define Q80_SUM(init, w, ws, yq) q80_sum_avx2((w), (ws), (yq))
#include "gemv_x8_q32_template.h"  // undefines these

#pragma clang attribute pop

void pk_fill_avx2_x8_q32(struct pk_kernels *k) {
    k->dot[PK_SLOT_Q4_0] = dot_q4_0;
    k->dot[PK_SLOT_Q4_1] = dot_q4_1;
    k->dot[PK_SLOT_Q8_0] = dot_q8_0;
    // Several columns on a plain matrix take the x8 kernel on rows packed as they go
    // (pk_x8_matmul_plain); the tier has no four-row dots for them.
    k->gemv8[PK_SLOT_Q4_0] = gemv8_q4_0;
    k->gemv8[PK_SLOT_Q4_1] = gemv8_q4_1;
    k->gemv8[PK_SLOT_Q8_0] = gemv8_q8_0;
}
#endif  // __x86_64__
