// Engine's interim matrix-vector kernel: out[r] = dot(dequant(W[r, :]), x) for every row r.
//
// This is the one place the decode hot loop spends its time (llama2.c's `matmul`): a fused
// "dequantize a block, multiply, accumulate" with float activations (so the result is the
// float dot product, as the numpy reference computes it). Scalar reference versions for
// every type; AVX2+FMA+F16C versions of F32, F16, Q4_0, Q4_1 and Q8_0, picked from the
// Kernels dispatcher's tier. The Kernels module's pk_* kernels (quantized activations)
// are the alternative behind the same call in Engine/WeightMatrix.swift.
//
// Block layouts (ggml): every block holds 32 elements; byte j of the nibble array holds
// element j (low nibble) and element j+16 (high nibble).
//   Q4_0 (18 B): f16 d, u8 qs[16]            x = d * (q - 8)
//   Q4_1 (20 B): f16 d, f16 m, u8 qs[16]     x = d * q + m
//   Q5_0 (22 B): f16 d, u32 qh, u8 qs[16]    x = d * (q | h<<4) - 16d
//   Q5_1 (24 B): f16 d, f16 m, u32 qh, qs    x = d * (q | h<<4) + m
//   Q8_0 (34 B): f16 d, i8 qs[32]            x = d * q
#include "Kernels.h"
#include <string.h>

static inline float pe_f16(const unsigned char *p) {
    uint16_t h = (uint16_t)(p[0] | (p[1] << 8));
    uint32_t sign = (uint32_t)(h & 0x8000) << 16;
    uint32_t exp = (h >> 10) & 0x1F, man = h & 0x3FF, bits;
    if (exp == 0) {
        if (man == 0) { bits = sign; }
        else {          // subnormal: renormalize
            exp = 127 - 15 + 1;
            while ((man & 0x400) == 0) { man <<= 1; exp--; }
            man &= 0x3FF;
            bits = sign | (exp << 23) | (man << 13);
        }
    } else if (exp == 31) {
        bits = sign | 0x7F800000 | (man << 13);
    } else {
        bits = sign | ((exp + 127 - 15) << 23) | (man << 13);
    }
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

static inline uint32_t pe_u32(const unsigned char *p) {
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

// One row's dot product, per type. `row` points at cols/32 blocks (or cols plain values).
static float dot_f32(const unsigned char *row, const float *x, int cols) {
    const float *w = (const float *)row;   // GGUF data is 32-byte aligned; rows of F32 are 4-aligned
    float acc[8] = {0};
    int i = 0;
    for (; i + 8 <= cols; i += 8)
        for (int k = 0; k < 8; k++) acc[k] += w[i + k] * x[i + k];
    float s = 0;
    for (; i < cols; i++) s += w[i] * x[i];
    for (int k = 0; k < 8; k++) s += acc[k];
    return s;
}

static float dot_f16(const unsigned char *row, const float *x, int cols) {
    float s = 0;
    for (int i = 0; i < cols; i++) s += pe_f16(row + 2 * i) * x[i];
    return s;
}

static float dot_bf16(const unsigned char *row, const float *x, int cols) {
    float s = 0;
    for (int i = 0; i < cols; i++) {
        uint32_t bits = (uint32_t)(row[2 * i] | (row[2 * i + 1] << 8)) << 16;
        float w; memcpy(&w, &bits, 4);
        s += w * x[i];
    }
    return s;
}

static float dot_q4_0(const unsigned char *row, const float *x, int cols) {
    float s = 0;
    for (int b = 0; b < cols / 32; b++, row += 18, x += 32) {
        const float d = pe_f16(row);
        const unsigned char *qs = row + 2;
        float a = 0;
        for (int j = 0; j < 16; j++)
            a += (float)((qs[j] & 0xF) - 8) * x[j] + (float)((qs[j] >> 4) - 8) * x[j + 16];
        s += d * a;
    }
    return s;
}

static float dot_q4_1(const unsigned char *row, const float *x, int cols) {
    float s = 0;
    for (int b = 0; b < cols / 32; b++, row += 20, x += 32) {
        const float d = pe_f16(row), m = pe_f16(row + 2);
        const unsigned char *qs = row + 4;
        float a = 0, sx = 0;
        for (int j = 0; j < 16; j++) {
            a += (float)(qs[j] & 0xF) * x[j] + (float)(qs[j] >> 4) * x[j + 16];
            sx += x[j] + x[j + 16];
        }
        s += d * a + m * sx;
    }
    return s;
}

static float dot_q5_0(const unsigned char *row, const float *x, int cols) {
    float s = 0;
    for (int b = 0; b < cols / 32; b++, row += 22, x += 32) {
        const float d = pe_f16(row);
        const uint32_t qh = pe_u32(row + 2);
        const unsigned char *qs = row + 6;
        float a = 0;
        for (int j = 0; j < 16; j++) {
            int q0 = (qs[j] & 0xF) | (int)(((qh >> j) & 1) << 4);
            int q1 = (qs[j] >> 4) | (int)(((qh >> (j + 16)) & 1) << 4);
            a += (float)(q0 - 16) * x[j] + (float)(q1 - 16) * x[j + 16];
        }
        s += d * a;
    }
    return s;
}

static float dot_q5_1(const unsigned char *row, const float *x, int cols) {
    float s = 0;
    for (int b = 0; b < cols / 32; b++, row += 24, x += 32) {
        const float d = pe_f16(row), m = pe_f16(row + 2);
        const uint32_t qh = pe_u32(row + 4);
        const unsigned char *qs = row + 8;
        float a = 0, sx = 0;
        for (int j = 0; j < 16; j++) {
            int q0 = (qs[j] & 0xF) | (int)(((qh >> j) & 1) << 4);
            int q1 = (qs[j] >> 4) | (int)(((qh >> (j + 16)) & 1) << 4);
            a += (float)q0 * x[j] + (float)q1 * x[j + 16];
            sx += x[j] + x[j + 16];
        }
        s += d * a + m * sx;
    }
    return s;
}

static float dot_q8_0(const unsigned char *row, const float *x, int cols) {
    float s = 0;
    for (int b = 0; b < cols / 32; b++, row += 34, x += 32) {
        const float d = pe_f16(row);
        const signed char *qs = (const signed char *)(row + 2);
        float a = 0;
        for (int j = 0; j < 32; j++) a += (float)qs[j] * x[j];
        s += d * a;
    }
    return s;
}

// ---- AVX2 + FMA + F16C tier: same math, 8 lanes; used when the dispatcher's tier >= 1.
#if defined(__x86_64__)
#include <immintrin.h>
#define PE_AVX2 __attribute__((target("avx2,fma,f16c")))

PE_AVX2 static inline float hsum256(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

PE_AVX2 static inline float f16_avx2(const unsigned char *p) {
    uint16_t h; memcpy(&h, p, 2);
    return _cvtsh_ss(h);
}

// 16 bytes of nibbles -> sum over 32 elements of q * x (q unsigned 0..15), and sum of x.
PE_AVX2 static inline __m256 nibble_dot(const unsigned char *qs, const float *x, __m256 *sumx) {
    const __m128i q = _mm_loadu_si128((const __m128i *)qs);
    const __m128i mask = _mm_set1_epi8(0xF);
    const __m128i lo = _mm_and_si128(q, mask), hi = _mm_and_si128(_mm_srli_epi16(q, 4), mask);
    const __m256 x0 = _mm256_loadu_ps(x), x1 = _mm256_loadu_ps(x + 8);
    const __m256 x2 = _mm256_loadu_ps(x + 16), x3 = _mm256_loadu_ps(x + 24);
    __m256 s = _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(lo)), x0);
    s = _mm256_fmadd_ps(_mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_srli_si128(lo, 8))), x1, s);
    s = _mm256_fmadd_ps(_mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(hi)), x2, s);
    s = _mm256_fmadd_ps(_mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_srli_si128(hi, 8))), x3, s);
    *sumx = _mm256_add_ps(_mm256_add_ps(x0, x1), _mm256_add_ps(x2, x3));
    return s;
}

PE_AVX2 static float dot_q4_0_avx2(const unsigned char *row, const float *x, int cols) {
    __m256 acc = _mm256_setzero_ps();
    for (int b = 0; b < cols / 32; b++, row += 18, x += 32) {
        const float d = f16_avx2(row);
        __m256 sx;
        const __m256 s = nibble_dot(row + 2, x, &sx);
        acc = _mm256_fmadd_ps(_mm256_set1_ps(d), s, acc);          // d * sum q x
        acc = _mm256_fmadd_ps(_mm256_set1_ps(-8 * d), sx, acc);    // - 8d * sum x
    }
    return hsum256(acc);
}

PE_AVX2 static float dot_q4_1_avx2(const unsigned char *row, const float *x, int cols) {
    __m256 acc = _mm256_setzero_ps();
    for (int b = 0; b < cols / 32; b++, row += 20, x += 32) {
        const float d = f16_avx2(row), m = f16_avx2(row + 2);
        __m256 sx;
        const __m256 s = nibble_dot(row + 4, x, &sx);
        acc = _mm256_fmadd_ps(_mm256_set1_ps(d), s, acc);
        acc = _mm256_fmadd_ps(_mm256_set1_ps(m), sx, acc);
    }
    return hsum256(acc);
}

PE_AVX2 static float dot_q8_0_avx2(const unsigned char *row, const float *x, int cols) {
    __m256 acc = _mm256_setzero_ps();
    for (int b = 0; b < cols / 32; b++, row += 34, x += 32) {
        const float d = f16_avx2(row);
        const __m128i q0 = _mm_loadu_si128((const __m128i *)(row + 2));
        const __m128i q1 = _mm_loadu_si128((const __m128i *)(row + 18));
        __m256 s = _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(q0)), _mm256_loadu_ps(x));
        s = _mm256_fmadd_ps(_mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_srli_si128(q0, 8))), _mm256_loadu_ps(x + 8), s);
        s = _mm256_fmadd_ps(_mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(q1)), _mm256_loadu_ps(x + 16), s);
        s = _mm256_fmadd_ps(_mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_srli_si128(q1, 8))), _mm256_loadu_ps(x + 24), s);
        acc = _mm256_fmadd_ps(_mm256_set1_ps(d), s, acc);
    }
    return hsum256(acc);
}

PE_AVX2 static float dot_f32_avx2(const unsigned char *row, const float *x, int cols) {
    const float *w = (const float *)row;
    __m256 acc = _mm256_setzero_ps();
    int i = 0;
    for (; i + 8 <= cols; i += 8) acc = _mm256_fmadd_ps(_mm256_loadu_ps(w + i), _mm256_loadu_ps(x + i), acc);
    float s = hsum256(acc);
    for (; i < cols; i++) s += w[i] * x[i];
    return s;
}

PE_AVX2 static float dot_f16_avx2(const unsigned char *row, const float *x, int cols) {
    __m256 acc = _mm256_setzero_ps();
    int i = 0;
    for (; i + 8 <= cols; i += 8) {
        const __m256 w = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(row + 2 * i)));
        acc = _mm256_fmadd_ps(w, _mm256_loadu_ps(x + i), acc);
    }
    float s = hsum256(acc);
    for (; i < cols; i++) s += pe_f16(row + 2 * i) * x[i];
    return s;
}
#endif

typedef float (*pe_dot_fn)(const unsigned char *, const float *, int);

/// The dot product of `type` for `tier` (0 scalar, >= 1 AVX2 where written; falls back to
/// scalar for types without an AVX2 version).
static pe_dot_fn pe_dot_for_tier(int tier, int type) {
#if defined(__x86_64__)
    if (tier >= 1) {
        switch (type) {
        case 0: return dot_f32_avx2;
        case 1: return dot_f16_avx2;
        case 2: return dot_q4_0_avx2;
        case 3: return dot_q4_1_avx2;
        case 8: return dot_q8_0_avx2;
        default: break;
        }
    }
#else
    (void)tier;
#endif
    switch (type) {
    case 0: return dot_f32;
    case 1: return dot_f16;
    case 2: return dot_q4_0;
    case 3: return dot_q4_1;
    case 6: return dot_q5_0;
    case 7: return dot_q5_1;
    case 8: return dot_q8_0;
    case 30: return dot_bf16;
    default: return 0;
    }
}

int pe_matvec_supports(int type) { return pe_dot_for_tier(0, type) != 0; }

int pe_matvec(int type, const void *w, size_t row_bytes, int rows, int cols,
              const float *x, float *out) {
    return pe_matvec_tier(pk_active_tier(), type, w, row_bytes, rows, cols, x, out);
}

int pe_matvec_tier(int tier, int type, const void *w, size_t row_bytes, int rows, int cols,
                   const float *x, float *out) {
    pe_dot_fn dot = pe_dot_for_tier(tier, type);
    if (!dot) return -1;
    const unsigned char *base = (const unsigned char *)w;
    for (int r = 0; r < rows; r++) out[r] = dot(base + (size_t)r * row_bytes, x, cols);
    return 0;
}
