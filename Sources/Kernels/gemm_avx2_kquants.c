// AVX2 GEMM micro-kernels for K-quant weights (Q4_K, Q5_K, Q6_K) against column-
// interleaved Q8_K activations: the body is gemm_kquants_template.h, with the products
// of a sub-block summed in int16 (vpmaddubsw + vpaddw) and scaled into int32 (vpmaddwd).
#if defined(__x86_64__)
#include "simd_common.h"
#pragma clang attribute push(__attribute__((target("avx2,fma,f16c"))), apply_to = function)

#define GEMM_ACC(a, w, y) _mm256_add_epi16((a), _mm256_maddubs_epi16((w), (y)))
#define GEMM_SCALE(a, sc) _mm256_madd_epi16((a), _mm256_set1_epi16((short)(sc)))
#define GEMM_PARTIAL16 1
#include "gemm_kquants_template.h"

#pragma clang attribute pop

void pk_fill_avx2_gemm(struct pk_kernels *k) {
    k->gemm[PK_SLOT_Q4_K] = pk_kquant_gemm_spec(gemm_q4_K);
    k->gemm[PK_SLOT_Q5_K] = pk_kquant_gemm_spec(gemm_q5_K);
    k->gemm[PK_SLOT_Q6_K] = pk_kquant_gemm_spec(gemm_q6_K);
}
#endif  // __x86_64__
