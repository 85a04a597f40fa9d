// AVX2 softmax and SwiGLU (used by the AVX2 and AVX-512 tiers alike: these rows are
// short next to the matvecs, but attention's softmax over a long context and the FFN's
// SiLU are exp-bound, and libm's expf is scalar).
//
// exp(x): x clamped to [-87.33654, 88.37626] (results stay normal and finite), x = n ln2
// + r with |r| <= ln2/2 (ln2 split in two for an exact n ln2), exp(r) by Cephes' degree-5
// minimax polynomial (about 1 ulp), times 2^n built in the exponent bits.
#if defined(__x86_64__)
#include "simd_common.h"
#include <float.h>
#pragma clang attribute push(__attribute__((target("avx2,fma,f16c"))), apply_to = function)

static inline __m256 exp8(__m256 x) {
    x = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(-87.33654f)), _mm256_set1_ps(88.37626f));
    __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)),
                               _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
    __m256 p = _mm256_set1_ps(1.9875691500e-4f);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.3981999507e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894e-2f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459e-1f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201e-1f));
    __m256 y = _mm256_fmadd_ps(_mm256_mul_ps(p, r), r, _mm256_add_ps(r, _mm256_set1_ps(1.0f)));
    __m256i e = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
    return _mm256_mul_ps(y, _mm256_castsi256_ps(e));
}

// Masked 8-lane load/store for the tail (n % 8 values).
static inline __m256i tail_mask8(size_t left) {
    const __m256i idx = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)left), idx);
}

void pk_softmax_avx2(float *x, size_t n) {
    if (n == 0) return;
    __m256 m = _mm256_set1_ps(x[0]);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) m = _mm256_max_ps(m, _mm256_loadu_ps(x + i));
    float max = pk_hmax_ps256(m);
    for (; i < n; ++i) if (x[i] > max) max = x[i];
    __m256 mv = _mm256_set1_ps(max), s = _mm256_setzero_ps();
    for (i = 0; i < n; i += 8) {
        __m256i k = tail_mask8(n - i);
        __m256 e = exp8(_mm256_sub_ps(_mm256_maskload_ps(x + i, k), mv));
        e = _mm256_and_ps(e, _mm256_castsi256_ps(k));
        _mm256_maskstore_ps(x + i, k, e);
        s = _mm256_add_ps(s, e);
    }
    // Probabilities below FLT_MIN become 0, never subnormal (Kernels.h): the values under
    // FLT_MIN * sum are zeroed before the scaling (a product with a subnormal result
    // takes a microcode assist too), the scaled ones checked once more (inv is rounded).
    float sum = pk_hsum_ps256(s);
    __m256 inv = _mm256_set1_ps(1.0f / sum), low = _mm256_set1_ps(FLT_MIN * sum), tiny = _mm256_set1_ps(FLT_MIN);
    for (i = 0; i < n; i += 8) {
        __m256i k = tail_mask8(n - i);
        __m256 e = _mm256_maskload_ps(x + i, k);
        __m256 p = _mm256_mul_ps(_mm256_and_ps(e, _mm256_cmp_ps(e, low, _CMP_GE_OQ)), inv);
        _mm256_maskstore_ps(x + i, k, _mm256_and_ps(p, _mm256_cmp_ps(p, tiny, _CMP_GE_OQ)));
    }
}

void pk_swiglu_avx2(float *gate, const float *up, size_t n) {
    const __m256 one = _mm256_set1_ps(1.0f);
    for (size_t i = 0; i < n; i += 8) {
        __m256i k = tail_mask8(n - i);
        __m256 g = _mm256_maskload_ps(gate + i, k);
        __m256 silu = _mm256_div_ps(g, _mm256_add_ps(one, exp8(_mm256_sub_ps(_mm256_setzero_ps(), g))));
        _mm256_maskstore_ps(gate + i, k, _mm256_mul_ps(silu, _mm256_maskload_ps(up + i, k)));
    }
}

#pragma clang attribute pop
#endif  // __x86_64__
