// Scalar dequantization of the IQ1/IQ2/IQ3 types (the prefill path's float tiles), with
// the float operations and their order of gguf-py's numpy dequantizer (and GGUF's Swift
// one), so all three agree bit for bit: IQ2/IQ3 x = ±(scale * g), IQ1
// x = scale * (g + delta), scale = pk_iq_scale(d, sc). Fields: iq_groups.h.
#include "iq_groups.h"
#pragma STDC FP_CONTRACT OFF

PK_IQ_INLINE void deq_iq(int t, const void *src, float *y, size_t nb) {
    const size_t bs = pk_type_size(t);
    for (size_t i = 0; i < nb; ++i) {
        const void *blk = (const uint8_t *)src + i * bs;
        float d = pk_iq_d(t, blk);
        for (int ib = 0; ib < 8; ++ib, y += 32) {
            pk_iq32 q = pk_iq_group(t, blk, ib);
            for (int v = 0; v < 32; ++v) {
                float db = pk_iq_scale(t, d, q.sc[v / 16]);
                int neg = q.neg >> v & 1;
                if (pk_iq_is_iq1(t)) {
                    y[v] = db * ((float)(int8_t)pk_iq_byte(t, &q, v) + (neg ? -PK_IQ1_DELTA : PK_IQ1_DELTA));
                } else {
                    float x = db * (float)pk_iq_byte(t, &q, v);
                    y[v] = neg ? -x : x;
                }
            }
        }
    }
}

int pk_dequantize_iq(int t, const void *src, float *dst, size_t nb) {
    switch (t) {
    case PK_IQ2_XXS: deq_iq(PK_IQ2_XXS, src, dst, nb); break;
    case PK_IQ2_XS: deq_iq(PK_IQ2_XS, src, dst, nb); break;
    case PK_IQ2_S: deq_iq(PK_IQ2_S, src, dst, nb); break;
    case PK_IQ3_XXS: deq_iq(PK_IQ3_XXS, src, dst, nb); break;
    case PK_IQ3_S: deq_iq(PK_IQ3_S, src, dst, nb); break;
    case PK_IQ1_S: deq_iq(PK_IQ1_S, src, dst, nb); break;
    case PK_IQ1_M: deq_iq(PK_IQ1_M, src, dst, nb); break;
    default: return PK_EBADTYPE;
    }
    return PK_OK;
}
