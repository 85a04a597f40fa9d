// Engine's interim matrix-vector kernel: out[r] = dot(dequant(W[r, :]), x) for every row r.
//
// This is the one place the decode hot loop spends its time (llama2.c's `matmul`). It is a
// portable fused "dequantize a block, multiply, accumulate" for the 32-element block types,
// written plainly so -O3 can vectorize the inner loops; the Kernels module's SIMD dot
// products (pk_*) are meant to replace it behind the same call in Engine/MatMul.swift.
//
// Block layouts (ggml): every block holds 32 elements; byte j of the nibble array holds
// element j (low nibble) and element j+16 (high nibble).
//   Q4_0 (18 B): f16 d, u8 qs[16]            x = d * (q - 8)
//   Q4_1 (20 B): f16 d, f16 m, u8 qs[16]     x = d * q + m
//   Q5_0 (22 B): f16 d, u32 qh, u8 qs[16]    x = d * (q | h<<4) - 16d
//   Q5_1 (24 B): f16 d, f16 m, u32 qh, qs    x = d * (q | h<<4) + m
//   Q8_0 (34 B): f16 d, i8 qs[32]            x = d * q
#include "engine_kernels.h"
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

typedef float (*pe_dot_fn)(const unsigned char *, const float *, int);

static pe_dot_fn pe_dot_for(int type) {
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

int pe_matvec_supports(int type) { return pe_dot_for(type) != 0; }

int pe_matvec(int type, const void *w, size_t row_bytes, int rows, int cols,
              const float *x, float *out) {
    pe_dot_fn dot = pe_dot_for(type);
    if (!dot) return -1;
    const unsigned char *base = (const unsigned char *)w;
    for (int r = 0; r < rows; r++) out[r] = dot(base + (size_t)r * row_bytes, x, cols);
    return 0;
}
