// The IQ one-row dot kernels against llama.cpp's, from cache, in one process: each IQ
// type's dot (`pk_kernels_for_tier(tier)->dot`, the decode path) and llama.cpp's
// ggml_vec_dot_<type>_q8_K on the same rows and the same Q8_K activations (the layouts
// are ggml's), best of many passes over rows that stay in L2. Also the results' largest
// relative difference (both sum the same integers; the float steps differ).
// Built and run by bench/iq_kernels.sh; not part of the test suite.
#include "kernels_internal.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef void (*ggml_dot)(int n, float *s, size_t bs, const void *x, size_t bx, const void *y, size_t by, int nrc);
void ggml_cpu_init(void);
void ggml_vec_dot_iq2_xxs_q8_K(int, float *, size_t, const void *, size_t, const void *, size_t, int);
void ggml_vec_dot_iq2_xs_q8_K(int, float *, size_t, const void *, size_t, const void *, size_t, int);
void ggml_vec_dot_iq2_s_q8_K(int, float *, size_t, const void *, size_t, const void *, size_t, int);
void ggml_vec_dot_iq3_xxs_q8_K(int, float *, size_t, const void *, size_t, const void *, size_t, int);
void ggml_vec_dot_iq3_s_q8_K(int, float *, size_t, const void *, size_t, const void *, size_t, int);
void ggml_vec_dot_iq1_s_q8_K(int, float *, size_t, const void *, size_t, const void *, size_t, int);
void ggml_vec_dot_iq1_m_q8_K(int, float *, size_t, const void *, size_t, const void *, size_t, int);

enum { COLS = 3072, ROWS = 192, NB = COLS / QKK, PASSES = 300 };

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/// Random blocks with a small positive d (IQ1_M keeps its d spread over the scale words).
static uint8_t *random_rows(int t, size_t rb) {
    uint8_t *w = malloc(ROWS * rb);
    for (size_t i = 0; i < ROWS * rb; ++i) w[i] = (uint8_t)rand();
    if (t != PK_IQ1_M)
        for (size_t b = 0; b < (size_t)ROWS * NB; ++b) {
            uint16_t h = (uint16_t)(0x2c00 + (rand() & 0xff));
            memcpy(w + b * pk_type_size(t), &h, 2);
        }
    return w;
}

static void run(int tier, const char *name, int t, ggml_dot theirs, const pk_block_q8_K *x, int print) {
    const size_t rb = (size_t)NB * pk_type_size(t);
    const pk_dot_fn ours = pk_kernels_for_tier(tier)->dot[pk_slot_of(t)];
    uint8_t *w = random_rows(t, rb);
    double maxrel = 0, best[2] = {1e9, 1e9};
    volatile float sink = 0;
    for (int r = 0; r < ROWS; ++r) {
        float a = ours(COLS, w + r * rb, x), b;
        theirs(COLS, &b, 0, w + r * rb, 0, x, 0, 1);
        double e = fabs((double)a - b) / (fabs(b) + 1e-3);
        if (e > maxrel) maxrel = e;
    }
    for (int p = 0; p < PASSES; ++p) {
        double t0 = now();
        for (int r = 0; r < ROWS; ++r) sink += ours(COLS, w + r * rb, x);
        double t1 = now();
        for (int r = 0; r < ROWS; ++r) {
            float b;
            theirs(COLS, &b, 0, w + r * rb, 0, x, 0, 1);
            sink += b;
        }
        double t2 = now();
        if (t1 - t0 < best[0]) best[0] = t1 - t0;
        if (t2 - t1 < best[1]) best[1] = t2 - t1;
    }
    const double per = 1e9 / ((double)ROWS * NB);
    if (print) printf("| %s | %.1f | %.1f | %.2f | %.1e |\n", name, best[0] * per, best[1] * per, best[1] / best[0], maxrel);
    free(w);
}

int main(int argc, char **argv) {
    const int tier = argc > 1 ? atoi(argv[1]) : pk_max_tier();
    ggml_cpu_init();  // llama.cpp's half-to-float table
    srand(1);
    pk_block_q8_K *x = malloc(NB * sizeof *x);
    for (int i = 0; i < NB; ++i) {
        x[i].d = 0.01f * (float)(i + 1);
        for (int j = 0; j < QKK; ++j) x[i].qs[j] = (int8_t)(rand() % 255 - 127);
        for (int j = 0; j < QKK / 16; ++j) {
            int s = 0;
            for (int k = 0; k < 16; ++k) s += x[i].qs[16 * j + k];
            x[i].bsums[j] = (int16_t)s;
        }
    }
    run(tier, "warm-up", PK_IQ2_XS, ggml_vec_dot_iq2_xs_q8_K, x, 0);  // the clock up to speed first
    printf("tier %d, %d rows of %d values from cache, best of %d passes\n\n", tier, ROWS, COLS, PASSES);
    printf("| type | Ponder ns / super-block | llama.cpp ns / super-block | ratio (llama.cpp / Ponder) | max rel. diff |\n");
    printf("|---|---|---|---|---|\n");
    run(tier, "IQ2_XXS", PK_IQ2_XXS, ggml_vec_dot_iq2_xxs_q8_K, x, 1);
    run(tier, "IQ2_XS", PK_IQ2_XS, ggml_vec_dot_iq2_xs_q8_K, x, 1);
    run(tier, "IQ2_S", PK_IQ2_S, ggml_vec_dot_iq2_s_q8_K, x, 1);
    run(tier, "IQ3_XXS", PK_IQ3_XXS, ggml_vec_dot_iq3_xxs_q8_K, x, 1);
    run(tier, "IQ3_S", PK_IQ3_S, ggml_vec_dot_iq3_s_q8_K, x, 1);
    run(tier, "IQ1_S", PK_IQ1_S, ggml_vec_dot_iq1_s_q8_K, x, 1);
    run(tier, "IQ1_M", PK_IQ1_M, ggml_vec_dot_iq1_m_q8_K, x, 1);
    free(x);
    return 0;
}
