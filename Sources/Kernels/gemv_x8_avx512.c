// AVX-512 VNNI x8 kernels: the body is gemv_x8_template.h, with the products summed
// straight into int32 (vpdpbusd on 256-bit vectors: one instruction where AVX2 needs
// vpmaddubsw + vpaddw) and scaled by vpmulld. The same exact integers and float tail as
// the AVX2 kernels, so the same bits.
#if defined(__x86_64__)
#include "simd_common.h"
#pragma clang attribute push(__attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni,avx2,fma,f16c"))), apply_to = function)

#define X8_ACC(a, w, y) _mm256_dpbusd_epi32((a), (w), (y))
#define X8_MUL(a, s) _mm256_mullo_epi32((a), (s))
#define X8_BYTE_SCALE(v, j) _mm256_and_si256(_mm256_srli_epi32((v), 8 * (j)), _mm256_set1_epi32(0xFF))
#define X8_WORD_SCALE(v, w) ((w) ? _mm256_srai_epi32((v), 16) : _mm256_srai_epi32(_mm256_slli_epi32((v), 16), 16))
#define X8_INT16 0
#define X8_CHAINS 2  // vpdpbusd waits for its accumulator (several cycles)
#define X8_Q6_RUN 4  // int32 sums: the whole sub-block
// 6 KiB: on a Zen 4 (2 cores), Q4_K and Q6_K x8 matrices of the
// 4B-shaped model streamed 10% faster than at the AVX2 tier's 3 KiB on 1 thread (37.5 vs
// 34.2 GB/s, best of 12 alternating passes; 2 threads 39.4 vs 38.1); 1.5 KiB was slower,
// 12 KiB tied. (On the Zen 3 the AVX2 tier was tuned on, 6 KiB was slower than 3.)
#define X8_PREFETCH_AHEAD 6144
// Several columns: 3 KiB. On the same Zen 4, 4 columns of 9216-row Q4_K and Q6_K x8
// matrices on huge pages (C harness, 1 thread, best of 7) ran 7% and 13% faster than at
// 6 KiB; 2 KiB was as fast, 12 KiB and none slower.
#define X8_PREFETCH_AHEAD_COLUMNS 3072
#define X8_PREFETCH(p, a, n) pk_prefetch_span_at((p), (a), (n))
#include "gemv_x8_template.h"

#pragma clang attribute pop

void pk_fill_avx512_x8(struct pk_kernels *k) {
    k->gemv8[PK_SLOT_Q4_K] = gemv8_q4_K;
    k->gemv8[PK_SLOT_Q5_K] = gemv8_q5_K;
    k->gemv8[PK_SLOT_Q6_K] = gemv8_q6_K;
}
#endif  // __x86_64__
