// Scalar reference dot products: weight row (ggml layout) x quantized activations.
// Per block the integer part is exact (int32, no overflow: the largest, Q5_K, is at
// most 8 * 63 * 32 * 31 * 127 < 2^31); the block results are combined in float, in
// block order, without FMA. The SIMD tiers must give the same integer block sums; their
// float combination differs only in summation order (tolerance in the tests).
#include "kernels_internal.h"
#pragma STDC FP_CONTRACT OFF


static float dot_q4_0(size_t n, const void *w, const void *x) {
    const pk_block_q4_0 *a = w;
    const pk_block_q8_0 *b = x;
    float sum = 0;
    for (size_t i = 0; i < n / QK; ++i) {
        int isum = 0;
        for (int j = 0; j < QK / 2; ++j)
            isum += ((a[i].qs[j] & 0xF) - 8) * b[i].qs[j] + ((a[i].qs[j] >> 4) - 8) * b[i].qs[j + 16];
        sum += pk_h2f(a[i].d) * pk_h2f(b[i].d) * (float)isum;
    }
    return sum;
}

// Q4_1/Q5_1: sum over blocks of d*dy * q.y + m * s, s = dy * sum(y) from the
// activations' side array (kernels_internal.h).
static float dot_q4_1(size_t n, const void *w, const void *x) {
    const pk_block_q4_1 *a = w;
    const pk_block_q8_0 *b = x;
    const float *dy = pk_q8_dy(x, n / QK), *ys = pk_q8_s(x, n / QK);
    float sum = 0;
    for (size_t i = 0; i < n / QK; ++i) {
        int isum = 0;
        for (int j = 0; j < QK / 2; ++j)
            isum += (a[i].qs[j] & 0xF) * b[i].qs[j] + (a[i].qs[j] >> 4) * b[i].qs[j + 16];
        sum += pk_h2f(a[i].d) * dy[i] * (float)isum + pk_h2f(a[i].m) * ys[i];
    }
    return sum;
}

static float dot_q5_0(size_t n, const void *w, const void *x) {
    const pk_block_q5_0 *a = w;
    const pk_block_q8_0 *b = x;
    float sum = 0;
    for (size_t i = 0; i < n / QK; ++i) {
        uint32_t qh = pk_load_u32(a[i].qh);
        int isum = 0;
        for (int j = 0; j < QK / 2; ++j) {
            int lo = ((a[i].qs[j] & 0xF) | (int)((qh >> j) & 1) << 4) - 16;
            int hi = ((a[i].qs[j] >> 4) | (int)((qh >> (j + 16)) & 1) << 4) - 16;
            isum += lo * b[i].qs[j] + hi * b[i].qs[j + 16];
        }
        sum += pk_h2f(a[i].d) * pk_h2f(b[i].d) * (float)isum;
    }
    return sum;
}

static float dot_q5_1(size_t n, const void *w, const void *x) {
    const pk_block_q5_1 *a = w;
    const pk_block_q8_0 *b = x;
    const float *dy = pk_q8_dy(x, n / QK), *ys = pk_q8_s(x, n / QK);
    float sum = 0;
    for (size_t i = 0; i < n / QK; ++i) {
        uint32_t qh = pk_load_u32(a[i].qh);
        int isum = 0;
        for (int j = 0; j < QK / 2; ++j) {
            int lo = (a[i].qs[j] & 0xF) | (int)((qh >> j) & 1) << 4;
            int hi = (a[i].qs[j] >> 4) | (int)((qh >> (j + 16)) & 1) << 4;
            isum += lo * b[i].qs[j] + hi * b[i].qs[j + 16];
        }
        sum += pk_h2f(a[i].d) * dy[i] * (float)isum + pk_h2f(a[i].m) * ys[i];
    }
    return sum;
}

static float dot_q8_0(size_t n, const void *w, const void *x) {
    const pk_block_q8_0 *a = w;
    const pk_block_q8_0 *b = x;
    float sum = 0;
    for (size_t i = 0; i < n / QK; ++i) {
        int isum = 0;
        for (int j = 0; j < QK; ++j) isum += a[i].qs[j] * b[i].qs[j];
        sum += pk_h2f(a[i].d) * pk_h2f(b[i].d) * (float)isum;
    }
    return sum;
}

// Q4_K / Q5_K: sum over blocks of d*y.d * sum_s sc[s] * (q . y)_s
//                                 - dmin*y.d * sum_s m[s] * (bsums[2s] + bsums[2s+1]).
static float dot_q4_K(size_t n, const void *w, const void *x) {
    const pk_block_q4_K *a = w;
    const pk_block_q8_K *b = x;
    float sum = 0;
    for (size_t i = 0; i < n / QKK; ++i) {
        uint8_t sc[8], m[8];
        pk_unpack_scales_k4(a[i].scales, sc, m);
        int isum = 0, msum = 0;
        const int8_t *y = b[i].qs;
        for (int g = 0; g < 4; ++g) {
            const uint8_t *q = a[i].qs + 32 * g;
            int s1 = 0, s2 = 0;
            for (int l = 0; l < 32; ++l) {
                s1 += (q[l] & 0xF) * y[64 * g + l];
                s2 += (q[l] >> 4) * y[64 * g + 32 + l];
            }
            isum += sc[2 * g] * s1 + sc[2 * g + 1] * s2;
        }
        for (int s = 0; s < 8; ++s) msum += m[s] * (b[i].bsums[2 * s] + b[i].bsums[2 * s + 1]);
        sum += pk_h2f(a[i].d) * b[i].d * (float)isum - pk_h2f(a[i].dmin) * b[i].d * (float)msum;
    }
    return sum;
}

static float dot_q5_K(size_t n, const void *w, const void *x) {
    const pk_block_q5_K *a = w;
    const pk_block_q8_K *b = x;
    float sum = 0;
    for (size_t i = 0; i < n / QKK; ++i) {
        uint8_t sc[8], m[8];
        pk_unpack_scales_k4(a[i].scales, sc, m);
        int isum = 0, msum = 0;
        const int8_t *y = b[i].qs;
        const uint8_t *qh = a[i].qh;
        for (int g = 0; g < 4; ++g) {
            const uint8_t *q = a[i].qs + 32 * g;
            int s1 = 0, s2 = 0;
            for (int l = 0; l < 32; ++l) {
                s1 += ((q[l] & 0xF) | ((qh[l] >> (2 * g)) & 1) << 4) * y[64 * g + l];
                s2 += ((q[l] >> 4) | ((qh[l] >> (2 * g + 1)) & 1) << 4) * y[64 * g + 32 + l];
            }
            isum += sc[2 * g] * s1 + sc[2 * g + 1] * s2;
        }
        for (int s = 0; s < 8; ++s) msum += m[s] * (b[i].bsums[2 * s] + b[i].bsums[2 * s + 1]);
        sum += pk_h2f(a[i].d) * b[i].d * (float)isum - pk_h2f(a[i].dmin) * b[i].d * (float)msum;
    }
    return sum;
}

// Q6_K: sum over blocks of d*y.d * sum_j scales[j] * ((q - 32) . y) over sub-block j of 16.
static float dot_q6_K(size_t n, const void *w, const void *x) {
    const pk_block_q6_K *a = w;
    const pk_block_q8_K *b = x;
    float sum = 0;
    for (size_t i = 0; i < n / QKK; ++i) {
        int8_t q[QKK];
        const uint8_t *ql = a[i].ql, *qh = a[i].qh;
        for (int h = 0; h < 2; ++h, ql += 64, qh += 32) {
            int8_t *o = q + 128 * h;
            for (int l = 0; l < 32; ++l) {
                o[l] = (int8_t)(((ql[l] & 0xF) | ((qh[l] >> 0) & 3) << 4) - 32);
                o[l + 32] = (int8_t)(((ql[l + 32] & 0xF) | ((qh[l] >> 2) & 3) << 4) - 32);
                o[l + 64] = (int8_t)(((ql[l] >> 4) | ((qh[l] >> 4) & 3) << 4) - 32);
                o[l + 96] = (int8_t)(((ql[l + 32] >> 4) | ((qh[l] >> 6) & 3) << 4) - 32);
            }
        }
        int isum = 0;
        for (int j = 0; j < 16; ++j) {
            int s = 0;
            for (int l = 0; l < 16; ++l) s += q[16 * j + l] * b[i].qs[16 * j + l];
            isum += a[i].scales[j] * s;
        }
        sum += pk_h2f(a[i].d) * b[i].d * (float)isum;
    }
    return sum;
}

// Float rows: accumulated in double (the reference is more exact than the SIMD tiers).
static float dot_f32(size_t n, const void *w, const void *x) {
    const float *a = w, *b = x;
    double s = 0;
    for (size_t i = 0; i < n; ++i) s += (double)a[i] * (double)b[i];
    return (float)s;
}

static float dot_f16(size_t n, const void *w, const void *x) {
    const uint16_t *a = w;
    const float *b = x;
    double s = 0;
    for (size_t i = 0; i < n; ++i) s += (double)pk_fp16_to_fp32(a[i]) * (double)b[i];
    return (float)s;
}

static float dot_bf16(size_t n, const void *w, const void *x) {
    const uint16_t *a = w;
    const float *b = x;
    double s = 0;
    for (size_t i = 0; i < n; ++i) {
        uint32_t bits = (uint32_t)a[i] << 16;
        float f;
        memcpy(&f, &bits, 4);
        s += (double)f * (double)b[i];
    }
    return (float)s;
}

void pk_fill_ref(struct pk_kernels *k) {
    k->tier = 0;
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
    pk_fill_ref_iq(k);
    k->quantize_q8_0 = pk_quantize_q8_0_ref;
    k->quantize_q8_K = pk_quantize_q8_K_ref;
}
