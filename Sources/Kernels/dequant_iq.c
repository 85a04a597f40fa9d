// Scalar dequantization of the IQ1/IQ2/IQ3 types (the prefill path's float tiles), with
// the float operations and their order of gguf-py's numpy dequantizer (and GGUF's Swift
// one), so all three agree bit for bit: IQ2/IQ3 x = ±((d * scale) * g), IQ1
// x = (d * scale) * (g + delta). Field meanings: dot_ref_iq.c.
#include "kernels_internal.h"
#pragma STDC FP_CONTRACT OFF

/// Writes n (4 or 8) values ±(db * g[j]), sign bit j of `signs`.
static inline void put_signed(float *y, float db, const uint8_t *g, uint8_t signs, int n) {
    for (int j = 0; j < n; ++j) {
        float v = db * (float)g[j];
        y[j] = (signs >> j & 1) ? -v : v;
    }
}

static void deq_iq2_xxs(const pk_block_iq2_xxs *b, float *y, size_t nb) {
    for (size_t i = 0; i < nb; ++i) {
        float d = pk_h2f(b[i].d);
        for (int ib = 0; ib < 8; ++ib) {
            uint32_t aux[2];
            memcpy(aux, b[i].qs + 4 * ib, 8);
            float db = d * (0.5f + (float)(aux[1] >> 28)) * 0.25f;
            for (int l = 0; l < 4; ++l, y += 8)
                put_signed(y, db, (const uint8_t *)(iq2xxs_grid + ((aux[0] >> 8 * l) & 0xFF)),
                           ksigns_iq2xs[(aux[1] >> 7 * l) & 127], 8);
        }
    }
}

static void deq_iq2_xs(const pk_block_iq2_xs *b, float *y, size_t nb) {
    for (size_t i = 0; i < nb; ++i) {
        float d = pk_h2f(b[i].d);
        for (int k = 0; k < 32; ++k, y += 8) {
            float db = d * (0.5f + (float)((b[i].scales[k / 4] >> (4 * ((k / 2) & 1))) & 0xF)) * 0.25f;
            uint16_t q = b[i].qs[k];
            put_signed(y, db, (const uint8_t *)(iq2xs_grid + (q & 511)), ksigns_iq2xs[q >> 9], 8);
        }
    }
}

static void deq_iq2_s(const pk_block_iq2_s *b, float *y, size_t nb) {
    for (size_t i = 0; i < nb; ++i) {
        float d = pk_h2f(b[i].d);
        for (int k = 0; k < 32; ++k, y += 8) {
            float db = d * (0.5f + (float)((b[i].scales[k / 4] >> (4 * ((k / 2) & 1))) & 0xF)) * 0.25f;
            int idx = b[i].qs[k] | ((b[i].qh[k / 4] >> (2 * (k % 4))) & 3) << 8;
            put_signed(y, db, (const uint8_t *)(iq2s_grid + idx), b[i].qs[QKK / 8 + k], 8);
        }
    }
}

static void deq_iq3_xxs(const pk_block_iq3_xxs *b, float *y, size_t nb) {
    for (size_t i = 0; i < nb; ++i) {
        float d = pk_h2f(b[i].d);
        for (int ib = 0; ib < 8; ++ib) {
            uint32_t aux;
            memcpy(&aux, b[i].qs + QKK / 4 + 4 * ib, 4);
            float db = d * (0.5f + (float)(aux >> 28)) * 0.5f;
            for (int l = 0; l < 4; ++l, y += 8) {
                uint8_t signs = ksigns_iq2xs[(aux >> 7 * l) & 127];
                put_signed(y, db, (const uint8_t *)(iq3xxs_grid + b[i].qs[8 * ib + 2 * l]), signs, 4);
                put_signed(y + 4, db, (const uint8_t *)(iq3xxs_grid + b[i].qs[8 * ib + 2 * l + 1]), signs >> 4, 4);
            }
        }
    }
}

static void deq_iq3_s(const pk_block_iq3_s *b, float *y, size_t nb) {
    for (size_t i = 0; i < nb; ++i) {
        float d = pk_h2f(b[i].d);
        for (int ib = 0; ib < 8; ++ib) {
            float db = d * (float)(1 + 2 * ((b[i].scales[ib / 2] >> (4 * (ib & 1))) & 0xF));
            for (int k = 8 * ib; k < 8 * ib + 8; ++k, y += 4) {
                int idx = b[i].qs[k] | ((b[i].qh[k / 8] >> (k % 8)) & 1) << 8;
                put_signed(y, db, (const uint8_t *)(iq3s_grid + idx), (uint8_t)(b[i].signs[k / 2] >> (4 * (k & 1))), 4);
            }
        }
    }
}

/// Writes 8 values dl * (g[j] + delta) of IQ1 grid point idx.
static inline void put_iq1(float *y, float dl, int idx, float delta) {
    const int8_t *g = (const int8_t *)(iq1s_grid + idx);
    for (int j = 0; j < 8; ++j) y[j] = dl * ((float)g[j] + delta);
}

static void deq_iq1_s(const pk_block_iq1_s *b, float *y, size_t nb) {
    for (size_t i = 0; i < nb; ++i) {
        float d = pk_h2f(b[i].d);
        for (int ib = 0; ib < 8; ++ib) {
            int qh = b[i].qh[ib];
            float dl = d * (float)(2 * ((qh >> 12) & 7) + 1);
            float delta = qh & 0x8000 ? -PK_IQ1_DELTA : PK_IQ1_DELTA;
            for (int l = 0; l < 4; ++l, y += 8) put_iq1(y, dl, b[i].qs[4 * ib + l] | ((qh >> (3 * l)) & 7) << 8, delta);
        }
    }
}

static void deq_iq1_m(const pk_block_iq1_m *b, float *y, size_t nb) {
    for (size_t i = 0; i < nb; ++i) {
        float d = pk_h2f(pk_iq1m_d(&b[i]));
        uint16_t sc[4];
        memcpy(sc, b[i].scales, 8);
        for (int k = 0; k < 32; ++k, y += 8) {
            int s = k / 2;
            float dl = d * (float)(2 * ((sc[s / 4] >> (3 * (s % 4))) & 7) + 1);
            int h = b[i].qh[k / 2] >> (4 * (k & 1));
            put_iq1(y, dl, b[i].qs[k] | (h & 7) << 8, h & 8 ? -PK_IQ1_DELTA : PK_IQ1_DELTA);
        }
    }
}

int pk_dequantize_iq(int t, const void *src, float *dst, size_t nb) {
    switch (t) {
    case PK_IQ2_XXS: deq_iq2_xxs(src, dst, nb); break;
    case PK_IQ2_XS: deq_iq2_xs(src, dst, nb); break;
    case PK_IQ2_S: deq_iq2_s(src, dst, nb); break;
    case PK_IQ3_XXS: deq_iq3_xxs(src, dst, nb); break;
    case PK_IQ3_S: deq_iq3_s(src, dst, nb); break;
    case PK_IQ1_S: deq_iq1_s(src, dst, nb); break;
    case PK_IQ1_M: deq_iq1_m(src, dst, nb); break;
    default: return PK_EBADTYPE;
    }
    return PK_OK;
}
