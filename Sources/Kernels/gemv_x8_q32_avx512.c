// The 32-block types Q4_0, Q4_1 and Q8_0 on the AVX-512 VNNI tier: x8 decode kernels and
// the one-row dots in their float order (gemv_x8_q32_template.h). Block sums straight into
// int32 with vpdpbusd, in 4 chains (it waits for its accumulator).
#if defined(__x86_64__)
#include "simd_common.h"
#pragma clang attribute push(__attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni,avx2,fma,f16c"))), apply_to = function)

static inline __attribute__((always_inline)) __m256i q32_sum_vnni(__m256i init, const __m256i w[8], const int8_t *yq) {
#define BC(o) _mm256_set1_epi32((int)pk_load_u32((const uint8_t *)yq + (o)))
    __m256i a0 = _mm256_dpbusd_epi32(init, w[0], BC(0));
    __m256i a1 = _mm256_dpbusd_epi32(_mm256_setzero_si256(), w[1], BC(4));
    __m256i a2 = _mm256_dpbusd_epi32(_mm256_setzero_si256(), w[2], BC(8));
    __m256i a3 = _mm256_dpbusd_epi32(_mm256_setzero_si256(), w[3], BC(12));
    a0 = _mm256_dpbusd_epi32(a0, w[4], BC(16));
    a1 = _mm256_dpbusd_epi32(a1, w[5], BC(20));
    a2 = _mm256_dpbusd_epi32(a2, w[6], BC(24));
    a3 = _mm256_dpbusd_epi32(a3, w[7], BC(28));
#undef BC
    return _mm256_add_epi32(_mm256_add_epi32(a0, a1), _mm256_add_epi32(a2, a3));
}
#define Q32_SUM q32_sum_vnni
#define Q32_DOT(q, y) _mm256_dpbusd_epi32(_mm256_setzero_si256(), (q), (y))
#define X8Q_Q80 1
#define Q80_SIGNED 0
#define Q80_SUM(init, w, ws, yq) q32_sum_vnni((init), (w), (yq))
#include "gemv_x8_q32_template.h"  // undefines these

#pragma clang attribute pop

void pk_fill_avx512_x8_q32(struct pk_kernels *k) {
    k->dot[PK_SLOT_Q4_0] = dot_q4_0;
    k->dot[PK_SLOT_Q4_1] = dot_q4_1;
    k->dot[PK_SLOT_Q8_0] = dot_q8_0;
    // No four-row plain dots: several columns on a plain matrix take the x8 kernel on
    // rows packed as they go (pk_x8_matmul_plain).
    k->dot4[PK_SLOT_Q4_0] = k->dot4[PK_SLOT_Q4_1] = k->dot4[PK_SLOT_Q8_0] = NULL;
    k->gemv8[PK_SLOT_Q4_0] = gemv8_q4_0;
    k->gemv8[PK_SLOT_Q4_1] = gemv8_q4_1;
    k->gemv8[PK_SLOT_Q8_0] = gemv8_q8_0;
}
#endif  // __x86_64__
