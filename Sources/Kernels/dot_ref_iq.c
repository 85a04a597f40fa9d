// Scalar reference dots of the IQ1/IQ2/IQ3 types against Q8_K activations, after
// ggml's generic ggml_vec_dot_iq*_q8_K: per 32 (IQ1_M: 16) values an exact int32 sum of
// grid value * sign * activation, times the small odd integer scale, summed exactly per
// super-block; then one float step per super-block, in block order, without FMA.
// (No overflow: the largest per-block sum, IQ2's, is at most 256 * 43 * 127 * 31 < 2^31.)
//
// The scale of each type, as the dequantizers (dequant_iq.c, GGUF's Swift) write it:
//   IQ2_*:   d (0.5 + s) / 4 = d (2 s + 1) / 8   -> the dot's factor 1/8
//   IQ3_XXS: d (0.5 + s) / 2 = d (2 s + 1) / 4   -> 1/4
//   IQ3_S:   d (2 s + 1)
//   IQ1_*:   d (2 s + 1) (g + delta): the delta term is delta * scale * (sum of the
//            activations), which Q8_K's bsums give per 16 values.
#include "kernels_internal.h"
#pragma STDC FP_CONTRACT OFF

/// sum_j ±g[j] * y[j] over n (4 or 8) values: g a grid point's bytes, sign bit j of `signs`.
static inline int signed_dot(const uint8_t *g, const int8_t *y, uint8_t signs, int n) {
    int s = 0;
    for (int j = 0; j < n; ++j) s += (signs >> j & 1) ? -g[j] * y[j] : g[j] * y[j];
    return s;
}

// Per 32 values: u32 of 4 grid index bytes, u32 of 4 7-bit sign indices and the scale (bits 28-31).
static float dot_iq2_xxs(size_t n, const void *w, const void *x) {
    const pk_block_iq2_xxs *a = w;
    const pk_block_q8_K *b = x;
    float sum = 0;
    for (size_t i = 0; i < n / QKK; ++i) {
        const int8_t *y = b[i].qs;
        int bsum = 0;
        for (int ib = 0; ib < 8; ++ib) {
            uint32_t aux[2];
            memcpy(aux, a[i].qs + 4 * ib, 8);
            const uint8_t *idx = (const uint8_t *)aux;
            int sumi = 0;
            for (int l = 0; l < 4; ++l, y += 8)
                sumi += signed_dot((const uint8_t *)(iq2xxs_grid + idx[l]), y, ksigns_iq2xs[(aux[1] >> 7 * l) & 127], 8);
            bsum += sumi * (int)(2 * (aux[1] >> 28) + 1);
        }
        sum += pk_h2f(a[i].d) * b[i].d * (float)bsum;
    }
    return 0.125f * sum;
}

// u16 per 8 values: grid index (bits 0-8), sign index (bits 9-15); a scale nibble per 16.
static float dot_iq2_xs(size_t n, const void *w, const void *x) {
    const pk_block_iq2_xs *a = w;
    const pk_block_q8_K *b = x;
    float sum = 0;
    for (size_t i = 0; i < n / QKK; ++i) {
        const int8_t *y = b[i].qs;
        int bsum = 0;
        for (int k = 0; k < 32; k += 2, y += 16) {
            int ls = 2 * ((a[i].scales[k / 4] >> (4 * ((k / 2) & 1))) & 0xF) + 1;
            int sumi = 0;
            for (int l = 0; l < 2; ++l) {
                uint16_t q = a[i].qs[k + l];
                sumi += signed_dot((const uint8_t *)(iq2xs_grid + (q & 511)), y + 8 * l, ksigns_iq2xs[q >> 9], 8);
            }
            bsum += ls * sumi;
        }
        sum += pk_h2f(a[i].d) * b[i].d * (float)bsum;
    }
    return 0.125f * sum;
}

// Grid index: qs[k] | 2 bits of qh[k / 4] << 8; a sign byte per 8 values; scales as IQ2_XS.
static float dot_iq2_s(size_t n, const void *w, const void *x) {
    const pk_block_iq2_s *a = w;
    const pk_block_q8_K *b = x;
    float sum = 0;
    for (size_t i = 0; i < n / QKK; ++i) {
        const int8_t *y = b[i].qs;
        const uint8_t *signs = a[i].qs + QKK / 8;
        int bsum = 0;
        for (int k = 0; k < 32; k += 2, y += 16) {
            int ls = 2 * ((a[i].scales[k / 4] >> (4 * ((k / 2) & 1))) & 0xF) + 1;
            int sumi = 0;
            for (int l = 0; l < 2; ++l) {
                int kk = k + l;
                int idx = a[i].qs[kk] | ((a[i].qh[kk / 4] >> (2 * (kk % 4))) & 3) << 8;
                sumi += signed_dot((const uint8_t *)(iq2s_grid + idx), y + 8 * l, signs[kk], 8);
            }
            bsum += ls * sumi;
        }
        sum += pk_h2f(a[i].d) * b[i].d * (float)bsum;
    }
    return 0.125f * sum;
}

// 64 grid index bytes (4 values each), then per 32 values a u32 of 4 sign indices and the scale.
static float dot_iq3_xxs(size_t n, const void *w, const void *x) {
    const pk_block_iq3_xxs *a = w;
    const pk_block_q8_K *b = x;
    float sum = 0;
    for (size_t i = 0; i < n / QKK; ++i) {
        const int8_t *y = b[i].qs;
        const uint8_t *q3 = a[i].qs;
        int bsum = 0;
        for (int ib = 0; ib < 8; ++ib) {
            uint32_t aux;
            memcpy(&aux, a[i].qs + QKK / 4 + 4 * ib, 4);
            int sumi = 0;
            for (int l = 0; l < 4; ++l, y += 8) {
                uint8_t signs = ksigns_iq2xs[(aux >> 7 * l) & 127];
                sumi += signed_dot((const uint8_t *)(iq3xxs_grid + q3[8 * ib + 2 * l]), y, signs, 4);
                sumi += signed_dot((const uint8_t *)(iq3xxs_grid + q3[8 * ib + 2 * l + 1]), y + 4, signs >> 4, 4);
            }
            bsum += sumi * (int)(2 * (aux >> 28) + 1);
        }
        sum += pk_h2f(a[i].d) * b[i].d * (float)bsum;
    }
    return 0.25f * sum;
}

// Grid index: qs[k] | bit k % 8 of qh[k / 8] << 8 (4 values each); a sign bit per value;
// a scale nibble per 32 values.
static float dot_iq3_s(size_t n, const void *w, const void *x) {
    const pk_block_iq3_s *a = w;
    const pk_block_q8_K *b = x;
    float sum = 0;
    for (size_t i = 0; i < n / QKK; ++i) {
        const int8_t *y = b[i].qs;
        int bsum = 0;
        for (int ib = 0; ib < 8; ++ib) {
            int ls = 2 * ((a[i].scales[ib / 2] >> (4 * (ib & 1))) & 0xF) + 1;
            int sumi = 0;
            for (int k = 8 * ib; k < 8 * ib + 8; ++k, y += 4) {
                int idx = a[i].qs[k] | ((a[i].qh[k / 8] >> (k % 8)) & 1) << 8;
                sumi += signed_dot((const uint8_t *)(iq3s_grid + idx), y, (uint8_t)(a[i].signs[k / 2] >> (4 * (k & 1))), 4);
            }
            bsum += ls * sumi;
        }
        sum += pk_h2f(a[i].d) * b[i].d * (float)bsum;
    }
    return sum;
}

/// sum_j g[j] * y[j] over 8 values of an IQ1 grid point (int8 -1, 0, 1).
static inline int iq1_dot(int idx, const int8_t *y) {
    const int8_t *g = (const int8_t *)(iq1s_grid + idx);
    int s = 0;
    for (int j = 0; j < 8; ++j) s += g[j] * y[j];
    return s;
}

// Per 32 values a u16 qh: 3 index bits per grid point (bits 0-11), scale (12-14), delta sign (15).
static float dot_iq1_s(size_t n, const void *w, const void *x) {
    const pk_block_iq1_s *a = w;
    const pk_block_q8_K *b = x;
    float sum = 0;
    for (size_t i = 0; i < n / QKK; ++i) {
        const int8_t *y = b[i].qs;
        int sumi = 0, sumd = 0;
        for (int ib = 0; ib < 8; ++ib) {
            int qh = a[i].qh[ib];
            int ls = 2 * ((qh >> 12) & 7) + 1, delta = qh & 0x8000 ? -1 : 1;
            int lsum = 0;
            for (int l = 0; l < 4; ++l, y += 8) lsum += iq1_dot(a[i].qs[4 * ib + l] | ((qh >> (3 * l)) & 7) << 8, y);
            sumi += ls * lsum;
            sumd += ls * delta * (b[i].bsums[2 * ib] + b[i].bsums[2 * ib + 1]);
        }
        sum += pk_h2f(a[i].d) * b[i].d * ((float)sumi + PK_IQ1_DELTA * (float)sumd);
    }
    return sum;
}

// A nibble of qh per grid point (3 index bits, bit 3 the delta's sign); a 3-bit scale per 16 values.
static float dot_iq1_m(size_t n, const void *w, const void *x) {
    const pk_block_iq1_m *a = w;
    const pk_block_q8_K *b = x;
    float sum = 0;
    for (size_t i = 0; i < n / QKK; ++i) {
        const int8_t *y = b[i].qs;
        uint16_t sc[4];
        memcpy(sc, a[i].scales, 8);
        int sumi = 0, sumd = 0;
        for (int k = 0; k < 32; k += 2) {  // 16 values: grid points k, k + 1
            int s = k / 2, ls = 2 * ((sc[s / 4] >> (3 * (s % 4))) & 7) + 1;
            int isum = 0, dsum = 0;
            for (int l = 0; l < 2; ++l, y += 8) {
                int h = a[i].qh[(k + l) / 2] >> (4 * ((k + l) & 1));
                int ysum = 0;
                for (int j = 0; j < 8; ++j) ysum += y[j];
                isum += iq1_dot(a[i].qs[k + l] | (h & 7) << 8, y);
                dsum += h & 8 ? -ysum : ysum;
            }
            sumi += ls * isum;
            sumd += ls * dsum;
        }
        sum += pk_h2f(pk_iq1m_d(&a[i])) * b[i].d * ((float)sumi + PK_IQ1_DELTA * (float)sumd);
    }
    return sum;
}

void pk_fill_ref_iq(struct pk_kernels *k) {
    k->dot[PK_SLOT_IQ2_XXS] = dot_iq2_xxs;
    k->dot[PK_SLOT_IQ2_XS] = dot_iq2_xs;
    k->dot[PK_SLOT_IQ2_S] = dot_iq2_s;
    k->dot[PK_SLOT_IQ3_XXS] = dot_iq3_xxs;
    k->dot[PK_SLOT_IQ3_S] = dot_iq3_s;
    k->dot[PK_SLOT_IQ1_S] = dot_iq1_s;
    k->dot[PK_SLOT_IQ1_M] = dot_iq1_m;
}
