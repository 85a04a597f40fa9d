// AVX-512 VNNI GEMM micro-kernels for K-quant weights (Q4_K, Q5_K, Q6_K) against column-
// interleaved Q8_K activations: the body is gemm_kquants_template.h, with the products of
// a sub-block summed straight into int32 (vpdpbusd on 256-bit vectors: one instruction
// where AVX2 needs vpmaddubsw + vpaddw, and no int16 headroom to split for) and scaled
// with vpmulld. The same exact integers and float tail as the AVX2 kernels, so the same
// bits.
#if defined(__x86_64__)
#include "simd_common.h"
#pragma clang attribute push(__attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni,avx2,fma,f16c"))), apply_to = function)

#define GEMM_ACC(a, w, y) _mm256_dpbusd_epi32((a), (w), (y))
#define GEMM_SCALE(a, sc) _mm256_mullo_epi32((a), _mm256_set1_epi32(sc))
#define GEMM_PARTIAL16 0
#include "gemm_kquants_template.h"

#pragma clang attribute pop

void pk_fill_avx512_gemm(struct pk_kernels *k) {
    k->gemm[PK_SLOT_Q4_K] = pk_kquant_gemm_spec(gemm_q4_K);
    k->gemm[PK_SLOT_Q5_K] = pk_kquant_gemm_spec(gemm_q5_K);
    k->gemm[PK_SLOT_Q6_K] = pk_kquant_gemm_spec(gemm_q6_K);
}
#endif  // __x86_64__
