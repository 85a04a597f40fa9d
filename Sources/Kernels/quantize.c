// Activation quantizers (float -> Q8_0 / Q8_K), scalar reference and SIMD tiers.
// Every tier writes the same bytes: the scale comes from the same float ops (max is
// exact in any order, one scalar division), each value is x * (1/d) rounded half to
// even (the SIMD default rounding mode; the reference uses the 1.5*2^23 trick, valid
// for |v| < 2^22, and values here are at most 127.5 in magnitude).
#include "kernels_internal.h"
#if defined(__x86_64__)
#include <immintrin.h>
#endif
#pragma STDC FP_CONTRACT OFF

/// round(v) half to even, as int, for |v| < 2^22.
static inline int rne(float v) {
    float t = v + 12582912.0f;
    int32_t i;
    memcpy(&i, &t, 4);
    return (i & 0x007fffff) - 0x00400000;
}

void pk_quantize_q8_0_ref(const float *x, void *vy, size_t n) {
    pk_block_q8_0 *y = vy;
    for (size_t i = 0; i < n / QK; ++i, x += QK) {
        float amax = 0;
        for (int j = 0; j < QK; ++j) {
            float a = x[j] < 0 ? -x[j] : x[j];
            if (a > amax) amax = a;
        }
        float d = amax / 127.0f;
        float id = d != 0 ? 1.0f / d : 0.0f;
        y[i].d = pk_fp32_to_fp16(d);
        for (int j = 0; j < QK; ++j) y[i].qs[j] = (int8_t)rne(x[j] * id);
    }
}

// Q8_K scale: -127 / (the value of largest magnitude, first one in index order).
void pk_quantize_q8_K_ref(const float *x, void *vy, size_t n) {
    pk_block_q8_K *y = vy;
    for (size_t i = 0; i < n / QKK; ++i, x += QKK) {
        float amax = 0, max = 0;
        for (int j = 0; j < QKK; ++j) {
            float a = x[j] < 0 ? -x[j] : x[j];
            if (a > amax) { amax = a; max = x[j]; }
        }
        if (amax == 0) {
            memset(&y[i], 0, sizeof y[i]);
            continue;
        }
        float iscale = -127.0f / max;
        for (int j = 0; j < QKK; ++j) {
            int v = rne(iscale * x[j]);
            y[i].qs[j] = (int8_t)(v > 127 ? 127 : v);
        }
        for (int j = 0; j < QKK / 16; ++j) {
            int s = 0;
            for (int l = 0; l < 16; ++l) s += y[i].qs[16 * j + l];
            y[i].bsums[j] = (int16_t)s;
        }
        y[i].d = 1.0f / iscale;
    }
}

void pk_q8_0_fill_side(void *vy, size_t nb) {
    const pk_block_q8_0 *b = vy;
    float *dy = (float *)((uint8_t *)vy + pk_q8_side_offset(nb)), *s = dy + nb;
    int32_t *ncorr = (int32_t *)(dy + 2 * nb);
    for (size_t i = 0; i < nb; ++i) {
        int sum = 0;
        for (int j = 0; j < QK; ++j) sum += b[i].qs[j];
        dy[i] = pk_fp16_to_fp32(b[i].d);
        s[i] = dy[i] * (float)sum;
        ncorr[i] = -128 * sum;
    }
}

static void bsums_from_qs(pk_block_q8_K *y) {
    for (int j = 0; j < QKK / 16; ++j) {
        int s = 0;
        for (int l = 0; l < 16; ++l) s += y->qs[16 * j + l];
        y->bsums[j] = (int16_t)s;
    }
}

#if defined(__x86_64__)
// ---- AVX2 ----------------------------------------------------------------------
#pragma clang attribute push(__attribute__((target("avx2,fma,f16c"))), apply_to = function)

static inline float hmax8(__m256 v) {
    __m128 m = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    m = _mm_max_ps(m, _mm_movehl_ps(m, m));
    m = _mm_max_ss(m, _mm_movehdup_ps(m));
    return _mm_cvtss_f32(m);
}

// 32 int32 in four vectors -> 32 int8 in order (saturating).
static inline __m256i pack32(__m256i a, __m256i b, __m256i c, __m256i d) {
    __m256i ab = _mm256_packs_epi32(a, b), cd = _mm256_packs_epi32(c, d);
    __m256i r = _mm256_packs_epi16(ab, cd);
    return _mm256_permutevar8x32_epi32(r, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
}

void pk_quantize_q8_0_avx2(const float *x, void *vy, size_t n) {
    pk_block_q8_0 *y = vy;
    const __m256 sign = _mm256_set1_ps(-0.0f);
    for (size_t i = 0; i < n / QK; ++i, x += QK) {
        __m256 v0 = _mm256_loadu_ps(x), v1 = _mm256_loadu_ps(x + 8);
        __m256 v2 = _mm256_loadu_ps(x + 16), v3 = _mm256_loadu_ps(x + 24);
        __m256 m = _mm256_max_ps(_mm256_max_ps(_mm256_andnot_ps(sign, v0), _mm256_andnot_ps(sign, v1)),
                                 _mm256_max_ps(_mm256_andnot_ps(sign, v2), _mm256_andnot_ps(sign, v3)));
        float amax = hmax8(m);
        float d = amax / 127.0f;
        float id = d != 0 ? 1.0f / d : 0.0f;
        y[i].d = pk_fp32_to_fp16(d);
        __m256 s = _mm256_set1_ps(id);
        __m256i q = pack32(_mm256_cvtps_epi32(_mm256_mul_ps(v0, s)), _mm256_cvtps_epi32(_mm256_mul_ps(v1, s)),
                           _mm256_cvtps_epi32(_mm256_mul_ps(v2, s)), _mm256_cvtps_epi32(_mm256_mul_ps(v3, s)));
        _mm256_storeu_si256((__m256i *)y[i].qs, q);
    }
}

void pk_quantize_q8_K_avx2(const float *x, void *vy, size_t n) {
    pk_block_q8_K *y = vy;
    const __m256 sign = _mm256_set1_ps(-0.0f);
    for (size_t i = 0; i < n / QKK; ++i, x += QKK) {
        __m256 m = _mm256_setzero_ps();
        for (int j = 0; j < QKK; j += 8) m = _mm256_max_ps(m, _mm256_andnot_ps(sign, _mm256_loadu_ps(x + j)));
        float amax = hmax8(m);
        if (amax == 0) {
            memset(&y[i], 0, sizeof y[i]);
            continue;
        }
        // The first value whose magnitude is amax (as the reference picks it).
        __m256 am = _mm256_set1_ps(amax);
        float max = 0;
        for (int j = 0; j < QKK; j += 8) {
            int mask = _mm256_movemask_ps(_mm256_cmp_ps(_mm256_andnot_ps(sign, _mm256_loadu_ps(x + j)), am, _CMP_EQ_OQ));
            if (mask) { max = x[j + __builtin_ctz((unsigned)mask)]; break; }
        }
        float iscale = -127.0f / max;
        __m256 s = _mm256_set1_ps(iscale);
        for (int j = 0; j < QKK; j += 32) {
            __m256i q = pack32(_mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(x + j), s)),
                               _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(x + j + 8), s)),
                               _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(x + j + 16), s)),
                               _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(x + j + 24), s)));
            _mm256_storeu_si256((__m256i *)(y[i].qs + j), q);
        }
        bsums_from_qs(&y[i]);
        y[i].d = 1.0f / iscale;
    }
}

#pragma clang attribute pop

// ---- AVX-512 -------------------------------------------------------------------
#pragma clang attribute push(__attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni,avx2,fma,f16c"))), apply_to = function)

void pk_quantize_q8_0_avx512(const float *x, void *vy, size_t n) {
    pk_block_q8_0 *y = vy;
    for (size_t i = 0; i < n / QK; ++i, x += QK) {
        __m512 v0 = _mm512_loadu_ps(x), v1 = _mm512_loadu_ps(x + 16);
        float amax = _mm512_reduce_max_ps(_mm512_max_ps(_mm512_abs_ps(v0), _mm512_abs_ps(v1)));
        float d = amax / 127.0f;
        float id = d != 0 ? 1.0f / d : 0.0f;
        y[i].d = pk_fp32_to_fp16(d);
        __m512 s = _mm512_set1_ps(id);
        __m128i q0 = _mm512_cvtsepi32_epi8(_mm512_cvtps_epi32(_mm512_mul_ps(v0, s)));
        __m128i q1 = _mm512_cvtsepi32_epi8(_mm512_cvtps_epi32(_mm512_mul_ps(v1, s)));
        _mm_storeu_si128((__m128i *)y[i].qs, q0);
        _mm_storeu_si128((__m128i *)(y[i].qs + 16), q1);
    }
}

void pk_quantize_q8_K_avx512(const float *x, void *vy, size_t n) {
    pk_block_q8_K *y = vy;
    for (size_t i = 0; i < n / QKK; ++i, x += QKK) {
        __m512 m = _mm512_setzero_ps();
        for (int j = 0; j < QKK; j += 16) m = _mm512_max_ps(m, _mm512_abs_ps(_mm512_loadu_ps(x + j)));
        float amax = _mm512_reduce_max_ps(m);
        if (amax == 0) {
            memset(&y[i], 0, sizeof y[i]);
            continue;
        }
        __m512 am = _mm512_set1_ps(amax);
        float max = 0;
        for (int j = 0; j < QKK; j += 16) {
            __mmask16 k = _mm512_cmp_ps_mask(_mm512_abs_ps(_mm512_loadu_ps(x + j)), am, _CMP_EQ_OQ);
            if (k) { max = x[j + __builtin_ctz((unsigned)k)]; break; }
        }
        float iscale = -127.0f / max;
        __m512 s = _mm512_set1_ps(iscale);
        for (int j = 0; j < QKK; j += 16) {
            __m512i q = _mm512_cvtps_epi32(_mm512_mul_ps(_mm512_loadu_ps(x + j), s));
            _mm_storeu_si128((__m128i *)(y[i].qs + j), _mm512_cvtsepi32_epi8(q));
            y[i].bsums[j / 16] = (int16_t)_mm512_reduce_add_epi32(_mm512_min_epi32(q, _mm512_set1_epi32(127)));
        }
        y[i].d = 1.0f / iscale;
    }
}

#pragma clang attribute pop
#endif  // __x86_64__
