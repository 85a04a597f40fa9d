// Scalar reference dots of the IQ1/IQ2/IQ3 types against Q8_K activations, after
// ggml's generic ggml_vec_dot_iq*_q8_K: per 16 values an exact int32 sum of grid value
// * sign * activation, times the small odd integer scale, summed exactly per
// super-block; then one float step per super-block, in block order, without FMA.
// (No overflow: the largest per-block sum, IQ2's, is at most 256 * 43 * 127 * 31 < 2^31.)
// IQ1's delta term is delta * scale * (sum of the activations of its grid point), summed
// exactly beside the grid term. The groups' fields and scales: iq_groups.h.
#include "iq_groups.h"
#pragma STDC FP_CONTRACT OFF

PK_IQ_INLINE float dot_col(int t, size_t n, const void *w, const void *x) {
    const uint8_t *a = w;
    const pk_block_q8_K *b = x;
    const size_t bs = pk_type_size(t);
    const int iq1 = pk_iq_is_iq1(t);
    float sum = 0;
    for (size_t i = 0; i < n / QKK; ++i) {
        const void *blk = a + i * bs;
        const int8_t *y = b[i].qs;
        int sumi = 0, sumd = 0;
        for (int ib = 0; ib < 8; ++ib, y += 32) {
            pk_iq32 q = pk_iq_group(t, blk, ib);
            for (int h = 0; h < 2; ++h) {
                int ls = 2 * q.sc[h] + 1, s = 0, sd = 0;
                for (int v = 16 * h; v < 16 * h + 16; ++v) {
                    int neg = q.neg >> v & 1;
                    if (iq1) {
                        s += (int8_t)pk_iq_byte(t, &q, v) * y[v];
                        sd += neg ? -y[v] : y[v];
                    } else {
                        s += neg ? -pk_iq_byte(t, &q, v) * y[v] : pk_iq_byte(t, &q, v) * y[v];
                    }
                }
                sumi += ls * s;
                sumd += ls * sd;
            }
        }
        sum = pk_iq_step(t, sum, pk_iq_d(t, blk), b[i].d, sumi, sumd);
    }
    return pk_iq_factor(t) * sum;
}

/// nc columns: each its one-column dot.
PK_IQ_INLINE void dot_iq(int t, int nc, size_t n, const void *w, const void *x, size_t xs, float *out) {
    for (int c = 0; c < nc; ++c) out[c] = dot_col(t, n, w, pk_iq_column(x, xs, c));
}

PK_IQ_DOTS(dot_iq)
PK_IQ_FILL(pk_fill_ref_iq, dot_iq)
