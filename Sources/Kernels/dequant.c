// Scalar reference dequantization, one function per type. The float operations and
// their order follow ggml's reference (and gguf-py's numpy) so the results agree bit
// for bit: products are rounded to float before a min is added (no FMA contraction).
#include "kernels_internal.h"
#pragma STDC FP_CONTRACT OFF

static void deq_q4_0(const pk_block_q4_0 *b, float *y, size_t nb) {
    for (size_t i = 0; i < nb; ++i, y += QK) {
        float d = pk_h2f(b[i].d);
        for (int j = 0; j < QK / 2; ++j) {
            y[j] = d * (float)((b[i].qs[j] & 0xF) - 8);
            y[j + QK / 2] = d * (float)((b[i].qs[j] >> 4) - 8);
        }
    }
}

static void deq_q4_1(const pk_block_q4_1 *b, float *y, size_t nb) {
    for (size_t i = 0; i < nb; ++i, y += QK) {
        float d = pk_h2f(b[i].d), m = pk_h2f(b[i].m);
        for (int j = 0; j < QK / 2; ++j) {
            y[j] = d * (float)(b[i].qs[j] & 0xF) + m;
            y[j + QK / 2] = d * (float)(b[i].qs[j] >> 4) + m;
        }
    }
}

static void deq_q5_0(const pk_block_q5_0 *b, float *y, size_t nb) {
    for (size_t i = 0; i < nb; ++i, y += QK) {
        float d = pk_h2f(b[i].d);
        uint32_t qh = pk_load_u32(b[i].qh);
        for (int j = 0; j < QK / 2; ++j) {
            int lo = (b[i].qs[j] & 0xF) | (int)((qh >> j) & 1) << 4;
            int hi = (b[i].qs[j] >> 4) | (int)((qh >> (j + 16)) & 1) << 4;
            y[j] = d * (float)(lo - 16);
            y[j + QK / 2] = d * (float)(hi - 16);
        }
    }
}

static void deq_q5_1(const pk_block_q5_1 *b, float *y, size_t nb) {
    for (size_t i = 0; i < nb; ++i, y += QK) {
        float d = pk_h2f(b[i].d), m = pk_h2f(b[i].m);
        uint32_t qh = pk_load_u32(b[i].qh);
        for (int j = 0; j < QK / 2; ++j) {
            int lo = (b[i].qs[j] & 0xF) | (int)((qh >> j) & 1) << 4;
            int hi = (b[i].qs[j] >> 4) | (int)((qh >> (j + 16)) & 1) << 4;
            y[j] = d * (float)lo + m;
            y[j + QK / 2] = d * (float)hi + m;
        }
    }
}

static void deq_q8_0(const pk_block_q8_0 *b, float *y, size_t nb) {
    for (size_t i = 0; i < nb; ++i, y += QK) {
        float d = pk_h2f(b[i].d);
        for (int j = 0; j < QK; ++j) y[j] = d * (float)b[i].qs[j];
    }
}

static void deq_q8_1(const pk_block_q8_1 *b, float *y, size_t nb) {
    for (size_t i = 0; i < nb; ++i, y += QK) {
        float d = pk_h2f(b[i].d);
        for (int j = 0; j < QK; ++j) y[j] = d * (float)b[i].qs[j];
    }
}

static void deq_q4_K(const pk_block_q4_K *b, float *y, size_t nb) {
    for (size_t i = 0; i < nb; ++i) {
        float d = pk_h2f(b[i].d), dmin = pk_h2f(b[i].dmin);
        uint8_t sc[8], m[8];
        pk_unpack_scales_k4(b[i].scales, sc, m);
        const uint8_t *q = b[i].qs;
        for (int g = 0; g < 4; ++g, q += 32) {
            float d1 = d * (float)sc[2 * g], m1 = dmin * (float)m[2 * g];
            float d2 = d * (float)sc[2 * g + 1], m2 = dmin * (float)m[2 * g + 1];
            for (int l = 0; l < 32; ++l) *y++ = d1 * (float)(q[l] & 0xF) - m1;
            for (int l = 0; l < 32; ++l) *y++ = d2 * (float)(q[l] >> 4) - m2;
        }
    }
}

static void deq_q5_K(const pk_block_q5_K *b, float *y, size_t nb) {
    for (size_t i = 0; i < nb; ++i) {
        float d = pk_h2f(b[i].d), dmin = pk_h2f(b[i].dmin);
        uint8_t sc[8], m[8];
        pk_unpack_scales_k4(b[i].scales, sc, m);
        const uint8_t *q = b[i].qs, *qh = b[i].qh;
        for (int g = 0; g < 4; ++g, q += 32) {
            int s1 = 2 * g, s2 = 2 * g + 1;
            float d1 = d * (float)sc[s1], m1 = dmin * (float)m[s1];
            float d2 = d * (float)sc[s2], m2 = dmin * (float)m[s2];
            for (int l = 0; l < 32; ++l)
                *y++ = d1 * (float)((q[l] & 0xF) | ((qh[l] >> s1) & 1) << 4) - m1;
            for (int l = 0; l < 32; ++l)
                *y++ = d2 * (float)((q[l] >> 4) | ((qh[l] >> s2) & 1) << 4) - m2;
        }
    }
}

static void deq_q6_K(const pk_block_q6_K *b, float *y, size_t nb) {
    for (size_t i = 0; i < nb; ++i) {
        float d = pk_h2f(b[i].d);
        const uint8_t *ql = b[i].ql, *qh = b[i].qh;
        const int8_t *sc = b[i].scales;
        for (int h = 0; h < 2; ++h, ql += 64, qh += 32, sc += 8, y += 128) {
            for (int l = 0; l < 32; ++l) {
                int is = l / 16;
                int q1 = ((ql[l] & 0xF) | ((qh[l] >> 0) & 3) << 4) - 32;
                int q2 = ((ql[l + 32] & 0xF) | ((qh[l] >> 2) & 3) << 4) - 32;
                int q3 = ((ql[l] >> 4) | ((qh[l] >> 4) & 3) << 4) - 32;
                int q4 = ((ql[l + 32] >> 4) | ((qh[l] >> 6) & 3) << 4) - 32;
                y[l] = d * (float)sc[is] * (float)q1;
                y[l + 32] = d * (float)sc[is + 2] * (float)q2;
                y[l + 64] = d * (float)sc[is + 4] * (float)q3;
                y[l + 96] = d * (float)sc[is + 6] * (float)q4;
            }
        }
    }
}

static void deq_q8_K(const pk_block_q8_K *b, float *y, size_t nb) {
    for (size_t i = 0; i < nb; ++i, y += QKK)
        for (int j = 0; j < QKK; ++j) y[j] = b[i].d * (float)b[i].qs[j];
}

int pk_dequantize_row(int t, const void *src, float *dst, size_t n) {
    size_t bs = pk_block_size(t);
    if (bs == 0) return PK_EBADTYPE;
    if (n % bs != 0) return PK_EBADSHAPE;
    size_t nb = n / bs;
    switch (t) {
    case PK_F32: memcpy(dst, src, n * sizeof(float)); break;
    case PK_F16: pk_fp16_to_fp32_row(src, dst, n); break;
    case PK_BF16: {
        const uint16_t *s = src;
        for (size_t i = 0; i < n; ++i) {
            uint32_t bits = (uint32_t)s[i] << 16;
            memcpy(&dst[i], &bits, 4);
        }
        break;
    }
    case PK_Q4_0: deq_q4_0(src, dst, nb); break;
    case PK_Q4_1: deq_q4_1(src, dst, nb); break;
    case PK_Q5_0: deq_q5_0(src, dst, nb); break;
    case PK_Q5_1: deq_q5_1(src, dst, nb); break;
    case PK_Q8_0: deq_q8_0(src, dst, nb); break;
    case PK_Q8_1: deq_q8_1(src, dst, nb); break;
    case PK_Q4_K: deq_q4_K(src, dst, nb); break;
    case PK_Q5_K: deq_q5_K(src, dst, nb); break;
    case PK_Q6_K: deq_q6_K(src, dst, nb); break;
    case PK_Q8_K: deq_q8_K(src, dst, nb); break;
    default: return pk_dequantize_iq(t, src, dst, nb);
    }
    return PK_OK;
}
