// Small row operations of a llama forward pass: RMSNorm (scalar only: one short row per
// layer), and the scalar references of softmax and SwiGLU (SIMD in ops_simd.c). Sums
// are taken in double.
#include "kernels_internal.h"
#include <float.h>
#include <math.h>

void pk_rmsnorm(const float *x, const float *w, float *out, size_t n, float eps) {
    double ss = 0;
    for (size_t i = 0; i < n; ++i) ss += (double)x[i] * (double)x[i];
    float scale = (float)(1.0 / sqrt(ss / (double)n + (double)eps));
    for (size_t i = 0; i < n; ++i) out[i] = x[i] * scale * (w ? w[i] : 1.0f);
}

void pk_softmax_ref(float *x, size_t n) {
    if (n == 0) return;
    float max = x[0];
    for (size_t i = 1; i < n; ++i) if (x[i] > max) max = x[i];
    double sum = 0;
    for (size_t i = 0; i < n; ++i) {
        x[i] = expf(x[i] - max);
        sum += x[i];
    }
    float inv = (float)(1.0 / sum);
    for (size_t i = 0; i < n; ++i) {
        float p = x[i] * inv;
        x[i] = p >= FLT_MIN ? p : 0;  // no subnormals (Kernels.h)
    }
}

void pk_swiglu_ref(float *gate, const float *up, size_t n) {
    for (size_t i = 0; i < n; ++i) {
        float g = gate[i];
        gate[i] = g / (1.0f + expf(-g)) * up[i];
    }
}

void pk_softmax_tier(int tier, float *x, size_t n) { pk_kernels_for_tier(tier)->softmax(x, n); }
void pk_softmax(float *x, size_t n) { pk_softmax_tier(pk_active_tier(), x, n); }
void pk_swiglu_tier(int tier, float *gate, const float *up, size_t n) {
    pk_kernels_for_tier(tier)->swiglu(gate, up, n);
}
void pk_swiglu(float *gate, const float *up, size_t n) { pk_swiglu_tier(pk_active_tier(), gate, up, n); }
