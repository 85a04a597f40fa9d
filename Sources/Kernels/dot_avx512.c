// AVX-512 dot products (F, BW, VL, VNNI); same signatures and integer block sums as
// dot_ref.c. 32-block types: one block per 256-bit vector, products summed with VNNI
// (vpdpbusd: u8 x s8, four products per int32 lane, no int16 step). K-quants: 64 values
// (two Q4_K/Q5_K sub-blocks or four Q6_K sub-blocks) per 512-bit vector, u8 x s8 pairs
// (exact for the ranges here) times per-lane int16 scales. Floats: 512-bit FMA with a
// masked tail.
#include "simd_common.h"
#pragma clang attribute push(__attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni,avx2,fma,f16c"))), apply_to = function)

static inline __m256i dp(__m256i a, __m256i b) {
    return _mm256_dpbusd_epi32(_mm256_setzero_si256(), a, b);
}

// 32 bits -> 32 bytes of 0x10 where the bit is set.
static inline __m256i bit5(const uint8_t *qh) {
    return _mm256_maskz_set1_epi8((__mmask32)pk_load_u32(qh), 0x10);
}

static float dot_q4_0(size_t n, const void *w, const void *x) {
    const pk_block_q4_0 *a = w;
    const pk_block_q8_0 *b = x;
    __m256 acc = _mm256_setzero_ps();
    const __m256i eight = _mm256_set1_epi8(8);
    for (size_t i = 0; i < n / QK; ++i) {
        __m256i q = pk_nibbles32(a[i].qs);
        __m256i y = _mm256_loadu_si256((const __m256i *)b[i].qs);
        __m256i s = _mm256_sub_epi32(dp(q, y), dp(eight, y));
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
        float dy = pk_h2f(b[i].d);
        acc = _mm256_fmadd_ps(_mm256_set1_ps(pk_h2f(a[i].d) * dy), _mm256_cvtepi32_ps(dp(q, y)), acc);
        acc = _mm256_fmadd_ps(_mm256_set1_ps(pk_h2f(a[i].m) * dy), _mm256_cvtepi32_ps(dp(one, y)), acc);
    }
    return pk_hsum_ps256(acc);
}

static float dot_q5_0(size_t n, const void *w, const void *x) {
    const pk_block_q5_0 *a = w;
    const pk_block_q8_0 *b = x;
    __m256 acc = _mm256_setzero_ps();
    const __m256i sixteen = _mm256_set1_epi8(16);
    for (size_t i = 0; i < n / QK; ++i) {
        __m256i q = _mm256_or_si256(pk_nibbles32(a[i].qs), bit5(a[i].qh));
        __m256i y = _mm256_loadu_si256((const __m256i *)b[i].qs);
        __m256i s = _mm256_sub_epi32(dp(q, y), dp(sixteen, y));
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
        __m256i q = _mm256_or_si256(pk_nibbles32(a[i].qs), bit5(a[i].qh));
        __m256i y = _mm256_loadu_si256((const __m256i *)b[i].qs);
        float dy = pk_h2f(b[i].d);
        acc = _mm256_fmadd_ps(_mm256_set1_ps(pk_h2f(a[i].d) * dy), _mm256_cvtepi32_ps(dp(q, y)), acc);
        acc = _mm256_fmadd_ps(_mm256_set1_ps(pk_h2f(a[i].m) * dy), _mm256_cvtepi32_ps(dp(one, y)), acc);
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
        __m256i s = dp(_mm256_abs_epi8(q), _mm256_sign_epi8(y, q));
        __m256 d = _mm256_set1_ps(pk_h2f(a[i].d) * pk_h2f(b[i].d));
        acc = _mm256_fmadd_ps(d, _mm256_cvtepi32_ps(s), acc);
    }
    return pk_hsum_ps256(acc);
}

static inline __m512i join(__m256i lo, __m256i hi) {
    return _mm512_inserti64x4(_mm512_castsi256_si512(lo), hi, 1);
}

// Min term of Q4_K/Q5_K (as in dot_avx2.c).
static inline __m128i kmins(const uint32_t *sm, const int16_t *bsums) {
    __m128i bs = _mm_hadd_epi16(_mm_loadu_si128((const __m128i *)bsums),
                                _mm_loadu_si128((const __m128i *)(bsums + 8)));
    __m128i mins = _mm_cvtepu8_epi16(_mm_loadl_epi64((const __m128i *)(sm + 2)));
    return _mm_madd_epi16(mins, bs);
}

// Shared body of Q4_K and Q5_K: qz[g] holds the 64 values of group g (sub-blocks 2g,
// 2g+1), y the 256 activations, sc16 the 8 scales as int16 in lanes 0..7.
static inline __m512i k4_group_sum(__m512i qz, const int8_t *y, __m512i sc16, int g) {
    const __m512i hi = _mm512_inserti64x4(_mm512_setzero_si512(), _mm256_set1_epi16(1), 1);
    __m512i idx = _mm512_add_epi16(hi, _mm512_set1_epi16((short)(2 * g)));
    __m512i scv = _mm512_permutexvar_epi16(idx, sc16);
    __m512i p = _mm512_maddubs_epi16(qz, _mm512_loadu_si512((const void *)(y + 64 * g)));
    return _mm512_madd_epi16(p, scv);
}

static float dot_q4_K(size_t n, const void *w, const void *x) {
    const pk_block_q4_K *a = w;
    const pk_block_q8_K *b = x;
    __m512 acc = _mm512_setzero_ps();
    __m128 accm = _mm_setzero_ps();
    const __m512i m4 = _mm512_set1_epi8(0x0F);
    for (size_t i = 0; i < n / QKK; ++i) {
        uint32_t sm[4];
        pk_scales_k4_16(a[i].scales, sm);
        accm = _mm_fmadd_ps(_mm_set1_ps(-pk_h2f(a[i].dmin) * b[i].d),
                            _mm_cvtepi32_ps(kmins(sm, b[i].bsums)), accm);
        __m512i sc16 = _mm512_castsi256_si512(_mm256_cvtepu8_epi16(_mm_loadl_epi64((const __m128i *)sm)));
        __m512i sum = _mm512_setzero_si512();
        for (int g = 0; g < 4; ++g) {
            __m256i q = _mm256_loadu_si256((const __m256i *)(a[i].qs + 32 * g));
            __m512i qz = _mm512_and_si512(join(q, _mm256_srli_epi16(q, 4)), m4);
            sum = _mm512_add_epi32(sum, k4_group_sum(qz, b[i].qs, sc16, g));
        }
        acc = _mm512_fmadd_ps(_mm512_set1_ps(pk_h2f(a[i].d) * b[i].d), _mm512_cvtepi32_ps(sum), acc);
    }
    return _mm512_reduce_add_ps(acc) + pk_hsum_ps128(accm);
}

static float dot_q5_K(size_t n, const void *w, const void *x) {
    const pk_block_q5_K *a = w;
    const pk_block_q8_K *b = x;
    __m512 acc = _mm512_setzero_ps();
    __m128 accm = _mm_setzero_ps();
    const __m512i m4 = _mm512_set1_epi8(0x0F), bit = _mm512_set1_epi8(1);
    for (size_t i = 0; i < n / QKK; ++i) {
        uint32_t sm[4];
        pk_scales_k4_16(a[i].scales, sm);
        accm = _mm_fmadd_ps(_mm_set1_ps(-pk_h2f(a[i].dmin) * b[i].d),
                            _mm_cvtepi32_ps(kmins(sm, b[i].bsums)), accm);
        __m512i sc16 = _mm512_castsi256_si512(_mm256_cvtepu8_epi16(_mm_loadl_epi64((const __m128i *)sm)));
        __m256i hb = _mm256_loadu_si256((const __m256i *)a[i].qh);
        __m512i sum = _mm512_setzero_si512();
        for (int g = 0; g < 4; ++g) {
            __m256i q = _mm256_loadu_si256((const __m256i *)(a[i].qs + 32 * g));
            __m512i qz = _mm512_and_si512(join(q, _mm256_srli_epi16(q, 4)), m4);
            __m512i hz = join(_mm256_srli_epi16(hb, 2 * g), _mm256_srli_epi16(hb, 2 * g + 1));
            qz = _mm512_or_si512(qz, _mm512_slli_epi16(_mm512_and_si512(hz, bit), 4));
            sum = _mm512_add_epi32(sum, k4_group_sum(qz, b[i].qs, sc16, g));
        }
        acc = _mm512_fmadd_ps(_mm512_set1_ps(pk_h2f(a[i].d) * b[i].d), _mm512_cvtepi32_ps(sum), acc);
    }
    return _mm512_reduce_add_ps(acc) + pk_hsum_ps128(accm);
}

static float dot_q6_K(size_t n, const void *w, const void *x) {
    const pk_block_q6_K *a = w;
    const pk_block_q8_K *b = x;
    __m512 acc = _mm512_setzero_ps();
    const __m256i m4 = _mm256_set1_epi8(0x0F), m2 = _mm256_set1_epi8(0x30);
    // int16 lane i of a 64-value product belongs to sub-block i / 8 (of four).
    static const int16_t lane_sub[32] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1,
                                         2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3};
    const __m512i base = _mm512_loadu_si512((const void *)lane_sub);
    for (size_t i = 0; i < n / QKK; ++i) {
        __m256i sc16y = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)a[i].scales));
        __m256i bs16 = _mm256_loadu_si256((const __m256i *)b[i].bsums);
        __m256i corr = _mm256_slli_epi32(_mm256_madd_epi16(sc16y, bs16), 5);
        __m512i sc16 = _mm512_castsi256_si512(sc16y);
        __m512i sum = _mm512_zextsi256_si512(_mm256_sub_epi32(_mm256_setzero_si256(), corr));
        const uint8_t *ql = a[i].ql, *qh = a[i].qh;
        const int8_t *y = b[i].qs;
        for (int h = 0; h < 2; ++h, ql += 64, qh += 32, y += 128) {
            __m256i l1 = _mm256_loadu_si256((const __m256i *)ql);
            __m256i l2 = _mm256_loadu_si256((const __m256i *)(ql + 32));
            __m256i hh = _mm256_loadu_si256((const __m256i *)qh);
            __m256i q0 = _mm256_or_si256(_mm256_and_si256(l1, m4), _mm256_and_si256(_mm256_slli_epi16(hh, 4), m2));
            __m256i q1 = _mm256_or_si256(_mm256_and_si256(l2, m4), _mm256_and_si256(_mm256_slli_epi16(hh, 2), m2));
            __m256i q2 = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l1, 4), m4), _mm256_and_si256(hh, m2));
            __m256i q3 = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l2, 4), m4),
                                         _mm256_and_si256(_mm256_srli_epi16(hh, 2), m2));
            __m512i s01 = _mm512_permutexvar_epi16(_mm512_add_epi16(base, _mm512_set1_epi16((short)(8 * h))), sc16);
            __m512i s23 = _mm512_permutexvar_epi16(_mm512_add_epi16(base, _mm512_set1_epi16((short)(8 * h + 4))), sc16);
            __m512i p01 = _mm512_maddubs_epi16(join(q0, q1), _mm512_loadu_si512((const void *)y));
            __m512i p23 = _mm512_maddubs_epi16(join(q2, q3), _mm512_loadu_si512((const void *)(y + 64)));
            sum = _mm512_add_epi32(sum, _mm512_madd_epi16(p01, s01));
            sum = _mm512_add_epi32(sum, _mm512_madd_epi16(p23, s23));
        }
        acc = _mm512_fmadd_ps(_mm512_set1_ps(pk_h2f(a[i].d) * b[i].d), _mm512_cvtepi32_ps(sum), acc);
    }
    return _mm512_reduce_add_ps(acc);
}

// Float rows: 2 x 16-lane accumulators, masked tail loads (no scalar remainder).
static float dot_f32(size_t n, const void *w, const void *x) {
    const float *a = w, *b = x;
    __m512 s0 = _mm512_setzero_ps(), s1 = s0;
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        s0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i), s0);
        s1 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i + 16), _mm512_loadu_ps(b + i + 16), s1);
    }
    for (; i < n; i += 16) {
        __mmask16 k = n - i >= 16 ? 0xFFFF : (__mmask16)((1u << (n - i)) - 1);
        s0 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(k, a + i), _mm512_maskz_loadu_ps(k, b + i), s0);
    }
    return _mm512_reduce_add_ps(_mm512_add_ps(s0, s1));
}

static inline __m512 f16x16(__mmask16 k, const uint16_t *p) {
    return _mm512_cvtph_ps(_mm256_maskz_loadu_epi16(k, p));
}

static inline __m512 bf16x16(__mmask16 k, const uint16_t *p) {
    return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(_mm256_maskz_loadu_epi16(k, p)), 16));
}

static float dot_f16(size_t n, const void *w, const void *x) {
    const uint16_t *a = w;
    const float *b = x;
    __m512 s0 = _mm512_setzero_ps(), s1 = s0;
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        s0 = _mm512_fmadd_ps(f16x16(0xFFFF, a + i), _mm512_loadu_ps(b + i), s0);
        s1 = _mm512_fmadd_ps(f16x16(0xFFFF, a + i + 16), _mm512_loadu_ps(b + i + 16), s1);
    }
    for (; i < n; i += 16) {
        __mmask16 k = n - i >= 16 ? 0xFFFF : (__mmask16)((1u << (n - i)) - 1);
        s0 = _mm512_fmadd_ps(f16x16(k, a + i), _mm512_maskz_loadu_ps(k, b + i), s0);
    }
    return _mm512_reduce_add_ps(_mm512_add_ps(s0, s1));
}

static float dot_bf16(size_t n, const void *w, const void *x) {
    const uint16_t *a = w;
    const float *b = x;
    __m512 s0 = _mm512_setzero_ps(), s1 = s0;
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        s0 = _mm512_fmadd_ps(bf16x16(0xFFFF, a + i), _mm512_loadu_ps(b + i), s0);
        s1 = _mm512_fmadd_ps(bf16x16(0xFFFF, a + i + 16), _mm512_loadu_ps(b + i + 16), s1);
    }
    for (; i < n; i += 16) {
        __mmask16 k = n - i >= 16 ? 0xFFFF : (__mmask16)((1u << (n - i)) - 1);
        s0 = _mm512_fmadd_ps(bf16x16(k, a + i), _mm512_maskz_loadu_ps(k, b + i), s0);
    }
    return _mm512_reduce_add_ps(_mm512_add_ps(s0, s1));
}

#pragma clang attribute pop

void pk_fill_avx512(struct pk_kernels *k) {
    k->tier = 2;
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
    k->quantize_q8_0 = pk_quantize_q8_0_avx512;
    k->quantize_q8_K = pk_quantize_q8_K_avx512;
}
