// AVX2 + FMA (+ F16C) dot products; same signatures and integer block sums as
// dot_ref.c. Per block: int8 products summed in int16 pairs (maddubs, no saturation
// for the value ranges here: weights 0..63 unsigned or |w| <= 128, activations
// |y| <= 127, which the Q8 quantizers guarantee), then int32 lanes, then
// acc += block_scale * lanes in float with FMA.
#include "simd_common.h"
#pragma clang attribute push(__attribute__((target("avx2,fma,f16c"))), apply_to = function)

static float dot_q4_0(size_t n, const void *w, const void *x) {
    const pk_block_q4_0 *a = w;
    const pk_block_q8_0 *b = x;
    __m256 acc = _mm256_setzero_ps();
    const __m256i eight = _mm256_set1_epi8(8);
    for (size_t i = 0; i < n / QK; ++i) {
        __m256i q = pk_nibbles32(a[i].qs);
        __m256i y = _mm256_loadu_si256((const __m256i *)b[i].qs);
        // sum (q - 8) y = sum q y - sum 8 y, in int16 pairs (|.| <= 3810 + 2032).
        __m256i p = _mm256_sub_epi16(_mm256_maddubs_epi16(q, y), _mm256_maddubs_epi16(eight, y));
        __m256i s = _mm256_madd_epi16(p, _mm256_set1_epi16(1));
        __m256 d = _mm256_set1_ps(pk_h2f(a[i].d) * pk_h2f(b[i].d));
        acc = _mm256_fmadd_ps(d, _mm256_cvtepi32_ps(s), acc);
    }
    return pk_hsum_ps256(acc);
}

static float dot_q4_1(size_t n, const void *w, const void *x) {
    const pk_block_q4_1 *a = w;
    const pk_block_q8_0 *b = x;
    __m256 acc = _mm256_setzero_ps();
    const __m256i one = _mm256_set1_epi8(1);
    for (size_t i = 0; i < n / QK; ++i) {
        __m256i q = pk_nibbles32(a[i].qs);
        __m256i y = _mm256_loadu_si256((const __m256i *)b[i].qs);
        __m256 s = _mm256_cvtepi32_ps(pk_dot_u8s8_avx2(q, y));
        __m256 ys = _mm256_cvtepi32_ps(pk_dot_u8s8_avx2(one, y));
        float dy = pk_h2f(b[i].d);
        acc = _mm256_fmadd_ps(_mm256_set1_ps(pk_h2f(a[i].d) * dy), s, acc);
        acc = _mm256_fmadd_ps(_mm256_set1_ps(pk_h2f(a[i].m) * dy), ys, acc);
    }
    return pk_hsum_ps256(acc);
}

static float dot_q5_0(size_t n, const void *w, const void *x) {
    const pk_block_q5_0 *a = w;
    const pk_block_q8_0 *b = x;
    __m256 acc = _mm256_setzero_ps();
    const __m256i sixteen = _mm256_set1_epi8(16);
    for (size_t i = 0; i < n / QK; ++i) {
        __m256i q = _mm256_or_si256(pk_nibbles32(a[i].qs), pk_bit5_32(a[i].qh));
        __m256i y = _mm256_loadu_si256((const __m256i *)b[i].qs);
        __m256i p = _mm256_sub_epi16(_mm256_maddubs_epi16(q, y), _mm256_maddubs_epi16(sixteen, y));
        __m256i s = _mm256_madd_epi16(p, _mm256_set1_epi16(1));
        __m256 d = _mm256_set1_ps(pk_h2f(a[i].d) * pk_h2f(b[i].d));
        acc = _mm256_fmadd_ps(d, _mm256_cvtepi32_ps(s), acc);
    }
    return pk_hsum_ps256(acc);
}

static float dot_q5_1(size_t n, const void *w, const void *x) {
    const pk_block_q5_1 *a = w;
    const pk_block_q8_0 *b = x;
    __m256 acc = _mm256_setzero_ps();
    const __m256i one = _mm256_set1_epi8(1);
    for (size_t i = 0; i < n / QK; ++i) {
        __m256i q = _mm256_or_si256(pk_nibbles32(a[i].qs), pk_bit5_32(a[i].qh));
        __m256i y = _mm256_loadu_si256((const __m256i *)b[i].qs);
        __m256 s = _mm256_cvtepi32_ps(pk_dot_u8s8_avx2(q, y));
        __m256 ys = _mm256_cvtepi32_ps(pk_dot_u8s8_avx2(one, y));
        float dy = pk_h2f(b[i].d);
        acc = _mm256_fmadd_ps(_mm256_set1_ps(pk_h2f(a[i].d) * dy), s, acc);
        acc = _mm256_fmadd_ps(_mm256_set1_ps(pk_h2f(a[i].m) * dy), ys, acc);
    }
    return pk_hsum_ps256(acc);
}

static float dot_q8_0(size_t n, const void *w, const void *x) {
    const pk_block_q8_0 *a = w;
    const pk_block_q8_0 *b = x;
    __m256 acc = _mm256_setzero_ps();
    for (size_t i = 0; i < n / QK; ++i) {
        __m256i q = _mm256_loadu_si256((const __m256i *)a[i].qs);
        __m256i y = _mm256_loadu_si256((const __m256i *)b[i].qs);
        // |q| as unsigned (128 for -128), sign moved onto y (|y| <= 127 keeps it exact).
        __m256i s = pk_dot_u8s8_avx2(_mm256_sign_epi8(q, q), _mm256_sign_epi8(y, q));
        __m256 d = _mm256_set1_ps(pk_h2f(a[i].d) * pk_h2f(b[i].d));
        acc = _mm256_fmadd_ps(d, _mm256_cvtepi32_ps(s), acc);
    }
    return pk_hsum_ps256(acc);
}

// Min term of Q4_K/Q5_K: sum_s m[s] * (bsums[2s] + bsums[2s+1]), 4 int32 lanes.
static inline __m128i kmins(const uint32_t *sm, const int16_t *bsums) {
    __m128i bs = _mm_hadd_epi16(_mm_loadu_si128((const __m128i *)bsums),
                                _mm_loadu_si128((const __m128i *)(bsums + 8)));
    __m128i mins = _mm_cvtepu8_epi16(_mm_loadl_epi64((const __m128i *)(sm + 2)));
    return _mm_madd_epi16(mins, bs);
}

static float dot_q4_K(size_t n, const void *w, const void *x) {
    const pk_block_q4_K *a = w;
    const pk_block_q8_K *b = x;
    __m256 acc = _mm256_setzero_ps();
    __m128 accm = _mm_setzero_ps();
    const __m256i m4 = _mm256_set1_epi8(0x0F);
    for (size_t i = 0; i < n / QKK; ++i) {
        uint32_t sm[4];
        pk_scales_k4_16(a[i].scales, sm);
        const uint8_t *sc = (const uint8_t *)sm;
        accm = _mm_fmadd_ps(_mm_set1_ps(-pk_h2f(a[i].dmin) * b[i].d),
                            _mm_cvtepi32_ps(kmins(sm, b[i].bsums)), accm);
        __m256i sum = _mm256_setzero_si256();
        for (int g = 0; g < 4; ++g) {
            __m256i q = _mm256_loadu_si256((const __m256i *)(a[i].qs + 32 * g));
            __m256i y1 = _mm256_loadu_si256((const __m256i *)(b[i].qs + 64 * g));
            __m256i y2 = _mm256_loadu_si256((const __m256i *)(b[i].qs + 64 * g + 32));
            __m256i p1 = _mm256_maddubs_epi16(_mm256_and_si256(q, m4), y1);
            __m256i p2 = _mm256_maddubs_epi16(_mm256_and_si256(_mm256_srli_epi16(q, 4), m4), y2);
            sum = _mm256_add_epi32(sum, _mm256_madd_epi16(p1, _mm256_set1_epi16(sc[2 * g])));
            sum = _mm256_add_epi32(sum, _mm256_madd_epi16(p2, _mm256_set1_epi16(sc[2 * g + 1])));
        }
        acc = _mm256_fmadd_ps(_mm256_set1_ps(pk_h2f(a[i].d) * b[i].d), _mm256_cvtepi32_ps(sum), acc);
    }
    return pk_hsum_ps256(acc) + pk_hsum_ps128(accm);
}

static float dot_q5_K(size_t n, const void *w, const void *x) {
    const pk_block_q5_K *a = w;
    const pk_block_q8_K *b = x;
    __m256 acc = _mm256_setzero_ps();
    __m128 accm = _mm_setzero_ps();
    const __m256i m4 = _mm256_set1_epi8(0x0F), bit = _mm256_set1_epi8(1);
    for (size_t i = 0; i < n / QKK; ++i) {
        uint32_t sm[4];
        pk_scales_k4_16(a[i].scales, sm);
        const uint8_t *sc = (const uint8_t *)sm;
        accm = _mm_fmadd_ps(_mm_set1_ps(-pk_h2f(a[i].dmin) * b[i].d),
                            _mm_cvtepi32_ps(kmins(sm, b[i].bsums)), accm);
        __m256i hb = _mm256_loadu_si256((const __m256i *)a[i].qh);
        __m256i sum = _mm256_setzero_si256();
        for (int g = 0; g < 4; ++g) {
            __m256i q = _mm256_loadu_si256((const __m256i *)(a[i].qs + 32 * g));
            __m256i h1 = _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hb, 2 * g), bit), 4);
            __m256i h2 = _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hb, 2 * g + 1), bit), 4);
            __m256i q1 = _mm256_or_si256(_mm256_and_si256(q, m4), h1);
            __m256i q2 = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(q, 4), m4), h2);
            __m256i y1 = _mm256_loadu_si256((const __m256i *)(b[i].qs + 64 * g));
            __m256i y2 = _mm256_loadu_si256((const __m256i *)(b[i].qs + 64 * g + 32));
            sum = _mm256_add_epi32(sum, _mm256_madd_epi16(_mm256_maddubs_epi16(q1, y1), _mm256_set1_epi16(sc[2 * g])));
            sum = _mm256_add_epi32(sum, _mm256_madd_epi16(_mm256_maddubs_epi16(q2, y2), _mm256_set1_epi16(sc[2 * g + 1])));
        }
        acc = _mm256_fmadd_ps(_mm256_set1_ps(pk_h2f(a[i].d) * b[i].d), _mm256_cvtepi32_ps(sum), acc);
    }
    return pk_hsum_ps256(acc) + pk_hsum_ps128(accm);
}

// Q6_K: sum_j sc[j] * (q - 32) . y = sum_j sc[j] * q . y - 32 * sum_j sc[j] * bsums[j],
// q unsigned 0..63 (maddubs pair sums <= 16002).
static float dot_q6_K(size_t n, const void *w, const void *x) {
    const pk_block_q6_K *a = w;
    const pk_block_q8_K *b = x;
    __m256 acc = _mm256_setzero_ps();
    const __m256i m4 = _mm256_set1_epi8(0x0F), m2 = _mm256_set1_epi8(0x30);
    for (size_t i = 0; i < n / QKK; ++i) {
        const int8_t *sc = a[i].scales;
        __m256i sc16 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)sc));
        __m256i bs16 = _mm256_loadu_si256((const __m256i *)b[i].bsums);
        __m256i sum = _mm256_slli_epi32(_mm256_madd_epi16(sc16, bs16), 5);
        sum = _mm256_sub_epi32(_mm256_setzero_si256(), sum);
        const uint8_t *ql = a[i].ql, *qh = a[i].qh;
        const int8_t *y = b[i].qs;
        for (int h = 0; h < 2; ++h, ql += 64, qh += 32, y += 128, sc += 8) {
            __m256i l1 = _mm256_loadu_si256((const __m256i *)ql);
            __m256i l2 = _mm256_loadu_si256((const __m256i *)(ql + 32));
            __m256i hh = _mm256_loadu_si256((const __m256i *)qh);
            __m256i q[4];
            q[0] = _mm256_or_si256(_mm256_and_si256(l1, m4), _mm256_and_si256(_mm256_slli_epi16(hh, 4), m2));
            q[1] = _mm256_or_si256(_mm256_and_si256(l2, m4), _mm256_and_si256(_mm256_slli_epi16(hh, 2), m2));
            q[2] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l1, 4), m4), _mm256_and_si256(hh, m2));
            q[3] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l2, 4), m4),
                                   _mm256_and_si256(_mm256_srli_epi16(hh, 2), m2));
            for (int k = 0; k < 4; ++k) {
                __m256i yk = _mm256_loadu_si256((const __m256i *)(y + 32 * k));
                __m256i s16 = _mm256_set_m128i(_mm_set1_epi16(sc[2 * k + 1]), _mm_set1_epi16(sc[2 * k]));
                sum = _mm256_add_epi32(sum, _mm256_madd_epi16(_mm256_maddubs_epi16(q[k], yk), s16));
            }
        }
        acc = _mm256_fmadd_ps(_mm256_set1_ps(pk_h2f(a[i].d) * b[i].d), _mm256_cvtepi32_ps(sum), acc);
    }
    return pk_hsum_ps256(acc);
}

// Float rows: 4 independent accumulators of 8 lanes; the tail (n % 32) in scalar.
static float dot_f32(size_t n, const void *w, const void *x) {
    const float *a = w, *b = x;
    __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
        s1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), s1);
        s2 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 16), _mm256_loadu_ps(b + i + 16), s2);
        s3 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 24), _mm256_loadu_ps(b + i + 24), s3);
    }
    float s = pk_hsum_ps256(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));
    for (; i < n; ++i) s += a[i] * b[i];
    return s;
}

static inline __m256 load_f16x8(const uint16_t *p) {
    return _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)p));
}

static inline __m256 load_bf16x8(const uint16_t *p) {
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)p)), 16));
}

static float dot_f16(size_t n, const void *w, const void *x) {
    const uint16_t *a = w;
    const float *b = x;
    __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        s0 = _mm256_fmadd_ps(load_f16x8(a + i), _mm256_loadu_ps(b + i), s0);
        s1 = _mm256_fmadd_ps(load_f16x8(a + i + 8), _mm256_loadu_ps(b + i + 8), s1);
        s2 = _mm256_fmadd_ps(load_f16x8(a + i + 16), _mm256_loadu_ps(b + i + 16), s2);
        s3 = _mm256_fmadd_ps(load_f16x8(a + i + 24), _mm256_loadu_ps(b + i + 24), s3);
    }
    float s = pk_hsum_ps256(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));
    for (; i < n; ++i) s += pk_fp16_to_fp32(a[i]) * b[i];
    return s;
}

static float dot_bf16(size_t n, const void *w, const void *x) {
    const uint16_t *a = w;
    const float *b = x;
    __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        s0 = _mm256_fmadd_ps(load_bf16x8(a + i), _mm256_loadu_ps(b + i), s0);
        s1 = _mm256_fmadd_ps(load_bf16x8(a + i + 8), _mm256_loadu_ps(b + i + 8), s1);
        s2 = _mm256_fmadd_ps(load_bf16x8(a + i + 16), _mm256_loadu_ps(b + i + 16), s2);
        s3 = _mm256_fmadd_ps(load_bf16x8(a + i + 24), _mm256_loadu_ps(b + i + 24), s3);
    }
    float s = pk_hsum_ps256(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));
    for (; i < n; ++i) {
        uint32_t bits = (uint32_t)a[i] << 16;
        float f;
        memcpy(&f, &bits, 4);
        s += f * b[i];
    }
    return s;
}

#pragma clang attribute pop

void pk_fill_avx2(struct pk_kernels *k) {
    k->tier = 1;
    k->dot[PK_SLOT_Q4_0] = dot_q4_0;
    k->dot[PK_SLOT_Q4_1] = dot_q4_1;
    k->dot[PK_SLOT_Q5_0] = dot_q5_0;
    k->dot[PK_SLOT_Q5_1] = dot_q5_1;
    k->dot[PK_SLOT_Q8_0] = dot_q8_0;
    k->dot[PK_SLOT_Q4_K] = dot_q4_K;
    k->dot[PK_SLOT_Q5_K] = dot_q5_K;
    k->dot[PK_SLOT_Q6_K] = dot_q6_K;
    k->dot[PK_SLOT_F32] = dot_f32;
    k->dot[PK_SLOT_F16] = dot_f16;
    k->dot[PK_SLOT_BF16] = dot_bf16;
    k->quantize_q8_0 = pk_quantize_q8_0_avx2;
    k->quantize_q8_K = pk_quantize_q8_K_avx2;
}
