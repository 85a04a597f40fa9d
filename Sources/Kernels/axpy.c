// y += a * x for float rows x of type F32, F16 or BF16 (attention's weighted sum of V
// rows from an F16/F32 KV cache). Scalar reference (multiply, then add), AVX2 and
// AVX-512 (one FMA per value, so they differ from the reference by at most one rounding
// of a * x per value).
#include "kernels_internal.h"
#if defined(__x86_64__)
#include <immintrin.h>
#endif
#pragma STDC FP_CONTRACT OFF

static inline float bf16_to_f32(uint16_t h) {
    uint32_t bits = (uint32_t)h << 16;
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

static void axpy_f32_ref(size_t n, float a, const void *x, float *y) {
    const float *v = x;
    for (size_t i = 0; i < n; ++i) y[i] = y[i] + a * v[i];
}
static void axpy_f16_ref(size_t n, float a, const void *x, float *y) {
    const uint16_t *v = x;
    for (size_t i = 0; i < n; ++i) y[i] = y[i] + a * pk_fp16_to_fp32(v[i]);
}
static void axpy_bf16_ref(size_t n, float a, const void *x, float *y) {
    const uint16_t *v = x;
    for (size_t i = 0; i < n; ++i) y[i] = y[i] + a * bf16_to_f32(v[i]);
}

#if defined(__x86_64__)
#pragma clang attribute push(__attribute__((target("avx2,fma,f16c"))), apply_to = function)
static void axpy_f32_avx2(size_t n, float a, const void *x, float *y) {
    const float *v = x;
    __m256 av = _mm256_set1_ps(a);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, _mm256_fmadd_ps(av, _mm256_loadu_ps(v + i), _mm256_loadu_ps(y + i)));
    for (; i < n; ++i) y[i] = __builtin_fmaf(a, v[i], y[i]);
}
static void axpy_f16_avx2(size_t n, float a, const void *x, float *y) {
    const uint16_t *v = x;
    __m256 av = _mm256_set1_ps(a);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 xv = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(v + i)));
        _mm256_storeu_ps(y + i, _mm256_fmadd_ps(av, xv, _mm256_loadu_ps(y + i)));
    }
    for (; i < n; ++i) y[i] = __builtin_fmaf(a, pk_fp16_to_fp32(v[i]), y[i]);
}
static void axpy_bf16_avx2(size_t n, float a, const void *x, float *y) {
    const uint16_t *v = x;
    __m256 av = _mm256_set1_ps(a);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256i w = _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)(v + i)));
        __m256 xv = _mm256_castsi256_ps(_mm256_slli_epi32(w, 16));
        _mm256_storeu_ps(y + i, _mm256_fmadd_ps(av, xv, _mm256_loadu_ps(y + i)));
    }
    for (; i < n; ++i) y[i] = __builtin_fmaf(a, bf16_to_f32(v[i]), y[i]);
}
#pragma clang attribute pop

#pragma clang attribute push(__attribute__((target("avx512f,avx512bw,avx512vl,avx2,fma,f16c"))), apply_to = function)
static inline __mmask16 tail_mask(size_t left) {
    return left >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << left) - 1);
}
static void axpy_f32_avx512(size_t n, float a, const void *x, float *y) {
    const float *v = x;
    __m512 av = _mm512_set1_ps(a);
    for (size_t i = 0; i < n; i += 16) {
        __mmask16 k = tail_mask(n - i);
        __m512 r = _mm512_fmadd_ps(av, _mm512_maskz_loadu_ps(k, v + i), _mm512_maskz_loadu_ps(k, y + i));
        _mm512_mask_storeu_ps(y + i, k, r);
    }
}
static void axpy_f16_avx512(size_t n, float a, const void *x, float *y) {
    const uint16_t *v = x;
    __m512 av = _mm512_set1_ps(a);
    for (size_t i = 0; i < n; i += 16) {
        __mmask16 k = tail_mask(n - i);
        __m512 xv = _mm512_cvtph_ps(_mm256_maskz_loadu_epi16(k, v + i));
        _mm512_mask_storeu_ps(y + i, k, _mm512_fmadd_ps(av, xv, _mm512_maskz_loadu_ps(k, y + i)));
    }
}
static void axpy_bf16_avx512(size_t n, float a, const void *x, float *y) {
    const uint16_t *v = x;
    __m512 av = _mm512_set1_ps(a);
    for (size_t i = 0; i < n; i += 16) {
        __mmask16 k = tail_mask(n - i);
        __m512 xv = _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(_mm256_maskz_loadu_epi16(k, v + i)), 16));
        _mm512_mask_storeu_ps(y + i, k, _mm512_fmadd_ps(av, xv, _mm512_maskz_loadu_ps(k, y + i)));
    }
}
#pragma clang attribute pop
#endif

void pk_fill_axpy(struct pk_kernels *k) {
    k->axpy[PK_SLOT_F32] = axpy_f32_ref;
    k->axpy[PK_SLOT_F16] = axpy_f16_ref;
    k->axpy[PK_SLOT_BF16] = axpy_bf16_ref;
#if defined(__x86_64__)
    if (k->tier == 1) {
        k->axpy[PK_SLOT_F32] = axpy_f32_avx2;
        k->axpy[PK_SLOT_F16] = axpy_f16_avx2;
        k->axpy[PK_SLOT_BF16] = axpy_bf16_avx2;
    } else if (k->tier == 2) {
        k->axpy[PK_SLOT_F32] = axpy_f32_avx512;
        k->axpy[PK_SLOT_F16] = axpy_f16_avx512;
        k->axpy[PK_SLOT_BF16] = axpy_bf16_avx512;
    }
#endif
}

int pk_axpy_tier(int tier, int t, size_t n, float a, const void *x, float *y) {
    if (t != PK_F32 && t != PK_F16 && t != PK_BF16) return PK_EBADTYPE;
    if (n && (!x || !y)) return PK_EBADARG;
    pk_kernels_for_tier(tier)->axpy[pk_slot_of(t)](n, a, x, y);
    return PK_OK;
}

int pk_axpy(int t, size_t n, float a, const void *x, float *y) {
    return pk_axpy_tier(pk_active_tier(), t, n, a, x, y);
}
